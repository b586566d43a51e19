"""The SQLite store: schema and migrations, re-audits and versions, append-only history,
due URLs and leases, two processes at once, a run killed with SIGKILL.

The helpers at the top are also imported by the child processes these tests start.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from auditor import store as store_module
from auditor.archive import Snapshot, WaybackCapture
from auditor.config import load_settings
from auditor.errors import ConfigError
from auditor.records import (
    Article,
    Audit,
    Citations,
    DocumentMeta,
    InputFormat,
    Judgement,
    Link,
    LinkOrigin,
    Paragraph,
    Problem,
    ProblemKind,
    Signal,
    SourceRef,
    Status,
    Unit,
    UnitKind,
)
from auditor.resolve import Hop, LinkCheck, LinkStatus
from auditor.store import (
    EventKind,
    Store,
    StoreError,
    StoreOptions,
    UrlState,
    auditor_home,
    store_path,
    warc_dir,
)

TESTS = Path(__file__).resolve().parent
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


# ---------------------------------------------------------------------------
# Builders (also used by the child processes)


def make_audit(
    source: str,
    sha: str = "a" * 64,
    *,
    units: int = 60,
    urls: list[str] | None = None,
    word: str = "texte",
) -> Audit:
    """A synthetic audit: ``units`` sentences, one link per URL, each on its own unit."""
    urls = urls if urls is not None else [f"https://example.org/{source}/{i}" for i in range(20)]
    text_parts, unit_list, judgements = [], [], []
    offset = 0
    for i in range(units):
        sentence = f"Phrase {i} du {word}, selon Le Monde."
        unit_list.append(
            Unit(
                f"u{i + 1}", i, i // 5, offset, offset + len(sentence), sentence, UnitKind.SENTENCE
            )
        )
        judgements.append(
            Judgement(
                unit_id=f"u{i + 1}",
                kind=UnitKind.CLAIM,
                status=Status.ATTRIBUTED if i % 2 else Status.UNATTRIBUTED,
                checkworthy=i % 3 == 0,
                sensational=i % 7 == 0,
                signals=(Signal("cue", "selon"),),
                sources=(SourceRef("Le Monde", "le-monde", "high", "selon"),),
                reasons=("names Le Monde",),
            )
        )
        text_parts.append(sentence)
        offset += len(sentence) + 1
    links = tuple(
        Link(
            f"l{i + 1}",
            url,
            url,
            LinkOrigin.FOOTNOTE,
            None,
            None,
            f"u{(i % units) + 1}",
            i + 1,
            "example.org",
            None,
        )
        for i, url in enumerate(urls)
    )
    article = Article(
        source=source,
        input_format=InputFormat.TEXT,
        text=" ".join(text_parts),
        sha256=sha,
        meta=DocumentMeta(title=f"Titre {source}", language="fr", site="example.org"),
    )
    citations = Citations(
        notes_span=None,
        footnotes=(),
        markers=(),
        links=links,
        unlinked=(),
        problems=(Problem(ProblemKind.DANGLING_FOOTNOTE, "marker [99] has no note", number=99),),
    )
    return Audit(
        article=article,
        paragraphs=(Paragraph(0, 0, offset),),
        units=tuple(unit_list),
        citations=citations,
        judgements=tuple(judgements),
        summary={"units": units, "grade": {"letter": "B"}},
        tool_version="0.1.0",
    )


def make_check(
    url: str,
    status: LinkStatus = LinkStatus.OK,
    at: datetime = T0,
    *,
    text: str | None = None,
    snapshot: Snapshot | None = None,
    title: str | None = "Une page",
) -> LinkCheck:
    """A resolver result as the resolver would hand it over."""
    code = {
        LinkStatus.OK: 200,
        LinkStatus.NOT_FOUND: 404,
        LinkStatus.GONE: 410,
        LinkStatus.RATE_LIMITED: 429,
    }.get(status)
    return LinkCheck(
        url=url,
        status=status,
        evidence=f"HTTP {code}" if code else "no answer",
        final_url=url,
        hops=(Hop(url, code or 0, None, 12.5, "127.0.0.1"),) if code else (),
        http_status=code,
        content_type="text/html",
        title=title,
        text_fingerprint="simhash:0123456789abcdef" if text else None,
        checked_at=at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        timings=12.5,
        attempts=1,
        snapshot=snapshot,
        main_text=text,
    )


def make_snapshot(url: str, n: int = 1) -> Snapshot:
    return Snapshot(
        url=url,
        target_uri=url,
        warc_file=f"/tmp/warc/auditor-{n:05d}.warc.gz",
        offset=1000 * n,
        length=500,
        payload_digest=f"sha1:DIGEST{n}",
        record_id=f"<urn:uuid:0000-{n}>",
        warc_date="2026-03-01T12:00:00Z",
        record_type="response",
        text_record_id=f"<urn:uuid:text-{n}>",
    )


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "auditor.sqlite3")
    yield store
    store.close()


def _run_child(code: str, *args: str) -> subprocess.Popen[str]:
    preamble = f"import sys; sys.path.insert(0, {str(TESTS)!r})\n"
    return subprocess.Popen(
        [sys.executable, "-c", preamble + textwrap.dedent(code), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=TESTS.parent,
    )


# ---------------------------------------------------------------------------
# Location


def test_store_path_follows_home_then_store_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("AUDITOR_HOME", str(home))
    settings = load_settings(env=dict(os.environ))
    assert store_path(settings) == home / "auditor.sqlite3"
    assert warc_dir(settings) == home / "warc"
    assert store_path({"store": {"path": str(tmp_path / "x.db")}}) == tmp_path / "x.db"
    with pytest.raises(ConfigError, match=r"store\.path"):
        store_path({"store": {"path": 3}})


def test_store_home_default_is_local_dir_then_platformdirs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import platformdirs

    monkeypatch.delenv("AUDITOR_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda *a, **k: str(tmp_path / "data"))
    assert auditor_home({}) == tmp_path / "data"
    (tmp_path / ".auditor").mkdir()
    assert auditor_home({}) == (tmp_path / ".auditor").resolve()
    assert store_path({"home": str(tmp_path / "h")}) == tmp_path / "h" / "auditor.sqlite3"


def test_store_options_validate_keys() -> None:
    assert StoreOptions.from_settings({"store": {"busy_timeout": 5}}).busy_timeout == 5.0
    with pytest.raises(ConfigError, match=r"store\.colour"):
        StoreOptions.from_settings({"store": {"colour": "red"}})
    with pytest.raises(ConfigError, match=r"store\.busy_timeout"):
        StoreOptions.from_settings({"store": {"busy_timeout": "soon"}})


def test_open_uses_settings(tmp_path: Path) -> None:
    with Store.open({"home": str(tmp_path / "h")}) as store:
        assert store.path == tmp_path / "h" / "auditor.sqlite3"
    assert (tmp_path / "h" / "auditor.sqlite3").is_file()


# ---------------------------------------------------------------------------
# Schema and migrations


def test_migrates_from_empty_with_wal_and_foreign_keys(db: Store) -> None:
    assert db.schema_version == len(store_module.MIGRATIONS)
    conn = sqlite3.connect(db.path)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"documents", "units", "citations", "urls", "checks", "snapshots", "runs"} <= tables
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    assert db._conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db._conn.execute("PRAGMA busy_timeout").fetchone()[0] == 30000
    assert db.integrity_problems() == []


def test_reopening_keeps_data_and_version(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    with Store(path) as first:
        first.record_audit(make_audit("doc"), now=T0)
    with Store(path) as second:
        assert second.schema_version == len(store_module.MIGRATIONS)
        assert [d.source for d in second.documents()] == ["doc"]


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        Store(path)


def test_foreign_sqlite_file_and_garbage_are_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("PRAGMA application_id = 42")
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(StoreError, match="another application"):
        Store(other)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match="not a usable"):
        Store(garbage)


def test_migrations_apply_in_order_and_a_failing_one_rolls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.sqlite3"
    Store(path).close()
    base = store_module.MIGRATIONS
    good = ("CREATE TABLE extra (x INTEGER)", "INSERT INTO extra VALUES (7)")
    bad = ("CREATE TABLE half (x INTEGER)", "INSERT INTO nowhere VALUES (1)")
    monkeypatch.setattr(store_module, "MIGRATIONS", (*base, good, bad))
    with pytest.raises(StoreError):
        Store(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(base)
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "extra" not in names and "half" not in names  # all or nothing
    conn.close()
    monkeypatch.setattr(store_module, "MIGRATIONS", (*base, good))
    with Store(path) as store:
        assert store.schema_version == len(base) + 1
        assert store._conn.execute("SELECT x FROM extra").fetchone()[0] == 7


# ---------------------------------------------------------------------------
# Audits: idempotent re-audit, versions


def test_record_audit_stores_units_citations_and_urls(db: Store) -> None:
    audit = make_audit("articles/a.txt")
    doc_id = db.record_audit(audit, now=T0)
    [doc] = db.documents()
    assert (doc.id, doc.unit_count, doc.link_count, doc.version) == (doc_id, 60, 20, 1)
    assert doc.title == "Titre articles/a.txt" and doc.summary["grade"] == {"letter": "B"}
    assert doc.first_audited_at == T0
    row = db._conn.execute(
        "SELECT kind, status, checkworthy, sensational, signals, sources FROM units"
        " WHERE unit_id = 'u1'"
    ).fetchone()
    assert tuple(row[:4]) == ("claim", "unattributed", 1, 1)
    assert json.loads(row[4]) == [{"kind": "cue", "text": "selon"}]
    assert json.loads(row[5])[0]["id"] == "le-monde"
    [cite] = db.citing("https://EXAMPLE.org/articles/a.txt/3#section")
    assert (cite.unit_id, cite.footnote, cite.link_id, cite.current) == ("u4", 4, "l4", True)
    assert cite.unit_text == "Phrase 3 du texte, selon Le Monde."
    assert len(db.urls_due(T0)) == 20


def test_reaudit_of_unchanged_document_updates_not_duplicates(db: Store) -> None:
    first = db.record_audit(
        make_audit("a.txt", urls=["https://x.test/1", "https://x.test/2"]), now=T0
    )
    later = T0 + timedelta(days=2)
    again = db.record_audit(make_audit("a.txt", units=40, urls=["https://x.test/2"]), now=later)
    assert again == first
    [doc] = db.documents(all_versions=True)
    assert (doc.unit_count, doc.link_count, doc.audit_count) == (40, 1, 2)
    assert doc.first_audited_at == T0 and doc.last_audited_at == later
    assert db.counts()["units"] == 40 and db.counts()["citations"] == 1
    assert db.citing("https://x.test/1") == []  # replaced, not accumulated
    assert db.integrity_problems() == []


def test_changed_document_is_a_new_version_and_keeps_the_old(db: Store) -> None:
    v1 = db.record_audit(make_audit("a.txt", "1" * 64, urls=["https://x.test/old"]), now=T0)
    v2 = db.record_audit(
        make_audit("a.txt", "2" * 64, urls=["https://x.test/new"], word="nouveau"),
        now=T0 + timedelta(days=1),
    )
    assert v1 != v2
    versions = db.document_versions("a.txt")
    assert [(d.version, d.current) for d in versions] == [(1, False), (2, True)]
    assert versions[0].superseded_by == v2 and versions[0].superseded_at == T0 + timedelta(days=1)
    assert [d.id for d in db.documents()] == [v2]
    assert db.citing("https://x.test/old") == []
    [old] = db.citing("https://x.test/old", all_versions=True)
    assert (old.version, old.current) == (1, False)
    # the URLs cited by the current version only
    assert [u.url for u in db.urls_due(T0, document="a.txt")] == ["https://x.test/new"]
    # reverting to the first text makes version 1 current again; nothing is lost
    again = db.record_audit(
        make_audit("a.txt", "1" * 64, urls=["https://x.test/old"]), now=T0 + timedelta(days=2)
    )
    assert again == v1
    assert [(d.version, d.current) for d in db.document_versions("a.txt")] == [
        (1, True),
        (2, False),
    ]
    assert db.find_document("a.txt").id == v1
    assert db.integrity_problems() == []


def test_link_naming_an_unknown_unit_is_refused_and_nothing_written(db: Store) -> None:
    audit = make_audit("a.txt", units=2, urls=["https://x.test/1"])
    from dataclasses import replace

    bad_link = replace(audit.citations.links[0], unit_id="u99")
    bad = replace(audit, citations=replace(audit.citations, links=(bad_link,)))
    with pytest.raises(StoreError, match="u99"):
        db.record_audit(bad, now=T0)
    assert db.counts()["documents"] == 0


def test_record_audit_is_fast(db: Store) -> None:
    audits = [make_audit(f"doc{i}") for i in range(21)]
    db.record_audit(audits[0], now=T0)  # warm-up: imports, statement cache
    timings = []
    for audit in audits[1:]:
        start = time.perf_counter()
        db.record_audit(audit, now=T0)
        timings.append(time.perf_counter() - start)
    timings.sort()
    median = timings[len(timings) // 2]
    print(f"record_audit (60 units, 20 links): median {median * 1000:.2f} ms")
    assert median < 0.05


# ---------------------------------------------------------------------------
# Checks: append-only history, URL state


def test_checks_append_and_update_url_state(db: Store) -> None:
    url = "https://x.test/page"
    db.record_audit(make_audit("a.txt", urls=[url]), now=T0)
    first = db.record_check(make_check(url, at=T0, text="Le texte d'origine."), now=T0)
    second = db.record_check(
        make_check(url, LinkStatus.NOT_FOUND, T0 + timedelta(days=7)), now=T0 + timedelta(days=7)
    )
    third = db.record_check(
        make_check(url, LinkStatus.NOT_FOUND, T0 + timedelta(days=10)), now=T0 + timedelta(days=10)
    )
    assert first is not None and first < second < third
    row = db.url(url)
    assert row is not None
    assert (row.state, row.last_status, row.consecutive_failures) == (
        UrlState.FAILING,
        "not-found",
        2,
    )
    assert row.first_failure_at == T0 + timedelta(days=7) and row.last_ok_at == T0
    assert db.first_text(url) == "Le texte d'origine."
    db.record_check(
        make_check(url, at=T0 + timedelta(days=11), text="Autre texte."),
        now=T0 + timedelta(days=11),
    )
    row = db.url(url)
    assert (row.state, row.consecutive_failures, row.first_failure_at) == (
        UrlState.RECOVERED,
        0,
        None,
    )
    assert db.first_text(url) == "Le texte d'origine."  # the first text is never replaced
    checks = db.checks_of(url)
    assert [c.status for c in checks] == ["ok", "not-found", "not-found", "ok"]
    assert checks[0].hops[0]["status_code"] == 200
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db._conn.execute("UPDATE checks SET status = 'ok'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        db._conn.execute("DELETE FROM checks")
    assert len(db.checks_of(url)) == 4


def test_policy_state_similarity_and_schedule_come_from_the_caller(db: Store) -> None:
    url = "https://x.test/p"
    db.record_check(
        make_check(url, LinkStatus.GONE),
        now=T0,
        state=UrlState.DEAD,
        next_check_at=T0 + timedelta(days=30),
    )
    assert db.url(url).state is UrlState.DEAD
    assert db.urls_due(T0 + timedelta(days=8)) == []  # explicit schedule wins over interval
    assert [u.url for u in db.urls_due(T0 + timedelta(days=30))] == [url]
    db.record_check(
        make_check(url, at=T0 + timedelta(days=31), text="x"),
        now=T0 + timedelta(days=31),
        state="drifted",
        similarity=0.41,
    )
    row = db.url(url)
    assert (row.state, row.last_similarity) == (UrlState.DRIFTED, 0.41)
    assert db.checks_of(url)[-1].similarity == 0.41


def test_offline_cached_and_rate_limited_results(db: Store) -> None:
    url = "https://x.test/p"
    from dataclasses import replace

    assert db.record_check(replace(make_check(url), status=LinkStatus.NOT_CHECKED), now=T0) is None
    assert db.record_check(replace(make_check(url), cached=True), now=T0) is None
    assert db.checks_of(url) == [] and db.url(url).state is UrlState.UNCHECKED
    db.record_check(make_check(url), now=T0)
    db.record_check(
        make_check(url, LinkStatus.RATE_LIMITED, T0 + timedelta(days=8)), now=T0 + timedelta(days=8)
    )
    row = db.url(url)
    assert (row.state, row.consecutive_failures, row.last_status) == (
        UrlState.OK,
        0,
        "rate-limited",
    )


def test_late_older_check_does_not_override_newer_state(db: Store) -> None:
    url = "https://x.test/p"
    db.record_check(make_check(url, at=T0 + timedelta(days=2)), now=T0 + timedelta(days=2))
    db.record_check(make_check(url, LinkStatus.NOT_FOUND, T0), now=T0 + timedelta(days=3))
    row = db.url(url)
    assert (row.state, row.last_status) == (UrlState.OK, "ok")
    assert len(db.checks_of(url)) == 2


def test_snapshots_wayback_and_history(db: Store) -> None:
    url = "https://x.test/p"
    db.record_audit(make_audit("a.txt", urls=[url]), now=T0 - timedelta(days=1))
    check_id = db.record_check(make_check(url, text="texte", snapshot=make_snapshot(url)), now=T0)
    again = db.record_snapshot(make_snapshot(url), check_id=check_id, now=T0)  # same record
    capture = WaybackCapture(
        f"https://web.archive.org/web/20250101000000/{url}", "20250101000000", 200, url, "cdx"
    )
    wb = db.record_wayback(url, capture, now=T0 + timedelta(hours=1))
    assert db.record_wayback(url, capture, now=T0 + timedelta(hours=2)) == wb
    db.record_check(
        make_check(url, LinkStatus.GONE, T0 + timedelta(days=7)), now=T0 + timedelta(days=7)
    )
    snaps = db.snapshots_of(url)
    assert [s.kind for s in snaps] == ["warc", "wayback"] and snaps[0].id == again
    assert (snaps[0].warc_offset, snaps[0].check_id) == (1000, check_id)
    assert snaps[1].wayback_timestamp == "20250101000000"
    assert db.known_payloads() == {
        "sha1:DIGEST1": (url, "2026-03-01T12:00:00Z", "<urn:uuid:0000-1>")
    }
    history = db.link_history(url)
    kinds = [e.kind for e in history]
    assert kinds[0] is EventKind.FIRST_SEEN
    assert kinds.count(EventKind.CHECK) == 2
    assert EventKind.SNAPSHOT in kinds and EventKind.WAYBACK in kinds
    change = next(e for e in history if e.kind is EventKind.STATUS_CHANGE)
    assert change.detail == "ok → gone" and change.at == T0 + timedelta(days=7)
    states = [e.detail for e in history if e.kind is EventKind.STATE_CHANGE]
    assert states == ["unchecked → ok", "ok → failing"]
    assert [e.at for e in history] == sorted(e.at for e in history)
    assert db.link_history("https://nowhere.test/") == []


def test_warc_paths_inside_home_are_stored_relative(db: Store) -> None:
    from dataclasses import replace

    inside = db.path.parent / "warc" / "auditor-00001.warc.gz"
    db.record_snapshot(replace(make_snapshot("https://x.test/p"), warc_file=str(inside)), now=T0)
    stored = db._conn.execute("SELECT warc_file FROM snapshots").fetchone()[0]
    assert stored == str(Path("warc") / "auditor-00001.warc.gz")
    assert db.snapshots_of("https://x.test/p")[0].warc_file == str(inside.resolve())


def test_batch_of_checks_is_one_transaction(db: Store) -> None:
    checks = [make_check(f"https://x.test/{i}") for i in range(50)]
    ids = db.record_checks(checks, now=T0, states=[None] * 49 + ["dead"])
    assert len(set(ids)) == 50 and db.url("https://x.test/49").state is UrlState.DEAD
    bad = [make_check("https://x.test/new"), make_check("https://x.test/0")]
    with pytest.raises(ValueError):
        db.record_checks(bad, now=T0, states=[None, "no-such-state"])
    assert db.url("https://x.test/new") is None  # rolled back as a whole
    assert db.counts()["checks"] == 50


def test_closed_store_says_so(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    store.close()
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.documents()


def test_latest_checks_and_runs(db: Store) -> None:
    run = db.begin_run("recheck", now=T0, worker_id="w1")
    for i in range(3):
        db.record_check(make_check(f"https://x.test/{i}"), now=T0, run_id=run)
    db.record_check(
        make_check("https://x.test/0", LinkStatus.GONE, T0 + timedelta(days=1)),
        now=T0 + timedelta(days=1),
    )
    latest = db.latest_checks()
    assert [(c.url, c.status) for c in latest] == [
        ("https://x.test/0", "gone"),
        ("https://x.test/1", "ok"),
        ("https://x.test/2", "ok"),
    ]
    assert len(db.latest_checks(since=T0 + timedelta(hours=1))) == 1
    assert len(db.checks_since(T0, until=T0 + timedelta(hours=1))) == 3
    db.finish_run(run, now=T0 + timedelta(minutes=5), summary={"checked": 3})
    [stored] = db.runs("recheck")
    assert stored.summary == {"checked": 3} and stored.finished_at == T0 + timedelta(minutes=5)


# ---------------------------------------------------------------------------
# Due URLs and leases


def test_urls_due_follows_interval_retry_spacing_and_filters(db: Store) -> None:
    db.record_audit(
        make_audit(
            "a.txt",
            urls=[
                "https://a.test/ok",
                "https://a.test/bad",
                "https://news.b.test/x",
                "ftp://a.test/f",
            ],
        ),
        now=T0,
    )
    db.add_urls(["https://c.test/loose"], now=T0)
    assert len(db.urls_due(T0)) == 5  # never checked: all due
    db.record_check(make_check("https://a.test/ok"), now=T0)
    db.record_check(make_check("https://a.test/bad", LinkStatus.NOT_FOUND), now=T0)
    db.record_check(make_check("ftp://a.test/f", LinkStatus.UNSUPPORTED_SCHEME), now=T0)
    due = lambda days, **kw: sorted(u.url for u in db.urls_due(T0 + timedelta(days=days), **kw))  # noqa: E731
    assert due(1) == ["https://c.test/loose", "https://news.b.test/x"]
    assert "https://a.test/bad" in due(3) and "https://a.test/ok" not in due(3)
    assert "https://a.test/ok" in due(7)
    assert "ftp://a.test/f" not in due(400)  # a permanent status is never due again
    assert due(0, domain="b.test") == ["https://news.b.test/x"]
    assert due(0, domain="a.test", checked_before=T0 + timedelta(seconds=1)) == [
        "ftp://a.test/f",
        "https://a.test/bad",
        "https://a.test/ok",
    ]
    assert len(db.urls_due(T0, limit=2)) == 2
    assert db.urls_due(T0, document="missing.txt") == []


def test_claims_are_exclusive_until_the_lease_expires(db: Store) -> None:
    db.add_urls([f"https://x.test/{i}" for i in range(10)], now=T0)
    a = db.claim_due_urls(4, T0, 60, "worker-a")
    b = db.claim_due_urls(10, T0 + timedelta(seconds=10), 60, "worker-b")
    assert len(a) == 4 and len(b) == 6
    assert not {u.url for u in a} & {u.url for u in b}
    assert all(u.lease_owner == "worker-a" for u in a)
    assert db.claim_due_urls(10, T0 + timedelta(seconds=30), 60, "worker-c") == []
    # worker-a checks one URL then dies; its three other URLs come back after the lease
    db.record_check(make_check(a[0].url, at=T0), now=T0)
    back = db.claim_due_urls(10, T0 + timedelta(seconds=61), 60, "worker-c")
    assert {u.url for u in back} == {u.url for u in a[1:]}
    assert db.release("worker-c") == 3
    assert db.release("worker-b", [b[0].url]) == 1
    assert len(db.urls_due(T0 + timedelta(seconds=61))) == 4  # a[1:] and b[0]
    assert len(db.urls_due(T0 + timedelta(seconds=61), include_leased=True)) == 9


# ---------------------------------------------------------------------------
# Processes: concurrency and SIGKILL

_WORKER = """
    import json, sys, time
    from datetime import UTC, datetime
    from pathlib import Path
    from auditor.store import Store
    from test_store import make_audit, make_check

    path, name, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    while not go.exists():
        time.sleep(0.005)
    store = Store(path)
    shared = [f"https://shared.test/{i}" for i in range(10)]
    for i in range(15):
        own = [f"https://{name}.test/{i}/{j}" for j in range(10)]
        store.record_audit(make_audit(f"{name}-{i}", urls=own + shared, units=30))
    claimed = []
    while True:
        batch = store.claim_due_urls(3, None, 300, name)
        if not batch:
            break
        for row in batch:
            claimed.append(row.url)
            store.record_check(make_check(row.url, at=datetime.now(UTC)))
    print(json.dumps(claimed))
"""


def test_two_processes_write_and_claim_concurrently(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    go = tmp_path / "go"  # no store yet: both processes race to create and migrate it
    workers = [_run_child(_WORKER, str(path), name, str(go)) for name in ("alpha", "beta")]
    time.sleep(0.3)  # both interpreters up before the start signal
    go.touch()
    results = []
    for proc in workers:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        results.append(json.loads(out))
    alpha, beta = (set(r) for r in results)
    assert len(alpha) == len(results[0]) and len(beta) == len(results[1])
    assert not alpha & beta  # no URL checked by both
    with Store(path) as store:
        assert store.integrity_problems() == []
        counts = store.counts()
        assert counts["documents"] == 30 and counts["units"] == 30 * 30
        assert counts["citations"] == 30 * 20 and counts["urls"] == 2 * 150 + 10
        assert counts["checks"] == counts["urls"] == len(alpha | beta)
        assert all(u.state is UrlState.OK and u.lease_owner is None for u in store.list_urls())


_KILLED = """
    import sys
    from datetime import datetime, timedelta, timezone
    from auditor.store import Store
    from test_store import make_audit, make_check

    store = Store(sys.argv[1])
    t0 = datetime(2026, 3, 1, tzinfo=timezone.utc)
    for i in range(100000):
        store.record_audit(make_audit(f"doc-{i}", urls=[f"https://k.test/{i}/{j}"
                                                       for j in range(20)]), now=t0)
        for row in store.claim_due_urls(7, t0, 600, "victim"):
            store.record_check(make_check(row.url), now=t0)
        print(i, flush=True)
"""


def test_killed_run_leaves_a_consistent_store_that_resumes(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    Store(path).close()
    proc = _run_child(_KILLED, str(path))
    assert proc.stdout is not None
    done = 0
    while done < 25:
        line = proc.stdout.readline()
        assert line, proc.stderr.read() if proc.stderr else "child ended"
        done = int(line) + 1
    time.sleep(0.05)  # land somewhere inside the next writes
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stdout.close()
    assert proc.stderr is not None
    proc.stderr.close()
    with Store(path) as store:
        assert store.integrity_problems() == []
        docs = store.documents()
        assert len(docs) >= 25
        assert all(d.unit_count == 60 and d.link_count == 20 for d in docs)  # no half audit
        urls = store.list_urls()
        assert len(urls) == 20 * len(docs)
        checked = {c.url for c in store.latest_checks()}
        assert checked and len(checked) < len(urls)
        assert all((u.last_check_id is not None) == (u.url in checked) for u in urls)
        t0 = datetime(2026, 3, 1, tzinfo=UTC)
        later = t0 + timedelta(seconds=601)
        pending = {u.url for u in urls} - checked
        assert {u.url for u in store.urls_due(later, timedelta(days=7))} == pending
        resumed = store.claim_due_urls(10_000, later, 600, "next-run")
        assert {u.url for u in resumed} == pending  # the victim's leases have expired


# ---------------------------------------------------------------------------
# URL keys

_PATH_CHARS = "abcXYZ019-._~!$&'()*+,;=:@/%?#é "


@given(
    host=st.sampled_from(["example.org", "a-b.example.co.uk", "127.0.0.1", "localhost", "EX.org"]),
    port=st.sampled_from(["", ":80", ":443", ":8080", ":53397", ":0", ":65535", ":65536", ":080"]),
    path=st.text(alphabet=_PATH_CHARS, max_size=30),
    scheme=st.sampled_from(["http", "https", "HTTPS"]),
)
@hypothesis_settings(max_examples=400, deadline=None)
def test_url_key_fast_path_agrees_with_the_resolver(
    host: str, port: str, path: str, scheme: str
) -> None:
    from auditor.resolve import InvalidURL, normalise_url
    from auditor.store import url_key

    url = f"{scheme}://{host}{port}/{path}"
    try:
        expected = normalise_url(url)
    except InvalidURL:
        expected = url.strip()
    assert url_key(url) == expected
    assert url_key(expected) == expected  # a key is its own key


# ---------------------------------------------------------------------------
# Batches: what one statement per table must keep from one transaction per check


def _mixed_checks(seed: int, count: int = 120) -> tuple[list[LinkCheck], list[Any]]:
    """Checks of a few URLs (so each URL comes back), late ones, failures, texts, cached and
    offline results, a few snapshots; and explicit states for some."""
    import random

    rnd = random.Random(seed)
    statuses = [
        LinkStatus.OK,
        LinkStatus.OK,
        LinkStatus.NOT_FOUND,
        LinkStatus.GONE,
        LinkStatus.RATE_LIMITED,
        LinkStatus.NOT_CHECKED,
    ]
    checks, states = [], []
    for n in range(count):
        url = f"https://h{rnd.randint(0, 2)}.test/{rnd.randint(0, 9)}" + rnd.choice(["", "#x"])
        check = make_check(
            url,
            rnd.choice(statuses),
            T0 + timedelta(hours=rnd.randint(-48, 48)),  # some arrive after newer ones
            text=rnd.choice([None, f"texte {n} " * 5]),
            snapshot=make_snapshot(url, n) if rnd.random() < 0.1 else None,
            title=rnd.choice([None, f"Titre {n}"]),
        )
        if rnd.random() < 0.05:
            check = replace(check, cached=True)
        checks.append(check)
        states.append(rnd.choice([None, None, None, "dead", "drifted"]))
    return checks, states


def _table(store: Store, name: str) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in store._conn.execute(f"SELECT * FROM {name} ORDER BY id")]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_batch_leaves_the_store_as_checks_recorded_one_by_one(tmp_path: Path, seed: int) -> None:
    checks, states = _mixed_checks(seed)
    similarities = [0.5 if i % 7 == 0 else None for i in range(len(checks))]
    next_checks = [T0 + timedelta(days=9) if i % 5 == 0 else None for i in range(len(checks))]
    with Store(tmp_path / "batch.sqlite3") as batch, Store(tmp_path / "one.sqlite3") as one:
        batch.add_urls(["https://h0.test/0", "https://h9.test/known"], now=T0)
        one.add_urls(["https://h0.test/0", "https://h9.test/known"], now=T0)
        ids = batch.record_checks(
            checks,
            now=T0,
            states=states,
            similarities=similarities,
            next_checks=next_checks,
            run_id=None,
            worker_id="w1",
        )
        single = [
            one.record_check(
                check,
                now=T0,
                state=state,
                similarity=similarity,
                next_check_at=next_check,
                worker_id="w1",
            )
            for check, state, similarity, next_check in zip(
                checks, states, similarities, next_checks, strict=True
            )
        ]
        assert ids == single and None in ids
        for name in ("urls", "checks", "snapshots"):
            assert _table(batch, name) == _table(one, name), name
        assert batch.integrity_problems() == []


def test_urls_of_and_check_statuses_answer_as_the_one_url_readers(db: Store) -> None:
    checks, _ = _mixed_checks(4, 60)
    db.record_checks(checks, now=T0)
    asked = [c.url for c in checks] + ["https://never.test/seen", "https://H0.test/1#frag"]
    rows = db.urls_of(asked)
    expected = {row.url: row for row in map(db.url, asked) if row is not None}
    assert rows == expected and "https://never.test/seen" not in rows
    statuses = db.check_statuses(asked)
    for url in expected:
        history = [(c.status, c.checked_at) for c in reversed(db.checks_of(url))]
        assert statuses.get(url, []) == history
    assert db.check_statuses([]) == {}


def test_add_urls_counts_new_urls_once_per_key(db: Store) -> None:
    assert (
        db.add_urls(["https://a.test/1", "https://A.test/1#top", "https://a.test/2"], now=T0) == 2
    )
    assert db.add_urls(["https://a.test/2", "https://a.test/3", ""], now=T0) == 1
    assert [row.url for row in db.list_urls()] == [f"https://a.test/{i}" for i in (1, 2, 3)]
