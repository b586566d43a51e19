"""The audit pipeline: ingest → segment → cite → attribute → judge, as plain functions.

The CLI is a thin layer over ``audit_source``/``audit_inputs``; everything here is callable
from Python without typer.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from auditor import __version__
from auditor.config import Settings, load_settings
from auditor.errors import AuditorError, InputError
from auditor.records import Article, Audit, Citations, InputFormat, Problem, ProblemKind

log = logging.getLogger("auditor")

AUDITABLE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")


def audit_article(
    article: Article, settings: Settings | None = None, *, judge: bool = True
) -> Audit:
    """Segment, cite and judge an already ingested article."""
    from auditor import cite
    from auditor.segment import segment

    settings = settings or load_settings()
    registry = settings.registry
    lexicon_files = tuple(settings.get("judge.lexicon_files") or ())
    notes = cite.find_notes(article.text)
    segmentation = segment(
        article.text,
        skip=[notes.span] if notes.span else [],
        heading_spans=article.heading_spans,
        language=article.meta.language or "fr",
        lexicon_files=lexicon_files,
    )
    citations = cite.collect_citations(article, segmentation.units, notes, registry)
    judgements: tuple[Any, ...] = ()
    summary: dict[str, object] = {}
    if judge:
        from auditor.attribute import attribute_units
        from auditor.judge import judge_units, summarise

        language = article.meta.language or "fr"
        attributions = attribute_units(
            segmentation.units,
            citations,
            registry,
            language=language,
            extra_lexicon_files=lexicon_files,
            use_parser=bool(settings.get("judge.use_parser")),
        )
        judgements = judge_units(
            segmentation.units, attributions, language=language, extra_lexicon_files=lexicon_files
        )
        citations = _with_secondary_citations(citations, judgements, registry)
        summary = summarise(segmentation.units, judgements, citations, registry)
    return Audit(
        article=article,
        paragraphs=segmentation.paragraphs,
        units=segmentation.units,
        citations=citations,
        judgements=judgements,
        summary=summary,
        tool_version=__version__,
    )


def _with_secondary_citations(
    citations: Citations, judgements: Sequence[Any], registry: Any
) -> Citations:
    """Flag a unit whose named source differs from the publisher of the page it cites."""
    from dataclasses import replace

    links_by_unit: dict[str, list[Any]] = {}
    for link in citations.links:
        if link.unit_id and link.source_id:
            links_by_unit.setdefault(link.unit_id, []).append(link)
    problems = list(citations.problems)
    for judgement in judgements:
        cited = links_by_unit.get(judgement.unit_id)
        if not cited:
            continue
        named = [
            s
            for s in judgement.sources
            if s.id
            and not s.vague
            and not s.carried_from
            and not s.cue.startswith(("footnote", "link"))
        ]
        for source in named:
            body = registry.by_id(source.id) if registry is not None else None
            organisation = getattr(body, "organisation", None)
            for link in cited:
                if link.source_id in (source.id, organisation):
                    continue
                if any(s.id == link.source_id for s in named):
                    continue
                problems.append(
                    Problem(
                        ProblemKind.SECONDARY_CITATION,
                        f"{source.name} is named but the cited page is published by "
                        f"{link.domain or link.source_id} ({link.id})",
                        name=source.name,
                        unit_id=judgement.unit_id,
                        start=link.start,
                        end=link.end,
                    )
                )
    if len(problems) == len(citations.problems):
        return citations
    return replace(citations, problems=tuple(problems))


def audit_source(
    spec: str,
    settings: Settings | None = None,
    *,
    offline: bool = False,
    stdin: IO[bytes] | None = None,
    transport: Any = None,
    judge: bool = True,
) -> Audit:
    """Ingest and audit one input: a path, an http(s) URL or ``-``."""
    from auditor.ingest import IngestOptions, ingest

    settings = settings or load_settings()
    article = ingest(
        spec,
        options=IngestOptions.from_settings(settings),
        offline=offline,
        stdin=stdin,
        transport=transport,
    )
    return audit_article(article, settings, judge=judge)


def audit_text(
    text: str,
    *,
    source: str = "-",
    input_format: InputFormat = InputFormat.TEXT,
    settings: Settings | None = None,
    judge: bool = True,
) -> Audit:
    """Audit article text held in memory."""
    from auditor.ingest import IngestOptions, ingest_text

    settings = settings or load_settings()
    article = ingest_text(
        text,
        source=source,
        input_format=input_format,
        options=IngestOptions.from_settings(settings),
    )
    return audit_article(article, settings, judge=judge)


def audit_path(path: str | Path, settings: Settings | None = None, *, judge: bool = True) -> Audit:
    """Audit one file."""
    return audit_source(str(path), settings, offline=True, judge=judge)


def expand_inputs(specs: Iterable[str]) -> Iterator[str]:
    """Inputs in order; a directory stands for every auditable file below it, sorted."""
    for spec in specs:
        if spec == "-" or "://" in spec:
            yield spec
            continue
        path = Path(spec)
        if path.is_dir():
            found = False
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.lower().endswith(AUDITABLE_SUFFIXES) and not name.startswith("."):
                        found = True
                        yield str(Path(root) / name)
            if not found:
                yield f"{spec}{os.sep}"  # reported as "no auditable file" by audit_inputs
        else:
            yield spec


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one input of a batch."""

    spec: str
    audit: Audit | None = None
    error: str | None = None
    exit_code: int = 0
    skipped: bool = False


def audit_one(
    spec: str,
    settings: Settings,
    *,
    offline: bool,
    stdin: IO[bytes] | None = None,
    transport: Any = None,
) -> Outcome:
    """Audit one input, turning a bad input into an ``Outcome`` with its one-line error."""
    if spec.endswith(os.sep) and Path(spec).is_dir():
        return Outcome(
            spec,
            error=f"{spec.rstrip(os.sep)}: no .txt, .md or .html file inside",
            exit_code=InputError.exit_code,
        )
    try:
        audit = audit_source(spec, settings, offline=offline, stdin=stdin, transport=transport)
    except AuditorError as exc:
        return Outcome(spec, error=str(exc), exit_code=exc.exit_code)
    except RecursionError:
        return Outcome(spec, error=f"{spec}: document too deeply nested to read", exit_code=2)
    return Outcome(spec, audit=audit)


LINK_FIELDS_OFFLINE: dict[str, Any] = {
    "status": "not-checked",
    "evidence": "offline run",
    "final_url": None,
    "hops": [],
    "http_status": None,
    "title": None,
    "publisher": None,
    "publisher_source": None,
    "archived": None,
    "wayback": None,
    "checked_at": None,
}


def offline_link_fields(audit: Audit) -> dict[str, dict[str, Any]]:
    """Report fields for links that were not checked (an offline run)."""
    return {link.id: dict(LINK_FIELDS_OFFLINE) for link in audit.citations.links}


def check_audit_links(
    audit: Audit,
    settings: Settings,
    *,
    store: Any = None,
    archive: bool = True,
    transport: Any = None,
    wayback_transport: Any = None,
) -> dict[str, dict[str, Any]]:
    """Resolve (and archive) every cited URL of an audit, look up its closest Wayback
    capture, record all of it in ``store``; return the report fields of each link by id.

    Each URL is checked once however often it is cited.
    """
    import asyncio

    from auditor.archive import ArchiveOptions, ArchiveServiceError, Wayback
    from auditor.recheck import check_links
    from auditor.resolve import BROKEN

    links = audit.citations.links
    urls = list(dict.fromkeys(link.url for link in links))
    if not urls:
        return {}
    if store is not None:
        store.record_audit(audit)  # re-auditing an unchanged document updates its rows
    run = check_links(urls, settings, store=store, archive=archive, transport=transport)
    checks = dict(zip(urls, run.checks, strict=True))
    archive_options = ArchiveOptions.from_settings(settings)
    captures: dict[str, Any] = {}
    if archive_options.wayback:
        when = audit.article.meta.published

        async def lookup() -> None:
            async with Wayback(archive_options, transport=wayback_transport) as wayback:
                for url in urls:
                    try:
                        captures[url] = await wayback.closest(url, when)
                    except ArchiveServiceError as exc:
                        log.warning("Wayback lookup failed for %s: %s", url, exc)
                        captures[url] = None

        asyncio.run(lookup())
        if store is not None:
            for url, capture in captures.items():
                if capture is not None:
                    store.record_wayback(url, capture)
    registry = settings.registry
    fields: dict[str, dict[str, Any]] = {}
    for link in links:
        check = checks[link.url]
        capture = captures.get(link.url)
        snapshot = check.snapshot
        publisher_source = registry.match_url(check.final_url) if check.final_url else None
        fields[link.id] = {
            "status": check.status.value,
            "broken": check.status in BROKEN,
            "evidence": check.evidence,
            "final_url": check.final_url,
            "hops": [
                {"url": h.url, "status": h.status_code, "location": h.location} for h in check.hops
            ],
            "http_status": check.http_status,
            "title": check.title,
            "publisher": check.publisher_domain,
            "publisher_source": getattr(publisher_source, "id", None),
            "archived": None
            if snapshot is None
            else {
                "warc_file": snapshot.warc_file,
                "offset": snapshot.offset,
                "length": snapshot.length,
                "digest": snapshot.payload_digest,
                "record_id": snapshot.record_id,
                "record_type": snapshot.record_type,
            },
            "wayback": None
            if capture is None
            else {"url": capture.url, "timestamp": capture.timestamp},
            "checked_at": check.checked_at or None,
        }
    return fields
