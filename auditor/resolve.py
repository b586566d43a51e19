"""Resolve cited URLs: is the page still there, and is it what was cited?

One ``httpx.AsyncClient`` checks every URL of a run with a global concurrency limit, a
per-host limit and a minimum interval between request starts to one host. Redirects are
followed by hand so that every hop is recorded; retries with backoff cover connection errors,
429 and 503 (``Retry-After`` honoured, capped). Bodies are streamed and capped twice: raw bytes
as received and decoded bytes, so a gzip bomb stops at the cap without filling memory.

Each URL gets a frozen :class:`LinkCheck` whose :class:`LinkStatus` comes with the evidence that
decided it. Classification from the recorded hops is a pure function (:func:`classify`); the
network code only gathers what it needs. See ``docs/resolver.md`` for the taxonomy.

Method: GET, streamed. A page needs its body for the title, the soft-404 comparison, the main
text and the archive; for anything else the response is closed after its headers, which costs
what a HEAD costs. HEAD is used only for URLs that name a binary document (``.pdf``, ``.zip``,
images…) when nothing needs the body, and any HEAD answer other than 2xx/3xx is re-asked
with GET (servers commonly answer HEAD with 403, 404 or 405 for pages that exist).
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import html
import http.cookiejar
import re
import secrets
import socket
import ssl
import sys
import time
import zlib
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from auditor.errors import ConfigError

try:  # httpcore imports sniffio on every request; when it is absent each failed import
    import sniffio  # noqa: F401  scans sys.path (~0.5 ms a request): fail fast instead
except ImportError:
    sys.modules.setdefault("sniffio", None)  # type: ignore[arg-type]

if TYPE_CHECKING:
    from auditor.archive import Snapshot

DEFAULT_USER_AGENT = "auditor/0.1 (source-credibility auditor for fact-checkers; link check)"
ROBOTS_TOKEN = "auditor"

# ---------------------------------------------------------------------------
# Status taxonomy


class LinkStatus(StrEnum):
    """What a cited URL turned out to be (closed set; see docs/resolver.md)."""

    OK = "ok"
    REDIRECTED = "redirected"  # redirects, then a page that is not the site root nor an error
    MOVED_TO_HOMEPAGE = "moved-to-homepage"  # redirected to the site root
    SOFT_404 = "soft-404"  # a 2xx that is really a missing page
    NOT_FOUND = "not-found"  # 404
    GONE = "gone"  # 410
    FORBIDDEN = "forbidden"  # 403, 451, bot challenges
    PAYWALL = "paywall"  # 402, subscription redirect, isAccessibleForFree=false
    LOGIN_WALL = "login-wall"  # 401, redirect to a login page
    RATE_LIMITED = "rate-limited"  # 429 after the allowed retries
    CLIENT_ERROR = "client-error"  # another 4xx (400, 405, 414…)
    SERVER_ERROR = "server-error"  # 5xx after the allowed retries
    TIMEOUT = "timeout"
    DNS_FAILURE = "dns-failure"
    TLS_ERROR = "tls-error"
    CONNECTION_REFUSED = "connection-refused"
    CONNECTION_ERROR = "connection-error"  # reset, closed mid-answer, protocol violation
    INVALID_URL = "invalid-url"
    UNSUPPORTED_SCHEME = "unsupported-scheme"
    TOO_LARGE = "too-large"
    REDIRECT_LOOP = "redirect-loop"
    TOO_MANY_REDIRECTS = "too-many-redirects"
    NOT_CHECKED = "not-checked"  # offline run


#: Statuses that count as a broken link (``auditor links check`` exits 2 on any of them).
BROKEN: frozenset[LinkStatus] = frozenset(
    {
        LinkStatus.MOVED_TO_HOMEPAGE,
        LinkStatus.SOFT_404,
        LinkStatus.NOT_FOUND,
        LinkStatus.GONE,
        LinkStatus.CLIENT_ERROR,
        LinkStatus.SERVER_ERROR,
        LinkStatus.TIMEOUT,
        LinkStatus.DNS_FAILURE,
        LinkStatus.TLS_ERROR,
        LinkStatus.CONNECTION_REFUSED,
        LinkStatus.CONNECTION_ERROR,
        LinkStatus.INVALID_URL,
        LinkStatus.REDIRECT_LOOP,
        LinkStatus.TOO_MANY_REDIRECTS,
    }
)
#: The page exists but the reader cannot see it freely: not broken, not verified either.
RESTRICTED: frozenset[LinkStatus] = frozenset(
    {LinkStatus.FORBIDDEN, LinkStatus.PAYWALL, LinkStatus.LOGIN_WALL}
)
#: Failures that may pass: never cached, worth re-checking on the next run.
TRANSIENT: frozenset[LinkStatus] = frozenset(
    {
        LinkStatus.RATE_LIMITED,
        LinkStatus.SERVER_ERROR,
        LinkStatus.TIMEOUT,
        LinkStatus.DNS_FAILURE,
        LinkStatus.CONNECTION_REFUSED,
        LinkStatus.CONNECTION_ERROR,
    }
)
#: Results a cache may keep (successes only: a failure is never cached as final).
CACHEABLE: frozenset[LinkStatus] = frozenset({LinkStatus.OK, LinkStatus.REDIRECTED})


# ---------------------------------------------------------------------------
# Records


@dataclass(frozen=True, slots=True)
class Hop:
    """One request of a redirect chain."""

    url: str
    status_code: int
    location: str | None  # the Location header (absolute), or a meta refresh target
    elapsed_ms: float
    ip: str | None = None
    method: str = "GET"


@dataclass(frozen=True, slots=True)
class Exchange:
    """One HTTP exchange as received, handed to an archive sink.

    ``body`` is the payload as it came off the wire: still content-encoded (gzip stays gzip),
    transfer-encoding removed by the HTTP library (so a ``Transfer-Encoding`` header is kept
    under ``X-Archive-Orig-Transfer-Encoding`` by the archive).
    """

    url: str
    method: str
    request_target: str  # path and query as sent
    request_headers: tuple[tuple[bytes, bytes], ...]
    http_version: str
    status_code: int
    reason: str
    response_headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    remote_ip: str | None
    started_at: datetime


@dataclass(frozen=True, slots=True)
class LinkCheck:
    """The result of checking one URL, with the evidence that decided its status."""

    url: str
    status: LinkStatus
    evidence: str
    final_url: str | None = None
    hops: tuple[Hop, ...] = ()
    http_status: int | None = None
    content_type: str | None = None
    title: str | None = None
    canonical: str | None = None
    publisher_domain: str | None = None
    published: str | None = None
    text_fingerprint: str | None = None
    checked_at: str = ""
    timings: float = 0.0  # total milliseconds spent on the URL (network and waits)
    attempts: int = 0  # HTTP requests made for this URL (hops and retries, probes excluded)
    error: str | None = None  # the exception behind a failure, "Type: message"
    cached: bool = False
    snapshot: Snapshot | None = None
    archive_note: str | None = None  # why a fetched page was not archived
    main_text: str | None = field(default=None, repr=False, compare=False)

    @property
    def broken(self) -> bool:
        """True when the status counts as a broken link."""
        return self.status in BROKEN


class ArchiveSink(Protocol):
    """Where the resolver hands the exchanges of every successful fetch."""

    respect_robots: bool

    def write(
        self, url: str, exchanges: Sequence[Exchange], *, main_text: str | None
    ) -> Snapshot | None:
        """Archive one fetched URL; return where its final response was stored."""
        ...


# ---------------------------------------------------------------------------
# Options

# Keys of the ``resolve:`` section and the type each takes (defaults: ResolverOptions).
_RESOLVE_KEYS: dict[str, type] = {
    "max_concurrency": int,
    "host_concurrency": int,
    "host_interval": float,
    "connect_timeout": float,
    "read_timeout": float,
    "deadline": float,
    "max_bytes": int,
    "max_decompressed_bytes": int,
    "max_redirects": int,
    "retries": int,
    "backoff": float,
    "max_retry_wait": float,
    "user_agent": str,
    "soft404_probe": bool,
    "extract": bool,
    "use_head": bool,
    "trust_env": bool,
}


@dataclass(frozen=True, slots=True)
class ResolverOptions:
    """Resolver settings (the ``resolve:`` section of the configuration)."""

    max_concurrency: int = 32
    host_concurrency: int = 4
    host_interval: float = 0.1  # seconds between request starts to one host
    connect_timeout: float = 10.0
    read_timeout: float = 15.0
    deadline: float = 30.0  # seconds of network time per URL, all hops and retries
    max_bytes: int = 10 * 1024 * 1024  # raw body cap
    max_decompressed_bytes: int = 20 * 1024 * 1024  # decoded body cap
    max_redirects: int = 10
    retries: int = 2  # extra attempts after a retriable failure
    backoff: float = 0.5  # first retry wait; doubles each attempt
    max_retry_wait: float = 30.0  # longest wait for one retry (Retry-After included)
    user_agent: str = DEFAULT_USER_AGENT
    soft404_probe: bool = True  # compare 200 pages with a random sibling path
    extract: bool = True  # main text, date and fingerprint (trafilatura); off is faster
    use_head: bool = True  # HEAD for binary documents when nothing needs their body
    trust_env: bool = True  # honour proxy variables
    offline: bool = False  # report every URL as not-checked

    def __post_init__(self) -> None:
        positive = ("max_concurrency", "host_concurrency", "max_bytes", "max_decompressed_bytes")
        for name in positive:
            if getattr(self, name) < 1:
                raise ConfigError(f"'resolve.{name}' must be at least 1")
        for name in ("connect_timeout", "read_timeout", "deadline"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"'resolve.{name}' must be a positive number of seconds")
        for name in ("host_interval", "backoff", "max_retry_wait", "retries", "max_redirects"):
            if getattr(self, name) < 0:
                raise ConfigError(f"'resolve.{name}' must not be negative")

    @classmethod
    def from_settings(cls, settings: Any, *, offline: bool = False) -> ResolverOptions:
        """Build options from ``Settings`` (or a mapping of the whole configuration).

        Unknown keys and wrong types raise ``ConfigError`` naming the key. An unset
        ``resolve.user_agent`` falls back to ``fetch.user_agent``.
        """
        section = _section(settings, "resolve")
        values: dict[str, Any] = {}
        for key, value in section.items():
            if key not in _RESOLVE_KEYS:
                raise ConfigError(f"unknown key 'resolve.{key}'")
            if value is None:
                continue
            values[key] = _typed(f"resolve.{key}", value, _RESOLVE_KEYS[key])
        if "user_agent" not in values:
            fetch_ua = _section(settings, "fetch").get("user_agent")
            if isinstance(fetch_ua, str) and fetch_ua:
                values["user_agent"] = fetch_ua
        return cls(offline=offline, **values)


def _typed(dotted: str, value: Any, kind: type) -> Any:
    """Check a setting's type (an int is accepted for a float); raise ConfigError."""
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, kind) and (kind is bool or not isinstance(value, bool)):
        return value
    names = {int: "an integer", float: "a number", bool: "true or false", str: "a string"}
    raise ConfigError(f"'{dotted}' must be {names[kind]}, not {value!r}")


def _section(settings: Any, name: str) -> Mapping[str, Any]:
    if hasattr(settings, "section"):
        value = settings.section(name)
    elif isinstance(settings, Mapping):
        value = settings.get(name) or {}
    else:
        value = {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"'{name}' must be a mapping of keys")
    return value


# ---------------------------------------------------------------------------
# URLs

_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_HOST_RE = re.compile(r"^(?=.{1,253}$)(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.?)+$")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class InvalidURL(ValueError):
    """A URL that cannot be fetched: the message says why."""

    def __init__(self, message: str, status: LinkStatus = LinkStatus.INVALID_URL) -> None:
        super().__init__(message)
        self.status = status


def parse_url(url: str) -> httpx.URL:
    """Parse and validate an http(s) URL; raise :class:`InvalidURL` with the reason."""
    text = url.strip()
    if not text:
        raise InvalidURL("empty URL")
    if any(ch.isspace() for ch in text) or any(ord(ch) < 32 for ch in text):
        raise InvalidURL("whitespace or control character inside the URL")
    match = _SCHEME_RE.match(text)
    if not match:
        raise InvalidURL("no scheme (expected http:// or https://)")
    scheme = match.group(1).lower()
    if scheme not in _DEFAULT_PORTS:
        raise InvalidURL(f"scheme '{scheme}:' is not fetched", LinkStatus.UNSUPPORTED_SCHEME)
    if not text[match.end() :].startswith("//"):
        raise InvalidURL("no '//' after the scheme")
    try:
        parsed = httpx.URL(text)
    except (httpx.InvalidURL, ValueError) as exc:
        raise InvalidURL(f"unparsable: {exc}") from None
    host = parsed.host
    if not host:
        raise InvalidURL("no host")
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise InvalidURL(f"port {parsed.port} out of range")
    ascii_host = parsed.raw_host.decode("ascii", "replace")
    if ":" not in ascii_host and not _HOST_RE.match(ascii_host):
        raise InvalidURL(f"host {host!r} is not a valid name")
    return parsed


def normalise_url(url: str) -> str:
    """The key a URL is checked under: lower-case scheme and host, no default port, no
    fragment, ``/`` for an empty path. Raise :class:`InvalidURL` when it cannot be fetched."""
    parsed = parse_url(url)
    return _url_key(parsed)


def _url_key(parsed: httpx.URL) -> str:
    scheme = parsed.scheme
    host = parsed.raw_host.decode("ascii").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parsed.port
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    target = parsed.raw_path.decode("ascii") or "/"
    return f"{scheme}://{netloc}{target}"


def registered_domain(url_or_host: str) -> str | None:
    """The publisher domain: the registered domain (``bbc.co.uk``), offline; an IP address
    or a single-label host (``localhost``) is returned as it is."""
    from auditor.registry import registered_domain as registry_domain

    found = registry_domain(url_or_host)
    if found is not None:
        return found
    host: str | None = url_or_host
    if "/" in url_or_host:
        try:
            host = urlsplit(url_or_host).hostname
        except ValueError:
            return None
    host = (host or "").strip("[]").rstrip(".").lower()
    return host or None


# ---------------------------------------------------------------------------
# Pure helpers: Retry-After, HTML summary, fingerprints


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP date)."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(int(text))
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


_TITLE_RE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.I | re.S)
_TAG_RE = re.compile(r"<(link|meta)\b([^>]*)>", re.I)
_ATTR_RE = re.compile(
    r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))"""
)
_STRIP_BLOCKS_RE = re.compile(
    r"<(script|style|noscript|template|svg)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S
)
_ANY_TAG_RE = re.compile(r"<[^>]+>")
_WORD_RE = re.compile(r"\w+", re.U)
_FREE_RE = re.compile(r'"isAccessibleForFree"\s*:\s*"?(false|False|FALSE)"?')
_REFRESH_RE = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*(?:[;,]\s*(?:url\s*=\s*)?['\"]?([^'\"]+?)['\"]?)?\s*$", re.I
)
_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)

# Titles that announce a missing page, in French and English.
NOT_FOUND_TITLE_RE = re.compile(
    r"""
    ^\s*(?:erreur\s*|error\s*)?40[14]\s*$
    | \b(?:erreur|error|err)\s*:?\s*40[14]\b
    | \b40[14]\s*[-–—:|]?\s*(?:not\s+found|page|error|erreur|introuvable|non\s+trouv)
    | \bpage\s+(?:not\s+found|introuvable|non\s+trouv[ée]e|inexistante|not\s+available)
    | \b(?:not\s+found|introuvable)\s*$
    | ^\s*(?:not\s+found|introuvable)\b
    | \bcette\s+page\s+n'existe\s+(?:pas|plus)
    | \bla\s+page\s+(?:demand[ée]e\s+)?n'existe\s+(?:pas|plus)
    | \bpage\s+(?:does\s+not|doesn't)\s+exist
    | \b(?:article|contenu|page)\s+(?:introuvable|supprim[ée]e?|indisponible)\b
    | \b(?:article|content|page)\s+(?:no\s+longer\s+available|(?:has\s+been\s+)?removed)
    | \bnothing\s+(?:was\s+)?found\b
    """,
    re.I | re.X,
)
_HOME_PATHS = {
    "/",
    "/index.html",
    "/index.htm",
    "/index.php",
    "/default.aspx",
    "/home",
    "/accueil",
    "/en",
    "/fr",
}
_LANG_ROOT_RE = re.compile(r"^/[a-z]{2}(?:[-_][a-zA-Z]{2})?/?$")
_LOGIN_PATH_RE = re.compile(
    r"/(?:login|log-in|signin|sign-in|sign_in|connexion|se-connecter|identification|auth|sso)"
    r"(?:[/?.#]|$)",
    re.I,
)
_PAYWALL_PATH_RE = re.compile(
    r"/(?:subscribe|subscription|abonnement|abonnements|abonnez-vous|paywall|premium|offres?)"
    r"(?:[/?.#-]|$)",
    re.I,
)
_ERROR_PATH_RE = re.compile(
    r"/(?:404|410|not[-_]?found|page[-_]?not[-_]?found|page[-_]?introuvable|erreur[-_]?404|"
    r"error[-_]?404|error|erreur)(?:\.[a-z]{2,5})?/?$",
    re.I,
)
_BINARY_EXT_RE = re.compile(
    r"\.(?:pdf|zip|gz|tgz|bz2|xz|7z|rar|jpe?g|png|gif|webp|tiff?|bmp|svg|mp[34]|m4a|mov|avi|"
    r"webm|ogg|wav|flac|docx?|xlsx?|pptx?|odt|ods|odp|epub|csv|iso|exe|dmg|apk)$",
    re.I,
)
_HTML_TYPES = ("text/html", "application/xhtml+xml")
SUMMARY_CHARS = 1_000_000  # the summary reads at most this much of a page


@dataclass(frozen=True, slots=True)
class PageSummary:
    """Cheap facts read from an HTML page (regular expressions, no parser).

    The word set and length of the visible text are only needed to compare a page with the
    soft-404 probe; :func:`page_words` computes them from ``markup`` when they are not given.
    """

    title: str | None
    canonical: str | None = None
    refresh: str | None = None  # meta refresh target (absolute) when the delay is short
    paywalled: bool = False
    words: frozenset[str] | None = None  # distinct words of the visible text (first 4,000)
    length: int | None = None  # characters of visible text
    markup: str = field(default="", repr=False, compare=False)


def page_words(page: PageSummary) -> tuple[frozenset[str], int]:
    """The distinct words (first 4,000) and visible length of a page."""
    if page.words is not None:
        return page.words, page.length if page.length is not None else 0
    visible = visible_text(page.markup)
    return frozenset(_WORD_RE.findall(visible.lower())[:4000]), len(visible)


def summarise_html(text: str, base_url: str) -> PageSummary:
    """Title, canonical link, meta refresh, paywall marker and word set of an HTML page."""
    text = text[:SUMMARY_CHARS]
    match = _TITLE_RE.search(text)
    title = _clean_text(match.group(1)) if match else None
    canonical = refresh = None
    for tag in _TAG_RE.finditer(text, 0, 200_000):
        attrs = {
            m.group(1).lower(): (m.group(2) or m.group(3) or m.group(4) or "")
            for m in _ATTR_RE.finditer(tag.group(2))
        }
        if tag.group(1).lower() == "link":
            rels = attrs.get("rel", "").lower().split()
            if "canonical" in rels and attrs.get("href") and canonical is None:
                canonical = _absolute(base_url, html.unescape(attrs["href"].strip()))
        elif attrs.get("http-equiv", "").lower() == "refresh" and refresh is None:
            found = _REFRESH_RE.match(html.unescape(attrs.get("content", "")))
            if found and found.group(2) and float(found.group(1)) <= 5:
                refresh = _absolute(base_url, found.group(2).strip())
    return PageSummary(
        title=title or None,
        canonical=canonical,
        refresh=refresh,
        paywalled=bool(_FREE_RE.search(text)),
        markup=text,
    )


def visible_text(markup: str) -> str:
    """The text of an HTML page without scripts, styles and tags (fast, approximate)."""
    stripped = _STRIP_BLOCKS_RE.sub(" ", markup)
    return " ".join(html.unescape(_ANY_TAG_RE.sub(" ", stripped)).split())


def _clean_text(value: str) -> str:
    return " ".join(html.unescape(_ANY_TAG_RE.sub(" ", value)).split())


def _absolute(base: str, ref: str) -> str | None:
    try:
        return urljoin(base, ref)
    except ValueError:
        return None


def not_found_title(title: str | None) -> bool:
    """True when a page title announces a missing page (French or English)."""
    if not title:
        return False
    return bool(NOT_FOUND_TITLE_RE.search(title.replace("’", "'")))


def simhash(text: str) -> str:
    """A 64-bit simhash of word 3-shingles, as ``simhash:<16 hex digits>`` ("" for no text)."""
    words = _WORD_RE.findall(text.lower())
    if not words:
        return ""
    shingles = {" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))}
    counts = [0] * 64
    for shingle in list(shingles)[:5000]:
        value = int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "big")
        for bit in range(64):
            counts[bit] += 1 if value >> bit & 1 else -1
    result = sum(1 << bit for bit in range(64) if counts[bit] > 0)
    return f"simhash:{result:016x}"


def fingerprint_distance(a: str, b: str) -> int | None:
    """Hamming distance between two :func:`simhash` values (None if either is missing)."""
    if not a or not b:
        return None
    return bin(int(a.split(":")[-1], 16) ^ int(b.split(":")[-1], 16)).count("1")


def word_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard similarity of two word sets (1.0 for two empty pages)."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def is_homepage(url: str) -> bool:
    """True when the URL is a site root (``/``, ``/index.html``, a language root…)."""
    try:
        parsed = urlsplit(url)
    except ValueError:
        return False
    path = parsed.path.rstrip("/") or "/"
    if parsed.query and path == "/":
        return False
    return path.lower() in _HOME_PATHS or bool(_LANG_ROOT_RE.match(parsed.path))


def _path_of(url: str) -> str:
    try:
        return urlsplit(url).path
    except ValueError:
        return ""


# ---------------------------------------------------------------------------
# Classification (pure)


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """What a random sibling path of the final URL answered (the site's missing page)."""

    url: str
    final_url: str
    status_code: int
    page: PageSummary | None


def classify(
    url: str,
    hops: Sequence[Hop],
    *,
    page: PageSummary | None = None,
    probe: ProbeResult | None = None,
    too_large: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> tuple[LinkStatus, str]:
    """Decide the status of a completed redirect chain, and say why.

    ``hops`` ends with the final answer; ``page`` summarises its HTML when it was read;
    ``probe`` is the answer to a random sibling path; ``too_large`` says which cap stopped
    the body; ``headers`` are the final response headers (lower-case names).
    """
    if not hops:
        return LinkStatus.CONNECTION_ERROR, "no answer recorded"
    final = hops[-1]
    code = final.status_code
    headers = headers or {}
    redirected = len(hops) > 1
    first_code = hops[0].status_code
    if 200 <= code < 300:
        if redirected and is_homepage(final.url) and not is_homepage(url):
            how = f"{first_code} redirect" if first_code >= 300 else "meta refresh"
            return LinkStatus.MOVED_TO_HOMEPAGE, (
                f"{how} from {_path_of(url) or url} to the site root {final.url}"
            )
        final_path = _path_of(final.url)
        if (
            redirected
            and _LOGIN_PATH_RE.search(final_path)
            and not _LOGIN_PATH_RE.search(_path_of(url))
        ):
            return LinkStatus.LOGIN_WALL, f"redirected to a login page {final.url}"
        if (
            redirected
            and _PAYWALL_PATH_RE.search(final_path)
            and not _PAYWALL_PATH_RE.search(_path_of(url))
        ):
            return LinkStatus.PAYWALL, f"redirected to a subscription page {final.url}"
        if redirected and _ERROR_PATH_RE.search(final_path):
            return LinkStatus.SOFT_404, f"redirected to an error page {final.url} answering {code}"
        if too_large:
            return LinkStatus.TOO_LARGE, too_large
        if page is not None and not_found_title(page.title):
            return LinkStatus.SOFT_404, f"HTTP {code} but the title says {page.title!r}"
        soft = soft404_evidence(final.url, hops, page, probe)
        if soft:
            return LinkStatus.SOFT_404, soft
        if page is not None and page.paywalled:
            return LinkStatus.PAYWALL, "page declares isAccessibleForFree: false"
        if redirected:
            return LinkStatus.REDIRECTED, _redirect_evidence(url, hops)
        return LinkStatus.OK, f"HTTP {code}"
    if 300 <= code < 400:
        return LinkStatus.OK, f"HTTP {code} without a Location header"
    if code == 401:
        return LinkStatus.LOGIN_WALL, "HTTP 401 (authentication required)"
    if code == 402:
        return LinkStatus.PAYWALL, "HTTP 402 (payment required)"
    if code == 403:
        if headers.get("cf-mitigated") == "challenge":
            return LinkStatus.FORBIDDEN, "HTTP 403 with a Cloudflare bot challenge"
        return LinkStatus.FORBIDDEN, "HTTP 403"
    if code == 451:
        return LinkStatus.FORBIDDEN, "HTTP 451 (unavailable for legal reasons)"
    if code == 404:
        return LinkStatus.NOT_FOUND, "HTTP 404" + (
            f" after redirect to {final.url}" if redirected else ""
        )
    if code == 410:
        return LinkStatus.GONE, "HTTP 410" + (
            f" after redirect to {final.url}" if redirected else ""
        )
    if code == 429:
        return LinkStatus.RATE_LIMITED, "HTTP 429"
    if 400 <= code < 500:
        return LinkStatus.CLIENT_ERROR, f"HTTP {code}"
    return LinkStatus.SERVER_ERROR, f"HTTP {code}"


def soft404_evidence(
    final_url: str, hops: Sequence[Hop], page: PageSummary | None, probe: ProbeResult | None
) -> str | None:
    """Why a 2xx page looks like the site's answer to a missing path, or None."""
    if probe is None or not 200 <= probe.status_code < 300:
        return None
    if len(hops) == 1 and probe.final_url == final_url:
        return None  # missing paths land on this very page: it is the landing page, not missing
    if len(hops) > 1 and probe.final_url == final_url and probe.final_url != probe.url:
        return f"redirects where a random missing path also lands ({final_url})"
    if page is None or probe.page is None:
        return None
    words, length = page_words(page)
    probe_words, probe_length = page_words(probe.page)
    similarity = word_similarity(words, probe_words)
    same_title = bool(page.title) and page.title == probe.page.title
    close_length = (
        max(length, probe_length) == 0
        or min(length, probe_length) / max(length, probe_length) >= 0.85
    )
    if (similarity >= 0.9 and close_length) or (same_title and similarity >= 0.7):
        title = f", same title {page.title!r}" if same_title else ""
        return (
            f"HTTP {probe.status_code} for a random sibling path {probe.url} with the same page"
            f" ({similarity:.0%} of words in common{title})"
        )
    return None


def _redirect_evidence(url: str, hops: Sequence[Hop]) -> str:
    final = hops[-1].url
    codes = "→".join(str(h.status_code) if h.status_code >= 300 else "refresh" for h in hops[:-1])
    try:
        a, b = urlsplit(url), urlsplit(final)
    except ValueError:
        return f"{codes} to {final}"
    changes = []
    if a.scheme != b.scheme:
        changes.append(f"{a.scheme}→{b.scheme}")
    host_a, host_b = a.hostname or "", b.hostname or ""
    if host_a != host_b:
        same = host_a.removeprefix("www.") == host_b.removeprefix("www.")
        changes.append("host " + ("www" if same else "changed"))
    if a.path.rstrip("/") != b.path.rstrip("/"):
        changes.append("path changed")
    elif a.path != b.path:
        changes.append("trailing slash")
    if a.query != b.query:
        changes.append("query changed")
    what = ", ".join(changes) or "same URL"
    return f"{codes} to {final} ({what})"


def classify_error(exc: BaseException) -> tuple[LinkStatus, str]:
    """Map a transport exception to a status and a short evidence text."""
    chain = list(_exception_chain(exc))
    for item in chain:
        if isinstance(item, socket.gaierror):
            return LinkStatus.DNS_FAILURE, f"name resolution failed: {item}"
    for item in chain:
        if isinstance(item, ssl.SSLError | ssl.CertificateError):
            return LinkStatus.TLS_ERROR, f"TLS handshake failed: {_short(item)}"
    for item in chain:
        if isinstance(item, ConnectionRefusedError):
            return LinkStatus.CONNECTION_REFUSED, "connection refused"
    message = " ".join(str(item) for item in chain).lower()
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return LinkStatus.TIMEOUT, "overall deadline exceeded"
    if isinstance(exc, httpx.ConnectTimeout):
        return LinkStatus.TIMEOUT, "connect timeout"
    if isinstance(exc, httpx.ReadTimeout):
        return LinkStatus.TIMEOUT, "read timeout (no data within the read timeout)"
    if isinstance(exc, httpx.TimeoutException):
        return LinkStatus.TIMEOUT, f"{type(exc).__name__}"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return LinkStatus.UNSUPPORTED_SCHEME, _short(exc)
    if isinstance(exc, httpx.InvalidURL | httpx.LocalProtocolError):
        return LinkStatus.INVALID_URL, _short(exc)
    if any(
        s in message
        for s in (
            "name or service not known",
            "nodename nor servname",
            "getaddrinfo failed",
            "temporary failure in name resolution",
            "no address associated",
        )
    ):
        return LinkStatus.DNS_FAILURE, f"name resolution failed: {_short(exc)}"
    if "certificate" in message or "ssl" in message:
        return LinkStatus.TLS_ERROR, f"TLS handshake failed: {_short(exc)}"
    if "connection refused" in message or "errno 111" in message:
        return LinkStatus.CONNECTION_REFUSED, "connection refused"
    if isinstance(exc, httpx.RemoteProtocolError):
        return LinkStatus.CONNECTION_ERROR, f"server broke the protocol: {_short(exc)}"
    if isinstance(exc, httpx.ReadError | httpx.WriteError | httpx.ConnectError):
        return LinkStatus.CONNECTION_ERROR, f"connection failed: {_short(exc)}"
    return LinkStatus.CONNECTION_ERROR, f"{type(exc).__name__}: {_short(exc)}"


def _is_retriable(exc: BaseException) -> bool:
    status, _ = classify_error(exc)
    if status in (LinkStatus.CONNECTION_REFUSED, LinkStatus.CONNECTION_ERROR):
        return True
    return isinstance(exc, httpx.ConnectTimeout)


def _exception_chain(exc: BaseException) -> Iterable[BaseException]:
    seen: set[int] = set()
    stack = [exc]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        if isinstance(item, BaseExceptionGroup):
            stack.extend(item.exceptions)
        for nxt in (item.__cause__, item.__context__):
            if nxt is not None:
                stack.append(nxt)


def _short(exc: BaseException) -> str:
    return (str(exc) or type(exc).__name__)[:200]


# ---------------------------------------------------------------------------
# Body decoding with a cap


class _TooLarge(Exception):
    pass


class _BoundedDecoder:
    """Incremental gzip/deflate decoding that never produces more than ``limit`` bytes."""

    __slots__ = ("_d", "_encoding", "_first", "limit", "parts", "size")

    def __init__(self, encoding: str, limit: int) -> None:
        self._encoding = encoding
        self.limit = limit
        self.size = 0
        self.parts: list[bytes] = []
        self._first = True
        self._d: Any = None
        if encoding in ("gzip", "x-gzip"):
            self._d = zlib.decompressobj(wbits=47)
        elif encoding == "deflate":
            self._d = zlib.decompressobj(wbits=15)

    def feed(self, data: bytes) -> None:
        if self._d is None:
            self._add(data)
            return
        if self._encoding == "deflate" and self._first:
            self._first = False
            try:
                probe = zlib.decompressobj(wbits=15)
                probe.decompress(data[:2])
            except zlib.error:
                self._d = zlib.decompressobj(wbits=-15)  # raw deflate without zlib header
        while data:
            room = self.limit - self.size
            out = self._d.decompress(data, room + 1)
            self._add(out)
            data = self._d.unconsumed_tail
            if self._d.eof and self._d.unused_data:
                data = self._d.unused_data + data  # another gzip member follows
                self._d = zlib.decompressobj(wbits=47)
            elif not out and not data:
                break

    def _add(self, out: bytes) -> None:
        self.size += len(out)
        if self.size > self.limit:
            raise _TooLarge
        if out:
            self.parts.append(out)

    def result(self) -> bytes:
        return b"".join(self.parts)


def _decode_text(body: bytes, content_type: str | None) -> str:
    charset = None
    if content_type and "charset=" in content_type.lower():
        charset = content_type.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'")
    if charset is None:
        match = _META_CHARSET_RE.search(body[:4096])
        if match:
            charset = match.group(1).decode("ascii", "replace").lower()
    if charset:
        try:
            return body.decode(charset, errors="replace")
        except LookupError:
            pass
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


# ---------------------------------------------------------------------------
# Main text extraction (lazy, heavy)


@dataclass(frozen=True, slots=True)
class Extracted:
    text: str
    published: str | None
    title: str | None


def extract_main(markup: str, url: str) -> Extracted:
    """Main text and publication date of a page (trafilatura; falls back to visible text)."""
    try:
        from trafilatura import bare_extraction
    except ImportError:
        return Extracted(text=visible_text(markup), published=_find_date(markup, url), title=None)
    try:
        doc: Any = bare_extraction(markup, url=url, with_metadata=True, include_comments=False)
    except Exception:  # trafilatura raises many things on broken markup
        doc = None
    if doc is None:
        return Extracted(text=visible_text(markup), published=_find_date(markup, url), title=None)
    get = doc.get if isinstance(doc, dict) else lambda key: getattr(doc, key, None)
    return Extracted(text=get("text") or "", published=get("date"), title=get("title"))


def _find_date(markup: str, url: str) -> str | None:
    try:
        from htmldate import find_date
    except ImportError:
        return None
    try:
        found: Any = find_date(markup, url=url, original_date=True)
    except Exception:
        return None
    return found if isinstance(found, str) else None


# ---------------------------------------------------------------------------
# Politeness


class _HostState:
    __slots__ = ("last_start", "not_before", "sem")

    def __init__(self, limit: int) -> None:
        self.sem = asyncio.Semaphore(limit)
        self.last_start = float("-inf")
        self.not_before = 0.0


class Politeness:
    """Global and per-host concurrency with a minimum interval between request starts.

    A request holds one host slot and one global slot while it runs (body included). The
    interval is checked when the global slot is in hand, so two starts to one host are never
    closer than ``interval`` seconds whatever the order of the waits. ``pause`` holds a host
    back (after a 429 with ``Retry-After``).
    """

    def __init__(self, max_concurrency: int, host_concurrency: int, interval: float) -> None:
        self.interval = interval
        self.host_concurrency = host_concurrency
        self._global = asyncio.Semaphore(max_concurrency)
        self._hosts: dict[str, _HostState] = {}

    def _state(self, host: str) -> _HostState:
        state = self._hosts.get(host)
        if state is None:
            state = self._hosts[host] = _HostState(self.host_concurrency)
        return state

    async def acquire(self, host: str) -> float:
        """Wait for a slot; return the start time (``time.monotonic``)."""
        state = self._state(host)
        await state.sem.acquire()
        try:
            while True:
                ready = max(state.last_start + self.interval, state.not_before)
                now = time.monotonic()
                if ready > now:
                    await asyncio.sleep(ready - now)
                    continue
                await self._global.acquire()
                now = time.monotonic()
                if max(state.last_start + self.interval, state.not_before) > now:
                    self._global.release()
                    continue
                state.last_start = now
                return now
        except BaseException:
            state.sem.release()
            raise

    def release(self, host: str) -> None:
        self._global.release()
        self._hosts[host].sem.release()

    def pause(self, host: str, seconds: float) -> None:
        state = self._state(host)
        state.not_before = max(state.not_before, time.monotonic() + seconds)


# ---------------------------------------------------------------------------
# The resolver


@dataclass(slots=True)
class _Answer:
    """One HTTP answer, with its body when it was read."""

    url: str
    host: str
    method: str
    status_code: int
    headers: httpx.Headers
    elapsed_ms: float
    ip: str | None
    body: bytes | None = None  # raw (still content-encoded)
    decoded: bytes | None = None
    too_large: str | None = None
    exchange: Exchange | None = None
    note: str | None = None  # why a 429/503 was not retried further


class _Failure(Exception):
    def __init__(self, exc: BaseException, attempts: int) -> None:
        super().__init__(str(exc))
        self.exc = exc
        self.attempts = attempts


def _blocked_cookies() -> http.cookiejar.CookieJar:
    return http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))


Clock = Callable[[], datetime]
Trace = Callable[[str, str, float], None]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Resolver:
    """Checks URLs with one shared client. Use as an async context manager.

    ``archive`` receives the exchanges of every successful fetch; ``cache`` (a mutable
    mapping keyed by normalised URL) serves and keeps successes only; ``trace`` is called
    with ``("request", url, monotonic_start)`` at every request start (tests, progress).
    """

    def __init__(
        self,
        options: ResolverOptions,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        archive: ArchiveSink | None = None,
        cache: MutableMapping[str, LinkCheck] | None = None,
        trace: Trace | None = None,
    ) -> None:
        self.options = options
        self.clock = clock or _utc_now
        self.archive = archive
        self.cache = cache
        self.trace = trace
        self.politeness = Politeness(
            options.max_concurrency, options.host_concurrency, options.host_interval
        )
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._probes: dict[tuple[str, str, str], asyncio.Task[ProbeResult | None]] = {}
        self._robots: dict[str, asyncio.Task[Any]] = {}

    async def __aenter__(self) -> Resolver:
        o = self.options
        self._client = httpx.AsyncClient(
            transport=self._transport,
            timeout=httpx.Timeout(o.read_timeout, connect=o.connect_timeout, pool=None),
            limits=httpx.Limits(
                max_connections=o.max_concurrency,
                max_keepalive_connections=o.max_concurrency,
                keepalive_expiry=5.0,
            ),
            follow_redirects=False,
            headers={
                "User-Agent": o.user_agent,
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                "Accept-Language": "fr,en;q=0.8",
                "Accept-Encoding": "gzip, deflate",
            },
            cookies=_blocked_cookies(),
            trust_env=o.trust_env,
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        for task in [*self._probes.values(), *self._robots.values()]:
            task.cancel()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # -- batch -------------------------------------------------------------

    async def check_all(
        self, urls: Iterable[str], *, on_result: Callable[[LinkCheck], object] | None = None
    ) -> dict[str, LinkCheck]:
        """Check every URL once (duplicates by normalised URL share one check)."""
        groups: dict[str, list[str]] = {}
        parsed_urls: dict[str, httpx.URL] = {}
        results: dict[str, LinkCheck] = {}
        for url in urls:
            if url in results:
                continue
            try:
                parsed = parse_url(url)
                key = _url_key(parsed)
            except InvalidURL as exc:
                check = LinkCheck(
                    url=url, status=exc.status, evidence=str(exc), checked_at=_iso(self.clock())
                )
                results[url] = check
                if on_result is not None:
                    on_result(check)
                continue
            members = groups.setdefault(key, [])
            if not members:
                parsed_urls[key] = parsed
            if url not in members:
                members.append(url)

        async def run(key: str, members: list[str]) -> None:
            check = await self.check(members[0], parsed=parsed_urls[key])
            for member in members:
                one = check if member == check.url else replace(check, url=member)
                results[member] = one
                if on_result is not None:
                    on_result(one)

        async with asyncio.TaskGroup() as group:
            for key, members in groups.items():
                group.create_task(run(key, members))
        return results

    # -- one URL -------------------------------------------------------------

    async def check(self, url: str, *, parsed: httpx.URL | None = None) -> LinkCheck:
        """Check one URL and return its :class:`LinkCheck` (never raises for network faults)."""
        started = time.monotonic()
        checked_at = _iso(self.clock())
        if parsed is None:
            try:
                parsed = parse_url(url)
            except InvalidURL as exc:
                return LinkCheck(
                    url=url, status=exc.status, evidence=str(exc), checked_at=checked_at
                )
        key = _url_key(parsed)
        if self.options.offline:
            return LinkCheck(
                url=url,
                status=LinkStatus.NOT_CHECKED,
                evidence="offline run",
                checked_at=checked_at,
                publisher_domain=registered_domain(parsed.host),
            )
        if self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None and hit.status in CACHEABLE:
                return replace(hit, url=url, cached=True)
        try:
            check = await self._check(url, parsed, key, checked_at)
        except Exception as exc:  # a bug must not sink the batch; it is reported
            status, evidence = classify_error(exc)
            check = LinkCheck(
                url=url,
                status=status,
                evidence=f"unexpected: {evidence}",
                checked_at=checked_at,
                error=f"{type(exc).__name__}: {exc}",
            )
        check = replace(check, timings=round((time.monotonic() - started) * 1000, 1))
        if self.cache is not None and check.status in CACHEABLE:
            self.cache[key] = replace(check, main_text=None, snapshot=None)
        return check

    async def _check(self, url: str, parsed: httpx.URL, key: str, checked_at: str) -> LinkCheck:
        o = self.options
        want_exchanges = self.archive is not None
        budget = [o.deadline]
        hops: list[Hop] = []
        answers: list[_Answer] = []
        seen = {key}
        attempts = 0
        current = parsed
        method = (
            "HEAD"
            if o.use_head and not want_exchanges and _BINARY_EXT_RE.search(parsed.path)
            else "GET"
        )
        status: LinkStatus | None = None
        evidence = ""
        page: PageSummary | None = None
        text: str | None = None
        while True:
            try:
                answer, used = await self._fetch(current, method, budget, want_exchanges)
            except _Failure as failure:
                attempts += failure.attempts
                status, evidence = classify_error(failure.exc)
                return self._failed(url, hops, status, evidence, failure.exc, attempts, checked_at)
            attempts += used
            if method == "HEAD" and (
                not 200 <= answer.status_code < 400 or _is_html(answer.headers)
            ):
                method = "GET"  # HEAD did not serve: ask again with GET
                continue
            answers.append(answer)
            location = _location(answer)
            page = text = None
            if answer.decoded is not None and _is_html(answer.headers):
                text = _decode_text(answer.decoded, answer.headers.get("content-type"))
                page = summarise_html(text, answer.url)
                if location is None and page.refresh and _key_or(page.refresh) not in seen:
                    location = page.refresh  # <meta http-equiv=refresh>: a redirect in HTML
            hops.append(
                Hop(
                    url=answer.url,
                    status_code=answer.status_code,
                    location=location,
                    elapsed_ms=answer.elapsed_ms,
                    ip=answer.ip,
                    method=answer.method,
                )
            )
            if location is None:
                break
            try:
                next_url = parse_url(location)
            except InvalidURL as exc:
                status, evidence = exc.status, f"redirect to {location}: {exc}"
                break
            next_key = _url_key(next_url)
            if next_key in seen:
                status = LinkStatus.REDIRECT_LOOP
                evidence = f"redirect loop: {location} was already visited"
                break
            if len(hops) > o.max_redirects:
                status = LinkStatus.TOO_MANY_REDIRECTS
                evidence = f"more than {o.max_redirects} redirects"
                break
            seen.add(next_key)
            current = next_url
        final = answers[-1]
        probe: ProbeResult | None = None
        if (
            status is None
            and o.soft404_probe
            and page is not None
            and 200 <= final.status_code < 300
            and not not_found_title(page.title)
        ):
            probe = await self._probe(final.url)
        if status is None:
            status, evidence = classify(
                url,
                hops,
                page=page,
                probe=probe,
                too_large=final.too_large,
                headers={k.lower(): v for k, v in final.headers.items()},
            )
        if final.note and status in (LinkStatus.RATE_LIMITED, LinkStatus.SERVER_ERROR):
            evidence = f"{evidence} ({final.note})"
        extracted = None
        if text is not None and o.extract and 200 <= final.status_code < 300:
            # heavy parsing runs in a worker thread so the event loop keeps serving sockets
            extracted = await asyncio.to_thread(extract_main, text, final.url)
        fingerprint = None
        if extracted is not None:
            fingerprint = simhash(extracted.text) or None
        check = LinkCheck(
            url=url,
            status=status,
            evidence=evidence,
            final_url=final.url,
            hops=tuple(hops),
            http_status=final.status_code,
            content_type=final.headers.get("content-type"),
            title=page.title if page else None,
            canonical=page.canonical if page else None,
            publisher_domain=registered_domain(final.host),
            published=extracted.published if extracted else None,
            text_fingerprint=fingerprint,
            checked_at=checked_at,
            attempts=attempts,
            main_text=extracted.text if extracted else None,
        )
        if self.archive is not None:
            check = await self._archive(check, answers, final)
        return check

    def _failed(
        self,
        url: str,
        hops: list[Hop],
        status: LinkStatus,
        evidence: str,
        exc: BaseException,
        attempts: int,
        checked_at: str,
    ) -> LinkCheck:
        if hops:
            evidence = f"{evidence} (after redirect to {hops[-1].location})"
        return LinkCheck(
            url=url,
            status=status,
            evidence=evidence,
            hops=tuple(hops),
            final_url=hops[-1].location if hops else None,
            http_status=hops[-1].status_code if hops else None,
            publisher_domain=registered_domain(url),
            checked_at=checked_at,
            attempts=attempts,
            error=f"{type(exc).__name__}: {_short(exc)}",
        )

    async def _archive(self, check: LinkCheck, answers: list[_Answer], final: _Answer) -> LinkCheck:
        assert self.archive is not None
        if not 200 <= final.status_code < 300:
            return check
        if final.too_large or any(a.exchange is None for a in answers):
            return replace(check, archive_note="body not read in full (too large)")
        if self.archive.respect_robots and not await self._robots_allow(final.url):
            return replace(check, archive_note="robots.txt disallows archiving")
        exchanges = [a.exchange for a in answers if a.exchange is not None]
        snapshot = self.archive.write(check.url, exchanges, main_text=check.main_text)
        return replace(check, snapshot=snapshot)

    # -- requests ------------------------------------------------------------

    async def _fetch(
        self, url: httpx.URL | str, method: str, budget: list[float], want_exchange: bool
    ) -> tuple[_Answer, int]:
        """One hop with retries; return the answer and the number of attempts."""
        o = self.options
        attempt = 0
        while True:
            attempt += 1
            try:
                answer = await self._send(url, method, budget, want_exchange)
            except (httpx.HTTPError, OSError, TimeoutError) as exc:
                if attempt <= o.retries and _is_retriable(exc) and budget[0] > 0:
                    await asyncio.sleep(min(o.backoff * 2 ** (attempt - 1), o.max_retry_wait))
                    continue
                raise _Failure(exc, attempt) from exc
            if answer.status_code not in (429, 503):
                return answer, attempt
            if attempt > o.retries:
                answer.note = f"after {attempt} attempts"
                return answer, attempt
            retry_after = parse_retry_after(answer.headers.get("retry-after"), self.clock())
            wait = retry_after if retry_after is not None else o.backoff * 2 ** (attempt - 1)
            if wait > o.max_retry_wait:
                answer.note = (
                    f"Retry-After {wait:.0f} s exceeds max_retry_wait {o.max_retry_wait:g} s"
                )
                return answer, attempt
            if retry_after is not None:
                self.politeness.pause(answer.host, wait)
            await asyncio.sleep(wait)

    async def _send(
        self, url: httpx.URL | str, method: str, budget: list[float], want_exchange: bool
    ) -> _Answer:
        assert self._client is not None
        request = self._client.build_request(method, url)
        host = request.url.host
        start = await self.politeness.acquire(host)
        if self.trace is not None:
            self.trace("request", str(request.url), start)
        started_at = self.clock() if want_exchange else None
        try:
            if budget[0] <= 0:
                raise TimeoutError("deadline exhausted")
            async with asyncio.timeout(budget[0]):
                response = await self._client.send(request, stream=True)
                try:
                    return await self._read(
                        request, response, method, start, want_exchange, started_at
                    )
                finally:
                    await response.aclose()
        finally:
            budget[0] -= time.monotonic() - start
            self.politeness.release(host)

    async def _read(
        self,
        request: httpx.Request,
        response: httpx.Response,
        method: str,
        start: float,
        want_exchange: bool,
        started_at: datetime | None,
    ) -> _Answer:
        o = self.options
        code = response.status_code
        headers = response.headers
        ip = _remote_ip(response)
        html_page = _is_html(headers)
        ok = 200 <= code < 300
        need_decoded = ok and html_page and method == "GET"
        need_raw = want_exchange and method == "GET" and (ok or 300 <= code < 400)
        answer = _Answer(
            url=str(request.url),
            host=request.url.host,
            method=method,
            status_code=code,
            headers=headers,
            elapsed_ms=0.0,
            ip=ip,
        )
        if need_decoded or need_raw:
            encoding = headers.get("content-encoding", "identity").strip().lower()
            if response.is_stream_consumed:
                encoding = "identity"  # in-memory response: httpx has decoded it already
            declared = headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > o.max_bytes:
                answer.too_large = f"Content-Length {int(declared)} exceeds max_bytes {o.max_bytes}"
            else:
                decoder = None
                if need_decoded and encoding in ("identity", "gzip", "x-gzip", "deflate"):
                    decoder = _BoundedDecoder(encoding, o.max_decompressed_bytes)
                raw: list[bytes] = []
                size = 0
                async for chunk in _raw_chunks(response):
                    size += len(chunk)
                    if size > o.max_bytes:
                        answer.too_large = f"body exceeds max_bytes {o.max_bytes}"
                        break
                    if need_raw:
                        raw.append(chunk)
                    if decoder is not None:
                        try:
                            decoder.feed(chunk)
                        except _TooLarge:
                            answer.too_large = (
                                f"decoded body exceeds max_decompressed_bytes"
                                f" {o.max_decompressed_bytes} ({encoding}, {size} bytes received)"
                            )
                            break
                        except zlib.error:
                            decoder = None  # undecodable: keep the raw bytes, skip analysis
                if answer.too_large is None:
                    if decoder is not None:
                        answer.decoded = decoder.result()
                    if need_raw:
                        answer.body = b"".join(raw)
        answer.elapsed_ms = round((time.monotonic() - start) * 1000, 1)
        if need_raw and answer.body is not None and started_at is not None:
            answer.exchange = Exchange(
                url=str(request.url),
                method=method,
                request_target=request.url.raw_path.decode("ascii"),
                request_headers=tuple(request.headers.raw),
                http_version=response.http_version,
                status_code=code,
                reason=response.reason_phrase,
                response_headers=tuple(headers.raw),
                body=answer.body,
                remote_ip=ip,
                started_at=started_at,
            )
        return answer

    # -- soft-404 probe and robots.txt ----------------------------------------

    async def _probe(self, final_url: str) -> ProbeResult | None:
        parts = urlsplit(final_url)
        parent, _, last = parts.path.rpartition("/")
        ext = ""
        if "." in last:
            ext = "." + last.rsplit(".", 1)[1]
            if not re.fullmatch(r"\.[A-Za-z0-9]{1,5}", ext):
                ext = ""
        key = (parts.scheme, parts.netloc, parent + "/" + ext)
        task = self._probes.get(key)
        if task is None:
            probe_path = f"{parent}/auditor-probe-{secrets.token_hex(8)}{ext}"
            probe_url = urlunsplit((parts.scheme, parts.netloc, probe_path, "", ""))
            task = asyncio.ensure_future(self._run_probe(probe_url))
            self._probes[key] = task
        return await asyncio.shield(task)

    async def _run_probe(self, probe_url: str) -> ProbeResult | None:
        budget = [self.options.deadline]
        current = probe_url
        seen = {current}
        for _ in range(self.options.max_redirects + 1):
            try:
                answer, _used = await self._fetch(current, "GET", budget, False)
            except _Failure:
                return None
            location = _location(answer)
            if location is None or location in seen:
                page = None
                if answer.decoded is not None and _is_html(answer.headers):
                    text = _decode_text(answer.decoded, answer.headers.get("content-type"))
                    page = summarise_html(text, current)
                return ProbeResult(
                    url=probe_url, final_url=current, status_code=answer.status_code, page=page
                )
            seen.add(location)
            current = location
        return None

    async def _robots_allow(self, url: str) -> bool:
        from auditor.archive import robots_parser

        parsed = httpx.URL(url)
        origin = f"{parsed.scheme}://{parsed.netloc.decode('ascii')}"
        task = self._robots.get(origin)
        if task is None:
            task = asyncio.ensure_future(self._fetch_robots(origin + "/robots.txt"))
            self._robots[origin] = task
        status, text = await asyncio.shield(task)
        return bool(robots_parser(status, text).can_fetch(ROBOTS_TOKEN, url))

    async def _fetch_robots(self, robots_url: str) -> tuple[int | None, str]:
        budget = [self.options.deadline]
        current = robots_url
        for _ in range(5):
            try:
                answer, _used = await self._fetch(current, "GET", budget, True)
            except _Failure:
                return None, ""
            location = _location(answer)
            if location is None:
                body = answer.body or b""
                encoding = answer.headers.get("content-encoding", "identity").lower()
                if encoding != "identity" and body:
                    decoder = _BoundedDecoder(encoding, 512 * 1024)
                    try:
                        decoder.feed(body)
                        body = decoder.result()
                    except (_TooLarge, zlib.error):
                        body = b""
                return answer.status_code, body[: 512 * 1024].decode("utf-8", "replace")
            current = location
        return None, ""


async def _raw_chunks(response: httpx.Response) -> AsyncIterator[bytes]:
    """The body as received (content-encoding kept). A response built in memory (as
    MockTransport's are) was already read and decoded by httpx: its content is yielded."""
    if response.is_stream_consumed:
        yield response.content
        return
    async for chunk in response.aiter_raw():
        yield chunk


def _location(answer: _Answer) -> str | None:
    if 300 <= answer.status_code < 400:
        value = answer.headers.get("location")
        if value:
            return _absolute(answer.url, value.strip())
    return None


def _key_or(url: str) -> str:
    try:
        return normalise_url(url)
    except InvalidURL:
        return url


def _is_html(headers: httpx.Headers) -> bool:
    content_type = headers.get("content-type", "").lower()
    return any(t in content_type for t in _HTML_TYPES)


def _remote_ip(response: httpx.Response) -> str | None:
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None
    try:
        addr = stream.get_extra_info("server_addr")
    except Exception:
        return None
    if isinstance(addr, tuple) and addr:
        return str(addr[0])
    return None


def _iso(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------
# Public entry points


async def check_urls(
    urls: Iterable[str],
    options: ResolverOptions,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Clock | None = None,
    on_result: Callable[[LinkCheck], object] | None = None,
    archive: ArchiveSink | None = None,
    cache: MutableMapping[str, LinkCheck] | None = None,
    trace: Trace | None = None,
) -> dict[str, LinkCheck]:
    """Check every URL once; return ``{input URL: LinkCheck}`` (every input has an entry).

    Duplicates (same normalised URL) share one check. ``on_result`` is called as each
    result is ready. ``archive`` receives the exchanges of successful fetches.
    """
    async with Resolver(
        options, transport=transport, clock=clock, archive=archive, cache=cache, trace=trace
    ) as resolver:
        return await resolver.check_all(urls, on_result=on_result)


def check_urls_sync(
    urls: Iterable[str],
    options: ResolverOptions,
    **kwargs: Any,
) -> dict[str, LinkCheck]:
    """Blocking wrapper around :func:`check_urls` (runs its own event loop)."""
    return asyncio.run(check_urls(list(urls), options, **kwargs))
