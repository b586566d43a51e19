"""Measure the auditor's labels against hand labels and public datasets.

Three parts:

- **Labelled documents** (``tests/data/labels/<doc stem>.jsonl``, one line per gold unit, see
  ``tests/data/README.md``): each document is audited by a ``predict(path) -> Audit``
  function, its predicted units are aligned to the gold units by text overlap, and the labels
  are scored: ``status`` (3 classes), ``kind`` (6 classes), ``sensational`` and
  ``checkworthy`` (binary), and source identification (each gold source of an attributed
  unit found among the predicted sources, by registry id or by name). Seeds and the project's
  own articles are reported separately. A gold unit no predicted unit covers is a miss: its
  prediction is ``<missing>``, wrong for every label, and it is listed.
- **Shared datasets** (``../shared/datasets``), each measuring one part: French SemEval-2023
  persuasion paragraphs (Loaded_Language or Exaggeration-Minimisation = sensational),
  Webis clickbait teasers (clickbait = sensational, judged as titles), CheckThat! 2024
  check-worthiness and CheckThat! 2025 subjectivity (SUBJ = opinion).
- **Floors**: :func:`check_floors` compares the flat metric names of :func:`flatten` with a
  baseline file (``tests/data/eval_baseline.json``) and lists every score below its floor.

Pure library: ``bench/eval.py`` is the command, ``tests/test_eval_gate.py`` the CI gate.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from auditor.judge import fold, judge_units
from auditor.records import Audit, Status, Unit, UnitKind

MISSING = "<missing>"
KINDS = ("claim", "quote", "opinion", "question", "heading", "boilerplate")
STATUSES = tuple(s.value for s in Status)
SENTENCE_KINDS = frozenset({"claim", "quote", "opinion", "question"})
# The signals the hand labels carry (tests/data/README.md): sensational kinds plus "hedged".
SIGNAL_KINDS = frozenset(
    {
        "hyperbole",
        "loaded-word",
        "exclamation",
        "clickbait",
        "invitation-to-imagine",
        "first-person-storytelling",
        "dramatic-speculation",
        "hedged",
    }
)
MATCH_THRESHOLD = 0.5  # share of a gold unit's words a predicted unit must cover
DOCUMENT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")

Predict = Callable[[Path], Audit]


# ---------------------------------------------------------------------------
# Scores


@dataclass
class LabelScores:
    """Confusion counts for one label set; precision/recall/F1 per label and accuracy."""

    labels: tuple[str, ...]
    pairs: list[tuple[str, str]] = field(default_factory=list)  # (gold, predicted)

    def add(self, gold: str, predicted: str) -> None:
        self.pairs.append((gold, predicted))

    @property
    def total(self) -> int:
        return len(self.pairs)

    def accuracy(self) -> float:
        return _ratio(sum(1 for g, p in self.pairs if g == p), self.total)

    def confusion(self) -> dict[str, dict[str, int]]:
        columns = [*self.labels, *sorted({p for _, p in self.pairs} - set(self.labels))]
        matrix = {g: dict.fromkeys(columns, 0) for g in self.labels}
        for gold, predicted in self.pairs:
            matrix.setdefault(gold, dict.fromkeys(columns, 0))
            matrix[gold][predicted] = matrix[gold].get(predicted, 0) + 1
        return matrix

    def per_label(self) -> dict[str, dict[str, float]]:
        out = {}
        for label in self.labels:
            tp = sum(1 for g, p in self.pairs if g == label and p == label)
            fp = sum(1 for g, p in self.pairs if g != label and p == label)
            fn = sum(1 for g, p in self.pairs if g == label and p != label)
            out[label] = _prf(tp, fp, fn)
        return out

    def macro_f1(self) -> float:
        present = [v["f1"] for v in self.per_label().values() if v["support"]]
        return round(sum(present) / len(present), 4) if present else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.total,
            "accuracy": self.accuracy(),
            "macro_f1": self.macro_f1(),
            "labels": self.per_label(),
            "confusion": self.confusion(),
        }


def _ratio(part: float, whole: float) -> float:
    return round(part / whole, 4) if whole else 0.0


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    f1 = _ratio(2 * precision * recall, precision + recall)
    return {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}


def binary(gold: bool, predicted: bool | None) -> tuple[str, str]:
    """A binary label as the strings ``LabelScores`` counts (``None`` is a miss)."""
    return str(gold).lower(), MISSING if predicted is None else str(predicted).lower()


@dataclass
class SourceScores:
    """Source identification: gold sources found (recall), predicted sources right (precision)."""

    gold: int = 0
    found: int = 0
    predicted: int = 0
    correct: int = 0
    misses: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        precision = _ratio(self.correct, self.predicted)
        recall = _ratio(self.found, self.gold)
        return {
            "gold": self.gold,
            "predicted": self.predicted,
            "precision": precision,
            "recall": recall,
            "f1": _ratio(2 * precision * recall, precision + recall),
            "misses": self.misses,
        }


@dataclass
class SignalScores:
    """Signals as a multi-label task: each unit's set of signal kinds, gold against predicted."""

    counts: dict[str, list[int]] = field(default_factory=dict)  # kind -> [tp, fp, fn]

    def add(self, gold: Iterable[str], predicted: Iterable[str]) -> None:
        gold_set, predicted_set = set(gold), set(predicted)
        for kind in gold_set | predicted_set:
            row = self.counts.setdefault(kind, [0, 0, 0])
            if kind in gold_set and kind in predicted_set:
                row[0] += 1
            elif kind in predicted_set:
                row[1] += 1
            else:
                row[2] += 1

    def per_kind(self) -> dict[str, dict[str, float]]:
        return {kind: _prf(*row) for kind, row in sorted(self.counts.items())}

    def micro_f1(self) -> float:
        tp, fp, fn = (sum(row[i] for row in self.counts.values()) for i in range(3))
        return _prf(tp, fp, fn)["f1"]

    def to_dict(self) -> dict[str, Any]:
        return {"micro_f1": self.micro_f1(), "kinds": self.per_kind()}


# ---------------------------------------------------------------------------
# Gold labels and alignment


@dataclass(frozen=True, slots=True)
class GoldUnit:
    doc: str
    n: int
    text: str
    kind: str
    checkworthy: bool
    status: str
    sensational: bool
    signals: tuple[str, ...] = ()
    sources: tuple[Mapping[str, Any], ...] = ()
    note: str = ""


def load_labels(labels_dir: Path) -> dict[str, list[GoldUnit]]:
    """Gold units per document stem, in reading order, from ``<stem>.jsonl`` files."""
    documents: dict[str, list[GoldUnit]] = {}
    for path in sorted(labels_dir.glob("*.jsonl")):
        units = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not JSON ({exc.msg})") from None
            units.append(
                GoldUnit(
                    doc=str(row.get("doc") or path.stem),
                    n=int(row.get("n", number)),
                    text=str(row["text"]),
                    kind=str(row["kind"]),
                    checkworthy=bool(row["checkworthy"]),
                    status=str(row["status"]),
                    sensational=bool(row["sensational"]),
                    signals=tuple(
                        s if isinstance(s, str) else str(s.get("kind", ""))
                        for s in row.get("signals") or ()
                    ),
                    sources=tuple(
                        s if isinstance(s, Mapping) else {"name": str(s)}
                        for s in row.get("sources") or ()
                    ),
                    note=str(row.get("note") or ""),
                )
            )
        units.sort(key=lambda u: u.n)
        documents[path.stem] = units
    return documents


def find_document(stem: str, search_dirs: Sequence[Path]) -> Path | None:
    """The article file a label file describes: ``<dir>/<stem>.<txt|md|html>``."""
    for directory in search_dirs:
        for suffix in DOCUMENT_SUFFIXES:
            candidate = directory / f"{stem}{suffix}"
            if candidate.is_file():
                return candidate
    return None


_TOKEN = re.compile(r"\w+")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))


def _content_tokens(text: str) -> list[str]:
    """Words of four letters or more and numbers: what makes a sentence recognisable."""
    tokens = _tokens(text)
    content = [t for t in tokens if len(t) >= 4 or t.isdigit()]
    return content or tokens


def align(gold_texts: Sequence[str], predicted_texts: Sequence[str]) -> list[int | None]:
    """For each gold unit, the index of the predicted unit that covers it best, or None.

    Coverage is the share of the gold unit's content words (four letters or more, numbers)
    found in the predicted unit (multiset overlap), so a predicted unit merging two gold
    sentences covers both and a gold sentence split in two is matched to its larger half. Below ``MATCH_THRESHOLD`` the gold unit is a
    miss. Ties go to the predicted unit closest to the previous match (reading order).
    """
    predicted = [Counter(_content_tokens(t)) for t in predicted_texts]
    result: list[int | None] = []
    last = 0
    for text in gold_texts:
        gold = Counter(_content_tokens(text))
        size = sum(gold.values())
        if not size:
            result.append(None)
            continue
        best, best_key = None, (0.0, 0.0, 0)
        for index, counts in enumerate(predicted):
            common = sum((gold & counts).values())
            if not common:
                continue
            coverage = common / size
            precision = common / (sum(counts.values()) or 1)
            key = (round(coverage, 3), round(precision, 3), -abs(index - last))
            if key > best_key:
                best, best_key = index, key
        if best is not None and best_key[0] >= MATCH_THRESHOLD:
            result.append(best)
            last = best
        else:
            result.append(None)
    return result


# ---------------------------------------------------------------------------
# Document evaluation


@dataclass
class GroupScores:
    """All scores for one group of documents (seeds, own articles)."""

    status: LabelScores = field(default_factory=lambda: LabelScores(STATUSES))
    status_all: LabelScores = field(default_factory=lambda: LabelScores(STATUSES))
    status_checkworthy: LabelScores = field(default_factory=lambda: LabelScores(STATUSES))
    kind: LabelScores = field(default_factory=lambda: LabelScores(KINDS))
    sensational: LabelScores = field(default_factory=lambda: LabelScores(("true", "false")))
    checkworthy: LabelScores = field(default_factory=lambda: LabelScores(("true", "false")))
    sources: SourceScores = field(default_factory=SourceScores)
    signals: SignalScores = field(default_factory=SignalScores)
    documents: list[str] = field(default_factory=list)
    gold_units: int = 0
    unmatched: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    disagreements: list[dict[str, Any]] = field(default_factory=list)
    grades: dict[str, Any] = field(default_factory=dict)  # document stem -> summary grade

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "grades": self.grades,
            "gold_units": self.gold_units,
            "matched_units": self.gold_units - len(self.unmatched),
            "unmatched": self.unmatched,
            "errors": self.errors,
            "status": self.status.to_dict(),
            "status_all_units": self.status_all.to_dict(),
            "status_checkworthy": self.status_checkworthy.to_dict(),
            "kind": self.kind.to_dict(),
            "sensational": self.sensational.to_dict(),
            "checkworthy": self.checkworthy.to_dict(),
            "sources": self.sources.to_dict(),
            "signals": self.signals.to_dict(),
        }


def _source_key(name: str) -> str:
    return " ".join(_tokens(name))


_DOMAIN_NAME = re.compile(r"^(?:[\w-]+\.)+[a-z]{2,}$", re.IGNORECASE)


@lru_cache(maxsize=1)
def _default_registry() -> Any:
    from auditor.config import load_settings

    return load_settings().registry


def _same_source(gold: Mapping[str, Any], predicted: Any, registry: Any) -> bool:
    """Whether a predicted source is the gold one: same registry id (a gold name may be an
    alias or, for a footnote, the cited domain), else overlapping normalised names."""
    registry = registry if registry is not None else _default_registry()
    gold_id = gold.get("id")
    name = str(gold.get("name") or "")
    if gold_id is None and name:
        match = (
            registry.match_url(f"https://{name}")
            if _DOMAIN_NAME.match(name)
            else registry.match_name(name)
        )
        gold_id = getattr(match, "id", None)
    if gold_id is not None and predicted.id is not None:
        return bool(gold_id == predicted.id)
    gold_name = _source_key(str(gold.get("name") or ""))
    predicted_name = _source_key(predicted.name)
    if not gold_name or not predicted_name:
        return False
    return gold_name in predicted_name or predicted_name in gold_name


def _score_sources(
    gold: GoldUnit, judgement: Any, scores: SourceScores, registry: Any, where: str
) -> None:
    gold_sources = list(gold.sources) if gold.status == Status.ATTRIBUTED.value else []
    predicted = [s for s in (judgement.sources if judgement else ()) if not s.vague]
    scores.gold += len(gold_sources)
    for source in gold_sources:
        if any(_same_source(source, p, registry) for p in predicted):
            scores.found += 1
        else:
            scores.misses.append(f"{where}: {source.get('name')}")
    if gold.status == Status.ATTRIBUTED.value:
        scores.predicted += len(predicted)
        scores.correct += sum(
            1 for p in predicted if any(_same_source(g, p, registry) for g in gold_sources)
        )


def _score_removed(gold: GoldUnit, scores: GroupScores, registry: Any, where: str) -> None:
    """A gold unit that ingest removed as site furniture: scored as predicted boilerplate."""
    scores.kind.add(gold.kind, "boilerplate")
    scores.status_all.add(gold.status, Status.UNATTRIBUTED.value)
    if gold.kind in SENTENCE_KINDS:
        scores.status.add(gold.status, Status.UNATTRIBUTED.value)
    if gold.checkworthy:
        scores.status_checkworthy.add(gold.status, Status.UNATTRIBUTED.value)
    if gold.kind != "boilerplate":
        scores.sensational.add(*binary(gold.sensational, False))
    scores.checkworthy.add(*binary(gold.checkworthy, False))
    _score_sources(gold, None, scores.sources, registry, where)


def score_document(
    gold_units: Sequence[GoldUnit], audit: Audit, scores: GroupScores, registry: Any
) -> None:
    """Align one audited document to its gold units and add to ``scores``."""
    judgements = {j.unit_id: j for j in audit.judgements}
    units = list(audit.units)
    # Gold units that ingest removed as furniture are matched by their text first, so a
    # removed "Subscribe" line is never aligned with an unrelated body sentence.
    removed = {" ".join(_tokens(r.text)) for r in audit.article.removed}
    removed_positions = {
        i
        for i, g in enumerate(gold_units)
        if (key := " ".join(_tokens(g.text)))
        and any(key == r or f" {key} " in f" {r} " for r in removed)
    }
    kept = [i for i in range(len(gold_units)) if i not in removed_positions]
    kept_mapping = align([gold_units[i].text for i in kept], [u.text for u in units])
    mapping: list[int | None] = [None] * len(gold_units)
    for i, index in zip(kept, kept_mapping, strict=True):
        mapping[i] = index
    scores.gold_units += len(gold_units)
    for position, (gold, index) in enumerate(zip(gold_units, mapping, strict=True)):
        where = f"{gold.doc}#{gold.n}"
        if position in removed_positions:
            # Furniture taken out of the body by ingest: right for gold boilerplate.
            _score_removed(gold, scores, registry, where)
            continue
        unit = units[index] if index is not None else None
        judgement = judgements.get(unit.id) if unit is not None else None
        if judgement is None:
            scores.unmatched.append(f"{where}: {gold.text[:70]}")
        kind = judgement.kind.value if judgement else MISSING
        if kind == UnitKind.SENTENCE.value:
            kind = "claim"
        status = judgement.status.value if judgement else MISSING
        scores.kind.add(gold.kind, kind)
        scores.status_all.add(gold.status, status)
        if gold.kind in SENTENCE_KINDS:
            scores.status.add(gold.status, status)
        if gold.checkworthy:
            scores.status_checkworthy.add(gold.status, status)
        if gold.kind != "boilerplate":
            scores.sensational.add(
                *binary(gold.sensational, judgement.sensational if judgement else None)
            )
        scores.checkworthy.add(
            *binary(gold.checkworthy, judgement.checkworthy if judgement else None)
        )
        _score_sources(gold, judgement, scores.sources, registry, where)
        if gold.kind != "boilerplate":
            predicted_signals = [s.kind for s in judgement.signals] if judgement else []
            scores.signals.add(
                [k for k in gold.signals if k in SIGNAL_KINDS],
                [k for k in predicted_signals if k in SIGNAL_KINDS],
            )
        if judgement is not None and (
            kind != gold.kind
            or status != gold.status
            or judgement.sensational != gold.sensational
            or judgement.checkworthy != gold.checkworthy
        ):
            scores.disagreements.append(
                {
                    "unit": where,
                    "text": gold.text,
                    "predicted_text": unit.text if unit else "",
                    "gold": [gold.kind, gold.status, gold.sensational, gold.checkworthy],
                    "predicted": [kind, status, judgement.sensational, judgement.checkworthy],
                    "reasons": list(judgement.reasons),
                    "signals": [f"{s.kind}: {s.text}" for s in judgement.signals],
                }
            )


def evaluate_documents(
    labels: Mapping[str, Sequence[GoldUnit]],
    groups: Mapping[str, Sequence[Path]],
    predict: Predict,
    registry: Any = None,
) -> dict[str, GroupScores]:
    """Score every labelled document found in one of ``groups``' folders, group by group.

    ``groups`` maps a group name ("seeds", "articles") to the folders its documents live in;
    a label file whose document is in none of them is reported under ``errors`` of the
    group ``"unfound"``.
    """
    results: dict[str, GroupScores] = {}
    for stem, gold_units in labels.items():
        group, path = "unfound", None
        for name, folders in groups.items():
            path = find_document(stem, folders)
            if path is not None:
                group = name
                break
        scores = results.setdefault(group, GroupScores())
        if path is None:
            scores.errors.append(f"{stem}: no document found for this label file")
            continue
        try:
            audit = predict(path)
        except Exception as exc:  # an evaluation reports failures, it does not stop on them
            scores.errors.append(f"{stem}: {type(exc).__name__}: {exc}")
            scores.gold_units += len(gold_units)
            scores.unmatched += [f"{stem}#{g.n}: (document failed)" for g in gold_units]
            for gold in gold_units:
                scores.kind.add(gold.kind, MISSING)
                scores.status_all.add(gold.status, MISSING)
                if gold.kind in SENTENCE_KINDS:
                    scores.status.add(gold.status, MISSING)
            continue
        scores.documents.append(stem)
        scores.grades[stem] = audit.summary.get("grade") if audit.summary else None
        score_document(gold_units, audit, scores, registry)
    return results


# ---------------------------------------------------------------------------
# Shared datasets


DATASET_FILES = {
    "semeval_fr_sensational": "semeval2023t3_fr_train_persuasion_paragraphs_sample400.tsv",
    "webis_clickbait_en": "webis_clickbait17_derived_sample400.tsv",
    "checkthat2024_checkworthy_en": "checkthat2024_checkworthy_dev-test_en.tsv",
    "checkthat2025_subjectivity_en": "checkthat2025_subjectivity_dev_test_en.tsv",
}
SEMEVAL_SENSATIONAL = ("Loaded_Language", "Exaggeration-Minimisation")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?…])\s+(?=[«\"“A-ZÀ-Ý0-9])")


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _units(texts: Iterable[str], kind: UnitKind = UnitKind.SENTENCE) -> list[Unit]:
    """One unit per text, each its own paragraph."""
    return [Unit(f"u{i + 1}", i, i, 0, len(text), text, kind) for i, text in enumerate(texts)]


def _judge_sentences(texts: Sequence[str], language: str) -> list[Any]:
    """Judge body sentences, none read as the document's title (a dummy first line)."""
    units = _units([".", *texts])
    return list(judge_units(units, {}, language=language))[1:]


def _binary_scores(pairs: Iterable[tuple[bool, bool]]) -> LabelScores:
    scores = LabelScores(("true", "false"))
    for gold, predicted in pairs:
        scores.add(*binary(gold, predicted))
    return scores


def evaluate_semeval(path: Path) -> LabelScores:
    """French paragraphs: sensational = any sentence sensational vs Loaded_Language /
    Exaggeration-Minimisation among the paragraph's techniques.

    All paragraphs are judged in one call, each its own paragraph of body text (after a
    first dummy line, so that no paragraph is read as the document's title)."""
    golds: list[bool] = []
    units: list[Unit] = [Unit("u0", 0, 0, 0, 1, ".", UnitKind.SENTENCE)]
    for row in _read_tsv(path):
        text = (row.get("text") or "").strip()
        if not text:
            continue
        techniques = (row.get("techniques") or "").split(",")
        golds.append(any(t.strip() in SEMEVAL_SENSATIONAL for t in techniques))
        for sentence in _SENTENCE_SPLIT.split(text):
            if sentence.strip():
                index = len(units)
                units.append(
                    Unit(
                        f"u{index}",
                        index,
                        len(golds),
                        0,
                        len(sentence),
                        sentence,
                        UnitKind.SENTENCE,
                    )
                )
    judged = judge_units(units, {}, language="fr")
    predicted = [False] * (len(golds) + 1)
    for unit, judgement in zip(units, judged, strict=True):
        predicted[unit.paragraph] = predicted[unit.paragraph] or judgement.sensational
    return _binary_scores(zip(golds, predicted[1:], strict=True))


def evaluate_webis(path: Path) -> LabelScores:
    """English teasers judged as titles: sensational vs clickbait."""
    rows = [r for r in _read_tsv(path) if (r.get("post_text") or "").strip()]
    judged = judge_units(
        _units((r["post_text"] for r in rows), UnitKind.HEADING), {}, language="en"
    )
    return _binary_scores(
        (r["clickbait"].strip() == "1", j.sensational) for r, j in zip(rows, judged, strict=True)
    )


def evaluate_checkworthy(path: Path) -> LabelScores:
    """English debate sentences: checkworthy vs CheckThat! 2024 Yes/No."""
    rows = [r for r in _read_tsv(path) if (r.get("Text") or "").strip()]
    judged = _judge_sentences([r["Text"] for r in rows], "en")
    return _binary_scores(
        (r["class_label"].strip() == "Yes", j.checkworthy)
        for r, j in zip(rows, judged, strict=True)
    )


def evaluate_subjectivity(path: Path) -> LabelScores:
    """English sentences: kind opinion vs CheckThat! 2025 SUBJ."""
    rows = [r for r in _read_tsv(path) if (r.get("sentence") or "").strip()]
    judged = _judge_sentences([r["sentence"] for r in rows], "en")
    return _binary_scores(
        (r["label"].strip() == "SUBJ", j.kind is UnitKind.OPINION)
        for r, j in zip(rows, judged, strict=True)
    )


DATASET_EVALUATORS: dict[str, Callable[[Path], LabelScores]] = {
    "semeval_fr_sensational": evaluate_semeval,
    "webis_clickbait_en": evaluate_webis,
    "checkthat2024_checkworthy_en": evaluate_checkworthy,
    "checkthat2025_subjectivity_en": evaluate_subjectivity,
}


POLNEAR_FILES = ("polnear_test_sample_docs.jsonl", "polnear_test_sample_attributions.jsonl")


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def evaluate_polnear(
    docs_path: Path, relations_path: Path, registry: Any = None
) -> dict[str, float]:
    """English attribution spans (PolNeAR): cue and source P/R/F1 with loose overlap, and
    the share of gold relations whose cue and source are both found by one prediction."""
    from auditor.attribute import find_attributions

    docs = [
        json.loads(line)
        for line in docs_path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    relations = [
        json.loads(line)
        for line in relations_path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]

    def spans(field: Any) -> list[tuple[int, int]]:
        return [(int(a), int(b)) for part in (field or []) for a, b in part["spans"]]

    counts = {"cue": [0, 0, 0], "source": [0, 0, 0]}  # tp, fp, fn
    found_relations = 0
    for doc in docs:
        predictions = find_attributions(doc["text"], language="en", registry=registry)
        rels = [r for r in relations if r["doc"] == doc["doc"]]
        gold = {
            "cue": [s for r in rels for s in spans(r.get("cue"))],
            "source": [s for r in rels for s in spans(r.get("source"))],
        }
        predicted = {
            "cue": [(m.cue_start, m.cue_end) for m in predictions],
            "source": [
                (m.source_start, m.source_end) for m in predictions if m.source_end > m.source_start
            ],
        }
        for part in ("cue", "source"):
            tp_fp_fn = counts[part]
            tp_fp_fn[0] += sum(
                1 for p in predicted[part] if any(_overlaps(p, g) for g in gold[part])
            )
            tp_fp_fn[1] += sum(
                1 for p in predicted[part] if not any(_overlaps(p, g) for g in gold[part])
            )
            tp_fp_fn[2] += sum(
                1 for g in gold[part] if not any(_overlaps(p, g) for p in predicted[part])
            )
        for rel in rels:
            cues, sources = spans(rel.get("cue")), spans(rel.get("source"))
            if any(
                any(_overlaps((m.cue_start, m.cue_end), c) for c in cues)
                and any(_overlaps((m.source_start, m.source_end), s) for s in sources)
                for m in predictions
            ):
                found_relations += 1
    out: dict[str, float] = {"relations": float(len(relations))}
    for part, (tp, fp, fn) in counts.items():
        scores = _prf(tp, fp, fn)
        out[f"{part}_precision"], out[f"{part}_recall"], out[f"{part}_f1"] = (
            scores["precision"],
            scores["recall"],
            scores["f1"],
        )
    out["relation_recall"] = _ratio(found_relations, len(relations))
    return out


def evaluate_datasets(datasets_dir: Path) -> tuple[dict[str, LabelScores], list[str]]:
    """Scores on every shared dataset present, and notes on those skipped."""
    results: dict[str, LabelScores] = {}
    notes: list[str] = []
    if not datasets_dir.is_dir():
        return results, [f"{datasets_dir}: no shared datasets folder, dataset scores skipped"]
    for name, filename in DATASET_FILES.items():
        path = datasets_dir / filename
        if not path.is_file():
            notes.append(f"{filename}: missing, skipped")
            continue
        results[name] = DATASET_EVALUATORS[name](path)
    return results, notes


# ---------------------------------------------------------------------------
# Whole run, flattening, floors


@dataclass
class Evaluation:
    groups: dict[str, GroupScores]
    datasets: dict[str, LabelScores]
    notes: list[str]
    spans: dict[str, dict[str, float]] = field(default_factory=dict)  # span-level datasets

    def to_dict(self) -> dict[str, Any]:
        return {
            "groups": {name: scores.to_dict() for name, scores in self.groups.items()},
            "datasets": {name: scores.to_dict() for name, scores in self.datasets.items()},
            "spans": self.spans,
            "metrics": flatten(self),
            "notes": self.notes,
        }


def flatten(evaluation: Evaluation) -> dict[str, float]:
    """The headline metrics under stable dotted names, e.g. ``seeds.status.accuracy``."""
    metrics: dict[str, float] = {}
    for group, scores in evaluation.groups.items():
        if group == "unfound":
            continue
        prefix = group
        metrics[f"{prefix}.status.accuracy"] = scores.status.accuracy()
        metrics[f"{prefix}.status.macro_f1"] = scores.status.macro_f1()
        metrics[f"{prefix}.status_checkworthy.accuracy"] = scores.status_checkworthy.accuracy()
        metrics[f"{prefix}.kind.accuracy"] = scores.kind.accuracy()
        metrics[f"{prefix}.kind.macro_f1"] = scores.kind.macro_f1()
        metrics[f"{prefix}.sensational.f1"] = scores.sensational.per_label()["true"]["f1"]
        metrics[f"{prefix}.checkworthy.f1"] = scores.checkworthy.per_label()["true"]["f1"]
        metrics[f"{prefix}.sources.f1"] = scores.sources.to_dict()["f1"]
        metrics[f"{prefix}.signals.micro_f1"] = scores.signals.micro_f1()
        metrics[f"{prefix}.alignment.coverage"] = _ratio(
            scores.gold_units - len(scores.unmatched), scores.gold_units
        )
    for name, dataset in evaluation.datasets.items():
        metrics[f"datasets.{name}.f1"] = dataset.per_label()["true"]["f1"]
        metrics[f"datasets.{name}.accuracy"] = dataset.accuracy()
    for name, values in evaluation.spans.items():
        for key in ("cue_f1", "source_f1", "relation_recall"):
            metrics[f"datasets.{name}.{key}"] = values[key]
    return metrics


def check_floors(
    metrics: Mapping[str, float], floors: Mapping[str, float], *, datasets_available: bool = True
) -> list[str]:
    """Every metric below its floor (or absent), as one line each; empty when all hold.

    Dataset metrics are not required when the shared datasets folder is missing.
    """
    failures = []
    for name, floor in sorted(floors.items()):
        if name.startswith("_"):
            continue
        measured = metrics.get(name)
        if measured is None:
            if name.startswith("datasets.") and not datasets_available:
                continue
            failures.append(f"{name}: not measured (floor {floor})")
        elif measured + 1e-9 < float(floor):
            failures.append(f"{name}: {measured:.4f} is below its floor {float(floor):.4f}")
    return failures


def pin_floors(metrics: Mapping[str, float], margin: float = 0.02) -> dict[str, float]:
    """Floors a little below the measured scores (``margin`` lower, rounded down to 0.01)."""
    import math

    return {
        name: max(0.0, math.floor((value - margin) * 100 + 1e-9) / 100)
        for name, value in sorted(metrics.items())
    }


def load_floors(path: Path) -> dict[str, float]:
    """The floors of a baseline file: ``{"floors": {metric: value}}`` (other keys ignored)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    floors = data.get("floors", data) if isinstance(data, Mapping) else {}
    return {k: float(v) for k, v in floors.items() if isinstance(v, int | float)}


def run(
    *,
    project: Path,
    predict: Predict,
    datasets_dir: Path | None = None,
    registry: Any = None,
    with_datasets: bool = True,
) -> Evaluation:
    """Evaluate the labelled seeds and own articles of ``project``, plus the shared datasets."""
    labels_dir = project / "tests" / "data" / "labels"
    labels = load_labels(labels_dir) if labels_dir.is_dir() else {}
    notes = [] if labels else [f"{labels_dir}: no label files"]
    groups = {
        "seeds": [project / "seeds"],
        "articles": [project / "tests" / "data" / "articles"],
    }
    results = evaluate_documents(labels, groups, predict, registry)
    # Sets written and labelled blind (before any run of the auditor on them): see their
    # READMEs for when each was measured blind and when it was later used to find errors.
    # Each is a folder of tests/data with its own articles/ and labels/.
    data = project / "tests" / "data"
    blind_sets = sorted(
        p for p in (data.iterdir() if data.is_dir() else ()) if (p / "labels").is_dir()
    )
    for folder in blind_sets:
        results.update(
            evaluate_documents(
                load_labels(folder / "labels"),
                {folder.name: [folder / "articles"]},
                predict,
                registry,
            )
        )
    datasets: dict[str, LabelScores] = {}
    spans: dict[str, dict[str, float]] = {}
    if with_datasets:
        datasets_dir = datasets_dir or (project.parent / "shared" / "datasets")
        datasets, dataset_notes = evaluate_datasets(datasets_dir)
        notes += dataset_notes
        docs, relations = (datasets_dir / name for name in POLNEAR_FILES)
        if docs.is_file() and relations.is_file():
            spans["polnear_attribution_en"] = evaluate_polnear(docs, relations, registry)
    return Evaluation(groups=results, datasets=datasets, notes=notes, spans=spans)


def pipeline_predict(settings: Any = None) -> Predict:
    """``predict(path)`` through the real pipeline (``auditor.pipeline.audit_path``)."""
    from auditor.pipeline import audit_path

    def predict(path: Path) -> Audit:
        return audit_path(path, settings)

    return predict


# ---------------------------------------------------------------------------
# Text tables


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[str(c) for c in headers], *[[_cell(c) for c in row] for row in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _cell(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def render_scores(title: str, scores: LabelScores, *, matrix: bool = True) -> str:
    """Per-label precision / recall / F1 and the confusion matrix (rows gold, columns predicted)."""
    per_label = scores.per_label()
    rows = [
        [label, v["precision"], v["recall"], v["f1"], int(v["support"])]
        for label, v in per_label.items()
    ]
    out = [
        f"{title}  (n={scores.total}, accuracy {scores.accuracy():.3f}, "
        f"macro-F1 {scores.macro_f1():.3f})",
        _table(["label", "precision", "recall", "F1", "support"], rows),
    ]
    if matrix:
        confusion = scores.confusion()
        columns = list(next(iter(confusion.values())).keys()) if confusion else []
        out.append(
            _table(
                ["gold \\ predicted", *columns],
                [[gold, *(row.get(c, 0) for c in columns)] for gold, row in confusion.items()],
            )
        )
    return "\n".join(out)


def render(evaluation: Evaluation, *, verbose: bool = False) -> str:
    """The whole evaluation as plain-text tables."""
    parts: list[str] = []
    for name, scores in evaluation.groups.items():
        parts.append(
            f"=== {name}: {len(scores.documents)} documents, {scores.gold_units} gold units"
        )
        for error in scores.errors:
            parts.append(f"  error: {error}")
        parts.append(render_scores("status (sentences)", scores.status))
        parts.append(
            render_scores("status (check-worthy units)", scores.status_checkworthy, matrix=False)
        )
        parts.append(render_scores("kind", scores.kind))
        parts.append(render_scores("sensational", scores.sensational))
        parts.append(render_scores("checkworthy", scores.checkworthy))
        src = scores.sources.to_dict()
        parts.append(
            f"sources: gold {src['gold']}, predicted {src['predicted']}, precision "
            f"{src['precision']:.3f}, recall {src['recall']:.3f}, F1 {src['f1']:.3f}"
        )
        for stem, grade in scores.grades.items():
            if isinstance(grade, Mapping):
                flag = ", sensational" if grade.get("sensational") else ""
                parts.append(f"grade {stem}: {grade.get('letter')} {grade.get('sourcing')}{flag}")
        signal_rows = [
            [kind, v["precision"], v["recall"], v["f1"], int(v["support"])]
            for kind, v in scores.signals.per_kind().items()
        ]
        if signal_rows:
            parts.append(f"signals per unit (micro-F1 {scores.signals.micro_f1():.3f})")
            parts.append(_table(["signal", "precision", "recall", "F1", "support"], signal_rows))
        if scores.unmatched:
            parts.append(f"unmatched gold units ({len(scores.unmatched)}):")
            parts += [f"  {u}" for u in scores.unmatched]
        if verbose:
            if src["misses"]:
                parts.append("missed sources:")
                parts += [f"  {m}" for m in src["misses"]]
            parts.append(f"disagreements ({len(scores.disagreements)}):")
            for d in scores.disagreements:
                parts.append(f"  {d['unit']}: gold {d['gold']} predicted {d['predicted']}")
                parts.append(f"    {d['text'][:160]}")
                parts.append(f"    reasons: {' | '.join(d['reasons'])}")
        parts.append("")
    for name, dataset in evaluation.datasets.items():
        parts.append(f"=== dataset {name}")
        parts.append(render_scores("positive = true", dataset))
        parts.append("")
    for name, values in evaluation.spans.items():
        parts.append(
            f"=== dataset {name} (spans, loose overlap; {int(values['relations'])} relations)"
        )
        rows = [
            [
                part,
                f"{values[part + '_precision']:.3f}",
                f"{values[part + '_recall']:.3f}",
                f"{values[part + '_f1']:.3f}",
            ]
            for part in ("cue", "source")
        ]
        parts.append(_table(["span", "precision", "recall", "F1"], rows))
        parts.append(f"relations with cue and source found: {values['relation_recall']:.3f}")
        parts.append("")
    metrics = flatten(evaluation)
    if metrics:
        parts.append("=== headline metrics")
        parts.append(_table(["metric", "value"], sorted(metrics.items())))
    parts += [f"note: {n}" for n in evaluation.notes]
    return "\n".join(parts)
