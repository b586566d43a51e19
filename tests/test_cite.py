"""Cite: notes list, markers, links, unlinked references and footnote problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.cite import collect_citations, find_markers, find_notes, is_valid_url
from auditor.config import load_settings
from auditor.ingest import ingest, ingest_text
from auditor.records import InputFormat, LinkOrigin, MarkerStyle, ProblemKind
from auditor.segment import segment

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def registry():  # type: ignore[no-untyped-def]
    return load_settings().registry


def cite_text(text: str, registry, fmt: InputFormat = InputFormat.TEXT):  # type: ignore[no-untyped-def]
    article = ingest_text(text, input_format=fmt)
    notes = find_notes(article.text)
    seg = segment(article.text, skip=[notes.span] if notes.span else [])
    return article, seg, collect_citations(article, seg.units, notes, registry)


def test_seed_001_fourteen_notes_and_a_dangling_fifteen(registry) -> None:  # type: ignore[no-untyped-def]
    article = ingest(str(next(SEEDS.glob("001_*.txt"))))
    notes = find_notes(article.text)
    seg = segment(article.text, skip=[notes.span] if notes.span else [])
    citations = collect_citations(article, seg.units, notes, registry)
    assert [n.number for n in citations.footnotes] == list(range(1, 15))
    assert all(len(n.urls) == 1 for n in citations.footnotes)
    assert citations.footnotes[1].urls[0].startswith("https://www.economist.com/europe/2022/07/24/")
    dangling = [p for p in citations.problems if p.kind is ProblemKind.DANGLING_FOOTNOTE]
    assert [p.number for p in dangling] == [15]
    assert dangling[0].unit_id is not None
    assert "pont routier" in next(u.text for u in seg.units if u.id == dangling[0].unit_id)
    assert not [p for p in citations.problems if p.kind is ProblemKind.UNUSED_FOOTNOTE]
    # the notes list is not article text
    assert not any(u.text.startswith("[1] https") for u in seg.units)
    economist = next(link for link in citations.links if link.footnote == 2)
    assert economist.domain == "economist.com"
    assert economist.source_id == registry.match_url(economist.url).id
    marker_unit = next(u for u in seg.units if u.id == economist.unit_id)
    assert marker_unit.text.startswith("Selon The Economist")


def test_marker_after_final_punctuation_belongs_to_the_sentence(registry) -> None:  # type: ignore[no-untyped-def]
    text = "Première phrase sourcée.[1] Deuxième phrase sans note.\n\n[1] https://example.org/a"
    _, seg, citations = cite_text(text, registry)
    marker = citations.markers[0]
    assert next(u for u in seg.units if u.id == marker.unit_id).text.startswith("Première")


def test_unused_duplicate_out_of_order_and_malformed(registry) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Une phrase cite la note trois.[3] Une autre cite la note un.[1] Et la note deux.[2]\n\n"
        "[1] https://example.org/un\n[2] htps://broken.example/deux\n[2] https://example.org/deux-bis\n"
        "[3] https://example.org/trois ; https://example.com/trois-bis\n[4] Entretien avec l'auteur, mars 2024."
    )
    _, _, citations = cite_text(text, registry)
    kinds = {(p.kind, p.number) for p in citations.problems}
    assert (ProblemKind.UNUSED_FOOTNOTE, 4) in kinds
    assert (ProblemKind.DUPLICATE_FOOTNOTE, 2) in kinds
    assert (ProblemKind.MARKERS_OUT_OF_ORDER, 1) in kinds
    assert (ProblemKind.MALFORMED_URL, 2) in kinds
    three = next(n for n in citations.footnotes if n.number == 3)
    assert three.urls == ("https://example.org/trois", "https://example.com/trois-bis")
    four = next(n for n in citations.footnotes if n.number == 4)
    assert four.urls == () and "Entretien" in four.text


def test_marker_styles(registry) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Phrase avec exposant¹ et caret^2 et parenthèse(3) et crochet [4]. Une surface de 12 m² "
        "n'est pas une note, ni l'an (2019).\n\n"
        "1. https://a.example.org/1\n2. https://a.example.org/2\n3. https://a.example.org/3\n4. https://a.example.org/4"
    )
    article = ingest_text(text)
    notes = find_notes(article.text)
    assert [n.number for n in notes.footnotes] == [1, 2, 3, 4]
    markers = find_markers(article.text, notes=notes, skip=[notes.span] if notes.span else [])
    assert [(m.number, m.style) for m in markers] == [
        (1, MarkerStyle.SUPERSCRIPT),
        (2, MarkerStyle.CARET),
        (3, MarkerStyle.PAREN),
        (4, MarkerStyle.BRACKET),
    ]


def test_numbered_list_in_body_is_not_a_notes_list() -> None:
    text = "Les trois mesures sont les suivantes :\n\n1. Baisser les impôts.\n\n2. Réformer l'école.\n\nFin de l'article ici, sans notes."
    assert find_notes(ingest_text(text).text).span is None


def test_parenthesised_numbers_are_not_markers_without_notes() -> None:
    article = ingest_text("Le texte (1) ne renvoie à rien et 120 (2) non plus.")
    assert find_markers(article.text, notes=find_notes(article.text)) == []


def test_links_with_units_and_source_link(registry) -> None:  # type: ignore[no-untyped-def]
    article, seg, citations = cite_text(
        "Selon [Reuters](https://www.reuters.com/world/a), les obus arrivent. Voir https://www.lemonde.fr/b pour plus.",
        registry,
        InputFormat.MARKDOWN,
    )
    reuters, lemonde = citations.links
    assert reuters.origin is LinkOrigin.MARKDOWN and reuters.source_id == "reuters"
    assert lemonde.origin is LinkOrigin.BARE and lemonde.domain == "lemonde.fr"
    assert reuters.unit_id == seg.units[0].id and lemonde.unit_id == seg.units[1].id
    assert article.text[reuters.start : reuters.end] == "Reuters"

    seed4 = ingest(str(next(SEEDS.glob("004_*.txt"))))
    notes = find_notes(seed4.text)
    seg4 = segment(seed4.text)
    cit4 = collect_citations(seed4, seg4.units, notes, registry)
    source_link = [lk for lk in cit4.links if lk.origin is LinkOrigin.SOURCE_LINK]
    assert len(source_link) == 1 and source_link[0].domain == "lexpress.fr"
    assert source_link[0].start is None and source_link[0].unit_id is None


def test_unlinked_references_in_blog_post(registry) -> None:  # type: ignore[no-untyped-def]
    article = ingest(str(next(SEEDS.glob("003_*.txt"))))
    seg = segment(article.text)
    citations = collect_citations(article, seg.units, find_notes(article.text), registry)
    names = [r.name for r in citations.unlinked]
    assert names == ["The War Zone", "Xataka"]
    problems = [p for p in citations.problems if p.kind is ProblemKind.UNLINKED_REFERENCE]
    assert [p.name for p in problems] == names


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Pour en savoir plus : reportage complet dans Le Monde.", "Le Monde"),
        ("Further reading: an analysis on Foreign Policy.", "Foreign Policy"),
        ("Voir aussi : l'enquête du Washington Post sur ce sujet.", "The Washington Post"),
        ("Pour mieux comprendre la crise du blé : dossier spécial sur Le Figaro.", "Le Figaro"),
    ],
)
def test_unlinked_reference_forms(registry, text: str, name: str) -> None:  # type: ignore[no-untyped-def]
    _, _, citations = cite_text(
        "Une première phrase d'article tout à fait ordinaire.\n\n" + text, registry
    )
    assert [r.name for r in citations.unlinked] == [name]


def test_reference_with_a_link_is_not_unlinked(registry) -> None:  # type: ignore[no-untyped-def]
    _, _, citations = cite_text(
        "Pour approfondir : [Analyse sur The War Zone](https://www.twz.com/x).",
        registry,
        InputFormat.MARKDOWN,
    )
    assert citations.unlinked == ()


@pytest.mark.parametrize(
    ("url", "valid"),
    [
        ("https://www.reuters.com/a", True),
        ("http://127.0.0.1:8000/x", True),
        ("https://exa mple.com", False),
        ("htps://example.com", False),
        ("https://", False),
        ("https://nodot/x", False),
        ("ftp://a.org/x", False),
    ],
)
def test_url_validity(url: str, valid: bool) -> None:
    assert is_valid_url(url) is valid
