"""Typed records passed between pipeline stages.

Every record is frozen and remembers where it came from: a character span into the
cleaned article text (``start``/``end``, end exclusive), the unit it belongs to, the marker
or link that produced it. Statuses are closed ``StrEnum`` sets so reports and the store can
rely on their values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

# ---------------------------------------------------------------------------
# Closed vocabularies


class InputFormat(StrEnum):
    TEXT = "text"
    MARKDOWN = "markdown"
    HTML = "html"


class UnitKind(StrEnum):
    """What a unit of the article is.

    Segmentation emits ``heading``, ``boilerplate`` and ``sentence``; judgement refines
    ``sentence`` into ``claim``, ``quote``, ``opinion`` or ``question``.
    """

    HEADING = "heading"
    BOILERPLATE = "boilerplate"
    SENTENCE = "sentence"
    CLAIM = "claim"
    QUOTE = "quote"
    OPINION = "opinion"
    QUESTION = "question"


class RemovalReason(StrEnum):
    """Why a piece of site furniture was taken out of the article body."""

    NEWSLETTER = "newsletter"
    READ_ALSO = "read-also"
    TRENDING = "trending"
    IMAGE_ALT_TEXT = "image-alt-text"
    PHOTO_CREDIT = "photo-credit"
    SYNDICATION_METADATA = "syndication-metadata"
    COPYRIGHT = "copyright"
    SHARE_BUTTONS = "share-buttons"
    SITE_BANNER = "site-banner"
    DATE_LINE = "date-line"
    NAVIGATION = "navigation"


class LinkOrigin(StrEnum):
    """How a link appeared in the article."""

    FOOTNOTE = "footnote"  # URL inside a numbered note
    MARKDOWN = "markdown"  # [anchor](url)
    HTML = "html"  # <a href> in an HTML input
    AUTOLINK = "autolink"  # <https://…>
    BARE = "bare"  # a URL written out in the text
    SOURCE_LINK = "source-link"  # syndication "Source link :" line (the canonical article)


class MarkerStyle(StrEnum):
    BRACKET = "bracket"  # [3]
    PAREN = "paren"  # (3)
    CARET = "caret"  # ^3
    SUPERSCRIPT = "superscript"  # ³
    HTML_SUP = "html-sup"  # <sup>3</sup>


class ProblemKind(StrEnum):
    DANGLING_FOOTNOTE = "dangling-footnote"
    UNUSED_FOOTNOTE = "unused-footnote"
    DUPLICATE_FOOTNOTE = "duplicate-footnote"
    MARKERS_OUT_OF_ORDER = "markers-out-of-order"
    MALFORMED_URL = "malformed-url"
    UNLINKED_REFERENCE = "unlinked-reference"
    SECONDARY_CITATION = "secondary-citation"


class Status(StrEnum):
    """Attribution status of a unit (see docs/labelling-guide)."""

    ATTRIBUTED = "attributed"
    VAGUE = "vague"
    UNATTRIBUTED = "unattributed"


# ---------------------------------------------------------------------------
# Ingest


@dataclass(frozen=True, slots=True)
class DocumentMeta:
    title: str | None = None
    canonical_url: str | None = None
    published: str | None = None  # ISO 8601 date or datetime as found
    author: str | None = None
    site: str | None = None
    language: str | None = None  # ISO 639-1, e.g. "fr"
    language_confidence: float | None = None


@dataclass(frozen=True, slots=True)
class InlineLink:
    """A link found while reading the input, positioned in the cleaned text."""

    url: str
    anchor: str
    start: int
    end: int
    origin: LinkOrigin


@dataclass(frozen=True, slots=True)
class Removed:
    """Site furniture taken out of the body, with why and where it stood in the input."""

    text: str
    reason: RemovalReason
    line: int | None = None  # 1-based line in the decoded input, when known


@dataclass(frozen=True, slots=True)
class Repair:
    """A damage repaired while cleaning (glued paragraphs, hard line breaks)."""

    kind: str  # "glued-sentence" | "glued-heading" | "joined-line-break"
    offset: int  # position in the cleaned text where the repair applies
    detail: str


@dataclass(frozen=True, slots=True)
class Article:
    """The output of ingest: cleaned text plus everything read around it."""

    source: str  # path, URL or "-"
    input_format: InputFormat
    text: str
    sha256: str  # of the raw input bytes
    meta: DocumentMeta
    links: tuple[InlineLink, ...] = ()
    heading_spans: tuple[tuple[int, int], ...] = ()  # headings the markup declared (h1-h6, #)
    removed: tuple[Removed, ...] = ()
    repairs: tuple[Repair, ...] = ()
    encoding: str = "utf-8"


# ---------------------------------------------------------------------------
# Segment


@dataclass(frozen=True, slots=True)
class Paragraph:
    index: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Unit:
    """One sentence, heading or boilerplate line of the article body."""

    id: str  # "u1", "u2", … in reading order
    index: int
    paragraph: int
    start: int
    end: int
    text: str
    kind: UnitKind


# ---------------------------------------------------------------------------
# Cite


@dataclass(frozen=True, slots=True)
class FootnoteMarker:
    number: int
    start: int
    end: int
    style: MarkerStyle
    unit_id: str | None


@dataclass(frozen=True, slots=True)
class Footnote:
    """A note of the reference list."""

    number: int
    text: str
    urls: tuple[str, ...]
    start: int
    end: int
    malformed_urls: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Link:
    """A cited URL with its provenance."""

    id: str  # "l1", "l2", …
    url: str
    anchor: str
    origin: LinkOrigin
    start: int | None  # None for links with no place in the body (a "Source link :" line)
    end: int | None
    unit_id: str | None
    footnote: int | None
    domain: str | None  # registered domain
    source_id: str | None  # registry id


@dataclass(frozen=True, slots=True)
class UnlinkedReference:
    """A publication named as a source or for further reading, with no link."""

    name: str
    source_id: str | None
    unit_id: str | None
    start: int
    end: int
    cue: str


@dataclass(frozen=True, slots=True)
class Problem:
    kind: ProblemKind
    detail: str
    number: int | None = None
    name: str | None = None
    unit_id: str | None = None
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True, slots=True)
class Citations:
    """Everything the cite stage found."""

    notes_span: tuple[int, int] | None
    footnotes: tuple[Footnote, ...]
    markers: tuple[FootnoteMarker, ...]
    links: tuple[Link, ...]
    unlinked: tuple[UnlinkedReference, ...]
    problems: tuple[Problem, ...]


# ---------------------------------------------------------------------------
# Judge (attribution, sensationalism, check-worthiness)


@dataclass(frozen=True, slots=True)
class Signal:
    """One reason behind a label: its kind and the words that fired it."""

    kind: str  # e.g. "hyperbole", "hedged", "exclamation", "vague-source", "cue"
    text: str


@dataclass(frozen=True, slots=True)
class SourceRef:
    """A source a unit names, normalised against the registry when possible."""

    name: str
    id: str | None  # registry id, None when unregistered
    tier: str | None
    cue: str  # "selon", "a déclaré", "footnote [5]", "link", "carried from u12"…
    vague: bool = False
    carried_from: str | None = None  # unit id the attribution was carried from


@dataclass(frozen=True, slots=True)
class Attribution:
    """What the attribute stage decided for one unit, before the other judgements."""

    status: Status
    sources: tuple[SourceRef, ...] = ()
    signals: tuple[Signal, ...] = ()  # cues, hedged, vague-source, anonymous-quote, …
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Judgement:
    unit_id: str
    kind: UnitKind
    status: Status
    checkworthy: bool
    sensational: bool
    signals: tuple[Signal, ...] = ()
    sources: tuple[SourceRef, ...] = ()
    reasons: tuple[str, ...] = ()  # short human sentences for the report


@dataclass(frozen=True, slots=True)
class Audit:
    """A whole audit of one article: what every reporter renders."""

    article: Article
    paragraphs: tuple[Paragraph, ...]
    units: tuple[Unit, ...]
    citations: Citations
    judgements: tuple[Judgement, ...] = ()
    summary: dict[str, object] = field(default_factory=dict)
    tool_version: str = ""
