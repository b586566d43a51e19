"""A small HTTP/1.1 client for the resolver: asyncio transports, httptools' parser.

Link checking is CPU-bound in the client: a thousand short requests spend more time in
the HTTP library than on the network. aiohttp and httpx build many objects per request
(URL objects, multidicts, connectors, response classes) that a link checker does not use;
this client does only what the resolver needs, on asyncio's own connection code
(``loop.create_connection`` with happy eyeballs and TLS) and llhttp, the parser Node.js uses
(through ``httptools``, as uvicorn does): about a third of aiohttp's CPU per request.

What it does: one request at a time per connection, ``Host`` and fixed headers, the answer's
status, reason, headers as received and peer address, the body as received (transfer
coding removed, content coding kept: the resolver's capped decoder does the decoding),
keep-alive with a small idle pool per origin, read back-pressure, connect and read
timeouts, interim (1xx) answers skipped, a cap on header bytes. What it leaves out, because
the resolver does not need it: request bodies, cookies, redirects (the resolver follows them
itself), decompression, proxies (the resolver sends proxied requests through httpx).

Failures are raised as :class:`TransportError` subclasses named after httpx's, chained to
the socket, DNS or TLS error that caused them.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httptools

HEADER_BYTES_LIMIT = 1024 * 1024  # status line and headers of one answer
HIGH_WATER = 256 * 1024  # body bytes buffered before the socket is paused
IDLE_SECONDS = 5.0  # an idle keep-alive connection is dropped after this
HAPPY_EYEBALLS_DELAY = 0.25  # RFC 8305's recommended connection attempt delay
DNS_SECONDS = 60.0  # a host's addresses are looked up again after this


class TransportError(Exception):
    """A network failure below HTTP (the httpx wire raises httpx's own).

    The subclasses carry the same names and meaning as httpx's, so the resolver's
    classification and ``LinkCheck.error`` read the same whichever client made the request;
    the original exception is chained (``raise … from``) so the socket, DNS or TLS error
    stays visible.
    """

    kind = "connection"


class ConnectError(TransportError):
    """The connection could not be made (refused, DNS, TLS…: see the chained cause)."""


class ConnectTimeout(TransportError):
    """No connection within the connect timeout."""

    kind = "connect-timeout"


class ReadTimeout(TransportError):
    """No data within the read timeout."""

    kind = "read-timeout"


class ReadError(TransportError):
    """The connection failed while the answer was being read (reset, closed)."""


class RemoteProtocolError(TransportError):
    """The server broke HTTP (a malformed answer, a body cut short)."""

    kind = "protocol"


class _Connection(asyncio.Protocol):
    """One TCP (or TLS) connection and the answer being parsed on it."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future[None] | None = None
        self.lost = False
        self.idle_since = 0.0
        self._begin()

    def _begin(self) -> None:
        """Fresh state for the next answer."""
        self.parser = httptools.HttpResponseParser(self)
        self.reason = b""
        self.raw_headers: list[tuple[bytes, bytes]] = []
        self.status = 0
        self.headers_done = False
        self.interim = False
        self.complete = False
        self.keep_alive = False  # the answer allows another request (read at its end)
        self.received = 0  # bytes of this answer so far (any part)
        self.header_bytes = 0
        self.chunks: list[bytes] = []
        self.buffered = 0
        self.paused = False
        self.error: BaseException | None = None

    # -- asyncio.Protocol ----------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's are not subclasses

    def data_received(self, data: bytes) -> None:
        self.received += len(data)
        if not self.headers_done:
            self.header_bytes += len(data)
            if self.header_bytes > HEADER_BYTES_LIMIT:
                self._fail(RemoteProtocolError(f"headers exceed {HEADER_BYTES_LIMIT} bytes"))
                return
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(RemoteProtocolError("the server switched protocols"))
        except httptools.HttpParserError as exc:
            self._fail(RemoteProtocolError(f"malformed answer: {exc}"))
        if self.buffered > HIGH_WATER and not self.paused and self.transport is not None:
            self.paused = True
            self.transport.pause_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if not self.complete and self.error is None:
            if self.headers_done and self._ends_at_close():
                self.complete = True  # the body was delimited by the end of the connection
            elif isinstance(exc, OSError):
                self.error = ReadError(f"connection lost: {exc}")
                self.error.__cause__ = exc
            elif self.headers_done:
                self.error = RemoteProtocolError("the server closed before the body was complete")
            else:
                self.error = RemoteProtocolError("the server closed without answering")
        self._wake()

    # -- httptools callbacks ---------------------------------------------------

    def on_status(self, reason: bytes) -> None:
        self.reason += reason

    def on_header(self, name: bytes, value: bytes) -> None:
        self.raw_headers.append((name, value))

    def on_headers_complete(self) -> None:
        status = self.parser.get_status_code()
        if 100 <= status < 200 and status != 101:
            self.interim = True  # 100 Continue, 103 Early Hints: the real answer follows
            return
        self.status = status
        self.headers_done = True
        self._wake()

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)
        self.buffered += len(body)
        self._wake()

    def on_message_complete(self) -> None:
        if self.interim:
            self.interim = False
            self.reason = b""
            self.raw_headers = []
            self.header_bytes = 0
            return
        self.complete = True
        self.keep_alive = self.parser.should_keep_alive()  # reset once feed_data returns
        self._wake()

    # -- helpers -----------------------------------------------------------------

    def _fail(self, error: BaseException) -> None:
        self.error = error
        if self.transport is not None:
            self.transport.close()
        self._wake()

    def _wake(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _ends_at_close(self) -> bool:
        for name, value in self.raw_headers:
            lowered = name.lower()
            if lowered == b"content-length":
                return False
            if lowered == b"transfer-encoding" and b"chunked" in value.lower():
                return False
        return True

    async def wait(self, timeout: float) -> None:
        """Until the protocol has news (headers, body, end or failure), at most ``timeout``."""
        self.waiter = self.loop.create_future()
        try:
            async with asyncio.timeout(timeout):
                await self.waiter
        except TimeoutError:
            raise ReadTimeout(f"no data for {timeout:g} s") from None
        finally:
            self.waiter = None

    def take(self) -> bytes:
        """The body bytes buffered so far (and reading resumed if it was paused)."""
        data = self.chunks[0] if len(self.chunks) == 1 else b"".join(self.chunks)
        self.chunks = []
        self.buffered = 0
        if self.paused and self.transport is not None and not self.lost:
            self.paused = False
            self.transport.resume_reading()
        return data

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class Response:
    """An answer whose status line and headers are in; read the body with :meth:`chunks`,
    then :meth:`aclose` (which returns the connection to the pool when it can serve again)."""

    __slots__ = (
        "_client",
        "_conn",
        "_origin",
        "http_version",
        "peer_ip",
        "raw_headers",
        "reason",
        "request_headers",
        "status_code",
    )

    def __init__(
        self,
        client: Client,
        conn: _Connection,
        origin: tuple[str, str, int],
        request_headers: tuple[tuple[bytes, bytes], ...],
        peer_ip: str | None,
    ) -> None:
        self._client = client
        self._conn = conn
        self._origin = origin
        self.status_code = conn.status
        self.reason = conn.reason.decode("latin-1")
        self.http_version = f"HTTP/{conn.parser.get_http_version()}"
        self.raw_headers: tuple[tuple[bytes, bytes], ...] = tuple(conn.raw_headers)
        self.request_headers = request_headers
        self.peer_ip = peer_ip

    async def chunks(self) -> AsyncIterator[bytes]:
        """The body as it arrives (transfer coding removed, content coding kept)."""
        conn = self._conn
        while True:
            if conn.chunks:
                yield conn.take()
            elif conn.complete:
                return
            elif conn.error is not None:
                raise conn.error
            else:
                await conn.wait(self._client.read_timeout)

    async def aclose(self) -> None:
        conn = self._conn
        if conn.complete and not conn.lost and conn.error is None and conn.keep_alive:
            conn.take()  # an answer received whole: its unread body is dropped, reading resumed
            self._client._release(self._origin, conn)
        else:
            conn.close()


class Client:
    """Sends GET and HEAD requests over pooled HTTP/1.1 connections.

    ``headers`` are sent with every request after ``Host``; ``ssl_context`` is built on the
    first HTTPS request when not given. Use as an async context manager, or call
    :meth:`aclose`.
    """

    def __init__(
        self,
        headers: Sequence[tuple[str, str]],
        *,
        connect_timeout: float,
        read_timeout: float,
        max_idle: int = 100,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.max_idle = max_idle
        self._ssl = ssl_context
        self._headers = tuple((k.encode("latin-1"), v.encode("latin-1")) for k, v in headers)
        self._header_block = b"".join(k + b": " + v + b"\r\n" for k, v in self._headers)
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self._idle_count = 0
        self._closed = False
        self._dns: dict[tuple[str, int], tuple[float, list[tuple[Any, ...]]]] = {}
        self._dns_pending: dict[tuple[str, int], asyncio.Future[Any]] = {}

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def _ssl_context(self) -> ssl.SSLContext:
        """Verified TLS with certifi's roots when installed (as httpx uses), built once."""
        if self._ssl is None:
            try:
                import certifi

                context = ssl.create_default_context(cafile=certifi.where())
            except ImportError:
                context = ssl.create_default_context()
            context.set_alpn_protocols(["http/1.1"])
            self._ssl = context
        return self._ssl

    async def send(self, method: str, scheme: str, host: str, port: int, target: str) -> Response:
        """Send ``method target`` to ``scheme://host:port`` and return once the headers are in.

        ``host`` is the ASCII (IDNA) host name or an IP address (IPv6 without brackets).
        """
        default_port = 443 if scheme == "https" else 80
        host_header = f"[{host}]" if ":" in host else host
        if port != default_port:
            host_header = f"{host_header}:{port}"
        request_headers = ((b"Host", host_header.encode("ascii")), *self._headers)
        try:
            head = f"{method} {target} HTTP/1.1\r\nHost: {host_header}\r\n".encode("ascii")
        except UnicodeEncodeError as exc:
            raise RemoteProtocolError(f"the request target is not ASCII: {target!r}") from exc
        request = head + self._header_block + b"\r\n"
        origin = (scheme, host, port)
        while True:
            conn, reused = self._pooled(origin)
            if conn is None:
                conn = await self._connect(scheme, host, port)
            assert conn.transport is not None
            conn.transport.write(request)
            try:
                while not conn.headers_done:
                    if conn.error is not None:
                        raise conn.error
                    await conn.wait(self.read_timeout)
            except TransportError:
                conn.close()
                if reused and conn.received == 0:
                    continue  # the server had dropped the idle connection: a new one
                raise
            except BaseException:
                conn.close()
                raise
            peer = conn.transport.get_extra_info("peername")
            peer_ip = str(peer[0]) if isinstance(peer, tuple) and peer else None
            return Response(self, conn, origin, request_headers, peer_ip)

    async def _connect(self, scheme: str, host: str, port: int) -> _Connection:
        loop = asyncio.get_running_loop()
        tls: dict[str, Any] = {}
        if scheme == "https":
            tls = {"ssl": self._ssl_context(), "server_hostname": host}
        try:
            async with asyncio.timeout(self.connect_timeout):
                if _is_ip(host):  # no lookup, no race: connect the socket directly
                    family = socket.AF_INET6 if ":" in host else socket.AF_INET
                    sock = socket.socket(family, socket.SOCK_STREAM)
                    try:
                        sock.setblocking(False)
                        await loop.sock_connect(sock, (host, port))
                    except BaseException:
                        sock.close()
                        raise
                    _transport, conn = await loop.create_connection(
                        lambda: _Connection(loop), sock=sock, **tls
                    )
                    return conn
                infos = await self._addresses(loop, host, port)
                if len(infos) == 1:
                    address = infos[0][4]
                    _transport, conn = await loop.create_connection(
                        lambda: _Connection(loop), address[0], address[1], **tls
                    )
                    return conn
                import aiohappyeyeballs

                sock = await aiohappyeyeballs.start_connection(
                    infos, happy_eyeballs_delay=HAPPY_EYEBALLS_DELAY, interleave=1
                )
                _transport, conn = await loop.create_connection(
                    lambda: _Connection(loop), sock=sock, **tls
                )
                return conn
        except TimeoutError:
            raise ConnectTimeout(f"no connection within {self.connect_timeout:g} s") from None
        except (OSError, ssl.SSLError) as exc:
            raise ConnectError(_describe(exc)) from exc

    async def _addresses(
        self, loop: asyncio.AbstractEventLoop, host: str, port: int
    ) -> list[tuple[Any, ...]]:
        """The host's addresses, looked up once per ``DNS_SECONDS`` (failures are not kept;
        concurrent lookups of one host share one query)."""
        key = (host, port)
        known = self._dns.get(key)
        if known is not None and known[0] > time.monotonic():
            return known[1]
        pending = self._dns_pending.get(key)
        if pending is None:
            pending = asyncio.ensure_future(loop.getaddrinfo(host, port, type=socket.SOCK_STREAM))
            self._dns_pending[key] = pending
            pending.add_done_callback(lambda _: self._dns_pending.pop(key, None))
        infos = list(await asyncio.shield(pending))
        if not infos:
            raise socket.gaierror(socket.EAI_NONAME, f"no address for {host}")
        self._dns[key] = (time.monotonic() + DNS_SECONDS, infos)
        return infos

    def _pooled(self, origin: tuple[str, str, int]) -> tuple[_Connection | None, bool]:
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            conn = idle.pop()
            self._idle_count -= 1
            if conn.lost or now - conn.idle_since > IDLE_SECONDS:
                conn.close()
                continue
            conn._begin()
            return conn, True
        return None, False

    def _release(self, origin: tuple[str, str, int], conn: _Connection) -> None:
        if self._closed or self._idle_count >= self.max_idle:
            conn.close()
            return
        conn.idle_since = time.monotonic()
        self._idle.setdefault(origin, []).append(conn)
        self._idle_count += 1

    async def aclose(self) -> None:
        self._closed = True
        for conns in self._idle.values():
            for conn in conns:
                conn.close()
        self._idle.clear()
        self._idle_count = 0


_IP_HOSTS: dict[str, bool] = {}


def _is_ip(host: str) -> bool:
    """True for an IPv4 or IPv6 address (no lookup needed)."""
    known = _IP_HOSTS.get(host)
    if known is None:
        try:
            ipaddress.ip_address(host)
            known = True
        except ValueError:
            known = False
        if len(_IP_HOSTS) < 4096:
            _IP_HOSTS[host] = known
    return known


def _describe(exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror):
        return f"name resolution failed: {exc}"
    return str(exc) or type(exc).__name__
