"""`auditor audit` online: cited URLs are resolved, archived, looked up in the Wayback
Machine and stored, and the reports gain link health. Only loopback servers are used."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from http_fixture import FixtureServer, http_fixture  # noqa: F401 (fixture)
from typer.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from auditor.cli import app


@pytest.fixture
def article(tmp_path: Path, http_fixture: FixtureServer) -> Path:  # noqa: F811
    fx = http_fixture
    text = (
        "Une enquête de terrain.\n\n"
        f"Selon l'agence, les livraisons ont doublé en un an.[1] Le ministère l'a confirmé.[2]\n\n"
        f"Une page déplacée est citée ici.[3] Une autre reprend la même source.[1]\n\n"
        f"[1] {fx.url('/page/enquete')}\n[2] {fx.url('/missing')}\n[3] {fx.url('/moved')}\n"
    )
    path = tmp_path / "enquete.txt"
    path.write_text(text, encoding="utf-8")
    return path


def run_audit(article: Path, out: Path, fx: FixtureServer, *extra: str) -> dict:
    env = {
        "AUDITOR_WAYBACK_URL": fx.url("/"),
        "AUDITOR_RESOLVE_HOST_INTERVAL": "0",
        "AUDITOR_ARCHIVE_WAYBACK_INTERVAL": "0",
        "AUDITOR_RESOLVE_SOFT404_PROBE": "false",
    }
    result = CliRunner().invoke(app, ["audit", str(article), "--output", str(out), *extra], env=env)
    assert result.exit_code == 0, result.stderr
    assert "state (store, WARC files) in" in result.stderr
    return json.loads((out / "enquete.json").read_text(encoding="utf-8"))


def test_links_are_resolved_archived_and_stored(
    article: Path,
    tmp_path: Path,
    http_fixture: FixtureServer,  # noqa: F811
) -> None:
    report = run_audit(article, tmp_path / "out", http_fixture)
    links = {link["footnote"]: link for link in report["links"]}
    assert links[1]["status"] == "ok" and links[1]["http_status"] == 200
    assert links[2]["status"] == "not-found" and links[2]["broken"] is True
    assert links[1]["archived"]["warc_file"].endswith((".warc.gz", ".warc"))
    assert links[2]["archived"] is None
    for link in report["links"]:
        assert link["checked_at"] and link["evidence"]
    # the page cited twice was requested once
    assert len(http_fixture.seen("/page/enquete")) == 1
    # the archived copy opens in warcio and holds the cited page
    warc = Path(links[1]["archived"]["warc_file"])
    with warc.open("rb") as handle:
        uris = [
            r.rec_headers.get_header("WARC-Target-URI")
            for r in ArchiveIterator(handle)
            if r.rec_type == "response"
        ]
    assert links[1]["url"] in uris
    markdown = (tmp_path / "out" / "enquete.md").read_text(encoding="utf-8")
    assert "## Link health" in markdown and "**not\\-found**" in markdown


def test_reaudit_updates_the_store_instead_of_duplicating(
    article: Path,
    tmp_path: Path,
    http_fixture: FixtureServer,  # noqa: F811
) -> None:
    run_audit(article, tmp_path / "a", http_fixture)
    run_audit(article, tmp_path / "b", http_fixture)
    from auditor.store import store_path

    with sqlite3.connect(store_path({})) as db:
        assert db.execute("select count(*) from documents").fetchone()[0] == 1
        checks = db.execute("select count(*) from checks").fetchone()[0]
    assert checks >= 6  # history grows: three URLs checked twice


def test_no_archive_checks_without_writing_warc(
    article: Path,
    tmp_path: Path,
    http_fixture: FixtureServer,  # noqa: F811
) -> None:
    report = run_audit(article, tmp_path / "out", http_fixture, "--no-archive")
    assert all(link["archived"] is None for link in report["links"])
    assert {link["status"] for link in report["links"]} >= {"ok", "not-found"}


def test_offline_marks_links_not_checked_and_touches_no_store(
    article: Path, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        app, ["audit", str(article), "--offline", "--output", str(tmp_path / "o")]
    )
    assert result.exit_code == 0
    report = json.loads((tmp_path / "o" / "enquete.json").read_text(encoding="utf-8"))
    assert {link["status"] for link in report["links"]} == {"not-checked"}
    from auditor.store import store_path

    assert not store_path({}).exists()
