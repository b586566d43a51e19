"""Judge stage: kind, check-worthiness, sensational signals and the document verdict.

The sentences are invented (not taken from the seeds), in French and English.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.judge import entry_regex, fold, judge_units, quote_spans, summarise
from auditor.records import (
    Attribution,
    Citations,
    Footnote,
    FootnoteMarker,
    Judgement,
    MarkerStyle,
    Problem,
    ProblemKind,
    Signal,
    SourceRef,
    Status,
    Unit,
    UnitKind,
)


def make_units(*items: str | tuple[str, UnitKind], paragraph: int | None = None) -> list[Unit]:
    units = []
    for i, item in enumerate(items):
        text, kind = (item, UnitKind.SENTENCE) if isinstance(item, str) else item
        para = i if paragraph is None else paragraph
        units.append(Unit(f"u{i + 1}", i, para, 0, len(text), text, kind))
    return units


def judge_one(
    text: str,
    kind: UnitKind = UnitKind.SENTENCE,
    language: str = "fr",
    attribution: Attribution | None = None,
) -> Judgement:
    """Judge one unit of body text (after a first line, so it is not read as the title)."""
    units = make_units("Texte.", (text, kind))
    attributions = {"u2": attribution} if attribution else {}
    return judge_units(units, attributions, language=language)[1]


def signal_kinds(judgement: Judgement) -> set[str]:
    return {s.kind for s in judgement.signals}


# ---------------------------------------------------------------------------
# Matching


def test_fold_keeps_length_and_removes_accents_case_and_curly_apostrophes() -> None:
    text = "L’Été À Pékin\u00a0!"
    assert fold(text) == "l'ete a pekin !"
    assert len(fold(text)) == len(text)


@pytest.mark.parametrize(
    ("entry", "text", "found"),
    [
        ("redoutable", "des adversaires REDOUTABLES", True),
        ("mortel", "des pièges mortels", True),
        ("tristement célèbre", "ces camps tristement célèbres", True),
        ("terrifi*", "une scène terrifiante", True),
        ("l'un des … les mieux gardés", "l’un des dossiers diplomatiques les mieux gardés", True),
        ("jamais vu", "du jamais-vu", True),
        ("cauchemar*", "un scénario cauchemardesque", True),
        ("choc", "un chocolat chaud", False),  # never inside another word
        ("imaginez", "inimaginez", False),
        ("you won't believe", "You wont believe this", True),
    ],
)
def test_entries_match_tolerantly_but_only_whole_words(entry: str, text: str, found: bool) -> None:
    import re

    assert bool(re.search(entry_regex(entry), fold(text))) is found


def test_quote_spans_pairs_guillemets_and_keeps_unclosed_quotes_open() -> None:
    spans, still_open = quote_spans("Il a dit « non » puis « attendez")
    assert spans == [(9, 16), (22, 32)]
    assert still_open
    spans, still_open = quote_spans("la suite. » conclut-il.", open_at_start=True)
    assert spans == [(0, 11)]
    assert not still_open


# ---------------------------------------------------------------------------
# Sensational


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("C'est l'un des scandales financiers les mieux gardés de la décennie.", "hyperbole"),
        ("Plus surprenant encore, la mairie a voté le budget en dix minutes.", "hyperbole"),
        ("Ce chiffre incroyable a été publié mardi par la préfecture.", "hyperbole"),
        ("Les frelons asiatiques, redoutables prédateurs, gagnent le nord du pays.", "loaded-word"),
        ("Les habitants attendent désespérément la reprise du chantier.", "loaded-word"),
        ("Imaginez un instant une ville entière privée d'eau potable.", "invitation-to-imagine"),
        ("Je me souviens d'une soirée à Lisbonne où tout a basculé.", "first-person-storytelling"),
        ("Cerise sur le gâteau, le contrat prévoit une clause secrète.", "dramatic-speculation"),
        ("Tout indique que la réforme sera abandonnée avant l'été.", "dramatic-speculation"),
    ],
)
def test_french_strong_signals_make_a_sentence_sensational(text: str, kind: str) -> None:
    judgement = judge_one(text)
    assert judgement.sensational
    assert kind in signal_kinds(judgement)
    assert any(r.startswith("sensational:") for r in judgement.reasons)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("The senator slams the proposal as a disgrace.", "loaded-word"),
        ("It was the most shocking verdict of the year.", "hyperbole"),
        ("Imagine a city where nobody pays rent.", "invitation-to-imagine"),
        ("I remember the night the factory closed.", "first-person-storytelling"),
        ("This merger could spell the end of local newspapers.", "dramatic-speculation"),
    ],
)
def test_english_strong_signals_make_a_sentence_sensational(text: str, kind: str) -> None:
    judgement = judge_one(text, language="en")
    assert judgement.sensational
    assert kind in signal_kinds(judgement)


def test_signal_reports_the_exact_words_of_the_text() -> None:
    judgement = judge_one("Ces engins sont TRISTEMENT célèbres dans la région.")
    texts = [s.text for s in judgement.signals if s.kind == "loaded-word"]
    assert texts == ["TRISTEMENT célèbres"]


@pytest.mark.parametrize(
    "text",
    [
        "Selon le ministère, 4 000 personnes avaient été tuées ou blessées en mars 2024.",
        "Le conseil municipal a adopté le budget 2025 par 23 voix contre 6.",
        "Les pompiers ont maîtrisé l'incendie vers 3 heures du matin.",
        "The storm killed 12 people and left 40,000 homes without power on Monday.",
    ],
)
def test_a_neutral_report_of_a_dramatic_fact_is_not_sensational(text: str) -> None:
    language = "en" if text.startswith("The") else "fr"
    assert not judge_one(text, language=language).sensational


def test_exclamation_on_a_factual_claim_is_strong_and_reported_with_its_words() -> None:
    judgement = judge_one("Dès 2026, la facture dépasserait 300 euros par foyer !")
    assert judgement.sensational
    [signal] = [s for s in judgement.signals if s.kind == "exclamation"]
    assert "300 euros par foyer !" in signal.text
    assert "exclamation on a factual claim" in " ".join(judgement.reasons)


def test_an_exclamation_in_a_parenthesis_alone_is_weak() -> None:
    judgement = judge_one("Nous avons pris le train de nuit (quelle idée !) vers la côte.")
    assert "exclamation" in signal_kinds(judgement)
    assert not judgement.sensational


def test_exclamation_inside_a_quotation_is_the_speaker_not_the_author() -> None:
    judgement = judge_one("« Nous avons gagné 3 sièges ! », a déclaré la candidate lundi.")
    assert "exclamation" not in signal_kinds(judgement)


def test_loaded_words_inside_a_quotation_do_not_count() -> None:
    judgement = judge_one("« Ce projet est un cauchemar terrifiant », a déclaré le maire.")
    assert not judgement.sensational


def test_two_weak_signals_add_up_but_one_does_not() -> None:
    assert not judge_one("Le virus est dangereux pour les personnes âgées.").sensational
    assert judge_one("Ce virus dangereux connaît une progression inquiétante.").sensational


def test_capitals_for_effect_are_told_from_acronyms() -> None:
    shouting = judge_one("Les prix de l'énergie : le CHOC de l'hiver à venir.")
    assert shouting.sensational
    assert ("clickbait", "CHOC") in {(s.kind, s.text) for s in shouting.signals}
    assert "capitals for effect 'CHOC'" in " ".join(shouting.reasons)
    acronyms = judge_one("Le missile KN-23 a été présenté à l'ONU par l'OSC et le MSMT (USA).")
    assert "clickbait" not in signal_kinds(acronyms)
    english = judge_one("SHOCKING footage emerges from the stadium.", language="en")
    assert "clickbait" in signal_kinds(english)


def test_acronyms_defined_in_the_document_are_not_shouting() -> None:
    units = make_units(
        "L'Agence nationale des fréquences (ANFREQ) publie ses chiffres.",
        "Selon ANFREQ, 12 antennes ont été contrôlées.",
    )
    judgements = judge_units(units, {}, language="fr")
    assert all("clickbait" not in signal_kinds(j) for j in judgements)


def test_teasing_title_forms_fire_only_in_headings() -> None:
    heading = judge_one("Jusqu'où ira la hausse des loyers ?", UnitKind.HEADING)
    assert heading.sensational
    assert heading.kind is UnitKind.HEADING
    assert "clickbait" in signal_kinds(heading)
    english = judge_one(
        "You won't believe what this town did with its budget", UnitKind.HEADING, language="en"
    )
    assert english.sensational
    plain = judge_one("Le budget de la ville pour 2025", UnitKind.HEADING)
    assert not plain.sensational


def test_boilerplate_is_never_sensational_nor_checkworthy() -> None:
    judgement = judge_one("INCROYABLE : abonnez-vous à notre newsletter !", UnitKind.BOILERPLATE)
    assert judgement.kind is UnitKind.BOILERPLATE
    assert not judgement.sensational
    assert not judgement.checkworthy


def test_user_lexicon_files_extend_the_packaged_lists(tmp_path: Path) -> None:
    extra = tmp_path / "mine.yaml"
    extra.write_text('sensational_fr:\n  loaded_word:\n    - "ubuesque"\n', encoding="utf-8")
    units = make_units("La situation administrative est ubuesque.")
    assert not judge_units(units, {}, language="fr")[0].sensational
    judged = judge_units(units, {}, language="fr", extra_lexicon_files=[str(extra)])[0]
    assert judged.sensational
    assert ("loaded-word", "ubuesque") in {(s.kind, s.text) for s in judged.signals}


# ---------------------------------------------------------------------------
# Kind and check-worthiness


def test_question_kind_and_not_checkworthy() -> None:
    judgement = judge_one("Pourquoi la mairie a-t-elle changé d'avis ?")
    assert judgement.kind is UnitKind.QUESTION
    assert not judgement.checkworthy


def test_quote_with_a_speaker_is_a_checkworthy_quote() -> None:
    attribution = Attribution(
        Status.ATTRIBUTED,
        sources=(SourceRef("Marie Dupont", None, None, "affirme"),),
        signals=(Signal("cue", "affirme"),),
    )
    judgement = judge_one(
        "« Nous fermerons trois usines d'ici à 2027 », affirme Marie Dupont, directrice du groupe.",
        attribution=attribution,
    )
    assert judgement.kind is UnitKind.QUOTE
    assert judgement.checkworthy
    assert judgement.status is Status.ATTRIBUTED
    assert judgement.sources == attribution.sources
    assert Signal("cue", "affirme") in judgement.signals


def test_short_scare_quotes_do_not_make_a_quote() -> None:
    judgement = judge_one("Le gouvernement a lancé son « plan vélo » le 3 mai à Lyon.")
    assert judgement.kind is UnitKind.CLAIM


@pytest.mark.parametrize(
    "text",
    [
        "On aurait tort de voir dans ce vote une simple formalité.",
        "Il faut rappeler aux élus que la patience des habitants a des limites.",
        "À mon avis, cette réforme arrive beaucoup trop tard.",
    ],
)
def test_author_judgements_are_opinions_and_not_checkworthy(text: str) -> None:
    judgement = judge_one(text)
    assert judgement.kind is UnitKind.OPINION
    assert not judgement.checkworthy


def test_english_first_person_view_is_an_opinion() -> None:
    judgement = judge_one("I think the council should simply scrap the plan.", language="en")
    assert judgement.kind is UnitKind.OPINION


@pytest.mark.parametrize(
    "text",
    [
        "La préfecture a recensé 312 accidents sur cette route en 2023.",
        "Le président Macron a reçu le chancelier allemand à l'Élysée mardi.",
    ],
)
def test_checkable_assertions_are_checkworthy_claims(text: str) -> None:
    judgement = judge_one(text)
    assert judgement.kind is UnitKind.CLAIM
    assert judgement.checkworthy
    assert judgement.status is Status.UNATTRIBUTED  # no attribution given


def test_personal_anecdote_is_not_checkworthy() -> None:
    judgement = judge_one("Je me souviens avoir croisé le ministre à Brest lors de mes voyages.")
    assert not judgement.checkworthy
    assert "personal anecdote" in " ".join(judgement.reasons)


def test_an_invitation_to_imagine_is_not_checkworthy() -> None:
    judgement = judge_one("Imaginez une salle de classe sans aucun professeur.")
    assert judgement.sensational
    assert not judgement.checkworthy


def test_headings_keep_their_kind_and_are_not_checkworthy() -> None:
    judgement = judge_one("Les chiffres de l'emploi en 2024", UnitKind.HEADING)
    assert judgement.kind is UnitKind.HEADING
    assert not judgement.checkworthy


def test_attribution_status_signals_and_reasons_are_kept() -> None:
    attribution = Attribution(
        Status.VAGUE,
        sources=(SourceRef("des sources", None, None, "selon", vague=True),),
        signals=(Signal("vague-source", "selon des sources"), Signal("hedged", "aurait")),
        reasons=("vague: selon des sources",),
    )
    judgement = judge_one(
        "Selon des sources, le groupe aurait supprimé 200 postes.", attribution=attribution
    )
    assert judgement.status is Status.VAGUE
    assert judgement.signals[:2] == attribution.signals
    assert judgement.reasons[0] == "vague: selon des sources"
    assert judgement.kind is UnitKind.CLAIM


def test_unknown_language_falls_back_to_both_lexicons() -> None:
    assert judge_one("Ce fut terrifiant.", language="de").sensational
    assert judge_one("It was horrifying.", language="").sensational


def test_a_quotation_spanning_sentences_stays_a_quote_in_the_next_unit() -> None:
    units = make_units(
        "« La ligne sera fermée pendant 18 mois.",
        "Les travaux commenceront en mai », a précisé la directrice régionale.",
        paragraph=0,
    )
    judgements = judge_units(units, {}, language="fr")
    assert [j.kind for j in judgements] == [UnitKind.QUOTE, UnitKind.QUOTE]


# ---------------------------------------------------------------------------
# Document verdict


def _citations(notes: int, markers: list[int], problems: tuple[Problem, ...] = ()) -> Citations:
    return Citations(
        notes_span=None,
        footnotes=tuple(
            Footnote(n, f"https://e.org/{n}", (f"https://e.org/{n}",), 0, 1)
            for n in range(1, notes + 1)
        ),
        markers=tuple(FootnoteMarker(n, 0, 1, MarkerStyle.BRACKET, "u1") for n in markers),
        links=(),
        unlinked=(),
        problems=problems,
    )


class _Registry:
    def by_id(self, source_id: str) -> object | None:
        class Entry:
            name = "Agence France-Presse"
            tier = "high"

        return Entry() if source_id == "afp" else None

    def tier_for(self, entry: object) -> str:
        return str(getattr(entry, "tier", "unknown"))


def test_summary_of_a_well_sourced_sober_article() -> None:
    texts = [f"Selon l'AFP, la ville a recensé {n} incidents en 2024." for n in range(10, 20)]
    units = make_units(*texts)
    afp = SourceRef("l'AFP", "afp", "high", "selon")
    attributions = {u.id: Attribution(Status.ATTRIBUTED, sources=(afp,)) for u in units}
    judgements = judge_units(units, attributions, language="fr")
    summary = summarise(units, judgements, _citations(3, [1, 2, 3]), _Registry())
    grade = summary["grade"]
    assert isinstance(grade, dict)
    assert grade["sourcing"] == "well sourced"
    assert grade["letter"] == "A"
    assert grade["sensational"] is False
    assert summary["sources"] == [
        {
            "id": "afp",
            "name": "Agence France-Presse",
            "tier": "high",
            "registered": True,
            "units": 10,
        }
    ]
    assert summary["footnotes"] == {
        "notes": 3,
        "used": 3,
        "dangling": 0,
        "unused": 0,
        "problems": 0,
    }


def test_summary_of_a_weakly_sourced_sensational_article() -> None:
    texts = [
        "Ce scandale incroyable a coûté 3 millions d'euros à la commune.",
        "Le maire aurait dépensé 40 000 euros en voyages !",
        "Imaginez la tête des contribuables en 2025.",
        "La piscine municipale a fermé en juin 2023.",
        "Le stade a été rénové pour 12 millions d'euros.",
        "Selon des sources, le chantier aurait pris 2 ans de retard.",
    ]
    units = make_units(*texts)
    attributions = {
        "u6": Attribution(
            Status.VAGUE, sources=(SourceRef("des sources", None, None, "selon", vague=True),)
        )
    }
    judgements = judge_units(units, attributions, language="fr")
    problems = (Problem(ProblemKind.DANGLING_FOOTNOTE, "no note 4", number=4),)
    summary = summarise(units, judgements, _citations(2, [1], problems), None)
    grade = summary["grade"]
    assert isinstance(grade, dict)
    assert grade["sourcing"] == "weakly sourced"  # one vague source, nothing named
    assert grade["sensational"] is True
    assert grade["letter"] == "D"  # C, one lower for sensational language
    reasons = " ".join(grade["reasons"])
    assert "have no source" in reasons
    assert "sensational language" in reasons
    assert "1 dangling marker" in reasons
    assert summary["sources"] == []  # vague sources are not named sources
    assert summary["footnotes"] == {
        "notes": 2,
        "used": 1,
        "dangling": 1,
        "unused": 0,
        "problems": 1,
    }


def test_summary_without_any_source_is_unsourced() -> None:
    units = make_units(*(f"Le stade a coûté {n} millions d'euros en 2024." for n in range(3, 9)))
    summary = summarise(units, judge_units(units, {}, language="fr"), _citations(0, []), None)
    grade = summary["grade"]
    assert isinstance(grade, dict)
    assert (grade["sourcing"], grade["letter"], grade["sensational"]) == ("unsourced", "D", False)
    assert summary["status"]["unattributed"] == {"count": 6, "share": 1.0}


def test_partial_quotation_next_to_a_speech_verb_is_a_quote() -> None:
    english = judge_one(
        'The agency said in a statement that it remained "fully committed" to the plan.',
        language="en",
    )
    assert english.kind is UnitKind.QUOTE
    french = judge_one("« Nous ne céderons pas », a assuré M. Dupuis, maire de Vannes.")
    assert french.kind is UnitKind.QUOTE


@pytest.mark.parametrize(
    "text",
    [
        "78 % des stations affichaient un niveau « très bas », d'après le bulletin du BRGM.",
        "Selon « une estimation prudente » de l'institut, 4 000 logements sont vacants.",
        "Le reportage, publié dans «Mediapart», décrit la fermeture de 3 usines.",
    ],
)
def test_quoted_terms_and_titles_are_not_quotes(text: str) -> None:
    assert judge_one(text).kind is UnitKind.CLAIM


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("A spokesperson for the club declined to comment on Friday.", "en"),
        ("Interrogée, la direction de Renault n'a pas souhaité commenter.", "fr"),
    ],
)
def test_saying_nothing_is_not_checkworthy(text: str, language: str) -> None:
    assert not judge_one(text, language=language).checkworthy


def test_speculation_without_figures_is_not_checkworthy_but_a_forecast_with_one_is() -> None:
    assert not judge_one("Il se murmure que l'État pourrait entrer au capital.").checkworthy
    assert judge_one("Le déficit pourrait atteindre 4,2 % du PIB en 2026.").checkworthy


def test_advice_to_the_reader_is_an_opinion() -> None:
    assert judge_one("Check the label before you buy.", language="en").kind is UnitKind.OPINION
    assert judge_one("Appelez votre mairie avant de partir.").kind is UnitKind.OPINION


def test_a_question_to_the_reader_is_a_weak_teaser() -> None:
    weak = judge_one("Et vous, avez-vous déjà vu un frelon ?")
    assert "clickbait" in signal_kinds(weak)
    assert not weak.sensational
    assert judge_one("Et vous, avez-vous déjà croisé ces monstres terrifiants ?").sensational


def test_the_first_line_without_final_punctuation_reads_as_a_title() -> None:
    units = make_units(
        "Jusqu'où ira la hausse des loyers",
        "Jusqu'où ira la hausse des loyers, nul ne le dit.",
    )
    first, second = judge_units(units, {}, language="fr")
    assert first.sensational  # a teasing title form
    assert "clickbait" not in signal_kinds(second)  # the same words in the body


def test_wire_datelines_and_unpronounceable_capitals_are_not_shouting() -> None:
    for text in (
        "TOULOUSE, 6 mars 2025 (AFP) - La préfecture a recensé 14 cas.",
        "Selon la FDGDON du Morbihan, 9 000 nids ont été détruits.",
    ):
        assert "clickbait" not in signal_kinds(judge_one(text)), text
    shouting = judge_one("That is EXACTLY what millions of us do.", language="en")
    assert shouting.sensational
    # a section label opening a title: "DIRECT. …", "VIDÉO. …"
    for text in (
        "DIRECT. Grèce : un incendie menace les faubourgs d'Athènes",
        "VIDÉO. Le pont de Gênes démoli en quelques secondes",
    ):
        assert "clickbait" not in signal_kinds(judge_one(text)), text


# ---------------------------------------------------------------------------
# Generalisation rules (invented sentences, French and English)


def judged(text: str, language: str = "fr", attribution: Attribution | None = None) -> Judgement:
    return judge_one(text, language=language, attribution=attribution)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Le maire a tout simplement IGNORÉ la pétition.", "fr"),  # an accent: no acronym
        ("They were LAUGHING at us all evening.", "en"),  # an inflected word
        ("Un BIG-BANG budgétaire se prépare à Bercy.", "fr"),  # letters joined by a hyphen
    ],
)
def test_a_word_form_no_acronym_has_is_strong_shouting(text: str, language: str) -> None:
    judgement = judged(text, language)
    assert judgement.sensational
    assert "clickbait" in signal_kinds(judgement)


def test_unknown_acronyms_and_short_shouted_words_stay_weak() -> None:
    assert not judged("L'UNEDIC a publié ses comptes mardi.").sensational
    assert not judged("Ce n'est PAS normal.").sensational
    assert not judged("Fans were NOT happy with the referee.", "en").checkworthy  # NOT no name


@pytest.mark.parametrize(
    ("text", "language"),
    [("C'est HONTEUX.", "fr"), ("It is UNBELIEVABLE.", "en"), ("C'est SCANDALEUX.", "fr")],
)
def test_a_shouted_judgement_is_an_opinion_not_a_named_actor(text: str, language: str) -> None:
    judgement = judged(text, language)
    assert judgement.kind is UnitKind.OPINION
    assert not judgement.checkworthy
    assert judgement.sensational


@pytest.mark.parametrize(
    ("text", "language", "kind"),
    [
        ("Et la facture ?!", "fr", UnitKind.QUESTION),
        ("Who paid for this?!?", "en", UnitKind.QUESTION),
        ("Encore une hausse !!!", "fr", UnitKind.CLAIM),
        ("Another delay!!", "en", UnitKind.CLAIM),
    ],
)
def test_piled_up_marks_are_a_strong_exclamation(text: str, language: str, kind: UnitKind) -> None:
    judgement = judged(text, language)
    assert judgement.kind is kind
    assert judgement.sensational
    assert "exclamation" in signal_kinds(judgement)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("You should be ashamed of this!", "en"),
        ("Il faut arrêter ce gâchis !", "fr"),
        ("What a disgrace this is!", "en"),
        ("Quel bonheur de revoir le stade plein !", "fr"),
    ],
)
def test_an_exclaimed_short_judgement_is_sensational(text: str, language: str) -> None:
    judgement = judged(text, language)
    assert judgement.kind is UnitKind.OPINION
    assert judgement.sensational


def test_an_exclamation_without_judgement_or_facts_stays_weak() -> None:
    judgement = judged("Une journée à la plage pour tout le monde !")
    assert "exclamation" in signal_kinds(judgement)
    assert not judgement.sensational


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Bref.", "fr"),
        ("Tant pis.", "fr"),
        ("So be it.", "en"),
        ("Fair enough.", "en"),
        ("Quelle honte !", "fr"),
    ],
)
def test_rhetorical_fragments_are_opinions(text: str, language: str) -> None:
    judgement = judged(text, language)
    assert judgement.kind is UnitKind.OPINION
    assert not judgement.checkworthy


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Des dizaines !", "fr"),
        ("So many empty promises!", "en"),
        ("Un spectacle absolument grotesque.", "fr"),
        ("The most stunning view in Scotland.", "en"),
    ],
)
def test_verbless_exclamations_and_evaluations_are_opinions(text: str, language: str) -> None:
    judgement = judged(text, language)
    assert judgement.kind is UnitKind.OPINION
    assert not judgement.checkworthy


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("La rivière déborde !", "fr"),
        ("Prices soar!", "en"),
        ("Nothing happened!", "en"),
    ],
)
def test_short_exclaimed_statements_with_a_verb_stay_claims(text: str, language: str) -> None:
    assert judged(text, language).kind is UnitKind.CLAIM


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Le vrai problème, c'est le manque de crèches.", "fr"),
        ("La question est de savoir qui décide.", "fr"),
        ("The real question is who pays for the repairs.", "en"),
        ("Tôt ou tard, la digue cédera.", "fr"),
        ("Il est grand temps de rénover la gare.", "fr"),
        ("Sooner or later the tenants will leave.", "en"),
    ],
)
def test_framing_and_prediction_phrases_are_opinions(text: str, language: str) -> None:
    assert judged(text, language).kind is UnitKind.OPINION


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The new schedule is certainly ambitious.", "en"),
        ("Le calendrier est décidément intenable.", "fr"),
        ("The deal is undoubtedly generous: both firms share the costs.", "en"),
    ],
)
def test_a_stance_adverb_with_an_adjective_is_an_opinion(text: str, language: str) -> None:
    assert judged(text, language).kind is UnitKind.OPINION


def test_a_stance_adverb_on_an_action_is_not_an_opinion_marker() -> None:
    judgement = judged("On Tuesday the mayor was clearly wearing a helmet in Leeds.", "en")
    assert judgement.kind is UnitKind.CLAIM
    assert judgement.checkworthy


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("- couper le gaz avant de partir ;", "fr"),
        ("- ne pas utiliser l'ascenseur ;", "fr"),
        ("Vérifiez vos détecteurs chaque mois.", "fr"),
        ("Keep the receipt until the repair is done.", "en"),
        ("Avoid the ring road during the works.", "en"),
    ],
)
def test_instructions_and_advice_are_opinions(text: str, language: str) -> None:
    judgement = judged(text, language)
    assert judgement.kind is UnitKind.OPINION
    assert not judgement.checkworthy


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Call centre staff walked out on Friday.", "en"),
        ("Martinez a signé un contrat de trois ans.", "fr"),
        ("Entre 2019 et 2023, la ville a perdu 3 000 habitants.", "fr"),
    ],
)
def test_sentences_opening_like_an_instruction_stay_claims(text: str, language: str) -> None:
    judgement = judged(text, language)
    assert judgement.kind is UnitKind.CLAIM
    assert judgement.checkworthy


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("La police de Quimper a ouvert une enquête pour « mise en danger d'autrui ».", "fr"),
        ('Police opened an inquiry into "reckless endangerment" on Monday.', "en"),
        ("Des élus de Lorient parlent d'un « naufrage » budgétaire.", "fr"),
        ('The so-called "green belt" covers 12 hectares.', "en"),
    ],
)
def test_a_short_quoted_label_inside_a_claim_is_not_a_quote(text: str, language: str) -> None:
    assert judged(text, language).kind is UnitKind.CLAIM


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Le ministre a promis « une réponse ferme et rapide ».", "fr"),
        (
            'The ministry said on Friday that the meeting had been "tense but useful" and that'
            " talks would continue.",
            "en",
        ),
        ("La directrice a expliqué mardi que le service était « saturé depuis des mois ».", "fr"),
    ],
)
def test_reproduced_words_are_a_quote(text: str, language: str) -> None:
    assert judged(text, language).kind is UnitKind.QUOTE


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("You won't believe what the council spent on 3 May.", "en"),
        ("Vous n'allez pas y croire : la mairie a dépensé 40 000 euros en fleurs.", "fr"),
    ],
)
def test_a_clickbait_formula_is_not_advice_to_the_reader(text: str, language: str) -> None:
    judgement = judged(text, language)
    assert judgement.kind is UnitKind.CLAIM
    assert judgement.checkworthy
    assert judgement.sensational


def test_a_teaser_with_nothing_to_check_is_an_opinion() -> None:
    assert judged("Here is what nobody tells you.", "en").kind is UnitKind.OPINION


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Le conducteur n'a pas été retrouvé.", "fr"),
        ("No arrests have been made.", "en"),
        ("Aucun blessé n'a été signalé.", "fr"),
        ("The report was never published.", "en"),
    ],
)
def test_facts_stated_in_the_negative_are_checkworthy_claims(text: str, language: str) -> None:
    judgement = judged(text, language)
    assert judgement.kind is UnitKind.CLAIM
    assert judgement.checkworthy


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The cause of the fire remains unknown.", "en"),
        ("L'origine de la fuite reste inconnue.", "fr"),
        ("Whether the two herds mix is not yet known.", "en"),
    ],
)
def test_what_is_not_known_is_a_claim_with_nothing_to_check(text: str, language: str) -> None:
    judgement = judged(text, language)
    assert judgement.kind is UnitKind.CLAIM
    assert not judgement.checkworthy


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Ce lycée reste l'établissement le plus demandé du département.", "fr"),
        ("Water levels are lower than last summer.", "en"),
        ("La halle reste le marché le moins cher de l'agglomération.", "fr"),
    ],
)
def test_measurable_comparisons_are_checkworthy(text: str, language: str) -> None:
    judgement = judged(text, language)
    assert judgement.kind is UnitKind.CLAIM
    assert judgement.checkworthy


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Critics say the tram line is a waste of money.", "en"),
        ("Many residents fear the plant in Ohio will close next year.", "en"),
        ("Certains économistes redoutent une récession en 2026.", "fr"),
        ("Beaucoup d'enseignants jugent la réforme précipitée.", "fr"),
    ],
)
def test_views_of_unnamed_crowds_are_not_checkworthy(text: str, language: str) -> None:
    judgement = judged(text, language)
    assert judgement.kind is UnitKind.CLAIM  # a reported view, not the author's
    assert not judgement.checkworthy


def test_a_crowd_view_with_a_measurable_comparison_stays_checkworthy() -> None:
    text = "Many experts believe the glacier is shrinking faster than at any time in a century."
    assert judged(text, "en").checkworthy


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Les familles peuvent s'inscrire en ligne jusqu'au 30 septembre.", "fr"),
        ("Readers can sign up for the weekly digest on the Gazette website.", "en"),
        ("La prochaine séance du conseil aura lieu le 12 octobre à 18 heures.", "fr"),
        ("The next public hearing is scheduled for 9 April in Cardiff.", "en"),
    ],
)
def test_practical_information_is_not_checkworthy(text: str, language: str) -> None:
    judgement = judged(text, language)
    assert judgement.kind is UnitKind.CLAIM
    assert not judgement.checkworthy


def test_a_small_number_after_a_definite_article_points_back() -> None:
    # "les deux pays" is no new quantity: the analysis stays an opinion ...
    assert judged("Le rapprochement entre les deux pays est une nouvelle donne.").kind is (
        UnitKind.OPINION
    )
    # ... but an act of the actors named before is still worth checking
    assert judged("Les deux entreprises ont fusionné.").checkworthy
    vague = Attribution(
        Status.VAGUE, sources=(SourceRef("Critics", None, None, "argued", vague=True),)
    )
    assert not judged(
        "Critics have long argued that the three schemes overlap.", "en", vague
    ).checkworthy


def test_a_reported_view_is_a_claim_whatever_its_evaluative_words() -> None:
    for text in (
        "La situation reste toutefois tendue, soulignent plusieurs syndicats.",
        "Le climat reste néanmoins fragile, préviennent les commerçants du centre.",
    ):
        assert judged(text).kind is UnitKind.CLAIM, text


def test_the_french_lawyer_title_is_not_the_first_person() -> None:
    attribution = Attribution(
        Status.VAGUE, sources=(SourceRef("son avocat", None, None, "a déclaré", vague=True),)
    )
    judgement = judged(
        "« Mon client conteste les faits », a déclaré son avocat, Me Paul Girard.",
        attribution=attribution,
    )
    assert judgement.kind is UnitKind.QUOTE
    assert judgement.checkworthy


def test_speculation_by_a_named_source_is_checkworthy() -> None:
    attribution = Attribution(
        Status.ATTRIBUTED, sources=(SourceRef("Jean Morel", None, None, "estime"),)
    )
    text = "Un recours pourrait retarder le chantier de plusieurs mois, estime l'avocat Jean Morel."
    assert judged(text, attribution=attribution).checkworthy
    assert not judged("Le chantier pourrait prendre du retard.").checkworthy


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Cette taxe est un véritable racket contre les commerçants.", "fr"),
        ("Ce matraquage fiscal doit cesser.", "fr"),
        ("The new fee is a cash grab by the council.", "en"),
        ("This is a witch hunt against teachers.", "en"),
    ],
)
def test_policy_framed_as_theft_or_persecution_is_loaded(text: str, language: str) -> None:
    judgement = judged(text, language)
    assert judgement.sensational
    assert "loaded-word" in signal_kinds(judgement)


# ---------------------------------------------------------------------------
# Second blind set: general rules (superlatives of emotive words, intensified judgements,
# verbs of contempt, fear in titles, insinuating questions, explainer headings)


def title_of(text: str, language: str = "fr", kind: UnitKind = UnitKind.SENTENCE) -> Judgement:
    """Judge ``text`` as the first line of a document (the title) followed by a sentence."""
    units = make_units((text, kind), "Le texte suit.")
    return judge_units(units, {}, language=language)[0]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("This is the creepiest car park in the county.", "en"),
        ("It was the most frightening night of the whole season.", "en"),
        ("Le scénario le plus effrayant reste celui d'une rupture de digue.", "fr"),
        ("C'est l'une des affaires les plus glaçantes de la décennie.", "fr"),
    ],
)
def test_a_superlative_of_an_emotive_word_is_hyperbole(text: str, language: str) -> None:
    judgement = judged(text, language)
    assert judgement.sensational, text
    assert "hyperbole" in signal_kinds(judgement)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("It was the deadliest flood in the region since 1953.", "en"),
        ("The largest share of the budget goes to schools.", "en"),
        ("C'est l'accident le plus meurtrier depuis 2010 sur cette route.", "fr"),
        ("La commune la plus peuplée du canton compte 4 000 habitants.", "fr"),
    ],
)
def test_a_superlative_that_measures_is_not_hyperbole(text: str, language: str) -> None:
    assert not judged(text, language).sensational, text


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The council spent 40,000 pounds on a logo, which is frankly absurd.", "en"),
        ("Charging parents for the bus is downright shameful.", "en"),
        ("Le nouveau tarif de la cantine est franchement indécent.", "fr"),
        ("Ce calendrier des travaux est carrément aberrant.", "fr"),
    ],
)
def test_an_intensified_judgement_is_hyperbole(text: str, language: str) -> None:
    judgement = judged(text, language)
    assert judgement.sensational, text
    assert "hyperbole" in signal_kinds(judgement)


def test_an_intensifier_alone_or_before_a_neutral_word_is_not_sensational() -> None:
    assert not judged("The new route is frankly longer than the old one.", "en").sensational
    assert not judged("Le projet est franchement différent de celui de 2019.").sensational
    assert not judged("The plan is simply a draft at this stage.", "en").sensational


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Le préfet n'a même pas daigné recevoir les éleveurs.", "fr"),
        ("La direction a osé parler de « modernisation » devant les grévistes.", "fr"),
        ("L'administration s'acharne sur les petits exploitants depuis des mois.", "fr"),
        ("The minister did not deign to answer the families' letter.", "en"),
        ("The chief executive had the gall to award himself a bonus.", "en"),
        ("La réforme revient à condamner toute une génération d'apprentis.", "fr"),
        ("Closing the line would condemn an entire valley to isolation.", "en"),
    ],
)
def test_verbs_of_contempt_and_doom_framing_are_loaded(text: str, language: str) -> None:
    judgement = judged(text, language)
    assert judgement.sensational, text
    assert "loaded-word" in signal_kinds(judgement)


def test_plain_verbs_near_the_contempt_lexicon_are_not_loaded() -> None:
    assert not judged("Le tribunal a condamné le prévenu à six mois de prison.").sensational
    assert not judged("Il ose une nouvelle recette chaque semaine.").sensational
    assert not judged("The court condemned the attack in a short ruling.", "en").sensational


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Psychose à Saint-Amand : des seringues retrouvées dans un parc", "fr"),
        ("Vent de panique au collège après une fausse alerte", "fr"),
        ("Measles scare at Hillcrest primary school", "en"),
        ("Panic on the ring road as bridge is shut", "en"),
    ],
)
def test_fear_named_in_a_title_is_loaded(text: str, language: str) -> None:
    judgement = title_of(text, language)
    assert judgement.sensational, text
    assert "loaded-word" in signal_kinds(judgement)


def test_fear_words_in_the_body_alone_stay_weak_or_neutral() -> None:
    assert not judged("La panique a gagné quelques commerçants du centre.").sensational
    assert not judged("A health scare closed the ward for two days in March.", "en").sensational
    assert not title_of("Fears grow over the future of the steelworks", "en").sensational


@pytest.mark.parametrize(
    ("text", "language"),
    [("Hasard ?", "fr"), ("Pure coïncidence ?", "fr"), ("Fluke?", "en"), ("Coincidence?", "en")],
)
def test_a_lone_insinuating_question_is_dramatic_speculation(text: str, language: str) -> None:
    judgement = judged(text, language)
    assert judgement.kind is UnitKind.QUESTION
    assert judgement.sensational, text
    assert "dramatic-speculation" in signal_kinds(judgement)


@pytest.mark.parametrize(
    ("text", "language"),
    [("Pourquoi ?", "fr"), ("Vraiment ?", "fr"), ("Honestly?", "en"), ("Why?", "en")],
)
def test_other_one_word_questions_are_not_sensational(text: str, language: str) -> None:
    assert not judged(text, language).sensational, text


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Will the new tariff actually lower bills?", "en"),
        ("How does the scheme really work?", "en"),
        ("Comment fonctionne vraiment le nouveau bonus ?", "fr"),
        ("Faut-il finalement changer de fournisseur ?", "fr"),
    ],
)
def test_an_explainer_question_heading_is_not_clickbait(text: str, language: str) -> None:
    judgement = judge_one(text, UnitKind.HEADING, language=language)
    assert judgement.kind is UnitKind.HEADING
    assert not judgement.sensational, text


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Why you should actually stop charging your phone overnight?", "en"),
        ("Is this the worst council in Britain?", "en"),
        ("Jusqu'où ira vraiment la hausse des loyers ?", "fr"),
        ("Will repairs REALLY get cheaper?!", "en"),
    ],
)
def test_a_teasing_question_heading_stays_clickbait(text: str, language: str) -> None:
    judgement = judge_one(text, UnitKind.HEADING, language=language)
    assert judgement.sensational, text
    assert "clickbait" in signal_kinds(judgement)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("SHOCK: City CLOSE to selling its stadium?!", "en"),
        ("United bid for the striker REJECTED?!", "en"),
        ("Le maire VA démissionner ?!", "fr"),
    ],
)
def test_a_title_ending_in_piled_marks_is_a_heading(text: str, language: str) -> None:
    judgement = title_of(text, language)
    assert judgement.kind is UnitKind.HEADING
    assert judgement.sensational
    assert not judgement.checkworthy


def test_a_question_with_piled_marks_in_the_body_stays_a_question() -> None:
    judgement = judged("And the transfer fee?!", "en")
    assert judgement.kind is UnitKind.QUESTION


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Buckle up, City fans, this summer is going to be BIG!", "en"),
        ("Get ready, folks, because the derby is back!", "en"),
        ("Chers lecteurs, accrochez-vous, la suite est ÉNORME !", "fr"),
    ],
)
def test_addressing_the_reader_with_emphasis_is_an_opinion(text: str, language: str) -> None:
    judgement = judged(text, language)
    assert judgement.kind is UnitKind.OPINION, judgement.reasons
    assert judgement.sensational
    assert not judgement.checkworthy


# ---------------------------------------------------------------------------
# Hypotheses, predictions and the author's inferences


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Si la trêve se confirmait, il s'agirait d'un tournant pour toute la région.", "fr"),
        ("Si les livraisons continuent, les stocks européens pourraient s'épuiser vite.", "fr"),
        ("Les défenses côtières seraient vite débordées si la flotte attaquait.", "fr"),
        ("Tant que la frontière restera ouverte, le trafic d'armes continuera.", "fr"),
        ("Sans les drones turcs, une telle offensive serait impossible.", "fr"),
        ("If the blockade holds, the island could run short of fuel within weeks.", "en"),
        ("Without satellite images, such a build-up would go unnoticed.", "en"),
        ("As long as the strait stays closed, shipping costs will keep climbing.", "en"),
    ],
)
def test_a_condition_and_its_prediction_are_the_authors_opinion(text: str, language: str) -> None:
    judgement = judged(text, language)
    assert judgement.kind is UnitKind.OPINION, judgement.reasons
    assert not judgement.checkworthy


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # the journalistic conditional hedges a reported fact: a claim
        ("Plusieurs cargos seraient bloqués au large de Tartous.", "fr"),
        ("Même si Ankara dément, la cargaison serait arrivée à Tartous.", "fr"),
        ("Le drone aurait été lancé depuis la Crimée.", "fr"),
        ("Sans surprise, le Kremlin aurait rejeté la proposition.", "fr"),
        # a concession ("si" = "although") before a hedged fact
        (
            "Si les premiers modèles étaient peu fiables, les derniers auraient gagné en portée.",
            "fr",
        ),
        # a condition with a figure or a date is checkable
        ("The bill would raise the levy by 2% if passed.", "en"),
        ("Unless the court intervenes, the merger will close in March.", "en"),
        ("Comme si de rien n'était, le régime a organisé un défilé à Minsk.", "fr"),
    ],
)
def test_hedged_facts_and_conditions_with_figures_stay_claims(text: str, language: str) -> None:
    assert judged(text, language).kind is UnitKind.CLAIM


def test_a_prediction_reported_from_a_named_source_is_its_claim() -> None:
    attribution = Attribution(
        status=Status.ATTRIBUTED,
        sources=(SourceRef("ONU", None, None, "selon"),),
        reasons=("cue 'selon' introduces 'ONU'",),
    )
    text = "Si la trêve tient, les convois pourraient entrer dans la ville, selon l'ONU."
    judgement = judged(text, attribution=attribution)
    assert judgement.kind is UnitKind.CLAIM
    assert judgement.checkworthy


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Il semble toutefois que la marine turque reste prudente face à Athènes.", "fr"),
        ("Force est de constater que les sanctions ont peu pesé sur Téhéran.", "fr"),
        ("It seems that Ankara remains cautious about the deal.", "en"),
        ("La bataille de l'information est donc perdue pour Moscou.", "fr"),
        ("Beijing is thus tightening its grip on the region.", "en"),
        ("L'usure des câbles rend l'hypothèse du sabotage de moins en moins crédible.", "fr"),
        ("Cette alliance offre à Téhéran un paravent commode.", "fr"),
        ("Pour Ankara, l'enjeu est crucial.", "fr"),
        ("That is a Russian naval base in all but name.", "en"),
    ],
)
def test_hedged_assessments_inferences_and_analysis_are_opinions(text: str, language: str) -> None:
    judgement = judged(text, language)
    assert judgement.kind is UnitKind.OPINION, judgement.reasons
    assert not judgement.checkworthy


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Le sommet a donc été reporté à jeudi.", "fr"),  # an inference with a date
        ("Le navire a donc été arraisonné par la marine française.", "fr"),  # a past event
        ("The vessel was therefore seized by the Finnish coast guard.", "en"),
        ("La Turquie a fermé le détroit aux navires de guerre russes.", "fr"),
        ("Norway's parliament even voted against the pipeline.", "en"),  # a name opens it
    ],
)
def test_narrated_events_with_a_connective_stay_checkworthy_claims(
    text: str, language: str
) -> None:
    judgement = judged(text, language)
    assert judgement.kind is UnitKind.CLAIM, judgement.reasons
    assert judgement.checkworthy


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Un accord que Pékin n'a jamais ratifié, évidemment.", "fr"),
        ("Prime Minister Ortega did not resign over the leak, of course.", "en"),
    ],
)
def test_an_aside_tagged_on_a_fact_does_not_make_an_opinion(text: str, language: str) -> None:
    judgement = judged(text, language)
    assert judgement.kind is UnitKind.CLAIM, judgement.reasons
    assert judgement.checkworthy


def test_an_aside_in_parentheses_leaves_a_personal_anecdote() -> None:
    text = "L'an passé, à Tunis, j'ai partagé un café (serré, bien sûr !) avec un ancien diplomate."
    judgement = judged(text)
    assert judgement.kind is UnitKind.CLAIM, judgement.reasons
    assert not judgement.checkworthy
    assert judgement.sensational
    assert {"first-person-storytelling", "exclamation"} <= signal_kinds(judgement)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Well, take a look at the satellite pictures yourself.", "en"),
        ("So, check the registry before you believe anything.", "en"),
        ("Alors, regardez bien cette carte.", "fr"),
    ],
)
def test_an_imperative_after_a_discourse_word_is_advice(text: str, language: str) -> None:
    assert judged(text, language).kind is UnitKind.OPINION


def test_a_number_word_inside_an_idiom_is_nothing_to_check() -> None:
    assert not judged("Les infirmières restent en première ligne.").checkworthy
    assert judged("Les infirmières ont touché une première prime.").checkworthy


# ---------------------------------------------------------------------------
# Sensational: storytelling, emotive images, teasers and neutral section labels


@pytest.mark.parametrize(
    ("text", "language", "kind"),
    [
        ("Ses paroles résonnent encore dans ma tête.", "fr", "first-person-storytelling"),
        ("Ces images devraient tous nous glacer.", "fr", "loaded-word"),
        ("Le récit de ce pêcheur m'a glacé le sang.", "fr", "loaded-word"),
        ("Une armée fantôme opère désormais aux portes de l'Europe.", "fr", "loaded-word"),
        ("Le Kremlin avance masqué dans les Balkans.", "fr", "loaded-word"),
        ("Her words still haunt me.", "en", "first-person-storytelling"),
        ("I have NEVER seen anything like it in twenty years.", "en", "hyperbole"),
        ("That is the most naive argument I have heard this decade.", "en", "hyperbole"),
        ("C'est l'analyse la plus naïve de la semaine.", "fr", "hyperbole"),
        ("And yet nobody in the mainstream press is talking about it!", "en", "clickbait"),
        ("What are they hiding?", "en", "clickbait"),
        ("Et si, demain, toute la Baltique basculait ?", "fr", "dramatic-speculation"),
        ("What if the whole grid went dark for a week?", "en", "dramatic-speculation"),
    ],
)
def test_storytelling_emotive_images_and_teasers_are_sensational(
    text: str, language: str, kind: str
) -> None:
    judgement = judged(text, language)
    assert judgement.sensational, judgement.reasons
    assert kind in signal_kinds(judgement)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("La flotte fantôme transporte du pétrole sous pavillon gabonais.", "fr"),
        ("Et si on essayait la concertation ?", "fr"),
        ("What if we tried another approach?", "en"),
        ("The suspect is believed to be hiding in the forest.", "en"),
        ("Residents say they are hiding in basements.", "en"),
        ("Nouvelles révélations sur le financement du parti.", "fr"),
    ],
)
def test_neutral_uses_of_the_same_words_are_not_sensational(text: str, language: str) -> None:
    judgement = judged(text, language)
    assert not judgement.sensational, judgement.reasons


@pytest.mark.parametrize(
    ("label", "language"),
    [
        ("Ce que l'on sait", "fr"),
        ("Ce qu'il faut savoir", "fr"),
        ("Why this matters", "en"),
        ("What we know so far", "en"),
    ],
)
def test_a_plain_section_label_under_a_news_title_is_not_clickbait(
    label: str, language: str
) -> None:
    units = make_units(
        ("Le Parlement adopte la loi de programmation militaire", UnitKind.HEADING),
        "Le texte a été voté mardi par 320 voix contre 210.",
        (label, UnitKind.HEADING),
        "Les crédits atteindront 413 milliards d'euros.",
    )
    judgement = judge_units(units, {}, language=language)[2]
    assert judgement.kind is UnitKind.HEADING
    assert not judgement.sensational, judgement.reasons


def test_the_same_label_with_a_hook_in_a_title_stays_clickbait() -> None:
    judgement = title_of("Ce qu'il faut savoir sur le scandale qui secoue Bercy", "fr")
    assert judgement.sensational
    assert "clickbait" in signal_kinds(judgement)


def test_a_short_verbless_question_standing_alone_heads_a_section() -> None:
    units = make_units(
        "Le contingent russe s'est installé à Bamako en janvier.",
        "Et demain, la Mauritanie ?",
        "Nouakchott observe la situation avec inquiétude.",
    )
    judgements = judge_units(units, {}, language="fr")
    assert judgements[1].kind is UnitKind.HEADING
    assert not judgements[1].checkworthy


def test_a_question_inside_a_paragraph_or_with_a_verb_stays_a_question() -> None:
    inside = make_units(
        "Le contingent russe s'est installé à Bamako.",
        "Et demain, la Mauritanie ?",
        "Nouakchott observe la situation.",
        paragraph=0,
    )
    with_verb = make_units(
        "Le contingent russe s'est installé à Bamako.",
        "Que va faire la Mauritanie ?",
        "Nouakchott observe la situation.",
    )
    assert judge_units(inside, {}, language="fr")[1].kind is UnitKind.QUESTION
    assert judge_units(with_verb, {}, language="fr")[1].kind is UnitKind.QUESTION


# ---------------------------------------------------------------------------
# Round 2: quoted verdicts, judgements after a copula, likelihood, section questions


def test_british_single_quotes_pair_around_words_not_apostrophes() -> None:
    text = "The union’s leader called it ‘a day we won’t forget’ and left."
    spans, still_open = quote_spans(text)
    assert [text[s:e] for s, e in spans] == ["‘a day we won’t forget’"]
    assert not still_open
    # a stray opening mark never quotes the next sentence
    assert quote_spans("Back in the ‘nineties it was different")[1] is False


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (
            "The regulator warned that the operator was showing ‘a worrying disregard for safety’.",
            "en",
        ),
        ("La préfète a jugé « inacceptable » le retard pris par le chantier du tramway.", "fr"),
        ("Le syndicat dénonce une « provocation » de la direction du port.", "fr"),
        ("L'avocat a qualifié la décision de « disproportionnée ».", "fr"),
        ("Les pêcheurs, reconnaît-il, ont vécu « un hiver noir » sur la côte.", "fr"),
        ('The ministry has dismissed the reports of shortages as "scaremongering".', "en"),
    ],
)
def test_a_short_quotation_said_by_a_speech_verb_is_a_quote(text: str, language: str) -> None:
    assert judged(text, language).kind is UnitKind.QUOTE


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Le préfet a annoncé une enquête pour « vol aggravé » après le cambriolage.", "fr"),
        ("Le ministère a présenté le plan « Ports Verts » mardi à Marseille.", "fr"),
        ("Le parquet a rappelé la brigade surnommée « les Lynx » en renfort.", "fr"),
        ("Un tarif que l'opposition juge « bradé » a été voté jeudi.", "fr"),
        ('Officials said the scheme relies on so-called "ghost trucks" at night.', "en"),
    ],
)
def test_terms_names_and_relative_clauses_keep_a_claim(text: str, language: str) -> None:
    assert judged(text, language).kind is UnitKind.CLAIM


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Pour le quartier, cette ligne de bus est devenue vitale.", "fr"),
        ("L'accord paraît bien fragile.", "fr"),
        ("Les effets sur la nappe restent difficiles à mesurer.", "fr"),
        ("Ce choix est tout sauf anodin.", "fr"),
        ("That outcome is far from certain.", "en"),
        ("The second plan looks even more ambitious.", "en"),
    ],
)
def test_a_judgement_after_a_copula_is_an_opinion(text: str, language: str) -> None:
    judgement = judged(text, language)
    assert judgement.kind is UnitKind.OPINION
    assert not judgement.checkworthy


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("La croissance reste modeste, à 0,2 % au troisième trimestre.", "fr"),
        ("Le pont, qui reste fragile, a été rouvert mardi à la circulation.", "fr"),
        ("Growth remained modest at 0.2% in the third quarter.", "en"),
        ("The ferry, whose future remains uncertain, sailed from Dover on Monday.", "en"),
    ],
)
def test_a_judgement_next_to_a_figure_or_in_a_relative_clause_stays_a_claim(
    text: str, language: str
) -> None:
    assert judged(text, language).kind is UnitKind.CLAIM


def test_a_judgement_reported_from_someone_stays_their_claim() -> None:
    assert judged("Le maire estime que la situation est préoccupante.").kind is UnitKind.CLAIM


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Il est peu probable que le texte soit adopté avant l'été à Paris.", "fr"),
        ("It is likely that the talks in Geneva will drag on.", "en"),
        ("The new levy is likely to anger hauliers across Kent.", "en"),
        ("Au final, la réforme semble surtout symbolique.", "fr"),
        ("Une tendance se dessine déjà dans les sondages.", "fr"),
        ("Planning for the traffic of 1990 is no way to plan a city.", "en"),
    ],
)
def test_the_authors_estimates_and_conclusions_are_opinions(text: str, language: str) -> None:
    assert judged(text, language).kind is UnitKind.OPINION


def test_a_sum_and_a_share_are_claims_not_conclusions() -> None:
    assert judged("Au total, 300 personnes ont été évacuées.").kind is UnitKind.CLAIM
    assert judged("L'essentiel a été remboursé en espèces.").kind is UnitKind.CLAIM


def test_the_stakes_of_a_named_actor_weighed_by_the_author_are_an_opinion() -> None:
    judgement = judged("Pour Lisbonne, l'enjeu dépasse la seule question budgétaire.")
    assert judgement.kind is UnitKind.OPINION
    sourced = Attribution(
        status=Status.ATTRIBUTED,
        sources=(SourceRef("Lisbonne", None, None, "pour"),),
    )
    text = "Pour Lisbonne, l'enjeu dépasse la seule question budgétaire."
    assert judged(text, attribution=sourced).kind is UnitKind.CLAIM


def sectioned(question: str, heading: str = "Les premiers témoins") -> list[Judgement]:
    units = make_units(
        ("Un village sous les eaux", UnitKind.HEADING),
        "La crue a noyé la vallée en une nuit.",
        question,
        "Les pompiers décrivent une montée des eaux très rapide.",
        (heading, UnitKind.HEADING),
        "Les secours ont évacué deux cents personnes.",
    )
    return list(judge_units(units, {}, language="fr"))


def test_a_short_question_standing_alone_in_an_article_with_sections_is_a_heading() -> None:
    judgement = sectioned("Qui étaient les premiers sur place ?")[2]
    assert judgement.kind is UnitKind.HEADING
    assert not judgement.checkworthy


@pytest.mark.parametrize(
    "question",
    [
        "Et vous, avez-vous déjà vu la rivière monter ?",  # put to the reader
        "Comment une rivière aussi calme a-t-elle pu noyer toute la vallée en une nuit ?",
    ],
)
def test_questions_to_the_reader_and_long_questions_stay_questions(question: str) -> None:
    assert sectioned(question)[2].kind is UnitKind.QUESTION


def test_the_questions_of_a_faq_stay_questions() -> None:
    units = make_units(
        ("Un village sous les eaux", UnitKind.HEADING),
        ("Questions fréquentes", UnitKind.HEADING),
        "Qui paie les dégâts ?",
        "L'assurance de la commune couvre les bâtiments publics.",
        "Quand l'école rouvrira-t-elle ?",
        "La rentrée est prévue lundi.",
    )
    judgements = judge_units(units, {}, language="fr")
    assert judgements[2].kind is UnitKind.QUESTION
    assert judgements[4].kind is UnitKind.QUESTION


def test_a_run_of_spelt_out_acronyms_is_not_shouting() -> None:
    judgement = judged("A spokesman for the operator PKP PLK declined to comment.", "en")
    assert not judgement.sensational
    assert judged("This is NOT A DRILL, the mayor wrote on Sunday.", "en").sensational


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Jamais je n'aurais imaginé cela, et je suis ce dossier depuis dix ans.", "fr"),
        ("L'hiver dernier, j'ai pu m'entretenir avec un ancien douanier à Brest.", "fr"),
        ("I have covered this beat for a decade, and I have never seen anything so cynical.", "en"),
        ("La vallée est devenue le carrefour de ce trafic mortel.", "fr"),
        ("Le drone Lancet, l'autre arme fatale", "fr"),
        ("And those are only the cases we know about.", "en"),
        ("Une enquête sur un marché qui flambe… et sur ceux qui en profitent.", "fr"),
        ("If smugglers cross with impunity today, who stops them trying something worse?", "en"),
        ("Our ministers are asleep while the shadow war spreads to the ports.", "en"),
    ],
)
def test_experience_deadly_trades_hidden_rests_and_menace_are_sensational(
    text: str, language: str
) -> None:
    assert judged(text, language).sensational


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The council has not commented on the leaked figures.", "en"),
        ("Le ministère n'a pas confirmé ces informations.", "fr"),
        ("Un chiffre que la mairie n'a jamais confirmé.", "fr"),
    ],
)
def test_saying_that_someone_did_not_comment_or_confirm_is_not_checkworthy(
    text: str, language: str
) -> None:
    assert not judged(text, language).checkworthy


def test_a_fact_that_could_not_be_verified_is_checkworthy() -> None:
    assert judged("Ce bilan n'a pas pu être vérifié de manière indépendante.").checkworthy


def test_an_unnamed_speakers_verdict_or_counterfactual_is_not_checkworthy() -> None:
    vague = Attribution(
        status=Status.VAGUE,
        sources=(SourceRef("un ancien magistrat", None, None, "a jugé", vague=True),),
    )
    named = Attribution(
        status=Status.ATTRIBUTED,
        sources=(SourceRef("Claire Roux", None, None, "a jugé"),),
    )
    verdict = "Un ancien magistrat a jugé « précipitée » la fermeture du tribunal."
    counterfactual = (
        "« Sans les digues, la ville aurait pu être noyée dès 2021 », affirme un ancien ingénieur."
    )
    assert judged(verdict, attribution=vague).kind is UnitKind.QUOTE
    assert not judged(verdict, attribution=vague).checkworthy
    assert not judged(counterfactual, attribution=vague).checkworthy
    named_verdict = "Claire Roux a jugé « précipitée » la fermeture du tribunal."
    assert judged(named_verdict, attribution=named).checkworthy


# ---------------------------------------------------------------------------
# Round 3 (blind5): failure modes, tested on invented sentences


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Mieux vaut un accord imparfait signé que trois traités parfaits en attente.", "fr"),
        ("Rien ne dit que ces sanctions suffiront à tarir le trafic.", "fr"),
        ("Le calendrier n'avait évidemment pas été fixé au hasard.", "fr"),
        ("Des drones bon marché : de quoi saturer les défenses de la ville !", "fr"),
        ("Un barrage ne remplacera jamais une vraie diplomatie de l'eau.", "fr"),
        ("Le comité reste pourtant un organe fragile.", "fr"),
        (
            "Sans les pièces venues de Chine, la production se serait arrêtée depuis longtemps.",
            "fr",
        ),
    ],
)
def test_the_authors_preference_doubt_forecast_and_counterfactual_are_opinions(
    text: str, language: str
) -> None:
    judgement = judge_one(text, language=language)
    assert judgement.kind is UnitKind.OPINION, judgement.reasons
    assert not judgement.checkworthy


@pytest.mark.parametrize(
    ("text", "language", "attribution"),
    [
        # a short call to the reader before a colon, then a told past event
        ("Ne vous y trompez pas : Ankara a livré des centaines de blindés.", "fr", None),
        ("Détrompez-vous : la mairie a vendu le terrain en mai.", "fr", None),
        # the author telling what they did, not judging
        ("I cancelled my subscription the next morning.", "en", None),
        # hedged as reported information: weak words of the author do not turn it into opinion
        (
            "Engineers have reportedly failed to repair the pumps because the parts are so rare.",
            "en",
            Attribution(status=Status.UNATTRIBUTED, signals=(Signal("hedged", "reportedly"),)),
        ),
        ("Leur nombre, longtemps stable, augmente désormais.", "fr", None),
    ],
)
def test_facts_behind_a_lead_in_a_told_act_or_a_reporting_hedge_stay_claims(
    text: str, language: str, attribution: Attribution | None
) -> None:
    judgement = judge_one(text, language=language, attribution=attribution)
    assert judgement.kind is UnitKind.CLAIM, judgement.reasons


def test_a_modal_of_the_author_is_no_reporting_hedge() -> None:
    hedge = Attribution(status=Status.UNATTRIBUTED, signals=(Signal("hedged", "could have"),))
    text = "It could have paid for a night bus for a decade."
    assert judge_one(text, language="en", attribution=hedge).kind is UnitKind.OPINION


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Le quartier vit au rythme infernal des sirènes.", "fr"),
        ("Une flotte de navires pourris traverse la Baltique.", "fr"),
        ("Et si le pire restait à venir pour les éleveurs ?", "fr"),
        ("Et ce n'est pas tout.", "fr"),
        ("And it gets worse.", "en"),
        ("Some on the trading floor whisper that the bank could fold by Friday.", "en"),
        ("Let me tell you about the night the lights went out.", "en"),
        ("My neighbour rang me at midnight, and she was shaking.", "en"),
        ("Un cynisme absolu guide ce choix.", "fr"),
    ],
)
def test_round3_sensational_forms(text: str, language: str) -> None:
    judgement = judge_one(text, language=language)
    assert judgement.sensational, judgement.reasons


@pytest.mark.parametrize(
    "text",
    [
        "Il se murmure que la mairie pourrait racheter le terrain.",
        "Le rythme s'est nettement accéléré depuis.",
        "La réunion est prévue depuis le 4 mars.",
    ],
)
def test_round3_look_alikes_that_stay_neutral(text: str) -> None:
    judgement = judge_one(text)
    assert not judgement.sensational, judgement.reasons


def test_a_line_in_capitals_standing_alone_is_a_title() -> None:
    units = make_units("SARDINES EN PÉRIL : LA GRANDE ARNAQUE DES QUOTAS !", "Le texte commence.")
    first = judge_units(units, {}, language="fr")[0]
    assert first.kind is UnitKind.HEADING
    assert first.sensational and not first.checkworthy


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Le rapport ne précise pas le nombre de navires concernés.", "fr"),
        ("La police n'a pas précisé l'identité des suspects.", "fr"),
        ("The ministry did not specify how many troops would stay.", "en"),
    ],
)
def test_what_a_source_leaves_unsaid_is_not_checkworthy(text: str, language: str) -> None:
    said = Attribution(status=Status.ATTRIBUTED)
    judgement = judge_one(text, language=language, attribution=said)
    assert judgement.kind is UnitKind.CLAIM
    assert not judgement.checkworthy, judgement.reasons


def test_an_unnamed_speakers_quoted_forecast_is_not_checkworthy() -> None:
    vague = Attribution(status=Status.VAGUE)
    forecast = "« Le jour où la digue cédera, ce sera trop tard », prévient un ingénieur."
    told = "« On nous a promis un chantier, et rien ne sera fait avant l'hiver », dit un voisin."
    assert not judge_one(forecast, attribution=vague).checkworthy
    assert judge_one(told, attribution=vague).checkworthy
