"""Resolve cited URLs: is the page still there, and is it what was cited?

One HTTP client checks every URL of a run with a global concurrency limit, a per-host limit
and a minimum interval between request starts to one host. Redirects are followed by hand so
that every hop is recorded; retries with backoff cover connection errors, 429 and 503
(``Retry-After`` honoured, capped). Bodies are streamed and capped twice: raw bytes as
received and decoded bytes, so a gzip bomb stops at the cap without filling memory.

Two wires carry the requests, behind one small interface (:class:`_Wire`): the native one
(the default: :mod:`auditor.wire`, asyncio and httptools, a fraction of a general client's
CPU per request, and link checking is CPU-bound) and httpx (when a ``transport=`` such as
``httpx.MockTransport`` is injected, and for requests that go through a proxy). Both hand over the body as received (content-encoding kept) and leave decoding to
the resolver's capped decoder. Large runs without an archive sink are split by host over two
processes (:func:`check_urls`), so the second core works too; politeness stays exact because a
host belongs to one process at a time.

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
import hashlib
import html
import os
import pickle
import re
import socket
import ssl
import struct
import sys
import threading
import time
import zlib
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urljoin, urlsplit, urlunsplit

from auditor.config import section_of, typed_value
from auditor.errors import ConfigError
from auditor.wire import Client as Http1Client
from auditor.wire import ConnectError as ConnectError  # the wire's errors are the resolver's
from auditor.wire import ConnectTimeout as ConnectTimeout
from auditor.wire import ReadError as ReadError
from auditor.wire import ReadTimeout as ReadTimeout
from auditor.wire import RemoteProtocolError as RemoteProtocolError
from auditor.wire import Response as Http1Response
from auditor.wire import TransportError

if TYPE_CHECKING:
    import httpx

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
    "processes": int,
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
    processes: int = 2  # 2: a large run without archive is split by host over two processes
    offline: bool = False  # report every URL as not-checked

    def __post_init__(self) -> None:
        positive = (
            "max_concurrency",
            "host_concurrency",
            "max_bytes",
            "max_decompressed_bytes",
            "processes",
        )
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
        section = section_of(settings, "resolve")
        values: dict[str, Any] = {}
        for key, value in section.items():
            if key not in _RESOLVE_KEYS:
                raise ConfigError(f"unknown key 'resolve.{key}'")
            if value is None:
                continue
            values[key] = typed_value(f"resolve.{key}", value, _RESOLVE_KEYS[key])
        if "user_agent" not in values:
            fetch_ua = section_of(settings, "fetch").get("user_agent")
            if isinstance(fetch_ua, str) and fetch_ua:
                values["user_agent"] = fetch_ua
        return cls(offline=offline, **values)


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


@dataclass(frozen=True, slots=True)
class ParsedURL:
    """A validated http(s) URL, as the resolver fetches and keys it.

    The fields are what ``httpx.URL`` gives for the same text, so both wires and both parse
    paths agree: ``url`` is the normalised text (fragment kept), ``host`` is lower case (an
    IDNA host decoded, an IPv6 host without brackets), ``raw_host`` its ASCII form, ``port``
    is None for the scheme's default, ``target`` is the path and query as sent (``/`` for an
    empty path), and ``key`` is :func:`normalise_url`'s answer.
    """

    url: str
    scheme: str
    host: str
    raw_host: str
    port: int | None
    path: str
    target: str
    key: str

    def __str__(self) -> str:
        return self.url


def _chars(excluded: str) -> str:
    """A regex character class body: printable ASCII except space and ``excluded``."""
    return "".join(re.escape(chr(i)) for i in range(0x21, 0x7F) if chr(i) not in excluded)


# The common case, parsed without httpx: a lower-case http(s) scheme, a plain host name or
# IPv4 address, an optional port, and a path, query and fragment made only of the characters
# httpx leaves as they are (its path, query and fragment percent-encode sets). Anything else
# goes through httpx.URL, so the result is the same either way (tests/test_resolve.py
# compares the two on generated URLs).
_FAST_URL_RE = re.compile(
    r"(https?)://([A-Za-z0-9_.-]+)(?::([0-9]{1,5}))?"
    rf"([/][{_chars(chr(34) + '#<>?`{}')}]*)?"
    rf"(?:\?([{_chars(chr(34) + '#<>')}]*))?"
    rf"(?:#([{_chars(chr(34) + '<>`')}]*))?"
)
_IPV4_STYLE_RE = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
_BAD_CHAR_RE = re.compile(r"[\s\x00-\x1f]")  # \s is str.isspace()


def parse_url(url: str) -> ParsedURL:
    """Parse and validate an http(s) URL; raise :class:`InvalidURL` with the reason."""
    text = url.strip()
    if not text:
        raise InvalidURL("empty URL")
    if _BAD_CHAR_RE.search(text):
        raise InvalidURL("whitespace or control character inside the URL")
    match = _SCHEME_RE.match(text)
    if not match:
        raise InvalidURL("no scheme (expected http:// or https://)")
    scheme = match.group(1).lower()
    if scheme not in _DEFAULT_PORTS:
        raise InvalidURL(f"scheme '{scheme}:' is not fetched", LinkStatus.UNSUPPORTED_SCHEME)
    if not text[match.end() :].startswith("//"):
        raise InvalidURL("no '//' after the scheme")
    fast = _FAST_URL_RE.fullmatch(text) if len(text) <= 8192 else None
    if fast is not None:
        parsed = _parse_fast(fast)
        if parsed is not None:
            return parsed
    return _parse_slow(text)


def _parse_fast(match: re.Match[str]) -> ParsedURL | None:
    """The fast path's answer, or None when httpx must decide (dot segments, odd IPv4)."""
    scheme, host, port_text, path, query, fragment = match.groups()
    path = path or ""
    if "." in path:
        parts = path.split("/")
        if "." in parts or ".." in parts:
            return None  # httpx removes dot segments
    host = host.lower()
    if _IPV4_STYLE_RE.fullmatch(host) and not all(
        len(octet) <= 3 and int(octet) <= 255 and (octet == "0" or not octet.startswith("0"))
        for octet in host.split(".")
    ):
        return None  # httpx says why the address is invalid
    port = None
    if port_text is not None:
        port = int(port_text)
        if port == _DEFAULT_PORTS[scheme]:
            port = None
        elif not 0 < port < 65536:
            raise InvalidURL(f"port {port} out of range")
    if not _HOST_RE.match(host):
        raise InvalidURL(f"host {host!r} is not a valid name")
    netloc = host if port is None else f"{host}:{port}"
    target = (path or "/") + ("" if query is None else "?" + query)
    text = f"{scheme}://{netloc}{path}" + ("" if query is None else "?" + query)
    if fragment is not None:
        text += "#" + fragment
    return ParsedURL(
        url=text,
        scheme=scheme,
        host=host,
        raw_host=host,
        port=port,
        path=path or "/",
        target=target,
        key=f"{scheme}://{netloc}{target}",
    )


def _parse_slow(text: str) -> ParsedURL:
    import httpx

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
    scheme = parsed.scheme
    raw_host = parsed.raw_host.decode("ascii").lower()
    port = parsed.port
    if port == _DEFAULT_PORTS[scheme]:
        port = None
    bracketed = f"[{raw_host}]" if ":" in raw_host else raw_host
    netloc = bracketed if port is None else f"{bracketed}:{port}"
    target = parsed.raw_path.decode("ascii") or "/"
    return ParsedURL(
        url=str(parsed),
        scheme=scheme,
        host=host,
        raw_host=raw_host,
        port=port,
        path=target.split("?", 1)[0],
        target=target,
        key=f"{scheme}://{netloc}{target}",
    )


def normalise_url(url: str) -> str:
    """The key a URL is checked under: lower-case scheme and host, no default port, no
    fragment, ``/`` for an empty path. Raise :class:`InvalidURL` when it cannot be fetched."""
    return parse_url(url).key


@lru_cache(maxsize=8192)
def registered_domain(url_or_host: str) -> str | None:
    """The publisher domain: the registered domain (``bbc.co.uk``), offline; an IP address
    or a single-label host (``localhost``) is returned as it is."""
    literal = url_or_host.strip("[]").lower()
    if _IPV4_STYLE_RE.fullmatch(literal) or (
        literal.count(":") >= 2 and not literal.strip("0123456789abcdef:.")
    ):
        return literal  # an IP address has no registered domain (and needs no tldextract)
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
    import email.utils

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


# _BIT_OF[k][byte] is bit k of byte: counting set bits column by column runs in C.
_BIT_OF = tuple(bytes((value >> k) & 1 for value in range(256)) for k in range(8))
SIMHASH_SHINGLES = 5000  # distinct shingles hashed, first ones first


def simhash(text: str) -> str:
    """A 64-bit simhash of word 3-shingles, as ``simhash:<16 hex digits>`` ("" for no text).

    Each distinct shingle (the first 5,000, in text order) is hashed with 8-byte BLAKE2b; bit
    ``b`` of the result is set when more than half of the hashes have it. The bits are counted
    per digest byte with ``bytes.translate`` and ``bytes.count``, not one by one.
    """
    words = _WORD_RE.findall(text.lower())
    if not words:
        return ""
    if len(words) < 3:
        shingles = [" ".join(words)]
    else:
        unique = dict.fromkeys(map(" ".join, zip(words, words[1:], words[2:], strict=False)))
        shingles = list(unique)[:SIMHASH_SHINGLES]
    blake2b = hashlib.blake2b
    digests = b"".join([blake2b(shingle.encode(), digest_size=8).digest() for shingle in shingles])
    count = len(shingles)
    result = 0
    for index in range(8):  # digest byte 0 holds bits 63..56 (big-endian)
        column = digests[index::8]
        for k in range(8):
            if 2 * column.translate(_BIT_OF[k]).count(1) > count:
                result |= 1 << ((7 - index) * 8 + k)
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
    same_title = bool(page.title) and page.title == probe.page.title
    visible = None
    if page.length is not None:
        length = page.length
    else:
        visible = visible_text(page.markup)
        length = len(visible)
    probe_words, probe_length = page_words(probe.page)
    close_length = (
        max(length, probe_length) == 0
        or min(length, probe_length) / max(length, probe_length) >= 0.85
    )
    if not close_length and not same_title:
        return None  # neither rule below can hold: the word sets are not needed
    if page.words is not None:
        words = page.words
    else:
        text = visible if visible is not None else visible_text(page.markup)
        words = frozenset(_WORD_RE.findall(text.lower())[:4000])
    similarity = word_similarity(words, probe_words)
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


def _error_kind(exc: BaseException) -> str | None:
    """What a wire exception means: one of TransportError's kinds, or None."""
    if isinstance(exc, TransportError):
        return exc.kind
    httpx = sys.modules.get("httpx")  # an httpx exception implies httpx is imported
    if httpx is None:
        return None
    if isinstance(exc, httpx.ConnectTimeout):
        return "connect-timeout"
    if isinstance(exc, httpx.ReadTimeout):
        return "read-timeout"
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return "unsupported"
    if isinstance(exc, httpx.InvalidURL | httpx.LocalProtocolError):
        return "invalid"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "protocol"
    if isinstance(exc, httpx.ReadError | httpx.WriteError | httpx.ConnectError):
        return "connection"
    return None


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
    kind = _error_kind(exc)
    if kind == "connect-timeout":
        return LinkStatus.TIMEOUT, "connect timeout"
    if kind == "read-timeout":
        return LinkStatus.TIMEOUT, "read timeout (no data within the read timeout)"
    if kind == "timeout":
        return LinkStatus.TIMEOUT, f"{type(exc).__name__}"
    if kind == "unsupported":
        return LinkStatus.UNSUPPORTED_SCHEME, _short(exc)
    if kind == "invalid":
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
    if kind == "protocol":
        return LinkStatus.CONNECTION_ERROR, f"server broke the protocol: {_short(exc)}"
    if kind == "connection":
        return LinkStatus.CONNECTION_ERROR, f"connection failed: {_short(exc)}"
    return LinkStatus.CONNECTION_ERROR, f"{type(exc).__name__}: {_short(exc)}"


def _is_retriable(exc: BaseException) -> bool:
    status, _ = classify_error(exc)
    if status in (LinkStatus.CONNECTION_REFUSED, LinkStatus.CONNECTION_ERROR):
        return True
    return _error_kind(exc) == "connect-timeout"


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


class _Slots:
    """A FIFO semaphore whose urgent waiters go to the front of the queue: a soft-404 probe
    that many pages of a host wait for is not served after all of them."""

    __slots__ = ("free", "waiters")

    def __init__(self, limit: int) -> None:
        self.free = limit
        self.waiters: deque[asyncio.Future[None]] = deque()

    async def acquire(self, urgent: bool = False) -> None:
        if self.free > 0 and not self.waiters:
            self.free -= 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if urgent:
            self.waiters.appendleft(waiter)
        else:
            self.waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # the slot was handed over just as the wait was cancelled
            elif waiter in self.waiters:  # release() may already have dropped it
                self.waiters.remove(waiter)
            raise

    def release(self) -> None:
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the slot passes straight to the waiter
                return
        self.free += 1


class _HostState:
    __slots__ = ("gate", "last_start", "not_before", "slots")

    def __init__(self, limit: int) -> None:
        self.slots = _Slots(limit)
        # one slot holder at a time waits out the interval; the others queue behind it
        # rather than all waking at each start to find it taken (a thundering herd that
        # cost ~0.5 ms of CPU per request at 10 per host)
        self.gate = _Slots(1)
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

    async def acquire(self, host: str, urgent: bool = False) -> float:
        """Wait for a slot; return the start time (``time.monotonic``). ``urgent`` requests
        (soft-404 probes, robots.txt: other checks wait for them) go first among a host's
        waiting requests."""
        state = self._state(host)
        await state.slots.acquire(urgent)
        try:
            await state.gate.acquire(urgent)
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
            finally:
                state.gate.release()
        except BaseException:
            state.slots.release()
            raise

    def release(self, host: str) -> None:
        self._global.release()
        self._hosts[host].slots.release()

    def pause(self, host: str, seconds: float) -> None:
        state = self._state(host)
        state.not_before = max(state.not_before, time.monotonic() + seconds)

    def snapshot(self) -> dict[str, tuple[float, float]]:
        """Each host's last request start and pause end (``time.monotonic``, which is one
        clock for every process of the machine): what another process needs to go on."""
        return {host: (s.last_start, s.not_before) for host, s in self._hosts.items()}

    def merge(self, states: Mapping[str, tuple[float, float]]) -> None:
        """Take over hosts from another process: later starts and pauses win."""
        for host, (last_start, not_before) in states.items():
            state = self._state(host)
            state.last_start = max(state.last_start, last_start)
            state.not_before = max(state.not_before, not_before)

    def widen(self, extra: int) -> None:
        """Raise the global limit by ``extra`` slots (a finished shard's share)."""
        for _ in range(extra):
            self._global.release()


# ---------------------------------------------------------------------------
# Wires: the HTTP client under the resolver


class _Headers:
    """Response headers as received, with case-insensitive lookup (multiple values are
    joined with ``, ``, as httpx does)."""

    __slots__ = ("_map", "raw")

    def __init__(self, raw: Iterable[tuple[bytes, bytes]]) -> None:
        self.raw: tuple[tuple[bytes, bytes], ...] = tuple(raw)
        self._map: dict[str, str] | None = None

    def _lookup(self) -> dict[str, str]:
        if self._map is None:
            found: dict[str, str] = {}
            for name, value in self.raw:
                key = name.decode("latin-1").lower()
                try:
                    text = value.decode("utf-8")
                except UnicodeDecodeError:
                    text = value.decode("latin-1")
                found[key] = f"{found[key]}, {text}" if key in found else text
            self._map = found
        return self._map

    def get(self, name: str, default: str | None = None) -> str | None:
        return self._lookup().get(name.lower(), default)

    def items(self) -> Iterable[tuple[str, str]]:
        """(lower-case name, value) pairs."""
        return self._lookup().items()


class _Reply(Protocol):
    """A response whose headers are in; the body is read with :meth:`chunks`."""

    status_code: int
    reason: str
    http_version: str
    headers: _Headers
    ip: str | None
    decoded: bool  # the body was already decoded in memory (httpx.MockTransport)

    def request_headers(self) -> tuple[tuple[bytes, bytes], ...]: ...

    def chunks(self) -> AsyncIterator[bytes]: ...

    async def aclose(self) -> None: ...


class _Wire(Protocol):
    """Sends one request and returns once the response headers are in.

    Failures are raised as the wire's transport errors (httpx's, or :class:`TransportError`),
    ``OSError`` or ``TimeoutError``; :data:`errors` lists them for the retry loop.
    """

    errors: tuple[type[BaseException], ...]

    async def send(self, method: str, target: ParsedURL) -> _Reply: ...

    async def aclose(self) -> None: ...


def _default_headers(options: ResolverOptions) -> dict[str, str]:
    return {
        "User-Agent": options.user_agent,
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "Accept-Language": "fr,en;q=0.8",
        "Accept-Encoding": "gzip, deflate",
    }


class _HttpxReply:
    __slots__ = (
        "_request",
        "_response",
        "decoded",
        "headers",
        "http_version",
        "ip",
        "reason",
        "status_code",
    )

    def __init__(self, request: httpx.Request, response: httpx.Response) -> None:
        self._request = request
        self._response = response
        self.status_code = response.status_code
        self.reason = response.reason_phrase
        self.http_version = response.http_version
        self.headers = _Headers(response.headers.raw)
        self.ip = _remote_ip(response)
        self.decoded = response.is_stream_consumed

    def request_headers(self) -> tuple[tuple[bytes, bytes], ...]:
        return tuple(self._request.headers.raw)

    def chunks(self) -> AsyncIterator[bytes]:
        return _raw_chunks(self._response)

    async def aclose(self) -> None:
        await self._response.aclose()


class _HttpxWire:
    """httpx ``AsyncClient``: used when a transport is injected (``httpx.MockTransport``)."""

    def __init__(self, options: ResolverOptions, transport: httpx.AsyncBaseTransport | None):
        import http.cookiejar

        import httpx

        try:  # httpcore imports sniffio on every request; when it is absent each failed
            import sniffio  # noqa: F401  import scans sys.path (~0.5 ms a request)
        except ImportError:
            sys.modules.setdefault("sniffio", None)  # type: ignore[arg-type]
        o = options
        self.errors: tuple[type[BaseException], ...] = (httpx.HTTPError, OSError, TimeoutError)
        blocked = http.cookiejar.DefaultCookiePolicy(allowed_domains=[])
        self.client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(o.read_timeout, connect=o.connect_timeout, pool=None),
            limits=httpx.Limits(
                max_connections=o.max_concurrency,
                max_keepalive_connections=o.max_concurrency,
                keepalive_expiry=5.0,
            ),
            follow_redirects=False,
            headers=_default_headers(o),
            cookies=http.cookiejar.CookieJar(blocked),
            trust_env=o.trust_env,
        )

    async def send(self, method: str, target: ParsedURL) -> _Reply:
        request = self.client.build_request(method, target.url)
        response = await self.client.send(request, stream=True)
        return _HttpxReply(request, response)

    async def aclose(self) -> None:
        await self.client.aclose()


class _NativeReply:
    __slots__ = ("_response", "decoded", "headers", "http_version", "ip", "reason", "status_code")

    def __init__(self, response: Http1Response) -> None:
        self._response = response
        self.status_code = response.status_code
        self.reason = response.reason
        self.http_version = response.http_version
        self.headers = _Headers(response.raw_headers)
        self.ip = response.peer_ip
        self.decoded = False

    def request_headers(self) -> tuple[tuple[bytes, bytes], ...]:
        return self._response.request_headers

    def chunks(self) -> AsyncIterator[bytes]:
        return self._response.chunks()

    async def aclose(self) -> None:
        await self._response.aclose()


class _NativeWire:
    """:mod:`auditor.wire`'s HTTP/1.1 client (asyncio and httptools): the default.

    Requests that the environment sends through a proxy (``http_proxy``, ``https_proxy``,
    ``all_proxy``, minus ``no_proxy``; read once, when ``trust_env`` is on) go through an
    httpx client instead, which speaks to proxies."""

    def __init__(self, options: ResolverOptions) -> None:
        self.options = options
        self.client = Http1Client(
            list(_default_headers(options).items()),
            connect_timeout=options.connect_timeout,
            read_timeout=options.read_timeout,
            max_idle=options.max_concurrency,
        )
        self.errors: tuple[type[BaseException], ...] = (TransportError, OSError, TimeoutError)
        self._proxies: dict[str, str] = {}  # scheme (or "all", "no") -> proxy URL
        # urllib.request (~14 ms to import) only when a proxy variable is set at all
        if options.trust_env and any(name.lower().endswith("_proxy") for name in os.environ):
            import urllib.request

            found = urllib.request.getproxies_environment()
            if any(key != "no" for key in found):
                self._proxies = found
        self._proxied: _HttpxWire | None = None
        if self._proxies:
            import httpx

            self.errors += (httpx.HTTPError,)

    def _proxy_for(self, target: ParsedURL) -> str | None:
        proxy = self._proxies.get(target.scheme) or self._proxies.get("all")
        if proxy is None:
            return None
        import urllib.request

        bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
        if bypass(target.raw_host, self._proxies):
            return None
        return proxy

    async def send(self, method: str, target: ParsedURL) -> _Reply:
        if self._proxies and self._proxy_for(target) is not None:
            if self._proxied is None:
                self._proxied = _HttpxWire(self.options, None)
            return await self._proxied.send(method, target)
        port = target.port or _DEFAULT_PORTS[target.scheme]
        response = await self.client.send(
            method, target.scheme, target.raw_host, port, target.target
        )
        return _NativeReply(response)

    async def aclose(self) -> None:
        await self.client.aclose()
        if self._proxied is not None:
            await self._proxied.aclose()


def _open_wire(
    options: ResolverOptions, transport: httpx.AsyncBaseTransport | None, wire_name: str | None
) -> _Wire:
    if wire_name not in (None, "native", "httpx"):
        raise ValueError(f"unknown wire {wire_name!r} (native or httpx)")
    if transport is not None or wire_name == "httpx":
        return _HttpxWire(options, transport)
    return _NativeWire(options)


# ---------------------------------------------------------------------------
# The resolver


@dataclass(slots=True)
class _Answer:
    """One HTTP answer, with its body when it was read."""

    url: str
    host: str
    method: str
    status_code: int
    headers: _Headers
    elapsed_ms: float
    ip: str | None
    body: bytes | None = None  # raw (still content-encoded)
    decoded: bytes | None = None
    too_large: str | None = None
    exchange: Exchange | None = None
    note: str | None = None  # why a 429/503 was not retried further


@dataclass(slots=True)
class _Chain:
    """A redirect chain in progress: everything needed to go on with it, in this process or
    in another one (it pickles)."""

    url: str
    key: str
    checked_at: str
    started: float  # time.monotonic() when the check began
    current: ParsedURL
    method: str
    budget: list[float]  # network seconds left (the deadline)
    hops: list[Hop] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    attempts: int = 0


class _Failure(Exception):
    def __init__(self, exc: BaseException, attempts: int) -> None:
        super().__init__(str(exc))
        self.exc = exc
        self.attempts = attempts


class _Deferred(Exception):
    """The chain's next request is for a host another process owns (sharded runs)."""

    def __init__(self, chain: _Chain) -> None:
        super().__init__(chain.current.host)
        self.chain = chain


Clock = Callable[[], datetime]
Trace = Callable[[str, str, float], None]


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Resolver:
    """Checks URLs with one shared client. Use as an async context manager.

    ``archive`` receives the exchanges of every successful fetch; ``cache`` (a mutable
    mapping keyed by normalised URL) serves and keeps successes only; ``trace`` is called
    with ``("request", url, monotonic_start)`` at every request start (tests, progress).
    ``wire`` chooses the HTTP client: ``"native"``, ``"httpx"``, or None for native unless
    a ``transport`` is given (which only httpx takes).
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
        wire: str | None = None,
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
        self._wire_name = wire
        self._client: _Wire | None = None
        self._probes: dict[tuple[str, str, str], asyncio.Task[ProbeResult | None]] = {}
        self._robots: dict[str, asyncio.Task[Any]] = {}
        # sharded runs: the hosts this process may request (None: every host)
        self._owns: Callable[[str], bool] | None = None

    async def __aenter__(self) -> Resolver:
        self._client = _open_wire(self.options, self._transport, self._wire_name)
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
        batch = _Batch.of(urls, self.clock, on_result)

        async def run(key: str) -> None:
            batch.deliver(key, await self.check(batch.groups[key][0], parsed=batch.parsed[key]))

        async with asyncio.TaskGroup() as group:
            for key in batch.groups:
                group.create_task(run(key))
        return batch.results

    # -- one URL -------------------------------------------------------------

    async def check(self, url: str, *, parsed: ParsedURL | None = None) -> LinkCheck:
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
        key = parsed.key
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
        o = self.options
        method = (
            "HEAD"
            if o.use_head and self.archive is None and _BINARY_EXT_RE.search(parsed.path)
            else "GET"
        )
        chain = _Chain(
            url=url,
            key=key,
            checked_at=checked_at,
            started=started,
            current=parsed,
            method=method,
            budget=[o.deadline],
            seen={key},
        )
        return await self.resume(chain)

    async def resume(self, chain: _Chain) -> LinkCheck:
        """Go on with a chain (begun here, or handed over by another process)."""
        try:
            check = await self._check(chain)
        except _Deferred:
            raise
        except Exception as exc:  # a bug must not sink the batch; it is reported
            status, evidence = classify_error(exc)
            check = LinkCheck(
                url=chain.url,
                status=status,
                evidence=f"unexpected: {evidence}",
                checked_at=chain.checked_at,
                error=f"{type(exc).__name__}: {exc}",
            )
        check = replace(check, timings=round((time.monotonic() - chain.started) * 1000, 1))
        if self.cache is not None and check.status in CACHEABLE:
            self.cache[chain.key] = replace(check, main_text=None, snapshot=None)
        return check

    async def _check(self, chain: _Chain) -> LinkCheck:
        o = self.options
        url = chain.url
        want_exchanges = self.archive is not None
        hops = chain.hops
        answers: list[_Answer] = []
        status: LinkStatus | None = None
        evidence = ""
        page: PageSummary | None = None
        text: str | None = None
        while True:
            if self._owns is not None and not self._owns(chain.current.host):
                raise _Deferred(chain)
            try:
                answer, used = await self._fetch(
                    chain.current, chain.method, chain.budget, want_exchanges
                )
            except _Failure as failure:
                chain.attempts += failure.attempts
                status, evidence = classify_error(failure.exc)
                return self._failed(
                    url, hops, status, evidence, failure.exc, chain.attempts, chain.checked_at
                )
            chain.attempts += used
            if chain.method == "HEAD" and (
                not 200 <= answer.status_code < 400 or _is_html(answer.headers)
            ):
                chain.method = "GET"  # HEAD did not serve: ask again with GET
                continue
            answers.append(answer)
            location = _location(answer)
            page = text = None
            if answer.decoded is not None and _is_html(answer.headers):
                text = _decode_text(answer.decoded, answer.headers.get("content-type"))
                page = summarise_html(text, answer.url)
                if location is None and page.refresh and _key_or(page.refresh) not in chain.seen:
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
            if next_url.key in chain.seen:
                status = LinkStatus.REDIRECT_LOOP
                evidence = f"redirect loop: {location} was already visited"
                break
            if len(hops) > o.max_redirects:
                status = LinkStatus.TOO_MANY_REDIRECTS
                evidence = f"more than {o.max_redirects} redirects"
                break
            chain.seen.add(next_url.key)
            chain.current = next_url
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
                headers=dict(final.headers.items()),
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
            checked_at=chain.checked_at,
            attempts=chain.attempts,
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
        self,
        target: ParsedURL,
        method: str,
        budget: list[float],
        want_exchange: bool,
        urgent: bool = False,
    ) -> tuple[_Answer, int]:
        """One hop with retries; return the answer and the number of attempts."""
        o = self.options
        assert self._client is not None, "use 'async with Resolver(...)'"
        errors = self._client.errors
        attempt = 0
        while True:
            attempt += 1
            try:
                answer = await self._send(target, method, budget, want_exchange, urgent)
            except errors as exc:
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
        self,
        target: ParsedURL,
        method: str,
        budget: list[float],
        want_exchange: bool,
        urgent: bool = False,
    ) -> _Answer:
        assert self._client is not None
        host = target.host
        start = await self.politeness.acquire(host, urgent)
        if self.trace is not None:
            self.trace("request", target.url, start)
        started_at = self.clock() if want_exchange else None
        try:
            if budget[0] <= 0:
                raise TimeoutError("deadline exhausted")
            async with asyncio.timeout(budget[0]):
                reply = await self._client.send(method, target)
                try:
                    return await self._read(target, reply, method, start, want_exchange, started_at)
                finally:
                    await reply.aclose()
        finally:
            budget[0] -= time.monotonic() - start
            self.politeness.release(host)

    async def _read(
        self,
        target: ParsedURL,
        reply: _Reply,
        method: str,
        start: float,
        want_exchange: bool,
        started_at: datetime | None,
    ) -> _Answer:
        o = self.options
        code = reply.status_code
        headers = reply.headers
        html_page = _is_html(headers)
        ok = 200 <= code < 300
        need_decoded = ok and html_page and method == "GET"
        need_raw = want_exchange and method == "GET" and (ok or 300 <= code < 400)
        answer = _Answer(
            url=target.url,
            host=target.host,
            method=method,
            status_code=code,
            headers=headers,
            elapsed_ms=0.0,
            ip=reply.ip,
        )
        if need_decoded or need_raw:
            encoding = (headers.get("content-encoding") or "identity").strip().lower()
            if reply.decoded:
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
                async for chunk in reply.chunks():
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
                url=target.url,
                method=method,
                request_target=target.target,
                request_headers=reply.request_headers(),
                http_version=reply.http_version,
                status_code=code,
                reason=reply.reason,
                response_headers=headers.raw,
                body=answer.body,
                remote_ip=reply.ip,
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
            probe_path = f"{parent}/auditor-probe-{os.urandom(8).hex()}{ext}"
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
                answer, _used = await self._fetch(
                    parse_url(current), "GET", budget, False, urgent=True
                )
            except (_Failure, InvalidURL):
                return None
            location = _location(answer)
            if location is None or location in seen:
                page = None
                if answer.decoded is not None and _is_html(answer.headers):
                    text = _decode_text(answer.decoded, answer.headers.get("content-type"))
                    page = summarise_html(text, current)
                    words, length = page_words(page)  # once, not at every comparison
                    page = replace(page, words=words, length=length)
                return ProbeResult(
                    url=probe_url, final_url=current, status_code=answer.status_code, page=page
                )
            seen.add(location)
            current = location
        return None

    async def _robots_allow(self, url: str) -> bool:
        from auditor.archive import robots_parser

        parsed = parse_url(url)
        netloc = parsed.key[len(parsed.scheme) + 3 :].split("/", 1)[0]
        origin = f"{parsed.scheme}://{netloc}"
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
                answer, _used = await self._fetch(
                    parse_url(current), "GET", budget, True, urgent=True
                )
            except (_Failure, InvalidURL):
                return None, ""
            location = _location(answer)
            if location is None:
                body = answer.body or b""
                encoding = (answer.headers.get("content-encoding") or "identity").lower()
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


def _is_html(headers: _Headers) -> bool:
    content_type = (headers.get("content-type") or "").lower()
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
# A batch of URLs: grouping, results in input order


class _Batch:
    """The URLs of one run grouped by normalised URL; results kept per input string."""

    def __init__(self, urls: list[str], on_result: Callable[[LinkCheck], object] | None) -> None:
        self.urls = urls
        self.on_result = on_result
        self.groups: dict[str, list[str]] = {}  # key -> the input strings that share it
        self.parsed: dict[str, ParsedURL] = {}
        self.results: dict[str, LinkCheck] = {}

    @classmethod
    def of(
        cls, urls: Iterable[str], clock: Clock, on_result: Callable[[LinkCheck], object] | None
    ) -> _Batch:
        """Group the URLs; the ones that cannot be fetched get their result at once."""
        batch = cls(list(urls), on_result)
        for url in batch.urls:
            if url in batch.results:
                continue
            try:
                parsed = parse_url(url)
            except InvalidURL as exc:
                check = LinkCheck(
                    url=url, status=exc.status, evidence=str(exc), checked_at=_iso(clock())
                )
                batch.results[url] = check
                if on_result is not None:
                    on_result(check)
                continue
            members = batch.groups.setdefault(parsed.key, [])
            if not members:
                batch.parsed[parsed.key] = parsed
            if url not in members:
                members.append(url)
        return batch

    def deliver(self, key: str, check: LinkCheck) -> None:
        """Record the check of one key for every input string that has it."""
        for member in self.groups[key]:
            one = check if member == check.url else replace(check, url=member)
            self.results[member] = one
            if self.on_result is not None:
                self.on_result(one)

    def in_input_order(self) -> dict[str, LinkCheck]:
        return {url: self.results[url] for url in self.urls}


# ---------------------------------------------------------------------------
# Two processes for large runs

#: Distinct URLs from which a run is split over two processes (below, one process is faster:
#: the split costs a fork and the results' trip through a pipe).
SHARD_MIN_URLS = 200
_FRAME = struct.Struct("!I")


@dataclass(frozen=True, slots=True)
class _ShardPlan:
    child_hosts: frozenset[str]
    parent_share: int  # global slots (max_concurrency) of each process
    child_share: int


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _single_threaded() -> bool:
    """True when this process runs one thread, native ones included (Linux counts them in
    /proc): only then is a fork safe."""
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return threading.active_count() == 1


def _plan_shards(
    batch: _Batch, options: ResolverOptions, wire: str | None, force: bool
) -> _ShardPlan | None:
    """Split the hosts in two halves of about equal work, or None when one process should
    do it all: ``processes`` 1, too few URLs, one host, one CPU, no fork, threads already
    running (forking them is unsafe), or the httpx wire."""
    if options.processes < 2 or not hasattr(os, "fork") or _cpus() < 2:
        return None
    if not _single_threaded():
        return None
    if wire == "httpx" or options.max_concurrency < 2:
        return None
    if len(batch.groups) < (2 if force else SHARD_MIN_URLS):
        return None
    per_host: dict[str, int] = {}
    for parsed in batch.parsed.values():
        per_host[parsed.host] = per_host.get(parsed.host, 0) + 1
    if len(per_host) < 2:
        return None
    mine: list[str] = []
    theirs: list[str] = []
    load = [0, 0]
    for host, count in sorted(per_host.items(), key=lambda item: (-item[1], item[0])):
        side = 0 if load[0] <= load[1] else 1
        (mine if side == 0 else theirs).append(host)
        load[side] += count
    total = load[0] + load[1]
    share = round(options.max_concurrency * load[0] / total)
    share = min(max(share, 1), options.max_concurrency - 1)
    return _ShardPlan(frozenset(theirs), share, options.max_concurrency - share)


class _Outbox:
    """Messages from the child process to the parent: pickled and framed, written once per
    event-loop turn (so results finished together travel together)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.pending: list[tuple[Any, ...]] = []
        self.scheduled = False

    def add(self, message: tuple[Any, ...]) -> None:
        self.pending.append(message)
        if not self.scheduled:
            self.scheduled = True
            asyncio.get_running_loop().call_soon(self.flush)

    def flush(self) -> None:
        self.scheduled = False
        if not self.pending:
            return
        data = pickle.dumps(self.pending, protocol=pickle.HIGHEST_PROTOCOL)
        self.pending = []
        view = memoryview(_FRAME.pack(len(data)) + data)
        while view:
            view = view[os.write(self.fd, view) :]


async def _child_run(
    fd: int,
    jobs: list[tuple[str, str, ParsedURL]],
    options: ResolverOptions,
    hosts: frozenset[str],
    clock: Clock | None,
    wire: str | None,
) -> None:
    outbox = _Outbox(fd)
    try:

        def trace(event: str, url: str, at: float) -> None:
            outbox.add(("trace", event, url, at))

        async with Resolver(options, clock=clock, trace=trace, wire=wire) as resolver:
            resolver._owns = hosts.__contains__

            async def one(key: str, url: str, parsed: ParsedURL) -> None:
                try:
                    check = await resolver.check(url, parsed=parsed)
                except _Deferred as deferred:
                    outbox.add(("deferred", key, deferred.chain))
                else:
                    outbox.add(("result", key, check))

            async with asyncio.TaskGroup() as group:
                for job in jobs:
                    group.create_task(one(*job))
            outbox.add(("done", resolver.politeness.snapshot()))
    except BaseException as exc:
        outbox.add(("error", f"{type(exc).__name__}: {exc}"))
    outbox.flush()


def _child_main(
    fd: int,
    jobs: list[tuple[str, str, ParsedURL]],
    options: ResolverOptions,
    hosts: frozenset[str],
    clock: Clock | None,
    wire: str | None,
) -> None:
    """The forked process: check ``jobs`` on a fresh event loop (in a new thread, since the
    inherited main thread still believes it runs the parent's loop), then leave at once."""
    import signal

    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        worker = threading.Thread(
            target=lambda: asyncio.run(_child_run(fd, jobs, options, hosts, clock, wire))
        )
        worker.start()
        worker.join()
        code = 0
    finally:
        os._exit(code)


async def _read_frames(reader: asyncio.StreamReader) -> AsyncIterator[list[tuple[Any, ...]]]:
    while True:
        try:
            head = await reader.readexactly(_FRAME.size)
            data = await reader.readexactly(_FRAME.unpack(head)[0])
        except asyncio.IncompleteReadError:
            return
        yield pickle.loads(data)


async def _check_sharded(
    batch: _Batch,
    options: ResolverOptions,
    plan: _ShardPlan,
    *,
    clock: Clock | None,
    trace: Trace | None,
    wire: str | None,
) -> dict[str, LinkCheck]:
    """Check the batch in this process and a forked one, each owning half of the hosts.

    A host belongs to one process at a time, so per-host limits and intervals hold exactly;
    the global limit is split in two. A chain that redirects to a host of the other process
    is handed over (or, in the parent, waits until the child is done, and the child's last
    start times per host are merged in first). Results and request traces come back through
    a pipe; ``on_result`` and ``trace`` are called here, in the parent.
    """
    child_keys = [key for key, parsed in batch.parsed.items() if parsed.host in plan.child_hosts]
    jobs = [(key, batch.groups[key][0], batch.parsed[key]) for key in child_keys]
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child leaves through os._exit
        os.close(read_fd)
        _child_main(
            write_fd,
            jobs,
            replace(options, max_concurrency=plan.child_share),
            plan.child_hosts,
            clock,
            wire,
        )
    os.close(write_fd)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 30)
    pipe = os.fdopen(read_fd, "rb", buffering=0)
    transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), pipe)
    child_done = asyncio.Event()
    pending = set(child_keys)  # child keys without a result or a handed-over chain yet
    try:
        async with Resolver(
            replace(options, max_concurrency=plan.parent_share),
            clock=clock,
            trace=trace,
            wire=wire,
        ) as resolver:
            resolver._owns = lambda host: child_done.is_set() or host not in plan.child_hosts

            async def settle(key: str, chain: _Chain | None) -> None:
                try:
                    if chain is None:
                        check = await resolver.check(batch.groups[key][0], parsed=batch.parsed[key])
                    else:
                        check = await resolver.resume(chain)
                except _Deferred as deferred:  # the child's host: wait until it is done
                    await child_done.wait()
                    check = await resolver.resume(deferred.chain)
                batch.deliver(key, check)

            async with asyncio.TaskGroup() as group:
                for key in batch.groups:
                    if key not in pending:
                        group.create_task(settle(key, None))
                async for frame in _read_frames(reader):
                    for message in frame:
                        kind = message[0]
                        if kind == "trace":
                            if trace is not None:
                                trace(message[1], message[2], message[3])
                        elif kind == "result":
                            pending.discard(message[1])
                            batch.deliver(message[1], message[2])
                        elif kind == "deferred":
                            pending.discard(message[1])
                            group.create_task(settle(message[1], message[2]))
                        elif kind == "done":
                            resolver.politeness.merge(message[1])
                            resolver.politeness.widen(plan.child_share)
                # the pipe is closed: the child has finished (or died: its leftovers are
                # checked here, now that every host is this process's)
                child_done.set()
                for key in sorted(pending):
                    group.create_task(settle(key, None))
    finally:
        transport.close()
        _reap(pid, child_done.is_set())
    return batch.in_input_order()


def _reap(pid: int, finished: bool) -> None:
    """Wait for the child. ``finished``: it closed the pipe, which it does by exiting; else
    (this process was cancelled or failed) it is stopped first."""
    import signal

    try:
        if not finished and os.waitpid(pid, os.WNOHANG)[0] == 0:
            os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


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
    wire: str | None = None,
    shard: bool | None = None,
) -> dict[str, LinkCheck]:
    """Check every URL once; return ``{input URL: LinkCheck}`` in input order (every input
    has an entry).

    Duplicates (same normalised URL) share one check. ``on_result`` is called as each
    result is ready. ``archive`` receives the exchanges of successful fetches. ``wire``
    chooses the HTTP client (see :class:`Resolver`). With ``options.processes`` 2 (the
    default), a run of ``SHARD_MIN_URLS`` distinct URLs or more, on two hosts or more,
    without ``transport``, ``archive`` or ``cache``, is split over two processes by host;
    ``shard=False`` keeps it in one, ``shard=True`` splits any run that can be split.
    """
    batch = _Batch.of(urls, clock or _utc_now, on_result)
    if (
        shard is not False
        and transport is None
        and archive is None
        and cache is None
        and not options.offline
    ):
        plan = _plan_shards(batch, options, wire, force=shard is True)
        if plan is not None:
            return await _check_sharded(batch, options, plan, clock=clock, trace=trace, wire=wire)
    async with Resolver(
        options,
        transport=transport,
        clock=clock,
        archive=archive,
        cache=cache,
        trace=trace,
        wire=wire,
    ) as resolver:

        async def run(key: str) -> None:
            check = await resolver.check(batch.groups[key][0], parsed=batch.parsed[key])
            batch.deliver(key, check)

        async with asyncio.TaskGroup() as group:
            for key in batch.groups:
                group.create_task(run(key))
    return batch.in_input_order()


def check_urls_sync(
    urls: Iterable[str],
    options: ResolverOptions,
    **kwargs: Any,
) -> dict[str, LinkCheck]:
    """Blocking wrapper around :func:`check_urls` (runs its own event loop)."""
    return asyncio.run(check_urls(list(urls), options, **kwargs))
