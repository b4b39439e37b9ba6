#!/bin/sh
# What `make test`'s browser tests (tests/test_browser.py) need from the system: Debian's chromium
# (Playwright drives it; no browser download) and a CJK font for legible screenshots.
# Installs what is missing when it can (root, with apt-get); otherwise stops with one line saying
# what to install. A missing font alone only warns: the tests pass without it.
set -u

have_chromium() {
    if [ -n "${SOUSVEIL_CHROMIUM:-}" ]; then [ -x "$SOUSVEIL_CHROMIUM" ]; else command -v chromium >/dev/null 2>&1; fi
}
have_font() { fc-list 2>/dev/null | grep -qi "noto sans cjk"; }

need=""
have_chromium || need="chromium"
have_font || need="${need:+$need }fonts-noto-cjk"
[ -z "$need" ] && exit 0

if [ "$(id -u 2>/dev/null)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "make test: installing $need for the browser tests (apt-get)" >&2
    # shellcheck disable=SC2086  # $need is a list of package names
    if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null; then
        need=""
        have_chromium || need="chromium"
        have_font || need="${need:+$need }fonts-noto-cjk"
        [ -z "$need" ] && exit 0
    fi
fi

if ! have_chromium; then
    echo "make test: the browser tests need Debian's chromium and fonts-noto-cjk (missing: $need): run as root \`apt-get install $need\`, or \`make test-fast\` to run the rest" >&2
    exit 1
fi
echo "make test: fonts-noto-cjk is missing, so the browser tests' screenshots show no Chinese (as root: \`apt-get install fonts-noto-cjk\`)" >&2
exit 0
