"""``auditor links …`` and ``auditor schedule``: link checks, scheduled rechecks, link-rot
reports. Thin: parse, build settings, call :mod:`auditor.recheck`, render. Only typer is
imported here; everything else is imported inside the commands, so ``auditor --help`` stays
instant.

Exit codes: 0 done (nothing broken, nothing new) · 1 unexpected error or unreadable input ·
2 ``links check``: some link is broken; ``links report``: new rot or drift since the previous
report; ``links history``: the URL is not in the store · 3 bad configuration.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from auditor.cli_common import (
    EXIT_CONFIG,
    EXIT_FOUND,
    EXIT_OK,
    EXIT_UNEXPECTED,
    err,
    load_cli_settings,
    open_store,
)

links_app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Check cited links, recheck them on a schedule, report link rot.",
)

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config", "-c", metavar="FILE", help="Configuration file [default: ./config.yaml]."
    ),
]
QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress or summary on stderr.")
]
MaxConcurrency = Annotated[
    int | None,
    typer.Option("--max-concurrency", min=1, metavar="N", help="Requests in flight overall."),
]
HostConcurrency = Annotated[
    int | None,
    typer.Option("--host-concurrency", min=1, metavar="N", help="Requests in flight per host."),
]
HostInterval = Annotated[
    float | None,
    typer.Option(
        "--host-interval",
        min=0.0,
        metavar="SECONDS",
        help="Minimum time between two requests to one host.",
    ),
]


def _resolve_overrides(
    max_concurrency: int | None, host_concurrency: int | None, host_interval: float | None
) -> dict[str, Any]:
    return {
        "resolve.max_concurrency": max_concurrency,
        "resolve.host_concurrency": host_concurrency,
        "resolve.host_interval": host_interval,
    }


def _clock() -> Any:
    from auditor.errors import ConfigError
    from auditor.recheck import make_clock

    try:
        return make_clock()
    except ConfigError as exc:
        err(f"configuration error: AUDITOR_NOW: {exc}")
        raise typer.Exit(EXIT_CONFIG) from None


def _config_guard(call: Any) -> Any:
    """Run ``call()``; a ConfigError becomes a one-line error and exit 3."""
    from auditor.errors import ConfigError

    try:
        return call()
    except ConfigError as exc:
        err(f"configuration error: {exc}")
        raise typer.Exit(EXIT_CONFIG) from None


def _write_output(text: str, output: str) -> None:
    """Write to stdout (``-``) or a file (plainly: ``/dev/null`` must stay a device)."""
    if output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    path = Path(output)
    if path.parent != Path(""):
        path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


# ---------------------------------------------------------------------------
# links check


@links_app.command("check")
def check(
    inputs: Annotated[
        list[str],
        typer.Argument(
            metavar="URL|FILE|-...",
            help="URLs, files of URLs (one a line, # comments), - for a list on stdin, or "
            "documents (.txt, .md, .html) whose links are checked.",
        ),
    ],
    fmt: Annotated[
        str, typer.Option("--format", "-f", metavar="md|json|csv", help="Output format.")
    ] = "md",
    output: Annotated[
        str, typer.Option("--output", "-o", metavar="FILE|-", help="Where to write.")
    ] = "-",
    max_concurrency: MaxConcurrency = None,
    host_concurrency: HostConcurrency = None,
    host_interval: HostInterval = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="No network: every link is not-checked.")
    ] = False,
    no_archive: Annotated[
        bool, typer.Option("--no-archive", help="Check without writing WARC copies.")
    ] = False,
    no_store: Annotated[
        bool, typer.Option("--no-store", help="Do not record the checks in the store.")
    ] = False,
    config: ConfigOption = None,
    quiet: QuietOption = False,
) -> None:
    """Check links like a link checker; exit 2 when any is broken."""
    from auditor.errors import AuditorError

    if fmt not in ("md", "json", "csv"):
        err(f"configuration error: --format must be md, json or csv, not {fmt!r}")
        raise typer.Exit(EXIT_CONFIG)
    settings = load_cli_settings(
        config, _resolve_overrides(max_concurrency, host_concurrency, host_interval)
    )
    from auditor.recheck import check_links, read_link_inputs
    from auditor.reporters.linkrot_report import CHECK_RENDERERS

    clock = _clock()
    try:
        links = read_link_inputs(inputs, settings)
    except AuditorError as exc:
        err(str(exc))
        raise typer.Exit(EXIT_UNEXPECTED) from None
    store = None if no_store else open_store(settings)
    if not quiet:
        where = f"state in {store.path}" if store is not None else "not stored (--no-store)"
        err(f"checking {len(links.urls)} link(s); {where}")
    progress = _Progress(len(links.urls), quiet)
    try:
        run = _config_guard(
            lambda: check_links(
                links.urls,
                settings,
                store=store,
                archive=not no_archive and settings.get("archive.enabled", True) is not False,
                offline=offline,
                now=clock,
                audits=links.audits,
                on_result=progress.tick,
            )
        )
    finally:
        progress.done()
        if store is not None:
            store.close()
    registry = settings.registry

    def source_of(url: str) -> str | None:
        found = registry.match_url(url) if registry is not None else None
        return getattr(found, "id", None)

    text = CHECK_RENDERERS[fmt](
        run,
        found_in=links.found_in,
        source_of=source_of,
        store=str(store.path) if store is not None else None,
    )
    _write_output(text, output)
    if not quiet:
        rate = run.requests / run.elapsed if run.elapsed > 0 else 0.0
        err(
            f"checked {len(run.checks)} link(s) in {run.elapsed:.1f} s ({run.requests} requests, "
            f"{rate:.0f}/s): {len(run.broken)} broken"
        )
    raise typer.Exit(EXIT_FOUND if run.broken else EXIT_OK)


class _Progress:
    """A counter on stderr, for terminals only, at most a few times a second."""

    def __init__(self, total: int, quiet: bool) -> None:
        self.total = total
        self.count = 0
        self.enabled = not quiet and total > 20 and sys.stderr.isatty()
        self.last = 0.0

    def tick(self, check: Any) -> None:
        self.count += 1
        now = time.monotonic()
        if self.enabled and now - self.last > 0.25:
            self.last = now
            sys.stderr.write(f"\r  {self.count}/{self.total} checked")
            sys.stderr.flush()

    def done(self) -> None:
        if self.enabled and self.count:
            sys.stderr.write("\r" + " " * 40 + "\r")
            sys.stderr.flush()


# ---------------------------------------------------------------------------
# links recheck


@links_app.command("recheck")
def recheck(
    all_urls: Annotated[
        bool, typer.Option("--all", help="Every URL, due or not (once each).")
    ] = False,
    document: Annotated[
        str | None,
        typer.Option("--document", metavar="SOURCE", help="Only the links of this document."),
    ] = None,
    domain: Annotated[
        str | None,
        typer.Option("--domain", metavar="HOST", help="Only this host and its subdomains."),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=0, metavar="N", help="At most N URLs.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be checked; check nothing.")
    ] = False,
    no_archive: Annotated[
        bool, typer.Option("--no-archive", help="Do not write WARC copies.")
    ] = False,
    no_wayback: Annotated[
        bool, typer.Option("--no-wayback", help="Do not look up Wayback captures.")
    ] = False,
    max_concurrency: MaxConcurrency = None,
    host_concurrency: HostConcurrency = None,
    host_interval: HostInterval = None,
    config: ConfigOption = None,
    quiet: QuietOption = False,
) -> None:
    """Recheck the links that are due under the link-rot policy."""
    settings = load_cli_settings(
        config, _resolve_overrides(max_concurrency, host_concurrency, host_interval)
    )
    from auditor import recheck as rc

    policy = _config_guard(lambda: rc.RecheckPolicy.from_settings(settings))
    clock = _clock()
    select = rc.Selection(
        all=all_urls,
        document=document,
        domain=domain,
        limit=limit,
    )
    store = open_store(settings)
    try:
        if not quiet:
            err(f"store: {store.path}")
        if dry_run:
            rows = rc.due_urls(store, policy, now=clock, select=select)
            lines = [
                "\t".join(
                    (
                        row.url,
                        row.state.value,
                        row.last_status or "-",
                        row.last_checked_at.isoformat() if row.last_checked_at else "never",
                    )
                )
                for row in rows
            ]
            _write_output("".join(line + "\n" for line in lines), "-")
            if not quiet:
                err(f"{len(rows)} URL(s) due (dry run: nothing checked)")
            raise typer.Exit(EXIT_OK)
        printer = _RecheckProgress(quiet)
        summary = _config_guard(
            lambda: rc.recheck(
                store,
                settings,
                policy=policy,
                now=clock,
                select=select,
                archive=False if no_archive else None,
                wayback=False if no_wayback else None,
                progress=printer,
            )
        )
    finally:
        store.close()
    if not quiet:
        err(summary.line())
    raise typer.Exit(EXIT_OK)


class _RecheckProgress:
    """Progress lines on stderr for long runs (every 5 s)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.last = time.monotonic()

    def __call__(self, summary: Any) -> None:
        now = time.monotonic()
        if self.quiet or now - self.last < 5.0:
            return
        self.last = now
        states = ", ".join(f"{k} {v}" for k, v in sorted(summary.by_state.items()))
        err(f"recheck: {summary.checked} checked ({states})")


# ---------------------------------------------------------------------------
# links history


@links_app.command("history")
def history(
    url: Annotated[str, typer.Argument(metavar="URL", help="The link (any spelling of it).")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", metavar="md|json", help="Output format.")
    ] = "md",
    config: ConfigOption = None,
) -> None:
    """Show a link's timeline: first seen, status changes, drift, archived copies."""
    if fmt not in ("md", "json"):
        err(f"configuration error: --format must be md or json, not {fmt!r}")
        raise typer.Exit(EXIT_CONFIG)
    settings = load_cli_settings(config, {})
    from auditor.recheck import cited_sentences
    from auditor.reporters.linkrot_report import history_json, history_markdown

    store = open_store(settings)
    try:
        row = store.url(url)
        if row is None:
            err(f"{url}: not in the store {store.path}")
            raise typer.Exit(EXIT_FOUND)
        render = history_json if fmt == "json" else history_markdown
        text = render(
            row, store.link_history(url), cited_sentences(store, url), store.snapshots_of(url)
        )
    finally:
        store.close()
    _write_output(text, "-")
    raise typer.Exit(EXIT_OK)


# ---------------------------------------------------------------------------
# links report


@links_app.command("report")
def report(
    fmt: Annotated[
        str, typer.Option("--format", "-f", metavar="md|json|all", help="Report formats.")
    ] = "all",
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", metavar="DIR|-", help="Report directory, or - for stdout."),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="DATE",
            help="Changes since this ISO date [default: the previous report].",
        ),
    ] = None,
    config: ConfigOption = None,
    quiet: QuietOption = False,
) -> None:
    """Write reports/linkrot-YYYY-MM-DD.md and .json; exit 2 when there is new rot or drift."""
    if fmt not in ("md", "json", "all"):
        err(f"configuration error: --format must be md, json or all, not {fmt!r}")
        raise typer.Exit(EXIT_CONFIG)
    overrides = {} if output is None or output == "-" else {"output.dir": output}
    settings = load_cli_settings(config, overrides)
    from auditor.recheck import build_report, mark_reported, parse_instant
    from auditor.reporters import linkrot_report

    clock = _clock()
    baseline = _config_guard(lambda: parse_instant(since)) if since else None
    store = open_store(settings)
    try:
        result = build_report(store, now=clock, since=baseline)
        if output == "-":
            render = linkrot_report.render_markdown if fmt == "md" else linkrot_report.render_json
            _write_output(render(result), "-")
            written = "stdout"
        else:
            directory = Path(settings.get("output.dir") or "reports")
            paths = linkrot_report.write_report(result, directory, fmt)
            written = ", ".join(str(p) for p in paths)
        mark_reported(store, result)
    finally:
        store.close()
    if not quiet:
        err(
            f"link-rot report → {written}: {len(result.newly_dead)} newly dead, "
            f"{len(result.newly_drifted)} newly drifted, {len(result.came_back)} came back, "
            f"{len(result.newly_failing)} newly failing"
        )
    raise typer.Exit(EXIT_FOUND if result.has_news else EXIT_OK)


# ---------------------------------------------------------------------------
# schedule (registered on the main app: `app.command("schedule")(schedule)`)


def schedule(
    cron: Annotated[bool, typer.Option("--cron", help="A crontab line.")] = False,
    systemd: Annotated[
        bool, typer.Option("--systemd", help="A systemd service and timer.")
    ] = False,
    github_actions: Annotated[
        bool, typer.Option("--github-actions", help="A GitHub Actions workflow.")
    ] = False,
    at: Annotated[
        str, typer.Option("--at", metavar="HH:MM", help="Time of the daily run.")
    ] = "03:17",
    workdir: Annotated[
        Path | None,
        typer.Option("--workdir", metavar="DIR", help="Where the run starts [default: here]."),
    ] = None,
    home: Annotated[
        str | None,
        typer.Option("--home", metavar="DIR", help="AUDITOR_HOME [default: the current one]."),
    ] = None,
    report_dir: Annotated[
        str, typer.Option("--report-dir", metavar="DIR", help="Where reports go.")
    ] = "reports",
    documents: Annotated[
        list[str] | None,
        typer.Option(
            "--document",
            metavar="PATH",
            help="Documents to register before each run (repeatable).",
        ),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Print a ready unit that runs the link recheck and the link-rot report daily."""
    chosen = [name for name, on in (("cron", cron), ("systemd", systemd)) if on]
    if github_actions:
        chosen.append("github-actions")
    if len(chosen) != 1:
        err("choose one of --cron, --systemd, --github-actions")
        raise typer.Exit(EXIT_CONFIG)
    settings = load_cli_settings(config, {})
    from auditor import schedule as sched
    from auditor.store import auditor_home

    hour, minute = _config_guard(lambda: sched.parse_time(at))
    kind = chosen[0]
    local = kind != "github-actions"
    base = (workdir or Path.cwd()).resolve()
    config_path = str(config.resolve() if local else config) if config else None
    spec = sched.ScheduleSpec(
        command=sched.auditor_command() if local else ("auditor",),
        workdir=str(base),
        home=home or (str(auditor_home(settings).resolve()) if local else None),
        report_dir=report_dir,
        hour=hour,
        minute=minute,
        config=config_path,
        documents=tuple(documents or ()),
    )
    _write_output(sched.GENERATORS[kind](spec), "-")
    raise typer.Exit(EXIT_OK)
