"""``auditor links check|recheck|history|report`` and ``auditor schedule`` through the CLI,
against the loopback fixture servers: exit codes, JSON fields, formats, the store."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from http_fixture import FixtureServer, http_fixture  # noqa: F401 (fixture)
from typer.testing import CliRunner, Result

from auditor.cli_links import links_app, schedule
from auditor.store import Store, store_path

FAST = ["--host-interval", "0", "--host-concurrency", "8"]


def make_app() -> typer.Typer:
    """The CLI as the lead wires it: ``links`` sub-app and the ``schedule`` command."""
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

    @app.callback()
    def main() -> None:
        """auditor (test harness)."""

    app.add_typer(links_app, name="links")
    app.command("schedule")(schedule)
    return app


APP = make_app()


def invoke(args: list[str], env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(APP, args, env=env, catch_exceptions=False)
    assert "Traceback" not in result.stderr
    return result


@pytest.fixture
def fx(http_fixture: FixtureServer) -> FixtureServer:  # noqa: F811
    http_fixture.reset()
    return http_fixture


def url_list(tmp_path: Path, fx: FixtureServer, paths: list[tuple[str, int]]) -> Path:
    lines = ["# links cited in the March newsletter", ""]
    lines += [
        fx.url(path, host) + ("  # the main source" if i == 0 else "")
        for i, (path, host) in enumerate(paths)
    ]
    target = tmp_path / "links.txt"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def test_check_json_lists_every_url_and_exits_2_on_broken_links(
    tmp_path: Path, fx: FixtureServer
) -> None:
    listing = url_list(
        tmp_path,
        fx,
        [
            ("/page/alpha", 0),
            ("/missing", 0),
            ("/gone", 0),
            ("/chain/2", 0),
            ("/nothing", 1),
            ("/forbidden", 0),
        ],
    )
    result = invoke(["links", "check", "--format", "json", "--no-archive", *FAST, str(listing)])
    assert result.exit_code == 2, result.stderr
    data = json.loads(result.stdout)
    links = {entry["url"]: entry for entry in data["links"]}
    assert len(links) == 6 and data["summary"]["broken"] == 3
    lines = result.stdout.splitlines()  # the summary on a line, then one link a line
    assert json.loads(lines[1].strip().removeprefix('"summary": ').rstrip(",")) == data["summary"]
    assert [json.loads(line.strip().rstrip(",")) for line in lines[3:-2]] == data["links"]
    expected = {
        "/page/alpha": ("ok", 200),
        "/missing": ("not-found", 404),
        "/gone": ("gone", 410),
        "/chain/2": ("redirected", 200),
        "/nothing": ("soft-404", 200),
        "/forbidden": ("forbidden", 403),
    }
    for url, entry in links.items():
        path = "/" + url.split("/", 3)[3]
        assert (entry["status"], entry["http_status"]) == expected[path], entry
        for key in (
            "final_url",
            "evidence",
            "hops",
            "title",
            "publisher",
            "source",
            "checked_at",
            "state",
            "found_in",
        ):
            assert key in entry
        assert entry["found_in"] == [str(listing)]
        assert entry["broken"] == (path in ("/missing", "/gone", "/nothing"))
    chain = links[fx.url("/chain/2")]
    assert chain["final_url"] == fx.url("/chain/0") and len(chain["hops"]) == 3
    assert links[fx.url("/page/alpha")]["title"] == "Article alpha - Le Quotidien"
    assert links[fx.url("/missing")]["state"] == "failing"
    assert str(store_path()) in result.stderr  # where the state lives
    with Store.open() as store:
        assert store.counts()["checks"] == 6


def test_check_exits_0_when_nothing_is_broken_and_writes_md_and_csv(
    tmp_path: Path, fx: FixtureServer
) -> None:
    listing = url_list(tmp_path, fx, [("/page/one", 0), ("/chain/1", 0)])
    out = tmp_path / "out" / "links.md"
    result = invoke(["links", "check", "--output", str(out), *FAST, str(listing)])
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Link check: 2 link(s), 0 broken")
    assert "| redirected |" in text and result.stdout == ""
    csv_result = invoke(["links", "check", "--format", "csv", "--no-store", *FAST, str(listing)])
    rows = list(csv.DictReader(io.StringIO(csv_result.stdout)))
    assert [r["status"] for r in rows] == ["ok", "redirected"] and rows[0]["http_status"] == "200"
    assert "not stored" in csv_result.stderr


def test_check_archives_live_pages_by_default(tmp_path: Path, fx: FixtureServer) -> None:
    result = invoke(["links", "check", "--format", "json", *FAST, fx.url("/page/kept")])
    assert result.exit_code == 0, result.stderr
    (entry,) = json.loads(result.stdout)["links"]
    assert entry["archived"]["warc_file"] and Path(entry["archived"]["warc_file"]).is_file()


def test_check_reads_the_links_of_a_document_and_records_it(
    tmp_path: Path, fx: FixtureServer
) -> None:
    article = tmp_path / "article.md"
    article.write_text(
        "# Budget\n\nLe déficit atteint 4,5 % selon [le rapport]("
        + fx.url("/page/budget")
        + "). Une autre source [ici]("
        + fx.url("/gone")
        + ").\n",
        encoding="utf-8",
    )
    result = invoke(["links", "check", "--format", "json", "--no-archive", *FAST, str(article)])
    assert result.exit_code == 2
    statuses = {e["url"]: e["status"] for e in json.loads(result.stdout)["links"]}
    assert statuses == {fx.url("/page/budget"): "ok", fx.url("/gone"): "gone"}
    with Store.open() as store:
        (cited,) = store.citing(fx.url("/gone"))
        assert cited.source == str(article) and cited.unit_id


def test_check_offline_and_input_and_config_errors(tmp_path: Path, fx: FixtureServer) -> None:
    offline = invoke(["links", "check", "--offline", "--format", "json", fx.url("/missing")])
    assert offline.exit_code == 0
    assert [e["status"] for e in json.loads(offline.stdout)["links"]] == ["not-checked"]
    assert fx.seen() == []  # no request at all
    missing = invoke(["links", "check", str(tmp_path / "nope.txt")])
    assert missing.exit_code == 1 and missing.stderr.count("\n") == 1
    assert "nope.txt" in missing.stderr
    assert invoke(["links", "check", "--format", "xml", fx.url("/")]).exit_code == 3
    bad_now = invoke(["links", "check", fx.url("/")], env={"AUDITOR_NOW": "yesterday"})
    assert bad_now.exit_code == 3 and "AUDITOR_NOW" in bad_now.stderr


def test_history_report_and_recheck_under_a_shifted_clock(
    tmp_path: Path, fx: FixtureServer
) -> None:
    dead, live = fx.url("/missing"), fx.url("/page/steady")
    days = ["2026-03-02T03:00:00Z", "2026-03-05T03:00:00Z", "2026-03-08T03:00:00Z"]
    for day in days:
        result = invoke(
            ["links", "check", "--no-archive", *FAST, dead, live], env={"AUDITOR_NOW": day}
        )
        assert result.exit_code == 2
    reports = tmp_path / "reports"
    first = invoke(
        ["links", "report", "--output", str(reports)], env={"AUDITOR_NOW": "2026-03-08T04:00:00Z"}
    )
    assert first.exit_code == 2, first.stderr  # new rot
    data = json.loads((reports / "linkrot-2026-03-08.json").read_text(encoding="utf-8"))
    assert (reports / "linkrot-2026-03-08.md").is_file()
    assert data["new"]["dead"] == [dead]
    entry = next(link for link in data["links"] if link["url"] == dead)
    for key in (
        "url",
        "state",
        "consecutive_failures",
        "last_status",
        "similarity",
        "cited_by",
        "replacement",
    ):
        assert key in entry
    assert (entry["state"], entry["consecutive_failures"], entry["last_status"]) == (
        "dead",
        3,
        "not-found",
    )
    second = invoke(
        ["links", "report", "--output", "-", "--format", "json"],
        env={"AUDITOR_NOW": "2026-03-08T05:00:00Z"},
    )
    assert second.exit_code == 0  # nothing new since the previous report
    assert json.loads(second.stdout)["new"]["dead"] == []

    history = invoke(["links", "history", dead])
    assert history.exit_code == 0
    assert "failing → dead" in history.stdout and "| check |" in history.stdout
    events = json.loads(invoke(["links", "history", "--format", "json", dead]).stdout)["events"]
    assert [e["kind"] for e in events].count("check") == 3
    assert invoke(["links", "history", fx.url("/never-seen")]).exit_code == 2

    due = invoke(["links", "recheck", "--dry-run"], env={"AUDITOR_NOW": "2026-03-20T00:00:00Z"})
    assert due.exit_code == 0 and live in due.stdout and "dry run" in due.stderr
    run = invoke(
        ["links", "recheck", "--no-archive", "--no-wayback", *FAST],
        env={"AUDITOR_NOW": "2026-03-20T00:00:00Z"},
    )
    assert run.exit_code == 0 and "rechecked 1 URL(s)" in run.stderr  # the dead one waits


def test_schedule_prints_each_unit() -> None:
    cron = invoke(["schedule", "--cron", "--at", "04:30"])
    assert cron.exit_code == 0
    fields = cron.stdout.split()
    assert fields[:5] == ["30", "4", "*", "*", "*"] and "links recheck" in cron.stdout
    units = invoke(["schedule", "--systemd"]).stdout
    assert "[Unit]" in units and "[Service]" in units and "[Timer]" in units
    workflow = yaml.safe_load(invoke(["schedule", "--github-actions"]).stdout)
    assert workflow["on"]["schedule"][0]["cron"] == "17 3 * * *"
    assert invoke(["schedule"]).exit_code == 3
    assert invoke(["schedule", "--cron", "--systemd"]).exit_code == 3
    assert invoke(["schedule", "--cron", "--at", "25:00"]).exit_code == 3


# ---------------------------------------------------------------------------
# Renderers on a run made here (no network), and what `links check` imports


def _run_of(checks: list[Any]) -> Any:
    from auditor.recheck import LinkCheckRun

    return LinkCheckRun(tuple(checks), (), 1.5, len(checks))


def _checks() -> list[Any]:
    from auditor.resolve import Hop, LinkCheck, LinkStatus

    page = "https://www.lemonde.fr/international/article/x.html"
    return [
        LinkCheck(page, LinkStatus.OK, "HTTP 200", page, (Hop(page, 200, None, 50.0),), 200),
        LinkCheck(
            'https://example.org/a "quoted",\nline',
            LinkStatus.NOT_FOUND,
            "HTTP 404 | « introuvable »",
            title="Titre\navec { et ] et \u2028",
            http_status=404,
        ),
        LinkCheck("https://example.org/moved", LinkStatus.REDIRECTED, "301", "https://b.example/"),
    ]


def test_check_json_is_valid_with_one_link_a_line_whatever_the_text() -> None:
    from auditor.reporters.linkrot_report import check_entry, checks_json

    checks = _checks()
    text = checks_json(
        _run_of(checks), source_of=lambda url: "le-monde" if "lemonde" in url else None
    )
    data = json.loads(text)
    assert data["links"] == [
        check_entry(c, source="le-monde" if i == 0 else None) for i, c in enumerate(checks)
    ]
    assert data["summary"] == {
        "links": 3,
        "broken": 1,
        "by_status": {"ok": 1, "not-found": 1, "redirected": 1},
        "elapsed_s": 1.5,
        "requests": 3,
        "store": None,
    }
    lines = text.splitlines()
    assert len(lines) == 3 + len(checks) + 2 and text.endswith("]\n}\n")
    assert r"\u00ab" not in text and "« introuvable »" in text  # kept readable
    empty = json.loads(checks_json(_run_of([])))
    assert empty["links"] == [] and empty["summary"]["links"] == 0


def test_check_markdown_and_csv_list_broken_links_first() -> None:
    from auditor.reporters.linkrot_report import CSV_COLUMNS, checks_csv, checks_markdown

    checks = _checks()
    md = checks_markdown(_run_of(checks))
    rows = [line for line in md.splitlines() if line.startswith("| ")][1:]
    assert rows[0].startswith('| **not-found** | https://example.org/a "quoted", line | 404 |')
    assert "HTTP 404 \\| « introuvable »" in rows[0]  # a | inside a cell is escaped
    assert (
        rows[1].startswith("| ok | https://www.lemonde.fr/") and "| https://b.example/ |" in rows[2]
    )
    table = list(csv.reader(io.StringIO(checks_csv(_run_of(checks), source_of=lambda url: "s"))))
    assert tuple(table[0]) == CSV_COLUMNS and len(table) == 4
    assert table[2][:4] == [checks[1].url, "not-found", "True", "404"]
    assert table[1][CSV_COLUMNS.index("source")] == "s" and table[1][-1] == ""


@pytest.mark.parametrize("online", [False, True], ids=["offline", "online"])
def test_links_check_loads_no_heavy_module(tmp_path: Path, fx: FixtureServer, online: bool) -> None:
    """After one run (bytecode and parsed packaged files kept), a link check imports neither
    YAML nor tldextract, requests, the extraction or NLP libraries; checking online (no proxy,
    no archive) does not import httpx either, which brings click, rich and pygments with it."""
    import os
    import subprocess
    import sys

    listing = tmp_path / "links.txt"
    if online:
        listing.write_text(f"{fx.url('/page/a')}\n{fx.url('/missing', 1)}\n", encoding="utf-8")
        how = ["--no-store", "--no-archive"]
    else:
        listing.write_text("https://www.lemonde.fr/a\nhttps://example.org/b\n", encoding="utf-8")
        how = ["--offline"]
    heavy = (
        "yaml tldextract requests trafilatura spacy bs4 htmldate warcio lxml importlib.resources"
        " httpx rich"
    )
    argv = ["auditor", "links", "check", *how, "-q", "-f", "json", str(listing)]
    code = (
        "import sys\nfrom auditor.cli import main\n"
        f"sys.argv = {argv!r}\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print('loaded:', [m for m in {heavy!r}.split() if m in sys.modules])\n"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k != "PYTHONDONTWRITEBYTECODE" and not k.lower().endswith("_proxy")
    }
    env["PYTHONPYCACHEPREFIX"] = str(tmp_path / "pyc")
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path
        )
    assert done.returncode in (0, 2), done.stderr
    assert done.stdout.splitlines()[-1] == "loaded: []"
    report = json.loads(done.stdout[: done.stdout.rindex("loaded:")])
    assert report["summary"]["links"] == 2
    if online:  # it did check: one page found, one missing
        assert sorted(link["status"] for link in report["links"]) == ["not-found", "ok"]
