"""Ingest: read an article (text, Markdown, HTML, URL, stdin) into clean text.

Reading keeps what a fact-checker needs and says what it took out: links keep their anchor
text and position, footnote markers from ``<sup>`` survive, site furniture is removed and
listed with its reason, syndication footers become document metadata, and the damage real
copies carry (glued paragraphs, headings glued to their paragraph, hard line breaks) is
repaired. Paragraphs of the cleaned text are separated by a blank line; a paragraph never
contains a newline.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from auditor.errors import InputError
from auditor.records import (
    Article,
    DocumentMeta,
    InlineLink,
    InputFormat,
    LinkOrigin,
    RemovalReason,
    Removed,
    Repair,
)
from auditor.textedit import Edit, apply_edits

TEXT_SUFFIXES = {
    ".txt": InputFormat.TEXT,
    ".text": InputFormat.TEXT,
    ".md": InputFormat.MARKDOWN,
    ".markdown": InputFormat.MARKDOWN,
    ".html": InputFormat.HTML,
    ".htm": InputFormat.HTML,
    ".xhtml": InputFormat.HTML,
}

UPPER = "A-ZÀ-ÖØ-ÞŒ"
LOWER = "a-zß-öø-ÿœ"
TERMINAL = ".!?…:»”\"'"

# A URL may hold balanced parentheses (Wikipedia's "KN-23_(missile)") but never ends in
# sentence punctuation or an unbalanced closing bracket.
URL_RE = re.compile(
    r"""https?://(?:[^\s<>"'»«“”()\[\]]|\([^\s()<>"'«»“”]*\))+(?<![.,;:!?])""", re.IGNORECASE
)

BINARY_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP archive (or an Office document)",
    b"\x1f\x8b": "gzip-compressed data",
    b"\x7fELF": "an executable",
    b"SQLite format 3": "an SQLite database",
}

# Lines after which a trailing block is site furniture (trending lists and the like).
LIST_ITEM_RE = re.compile(r"^\s*(?:[-•*·–]|\d{1,2}[.)])\s+\S")


@dataclass(frozen=True, slots=True)
class IngestOptions:
    """What ingest needs from the settings."""

    max_input_bytes: int = 5 * 1024 * 1024
    default_language: str = "fr"
    fetch_timeout: float = 20.0
    fetch_max_bytes: int = 10 * 1024 * 1024
    user_agent: str = "auditor"
    furniture_files: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings: Any) -> IngestOptions:
        return cls(
            max_input_bytes=int(settings.get("ingest.max_input_bytes")),
            default_language=str(settings.get("ingest.default_language")),
            fetch_timeout=float(settings.get("fetch.timeout")),
            fetch_max_bytes=int(settings.get("fetch.max_bytes")),
            user_agent=str(settings.get("fetch.user_agent")),
            furniture_files=tuple(settings.get("judge.lexicon_files") or ()),
        )


# ---------------------------------------------------------------------------
# Reading bytes


def is_url(spec: str) -> bool:
    return bool(re.match(r"^https?://", spec, re.IGNORECASE))


def read_path(path: Path, options: IngestOptions) -> bytes:
    """Raw bytes of a file, refusing what is not a readable, reasonably sized file."""
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{path}: is a directory (give the directory itself to audit it)")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{path}: not a regular file (a pipe, socket or device)")
        size = info.st_size
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if size > options.max_input_bytes:
        raise InputError(
            f"{path}: too large ({_mb(size)} > {_mb(options.max_input_bytes)} cap, "
            "see ingest.max_input_bytes)"
        )
    try:
        with path.open("rb") as handle:
            return handle.read(options.max_input_bytes + 1)
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def read_stream(stream: IO[bytes], options: IngestOptions, name: str = "-") -> bytes:
    data = stream.read(options.max_input_bytes + 1)
    if len(data) > options.max_input_bytes:
        raise InputError(
            f"{name}: too large (over the {_mb(options.max_input_bytes)} cap, "
            "see ingest.max_input_bytes)"
        )
    return data


def fetch_url(url: str, options: IngestOptions, *, transport: Any = None) -> tuple[bytes, str]:
    """GET an article; return its bytes and content type. Honours a timeout and a size cap."""
    import httpx

    try:
        with (
            httpx.Client(
                timeout=options.fetch_timeout,
                follow_redirects=True,
                max_redirects=10,
                headers={"User-Agent": options.user_agent},
                transport=transport,
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise InputError(f"{url}: HTTP {response.status_code}")
            chunks: list[bytes] = []
            total = 0
            for chunk in response.iter_bytes():
                total += len(chunk)
                if total > options.fetch_max_bytes:
                    raise InputError(
                        f"{url}: larger than the {_mb(options.fetch_max_bytes)} "
                        "cap (fetch.max_bytes)"
                    )
                chunks.append(chunk)
            return b"".join(chunks), response.headers.get("content-type", "")
    except httpx.TimeoutException:
        raise InputError(f"{url}: timed out after {options.fetch_timeout:g} s") from None
    except httpx.ConnectError as exc:
        reason = "does not resolve" if _is_dns_error(exc) else "connection failed"
        raise InputError(f"{url}: {reason}") from None
    except httpx.TooManyRedirects:
        raise InputError(f"{url}: too many redirects") from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise InputError(f"{url}: {exc.__class__.__name__}") from None


def _is_dns_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return any(
        k in text
        for k in (
            "name or service",
            "nodename",
            "getaddrinfo",
            "name resolution",
            "no address",
            "temporary failure",
        )
    )


def _mb(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB"


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode bytes to text, detecting the encoding; refuse empty and binary input."""
    if not data.strip():
        raise InputError(f"{name}: empty input")
    for magic, what in BINARY_MAGIC.items():
        if data.startswith(magic):
            raise InputError(f"{name}: binary file ({what}), not an article")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    head = data[:8192]
    if b"\x00" in head:
        raise InputError(f"{name}: binary file (contains NUL bytes), not an article")
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = _decode_not_utf8(data, name)
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if controls > max(8, len(text[:8192]) // 50):
        raise InputError(f"{name}: binary file (control characters), not an article")
    if not text.strip():
        raise InputError(f"{name}: empty input")
    return text, encoding


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    return bytes(bad).decode("cp1252", errors="replace"), error.end


codecs.register_error("auditor-cp1252", _cp1252_fallback)


def _decode_not_utf8(data: bytes, name: str) -> tuple[str, str]:
    """Mostly-UTF-8 with stray bytes, Windows-1252/Latin-1 (most Western text), or a guess."""
    valid_multibyte = len(re.findall(rb"[\xc2-\xf4][\x80-\xbf]+", data))
    invalid = data.decode("utf-8", errors="replace").count("\ufffd")
    if valid_multibyte and invalid <= valid_multibyte:
        # UTF-8 with a few stray single-byte characters: decode those one by one.
        return data.decode("utf-8", errors="auditor-cp1252"), "utf-8 (with cp1252 bytes)"
    western = data.decode("cp1252", errors="replace")
    if _plausible_western(western):
        return western, "cp1252"
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InputError(f"{name}: not text in any encoding auditor recognises")
    return str(best), best.encoding


def _plausible_western(text: str) -> bool:
    """True when Windows-1252 gives Latin text: accented letters sit inside ASCII words.

    Cyrillic or Greek bytes read as cp1252 give runs of accented letters with no ASCII
    letter between them ("Ïðèâåò"); French or German give isolated ones ("député").
    """
    if "\ufffd" in text:
        return False
    words = re.findall(r"[^\W\d_]+", text)
    if not words:
        return False
    foreign = sum(1 for w in words if sum(1 for ch in w if ord(ch) > 127) > max(1, len(w) // 3))
    return foreign <= max(1, len(words) // 50)


def sniff_format(text: str, suffix: str = "", content_type: str = "") -> InputFormat:
    """The input's format, from its declared type, its name, then its content."""
    ctype = content_type.lower()
    if "html" in ctype:
        return InputFormat.HTML
    if "markdown" in ctype:
        return InputFormat.MARKDOWN
    if suffix.lower() in TEXT_SUFFIXES:
        return TEXT_SUFFIXES[suffix.lower()]
    head = text[:2048].lstrip().lower()
    if head.startswith(("<!doctype html", "<html", "<?xml")) or (
        len(re.findall(r"</?(?:p|div|a|h[1-6]|span|br|body|article)\b", text[:20000], re.I)) >= 3
    ):
        return InputFormat.HTML
    if re.search(r"\[[^\]\n]+\]\(https?://", text) or re.search(r"(?m)^#{1,6} \S", text):
        return InputFormat.MARKDOWN
    return InputFormat.TEXT


# ---------------------------------------------------------------------------
# Format-specific readers: each returns a "draft" with plain text and positioned spans


@dataclass
class Draft:
    text: str
    links: list[InlineLink] = field(default_factory=list)
    headings: list[tuple[int, int]] = field(default_factory=list)
    removed: list[Removed] = field(default_factory=list)
    meta: dict[str, str | None] = field(default_factory=dict)


MD_LINK_RE = re.compile(
    r"(?P<image>!)?\[(?P<anchor>(?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]"
    r"\((?P<url><[^>\n]+>|[^\s()]+(?:\([^\s()]*\)[^\s()]*)*)(?:\s+\"[^\"\n]*\")?\)"
)
MD_AUTOLINK_RE = re.compile(r"<(?P<url>https?://[^>\s]+)>")
MD_REFDEF_RE = re.compile(
    r"(?m)^ {0,3}\[(?P<label>[^\]\n^]+)\]:\s*(?P<url>\S+)(?:\s+\"[^\"\n]*\")?\s*$"
)
MD_REFLINK_RE = re.compile(r"\[(?P<anchor>[^\[\]\n]+)\]\[(?P<label>[^\]\n]*)\]")
MD_FOOTNOTE_MARK_RE = re.compile(r"\[\^(?P<n>\d{1,3})\](?!:)")
MD_FOOTNOTE_DEF_RE = re.compile(r"(?m)^\[\^(?P<n>\d{1,3})\]:\s*")


# Backslash escapes are swapped for private-use characters while parsing (one character for
# one, so offsets hold) and restored after: an escaped "\[" is text, never link syntax.
MD_ESCAPABLE = "\\`*_{}[]()#+-.!|<>"
_ESCAPE_TO_PUA = {ch: chr(0xF0000 + i) for i, ch in enumerate(MD_ESCAPABLE)}
_PUA_TO_CHAR = str.maketrans({v: k for k, v in _ESCAPE_TO_PUA.items()})
MD_ESCAPE_RE = re.compile(r"\\([" + re.escape(MD_ESCAPABLE) + r"])")


def read_markdown(source: str) -> Draft:
    """Markdown to plain text: links keep anchor and position; headings are remembered."""
    draft = _read_markdown(MD_ESCAPE_RE.sub(lambda m: _ESCAPE_TO_PUA[m.group(1)], source))
    draft.text = draft.text.translate(_PUA_TO_CHAR)
    draft.links = [
        replace(
            link, anchor=link.anchor.translate(_PUA_TO_CHAR), url=link.url.translate(_PUA_TO_CHAR)
        )
        for link in draft.links
    ]
    draft.removed = [replace(r, text=r.text.translate(_PUA_TO_CHAR)) for r in draft.removed]
    if draft.meta.get("title"):
        draft.meta["title"] = str(draft.meta["title"]).translate(_PUA_TO_CHAR)
    return draft


def _read_markdown(source: str) -> Draft:
    refdefs = {
        m["label"].strip().lower(): m["url"].strip("<>") for m in MD_REFDEF_RE.finditer(source)
    }
    # Markdown footnotes ([^1] / [^1]: note) become the plain [1] / [1] note form.
    source = MD_FOOTNOTE_DEF_RE.sub(lambda m: f"[{m['n']}] ", source)
    source = MD_FOOTNOTE_MARK_RE.sub(lambda m: f"[{m['n']}]", source)
    draft = Draft(text="")
    out: list[str] = []
    pos = 0
    for raw_line in source.splitlines():
        if MD_REFDEF_RE.fullmatch(raw_line):
            continue
        line = raw_line
        heading = re.match(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if heading:
            line = heading.group(2)
        else:
            line = re.sub(r"^ {0,3}>\s?", "", line)  # blockquote
            line = re.sub(r"^ {0,3}(?:[-*_]\s*){3,}$", "", line)  # thematic break
        segments: list[str] = []
        cursor = 0
        line_pos = pos
        for m in _md_link_matches(line, refdefs):
            segments.append(_md_inline(line[cursor : m[0]]))
            prefix_len = sum(len(s) for s in segments)
            anchor = _md_inline(m[2])
            if m[4]:  # image: keep nothing in the text, report the alt text
                if anchor.strip():
                    draft.removed.append(Removed(anchor.strip(), RemovalReason.IMAGE_ALT_TEXT))
            else:
                start = line_pos + prefix_len
                segments.append(anchor)
                draft.links.append(InlineLink(m[3], anchor, start, start + len(anchor), m[5]))
            cursor = m[1]
        segments.append(_md_inline(line[cursor:]))
        text_line = "".join(segments)
        if heading and text_line.strip():
            draft.headings.append((pos, pos + len(text_line)))
        out.append(text_line)
        pos += len(text_line) + 1
    draft.text = "\n".join(out)
    if draft.headings:
        first = draft.headings[0]
        draft.meta["title"] = draft.text[first[0] : first[1]]
    return draft


def _md_link_matches(
    line: str, refdefs: dict[str, str]
) -> list[tuple[int, int, str, str, bool, LinkOrigin]]:
    found: list[tuple[int, int, str, str, bool, LinkOrigin]] = []
    for m in MD_LINK_RE.finditer(line):
        found.append(
            (
                m.start(),
                m.end(),
                m["anchor"],
                m["url"].strip("<>"),
                bool(m["image"]),
                LinkOrigin.MARKDOWN,
            )
        )
    for m in MD_REFLINK_RE.finditer(line):
        label = (m["label"] or m["anchor"]).strip().lower()
        if label in refdefs and not any(s <= m.start() < e for s, e, *_ in found):
            found.append(
                (m.start(), m.end(), m["anchor"], refdefs[label], False, LinkOrigin.MARKDOWN)
            )
    for m in MD_AUTOLINK_RE.finditer(line):
        if not any(s <= m.start() < e for s, e, *_ in found):
            found.append((m.start(), m.end(), m["url"], m["url"], False, LinkOrigin.AUTOLINK))
    return sorted(found)


def _md_inline(text: str) -> str:
    """Strip inline emphasis and code marks, keep the words."""
    text = re.sub(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])", r"\1", text)
    text = re.sub(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])", r"\1", text)
    text = re.sub(r"`([^`\n]+)`", r"\1", text)
    return text


def read_html(html: str, base_url: str | None = None) -> Draft:
    """HTML to plain text through trafilatura (main text and metadata), links kept.

    ``<sup>`` footnote markers are rewritten as ``[n]`` before extraction so they survive,
    and image alt texts are reported as removed furniture.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    removed: list[Removed] = _drop_html_furniture(soup)
    for img in soup.find_all("img"):
        alt = str(img.get("alt") or "").strip() if hasattr(img, "get") else ""
        if alt:
            removed.append(Removed(alt, RemovalReason.IMAGE_ALT_TEXT))
    for fig in soup.find_all("figcaption"):
        caption = fig.get_text(" ", strip=True)
        if caption:
            removed.append(Removed(caption, RemovalReason.PHOTO_CREDIT))
        fig.decompose()
    for sup in soup.find_all("sup"):
        label = sup.get_text("", strip=True).strip("[]()")
        if label.isdigit():
            sup.replace_with(f"[{int(label)}]")
    # Notes lists often live in <ol> with ids like "fn1": make each item "[n] text".
    for ol in soup.find_all("ol"):
        items = ol.find_all("li", recursive=False)
        if items and _looks_like_notes(ol):
            first = str(ol.get("start") or "1")
            start = int(first) if first.isdigit() else 1
            for offset, li in enumerate(items):
                li.insert(0, f"[{start + offset}] ")
    prepared = str(soup)

    import trafilatura

    markdown = trafilatura.extract(
        prepared,
        url=base_url,
        output_format="markdown",
        include_links=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_formatting=False,
        favor_recall=True,
        deduplicate=False,
    )
    walked = _dom_markdown(BeautifulSoup(prepared, "html.parser"))
    # trafilatura flattens short pages into one block (its baseline fallback): walk the DOM.
    if not markdown or (_block_count(markdown) <= 1 < _block_count(walked)):
        markdown = walked
    markdown = re.sub(r"(?m)^\s*\d{1,3}\.\s+(?=\\?\[\d{1,3}\\?\])", "", markdown)
    draft = read_markdown(markdown)
    for link in draft.links:
        if link.origin is LinkOrigin.MARKDOWN:
            object.__setattr__(link, "origin", LinkOrigin.HTML)
    draft.removed[:0] = removed
    meta = trafilatura.extract_metadata(prepared, default_url=base_url)
    if meta is not None:
        draft.meta.update(
            {
                "title": meta.title or draft.meta.get("title"),
                "author": meta.author,
                "published": meta.date,
                "site": meta.sitename,
                "canonical_url": meta.url,
            }
        )
    canonical = soup.find("link", rel="canonical")
    if canonical is not None and canonical.get("href"):
        draft.meta["canonical_url"] = str(canonical.get("href"))
    lang = soup.html.get("lang") if soup.html is not None else None
    if lang:
        draft.meta["declared_language"] = str(lang).split("-")[0].lower()
    return draft


FURNITURE_CLASSES: tuple[tuple[re.Pattern[str], RemovalReason], ...] = (
    (
        re.compile(r"share|sharing|social|sharedaddy|addtoany|sociable", re.I),
        RemovalReason.SHARE_BUTTONS,
    ),
    (
        re.compile(r"newsletter|subscribe|signup|sign-up|inscription|abonnement", re.I),
        RemovalReason.NEWSLETTER,
    ),
    (
        re.compile(r"related|read-?more|lire-?aussi|a-lire|recommend|more-stories|also-read", re.I),
        RemovalReason.READ_ALSO,
    ),
    (re.compile(r"trending|most-read|popular|les-plus-lus", re.I), RemovalReason.TRENDING),
    (
        re.compile(r"\b(?:ad|ads|advert|advertisement|sponsor|promo|pub|publicite)\b", re.I),
        RemovalReason.SITE_BANNER,
    ),
    (re.compile(r"breadcrumb|menu|navbar|skip-link|pagination", re.I), RemovalReason.NAVIGATION),
    (re.compile(r"credit|caption|legende|légende", re.I), RemovalReason.PHOTO_CREDIT),
)
CONTAINER_REASONS = {
    "nav": RemovalReason.NAVIGATION,
    "header": RemovalReason.SITE_BANNER,
    "footer": RemovalReason.NAVIGATION,
    "aside": RemovalReason.READ_ALSO,
    "form": RemovalReason.NEWSLETTER,
}


def _drop_html_furniture(soup: Any) -> list[Removed]:
    """Take site furniture out of the page, listing each piece with its reason."""
    removed: list[Removed] = []
    for tag in soup.find_all(["script", "style", "noscript", "template", "svg", "iframe"]):
        tag.decompose()
    candidates = []
    for tag in soup.find_all(True):
        container = CONTAINER_REASONS.get(tag.name)
        if tag.name == "header" and tag.find_parent("article") is not None:
            container = None  # an article's own header holds its title
        reason = None
        if tag.name in {
            "div",
            "section",
            "ul",
            "aside",
            "p",
            "span",
            "figure",
            "nav",
            "form",
            "footer",
        }:
            marks = " ".join(
                [
                    *(tag.get("class") or []),
                    str(tag.get("id") or ""),
                    str(tag.get("role") or ""),
                    str(tag.get("aria-label") or ""),
                ]
            )
            # a class name alone never removes a block that reads like the article itself
            prose = len(tag.find_all("p")) > 3 or len(tag.get_text(" ", strip=True)) > 1000
            if marks.strip() and not prose:
                for pattern, why in FURNITURE_CLASSES:
                    if pattern.search(marks):
                        reason = why
                        break
        reason = reason or container  # what the class says beats what the tag implies
        if tag.name == "form" and reason is RemovalReason.NEWSLETTER:
            text = tag.get_text(" ", strip=True).lower()
            if not re.search(r"newsletter|abonn|inscri|subscribe|sign up|e-?mail", text):
                reason = RemovalReason.NAVIGATION
        if reason is not None:
            candidates.append((tag, reason))
    for tag, reason in candidates:
        if tag.find_parent(lambda t: any(t is c for c, _ in candidates)) is not None:
            continue  # listed with its container
        if tag.name != "figcaption" and tag.find_parent("figcaption") is not None:
            continue  # the credit inside a caption goes out with the whole caption
        text = re.sub(r"\s+", " ", tag.get_text(" ", strip=True))
        if text:
            removed.append(Removed(text[:300], reason))
        tag.decompose()
    return removed


BLOCK_TAGS = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote", "dd", "dt", "pre", "td"]
DROP_TAGS = [
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "button",
    "svg",
    "iframe",
    "template",
]


def _block_count(markdown: str | None) -> int:
    return len([b for b in re.split(r"\n\s*\n", markdown or "") if b.strip()])


def _dom_markdown(soup: Any) -> str:
    """A plain walk of the main container's blocks into Markdown (links kept)."""
    for tag in soup.find_all(DROP_TAGS):
        tag.decompose()
    root = (
        soup.find("article")
        or soup.find("main")
        or soup.find(attrs={"role": "main"})
        or soup.body
        or soup
    )
    blocks: list[str] = []
    for block in root.find_all(BLOCK_TAGS):
        if block.find_parent(BLOCK_TAGS) is not None:
            continue  # nested blocks are rendered with their parent
        for string in list(block.find_all(string=True)):
            escaped = re.sub(r"([\\`*_\[\]()#!<>])", r"\\\1", str(string))
            if escaped != str(string):
                string.replace_with(escaped)
        for anchor in block.find_all("a"):
            href = anchor.get("href") or ""
            text = re.sub(r"\s+", " ", anchor.get_text("")).strip()
            if href.startswith(("http://", "https://")) and text:
                anchor.replace_with(f"[{text}]({href})")
        for br in block.find_all("br"):
            br.replace_with(" ")
        # no separator: inline tags (<a>, <em>, <sup>) must not add spaces ("l'opération")
        text = re.sub(r"\s+", " ", block.get_text("")).strip()
        if not text:
            continue
        if block.name and block.name[0] == "h" and block.name[1:].isdigit():
            text = "#" * int(block.name[1:]) + " " + text
        blocks.append(text)
    return "\n\n".join(blocks)


def _looks_like_notes(ol: Any) -> bool:
    ident = " ".join([str(ol.get("id") or ""), " ".join(ol.get("class") or [])]).lower()
    if any(k in ident for k in ("note", "footnote", "reference", "fn", "ref")):
        return True
    prev = ol.find_previous(["h2", "h3", "h4", "p", "strong"])
    heading = prev.get_text(" ", strip=True).lower() if prev is not None else ""
    return heading.rstrip(" :") in {
        "notes",
        "références",
        "references",
        "sources",
        "footnotes",
        "bibliographie",
        "bibliography",
        "notes et références",
    }


def read_text(text: str) -> Draft:
    """Plain text: links are the bare URLs written in it."""
    return Draft(text=text)


# ---------------------------------------------------------------------------
# Cleaning shared by every format


@lru_cache(maxsize=8)
def _furniture_patterns(
    extra_files: tuple[str, ...],
) -> tuple[tuple[RemovalReason, re.Pattern[str]], ...]:
    from auditor.lexicons import load_lexicon

    lexicon = load_lexicon("furniture", extra_files)
    compiled: list[tuple[RemovalReason, re.Pattern[str]]] = []
    for category, patterns in lexicon.items():
        reason = RemovalReason(category)
        for pattern in patterns:
            compiled.append((reason, re.compile(pattern, re.IGNORECASE)))
    return tuple(compiled)


# Categories that only ever match a line with no sentence-final punctuation.
STRICT_FURNITURE = {
    RemovalReason.DATE_LINE,
    RemovalReason.NAVIGATION,
    RemovalReason.SHARE_BUTTONS,
    RemovalReason.SITE_BANNER,
    RemovalReason.TRENDING,
    RemovalReason.PHOTO_CREDIT,
    RemovalReason.READ_ALSO,
}


def classify_furniture(
    line: str, extra_files: tuple[str, ...] = (), *, standalone: bool = True
) -> RemovalReason | None:
    """The furniture category of a whole line, or None when it is article text.

    ``standalone`` says the line is not the continuation of a sentence on the line before
    (or continued on the line after); only then can it be leaked image alt text.
    """
    stripped = line.strip().strip("*_#>").strip()
    if not stripped or len(stripped) > 300:
        return None
    ends_sentence = stripped[-1] in ".!" and not stripped.endswith("...")
    for reason, pattern in _furniture_patterns(extra_files):
        if reason in STRICT_FURNITURE and (ends_sentence or len(stripped) > 160):
            continue
        if pattern.fullmatch(stripped):
            if reason is RemovalReason.READ_ALSO and _points_to_external_work(stripped):
                return None  # "Voir aussi : l'enquête du Washington Post" is a reference
            return reason
    if standalone and _looks_like_alt_text(stripped):
        return RemovalReason.IMAGE_ALT_TEXT
    return None


@lru_cache(maxsize=1)
def _external_work_re() -> re.Pattern[str]:
    from auditor.lexicons import load_lexicon

    lex = load_lexicon("references")
    work = "|".join(f"(?:{p})" for p in lex["work"])
    place = "|".join(f"(?:{p})" for p in lex["place"])
    return re.compile(rf"\b(?:{work})\s+(?:{place})\s+(?:l['’]|la |le |les |the )?[A-Z]", re.I)


def _points_to_external_work(line: str) -> bool:
    rest = line.split(":", 1)[1] if ":" in line else line
    return bool(_external_work_re().search(rest))


def _looks_like_alt_text(line: str) -> bool:
    """Image descriptions leaked into copied text: lowercase start, no punctuation, short."""
    words = line.split()
    return (
        3 <= len(words) <= 30
        and line[0].islower()
        and line[-1] not in TERMINAL + ",;)]"
        and not URL_RE.search(line)
        and not re.match(r"^(?:et|ou|mais|and|or|but|which|qui|que)\b", line)
    )


SYNDICATION_RE = {
    "canonical_url": re.compile(
        r"^\s*(?:source link|lien source|original source|source url)\s*:\s*(\S*)\s*$", re.I
    ),
    "author": re.compile(r"^\s*(?:author|auteur)\s*:\s*(.*?)\s*$", re.I),
    "published": re.compile(
        r"^\s*(?:publish(?:ed)? date|publication date|date de publication|publié le)\s*:\s*(.*?)\s*$",
        re.I,
    ),
}


def _remove_furniture(draft: Draft, extra_files: tuple[str, ...]) -> None:
    """Drop furniture lines, turning syndication lines into metadata."""
    lines = draft.text.split("\n")
    edits: list[Edit] = []
    offsets = []
    pos = 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    heading_starts = {s for s, _ in draft.headings}
    in_trending = False
    list_reason = RemovalReason.TRENDING
    content_seen = False
    for number, line in enumerate(lines):
        start = offsets[number]
        stripped = line.strip()
        reason: RemovalReason | None = None
        if not stripped:
            continue
        if in_trending and (
            LIST_ITEM_RE.match(line)
            or (
                list_reason is RemovalReason.TRENDING
                and len(stripped) < 160
                and stripped[-1] not in ".:"
            )
        ):
            reason = list_reason
        else:
            in_trending = False
            for key, pattern in SYNDICATION_RE.items():
                m = pattern.match(line)
                if m:
                    value = m.group(1).strip()
                    if value and not draft.meta.get(key):
                        draft.meta[key] = value
                    reason = RemovalReason.SYNDICATION_METADATA
                    break
            if reason is None and start not in heading_starts:
                before = lines[number - 1].rstrip() if number else ""
                after = lines[number + 1].lstrip() if number + 1 < len(lines) else ""
                standalone = (not before or before[-1] in TERMINAL) and (
                    not after or not after[0].islower()
                )
                reason = classify_furniture(line, extra_files, standalone=standalone)
                if reason is RemovalReason.IMAGE_ALT_TEXT and not content_seen and number == 0:
                    reason = None
            # a bare "Trending" / "À lire aussi" heading owns the list that follows it
            if reason is RemovalReason.TRENDING or (
                reason is RemovalReason.READ_ALSO and not re.search(r":\s*\S", stripped)
            ):
                in_trending = True
                list_reason = reason
        if reason is None:
            content_seen = True
            continue
        if reason is RemovalReason.NEWSLETTER and not draft.meta.get("site"):
            site = re.search(r"\b(?:de|of|from)\s+([A-Z][\w'’ .-]{1,40})\s*$", stripped)
            if site:
                draft.meta["site"] = site.group(1).strip()
        draft.removed.append(Removed(stripped, reason, number + 1))
        end = start + len(line) + (1 if number < len(lines) - 1 else 0)
        edits.append(Edit(start, end, ""))
    _apply(draft, edits)


def _apply(draft: Draft, edits: Sequence[Edit]) -> None:
    if not edits:
        return
    draft.text, mapping = apply_edits(draft.text, edits)
    links = []
    for link in draft.links:
        span = mapping.span(link.start, link.end)
        if span is not None:
            links.append(replace(link, start=span[0], end=span[1]))
    draft.links = links
    draft.headings = [s for s in (mapping.span(a, b) for a, b in draft.headings) if s is not None]


GLUED_SENTENCE_RE = re.compile(
    rf"(?<=[{LOWER}0-9%)\]»”\"])(?P<stop>[.!?…])(?P<next>[«“”\"]?[{UPPER}][{LOWER}’'])"
)
GLUED_HEADING_RE = re.compile(rf"(?<=[{LOWER}])(?=[{UPPER}](?:[{LOWER}’']| [{LOWER}]))")


def _repair(draft: Draft, repairs: list[Repair]) -> None:
    """Split glued sentences and glued headings; join hard line breaks."""
    _join_hard_breaks(draft, repairs)
    protected = _protected_spans(draft)
    edits: list[Edit] = []
    text = draft.text
    for m in GLUED_SENTENCE_RE.finditer(text):
        at = m.start("next")
        if any(a <= at < b for a, b in protected):
            continue
        heading_end = _glued_heading_end(text, at)
        if heading_end is not None:
            edits.append(Edit(at, at, "\n\n"))
            edits.append(Edit(heading_end, heading_end, "\n\n"))
            repairs.append(
                Repair(
                    "glued-heading",
                    at,
                    f"heading {text[at:heading_end]!r} glued to the text around it",
                )
            )
        else:
            edits.append(Edit(at, at, " "))
            repairs.append(
                Repair("glued-sentence", at, f"no space after {text[max(0, at - 12) : at]!r}")
            )
    _apply(draft, edits)


def _glued_heading_end(text: str, start: int) -> int | None:
    """Where a heading glued to the next paragraph ends (``…nord-coréennesC'est``)."""
    window = text[start : start + 120]
    # a heading may hold a comma or a colon ("Le rail, artère de l'échange"), not a sentence end
    stop = re.search(r"[.!?…;\n«»“”\"]", window)
    limit = stop.start() if stop else len(window)
    for m in GLUED_HEADING_RE.finditer(window, 1, limit):
        left = window[: m.start()]
        words = left.split()
        rest = text[start + m.start() :]
        if not 1 <= len(words) <= 12 or len(words[-1]) < 3:
            continue
        following = rest.split(None, 4)
        if len(following) < 4:
            continue
        glued_token = words[-1].split("-")[-1] + re.match(r"\S*", rest).group(0)  # type: ignore[union-attr]
        if text.count(glued_token) > 1:  # a real CamelCase word used elsewhere
            continue
        return start + m.start()
    return None


def _protected_spans(draft: Draft) -> list[tuple[int, int]]:
    spans = [(m.start(), m.end()) for m in URL_RE.finditer(draft.text)]
    spans += [(link.start, link.end) for link in draft.links]
    spans += [(m.start(), m.end()) for m in re.finditer(r"\b(?:[\w-]+\.)+[a-z]{2,}\b", draft.text)]
    return spans


def _join_hard_breaks(draft: Draft, repairs: list[Repair]) -> None:
    """Join line breaks that fall inside a sentence; keep paragraph and list breaks."""
    lines = draft.text.split("\n")
    lengths = sorted(len(line) for line in lines if len(line.strip()) > 40)
    wrapped = False
    if len(lengths) >= 5:
        width = lengths[int(len(lengths) * 0.9) - 1]
        near = sum(1 for n in lengths if width - 25 <= n <= width)
        wrapped = width <= 100 and near >= 0.6 * len(lengths)
    heading_starts = {s for s, _ in draft.headings}
    edits: list[Edit] = []
    pos = 0
    for i, line in enumerate(lines[:-1]):
        nxt = lines[i + 1]
        end = pos + len(line)
        this, after = line.rstrip(), nxt.lstrip()
        joinable = (
            bool(this)
            and bool(after)
            and end + 1 not in heading_starts
            and pos not in heading_starts
        )
        if joinable and not LIST_ITEM_RE.match(nxt) and not re.match(r"^\s*\[\d+\]", nxt):
            mid_sentence = this[-1] not in TERMINAL and (after[0].islower() or after[0] in ",;)")
            if mid_sentence or (wrapped and this[-1] not in ".!?…:"):
                edits.append(Edit(end, end + 1, " "))
                repairs.append(
                    Repair("joined-line-break", end, f"line break inside {this[-20:]!r}")
                )
        pos = end + 1
    _apply(draft, edits)


def _normalise_paragraphs(draft: Draft) -> None:
    """One blank line between paragraphs, no trailing spaces, no empty lines at the edges."""
    edits: list[Edit] = []
    for m in re.finditer(r"[ \t\u00a0]+(?=\n)|[ \t]+\Z", draft.text):
        edits.append(Edit(m.start(), m.end(), ""))
    _apply(draft, edits)
    lead = re.match(r"\s*", draft.text)
    trail = re.search(r"\s*\Z", draft.text)
    body_start = lead.end() if lead else 0
    body_end = trail.start() if trail else len(draft.text)
    edits = [
        Edit(m.start(), m.end(), "\n\n")
        for m in re.finditer(r"\n+", draft.text)
        if m.start() >= body_start and m.end() <= body_end
    ]
    if body_start:
        edits.append(Edit(0, body_start, ""))
    if body_end < len(draft.text) and body_end >= body_start:
        edits.append(Edit(body_end, len(draft.text), ""))
    _apply(draft, edits)
    edits = []
    for m in re.finditer(r"(?<=\S)[ \t\u00a0]{2,}(?=\S)", draft.text):
        edits.append(Edit(m.start(), m.end(), " "))
    _apply(draft, edits)


def _bare_links(draft: Draft) -> None:
    taken = [(link.start, link.end) for link in draft.links]
    for m in URL_RE.finditer(draft.text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        draft.links.append(InlineLink(m.group(0), m.group(0), m.start(), m.end(), LinkOrigin.BARE))
    draft.links.sort(key=lambda link: link.start)


MONTHS = {
    "janvier": 1,
    "février": 2,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "août": 8,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "décembre": 12,
    "decembre": 12,
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
}
DATELINE_RE = re.compile(
    r"^\(?(?P<city>[A-ZÀ-Ý][\w' -]{1,30}),\s+(?:le\s+)?(?P<day>\d{1,2})(?:er)?\s+(?P<month>[A-Za-zéû]+)\s+"
    r"(?P<year>\d{4})\)?"
)


def _dateline_date(text: str) -> str | None:
    for paragraph in text.split("\n\n")[:4]:
        m = DATELINE_RE.match(paragraph)
        if m and m["month"].lower() in MONTHS:
            return f"{int(m['year']):04d}-{MONTHS[m['month'].lower()]:02d}-{int(m['day']):02d}"
    return None


def _normalise_date(value: str | None) -> str | None:
    if not value:
        return None
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?", value.strip())
    if m:
        if m.group(4):
            return f"{m.group(1)}-{m.group(2)}-{m.group(3)}T{m.group(4)}:{m.group(5)}:{m.group(6) or '00'}"
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    return value.strip()


def _guess_title(text: str, headings: Sequence[tuple[int, int]]) -> str | None:
    first = text.split("\n\n", 1)[0].strip()
    if headings and headings[0][0] == 0:
        return text[headings[0][0] : headings[0][1]]
    words = first.split()
    if 2 <= len(words) <= 25 and first[-1] not in ".:;," and "[" not in first:
        return first
    return None


def detect_language(text: str, default: str = "fr") -> tuple[str, float]:
    """ISO 639-1 code of the text's language and a confidence in [0, 1]."""
    sample = re.sub(r"https?://\S+", " ", text)[:20000]
    if len(sample.split()) < 3:
        return default, 0.0
    import py3langid as langid

    ranked = langid.rank(sample)
    # Turn log-probabilities into probabilities over the two best, enough for a confidence.
    lang, best = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else best - 50.0
    import math

    confidence = 1.0 / (1.0 + math.exp(max(-50.0, min(50.0, second - best))))
    return lang, round(confidence, 3)


def clean(draft: Draft, *, furniture_files: tuple[str, ...] = ()) -> tuple[Draft, list[Repair]]:
    """Remove furniture, repair damage and normalise paragraphs of a draft."""
    repairs: list[Repair] = []
    draft.text = draft.text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    _remove_furniture(draft, furniture_files)
    _repair(draft, repairs)
    _normalise_paragraphs(draft)
    _bare_links(draft)
    return draft, repairs


def ingest_text(
    text: str,
    *,
    source: str = "-",
    input_format: InputFormat = InputFormat.TEXT,
    raw: bytes | None = None,
    encoding: str = "utf-8",
    options: IngestOptions | None = None,
    base_url: str | None = None,
) -> Article:
    """Build an ``Article`` from decoded text of a known format."""
    options = options or IngestOptions()
    if input_format is InputFormat.HTML:
        draft = read_html(text, base_url)
    elif input_format is InputFormat.MARKDOWN:
        draft = read_markdown(text)
    else:
        draft = read_text(text)
    draft, repairs = clean(draft, furniture_files=options.furniture_files)
    if not draft.text.strip():
        raise InputError(f"{source}: no article text left after reading")
    language, confidence = detect_language(draft.text, options.default_language)
    declared = draft.meta.get("declared_language")
    if confidence < 0.6 and declared:
        language = declared
    canonical = draft.meta.get("canonical_url") or (base_url if base_url else None)
    if canonical and not re.match(r"^https?://[^\s/]+", canonical, re.IGNORECASE):
        canonical = None  # only a web address can be the article's canonical URL
    site = draft.meta.get("site")
    if not site and canonical:
        host = urlsplit(canonical).hostname or ""
        site = host.removeprefix("www.") or None
    meta = DocumentMeta(
        title=draft.meta.get("title") or _guess_title(draft.text, draft.headings),
        canonical_url=canonical,
        published=_normalise_date(draft.meta.get("published")) or _dateline_date(draft.text),
        author=draft.meta.get("author") or None,
        site=site,
        language=language,
        language_confidence=confidence,
    )
    raw_bytes = raw if raw is not None else text.encode("utf-8")
    return Article(
        source=source,
        input_format=input_format,
        text=draft.text,
        sha256=hashlib.sha256(raw_bytes).hexdigest(),
        meta=meta,
        links=tuple(draft.links),
        heading_spans=tuple(draft.headings),
        removed=tuple(draft.removed),
        repairs=tuple(repairs),
        encoding=encoding,
    )


def ingest_bytes(
    data: bytes,
    *,
    source: str,
    suffix: str = "",
    content_type: str = "",
    options: IngestOptions | None = None,
    base_url: str | None = None,
) -> Article:
    """Decode, sniff the format and ingest raw bytes."""
    options = options or IngestOptions()
    if len(data) > options.max_input_bytes:
        raise InputError(
            f"{source}: too large (over the {_mb(options.max_input_bytes)} cap, "
            "see ingest.max_input_bytes)"
        )
    text, encoding = decode(data, source)
    fmt = sniff_format(text, suffix, content_type)
    return ingest_text(
        text,
        source=source,
        input_format=fmt,
        raw=data,
        encoding=encoding,
        options=options,
        base_url=base_url,
    )


def ingest(
    spec: str,
    *,
    options: IngestOptions | None = None,
    offline: bool = False,
    stdin: IO[bytes] | None = None,
    transport: Any = None,
) -> Article:
    """Read one input: a path, an http(s) URL, or ``-`` for standard input."""
    options = options or IngestOptions()
    if spec == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        return ingest_bytes(read_stream(stream, options), source="-", options=options)
    if is_url(spec):
        if offline:
            raise InputError(f"{spec}: is a URL and --offline forbids network access")
        data, ctype = fetch_url(spec, options, transport=transport)
        return ingest_bytes(
            data, source=spec, content_type=ctype or "text/html", options=options, base_url=spec
        )
    if re.match(r"^[a-z][a-z0-9+.-]*://", spec, re.IGNORECASE):
        raise InputError(f"{spec}: unsupported URL scheme (only http and https)")
    path = Path(spec)
    return ingest_bytes(
        read_path(path, options), source=str(path), suffix=path.suffix, options=options
    )
