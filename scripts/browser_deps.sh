#!/bin/sh
# What `make test`'s browser tests (tests/test_browser.py, tests/test_report_browser.py) need from the
# system: Debian's chromium (Playwright drives it; no browser download), a CJK font for legible
# screenshots and PDFs, and poppler-utils (pdftoppm, pdftotext) to read the report's PDF pages; and
# for OCR (tests/test_ocr.py, ingest of scans) the GL and GLib libraries OpenCV's wheel links against.
# Installs what is missing when it can (root, with apt-get); otherwise stops with one line saying
# what to install. A missing font alone only warns: the tests pass without it.
set -u

have_chromium() {
    if [ -n "${SOUSVEIL_CHROMIUM:-}" ]; then [ -x "$SOUSVEIL_CHROMIUM" ]; else command -v chromium >/dev/null 2>&1; fi
}
have_font() { fc-list 2>/dev/null | grep -qi "noto sans cjk"; }
have_poppler() { command -v pdftoppm >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1; }
libs() { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; }  # /sbin is not on every PATH
have_ocr_libs() { libs | grep -q "libGL.so.1 " && libs | grep -q "libglib-2.0.so.0 "; }

missing() {  # the Debian packages still to install, separated by spaces
    m=""
    have_chromium || m="chromium"
    have_font || m="${m:+$m }fonts-noto-cjk"
    have_poppler || m="${m:+$m }poppler-utils"
    have_ocr_libs || m="${m:+$m }libgl1 libglib2.0-0"
    echo "$m"
}

need=$(missing)
[ -z "$need" ] && exit 0

if [ "$(id -u 2>/dev/null)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "make test: installing $need for the browser tests (apt-get)" >&2
    # shellcheck disable=SC2086  # $need is a list of package names
    if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null; then
        need=$(missing)
        [ -z "$need" ] && exit 0
    fi
fi

if ! have_ocr_libs; then
    echo "make test: OCR needs libgl1 and libglib2.0-0 (missing: $need): run as root \`apt-get install $need\`" >&2
    exit 1
fi
if ! have_chromium || ! have_poppler; then
    echo "make test: the browser tests need Debian's chromium, fonts-noto-cjk and poppler-utils (missing: $need): run as root \`apt-get install $need\`, or \`make test-fast\` to run the rest" >&2
    exit 1
fi
echo "make test: fonts-noto-cjk is missing, so the browser tests' screenshots show no Chinese (as root: \`apt-get install fonts-noto-cjk\`)" >&2
exit 0
