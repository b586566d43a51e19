"""The hand-labelled evaluation set stays well-formed: it is the measure of the product."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LABELS = sorted((ROOT / "tests" / "data" / "labels").glob("*.jsonl"))
KINDS = {"claim", "quote", "opinion", "question", "heading", "boilerplate"}
STATUSES = {"attributed", "vague", "unattributed"}


class _Text(HTMLParser):
    """The visible text of an HTML fixture, blocks on their own lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("head", "script", "style"):
            self.skip += 1
        if tag in ("p", "h1", "h2", "h3", "li", "figcaption", "nav", "br"):
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("head", "script", "style"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(data)


def source_of(stem: str) -> Path:
    found = sorted((ROOT / "seeds").glob(f"{stem}.*")) + sorted(
        (ROOT / "tests" / "data" / "articles").glob(f"{stem}.*")
    )
    assert found, f"no source file for labels {stem}"
    return found[0]


def rendered(path: Path) -> str:
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        raw = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", raw)
        return re.sub(r"(?m)^(#+|-) ", "", raw).replace("*", "")
    if path.suffix == ".html":
        parser = _Text()
        parser.feed(raw)
        return "".join(parser.out)
    return raw


def test_every_seed_is_labelled() -> None:
    stems = {p.stem for p in LABELS}
    assert {p.stem for p in (ROOT / "seeds").glob("*.txt")} <= stems
    assert len(stems) >= 15


@pytest.mark.parametrize("labels", LABELS, ids=lambda p: p.stem)
def test_labels_are_well_formed_and_follow_the_text(labels: Path) -> None:
    text = rendered(source_of(labels.stem))
    units = [
        json.loads(line) for line in labels.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    position = 0
    for number, unit in enumerate(units, 1):
        assert unit["doc"] == labels.stem and unit["n"] == number
        assert unit["kind"] in KINDS and unit["status"] in STATUSES
        assert isinstance(unit["checkworthy"], bool) and isinstance(unit["sensational"], bool)
        if unit["kind"] in {"heading", "boilerplate", "question", "opinion"}:
            assert unit["checkworthy"] is False, unit["text"]
        if unit["status"] in {"attributed", "vague"}:
            assert unit["sources"], f"{labels.stem} n={number}: {unit['status']} without a source"
        for source in unit["sources"]:
            carried = re.fullmatch(r"carried from n=(\d+)", source.get("cue", ""))
            if carried:
                assert int(carried.group(1)) < number, "attribution never carries backwards"
        found = text.find(unit["text"], position)
        assert found >= 0, f"{labels.stem} n={number} not found in order: {unit['text'][:60]!r}"
        position = found + len(unit["text"])
