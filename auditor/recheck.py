"""Link rot: the recheck policy, scheduled recheck runs, link checks, and the rot report.

The policy (:func:`decide`) is a pure function of the URL's previous state, what the new check
found and when the earlier failures of the current streak happened:

- a live link is checked again after ``interval_days`` (7);
- a failing link is retried every ``retry_spacing_days`` (3) and declared **dead** only once
  it has failed ``failures_to_dead`` (3) times, each at least ``retry_spacing_days`` after the
  previous counted failure, as the Wikipedia link-rescue bot does: one bad night, or ten
  failures in one afternoon, never kill a citation;
- a live answer after failing or dead is **recovered**; a live page whose main text moved away
  from the first archived text (:mod:`auditor.drift`) is **drifted**;
- a ``rate-limited`` answer says nothing about the page and changes nothing.

A recheck run (:func:`recheck`) claims due URLs from the store in batches under a lease, checks
them with the resolver, and records every check (append-only history). Runs on one store share
the work through the leases, so two scheduled runs never check the same URL; a lock file next
to the store lets the first run that finds no other one alive take back the leases of a run
that was killed, so the next run resumes at once with exactly the URLs left unchecked.

Time always comes from a clock read at each use (:func:`make_clock`): the system clock, a
shifted one (``AUDITOR_NOW``), or a fixed instant passed by tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from auditor.config import section_of as _section
from auditor.errors import ConfigError, InputError

if TYPE_CHECKING:
    from auditor.archive import WaybackCapture
    from auditor.drift import FactTrace
    from auditor.resolve import LinkCheck
    from auditor.store import Store, StoredSnapshot, StoredUrl, UrlState

Clock = Callable[[], datetime]
NOW_ENV = "AUDITOR_NOW"
RECHECK_RUN = "recheck"
CHECK_RUN = "links-check"
REPORT_RUN = "linkrot-report"
LEASE_PREFIX = "recheck-"


# ---------------------------------------------------------------------------
# Clock


def parse_instant(text: str) -> datetime:
    """An ISO 8601 date or datetime as an aware UTC datetime (naive means UTC)."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"not an ISO 8601 date or time: {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def make_clock(
    now: datetime | Clock | None = None, *, env: Mapping[str, str] | None = None
) -> Clock:
    """A clock read at every use.

    ``now`` a callable: used as is; a datetime: that fixed instant (tests); None: the system
    clock, shifted so that it starts at ``$AUDITOR_NOW`` when that is set (replays: time still
    flows from there).
    """
    if callable(now):
        return now
    if isinstance(now, datetime):
        fixed = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
        return lambda: fixed
    env = os.environ if env is None else env
    start = env.get(NOW_ENV, "").strip()
    if not start:
        return lambda: datetime.now(UTC)
    offset = parse_instant(start) - datetime.now(UTC)
    return lambda: datetime.now(UTC) + offset


# ---------------------------------------------------------------------------
# Policy

# Keys of the ``recheck:`` section and their types (defaults: RecheckPolicy).
_POLICY_KEYS: dict[str, type] = {
    "interval_days": float,
    "failures_to_dead": int,
    "retry_spacing_days": float,
    "dead_interval_days": float,
    "drift_threshold": float,
    "min_drift_words": int,
    "lease_seconds": float,
    "batch_size": int,
    "flush_every": int,
}


@dataclass(frozen=True, slots=True)
class RecheckPolicy:
    """When links are checked again and when a failing one is declared dead (``recheck:``)."""

    interval_days: float = 7.0  # live links are checked again after this
    failures_to_dead: int = 3  # spaced failures before a link is declared dead
    retry_spacing_days: float = 3.0  # minimum spacing of counted failures (and retries)
    dead_interval_days: float = 30.0  # dead links are still looked at, less often
    drift_threshold: float = 0.6  # drifted when the similarity to the first text is below
    min_drift_words: int = 30  # first texts shorter than this are never called drifted
    lease_seconds: float = 3600.0  # how long a claimed URL stays reserved to one run
    batch_size: int = 200  # URLs claimed at a time
    flush_every: int = 100  # results per store transaction

    def __post_init__(self) -> None:
        for name in ("interval_days", "retry_spacing_days", "dead_interval_days"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"'recheck.{name}' must be a positive number of days")
        for name in ("failures_to_dead", "batch_size", "flush_every"):
            if getattr(self, name) < 1:
                raise ConfigError(f"'recheck.{name}' must be at least 1")
        if not 0.0 <= self.drift_threshold <= 1.0:
            raise ConfigError("'recheck.drift_threshold' must be between 0 and 1")
        if self.lease_seconds <= 0:
            raise ConfigError("'recheck.lease_seconds' must be a positive number of seconds")
        if self.min_drift_words < 0:
            raise ConfigError("'recheck.min_drift_words' must not be negative")

    @classmethod
    def from_settings(cls, settings: Any) -> RecheckPolicy:
        """Build the policy from ``Settings`` (or a mapping); unknown keys and wrong types
        raise ``ConfigError`` naming the key."""
        section = _section(settings, "recheck")
        values: dict[str, Any] = {}
        for key, value in section.items():
            kind = _POLICY_KEYS.get(key)
            if kind is None:
                raise ConfigError(f"unknown key 'recheck.{key}'")
            if value is None:
                continue
            if kind is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
                names = {int: "an integer", float: "a number", bool: "true or false"}
                raise ConfigError(f"'recheck.{key}' must be {names[kind]}, not {value!r}")
            values[key] = value
        return cls(**values)

    @property
    def interval(self) -> timedelta:
        return timedelta(days=self.interval_days)

    @property
    def retry_spacing(self) -> timedelta:
        return timedelta(days=self.retry_spacing_days)

    @property
    def dead_interval(self) -> timedelta:
        return timedelta(days=self.dead_interval_days)

    def slack(self, spacing: timedelta) -> timedelta:
        """Tolerance on a spacing: a daily cron that starts a few minutes early still counts
        (an hour, or a tenth of the spacing when that is shorter)."""
        return min(timedelta(hours=1), spacing / 10)


@dataclass(frozen=True, slots=True)
class Decision:
    """What the policy decided after one check."""

    state: UrlState
    next_check_at: datetime
    spaced_failures: int = 0  # counted failures of the current streak, this one included


def spaced_count(times: Iterable[datetime], spacing: timedelta, slack: timedelta) -> int:
    """How many of the failure times count: each at least ``spacing`` (less ``slack``) after
    the previous counted one."""
    counted = 0
    last: datetime | None = None
    for moment in sorted(times):
        if last is None or moment - last >= spacing - slack:
            counted += 1
            last = moment
    return counted


def decide(
    previous: UrlState | str,
    outcome: str,
    checked_at: datetime,
    policy: RecheckPolicy,
    *,
    earlier_failures: Sequence[datetime] = (),
    drifted: bool | None = None,
) -> Decision:
    """The state and next check time of a URL after a check (pure).

    ``outcome`` is the store's ``alive``, ``failure`` or ``inconclusive``;
    ``earlier_failures`` the times of the failures of the current streak before this check;
    ``drifted`` whether the live text drifted from the first one (None: not known).
    """
    from auditor.store import Outcome, UrlState

    state = UrlState(previous)
    result = Outcome(outcome)
    if result is Outcome.INCONCLUSIVE:
        spacing = policy.retry_spacing
        return Decision(state, checked_at + spacing - policy.slack(spacing))
    if result is Outcome.FAILURE:
        spacing = policy.retry_spacing
        spaced = spaced_count([*earlier_failures, checked_at], spacing, policy.slack(spacing))
        if state is UrlState.DEAD or spaced >= policy.failures_to_dead:
            wait = policy.dead_interval
            return Decision(UrlState.DEAD, checked_at + wait - policy.slack(wait), spaced)
        return Decision(UrlState.FAILING, checked_at + spacing - policy.slack(spacing), spaced)
    wait = policy.interval
    next_at = checked_at + wait - policy.slack(wait)
    if drifted:
        return Decision(UrlState.DRIFTED, next_at)
    if state in (UrlState.FAILING, UrlState.DEAD):
        return Decision(UrlState.RECOVERED, next_at)
    if state is UrlState.DRIFTED and drifted is None:
        return Decision(UrlState.DRIFTED, next_at)
    return Decision(UrlState.OK, next_at)


# ---------------------------------------------------------------------------
# Recording checks under the policy


@dataclass(frozen=True, slots=True)
class CitedSentence:
    """A place that cites a URL: the document, its unit (claim id) and the sentence."""

    document: str
    version: int
    title: str | None
    unit_id: str | None
    sentence: str | None
    link_id: str
    footnote: int | None
    current: bool = True


@dataclass(frozen=True, slots=True)
class SentenceFacts:
    """The numbers and names of one citing sentence, traced in the old and new texts."""

    cited: CitedSentence
    facts: tuple[FactTrace, ...]


@dataclass(frozen=True, slots=True)
class DriftDetail:
    """Why a page is called drifted: similarity, titles, and the cited facts old vs new."""

    url: str
    similarity: float
    retained: float
    old_title: str | None
    new_title: str | None
    old_words: int
    new_words: int
    sentences: tuple[SentenceFacts, ...] = ()
    checked_at: str = ""


@dataclass(frozen=True, slots=True)
class Recorded:
    """One check as recorded, with the state change the policy made."""

    url: str
    check_id: int | None
    status: str
    previous: UrlState
    state: UrlState
    similarity: float | None
    consecutive_failures: int
    drift: DriftDetail | None = None
    checked_at: datetime | None = None

    @property
    def changed(self) -> bool:
        return self.previous is not self.state


def _checked_at(check: LinkCheck, fallback: datetime) -> datetime:
    if check.checked_at:
        with contextlib.suppress(ConfigError):
            return parse_instant(check.checked_at)
    return fallback


def _streak_failures(history: Iterable[tuple[str, datetime]]) -> list[datetime]:
    """Times of the failures of the current streak (inconclusive checks skipped), from a
    URL's checks as ``(status, checked_at)``, newest first (:meth:`Store.check_statuses`)."""
    from auditor.store import Outcome, check_outcome

    times: list[datetime] = []
    for status, checked_at in history:
        outcome = check_outcome(status)
        if outcome is Outcome.INCONCLUSIVE:
            continue
        if outcome is Outcome.ALIVE:
            break
        times.append(checked_at)
    return times


def cited_sentences(store: Store, url: str) -> list[CitedSentence]:
    """Where current documents cite ``url``."""
    return [
        CitedSentence(
            document=c.source,
            version=c.version,
            title=c.title,
            unit_id=c.unit_id,
            sentence=c.unit_text,
            link_id=c.link_id,
            footnote=c.footnote,
            current=c.current,
        )
        for c in store.citing(url)
    ]


def drift_detail(
    store: Store,
    url: str,
    *,
    old_text: str | None,
    new_text: str | None,
    old_title: str | None,
    new_title: str | None,
    similarity: float,
    retained: float,
    checked_at: str = "",
) -> DriftDetail:
    """The drift of ``url`` with the facts of every citing sentence traced old vs new."""
    from auditor.drift import sentence_facts, trace_facts, words

    sentences = []
    for cited in cited_sentences(store, url):
        facts = sentence_facts(cited.sentence or "")
        if facts:
            sentences.append(SentenceFacts(cited, tuple(trace_facts(facts, old_text, new_text))))
    return DriftDetail(
        url=url,
        similarity=similarity,
        retained=retained,
        old_title=old_title,
        new_title=new_title,
        old_words=len(words(old_text)) if old_text else 0,
        new_words=len(words(new_text)) if new_text else 0,
        sentences=tuple(sentences),
        checked_at=checked_at,
    )


def record_results(
    store: Store,
    results: Sequence[tuple[LinkCheck, StoredUrl | None]],
    policy: RecheckPolicy,
    *,
    now: datetime,
    run_id: int | None = None,
    worker_id: str | None = None,
) -> list[Recorded]:
    """Decide the state of each checked URL under the policy (drift included) and record
    the checks in one transaction. ``results`` pairs each check with the URL's stored row
    before the check (None for a URL the store does not know yet)."""
    from auditor.store import Outcome, UrlState, check_outcome, url_key

    # The check history of the URLs that failed again, read at once (the policy counts the
    # spaced failures of the current streak).
    histories = store.check_statuses(
        previous.url
        for check, previous in results
        if previous is not None
        and previous.consecutive_failures > 0
        and check_outcome(str(check.status)) is Outcome.FAILURE
    )

    checks: list[LinkCheck] = []
    states: list[UrlState | None] = []
    similarities: list[float | None] = []
    next_checks: list[datetime | None] = []
    pending: list[tuple[LinkCheck, UrlState, UrlState, float | None, int, Any]] = []
    seen: set[str] = set()
    for check, previous in results:
        key = url_key(check.url)
        if key in seen:
            continue  # two spellings of one URL: one check
        seen.add(key)
        status = str(check.status)
        before = previous.state if previous is not None else UrlState.UNCHECKED
        failures = previous.consecutive_failures if previous is not None else 0
        if status == "not-checked" or check.cached:
            checks.append(check)
            states.append(None)
            similarities.append(None)
            next_checks.append(None)
            pending.append((check, before, before, None, failures, None))
            continue
        outcome = check_outcome(status)
        moment = _checked_at(check, now)
        measure = None
        sim: float | None = None
        drifted: bool | None = None
        if outcome is Outcome.ALIVE and check.main_text and previous is not None:
            if previous.first_fingerprint and check.text_fingerprint == previous.first_fingerprint:
                sim, drifted = 1.0, False
            elif previous.first_fingerprint is not None or previous.first_title is not None:
                old = store.first_text(previous.url)
                if old:
                    from auditor.drift import compare

                    measure = compare(
                        old,
                        check.main_text,
                        policy.drift_threshold,
                        min_words=policy.min_drift_words,
                    )
                    sim, drifted = measure.similarity, measure.drifted
        earlier: list[datetime] = []
        if outcome is Outcome.FAILURE and previous is not None and failures > 0:
            earlier = _streak_failures(histories.get(previous.url, ()))
        decision = decide(
            before, outcome.value, moment, policy, earlier_failures=earlier, drifted=drifted
        )
        if outcome is Outcome.FAILURE:
            failures += 1
        elif outcome is Outcome.ALIVE:
            failures = 0
        checks.append(check)
        states.append(decision.state)
        similarities.append(sim)
        next_checks.append(decision.next_check_at)
        pending.append((check, before, decision.state, sim, failures, (measure, previous)))
    if not checks:
        return []
    ids = store.record_checks(
        checks,
        now=now,
        states=states,
        similarities=similarities,
        next_checks=next_checks,
        run_id=run_id,
        worker_id=worker_id,
    )
    recorded = []
    for check_id, (check, before, after, sim, failures, extra) in zip(ids, pending, strict=True):
        detail = None
        if extra is not None and after is UrlState.DRIFTED and extra[0] is not None:
            measure, previous = extra
            detail = drift_detail(
                store,
                previous.url,
                old_text=store.first_text(previous.url),
                new_text=check.main_text,
                old_title=previous.first_title,
                new_title=check.title,
                similarity=measure.similarity,
                retained=measure.retained,
                checked_at=check.checked_at,
            )
        recorded.append(
            Recorded(
                url=url_key(check.url),
                check_id=check_id,
                status=str(check.status),
                previous=before,
                state=after,
                similarity=sim,
                consecutive_failures=failures,
                drift=detail,
                checked_at=_checked_at(check, now) if check_id is not None else None,
            )
        )
    return recorded


# ---------------------------------------------------------------------------
# The lock file: who may take back the leases of a killed run


class RecheckLock:
    """A lock file next to the store, held shared by every running recheck.

    The first run that gets it exclusively knows no other recheck is alive on this store, so
    every lease a recheck still holds is stale (its run was killed): it releases them, then
    keeps the lock shared like the others. Without ``fcntl`` (Windows) only the leases'
    expiry protects, and a killed run's URLs come back when their leases expire.
    """

    def __init__(self, store_path: Path) -> None:
        self.path = Path(f"{store_path}.recheck.lock")
        self._handle: IO[str] | None = None

    def acquire(self, store: Store, now: datetime) -> int:
        """Take the lock; return how many stale leases were released."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            return 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        self._handle = handle
        released = 0
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH)  # another recheck is running
            return 0
        try:
            released = release_stale_leases(store, now)
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
        return released

    def release(self) -> None:
        """Drop the lock (closing the file releases it)."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def release_stale_leases(store: Store, now: datetime) -> int:
    """Release every lease a recheck still holds (call only when no recheck runs)."""
    owners: dict[str, list[str]] = {}
    for row in store.list_urls():
        owner, until = row.lease_owner or "", row.lease_until
        if owner and owner.startswith(LEASE_PREFIX) and until is not None and until > now:
            owners.setdefault(owner, []).append(row.url)
    return sum(store.release(owner, urls) for owner, urls in owners.items())


def new_worker_id() -> str:
    """A recheck worker id: host, pid and a random part."""
    return f"{LEASE_PREFIX}{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


# ---------------------------------------------------------------------------
# Recheck runs


@dataclass(frozen=True, slots=True)
class Selection:
    """Which URLs a recheck takes: the due ones, or ``all``; by document, domain, count."""

    all: bool = False
    document: str | None = None
    domain: str | None = None
    limit: int | None = None


@dataclass(frozen=True, slots=True)
class RecheckSummary:
    """What a recheck run did."""

    run_id: int | None
    worker: str
    checked: int
    by_state: dict[str, int]
    by_status: dict[str, int]
    newly_dead: tuple[str, ...]
    newly_failing: tuple[str, ...]
    recovered: tuple[str, ...]
    newly_drifted: tuple[str, ...]
    requests: int
    elapsed: float
    released_stale: int = 0
    wayback_found: int = 0
    drift: tuple[DriftDetail, ...] = ()
    interrupted: bool = False

    def line(self) -> str:
        """The one-line summary printed at the end of a run."""
        states = ", ".join(f"{k} {v}" for k, v in sorted(self.by_state.items())) or "nothing due"
        rate = self.requests / self.elapsed if self.elapsed > 0 else 0.0
        news = (
            f"; new: {len(self.newly_dead)} dead, {len(self.newly_drifted)} drifted, "
            f"{len(self.recovered)} back"
        )
        return (
            f"rechecked {self.checked} URL(s) in {self.elapsed:.1f} s ({rate:.0f} req/s): "
            f"{states}{news}"
        )

    def as_dict(self) -> dict[str, Any]:
        """The run summary kept in the store (drift details included)."""
        from auditor.store import _plain

        return {
            "checked": self.checked,
            "by_state": self.by_state,
            "by_status": self.by_status,
            "newly_dead": list(self.newly_dead),
            "newly_failing": list(self.newly_failing),
            "recovered": list(self.recovered),
            "newly_drifted": list(self.newly_drifted),
            "requests": self.requests,
            "elapsed": round(self.elapsed, 3),
            "released_stale": self.released_stale,
            "wayback_found": self.wayback_found,
            "interrupted": self.interrupted,
            "drift": {d.url: _plain(d) for d in self.drift},
        }


@dataclass
class _Tally:
    """Running counts of a recheck (mutable, private to one run)."""

    checked: int = 0
    requests: int = 0
    by_state: Counter[str] = field(default_factory=Counter)
    by_status: Counter[str] = field(default_factory=Counter)
    newly_dead: list[str] = field(default_factory=list)
    newly_failing: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    newly_drifted: list[str] = field(default_factory=list)
    drift: list[DriftDetail] = field(default_factory=list)
    wayback_found: int = 0

    def add(self, items: Iterable[Recorded]) -> None:
        from auditor.store import UrlState

        for item in items:
            if item.check_id is None:
                continue
            self.checked += 1
            self.by_state[item.state.value] += 1
            self.by_status[item.status] += 1
            if item.state is UrlState.DEAD and item.previous is not UrlState.DEAD:
                self.newly_dead.append(item.url)
            elif item.state is UrlState.FAILING and item.previous is not UrlState.FAILING:
                self.newly_failing.append(item.url)
            if item.previous in (UrlState.FAILING, UrlState.DEAD) and item.state in (
                UrlState.RECOVERED,
                UrlState.OK,
                UrlState.DRIFTED,
            ):
                self.recovered.append(item.url)
            if item.state is UrlState.DRIFTED and item.previous is not UrlState.DRIFTED:
                self.newly_drifted.append(item.url)
            if item.drift is not None:
                self.drift.append(item.drift)

    def summary(
        self, run_id: int | None, worker: str, elapsed: float, **extra: Any
    ) -> RecheckSummary:
        return RecheckSummary(
            run_id=run_id,
            worker=worker,
            checked=self.checked,
            by_state=dict(self.by_state),
            by_status=dict(self.by_status),
            newly_dead=tuple(self.newly_dead),
            newly_failing=tuple(self.newly_failing),
            recovered=tuple(self.recovered),
            newly_drifted=tuple(self.newly_drifted),
            requests=self.requests,
            elapsed=elapsed,
            wayback_found=self.wayback_found,
            drift=tuple(self.drift),
            **extra,
        )


def _floor_second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def due_urls(
    store: Store,
    policy: RecheckPolicy,
    *,
    now: datetime | Clock | None = None,
    select: Selection = Selection(),
) -> list[StoredUrl]:
    """The URLs a recheck would take now (``--dry-run``); nothing is claimed."""
    moment = make_clock(now)()
    return store.urls_due(
        moment,
        policy.interval,
        retry_spacing=policy.retry_spacing,
        checked_before=_floor_second(moment) if select.all else None,
        domain=select.domain,
        document=select.document,
        limit=select.limit,
    )


def recheck(
    store: Store,
    settings: Any = None,
    *,
    policy: RecheckPolicy | None = None,
    now: datetime | Clock | None = None,
    select: Selection = Selection(),
    transport: Any = None,
    wayback_transport: Any = None,
    archive: bool | None = None,
    wayback: bool | None = None,
    progress: Callable[[RecheckSummary], object] | None = None,
    worker_id: str | None = None,
) -> RecheckSummary:
    """Check the due URLs of the store (blocking; see :func:`recheck_async`)."""
    return asyncio.run(
        recheck_async(
            store,
            settings,
            policy=policy,
            now=now,
            select=select,
            transport=transport,
            wayback_transport=wayback_transport,
            archive=archive,
            wayback=wayback,
            progress=progress,
            worker_id=worker_id,
        )
    )


async def recheck_async(
    store: Store,
    settings: Any = None,
    *,
    policy: RecheckPolicy | None = None,
    now: datetime | Clock | None = None,
    select: Selection = Selection(),
    transport: Any = None,
    wayback_transport: Any = None,
    archive: bool | None = None,
    wayback: bool | None = None,
    progress: Callable[[RecheckSummary], object] | None = None,
    worker_id: str | None = None,
) -> RecheckSummary:
    """Claim the due URLs in batches, check them, record every check under the policy.

    ``settings`` gives the ``resolve:``, ``archive:`` and ``recheck:`` sections (``policy``
    overrides the latter); ``transport`` goes to the resolver and ``wayback_transport`` to
    the Wayback client (tests). ``progress`` is called after each batch written. Cancelling
    (Ctrl-C, SIGTERM) records what was checked and gives back the unchecked leases.
    """
    from auditor.resolve import Resolver, ResolverOptions

    policy = policy or RecheckPolicy.from_settings(settings)
    clock = make_clock(now)
    options = ResolverOptions.from_settings(settings or {})
    if not options.extract:
        options = replace(options, extract=True)  # drift needs the main text
    from auditor.archive import ArchiveOptions

    archive_options = ArchiveOptions.from_settings(settings or {})
    use_archive = archive_options.enabled if archive is None else archive
    use_wayback = archive_options.wayback if wayback is None else wayback
    worker = worker_id or new_worker_id()
    started_wall = time.monotonic()
    started = clock()
    lock = RecheckLock(store.path)
    released = await asyncio.to_thread(lock.acquire, store, started) if _on_disk(store) else 0
    run_id = store.begin_run(RECHECK_RUN, now=started, worker_id=worker)
    tally = _Tally()
    sink = _archive_sink(store, settings, clock) if use_archive else None
    lookups = _WaybackLookups(store, settings, clock, wayback_transport) if use_wayback else None
    interrupted = False
    try:
        async with Resolver(
            options, transport=transport, clock=clock, archive=sink, trace=_counter(tally)
        ) as resolver:
            await _pump(
                store,
                resolver,
                policy,
                clock,
                select,
                worker,
                run_id,
                tally,
                lookups,
                progress,
                started_wall,
            )
        if lookups is not None:
            tally.wayback_found += await lookups.finish()
    except (asyncio.CancelledError, KeyboardInterrupt):
        interrupted = True
        raise
    finally:
        with contextlib.suppress(Exception):
            store.release(worker)
        if sink is not None:
            sink.close()
        summary = tally.summary(
            run_id,
            worker,
            time.monotonic() - started_wall,
            released_stale=released,
            interrupted=interrupted,
        )
        with contextlib.suppress(Exception):
            store.finish_run(run_id, now=clock(), summary=summary.as_dict())
        lock.release()
    return summary


def _on_disk(store: Store) -> bool:
    return str(store.path) != ":memory:"


def _counter(tally: _Tally) -> Callable[[str, str, float], None]:
    def trace(event: str, url: str, at: float) -> None:
        if event == "request":
            tally.requests += 1

    return trace


def _archive_sink(store: Store, settings: Any, clock: Clock) -> Any:
    from auditor.archive import ArchiveOptions, WarcArchive
    from auditor.store import warc_dir

    options = ArchiveOptions.from_settings(settings or {}, warc_dir=_warc_dir(settings, warc_dir))
    return WarcArchive(options, known_payloads=store.known_payloads(), clock=clock)


def _warc_dir(settings: Any, default: Callable[[Any], Path]) -> Path | None:
    explicit = _section(settings, "archive").get("warc_dir")
    return None if explicit else default(settings)


async def _pump(
    store: Store,
    resolver: Any,
    policy: RecheckPolicy,
    clock: Clock,
    select: Selection,
    worker: str,
    run_id: int,
    tally: _Tally,
    lookups: _WaybackLookups | None,
    progress: Callable[[RecheckSummary], object] | None,
    started_wall: float,
) -> None:
    """Keep about ``batch_size`` URLs in flight, claiming more as they finish."""
    cancel_on_sigterm()
    checked_before = _floor_second(clock()) if select.all else None
    remaining = select.limit
    seen: set[int] = set()
    results: list[tuple[LinkCheck, StoredUrl]] = []
    in_flight: set[asyncio.Task[None]] = set()
    exhausted = False
    last_flush = time.monotonic()

    wake = asyncio.Event()
    failures: list[BaseException] = []

    def finished(task: asyncio.Task[None]) -> None:
        in_flight.discard(task)
        if not task.cancelled() and task.exception() is not None:
            failures.append(task.exception())  # type: ignore[arg-type]
        wake.set()

    async def one(row: StoredUrl) -> None:
        check = await resolver.check(row.url)
        results.append((check, row))

    async def flush() -> None:
        nonlocal last_flush
        batch = results[:]
        results.clear()
        last_flush = time.monotonic()
        if not batch:
            return
        recorded = await asyncio.to_thread(
            record_results, store, batch, policy, now=clock(), run_id=run_id, worker_id=worker
        )
        tally.add(recorded)
        if lookups is not None:
            lookups.start(item for item in recorded if item.changed)
        if progress is not None:
            progress(tally.summary(run_id, worker, time.monotonic() - started_wall))

    try:
        while True:
            room = remaining is None or remaining > 0
            if not exhausted and room and len(in_flight) <= policy.batch_size // 2:
                size = policy.batch_size if remaining is None else min(policy.batch_size, remaining)
                rows = store.claim_due_urls(
                    size,
                    clock(),
                    policy.lease_seconds,
                    worker,
                    interval=policy.interval,
                    retry_spacing=policy.retry_spacing,
                    checked_before=checked_before,
                    domain=select.domain,
                    document=select.document,
                )
                fresh = [row for row in rows if row.id not in seen]
                again = [row.url for row in rows if row.id in seen]
                if again:
                    store.release(worker, again)
                if len(rows) < size or not fresh:
                    exhausted = True
                for row in fresh:
                    seen.add(row.id)
                    task = asyncio.ensure_future(one(row))
                    in_flight.add(task)
                    task.add_done_callback(finished)
                if remaining is not None:
                    remaining -= len(fresh)
            if failures:
                raise failures[0]
            if not in_flight and not results:
                break
            if in_flight:  # one wake-up per finished check, O(1) each
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), timeout=1.0)
                wake.clear()
            if (
                len(results) >= policy.flush_every
                or time.monotonic() - last_flush >= 1.0
                or not in_flight
            ):
                await flush()
    finally:
        pending = list(in_flight)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        await asyncio.shield(flush())


def cancel_on_sigterm() -> None:
    """Turn SIGTERM (systemd stop, CI timeout) into a cancellation of the running task, so a
    recheck records what it checked and gives back its leases. Main thread only."""
    import signal

    task = asyncio.current_task()
    if task is None or sys.platform == "win32":
        return
    with contextlib.suppress(ValueError, RuntimeError, NotImplementedError):
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)


class _WaybackLookups:
    """Wayback captures closest to the citation date, looked up for links that die or drift."""

    def __init__(self, store: Store, settings: Any, clock: Clock, transport: Any) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.transport = transport
        self.tasks: list[asyncio.Task[int]] = []
        self._opened: asyncio.Task[Any] | None = None
        self._documents: dict[int, Any] | None = None

    def start(self, items: Iterable[Recorded]) -> None:
        from auditor.store import UrlState

        for item in items:
            if item.state in (UrlState.DEAD, UrlState.DRIFTED):
                self.tasks.append(asyncio.ensure_future(self._lookup(item.url)))

    async def _client_ready(self) -> Any:
        from auditor.archive import ArchiveOptions, Wayback

        if self._opened is None:
            client = Wayback(
                ArchiveOptions.from_settings(self.settings or {}), transport=self.transport
            )
            self._opened = asyncio.ensure_future(client.__aenter__())
        return await asyncio.shield(self._opened)

    async def _lookup(self, url: str) -> int:
        from auditor.archive import ArchiveServiceError

        if any(s.kind == "wayback" for s in self.store.snapshots_of(url)):
            return 0
        if self._documents is None:
            self._documents = {d.id: d for d in self.store.documents(all_versions=True)}
        when = citation_date(self.store, url, self._documents)
        client = await self._client_ready()
        try:
            capture: WaybackCapture | None = await client.closest(url, when)
        except ArchiveServiceError:
            return 0
        if capture is None:
            return 0
        self.store.record_wayback(url, capture, now=self.clock())
        return 1

    async def finish(self) -> int:
        found = 0
        try:
            for result in await asyncio.gather(*self.tasks, return_exceptions=True):
                if isinstance(result, int):
                    found += result
        finally:
            if self._opened is not None:
                client = await self._opened
                await client.__aexit__(None, None, None)
        return found


def citation_date(
    store: Store, url: str, documents: Mapping[int, Any] | None = None
) -> datetime | None:
    """When ``url`` was cited: the earliest publication date (else first audit) of the
    documents citing it; None when no document cites it. ``documents`` maps document ids to
    ``StoredDocument`` rows (pass it when asking for many URLs)."""
    from auditor.store import utc

    citing = store.citing(url, all_versions=True)
    if not citing:
        return None
    if documents is None:
        documents = {d.id: d for d in store.documents(all_versions=True)}
    dates: list[datetime] = []
    for cited in citing:
        doc = documents.get(cited.document_id)
        if doc is None:
            continue
        published = None
        if doc.published:
            with contextlib.suppress(ConfigError):
                published = parse_instant(doc.published)
        dates.append(utc(published) if published else doc.first_audited_at)
    return min(dates) if dates else None


# ---------------------------------------------------------------------------
# `links check`: inputs, one checking pass, recording

_SCHEME_RE = r"^[A-Za-z][A-Za-z0-9+.-]*:"
DOCUMENT_SUFFIXES = (".md", ".markdown", ".html", ".htm", ".xhtml")


@dataclass(frozen=True, slots=True)
class LinkInputs:
    """URLs to check, in order and each once, with the inputs that named them."""

    urls: tuple[str, ...]
    found_in: dict[str, tuple[str, ...]]
    audits: tuple[Any, ...] = ()  # the documents read (auditor.records.Audit)


def _looks_like_url(text: str) -> bool:
    import re

    return bool(re.match(_SCHEME_RE, text)) or text.lower().startswith("www.")


def parse_url_list(text: str) -> list[str] | None:
    """The URLs of a list (one a line, ``#`` comments, blank lines), or None when the text
    is not such a list (then it is read as a document)."""
    urls = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if " #" in line:
            line = line.split(" #", 1)[0].strip()
        if len(line.split()) != 1 or not _looks_like_url(line):
            return None
        urls.append(line)
    return urls


def read_link_inputs(
    specs: Sequence[str], settings: Any = None, *, stdin: IO[str] | None = None
) -> LinkInputs:
    """Read ``links check`` inputs: URLs, files of URLs (one a line), ``-`` (a list on
    standard input) or documents (.txt, .md, .html: every link they cite, through the
    ingest and cite stages). Raise :class:`InputError` for a missing or unreadable input."""
    found: dict[str, list[str]] = {}
    audits = []

    def add(url: str, origin: str) -> None:
        found.setdefault(url, [])
        if origin not in found[url]:
            found[url].append(origin)

    for spec in specs:
        if spec == "-":
            text = (stdin or sys.stdin).read()
            for url in parse_url_list(text) or []:
                add(url, "-")
            continue
        path = Path(spec)
        if not path.is_file():
            if _looks_like_url(spec):
                add(spec, "argument")
                continue
            raise InputError(f"{spec}: no such file (and not a URL)")
        urls = None
        if path.suffix.lower() not in DOCUMENT_SUFFIXES:
            try:
                text = path.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(f"{spec}: cannot be read ({type(exc).__name__})") from None
            urls = parse_url_list(text)
        if urls is not None:
            for url in urls:
                add(url, spec)
            continue
        from auditor.pipeline import audit_source

        audit = audit_source(spec, settings, offline=True, judge=False)
        audits.append(audit)
        for link in audit.citations.links:
            add(link.url, spec)
    return LinkInputs(tuple(found), {k: tuple(v) for k, v in found.items()}, tuple(audits))


@dataclass(frozen=True, slots=True)
class LinkCheckRun:
    """A ``links check`` pass: every check in input order, and what the store recorded."""

    checks: tuple[LinkCheck, ...]
    recorded: tuple[Recorded, ...]
    elapsed: float
    requests: int
    run_id: int | None = None

    @property
    def broken(self) -> list[LinkCheck]:
        """The checks whose status counts as a broken link."""
        return [check for check in self.checks if check.broken]


def check_links(
    urls: Sequence[str],
    settings: Any = None,
    *,
    store: Store | None = None,
    archive: bool = True,
    offline: bool = False,
    now: datetime | Clock | None = None,
    transport: Any = None,
    policy: RecheckPolicy | None = None,
    audits: Sequence[Any] = (),
    on_result: Callable[[LinkCheck], object] | None = None,
) -> LinkCheckRun:
    """Check URLs once each with the resolver (``resolve:`` settings), archive live pages
    unless ``archive`` is false, and record the checks in ``store`` under the recheck
    policy (the documents in ``audits`` are recorded first when the store lacks them)."""
    from auditor.resolve import ResolverOptions, check_urls

    clock = make_clock(now)
    policy = policy or RecheckPolicy.from_settings(settings)
    options = ResolverOptions.from_settings(settings or {}, offline=offline)
    if not archive:
        options = replace(options, extract=False)  # neither text nor date needed
    started = time.monotonic()
    run_id = None
    if store is not None:
        for audit in audits:
            if store.find_document(audit.article.source, audit.article.sha256) is None:
                store.record_audit(audit, now=clock())
        store.add_urls(urls, now=clock())  # known from now on, even if the run dies
        run_id = store.begin_run(CHECK_RUN, now=clock())
    sink = _archive_sink_for(store, settings, clock) if archive and not offline else None
    requests = [0]

    def trace(event: str, url: str, at: float) -> None:
        requests[0] += 1

    try:
        results = asyncio.run(
            check_urls(
                list(urls),
                options,
                transport=transport,
                clock=clock,
                archive=sink,
                on_result=on_result,
                trace=trace,
            )
        )
    finally:
        if sink is not None:
            sink.close()
    checks = tuple(results[url] for url in urls)
    recorded: list[Recorded] = []
    if store is not None:
        from auditor.store import url_key

        for start in range(0, len(checks), 500):  # one transaction per 500 checks
            chunk = checks[start : start + 500]
            rows = store.urls_of(check.url for check in chunk)
            pairs = [(check, rows.get(url_key(check.url))) for check in chunk]
            recorded += record_results(store, pairs, policy, now=clock(), run_id=run_id)
        tally = _Tally()
        tally.add(recorded)
        store.finish_run(
            run_id or 0,
            now=clock(),
            summary=tally.summary(run_id, "", time.monotonic() - started).as_dict(),
        )
    return LinkCheckRun(checks, tuple(recorded), time.monotonic() - started, requests[0], run_id)


def _archive_sink_for(store: Store | None, settings: Any, clock: Clock) -> Any:
    from auditor.archive import ArchiveOptions, WarcArchive
    from auditor.store import warc_dir

    options = ArchiveOptions.from_settings(settings or {}, warc_dir=_warc_dir(settings, warc_dir))
    known = store.known_payloads() if store is not None else None
    return WarcArchive(options, known_payloads=known, clock=clock)


# ---------------------------------------------------------------------------
# The link-rot report


@dataclass(frozen=True, slots=True)
class Replacement:
    """An archived copy to use instead of a dead or drifted page."""

    kind: str  # "warc" (our own copy) or "wayback"
    url: str  # the archived URL (WARC target URI, or the Wayback replay URL)
    captured_at: str | None  # ISO time of the copy
    distance_days: float | None  # from the citation date
    warc_file: str | None = None
    offset: int | None = None
    length: int | None = None
    record_id: str | None = None
    payload_digest: str | None = None


@dataclass(frozen=True, slots=True)
class LinkRot:
    """One checked link in the report."""

    url: str
    state: str
    consecutive_failures: int
    last_status: str | None
    http_status: int | None
    last_checked_at: str | None
    first_seen: str
    first_failure_at: str | None
    similarity: float | None
    evidence: str
    final_url: str | None
    title: str | None
    change: str | None  # newly-dead, newly-drifted, came-back, newly-failing
    cited_by: tuple[CitedSentence, ...]
    cited_at: str | None  # citation date used to choose archived copies
    replacement: Replacement | None
    alternatives: tuple[Replacement, ...] = ()
    drift: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class LinkrotReport:
    """What changed since the previous report, and where every checked link stands."""

    generated_at: str
    since: str | None
    store: str
    totals_by_state: dict[str, int]
    totals_by_status: dict[str, int]
    unchecked: int
    links: tuple[LinkRot, ...]
    newly_dead: tuple[str, ...]
    newly_failing: tuple[str, ...]
    came_back: tuple[str, ...]
    newly_drifted: tuple[str, ...]

    @property
    def has_news(self) -> bool:
        """New rot or new drift since the previous report (the exit code 2 case)."""
        return bool(self.newly_dead or self.newly_drifted)


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def previous_report_time(store: Store) -> datetime | None:
    """When the previous link-rot report was made (None: never)."""
    finished = [run for run in store.runs(REPORT_RUN) if run.finished_at is not None]
    return finished[-1].started_at if finished else None


def _transitions(store: Store, url: str, since: datetime | None) -> set[str]:
    from auditor.store import UrlState

    flags: set[str] = set()
    previous = UrlState.UNCHECKED
    for check in store.checks_of(url):
        state = check.state
        if since is None or check.checked_at >= since:
            if state is UrlState.DEAD and previous is not UrlState.DEAD:
                flags.add("newly-dead")
            if state is UrlState.FAILING and previous not in (UrlState.FAILING, UrlState.DEAD):
                flags.add("newly-failing")
            if state is UrlState.DRIFTED and previous is not UrlState.DRIFTED:
                flags.add("newly-drifted")
            if previous in (UrlState.FAILING, UrlState.DEAD) and state in (
                UrlState.RECOVERED,
                UrlState.OK,
                UrlState.DRIFTED,
            ):
                flags.add("came-back")
        previous = state
    return flags


def _closest(
    snapshots: Sequence[StoredSnapshot], target: datetime | None
) -> tuple[Replacement | None, Replacement | None]:
    """The own WARC copy and the Wayback capture closest to ``target``."""
    warc: list[tuple[float, Replacement]] = []
    wayback: list[tuple[float, Replacement]] = []
    for snap in snapshots:
        if snap.kind == "wayback":
            when = None
            if snap.wayback_timestamp:
                with contextlib.suppress(ValueError):
                    when = datetime.strptime(
                        snap.wayback_timestamp.ljust(14, "0")[:14], "%Y%m%d%H%M%S"
                    ).replace(tzinfo=UTC)
            distance = abs((when - target).total_seconds()) / 86400 if when and target else None
            wayback.append(
                (
                    distance if distance is not None else float("inf"),
                    Replacement(
                        "wayback",
                        snap.wayback_url or "",
                        _iso(when),
                        round(distance, 2) if distance is not None else None,
                    ),
                )
            )
        elif snap.record_type in ("response", "revisit") and snap.warc_file:
            when = None
            if snap.warc_date:
                with contextlib.suppress(ConfigError):
                    when = parse_instant(snap.warc_date)
            when = when or snap.created_at
            distance = abs((when - target).total_seconds()) / 86400 if target else None
            warc.append(
                (
                    distance if distance is not None else when.timestamp(),
                    Replacement(
                        "warc",
                        snap.target_uri or snap.url,
                        _iso(when),
                        round(distance, 2) if distance is not None else None,
                        warc_file=snap.warc_file,
                        offset=snap.warc_offset,
                        length=snap.warc_length,
                        record_id=snap.record_id,
                        payload_digest=snap.payload_digest,
                    ),
                )
            )
    best_warc = min(warc, key=lambda item: item[0])[1] if warc else None
    best_wayback = min(wayback, key=lambda item: item[0])[1] if wayback else None
    return best_warc, best_wayback


def warc_text(snapshot: StoredSnapshot) -> str | None:
    """The main text archived with a WARC copy (its ``metadata`` record), or None."""
    if not snapshot.warc_file or snapshot.warc_offset is None or not snapshot.text_record_id:
        return None
    try:
        from warcio.archiveiterator import ArchiveIterator

        with open(snapshot.warc_file, "rb") as stream:
            stream.seek(snapshot.warc_offset)
            for index, record in enumerate(ArchiveIterator(stream)):
                if record.rec_headers.get_header("WARC-Record-ID") == snapshot.text_record_id:
                    data: bytes = record.content_stream().read()
                    return data.decode("utf-8", "replace")
                if index > 8:
                    break
    except Exception:  # a missing or damaged file: the copy is not usable
        return None
    return None


def _drift_from_runs(store: Store) -> dict[str, Mapping[str, Any]]:
    """Drift details kept in recheck run summaries, the newest for each URL."""
    found: dict[str, Mapping[str, Any]] = {}
    for run in reversed(store.runs(RECHECK_RUN)):
        for url, detail in (run.summary.get("drift") or {}).items():
            found.setdefault(url, detail)
    return found


def _drift_from_store(store: Store, row: StoredUrl, latest: Any) -> Mapping[str, Any]:
    """Rebuild a drift detail from the first text and the newest archived text."""
    from auditor.drift import compare
    from auditor.store import _plain

    old = store.first_text(row.url)
    new = None
    for snap in reversed(store.snapshots_of(row.url)):
        if snap.kind == "warc":
            new = warc_text(snap)
            if new is not None:
                break
    similarity = row.last_similarity if row.last_similarity is not None else 0.0
    retained = 0.0
    if old and new:
        measure = compare(old, new, 1.0)
        similarity, retained = measure.similarity, measure.retained
    detail = drift_detail(
        store,
        row.url,
        old_text=old,
        new_text=new,
        old_title=row.first_title,
        new_title=getattr(latest, "title", None),
        similarity=similarity,
        retained=retained,
        checked_at=_iso(row.last_checked_at) or "",
    )
    plain: Mapping[str, Any] = _plain(detail)
    return plain


def build_report(
    store: Store,
    *,
    now: datetime | Clock | None = None,
    since: datetime | None = None,
) -> LinkrotReport:
    """Read the store: totals, what changed since ``since`` (default: the previous report),
    and for every checked link its citations and best archived replacement. Offline: the
    report never touches the network."""
    from auditor.store import UrlState

    moment = make_clock(now)()
    baseline = since if since is not None else previous_report_time(store)
    rows = store.list_urls()
    latest = {check.url: check for check in store.latest_checks()}
    interesting = {UrlState.DEAD, UrlState.FAILING, UrlState.RECOVERED, UrlState.DRIFTED}
    window_urls = {
        check.url
        for check in (store.checks_since(baseline, until=moment) if baseline else latest.values())
        if check.state in interesting
    }
    if baseline is None:  # first report: every check counts
        window_urls |= {row.url for row in rows if row.state in interesting}
    documents = {d.id: d for d in store.documents(all_versions=True)}
    drift_runs: dict[str, Mapping[str, Any]] | None = None
    by_state: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    news: dict[str, list[str]] = {
        "newly-dead": [],
        "newly-failing": [],
        "came-back": [],
        "newly-drifted": [],
    }
    entries = []
    unchecked = 0
    for row in rows:
        by_state[row.state.value] += 1
        if row.last_checked_at is None:
            unchecked += 1
            continue
        by_status[row.last_status or "unknown"] += 1
        flags = _transitions(store, row.url, baseline) if row.url in window_urls else set()
        change = _final_change(flags, row.state)
        if change is not None:
            news[change].append(row.url)
        check = latest.get(row.url)
        cited_at = citation_date(store, row.url, documents)
        target = cited_at or row.first_seen
        own, wayback = _closest(store.snapshots_of(row.url), target)
        replacement = own or wayback
        alternatives = tuple(r for r in (own, wayback) if r is not None and r is not replacement)
        drift = None
        if row.state is UrlState.DRIFTED:
            if drift_runs is None:
                drift_runs = _drift_from_runs(store)
            drift = drift_runs.get(row.url) or _drift_from_store(store, row, check)
        entries.append(
            LinkRot(
                url=row.url,
                state=row.state.value,
                consecutive_failures=row.consecutive_failures,
                last_status=row.last_status,
                http_status=check.http_status if check else None,
                last_checked_at=_iso(row.last_checked_at),
                first_seen=_iso(row.first_seen) or "",
                first_failure_at=_iso(row.first_failure_at),
                similarity=row.last_similarity,
                evidence=check.evidence if check else "",
                final_url=check.final_url if check else None,
                title=check.title if check else None,
                change=change,
                cited_by=tuple(cited_sentences(store, row.url)),
                cited_at=_iso(cited_at),
                replacement=replacement,
                alternatives=alternatives,
                drift=drift,
            )
        )
    return LinkrotReport(
        generated_at=_iso(moment) or "",
        since=_iso(baseline),
        store=str(store.path),
        totals_by_state=dict(sorted(by_state.items())),
        totals_by_status=dict(sorted(by_status.items())),
        unchecked=unchecked,
        links=tuple(entries),
        newly_dead=tuple(news["newly-dead"]),
        newly_failing=tuple(news["newly-failing"]),
        came_back=tuple(news["came-back"]),
        newly_drifted=tuple(news["newly-drifted"]),
    )


def _final_change(flags: set[str], state: UrlState) -> str | None:
    """The change worth reporting, judged by where the link stands now."""
    from auditor.store import UrlState

    if "newly-dead" in flags and state is UrlState.DEAD:
        return "newly-dead"
    if "newly-drifted" in flags and state is UrlState.DRIFTED:
        return "newly-drifted"
    if "came-back" in flags and state in (UrlState.OK, UrlState.RECOVERED, UrlState.DRIFTED):
        return "came-back"
    if "newly-failing" in flags and state is UrlState.FAILING:
        return "newly-failing"
    return None


def mark_reported(store: Store, report: LinkrotReport) -> int:
    """Record that ``report`` was made: the next report shows what changed after it."""
    moment = parse_instant(report.generated_at)
    run_id = store.begin_run(REPORT_RUN, now=moment)
    store.finish_run(
        run_id,
        now=moment,
        summary={
            "totals_by_state": report.totals_by_state,
            "newly_dead": len(report.newly_dead),
            "newly_drifted": len(report.newly_drifted),
            "came_back": len(report.came_back),
        },
    )
    return run_id


def history(store: Store, url: str) -> Iterator[Any]:
    """A link's timeline (``Store.link_history``), oldest first."""
    yield from store.link_history(url)
