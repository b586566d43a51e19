"""Archive: WARC records written by warcio, robots.txt, Wayback lookups and Save Page Now 2."""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import os
import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from http_fixture import FixtureServer, http_fixture  # noqa: F401 (fixture)
from warcio.archiveiterator import ArchiveIterator

from auditor.archive import (
    ArchiveOptions,
    ArchiveServiceError,
    Snapshot,
    WarcArchive,
    Wayback,
    WaybackCapture,
    closest_capture_sync,
    payload_digest,
    robots_parser,
    wayback_timestamp,
)
from auditor.errors import ConfigError
from auditor.resolve import Exchange, LinkCheck, LinkStatus, ResolverOptions, check_urls_sync

WARCIO = Path(sys.executable).with_name("warcio")
RESOLVE = ResolverOptions(
    connect_timeout=1.0,
    read_timeout=1.0,
    deadline=3.0,
    retries=0,
    host_interval=0.0,
    trust_env=False,
    extract=False,
    soft404_probe=False,
)


@pytest.fixture()
def fx(http_fixture: FixtureServer) -> FixtureServer:  # noqa: F811
    http_fixture.reset()
    return http_fixture


def archive_options(tmp_path: Path, **changes: Any) -> ArchiveOptions:
    return replace(ArchiveOptions(warc_dir=str(tmp_path / "warc")), **changes)


def records(path: str | Path) -> list[Any]:
    """Every record of a WARC file with its headers and raw payload read out."""
    out = []
    with open(path, "rb") as stream:
        for record in ArchiveIterator(stream):
            payload = record.raw_stream.read()
            out.append((record.rec_type, record.rec_headers, record.http_headers, payload))
    return out


def warcio_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(WARCIO), *args], capture_output=True, text=True, timeout=60)


def fetch_and_archive(
    urls: list[str], archive: WarcArchive, **changes: Any
) -> dict[str, LinkCheck]:
    return check_urls_sync(urls, replace(RESOLVE, **changes), archive=archive)


def exchange(url: str, body: bytes, code: int = 200, when: datetime | None = None) -> Exchange:
    return Exchange(
        url=url,
        method="GET",
        request_target="/" + url.split("/", 3)[-1],
        request_headers=((b"Host", b"example.org"), (b"User-Agent", b"test")),
        http_version="HTTP/1.1",
        status_code=code,
        reason="OK",
        response_headers=((b"Content-Type", b"text/html"), (b"Content-Length", b"%d" % len(body))),
        body=body,
        remote_ip="192.0.2.1",
        started_at=when or datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
    )


# ---------------------------------------------------------------------------
# WARC records from real fetches


def test_fetch_is_archived_with_linked_records(fx: FixtureServer, tmp_path: Path) -> None:
    url = fx.url("/gzip-page")
    with WarcArchive(archive_options(tmp_path)) as archive:
        result = fetch_and_archive([url], archive, extract=True)[url]
    snapshot = result.snapshot
    assert result.status == LinkStatus.OK and snapshot is not None
    found = records(snapshot.warc_file)
    kinds = [r[0] for r in found]
    assert kinds == ["warcinfo", "response", "request", "metadata"]
    info, response, request, metadata = found
    assert info[1].get_header("WARC-Filename") == Path(snapshot.warc_file).name
    assert b"conformsTo" in info[3]
    rh = response[1]
    assert rh.protocol == "WARC/1.1"
    assert rh.get_header("WARC-Target-URI") == url
    assert rh.get_header("WARC-IP-Address") == "127.0.0.1"
    assert rh.get_header("WARC-Record-ID") == snapshot.record_id
    assert rh.get_header("WARC-Date").endswith("Z") and "." in rh.get_header("WARC-Date")
    # the body is stored as received: still gzip, and the digest is over those bytes
    assert response[2].get_header("Content-Encoding") == "gzip"
    assert response[3][:2] == b"\x1f\x8b"
    assert gzip.decompress(response[3]).startswith(b"<!doctype html>")
    assert rh.get_header("WARC-Payload-Digest") == payload_digest(response[3])
    assert snapshot.payload_digest == payload_digest(response[3])
    # the request is linked to its response
    assert request[1].get_header("WARC-Concurrent-To") == snapshot.record_id
    assert request[2].protocol.startswith("GET")
    assert request[2].get_header("User-Agent") == RESOLVE.user_agent
    # the main text, pointing at the response
    assert metadata[1].get_header("WARC-Refers-To") == snapshot.record_id
    assert metadata[1].get_header("Content-Type").startswith("text/plain")
    assert "réforme gzip" in metadata[3].decode("utf-8")
    assert snapshot.text_record_id == metadata[1].get_header("WARC-Record-ID")


def test_every_hop_is_archived_and_standard_tools_accept_it(
    fx: FixtureServer, tmp_path: Path
) -> None:
    urls = [fx.url("/chain/2"), fx.url("/chunked-page"), fx.url("/page/tools")]
    with WarcArchive(archive_options(tmp_path)) as archive:
        results = fetch_and_archive(urls, archive)
    chain = results[fx.url("/chain/2")].snapshot
    assert chain is not None and chain.target_uri == fx.url("/chain/0")
    found = records(chain.warc_file)
    responses = [r[1].get_header("WARC-Target-URI") for r in found if r[0] == "response"]
    assert {fx.url("/chain/2"), fx.url("/chain/1"), fx.url("/chain/0")} <= set(responses)
    statuses = {
        r[1].get_header("WARC-Target-URI"): r[2].get_statuscode()
        for r in found
        if r[0] == "response"
    }
    assert statuses[fx.url("/chain/2")] == "301" and statuses[fx.url("/chain/1")] == "302"
    # the body was de-chunked by the client: the header is kept under another name
    chunked = next(
        r
        for r in found
        if r[0] == "response" and r[1].get_header("WARC-Target-URI") == fx.url("/chunked-page")
    )
    assert chunked[2].get_header("Transfer-Encoding") is None
    assert chunked[2].get_header("X-Archive-Orig-Transfer-Encoding") == "chunked"
    check = warcio_cli("check", "-v", chain.warc_file)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest pass" in check.stdout and "fail" not in check.stdout
    index = warcio_cli("index", "-f", "warc-type,warc-target-uri,offset", chain.warc_file)
    rows = [json.loads(line) for line in index.stdout.splitlines()]
    assert index.returncode == 0
    assert {
        "offset": str(chain.offset),
        "warc-type": "response",
        "warc-target-uri": fx.url("/chain/0"),
    } in rows


def test_snapshot_offset_and_length_point_at_the_record(fx: FixtureServer, tmp_path: Path) -> None:
    urls = [fx.url("/page/one"), fx.url("/page/two")]
    with WarcArchive(archive_options(tmp_path)) as archive:
        results = fetch_and_archive(urls, archive)
    for url in urls:
        snap = results[url].snapshot
        assert snap is not None
        with open(snap.warc_file, "rb") as fh:
            fh.seek(snap.offset)
            member = fh.read(snap.length)
        (record,) = list(ArchiveIterator(io.BytesIO(member)))
        assert record.rec_headers.get_header("WARC-Record-ID") == snap.record_id
        assert record.rec_headers.get_header("WARC-Target-URI") == url


def test_identical_payloads_become_revisits(fx: FixtureServer, tmp_path: Path) -> None:
    with WarcArchive(archive_options(tmp_path)) as archive:
        first = fetch_and_archive([fx.url("/same/a")], archive)[fx.url("/same/a")].snapshot
        second = fetch_and_archive([fx.url("/same/b")], archive)[fx.url("/same/b")].snapshot
    assert first is not None and second is not None
    assert first.record_type == "response" and second.record_type == "revisit"
    assert second.refers_to == first.record_id
    assert second.payload_digest == first.payload_digest
    revisit = next(r for r in records(second.warc_file) if r[0] == "revisit")
    headers = revisit[1]
    assert headers.get_header("WARC-Profile") == (
        "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    )
    assert headers.get_header("WARC-Refers-To-Target-URI") == fx.url("/same/a")
    assert headers.get_header("WARC-Refers-To-Date") == first.warc_date
    assert headers.get_header("WARC-Refers-To") == first.record_id
    assert revisit[3] == b""  # headers only
    assert warcio_cli("check", second.warc_file).returncode == 0


def test_revisits_span_runs_by_reading_existing_files(tmp_path: Path) -> None:
    options = archive_options(tmp_path)
    with WarcArchive(options) as archive:
        first = archive.write(
            "https://example.org/a", [exchange("https://example.org/a", b"x" * 50)]
        )
    with WarcArchive(options) as archive:
        second = archive.write(
            "https://example.org/b", [exchange("https://example.org/b", b"x" * 50)]
        )
    with WarcArchive(replace(options, dedupe_existing=False)) as archive:
        third = archive.write(
            "https://example.org/c", [exchange("https://example.org/c", b"x" * 50)]
        )
    assert first and second and third
    assert second.record_type == "revisit" and second.refers_to == first.record_id
    assert third.record_type == "response"
    with WarcArchive(
        replace(options, dedupe_existing=False),
        known_payloads={first.payload_digest: ("u", "d", "<urn:uuid:x>")},
    ) as archive:
        fourth = archive.write(
            "https://example.org/d", [exchange("https://example.org/d", b"x" * 50)]
        )
    assert fourth and fourth.refers_to == "<urn:uuid:x>"


def test_empty_and_error_payloads_are_never_revisits(tmp_path: Path) -> None:
    with WarcArchive(archive_options(tmp_path)) as archive:
        a = archive.write("https://e.org/a", [exchange("https://e.org/a", b"")])
        b = archive.write("https://e.org/b", [exchange("https://e.org/b", b"")])
    assert a and b and b.record_type == "response"


def test_files_rotate_at_the_size_limit(tmp_path: Path) -> None:
    options = archive_options(tmp_path, max_warc_bytes=2000)
    with WarcArchive(options) as archive:
        snaps = [
            archive.write(f"https://e.org/{i}", [exchange(f"https://e.org/{i}", os.urandom(1500))])
            for i in range(4)
        ]
        files = list(archive.files)
    assert len(files) == 4 and len({s.warc_file for s in snaps if s}) == 4
    for path in files:
        kinds = [r[0] for r in records(path)]
        assert kinds[0] == "warcinfo" and kinds.count("warcinfo") == 1
        assert warcio_cli("check", str(path)).returncode == 0


def test_a_crash_leaves_complete_records_readable(tmp_path: Path) -> None:
    warc_dir = tmp_path / "warc"
    script = textwrap.dedent(f"""
        import os, sys
        from datetime import datetime, UTC
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_archive import exchange
        from auditor.archive import ArchiveOptions, WarcArchive
        archive = WarcArchive(ArchiveOptions(warc_dir={str(warc_dir)!r}))
        for i in range(3):
            archive.write(f"https://e.org/{{i}}", [exchange(f"https://e.org/{{i}}", b"body%d" % i)])
        os._exit(1)  # killed: no close, no flush by Python at exit
    """)
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=str(Path(__file__).parent.parent),
    )
    assert done.returncode == 1, done.stderr
    (path,) = list(warc_dir.glob("*.warc.gz"))
    kinds = [r[0] for r in records(path)]
    assert kinds == ["warcinfo"] + ["response", "request"] * 3
    assert warcio_cli("check", str(path)).returncode == 0
    # a record cut in half at the end: every complete record before it still reads
    data = path.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data + data[-200:-50])
    read = []
    with pytest.raises(Exception), open(cut, "rb") as stream:  # noqa: B017
        for record in ArchiveIterator(stream):
            read.append(record.rec_type)
    assert read[:7] == kinds


def test_robots_txt_is_honoured_for_archiving_only(fx: FixtureServer, tmp_path: Path) -> None:
    urls = [
        fx.url("/private/doc"),
        fx.url("/page/public"),
        fx.url("/page/all", 2),
        fx.url("/page/norobots", 1),
    ]
    with WarcArchive(archive_options(tmp_path)) as archive:
        results = fetch_and_archive(urls, archive)
    assert {r.status for r in results.values()} == {LinkStatus.OK}  # liveness ignores robots
    assert results[fx.url("/private/doc")].snapshot is None
    assert results[fx.url("/private/doc")].archive_note == "robots.txt disallows archiving"
    assert results[fx.url("/page/all", 2)].snapshot is None  # "User-agent: auditor / Disallow: /"
    assert results[fx.url("/page/public")].snapshot is not None
    assert results[fx.url("/page/norobots", 1)].snapshot is not None  # 404 robots: allowed
    assert len(fx.seen("/robots.txt", 0)) == 1  # fetched once per host
    with WarcArchive(archive_options(tmp_path / "b", respect_robots=False)) as archive:
        again = fetch_and_archive([fx.url("/private/doc")], archive)
    assert again[fx.url("/private/doc")].snapshot is not None


def test_failures_and_oversized_pages_are_not_archived(fx: FixtureServer, tmp_path: Path) -> None:
    urls = [fx.url("/missing"), fx.url("/big")]
    with WarcArchive(archive_options(tmp_path)) as archive:
        results = fetch_and_archive(urls, archive, max_bytes=100_000)
    assert results[fx.url("/missing")].snapshot is None
    assert results[fx.url("/big")].status == LinkStatus.TOO_LARGE
    assert results[fx.url("/big")].snapshot is None


def test_robots_parser_follows_rfc_9309() -> None:
    assert robots_parser(404, "").can_fetch("auditor", "https://e.org/x")
    assert not robots_parser(503, "").can_fetch("auditor", "https://e.org/x")
    assert not robots_parser(None, "").can_fetch("auditor", "https://e.org/x")
    rules = robots_parser(200, "User-agent: auditor\nDisallow: /secret\n")
    assert not rules.can_fetch("auditor", "https://e.org/secret/1")
    assert rules.can_fetch("auditor", "https://e.org/open")
    assert rules.can_fetch("otherbot", "https://e.org/secret/1")


# ---------------------------------------------------------------------------
# Options


def test_archive_options_from_settings() -> None:
    options = ArchiveOptions.from_settings(
        {
            "home": "/data/aud",
            "archive": {"max_warc_bytes": 5000, "save_page_now": True},
            "resolve": {"user_agent": "ua/2"},
        }
    )
    assert options.warc_dir == "/data/aud/warc" and options.max_warc_bytes == 5000
    assert options.save_page_now and options.user_agent == "ua/2"
    from auditor.store import warc_dir

    # no archive.warc_dir: WARC files share the store's home (AUDITOR_HOME in tests)
    assert ArchiveOptions.from_settings({}).warc_dir == str(warc_dir({}))
    assert str(warc_dir({})).startswith(os.environ["AUDITOR_HOME"])
    assert ArchiveOptions.from_settings({}, warc_dir="/x/warc").warc_dir == "/x/warc"
    assert ArchiveOptions.from_settings({}).availability_endpoint == (
        "https://archive.org/wayback/available"
    )
    local = ArchiveOptions.from_settings({"archive": {"wayback_url": "http://127.0.0.1:9/"}})
    assert local.availability_endpoint == "http://127.0.0.1:9/wayback/available"
    with pytest.raises(ConfigError, match=r"archive\.nope"):
        ArchiveOptions.from_settings({"archive": {"nope": 1}})
    with pytest.raises(ConfigError, match=r"archive\.respect_robots"):
        ArchiveOptions.from_settings({"archive": {"respect_robots": "yes"}})


def test_wayback_url_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from auditor.config import load_settings

    monkeypatch.chdir(tmp_path)
    settings = load_settings(env={"AUDITOR_WAYBACK_URL": "http://127.0.0.1:1234"})
    assert ArchiveOptions.from_settings(settings).wayback_url == "http://127.0.0.1:1234"


# ---------------------------------------------------------------------------
# Wayback lookups against the fake Wayback Machine


def wayback_options(fx: FixtureServer, **changes: Any) -> ArchiveOptions:
    return replace(
        ArchiveOptions(
            wayback_url=fx.base(0),
            wayback_interval=0.0,
            wayback_retries=0,
            spn_interval=0.0,
            spn_poll_interval=0.05,
            spn_poll_timeout=2.0,
        ),
        **changes,
    )


def test_wayback_timestamps() -> None:
    assert wayback_timestamp(datetime(2024, 3, 5, 10, 0, tzinfo=UTC)) == "20240305100000"
    assert wayback_timestamp("2024-03-05") == "20240305000000"
    assert wayback_timestamp("2024-03-05T10:00:00+02:00") == "20240305080000"
    assert wayback_timestamp("2024") == "2024"
    assert wayback_timestamp(None) is None


def test_closest_capture_from_the_availability_api(fx: FixtureServer) -> None:
    capture = closest_capture_sync("https://news.example/a", "2024-03-05", wayback_options(fx))
    assert capture == WaybackCapture(
        url="http://web.archive.org/web/20240305000000/https://news.example/a",
        timestamp="20240305000000",
        status=200,
        original="https://news.example/a",
        source="availability",
    )
    (seen,) = fx.seen("/wayback/available")
    assert "timestamp=20240305000000" in seen.path and "news.example" in seen.path


@pytest.mark.parametrize("kind", ["cdxonly", "avail-error"])
def test_closest_capture_falls_back_to_cdx(fx: FixtureServer, kind: str) -> None:
    capture = closest_capture_sync(
        f"https://news.example/{kind}", "2024-02-01", wayback_options(fx)
    )
    assert capture is not None and capture.source == "cdx"
    assert capture.timestamp == "20240301000000"  # the closest of 2023, 2024-03, 2025
    assert capture.url == f"{fx.base(0)}/web/20240301000000/https://news.example/{kind}"
    (cdx,) = fx.seen("/cdx/search/cdx")
    assert "closest=20240201000000" in cdx.path and "output=json" in cdx.path


def test_no_capture_and_service_failure(fx: FixtureServer) -> None:
    assert closest_capture_sync("https://news.example/nocapture", None, wayback_options(fx)) is None
    with pytest.raises(ArchiveServiceError, match="Wayback lookup failed"):
        closest_capture_sync("https://news.example/all-error", None, wayback_options(fx))


def test_wayback_retries_429_with_retry_after() -> None:
    answers = [
        httpx.Response(429, headers={"Retry-After": "0"}),
        httpx.Response(
            200,
            json={
                "archived_snapshots": {
                    "closest": {
                        "available": True,
                        "url": "https://web.archive.org/web/2020/x",
                        "timestamp": "20200101000000",
                        "status": "200",
                    }
                }
            },
        ),
    ]
    options = ArchiveOptions(wayback_interval=0.0, wayback_retries=1)
    capture = closest_capture_sync(
        "x", None, options, transport=httpx.MockTransport(lambda r: answers.pop(0))
    )
    assert capture is not None and capture.timestamp == "20200101000000" and not answers


# ---------------------------------------------------------------------------
# Save Page Now 2


KEYS = {"AUDITOR_IA_ACCESS_KEY": "key", "AUDITOR_IA_SECRET_KEY": "secret"}


def spn(
    fx: FixtureServer, urls: list[str], env: dict[str, str] | None = None, **changes: Any
) -> list[Any]:
    async def run() -> list[Any]:
        options = wayback_options(fx, **{"save_page_now": True, **changes})
        async with Wayback(options, env=KEYS if env is None else env) as wayback:
            return [await wayback.save(url) for url in urls]

    return asyncio.run(run())


def test_save_page_now_is_opt_in_and_needs_keys(fx: FixtureServer) -> None:
    (off,) = spn(fx, ["https://e.org/x"], save_page_now=False)
    assert off.status == "skipped" and "save_page_now is off" in off.message
    (nokeys,) = spn(fx, ["https://e.org/x"], env={})
    assert nokeys.status == "skipped" and "AUDITOR_IA_ACCESS_KEY" in nokeys.message
    assert fx.seen("/save") == []


def test_save_page_now_submits_and_polls(fx: FixtureServer) -> None:
    (result,) = spn(fx, ["https://e.org/article"])
    assert result.status == "success" and result.job_id and result.job_id.startswith("spn2-")
    assert result.timestamp == "20260101120000"
    assert result.capture_url == f"{fx.base(0)}/web/20260101120000/https://e.org/article"
    post = fx.seen("/save", 0)[0]
    assert post.method == "POST" and post.headers["authorization"] == "LOW key:secret"
    assert b"url=https%3A%2F%2Fe.org%2Farticle" in post.body
    assert len(fx.seen("/save/status/")) == 2  # pending, then success


def test_save_page_now_errors_in_http_200(fx: FixtureServer) -> None:
    daily, failed = spn(fx, ["https://e.org/daily-limit", "https://e.org/job-fails"])
    assert daily.status == "error" and daily.status_ext == "error:too-many-daily-captures"
    assert "10 times" in daily.message
    assert failed.status == "error" and failed.status_ext == "error:not-found"
    assert failed.job_id


def test_save_page_now_stops_on_account_errors(fx: FixtureServer) -> None:
    limit, after = spn(fx, ["https://e.org/session-limit", "https://e.org/next"])
    assert limit.status_ext == "error:user-session-limit"
    assert after.status == "skipped" and "user-session-limit" in after.message
    refused, later = spn(
        fx,
        ["https://e.org/a", "https://e.org/b"],
        env={"AUDITOR_IA_ACCESS_KEY": "bad", "AUDITOR_IA_SECRET_KEY": "keys"},
    )
    assert refused.status == "error" and refused.status_ext == "http-401"
    assert later.status == "skipped"


def test_save_page_now_rate_limit_delays_the_next_submission(fx: FixtureServer) -> None:
    async def run() -> tuple[Any, float]:
        options = wayback_options(fx, save_page_now=True)
        async with Wayback(options, env=KEYS) as wayback:
            first = await wayback.save("https://e.org/spn-429")
            return first, wayback._spn_not_before

    import time

    first, not_before = asyncio.run(run())
    assert first.status == "error" and first.status_ext == "http-429"
    assert not_before - time.monotonic() > 20  # Retry-After: 30 is remembered


def test_save_page_now_pending_when_polling_times_out(fx: FixtureServer) -> None:
    (result,) = spn(fx, ["https://e.org/never-done"], spn_poll_timeout=0.2)
    assert result.status == "pending" and result.job_id


def test_snapshot_is_a_frozen_record() -> None:
    snap = Snapshot("u", "u", "f", 0, 1, "sha1:X", "<urn:uuid:1>", "d", "response")
    with pytest.raises(AttributeError):
        snap.offset = 3  # type: ignore[misc]
