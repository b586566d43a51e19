"""Archive cited pages: WARC 1.1 files written with warcio, and the Internet Archive.

:class:`WarcArchive` is the resolver's archive sink. For every successful fetch it writes a
``request`` and a ``response`` record per hop (bytes as received: a gzip body stays gzip),
linked by ``WARC-Concurrent-To``, plus a ``metadata`` record holding the extracted main text.
A payload already archived becomes a ``revisit`` record (identical-payload-digest profile).
Each record is gzipped on its own, built in memory and written in one call, then flushed: a
crash leaves every complete record readable. Files rotate at ``max_warc_bytes``, each opening
with a ``warcinfo`` record.

:class:`Wayback` looks up the capture closest to a date (availability API, then CDX API) and,
when enabled, submits to Save Page Now 2 with keys from the environment, keeping to its rate
limits and reading its errors (many arrive as HTTP 200 with ``"status": "error"``).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import os
import threading
import time
from collections.abc import Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.robotparser import RobotFileParser

from auditor.config import section_of as _section
from auditor.config import typed_value
from auditor.errors import AuditorError, ConfigError

if TYPE_CHECKING:
    import httpx

    from auditor.resolve import Exchange

DEFAULT_WAYBACK_URL = "https://web.archive.org"
DEFAULT_AVAILABILITY_URL = "https://archive.org/wayback/available"
ACCESS_KEY_ENV = "AUDITOR_IA_ACCESS_KEY"
SECRET_KEY_ENV = "AUDITOR_IA_SECRET_KEY"
WARC_1_1 = "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"


class ArchiveServiceError(AuditorError):
    """The Internet Archive could not be asked (network fault, refusal, malformed answer)."""


# ---------------------------------------------------------------------------
# Options

_ARCHIVE_KEYS: dict[str, type | tuple[type, ...]] = {
    "enabled": bool,
    "wayback": bool,
    "warc_dir": (str, type(None)),
    "max_warc_bytes": int,
    "warc_prefix": str,
    "fsync": bool,
    "dedupe_existing": bool,
    "respect_robots": bool,
    "wayback_url": str,
    "availability_url": (str, type(None)),
    "wayback_timeout": float,
    "wayback_interval": float,
    "wayback_retries": int,
    "max_retry_wait": float,
    "save_page_now": bool,
    "spn_interval": float,
    "spn_poll_interval": float,
    "spn_poll_timeout": float,
    "user_agent": (str, type(None)),
}


@dataclass(frozen=True, slots=True)
class ArchiveOptions:
    """Archive settings (the ``archive:`` section of the configuration)."""

    warc_dir: str = ".auditor/warc"
    enabled: bool = True  # write WARC files during audits and checks
    wayback: bool = True  # look up the closest Wayback capture of cited pages
    max_warc_bytes: int = 1_000_000_000  # rotate to a new file past this size
    warc_prefix: str = "auditor"
    fsync: bool = False  # fsync after every URL (flush always happens)
    dedupe_existing: bool = True  # read payload digests of WARC files already in warc_dir
    respect_robots: bool = True  # robots.txt is honoured for archiving only
    wayback_url: str = DEFAULT_WAYBACK_URL  # CDX, /web/ replay and /save (SPN2)
    availability_url: str | None = None  # None: archive.org's, or <wayback_url>/wayback/available
    wayback_timeout: float = 20.0
    wayback_interval: float = 1.0  # seconds between two Wayback API requests
    wayback_retries: int = 1
    max_retry_wait: float = 60.0
    save_page_now: bool = False  # opt-in: submit pages to Save Page Now 2
    spn_interval: float = 10.0  # seconds between two SPN2 submissions
    spn_poll_interval: float = 5.0
    spn_poll_timeout: float = 120.0
    user_agent: str = "auditor/0.1 (source-credibility auditor for fact-checkers; archive)"

    @property
    def availability_endpoint(self) -> str:
        """The availability API URL: explicit, else archive.org's for the default base."""
        if self.availability_url:
            return self.availability_url
        base = self.wayback_url.rstrip("/")
        if base == DEFAULT_WAYBACK_URL:
            return DEFAULT_AVAILABILITY_URL
        return f"{base}/wayback/available"

    @classmethod
    def from_settings(cls, settings: Any, *, warc_dir: str | Path | None = None) -> ArchiveOptions:
        """Build options from ``Settings`` (or a mapping of the whole configuration).

        ``warc_dir`` (argument, e.g. the store's ``warc_dir(settings)``) wins over
        ``archive.warc_dir``, which defaults to ``<home>/warc`` (``home``, else ``./.auditor``);
        ``user_agent`` falls back to ``resolve.user_agent`` then ``fetch.user_agent``.
        Unknown keys and wrong types raise ``ConfigError`` naming the key.
        """
        section = _section(settings, "archive")
        values: dict[str, Any] = {}
        for key, value in section.items():
            if key not in _ARCHIVE_KEYS:
                raise ConfigError(f"unknown key 'archive.{key}'")
            if value is None and key not in ("warc_dir", "availability_url", "user_agent"):
                continue
            values[key] = typed_value(f"archive.{key}", value, _ARCHIVE_KEYS[key])
        if warc_dir is not None:
            values["warc_dir"] = str(warc_dir)
        elif not values.get("warc_dir"):
            from auditor.store import warc_dir as store_warc_dir

            values["warc_dir"] = str(store_warc_dir(settings))
        if not values.get("user_agent"):
            values.pop("user_agent", None)
            for other in ("resolve", "fetch"):
                agent = _section(settings, other).get("user_agent")
                if isinstance(agent, str) and agent:
                    values["user_agent"] = agent
                    break
        for key in ("max_warc_bytes",):
            if values.get(key, 1) < 1:
                raise ConfigError(f"'archive.{key}' must be at least 1")
        for key in ("wayback_interval", "spn_interval", "max_retry_wait", "wayback_retries"):
            if values.get(key, 0) < 0:
                raise ConfigError(f"'archive.{key}' must not be negative")
        return cls(**values)


def _get(settings: Any, key: str) -> Any:
    if hasattr(settings, "get") and not isinstance(settings, Mapping):
        return settings.get(key)
    if isinstance(settings, Mapping):
        return settings.get(key)
    return None


# ---------------------------------------------------------------------------
# robots.txt


def robots_parser(status: int | None, text: str) -> RobotFileParser:
    """A ``RobotFileParser`` for a fetched robots.txt, following RFC 9309.

    A 2xx answer is parsed; a 4xx (the file does not exist) allows everything; a 5xx or no
    answer at all disallows everything (archiving stays conservative when in doubt).
    """
    parser = RobotFileParser()
    if status is None or status >= 500:
        parser.disallow_all = True  # type: ignore[attr-defined]
    elif 400 <= status < 500:
        parser.allow_all = True  # type: ignore[attr-defined]
    elif 200 <= status < 300:
        parser.parse(text.splitlines())
    else:
        parser.disallow_all = True  # type: ignore[attr-defined]
    return parser


# ---------------------------------------------------------------------------
# WARC writing


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Where an archived page is: the record of its final response (or revisit)."""

    url: str  # the URL that was checked
    target_uri: str  # the URL of the archived response (final hop)
    warc_file: str  # path of the WARC file
    offset: int  # byte offset of the record in the file (gzip member start)
    length: int  # compressed length of the record
    payload_digest: str  # "sha1:BASE32"
    record_id: str  # "<urn:uuid:…>"
    warc_date: str
    record_type: str  # "response" or "revisit"
    refers_to: str | None = None  # record id of the original, for a revisit
    text_record_id: str | None = None  # the metadata record with the main text


def payload_digest(body: bytes) -> str:
    """The WARC payload digest of a body: ``sha1:`` and the base32 SHA-1."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def _warc_date(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _header_block(first_line: str, headers: Sequence[tuple[bytes, bytes]]) -> bytes:
    lines = [first_line.encode("latin-1")]
    for name, value in headers:
        if name.lower() == b"transfer-encoding":
            # the body is stored de-chunked: keep the header under another name
            name = b"X-Archive-Orig-" + name
        lines.append(name + b": " + value)
    return b"\r\n".join(lines) + b"\r\n\r\n"


def _status_and_headers(
    block: bytes, first_line: str, headers: Sequence[tuple[bytes, bytes]], request: bool
) -> Any:
    from warcio.statusandheaders import StatusAndHeaders

    class RawHeaders(StatusAndHeaders):
        """Keeps the header bytes as received instead of re-serialising them."""

        def compute_headers_buffer(self, header_filter: Any = None) -> None:
            self.headers_buff = block

    # as warcio parses them: "HTTP/1.1" + "200 OK", or "GET" + "/path HTTP/1.1"
    protocol, _, statusline = first_line.partition(" ")
    decoded = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers]
    sah = RawHeaders(statusline, decoded, protocol=protocol, is_http_request=request)
    sah.headers_buff = block
    return sah


class WarcArchive:
    """A WARC 1.1 writer that is also the resolver's archive sink (thread-safe).

    ``known_payloads`` maps payload digests already archived (by an earlier run, e.g. from
    the store) to ``(target URI, WARC-Date, record id)``; with ``dedupe_existing`` the
    WARC files already in the directory are read for the same purpose.
    """

    def __init__(
        self,
        options: ArchiveOptions,
        *,
        known_payloads: Mapping[str, tuple[str, str, str]] | None = None,
        clock: Any = None,
    ) -> None:
        self.options = options
        self.respect_robots = options.respect_robots
        self.directory = Path(options.warc_dir)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.payloads: MutableMapping[str, tuple[str, str, str]] = dict(known_payloads or {})
        self.files: list[Path] = []
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._fh: io.BufferedWriter | None = None
        self._path: Path | None = None
        self._seq = 0
        if options.dedupe_existing:
            self.scan_existing()

    # -- context manager ---------------------------------------------------

    def __enter__(self) -> WarcArchive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the current file (a later write opens a new one)."""
        with self._lock:
            self._close_file()

    def _close_file(self) -> None:
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            self._fh = None
            self._path = None

    # -- dedupe index ---------------------------------------------------------

    def scan_existing(self) -> int:
        """Read payload digests of the response records already in the directory."""
        from warcio.archiveiterator import ArchiveIterator

        found = 0
        for path in sorted(self.directory.glob("*.warc.gz")):
            try:
                with path.open("rb") as stream:
                    for record in ArchiveIterator(stream):
                        if record.rec_type != "response":
                            continue
                        headers = record.rec_headers
                        digest = headers.get_header("WARC-Payload-Digest")
                        if digest and digest not in self.payloads:
                            self.payloads[digest] = (
                                headers.get_header("WARC-Target-URI"),
                                headers.get_header("WARC-Date"),
                                headers.get_header("WARC-Record-ID"),
                            )
                            found += 1
            except Exception:  # a truncated file from a crash: keep what was read
                continue
        return found

    # -- writing --------------------------------------------------------------

    def write(
        self, url: str, exchanges: Sequence[Exchange], *, main_text: str | None = None
    ) -> Snapshot | None:
        """Write the exchanges of one fetch (all hops) and the main text; return the
        :class:`Snapshot` of the final response. Records of one fetch never straddle files."""
        if not exchanges:
            return None
        with self._lock:
            if self._fh is not None and self._fh.tell() >= self.options.max_warc_bytes:
                self._close_file()
            if self._fh is None:
                self._open_file()
            snapshot: Snapshot | None = None
            for exchange in exchanges:
                snapshot = self._write_exchange(url, exchange)
            assert snapshot is not None
            if main_text:
                text_id = self._write_text(snapshot, main_text)
                snapshot = _replace_text_id(snapshot, text_id)
            assert self._fh is not None
            self._fh.flush()
            if self.options.fsync:
                os.fsync(self._fh.fileno())
            return snapshot

    def _open_file(self) -> None:
        import warcio

        self._seq += 1
        stamp = self._clock().astimezone(UTC).strftime("%Y%m%d%H%M%S%f")
        name = f"{self.options.warc_prefix}-{stamp}-{os.getpid()}-{self._seq:05d}.warc.gz"
        path = self.directory / name
        self._fh = path.open("xb")
        self._path = path
        self.files.append(path)
        version = getattr(warcio, "__version__", "")
        info = {
            "software": f"auditor (warcio {version})".strip(),
            "format": "WARC File Format 1.1",
            "conformsTo": WARC_1_1,
            "http-header-user-agent": self.options.user_agent,
            "robots": "obey" if self.options.respect_robots else "ignore",
            "description": "pages cited by audited articles, fetched by the auditor resolver",
        }
        builder = self._builder()
        record = builder.create_warcinfo_record(name, info)
        self._emit(record)

    @staticmethod
    def _builder() -> Any:
        from warcio.warcwriter import WARCWriter

        return WARCWriter(io.BytesIO(), gzip=True, warc_version="1.1")

    def _emit(self, record: Any) -> tuple[int, int]:
        """Serialise one record as its own gzip member and append it in one write."""
        buffer = io.BytesIO()
        from warcio.warcwriter import WARCWriter

        WARCWriter(buffer, gzip=True, warc_version="1.1").write_record(record)
        data = buffer.getvalue()
        assert self._fh is not None
        offset = self._fh.tell()
        self._fh.write(data)
        self._fh.flush()
        return offset, len(data)

    def _write_exchange(self, url: str, exchange: Exchange) -> Snapshot:
        builder = self._builder()
        date = _warc_date(exchange.started_at)
        digest = payload_digest(exchange.body)
        status_line = f"{exchange.http_version} {exchange.status_code} {exchange.reason}".rstrip()
        block = _header_block(status_line, exchange.response_headers)
        http_headers = _status_and_headers(block, status_line, exchange.response_headers, False)
        common: dict[str, str] = {"WARC-Date": date}
        if exchange.remote_ip:
            common["WARC-IP-Address"] = exchange.remote_ip
        previous = self.payloads.get(digest)
        revisit = previous is not None and bool(exchange.body) and 200 <= exchange.status_code < 300
        if revisit:
            assert previous is not None
            record = builder.create_revisit_record(
                exchange.url,
                digest,
                previous[0],
                previous[1],
                http_headers=http_headers,
                warc_headers_dict=dict(common),
            )
            record.rec_headers.add_header("WARC-Refers-To", previous[2])
        else:
            record = builder.create_warc_record(
                exchange.url,
                "response",
                payload=io.BytesIO(exchange.body),
                length=len(exchange.body),
                http_headers=http_headers,
                warc_headers_dict={**common, "WARC-Payload-Digest": digest},
            )
        response_id = record.rec_headers.get_header("WARC-Record-ID")
        offset, length = self._emit(record)
        if not revisit and exchange.body and 200 <= exchange.status_code < 300:
            self.payloads[digest] = (exchange.url, date, response_id)

        request_line = f"{exchange.method} {exchange.request_target} {exchange.http_version}"
        request_block = _header_block(request_line, exchange.request_headers)
        request_headers = _status_and_headers(
            request_block, request_line, exchange.request_headers, True
        )
        request = builder.create_warc_record(
            exchange.url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=request_headers,
            warc_headers_dict={**common, "WARC-Concurrent-To": response_id},
        )
        self._emit(request)
        assert self._path is not None
        return Snapshot(
            url=url,
            target_uri=exchange.url,
            warc_file=str(self._path),
            offset=offset,
            length=length,
            payload_digest=digest,
            record_id=response_id,
            warc_date=date,
            record_type="revisit" if revisit else "response",
            refers_to=previous[2] if revisit and previous else None,
        )

    def _write_text(self, snapshot: Snapshot, text: str) -> str:
        builder = self._builder()
        data = text.encode("utf-8")
        record = builder.create_warc_record(
            snapshot.target_uri,
            "metadata",
            payload=io.BytesIO(data),
            length=len(data),
            warc_content_type="text/plain; charset=utf-8",
            warc_headers_dict={
                "WARC-Date": snapshot.warc_date,
                "WARC-Refers-To": snapshot.record_id,
                "WARC-Concurrent-To": snapshot.record_id,
            },
        )
        self._emit(record)
        return str(record.rec_headers.get_header("WARC-Record-ID"))


def _replace_text_id(snapshot: Snapshot, text_id: str) -> Snapshot:
    from dataclasses import replace

    return replace(snapshot, text_record_id=text_id)


# ---------------------------------------------------------------------------
# The Internet Archive: Wayback lookups and Save Page Now 2


@dataclass(frozen=True, slots=True)
class WaybackCapture:
    """A Wayback Machine capture of a URL."""

    url: str  # the replay URL, https://web.archive.org/web/<timestamp>/<original>
    timestamp: str  # 14 digits, UTC
    status: int | None  # HTTP status of the capture
    original: str = ""
    source: str = ""  # "availability" or "cdx"


@dataclass(frozen=True, slots=True)
class SaveResult:
    """What Save Page Now 2 answered for one URL."""

    url: str
    status: str  # "success" | "pending" | "error" | "skipped"
    job_id: str | None = None
    timestamp: str | None = None
    capture_url: str | None = None
    status_ext: str | None = None  # e.g. "error:too-many-daily-captures"
    message: str = ""


# SPN2 answers that concern the whole account or service, not one URL: stop submitting.
_SPN_STOP = {"error:user-session-limit", "error:too-many-requests", "error:max-daily-captures"}


def wayback_timestamp(when: datetime | str | None) -> str | None:
    """A 1–14 digit Wayback timestamp from a datetime or an ISO date string."""
    if when is None:
        return None
    if isinstance(when, str):
        digits = "".join(ch for ch in when if ch.isdigit())
        if len(digits) >= 8 and ("-" in when or "T" in when):
            try:
                parsed = datetime.fromisoformat(when.replace("Z", "+00:00"))
            except ValueError:
                return digits[:14] or None
            when = parsed
        else:
            return digits[:14] or None
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return when.strftime("%Y%m%d%H%M%S")


class Wayback:
    """Client for the Wayback Machine APIs (async; use as a context manager).

    Requests to the Internet Archive are spaced by ``wayback_interval``; 429 and 503 are
    retried ``wayback_retries`` times, waiting ``Retry-After`` when it is no longer than
    ``max_retry_wait``. Save Page Now 2 keys come from ``AUDITOR_IA_ACCESS_KEY`` and
    ``AUDITOR_IA_SECRET_KEY`` (``env`` overrides ``os.environ`` for tests).
    """

    def __init__(
        self,
        options: ArchiveOptions,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.options = options
        self.env = os.environ if env is None else env
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._lock = asyncio.Lock()
        self._last = float("-inf")
        self._spn_lock = asyncio.Lock()
        self._spn_last = float("-inf")
        self._spn_not_before = 0.0
        self._spn_stopped: str | None = None

    async def __aenter__(self) -> Wayback:
        import httpx  # lazy: httpx pulls in click, rich and pygments (~0.1 s) via httpx._main

        self._client = httpx.AsyncClient(
            transport=self._transport,
            timeout=httpx.Timeout(self.options.wayback_timeout),
            headers={"User-Agent": self.options.user_agent, "Accept": "application/json"},
            follow_redirects=True,
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # -- plumbing ---------------------------------------------------------------

    async def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One polite request with retries on 429/503 and connection errors."""
        import httpx

        assert self._client is not None, "use 'async with Wayback(...)'"
        attempt = 0
        while True:
            attempt += 1
            async with self._lock:
                wait = self._last + self.options.wayback_interval - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._last = time.monotonic()
            try:
                response = await self._client.request(method, url, **kwargs)
            except httpx.HTTPError as exc:
                if attempt <= self.options.wayback_retries:
                    await asyncio.sleep(min(2.0**attempt, self.options.max_retry_wait))
                    continue
                raise ArchiveServiceError(f"{url}: {type(exc).__name__}: {exc}") from exc
            if response.status_code in (429, 503) and attempt <= self.options.wayback_retries:
                delay = _retry_after(response)
                if delay is None:
                    delay = min(2.0**attempt, self.options.max_retry_wait)
                if delay <= self.options.max_retry_wait:
                    await asyncio.sleep(delay)
                    continue
            return response

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise ArchiveServiceError(
                f"{response.request.url}: not JSON (HTTP {response.status_code})"
            ) from exc

    def replay_url(self, timestamp: str, original: str) -> str:
        """The Wayback replay URL of a capture."""
        return f"{self.options.wayback_url.rstrip('/')}/web/{timestamp}/{original}"

    # -- lookups ----------------------------------------------------------------

    async def closest(self, url: str, when: datetime | str | None = None) -> WaybackCapture | None:
        """The capture closest to ``when`` (latest when None), or None when there is none.

        Asks the availability API first, then the CDX API (which also filters out error
        captures). Raises :class:`ArchiveServiceError` only when both APIs failed.
        """
        timestamp = wayback_timestamp(when)
        errors: list[str] = []
        try:
            capture = await self._availability(url, timestamp)
            if capture is not None and (capture.status is None or capture.status < 400):
                return capture
        except ArchiveServiceError as exc:
            errors.append(str(exc))
        try:
            return await self._cdx(url, timestamp)
        except ArchiveServiceError as exc:
            errors.append(str(exc))
        if len(errors) == 2:
            raise ArchiveServiceError("Wayback lookup failed: " + "; ".join(errors))
        return None

    async def _availability(self, url: str, timestamp: str | None) -> WaybackCapture | None:
        params = {"url": url}
        if timestamp:
            params["timestamp"] = timestamp
        response = await self._request("GET", self.options.availability_endpoint, params=params)
        if response.status_code != 200:
            raise ArchiveServiceError(f"availability API answered HTTP {response.status_code}")
        data = self._json(response)
        closest = (
            (data.get("archived_snapshots") or {}).get("closest")
            if isinstance(data, dict)
            else None
        )
        if not isinstance(closest, dict) or not closest.get("available", True):
            return None
        stamp = str(closest.get("timestamp") or "")
        replay = str(closest.get("url") or "")
        if not stamp or not replay:
            return None
        return WaybackCapture(
            url=replay,
            timestamp=stamp,
            status=_int_or_none(closest.get("status")),
            original=url,
            source="availability",
        )

    async def _cdx(self, url: str, timestamp: str | None) -> WaybackCapture | None:
        params = {
            "url": url,
            "output": "json",
            "fl": "timestamp,original,statuscode",
            "filter": "statuscode:[23]..",
        }
        if timestamp:
            params.update({"closest": timestamp, "sort": "closest", "limit": "1"})
        else:
            params.update({"limit": "-1", "fastLatest": "true"})
        endpoint = f"{self.options.wayback_url.rstrip('/')}/cdx/search/cdx"
        response = await self._request("GET", endpoint, params=params)
        if response.status_code != 200:
            raise ArchiveServiceError(f"CDX API answered HTTP {response.status_code}")
        if not response.content.strip():
            return None
        rows = self._json(response)
        if not isinstance(rows, list) or len(rows) < 2:
            return None
        header, *body = rows
        try:
            columns = {name: i for i, name in enumerate(header)}
            best = body[0]
            if timestamp:  # servers without sort=closest: choose here
                target = int(timestamp.ljust(14, "0"))
                best = min(body, key=lambda r: abs(int(r[columns["timestamp"]]) - target))
            stamp = str(best[columns["timestamp"]])
            original = str(best[columns["original"]])
            status = _int_or_none(best[columns["statuscode"]]) if "statuscode" in columns else None
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise ArchiveServiceError(f"CDX API answer not understood: {exc}") from exc
        return WaybackCapture(
            url=self.replay_url(stamp, original),
            timestamp=stamp,
            status=status,
            original=original,
            source="cdx",
        )

    # -- Save Page Now 2 ----------------------------------------------------------

    def _keys(self) -> tuple[str, str] | None:
        access = self.env.get(ACCESS_KEY_ENV, "").strip()
        secret = self.env.get(SECRET_KEY_ENV, "").strip()
        return (access, secret) if access and secret else None

    async def save(self, url: str) -> SaveResult:
        """Ask Save Page Now 2 to capture ``url`` and wait for the outcome (opt-in).

        Returns ``skipped`` when ``save_page_now`` is off, the keys are missing or an earlier
        answer stopped submissions for this run; ``pending`` when polling timed out.
        """
        if not self.options.save_page_now:
            return SaveResult(url, "skipped", message="archive.save_page_now is off")
        keys = self._keys()
        if keys is None:
            return SaveResult(
                url, "skipped", message=f"set {ACCESS_KEY_ENV} and {SECRET_KEY_ENV} to submit"
            )
        if self._spn_stopped:
            return SaveResult(url, "skipped", message=f"submissions stopped: {self._spn_stopped}")
        auth = {"Authorization": f"LOW {keys[0]}:{keys[1]}", "Accept": "application/json"}
        base = self.options.wayback_url.rstrip("/")
        async with self._spn_lock:
            wait = max(self._spn_last + self.options.spn_interval, self._spn_not_before)
            wait -= time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self._spn_last = time.monotonic()
            response = await self._request("POST", f"{base}/save", data={"url": url}, headers=auth)
        refused = self._spn_refusal(url, response)
        if refused is not None:
            return refused
        data = self._json(response)
        if not isinstance(data, dict):
            return SaveResult(url, "error", message="unexpected answer from Save Page Now")
        if data.get("status") == "error" or not data.get("job_id"):
            return self._spn_error(url, data)
        job_id = str(data["job_id"])
        return await self._poll(url, job_id, auth, base)

    def _spn_refusal(self, url: str, response: httpx.Response) -> SaveResult | None:
        code = response.status_code
        if code in (401, 403):
            self._spn_stopped = f"HTTP {code}: keys refused"
            return SaveResult(url, "error", status_ext=f"http-{code}", message=self._spn_stopped)
        if code == 429:
            delay = _retry_after(response) or 60.0
            self._spn_not_before = time.monotonic() + delay
            return SaveResult(
                url,
                "error",
                status_ext="http-429",
                message=f"rate limited; next submission in {delay:.0f} s",
            )
        if code >= 400:
            return SaveResult(
                url,
                "error",
                status_ext=f"http-{code}",
                message=f"Save Page Now answered HTTP {code}",
            )
        return None

    def _spn_error(
        self, url: str, data: Mapping[str, Any], job_id: str | None = None
    ) -> SaveResult:
        status_ext = str(data.get("status_ext") or "") or None
        message = str(data.get("message") or "Save Page Now refused the URL")
        if status_ext in _SPN_STOP:
            self._spn_stopped = f"{status_ext}: {message}"
        return SaveResult(url, "error", job_id=job_id, status_ext=status_ext, message=message)

    async def _poll(self, url: str, job_id: str, auth: Mapping[str, str], base: str) -> SaveResult:
        deadline = time.monotonic() + self.options.spn_poll_timeout
        while True:
            response = await self._request("GET", f"{base}/save/status/{job_id}", headers=auth)
            refused = self._spn_refusal(url, response)
            if refused is not None:
                return SaveResult(
                    url,
                    "error",
                    job_id=job_id,
                    status_ext=refused.status_ext,
                    message=refused.message,
                )
            data = self._json(response)
            status = data.get("status") if isinstance(data, dict) else None
            if status == "success":
                stamp = str(data.get("timestamp") or "")
                original = str(data.get("original_url") or url)
                return SaveResult(
                    url,
                    "success",
                    job_id=job_id,
                    timestamp=stamp or None,
                    capture_url=self.replay_url(stamp, original) if stamp else None,
                    message=str(data.get("message") or ""),
                )
            if status == "error":
                return self._spn_error(url, data, job_id)
            if status != "pending":
                return SaveResult(url, "error", job_id=job_id, message=f"unknown status {status!r}")
            if time.monotonic() + self.options.spn_poll_interval > deadline:
                return SaveResult(
                    url, "pending", job_id=job_id, message="still processing when polling stopped"
                )
            await asyncio.sleep(self.options.spn_poll_interval)


def _retry_after(response: httpx.Response) -> float | None:
    from auditor.resolve import parse_retry_after

    return parse_retry_after(response.headers.get("retry-after"), datetime.now(UTC))


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------------------
# Blocking helpers


def closest_capture_sync(
    url: str,
    when: datetime | str | None,
    options: ArchiveOptions,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> WaybackCapture | None:
    """Blocking :meth:`Wayback.closest` (runs its own event loop)."""

    async def run() -> WaybackCapture | None:
        async with Wayback(options, transport=transport) as wayback:
            return await wayback.closest(url, when)

    return asyncio.run(run())
