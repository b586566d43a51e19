"""The examples the issues fix, checked through the JSON report (the public contract)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.pipeline import audit_source
from auditor.reporters import json_report

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def reports() -> dict[str, dict[str, Any]]:
    return {
        path.name[:3]: json_report.to_dict(audit_source(str(path), offline=True))
        for path in sorted(SEEDS.glob("*.txt"))
    }


def _spaces(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def claim(report: dict[str, Any], start: str) -> dict[str, Any]:
    found = [c for c in report["claims"] if _spaces(c["text"]).startswith(start)]
    assert len(found) == 1, f"{start!r}: {len(found)} units"
    return found[0]


def source_ids(entry: dict[str, Any]) -> set[str | None]:
    return {s["id"] for s in entry["sources"]}


def test_003_budanov_is_the_attributed_source(reports: dict[str, dict[str, Any]]) -> None:
    entry = claim(reports["003"], "Selon Kyrylo Budanov (chef du renseignement ukrainien)")
    assert entry["status"] == "attributed" and not entry["sensational"]
    assert "kyrylo-budanov" in source_ids(entry)
    assert any(s["cue"].lower().startswith("selon") for s in entry["sources"])


def test_003_best_kept_secret_is_unattributed_and_sensational(
    reports: dict[str, dict[str, Any]],
) -> None:
    entry = claim(reports["003"], "L’un des secrets les mieux gardés concerne")
    assert entry["status"] == "unattributed" and entry["sensational"]
    assert any("mieux gardés" in s["text"] for s in entry["signals"])


def test_003_drone_rate_is_hedged_unattributed_and_sensational(
    reports: dict[str, dict[str, Any]],
) -> None:
    entry = claim(reports["003"], "Dès 2025, la cadence cible dépasserait 5")
    assert entry["status"] == "unattributed" and entry["sensational"]
    kinds = {s["kind"] for s in entry["signals"]}
    assert "hedged" in kinds and "exclamation" in kinds


def test_003_western_experts_are_vague(reports: dict[str, dict[str, Any]]) -> None:
    entry = claim(reports["003"], "Il y a deux ans encore, le missile KN-23")
    assert entry["status"] == "vague"
    assert any(s["vague"] and "experts" in s["name"].lower() for s in entry["sources"])


def test_003_quote_without_speaker_is_not_attributed(reports: dict[str, dict[str, Any]]) -> None:
    entry = claim(reports["003"], "« Le champ de bataille ukrainien est devenu un laboratoire")
    assert entry["status"] == "unattributed"


def test_003_anonymous_attache_is_vague(reports: dict[str, dict[str, Any]]) -> None:
    remark = [c for c in reports["003"]["claims"] if "Le vrai risque aujourd’hui" in c["text"]]
    assert remark and all(c["status"] == "vague" for c in remark)


@pytest.mark.parametrize(
    "start",
    [
        "Imaginez-vous un instant",
        "Ambiance digne des meilleurs romans",
        "Je me rappelle avoir partagé quelques tapas",
    ],
)
def test_003_storytelling_is_sensational_and_not_checkworthy(
    reports: dict[str, dict[str, Any]], start: str
) -> None:
    entry = claim(reports["003"], start)
    assert entry["sensational"] and not entry["checkworthy"]


def test_003_verdict_weakly_sourced_and_sensational(reports: dict[str, dict[str, Any]]) -> None:
    grade = reports["003"]["summary"]["grade"]
    assert grade["sensational"] is True
    assert grade["sourcing"] in {"weakly sourced", "unsourced"}
    assert reports["001"]["summary"]["grade"]["sourcing"] == "well sourced"
    assert reports["001"]["summary"]["grade"]["sensational"] is False


def test_001_economist_with_footnote_two(reports: dict[str, dict[str, Any]]) -> None:
    entry = claim(reports["001"], "Selon The Economist, 15 000 soldats russes")
    assert entry["status"] == "attributed" and entry["citations"]["footnotes"] == [2]
    assert "economist" in source_ids(entry)
    assert any(s["cue"] == "footnote [2]" for s in entry["sources"])


def test_002_observers_are_vague(reports: dict[str, dict[str, Any]]) -> None:
    entry = claim(
        reports["002"], "Selon des sources provenant du camp des observateurs internationaux"
    )
    assert entry["status"] == "vague"


def test_004_osc_estimate_is_attributed(reports: dict[str, dict[str, Any]]) -> None:
    entry = claim(reports["004"], "Selon “une fourchette prudente” de l’OSC")
    assert entry["status"] == "attributed"
    assert "osc" in source_ids(entry)


def test_issue_2_done_when(reports: dict[str, dict[str, Any]]) -> None:
    notes = reports["001"]["footnotes"]
    assert [n["number"] for n in notes] == list(range(1, 15)) and all(n["urls"] for n in notes)
    assert [
        p["number"] for p in reports["001"]["problems"] if p["kind"] == "dangling-footnote"
    ] == [15]
    unlinked = [p["name"] for p in reports["003"]["problems"] if p["kind"] == "unlinked-reference"]
    assert unlinked == ["The War Zone", "Xataka"]
    assert not any(
        "Trending" in c["text"] or "German beer" in c["text"] for c in reports["004"]["claims"]
    )
    assert reports["004"]["document"]["canonical_url"].startswith("https://www.lexpress.fr/")
