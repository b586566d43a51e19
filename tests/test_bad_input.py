"""Bad input: each gets one clear line on stderr and the documented exit code (2); the other
inputs of the batch are still audited and written. Never a traceback.

The network is never the internet: URLs go to HTTP servers started here on 127.0.0.1, to a
closed local port, or through ``httpx.MockTransport``.
"""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from cli_helpers import invoke
from typer.testing import Result

from auditor.config import load_settings
from auditor.errors import InputError
from auditor.ingest import IngestOptions, decode, ingest

FRENCH = (
    "Le député socialiste a déclaré mercredi à l’Assemblée que la réforme des retraites « coûtera "
    "cher » aux ménages modestes. Selon l’Insee, près de 14 % des Français vivent sous le seuil de "
    "pauvreté. Le rapport évoque un déficit de 3,5 milliards d’euros en 2024, un chiffre contesté "
    "par le ministère de l’Économie.\n\nLes élus de l’opposition réclament une étude d’impact "
    "indépendante avant l’été, a précisé le député.\n"
)
GOOD = (
    "Selon la préfecture, la route départementale restera fermée jusqu’à lundi. "
    "Les travaux de réfection ont pris du retard après les orages de la semaine dernière.\n"
)
MB = 1024 * 1024


def errors_of(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if not line.startswith("auditor: audited ")]


def audit_json(tmp_path: Path, source: Path) -> dict[str, Any]:
    out = tmp_path / "out"
    result = invoke(["audit", str(source), "--output", str(out), "--format", "json", "--offline"])
    assert result.exit_code == 0, result.stderr
    report: dict[str, Any] = json.loads((out / f"{source.stem}.json").read_text(encoding="utf-8"))
    return report


def refused(path: Path, max_input_bytes: int | None = None) -> str:
    """The one-line message ``ingest`` refuses ``path`` with."""
    options = IngestOptions(max_input_bytes=max_input_bytes) if max_input_bytes else None
    with pytest.raises(InputError) as caught:
        ingest(str(path), options=options)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(path))
    return message


# ---------------------------------------------------------------------------
# Empty and binary


@pytest.mark.parametrize("content", [b"", b"   \n\t\n  \r\n", "\u00a0\u2003\n".encode()])
def test_empty_or_blank_file_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    assert "empty" in refused(path)


@pytest.mark.parametrize(
    ("name", "content", "what"),
    [
        ("photo.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "PNG"),
        ("doc.html", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
        ("archive.md", b"PK\x03\x04" + bytes(200), "ZIP"),
        ("noise.txt", random.Random(7).randbytes(4096), "binary"),
    ],
)
def test_binary_file_is_refused(tmp_path: Path, name: str, content: bytes, what: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    message = refused(path)
    assert "binary" in message and what in message


def test_random_bytes_without_nul_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "noise.txt"
    path.write_bytes(random.Random(11).randbytes(4096).replace(b"\x00", b"\x01"))
    message = refused(path)
    assert "binary" in message or "not text" in message


def test_markup_without_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "blank.html"
    path.write_text("<html><head><script>var a = 1;</script></head><body><div></div></body></html>")
    assert "no article text" in refused(path)


# ---------------------------------------------------------------------------
# Encodings


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-16", "utf-16-be-bom", "utf-8-sig"])
def test_french_in_other_encodings_is_decoded(tmp_path: Path, encoding: str) -> None:
    text = FRENCH
    if encoding == "latin-1":  # no curly apostrophe or Œ in Latin-1
        text = FRENCH.replace("’", "'").replace("É", "E")
    if encoding == "utf-16-be-bom":
        data = b"\xfe\xff" + text.encode("utf-16-be")
    else:
        data = text.encode(encoding)
    path = tmp_path / "article.txt"
    path.write_bytes(data)
    article = ingest(str(path))
    assert "Le député socialiste a déclaré mercredi" in article.text
    assert "pauvreté" in article.text and "\ufeff" not in article.text
    if encoding == "cp1252":
        assert "l’Économie" in article.text
    assert article.sha256 != ""


def test_latin1_report_carries_the_decoded_words(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes(FRENCH.replace("’", "'").replace("É", "E").encode("latin-1"))
    report = audit_json(tmp_path, path)
    assert any("Le député socialiste" in c["text"] for c in report["claims"])
    assert report["document"]["encoding"] != "utf-8"


def test_short_windows_1252_text_keeps_its_accents() -> None:
    text, _ = decode("L’élu « démissionne » à Noël.".encode("cp1252"), "x")
    assert text == "L’élu « démissionne » à Noël."


def test_utf8_with_one_stray_byte_keeps_its_accents() -> None:
    data = (FRENCH * 3).encode("utf-8") + b" caf\xe9 " + FRENCH.encode("utf-8")
    text, _ = decode(data, "x")
    assert text.count("Le député socialiste") == 4


# ---------------------------------------------------------------------------
# Size


@pytest.fixture(scope="module")
def big_text(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 50 MB text file, written as a repeated line."""
    path = tmp_path_factory.mktemp("big") / "big.txt"
    line = "Le gouvernement a annoncé une nouvelle réforme des retraites ce mercredi. " * 4 + "\n"
    block = (line * (MB // len(line.encode()) + 1)).encode()[:MB]
    with path.open("wb") as handle:
        for _ in range(50):
            handle.write(block)
    assert path.stat().st_size == 50 * MB
    return path


def test_a_text_over_the_cap_is_refused_without_being_read(big_text: Path) -> None:
    tracemalloc.start()
    try:
        message = refused(big_text, max_input_bytes=10 * MB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "too large" in message and "50.0 MB" in message
    assert peak < 2 * MB


def test_cli_refuses_a_large_text_and_audits_the_others(tmp_path: Path, big_text: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    out = tmp_path / "out"
    started = time.monotonic()
    result = invoke(
        ["audit", str(big_text), str(good), "--output", str(out), "--format", "json"],
        env={"AUDITOR_INGEST_MAX_INPUT_BYTES": str(10 * MB)},
    )
    assert result.exit_code == 2
    assert errors_of(result) == [
        f"auditor: {big_text}: too large (50.0 MB > 10.0 MB cap, see ingest.max_input_bytes)"
    ]
    assert sorted(p.name for p in out.iterdir()) == ["good.json"]
    assert time.monotonic() - started < 30


def test_50_mb_text_is_refused_with_the_default_settings(tmp_path: Path, big_text: Path) -> None:
    """The default cap refuses a 50 MB text at once, without reading it all."""
    cap = int(load_settings(env={}).get("ingest.max_input_bytes"))
    assert cap < big_text.stat().st_size
    result = invoke(["audit", str(big_text), "--output", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert len(errors_of(result)) == 1 and "too large" in result.stderr


def test_stdin_over_the_cap_is_refused(tmp_path: Path) -> None:
    result = invoke(
        ["audit", "-", "--output", str(tmp_path / "out")],
        stdin=b"mot " * 300_000,
        env={"AUDITOR_INGEST_MAX_INPUT_BYTES": "100000"},
    )
    assert result.exit_code == 2
    assert errors_of(result) == [
        "auditor: -: too large (over the 0.1 MB cap, see ingest.max_input_bytes)"
    ]


# ---------------------------------------------------------------------------
# Malformed HTML


def test_malformed_html_is_still_audited(tmp_path: Path) -> None:
    path = tmp_path / "broken.html"
    path.write_text(
        "<html><head><title>Titre <b>cassé</head><body><div><p>Le ministre a déclaré que la "
        "réforme <i>serait votée avant l’été. <p>Selon Le Monde, le texte <<<>>> passera en "
        "juin.</span></i></div></div></table> &bogus; &#xZZ; <p>Fin du texte sans fermeture "
        "d’aucune balise, comme souvent dans les copies.",
        encoding="utf-8",
    )
    report = audit_json(tmp_path, path)
    texts = " ".join(c["text"] for c in report["claims"])
    assert "Le ministre a déclaré que la réforme serait votée avant l’été." in texts
    assert "<" not in texts.replace("<<<>>>", "")


def test_deeply_nested_html_is_audited_or_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "nested.html"
    path.write_text(
        "<html><body>" + "<div><span>" * 1500 + "<p>Le ministre a déclaré que la "
        "réforme serait votée.</p>" + "</span></div>" * 1500 + "</body></html>"
    )
    result = invoke(["audit", str(path), "--output", str(tmp_path / "out"), "--format", "json"])
    assert result.exit_code in (0, 2)
    assert len(errors_of(result)) == (0 if result.exit_code == 0 else 1)


# ---------------------------------------------------------------------------
# Unreadable files in a directory


def test_directory_with_a_broken_symlink(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    (folder / "gone.txt").symlink_to(tmp_path / "deleted.txt")
    out = tmp_path / "out"
    result = invoke(["audit", str(folder), "--output", str(out), "--format", "json"])
    assert result.exit_code == 2
    assert errors_of(result) == [f"auditor: {folder / 'gone.txt'}: no such file"]
    assert [p.name for p in out.iterdir()] == ["good.json"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_directory_with_an_unreadable_file(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    locked = folder / "locked.txt"
    locked.write_text(GOOD, encoding="utf-8")
    locked.chmod(0)
    try:
        out = tmp_path / "out"
        result = invoke(["audit", str(folder), "--output", str(out), "--format", "json"])
    finally:
        locked.chmod(0o644)
    assert result.exit_code == 2
    assert errors_of(result) == [f"auditor: {locked}: permission denied"]
    assert [p.name for p in out.iterdir()] == ["good.json"]


def test_a_directory_named_like_an_article(tmp_path: Path) -> None:
    odd = tmp_path / "x.txt"
    odd.mkdir()
    result = invoke(["audit", str(odd), "--output", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert len(errors_of(result)) == 1 and str(odd) in result.stderr


def test_a_fifo_is_refused_instead_of_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    code = (
        "import sys\nfrom auditor.ingest import ingest\nfrom auditor.errors import InputError\n"
        "try:\n    ingest(sys.argv[1])\nexcept InputError as e:\n    print(e)\n"
    )
    try:
        proc = subprocess.run(
            [sys.executable, "-c", code, str(fifo)], capture_output=True, text=True, timeout=3
        )
    except subprocess.TimeoutExpired:
        pytest.fail("reading a FIFO blocks")
    assert str(fifo) in proc.stdout


# ---------------------------------------------------------------------------
# URLs


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep test output clean
        return

    def do_GET(self) -> None:
        if self.path == "/article":
            body = (
                "<html lang='fr'><head><title>Route fermée</title>"
                "<link rel='canonical' href='https://journal.example/route'></head><body>"
                f"<article><h1>Route fermée</h1><p>{GOOD}</p><p>{GOOD}</p></article>"
                "</body></html>"
            ).encode()
            self._send(200, body, "text/html; charset=utf-8")
        elif self.path == "/slow":
            time.sleep(2)
            self._send(200, b"<p>trop tard</p>", "text/html")
        elif self.path == "/big":
            self._send(200, b"<p>" + b"a" * (2 * MB) + b"</p>", "text/html")
        elif self.path == "/empty":
            self._send(200, b"", "text/html")
        else:
            self._send(404, b"not found", "text/plain")

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_url_that_does_not_resolve_through_the_library() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)

    with pytest.raises(InputError) as caught:
        ingest("http://nonexistent.invalid/", transport=httpx.MockTransport(handler))
    assert str(caught.value) == "http://nonexistent.invalid/: does not resolve"


def test_fetched_url_is_audited(tmp_path: Path, server: str) -> None:
    out = tmp_path / "out"
    result = invoke(["audit", f"{server}/article", "--output", str(out), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    (report_path,) = out.iterdir()
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["document"]["path"] == f"{server}/article"
    assert report["document"]["canonical_url"] == "https://journal.example/route"
    assert any("route départementale" in c["text"] for c in report["claims"])


def test_bad_urls_each_fail_in_one_line_and_the_batch_goes_on(tmp_path: Path, server: str) -> None:
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    refused_port = f"http://127.0.0.1:{_closed_port()}/article"
    bad = {
        "http://nonexistent.invalid/": "nonexistent.invalid",
        refused_port: "connection failed",
        f"{server}/missing": "HTTP 404",
        f"{server}/slow": "timed out after 0.5 s",
        f"{server}/big": "cap (fetch.max_bytes)",
        f"{server}/empty": "empty input",
        "ftp://example.org/article.txt": "unsupported URL scheme",
        "file:///etc/hostname": "unsupported URL scheme",
    }
    out = tmp_path / "out"
    result = invoke(
        ["audit", *bad, str(good), "--output", str(out), "--format", "json"],
        env={"AUDITOR_FETCH_TIMEOUT": "0.5", "AUDITOR_FETCH_MAX_BYTES": str(MB)},
    )
    assert result.exit_code == 2
    lines = errors_of(result)
    assert len(lines) == len(bad)
    for line, (url, expected) in zip(lines, bad.items(), strict=True):
        assert line.startswith(f"auditor: {url}: "), line
        assert expected in line, line
    assert [p.name for p in out.iterdir()] == ["good.json"]
    assert f"audited 1 of {len(bad) + 1} input(s)" in result.stderr


def test_one_batch_of_every_bad_file_still_writes_the_good_ones(tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a_good.txt").write_text(GOOD, encoding="utf-8")
    (folder / "b_empty.txt").write_bytes(b"")
    (folder / "c_image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (folder / "d_latin1.txt").write_bytes(
        FRENCH.replace("’", "'").replace("É", "E").encode("latin-1")
    )
    (folder / "e_utf16.md").write_bytes(FRENCH.encode("utf-16"))
    (folder / "f_gone.html").symlink_to(tmp_path / "nowhere.html")
    (folder / "g_good.md").write_text("# Un titre\n\n" + GOOD, encoding="utf-8")
    out = tmp_path / "out"
    result = invoke(["audit", str(folder), "--output", str(out), "--format", "json"])
    assert result.exit_code == 2
    assert errors_of(result) == [
        f"auditor: {folder / 'b_empty.txt'}: empty input",
        f"auditor: {folder / 'c_image.txt'}: binary file (a PNG image), not an article",
        f"auditor: {folder / 'f_gone.html'}: no such file",
    ]
    assert sorted(p.name for p in out.iterdir()) == [
        "a_good.json",
        "d_latin1.json",
        "e_utf16.json",
        "g_good.json",
    ]
    assert "audited 4 of 7 input(s)" in result.stderr and "3 failed" in result.stderr
