"""The link-rot policy and recheck runs, driven by an injected clock against a loopback site
whose pages the tests change between runs: a link that fails once is never declared dead, one
that fails three times over a week is, a rewritten page is drifted, concurrent rechecks share
the work, a killed recheck resumes, and the report says what changed."""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from http_fixture import FixtureServer, http_fixture  # noqa: F401 (fixture)

from auditor.recheck import (
    RecheckPolicy,
    Selection,
    build_report,
    decide,
    due_urls,
    make_clock,
    mark_reported,
    recheck,
    release_stale_leases,
    spaced_count,
)
from auditor.store import Store, UrlState

T0 = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
DAY = timedelta(days=1)
ROOT = Path(__file__).resolve().parent.parent
SETTINGS: dict[str, Any] = {
    "resolve": {
        "host_interval": 0.0,
        "host_concurrency": 8,
        "max_concurrency": 32,
        "retries": 0,
        "trust_env": False,
    }
}
QUIET = RecheckPolicy()
OFF = {"archive": False, "wayback": False}  # no WARC copies, no Wayback look-ups


# ---------------------------------------------------------------------------
# A loopback site whose answers the tests change


def page(title: str, body: str) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n") if p.strip())
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><nav>Accueil Politique Monde Sport</nav><article><h1>{title}</h1>"
        f"{paragraphs}</article><footer>Mentions légales</footer></body></html>"
    )


REFORM = page(
    "Réforme du logement : 12 000 logements par an",
    "Le gouvernement a présenté mardi un projet de loi sur le logement social, préparé avec "
    "la Banque de France et les bailleurs sociaux.\n"
    "Le texte prévoit la construction de 12 000 logements par an dans les communes qui "
    "manquent de logements sociaux, ainsi qu'un fonds de garantie pour les bailleurs.\n"
    "Les associations de locataires saluent une avancée mais regrettent l'absence de mesures "
    "sur les loyers, qui ont augmenté de 4,5 % en un an selon les observatoires locaux.\n"
    "Le débat au Parlement commencera le mois prochain, et plusieurs amendements sont déjà "
    "annoncés par les groupes de l'opposition comme par ceux de la majorité.",
)
REWRITTEN = page(
    "Logement : le projet de loi retiré",
    "Le projet de loi sur le logement a finalement été retiré jeudi après l'opposition des "
    "maires, qui jugeaient son financement insuffisant et ses objectifs irréalistes.\n"
    "Aucune date n'est fixée pour un nouveau texte ; le ministère promet une concertation "
    "avec les élus locaux et les associations avant la fin de l'année.\n"
    "Les bailleurs sociaux regrettent ce recul, alors que les demandes de logement social "
    "continuent d'augmenter dans la plupart des grandes villes du pays.",
)
CORRECTED = REFORM.replace("mardi", "mercredi")


class Site:
    """Threaded HTTP servers on 127.0.0.1: each path answers what ``pages`` says now."""

    def __init__(self, delay: float = 0.0) -> None:
        self.pages: dict[str, tuple[int, str]] = {}
        self.hits: Counter[str] = Counter()
        self.delay = delay
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def handle(self) -> None:
                with contextlib.suppress(ConnectionResetError, BrokenPipeError):
                    super().handle()

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                with site.lock:
                    site.hits[path] += 1
                    code, body = site.pages.get(path, (404, page("Not Found", "nothing")))
                if site.delay:
                    time.sleep(site.delay)
                data = body.encode()
                self.send_response(code)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def set(self, path: str, code: int, body: str = "") -> str:
        with self.lock:
            self.pages[path] = (code, body or page(f"Page {path}", f"Contenu de {path}."))
        return self.url(path)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site() -> Iterator[Site]:
    server = Site()
    yield server
    server.stop()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "auditor.sqlite3") as db:
        yield db


def states(db: Store, url: str) -> list[str]:
    return [check.state.value for check in db.checks_of(url)]


def cite(db: Store, url: str, sentence: str, source: str = "article.md") -> None:
    """Record a document whose sentence cites ``url`` (ingest and cite stages, no judge)."""
    from auditor.pipeline import audit_text
    from auditor.records import InputFormat

    text = f"# Un article\n\n{sentence} [source]({url})\n"
    audit = audit_text(text, source=source, input_format=InputFormat.MARKDOWN, judge=False)
    db.record_audit(audit, now=T0 - DAY)


# ---------------------------------------------------------------------------
# The policy (pure)


def test_spaced_failures_count_only_when_far_enough_apart() -> None:
    spacing, slack = timedelta(days=3), timedelta(hours=1)
    assert spaced_count([T0, T0 + timedelta(hours=2), T0 + timedelta(hours=5)], spacing, slack) == 1
    assert spaced_count([T0, T0 + 3 * DAY, T0 + 6 * DAY], spacing, slack) == 3
    # a daily cron that starts a few minutes early still counts
    assert spaced_count([T0, T0 + 3 * DAY - timedelta(minutes=5)], spacing, slack) == 2
    assert spaced_count([T0, T0 + 2 * DAY, T0 + 4 * DAY], spacing, slack) == 2


def test_decide_follows_the_policy() -> None:
    policy = RecheckPolicy()
    first = decide("ok", "failure", T0, policy)
    assert first.state is UrlState.FAILING and first.next_check_at == T0 + 3 * DAY - timedelta(
        hours=1
    )
    third = decide("failing", "failure", T0 + 6 * DAY, policy, earlier_failures=[T0, T0 + 3 * DAY])
    assert third.state is UrlState.DEAD and third.spaced_failures == 3
    rapid = decide("failing", "failure", T0 + DAY, policy, earlier_failures=[T0, T0 + DAY / 2])
    assert rapid.state is UrlState.FAILING
    assert decide("dead", "failure", T0, policy).state is UrlState.DEAD
    assert decide("dead", "alive", T0, policy).state is UrlState.RECOVERED
    assert decide("failing", "alive", T0, policy, drifted=True).state is UrlState.DRIFTED
    assert decide("drifted", "alive", T0, policy).state is UrlState.DRIFTED  # unknown: stays
    assert decide("drifted", "alive", T0, policy, drifted=False).state is UrlState.OK
    assert decide("failing", "inconclusive", T0, policy).state is UrlState.FAILING
    assert decide("ok", "alive", T0, policy).next_check_at == T0 + 7 * DAY - timedelta(hours=1)
    one_strike = RecheckPolicy(failures_to_dead=1)
    assert decide("ok", "failure", T0, one_strike).state is UrlState.DEAD


def test_policy_from_settings_checks_keys_and_types() -> None:
    from auditor.errors import ConfigError

    policy = RecheckPolicy.from_settings({"recheck": {"interval_days": 1, "failures_to_dead": 5}})
    assert policy.interval == DAY and policy.failures_to_dead == 5
    with pytest.raises(ConfigError, match=r"recheck\.nope"):
        RecheckPolicy.from_settings({"recheck": {"nope": 1}})
    with pytest.raises(ConfigError, match=r"recheck\.failures_to_dead"):
        RecheckPolicy.from_settings({"recheck": {"failures_to_dead": "three"}})
    with pytest.raises(ConfigError, match="drift_threshold"):
        RecheckPolicy(drift_threshold=2.0)


def test_clock_is_read_at_each_use_and_can_be_shifted() -> None:
    fixed = make_clock(T0)
    assert fixed() == T0
    shifted = make_clock(env={"AUDITOR_NOW": "2030-01-01T00:00:00Z"})
    first = shifted()
    assert abs(first - datetime(2030, 1, 1, tzinfo=UTC)) < timedelta(seconds=5)
    time.sleep(0.02)
    assert shifted() > first  # time flows from the shifted start
    real = make_clock(env={})
    assert abs(real() - datetime.now(UTC)) < timedelta(seconds=5)


# ---------------------------------------------------------------------------
# Recheck runs under an injected clock


def test_a_link_that_fails_once_then_recovers_is_never_declared_dead(
    site: Site, store: Store
) -> None:
    url = site.set("/article", 200)
    store.add_urls([url], now=T0)
    assert recheck(store, SETTINGS, policy=QUIET, **OFF, now=T0).checked == 1
    site.set("/article", 500)
    week = T0 + 7 * DAY
    assert recheck(store, SETTINGS, policy=QUIET, **OFF, now=week).newly_failing == (url,)
    # rapid reruns (--all) the same night do not count as spaced failures
    for hours in (1, 2, 3):
        recheck(
            store,
            SETTINGS,
            policy=QUIET,
            **OFF,
            now=week + timedelta(hours=hours),
            select=Selection(all=True),
        )
    assert store.url(url).state is UrlState.FAILING  # type: ignore[union-attr]
    assert store.url(url).consecutive_failures == 4  # type: ignore[union-attr]
    site.set("/article", 200)
    # the last failure (week + 3 h) sets the retry three days later
    assert recheck(store, SETTINGS, policy=QUIET, **OFF, now=week + 3 * DAY).checked == 0
    back = recheck(store, SETTINGS, policy=QUIET, **OFF, now=week + 3 * DAY + timedelta(hours=3))
    assert back.recovered == (url,)
    recheck(store, SETTINGS, policy=QUIET, **OFF, now=week + 11 * DAY)
    assert states(store, url) == ["ok"] + ["failing"] * 4 + ["recovered", "ok"]
    assert "dead" not in states(store, url)


def test_a_link_failing_three_times_over_a_week_is_dead(site: Site, store: Store) -> None:
    url = site.set("/gone-soon", 404)
    cite(store, url, "Le rapport publié en mars recense 4 500 expulsions.")
    runs = [
        recheck(store, SETTINGS, policy=QUIET, **OFF, now=T0 + n * DAY) for n in (0, 1, 2, 3, 6)
    ]
    assert [r.checked for r in runs] == [1, 0, 0, 1, 1]  # not due between the retries
    assert states(store, url) == ["failing", "failing", "dead"]
    assert runs[-1].newly_dead == (url,)
    assert runs[0].newly_failing == (url,)
    report = build_report(store, now=T0 + 6 * DAY + timedelta(hours=1))
    assert report.newly_dead == (url,) and report.has_news
    (entry,) = report.links
    assert entry.state == "dead" and entry.consecutive_failures == 3
    assert entry.last_status == "not-found" and entry.change == "newly-dead"
    assert [c.document for c in entry.cited_by] == ["article.md"]
    assert entry.cited_by[0].unit_id and "4 500" in (entry.cited_by[0].sentence or "")
    mark_reported(store, report)
    again = build_report(store, now=T0 + 6 * DAY + timedelta(hours=2))
    assert not again.has_news and again.newly_dead == () and again.links[0].state == "dead"


def test_a_rewritten_page_is_drifted_with_titles_and_cited_facts(site: Site, store: Store) -> None:
    drifting = site.set("/reforme", 200, REFORM)
    edited = site.set("/corrige", 200, REFORM.replace("Réforme", "Projet"))
    steady = site.set("/stable", 200, REFORM.replace("Réforme", "Plan"))
    cite(
        store,
        drifting,
        "Selon la Banque de France, la réforme prévoit 12 000 logements par an.",
    )
    store.add_urls([edited, steady], now=T0)
    recheck(store, SETTINGS, policy=QUIET, **OFF, now=T0)
    assert store.first_text(drifting) and "12 000" in store.first_text(drifting)  # type: ignore[operator]
    site.set("/reforme", 200, REWRITTEN)
    site.set("/corrige", 200, CORRECTED.replace("Réforme", "Projet"))
    summary = recheck(store, SETTINGS, policy=QUIET, **OFF, now=T0 + 7 * DAY)
    assert summary.newly_drifted == (drifting,)
    assert store.url(edited).state is UrlState.OK  # type: ignore[union-attr]
    assert 0.7 < store.url(edited).last_similarity < 1.0  # type: ignore[operator,union-attr]
    assert store.url(steady).last_similarity == 1.0  # type: ignore[union-attr]
    row = store.url(drifting)
    assert row is not None and row.state is UrlState.DRIFTED and row.last_similarity < 0.6  # type: ignore[operator]
    (detail,) = summary.drift
    assert detail.old_title == "Réforme du logement : 12 000 logements par an"
    assert detail.new_title == "Logement : le projet de loi retiré"
    facts = {t.text: (t.in_old, t.in_new) for s in detail.sentences for t in s.facts}
    assert facts["12 000"] == (True, False)
    assert facts["Banque de France"] == (True, False)
    report = build_report(store, now=T0 + 7 * DAY + timedelta(hours=1))
    assert report.newly_drifted == (drifting,) and report.has_news
    entry = next(link for link in report.links if link.url == drifting)
    assert entry.drift is not None and entry.drift["similarity"] == detail.similarity
    assert entry.drift["new_title"] == detail.new_title
    events = [e.kind.value for e in store.link_history(drifting)]
    assert events.count("state-change") == 2  # unchecked → ok → drifted


def test_dead_link_gets_the_own_copy_and_the_closest_wayback_capture(
    site: Site,
    store: Store,
    http_fixture: FixtureServer,  # noqa: F811
) -> None:
    url = site.set("/archived", 200, REFORM)
    cite(store, url, "La réforme prévoit 12 000 logements par an.")
    settings = {
        **SETTINGS,
        "archive": {"wayback_url": http_fixture.base(0), "wayback_interval": 0.0},
    }
    policy = RecheckPolicy()  # archive and Wayback on (the archive settings' defaults)
    recheck(store, settings, policy=policy, now=T0)
    site.set("/archived", 410)
    for days in (7, 10, 13):
        recheck(store, settings, policy=policy, now=T0 + days * DAY)
    assert store.url(url).state is UrlState.DEAD  # type: ignore[union-attr]
    report = build_report(store, now=T0 + 14 * DAY)
    (entry,) = report.links
    assert entry.replacement is not None and entry.replacement.kind == "warc"
    assert entry.replacement.warc_file and Path(entry.replacement.warc_file).is_file()
    (wayback,) = entry.alternatives
    assert wayback.kind == "wayback" and "web.archive.org/web/" in wayback.url
    # looked up at the citation date (the document's audit, T0 - 1 day)
    assert wayback.captured_at == (T0 - DAY).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_selection_limit_domain_and_dry_run(site: Site, store: Store) -> None:
    urls = [site.set(f"/p{i}", 200) for i in range(6)]
    store.add_urls([*urls, "https://other.example/x"], now=T0)
    preview = due_urls(store, QUIET, now=T0, select=Selection(domain="127.0.0.1"))
    assert len(preview) == 6 and store.counts()["checks"] == 0  # nothing claimed or checked
    assert all(row.lease_owner is None for row in store.list_urls())
    first = recheck(
        store, SETTINGS, policy=QUIET, **OFF, now=T0, select=Selection(limit=4, domain="127.0.0.1")
    )
    assert first.checked == 4
    rest = recheck(
        store, SETTINGS, policy=QUIET, **OFF, now=T0, select=Selection(domain="127.0.0.1")
    )
    assert rest.checked == 2
    assert recheck(store, SETTINGS, policy=QUIET, **OFF, now=T0 + DAY).checked == 1  # other.example
    # --all: every URL not checked since the run began, once, due or not
    again = recheck(store, SETTINGS, policy=QUIET, **OFF, now=T0 + DAY, select=Selection(all=True))
    assert again.checked == 6  # other.example was checked at this very instant
    later = recheck(
        store, SETTINGS, policy=QUIET, **OFF, now=T0 + 2 * DAY, select=Selection(all=True)
    )
    assert later.checked == 7


def test_stale_leases_are_released_only_when_no_recheck_runs(store: Store) -> None:
    store.add_urls(["https://a.example/1", "https://a.example/2"], now=T0)
    store.claim_due_urls(10, T0, 3600, "recheck-dead-worker")
    store.claim_due_urls(10, T0, 3600, "someone-else")  # nothing left to claim
    assert due_urls(store, QUIET, now=T0) == []
    assert release_stale_leases(store, T0) == 2
    assert len(due_urls(store, QUIET, now=T0)) == 2


# ---------------------------------------------------------------------------
# Two processes, and a killed run

_CHILD = """
    import json, sys, time
    from datetime import datetime, timezone
    from pathlib import Path
    from auditor.recheck import RecheckPolicy, recheck
    from auditor.store import Store

    from auditor.resolve import extract_main, registered_domain

    path, go, batch = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    registered_domain("warm.example.org")  # heavy first uses before the start signal
    extract_main("<html><body><p>Un texte pour chauffer.</p></body></html>", "http://x/")
    while not go.exists():
        time.sleep(0.005)
    settings = {"resolve": {"host_interval": 0.0, "host_concurrency": 2, "max_concurrency": 4,
                            "retries": 0, "trust_env": False}}
    policy = RecheckPolicy(batch_size=batch, flush_every=1)
    with Store(path) as store:
        summary = recheck(store, settings, policy=policy, archive=False, wayback=False,
                          now=datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc))
    print(json.dumps({"checked": summary.checked, "worker": summary.worker}))
"""


def _child(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(_CHILD), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def test_concurrent_rechecks_share_the_work_and_never_check_a_url_twice(tmp_path: Path) -> None:
    site = Site(delay=0.02)
    try:
        urls = [site.set(f"/c{i}", 200) for i in range(40)]
        path = tmp_path / "auditor.sqlite3"
        with Store(path) as db:
            db.add_urls(urls, now=T0)
        go = tmp_path / "go"
        children = [_child(str(path), str(go), "4") for _ in range(2)]
        time.sleep(0.5)
        go.touch()
        results = []
        for proc in children:
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
            results.append(json.loads(out))
    finally:
        site.stop()
    assert sum(r["checked"] for r in results) == 40
    assert all(r["checked"] > 0 for r in results)  # both took a share
    with Store(path) as db:
        assert db.integrity_problems() == []
        assert db.counts()["checks"] == 40
        assert {c.url for c in db.latest_checks()} == set(urls)
        assert all(row.lease_owner is None for row in db.list_urls())
        runs = db.runs("recheck")
        assert len(runs) == 2 and all(run.finished_at is not None for run in runs)
    assert all(site.hits[f"/c{i}"] == 1 for i in range(40))  # each page fetched once


def test_a_killed_recheck_resumes_where_it_stopped(tmp_path: Path) -> None:
    site = Site(delay=0.05)
    try:
        urls = [site.set(f"/k{i}", 200) for i in range(30)]
        path = tmp_path / "auditor.sqlite3"
        with Store(path) as db:
            db.add_urls(urls, now=T0)
        go = tmp_path / "go"
        go.touch()
        proc = _child(str(path), str(go), "4")
        deadline = time.monotonic() + 30
        with Store(path) as db:
            while db.counts()["checks"] < 6:
                assert time.monotonic() < deadline and proc.poll() is None, "child ended early"
                time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
        with Store(path) as db:
            assert db.integrity_problems() == []
            done = {c.url for c in db.latest_checks()}
            assert 6 <= len(done) < 30
            assert any(row.lease_owner for row in db.list_urls())  # the victim's leases
            (killed,) = db.runs("recheck")
            assert killed.finished_at is None
            resumed = recheck(db, SETTINGS, policy=QUIET, **OFF, now=T0 + timedelta(minutes=1))
            assert resumed.released_stale > 0  # taken back at once, not after the lease
            assert resumed.checked == 30 - len(done)
            assert db.counts()["checks"] == 30
            assert Counter(c.url for c in db.checks_since(T0 - DAY)) == Counter(set(urls))
    finally:
        with contextlib.suppress(Exception):
            proc.kill()
        site.stop()
