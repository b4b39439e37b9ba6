"""The `sousveil` command line. Exit codes: 0 success, 1 error (named on stderr), 2 usage error,
3 ingest finished but some documents failed (each is listed and recorded in the database)."""

from __future__ import annotations

import json
import os
import sys

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from . import __version__
from .data_files import load_yaml
from .model import BUYER_TYPES, NOTICE_TYPES
from .store import db as store
from .export import flat as exports
from .export.flat import SYNTHETIC_LABEL, money
from .extract.currency import MEASURES
from .store import queries

EXIT_ERROR, EXIT_FAILED_DOCS, EXIT_INTERRUPTED = 1, 3, 130
# Every category of the taxonomy, flags included (a search for notices naming detention sites).
CATEGORY_CHOICES = tuple(load_yaml("taxonomy.yaml")["categories"])

out = Console(soft_wrap=True)
err = Console(stderr=True)


def fail(message: str) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    sys.exit(EXIT_ERROR)


def echo_json(value) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def open_existing(path: str):
    try:
        return store.open_db(path, create=False)
    except store.StoreError as e:
        fail(str(e))


db_option = click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False), help="The sousveil database.")
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
currency_option = click.option("--currency", type=click.Choice(list(MEASURES)), default="CNY", show_default=True,
                               help="The currency of the sums: other currencies are converted at the ECB reference"
                                    " rate of each amount's date.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sousveil")
def cli():
    """sousveil: procurement notices in, a cited and searchable evidence database out."""


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False), help="SQLite database (created if missing).")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
@click.option("--jobs", "-j", default=None, type=click.IntRange(1, 64),
              help="Worker processes for conversion and extraction (default: the CPUs this process may use; "
                   "1 runs everything in one process).")
@click.option("--keep-originals", is_flag=True,
              help="Also store the original files, for download in `sousveil serve`. They keep the personal data "
                   "that the stored text has redacted: use only where that is lawful and needed.")
@click.option("--link/--no-link", "do_link", default=True, show_default=True,
              help="Link the new notices (organizations, vendors, processes) when the ingest ends.")
@click.option("--ocid-prefix", default=None, help="Prefix of the processes' OCDS ocids (kept in the database).")
@click.option("--include", "include", multiple=True, metavar="GLOB",
              help="Read files matching GLOB (a path below PATH or a file name: 'README*', '*.jsonl', '.hidden/*') "
                   "although they look like no document; repeatable.")
@click.option("--time-budget", "seconds", default=30.0, show_default=True, type=click.FloatRange(min=0),
              help="Seconds one document may take; a document over it is recorded as failed (0: no limit).")
@click.option("--memory-budget", "memory_mb", default=4096, show_default=True, type=click.IntRange(min=0),
              help="MB of memory one document may need (estimated from its size); a bigger one is recorded as failed "
                   "(0: no limit).")
@click.option("--ocr/--no-ocr", "ocr", default=True, show_default=True,
              help="Read PDF pages without a text layer and images (PNG, JPEG, TIFF) by OCR, Chinese and English.")
def ingest(paths, db_path, progress, jobs, keep_originals, do_link, ocid_prefix, include, seconds, memory_mb, ocr):
    """Read notices (HTML, text, PDF, DOCX, scans as PNG, JPEG or TIFF, zip, WARC, OCDS JSON) from PATHS into the database.

    Each document is stored once, keyed by the SHA-256 of its bytes: running it again adds
    nothing, and a run that was killed resumes where it stopped. Files that are no documents (READMEs,
    licences, labels.jsonl, truth.jsonl, JSON that is not OCDS, hidden files, images too small to be a page) are skipped and
    listed; --include reads them anyway, and so is a file named on the command line. A document's
    provenance is its path relative to the PATH it was found under.
    """
    from .ingest.run import Interrupted
    from .ingest.run import ingest as run

    jobs = jobs or min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 8)
    try:
        summary = run(list(paths), db_path, progress=progress, jobs=jobs, keep_originals=keep_originals, link=do_link,
                      ocid_prefix=ocid_prefix, include=include, seconds=seconds or None, memory_mb=memory_mb or None,
                      ocr=ocr)
    except store.StoreError as e:
        fail(str(e))
    except Interrupted as e:
        err.print(f"interrupted after {e.summary.seconds:.1f} s: {e.summary.stored} new documents are stored in {db_path}. "
                  "Run the same command again to go on: nothing stored is lost or stored twice.", highlight=False)
        sys.exit(EXIT_INTERRUPTED)
    from rich.markup import escape

    for name, reason in summary.failures:  # a file may be named [/x].html: names are not markup
        err.print(f"[yellow]failed:[/yellow] {escape(name)}: {escape(reason)}", highlight=False)
    rate = summary.documents / summary.seconds if summary.seconds else 0
    skips = ", ".join(f"{name}: {reason}" for name, reason in summary.skips[:8])
    if summary.skipped > 8:
        skips += f", and {summary.skipped - 8} more"
    out.print(f"new: {summary.new}  already present: {summary.present}  failed: {summary.failed}"
              f"  skipped (not documents): {summary.skipped}{f' ({skips})' if skips else ''}"
              f"  needs OCR: {summary.needs_ocr}{f'  pages read by OCR: {summary.ocr_pages}' if summary.ocr_pages else ''}",
              highlight=False, markup=False)
    if summary.synthetic:
        out.print(f"{summary.synthetic} of the new documents are {SYNTHETIC_LABEL} (generated, not real notices)")
    out.print(f"{summary.documents} documents in {summary.seconds:.1f} s ({rate:.0f} docs/s) -> {db_path}", highlight=False)
    if summary.link:
        print_link(summary.link)
    if summary.new == 0 and summary.present and not summary.failed:
        out.print("nothing new: every document was already in the database")
    if summary.failed:
        sys.exit(EXIT_FAILED_DOCS)


def filter_options(f):
    for opt in reversed([
        click.option("--category", type=click.Choice(CATEGORY_CHOICES), help="Surveillance capability (or flag)."),
        click.option("--province", help="Province name (广东 / 广东省) or GB/T 2260 code."),
        click.option("--buyer-type", type=click.Choice(BUYER_TYPES)),
        click.option("--year", type=int),
        click.option("--type", "type_", type=click.Choice(NOTICE_TYPES), help="Notice type."),
        click.option("--synthetic/--real", default=None, help="Only generated, or only real notices."),
        click.option("--min-confidence", type=click.FloatRange(0, 1), default=None,
                     help="Leave out notices whose type, buyer or region rest on a weaker method (a confidence below "
                          "this; see `show` and data/methods.yaml)."),
    ]):
        f = opt(f)
    return f


def make_filters(category, province, buyer_type, year, type_, synthetic, min_confidence=None,
                 country=None) -> queries.Filters:
    return queries.Filters(category, province, buyer_type, year, type_, synthetic, min_confidence=min_confidence,
                           country=country)


country_option = click.option("--country", help="The buyer's country: ISO 3166-1 code (CN, MX, GB …) or name.")


@cli.command()
@click.argument("query", required=False, default="")
@db_option
@filter_options
@country_option
@click.option("--limit", default=20, show_default=True)
@click.option("--offset", default=0)
@click.option("--sort", type=click.Choice(list(queries.SORTS)), default="date", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def search(query, db_path, category, province, buyer_type, year, type_, synthetic, min_confidence, country, limit, offset,
           sort, as_json):
    """Full-text search (Chinese from two characters, English words) with facet filters."""
    if query and len(query.strip()) == 1 and not query.strip().isascii():
        err.print("note: a one-character query matches any two-character sequence starting with it")
    db = open_existing(db_path)
    filters = make_filters(category, province, buyer_type, year, type_, synthetic, min_confidence, country)
    total, rows = queries.search(db, query or None, filters, limit=limit, offset=offset, sort=sort)
    if as_json:
        for r in rows:
            r["synthetic"] = bool(r["synthetic"])
            if r["synthetic"]:
                r["label"] = SYNTHETIC_LABEL
            click.echo(json.dumps(r, ensure_ascii=False))
        return
    table = Table(title=f"{total} notices" + (f" matching {query!r}" if query else ""), show_lines=False)
    for col in ("id", "date", "type", "title / buyer", "award", "capabilities", "region"):
        table.add_column(col, overflow="fold")
    for r in rows:
        title = Text()
        if r["synthetic"]:
            title.append(f"[{SYNTHETIC_LABEL}] ", style="bold magenta")
        title.append(r["title"] or "(no title)")
        title.append("\n" + (r["buyer"] or ""), style="dim")
        if r.get("snippet"):
            title.append("\n")
            title.append(_highlighted(r["snippet"]["text"], r["snippet"]["highlights"]))
        table.add_row(str(r["id"]), (r["published"] or "")[:10], r["type"], title,
                      money(r["award_total"], r.get("currency") or "CNY"),
                      r["categories"] or "",
                      " ".join(x for x in (r["province"], r["city"], r["county"]) if x) or r.get("country") or "")
    out.print(table)
    synthetic_shown = sum(1 for r in rows if r["synthetic"])
    if synthetic_shown:
        out.print(f"[magenta]{synthetic_shown} of the notices shown are {SYNTHETIC_LABEL} (generated test data).[/magenta]")


def _highlighted(text: str, spans, style: str = "bold yellow") -> Text:
    t = Text(text)
    for s, e in spans:
        t.stylize(style, s, e)
    return t


@cli.command()
@click.argument("ref")
@db_option
@click.option("--text/--no-text", "with_text", default=True, help="Print the stored text with the evidence highlighted.")
@json_option
def show(ref, db_path, with_text, as_json):
    """One notice: its facts, tags and the text they came from (REF: id or SHA-256 prefix)."""
    db = open_existing(db_path)
    nid = queries.find_notice_id(db, ref)
    if nid is None:
        fail(f"no notice {ref!r} in {db_path}")
    n = queries.notice(db, nid)
    if as_json:
        n["synthetic"] = bool(n["synthetic"])
        if n["synthetic"]:
            n["label"] = SYNTHETIC_LABEL
        echo_json(n)
        return
    text = n["document"]["text"] or ""
    if n["synthetic"]:
        out.print(f"[bold white on magenta] {SYNTHETIC_LABEL}: generated test document, not a real notice [/]")
    out.print(f"[bold]#{n['id']} {n['title'] or n['heading'] or ''}[/bold]", highlight=False)
    out.print(f"{n['type']} · published {n['published'] or '?'} · sha256 {n['sha256']}", highlight=False)
    for s in n["sources"]:
        out.print(f"source: {s['url'] or s['name']}" + (f" (retrieved {s['retrieved_at']})" if s["retrieved_at"] else ""),
                  highlight=False)
    out.print(f"taxonomy {n['taxonomy_version']} · labels {n['labels_version']} · sousveil {n['code_version']}",
              highlight=False)
    facts = Table(title="facts", show_lines=False)
    for col in ("field", "value", "lot", "span", "evidence", "method", "note"):
        facts.add_column(col, overflow="fold")
    for f in n["facts"]:
        span = f"{f['span_start']}-{f['span_end']}" if f["span_start"] is not None else f["origin"]
        evidence = text[f["span_start"]:f["span_end"]] if f["span_start"] is not None else ""
        evidence = "" if evidence == f["value"] else evidence  # shown once when the value is the text itself
        method = f"{f['method']} {f['confidence']:.2f}" if f["method"] else ""
        facts.add_row(f["field"], f["value"] or "", f["lot"] or "", span, evidence, method, f["note"] or "")
    out.print(facts)
    if n["suppliers"]:
        sup = Table(title="suppliers")
        for col in ("role", "lot", "name", "amount"):
            sup.add_column(col)
        for s in n["suppliers"]:
            sup.add_row(s["role"] + (" (consortium member)" if s.get("consortium") else ""), s["lot"] or "", s["name"],
                        money(s["amount"], s.get("currency") or "CNY"))
        out.print(sup)
    if n["items"]:
        items = Table(title="items")
        for col in ("lot", "name", "brand", "model", "quantity", "unit", "unit price"):
            items.add_column(col, overflow="fold")
        for i in n["items"]:
            items.add_row(i["lot"] or "", i["name"], i["brand"] or "", i["model"] or "", i["quantity"] or "",
                          i["unit"] or "", money(i["unit_price"], i.get("currency") or "CNY"))
        out.print(items)
    tags = Table(title=f"tags (taxonomy {n['taxonomy_version']})")
    for col in ("category", "term", "strength", "span", "snippet", "support"):
        tags.add_column(col, overflow="fold")
    for t in n["tags"]:
        tags.add_row(t["category"] + (" (review)" if t["needs_review"] else ""), t["term"], t["strength"],
                     f"{t['span_start']}-{t['span_end']}", t["snippet"], t["support"] or "")
    out.print(tags if n["tags"] else "[dim]no surveillance capability tagged[/dim]")
    if with_text:
        body = Text(text)
        for f in n["facts"]:
            if f["span_start"] is not None:
                body.stylize("underline cyan", f["span_start"], f["span_end"])
        for t in n["tags"]:
            body.stylize("bold black on yellow", t["span_start"], t["span_end"])
        out.rule("stored text (facts underlined, tags highlighted; personal data redacted)")
        out.print(body)


@cli.command()
@db_option
@click.option("--top", default=10, show_default=True)
@click.option("--query", default=None, help="Only notices matching this full-text query.")
@filter_options
@click.option("--confirmed-only", is_flag=True, help="Count a capability only where a reviewer confirmed its tag.")
@country_option
@currency_option
@json_option
def stats(db_path, top, query, category, province, buyer_type, year, type_, synthetic, min_confidence, confirmed_only,
          country, currency, as_json):
    """Counts and summed award value by capability and year, by country, by province; top buyers and
    suppliers. Sums are in --currency, other currencies converted at the ECB rate of each notice's date.

    With filters or a query: of the notices `export` gives for the same ones (failed and OCR counts
    stay those of the whole database)."""
    db = open_existing(db_path)
    filters = make_filters(category, province, buyer_type, year, type_, synthetic, min_confidence, country)
    s = queries.stats(db, top, filters, query, confirmed_only, currency)
    if as_json:
        echo_json(s)
        return
    t = s["totals"]
    out.print(f"{t['notices']} notices from {t['documents']} documents ({t['awards']} awards); "
              f"failed {t['failed']}, needing OCR {t['needs_ocr']}", highlight=False)
    if t["republished"]:
        out.print(f"{t['republished']} notices are republished copies of others: the sums below count each notice once",
                  highlight=False)
    out.print("Award values count each procurement once: from its award notices, else its contracts, else its other"
              " notices (a contract or an acceptance repeating an award's sum is not added again)", highlight=False)
    if t["synthetic"]:
        out.print(f"[bold magenta]{t['synthetic']} of {t['notices']} notices are {SYNTHETIC_LABEL} "
                  f"(generated test data): the figures below include them, see the 'synthetic' columns.[/]")
    for title, rows, keys in (
            ("by capability and year", s["by_category_year"], ("category", "year")),
            ("by country", s["by_country"], ("country",)),
            ("by province", s["by_province"], ("province",)),
            ("top buyers (by awarded value)", s["top_buyers"], ("name",)),
            ("top suppliers (by awarded value)", s["top_suppliers"], ("name",))):
        table = Table(title=title)
        for k in keys + ("notices", f"award value ({currency})", "synthetic"):
            table.add_column(k, justify="right" if k not in ("category", "country", "province", "name") else "left")
        for r in rows:
            table.add_row(*(str(r[k] if r[k] is not None else "") for k in keys), str(r["notices"]),
                          money(r["award_value"]) or "0", str(r["synthetic"]) if r["synthetic"] else "")
        out.print(table)
    _print_measure(s["measure"])


def _print_measure(measure: dict) -> None:
    if measure["rates"]:
        out.print(f"Amounts in other currencies are converted to {measure['currency']} at the {measure['rates']}.",
                  highlight=False)
    for r in measure["left_out"]:
        many = "s" if r["notices"] > 1 else ""
        out.print(f"[yellow]Left out of the sums: {r['notices']} notice{many} with {money(r['amount'])} {r['currency']}"
                  f" ({r['why']}).[/]", highlight=False)


@cli.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "ocds", "ftm"]), default="jsonl", show_default=True,
              help="csv / jsonl: flat notices; ocds: an OCDS 1.1 release package (--records: record package); "
                   "ftm: FollowTheMoney entities, one JSON object a line.")
@click.option("--records", is_flag=True, help="With --format ocds: one compiled record per procurement process.")
@click.option("--validate", is_flag=True, help="With --format ocds: check the package against the OCDS 1.1.5 schema.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default="-", help="File (default: stdout).")
@click.option("--query", default=None, help="Only notices matching this full-text query.")
@filter_options
@country_option
@currency_option
def export(db_path, fmt, records, validate, output, query, category, province, buyer_type, year, type_, synthetic,
           min_confidence, country, currency):
    """Export notices: flat (CSV, JSON Lines), as OCDS releases or records, or as FollowTheMoney entities.

    Every format labels synthetic notices. OCDS and FtM need linked notices (`ingest` links them).
    """
    db = open_existing(db_path)
    filters = make_filters(category, province, buyer_type, year, type_, synthetic, min_confidence, country)
    if (records or validate) and fmt != "ocds":
        raise click.UsageError("--records and --validate go with --format ocds")
    if validate and output == "-":
        raise click.UsageError("--validate needs -o FILE (the package is read back to be checked)")
    with click.open_file(output, "w", encoding="utf-8") as fh:
        if fmt in ("csv", "jsonl"):
            rows = queries.iter_export(db, filters, query, currency=currency)
            (exports.write_jsonl if fmt == "jsonl" else exports.write_csv)(rows, fh)
            return
        unlinked = db.execute("select count(*) from notices where id > coalesce((select cast(value as integer) from meta"
                              " where key = 'linked_through'), 0)").fetchone()[0]
        if unlinked:
            err.print(f"[yellow]{unlinked} notices are not linked yet: they are exported without their organizations "
                      f"and processes. Run `sousveil link --db {db_path}` first.[/]", highlight=False)
        if fmt == "ftm":
            from .export.ftm import write_entities

            count = write_entities(db, fh, filters, query)
            err.print(f"{count} FollowTheMoney entities", highlight=False)
            return
        from .export import ocds

        counts = (ocds.write_record_package if records else ocds.write_release_package)(db, fh, filters, query)
    err.print("OCDS " + ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in counts.items())
              + (" ('other' notices have no OCDS stage)" if counts.get("skipped_other") else ""), highlight=False)
    if validate:
        with open(output, encoding="utf-8") as fh:
            errors = ocds.validate(json.load(fh), "record" if records else "release")
        for e in errors[:20]:
            err.print(f"[red]invalid:[/red] {e}", highlight=False)
        if errors:
            fail(f"{output}: {len(errors)} schema errors against OCDS 1.1.5")
        err.print(f"{output}: valid against the OCDS 1.1.5 {'record' if records else 'release'} package schema")


@cli.command()
@db_option
@click.option("--query", default=None, help="Only notices matching this full-text query.")
@filter_options
@click.option("--city", help="City name or GB/T 2260 code.")
@click.option("--buyer", help="A buyer's exact name (every way its organization is written).")
@click.option("--supplier", help="A winning supplier's exact name.")
@click.option("--vendor", help="A registry vendor id (named as supplier or brand).")
@click.option("--designated", is_flag=True, default=None, help="Only notices naming a vendor with a designation.")
@click.option("--review", type=click.Choice(["confirmed", "false_positive", "unsure", "reviewed", "unreviewed"]),
              help="Only notices with a tag of this latest verdict (or reviewed / unreviewed).")
@click.option("--confirmed-only", is_flag=True,
              help="Count only notices with a capability tag a reviewer confirmed, and only confirmed tags.")
@country_option
@currency_option
@click.option("--lang", type=click.Choice(["zh", "en"]), default="en", show_default=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The HTML file; its data package "
              "goes beside it (report.html: report-data/).")
@click.option("--pdf", type=click.Path(dir_okay=False), help="Also print the report to this PDF (chromium).")
@click.option("--top", default=10, show_default=True, type=click.IntRange(1, 100), help="Rows of each ranking.")
@click.option("--key-notices", default=20, show_default=True, type=click.IntRange(0, 500))
@click.option("--cite", default=3, show_default=True, type=click.IntRange(1, 20), help="Notices cited per figure.")
def report(db_path, query, category, province, buyer_type, year, type_, synthetic, min_confidence, city, buyer, supplier,
           vendor, designated, review, confirmed_only, country, currency, lang, output, pdf, top, key_notices, cite):
    """A findings report: one self-contained HTML page (and --pdf) of what a search found, every figure
    citing its notices and every citation its spans, with a data package beside it (docs/report.md)."""
    from pathlib import Path

    from .report import Spec
    from .report.pdf import PdfError
    from .report.write import write_report

    if confirmed_only and review:
        raise click.UsageError("--confirmed-only is --review confirmed for the scope: give one of them")
    db = open_existing(db_path)
    filters = make_filters(category, province, buyer_type, year, type_, synthetic, min_confidence, country)
    filters.city, filters.buyer, filters.supplier, filters.vendor = city, buyer, supplier, vendor
    filters.designated, filters.review = designated, review
    spec = Spec(filters, query, confirmed_only, currency, lang, top, key_notices, cite)
    try:
        written = write_report(db, spec, db_path, Path(output), Path(pdf) if pdf else None)
    except PdfError as e:
        fail(str(e))
    r = written["report"]
    out.print(f"{r['scope']['totals']['notices']} notices, {len(r['evidence'])} cited -> {output}; data: "
              f"{written['data'].parent}" + (f"; PDF: {pdf}" if pdf else ""), highlight=False)
    if r["synthetic"]:
        out.print(f"[magenta]{r['synthetic']} of the notices are {SYNTHETIC_LABEL}: the report says so on every page.[/]")
    if written.get("refused"):
        err.print(f"[yellow]the page tried {len(written['refused'])} requests (refused)[/]")


@cli.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1, 64), help="Worker processes for the ingest.")
@click.option("--misses", default=5, show_default=True, help="How many misses to print for each field.")
@json_option
def evaluate(folder, jobs, misses, as_json):
    """Score sousveil on a labelled FOLDER: per field, correct / asserted wrong / missed.

    FOLDER holds documents and labels.jsonl (keys: file, notice_type, buyer, agency, suppliers,
    award_cny, award_kind, date, region_code, categories, must_redact), or is the output of
    `sousveil synth` (truth.jsonl, notices/). The documents are ingested into a temporary database;
    the labelled personal data are searched for in its stored text, facts and every export.
    """
    from .evaluate import LabelsError, evaluate as run, format_report

    try:
        report = run(folder, jobs=jobs)
    except LabelsError as e:
        fail(str(e))
    if as_json:
        echo_json(report.as_dict())
    else:
        click.echo(format_report(report, misses))


@cli.command()
@click.argument("out_dir", type=click.Path(file_okay=False))
@click.option("--n", "count", default=100, show_default=True, help="How many notices.")
@click.option("--seed", default=0, show_default=True)
@click.option("--flattened", is_flag=True,
              help="Republish every page flattened, as mirror and aggregator sites do: paragraphs, tables and "
                   "signature run together on one line.")
def synth(out_dir, count, seed, flattened):
    """Write N generated notices and their ground truth (truth.jsonl) to OUT_DIR.

    Every generated document says it is synthetic in its text and in its provenance.
    """
    from .synth.generate import write_corpus

    path = write_corpus(out_dir, count, seed, flattened=flattened)
    out.print(f"{count} {SYNTHETIC_LABEL} notices (seed {seed}) in {out_dir}; ground truth: {path}", highlight=False)


@cli.command()
@click.argument("db_path", type=click.Path(dir_okay=False))
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535), help="Port on 127.0.0.1 (0: any free port).")
@click.option("--reviewers", type=click.Path(dir_okay=False, exists=True),
              help="JSON file of reviewer accounts (made with `sousveil reviewer`); they can sign in and review tags.")
@click.option("--public", is_flag=True, help="Read-only publication: no sign-in, review switched off.")
def serve(db_path, port, reviewers, public):
    """The web interface on 127.0.0.1: search, notices with their evidence, review, exports.

    Datasette's own table views, SQL page and JSON/CSV APIs stay available beneath it.
    """
    from .web.server import run

    if public and reviewers:
        raise click.UsageError("--public is read-only: it takes no --reviewers")
    try:
        run(db_path, port=port, reviewers=reviewers, public=public, announce=out.print)
    except (store.StoreError, ValueError) as e:
        fail(str(e))


@cli.command()
@click.argument("name")
@click.option("--file", "path", required=True, type=click.Path(dir_okay=False), help="Reviewer accounts JSON (created if missing).")
@click.password_option(help="The reviewer's password (asked for when not given).")
def reviewer(name, path, password):
    """Add a reviewer account (or change its password) in the accounts file `serve --reviewers` reads.

    Only a hash of the password is stored (PBKDF2, as datasette-auth-passwords checks it)."""
    from .web.server import add_reviewer

    try:
        add_reviewer(path, name, password)
    except ValueError as e:
        fail(str(e))
    out.print(f"reviewer {name!r} saved in {path}; start the interface with: sousveil serve DB --reviewers {path}",
              highlight=False)


def print_link(s) -> None:
    out.print(f"linked {s.notices} notices in {s.seconds:.1f} s: {s.organizations} new organizations, "
              f"{s.vendor_links} vendor links, {s.processes} new processes, {s.duplicates} republished copies",
              highlight=False)
    if s.failed:
        err.print(f"[yellow]{s.failed} notices could not be linked; their reasons are in the table ingest_errors[/]")


@cli.command()
@db_option
@click.option("--ocid-prefix", default=None, help="Prefix of the ocids; a new prefix relinks every notice.")
def link(db_path, ocid_prefix):
    """Link the notices not linked yet: organizations, vendor resolution, processes, republished copies.

    `ingest` does this at its end; run it alone after `ingest --no-link`, or after updating
    the vendor registry (a new registry version resolves every notice again).
    """
    import sqlite3

    from .ingest.run import disk_refusal
    from .resolve.link import link as run_link

    db = open_existing(db_path)
    try:
        print_link(run_link(db, ocid_prefix, progress=sys.stderr.isatty()))
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except (sqlite3.OperationalError, OSError) as e:
        reason = disk_refusal(db_path, e)
        if reason is None:
            raise
        fail(f"{db_path}: cannot write to the database: {reason}. What was linked before is committed, whole; "
             "make room and run the same command again to go on.")


@cli.command()
@db_option
@click.option("--designated", is_flag=True, help="Only vendors with a designation (verified or not).")
@click.option("--abroad", is_flag=True, help="Where they sell outside China: contracts won by country and year.")
@click.option("--csv", "as_csv", is_flag=True, help="With --abroad: CSV of vendor, country, year, value.")
@currency_option
@json_option
def vendors(db_path, designated, abroad, as_csv, currency, as_json):
    """Registry vendors with the notices they won, awarded value, brand mentions and designations.

    --abroad: the contracts they won outside China (notices whose buyer's country is known and is
    not CN), by country and year, in --currency."""
    from .store import linked

    db = open_existing(db_path)
    if abroad or as_csv:
        _vendors_abroad(db, currency, as_csv, as_json, designated)
        return
    rows = linked.vendors(db, designated)
    if as_json:
        echo_json(rows)
        return
    table = Table(title=f"vendors (registry {load_yaml('vendors.yaml')['version']})")
    for col in ("vendor", "won", "award value (CNY)", "as brand", "designations"):
        table.add_column(col, overflow="fold", justify="right" if col in ("won", "as brand") else "left")
    for r in rows:
        marks = "; ".join(f"{d['list_name'].split(' (')[0]} {d['date']}" + ("" if d["status"] == "verified" else " (unverified)")
                          for d in r["designations"])
        won = str(r["won_notices"]) + (f" ({r['synthetic']} {SYNTHETIC_LABEL})" if r["synthetic"] else "")
        table.add_row(f"{r['name_zh']} / {r['name_en']}", won, money(r["award_value"]) or "0", str(r["brand_notices"]),
                      marks)
    out.print(table)


def _vendors_abroad(db, currency: str, as_csv: bool, as_json: bool, designated: bool) -> None:
    from .store import linked

    result = linked.where_they_sell(db, currency, abroad=True)
    rows = [r for r in result["rows"] if r["designations"] or not designated]
    if as_json:
        echo_json(dict(result, rows=rows))
        return
    if as_csv:
        writer = exports.csv_writer(sys.stdout, ["vendor", "name_en", "country", "year", "notices", "award_value",
                                                 "currency", "by_currency", "synthetic", "designations"])
        writer.writeheader()
        for r in rows:
            row = dict(r, by_currency="; ".join(f"{a} {c}" for c, a in r["by_currency"].items()))
            writer.writerow({k: exports.safe_cell(row[k]) for k in writer.fieldnames})
        return
    table = Table(title=f"registry vendors abroad: contracts won by country and year ({currency})")
    for col in ("vendor", "country", "year", "won", f"award value ({currency})", "as published", "designations"):
        table.add_column(col, overflow="fold", justify="right" if col in ("won", "year") else "left")
    for r in rows:
        won = str(r["notices"]) + (f" ({r['synthetic']} {SYNTHETIC_LABEL})" if r["synthetic"] else "")
        table.add_row(r["name_en"], r["country"], str(r["year"] or ""), won, money(r["award_value"]) or "0",
                      "; ".join(money(a, c) for c, a in r["by_currency"].items()), r["designations"])
    out.print(table)
    _print_measure(result["measure"])


@cli.command()
@click.argument("ref")
@db_option
@json_option
def process(ref, db_path, as_json):
    """The timeline of one procurement (REF: its ocid, or the id of one of its notices)."""
    from .store import linked

    db = open_existing(db_path)
    ocid = linked.process_of(db, ref)
    if ocid is None:
        fail(f"no process {ref!r} in {db_path} (run `sousveil link --db {db_path}` if the notices are not linked yet)")
    p = linked.process(db, ocid)
    if as_json:
        echo_json(p)
        return
    if p["synthetic"]:
        out.print(f"[bold white on magenta] {SYNTHETIC_LABEL}: {p['synthetic']} of {p['notices']} notices are generated "
                  f"test documents [/]")
    out.print(f"[bold]{p['ocid']}[/bold] {p['title'] or ''}", highlight=False)
    out.print(f"buyer {p['buyer'] or '?'} · project code {p['project_code'] or '-'} · linked by {p['link_method']}",
              highlight=False)
    table = Table()
    for col in ("date", "notice", "type", "title", "amount", "sources"):
        table.add_column(col, overflow="fold")
    for n in p["timeline"]:
        sources = [s["url"] or s["name"] for s in n["sources"]]
        for c in n["republished"]:
            sources += [f"#{c['id']} " + (s["url"] or s["name"]) + f" (republished, similarity {c['similarity']})"
                        for s in c["sources"]]
        table.add_row(n["published"] or "?", f"#{n['id']}", n["type"], n["title"] or "",
                      money(n["award_total"] or n["budget"], n["currency"] or "CNY"), "\n".join(sources))
    out.print(table)


def main():
    cli()


if __name__ == "__main__":
    main()
