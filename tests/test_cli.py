"""The ``auditor`` command: formats, outputs, batches, exit codes, configuration, resume.

Most cases run in-process through ``typer.testing.CliRunner`` (the spaCy model is loaded once
per test session); a few run the installed console script in a subprocess, to check what a
user really sees: stdout carries only reports, stderr one line per problem, never a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import invoke, offline
from typer.testing import Result

from auditor import __version__

ROOT = Path(__file__).resolve().parent.parent
AUDITOR = ROOT / ".venv" / "bin" / "auditor"
PYTHON = Path(sys.executable)

ARTICLE = """Le conseil municipal adopte le budget

Selon la préfecture, le budget 2025 atteindra 12,5 millions d’euros[1]. Le maire a déclaré \
que « les impôts locaux n’augmenteront pas ». Des sources proches du dossier évoquent pourtant \
un déficit caché.

L’opposition réclame un audit indépendant avant l’été.

[1] https://www.example.org/budget-2025
"""

OTHER = """Inondations : la vigilance rouge levée

D’après Météo-France, les pluies ont cessé dans la nuit. Les pompiers sont intervenus plus de \
300 fois depuis lundi, a indiqué la préfecture du Gard.
"""


def write(path: Path, text: str = ARTICLE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def error_lines(result: Result) -> list[str]:
    """stderr lines other than the closing summary."""
    return [line for line in result.stderr.splitlines() if not line.startswith("auditor: audited ")]


def reports(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def run(
    args: list[str],
    *,
    cwd: Path,
    env: dict[str, str] | None = None,
    stdin: bytes | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run the installed console script in a subprocess."""
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run(
        [str(AUDITOR), *offline(args)],
        cwd=cwd,
        env=full_env,
        input=stdin,
        capture_output=True,
        timeout=timeout,
    )
    out = subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")
    )
    assert "Traceback" not in out.stderr
    return out


# ---------------------------------------------------------------------------
# Outputs and formats


def test_audit_writes_markdown_and_json_named_after_the_input(tmp_path: Path) -> None:
    source = write(tmp_path / "budget municipal.txt")
    out = tmp_path / "out"
    result = invoke(["audit", str(source), "--output", str(out)])
    assert result.exit_code == 0, result.stderr
    assert reports(out) == ["budget-municipal.json", "budget-municipal.md"]
    report = json.loads((out / "budget-municipal.json").read_text(encoding="utf-8"))
    assert report["document"]["path"] == str(source)
    assert [f["number"] for f in report["footnotes"]] == [1]
    assert (out / "budget-municipal.md").read_text(encoding="utf-8").startswith("# Audit: ")
    assert result.stdout == ""
    assert result.stderr.startswith("auditor: audited 1 of 1 input(s)")
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("md", ["a.md"]),
        ("json", ["a.json"]),
        ("all", ["a.json", "a.md"]),
    ],
)
def test_format_flag_chooses_the_files(tmp_path: Path, fmt: str, expected: list[str]) -> None:
    source = write(tmp_path / "a.txt")
    result = invoke(["audit", str(source), "--format", fmt, "--output", str(tmp_path / "out")])
    assert result.exit_code == 0, result.stderr
    assert reports(tmp_path / "out") == expected


def test_output_dash_prints_one_json_document_for_one_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    source = write(tmp_path / "a.txt")
    result = invoke(["audit", str(source), "--output", "-"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)  # the whole of stdout is one document
    assert report["document"]["path"] == str(source)
    assert "audited 1 of 1" in result.stderr and "stdout" in result.stderr
    assert not (tmp_path / "reports").exists()  # nothing written to the default directory


def test_output_dash_prints_json_lines_for_several_inputs(tmp_path: Path) -> None:
    first, second = write(tmp_path / "a.txt"), write(tmp_path / "b.txt", OTHER)
    result = invoke(["audit", str(first), str(second), "--output", "-"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    paths = [json.loads(line)["document"]["path"] for line in lines]
    assert paths == [str(first), str(second)]


def test_output_dash_with_markdown_prints_the_markdown_report(tmp_path: Path) -> None:
    source = write(tmp_path / "a.txt")
    result = invoke(["audit", str(source), "--output", "-", "--format", "md"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# Audit: ")
    assert "## Footnotes" in result.stdout


def test_stdin_input(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke(["audit", "-", "--output", str(out), "--format", "json"], stdin=ARTICLE)
    assert result.exit_code == 0, result.stderr
    assert reports(out) == ["stdin.json"]
    report = json.loads((out / "stdin.json").read_text(encoding="utf-8"))
    assert report["document"]["path"] == "-"
    assert report["footnotes"][0]["urls"] == ["https://www.example.org/budget-2025"]


def test_stdin_given_twice_is_refused(tmp_path: Path) -> None:
    result = invoke(["audit", "-", "-", "--output", str(tmp_path / "out")], stdin=ARTICLE)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and "only once" in result.stderr
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------------------
# Batches


def test_directory_input_audits_every_article_recursively_skipping_hidden(tmp_path: Path) -> None:
    tree = tmp_path / "articles"
    write(tree / "a.txt")
    write(tree / "sub" / "b.md", "# Titre du billet\n\n" + OTHER)
    write(
        tree / "sub" / "deeper" / "c.html",
        "<html lang='fr'><body><article><h1>Titre</h1><p>"
        + OTHER.replace("\n", " ")
        + "</p><p>Un second paragraphe du même article, assez long pour être lu.</p>"
        "</article></body></html>",
    )
    write(tree / ".hidden.txt")
    write(tree / ".git" / "d.txt")
    write(tree / "notes.csv", "a,b\n1,2\n")
    (tree / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    out = tmp_path / "out"
    result = invoke(["audit", str(tree), "--output", str(out), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert reports(out) == ["a.json", "b.json", "c.json"]
    assert error_lines(result) == []
    summary = result.stderr.splitlines()[-1]
    assert summary.startswith("auditor: audited 3 of 3 input(s)") and "0 failed" in summary


def test_same_file_name_in_two_folders_gives_two_reports(tmp_path: Path) -> None:
    write(tmp_path / "in" / "x" / "article.txt")
    write(tmp_path / "in" / "y" / "article.txt", OTHER)
    out = tmp_path / "out"
    result = invoke(["audit", str(tmp_path / "in"), "--output", str(out), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    found = reports(out)
    assert len(found) == 2
    paths = {
        json.loads((out / name).read_text(encoding="utf-8"))["document"]["path"] for name in found
    }
    assert paths == {
        str(tmp_path / "in" / "x" / "article.txt"),
        str(tmp_path / "in" / "y" / "article.txt"),
    }


def test_directory_without_articles_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    write(tmp_path / "empty" / "data.csv", "a,b\n")
    result = invoke(["audit", str(tmp_path / "empty"), "--output", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert error_lines(result) == [
        f"auditor: {tmp_path / 'empty'}: no .txt, .md or .html file inside"
    ]


def test_offline_url_fails_alone_and_the_batch_goes_on(tmp_path: Path) -> None:
    first, second = write(tmp_path / "a.txt"), write(tmp_path / "b.txt", OTHER)
    url = "https://www.example.org/article"
    out = tmp_path / "out"
    result = invoke(
        [
            "audit",
            str(first),
            url,
            str(second),
            "--offline",
            "--output",
            str(out),
            "--format",
            "json",
        ]
    )
    assert result.exit_code == 2
    errors = error_lines(result)
    assert len(errors) == 1
    assert url in errors[0] and "--offline" in errors[0]
    assert reports(out) == ["a.json", "b.json"]
    assert "audited 2 of 3 input(s)" in result.stderr and "1 failed" in result.stderr


def test_missing_file_is_exit_2_and_others_are_written(tmp_path: Path) -> None:
    source = write(tmp_path / "a.txt")
    result = invoke(
        ["audit", str(tmp_path / "nope.txt"), str(source), "--output", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert error_lines(result) == [f"auditor: {tmp_path / 'nope.txt'}: no such file"]
    assert reports(tmp_path / "o") == ["a.json", "a.md"]


# ---------------------------------------------------------------------------
# Configuration: errors and precedence


BAD_CONFIGS = {
    "bad-yaml": ("output:\n  format: [md\n", "not valid YAML"),
    "unknown-key": ("output:\n  formats: md\n", "output.formats"),
    "unknown-section": ("outptu:\n  dir: x\n", "outptu"),
    "wrong-type": ("fetch:\n  timeout: soon\n", "fetch.timeout"),
    "bool-for-int": ("ingest:\n  max_input_bytes: yes\n", "ingest.max_input_bytes"),
    "section-not-mapping": ("output: 3\n", "output"),
    "bad-format-value": ("output:\n  format: pdf\n", "output.format"),
    "sources-not-list": ("sources:\n  reuters: high\n", "sources"),
    "source-bad-kind": ("sources:\n  - id: foo\n    name: Foo\n    kind: spaceship\n", "kind"),
    "source-missing-name": ("sources:\n  - id: foo\n    kind: blog\n", "name"),
    "top-level-list": ("- a\n- b\n", "mapping"),
}


@pytest.mark.parametrize("case", sorted(BAD_CONFIGS))
def test_malformed_config_file_is_one_line_naming_the_key_exit_3(tmp_path: Path, case: str) -> None:
    text, key = BAD_CONFIGS[case]
    config = write(tmp_path / "config.yaml", text)
    source = write(tmp_path / "a.txt")
    result = invoke(
        ["audit", str(source), "--config", str(config), "--output", str(tmp_path / "out")]
    )
    assert result.exit_code == 3
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("auditor: configuration error: ")
    assert key in lines[0]
    assert not (tmp_path / "out").exists()


def test_bad_source_entry_is_located_in_the_users_file(tmp_path: Path) -> None:
    config = write(
        tmp_path / "mine.yaml", "sources:\n  - id: foo\n    name: Foo\n    kind: spaceship\n"
    )
    result = invoke(["audit", str(write(tmp_path / "a.txt")), "--config", str(config)])
    assert result.exit_code == 3
    assert "sources[0]" in result.stderr or "'foo'" in result.stderr


def test_missing_config_file_is_exit_3(tmp_path: Path) -> None:
    result = invoke(
        ["audit", str(write(tmp_path / "a.txt")), "--config", str(tmp_path / "nope.yaml")]
    )
    assert result.exit_code == 3
    assert len(result.stderr.splitlines()) == 1 and "nope.yaml" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "key"),
    [
        ("AUDITOR_OUTPUT_FORMAT", "bogus", "output.format"),
        ("AUDITOR_FETCH_TIMEOUT", "soon", "fetch.timeout"),
        ("AUDITOR_INGEST_MAX_INPUT_BYTES", "[1, 2]", "ingest.max_input_bytes"),
    ],
)
def test_bad_environment_variable_is_exit_3(
    tmp_path: Path, name: str, value: str, key: str
) -> None:
    result = invoke(
        ["audit", str(write(tmp_path / "a.txt")), "--output", str(tmp_path / "out")],
        env={name: value},
    )
    assert result.exit_code == 3
    assert len(result.stderr.splitlines()) == 1 and key in result.stderr
    assert not (tmp_path / "out").exists()


def test_bad_format_flag_is_exit_3(tmp_path: Path) -> None:
    result = invoke(
        [
            "audit",
            str(write(tmp_path / "a.txt")),
            "--format",
            "pdf",
            "--output",
            str(tmp_path / "out"),
        ]
    )
    assert result.exit_code == 3
    assert "output.format" in result.stderr and len(result.stderr.splitlines()) == 1


def test_config_precedence_file_then_environment_then_flag(tmp_path: Path) -> None:
    config = write(
        tmp_path / "config.yaml", f"output:\n  format: md\n  dir: {tmp_path / 'from-file'}\n"
    )
    source = write(tmp_path / "a.txt")
    base = ["audit", str(source), "--config", str(config)]

    result = invoke(base)
    assert result.exit_code == 0, result.stderr
    assert reports(tmp_path / "from-file") == ["a.md"]  # file: format and directory

    result = invoke(
        [*base, "--output", str(tmp_path / "env")], env={"AUDITOR_OUTPUT_FORMAT": "json"}
    )
    assert result.exit_code == 0, result.stderr
    assert reports(tmp_path / "env") == ["a.json"]  # environment beats the file

    result = invoke(
        [*base, "--output", str(tmp_path / "flag"), "--format", "all"],
        env={"AUDITOR_OUTPUT_FORMAT": "json"},
    )
    assert result.exit_code == 0, result.stderr
    assert reports(tmp_path / "flag") == ["a.json", "a.md"]  # the flag beats both

    result = invoke(base, env={"AUDITOR_OUTPUT_DIR": str(tmp_path / "env-dir")})
    assert result.exit_code == 0, result.stderr
    assert reports(tmp_path / "env-dir") == ["a.md"]


def test_usage_errors_have_no_traceback(tmp_path: Path) -> None:
    result = invoke(["audit", str(write(tmp_path / "a.txt")), "--no-such-flag"])
    assert result.exit_code == 2
    assert "--no-such-flag" in result.stderr
    result = invoke(["audit"])
    assert result.exit_code == 2


# ---------------------------------------------------------------------------
# Resume and atomic writes


def _mtimes(directory: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in directory.iterdir()}


def test_resume_skips_unchanged_inputs_and_redoes_changed_ones(tmp_path: Path) -> None:
    first, second = write(tmp_path / "in" / "a.txt"), write(tmp_path / "in" / "b.txt", OTHER)
    out = tmp_path / "out"
    args = ["audit", str(tmp_path / "in"), "--output", str(out), "--resume"]
    result = invoke(args)
    assert result.exit_code == 0, result.stderr
    before = _mtimes(out)
    assert sorted(before) == ["a.json", "a.md", "b.json", "b.md"]
    time.sleep(0.01)

    result = invoke(args)
    assert result.exit_code == 0, result.stderr
    assert _mtimes(out) == before
    assert "audited 0 of 2" in result.stderr and "2 up to date" in result.stderr

    write(first, ARTICLE + "\nUn paragraphe ajouté après la publication.\n")
    result = invoke(args)
    assert result.exit_code == 0, result.stderr
    after = _mtimes(out)
    assert after["a.json"] != before["a.json"] and after["a.md"] != before["a.md"]
    assert after["b.json"] == before["b.json"] and after["b.md"] == before["b.md"]
    report = json.loads((out / "a.json").read_text(encoding="utf-8"))
    import hashlib

    assert report["document"]["sha256"] == hashlib.sha256(first.read_bytes()).hexdigest()
    assert "1 up to date" in result.stderr
    assert second.exists()


def test_resume_redoes_an_input_whose_report_is_missing_a_format(tmp_path: Path) -> None:
    source = write(tmp_path / "a.txt")
    out = tmp_path / "out"
    assert invoke(["audit", str(source), "--output", str(out), "--format", "json"]).exit_code == 0
    result = invoke(["audit", str(source), "--output", str(out), "--resume"])
    assert result.exit_code == 0
    assert reports(out) == ["a.json", "a.md"]


def test_without_resume_reports_are_rewritten(tmp_path: Path) -> None:
    source = write(tmp_path / "a.txt")
    out = tmp_path / "out"
    assert invoke(["audit", str(source), "--output", str(out)]).exit_code == 0
    before = _mtimes(out)
    time.sleep(0.01)
    assert invoke(["audit", str(source), "--output", str(out)]).exit_code == 0
    assert _mtimes(out)["a.json"] != before["a.json"]


def test_no_temporary_files_are_left_behind(tmp_path: Path) -> None:
    out = tmp_path / "out"
    sources = [write(tmp_path / f"{name}.txt") for name in ("a", "b", "c")]
    result = invoke(["audit", *map(str, sources), "--output", str(out)])
    assert result.exit_code == 0
    assert reports(out) == ["a.json", "a.md", "b.json", "b.md", "c.json", "c.md"]
    assert not [p for p in out.iterdir() if p.name.startswith(".") or p.suffix == ".tmp"]


def test_a_failed_write_leaves_the_previous_report_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from auditor import reporters

    target = tmp_path / "out" / "a.json"
    reporters.write_atomic(target, '{"old": true}\n')

    def broken_replace(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(reporters.os, "replace", broken_replace)
    with pytest.raises(OSError):
        reporters.write_atomic(target, '{"new": tr')
    assert target.read_text(encoding="utf-8") == '{"old": true}\n'
    assert [p.name for p in target.parent.iterdir()] == ["a.json"]


# ---------------------------------------------------------------------------
# The installed command, in a subprocess


def test_help_answers_fast_without_heavy_imports(tmp_path: Path) -> None:
    started = time.monotonic()
    proc = run(["--help"], cwd=tmp_path)
    elapsed = time.monotonic() - started
    assert proc.returncode == 0
    assert "audit" in proc.stdout and proc.stderr == ""
    assert elapsed < 3.0  # bench/audit_speed.py measures it properly; this catches regressions
    probe = (
        "import sys\nsys.argv = ['auditor', 'audit', '--help']\nfrom auditor.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = ['spacy', 'trafilatura', 'httpx', 'bs4', 'charset_normalizer', 'tldextract',"
        " 'auditor.pipeline', 'auditor.judge', 'auditor.attribute']\n"
        "print([m for m in heavy if m in sys.modules], file=sys.stderr)\n"
    )
    check = subprocess.run(
        [str(PYTHON), "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert check.returncode == 0, check.stderr
    assert "--offline" in check.stdout and "--resume" in check.stdout
    assert check.stderr.strip() == "[]"


def test_version(tmp_path: Path) -> None:
    proc = run(["--version"], cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout == f"auditor {__version__}\n"
    from importlib.metadata import version

    assert version("auditor") == __version__


def test_subprocess_config_error_is_one_line_exit_3(tmp_path: Path) -> None:
    write(tmp_path / "config.yaml", "output:\n  format: [\n")  # ./config.yaml is read by default
    proc = run(["audit", str(write(tmp_path / "a.txt")), "--output", "out"], cwd=tmp_path)
    assert proc.returncode == 3
    assert proc.stderr.count("\n") == 1 and "config.yaml" in proc.stderr
    assert proc.stdout == ""
    proc = run(["audit", "a.txt"], cwd=tmp_path / "..", env={"AUDITOR_OUTPUT_FORMAT": "bogus"})
    assert proc.returncode == 3 and proc.stderr.count("\n") == 1


def test_subprocess_bad_inputs_only(tmp_path: Path) -> None:
    write(tmp_path / "empty.txt", "")
    proc = run(
        ["audit", "empty.txt", "missing.txt", "ftp://example.org/a.txt", "--output", "out"],
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert lines[:3] == [
        "auditor: empty.txt: empty input",
        "auditor: missing.txt: no such file",
        "auditor: ftp://example.org/a.txt: unsupported URL scheme (only http and https)",
    ]
    assert lines[3].startswith("auditor: audited 0 of 3 input(s)") and len(lines) == 4
    assert proc.stdout == ""
    assert not (tmp_path / "out").exists()


def test_unwritable_output_is_one_line_exit_1(tmp_path: Path) -> None:
    """A failure no input explains (the output 'directory' is a file) ends with one line.

    Run through ``main()``, the console entry point, which maps unexpected errors to exit 1.
    """
    write(tmp_path / "taken", "I am a file\n")
    source = write(tmp_path / "a.txt")
    argv = [
        "auditor",
        "audit",
        str(source),
        "--offline",
        "--output",
        str(tmp_path / "taken" / "sub"),
    ]
    code, err = _run_main(argv)
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("auditor: unexpected error: ")
    assert "AUDITOR_DEBUG" in err and "Traceback" not in err


def _run_main(argv: list[str]) -> tuple[int, str]:
    import contextlib
    import io

    from auditor.cli import main

    err = io.StringIO()
    old = sys.argv
    sys.argv = argv
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            try:
                main()
            except SystemExit as exc:
                return int(exc.code or 0), err.getvalue()
    finally:
        sys.argv = old
    return 0, err.getvalue()


@pytest.mark.slow
def test_subprocess_full_audit_json_lines_on_stdout(tmp_path: Path) -> None:
    """One real end-to-end run: JSON Lines on stdout, the summary alone on stderr."""
    write(tmp_path / "a.txt")
    write(tmp_path / "b.txt", OTHER)
    proc = run(
        ["audit", "a.txt", "b.txt", "-", "--offline", "--output", "-"],
        cwd=tmp_path,
        stdin=ARTICLE.replace("12,5", "13").encode("utf-8"),
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.split("\n")
    assert lines[-1] == ""  # ends with a newline, nothing after the last document
    docs = [json.loads(line) for line in lines[:-1]]
    assert [d["document"]["path"] for d in docs] == ["a.txt", "b.txt", "-"]
    assert all(d["schema"].startswith("auditor-report/") for d in docs)
    assert all("status" in claim for d in docs for claim in d["claims"])  # judged
    assert proc.stderr.startswith("auditor: audited 3 of 3 input(s) → stdout")
    assert proc.stderr.count("\n") == 1
    assert not (tmp_path / "reports").exists()
