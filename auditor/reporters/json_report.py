"""The machine report: one JSON document per audit, following docs/report.schema.json."""

from __future__ import annotations

import json
from typing import Any

from auditor import REPORT_SCHEMA
from auditor.records import Audit


def to_dict(
    audit: Audit, *, links_extra: dict[str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The report as plain data. ``links_extra`` adds resolver fields to links by id."""
    article = audit.article
    meta = article.meta
    citations = audit.citations
    judgements = {j.unit_id: j for j in audit.judgements}
    footnotes_by_unit: dict[str, list[int]] = {}
    for marker in citations.markers:
        if marker.unit_id:
            numbers = footnotes_by_unit.setdefault(marker.unit_id, [])
            if marker.number not in numbers:
                numbers.append(marker.number)
    links_by_unit: dict[str, list[str]] = {}
    for link in citations.links:
        if link.unit_id and link.footnote is None:
            links_by_unit.setdefault(link.unit_id, []).append(link.id)
    cited_by: dict[int, list[str]] = {}
    for marker in citations.markers:
        if marker.unit_id and marker.unit_id not in cited_by.setdefault(marker.number, []):
            cited_by[marker.number].append(marker.unit_id)

    claims = []
    for unit in audit.units:
        entry: dict[str, Any] = {
            "id": unit.id,
            "text": unit.text,
            "paragraph": unit.paragraph,
            "start": unit.start,
            "end": unit.end,
            "kind": unit.kind.value,
            "citations": {
                "footnotes": footnotes_by_unit.get(unit.id, []),
                "links": links_by_unit.get(unit.id, []),
            },
        }
        judgement = judgements.get(unit.id)
        if judgement is not None:
            entry.update(
                {
                    "kind": judgement.kind.value,
                    "status": judgement.status.value,
                    "checkworthy": judgement.checkworthy,
                    "sensational": judgement.sensational,
                    "signals": [{"kind": s.kind, "text": s.text} for s in judgement.signals],
                    "sources": [
                        {
                            "name": s.name,
                            "id": s.id,
                            "tier": s.tier,
                            "cue": s.cue,
                            "vague": s.vague,
                            "carried_from": s.carried_from,
                        }
                        for s in judgement.sources
                    ],
                    "reasons": list(judgement.reasons),
                }
            )
        claims.append(entry)

    links = []
    for link in citations.links:
        entry = {
            "id": link.id,
            "url": link.url,
            "anchor": link.anchor,
            "origin": link.origin.value,
            "claim": link.unit_id,
            "footnote": link.footnote,
            "domain": link.domain,
            "source": link.source_id,
            "start": link.start,
            "end": link.end,
        }
        if links_extra and link.id in links_extra:
            entry.update(links_extra[link.id])
        links.append(entry)

    return {
        "schema": REPORT_SCHEMA,
        "tool": {"name": "auditor", "version": audit.tool_version},
        "document": {
            "path": article.source,
            "title": meta.title,
            "language": meta.language,
            "language_confidence": meta.language_confidence,
            "sha256": article.sha256,
            "canonical_url": meta.canonical_url,
            "published": meta.published,
            "site": meta.site,
            "author": meta.author,
            "format": article.input_format.value,
            "encoding": article.encoding,
            "characters": len(article.text),
            "paragraphs": len(audit.paragraphs),
            "units": len(audit.units),
        },
        "summary": audit.summary,
        "claims": claims,
        "footnotes": [
            {
                "number": note.number,
                "urls": list(note.urls),
                "text": note.text,
                "used": note.number in cited_by,
                "cited_by": cited_by.get(note.number, []),
                "malformed_urls": list(note.malformed_urls),
                "start": note.start,
                "end": note.end,
            }
            for note in citations.footnotes
        ],
        "links": links,
        "problems": [
            {
                "kind": p.kind.value,
                "detail": p.detail,
                "number": p.number,
                "name": p.name,
                "claim": p.unit_id,
                "start": p.start,
                "end": p.end,
            }
            for p in citations.problems
        ],
        "unlinked_references": [
            {
                "name": r.name,
                "source": r.source_id,
                "claim": r.unit_id,
                "cue": r.cue,
                "start": r.start,
                "end": r.end,
            }
            for r in citations.unlinked
        ],
        "removed": [
            {"text": r.text, "reason": r.reason.value, "line": r.line} for r in article.removed
        ],
        "repairs": [
            {"kind": r.kind, "offset": r.offset, "detail": r.detail} for r in article.repairs
        ],
    }


def render(audit: Audit, **kwargs: Any) -> str:
    """The report as a JSON text (UTF-8, human-readable indentation, stable key order)."""
    return json.dumps(to_dict(audit, **kwargs), ensure_ascii=False, indent=2) + "\n"


def render_line(audit: Audit, **kwargs: Any) -> str:
    """The report as one line of JSON Lines."""
    return json.dumps(to_dict(audit, **kwargs), ensure_ascii=False, separators=(",", ":")) + "\n"
