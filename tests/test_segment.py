"""Tests for the segment stage: paragraphs, sentences, headings, boilerplate, offsets."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.lexicons import load_lexicon
from auditor.records import UnitKind
from auditor.segment import Segmentation, segment, sentence_spans

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def sents(text: str, language: str = "fr") -> list[str]:
    """Sentences of a single paragraph."""
    return [text[a:b] for a, b in sentence_spans(text, language=language)]


def units(text: str, **kwargs: object) -> list[tuple[str, str]]:
    seg = segment(text, **kwargs)  # type: ignore[arg-type]
    return [(u.kind.value, u.text) for u in seg.units]


def assert_boilerplate_between_sentences(line: str) -> None:
    """``line`` alone between two paragraphs of an article is one boilerplate unit."""
    assert units(f"Un vrai paragraphe. Il continue.\n{line}\nLa fin.") == [
        ("sentence", "Un vrai paragraphe."),
        ("sentence", "Il continue."),
        ("boilerplate", line),
        ("sentence", "La fin."),
    ]


def check_invariants(text: str, seg: Segmentation, skip: Sequence[tuple[int, int]] = ()) -> None:
    covered = bytearray(len(text))
    for i, p in enumerate(seg.paragraphs):
        assert p.index == i
        assert p.start < p.end
        assert not text[p.start].isspace() and not text[p.end - 1].isspace()
        assert "\n" not in text[p.start : p.end]
        if i:
            assert seg.paragraphs[i - 1].end <= p.start
    previous_end = 0
    for i, u in enumerate(seg.units):
        assert u.id == f"u{i + 1}" and u.index == i
        assert text[u.start : u.end] == u.text
        assert u.text and not u.text[0].isspace() and not u.text[-1].isspace()
        assert u.start >= previous_end
        previous_end = u.end
        p = seg.paragraphs[u.paragraph]
        assert p.start <= u.start < u.end <= p.end
        for a, b in skip:
            assert a >= b or u.end <= a or u.start >= b
        covered[u.start : u.end] = b"\x01" * (u.end - u.start)
    skipped = bytearray(len(text))
    for a, b in skip:
        a, b = max(0, a), min(len(text), b)
        if a < b:
            skipped[a:b] = b"\x01" * (b - a)
    for i, ch in enumerate(text):
        if not ch.isspace() and not skipped[i]:
            assert covered[i], f"character {i} ({ch!r}) is in no unit"
    assert [u.paragraph for u in seg.units] == sorted(u.paragraph for u in seg.units)
    assert {u.paragraph for u in seg.units} == set(range(len(seg.paragraphs)))


# ---------------------------------------------------------------------------
# Basic sentence splitting


def test_splits_at_final_punctuation() -> None:
    assert sents("Il pleut. Il vente ! Viendra-t-il ? Personne ne sait…") == [
        "Il pleut.",
        "Il vente !",
        "Viendra-t-il ?",
        "Personne ne sait…",
    ]


def test_split_requires_a_sentence_start_after_the_punctuation() -> None:
    assert sents("Il est parti. puis revenu.") == ["Il est parti. puis revenu."]
    assert sents("Le score : 3. 4 équipes ont fini.") == ["Le score : 3.", "4 équipes ont fini."]
    assert sents("Il a dit non. « Jamais », a-t-il ajouté.") == [
        "Il a dit non.",
        "« Jamais », a-t-il ajouté.",
    ]
    assert sents("Fin du débat. (Applaudissements.) La séance reprend.") == [
        "Fin du débat.",
        "(Applaudissements.)",
        "La séance reprend.",
    ]
    assert sents("Il hésite. – Non, dit-il.") == ["Il hésite.", "– Non, dit-il."]


def test_repeated_and_mixed_final_punctuation() -> None:
    assert sents("Quoi ?! Il est parti. Incroyable !!! Mais vrai.") == [
        "Quoi ?!",
        "Il est parti.",
        "Incroyable !!!",
        "Mais vrai.",
    ]


def test_no_split_without_whitespace_after_the_period() -> None:
    assert sents("Voir le site Formiche.net et lexpress.fr pour la suite.") == [
        "Voir le site Formiche.net et lexpress.fr pour la suite."
    ]


# ---------------------------------------------------------------------------
# Abbreviations


@pytest.mark.parametrize(
    "text",
    [
        "M. Macron a reçu MM. Dupont et Durand à l'Élysée.",
        "Mme. Martin et Mlle. Petit ont été reçues par Mgr. Aupetit.",
        "Le Dr. Martin et le Pr. Dubois ont signé la tribune.",
        "Il visite la basilique St. Pierre demain.",
        "Selon les sources antiques (cf. Tacite), la ville comptait dix mille habitants.",
        "Plusieurs métaux, p. ex. Le cuivre, sont rares.",
        "Le texte, cf. Le Monde du 3 mars, le confirme.",
        "On trouve des chars, des obus, etc. et des drones.",
        "Voir le décret n° 45 et l'article no. 12 du code.",
        "Voir vol. 3, p. 45 et pp. 12-15 du rapport.",
        "Le rapport du 3 janv. 2024 et celui du 15 févr. 2024 divergent.",
        "Mr. Smith met Mrs. Jones and Ms. Lee in London.",
        "Prof. Adams briefed Gen. Milley and Col. Reyes on Tuesday.",
        "Lt. Dan and Sgt. Pepper reported to Capt. Hook.",
        "Rep. Ocasio-Cortez, Sen. Warren and Gov. Newsom spoke.",
        "The U.S. Army and U.K. Prime Minister Keir Starmer agreed.",
        "U.N. Secretary-General António Guterres said so.",
        "Some weapons, e.g. Shahed drones, i.e. Iranian designs, were sold.",
        "Russia vs. Ukraine is the match of the century.",
        "Apple Inc. Chief Executive Tim Cook said so.",
        "Microsoft Corp. President Brad Smith testified.",
        "Martin Luther King Jr. Day is a holiday.",
        "The meeting on Jan. 5 ended at 3 p.m. Eastern time.",
        "La ville fut fondée en 52 av. J.-C. par les Romains.",
        "See No. 5 and Fig. 3 for details.",
    ],
)
def test_abbreviations_do_not_end_sentences(text: str) -> None:
    assert sents(text) == [text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Il a acheté des chars, des obus, etc. Le reste a suivi.",
            ["Il a acheté des chars, des obus, etc.", "Le reste a suivi."],
        ),
        (
            "The troops arrived in the U.S. The next day they left.",
            ["The troops arrived in the U.S.", "The next day they left."],
        ),
        (
            "The company is Apple Inc. It makes phones.",
            ["The company is Apple Inc.", "It makes phones."],
        ),
        (
            "La ville fut prise en 52 av. J.-C. La Gaule devint romaine.",
            ["La ville fut prise en 52 av. J.-C.", "La Gaule devint romaine."],
        ),
        (
            "Voici le plan B. Il est prêt.",
            ["Voici le plan B.", "Il est prêt."],
        ),
        (
            "He said no. The talks ended.",
            ["He said no.", "The talks ended."],
        ),
        (
            "Ils combattent à l'est. Les pertes sont lourdes.",
            ["Ils combattent à l'est.", "Les pertes sont lourdes."],
        ),
    ],
)
def test_abbreviations_that_may_end_a_sentence(text: str, expected: list[str]) -> None:
    assert sents(text) == expected


def test_abbreviation_capitalised_at_sentence_start() -> None:
    assert sents("Il a tort. Cf. Le rapport de 2023.") == ["Il a tort.", "Cf. Le rapport de 2023."]


def test_list_numbering_at_paragraph_start() -> None:
    assert sents("1. Les faits sont établis.") == ["1. Les faits sont établis."]
    assert sents("II. La riposte ukrainienne.") == ["II. La riposte ukrainienne."]
    assert sents("Il y a eu 12 morts en 2024. 15 000 personnes ont fui.") == [
        "Il y a eu 12 morts en 2024.",
        "15 000 personnes ont fui.",
    ]


def test_initials() -> None:
    assert sents("J. K. Rowling a écrit ce livre. Elle vit à Édimbourg.") == [
        "J. K. Rowling a écrit ce livre.",
        "Elle vit à Édimbourg.",
    ]
    assert sents("Le général Kim J.-u. a signé. George W. Bush aussi.") == [
        "Le général Kim J.-u. a signé.",
        "George W. Bush aussi.",
    ]
    assert sents("Selon Jean-Pierre V. Dupont, la guerre dure.") == [
        "Selon Jean-Pierre V. Dupont, la guerre dure."
    ]


# ---------------------------------------------------------------------------
# Numbers and URLs


@pytest.mark.parametrize(
    "text",
    [
        "La Corée du Nord a envoyé 14.000 soldats et 15.800 conteneurs en Russie.",
        "La croissance atteint 3.5 % cette année selon le FMI.",
        "Les ventes ont rapporté 5,5 milliards de dollars à Pyongyang.",
        "Environ 15 000 soldats russes ont été tués en cinq mois.",
        "La version 1.2.3 du logiciel corrige la faille.",
        "Le communiqué date du 15.04.2025 à Séoul.",
        "Lisez www.example.com et https://example.org/a.b?c=d!e pour comprendre.",
    ],
)
def test_numbers_and_urls_do_not_split(text: str) -> None:
    assert sents(text) == [text]


def test_url_at_sentence_end() -> None:
    assert sents("Le rapport est sur https://example.org/rapport.pdf. Il fait 40 pages.") == [
        "Le rapport est sur https://example.org/rapport.pdf.",
        "Il fait 40 pages.",
    ]
    assert sents("Read it at example.com. The site is free.") == [
        "Read it at example.com.",
        "The site is free.",
    ]


# ---------------------------------------------------------------------------
# Ellipses


def test_ellipsis_inside_a_sentence() -> None:
    text = "Cela s'inscrit dans une logique implacable… mais risquée."
    assert sents(text) == [text]
    assert sents("Il hésita... puis partit.") == ["Il hésita... puis partit."]


def test_ellipsis_before_an_uppercase_word_ends_the_sentence() -> None:
    assert sents("Ils planchent sur des plans confidentiels… Ambiance digne d'un roman !") == [
        "Ils planchent sur des plans confidentiels…",
        "Ambiance digne d'un roman !",
    ]
    assert sents("Il hésita... Puis il partit.") == ["Il hésita...", "Puis il partit."]


def test_elision_in_brackets_is_not_a_sentence_end() -> None:
    text = "À cette époque, […] La Russie tirait 10 000 obus par jour."
    assert sents(text) == [text]
    assert sents("Il a dit (...) Que tout irait bien.") == ["Il a dit (...) Que tout irait bien."]


# ---------------------------------------------------------------------------
# Footnote markers


def test_markers_after_the_period_belong_to_the_preceding_sentence() -> None:
    assert sents("Elle fut reconnue par Moscou[1]. En remerciant les hommes, il parla.") == [
        "Elle fut reconnue par Moscou[1].",
        "En remerciant les hommes, il parla.",
    ]
    assert sents("Ils sont « prêts à prendre part au conflit »[3]. Confirmé depuis.") == [
        "Ils sont « prêts à prendre part au conflit »[3].",
        "Confirmé depuis.",
    ]
    assert sents("C'est la fin.[4] Suite au prochain numéro.") == [
        "C'est la fin.[4]",
        "Suite au prochain numéro.",
    ]
    assert sents("C'est la fin. [4] Suite au prochain numéro.") == [
        "C'est la fin. [4]",
        "Suite au prochain numéro.",
    ]
    assert sents("C'est la fin.² Suite au prochain numéro.") == [
        "C'est la fin.²",
        "Suite au prochain numéro.",
    ]


# ---------------------------------------------------------------------------
# Quotations


def test_multi_sentence_guillemets_with_speaker_after() -> None:
    text = "« Phrase un. Phrase deux. Phrase trois », affirme Hugh Griffiths. Il se tait."
    assert sents(text) == [
        "« Phrase un. Phrase deux. Phrase trois », affirme Hugh Griffiths.",
        "Il se tait.",
    ]


def test_multi_sentence_guillemets_with_speaker_before() -> None:
    text = "Sa remarque m'a marqué : « Le risque est réel… C'est grave. Et ça change tout. » Puis il partit."
    assert sents(text) == [
        "Sa remarque m'a marqué : « Le risque est réel… C'est grave. Et ça change tout. »",
        "Puis il partit.",
    ]


def test_question_inside_a_quote() -> None:
    assert sents("« Pourquoi ? Pour qui ? » demande-t-il. Personne ne répond.") == [
        "« Pourquoi ? Pour qui ? » demande-t-il.",
        "Personne ne répond.",
    ]


def test_quote_closed_then_new_sentence() -> None:
    assert sents("« Non. » Il est parti.") == ["« Non. »", "Il est parti."]
    assert sents("«Sans lui, rien n'est possible». Comme prévu, il a signé.") == [
        "«Sans lui, rien n'est possible».",
        "Comme prévu, il a signé.",
    ]


def test_curly_quotes_with_speaker_tag() -> None:
    assert sents("“We will win. We must,” said Joe Biden. He left.", language="en") == [
        "“We will win. We must,” said Joe Biden.",
        "He left.",
    ]
    text = "“L’artillerie devient essentielle, résume Reuters. Celui qui a le plus d’obus gagne”."
    assert sents("Depuis 2023, " + text[0].lower() + text[1:]) == [
        "Depuis 2023, " + text[0].lower() + text[1:]
    ]
    assert sents("Selon Reuters, " + text + " Pas de doute.") == [
        "Selon Reuters, " + text,
        "Pas de doute.",
    ]


def test_straight_double_quotes() -> None:
    assert sents('"We will win. We must," she said. Then she left.') == [
        '"We will win. We must," she said.',
        "Then she left.",
    ]
    assert sents('Il a transféré des systèmes "Pantsir" à Pyongyang. Ce fut rapide.') == [
        'Il a transféré des systèmes "Pantsir" à Pyongyang.',
        "Ce fut rapide.",
    ]


def test_stray_closing_quote_used_as_opening_quote() -> None:
    text = (
        "Ils citent des sources ukrainiennes. ”Les navires ont transporté [ces munitions] "
        "de Rajin. Puis par train vers l’Ukraine.” La Corée du Nord a aussi déployé des missiles."
    )
    assert sents(text) == [
        "Ils citent des sources ukrainiennes.",
        "”Les navires ont transporté [ces munitions] de Rajin. Puis par train vers l’Ukraine.”",
        "La Corée du Nord a aussi déployé des missiles.",
    ]


def test_unclosed_quote_falls_back_to_normal_splitting() -> None:
    assert sents("Il a dit : « Un. Deux. Trois.") == ["Il a dit : « Un.", "Deux.", "Trois."]
    text = "« Le début d'une citation.\nUne autre phrase. Et une troisième.\nUn dernier mot. Fin."
    got = [u.text for u in segment(text).units]
    assert got == [
        "« Le début d'une citation.",
        "Une autre phrase.",
        "Et une troisième.",
        "Un dernier mot.",
        "Fin.",
    ]


def test_long_quotation_without_speaker_is_one_unit() -> None:
    quote = "« " + " ".join(f"Phrase numéro {i} de la citation." for i in range(30)) + " »"
    assert sents(quote) == [quote]


def test_single_quotes_in_english_only() -> None:
    text = "‘We will not leave. Never,’ the minister said. Russia's army isn't ready."
    assert sents(text, language="en") == [
        "‘We will not leave. Never,’ the minister said.",
        "Russia's army isn't ready.",
    ]
    assert sents("L’armée n’est pas prête. L’hiver arrive.") == [
        "L’armée n’est pas prête.",
        "L’hiver arrive.",
    ]
    assert sents("The students' union met. It voted.", language="en") == [
        "The students' union met.",
        "It voted.",
    ]


# ---------------------------------------------------------------------------
# Parentheses, inner question and exclamation marks


def test_no_split_inside_parentheses() -> None:
    text = "Il est venu (il l'avait dit. Personne ne le croyait) hier soir. Ensuite il partit."
    assert sents(text) == [
        "Il est venu (il l'avait dit. Personne ne le croyait) hier soir.",
        "Ensuite il partit.",
    ]


def test_very_long_parenthesis_can_be_split() -> None:
    inner = " ".join(f"Ceci est la phrase {i} de la parenthèse." for i in range(12))
    text = f"Début ({inner}) fin."
    assert len(sents(text)) > 1


def test_question_and_exclamation_followed_by_lowercase() -> None:
    text = "Cerise sur le gâteau (empoisonné ?) : cette coopération inclurait des missiles."
    assert sents(text) == [text]
    assert sents("Je l'ai rencontré à Cordoue (eh oui !). Sa remarque m'a marqué.") == [
        "Je l'ai rencontré à Cordoue (eh oui !).",
        "Sa remarque m'a marqué.",
    ]
    assert sents("Vraiment ? oui, vraiment.") == ["Vraiment ? oui, vraiment."]


def test_dateline_in_parentheses_is_its_own_boilerplate_unit() -> None:
    text = "(Rome, 16 avril 2025). Soixante-quatre expéditions maritimes ont eu lieu. Ensuite rien."
    units = segment(text).units
    assert [(u.kind, u.text) for u in units] == [
        (UnitKind.BOILERPLATE, "(Rome, 16 avril 2025)."),
        (UnitKind.SENTENCE, "Soixante-quatre expéditions maritimes ont eu lieu."),
        (UnitKind.SENTENCE, "Ensuite rien."),
    ]
    english = segment("(WASHINGTON, April 16, 2025). The Senate voted. It passed.").units
    assert english[0].kind is UnitKind.BOILERPLATE


def test_french_spacing_before_punctuation() -> None:
    text = (
        "Pourquoi Pyongyang\u202f? Parce que Moscou en a besoin\u00a0! C'est «\u00a0vital\u00a0»."
    )
    assert sents(text) == [
        "Pourquoi Pyongyang\u202f?",
        "Parce que Moscou en a besoin\u00a0!",
        "C'est «\u00a0vital\u00a0».",
    ]


# ---------------------------------------------------------------------------
# Paragraphs, headings, boilerplate


def test_paragraphs_and_offsets() -> None:
    text = "  Titre du dossier  \r\n\r\nPremière phrase. Deuxième phrase.\n\t\nTroisième phrase.\n"
    seg = segment(text)
    assert [(p.start, p.end) for p in seg.paragraphs] == [
        (2, 18),
        (text.index("Première"), text.index("\n\t")),
        (text.index("Troisième"), len(text) - 1),
    ]
    assert [(u.id, u.paragraph, u.kind, u.text) for u in seg.units] == [
        ("u1", 0, UnitKind.HEADING, "Titre du dossier"),
        ("u2", 1, UnitKind.SENTENCE, "Première phrase."),
        ("u3", 1, UnitKind.SENTENCE, "Deuxième phrase."),
        ("u4", 2, UnitKind.SENTENCE, "Troisième phrase."),
    ]
    check_invariants(text, seg)


def test_plain_text_headings() -> None:
    text = "\n".join(
        [
            "Jusqu’où va l’aide militaire russe à la Corée du Nord ? Plongée dans un nouveau jeu d’alliances",
            "Premier paragraphe du texte. Il continue.",
            "Les drones Shahed : un tournant industriel",
            "Pourquoi Pyongyang ?",
            "Conséquences stratégiques en Asie : vers une nouvelle donne mondiale ?",
            "Voici ce que l'on sait :",
            "une ligne en minuscules sans point",
            "Une ligne avec un marqueur[3]",
            "Une ligne qui se termine par un point.",
            "Une ligne qui finit en suspens…",
            "Il pleut. Il vente",
            "Questions fréquentes",
            "Une ligne bien trop longue pour être un intertitre car elle compte plus de quatorze mots au total",
            "Le dernier paragraphe sans point",
        ]
    )
    kinds = [(k, t.split()[0]) for k, t in units(text)]
    assert kinds == [
        ("heading", "Jusqu’où"),
        ("sentence", "Premier"),
        ("sentence", "Il"),
        ("heading", "Les"),
        ("sentence", "Pourquoi"),
        ("heading", "Conséquences"),
        ("sentence", "Voici"),
        ("sentence", "une"),
        ("sentence", "Une"),
        ("sentence", "Une"),
        ("sentence", "Une"),
        ("sentence", "Il"),
        ("sentence", "Il"),
        ("heading", "Questions"),
        ("sentence", "Une"),
        ("sentence", "Le"),
    ]


def test_title_is_one_unit_and_a_single_paragraph_is_not_a_heading() -> None:
    assert units("Pourquoi la guerre ? Pourquoi maintenant\nLe texte suit.") == [
        ("heading", "Pourquoi la guerre ? Pourquoi maintenant"),
        ("sentence", "Le texte suit."),
    ]
    assert units("Un texte sans point final") == [("sentence", "Un texte sans point final")]


def test_headings_opening_with_a_quote_or_a_number() -> None:
    text = "« Nous ne céderons pas » : le message de Kiev\n2025, l'année de tous les dangers\nFin."
    assert units(text) == [
        ("heading", "« Nous ne céderons pas » : le message de Kiev"),
        ("heading", "2025, l'année de tous les dangers"),
        ("sentence", "Fin."),
    ]


def test_english_headings() -> None:
    assert units(
        "North Korea's shells keep Russia's guns firing\nThe report was published on Monday.",
        language="en",
    ) == [
        ("heading", "North Korea's shells keep Russia's guns firing"),
        ("sentence", "The report was published on Monday."),
    ]


def test_declared_heading_spans() -> None:
    text = "Un titre déclaré qui finit par un point.\nTexte. Suite.\nUne autre ligne courte"
    seg = segment(text, heading_spans=[(0, text.index("\n"))])
    assert [(u.kind.value, u.text) for u in seg.units] == [
        ("heading", "Un titre déclaré qui finit par un point."),
        ("sentence", "Texte."),
        ("sentence", "Suite."),
        ("sentence", "Une autre ligne courte"),
    ]


def test_declared_heading_glued_to_a_paragraph_is_cut_out() -> None:
    text = "Guerre d’usureÀ partir de 2023, la guerre change. Elle s’enlise."
    cut = text.index("À partir")
    seg = segment(text, heading_spans=[(0, cut)])
    assert [(u.kind.value, u.text) for u in seg.units] == [
        ("heading", "Guerre d’usure"),
        ("sentence", "À partir de 2023, la guerre change."),
        ("sentence", "Elle s’enlise."),
    ]
    assert len(seg.paragraphs) == 2
    check_invariants(text, seg)


def test_skip_spans_produce_no_units_or_paragraphs() -> None:
    body = "Première phrase[1]. Deuxième phrase[2].\n"
    notes = "[1] https://example.org/a\n[2] https://example.org/b\n"
    text = body + notes + "Post-scriptum."
    seg = segment(text, skip=[(len(body), len(body) + len(notes))])
    assert [u.text for u in seg.units] == [
        "Première phrase[1].",
        "Deuxième phrase[2].",
        "Post-scriptum.",
    ]
    assert len(seg.paragraphs) == 2
    # a skip span inside a line only removes what it covers
    text = "Avant la note. [1] https://example.org Après la note."
    a = text.index("[1]")
    b = text.index(" Après")
    seg = segment(text, skip=[(a, b)])
    assert [u.text for u in seg.units] == ["Avant la note.", "Après la note."]
    check_invariants(text, seg, [(a, b)])


@pytest.mark.parametrize(
    "line",
    [
        "***",
        "— • —",
        "Partager",
        "Share on Facebook",
        "Facebook Twitter LinkedIn",
        "Partager sur X | Partager sur Facebook",
        "Tweet",
        "Partager par e-mail - Facebook",
        "Publicité",
        "Advertisement",
        "© 2025 Le Monde. Tous droits réservés.",
        "Copyright 2024 Reuters. All rights reserved.",
        "Copyright for syndicated content belongs to the linked Source.",
        "À lire aussi : Corée du Nord : du nucléaire à la guerre cyber ?",
        "A lire aussi",
        "Read more: How North Korea arms Russia",
        "Photo by Free Nomad on Unsplash",
        "Crédit photo : AFP",
        "Par Jean Dupont et Marie Martin",
        "By Jane Doe, Reuters",
        "Publié le 17 avril 2025 à 05h00",
        "Source link : https://www.lexpress.fr/monde/article",
        "Recevez notre newsletter et les alertes de Mena News",
    ],
)
def test_boilerplate_lines(line: str) -> None:
    assert_boilerplate_between_sentences(line)


@pytest.mark.parametrize(
    "line",
    [
        "Partager un repas avec l'ennemi est un geste fort.",
        "Par ailleurs, la Russie a livré des missiles.",
        "Questions fréquentes",
        "Photographier le front est interdit depuis 2022.",
        "Facebook a supprimé des comptes russes en 2024.",
        "Copyright law changed in France in 2024 after a long debate.",
        "Sur le front",
        "Crédit : la banque a prêté cinq millions à Kiev en 2023, selon le rapport annuel publié hier.",
        # sentences with a colon, a date or a byline's shape
        "Pour comprendre la crise, il faut remonter à 2014 : la Crimée fut annexée.",
        "Pour comprendre l'enjeu : 3 000 soldats sont déployés dans Kherson.",
        "To understand the vote: turnout fell to 41% in Tallinn.",
        "The newsletter was forwarded to 3,000 officials, Reuters reported.",
        "Par 40 voix contre 12, avec l'appui des Verts, le texte est adopté.",
        "By Monday, with Reuters reporting losses, the shares had fallen 8%.",
    ],
)
def test_not_boilerplate(line: str) -> None:
    kinds = [k for k, _ in units(f"Début du texte.\n{line}\nFin du texte.")]
    assert "boilerplate" not in kinds


# ---------------------------------------------------------------------------
# Lexicon


def test_abbreviation_lexicon_is_packaged() -> None:
    lex = load_lexicon("abbreviations")
    for category in ("titles", "nonfinal", "before_number", "ambiguous", "starters_fr"):
        assert lex[category], category
    assert "M." in lex["titles"] and "Mr." in lex["titles"]
    assert "cf." in lex["nonfinal"] and "e.g." in lex["nonfinal"]
    assert "On" in lex["starters_fr"] and "No" in lex["starters_en"]  # not YAML booleans


def test_user_lexicon_extends_abbreviations(tmp_path: Path) -> None:
    extra = tmp_path / "extra.yaml"
    extra.write_text("abbreviations:\n  titles: ['Cdt.']\n", encoding="utf-8")
    text = "Le Cdt. Cousteau plonge."
    assert [u.text for u in segment(text).units] == ["Le Cdt.", "Cousteau plonge."]
    assert [u.text for u in segment(text, lexicon_files=[extra]).units] == [text]
    assert sentence_spans(text, lexicon_files=[str(extra)]) == [(0, len(text))]


def test_sentence_spans_on_a_slice() -> None:
    text = "Préambule.\nUn. Deux.\nFin."
    a = text.index("Un")
    b = text.index("\nFin")
    assert [text[x:y] for x, y in sentence_spans(text, a, b)] == ["Un.", "Deux."]


# ---------------------------------------------------------------------------
# Seeds


def _seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def test_seed_001_sentences_and_notes() -> None:
    text = _seed("001")
    notes = re.search(r"^\[1\] https?://", text, re.M)
    assert notes is not None
    seg = segment(text, skip=[(notes.start(), len(text))])
    check_invariants(text, seg, [(notes.start(), len(text))])
    got = [u.text for u in seg.units]
    assert "[14] https" not in " ".join(got)
    assert any(t.endswith("reconnu par Moscou[1].") for t in got)
    assert any(t.startswith("Selon The Economist") and t.endswith("par jour[2].") for t in got)
    assert any(t.endswith("prendre part au conflit »[3].") for t in got)
    assert (
        "Selon le New York Times, la vente d’armes à la Russie aurait rapporté 5,5 milliards de dollars à la Corée du Nord."
        in got
    )
    quote = next(t for t in got if t.startswith("Comme l’indiquait Vladimir Poutine"))
    assert quote.endswith("continueront de se développer ».")
    headings = [u.text for u in seg.units if u.kind is UnitKind.HEADING]
    assert headings == [
        "Un soutien militaire qui s’intensifie",
        "Un rapprochement qui dépasse le contexte du conflit ukrainien",
    ]
    assert got[-1].endswith("relier les deux pays[15].")
    assert len([u for u in seg.units if u.kind is UnitKind.SENTENCE]) == 42


def test_seed_003_headings_and_quotes() -> None:
    text = _seed("003")
    seg = segment(text)
    check_invariants(text, seg)
    by_kind: dict[str, list[str]] = {}
    for u in seg.units:
        by_kind.setdefault(u.kind.value, []).append(u.text)
    assert by_kind["heading"][0].startswith("Jusqu’où va l’aide militaire russe")
    assert (
        "Conséquences stratégiques en Asie et au-delà : vers une nouvelle donne mondiale ?"
        in by_kind["heading"]
    )
    assert "Questions fréquentes" in by_kind["heading"]
    assert "Les drones Shahed : un tournant industriel" in by_kind["heading"]
    got = by_kind["sentence"]
    assert "Pourquoi Pyongyang ?" in got
    assert "Dès 2025, la cadence cible dépasserait 5 000 drones par mois !" in got
    assert any(t.endswith("logique implacable… mais risquée.") for t in got)
    assert any(t.endswith("sur des plans confidentiels…") for t in got)
    assert "Ambiance digne des meilleurs romans d’espionnage !" in got
    assert any(t.startswith("Cerise sur le gâteau (empoisonné ?) : cette coopération") for t in got)
    assert any(t.endswith("à Cordoue (eh oui !).") for t in got)
    remark = next(t for t in got if t.startswith("Sa remarque m’a marqué"))
    assert remark.endswith("toute la donne régionale.\u00a0»")
    assert "Quelles sont les armes concrètement échangées entre Russie et Corée du Nord ?" in got
    assert by_kind["boilerplate"] == [
        "Pour approfondir cette dynamique et comprendre les enjeux stratégiques autour des "
        "drones Shahed et Geran : Analyse sur The War Zone (en anglais).",
        "Pour aller plus loin sur l’évolution technologique du programme balistique coréen : "
        "Dossier complet sur Xataka.",
        "Photo by Free Nomad on Unsplash",
        "A lire aussi",
    ]


def test_seed_000_numbers_and_quotes() -> None:
    text = _seed("000")
    seg = segment(text)
    check_invariants(text, seg)
    got = [u.text for u in seg.units]
    assert "Ils ont transporté environ 15.800 conteneurs." in got
    assert "(Rome, 16 avril 2025)." in got
    assert any(t.startswith("Soixante-quatre expéditions maritimes") for t in got)
    assert any(t.endswith("nous explique Lorenzo Piccioli dans «Formiche.net».") for t in got)
    assert any(
        t.startswith("«La contribution de la Corée du Nord") and "affirme Hugh Griffiths" in t
        for t in got
    )


def test_seed_004_quotes_do_not_swallow_the_text() -> None:
    text = _seed("004")
    seg = segment(text)
    check_invariants(text, seg)
    longest = max(len(u.text) for u in seg.units)
    assert longest < 1200
    got = [u.text for u in seg.units]
    assert (
        "La Corée du Nord a par ailleurs déployé des missiles balistiques, des systèmes d’artillerie, et des lance-roquettes."
        in got
    )


# ---------------------------------------------------------------------------
# Speed and properties


def test_fast_on_a_long_article() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    segment(text)
    t0 = time.perf_counter()
    seg = segment(text)
    elapsed = time.perf_counter() - t0
    assert len(seg.units) > 150
    assert elapsed < 0.5  # about 5 ms per 10 kB on the project machine


PIECES = [
    "Le",
    "la",
    "Guerre",
    "M.",
    "U.S.",
    "etc.",
    "p.",
    "J.",
    "14.000",
    "15 000",
    "5,5",
    "[1]",
    "²",
    "www.example.com",
    "«",
    "»",
    "“",
    "”",
    '"',
    "'",
    "’",
    "‘",
    "(",
    ")",
    "[",
    "]",
    ".",
    "!",
    "?",
    "…",
    "...",
    ":",
    ";",
    ",",
    "–",
    " ",
    " ",
    " ",
    "\u00a0",
    "\u202f",
    "\t",
    "\n",
    "\n\n",
    "\r\n",
    "é",
    "X",
    "7",
    "#",
]


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]], list[tuple[int, int]]]:
    text = "".join(draw(st.lists(st.sampled_from(PIECES), max_size=80)))
    n = len(text)
    span = st.tuples(st.integers(-2, n + 2), st.integers(-2, n + 2))
    skip = draw(st.lists(span, max_size=3))
    heads = draw(st.lists(span, max_size=3))
    return text, skip, heads


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents(), st.sampled_from(["fr", "en"]))
def test_segmentation_invariants(
    doc: tuple[str, list[tuple[int, int]], list[tuple[int, int]]], language: str
) -> None:
    text, skip, heads = doc
    seg = segment(text, skip=skip, heading_spans=heads, language=language)
    check_invariants(text, seg, skip)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_segmentation_invariants_on_any_text(text: str) -> None:
    check_invariants(text, segment(text))


def test_further_reading_pointers_are_boilerplate() -> None:
    text = (
        "Le texte de l'article dit quelque chose de précis.\n\n"
        "Pour approfondir cette dynamique : Analyse sur The War Zone (en anglais).\n\n"
        "For more on the vote: a full explainer in The Atlantic.\n\n"
        "Pour approfondir, il faut lire le rapport du Sénat publié mardi."
    )
    kinds = [u.kind for u in segment(text).units]
    assert kinds == [
        UnitKind.SENTENCE,
        UnitKind.BOILERPLATE,
        UnitKind.BOILERPLATE,
        UnitKind.SENTENCE,
    ]


# ---------------------------------------------------------------------------
# Site furniture lines (invented)


@pytest.mark.parametrize(
    "line",
    [
        # bylines with the author's role, the outlet or the date after a separator
        "Par Jeanne Roy | L'Écho du Val | Publié le 02/03/2025 à 07h15",
        "By Sam Lee, science editor · 4 May 2025",
        "Par Luc Ferrand, envoyé spécial à Gdansk, le 3 février 2025",
        "Par la rédaction sport, 3 mars 2025",
        "By our Lisbon correspondent",
        "Propos recueillis par Inès Bouchard",
        # breadcrumbs
        "Accueil > Sport > Rugby",
        "Home › World › Europe",
        "News > Politics > Elections > Local",
        # syndication and wire credits
        "Avec AFP",
        "(avec Reuters et AP)",
        "With AFP",
        "(Reporting by Ana Ruiz; Editing by Tom Wu)",
        "Additional reporting by Kim Hale in Seoul",
        # disclaimers of opinion columns
        "Cette tribune n'engage que son auteur.",
        "Les propos tenus dans ce texte n’engagent que leurs signataires.",
        "The views expressed in this column are those of the author.",
        # prompts to the reader and update notices
        "Dites-nous ce que vous en pensez en commentaire !",
        "Partagez cet article avec vos proches.",
        "Let us know your thoughts below.",
        "Share this story with a friend who cycles!",
        "This story will be updated as more information becomes available.",
        "Cet article sera mis à jour dès que possible.",
        # tip lines: the "?" does not split the line
        "Une info à partager ? Écrivez-nous à infos@journal-local.fr",
        "Got a tip? Email news@dailyplanet.example",
        "Contactez la rédaction : redac@exemple.fr",
        # a caption that ends with its photo credit
        "Le port de Brest au lever du jour. (Photo : Anne Le Gall / Ouest Matin)",
        "Firefighters at the scene on Sunday. (Photo: J. Smith / Reuters)",
    ],
)
def test_furniture_lines_are_one_boilerplate_unit(line: str) -> None:
    assert_boilerplate_between_sentences(line)


@pytest.mark.parametrize(
    "line",
    [
        "Par 12 voix contre 3, le conseil a voté le budget.",
        "By Tuesday, the river had burst its banks.",
        "Par Toutatis, le village a encore gagné le tournoi.",
        "Avec lui, la ville a changé de visage.",
        "With inflation at 5%, wages fell in real terms.",
        "Le suspect a écrit à victime@mail.example pour la menacer.",
        "Tell-tale signs of damp appear first on north walls.",
        "Les prix > 100 euros sont taxés à part.",
        "Dans les commentaires, des lecteurs ont dénoncé la hausse des tarifs.",
    ],
)
def test_body_sentences_that_look_like_furniture_are_kept(line: str) -> None:
    kinds = [k for k, _ in units(f"Début du texte.\n{line}\nFin du texte.")]
    assert "boilerplate" not in kinds


def test_a_prompt_to_the_reader_ending_a_paragraph_is_boilerplate() -> None:
    text = (
        "Le marché ferme à midi.\n"
        "Et vous, que feriez-vous ? Racontez-nous votre expérience en commentaire !\n"
        "Fin."
    )
    assert units(text) == [
        ("sentence", "Le marché ferme à midi."),
        ("sentence", "Et vous, que feriez-vous ?"),
        ("boilerplate", "Racontez-nous votre expérience en commentaire !"),
        ("sentence", "Fin."),
    ]


def test_an_author_bio_is_boilerplate_only_as_the_last_paragraph() -> None:
    bio = "Anna Berg is a freelance journalist based in Oslo."
    ending = units(f"The ferry was late again.\nPassengers waited two hours.\n{bio}")
    assert ending[-1] == ("boilerplate", bio)
    inside = units(f"The ferry was late again.\n{bio}\nPassengers waited two hours.")
    assert ("sentence", bio) in inside
    french = "Paul Morel est un ancien maire de Vannes et l'auteur de deux essais."
    assert units(f"Le débat continue.\nLa ville attend.\n{french}")[-1] == ("boilerplate", french)


# ---------------------------------------------------------------------------
# Bylines co-signed by a wire, metadata lines, further-reading pointers (invented)


@pytest.mark.parametrize(
    "line",
    [
        # bylines co-signed by a wire agency
        "Par Julie Roy, avec l’AFP et Reuters",
        "Par Marc Lenoir (avec Reuters)",
        "By Tom Hale with AP",
        # short fields joined by separators, one a byline, a date, an issue or a reading time
        "Décryptage · Par Léo Brun · 12 mars 2025",
        "The Northern Brief | Issue 48 | Monday, May 4, 2026",
        "La Lettre du Pacifique · N° 48 · 4 mai 2026",
        "Europe | 6 min read",
        "Mis à jour le 3 mars 2026 · 2 min de lecture",
        "Budget · 3 février 2026",
        "Sahel – Analyse – 3 février 2026",
        # further-reading pointers after a lead-in and a colon
        "Pour mieux comprendre la crise du nickel : Dossier spécial sur La Nouvelle Revue.",
        "To understand the stakes: our explainer on the Arctic race in The Economist",
        "For background: “Why the Baltic matters”, Foreign Affairs",
        # a newsletter asking to be forwarded
        "Forward this email to a colleague who follows the Arctic.",
        "Transférez cet e-mail à un ami qui s'intéresse au Pacifique.",
    ],
)
def test_bylines_metadata_lines_and_pointers_are_boilerplate(line: str) -> None:
    assert_boilerplate_between_sentences(line)


@pytest.mark.parametrize(
    "line",
    [
        # titles whose halves are joined by a separator
        "Episode 3 | The fall of Kabul",
        "Festival de Cannes | Édition 2025",
        "Kiev | Moscou : la guerre des drones",
        "Guerre en Ukraine – 24 février 2022",
        "14h05 - Le président arrive à Chisinau",
        "Tribune – Le grand retour des péages urbains",
    ],
)
def test_titles_with_separators_stay_headings(line: str) -> None:
    assert ("heading", line) in units(f"Un vrai paragraphe.\n{line}\nLa suite du texte.")


def test_closing_bio_of_the_byline_author_is_boilerplate() -> None:
    bio = "Marc Lenoir enseigne la géographie à Brest depuis 2009."
    text = (
        "Par Marc Lenoir\n"
        "Le port a doublé son trafic en dix ans.\n"
        "Les dockers réclament des embauches.\n"
        f"{bio}\n"
        "© Le Journal du Ponant 2026"
    )
    assert units(text)[-2:] == [
        ("boilerplate", bio),
        ("boilerplate", "© Le Journal du Ponant 2026"),
    ]
    # the same sentence without a byline naming him is article text
    unsigned = units(text.replace("Par Marc Lenoir\n", ""))
    assert ("sentence", bio) in unsigned
    # and a bio with an article ("is a …") is recognised before trailing furniture too
    english = "Ruth Kaye is a former diplomat and the author of two books on Norway."
    ending = units(f"The fjord froze early.\nFerries stopped.\n{english}\nShare this story")
    assert ending[-2] == ("boilerplate", english)


def test_rubric_label_above_the_title_is_boilerplate() -> None:
    text = "ANALYSE\nLe nickel, nerf de la guerre calédonienne\nLe cours a chuté de 40 %."
    assert units(text)[:2] == [
        ("boilerplate", "ANALYSE"),
        ("heading", "Le nickel, nerf de la guerre calédonienne"),
    ]
    # the same word as a section heading inside the article stays a heading
    inside = "Le cours a chuté.\nAnalyse\nLes mines ferment une à une."
    assert ("heading", "Analyse") in units(inside)


# ---------------------------------------------------------------------------
# Titles ending in "!", rubrics glued to the title, series notes, bylines with a hyphen (invented)


@pytest.mark.parametrize(
    "title",
    [
        "ALERTE AUX MOUSTIQUES TIGRES : LE SUD-OUEST ENVAHI !",
        "Canicule : les piscines municipales prises d'assaut !",
        "WARNING: The Garden Chemical Your Neighbours Still Use (Experts Are Furious!)",
        "LE GRAND SCANDALE DES FACTURES D'EAU EN BRETAGNE !",
        "DIRECT. Inondations : la Loire en crue, Orléans évacue ses quais",
        "VIDÉO. Tempête Ciarán : les images des dégâts à Brest",
        "EXCLUSIVE. Shipping giant quietly sells its Baltic fleet",
    ],
)
def test_a_shouted_or_rubricked_title_is_a_heading(title: str) -> None:
    assert units(f"{title}\nLe texte commence ici. Il continue.")[0] == ("heading", title)


@pytest.mark.parametrize(
    "first",
    [
        "Quelle semaine pour les cheminots !",
        "Il pleut encore sur Lorient !!",
        "Direct. Le maire a parlé",
        "Enfin ! Le pont rouvre. Les riverains soufflent",
    ],
)
def test_an_exclamation_or_a_lowercase_rubric_first_stays_a_sentence(first: str) -> None:
    assert units(f"{first}\nLe texte commence ici.")[0][0] == "sentence"


def test_an_exclamation_inside_the_article_is_never_a_heading() -> None:
    line = "LA MAIRIE RECULE : LE MARCHÉ RESTE OUVERT !"
    assert ("sentence", line) in units(f"Titre du texte\nUn paragraphe.\n{line}\nLa fin.")


@pytest.mark.parametrize(
    "line",
    [
        # a byline and a date joined by a spaced hyphen
        "Par Odile Ferrand - Publié le 12 mars 2026 à 18h40",
        "By Ruth Kaye - May 4, 2026",
        # series notes and pointers to the other episodes
        "Cet article fait partie de notre série « Villes englouties ». Retrouvez tous les "
        "épisodes sur notre site.",
        "Cette enquête fait partie de notre dossier spécial sur l'eau.",
        "This story is part of our series on Arctic shipping. Read all the episodes here.",
        "Retrouvez tous nos reportages dans la rubrique Planète.",
        # the closing disclaimer with "l'auteur"
        "Les opinions exprimées dans ce texte n'engagent que l'auteur.",
    ],
)
def test_bylines_series_notes_and_disclaimers_are_boilerplate(line: str) -> None:
    assert_boilerplate_between_sentences(line)


@pytest.mark.parametrize(
    "line",
    [
        "Cet article fait partie des textes contestés par l'opposition au Sénat.",
        "This story is part of a wider pattern of cuts across Europe.",
        "Par Jupiter - le satellite - les astronomes ont vu un éclair.",
        "Retrouvez-moi demain à la gare, a-t-il écrit à sa sœur.",
    ],
)
def test_sentences_like_series_notes_or_bylines_are_kept(line: str) -> None:
    kinds = [k for k, _ in units(f"Début du texte.\n{line}\nFin du texte.")]
    assert "boilerplate" not in kinds


def test_closing_bio_without_article_and_disclaimer_is_boilerplate() -> None:
    note = (
        "Odile Ferrand est chercheuse associée à l'Institut des mers du Nord (IMN). "
        "Les opinions exprimées n'engagent que l'auteure."
    )
    ending = units(f"Le port a doublé son trafic.\nLes dockers attendent.\n{note}")
    assert ending[-1] == ("boilerplate", note)
    # a news sentence about a named person closing the article stays a sentence
    news = "Odile Ferrand est attendue lundi à Brest pour signer l'accord."
    assert units(f"Le port a doublé son trafic.\nLes dockers attendent.\n{news}")[-1] == (
        "sentence",
        news,
    )
