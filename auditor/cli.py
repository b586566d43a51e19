"""Command line: parses arguments, builds settings, calls the library, renders.

Exit codes (stable, documented in the README):
0 done · 1 unexpected error · 2 some input could not be read (the others were still
audited and written) · 3 bad configuration.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from auditor.cli_common import EXIT_FOUND as EXIT_INPUT
from auditor.cli_common import EXIT_OK, EXIT_UNEXPECTED, err, load_cli_settings, open_store

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Audit articles for sources, citations and sensational language.",
)


from auditor.cli_links import links_app, schedule  # noqa: E402 - typer only, stays light

app.add_typer(links_app, name="links")
app.command("schedule")(schedule)


def _version_callback(value: bool) -> None:
    if value:
        from auditor import __version__

        typer.echo(f"auditor {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version_callback,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """auditor: a source-credibility and citation auditor for fact-checkers."""


@app.command()
def audit(
    inputs: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH|URL|-...", help="Files, directories, http(s) URLs, or - for stdin."
        ),
    ],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", metavar="md|json|all", help="Report formats [default: all]."
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="DIR|-",
            help="Report directory, or - for stdout [default: reports].",
        ),
    ] = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="No network access at all (links not checked).")
    ] = False,
    no_archive: Annotated[
        bool, typer.Option("--no-archive", help="Check links without archiving them.")
    ] = False,
    resume: Annotated[
        bool, typer.Option("--resume", help="Skip inputs whose reports are up to date.")
    ] = False,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", "-c", metavar="FILE", help="Configuration file [default: ./config.yaml]."
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress or summary on stderr.")
    ] = False,
) -> None:
    """Audit articles and write Markdown and JSON reports."""
    from auditor.pipeline import audit_one, check_audit_links, expand_inputs, offline_link_fields
    from auditor.reporters import is_up_to_date, report_stem, write_reports

    overrides = {"output.format": fmt}
    if output is not None and output != "-":
        overrides["output.dir"] = output
    settings = load_cli_settings(config, overrides, network=not offline)
    fmt_value = settings.get("output.format")
    to_stdout = output == "-"
    directory = Path(settings.get("output.dir"))
    specs = list(expand_inputs(inputs))
    if specs.count("-") > 1:
        err("standard input (-) can be given only once")
        raise typer.Exit(EXIT_INPUT)
    started = time.monotonic()
    written = failed = skipped = 0
    worst = EXIT_OK
    used_stems: set[str] = set()
    store: Any = None  # opened on the first audit with links to check
    show_bar = len(specs) > 1 and not quiet and sys.stderr.isatty()
    with (
        typer.progressbar(specs, label="auditing", file=sys.stderr, show_pos=True)
        if show_bar
        else _Plain(specs) as bar
    ):
        for spec in bar:
            stem = report_stem(spec)
            if stem in used_stems:
                import hashlib

                stem = f"{stem}-{hashlib.sha256(spec.encode()).hexdigest()[:8]}"
            used_stems.add(stem)
            if (
                resume
                and not to_stdout
                and _unchanged(spec, directory, stem, fmt_value, is_up_to_date)
            ):
                skipped += 1
                continue
            outcome = audit_one(spec, settings, offline=offline)
            if outcome.audit is None:
                failed += 1
                worst = max(worst, outcome.exit_code)
                err(outcome.error or f"{spec}: failed")
                continue
            if offline or not outcome.audit.citations.links:
                extra = offline_link_fields(outcome.audit)
            else:
                if store is None:
                    store = open_store(settings)
                    if not quiet:
                        err(f"state (store, WARC files) in {store.path.parent}")
                extra = check_audit_links(
                    outcome.audit, settings, store=store, archive=not no_archive
                )
            if to_stdout:
                _print(outcome.audit, fmt_value, many=len(specs) > 1, links_extra=extra)
            else:
                write_reports(outcome.audit, directory, fmt_value, stem=stem, links_extra=extra)
            written += 1
    if store is not None:
        store.close()
    if not quiet:
        where = "stdout" if to_stdout else f"{directory}/"
        up_to_date = f", {skipped} up to date" if skipped else ""
        err(
            f"audited {written} of {len(specs)} input(s) → {where} ({failed} failed{up_to_date}) "
            f"in {time.monotonic() - started:.1f} s"
        )
    raise typer.Exit(worst)


class _Plain:
    """Stand-in for a progress bar when stderr is not a terminal."""

    def __init__(self, items: list[str]) -> None:
        self.items = items

    def __enter__(self) -> list[str]:
        return self.items

    def __exit__(self, *exc: object) -> None:
        return None


def _unchanged(spec: str, directory: Path, stem: str, fmt: str, is_up_to_date: Any) -> bool:
    import hashlib

    from auditor import __version__

    path = Path(spec)
    if spec == "-" or "://" in spec or not path.is_file():
        return False
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return False
    return bool(is_up_to_date(directory, stem, fmt, digest, __version__))


def _print(audit_record: Any, fmt: str, *, many: bool, links_extra: Any = None) -> None:
    from auditor.reporters import json_report, markdown_report

    if fmt == "md":
        sys.stdout.write(markdown_report.render(audit_record, links_extra=links_extra))
        if many:
            sys.stdout.write("\n---\n\n")
    elif many:
        sys.stdout.write(json_report.render_line(audit_record, links_extra=links_extra))
    else:
        sys.stdout.write(json_report.render(audit_record, links_extra=links_extra))
    sys.stdout.flush()


def main() -> None:
    """Console entry point: maps unexpected exceptions to a one-line error and exit 1."""
    import logging
    import os

    logging.basicConfig(level=logging.WARNING, format="auditor: %(levelname)s: %(message)s")
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        err("interrupted")
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(EXIT_OK)
    except Exception as exc:  # the last resort: never a traceback unless asked
        if os.environ.get("AUDITOR_DEBUG"):
            raise
        err(f"unexpected error: {exc.__class__.__name__}: {exc} (set AUDITOR_DEBUG=1 for details)")
        sys.exit(EXIT_UNEXPECTED)
