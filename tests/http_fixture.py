"""A real HTTP server on loopback addresses for resolver and archive tests.

Four threaded ``http.server`` instances listen on 127.0.0.1 … 127.0.0.4 (one per "host"),
each on its own port. Every host shares the routes below; what an unknown path answers
depends on the host, so one fixture serves every case:

- host 0 (127.0.0.1): a well-behaved site, unknown paths answer 404; also the fake Wayback
  Machine (``/wayback/available``, ``/cdx/search/cdx``, ``/save``, ``/save/status/<job>``).
- host 1 (127.0.0.2): a soft-404 site, unknown paths answer 200 with a generic page.
- host 2 (127.0.0.3): unknown paths redirect to the homepage; robots.txt disallows auditor.
- host 3 (127.0.0.4): unknown paths redirect to ``/oops``, a 200 error page.

Every request is logged (host, method, path, arrival time) and in-flight requests are counted
per host and overall, so tests can check politeness from the server's side.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import socket
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

HOSTS = ("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4")
BOMB_SIZE = 20 * 1024 * 1024  # decoded size of /bomb (gzip of zeros, about 20 KB on the wire)
RETRY_DATE = "Wed, 01 Jan 2025 00:00:01 GMT"  # Retry-After date of /rate-date


def article(name: str, site: str = "Le Quotidien") -> bytes:
    """A distinct article page: its words depend on ``name``."""
    words = " ".join(
        f"{name}{i} mot{hashlib.md5(f'{name}{i}'.encode()).hexdigest()[:6]}" for i in range(120)
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>Article {name} - {site}</title>"
        f"<link rel='canonical' href='/page/{name}'>"
        "<meta property='article:published_time' content='2024-03-05T10:00:00+00:00'>"
        "</head><body><nav>Accueil Politique Monde</nav><article>"
        f"<h1>Article {name}</h1><p>Le ministre a annoncé mardi une réforme {name}. {words}</p>"
        f"<p>Selon le rapport publié le 5 mars 2024, la mesure {name} concerne 12 000 personnes."
        "</p></article><footer>Mentions légales</footer></body></html>"
    ).encode()


SOFT_404_PAGE = (
    "<html><head><title>Le Quotidien</title></head><body><nav>Accueil Politique Monde</nav>"
    "<p>Désolé, ce contenu n'est plus disponible. Retour à l'accueil.</p>"
    "<p>Chemin demandé : {path}</p><footer>Mentions légales</footer></body></html>"
)
HOME_PAGE = (
    "<html><head><title>Accueil - Site {n}</title></head><body><h1>Bienvenue</h1>"
    "<p>Les dernières nouvelles du site {n} : politique, monde, économie, culture.</p>"
    "</body></html>"
)
OOPS_PAGE = (
    "<html><head><title>Oups</title></head><body><p>Nous n'avons pas pu trouver cela.</p>"
    "</body></html>"
)
ROBOTS = {
    0: "User-agent: *\nDisallow: /private/\n",
    2: "User-agent: auditor\nDisallow: /\n\nUser-agent: *\nDisallow:\n",
}


@dataclass(frozen=True)
class Seen:
    host: int
    method: str
    path: str
    at: float  # time.monotonic() on arrival
    headers: dict[str, str]
    body: bytes = b""


class FixtureServer:
    """The servers, their request log and concurrency counters."""

    def __init__(self) -> None:
        self.servers: list[ThreadingHTTPServer] = []
        self.log: list[Seen] = []
        self.lock = threading.Lock()
        self.counters: dict[str, int] = {}
        self.in_flight = [0] * len(HOSTS)
        self.max_in_flight = [0] * len(HOSTS)
        self.total_in_flight = 0
        self.max_total_in_flight = 0
        self.stopping = threading.Event()
        self.bomb = gzip.compress(b"\0" * BOMB_SIZE, compresslevel=9)
        self.closed_port = _closed_port()
        self.spn_polls: dict[str, int] = {}
        self.spn_targets: dict[str, str] = {}

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> FixtureServer:
        for index, address in enumerate(HOSTS):
            server = ThreadingHTTPServer((address, 0), _Handler)
            server.daemon_threads = True
            server.fixture = self  # type: ignore[attr-defined]
            server.index = index  # type: ignore[attr-defined]
            thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
            thread.start()
            self.servers.append(server)
        return self

    def stop(self) -> None:
        self.stopping.set()
        for server in self.servers:
            server.shutdown()
            server.server_close()

    # -- helpers for tests -------------------------------------------------------

    def url(self, path: str, host: int = 0, scheme: str = "http") -> str:
        address, port = self.servers[host].server_address[:2]
        return f"{scheme}://{address}:{port}{path}"

    def base(self, host: int = 0) -> str:
        return self.url("", host)

    def reset(self) -> None:
        with self.lock:
            self.log.clear()
            self.counters.clear()
            self.in_flight = [0] * len(HOSTS)
            self.max_in_flight = [0] * len(HOSTS)
            self.total_in_flight = self.max_total_in_flight = 0

    def seen(self, path_prefix: str = "", host: int | None = None) -> list[Seen]:
        with self.lock:
            return [
                s
                for s in self.log
                if s.path.startswith(path_prefix) and (host is None or s.host == host)
            ]

    def count(self, key: str) -> int:
        with self.lock:
            self.counters[key] = self.counters.get(key, 0) + 1
            return self.counters[key]


def _closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return int(port)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fixture/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def handle(self) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError, TimeoutError):
            super().handle()

    @property
    def fx(self) -> FixtureServer:
        return self.server.fixture  # type: ignore[attr-defined,no-any-return]

    @property
    def host_index(self) -> int:
        return self.server.index  # type: ignore[attr-defined,no-any-return]

    def do_GET(self) -> None:
        self._serve("GET")

    def do_HEAD(self) -> None:
        self._serve("HEAD")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        fx = self.fx
        body = b""
        if method == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
        with fx.lock:
            fx.log.append(
                Seen(
                    self.host_index,
                    method,
                    self.path,
                    time.monotonic(),
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
            )
            fx.in_flight[self.host_index] += 1
            fx.total_in_flight += 1
            fx.max_in_flight[self.host_index] = max(
                fx.max_in_flight[self.host_index], fx.in_flight[self.host_index]
            )
            fx.max_total_in_flight = max(fx.max_total_in_flight, fx.total_in_flight)
        self._counted = True
        try:
            self._route(method, body)
        finally:
            self._answered()

    def _answered(self) -> None:
        """The request stops counting as in flight. Called before the answer is written: once
        the client has the answer it may send its next request, which must not find this one
        still counted (a race a loaded machine shows)."""
        if getattr(self, "_counted", False):
            self._counted = False
            with self.fx.lock:
                self.fx.in_flight[self.host_index] -= 1
                self.fx.total_in_flight -= 1

    # -- responses -------------------------------------------------------------

    def _send(
        self,
        code: int,
        body: bytes = b"",
        ctype: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
        method: str = "GET",
    ) -> None:
        self._answered()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(body)

    def _redirect(self, target: str, code: int = 301) -> None:
        self._send(code, b"", headers={"Location": target})

    def _route(self, method: str, body: bytes) -> None:
        split = urlsplit(self.path)
        path, query = split.path, parse_qs(split.query)
        fx, host = self.fx, self.host_index
        if path.startswith(("/wayback/", "/cdx/", "/save")) and host == 0:
            self._wayback(method, path, query, body)
            return
        if path == "/robots.txt":
            if host in ROBOTS:
                self._send(200, ROBOTS[host].encode(), "text/plain")
            else:
                self._send(404, b"no robots", "text/plain")
            return
        if path == "/":
            self._send(200, HOME_PAGE.format(n=host).encode(), method=method)
        elif path.startswith("/page/"):
            self._send(200, article(path.removeprefix("/page/")), method=method)
        elif path.startswith("/same/"):  # identical bodies under different URLs
            self._send(200, article("same"), method=method)
        elif path.startswith("/chain/") and path.removeprefix("/chain/").isdigit():
            n = int(path.removeprefix("/chain/"))
            if n <= 0:
                self._send(200, article("chain-end"), method=method)
            else:
                self._redirect(f"/chain/{n - 1}", 302 if n % 2 else 301)
        elif path == "/loop/a":
            self._redirect("/loop/b")
        elif path == "/loop/b":
            self._redirect(fx.url("/loop/a", host))
        elif path == "/http-to-page":
            self._redirect(fx.url("/page/moved-target", 1), 308)
        elif path == "/moved":
            self._redirect("/", 301)
        elif path == "/missing":
            self._send(404, b"<title>Not found</title>")
        elif path == "/gone":
            self._send(410, b"<title>Gone</title>")
        elif path == "/forbidden":
            self._send(403, b"<title>Forbidden</title>")
        elif path == "/challenge":
            self._send(
                403, b"<title>Just a moment...</title>", headers={"cf-mitigated": "challenge"}
            )
        elif path == "/private-area":
            self._send(
                401, b"<title>Login</title>", headers={"WWW-Authenticate": 'Basic realm="x"'}
            )
        elif path == "/members-only":
            self._redirect("/login?next=/members-only", 302)
        elif path == "/login":
            self._send(200, b"<html><head><title>Connexion</title></head><body>form</body></html>")
        elif path == "/deleted":
            self._send(
                200,
                b"<html><head><title>Page introuvable - Le Quotidien</title></head>"
                b"<body>Cette page n'existe pas.</body></html>",
            )
        elif path == "/refresh-home":
            self._send(
                200,
                b"<html><head><meta http-equiv='refresh' content='0; url=/'>"
                b"<title>Redirection</title></head><body></body></html>",
            )
        elif path == "/oops":
            self._send(200, OOPS_PAGE.encode())
        elif path.startswith("/rate/"):
            if fx.count(path) <= int(query.get("times", ["1"])[0]):
                self._send(
                    429,
                    b"slow down",
                    "text/plain",
                    headers={"Retry-After": query.get("after", ["1"])[0]},
                )
            else:
                self._send(200, article(path.replace("/", "-")))
        elif path.startswith("/rate-date/"):
            if fx.count(path) <= 1:
                self._send(429, b"slow down", "text/plain", headers={"Retry-After": RETRY_DATE})
            else:
                self._send(200, article(path.replace("/", "-")))
        elif path.startswith("/flaky/"):
            if fx.count(path) <= int(query.get("times", ["1"])[0]):
                self._send(503, b"busy", "text/plain")
            else:
                self._send(200, article(path.replace("/", "-")))
        elif path.startswith("/broken/"):
            self._send(500, b"oops", "text/plain")
        elif path.startswith("/slow"):
            delay = float(query.get("delay", ["0.3"])[0])
            fx.stopping.wait(delay)
            self._send(200, article("slow" + path.replace("/", "-")), method=method)
        elif path == "/stall":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"<html><title>stall</title>")
            self.wfile.flush()
            fx.stopping.wait(5)
            self.close_connection = True
        elif path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            for _ in range(100):
                if fx.stopping.wait(0.05):
                    break
                self.wfile.write(b"<p>x</p>")
                self.wfile.flush()
            self.close_connection = True
        elif path == "/big":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"<p>" + b"a" * 65536 + b"</p>"
            for _ in range(40):  # about 2.6 MB, no Content-Length
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
        elif path == "/big-declared":
            self._send(200, b"x" * 3_000_000)
        elif path == "/bomb":
            self._send(200, fx.bomb, headers={"Content-Encoding": "gzip"})
        elif path == "/gzip-page":
            self._send(200, gzip.compress(article("gzip")), headers={"Content-Encoding": "gzip"})
        elif path == "/deflate-page":
            raw = zlib.compressobj(wbits=-15)
            data = raw.compress(article("deflate")) + raw.flush()
            self._send(200, data, headers={"Content-Encoding": "deflate"})
        elif path == "/chunked-page":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            data = article("chunked")
            for i in range(0, len(data), 1000):
                part = data[i : i + 1000]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        elif path.endswith(".pdf"):
            if method == "HEAD" and "head405" in path:
                self._send(405, b"", "text/plain", method="HEAD")
            else:
                self._send(200, b"%PDF-1.4 fake", "application/pdf", method=method)
        elif path.startswith("/private/"):
            self._send(200, article(path.replace("/", "-")), method=method)
        else:
            self._unknown(path, method)

    def _unknown(self, path: str, method: str) -> None:
        host = self.host_index
        if host == 1:
            self._send(200, SOFT_404_PAGE.format(path=path).encode(), method=method)
        elif host == 2:
            self._redirect("/", 302)
        elif host == 3:
            self._redirect("/oops", 302)
        else:
            self._send(404, b"<html><head><title>Not Found</title></head></html>", method=method)

    # -- fake Wayback Machine ----------------------------------------------------

    def _json(self, data: Any, code: int = 200, headers: dict[str, str] | None = None) -> None:
        self._send(code, json.dumps(data).encode(), "application/json", headers=headers)

    def _wayback(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> None:
        fx = self.fx
        url = query.get("url", [""])[0]
        if path == "/wayback/available":
            if "avail-error" in url or "all-error" in url:
                self._send(500, b"error", "text/plain")
            elif "nocapture" in url or "cdxonly" in url:
                self._json({"url": url, "archived_snapshots": {}})
            else:
                stamp = query.get("timestamp", ["20240101000000"])[0].ljust(14, "0")
                self._json(
                    {
                        "url": url,
                        "archived_snapshots": {
                            "closest": {
                                "available": True,
                                "status": "200",
                                "timestamp": stamp,
                                "url": f"http://web.archive.org/web/{stamp}/{url}",
                            }
                        },
                    }
                )
        elif path == "/cdx/search/cdx":
            if "all-error" in url:
                self._send(503, b"error", "text/plain")
            elif "nocapture" in url:
                self._send(200, b"", "text/plain")
            else:
                rows = [
                    ["timestamp", "original", "statuscode"],
                    ["20230101000000", url, "200"],
                    ["20240301000000", url, "200"],
                    ["20250101000000", url, "200"],
                ]
                self._json(rows)
        elif path == "/save" and method == "POST":
            target = parse_qs(body.decode()).get("url", [""])[0]
            if self.headers.get("Authorization") != "LOW key:secret":
                self._json({"message": "bad keys"}, 401)
            elif "daily-limit" in target:
                self._json(
                    {
                        "status": "error",
                        "status_ext": "error:too-many-daily-captures",
                        "message": "This URL has been already captured 10 times today.",
                    }
                )
            elif "session-limit" in target:
                self._json(
                    {
                        "status": "error",
                        "status_ext": "error:user-session-limit",
                        "message": "You have already reached the limit of active sessions.",
                    }
                )
            elif "spn-429" in target:
                self._json({"message": "Too many requests"}, 429, {"Retry-After": "30"})
            else:
                job = "spn2-" + hashlib.sha1(target.encode()).hexdigest()[:12]
                with fx.lock:
                    fx.spn_polls[job] = 0
                    fx.spn_targets[job] = target
                self._json({"url": target, "job_id": job})
        elif path.startswith("/save/status/"):
            job = path.rsplit("/", 1)[1]
            with fx.lock:
                fx.spn_polls[job] = fx.spn_polls.get(job, 0) + 1
                target = fx.spn_targets.get(job, "")
            if "job-fails" in target:
                self._json(
                    {
                        "status": "error",
                        "status_ext": "error:not-found",
                        "message": "Target URL not found",
                        "job_id": job,
                    }
                )
            elif "never-done" in target or fx.spn_polls[job] < 2:
                self._json({"status": "pending", "job_id": job})
            else:
                self._json(
                    {
                        "status": "success",
                        "job_id": job,
                        "timestamp": "20260101120000",
                        "original_url": target,
                    }
                )
        else:
            self._send(404, b"", "text/plain")


@pytest.fixture(scope="module")
def http_fixture() -> Iterator[FixtureServer]:
    """The loopback servers (started once per test module)."""
    server = FixtureServer().start()
    try:
        yield server
    finally:
        server.stop()
