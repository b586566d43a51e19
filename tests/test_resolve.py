"""Resolver: pure classification, MockTransport units, and a real loopback server."""

from __future__ import annotations

import asyncio
import gzip
import itertools
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import urlsplit

import httpx
import pytest
from http_fixture import HOSTS, FixtureServer, http_fixture  # noqa: F401 (fixture)
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor import resolve
from auditor.errors import ConfigError
from auditor.resolve import (
    BROKEN,
    CACHEABLE,
    Hop,
    InvalidURL,
    LinkCheck,
    LinkStatus,
    PageSummary,
    ParsedURL,
    ProbeResult,
    Resolver,
    ResolverOptions,
    _BoundedDecoder,
    _TooLarge,
    check_urls,
    check_urls_sync,
    classify,
    classify_error,
    fingerprint_distance,
    is_homepage,
    normalise_url,
    not_found_title,
    page_words,
    parse_retry_after,
    parse_url,
    registered_domain,
    simhash,
    summarise_html,
)

FAST = ResolverOptions(
    connect_timeout=1.0,
    read_timeout=0.5,
    deadline=2.0,
    retries=1,
    backoff=0.05,
    max_retry_wait=2.0,
    host_interval=0.0,
    host_concurrency=4,
    max_bytes=1_000_000,
    max_decompressed_bytes=2_000_000,
    trust_env=False,
    extract=False,
)


def opts(**changes: object) -> ResolverOptions:
    from dataclasses import replace

    return replace(FAST, **changes)  # type: ignore[arg-type]


def check_one(url: str, options: ResolverOptions = FAST, **kwargs: object) -> LinkCheck:
    return check_urls_sync([url], options, **kwargs)[url]  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# URLs


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("ftp://example.org/file", LinkStatus.UNSUPPORTED_SCHEME),
        ("mailto:someone@example.org", LinkStatus.UNSUPPORTED_SCHEME),
        ("javascript:void(0)", LinkStatus.UNSUPPORTED_SCHEME),
        ("data:text/plain,hi", LinkStatus.UNSUPPORTED_SCHEME),
        ("www.example.org/page", LinkStatus.INVALID_URL),
        ("http:///path-only", LinkStatus.INVALID_URL),
        ("http://exa mple.org/", LinkStatus.INVALID_URL),
        ("http://example.org:99999/", LinkStatus.INVALID_URL),
        ("http://[::1/", LinkStatus.INVALID_URL),
        ("https://bad_host!.org/", LinkStatus.INVALID_URL),
        ("", LinkStatus.INVALID_URL),
    ],
)
def test_unfetchable_urls_are_reported_without_a_request(url: str, status: LinkStatus) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"no request expected, got {request.url}")

    result = check_urls_sync([url], FAST, transport=httpx.MockTransport(refuse))
    assert result[url].status == status
    assert result[url].evidence
    assert result[url].attempts == 0


def test_normalise_url_dedupes_spelling_variants() -> None:
    assert normalise_url("HTTP://Example.ORG:80/a?b=1#frag") == "http://example.org/a?b=1"
    assert normalise_url("https://example.org") == "https://example.org/"
    assert normalise_url("https://example.org:8443/x") == "https://example.org:8443/x"
    assert normalise_url("https://例え.jp/") == "https://xn--r8jz45g.jp/"
    with pytest.raises(InvalidURL):
        normalise_url("gopher://x/")


def test_registered_domain_is_offline_and_handles_ips() -> None:
    assert registered_domain("https://www.bbc.co.uk/news/x") == "bbc.co.uk"
    assert registered_domain("https://edition.lemonde.fr/") == "lemonde.fr"
    assert registered_domain("http://127.0.0.2:8080/x") == "127.0.0.2"
    assert registered_domain("localhost") == "localhost"


def test_is_homepage() -> None:
    for url in ["https://a.fr/", "https://a.fr", "https://a.fr/index.html", "https://a.fr/fr/"]:
        assert is_homepage(url), url
    for url in ["https://a.fr/politique/", "https://a.fr/?p=123", "https://a.fr/article.html"]:
        assert not is_homepage(url), url


# ---------------------------------------------------------------------------
# Pure helpers


def test_parse_retry_after_seconds_and_dates() -> None:
    now = datetime(2025, 1, 1, 0, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after("Wed, 01 Jan 2025 00:00:30 GMT", now) == 30.0
    assert parse_retry_after("Tue, 31 Dec 2024 23:00:00 GMT", now) == 0.0  # in the past
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


@pytest.mark.parametrize(
    "title",
    [
        "Page introuvable - Le Monde",
        "Erreur 404",
        "404 Not Found",
        "404",
        "Page not found | The Guardian",
        "Oops! Page Not Found",
        "Cette page n’existe pas",
        "La page demandée n'existe plus",
        "Article supprimé",
        "Error 404 - Libération",
        "Content no longer available",
    ],
)
def test_not_found_titles(title: str) -> None:
    assert not_found_title(title)


@pytest.mark.parametrize(
    "title",
    [
        "404 Media reports on surveillance tools",
        "Les trésors introuvables du Louvre",
        "Found: the missing manuscript",
        "Le Monde - Actualités et infos en France et dans le monde",
        "Error rates in polling, explained",
        None,
    ],
)
def test_ordinary_titles_are_not_not_found(title: str | None) -> None:
    assert not not_found_title(title)


def test_summarise_html_reads_head_facts() -> None:
    page = summarise_html(
        "<html><head><title> Un  titre &amp; plus </title>"
        "<link href='/canon/x' rel='alternate canonical'>"
        '<meta http-equiv="Refresh" content="0; URL=\'/new\'">'
        '<script>var a = "<title>not this</title>";</script>'
        '<script type="application/ld+json">{"isAccessibleForFree": false}</script>'
        "</head><body><p>Bonjour le monde</p></body></html>",
        "https://site.fr/a/b",
    )
    assert page.title == "Un titre & plus"
    assert page.canonical == "https://site.fr/canon/x"
    assert page.refresh == "https://site.fr/new"
    assert page.paywalled
    words, length = page_words(page)
    assert {"bonjour", "le", "monde"} <= words
    assert "var" not in words and length == len("Un titre & plus Bonjour le monde")


def test_simhash_is_stable_and_similarity_sensitive() -> None:
    base = " ".join(f"mot{i}" for i in range(300))
    near = base.replace("mot150", "autre")
    far = " ".join(f"terme{i}" for i in range(300))
    assert simhash(base) == simhash(base)
    assert simhash(base).startswith("simhash:") and len(simhash(base)) == 24
    near_d = fingerprint_distance(simhash(base), simhash(near))
    far_d = fingerprint_distance(simhash(base), simhash(far))
    assert near_d is not None and far_d is not None
    assert near_d < 10 < far_d
    assert simhash("") == ""


def test_bounded_decoder_stops_a_gzip_bomb_early() -> None:
    bomb = gzip.compress(b"\0" * 30_000_000)
    decoder = _BoundedDecoder("gzip", 1_000_000)
    tracemalloc.start()
    with pytest.raises(_TooLarge):
        for i in range(0, len(bomb), 4096):
            decoder.feed(bomb[i : i + 4096])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert decoder.size > 1_000_000
    assert peak < 4_000_000  # never near the 30 MB the bomb expands to


def test_bounded_decoder_handles_members_and_raw_deflate() -> None:
    two = gzip.compress(b"hello ") + gzip.compress(b"world")
    decoder = _BoundedDecoder("gzip", 100)
    decoder.feed(two)
    assert decoder.result() == b"hello world"
    raw = zlib.compressobj(wbits=-15)
    data = raw.compress(b"raw deflate body") + raw.flush()
    decoder = _BoundedDecoder("deflate", 100)
    decoder.feed(data)
    assert decoder.result() == b"raw deflate body"


# ---------------------------------------------------------------------------
# Classification from recorded hops (pure)


def hop(url: str, code: int, location: str | None = None) -> Hop:
    return Hop(url=url, status_code=code, location=location, elapsed_ms=1.0)


def page(title: str | None, words: str, length: int | None = None) -> PageSummary:
    return PageSummary(title, words=frozenset(words.split()), length=length or len(words))


ARTICLE = page("Réforme des retraites - Le Site", " ".join(f"w{i}" for i in range(300)))
MISSING = page("Le Site", "désolé ce contenu n'est plus disponible accueil politique monde")


def test_classify_plain_statuses() -> None:
    u = "https://site.fr/a/1"
    cases = {
        200: LinkStatus.OK,
        401: LinkStatus.LOGIN_WALL,
        402: LinkStatus.PAYWALL,
        403: LinkStatus.FORBIDDEN,
        404: LinkStatus.NOT_FOUND,
        410: LinkStatus.GONE,
        429: LinkStatus.RATE_LIMITED,
        451: LinkStatus.FORBIDDEN,
        400: LinkStatus.CLIENT_ERROR,
        500: LinkStatus.SERVER_ERROR,
        503: LinkStatus.SERVER_ERROR,
    }
    for code, expected in cases.items():
        status, evidence = classify(u, [hop(u, code)], page=ARTICLE)
        assert status == expected, code
        assert str(code) in evidence


def test_classify_redirects() -> None:
    u = "http://site.fr/a/1"
    chain = [hop(u, 301, "https://site.fr/a/1"), hop("https://site.fr/a/1", 200)]
    status, evidence = classify(u, chain, page=ARTICLE)
    assert status == LinkStatus.REDIRECTED and "http→https" in evidence

    home = [hop(u, 301, "https://site.fr/"), hop("https://site.fr/", 200)]
    status, evidence = classify(u, home, page=ARTICLE)
    assert status == LinkStatus.MOVED_TO_HOMEPAGE and "site root" in evidence

    root = "http://site.fr/"
    status, _ = classify(
        root,
        [hop(root, 301, "https://www.site.fr/"), hop("https://www.site.fr/", 200)],
        page=ARTICLE,
    )
    assert status == LinkStatus.REDIRECTED  # a homepage moving to its new homepage

    login = [hop(u, 302, "https://site.fr/login?next=/a/1"), hop("https://site.fr/login", 200)]
    assert classify(u, login, page=ARTICLE)[0] == LinkStatus.LOGIN_WALL
    sub = [hop(u, 302, "https://site.fr/abonnement/"), hop("https://site.fr/abonnement/", 200)]
    assert classify(u, sub, page=ARTICLE)[0] == LinkStatus.PAYWALL
    err = [hop(u, 302, "https://site.fr/404.html"), hop("https://site.fr/404.html", 200)]
    assert classify(u, err, page=ARTICLE)[0] == LinkStatus.SOFT_404
    dead = [hop(u, 301, "https://site.fr/b"), hop("https://site.fr/b", 404)]
    status, evidence = classify(u, dead)
    assert status == LinkStatus.NOT_FOUND and "after redirect" in evidence


def test_classify_soft_404_from_probe_and_title() -> None:
    u = "https://site.fr/a/1"
    probe_same = ProbeResult("https://site.fr/a/zz", "https://site.fr/a/zz", 200, MISSING)
    status, evidence = classify(u, [hop(u, 200)], page=MISSING, probe=probe_same)
    assert status == LinkStatus.SOFT_404
    assert "random sibling path" in evidence and "same title" in evidence
    # the real article differs from the site's missing page
    assert classify(u, [hop(u, 200)], page=ARTICLE, probe=probe_same)[0] == LinkStatus.OK
    # a site that answers 404 properly says nothing against a 200 page
    probe_404 = ProbeResult("https://site.fr/a/zz", "https://site.fr/a/zz", 404, None)
    assert classify(u, [hop(u, 200)], page=MISSING, probe=probe_404)[0] == LinkStatus.OK
    # title alone
    notfound = page("Page introuvable", "rien")
    status, evidence = classify(u, [hop(u, 200)], page=notfound)
    assert status == LinkStatus.SOFT_404 and "Page introuvable" in evidence
    # both redirected to the same catch-all page
    chain = [hop(u, 302, "https://site.fr/oops"), hop("https://site.fr/oops", 200)]
    probe = ProbeResult("https://site.fr/a/zz", "https://site.fr/oops", 200, MISSING)
    status, evidence = classify(u, chain, page=MISSING, probe=probe)
    assert status == LinkStatus.SOFT_404 and "also lands" in evidence


def test_classify_too_large_and_paywall_marker() -> None:
    u = "https://site.fr/a/1"
    status, evidence = classify(u, [hop(u, 200)], too_large="body exceeds max_bytes 10")
    assert status == LinkStatus.TOO_LARGE and "max_bytes" in evidence
    walled = PageSummary("Titre", paywalled=True)
    assert classify(u, [hop(u, 200)], page=walled)[0] == LinkStatus.PAYWALL


def _chained(outer: Exception, inner: BaseException) -> Exception:
    try:
        try:
            raise inner
        except BaseException as exc:
            raise outer from exc
    except Exception as exc:
        return exc


def test_classify_error_walks_the_exception_chain() -> None:
    dns = _chained(httpx.ConnectError("x"), socket.gaierror(-2, "Name or service not known"))
    assert classify_error(dns)[0] == LinkStatus.DNS_FAILURE
    tls = _chained(httpx.ConnectError("x"), ssl.SSLError(1, "WRONG_VERSION_NUMBER"))
    assert classify_error(tls)[0] == LinkStatus.TLS_ERROR
    refused = _chained(
        httpx.ConnectError("All connection attempts failed"),
        _chained(OSError("All connection attempts failed"), ConnectionRefusedError(111, "refused")),
    )
    assert classify_error(refused)[0] == LinkStatus.CONNECTION_REFUSED
    assert classify_error(httpx.ReadTimeout("x"))[0] == LinkStatus.TIMEOUT
    assert classify_error(httpx.ConnectTimeout("x"))[0] == LinkStatus.TIMEOUT
    assert classify_error(TimeoutError())[0] == LinkStatus.TIMEOUT
    assert classify_error(httpx.RemoteProtocolError("x"))[0] == LinkStatus.CONNECTION_ERROR


def test_broken_set_is_a_subset_of_the_taxonomy() -> None:
    assert set(BROKEN) <= set(LinkStatus)
    assert LinkStatus.OK not in BROKEN and LinkStatus.NOT_CHECKED not in BROKEN
    assert LinkStatus.SOFT_404 in BROKEN and LinkStatus.GONE in BROKEN
    assert not CACHEABLE & BROKEN


# ---------------------------------------------------------------------------
# Options


def test_options_from_settings() -> None:
    settings = {
        "fetch": {"user_agent": "agent/1"},
        "resolve": {"host_interval": 1, "max_concurrency": 8, "soft404_probe": False},
    }
    options = ResolverOptions.from_settings(settings)
    assert options.host_interval == 1.0 and isinstance(options.host_interval, float)
    assert options.max_concurrency == 8 and not options.soft404_probe
    assert options.user_agent == "agent/1"
    assert ResolverOptions.from_settings({}).max_redirects == 10
    with pytest.raises(ConfigError, match=r"resolve\.bogus"):
        ResolverOptions.from_settings({"resolve": {"bogus": 1}})
    with pytest.raises(ConfigError, match=r"resolve\.retries"):
        ResolverOptions.from_settings({"resolve": {"retries": "three"}})
    with pytest.raises(ConfigError, match=r"resolve\.soft404_probe"):
        ResolverOptions.from_settings({"resolve": {"soft404_probe": 1}})
    with pytest.raises(ConfigError, match=r"resolve\.max_concurrency"):
        ResolverOptions.from_settings({"resolve": {"max_concurrency": 0}})


def test_options_from_real_settings(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    from auditor.config import load_settings

    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]
    settings = load_settings(env={}, overrides={"resolve.host_interval": 0.25})
    assert ResolverOptions.from_settings(settings).host_interval == 0.25


# ---------------------------------------------------------------------------
# MockTransport units


def test_redirect_hops_are_recorded_by_hand() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/a":
            return httpx.Response(301, headers={"Location": "/b"})
        if path == "/b":
            return httpx.Response(302, headers={"Location": "https://other.example/c"})
        return httpx.Response(200, html="<title>C</title><p>contenu</p>")

    result = check_one(
        "http://site.example/a", opts(soft404_probe=False), transport=httpx.MockTransport(handler)
    )
    assert result.status == LinkStatus.REDIRECTED
    assert [h.status_code for h in result.hops] == [301, 302, 200]
    assert result.hops[0].location == "http://site.example/b"
    assert result.hops[1].location == "https://other.example/c"
    assert result.final_url == "https://other.example/c"
    assert result.title == "C" and result.http_status == 200
    assert result.publisher_domain == "other.example"


def test_retry_on_503_and_attempts_counted() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if len(calls) < 3:
            return httpx.Response(503)
        return httpx.Response(200, text="fine", headers={"Content-Type": "text/plain"})

    result = check_one(
        "http://x.example/p", opts(retries=2), transport=httpx.MockTransport(handler)
    )
    assert result.status == LinkStatus.OK and result.attempts == 3 and len(calls) == 3
    calls.clear()
    result = check_one(
        "http://x.example/q", opts(retries=1), transport=httpx.MockTransport(handler)
    )
    assert result.status == LinkStatus.SERVER_ERROR and "after 2 attempts" in result.evidence


def test_head_for_documents_falls_back_to_get() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        if request.method == "HEAD":
            return httpx.Response(405)
        return httpx.Response(200, content=b"%PDF", headers={"Content-Type": "application/pdf"})

    result = check_one("http://x.example/report.pdf", transport=httpx.MockTransport(handler))
    assert result.status == LinkStatus.OK and seen == ["HEAD", "GET"]
    seen.clear()
    check_one(
        "http://x.example/report.pdf", opts(use_head=False), transport=httpx.MockTransport(handler)
    )
    assert seen == ["GET"]


def test_cache_keeps_successes_only() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        code = 200 if request.url.path == "/ok" else 404
        return httpx.Response(code, text="x", headers={"Content-Type": "text/plain"})

    cache: dict[str, LinkCheck] = {}
    urls = ["http://x.example/ok", "http://x.example/dead"]
    check_urls_sync(urls, FAST, transport=httpx.MockTransport(handler), cache=cache)
    assert list(cache) == ["http://x.example/ok"]
    second = check_urls_sync(urls, FAST, transport=httpx.MockTransport(handler), cache=cache)
    assert second["http://x.example/ok"].cached
    assert not second["http://x.example/dead"].cached
    assert calls.count("/ok") == 1 and calls.count("/dead") == 2


def test_offline_run_checks_nothing() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError("offline")

    results = check_urls_sync(
        ["https://a.example/x", "mailto:a@b"],
        opts(offline=True),
        transport=httpx.MockTransport(refuse),
    )
    assert results["https://a.example/x"].status == LinkStatus.NOT_CHECKED
    assert results["https://a.example/x"].publisher_domain == "a.example"
    assert results["mailto:a@b"].status == LinkStatus.UNSUPPORTED_SCHEME


def test_checked_at_uses_the_injected_clock() -> None:
    clock = lambda: datetime(2025, 6, 1, 12, 30, tzinfo=UTC)  # noqa: E731
    result = check_one(
        "http://x.example/",
        clock=clock,
        transport=httpx.MockTransport(lambda r: httpx.Response(204)),
    )
    assert result.checked_at == "2025-06-01T12:30:00Z"


# ---------------------------------------------------------------------------
# The real loopback server


@pytest.fixture()
def fx(http_fixture: FixtureServer) -> FixtureServer:  # noqa: F811
    http_fixture.reset()
    return http_fixture


def test_loopback_hosts_work(fx: FixtureServer) -> None:
    results = check_urls_sync([fx.url("/", i) for i in range(len(HOSTS))], FAST)
    assert all(r.status == LinkStatus.OK for r in results.values())
    assert {r.hops[0].ip for r in results.values()} == set(HOSTS)


def test_statuses_against_the_server(fx: FixtureServer) -> None:
    cases = {
        fx.url("/page/alpha"): LinkStatus.OK,
        fx.url("/chain/3"): LinkStatus.REDIRECTED,
        fx.url("/http-to-page"): LinkStatus.REDIRECTED,
        fx.url("/loop/a"): LinkStatus.REDIRECT_LOOP,
        fx.url("/moved"): LinkStatus.MOVED_TO_HOMEPAGE,
        fx.url("/refresh-home"): LinkStatus.MOVED_TO_HOMEPAGE,
        fx.url("/no/such/article", 2): LinkStatus.MOVED_TO_HOMEPAGE,
        fx.url("/no/such/article", 1): LinkStatus.SOFT_404,
        fx.url("/page/real-one", 1): LinkStatus.OK,
        fx.url("/no/such/article", 3): LinkStatus.SOFT_404,
        fx.url("/deleted"): LinkStatus.SOFT_404,
        fx.url("/missing"): LinkStatus.NOT_FOUND,
        fx.url("/gone"): LinkStatus.GONE,
        fx.url("/forbidden"): LinkStatus.FORBIDDEN,
        fx.url("/challenge"): LinkStatus.FORBIDDEN,
        fx.url("/private-area"): LinkStatus.LOGIN_WALL,
        fx.url("/members-only"): LinkStatus.LOGIN_WALL,
        fx.url("/broken/x"): LinkStatus.SERVER_ERROR,
        fx.url("/gzip-page"): LinkStatus.OK,
        fx.url("/deflate-page"): LinkStatus.OK,
        fx.url("/chunked-page"): LinkStatus.OK,
        fx.url("/doc.pdf"): LinkStatus.OK,
        fx.url("/head405.pdf"): LinkStatus.OK,
    }
    # no timeout is under test here: generous ones, so a loaded machine cannot turn a page
    # into a timeout
    results = check_urls_sync(list(cases), opts(read_timeout=5.0, deadline=20.0))
    got = {url: results[url].status for url in cases}
    assert got == cases
    assert results[fx.url("/chain/3")].hops[-1].status_code == 200
    assert len(results[fx.url("/chain/3")].hops) == 4
    assert results[fx.url("/gzip-page")].title == "Article gzip - Le Quotidien"
    assert results[fx.url("/page/alpha")].canonical == fx.url("/page/alpha")
    soft = results[fx.url("/no/such/article", 1)]
    assert "random sibling path" in soft.evidence
    assert results[fx.url("/deleted")].evidence.startswith("HTTP 200 but the title says")


def test_too_many_redirects(fx: FixtureServer) -> None:
    result = check_one(fx.url("/chain/8"), opts(max_redirects=5))
    assert result.status == LinkStatus.TOO_MANY_REDIRECTS
    assert len(result.hops) == 6
    assert check_one(fx.url("/chain/5"), opts(max_redirects=5)).status == LinkStatus.REDIRECTED


def test_oversized_and_gzip_bomb_bodies_are_capped(fx: FixtureServer) -> None:
    results = check_urls_sync(
        [fx.url("/big"), fx.url("/big-declared"), fx.url("/bomb")],
        opts(max_bytes=500_000, max_decompressed_bytes=1_000_000),
    )
    assert results[fx.url("/big")].status == LinkStatus.TOO_LARGE
    assert "max_bytes" in results[fx.url("/big")].evidence
    assert "Content-Length" in results[fx.url("/big-declared")].evidence
    bomb = results[fx.url("/bomb")]
    assert bomb.status == LinkStatus.TOO_LARGE
    assert "max_decompressed_bytes" in bomb.evidence


def test_gzip_bomb_does_not_fill_memory(fx: FixtureServer) -> None:
    tracemalloc.start()
    result = check_one(fx.url("/bomb"), opts(max_decompressed_bytes=2_000_000, soft404_probe=False))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result.status == LinkStatus.TOO_LARGE
    assert peak < 12_000_000  # the bomb decodes to 20 MB


def test_timeouts(fx: FixtureServer) -> None:
    started = time.monotonic()
    results = check_urls_sync(
        [fx.url("/slow?delay=1.5"), fx.url("/stall"), fx.url("/trickle")],
        opts(read_timeout=0.3, deadline=1.0, retries=0),
    )
    assert time.monotonic() - started < 4.5  # the trickle alone would last 5 s
    assert results[fx.url("/slow?delay=1.5")].status == LinkStatus.TIMEOUT
    assert "read timeout" in results[fx.url("/stall")].evidence
    trickle = results[fx.url("/trickle")]  # bytes keep coming, so only the deadline stops it
    assert trickle.status == LinkStatus.TIMEOUT and "deadline" in trickle.evidence


def test_connection_refused_is_retried(fx: FixtureServer) -> None:
    url = f"http://127.0.0.1:{fx.closed_port}/x"
    result = check_one(url, opts(retries=2))
    assert result.status == LinkStatus.CONNECTION_REFUSED
    assert result.attempts == 3
    assert result.error and "ConnectError" in result.error


def test_dns_failure_fails_fast_without_retry() -> None:
    started = time.monotonic()
    result = check_one("http://no-such-host.invalid/page", opts(retries=3))
    assert result.status == LinkStatus.DNS_FAILURE
    assert result.attempts == 1
    assert time.monotonic() - started < 2.5


def test_tls_error_on_a_plain_http_port(fx: FixtureServer) -> None:
    result = check_one(fx.url("/page/a", scheme="https"))
    assert result.status == LinkStatus.TLS_ERROR
    assert "TLS" in result.evidence


def test_429_retry_after_seconds_pauses_the_host(fx: FixtureServer) -> None:
    url = fx.url("/rate/s?after=1")
    started = time.monotonic()
    result = check_one(url, opts(retries=2, soft404_probe=False))
    elapsed = time.monotonic() - started
    assert result.status == LinkStatus.OK and result.attempts == 2
    assert 1.0 <= elapsed < 3.0
    arrivals = [s.at for s in fx.seen("/rate/s")]
    assert len(arrivals) == 2 and arrivals[1] - arrivals[0] >= 0.99


def test_429_retry_after_http_date(fx: FixtureServer) -> None:
    # the clock says 00:00:00.7, the server says retry at 00:00:01: wait 0.3 s
    clock = lambda: datetime(2025, 1, 1, 0, 0, 0, 700_000, tzinfo=UTC)  # noqa: E731
    started = time.monotonic()
    result = check_one(fx.url("/rate-date/d"), opts(soft404_probe=False), clock=clock)
    elapsed = time.monotonic() - started
    assert result.status == LinkStatus.OK and result.attempts == 2
    assert 0.28 <= elapsed < 2.0


def test_429_with_a_long_retry_after_gives_up_at_once(fx: FixtureServer) -> None:
    started = time.monotonic()
    result = check_one(fx.url("/rate/l?after=3600&times=9"), opts(retries=3, max_retry_wait=5))
    assert time.monotonic() - started < 4.0  # neither 3600 s nor max_retry_wait (5 s)
    assert result.status == LinkStatus.RATE_LIMITED
    assert "Retry-After 3600 s exceeds max_retry_wait" in result.evidence
    assert result.attempts == 1


def test_503_then_200(fx: FixtureServer) -> None:
    result = check_one(fx.url("/flaky/f?times=1"), opts(retries=1, soft404_probe=False))
    assert result.status == LinkStatus.OK and result.attempts == 2


def test_duplicates_are_checked_once(fx: FixtureServer) -> None:
    base = fx.url("/page/dup")
    variants = [base, base + "#section", base.replace("http://", "HTTP://"), base]
    seen: list[LinkCheck] = []
    results = check_urls_sync(variants, opts(soft404_probe=False), on_result=seen.append)
    assert set(results) == set(variants)
    assert len(fx.seen("/page/dup")) == 1
    assert {r.status for r in results.values()} == {LinkStatus.OK}
    assert results[base + "#section"].url == base + "#section"
    assert len(seen) == 3  # one call per distinct input string


def test_host_interval_is_exact(fx: FixtureServer) -> None:
    starts: list[float] = []
    urls = [fx.url(f"/page/i{i}") for i in range(6)]
    options = opts(host_interval=0.15, host_concurrency=3, soft404_probe=False)
    check_urls_sync(urls, options, trace=lambda event, url, t: starts.append(t))
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert len(starts) == 6
    assert min(gaps) >= 0.15  # client side: exact
    arrivals = sorted(s.at for s in fx.seen("/page/i"))
    server_gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    # server side: arrival times jitter when the machine is loaded (the server threads share
    # the GIL), so one gap can shrink as its neighbour grows; the span cannot
    assert min(server_gaps) >= 0.08  # spaced, never a burst
    assert arrivals[-1] - arrivals[0] >= 5 * 0.15 - 0.02
    assert max(server_gaps) < 0.6  # and no needless waiting


def test_host_interval_is_per_host(fx: FixtureServer) -> None:
    urls = [fx.url(f"/page/h{i}", host) for i in range(2) for host in range(4)]
    started = time.monotonic()
    check_urls_sync(urls, opts(host_interval=0.3, soft404_probe=False))
    assert time.monotonic() - started < 1.6  # 4 hosts in parallel: about 0.3 s, not 2.1 s


def test_global_and_host_concurrency_limits(fx: FixtureServer) -> None:
    urls = [fx.url(f"/slow/g{i}?delay=0.2", i % 4) for i in range(12)]
    check_urls_sync(urls, opts(max_concurrency=3, host_concurrency=3, soft404_probe=False))
    # the limit is never exceeded, and requests do run in parallel (exactly reaching the
    # limit depends on scheduling on a loaded machine)
    assert 2 <= fx.max_total_in_flight <= 3
    fx.reset()
    urls = [fx.url(f"/slow/h{i}?delay=0.2", 1) for i in range(6)]
    check_urls_sync(urls, opts(max_concurrency=10, host_concurrency=2, soft404_probe=False))
    assert 1 <= fx.max_in_flight[1] <= 2


def test_soft_404_probe_is_shared_per_directory(fx: FixtureServer) -> None:
    urls = [fx.url(f"/gone-dir/item{i}", 1) for i in range(5)]
    results = check_urls_sync(urls, opts(soft404_probe=True))
    assert {r.status for r in results.values()} == {LinkStatus.SOFT_404}
    assert len(fx.seen("/gone-dir/auditor-probe-", 1)) == 1


def test_user_agent_and_no_cookies(fx: FixtureServer) -> None:
    check_one(fx.url("/page/ua"), opts(user_agent="auditor-test/9", soft404_probe=False))
    (seen,) = fx.seen("/page/ua")
    assert seen.headers["user-agent"] == "auditor-test/9"
    assert "cookie" not in seen.headers


def test_extract_gives_text_date_and_fingerprint(fx: FixtureServer) -> None:
    result = check_one(fx.url("/page/extract"), opts(extract=True, soft404_probe=False))
    assert result.main_text and "réforme extract" in result.main_text
    assert result.published and result.published.startswith("2024-03-05")
    assert result.text_fingerprint and result.text_fingerprint.startswith("simhash:")


def test_async_api_and_transport_injection() -> None:
    async def main() -> dict[str, LinkCheck]:
        transport = httpx.MockTransport(lambda r: httpx.Response(410))
        return await check_urls(["https://a.example/x"], FAST, transport=transport)

    assert asyncio.run(main())["https://a.example/x"].status == LinkStatus.GONE


def test_resolver_reuses_one_client() -> None:
    async def main() -> None:
        async with Resolver(
            FAST, transport=httpx.MockTransport(lambda r: httpx.Response(200, text="ok"))
        ) as resolver:
            client = resolver._client
            await resolver.check("https://a.example/1")
            await resolver.check("https://a.example/2")
            assert resolver._client is client

    asyncio.run(main())


# ---------------------------------------------------------------------------
# Fast URL parsing, wires, two-process runs, simhash


_URL_LABEL = st.text(alphabet="abcXYZ019-_", min_size=1, max_size=6)
_URL_HOST = st.one_of(
    st.lists(_URL_LABEL, min_size=1, max_size=3).map(".".join),
    st.lists(
        st.sampled_from(["0", "1", "01", "127", "255", "256", "999"]), min_size=4, max_size=4
    ).map(".".join),
    st.sampled_from(["例え.jp", "a..b", "", "[::1]"]),
)
_URL_PORT = st.sampled_from(["", ":0", ":80", ":443", ":8080", ":0080", ":65536", ":", ":123456"])
_URL_REST = st.lists(
    st.sampled_from(
        [*"azAZ09-._~!$&'()*+,;=:@/%?#[]\\^`{}|<>\"é", "%41", "%zz", "/./", "/../", "..", " "]
    ),
    max_size=12,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(["http", "https", "HTTP"]), _URL_HOST, _URL_PORT, _URL_REST)
def test_fast_url_parsing_agrees_with_httpx(scheme: str, host: str, port: str, rest: str) -> None:
    """The regex fast path gives exactly what the httpx.URL path gives (or the same error)."""
    text = f"{scheme}://{host}{port}{rest}"

    def outcome(parse: Callable[[str], ParsedURL]) -> object:
        try:
            return parse(text)
        except InvalidURL as exc:
            return ("invalid", str(exc))

    def slow(url: str) -> ParsedURL:  # parse_url's checks, then httpx.URL
        url = url.strip()
        if resolve._BAD_CHAR_RE.search(url):
            raise InvalidURL("whitespace or control character inside the URL")
        return resolve._parse_slow(url)

    assert outcome(parse_url) == outcome(slow)


def test_fast_url_parsing_examples() -> None:
    parsed = parse_url("http://127.0.0.2:8080/news/1?x=%41#frag")
    assert parsed.key == "http://127.0.0.2:8080/news/1?x=%41"
    assert parsed.url == "http://127.0.0.2:8080/news/1?x=%41#frag"
    assert (parsed.host, parsed.port, parsed.target) == ("127.0.0.2", 8080, "/news/1?x=%41")
    assert parse_url("https://Example.org:443").key == "https://example.org/"
    assert parse_url("http://a.b/x/../y").key == "http://a.b/y"  # httpx removes dot segments
    with pytest.raises(InvalidURL, match="Invalid IPv4"):
        parse_url("http://256.1.1.1/")


def test_simhash_does_not_depend_on_the_hash_seed() -> None:
    """Past 5,000 shingles the first ones in text order are kept (not a set's order)."""
    script = (
        "from auditor.resolve import simhash\n"
        "print(simhash(' '.join(f'w{i % 7000} v{i % 13}' for i in range(12000))))\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1 and outputs.pop().startswith("simhash:")


def test_httpx_wire_on_the_loopback_server(fx: FixtureServer) -> None:
    """The httpx wire (used with injected transports) still classifies real answers."""
    cases = {
        fx.url("/page/hx"): LinkStatus.OK,
        fx.url("/chain/2"): LinkStatus.REDIRECTED,
        fx.url("/no/such/article", 1): LinkStatus.SOFT_404,
        fx.url("/gone"): LinkStatus.GONE,
        fx.url("/gzip-page"): LinkStatus.OK,
        fx.url("/bomb"): LinkStatus.TOO_LARGE,
        f"http://127.0.0.1:{fx.closed_port}/x": LinkStatus.CONNECTION_REFUSED,
    }
    results = check_urls_sync(list(cases), opts(retries=0), wire="httpx")
    assert {url: results[url].status for url in cases} == cases
    assert results[fx.url("/gzip-page")].title == "Article gzip - Le Quotidien"
    assert results[fx.url("/page/hx")].hops[0].ip == "127.0.0.1"


def test_native_errors_read_like_httpx_errors(fx: FixtureServer) -> None:
    """The native wire raises TransportError subclasses named as httpx's, chained to the
    socket error, so ``error`` and the evidence read the same on both wires."""
    refused = check_one(f"http://127.0.0.1:{fx.closed_port}/x", opts(retries=0))
    assert refused.error is not None and refused.error.startswith("ConnectError: ")
    stalled = check_one(fx.url("/stall"), opts(read_timeout=0.3, retries=0))
    assert stalled.error is not None and stalled.error.startswith("ReadTimeout: ")
    assert classify_error(resolve.ConnectTimeout("x"))[1] == "connect timeout"
    assert resolve._is_retriable(resolve.ConnectTimeout("x"))
    assert not resolve._is_retriable(resolve.ReadTimeout("x"))


class _ShardSite(BaseHTTPRequestHandler):
    """Pages, and ``/to?u=URL`` redirecting anywhere; counts in-flight requests per host."""

    protocol_version = "HTTP/1.1"
    lock = threading.Lock()
    log: ClassVar[list[tuple[str, str, float]]] = []
    in_flight: ClassVar[dict[str, int]] = {}
    peak: ClassVar[dict[str, int]] = {}

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        host = self.server.server_address[0]
        with self.lock:
            self.log.append((host, self.path, time.monotonic()))
            self.in_flight[host] = self.in_flight.get(host, 0) + 1
            self.peak[host] = max(self.peak.get(host, 0), self.in_flight[host])
            self.peak["all"] = max(self.peak.get("all", 0), sum(self.in_flight.values()))
        try:
            time.sleep(0.02)
            if self.path.startswith("/to?u="):
                self.send_response(302)
                self.send_header("Location", self.path.removeprefix("/to?u="))
                body = b""
            elif self.path.startswith("/page/"):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                body = f"<title>Page {self.path}</title><p>{self.path} " * 20
                body = body.encode()
            else:
                self.send_response(404)
                body = b""
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        finally:
            with self.lock:
                self.in_flight[host] -= 1


_SHARD_CHECKER = """
import json, sys
import auditor.resolve as resolve
from auditor.resolve import ResolverOptions, check_urls_sync

used = []
real = resolve._check_sharded
async def spy(*args, **kwargs):
    used.append(True)
    return await real(*args, **kwargs)
resolve._check_sharded = spy
urls = json.loads(sys.argv[1])
options = ResolverOptions(max_concurrency=6, host_concurrency=2, host_interval=0.1,
                          retries=0, extract=False, trust_env=False)
starts = []
results = check_urls_sync(urls, options, shard=True,
                          trace=lambda event, url, at: starts.append((url, at)))
print(json.dumps({
    "sharded": bool(used),
    "order": list(results),
    "status": {u: r.status.value for u, r in results.items()},
    "hops": {u: [h.url for h in r.hops] for u, r in results.items()},
    "starts": starts,
}))
"""


def test_two_process_run_keeps_order_results_and_politeness() -> None:
    """A run split by host over two processes: results in input order, cross-host
    redirects handed over both ways, per-host limits and intervals exact across both."""
    servers = []
    for address in ("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"):
        server = ThreadingHTTPServer((address, 0), _ShardSite)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
    _ShardSite.log.clear()
    _ShardSite.peak.clear()
    try:
        base = [f"http://{s.server_address[0]}:{s.server_address[1]}" for s in servers]
        urls = []
        for h in range(4):
            urls += [f"{base[h]}/page/{h}-{i}" for i in range(5)]
            urls += [f"{base[h]}/to?u={base[(h + 1) % 4]}/page/from-{h}-{i}" for i in range(2)]
        done = subprocess.run(
            [sys.executable, "-c", _SHARD_CHECKER, json.dumps(urls)],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        out = json.loads(done.stdout)
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
    assert out["sharded"]
    assert out["order"] == urls
    for url in urls:
        expected = "redirected" if "/to?u=" in url else "ok"
        assert out["status"][url] == expected, (url, out["status"][url])
        if expected == "redirected":
            assert out["hops"][url][-1] == url.split("/to?u=")[1]
    # politeness, client side (every request start of both processes, one clock) ...
    per_host: dict[str, list[float]] = {}
    for url, at in out["starts"]:
        per_host.setdefault(urlsplit(url).netloc, []).append(at)
    assert len(per_host) == 4
    for starts in per_host.values():
        starts.sort()
        assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.1
    # ... and server side
    assert max(_ShardSite.peak[h] for h in _ShardSite.peak if h != "all") <= 2
    assert _ShardSite.peak["all"] <= 6
    arrivals: dict[str, list[float]] = {}
    for host, _path, at in _ShardSite.log:
        arrivals.setdefault(host, []).append(at)
    for times in arrivals.values():  # single arrival times jitter (this process's threads),
        times.sort()  # but two processes pacing one host apiece would halve the span
        assert times[-1] - times[0] >= (len(times) - 1) * 0.1 - 0.05


def test_small_runs_and_injected_transports_stay_in_one_process() -> None:
    batch = resolve._Batch.of(
        [f"http://h{i % 3}.example/{i}" for i in range(10)], datetime.now, None
    )
    assert resolve._plan_shards(batch, FAST, None, force=False) is None  # below SHARD_MIN_URLS
    big = resolve._Batch.of(
        [f"http://h{i % 3}.example/{i}" for i in range(resolve.SHARD_MIN_URLS)], datetime.now, None
    )
    from dataclasses import replace as dc_replace

    assert resolve._plan_shards(big, dc_replace(FAST, processes=1), None, force=True) is None
    assert resolve._plan_shards(big, FAST, "httpx", force=True) is None


class _LongHeaders(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body = b"<title>Long headers</title><p>page</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Security-Policy", "default-src 'self' " + "x" * 20_000)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_long_response_headers_are_accepted() -> None:
    """A 20 KB header line (long CSPs exist) is read, not taken for a protocol error."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _LongHeaders)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/x"
        result = check_one(url, opts(soft404_probe=False))
    finally:
        server.shutdown()
        server.server_close()
    assert result.status == LinkStatus.OK and result.title == "Long headers"


def test_proxy_variables_are_read_once_and_no_proxy_honoured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("http_proxy", "HTTP_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.setenv(name, "127.0.0.2,.internal.example")
    for name in ("all_proxy", "ALL_PROXY", "REQUEST_METHOD"):
        monkeypatch.delenv(name, raising=False)

    async def proxies(options: ResolverOptions) -> list[str | None]:
        wire = resolve._NativeWire(options)
        try:
            return [
                wire._proxy_for(parse_url(url))
                for url in (
                    "http://example.org/",
                    "http://127.0.0.2/x",
                    "http://a.internal.example/",
                )
            ]
        finally:
            await wire.aclose()

    assert asyncio.run(proxies(opts(trust_env=True))) == ["http://127.0.0.1:9", None, None]
    assert asyncio.run(proxies(opts(trust_env=False))) == [None, None, None]


def test_urgent_requests_go_first_among_a_hosts_waiters() -> None:
    """A soft-404 probe (urgent) queued behind a host's waiting checks is served next; the
    others keep their order; a cancelled waiter gives its place (or its slot) back."""

    async def run() -> tuple[list[str], int]:
        politeness = resolve.Politeness(max_concurrency=10, host_concurrency=1, interval=0)
        order: list[str] = []

        async def request(name: str, urgent: bool = False) -> None:
            await politeness.acquire("h", urgent)
            order.append(name)
            await asyncio.sleep(0.01)
            politeness.release("h")

        first = asyncio.create_task(request("first"))
        await asyncio.sleep(0)
        waiting = [asyncio.create_task(request(f"page{i}")) for i in range(3)]
        doomed = asyncio.create_task(request("cancelled"))
        await asyncio.sleep(0)
        probe = asyncio.create_task(request("probe", urgent=True))
        await asyncio.sleep(0)
        doomed.cancel()
        await asyncio.gather(first, *waiting, probe)
        state = politeness._hosts["h"]
        return order, state.slots.free

    order, free = asyncio.run(run())
    assert order == ["first", "probe", "page0", "page1", "page2"]
    assert free == 1  # every slot came back


def test_one_waiter_at_a_time_waits_out_a_hosts_interval(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ten slot holders of one host with an interval: each start costs one sleep (the next in
    line waits, the others queue), not a wake-up of every holder at every start; an urgent
    request still goes first through the interval; starts stay an interval apart."""
    sleeps: list[float] = []
    real_sleep = asyncio.sleep

    async def counted_sleep(delay: float) -> None:
        sleeps.append(delay)
        await real_sleep(delay)

    monkeypatch.setattr(resolve.asyncio, "sleep", counted_sleep)

    async def run() -> tuple[list[str], list[float], int]:
        politeness = resolve.Politeness(max_concurrency=100, host_concurrency=10, interval=0.02)
        order: list[str] = []
        starts: list[float] = []

        async def request(name: str, urgent: bool = False) -> None:
            starts.append(await politeness.acquire("h", urgent))
            order.append(name)
            politeness.release("h")

        tasks = [asyncio.create_task(request(f"page{i}")) for i in range(10)]
        await real_sleep(0)  # page0 started; page1 waits out the interval, 2-9 queue
        tasks.append(asyncio.create_task(request("probe", urgent=True)))
        await asyncio.gather(*tasks)
        return order, starts, politeness._hosts["h"].slots.free

    order, starts, free = asyncio.run(run())
    assert order[:3] == ["page0", "page1", "probe"]  # the probe overtakes pages 2-9
    assert order[3:] == [f"page{i}" for i in range(2, 10)]  # the rest in their order
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert min(gaps) >= 0.02
    assert len(sleeps) <= 11 + 2  # one per start after the first, give or take a late wake
    assert free == 10


def test_a_waiter_cancelled_as_its_slot_is_released_gives_nothing_back_twice() -> None:
    """The wait is cancelled, then the slot is released before the waiting task runs again:
    the release skips the cancelled waiter, and the task's cleanup must not fail on it."""

    async def run() -> int:
        slots = resolve._Slots(1)
        await slots.acquire()
        waiting = asyncio.create_task(slots.acquire())
        await asyncio.sleep(0)  # the task now waits for the slot
        waiting.cancel()
        slots.release()  # same turn: the waiter is cancelled, not yet resumed
        with pytest.raises(asyncio.CancelledError):
            await waiting
        return slots.free

    assert asyncio.run(run()) == 1
