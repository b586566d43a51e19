"""Quality gate: the auditor's labels measured against the hand labels must not drop.

The evaluation (``auditor.evaluate``, also ``python bench/eval.py``) runs once for the whole
module: every labelled seed and own article through the real pipeline, plus the shared
datasets when ``../shared/datasets`` is present. Each headline score must stay at or above
its floor in ``tests/data/eval_baseline.json``. The helpers of ``auditor.evaluate`` are
tested on small invented cases first.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor import evaluate
from auditor.evaluate import (
    MISSING,
    LabelScores,
    align,
    binary,
    check_floors,
    load_floors,
    load_labels,
    pin_floors,
)

PROJECT = Path(__file__).resolve().parent.parent
BASELINE = PROJECT / "tests" / "data" / "eval_baseline.json"
DATASETS = PROJECT.parent / "shared" / "datasets"

# ---------------------------------------------------------------------------
# Helpers of the evaluation


def test_align_tolerates_merged_and_split_units_and_reports_misses() -> None:
    gold = [
        "Le conseil a voté le budget de 2025 mardi soir.",
        "Les travaux commenceront en septembre prochain.",
        "Recevez notre newsletter chaque matin.",
        "La piscine municipale rouvrira ses portes au printemps.",
    ]
    predicted = [
        # two gold sentences merged into one predicted unit
        "Le conseil a voté le budget de 2025 mardi soir. Les travaux commenceront en septembre.",
        # one gold sentence cut in two: the larger half wins
        "La piscine municipale rouvrira",
        "ses portes au printemps prochain, selon la mairie.",
    ]
    assert align(gold, predicted) == [0, 0, None, 1]


def test_align_ignores_typography_and_prefers_reading_order() -> None:
    gold = ["« C’est fini », a-t-il dit.", "« C'est fini », a-t-il dit."]
    predicted = ['"C\'est fini", a-t-il dit.', "Autre chose.", "« C’est fini », a-t-il dit."]
    assert align(gold, predicted) == [0, 0]


def test_label_scores_precision_recall_f1_and_confusion() -> None:
    scores = LabelScores(("attributed", "vague", "unattributed"))
    for gold, predicted in [
        ("attributed", "attributed"),
        ("attributed", "vague"),
        ("vague", "vague"),
        ("unattributed", "unattributed"),
        ("unattributed", MISSING),
    ]:
        scores.add(gold, predicted)
    per_label = scores.per_label()
    assert scores.accuracy() == 0.6
    assert per_label["attributed"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 2}
    assert per_label["vague"]["precision"] == 0.5
    assert per_label["unattributed"]["recall"] == 0.5
    assert scores.confusion()["unattributed"][MISSING] == 1
    assert binary(True, None) == ("true", MISSING)


def test_check_floors_names_every_drop_and_missing_metric() -> None:
    metrics = {"seeds.status.accuracy": 0.91, "seeds.sensational.f1": 0.80}
    floors = {
        "seeds.status.accuracy": 0.90,
        "seeds.sensational.f1": 0.85,
        "seeds.kind.accuracy": 0.70,
        "datasets.webis_clickbait_en.f1": 0.40,
    }
    failures = check_floors(metrics, floors, datasets_available=False)
    assert failures == [
        "seeds.kind.accuracy: not measured (floor 0.7)",
        "seeds.sensational.f1: 0.8000 is below its floor 0.8500",
    ]
    assert any(f.startswith("datasets.") for f in check_floors(metrics, floors))


def test_pinned_floors_sit_just_below_the_measure(tmp_path: Path) -> None:
    assert pin_floors({"a": 0.9091, "b": 0.01}) == {"a": 0.88, "b": 0.0}
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps({"_comment": "x", "floors": {"a": 0.88}}), encoding="utf-8")
    assert load_floors(baseline) == {"a": 0.88}


def test_load_labels_reads_jsonl_and_names_a_broken_line(tmp_path: Path) -> None:
    row = {
        "doc": "x",
        "n": 2,
        "text": "B.",
        "kind": "claim",
        "checkworthy": True,
        "status": "vague",
        "sensational": False,
        "signals": ["hedged"],
        "sources": [{"name": "des sources", "cue": "selon"}],
        "note": "",
    }
    first = dict(row, n=1, text="A.")
    (tmp_path / "x.jsonl").write_text(
        json.dumps(row) + "\n" + json.dumps(first) + "\n", encoding="utf-8"
    )
    [(stem, units)] = load_labels(tmp_path).items()
    assert stem == "x"
    assert [u.text for u in units] == ["A.", "B."]
    assert units[1].sources[0]["name"] == "des sources"
    (tmp_path / "y.jsonl").write_text("{not json\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"y\.jsonl:1"):
        load_labels(tmp_path)


# ---------------------------------------------------------------------------
# The gate


@pytest.fixture(scope="module")
def evaluation() -> evaluate.Evaluation:
    from auditor.config import load_settings

    settings = load_settings(env={})
    return evaluate.run(
        project=PROJECT,
        predict=evaluate.pipeline_predict(settings),
        datasets_dir=DATASETS,
        registry=settings.registry,
    )


def test_every_label_file_was_evaluated(evaluation: evaluate.Evaluation) -> None:
    blind = {"heldout", "blind2", "blind3", "blind4", "blind5", "blind6"}
    assert set(evaluation.groups) == {"seeds", "articles"} | blind
    assert len(evaluation.groups["seeds"].documents) == 5
    for name in blind:
        assert len(evaluation.groups[name].documents) == 10, name
    for name, group in evaluation.groups.items():
        assert group.errors == [], name


def test_quality_floors_hold(evaluation: evaluate.Evaluation) -> None:
    floors = load_floors(BASELINE)
    assert floors, "no floors pinned"
    failures = check_floors(
        evaluate.flatten(evaluation), floors, datasets_available=DATASETS.is_dir()
    )
    assert failures == [], "\n".join(failures)


def test_issue_targets_on_the_seeds(evaluation: evaluate.Evaluation) -> None:
    metrics = evaluate.flatten(evaluation)
    assert metrics["seeds.status.accuracy"] >= 0.90
    assert metrics["seeds.sensational.f1"] >= 0.85


def _grade(evaluation: evaluate.Evaluation, stem: str) -> dict[str, Any]:
    grade = evaluation.groups["seeds"].grades[stem]
    assert isinstance(grade, dict)
    return grade


def test_seed_verdicts(evaluation: evaluate.Evaluation) -> None:
    sensational_blog = _grade(evaluation, "003_caeac37d48be5cca")
    assert sensational_blog["sourcing"] == "weakly sourced"
    assert sensational_blog["sensational"] is True
    footnoted = _grade(evaluation, "001_9699a9ed41f5c1c7")
    assert footnoted["sourcing"] == "well sourced"
    assert footnoted["sensational"] is False
