"""Link-rot reporter: the ``linkrot-YYYY-MM-DD`` report, ``links check`` results, a link's
history, rendered as Markdown, JSON or CSV (pure functions: records in, text out)."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auditor.recheck import CitedSentence, LinkCheckRun, LinkRot, LinkrotReport, Replacement
    from auditor.resolve import LinkCheck
    from auditor.store import HistoryEvent, StoredSnapshot, StoredUrl

LINKROT_FORMATS = {"md": (".md",), "json": (".json",), "all": (".md", ".json")}


def _cell(value: Any) -> str:
    """Text fit for a Markdown table cell."""
    if value is None or value == "":
        return "–"
    return " ".join(str(value).split()).replace("|", "\\|")


def _code(value: str) -> str:
    return f"`{value.replace('`', '')}`"


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return _plain(asdict(value))
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# Without ``indent`` json uses its C encoder, ~15 times faster than the indenting one.
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode
# Characters json leaves as they are but ``str.splitlines`` (and some editors) take for line
# breaks: escaped, so that one item stays one line.
_LINE_BREAKS = ("\x85", "\u2028", "\u2029")


def _one_line(value: Any) -> str:
    """``value`` as JSON on one line."""
    text = _ENCODE(value)
    if not text.isascii() and any(char in text for char in _LINE_BREAKS):
        for char in _LINE_BREAKS:
            text = text.replace(char, f"\\u{ord(char):04x}")
    return text


def _dumps_by_line(data: Mapping[str, Any]) -> str:
    """JSON for a mapping of a few keys, one key a line, and one item a line for the lists
    among them (a ``links`` list of thousands stays readable and is written at C speed)."""
    lines = ["{"]
    last = len(data) - 1
    for position, (key, value) in enumerate(data.items()):
        comma = "," if position < last else ""
        if isinstance(value, list) and value:
            lines.append(f"  {_one_line(key)}: [")
            lines.append(",\n".join("    " + _one_line(item) for item in value))
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {_one_line(key)}: {_one_line(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# The link-rot report


def report_stem(report: LinkrotReport) -> str:
    """``linkrot-YYYY-MM-DD`` (the UTC date the report was made)."""
    return f"linkrot-{report.generated_at[:10]}"


def _cited_json(cited: CitedSentence) -> dict[str, Any]:
    return {
        "document": cited.document,
        "version": cited.version,
        "title": cited.title,
        "unit_id": cited.unit_id,
        "sentence": cited.sentence,
        "link_id": cited.link_id,
        "footnote": cited.footnote,
    }


def _replacement_json(rep: Replacement | None) -> dict[str, Any] | None:
    if rep is None:
        return None
    data = {
        "kind": rep.kind,
        "url": rep.url,
        "captured_at": rep.captured_at,
        "distance_days": rep.distance_days,
    }
    if rep.kind == "warc":
        data.update(
            warc_file=rep.warc_file,
            offset=rep.offset,
            length=rep.length,
            record_id=rep.record_id,
            payload_digest=rep.payload_digest,
        )
    return data


def _link_json(link: LinkRot) -> dict[str, Any]:
    return {
        "url": link.url,
        "state": link.state,
        "change": link.change,
        "consecutive_failures": link.consecutive_failures,
        "last_status": link.last_status,
        "http_status": link.http_status,
        "last_checked_at": link.last_checked_at,
        "first_seen": link.first_seen,
        "first_failure_at": link.first_failure_at,
        "similarity": link.similarity,
        "evidence": link.evidence,
        "final_url": link.final_url,
        "title": link.title,
        "cited_at": link.cited_at,
        "cited_by": [_cited_json(c) for c in link.cited_by],
        "replacement": _replacement_json(link.replacement),
        "alternatives": [_replacement_json(r) for r in link.alternatives],
        "drift": _plain(link.drift) if link.drift is not None else None,
    }


def render_json(report: LinkrotReport) -> str:
    """The report as JSON: totals, what changed, and every checked link (one a line)."""
    data = {
        "report": "linkrot",
        "generated_at": report.generated_at,
        "since": report.since,
        "store": report.store,
        "totals": {
            "by_state": report.totals_by_state,
            "by_status": report.totals_by_status,
            "checked": len(report.links),
            "unchecked": report.unchecked,
        },
        "new": {
            "dead": list(report.newly_dead),
            "failing": list(report.newly_failing),
            "came_back": list(report.came_back),
            "drifted": list(report.newly_drifted),
        },
        "links": [_link_json(link) for link in report.links],
    }
    return _dumps_by_line(data)


def _cited_lines(link: LinkRot) -> list[str]:
    if not link.cited_by:
        return ["- Cited by: no audited document (checked from a list)."]
    lines = ["- Cited by:"]
    for cited in link.cited_by:
        where = f"{_code(cited.document)} v{cited.version}"
        if cited.unit_id:
            where += f", {cited.unit_id}"
        if cited.footnote is not None:
            where += f", note [{cited.footnote}]"
        sentence = f": “{' '.join(cited.sentence.split())}”" if cited.sentence else ""
        lines.append(f"  - {where}{sentence}")
    return lines


def _replacement_text(rep: Replacement) -> str:
    when = f" of {rep.captured_at}" if rep.captured_at else ""
    gap = ""
    if rep.distance_days is not None:
        days = rep.distance_days
        gap = f" ({days:g} day{'' if days == 1 else 's'} from the citation)"
    if rep.kind == "warc":
        return (
            f"own WARC copy{when}{gap}: {_code(str(rep.warc_file))} at offset {rep.offset} "
            f"(record {rep.record_id}; `warcio extract {rep.warc_file} {rep.offset}`)"
        )
    return f"Wayback capture{when}{gap}: <{rep.url}>"


def _replacement_lines(link: LinkRot) -> list[str]:
    if link.replacement is None:
        return ["- Replacement: no archived copy known."]
    lines = [f"- Replacement: {_replacement_text(link.replacement)}"]
    lines += [f"- Also: {_replacement_text(rep)}" for rep in link.alternatives]
    return lines


def _check_line(link: LinkRot) -> str:
    http = f" (HTTP {link.http_status})" if link.http_status else ""
    since = f"; failing since {link.first_failure_at}" if link.first_failure_at else ""
    evidence = f" — {link.evidence}" if link.evidence else ""
    return (
        f"- Last check: {link.last_status}{http} on {link.last_checked_at}{since}, "
        f"{link.consecutive_failures} consecutive failure(s){evidence}"
    )


def _drift_lines(link: LinkRot) -> list[str]:
    drift = link.drift or {}
    lines = []
    similarity = drift.get("similarity", link.similarity)
    if similarity is not None:
        retained = drift.get("retained")
        kept = f"; {retained:.0%} of the first text is still there" if retained else ""
        lines.append(f"- Similarity to the first archived text: {similarity:.2f}{kept}")
    lines.append(
        f"- Title then: “{drift.get('old_title') or '–'}”; now: “{drift.get('new_title') or '–'}”"
    )
    rows = []
    for entry in drift.get("sentences") or ():
        cited = entry.get("cited") or {}
        where = f"{_code(str(cited.get('document')))} {cited.get('unit_id') or ''}".strip()
        for fact in entry.get("facts") or ():
            rows.append(
                f"| {where} | {fact.get('kind')} | {_cell(fact.get('text'))} | "
                f"{_yes_no(fact.get('in_old'))} | {_yes_no(fact.get('in_new'))} |"
            )
    if rows:
        lines += [
            "- The cited sentence's numbers and names:",
            "",
            "  | where | kind | as cited | in first text | in live text |",
            "  |---|---|---|---|---|",
            *[f"  {row}" for row in rows],
            "",
        ]
    return lines


def _yes_no(value: Any) -> str:
    if value is None:
        return "unknown"
    return "yes" if value else "**no**"


def render_markdown(report: LinkrotReport) -> str:
    """The report as Markdown, for a person: what changed first, then each dead or drifted
    link with where it is cited and what to use instead."""
    out = [f"# Link rot report, {report.generated_at[:10]}", ""]
    baseline = f"since the previous report ({report.since})" if report.since else "(first report)"
    out += [f"Made {report.generated_at} from {_code(report.store)}. Changes {baseline}.", ""]
    out += ["## Totals", "", "| state | links |", "|---|---|"]
    out += [f"| {state} | {count} |" for state, count in report.totals_by_state.items()]
    out += [""]
    if report.totals_by_status:
        statuses = " · ".join(f"{k} {v}" for k, v in report.totals_by_status.items())
        out += [f"Last check of each link: {statuses}.", ""]
    if report.unchecked:
        out += [f"{report.unchecked} link(s) not checked yet.", ""]
    out += ["## What changed", ""]
    groups = (
        ("Newly dead", report.newly_dead),
        ("Newly drifted", report.newly_drifted),
        ("Came back", report.came_back),
        ("Newly failing (retried before being declared dead)", report.newly_failing),
    )
    if not any(urls for _, urls in groups):
        out += ["Nothing new.", ""]
    for label, urls in groups:
        if urls:
            out += [f"**{label} ({len(urls)})**", ""]
            out += [f"- <{url}>" for url in urls]
            out += [""]
    dead = [link for link in report.links if link.state == "dead"]
    drifted = [link for link in report.links if link.state == "drifted"]
    failing = [link for link in report.links if link.state == "failing"]
    if dead:
        out += [f"## Dead links ({len(dead)})", ""]
        for link in dead:
            new = " (new)" if link.change == "newly-dead" else ""
            out += [f"### <{link.url}>{new}", "", _check_line(link)]
            out += _cited_lines(link) + _replacement_lines(link) + [""]
    if drifted:
        out += [f"## Drifted pages ({len(drifted)})", ""]
        for link in drifted:
            new = " (new)" if link.change == "newly-drifted" else ""
            out += [f"### <{link.url}>{new}", ""]
            out += _drift_lines(link) + _cited_lines(link) + _replacement_lines(link) + [""]
    if failing:
        out += [
            f"## Failing, not yet dead ({len(failing)})",
            "",
            "| URL | last status | failures | failing since |",
            "|---|---|---|---|",
        ]
        out += [
            f"| <{_cell(link.url)}> | {_cell(link.last_status)} | {link.consecutive_failures} "
            f"| {_cell(link.first_failure_at)} |"
            for link in failing
        ]
        out += [""]
    return "\n".join(out).rstrip() + "\n"


def write_report(report: LinkrotReport, directory: Path, fmt: str) -> list[Path]:
    """Write ``linkrot-YYYY-MM-DD.md`` and/or ``.json`` into ``directory`` (atomically);
    return the paths, JSON last."""
    from auditor.reporters import write_atomic

    stem = report_stem(report)
    written = []
    if ".md" in LINKROT_FORMATS[fmt]:
        path = directory / f"{stem}.md"
        write_atomic(path, render_markdown(report))
        written.append(path)
    if ".json" in LINKROT_FORMATS[fmt]:
        path = directory / f"{stem}.json"
        write_atomic(path, render_json(report))
        written.append(path)
    return written


# ---------------------------------------------------------------------------
# `links check` results

CSV_COLUMNS = (
    "url",
    "status",
    "broken",
    "http_status",
    "final_url",
    "publisher",
    "source",
    "title",
    "evidence",
    "checked_at",
    "state",
)


def check_entry(
    check: LinkCheck,
    *,
    found_in: Sequence[str] = (),
    source: str | None = None,
    state: str | None = None,
) -> dict[str, Any]:
    """One checked URL as a JSON object."""
    snap = check.snapshot
    return {
        "url": check.url,
        "status": str(check.status),
        "broken": check.broken,
        "final_url": check.final_url,
        "http_status": check.http_status,
        "evidence": check.evidence,
        "hops": [
            {
                "url": hop.url,
                "status_code": hop.status_code,
                "location": hop.location,
                "elapsed_ms": hop.elapsed_ms,
                "ip": hop.ip,
                "method": hop.method,
            }
            for hop in check.hops
        ],
        "title": check.title,
        "content_type": check.content_type,
        "publisher": check.publisher_domain,
        "source": source,
        "published": check.published,
        "checked_at": check.checked_at,
        "timings_ms": check.timings,
        "attempts": check.attempts,
        "error": check.error,
        "archived": (
            {
                "warc_file": snap.warc_file,
                "offset": snap.offset,
                "record_id": snap.record_id,
                "payload_digest": snap.payload_digest,
            }
            if snap is not None
            else None
        ),
        "archive_note": check.archive_note,
        "state": state,
        "found_in": list(found_in),
    }


def _states(run: LinkCheckRun) -> Callable[[LinkCheck], str | None]:
    """The link-rot state each check left its URL in (None when it was not recorded)."""
    states = {item.url: item.state.value for item in run.recorded if item.check_id is not None}
    if not states:
        return lambda check: None
    from auditor.store import url_key

    return lambda check: states.get(url_key(check.url))


def _entries(
    run: LinkCheckRun,
    found_in: Mapping[str, Sequence[str]],
    source_of: Callable[[str], str | None],
) -> list[dict[str, Any]]:
    state_of = _states(run)
    return [
        check_entry(
            check,
            found_in=found_in.get(check.url, ()),
            source=source_of(check.final_url or check.url),
            state=state_of(check),
        )
        for check in run.checks
    ]


def _counts(run: LinkCheckRun) -> dict[str, int]:
    return dict(Counter(str(check.status) for check in run.checks).most_common())


def checks_json(
    run: LinkCheckRun,
    *,
    found_in: Mapping[str, Sequence[str]] | None = None,
    source_of: Callable[[str], str | None] = lambda url: None,
    store: str | None = None,
) -> str:
    """``links check`` results as JSON: a summary and every URL, one URL a line."""
    data = {
        "summary": {
            "links": len(run.checks),
            "broken": len(run.broken),
            "by_status": _counts(run),
            "elapsed_s": round(run.elapsed, 3),
            "requests": run.requests,
            "store": store,
        },
        "links": _entries(run, found_in or {}, source_of),
    }
    return _dumps_by_line(data)


def checks_markdown(
    run: LinkCheckRun,
    *,
    found_in: Mapping[str, Sequence[str]] | None = None,
    source_of: Callable[[str], str | None] = lambda url: None,
    store: str | None = None,
) -> str:
    """``links check`` results as a Markdown table, broken links first."""
    checks = sorted(run.checks, key=lambda c: (not c.broken, str(c.status) != "ok", c.url))
    counts = " · ".join(f"{k} {v}" for k, v in _counts(run).items())
    out = [
        f"# Link check: {len(checks)} link(s), {len(run.broken)} broken",
        "",
        f"{counts}." if counts else "No link.",
        "",
    ]
    if checks:
        out += [
            "| status | URL | HTTP | final URL | evidence |",
            "|---|---|---|---|---|",
        ]
        for check in checks:
            status = f"**{check.status}**" if check.broken else str(check.status)
            final = check.final_url if check.final_url and check.final_url != check.url else ""
            out.append(
                f"| {status} | {_cell(check.url)} | {_cell(check.http_status)} | "
                f"{_cell(final)} | {_cell(check.evidence)} |"
            )
        out.append("")
    return "\n".join(out)


def checks_csv(
    run: LinkCheckRun,
    *,
    found_in: Mapping[str, Sequence[str]] | None = None,
    source_of: Callable[[str], str | None] = lambda url: None,
    store: str | None = None,
) -> str:
    """``links check`` results as CSV, one row per URL (columns: :data:`CSV_COLUMNS`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    state_of = _states(run)
    for check in run.checks:
        # the columns are picked from the one definition of an entry (check_entry)
        entry = check_entry(
            check, source=source_of(check.final_url or check.url), state=state_of(check)
        )
        writer.writerow(["" if entry[name] is None else entry[name] for name in CSV_COLUMNS])
    return buffer.getvalue()


CHECK_RENDERERS = {"json": checks_json, "md": checks_markdown, "csv": checks_csv}


# ---------------------------------------------------------------------------
# A link's history


def _event_kind(event: HistoryEvent) -> str:
    if str(event.kind) == "state-change" and str(event.state) == "drifted":
        return "drift"
    return str(event.kind)


def history_json(
    row: StoredUrl,
    events: Sequence[HistoryEvent],
    cited: Sequence[CitedSentence],
    snapshots: Sequence[StoredSnapshot],
) -> str:
    """A link's timeline as JSON."""
    data = {
        "url": row.url,
        "state": row.state.value,
        "first_seen": _plain(row.first_seen),
        "last_checked_at": _plain(row.last_checked_at),
        "last_status": row.last_status,
        "consecutive_failures": row.consecutive_failures,
        "similarity": row.last_similarity,
        "first_title": row.first_title,
        "next_check_at": _plain(row.next_check_at),
        "events": [
            {
                "at": _plain(e.at),
                "kind": _event_kind(e),
                "detail": e.detail,
                "status": e.status,
                "state": str(e.state) if e.state is not None else None,
            }
            for e in events
        ],
        "cited_by": [_cited_json(c) for c in cited],
        "archives": [
            {
                "kind": s.kind,
                "created_at": _plain(s.created_at),
                "warc_file": s.warc_file,
                "offset": s.warc_offset,
                "record_type": s.record_type,
                "record_id": s.record_id,
                "wayback_url": s.wayback_url,
                "wayback_timestamp": s.wayback_timestamp,
            }
            for s in snapshots
        ],
    }
    return _dumps(data)


def history_markdown(
    row: StoredUrl,
    events: Sequence[HistoryEvent],
    cited: Sequence[CitedSentence],
    snapshots: Sequence[StoredSnapshot],
) -> str:
    """A link's timeline as Markdown."""
    similarity = (
        f", similarity {row.last_similarity:.2f}" if row.last_similarity is not None else ""
    )
    out = [
        f"# History of <{row.url}>",
        "",
        f"State **{row.state.value}** (last status {row.last_status or '–'}, "
        f"{row.consecutive_failures} consecutive failure(s){similarity}); first seen "
        f"{_plain(row.first_seen)}; next check {_plain(row.next_check_at) or 'when due'}.",
        "",
        "| time | event | detail |",
        "|---|---|---|",
    ]
    for event in events:
        stamp = event.at.strftime("%Y-%m-%d %H:%M:%S")
        out.append(f"| {stamp} | {_event_kind(event)} | {_cell(event.detail)} |")
    out.append("")
    if cited:
        out += ["Cited by:", ""]
        for c in cited:
            sentence = f": “{' '.join(c.sentence.split())}”" if c.sentence else ""
            out.append(f"- {_code(c.document)} v{c.version} {c.unit_id or ''}{sentence}")
        out.append("")
    return "\n".join(out)
