"""The store: audits, cited URLs, checks and archive copies in one SQLite file.

One :class:`Store` holds one connection (one per process; never shared across ``fork``). The
database runs in WAL mode with ``foreign_keys=ON`` and a ``busy_timeout``, and every write is
one ``BEGIN IMMEDIATE`` transaction: two processes writing at once queue for the write lock
instead of failing, and a process killed half-way leaves the last committed state. The
schema is upgraded by ``PRAGMA user_version`` through :data:`MIGRATIONS`, applied in order
inside one transaction; a store written by a newer auditor is refused.

Time always comes from the caller (``now``, default the system clock read at each call); the
store never caches it, so runs replay under a shifted clock. See ``docs/store.md``.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields, is_dataclass
from datetime import UTC, date, datetime, timedelta
from enum import Enum, StrEnum
from functools import lru_cache
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from auditor.config import section_of as _section
from auditor.errors import AuditorError, ConfigError

if TYPE_CHECKING:
    from auditor.archive import Snapshot, WaybackCapture
    from auditor.records import Audit
    from auditor.resolve import LinkCheck

STORE_FILENAME = "auditor.sqlite3"
WARC_DIRNAME = "warc"
LOCAL_HOME = ".auditor"  # used as home when it exists in the working directory
APPLICATION_ID = 0x41554454  # "AUDT", marks the file as an auditor store

#: Statuses that describe the URL string itself: re-checking cannot change them.
PERMANENT_STATUSES = ("invalid-url", "unsupported-scheme")
#: Statuses that say nothing about the page (the server would not answer us now).
INCONCLUSIVE_STATUSES = frozenset({"rate-limited"})


class StoreError(AuditorError):
    """The store cannot be opened or written (newer schema, busy, not a database…)."""


class UrlState(StrEnum):
    """Where a cited URL stands across checks (issue 5's link-rot states)."""

    UNCHECKED = "unchecked"  # known, never conclusively checked
    OK = "ok"
    FAILING = "failing"  # failed, not (yet) declared dead
    DEAD = "dead"  # declared dead by the recheck policy
    RECOVERED = "recovered"  # alive again after failing or dead
    DRIFTED = "drifted"  # alive, but the text no longer matches the first archived text


_URL_STATES: dict[str, UrlState] = {state.value: state for state in UrlState}


class Outcome(StrEnum):
    """What one check says about the page's existence."""

    ALIVE = "alive"
    FAILURE = "failure"
    INCONCLUSIVE = "inconclusive"


class EventKind(StrEnum):
    """Entries of a link's timeline (:meth:`Store.link_history`)."""

    FIRST_SEEN = "first-seen"
    CHECK = "check"
    STATUS_CHANGE = "status-change"
    STATE_CHANGE = "state-change"
    SNAPSHOT = "snapshot"
    WAYBACK = "wayback"


# ---------------------------------------------------------------------------
# Schema: MIGRATIONS[i] takes the store from user_version i to i + 1.

_SCHEMA_1: tuple[str, ...] = (
    """CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        version INTEGER NOT NULL,
        input_format TEXT,
        title TEXT,
        canonical_url TEXT,
        published TEXT,
        language TEXT,
        site TEXT,
        author TEXT,
        text_length INTEGER NOT NULL DEFAULT 0,
        first_audited_at TEXT NOT NULL,
        last_audited_at TEXT NOT NULL,
        audit_count INTEGER NOT NULL DEFAULT 1,
        tool_version TEXT NOT NULL DEFAULT '',
        summary TEXT NOT NULL DEFAULT '{}',
        problems TEXT NOT NULL DEFAULT '[]',
        superseded_at TEXT,
        superseded_by INTEGER REFERENCES documents(id),
        UNIQUE (source, sha256),
        UNIQUE (source, version)
    )""",
    "CREATE UNIQUE INDEX documents_current ON documents(source) WHERE superseded_at IS NULL",
    """CREATE TABLE units (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        unit_id TEXT NOT NULL,
        idx INTEGER NOT NULL,
        paragraph INTEGER NOT NULL,
        start_char INTEGER NOT NULL,
        end_char INTEGER NOT NULL,
        text TEXT NOT NULL,
        kind TEXT NOT NULL,
        status TEXT,
        checkworthy INTEGER,
        sensational INTEGER,
        signals TEXT NOT NULL DEFAULT '[]',
        sources TEXT NOT NULL DEFAULT '[]',
        reasons TEXT NOT NULL DEFAULT '[]',
        UNIQUE (document_id, unit_id)
    )""",
    """CREATE TABLE urls (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        host TEXT,
        domain TEXT,
        first_seen TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'unchecked' CHECK (state IN
            ('unchecked', 'ok', 'failing', 'dead', 'recovered', 'drifted')),
        last_checked_at TEXT,
        last_status TEXT,
        last_check_id INTEGER REFERENCES checks(id),
        last_ok_at TEXT,
        last_similarity REAL,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        first_failure_at TEXT,
        next_check_at TEXT,
        first_fingerprint TEXT,
        first_title TEXT,
        first_text BLOB,
        first_text_check_id INTEGER REFERENCES checks(id),
        lease_owner TEXT,
        lease_until TEXT
    )""",
    "CREATE INDEX urls_host ON urls(host)",
    "CREATE INDEX urls_state ON urls(state)",
    """CREATE TABLE citations (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        unit_id TEXT,
        link_id TEXT NOT NULL,
        url TEXT NOT NULL,
        url_id INTEGER REFERENCES urls(id),
        footnote INTEGER,
        origin TEXT NOT NULL,
        anchor TEXT NOT NULL DEFAULT '',
        start_char INTEGER,
        end_char INTEGER,
        domain TEXT,
        source_id TEXT,
        UNIQUE (document_id, link_id),
        FOREIGN KEY (document_id, unit_id) REFERENCES units(document_id, unit_id)
            ON DELETE CASCADE
    )""",
    "CREATE INDEX citations_url ON citations(url_id)",
    "CREATE INDEX citations_unit ON citations(document_id, unit_id)",
    """CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        worker TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        summary TEXT NOT NULL DEFAULT '{}'
    )""",
    """CREATE TABLE checks (
        id INTEGER PRIMARY KEY,
        url_id INTEGER NOT NULL REFERENCES urls(id),
        run_id INTEGER REFERENCES runs(id),
        checked_at TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        status TEXT NOT NULL,
        state TEXT NOT NULL,
        http_status INTEGER,
        final_url TEXT,
        hops TEXT NOT NULL DEFAULT '[]',
        evidence TEXT NOT NULL DEFAULT '',
        title TEXT,
        content_type TEXT,
        canonical TEXT,
        publisher_domain TEXT,
        published TEXT,
        fingerprint TEXT,
        similarity REAL,
        timings REAL,
        attempts INTEGER,
        error TEXT,
        archive_note TEXT,
        worker TEXT
    )""",
    "CREATE INDEX checks_url ON checks(url_id, checked_at)",
    "CREATE INDEX checks_time ON checks(checked_at)",
    "CREATE INDEX checks_run ON checks(run_id)",
    """CREATE TRIGGER checks_no_update BEFORE UPDATE ON checks
        BEGIN SELECT RAISE(ABORT, 'checks are append-only'); END""",
    """CREATE TRIGGER checks_no_delete BEFORE DELETE ON checks
        BEGIN SELECT RAISE(ABORT, 'checks are append-only'); END""",
    """CREATE TABLE snapshots (
        id INTEGER PRIMARY KEY,
        url_id INTEGER NOT NULL REFERENCES urls(id),
        check_id INTEGER REFERENCES checks(id),
        kind TEXT NOT NULL CHECK (kind IN ('warc', 'wayback')),
        created_at TEXT NOT NULL,
        target_uri TEXT,
        warc_file TEXT,
        warc_offset INTEGER,
        warc_length INTEGER,
        payload_digest TEXT,
        record_id TEXT,
        record_type TEXT,
        refers_to TEXT,
        text_record_id TEXT,
        warc_date TEXT,
        wayback_url TEXT,
        wayback_timestamp TEXT,
        wayback_status INTEGER,
        wayback_source TEXT
    )""",
    "CREATE INDEX snapshots_url ON snapshots(url_id, created_at)",
    "CREATE INDEX snapshots_digest ON snapshots(payload_digest)",
    "CREATE UNIQUE INDEX snapshots_record ON snapshots(record_id) WHERE record_id IS NOT NULL",
    """CREATE UNIQUE INDEX snapshots_wayback ON snapshots(url_id, wayback_timestamp)
        WHERE kind = 'wayback'""",
    """CREATE TRIGGER snapshots_no_update BEFORE UPDATE ON snapshots
        BEGIN SELECT RAISE(ABORT, 'snapshots are append-only'); END""",
    """CREATE TRIGGER snapshots_no_delete BEFORE DELETE ON snapshots
        BEGIN SELECT RAISE(ABORT, 'snapshots are append-only'); END""",
)

#: Migration scripts, in order; never edit a published one, append a new one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (_SCHEMA_1,)


# ---------------------------------------------------------------------------
# Where the store lives


def auditor_home(settings: Any = None, *, env: Mapping[str, str] | None = None) -> Path:
    """The directory holding all state: the ``home`` setting (``AUDITOR_HOME``), else
    ``./.auditor`` when that directory exists, else ``platformdirs.user_data_dir("auditor")``.
    """
    env = os.environ if env is None else env
    home = _setting(settings, "home") or env.get("AUDITOR_HOME")
    if home:
        return Path(str(home)).expanduser()
    local = Path(LOCAL_HOME)
    if local.is_dir():
        return local.resolve()
    import platformdirs

    return Path(platformdirs.user_data_dir("auditor", appauthor=False))


def store_path(settings: Any = None, *, env: Mapping[str, str] | None = None) -> Path:
    """The SQLite file: ``store.path`` when set, else ``<home>/auditor.sqlite3``."""
    explicit = _section(settings, "store").get("path")
    if explicit:
        if not isinstance(explicit, str):
            raise ConfigError(f"'store.path' must be a string, not {explicit!r}")
        return Path(explicit).expanduser()
    return auditor_home(settings, env=env) / STORE_FILENAME


def warc_dir(settings: Any = None, *, env: Mapping[str, str] | None = None) -> Path:
    """Where WARC files live by default: ``<home>/warc``."""
    return auditor_home(settings, env=env) / WARC_DIRNAME


@dataclass(frozen=True, slots=True)
class StoreOptions:
    """Store settings (the ``store:`` section of the configuration)."""

    path: str | None = None  # None: <home>/auditor.sqlite3
    busy_timeout: float = 30.0  # seconds a writer waits for another process's transaction

    @classmethod
    def from_settings(cls, settings: Any) -> StoreOptions:
        """Build options from ``Settings`` or a mapping; unknown keys raise ``ConfigError``."""
        values: dict[str, Any] = {}
        for key, value in _section(settings, "store").items():
            if key == "path":
                if value is not None and not isinstance(value, str):
                    raise ConfigError(f"'store.path' must be a string, not {value!r}")
                values["path"] = value or None
            elif key == "busy_timeout":
                if value is None:
                    continue
                if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                    raise ConfigError(
                        f"'store.busy_timeout' must be a non-negative number, not {value!r}"
                    )
                values["busy_timeout"] = float(value)
            else:
                raise ConfigError(f"unknown key 'store.{key}'")
        return cls(**values)


def _setting(settings: Any, key: str) -> Any:
    if settings is None:
        return None
    if isinstance(settings, Mapping) or hasattr(settings, "get"):
        return settings.get(key)
    return None


# ---------------------------------------------------------------------------
# Pure helpers


# A URL already in normalised form (lower-case host, no default port, no escapes, no dot
# segments): its key is itself, without the cost of a full parse.
_NORMAL_URL = re.compile(
    r"http(s?)://[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*"
    r"(?::([1-9][0-9]{0,4}))?"
    r"/[A-Za-z0-9\-._~!$&'()*+,;=:@/]*(?:\?[A-Za-z0-9\-._~!$&'()*+,;=:@/?]+)?"
)
_DOT_SEGMENT = re.compile(r"/\.\.?(?:[/?]|$)")
_DEFAULT_PORT = {"": "80", "s": "443"}


@lru_cache(maxsize=8192)
def url_key(url: str) -> str:
    """The key a URL is stored under: the resolver's normalised form (no fragment, lower-case
    host, no default port), or the stripped text when it cannot be fetched."""
    normal = _NORMAL_URL.fullmatch(url) if len(url) < 2000 else None
    if normal is not None and not _DOT_SEGMENT.search(url):
        secure, port = normal.groups()
        if port is None or (port != _DEFAULT_PORT[secure] and int(port) < 65536):
            return url
    from auditor.resolve import InvalidURL, normalise_url

    try:
        return normalise_url(url)
    except InvalidURL:
        return url.strip()


@lru_cache(maxsize=64)
def check_outcome(status: str) -> Outcome:
    """Whether a resolver status says the page is alive, failed, or says nothing."""
    from auditor.resolve import BROKEN, LinkStatus

    if status in INCONCLUSIVE_STATUSES or status == LinkStatus.NOT_CHECKED:
        return Outcome.INCONCLUSIVE
    try:
        broken = LinkStatus(status) in BROKEN
    except ValueError:
        broken = True  # an unknown status is not evidence of a live page
    return Outcome.FAILURE if broken else Outcome.ALIVE


def default_state(previous: UrlState | str, outcome: Outcome) -> UrlState:
    """The URL state after a check when the caller's policy does not say.

    A failure makes a link ``failing`` (a ``dead`` one stays dead: only a policy declares
    death); a live answer after failing or dead is ``recovered``, then ``ok``; ``drifted``
    stays until the policy says otherwise; an inconclusive check changes nothing.
    """
    previous = UrlState(previous)
    if outcome is Outcome.INCONCLUSIVE:
        return previous
    if outcome is Outcome.FAILURE:
        return UrlState.DEAD if previous is UrlState.DEAD else UrlState.FAILING
    if previous in (UrlState.FAILING, UrlState.DEAD):
        return UrlState.RECOVERED
    if previous is UrlState.DRIFTED:
        return UrlState.DRIFTED
    return UrlState.OK


def utc(moment: datetime | None = None) -> datetime:
    """``moment`` as an aware UTC datetime (naive means UTC); the system clock when None."""
    if moment is None:
        return datetime.now(UTC)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _ts(moment: datetime | None) -> str:
    """The stored form of a time: fixed-width ISO 8601 UTC, so text order is time order."""
    moment = utc(moment)
    if moment.year >= 1000:  # isoformat is ~10 times faster than strftime, same text
        return moment.isoformat(timespec="microseconds")[:26] + "Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_ts(text: str | None) -> datetime | None:
    """A stored or resolver time as an aware UTC datetime (None when empty or unreadable)."""
    if not text:
        return None
    return _parse_cached(text)


@lru_cache(maxsize=4096)  # a run's rows share few distinct times; datetimes are immutable
def _parse_cached(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is UTC else utc(moment)


def _host(key: str) -> str | None:
    try:
        host = urlsplit(key).hostname
    except ValueError:
        return None
    return host.rstrip(".").lower() if host else None


_SCALARS = frozenset({str, int, float, bool, type(None)})
# Per dataclass: its field names, and a getter of all their values at once.
_FIELDS: dict[type, tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]] = {}


def _fields_of(kind: type, value: Any) -> tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]:
    names = tuple(f.name for f in fields(value))
    getter = (
        attrgetter(*names) if len(names) > 1 else (lambda v: tuple(getattr(v, n) for n in names))
    )
    _FIELDS[kind] = (names, getter)
    return names, getter


def _plain(value: Any) -> Any:
    """JSON-ready form of records: dataclasses become dicts (faster than ``asdict``)."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is tuple or kind is list:
        return [_plain(item) for item in value]
    known = _FIELDS.get(kind)
    if known is not None or (is_dataclass(value) and not isinstance(value, type)):
        names, values_of = known or _fields_of(kind, value)
        values = values_of(value)
        if _SCALARS.issuperset(map(type, values)):  # a record of plain values (a hop)
            return dict(zip(names, values, strict=True))
        return {name: _plain(item) for name, item in zip(names, values, strict=True)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(item) for item in value]
    if isinstance(value, str | int | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _json(value: Any) -> str:
    if not value and isinstance(value, tuple | list):
        return "[]"
    return _ENCODER.encode(_plain(value))


def _loads(text: str | None, empty: Any) -> Any:
    if not text:
        return empty
    return json.loads(text)


# ---------------------------------------------------------------------------
# Rows handed back to callers


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """One version of an audited document."""

    id: int
    source: str
    sha256: str
    version: int
    title: str | None
    canonical_url: str | None
    published: str | None
    language: str | None
    site: str | None
    author: str | None
    input_format: str | None
    first_audited_at: datetime
    last_audited_at: datetime
    audit_count: int
    tool_version: str
    superseded_at: datetime | None
    superseded_by: int | None
    unit_count: int
    link_count: int
    summary: dict[str, Any]

    @property
    def current(self) -> bool:
        """True for the latest version of its source."""
        return self.superseded_at is None


@dataclass(frozen=True, slots=True)
class StoredUrl:
    """A cited or checked URL and where it stands."""

    id: int
    url: str
    host: str | None
    domain: str | None
    first_seen: datetime
    state: UrlState
    last_checked_at: datetime | None
    last_status: str | None
    last_check_id: int | None
    last_ok_at: datetime | None
    last_similarity: float | None
    consecutive_failures: int
    first_failure_at: datetime | None
    next_check_at: datetime | None
    first_fingerprint: str | None
    first_title: str | None
    lease_owner: str | None
    lease_until: datetime | None


@dataclass(frozen=True, slots=True)
class StoredCheck:
    """One check of a URL, as recorded (never changed afterwards)."""

    id: int
    url: str
    run_id: int | None
    checked_at: datetime
    recorded_at: datetime
    status: str
    state: UrlState
    http_status: int | None
    final_url: str | None
    hops: tuple[dict[str, Any], ...]
    evidence: str
    title: str | None
    content_type: str | None
    canonical: str | None
    publisher_domain: str | None
    published: str | None
    fingerprint: str | None
    similarity: float | None
    timings: float | None
    attempts: int | None
    error: str | None
    archive_note: str | None
    worker: str | None


@dataclass(frozen=True, slots=True)
class StoredSnapshot:
    """An archived copy: a record of our own WARC files or a Wayback capture."""

    id: int
    url: str
    kind: str  # "warc" | "wayback"
    check_id: int | None
    created_at: datetime
    target_uri: str | None
    warc_file: str | None
    warc_offset: int | None
    warc_length: int | None
    payload_digest: str | None
    record_id: str | None
    record_type: str | None
    refers_to: str | None
    text_record_id: str | None
    warc_date: str | None
    wayback_url: str | None
    wayback_timestamp: str | None
    wayback_status: int | None
    wayback_source: str | None


@dataclass(frozen=True, slots=True)
class Citing:
    """A place where a document cites a URL."""

    document_id: int
    source: str
    version: int
    current: bool
    title: str | None
    unit_id: str | None
    unit_text: str | None
    footnote: int | None
    link_id: str
    anchor: str
    cited_url: str  # the URL as written in the document


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    """One entry of a link's timeline."""

    at: datetime
    kind: EventKind
    detail: str
    status: str | None = None
    state: UrlState | None = None
    check_id: int | None = None
    snapshot_id: int | None = None


@dataclass(frozen=True, slots=True)
class Run:
    """An audit or recheck run, with its summary once finished."""

    id: int
    kind: str
    worker: str | None
    started_at: datetime
    finished_at: datetime | None
    summary: dict[str, Any]


def _document(row: sqlite3.Row) -> StoredDocument:
    return StoredDocument(
        id=row["id"],
        source=row["source"],
        sha256=row["sha256"],
        version=row["version"],
        title=row["title"],
        canonical_url=row["canonical_url"],
        published=row["published"],
        language=row["language"],
        site=row["site"],
        author=row["author"],
        input_format=row["input_format"],
        first_audited_at=_parse_ts(row["first_audited_at"]) or utc(),
        last_audited_at=_parse_ts(row["last_audited_at"]) or utc(),
        audit_count=row["audit_count"],
        tool_version=row["tool_version"],
        superseded_at=_parse_ts(row["superseded_at"]),
        superseded_by=row["superseded_by"],
        unit_count=row["unit_count"],
        link_count=row["link_count"],
        summary=_loads(row["summary"], {}),
    )


def _url(row: Sequence[Any]) -> StoredUrl:
    """A ``urls`` row read with :data:`_URL_SELECT` (its columns, in that order)."""
    (
        url_id,
        url,
        host,
        domain,
        first_seen,
        state,
        last_checked_at,
        last_status,
        last_check_id,
        last_ok_at,
        last_similarity,
        consecutive_failures,
        first_failure_at,
        next_check_at,
        first_fingerprint,
        first_title,
        lease_owner,
        lease_until,
    ) = row
    parse = _parse_ts
    return StoredUrl(
        url_id,
        url,
        host,
        domain,
        parse(first_seen) or utc(),
        _URL_STATES[state],
        parse(last_checked_at),
        last_status,
        last_check_id,
        parse(last_ok_at),
        last_similarity,
        consecutive_failures,
        parse(first_failure_at),
        parse(next_check_at),
        first_fingerprint,
        first_title,
        lease_owner,
        parse(lease_until),
    )


def _check(row: sqlite3.Row) -> StoredCheck:
    return StoredCheck(
        id=row["id"],
        url=row["url"],
        run_id=row["run_id"],
        checked_at=_parse_ts(row["checked_at"]) or utc(),
        recorded_at=_parse_ts(row["recorded_at"]) or utc(),
        status=row["status"],
        state=UrlState(row["state"]),
        http_status=row["http_status"],
        final_url=row["final_url"],
        hops=tuple(_loads(row["hops"], [])),
        evidence=row["evidence"],
        title=row["title"],
        content_type=row["content_type"],
        canonical=row["canonical"],
        publisher_domain=row["publisher_domain"],
        published=row["published"],
        fingerprint=row["fingerprint"],
        similarity=row["similarity"],
        timings=row["timings"],
        attempts=row["attempts"],
        error=row["error"],
        archive_note=row["archive_note"],
        worker=row["worker"],
    )


def _snapshot(row: sqlite3.Row, base: Path) -> StoredSnapshot:
    return StoredSnapshot(
        id=row["id"],
        url=row["url"],
        kind=row["kind"],
        check_id=row["check_id"],
        created_at=_parse_ts(row["created_at"]) or utc(),
        target_uri=row["target_uri"],
        warc_file=str(base / row["warc_file"]) if row["warc_file"] else None,
        warc_offset=row["warc_offset"],
        warc_length=row["warc_length"],
        payload_digest=row["payload_digest"],
        record_id=row["record_id"],
        record_type=row["record_type"],
        refers_to=row["refers_to"],
        text_record_id=row["text_record_id"],
        warc_date=row["warc_date"],
        wayback_url=row["wayback_url"],
        wayback_timestamp=row["wayback_timestamp"],
        wayback_status=row["wayback_status"],
        wayback_source=row["wayback_source"],
    )


_DOCUMENT_SELECT = """
    SELECT d.*,
        (SELECT COUNT(*) FROM units WHERE document_id = d.id) AS unit_count,
        (SELECT COUNT(*) FROM citations WHERE document_id = d.id) AS link_count
    FROM documents d
"""
_CHECK_SELECT = "SELECT c.*, u.url AS url FROM checks c JOIN urls u ON u.id = c.url_id"
_SNAPSHOT_SELECT = "SELECT s.*, u.url AS url FROM snapshots s JOIN urls u ON u.id = s.url_id"

_URL_UPSERT = """
    INSERT INTO urls (url, host, domain, first_seen) VALUES (?, ?, ?, ?)
    ON CONFLICT(url) DO UPDATE SET domain = COALESCE(urls.domain, excluded.domain)
"""
# Every column of ``urls`` that :class:`StoredUrl` holds (``first_text``, a blob, left out).
_URL_COLUMNS = (
    "id, url, host, domain, first_seen, state, last_checked_at, last_status, last_check_id,"
    " last_ok_at, last_similarity, consecutive_failures, first_failure_at, next_check_at,"
    " first_fingerprint, first_title, lease_owner, lease_until"
)
_URL_SELECT = f"SELECT {_URL_COLUMNS} FROM urls"
_CHECK_INSERT = """
    INSERT INTO checks (id, url_id, run_id, checked_at, recorded_at, status, state,
        http_status, final_url, hops, evidence, title, content_type, canonical,
        publisher_domain, published, fingerprint, similarity, timings, attempts, error,
        archive_note, worker)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
# A URL after one of its checks: ?1 says whether the check is its latest (else the check is
# history only), ?9 whether the page was alive, ?11 the first text when this is the first.
_URL_AFTER_CHECK = """
    UPDATE urls SET lease_owner = NULL, lease_until = NULL,
        last_checked_at = CASE WHEN ?1 THEN ?2 ELSE last_checked_at END,
        last_status = CASE WHEN ?1 THEN ?3 ELSE last_status END,
        last_check_id = CASE WHEN ?1 THEN ?4 ELSE last_check_id END,
        state = CASE WHEN ?1 THEN ?5 ELSE state END,
        consecutive_failures = CASE WHEN ?1 THEN ?6 ELSE consecutive_failures END,
        first_failure_at = CASE WHEN ?1 THEN ?7 ELSE first_failure_at END,
        next_check_at = CASE WHEN ?1 THEN ?8 ELSE next_check_at END,
        last_ok_at = CASE WHEN ?1 AND ?9 THEN ?2 ELSE last_ok_at END,
        last_similarity = CASE WHEN ?1 AND ?10 IS NOT NULL THEN ?10 ELSE last_similarity END,
        first_text = CASE WHEN ?11 IS NOT NULL THEN ?11 ELSE first_text END,
        first_text_check_id = CASE WHEN ?11 IS NOT NULL THEN ?4 ELSE first_text_check_id END,
        first_fingerprint = CASE WHEN ?11 IS NOT NULL THEN ?12 ELSE first_fingerprint END,
        first_title = CASE WHEN ?11 IS NOT NULL THEN ?13 ELSE first_title END
    WHERE id = ?14
"""


class _UrlNow:
    """What recording a check needs of its URL's row, kept current through a batch (so two
    checks of one URL in one batch see each other as they would one after the other)."""

    __slots__ = (
        "failures",
        "first_failure_at",
        "first_text_check_id",
        "id",
        "last_checked_at",
        "state",
    )

    def __init__(self, row: Sequence[Any]) -> None:
        (
            self.id,
            self.state,
            self.failures,
            self.first_failure_at,
            self.last_checked_at,
            self.first_text_check_id,
        ) = row


# ---------------------------------------------------------------------------
# The store


class Store:
    """The auditor's SQLite store (one connection; thread-safe; see the module docstring)."""

    def __init__(self, path: str | Path, *, busy_timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self._lock = threading.RLock()
        self._pid = os.getpid()
        self._closed = False
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = sqlite3.connect(
                str(self.path),
                timeout=busy_timeout,
                isolation_level=None,  # transactions are explicit: BEGIN IMMEDIATE … COMMIT
                check_same_thread=False,  # guarded by self._lock
            )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the store {self.path}: {exc}") from None
        self._conn.row_factory = sqlite3.Row
        try:
            self._configure()
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise StoreError(f"{self.path} is not a usable auditor store: {exc}") from None
        except StoreError:
            self._conn.close()
            raise

    @classmethod
    def open(cls, settings: Any = None) -> Store:
        """Open (creating when needed) the store the settings point to."""
        options = StoreOptions.from_settings(settings)
        return cls(store_path(settings), busy_timeout=options.busy_timeout)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (further calls raise ``StoreError``); idempotent."""
        with self._lock:
            if os.getpid() == self._pid and not self._closed:
                self._conn.close()
            self._closed = True

    # -- connection, transactions, migrations -----------------------------

    def _configure(self) -> None:
        conn = self._conn
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        if app_id not in (0, APPLICATION_ID):
            raise StoreError(f"{self.path} is an SQLite file of another application")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal" and str(self.path) != ":memory:":
            raise StoreError(f"cannot put {self.path} in WAL mode (journal mode {mode})")
        conn.execute("PRAGMA synchronous = NORMAL")  # safe against a killed process in WAL

    def _migrate(self) -> None:
        known = len(MIGRATIONS)
        if self.schema_version == known:
            return
        self._refuse_newer(self.schema_version)
        with self._write() as conn:
            version = self.schema_version  # another process may have migrated meanwhile
            self._refuse_newer(version)
            for number in range(version, known):
                for statement in MIGRATIONS[number]:
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {known}")
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    def _refuse_newer(self, version: int) -> None:
        if version > len(MIGRATIONS):
            raise StoreError(
                f"the store {self.path} has schema version {version}, newer than this auditor "
                f"knows ({len(MIGRATIONS)}): upgrade auditor or use another store"
            )

    @property
    def schema_version(self) -> int:
        """The ``PRAGMA user_version`` of the file."""
        with self._lock:
            return int(self._connection().execute("PRAGMA user_version").fetchone()[0])

    def _relative(self, path: str | Path) -> str:
        """A WARC path as stored: relative to the store's directory when inside it, so the
        home directory can move as a whole."""
        absolute = Path(path).expanduser().resolve()
        try:
            return str(absolute.relative_to(self.path.parent.resolve()))
        except ValueError:
            return str(absolute)

    def _connection(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError(f"the store {self.path} is closed")
        if os.getpid() != self._pid:
            raise StoreError("a store connection cannot be used after fork: open a new Store")
        return self._conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, holding the write lock from its start (BEGIN IMMEDIATE)."""
        with self._lock:
            conn = self._connection()
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StoreError(
                    f"the store {self.path} stayed busy for {self.busy_timeout:g} s: {exc}"
                ) from None
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """A read transaction: every query inside sees the same snapshot."""
        with self._lock:
            conn = self._connection()
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")

    # -- audits -------------------------------------------------------------

    def record_audit(self, audit: Audit, *, now: datetime | None = None) -> int:
        """Record an audit in one transaction; return the document id.

        The same source with the same sha256 updates its row (units and citations are
        replaced, ``first_audited_at`` kept); a new sha256 is a new version and the previous
        one is kept, marked superseded. Every cited URL gets a ``urls`` row (so it is due).
        """
        stamp = _ts(now)
        article = audit.article
        meta = article.meta
        judgements = {j.unit_id: j for j in audit.judgements}
        unit_ids = {unit.id for unit in audit.units}
        for link in audit.citations.links:
            if link.unit_id is not None and link.unit_id not in unit_ids:
                raise StoreError(f"link {link.id} names unit {link.unit_id!r}, not in the audit")
        problems = audit.citations.problems
        doc_fields = (
            article.input_format.value,
            meta.title,
            meta.canonical_url,
            meta.published,
            meta.language,
            meta.site,
            meta.author,
            len(article.text),
            stamp,
            audit.tool_version,
            _json(audit.summary),
            _json(problems),
        )
        unit_rows = []
        for unit in audit.units:
            judged = judgements.get(unit.id)
            unit_rows.append(
                (
                    unit.id,
                    unit.index,
                    unit.paragraph,
                    unit.start,
                    unit.end,
                    unit.text,
                    (judged.kind if judged else unit.kind).value,
                    judged.status.value if judged else None,
                    int(judged.checkworthy) if judged else None,
                    int(judged.sensational) if judged else None,
                    _json(judged.signals if judged else ()),
                    _json(judged.sources if judged else ()),
                    _json(judged.reasons if judged else ()),
                )
            )
        keys = {link.id: url_key(link.url) for link in audit.citations.links}
        url_rows: dict[str, tuple[str, str | None, str | None, str]] = {}
        for link in audit.citations.links:
            key = keys[link.id]
            if key and key not in url_rows:
                url_rows[key] = (key, _host(key), link.domain, stamp)
        with self._write() as conn:
            found = conn.execute(
                "SELECT id FROM documents WHERE source = ? AND sha256 = ?",
                (article.source, article.sha256),
            ).fetchone()
            previous = [
                row[0]
                for row in conn.execute(
                    "UPDATE documents SET superseded_at = ? WHERE source = ? AND sha256 != ?"
                    " AND superseded_at IS NULL RETURNING id",
                    (stamp, article.source, article.sha256),
                )
            ]
            if found is not None:
                doc_id = int(found[0])
                conn.execute(
                    """UPDATE documents SET input_format = ?, title = ?, canonical_url = ?,
                        published = ?, language = ?, site = ?, author = ?, text_length = ?,
                        last_audited_at = ?, tool_version = ?, summary = ?, problems = ?,
                        audit_count = audit_count + 1, superseded_at = NULL,
                        superseded_by = NULL
                    WHERE id = ?""",
                    (*doc_fields, doc_id),
                )
                conn.execute("DELETE FROM citations WHERE document_id = ?", (doc_id,))
                conn.execute("DELETE FROM units WHERE document_id = ?", (doc_id,))
            else:
                version = conn.execute(
                    "SELECT COALESCE(MAX(version), 0) + 1 FROM documents WHERE source = ?",
                    (article.source,),
                ).fetchone()[0]
                doc_id = int(
                    conn.execute(
                        """INSERT INTO documents (source, sha256, version, input_format, title,
                            canonical_url, published, language, site, author, text_length,
                            first_audited_at, last_audited_at, tool_version, summary, problems)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        RETURNING id""",
                        (
                            article.source,
                            article.sha256,
                            version,
                            *doc_fields[:8],
                            stamp,
                            *doc_fields[8:],
                        ),
                    ).fetchone()[0]
                )
            if previous:
                conn.executemany(
                    "UPDATE documents SET superseded_by = ? WHERE id = ?",
                    [(doc_id, old) for old in previous],
                )
            conn.executemany(
                """INSERT INTO units (document_id, unit_id, idx, paragraph, start_char,
                    end_char, text, kind, status, checkworthy, sensational, signals, sources,
                    reasons) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [(doc_id, *row) for row in unit_rows],
            )
            url_ids: dict[str, int] = {}
            if url_rows:
                conn.executemany(_URL_UPSERT, list(url_rows.values()))
                url_ids = {
                    row[1]: row[0]
                    for row in conn.execute(
                        "SELECT id, url FROM urls WHERE url IN (SELECT value FROM json_each(?))",
                        (_json(list(url_rows)),),
                    )
                }
            conn.executemany(
                """INSERT INTO citations (document_id, unit_id, link_id, url, url_id, footnote,
                    origin, anchor, start_char, end_char, domain, source_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    (
                        doc_id,
                        link.unit_id,
                        link.id,
                        link.url,
                        url_ids.get(keys[link.id]),
                        link.footnote,
                        link.origin.value,
                        link.anchor,
                        link.start,
                        link.end,
                        link.domain,
                        link.source_id,
                    )
                    for link in audit.citations.links
                ],
            )
        return doc_id

    def find_document(self, source: str, sha256: str | None = None) -> StoredDocument | None:
        """The current version of ``source`` (or its version with ``sha256``), or None."""
        with self._lock:
            if sha256 is None:
                row = (
                    self._connection()
                    .execute(
                        _DOCUMENT_SELECT + " WHERE d.source = ? AND d.superseded_at IS NULL",
                        (source,),
                    )
                    .fetchone()
                )
            else:
                row = (
                    self._connection()
                    .execute(
                        _DOCUMENT_SELECT + " WHERE d.source = ? AND d.sha256 = ?", (source, sha256)
                    )
                    .fetchone()
                )
        return _document(row) if row is not None else None

    def documents(self, *, all_versions: bool = False) -> list[StoredDocument]:
        """Audited documents, current versions only unless ``all_versions``."""
        where = "" if all_versions else " WHERE d.superseded_at IS NULL"
        with self._lock:
            rows = (
                self._connection()
                .execute(_DOCUMENT_SELECT + where + " ORDER BY d.source, d.version")
                .fetchall()
            )
        return [_document(row) for row in rows]

    def document_versions(self, source: str) -> list[StoredDocument]:
        """Every version of one source, oldest first."""
        with self._lock:
            rows = (
                self._connection()
                .execute(_DOCUMENT_SELECT + " WHERE d.source = ? ORDER BY d.version", (source,))
                .fetchall()
            )
        return [_document(row) for row in rows]

    def citing(self, url: str, *, all_versions: bool = False) -> list[Citing]:
        """Where documents cite ``url`` (current versions unless ``all_versions``)."""
        where = "" if all_versions else " AND d.superseded_at IS NULL"
        with self._lock:
            rows = (
                self._connection()
                .execute(
                    """SELECT d.id AS document_id, d.source, d.version, d.superseded_at, d.title,
                    c.unit_id, n.text AS unit_text, c.footnote, c.link_id, c.anchor, c.url
                FROM citations c
                JOIN urls u ON u.id = c.url_id
                JOIN documents d ON d.id = c.document_id
                LEFT JOIN units n ON n.document_id = c.document_id AND n.unit_id = c.unit_id
                WHERE u.url = ?"""
                    + where
                    + " ORDER BY d.source, d.version, n.idx, c.link_id",
                    (url_key(url),),
                )
                .fetchall()
            )
        return [
            Citing(
                document_id=row["document_id"],
                source=row["source"],
                version=row["version"],
                current=row["superseded_at"] is None,
                title=row["title"],
                unit_id=row["unit_id"],
                unit_text=row["unit_text"],
                footnote=row["footnote"],
                link_id=row["link_id"],
                anchor=row["anchor"],
                cited_url=row["url"],
            )
            for row in rows
        ]

    # -- URLs and checks ------------------------------------------------------

    def add_urls(self, urls: Iterable[str], *, now: datetime | None = None) -> int:
        """Make URLs known (due for a first check) without a document; return how many
        were new."""
        stamp = _ts(now)
        keys = [key for key in dict.fromkeys(map(url_key, urls)) if key]
        with self._write() as conn:
            known = {
                row[0]
                for row in conn.execute(
                    "SELECT url FROM urls WHERE url IN (SELECT value FROM json_each(?))",
                    (_json(keys),),
                )
            }
            conn.executemany(
                "INSERT INTO urls (url, host, first_seen) VALUES (?, ?, ?)",
                [(key, _host(key), stamp) for key in keys if key not in known],
            )
        return len(keys) - len(known)

    def record_check(
        self,
        check: LinkCheck,
        *,
        now: datetime | None = None,
        state: UrlState | str | None = None,
        similarity: float | None = None,
        next_check_at: datetime | None = None,
        run_id: int | None = None,
        worker_id: str | None = None,
    ) -> int | None:
        """Append one check and update its URL; return the check id.

        ``state`` is the recheck policy's decision (default :func:`default_state`);
        ``similarity`` the drift measure against the first text; ``next_check_at`` an explicit
        schedule. The check's snapshot, if any, is recorded too. A ``not-checked`` (offline)
        or cached result is not a check: the URL is made known and None is returned.
        """
        return self.record_checks(
            [check],
            now=now,
            states=None if state is None else [state],
            similarities=None if similarity is None else [similarity],
            next_checks=None if next_check_at is None else [next_check_at],
            run_id=run_id,
            worker_id=worker_id,
        )[0]

    def record_checks(
        self,
        checks: Sequence[LinkCheck],
        *,
        now: datetime | None = None,
        states: Sequence[UrlState | str | None] | None = None,
        similarities: Sequence[float | None] | None = None,
        next_checks: Sequence[datetime | None] | None = None,
        run_id: int | None = None,
        worker_id: str | None = None,
    ) -> list[int | None]:
        """:meth:`record_check` for many checks in one transaction (same arguments, as lists
        parallel to ``checks``). The rows are written with one statement per table, not one
        per check: the URLs are read at once, the check ids given in order under the write
        lock."""
        moment = utc(now)
        stamp = _ts(moment)
        ids: list[int | None] = []
        with self._write() as conn:
            rows = self._urls_now(conn, [url_key(check.url) for check in checks], stamp)
            next_id = int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM checks").fetchone()[0])
            inserts: list[tuple[Any, ...]] = []
            updates: list[tuple[Any, ...]] = []
            snapshots: list[tuple[Snapshot, int]] = []
            for position, check in enumerate(checks):
                url = rows[url_key(check.url)]
                status = str(check.status)
                if status == "not-checked" or check.cached:
                    ids.append(None)
                    continue
                state = states[position] if states else None
                similarity = similarities[position] if similarities else None
                next_check_at = next_checks[position] if next_checks else None
                checked_at = _ts(_parse_ts(check.checked_at)) if check.checked_at else stamp
                outcome = check_outcome(status)
                new_state = (
                    UrlState(state) if state is not None else default_state(url.state, outcome)
                )
                failures = url.failures
                first_failure = url.first_failure_at
                if outcome is Outcome.FAILURE:
                    failures += 1
                    first_failure = first_failure or checked_at
                elif outcome is Outcome.ALIVE:
                    failures, first_failure = 0, None
                next_id += 1
                check_id = next_id
                inserts.append(
                    (
                        check_id,
                        url.id,
                        run_id,
                        checked_at,
                        stamp,
                        status,
                        new_state.value,
                        check.http_status,
                        check.final_url,
                        _json(check.hops),
                        check.evidence,
                        check.title,
                        check.content_type,
                        check.canonical,
                        check.publisher_domain,
                        check.published,
                        check.text_fingerprint or None,
                        similarity,
                        check.timings,
                        check.attempts,
                        check.error,
                        check.archive_note,
                        worker_id,
                    )
                )
                # An older check recorded late is history only: the URL keeps its newer state.
                latest = url.last_checked_at is None or checked_at >= url.last_checked_at
                first_text = None
                if url.first_text_check_id is None and outcome is Outcome.ALIVE and check.main_text:
                    first_text = zlib.compress(check.main_text.encode("utf-8"), 6)
                    url.first_text_check_id = check_id
                if latest:
                    url.last_checked_at = checked_at
                    url.state = new_state.value
                    url.failures = failures
                    url.first_failure_at = first_failure
                updates.append(
                    (
                        latest,
                        checked_at,
                        status,
                        check_id,
                        new_state.value,
                        failures,
                        first_failure,
                        _ts(next_check_at) if next_check_at else None,
                        outcome is Outcome.ALIVE,
                        similarity,
                        first_text,
                        check.text_fingerprint or None,
                        check.title,
                        url.id,
                    )
                )
                if check.snapshot is not None:
                    snapshots.append((check.snapshot, check_id))
                ids.append(check_id)
            conn.executemany(_CHECK_INSERT, inserts)
            conn.executemany(_URL_AFTER_CHECK, updates)
            for snapshot, check_id in snapshots:
                self._insert_snapshot(conn, snapshot, check_id=check_id, stamp=stamp)
        return ids

    def _urls_now(
        self, conn: sqlite3.Connection, keys: Sequence[str], stamp: str
    ) -> dict[str, _UrlNow]:
        """The rows of ``keys`` (URL keys) inside a write transaction, the missing ones
        inserted first (as :meth:`_ensure_url` does, for many at once)."""
        unique = list(dict.fromkeys(keys))
        rows = {
            row[1]: _UrlNow((row[0], *row[2:]))
            for row in conn.execute(
                "SELECT id, url, state, consecutive_failures, first_failure_at,"
                " last_checked_at, first_text_check_id FROM urls"
                " WHERE url IN (SELECT value FROM json_each(?))",
                (_json(unique),),
            )
        }
        missing = [key for key in unique if key not in rows]
        if missing:
            last = int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM urls").fetchone()[0])
            new = [(last + n, key, _host(key), stamp) for n, key in enumerate(missing, 1)]
            conn.executemany(
                "INSERT INTO urls (id, url, host, first_seen) VALUES (?, ?, ?, ?)", new
            )
            for url_id, key, _host_name, _stamp in new:
                rows[key] = _UrlNow((url_id, UrlState.UNCHECKED.value, 0, None, None, None))
        return rows

    def _ensure_url(self, conn: sqlite3.Connection, key: str, stamp: str) -> sqlite3.Row:
        row: sqlite3.Row | None = conn.execute(
            "SELECT * FROM urls WHERE url = ?", (key,)
        ).fetchone()
        if row is None:
            row = conn.execute(
                "INSERT INTO urls (url, host, first_seen) VALUES (?, ?, ?) RETURNING *",
                (key, _host(key), stamp),
            ).fetchone()
        assert row is not None
        return row

    def record_snapshot(
        self, snapshot: Snapshot, *, check_id: int | None = None, now: datetime | None = None
    ) -> int:
        """Record where a WARC copy of a URL is; return the snapshot id (an already recorded
        record id returns the existing row)."""
        with self._write() as conn:
            return self._insert_snapshot(conn, snapshot, check_id=check_id, stamp=_ts(now))

    def _insert_snapshot(
        self, conn: sqlite3.Connection, snapshot: Snapshot, *, check_id: int | None, stamp: str
    ) -> int:
        url = self._ensure_url(conn, url_key(snapshot.url), stamp)
        conn.execute(
            """INSERT OR IGNORE INTO snapshots (url_id, check_id, kind, created_at, target_uri,
                warc_file, warc_offset, warc_length, payload_digest, record_id, record_type,
                refers_to, text_record_id, warc_date)
            VALUES (?, ?, 'warc', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                url["id"],
                check_id,
                stamp,
                snapshot.target_uri,
                self._relative(snapshot.warc_file),
                snapshot.offset,
                snapshot.length,
                snapshot.payload_digest,
                snapshot.record_id,
                snapshot.record_type,
                snapshot.refers_to,
                snapshot.text_record_id,
                snapshot.warc_date,
            ),
        )
        row = conn.execute(
            "SELECT id FROM snapshots WHERE record_id = ?", (snapshot.record_id,)
        ).fetchone()
        return int(row[0])

    def record_wayback(
        self,
        url: str,
        capture: WaybackCapture,
        *,
        check_id: int | None = None,
        now: datetime | None = None,
    ) -> int:
        """Record a Wayback capture of ``url``; return its snapshot id (one row per
        capture timestamp)."""
        stamp = _ts(now)
        with self._write() as conn:
            row = self._ensure_url(conn, url_key(url), stamp)
            conn.execute(
                """INSERT OR IGNORE INTO snapshots (url_id, check_id, kind, created_at,
                    target_uri, wayback_url, wayback_timestamp, wayback_status, wayback_source)
                VALUES (?, ?, 'wayback', ?, ?, ?, ?, ?, ?)""",
                (
                    row["id"],
                    check_id,
                    stamp,
                    capture.original or None,
                    capture.url,
                    capture.timestamp,
                    capture.status,
                    capture.source or None,
                ),
            )
            found = conn.execute(
                "SELECT id FROM snapshots WHERE url_id = ? AND wayback_timestamp = ?"
                " AND kind = 'wayback'",
                (row["id"], capture.timestamp),
            ).fetchone()
        return int(found[0])

    # -- scheduling: due URLs and leases ------------------------------------

    def _due_query(
        self,
        moment: datetime,
        *,
        interval: timedelta,
        retry_spacing: timedelta,
        checked_before: datetime | None,
        domain: str | None,
        document: str | int | None,
        include_leased: bool,
        limit: int | None,
    ) -> tuple[str, dict[str, Any]]:
        params: dict[str, Any] = {
            "now": _ts(moment),
            "cutoff": _ts(moment - interval),
            "retry_cutoff": _ts(moment - retry_spacing),
            "limit": -1 if limit is None else max(0, limit),
        }
        where = []
        if checked_before is not None:
            params["before"] = _ts(checked_before)
            where.append("(u.last_checked_at IS NULL OR u.last_checked_at < :before)")
        else:
            statuses = ", ".join(f"'{s}'" for s in PERMANENT_STATUSES)
            where.append(
                f"""COALESCE(u.last_status, '') NOT IN ({statuses}) AND (
                    u.last_checked_at IS NULL
                    OR (u.next_check_at IS NOT NULL AND u.next_check_at <= :now)
                    OR (u.next_check_at IS NULL AND u.last_checked_at <=
                        CASE WHEN u.state IN ('failing', 'unchecked')
                        THEN :retry_cutoff ELSE :cutoff END))"""
            )
        if not include_leased:
            where.append("(u.lease_until IS NULL OR u.lease_until <= :now)")
        if domain:
            params["host"] = domain.strip().strip(".").lower()
            where.append(
                "(u.host = :host OR substr(u.host, -length(:host) - 1) = '.' || :host"
                " OR u.domain = :host)"
            )
        if document is not None:
            column = "d.id" if isinstance(document, int) else "d.source"
            params["document"] = document
            where.append(
                "u.id IN (SELECT c.url_id FROM citations c JOIN documents d"
                f" ON d.id = c.document_id WHERE {column} = :document"
                " AND d.superseded_at IS NULL)"
            )
        sql = (
            "SELECT "
            + ", ".join(f"u.{name.strip()}" for name in _URL_COLUMNS.split(","))
            + " FROM urls u WHERE "
            + " AND ".join(where)
            + " ORDER BY u.last_checked_at IS NOT NULL, COALESCE(u.next_check_at,"
            " u.last_checked_at), u.id LIMIT :limit"
        )
        return sql, params

    def urls_due(
        self,
        now: datetime | None = None,
        interval: timedelta = timedelta(days=7),
        *,
        retry_spacing: timedelta = timedelta(days=3),
        checked_before: datetime | None = None,
        domain: str | None = None,
        document: str | int | None = None,
        include_leased: bool = False,
        limit: int | None = None,
    ) -> list[StoredUrl]:
        """URLs due for a check at ``now``, never-checked first, then the longest waiting.

        Due: never checked; or ``next_check_at`` passed; or, with no explicit schedule, last
        checked ``interval`` ago (``retry_spacing`` ago for failing or unchecked ones).
        Invalid URLs and unsupported schemes are never due again. ``checked_before`` (for
        ``--all``) replaces the rule: every URL not checked since then. ``domain`` matches a
        host and its subdomains; ``document`` a source (or document id), current version.
        URLs leased by a running recheck are left out unless ``include_leased``.
        """
        sql, params = self._due_query(
            utc(now),
            interval=interval,
            retry_spacing=retry_spacing,
            checked_before=checked_before,
            domain=domain,
            document=document,
            include_leased=include_leased,
            limit=limit,
        )
        with self._lock:
            rows = self._connection().execute(sql, params).fetchall()
        return [_url(row) for row in rows]

    def claim_due_urls(
        self,
        limit: int,
        now: datetime | None = None,
        lease_seconds: float = 600.0,
        worker_id: str = "",
        *,
        interval: timedelta = timedelta(days=7),
        retry_spacing: timedelta = timedelta(days=3),
        checked_before: datetime | None = None,
        domain: str | None = None,
        document: str | int | None = None,
    ) -> list[StoredUrl]:
        """Atomically lease up to ``limit`` due URLs to ``worker_id`` until ``now`` +
        ``lease_seconds``; return them. Leases that expired (a killed run) are taken over;
        :meth:`record_check` releases a URL's lease. Two workers never get the same URL while
        its lease runs."""
        moment = utc(now)
        worker = worker_id or f"pid-{os.getpid()}"
        until = _ts(moment + timedelta(seconds=lease_seconds))
        sql, params = self._due_query(
            moment,
            interval=interval,
            retry_spacing=retry_spacing,
            checked_before=checked_before,
            domain=domain,
            document=document,
            include_leased=False,
            limit=limit,
        )
        with self._write() as conn:
            rows = conn.execute(sql, params).fetchall()
            conn.executemany(
                "UPDATE urls SET lease_owner = ?, lease_until = ? WHERE id = ?",
                [(worker, until, row["id"]) for row in rows],
            )
            claimed = conn.execute(
                _URL_SELECT + " WHERE id IN (SELECT value FROM json_each(?)) ORDER BY"
                " last_checked_at IS NOT NULL, COALESCE(next_check_at, last_checked_at), id",
                (_json([row["id"] for row in rows]),),
            ).fetchall()
        return [_url(row) for row in claimed]

    def release(self, worker_id: str, urls: Iterable[str] | None = None) -> int:
        """Give back the leases of ``worker_id`` (all, or only ``urls``); return how many."""
        with self._write() as conn:
            if urls is None:
                cursor = conn.execute(
                    "UPDATE urls SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?",
                    (worker_id,),
                )
                return cursor.rowcount
            total = 0
            for key in map(url_key, urls):
                total += conn.execute(
                    "UPDATE urls SET lease_owner = NULL, lease_until = NULL"
                    " WHERE lease_owner = ? AND url = ?",
                    (worker_id, key),
                ).rowcount
            return total

    # -- reading URLs, checks, history ----------------------------------------

    def url(self, url: str) -> StoredUrl | None:
        """The stored row of ``url`` (any spelling that normalises to it), or None."""
        with self._lock:
            row = (
                self._connection()
                .execute(_URL_SELECT + " WHERE url = ?", (url_key(url),))
                .fetchone()
            )
        return _url(row) if row is not None else None

    def urls_of(self, urls: Iterable[str]) -> dict[str, StoredUrl]:
        """The stored rows of many URLs in one query, by key (:func:`url_key`); the URLs the
        store does not know are left out."""
        keys = list(dict.fromkeys(map(url_key, urls)))
        with self._lock:
            rows = (
                self._connection()
                .execute(
                    _URL_SELECT + " WHERE url IN (SELECT value FROM json_each(?))", (_json(keys),)
                )
                .fetchall()
            )
        return {row["url"]: _url(row) for row in rows}

    def list_urls(
        self, *, state: UrlState | str | None = None, domain: str | None = None
    ) -> list[StoredUrl]:
        """Every known URL (optionally in one state or under one host), by URL."""
        where, params = [], []
        if state is not None:
            where.append("state = ?")
            params.append(UrlState(state).value)
        if domain:
            host = domain.strip().strip(".").lower()
            where.append("(host = ? OR substr(host, -length(?) - 1) = '.' || ?)")
            params += [host, host, host]
        sql = _URL_SELECT + (" WHERE " + " AND ".join(where) if where else "")
        with self._lock:
            rows = self._connection().execute(sql + " ORDER BY url", params).fetchall()
        return [_url(row) for row in rows]

    def first_text(self, url: str) -> str | None:
        """The main text of the first successful check of ``url`` (drift reference)."""
        with self._lock:
            row = (
                self._connection()
                .execute("SELECT first_text FROM urls WHERE url = ?", (url_key(url),))
                .fetchone()
            )
        if row is None or row[0] is None:
            return None
        return zlib.decompress(row[0]).decode("utf-8")

    def checks_of(self, url: str) -> list[StoredCheck]:
        """Every check of ``url``, oldest first."""
        with self._lock:
            rows = (
                self._connection()
                .execute(
                    _CHECK_SELECT + " WHERE u.url = ? ORDER BY c.checked_at, c.id", (url_key(url),)
                )
                .fetchall()
            )
        return [_check(row) for row in rows]

    def check_statuses(self, urls: Iterable[str]) -> dict[str, list[tuple[str, datetime]]]:
        """``(status, checked_at)`` of every check of each URL, newest first, by key
        (:func:`url_key`), in one query: the part of :meth:`checks_of` the recheck policy
        reads. URLs without checks are left out."""
        keys = list(dict.fromkeys(map(url_key, urls)))
        if not keys:
            return {}
        with self._lock:
            rows = (
                self._connection()
                .execute(
                    "SELECT u.url, c.status, c.checked_at FROM checks c"
                    " JOIN urls u ON u.id = c.url_id"
                    " WHERE u.url IN (SELECT value FROM json_each(?))"
                    " ORDER BY u.url, c.checked_at DESC, c.id DESC",
                    (_json(keys),),
                )
                .fetchall()
            )
        found: dict[str, list[tuple[str, datetime]]] = {}
        for url, status, checked_at in rows:
            found.setdefault(url, []).append((status, _parse_ts(checked_at) or utc()))
        return found

    def snapshots_of(self, url: str) -> list[StoredSnapshot]:
        """Every archived copy of ``url`` (own WARC records and Wayback captures)."""
        with self._lock:
            rows = (
                self._connection()
                .execute(
                    _SNAPSHOT_SELECT + " WHERE u.url = ? ORDER BY s.created_at, s.id",
                    (url_key(url),),
                )
                .fetchall()
            )
        return [_snapshot(row, self.path.parent) for row in rows]

    def latest_checks(self, *, since: datetime | None = None) -> list[StoredCheck]:
        """The last check of every URL (checked at or after ``since`` when given), by URL."""
        sql = "SELECT c.*, u.url AS url FROM urls u JOIN checks c ON c.id = u.last_check_id"
        params: list[Any] = []
        if since is not None:
            sql += " AND c.checked_at >= ?"
            params.append(_ts(since))
        with self._lock:
            rows = self._connection().execute(sql + " ORDER BY u.url", params).fetchall()
        return [_check(row) for row in rows]

    def checks_since(self, since: datetime, *, until: datetime | None = None) -> list[StoredCheck]:
        """Every check made in ``[since, until)``, in time order (what a run did)."""
        sql = _CHECK_SELECT + " WHERE c.checked_at >= ?"
        params = [_ts(since)]
        if until is not None:
            sql += " AND c.checked_at < ?"
            params.append(_ts(until))
        with self._lock:
            rows = self._connection().execute(sql + " ORDER BY c.checked_at, c.id", params)
            return [_check(row) for row in rows.fetchall()]

    def link_history(self, url: str) -> list[HistoryEvent]:
        """A link's timeline: first seen, every check, each status and state change, every
        archived copy, in time order."""
        with self._read() as conn:
            row = conn.execute(_URL_SELECT + " WHERE url = ?", (url_key(url),)).fetchone()
            if row is None:
                return []
            checks = [
                _check(r)
                for r in conn.execute(
                    _CHECK_SELECT + " WHERE c.url_id = ? ORDER BY c.checked_at, c.id",
                    (row["id"],),
                )
            ]
            snaps = [
                _snapshot(r, self.path.parent)
                for r in conn.execute(
                    _SNAPSHOT_SELECT + " WHERE s.url_id = ? ORDER BY s.created_at, s.id",
                    (row["id"],),
                )
            ]
        stored = _url(row)
        events = [
            HistoryEvent(stored.first_seen, EventKind.FIRST_SEEN, f"first seen: {stored.url}")
        ]
        status: str | None = None
        state = UrlState.UNCHECKED
        for check in checks:
            detail = f"{check.status}" + (
                f" (HTTP {check.http_status})" if check.http_status else ""
            )
            if check.similarity is not None:
                detail += f", similarity {check.similarity:.2f}"
            events.append(
                HistoryEvent(
                    check.checked_at,
                    EventKind.CHECK,
                    detail,
                    check.status,
                    check.state,
                    check_id=check.id,
                )
            )
            if status is not None and check.status != status:
                events.append(
                    HistoryEvent(
                        check.checked_at,
                        EventKind.STATUS_CHANGE,
                        f"{status} → {check.status}",
                        check.status,
                        check.state,
                        check_id=check.id,
                    )
                )
            if check.state != state:
                events.append(
                    HistoryEvent(
                        check.checked_at,
                        EventKind.STATE_CHANGE,
                        f"{state} → {check.state}",
                        check.status,
                        check.state,
                        check_id=check.id,
                    )
                )
            status, state = check.status, check.state
        for snap in snaps:
            if snap.kind == "wayback":
                events.append(
                    HistoryEvent(
                        snap.created_at,
                        EventKind.WAYBACK,
                        f"Wayback capture {snap.wayback_timestamp}: {snap.wayback_url}",
                        check_id=snap.check_id,
                        snapshot_id=snap.id,
                    )
                )
            else:
                events.append(
                    HistoryEvent(
                        snap.created_at,
                        EventKind.SNAPSHOT,
                        f"WARC {snap.record_type} {snap.warc_file}@{snap.warc_offset}",
                        check_id=snap.check_id,
                        snapshot_id=snap.id,
                    )
                )
        order = list(EventKind)
        events.sort(key=lambda e: (e.at, order.index(e.kind)))
        return events

    def known_payloads(self) -> dict[str, tuple[str, str, str]]:
        """Payload digests of archived responses → (target URI, WARC-Date, record id), for
        ``WarcArchive(known_payloads=…)`` revisit records across runs."""
        with self._lock:
            rows = (
                self._connection()
                .execute(
                    "SELECT payload_digest, target_uri, warc_date, record_id FROM snapshots"
                    " WHERE kind = 'warc' AND record_type = 'response' AND payload_digest IS NOT NULL"
                    " ORDER BY id"
                )
                .fetchall()
            )
        payloads: dict[str, tuple[str, str, str]] = {}
        for digest, target, warc_date, record_id in rows:
            payloads.setdefault(digest, (target or "", warc_date or "", record_id or ""))
        return payloads

    # -- runs -----------------------------------------------------------------

    def begin_run(
        self, kind: str, *, now: datetime | None = None, worker_id: str | None = None
    ) -> int:
        """Open a run (``audit``, ``recheck``…); return its id for ``record_check(run_id=…)``."""
        with self._write() as conn:
            row = conn.execute(
                "INSERT INTO runs (kind, worker, started_at) VALUES (?, ?, ?) RETURNING id",
                (kind, worker_id, _ts(now)),
            ).fetchone()
        return int(row[0])

    def finish_run(
        self, run_id: int, *, now: datetime | None = None, summary: Mapping[str, Any] | None = None
    ) -> None:
        """Close a run with its summary (a killed run stays open: ``finished_at`` NULL)."""
        with self._write() as conn:
            conn.execute(
                "UPDATE runs SET finished_at = ?, summary = ? WHERE id = ?",
                (_ts(now), _json(dict(summary or {})), run_id),
            )

    def runs(self, kind: str | None = None) -> list[Run]:
        """Runs, oldest first (only those of ``kind`` when given)."""
        sql, params = "SELECT * FROM runs", []
        if kind is not None:
            sql += " WHERE kind = ?"
            params.append(kind)
        with self._lock:
            rows = self._connection().execute(sql + " ORDER BY started_at, id", params).fetchall()
        return [
            Run(
                row["id"],
                row["kind"],
                row["worker"],
                _parse_ts(row["started_at"]) or utc(),
                _parse_ts(row["finished_at"]),
                _loads(row["summary"], {}),
            )
            for row in rows
        ]

    # -- maintenance ------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Row counts of every table."""
        tables = ("documents", "units", "citations", "urls", "checks", "snapshots", "runs")
        with self._read() as conn:
            return {t: int(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]) for t in tables}

    def integrity_problems(self) -> list[str]:
        """What ``PRAGMA integrity_check`` and ``foreign_key_check`` report (empty: sound)."""
        with self._lock:
            conn = self._connection()
            problems = [
                str(row[0]) for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"
            ]
            problems += [
                f"foreign key: {row[0]} row {row[1]} → {row[2]}"
                for row in conn.execute("PRAGMA foreign_key_check")
            ]
        return problems
