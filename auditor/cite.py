"""Cite: footnote markers, the notes list, links, unlinked references and their problems.

Works in two steps around segmentation: ``find_notes`` locates the reference list so that it
does not become article units, then ``collect_citations`` maps every marker to its note,
every link to its unit, matches URLs to registry sources and reports the problems
(dangling marker, unused note, duplicate note, markers out of order, malformed URL,
unlinked reference), each with its location.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol
from urllib.parse import urlsplit

from auditor.ingest import URL_RE
from auditor.records import (
    Article,
    Citations,
    Footnote,
    FootnoteMarker,
    InputFormat,
    Link,
    LinkOrigin,
    MarkerStyle,
    Problem,
    ProblemKind,
    Unit,
    UnitKind,
    UnlinkedReference,
)
from auditor.registry import registered_domain

SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
SUPERSCRIPT_RE = re.compile(
    r"(?<![\s\d⁰¹²³⁴⁵⁶⁷⁸⁹])(?<!\b[kcmdμ]m)(?<!\bm)([⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3})(?![\w⁰¹²³⁴⁵⁶⁷⁸⁹])"
)
BRACKET_RE = re.compile(r"\[(\d{1,3}(?:\s*[,;–-]\s*\d{1,3})*)\]")
CARET_RE = re.compile(r"\^(\d{1,3})\b")
PAREN_RE = re.compile(r"(?<=[^\s(\d])\((\d{1,3})\)(?=[\s.,;:!?»”\"']|$)")

NOTE_BRACKET_RE = re.compile(r"^\[(\d{1,3})\][.:)]?\s*(.*)$", re.S)
NOTE_NUMBER_RE = re.compile(r"^(\d{1,3})[.)]\s+(.*)$", re.S)
NOTE_CARET_RE = re.compile(r"^\^?(\d{1,3})\s*[-–:]\s+(.*)$", re.S)
NOTE_SUPERSCRIPT_RE = re.compile(r"^([⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3})\s*(.*)$", re.S)

# URL-like tokens, valid or not, to catch malformed ones in notes.
URLISH_RE = re.compile(
    r"(?:\b[a-z]{2,6}:/{1,3}|\bhttps?//|\bhttp:?/|\bwww\.|\bht+ps?:)[^\s;,<>\"«»]*", re.IGNORECASE
)


class RegistryLike(Protocol):  # what cite needs from auditor.registry.SourceRegistry
    def match_url(self, url: str) -> Any: ...
    def find_mentions(self, text: str) -> list[Any]: ...


@dataclass(frozen=True, slots=True)
class Notes:
    """The reference list found at the end of an article."""

    span: tuple[int, int] | None
    footnotes: tuple[Footnote, ...]
    problems: tuple[Problem, ...]


@lru_cache(maxsize=1)
def _reference_lexicon() -> dict[str, re.Pattern[str]]:
    from auditor.lexicons import load_lexicon

    lex = load_lexicon("references")
    return {
        name: re.compile("(?:" + "|".join(f"(?:{p})" for p in patterns) + ")", re.IGNORECASE)
        for name, patterns in lex.items()
        if patterns
    }


def _paragraphs(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for m in re.finditer(r"[^\n]+", text):
        if m.group(0).strip():
            spans.append((m.start(), m.end()))
    return spans


def _note_match(line: str, *, loose: bool) -> tuple[int, str] | None:
    for pattern in (NOTE_BRACKET_RE, NOTE_SUPERSCRIPT_RE):
        m = pattern.match(line)
        if m:
            return int(m.group(1).translate(SUPERSCRIPTS)), m.group(2)
    if loose:
        for pattern in (NOTE_NUMBER_RE, NOTE_CARET_RE):
            m = pattern.match(line)
            if m:
                return int(m.group(1)), m.group(2)
    return None


def find_notes(text: str) -> Notes:
    """Locate the trailing list of numbered notes and parse each note.

    ``[n] …`` and superscript-numbered lines count anywhere in the trailing run;
    ``n. …`` / ``n) …`` lines count when they carry a URL or follow a notes heading, so that
    an ordinary numbered list in the body is not mistaken for notes.
    """
    paragraphs = _paragraphs(text)
    heading_re = _reference_lexicon()["notes_heading"]
    run: list[tuple[int, int, int, str]] = []  # (start, end, number, body)
    index = len(paragraphs) - 1
    while index >= 0:
        start, end = paragraphs[index]
        line = text[start:end].strip()
        strict = _note_match(line, loose=False)
        loose = None if strict else _note_match(line, loose=True)
        if strict:
            run.append((start, end, *strict))
        elif (loose and (URL_RE.search(line) or URLISH_RE.search(line))) or (
            loose and _preceded_by_notes_heading(text, paragraphs, index, heading_re)
        ):
            run.append((start, end, *loose))
        else:
            break
        index -= 1
    if not run:
        return Notes(None, (), ())
    run.reverse()
    span_start = run[0][0]
    if index >= 0:
        h_start, h_end = paragraphs[index]
        if heading_re.fullmatch(text[h_start:h_end].strip().rstrip(" :")):
            span_start = h_start
    footnotes: list[Footnote] = []
    problems: list[Problem] = []
    seen: dict[int, Footnote] = {}
    for start, end, number, body in run:
        urls, malformed = _note_urls(body)
        note = Footnote(number, body.strip(), urls, start, end, malformed)
        if number in seen:
            problems.append(
                Problem(
                    ProblemKind.DUPLICATE_FOOTNOTE,
                    f"note [{number}] appears more than once in the notes list",
                    number=number,
                    start=start,
                    end=end,
                )
            )
        else:
            seen[number] = note
        footnotes.append(note)
        for bad in malformed:
            problems.append(
                Problem(
                    ProblemKind.MALFORMED_URL,
                    f"note [{number}] has a malformed URL: {bad}",
                    number=number,
                    start=start,
                    end=end,
                )
            )
    return Notes((span_start, run[-1][1]), tuple(footnotes), tuple(problems))


def _preceded_by_notes_heading(
    text: str, paragraphs: list[tuple[int, int]], index: int, heading_re: re.Pattern[str]
) -> bool:
    for j in range(index - 1, -1, -1):
        line = text[paragraphs[j][0] : paragraphs[j][1]].strip()
        if heading_re.fullmatch(line.rstrip(" :")):
            return True
        if not _note_match(line, loose=True):
            return False
    return False


def _note_urls(body: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Valid URLs of a note (several may be separated by ';'), and malformed URL-like tokens."""
    urls: list[str] = []
    valid_spans: list[tuple[int, int]] = []
    for m in URL_RE.finditer(body):
        url = m.group(0)
        if is_valid_url(url):
            urls.append(url)
            valid_spans.append((m.start(), m.end()))
    malformed: list[str] = []
    for m in URLISH_RE.finditer(body):
        if any(a <= m.start() < b for a, b in valid_spans):
            continue
        token = m.group(0).rstrip(".,;:)")
        if token.lower().startswith("www.") and is_valid_url("http://" + token):
            urls.append("http://" + token)
            continue
        malformed.append(token)
    for m in re.finditer(r"https?://[^\s;]*\s+[^\s;]+", body):  # a URL broken by a space
        candidate = m.group(0)
        if " " in candidate and re.match(r"https?://[^/\s]*\s", candidate):
            malformed.append(candidate)
    return tuple(dict.fromkeys(urls)), tuple(dict.fromkeys(malformed))


def is_valid_url(url: str) -> bool:
    """An http(s) URL with a plausible host."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme.lower() not in {"http", "https"}:
        return False
    host = parts.hostname or ""
    if not host or " " in url:
        return False
    if host == "localhost" or re.fullmatch(r"\d{1,3}(?:\.\d{1,3}){3}", host):
        return True
    labels = host.split(".")
    return (
        len(labels) >= 2
        and all(
            re.fullmatch(r"(?!-)[a-z0-9-]{1,63}(?<!-)", label, re.I) or label.startswith("xn--")
            for label in labels
        )
        and re.fullmatch(r"[a-z]{2,63}|xn--[a-z0-9-]+", labels[-1], re.I) is not None
    )


def find_markers(
    text: str,
    *,
    notes: Notes,
    skip: Sequence[tuple[int, int]] = (),
    input_format: InputFormat = InputFormat.TEXT,
) -> list[FootnoteMarker]:
    """Every footnote marker in the body, outside ``skip`` spans (the notes, links)."""
    numbers = {f.number for f in notes.footnotes}
    max_note = max(numbers, default=0)
    found: list[FootnoteMarker] = []

    def outside(a: int) -> bool:
        return not any(s <= a < e for s, e in skip)

    bracket_style = (
        MarkerStyle.HTML_SUP if input_format is InputFormat.HTML else MarkerStyle.BRACKET
    )
    for m in BRACKET_RE.finditer(text):
        if not outside(m.start()):
            continue
        values = _expand(m.group(1))
        if any(v > 999 or (v >= 1000) for v in values):
            continue
        if len(values) == 1 and values[0] > max(max_note + 50, 200) and not numbers:
            continue  # [2024]-like numbers are not markers when no notes exist
        for value in values:
            found.append(FootnoteMarker(value, m.start(), m.end(), bracket_style, None))
    for m in CARET_RE.finditer(text):
        if outside(m.start()):
            found.append(
                FootnoteMarker(int(m.group(1)), m.start(), m.end(), MarkerStyle.CARET, None)
            )
    for m in SUPERSCRIPT_RE.finditer(text):
        if outside(m.start()):
            value = int(m.group(1).translate(SUPERSCRIPTS))
            if value == 0 or (value in (2, 3) and value not in numbers):
                continue  # ² and ³ are powers unless a note carries that number
            found.append(FootnoteMarker(value, m.start(), m.end(), MarkerStyle.SUPERSCRIPT, None))
    if numbers:  # (n) is too ambiguous to count without a notes list to point to
        for m in PAREN_RE.finditer(text):
            value = int(m.group(1))
            if outside(m.start()) and 1 <= value <= max_note + 5:
                found.append(FootnoteMarker(value, m.start(), m.end(), MarkerStyle.PAREN, None))
    found.sort(key=lambda marker: (marker.start, marker.number))
    return found


def _expand(group: str) -> list[int]:
    values: list[int] = []
    for part in re.split(r"\s*[,;]\s*", group):
        bounds = re.split(r"\s*[–-]\s*", part)
        if len(bounds) == 2 and bounds[0].isdigit() and bounds[1].isdigit():
            low, high = int(bounds[0]), int(bounds[1])
            if low <= high and high - low <= 20:
                values.extend(range(low, high + 1))
                continue
        if part.isdigit():
            values.append(int(part))
    return values


def _unit_at(units: Sequence[Unit], offset: int) -> Unit | None:
    """The unit containing ``offset``, or the nearest unit ending just before it."""
    best: Unit | None = None
    for unit in units:
        if unit.start <= offset < unit.end:
            return unit
        if unit.end <= offset:
            best = unit
        else:
            break
    if best is not None:
        # A marker after the final punctuation ("…fin.[4]") still belongs to that sentence,
        # provided nothing but spaces and punctuation separates them.
        return best
    return None


def collect_citations(
    article: Article, units: Sequence[Unit], notes: Notes, registry: RegistryLike | None = None
) -> Citations:
    """Map markers to notes, links to units and sources; report every problem found."""
    text = article.text
    link_spans = [(link.start, link.end) for link in article.links]
    skip = [notes.span] if notes.span else []
    markers = [
        FootnoteMarker(m.number, m.start, m.end, m.style, _unit_id(units, m.start))
        for m in find_markers(
            text, notes=notes, skip=[*skip, *link_spans], input_format=article.input_format
        )
    ]
    problems: list[Problem] = list(notes.problems)
    by_number: dict[int, Footnote] = {}
    for note in notes.footnotes:
        by_number.setdefault(note.number, note)
    cited = {m.number for m in markers}
    for marker in markers:
        if marker.number not in by_number:
            problems.append(
                Problem(
                    ProblemKind.DANGLING_FOOTNOTE,
                    f"marker [{marker.number}] has no note in the reference list",
                    number=marker.number,
                    unit_id=marker.unit_id,
                    start=marker.start,
                    end=marker.end,
                )
            )
    for note in notes.footnotes:
        if note.number not in cited and by_number.get(note.number) is note:
            problems.append(
                Problem(
                    ProblemKind.UNUSED_FOOTNOTE,
                    f"note [{note.number}] is never cited in the text",
                    number=note.number,
                    start=note.start,
                    end=note.end,
                )
            )
    problems.extend(_order_problems(markers))

    links: list[Link] = []

    def add_link(
        url: str,
        anchor: str,
        origin: LinkOrigin,
        start: int | None,
        end: int | None,
        unit_id: str | None,
        footnote: int | None,
    ) -> None:
        domain = registered_domain(url) or _host(url)
        source = registry.match_url(url) if registry is not None else None
        links.append(
            Link(
                f"l{len(links) + 1}",
                url,
                anchor,
                origin,
                start,
                end,
                unit_id,
                footnote,
                domain,
                getattr(source, "id", None),
            )
        )

    first_citing: dict[int, str | None] = {}
    for marker in markers:
        first_citing.setdefault(marker.number, marker.unit_id)
    in_notes = notes.span or (-1, -1)
    for link in article.links:
        if in_notes[0] <= link.start < in_notes[1]:
            continue  # note URLs are added below, with their note number
        scheme = link.url.split(":", 1)[0].lower() if ":" in link.url else ""
        if scheme not in {"http", "https"}:
            if scheme in {"javascript", "data", "vbscript", "file"}:
                problems.append(
                    Problem(
                        ProblemKind.MALFORMED_URL,
                        f"a link is not a web address ({scheme}:) and was not treated as a citation",
                        unit_id=_unit_id(units, link.start),
                        start=link.start,
                        end=link.end,
                    )
                )
            continue  # mailto:, tel:, relative links: not citations
        add_link(
            link.url,
            link.anchor,
            link.origin,
            link.start,
            link.end,
            _unit_id(units, link.start),
            None,
        )
    for note in notes.footnotes:
        if by_number.get(note.number) is not note:
            continue
        for url in note.urls:
            start = text.find(url, note.start, note.end)
            add_link(
                url,
                note.text if len(note.urls) == 1 and note.text != url else url,
                LinkOrigin.FOOTNOTE,
                start if start >= 0 else note.start,
                (start + len(url)) if start >= 0 else note.end,
                first_citing.get(note.number),
                note.number,
            )
    syndicated = any(
        r.reason == "syndication-metadata"
        and re.match(r"(?i)(source link|lien source|original source|source url)", r.text)
        for r in article.removed
    )
    if article.meta.canonical_url and syndicated:
        # the article's own URL, from a "Source link :" line: archived like a citation
        add_link(
            article.meta.canonical_url,
            "Source link",
            LinkOrigin.SOURCE_LINK,
            None,
            None,
            None,
            None,
        )
    for checked in links:
        if not is_valid_url(checked.url):
            problems.append(
                Problem(
                    ProblemKind.MALFORMED_URL,
                    f"link {checked.id} is malformed: {checked.url}",
                    unit_id=checked.unit_id,
                    start=checked.start,
                    end=checked.end,
                )
            )

    unlinked = find_unlinked_references(text, units, links, registry)
    for ref in unlinked:
        problems.append(
            Problem(
                ProblemKind.UNLINKED_REFERENCE,
                f"{ref.name} is cited for reference ({ref.cue!r}) without a link",
                name=ref.name,
                unit_id=ref.unit_id,
                start=ref.start,
                end=ref.end,
            )
        )
    problems.sort(key=lambda p: (p.start if p.start is not None else 10**9, p.kind.value))
    return Citations(
        notes_span=notes.span,
        footnotes=notes.footnotes,
        markers=tuple(markers),
        links=tuple(links),
        unlinked=tuple(unlinked),
        problems=tuple(problems),
    )


def _host(url: str) -> str | None:
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


def _unit_id(units: Sequence[Unit], offset: int) -> str | None:
    unit = _unit_at(units, offset)
    return unit.id if unit is not None else None


def _order_problems(markers: Sequence[FootnoteMarker]) -> list[Problem]:
    """Report markers whose first appearance comes after a higher number's first appearance."""
    problems: list[Problem] = []
    highest = 0
    first_seen: set[int] = set()
    for marker in markers:
        if marker.number in first_seen:
            continue
        first_seen.add(marker.number)
        if marker.number < highest:
            problems.append(
                Problem(
                    ProblemKind.MARKERS_OUT_OF_ORDER,
                    f"marker [{marker.number}] first appears after marker [{highest}]",
                    number=marker.number,
                    unit_id=marker.unit_id,
                    start=marker.start,
                    end=marker.end,
                )
            )
        highest = max(highest, marker.number)
    return problems


NAME_RE = re.compile(
    r"(?P<name>(?:[A-Z0-9ÀÂÉÈÊÎÔÛÇ][\w&'’.-]*)(?:\s+(?:(?:de|du|des|of|the|and|&|for|la|le|l['’])\s+)?"
    r"[A-Z0-9ÀÂÉÈÊÎÔÛÇ][\w&'’.-]*){0,5})"
)


def find_unlinked_references(
    text: str, units: Sequence[Unit], links: Sequence[Link], registry: RegistryLike | None
) -> list[UnlinkedReference]:
    """Publications named for reference or further reading with no link in the same unit."""
    lex = _reference_lexicon()
    intro, work, place = lex["intro"], lex["work"], lex["place"]
    pointer_re = re.compile(
        rf"(?:^|[:;—–-]\s*|\b)(?P<cue>(?:{work.pattern})\s+(?:{place.pattern})\s+)", re.IGNORECASE
    )
    linked_units = {link.unit_id for link in links if link.unit_id}
    found: list[UnlinkedReference] = []
    for unit in units:
        if unit.kind is UnitKind.HEADING or unit.id in linked_units:
            continue
        sentence = unit.text
        intro_match = re.match(rf"\s*(?:{intro.pattern})\b[^:]*:\s*", sentence, re.IGNORECASE)
        candidates: list[tuple[int, str]] = []
        for m in pointer_re.finditer(sentence):
            if intro_match or m.start() <= 3 or sentence[: m.start()].rstrip().endswith(":"):
                candidates.append((m.end("cue"), m.group("cue").strip()))
        if intro_match and not candidates:
            candidates.append((intro_match.end(), intro_match.group(0).strip().rstrip(":").strip()))
        for position, cue in candidates:
            name, n_start, n_end, source_id = _name_at(sentence, position, registry)
            if not name:
                continue
            found.append(
                UnlinkedReference(
                    name, source_id, unit.id, unit.start + n_start, unit.start + n_end, cue
                )
            )
            break
    return found


def _name_at(
    sentence: str, position: int, registry: RegistryLike | None
) -> tuple[str | None, int, int, str | None]:
    rest = sentence[position:]
    if registry is not None:
        for mention in registry.find_mentions(rest):
            if mention.start <= 2:
                return (
                    mention.source.name,
                    position + mention.start,
                    position + mention.end,
                    mention.source.id,
                )
    m = NAME_RE.match(rest)
    if not m:
        return None, 0, 0, None
    name = m.group("name").rstrip(".,;:")
    if len(name) < 2:
        return None, 0, 0, None
    return name, position + m.start(), position + m.start() + len(name), None
