"""The resolver's HTTP/1.1 client (auditor.wire) against a scripted server on 127.0.0.1.

Each test gives the server the exact bytes to answer, so the edge cases of HTTP/1.1 framing
are exercised as a real server would send them: keep-alive, a connection dropped while idle,
bodies ended by the close of the connection, chunked bodies, interim 1xx answers, oversized
headers, malformed answers, stalls.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable, Iterator

import pytest

from auditor import wire
from auditor.resolve import LinkStatus, ResolverOptions, check_urls_sync, classify_error

pytestmark = pytest.mark.network_local

Script = Callable[[socket.socket, int], None]  # (client socket, request number on it)


class ScriptedServer:
    """Accepts connections on 127.0.0.1; for every request read, calls the script with the
    socket and the number of that request on its connection. Records each request head."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.requests: list[bytes] = []
        self.connections = 0
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self._stop:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        buffer = b""
        number = 0
        with client:
            while True:
                while b"\r\n\r\n" not in buffer:
                    try:
                        data = client.recv(65536)
                    except OSError:
                        return
                    if not data:
                        return
                    buffer += data
                head, buffer = buffer.split(b"\r\n\r\n", 1)
                self.requests.append(head)
                try:
                    self.script(client, number)
                except OSError:
                    return
                number += 1
                if getattr(client, "_closed", False) or client.fileno() < 0:
                    return

    def close(self) -> None:
        self._stop = True
        self.sock.close()


@pytest.fixture
def serve() -> Iterator[Callable[[Script], ScriptedServer]]:
    servers: list[ScriptedServer] = []

    def start(script: Script) -> ScriptedServer:
        server = ScriptedServer(script)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def fetch_all(port: int, paths: list[str], **options: float) -> list[tuple[int, bytes, str]]:
    """GET each path in turn on one client: (status, body, reason)."""

    async def run() -> list[tuple[int, bytes, str]]:
        results = []
        async with wire.Client(
            [("User-Agent", "test")],
            connect_timeout=options.get("connect_timeout", 5.0),
            read_timeout=options.get("read_timeout", 5.0),
        ) as client:
            for path in paths:
                response = await client.send("GET", "http", "127.0.0.1", port, path)
                body = b"".join([chunk async for chunk in response.chunks()])
                await response.aclose()
                results.append((response.status_code, body, response.reason))
        return results

    return asyncio.run(run())


def answer(body: bytes, *headers: str, status: str = "200 OK") -> bytes:
    head = f"HTTP/1.1 {status}\r\n" + "".join(h + "\r\n" for h in headers)
    return head.encode() + b"\r\n" + body


def test_keep_alive_reuses_one_connection(serve: Callable[[Script], ScriptedServer]) -> None:
    server = serve(lambda s, n: s.sendall(answer(f"page {n}".encode(), "Content-Length: 6")))
    results = fetch_all(server.port, ["/a", "/b", "/c"])
    assert [body for _, body, _ in results] == [b"page 0", b"page 1", b"page 2"]
    assert server.connections == 1
    first = server.requests[0].decode()
    assert first.startswith("GET /a HTTP/1.1\r\n")
    assert f"Host: 127.0.0.1:{server.port}" in first and "User-Agent: test" in first


def test_connection_close_is_not_reused(serve: Callable[[Script], ScriptedServer]) -> None:
    def script(sock: socket.socket, n: int) -> None:
        sock.sendall(answer(b"bye", "Content-Length: 3", "Connection: close"))
        sock.shutdown(socket.SHUT_RDWR)

    server = serve(script)
    results = fetch_all(server.port, ["/a", "/b"])
    assert [body for _, body, _ in results] == [b"bye", b"bye"]
    assert server.connections == 2


def test_idle_connection_dropped_by_the_server_is_replaced(
    serve: Callable[[Script], ScriptedServer],
) -> None:
    """The server closes after answering while advertising keep-alive: the second request
    goes out on the pooled (dead) connection, gets nothing back, and is sent again on a new
    connection instead of failing."""

    def script(sock: socket.socket, n: int) -> None:
        sock.sendall(answer(b"ok", "Content-Length: 2"))
        sock.shutdown(socket.SHUT_RDWR)

    server = serve(script)

    async def run() -> list[bytes]:
        bodies = []
        async with wire.Client([], connect_timeout=5.0, read_timeout=5.0) as client:
            for path in ("/a", "/b"):
                response = await client.send("GET", "http", "127.0.0.1", server.port, path)
                bodies.append(b"".join([c async for c in response.chunks()]))
                await response.aclose()
                await asyncio.sleep(0.05)  # let the close arrive... or not: both must work
        return bodies

    assert asyncio.run(run()) == [b"ok", b"ok"]
    assert server.connections == 2


def test_body_delimited_by_the_close_of_the_connection(
    serve: Callable[[Script], ScriptedServer],
) -> None:
    def script(sock: socket.socket, n: int) -> None:
        sock.sendall(answer(b"", "Content-Type: text/html"))
        sock.sendall(b"<title>no length</title>")
        sock.sendall(b" and more")
        sock.shutdown(socket.SHUT_RDWR)

    server = serve(script)
    [(status, body, _)] = fetch_all(server.port, ["/x"])
    assert status == 200 and body == b"<title>no length</title> and more"


def test_chunked_body_arrives_without_its_framing(
    serve: Callable[[Script], ScriptedServer],
) -> None:
    chunked = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    server = serve(lambda s, n: s.sendall(answer(chunked, "Transfer-Encoding: chunked")))
    results = fetch_all(server.port, ["/a", "/b"])
    assert [body for _, body, _ in results] == [b"hello world", b"hello world"]
    assert server.connections == 1  # the chunked end is the message end: reusable


def test_interim_answers_are_skipped(serve: Callable[[Script], ScriptedServer]) -> None:
    def script(sock: socket.socket, n: int) -> None:
        sock.sendall(b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n")
        sock.sendall(answer(b"real", "Content-Length: 4", status="404 Not Found"))

    server = serve(script)
    [(status, body, reason)] = fetch_all(server.port, ["/x"])
    assert (status, body, reason) == (404, b"real", "Not Found")


def test_body_cut_short_is_a_protocol_error(serve: Callable[[Script], ScriptedServer]) -> None:
    def script(sock: socket.socket, n: int) -> None:
        sock.sendall(answer(b"only part", "Content-Length: 100"))
        sock.shutdown(socket.SHUT_RDWR)

    server = serve(script)
    with pytest.raises(wire.RemoteProtocolError, match="before the body was complete"):
        fetch_all(server.port, ["/x"])


def test_garbage_answer_is_a_protocol_error(serve: Callable[[Script], ScriptedServer]) -> None:
    server = serve(lambda s, n: s.sendall(b"SSH-2.0-OpenSSH_9.6\r\n\r\n"))
    with pytest.raises(wire.RemoteProtocolError, match="malformed"):
        fetch_all(server.port, ["/x"])


def test_endless_headers_stop_at_the_cap(
    serve: Callable[[Script], ScriptedServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wire, "HEADER_BYTES_LIMIT", 10_000)

    def script(sock: socket.socket, n: int) -> None:
        sock.sendall(b"HTTP/1.1 200 OK\r\n")
        for i in range(2000):
            sock.sendall(f"X-Filler-{i}: {'x' * 50}\r\n".encode())

    server = serve(script)
    with pytest.raises(wire.RemoteProtocolError, match="headers exceed 10000 bytes"):
        fetch_all(server.port, ["/x"])


def test_a_stalled_answer_is_a_read_timeout(serve: Callable[[Script], ScriptedServer]) -> None:
    gate = threading.Event()
    server = serve(lambda s, n: gate.wait(5))
    try:
        with pytest.raises(wire.ReadTimeout):
            fetch_all(server.port, ["/x"], read_timeout=0.2)
    finally:
        gate.set()


def test_large_body_is_read_whole_through_back_pressure(
    serve: Callable[[Script], ScriptedServer],
) -> None:
    big = bytes(range(256)) * 8192  # 2 MiB: well past the buffer's high-water mark
    server = serve(lambda s, n: s.sendall(answer(big, f"Content-Length: {len(big)}")))

    async def run() -> tuple[bytes, int]:
        async with wire.Client([], connect_timeout=5.0, read_timeout=5.0) as client:
            response = await client.send("GET", "http", "127.0.0.1", server.port, "/big")
            parts = []
            largest = 0
            async for chunk in response.chunks():
                largest = max(largest, len(chunk))
                parts.append(chunk)
                await asyncio.sleep(0)  # a slow reader
            await response.aclose()
            return b"".join(parts), largest

    body, largest = asyncio.run(run())
    assert body == big
    assert largest <= wire.HIGH_WATER + 65536 * 4  # never the whole body buffered at once


def test_host_names_are_looked_up_once(serve: Callable[[Script], ScriptedServer]) -> None:
    """``localhost`` goes through the lookup (and happy eyeballs when it has several
    addresses); the answer is reused for the next connection."""
    server = serve(lambda s, n: s.sendall(answer(b"hi", "Content-Length: 2", "Connection: close")))
    lookups: list[str] = []

    async def run() -> list[int]:
        loop = asyncio.get_running_loop()
        real = loop.getaddrinfo

        async def counting(host: str, *args: object, **kwargs: object) -> object:
            lookups.append(host)
            infos = await real(host, *args, **kwargs)  # type: ignore[arg-type]
            return [info for info in infos if info[0] == socket.AF_INET]

        loop.getaddrinfo = counting  # type: ignore[method-assign]
        statuses = []
        async with wire.Client([], connect_timeout=5.0, read_timeout=5.0) as client:
            for path in ("/a", "/b", "/c"):
                response = await client.send("GET", "http", "localhost", server.port, path)
                statuses.append(response.status_code)
                await response.aclose()
        return statuses

    assert asyncio.run(run()) == [200, 200, 200]
    assert lookups == ["localhost"]
    assert f"Host: localhost:{server.port}" in server.requests[0].decode()


def test_unknown_host_is_a_dns_failure() -> None:
    """A name that cannot resolve (the test run blocks non-loopback lookups; ``.invalid``
    never resolves anyway) is classified as dns-failure through the chained gaierror."""
    options = ResolverOptions(retries=0, host_interval=0, soft404_probe=False)
    result = check_urls_sync(["http://no-such-host.invalid/x"], options)
    check = result["http://no-such-host.invalid/x"]
    assert check.status == LinkStatus.DNS_FAILURE
    assert check.error is not None and check.error.startswith("ConnectError: ")


def test_refused_connection_reads_as_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(wire.ConnectError) as caught:
        fetch_all(port, ["/x"])
    assert classify_error(caught.value)[0] == LinkStatus.CONNECTION_REFUSED


def test_proxied_requests_go_through_httpx_to_the_proxy(
    serve: Callable[[Script], ScriptedServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``http_proxy`` set, the request goes to the proxy in absolute form (the native
    client does not speak to proxies; httpx does), and ``no_proxy`` hosts go direct."""
    page = b"<html><head><title>Via the proxy</title></head><body>ok</body></html>"
    proxy = serve(
        lambda s, n: s.sendall(
            answer(page, f"Content-Length: {len(page)}", "Content-Type: text/html")
        )
    )
    direct = serve(lambda s, n: s.sendall(answer(b"", "Content-Length: 0", status="410 Gone")))
    for name in ("all_proxy", "ALL_PROXY", "https_proxy", "HTTPS_PROXY", "REQUEST_METHOD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{proxy.port}")
    monkeypatch.setenv("no_proxy", "localhost")
    options = ResolverOptions(retries=0, host_interval=0, soft404_probe=False, trust_env=True)
    urls = ["http://news.example/article/1", f"http://localhost:{direct.port}/x"]
    results = check_urls_sync(urls, options)
    assert results[urls[0]].status == LinkStatus.OK
    assert results[urls[0]].title == "Via the proxy"
    assert proxy.requests[0].startswith(b"GET http://news.example/article/1 HTTP/1.1")
    assert results[urls[1]].status == LinkStatus.GONE  # straight to the server, not proxied
    assert len(proxy.requests) == 1


def test_an_answer_received_whole_frees_its_connection_unread(
    serve: Callable[[Script], ScriptedServer],
) -> None:
    """A 404 whose body nobody reads: once the whole answer is in, the connection serves
    the next request."""
    server = serve(
        lambda s, n: s.sendall(answer(b"not here", "Content-Length: 8", status="404 Not Found"))
    )

    async def run() -> list[int]:
        statuses = []
        async with wire.Client([], connect_timeout=5.0, read_timeout=5.0) as client:
            for path in ("/a", "/b"):
                response = await client.send("GET", "http", "127.0.0.1", server.port, path)
                statuses.append(response.status_code)
                await response.aclose()  # the body is not read
        return statuses

    assert asyncio.run(run()) == [404, 404]
    assert server.connections == 1
