"""Content drift: shingle similarity of main texts, and the numbers and names of a cited
sentence traced in the old and new texts (pure functions, invented sentences)."""

from __future__ import annotations

import pytest

from auditor.drift import (
    FactKind,
    compare,
    lost_facts,
    names_in,
    numbers_in,
    sentence_facts,
    similarity,
    trace_facts,
)

BASE = (
    "Le gouvernement a présenté mardi un projet de loi sur le logement social. Le texte prévoit "
    "la construction de 12 000 logements par an dans les communes qui manquent de logements "
    "sociaux, un fonds de garantie pour les bailleurs et une simplification des permis de "
    "construire. Les associations de locataires saluent une avancée mais regrettent l'absence "
    "de mesures sur les loyers. Le débat au Parlement commencera le mois prochain."
)


def test_identical_texts_are_fully_similar_and_unrelated_ones_are_not() -> None:
    assert similarity(BASE, BASE) == 1.0
    other = (
        "La finale de la coupe a réuni quarante mille spectateurs samedi soir au stade. "
        "L'entraîneur a salué la solidarité de son équipe après une saison difficile."
    )
    assert similarity(BASE, other) < 0.05


def test_a_small_correction_is_not_drift_but_a_rewrite_is() -> None:
    corrected = BASE.replace("mardi", "mercredi")
    small = compare(BASE, corrected, 0.6)
    assert 0.8 < small.similarity < 1.0 and not small.drifted
    rewritten = BASE[: len(BASE) // 3] + (
        " Finalement, le projet a été retiré après l'opposition des maires, qui jugent le "
        "financement insuffisant, et aucune date n'est fixée pour un nouveau texte."
    )
    big = compare(BASE, rewritten, 0.6)
    assert big.drifted and big.similarity < 0.6
    assert 0 < big.retained < 1  # part of the first text is still there


def test_markup_and_case_do_not_count_only_words() -> None:
    assert similarity("Le  Texte,  prévoit: 12 logements.", "le texte prévoit 12 logements") == 1.0


def test_short_first_texts_are_never_called_drifted() -> None:
    measure = compare("Accueil du site", "Tout autre chose ici", 0.6)
    assert measure.similarity == 0.0 and not measure.drifted
    assert compare("Accueil du site", "Tout autre chose ici", 0.6, min_words=0).drifted


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 000 logements", {"12000"}),
        ("12\u202f000 logements", {"12000"}),  # narrow no-break space (French typography)
        ("12,000 homes", {"12000"}),
        ("un taux de 7,3 %", {"7.3"}),
        ("a rate of 7.3%", {"7.3"}),
        ("1.234.567,5 euros", {"1234567.5"}),
        ("en 2024, 3 fois", {"2024"}),  # single digits say nothing
        ("voir la note [12] et 2,50 €", {"2.5"}),  # footnote markers are not numbers
    ],
)
def test_numbers_are_read_in_french_and_english_formats(text: str, expected: set[str]) -> None:
    assert numbers_in(text) == expected


def test_names_are_capitalised_runs_not_sentence_openers() -> None:
    sentence = (
        "Selon la Banque de France, M. Dupont a rencontré Emmanuel Macron et l'OMS au "
        "Musée d'Orsay."
    )
    assert names_in(sentence) == [
        "Banque de France",
        "M. Dupont",
        "Emmanuel Macron",
        "OMS",
        "Musée d'Orsay",
    ]
    assert names_in("Le chômage baisse. Paris aussi.") == []  # lone capitalised openers
    assert names_in("According to the World Health Organization, cases rose.") == [
        "World Health Organization"
    ]


def test_cited_facts_are_traced_in_old_and_new_text() -> None:
    sentence = "Selon l'Insee, le chômage a atteint 7,3 % en 2024, soit 2 300 000 personnes[3]."
    facts = sentence_facts(sentence)
    assert [(f.kind, f.key) for f in facts] == [
        (FactKind.NUMBER, "7.3"),
        (FactKind.NUMBER, "2024"),
        (FactKind.NUMBER, "2300000"),
        (FactKind.NAME, "insee"),
    ]
    old = "L'INSEE indique un chômage de 7.3% en 2024 : 2\u00a0300\u00a0000 personnes."
    new = "Selon l’Insee, le chômage atteint 7,5 % en 2025."
    traces = trace_facts(facts, old, new)
    assert [(t.text, t.in_old, t.in_new) for t in traces] == [
        ("7,3", True, False),
        ("2024", True, False),
        ("2 300 000", True, False),
        ("Insee", True, True),  # case, accents and apostrophes do not matter
    ]
    assert [t.text for t in lost_facts(traces)] == ["7,3", "2024", "2 300 000"]
    unknown = trace_facts(sentence, None, new)
    assert all(t.in_old is None for t in unknown) and not lost_facts(unknown)


def test_a_name_must_match_whole_words() -> None:
    traces = trace_facts("Le rapport de Martin est cité.", "Martinez a parlé.", "Martin a parlé.")
    assert [(t.text, t.in_old, t.in_new) for t in traces] == [("Martin", False, True)]
