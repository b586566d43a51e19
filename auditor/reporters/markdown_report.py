"""The human report: Markdown a fact-checker reads top to bottom.

Everything that comes from the article is escaped (Markdown syntax, pipes, HTML), and URLs
are percent-encoded and restricted to http(s), so a hostile article cannot break the report
or inject links, images or HTML into it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from auditor.records import Audit, Judgement, Status

MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~^$-])")


def esc(text: object, *, limit: int | None = None) -> str:
    """Escape article text for inline Markdown: no markup, no HTML, one line."""
    value = "" if text is None else str(text)
    value = re.sub(r"\s+", " ", value).strip()
    if limit is not None and len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    value = value.replace("&", "&amp;")
    value = MD_SPECIAL.sub(r"\\\1", value)
    return value.replace("\\<", "&lt;").replace("\\>", "&gt;")


def safe_url(url: str) -> str | None:
    """A percent-encoded http(s) URL fit for a Markdown link target, or None."""
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    if scheme not in {"http", "https"}:
        return None
    return quote(url, safe=":/?#@!$&'*+,;=%~-._").replace("'", "%27")


def link(url: str, *, label: str | None = None, limit: int = 70) -> str:
    target = safe_url(url)
    shown = esc(label if label is not None else url, limit=limit)
    if target is None:
        return f"{shown} (not a web link)"
    return f"[{shown}]({target})"


def _table(headers: Iterable[str], rows: Iterable[Iterable[str]]) -> list[str]:
    headers = list(headers)
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


STATUS_MARK = {
    Status.ATTRIBUTED: "attributed",
    Status.VAGUE: "VAGUE",
    Status.UNATTRIBUTED: "UNATTRIBUTED",
}


def render(audit: Audit, *, links_extra: Mapping[str, Mapping[str, Any]] | None = None) -> str:
    """The Markdown report of one audit."""
    article = audit.article
    meta = article.meta
    citations = audit.citations
    judgements = {j.unit_id: j for j in audit.judgements}
    lines: list[str] = []
    title = meta.title or article.source
    lines += [f"# Audit: {esc(title, limit=160)}", ""]

    lines += ["## Document", ""]
    facts = [
        ("Input", esc(article.source)),
        ("Format", f"{article.input_format.value} ({esc(article.encoding)})"),
        ("Title", esc(meta.title) if meta.title else "—"),
        ("Site", esc(meta.site) if meta.site else "—"),
        ("Canonical URL", link(meta.canonical_url) if meta.canonical_url else "—"),
        ("Published", esc(meta.published) if meta.published else "—"),
        ("Author", esc(meta.author) if meta.author else "—"),
        ("Language", f"{esc(meta.language)} (confidence {meta.language_confidence})"),
        ("SHA-256", f"`{article.sha256}`"),
        ("Units", f"{len(audit.units)} in {len(audit.paragraphs)} paragraphs"),
        ("Auditor", f"version {esc(audit.tool_version)}"),
    ]
    lines += _table(["", ""], [[k, v] for k, v in facts]) + [""]

    lines += _summary_section(audit, judgements)
    lines += _unsourced_section(audit, judgements)

    lines += ["## Problems", ""]
    if citations.problems:
        for p in citations.problems:
            where = f" (in {p.unit_id})" if p.unit_id else ""
            lines.append(f"- **{p.kind.value}**{where}: {esc(p.detail, limit=300)}")
    else:
        lines.append("No footnote or citation problem found.")
    lines.append("")

    lines += ["## Footnotes", ""]
    if citations.footnotes:
        link_by_note: dict[tuple[int, str], Any] = {}
        for lk in citations.links:
            if lk.footnote is not None:
                link_by_note[(lk.footnote, lk.url)] = lk
        cited: dict[int, list[str]] = {}
        for marker in citations.markers:
            if marker.unit_id:
                cited.setdefault(marker.number, [])
                if marker.unit_id not in cited[marker.number]:
                    cited[marker.number].append(marker.unit_id)
        rows = []
        for note in citations.footnotes:
            urls = [link(u) for u in note.urls] or [esc(note.text, limit=90) + " (no URL)"]
            sources = []
            for url in note.urls:
                note_link = link_by_note.get((note.number, url))
                label = (
                    esc(note_link.source_id)
                    if note_link and note_link.source_id
                    else esc(note_link.domain if note_link else "") + " (unregistered)"
                )
                sources.append(label)
            used = ", ".join(cited.get(note.number, [])) or "**unused**"
            rows.append([f"[{note.number}]", "<br>".join(urls), "<br>".join(sources) or "—", used])
        lines += _table(["Note", "URL", "Source", "Cited by"], rows)
    else:
        lines.append("No numbered notes.")
    lines.append("")

    body_links = [lk for lk in citations.links if lk.footnote is None]
    lines += ["## Links", ""]
    if body_links:
        rows = []
        for lk in body_links:
            extra = (links_extra or {}).get(lk.id, {})
            row = [
                lk.id,
                link(lk.url),
                esc(lk.anchor, limit=60),
                lk.origin.value,
                esc(lk.source_id or (f"{lk.domain} (unregistered)" if lk.domain else "—")),
                lk.unit_id or "—",
            ]
            if links_extra is not None:
                row.append(esc(extra.get("status", "not-checked")))
            rows.append(row)
        headers = ["Id", "URL", "Anchor", "Origin", "Source", "Unit"]
        if links_extra is not None:
            headers.append("Status")
        lines += _table(headers, rows)
    else:
        lines.append("No links in the article body.")
    lines.append("")

    if links_extra is not None:
        lines += _link_health_section(audit, links_extra)
    lines += _sources_section(audit, judgements)

    if article.removed:
        lines += ["## Removed from the body", ""]
        lines += _table(
            ["Reason", "Text", "Line"],
            [[r.reason.value, esc(r.text, limit=120), str(r.line or "—")] for r in article.removed],
        )
        lines.append("")
    if article.repairs:
        lines += ["## Repairs", ""]
        for r in article.repairs:
            lines.append(f"- {r.kind} at {r.offset}: {esc(r.detail, limit=160)}")
        lines.append("")

    lines += ["## Article, unit by unit", ""]
    markers_by_unit: dict[str, list[int]] = {}
    for marker in citations.markers:
        if marker.unit_id:
            markers_by_unit.setdefault(marker.unit_id, []).append(marker.number)
    notes = {n.number: n for n in citations.footnotes}
    links_by_unit: dict[str, list[Any]] = {}
    for lk in body_links:
        if lk.unit_id:
            links_by_unit.setdefault(lk.unit_id, []).append(lk)
    current_paragraph = -1
    for unit in audit.units:
        if unit.paragraph != current_paragraph:
            current_paragraph = unit.paragraph
            lines += [f"### ¶ {unit.paragraph + 1}", ""]
        judgement = judgements.get(unit.id)
        kind = judgement.kind.value if judgement else unit.kind.value
        labels = [kind]
        if judgement:
            labels.append(STATUS_MARK[judgement.status])
            if judgement.checkworthy:
                labels.append("check-worthy")
            if judgement.sensational:
                labels.append("SENSATIONAL")
        lines.append(f"**{unit.id}** · {' · '.join(labels)}")
        lines.append("")
        lines.append(f"> {esc(unit.text)}")
        lines.append("")
        details: list[str] = []
        for number in dict.fromkeys(markers_by_unit.get(unit.id, [])):
            cited_note = notes.get(number)
            if cited_note is None:
                details.append(f"footnote [{number}]: **dangling** (no such note)")
            elif cited_note.urls:
                details.append(
                    f"footnote [{number}]: " + ", ".join(link(u) for u in cited_note.urls)
                )
            else:
                details.append(f"footnote [{number}]: {esc(cited_note.text, limit=120)}")
        for lk in links_by_unit.get(unit.id, []):
            details.append(f"link {lk.id}: {link(lk.url)} (anchor “{esc(lk.anchor, limit=60)}”)")
        if judgement:
            for source in judgement.sources:
                registered = (
                    f"registry: {source.id}, tier {source.tier}" if source.id else "unregistered"
                )
                vague = "vague source " if source.vague else "source "
                carried = f", carried from {source.carried_from}" if source.carried_from else ""
                details.append(
                    f"{vague}“{esc(source.name, limit=80)}” ({registered}; cue: {esc(source.cue)}{carried})"
                )
            for signal in judgement.signals:
                details.append(f"signal {esc(signal.kind)}: “{esc(signal.text, limit=80)}”")
            for reason in judgement.reasons:
                details.append(f"why: {esc(reason, limit=200)}")
        for detail in details:
            lines.append(f"- {detail}")
        if details:
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _summary_section(audit: Audit, judgements: Mapping[str, Judgement]) -> list[str]:
    summary = audit.summary or {}
    lines = ["## Verdict", ""]
    if not summary:
        return lines + ["Sentences were not judged in this run.", ""]
    raw_grade = summary.get("grade")
    grade: Mapping[str, Any] = raw_grade if isinstance(raw_grade, Mapping) else {}
    label = " · ".join(
        part
        for part in (
            f"Grade {grade['letter']}" if grade.get("letter") else "",
            str(grade.get("sourcing") or "").replace("-", " "),
            "sensational" if grade.get("sensational") else "not sensational",
        )
        if part
    )
    lines += [f"**{esc(label)}**", ""]
    reasons = grade.get("reasons") or summary.get("reasons") or []
    for reason in reasons if isinstance(reasons, list) else []:
        lines.append(f"- {esc(reason, limit=300)}")
    lines.append("")
    rows: list[list[str]] = []
    status = summary.get("status")
    if isinstance(status, Mapping):
        for name, value in status.items():
            if isinstance(value, Mapping):
                rows.append(
                    [
                        f"check-worthy, {esc(name)}",
                        f"{value.get('count', 0)} ({_pct(value.get('share'))})",
                    ]
                )
    sensational = summary.get("sensational")
    if isinstance(sensational, Mapping):
        rows.append(
            [
                "sensational sentences",
                f"{sensational.get('count', 0)} ({_pct(sensational.get('share'))})",
            ]
        )
    for key in ("units", "sentences", "checkworthy"):
        if isinstance(summary.get(key), int):
            rows.append([esc(key), str(summary[key])])
    kinds = summary.get("kinds")
    if isinstance(kinds, Mapping) and kinds:
        rows.append(["kinds", esc(", ".join(f"{k} {v}" for k, v in kinds.items()))])
    notes = summary.get("footnotes")
    if isinstance(notes, Mapping) and notes:
        rows.append(["footnotes", esc(", ".join(f"{k} {v}" for k, v in notes.items()))])
    if rows:
        lines += _table(["Measure", "Value"], rows) + [""]
    return lines


def _link_health_section(audit: Audit, extra: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Every cited URL with its status, archive copies and any secondary-citation flag."""
    lines = ["## Link health", ""]
    links = audit.citations.links
    if not links:
        return lines + ["No cited URL.", ""]
    if all((extra.get(lk.id) or {}).get("status") == "not-checked" for lk in links):
        return lines + ["Links were not checked (offline run).", ""]
    secondary = {
        p.unit_id for p in audit.citations.problems if p.kind.value == "secondary-citation"
    }
    rows = []
    for lk in links:
        info = extra.get(lk.id) or {}
        where = f"[{lk.footnote}]" if lk.footnote is not None else (lk.unit_id or lk.origin.value)
        status = esc(info.get("status", "not-checked"))
        if info.get("broken"):
            status = f"**{status}**"
        final = info.get("final_url")
        moved = link(final, limit=50) if final and final != lk.url else "—"
        archived = "WARC" if info.get("archived") else "—"
        wayback = info.get("wayback") or {}
        copy = (
            link(wayback["url"], label=f"Wayback {wayback.get('timestamp', '')[:8]}")
            if wayback.get("url")
            else "—"
        )
        note = "secondary citation" if lk.unit_id in secondary else ""
        rows.append(
            [
                lk.id,
                where,
                link(lk.url, limit=60),
                status,
                esc(info.get("http_status") or "—"),
                moved,
                archived,
                copy,
                esc(info.get("evidence") or "", limit=80),
                note,
            ]
        )
    lines += _table(
        [
            "Id",
            "Cited at",
            "URL",
            "Status",
            "HTTP",
            "Final URL",
            "Own copy",
            "Wayback",
            "Evidence",
            "Note",
        ],
        rows,
    )
    return lines + [""]


def _pct(share: object) -> str:
    return f"{share * 100:.0f}%" if isinstance(share, int | float) else "—"


def _unsourced_section(audit: Audit, judgements: Mapping[str, Judgement]) -> list[str]:
    if not judgements:
        return []
    unsourced = [
        u
        for u in audit.units
        if (j := judgements.get(u.id)) is not None
        and j.checkworthy
        and j.status is not Status.ATTRIBUTED
    ]
    lines = ["## Check-worthy claims without an identified source", ""]
    if not unsourced:
        return lines + ["Every check-worthy claim names an identifiable source.", ""]
    for unit in unsourced:
        j = judgements[unit.id]
        lines.append(f"- **{unit.id}** ({j.status.value}): {esc(unit.text, limit=240)}")
    return lines + [""]


def _sources_section(audit: Audit, judgements: Mapping[str, Judgement]) -> list[str]:
    lines = ["## Sources cited", ""]
    rows: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    for j in judgements.values():
        for s in j.sources:
            if s.vague:
                continue
            key = s.id or f"?{s.name}"
            counts[key] = counts.get(key, 0) + 1
            rows.setdefault(
                key,
                [esc(s.name, limit=60), esc(s.id) if s.id else "unregistered", esc(s.tier or "—")],
            )
    for lk in audit.citations.links:
        key = lk.source_id or f"?{lk.domain}"
        if key not in rows:
            rows[key] = [
                esc(lk.source_id or lk.domain or lk.url, limit=60),
                esc(lk.source_id) if lk.source_id else "unregistered",
                "—",
            ]
            counts.setdefault(key, 0)
    if not rows:
        return lines + ["No identifiable source is named or linked.", ""]
    table = [[*row, str(counts.get(key, 0))] for key, row in rows.items()]
    lines += _table(["Source", "Registry id", "Tier", "Units attributed"], table)
    for ref in audit.citations.unlinked:
        lines.append("")
        lines.append(f"- unlinked reference: {esc(ref.name)} ({esc(ref.cue)}) in {ref.unit_id}")
    return lines + [""]
