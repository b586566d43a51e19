"""Judge stage: what kind of sentence each unit is, whether it is check-worthy and sensational.

Input: the units of segmentation and the attribution decided for each of them. Output: one
:class:`~auditor.records.Judgement` per unit that keeps the attribution (status, sources,
signals, reasons) and adds ``kind``, ``checkworthy``, ``sensational`` and the signals and
reasons behind them, plus :func:`summarise`, the document verdict.

The words that drive the decisions live in lexicons (``auditor/data/lexicons``:
``sensational_<lang>.yaml`` and ``kinds_<lang>.yaml``), which users extend with
``judge.lexicon_files``. Matching is case-, accent- and apostrophe-insensitive, on whole words,
with simple inflection (see the header of ``sensational_fr.yaml``). Regexes are compiled once
per lexicon set. No spaCy: the rules below are cheaper than a parse and measured good enough
(``bench/eval.py``).

Sensational rule (``SENSATIONAL_THRESHOLD``): each signal weighs 2 (strong) or 1 (weak); a
unit is sensational when its weights add up to 2, i.e. one strong signal or two weak ones.
Signals found inside a quotation are the speaker's words, not the author's, and do not count.
Strong without a lexicon word: capitals in a word form no acronym has (SHARING, HOLD-UP,
ÉNORME), piled-up marks ("?!", "!!!"), an exclamation on a factual claim or on a short
judgement of the author, a superlative of an emotive word ("the scariest", "le plus
effrayant"; not one that measures, "the deadliest"), an intensifier before an evaluative word
("frankly ridiculous", "carrément aberrant"), a one-word insinuating question ("Coïncidence ?").
A heading's question that the section answers ("Will repairs get cheaper?") is no teaser, nor is
a plain section label under the title ("Ce qu'il faut savoir", "Why this matters"); a title
ending in "?!" is a heading. A question in the body that opens a scenario ("Et si, demain,
tout basculait ?", "What if…?") is dramatic speculation.

Kind, beyond the lexicon markers: quotation marks (« », “ ”, " ", and British ‘ ’) make a quote
only when they reproduce someone's words, not around a short term or label ("une enquête pour
« vol »"); a quotation that a speech verb says, however short, is someone's words ("a jugé
« prématuré »", "dismissed the claims as ‘fairy tales’"), unless it is a name or follows a
preposition or a naming word ("surnommé « Storm Corps »"); rhetorical
fragments ("Soit."), exclamative sentences ("Quelle pagaille !"), verbless exclamations and
evaluations, instructions (imperatives, infinitives in a list) and "is certainly <adjective>"
are opinions; so are the author's predictions from a condition ("Si X se confirmait, il
s'agirait…", "Sans X, Y serait impossible", "Tant que X, Y restera…"), impersonal hedged
assessments ("Il semble que…"), an inference ("donc", "therefore") in a unit with no number or
date that narrates no past event, and evaluative words that outweigh mere names. A reported view
("…, préviennent les agents"), a fact stated in the negative, the journalistic conditional of a
reported fact ("aurait fourni", "seraient bloqués") and a condition with a figure stay claims;
"évidemment" tagged on after a comma or in parentheses is an aside, not a judgement. A
judgement after a copula ("ce corridor est devenu vital", "is less certain"; not in a relative
clause, and only a weak sign next to a figure), the author's estimate of likelihood ("Il est
probable que", "is likely to"), a conclusion without figures ("Au final, …") and the stakes of
an actor framed by the author ("Pour Moscou, l'enjeu…": the frame names no one who acted) are
opinions. A short question standing alone between paragraphs is a heading: verbless ("Et
demain, le Niger ?") always, with a verb ("Qui étaient ces soldats ?") in an article cut into
sections, never in a list of frequently asked questions.

Check-worthiness asks for something specific: a number, a date, a named actor or source, a
measurable comparison, a fact stated in the negative; practical information, what is not known,
speculation without a named source, the views of unnamed crowds ("Analysts expect…"), that
someone did not comment or confirm, and an unnamed speaker's verdict of a word or two or quoted
counterfactual are not check-worthy.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from auditor.lexicons import Lexicon, load_lexicon
from auditor.records import (
    Attribution,
    Citations,
    Judgement,
    ProblemKind,
    Signal,
    SourceRef,
    Status,
    Unit,
    UnitKind,
)

# ---------------------------------------------------------------------------
# Rules in one place

SENSATIONAL_THRESHOLD = 2  # one strong signal (2) or two weak ones (1 + 1)
STRONG, WEAK = 2, 1
# kind
QUOTE_SHARE = 0.5  # a unit at least half made of quotation is a quote
QUOTE_MIN_WORDS = 2  # quoted words next to a speech verb make a quote ("said it was "x y"")
SPEECH_VERB_DISTANCE = 6  # at most this many words between the quotation and the verb
OPINION_WITHOUT_FACTS = 1  # judgement score that makes an opinion of a sentence with no facts
OPINION_MARGIN = 2  # ... and by how much it must outweigh checkable content otherwise
OPINION_MARGIN_NAMES_ONLY = 1  # ... or when that content is only names (no number, date, source)
ACTOR_CAP = 1  # named actors count once towards a claim: analysis names actors too
# check-worthiness
PERSONAL_FIRST_PERSON = 1  # first-person words that make an unsourced claim personal
VERDICT_WORDS = 2  # an unnamed speaker's quotation this short is a verdict (« prématuré »)
EXCLAIMED_JUDGEMENT_WORDS = 10  # an exclaimed opinion of at most this many words is strong
LANGUAGES = ("fr", "en")
# Signal kinds the code itself reports (the lexicons' categories add their own).
CLICKBAIT = "clickbait"
SPECULATION = "dramatic-speculation"
STORYTELLING = "first-person-storytelling"
IMAGINE = "invitation-to-imagine"
CAPS = "capitals for effect"
# Lexicon categories that are word lists, not signals.
_WORD_LISTS = frozenset(
    {
        "acronyms",
        "shouted_words",
        "intensifiers",
        "evaluative_words",
        "measurable_adjectives",
        "insinuating_questions",
        "explainer_questions",
        "section_headings",
    }
)

#: Document grade from the check-worthy units: the first rule that holds wins. Each rule is
#: (label, letter, minimum attributed share, maximum unattributed share); vague units count in
#: neither share. "weakly sourced" needs at least one check-worthy unit that invokes a source
#: (named or vague); with none, the article is "unsourced". Calibrated on the hand labels:
#: seed 001 (63% attributed by hand) is well sourced, seed 003 (8%) weakly sourced.
GRADE_RULES: tuple[tuple[str, str, float, float], ...] = (
    ("well sourced", "A", 0.45, 0.50),
    ("adequately sourced", "B", 0.25, 0.70),
    ("weakly sourced", "C", 0.00, 1.00),
)
UNSOURCED = ("unsourced", "D")
#: A document is sensational when at least this share of its sentences is, or when at least
#: this many of them are.
DOCUMENT_SENSATIONAL_SHARE = 0.15
DOCUMENT_SENSATIONAL_MIN = 5
SENTENCE_KINDS = frozenset(
    {UnitKind.SENTENCE, UnitKind.CLAIM, UnitKind.QUOTE, UnitKind.OPINION, UnitKind.QUESTION}
)
TITLE_KINDS = frozenset({UnitKind.HEADING})

# ---------------------------------------------------------------------------
# Text folding: same length as the input, so match offsets are offsets in the original.

_APOSTROPHES = "’‘ʼ´`′"
_SPACES = "\u00a0\u202f\u2009\u2007\u2002\u2003\u200a"
_HYPHENS = "\u2010\u2011"


def _fold_char(ch: str) -> str:
    if ch in _APOSTROPHES:
        return "'"
    if ch in _SPACES:
        return " "
    if ch in _HYPHENS:
        return "-"
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    low = base.lower()
    return low if len(low) == 1 else ch.lower() if len(ch.lower()) == 1 else ch


_FOLD_TABLE = {i: _fold_char(chr(i)) for i in range(0x250)}
_FOLD_TABLE.update({ord(c): _fold_char(c) for c in _APOSTROPHES + _SPACES + _HYPHENS})


def fold(text: str) -> str:
    """Latin text lower-cased, without accents, with one apostrophe, one space and one hyphen.

    The result has the length of ``text``, so offsets found in it are offsets in ``text``.
    """
    return text.translate(_FOLD_TABLE)


# ---------------------------------------------------------------------------
# Lexicon entries -> regexes

# Short grammatical words of four letters or more that must not be inflected.
_FUNCTION_WORDS = frozenset(
    {
        "dont",
        "mais",
        "avec",
        "pour",
        "dans",
        "sans",
        "sous",
        "sont",
        "plus",
        "with",
        "that",
        "this",
        "those",
        "these",
        "from",
        "into",
        "what",
        "when",
        "your",
        "have",
    }
)
_INFLECTION = "(?:e|s|es|x|le|les|ne|nes|ee|ees)?"
_GAP = r"(?:\s+[^\s.!?;:]+){0,4}?"


def _word_regex(word: str) -> str:
    if word.endswith("*"):
        return re.escape(word[:-1]).replace("'", "'?") + r"[\w'-]*"
    parts = re.split(r"(['-])", word)
    out = []
    for i, part in enumerate(parts):
        if part == "'":
            # "won't" also finds "wont"; a final apostrophe ("j'") is required.
            out.append("'?" if any(parts[i + 1 :]) else "'")
        elif part == "-":
            out.append(r"[\s-]?")
        elif len(part) >= 4 and part.isalpha() and part not in _FUNCTION_WORDS:
            stem = part
            if stem[-1] in "sx" and len(stem) > 4:
                stem = stem[:-1]
            if stem[-1] == "e" and len(stem) > 4:
                stem = stem[:-1]
            out.append(re.escape(stem) + _INFLECTION)
        else:
            out.append(re.escape(part))
    return "".join(out)


def _entry_parts(entry: str) -> tuple[bool, str]:
    """Whether the entry starts on a word boundary, and its regex without that boundary."""
    words = fold(entry.strip()).split()
    pieces: list[str] = []
    for word in words:
        if word in {"…", "..."}:
            pieces.append(_GAP)
            continue
        if pieces and pieces[-1] != _GAP:
            pieces.append(r"[\s-]+")
        elif pieces:
            pieces[-1] = _GAP + r"\s+"
        pieces.append(_word_regex(word))
    body = "".join(pieces)
    end = r"(?!\w)" if words and (words[-1][-1:].isalnum() or words[-1].endswith("*")) else ""
    return bool(words) and words[0][:1].isalnum(), body + end


def entry_regex(entry: str) -> str:
    """The regex (over folded text) for one lexicon entry; see the lexicons' header."""
    bounded, body = _entry_parts(entry)
    return (r"(?<!\w)" if bounded else "") + body


def _compile(entries: Iterable[str]) -> re.Pattern[str] | None:
    """One regex for a list of entries: the word boundary is tested once, and a lookahead on
    the possible first letters skips every other position at once."""
    bounded: set[str] = set()
    free: set[str] = set()
    firsts: set[str] = set()
    for entry in entries:
        if not entry.strip():
            continue
        is_bounded, body = _entry_parts(entry)
        (bounded if is_bounded else free).add(body)
        if is_bounded:
            firsts.add(fold(entry.strip())[0])
    alternatives = []
    if bounded:
        ordered = sorted(bounded, key=len, reverse=True)
        first = "".join(sorted(re.escape(c) for c in firsts))
        alternatives.append(f"(?<!\\w)(?=[{first}])(?:{'|'.join(ordered)})")
    alternatives += sorted(free, key=len, reverse=True)
    return re.compile("|".join(alternatives)) if alternatives else None


@dataclass(frozen=True, slots=True)
class _Category:
    kind: str  # signal kind reported
    weight: int
    title_only: bool
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class _Rules:
    sensational: tuple[_Category, ...]
    acronyms: frozenset[str]
    shouted: frozenset[str]  # short words that in capitals are always emphasis (NOT, JAMAIS)
    second_person: re.Pattern[str] | None
    opinion: re.Pattern[str] | None
    not_opinion: re.Pattern[str] | None
    opinion_weak: re.Pattern[str] | None
    first_person: re.Pattern[str] | None
    speech_verbs: re.Pattern[str] | None
    non_statement: re.Pattern[str] | None
    speculative: re.Pattern[str] | None
    demonyms: re.Pattern[str] | None
    number_words: re.Pattern[str] | None
    time_words: re.Pattern[str] | None
    rhetorical: re.Pattern[str] | None
    stance: re.Pattern[str] | None
    imperative: re.Pattern[str] | None
    generic_view: re.Pattern[str] | None
    service_info: re.Pattern[str] | None
    negative_fact: re.Pattern[str] | None
    unknown_fact: re.Pattern[str] | None
    verb_cues: re.Pattern[str] | None
    term_before: frozenset[str]
    not_infinitive: frozenset[str]
    imperative_objects: frozenset[str]
    french: bool  # the French lexicons are loaded
    speech_forms: frozenset[str]  # the speech verbs exactly as listed
    # "frankly" + "ridiculous": an intensifier before an evaluative word
    intensified: re.Pattern[str] | None = None
    evaluative: re.Pattern[str] | None = None  # evaluative words, also alone (superlatives)
    measurable: re.Pattern[str] | None = None  # emotive adjectives that measure ("deadliest")
    insinuating: re.Pattern[str] | None = None  # "Coïncidence ?": a lone insinuating question
    explainer: re.Pattern[str] | None = None  # "Will…?", "Comment…?": an explainer question
    # "Si X se confirmait, il s'agirait…": a condition, and the verbs that make a prediction of it
    hypothesis: re.Pattern[str] | None = None  # "si", "if": needs a conditional or a modal
    open_condition: re.Pattern[str] | None = None  # "tant que", "unless": a future will do
    counterfactual: re.Pattern[str] | None = None  # "Sans X, …", "Without X, …" at the start
    not_hypothesis: re.Pattern[str] | None = None  # "comme si", "if anything": no condition
    conditional: re.Pattern[str] | None = None  # conditional forms and modals ("pourrait", "would")
    future: re.Pattern[str] | None = None  # "will", "restera": a prediction after "tant que"
    not_conditional: frozenset[str] = frozenset()  # "portrait", "retrait": not a verb
    connectives: re.Pattern[str] | None = None  # "donc", "therefore": the author's inference
    asides: re.Pattern[str] | None = None  # "évidemment" as a tag or in parentheses: an aside
    openers: re.Pattern[str] | None = None  # "Well," "Alors," before an imperative
    not_number: re.Pattern[str] | None = None  # "en première ligne": a number word in an idiom
    section_heading: re.Pattern[str] | None = None  # "Ce qu'il faut savoir": a neutral heading
    not_names: frozenset[str] = frozenset()  # "Today's …" opens a sentence and names nobody
    # "a dénoncé une « campagne … »": a quotation that is what a speech verb says
    naming: frozenset[str] = frozenset()  # "surnommé « … »", "so-called": a name, not words
    barriers: frozenset[str] = frozenset()  # prepositions: "une enquête pour « vol »"
    characterising: re.Pattern[str] | None = None  # "dismissed … as", "a qualifié … de"
    characterising_links: frozenset[str] = frozenset()  # "as", "comme", "de"
    # "ce corridor est devenu vital": a copula, degree words, a word of judgement
    evaluation: re.Pattern[str] | None = None
    # "reste un outil fragile", "is a risky bet": the judgement of a noun after the copula
    evaluation_np: re.Pattern[str] | None = None
    faq: re.Pattern[str] | None = None  # "Questions fréquentes": questions that stay questions

    def is_lexicon_word(self, folded_word: str) -> bool:
        """Whether a word alone is a sensational lexicon entry ("choc", "wow")."""
        return any(c.pattern.fullmatch(folded_word) for c in self.sensational)

    def is_emotive(self, folded_word: str) -> bool:
        """Whether a word is emotive or evaluative ("scary", "effrayante", "ridiculous") and
        does not measure anything ("deadly", "meurtrier": a death toll is a fact)."""
        if self.measurable is not None and self.measurable.fullmatch(folded_word):
            return False
        return self.is_lexicon_word(folded_word) or bool(
            self.evaluative is not None and self.evaluative.fullmatch(folded_word)
        )


def _merge(lexicons: Sequence[Lexicon]) -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for lexicon in lexicons:
        for category, entries in lexicon.items():
            merged.setdefault(category, []).extend(entries)
    return merged


@lru_cache(maxsize=16)
def _rules(language: str, extra_files: tuple[str, ...]) -> _Rules:
    languages = (language,) if language in LANGUAGES else LANGUAGES
    sens = _merge([load_lexicon(f"sensational_{lang}", extra_files) for lang in languages])
    kinds = _merge([load_lexicon(f"kinds_{lang}", extra_files) for lang in languages])
    categories = []
    for name, entries in sens.items():
        if name in _WORD_LISTS:
            continue
        pattern = _compile(entries)
        if pattern is None:
            continue
        kind, weight, title_only = name, STRONG, False
        if kind.endswith("_weak"):
            kind, weight = kind[: -len("_weak")], WEAK
        if kind.endswith("_title"):
            kind, title_only = kind[: -len("_title")], True
        categories.append(_Category(kind.replace("_", "-"), weight, title_only, pattern))
    return _Rules(
        sensational=tuple(categories),
        acronyms=frozenset(e.strip().upper() for e in sens.get("acronyms", ())),
        shouted=frozenset(fold(e.strip()) for e in sens.get("shouted_words", ())),
        second_person=_compile(kinds.get("second_person", ())),
        opinion=_compile(kinds.get("opinion", ())),
        not_opinion=_compile(kinds.get("not_opinion", ())),
        opinion_weak=_compile(kinds.get("opinion_weak", ())),
        first_person=_compile(kinds.get("first_person", ())),
        speech_verbs=_compile(kinds.get("speech_verbs", ())),
        non_statement=_compile(kinds.get("non_statement", ())),
        speculative=_compile(kinds.get("speculative", ())),
        demonyms=_compile(kinds.get("demonyms", ())),
        number_words=_compile(kinds.get("number_words", ())),
        time_words=_compile(kinds.get("time_words", ())),
        rhetorical=_compile(kinds.get("rhetorical", ())),
        stance=_pair(kinds.get("copulas", ()), kinds.get("stance_adverbs", ()), _STANCE_TAIL),
        imperative=_pair(kinds.get("imperative_verbs", ()), kinds.get("imperative_objects", ())),
        generic_view=_pair(kinds.get("generic_groups", ()), kinds.get("view_verbs", ()), gap=3),
        service_info=_compile(kinds.get("service_info", ())),
        negative_fact=_compile(kinds.get("negative_fact", ())),
        unknown_fact=_compile(kinds.get("unknown_fact", ())),
        verb_cues=_compile(kinds.get("verb_cues", ())),
        term_before=frozenset(fold(e.strip()).rstrip("'") for e in kinds.get("term_before", ())),
        not_infinitive=frozenset(fold(e.strip()) for e in kinds.get("not_infinitive", ())),
        imperative_objects=frozenset(
            fold(e.strip()).rstrip("'") for e in kinds.get("imperative_objects", ())
        ),
        french="fr" in languages,
        speech_forms=frozenset(fold(e.strip()) for e in kinds.get("speech_verbs", ())),
        intensified=_pair(
            sens.get("intensifiers", ()),
            [*sens.get("evaluative_words", ()), *_sensational_entries(sens)],
            gap=1,
        ),
        evaluative=_compile(sens.get("evaluative_words", ())),
        measurable=_compile(sens.get("measurable_adjectives", ())),
        insinuating=_compile(sens.get("insinuating_questions", ())),
        explainer=_compile(sens.get("explainer_questions", ())),
        hypothesis=_compile(kinds.get("hypothesis_clauses", ())),
        open_condition=_compile(kinds.get("open_conditions", ())),
        counterfactual=_compile(kinds.get("counterfactual_openers", ())),
        not_hypothesis=_compile(kinds.get("not_hypothesis", ())),
        conditional=_compile(kinds.get("conditional_verbs", ())),
        future=_compile(kinds.get("future_verbs", ())),
        not_conditional=frozenset(fold(e.strip()) for e in kinds.get("not_conditional", ())),
        connectives=_compile(kinds.get("inference_connectives", ())),
        asides=_compile(kinds.get("aside_adverbs", ())),
        openers=_compile(kinds.get("discourse_openers", ())),
        not_number=_compile(kinds.get("number_idioms", ())),
        section_heading=_compile(sens.get("section_headings", ())),
        not_names=frozenset(fold(e.strip()) for e in kinds.get("not_names", ())),
        naming=frozenset(fold(e.strip()).rstrip("'") for e in kinds.get("naming_words", ())),
        barriers=frozenset(fold(e.strip()).rstrip("'") for e in kinds.get("prepositions", ())),
        characterising=_compile(kinds.get("characterisation_verbs", ())),
        characterising_links=frozenset(
            fold(e.strip()).rstrip("'") for e in kinds.get("characterisation_links", ())
        ),
        evaluation=_pair(
            kinds.get("judgement_copulas", ()),
            kinds.get("judgement_adjectives", ()),
            gap=2,
            gap_words=kinds.get("degree_words", ()),
        ),
        evaluation_np=_pair(
            kinds.get("judgement_copulas", ()),
            kinds.get("judgement_adjectives", ()),
            gap=1,
            gap_words=kinds.get("degree_words", ()),
            lead=_INDEFINITE_NOUN,
        ),
        faq=_compile(kinds.get("faq_headings", ())),
    )


def _sensational_entries(sens: Mapping[str, Sequence[str]]) -> list[str]:
    """The single words of the emotive and hyperbolic categories ("ridicule", "scary")."""
    return [
        e
        for name, entries in sens.items()
        if name.startswith(("loaded_word", "hyperbole")) and "title" not in name
        for e in entries
        if len(e.split()) == 1
    ]


# "(pourtant) un outil": an adverb maybe, an indefinite article and one word before the judged
# adjective.
_INDEFINITE_NOUN = r"(?:\s+[^\W\d_]+)?\s+(?:un|une|a|an)\s+[^\W\d_][\w'-]*"

# An evaluative adjective after "is certainly", not a verb ("was clearly wearing").
_STANCE_TAIL = r"\s+(?![\w'-]+ing(?!\w))[^\W\d_][\w'-]*"


def _pair(
    first: Iterable[str],
    second: Iterable[str],
    tail: str = "",
    gap: int = 0,
    gap_words: Iterable[str] = (),
    lead: str = "",
) -> re.Pattern[str] | None:
    """One regex for an entry of ``first`` followed (at most ``gap`` words later, each one of
    ``gap_words`` when given) by an entry of ``second`` and then ``tail``: "is" + "certainly" +
    an adjective, "analysts" + "expect", "est" + "devenu" + "vital". ``lead`` is a regex
    right after ``first`` ("reste" + "un outil" + "fragile")."""
    a = [_entry_parts(e)[1] for e in first if e.strip()]
    b = [_entry_parts(e)[1] for e in second if e.strip()]
    if not a or not b:
        return None
    between = [_entry_parts(e)[1] for e in gap_words if e.strip()]
    word = f"(?:{'|'.join(sorted(between, key=len, reverse=True))})" if between else r"[^\s.!?;:,]+"
    words = rf"(?:\s+{word}){{0,{gap}}}?" if gap else ""
    alt_a = "|".join(sorted(a, key=len, reverse=True))
    alt_b = "|".join(sorted(b, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alt_a}){lead}{words}\s+(?:{alt_b}){tail}")


def _language(language: str | None) -> str:
    return (language or "").strip().lower()[:2]


# ---------------------------------------------------------------------------
# Quotations

_OPENERS = "«“„"
_WORD = re.compile(r"[^\W\d_][\w'’-]*|\d[\d.,  ]*\d|\d")


def quote_spans(text: str, open_at_start: bool = False) -> tuple[list[tuple[int, int]], bool]:
    """Quoted stretches of ``text`` as (start, end) spans, and whether a quote is left open.

    ``open_at_start`` says the unit begins inside a quotation opened by an earlier unit.
    Straight double quotes toggle; a closing ” with no quote open and a letter after it
    opens one (a common typing slip). Single curly quotes (‘…’, the British style) pair when
    the ‘ starts a word and the ’ ends one: a ’ inside a word is an apostrophe ("Kremlin’s").
    """
    spans: list[tuple[int, int]] = []
    start: int | None = 0 if open_at_start else None
    straight = single = False
    for i, ch in enumerate(text):
        if ch in _OPENERS and start is None:
            start, straight, single = i, False, False
        elif (
            ch == "‘"
            and start is None
            and not text[i - 1 : i].isalnum()
            and text[i + 1 : i + 2].isalpha()
        ):
            start, straight, single = i, False, True
        elif single:
            if ch == "’" and start is not None and not text[i + 1 : i + 2].isalnum():
                spans.append((start, i + 1))
                start, single = None, False
        elif ch in "»”" and start is not None and not straight:
            spans.append((start, i + 1))
            start = None
        elif ch == "”" and start is None:
            nxt = text[i + 1 : i + 2]
            if nxt.isalnum():
                start, straight = i, False
            elif not spans:  # closes a quote opened before this unit
                spans.append((0, i + 1))
        elif ch == "»" and start is None and not spans:
            spans.append((0, i + 1))
        elif ch == '"':
            if start is None:
                start, straight = i, True
            elif straight:
                spans.append((start, i + 1))
                start = None
    # An unclosed ‘ may be a stray apostrophe: it quotes the rest of this unit, no further.
    left_open = start is not None and not single
    if start is not None:
        spans.append((start, len(text)))
    return spans, left_open


def _inside(spans: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


# ---------------------------------------------------------------------------
# Features of one unit


_MARKER = re.compile(r"\[\d{1,3}\]|\(\d{1,3}\)|[¹²³⁰⁴-⁹]+|\^\d+")
_DIGITS = re.compile(r"\d")
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")
_CAPITALISED = re.compile(r"(?<![\w'’-])[A-ZÀ-ÖØ-Þ][\w'’-]*")
_CAPS_WORD = re.compile(r"(?<![\w'’-])[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ'’-]*[A-ZÀ-ÖØ-Þ](?![\w'’-])")
_DEFINED_ACRONYM = re.compile(r"\(([A-Z][A-Z0-9-]{1,9})\)")
_EXCLAMATION = re.compile(r"!+")
_ELISION = re.compile(r"^(?:[LDJMNSTC]|QU|JUSQU|LORSQU|PUISQU)['’]", re.IGNORECASE)
_SHOUTED_ADVERB = re.compile(r"(?:LY|MENT)$")  # EXACTLY, VRAIMENT: no acronym ends so
# Word forms no acronym has: inflectional endings of English and French words (SHARING,
# BANNED, BIGGEST, HISTORIQUE, TERRIFIANTE), an accented letter (ÉNORME), or letters joined by
# a hyphen (HOLD-UP, MUST-SEE; acronyms with a hyphen carry digits: KN-23).
_WORD_FORM = re.compile(
    r"(?:ING|ED|EST|FUL|LESS|NESS|ANTE?S?|ABLES?|IQUES?|EUX|EUSES?|ISSIMES?)$"
    r"|[À-ÖØ-Þ]|^[A-Z]{2,}-[A-Z]{2,}$"
)
_CONSONANT_RUN = re.compile(r"[B-DF-HJ-NP-TV-XZÇ]{4,}")
_DATELINE = re.compile(r"^\s*[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ'’ -]*[A-ZÀ-ÖØ-Þ]\s*(?:,|\(|\s[-–—]\s)")
_SUSPENSE = re.compile(r"[^\W\d_]+\s*(?:…|\.\.\.)\s+[a-zà-ÿ][\w'’-]*")
_CLAUSE_START = re.compile(r"[,;:—–(]\s*|^\s*")
# "22 products that…", "10 raisons de…": a listicle title (not "14 000 soldats", "3 %").
_NUMBER_LIST_TITLE = re.compile(
    r"^\s*\d{1,2}\s+[^\W\d][\w'’-]*[sx]\s+(?:\w+\s+)?(?:that|to|you|qui|que|de|d'|pour|à)\b", re.I
)
_SENTENCE_START = re.compile(r"[.!?:;«“\"(]\s*$")
_QUESTION_END = re.compile(r"(?:\?|!\?)[!?]*[\s»”\"')\].…]*$")  # "…?", "…?!", "…!?"


@dataclass(frozen=True, slots=True)
class _Hit:
    kind: str  # the signal kind reported (labelling-guide vocabulary)
    weight: int
    start: int
    end: int
    text: str
    form: str = ""  # what fired it, for the reasons, when the kind alone does not say


@dataclass(frozen=True, slots=True)
class _Features:
    quoted_share: float
    longest_quote_words: int
    speech_verb: bool  # a quotation of QUOTE_MIN_WORDS or more sits next to a speech verb
    opinion: tuple[str, ...]
    opinion_weak: tuple[str, ...]
    first_person: int
    second_person: int
    non_statement: bool
    speculative: bool
    facts: tuple[str, ...]  # numbers, dates
    actors: tuple[str, ...]  # capitalised names inside the sentence, nationality adjectives
    hits: tuple[_Hit, ...]
    reports_speech: bool = False  # a speech verb outside quotation: someone's view reported
    rhetorical: bool = False  # the whole unit is a rhetorical fragment ("Soit.", "So what?")
    stance: tuple[str, ...] = ()  # "is certainly convenient": the author's evaluation
    instruction: bool = False  # advice: an imperative or an infinitive instruction
    fragment: bool = False  # no finite verb: a noun phrase standing as a sentence
    generic_view: bool = False  # "Analysts expect", "Beaucoup estiment": a view of a crowd
    service: bool = False  # practical information for the reader
    negative_fact: bool = False  # "n'a pas été identifié", "no injuries were reported"
    unknown_fact: bool = False  # "is not yet known": a claim with nothing to check
    measured: tuple[str, ...] = ()  # superlatives and comparisons of measurable things
    referents: tuple[str, ...] = ()  # "les deux clubs": actors named earlier, counted again
    quantities: tuple[str, ...] = ()  # numbers written out ("des milliers")
    hypothesis: tuple[str, ...] = ()  # "Si …, il s'agirait": the author's conditional prediction
    inference: tuple[str, ...] = ()  # "donc", "thus": a connective of the author's argument
    modals: tuple[str, ...] = ()  # "pourrait", "could": weak words that speculate
    evaluation: tuple[str, ...] = ()  # "est devenu vital", "is less certain": a judgement
    quoted_hypothesis: bool = False  # « Sans X, Y aurait dû… »: a quoted counterfactual
    frame_actors: tuple[str, ...] = ()  # "Pour Moscou, …": whose stakes the author weighs
    conditionals: tuple[str, ...] = ()  # conditional verbs and modals outside quotations
    quoted_prediction: bool = False  # « …, ce sera le vrai signal » : a quoted forecast

    @property
    def checkable(self) -> tuple[str, ...]:
        return self.facts + self.actors


def _finditer(pattern: re.Pattern[str] | None, folded: str) -> list[re.Match[str]]:
    return list(pattern.finditer(folded)) if pattern is not None else []


def _outside(
    matches: Iterable[re.Match[str]], quotes: Sequence[tuple[int, int]]
) -> list[re.Match[str]]:
    return [m for m in matches if not _inside(quotes, m.start(), m.end())]


# A small number after a definite determiner points back to things already named ("les deux
# pays", "the two rates", "ces trois hommes"): no new quantity to check.
_ANAPHORIC_DETERMINER = re.compile(
    r"(?:^|\s)(?:les|aux|des|ces|ses|leurs|nos|vos|the|these|those|its|their|our|both)\s+$"
)
_SMALL_CARDINAL = re.compile(
    r"(?:deux|trois|quatre|cinq|six|sept|huit|neuf|dix|two|three|four|five|seven|eight"
    r"|nine|ten)"
)


def _anaphoric(folded: str, match: re.Match[str]) -> bool:
    return bool(
        _SMALL_CARDINAL.fullmatch(match.group())
        and _ANAPHORIC_DETERMINER.search(folded[max(0, match.start() - 12) : match.start()])
    )


_POSSESSIVE_NAME = re.compile(r"[A-Z][a-z]+['’]s")


def _checkable(text: str, folded: str, rules: _Rules) -> tuple[list[str], list[str]]:
    """What a fact-checker could check in ``text``: numbers and dates, and named actors
    (capitalised names inside the sentence, nationality adjectives)."""
    facts: list[str] = []
    clean = _MARKER.sub(lambda m: " " * len(m.group()), text)
    facts += [m.group() for m in _YEAR.finditer(clean)]
    if _DIGITS.search(_YEAR.sub("", clean)):
        facts += [w for w in _words(clean) if w[0].isdigit() and not _YEAR.fullmatch(w)][:3]
    # "en première ligne", "second-class": a number word inside an idiom counts nothing
    idioms = _finditer(rules.not_number, folded)
    numbers = [
        m
        for m in _finditer(rules.number_words, folded)
        if not _anaphoric(folded, m) and not any(i.start() <= m.start() < i.end() for i in idioms)
    ]
    facts += [text[m.start() : m.end()] for m in numbers][:2]
    facts += [
        text[m.start() : m.end()]
        for m in _finditer(rules.time_words, folded)
        if not any(i.start() <= m.start() < i.end() for i in idioms)  # "depuis longtemps"
    ][:2]
    actors = [text[m.start() : m.end()] for m in _finditer(rules.demonyms, folded)][:2]
    for m in _CAPITALISED.finditer(clean):
        before = clean[: m.start()]
        if not before.strip() or _SENTENCE_START.search(before):
            # "Cambodia's constitution…": a name in the possessive opens the sentence
            word = fold(m.group())
            if _POSSESSIVE_NAME.fullmatch(m.group()) and word[:-2] not in rules.not_names:
                actors.append(m.group())
            continue
        if m.group() in {"I", "Je", "J", "Il", "Elle"}:
            continue
        word = m.group()
        if word.isupper() and len(word) > 1 and _emphatic(_ELISION.sub("", word), rules):
            continue  # "C'est TERRIFIANT", "NOT happy": emphasis, not a name
        actors.append(word)
    return facts, actors


def _emphatic(word: str, rules: _Rules) -> bool:
    """A word in capitals that is surely emphasis, never a name or an acronym."""
    return _caps_weight(word, rules) == STRONG or fold(word) in rules.shouted


def _quoted_words(quoted: str) -> int:
    """Words of a quotation, counted by spaces ("Formiche.net" is one)."""
    return sum(1 for w in quoted.split() if any(c.isalnum() for c in w))


def _near(text: str, a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two spans are at most ``SPEECH_VERB_DISTANCE`` words apart."""
    gap = text[a[1] : b[0]] if a[1] <= b[0] else text[b[1] : a[0]]
    return len(_words(gap)) <= SPEECH_VERB_DISTANCE


TERM_MAX_WORDS = 6  # a longer quotation is someone's words whatever comes before it
REPORTED_SPEECH_DISTANCE = 20  # "said … that … "x y"": words between the verb and the quote
_THAT = re.compile(r"(?<!\w)(?:that|que|qu')(?!\w)")


def _is_term(text: str, span: tuple[int, int], rules: _Rules) -> bool:
    """A short quotation used as a term or label ("une enquête pour « vol »"), told by the word
    before it: a determiner, a preposition, a conjunction (lexicon ``term_before``)."""
    start, end = span
    if _quoted_words(text[start:end]) > TERM_MAX_WORDS or start == 0:
        return False
    before = fold(text[max(0, start - 30) : start]).rstrip()
    word = re.findall(r"[\w-]+'?$", before)
    if not word:
        return False
    return word[0].rstrip("'") in rules.term_before


def _reported_speech(text: str, span: tuple[int, int], verbs: Sequence[re.Match[str]]) -> bool:
    """A quotation inside a "said … that …" clause: the verb comes before it, with "that"/"que"
    between them, not too far away."""
    for verb in verbs:
        if verb.end() > span[0]:
            continue
        gap = fold(text[verb.end() : span[0]])
        if len(_words(gap)) <= REPORTED_SPEECH_DISTANCE and _THAT.search(gap):
            return True
    return False


OBJECT_GAP_WORDS = 3  # "décrit des relations « … »": words between a speech verb and its quotation
_GAP_WORD = re.compile(r"[^\W\d_]+'?")
_RELATIVE_BEFORE = re.compile(r"(?<!\w)(?:que\s+|qu'|which\s+|whom\s+)(?:\S+\s+){0,2}$")


def _name_like(quoted: str) -> bool:
    """A quotation whose every word is capitalised is a name ("Storm Corps", "Aspides")."""
    words = _words(quoted)
    return bool(words) and all(w[0].isupper() or w[0].isdigit() for w in words)


def _spoken_object(
    text: str,
    span: tuple[int, int],
    verbs: Sequence[re.Match[str]],
    characterising: Sequence[re.Match[str]],
    rules: _Rules,
) -> bool:
    """A quotation given as what a speech verb says, however short: "a dénoncé une « campagne
    de désinformation »", "a jugé « prématuré »", "reconnaît-elle, « un désastre »", "dismissed
    the claims as ‘fairy tales’". Not a quotation after a preposition ("a annoncé une enquête
    pour « vol »") or a naming word ("surnommé « Storm Corps »"), not a name, and not the
    verb of a relative clause ("un prix que l'opposition juge « bradé »")."""
    start = span[0]
    if _name_like(text[start : span[1]]):
        return False

    def gap_words(verb: re.Match[str]) -> list[str] | None:
        if verb.end() > start:
            return None
        if _RELATIVE_BEFORE.search(fold(text[max(0, verb.start() - 40) : verb.start()])):
            return None
        words = [w.rstrip("'") for w in _GAP_WORD.findall(fold(text[verb.end() : start]))]
        if len(words) > SPEECH_VERB_DISTANCE or (words and words[-1] in rules.naming):
            return None
        return words

    for verb in verbs:
        words = gap_words(verb)
        if words is None or fold(verb.group()) in rules.naming:
            continue
        if len(words) <= OBJECT_GAP_WORDS and not any(w in rules.barriers for w in words):
            return True
    for verb in characterising:
        words = gap_words(verb)
        if words and words[-1] in rules.characterising_links:
            return True
    return False


_BULLET = re.compile(r"^[\s\-–—•*·]+")
# French instructions: an infinitive opening a list item, "ne pas …", an imperative in -ez.
_FR_INFINITIVE = re.compile(r"[a-zà-ÿ]+(?:er|ir|re|oir)")
_FR_NEGATIVE_INFINITIVE = re.compile(
    r"ne\s+(?:pas|jamais|plus|rien)\s+(?:[a-z]'|se\s+)?[a-zà-ÿ]+(?:er|ir|re)\b"
)
_FR_IMPERATIVE = re.compile(
    r"(?!chez\b|assez\b|nez\b)[a-zà-ÿ]{3,}ez(?:-(?:vous|nous|moi|les|le|la|en|y))?\b"
)
# Endings of finite verbs and participles (folded text): "-ed", "-ait", "-ront", "-ez", and
# French "-ent" but not "-ment". Generous on purpose: a unit is a verbless fragment only when
# none is found.
_VERB_ENDINGS = re.compile(
    r"(?<!\w)[^\W\d_]{2,}(?:ed|n't|ait|aient|erent|ra|ront|rai|rez|rons|ez|ont"
    r"|(?<!m)ent)(?!\w)"
)
_FR_PARTICIPLE = re.compile(r"(?<!\w)\w{2,}(?:é|ée|és|ées)(?!\w)")
_FR_SUBJECT_VERB = re.compile(r"(?<!\w)(?:je|j'|tu|il|elle|nous|vous|ils|elles)\s*[^\W\d_]")
# "a" is a verb, "à" a preposition: told apart before folding.
_FR_HAS = re.compile(r"(?<!\w)a(?!\w)")
_MEASURED = re.compile(
    r"(?<!\w)(?:(?:le|la|les|l')\s+(?:plus|moins)\s+(?:d[e']\s*)?([^\W\d_][\w'-]*)"
    r"|the\s+(?:most|least)\s+([^\W\d_][\w'-]*)"
    r"|(?:more|less|plus|moins)\s+([^\W\d_][\w'-]*)\s+(?:than|que|qu')"
    r"|([^\W\d_]{3,}er)\s+than"
    r"|the\s+([^\W\d_]{3,}est))(?!\w)"
)
_NOT_MEASURED = frozenset({"latest", "interest", "forest", "honest", "modest", "request"})


def _instruction(text: str, rules: _Rules) -> bool:
    """Advice: an imperative verb and its object at the start ("Check the label", "Fermez les
    volets"), or an infinitive instruction in a list ("- fermer les volets ;", "Ne pas …")."""
    bullet = _BULLET.match(text)
    body = text[bullet.end() :] if bullet else text
    folded = fold(body)
    first = re.match(r"[^\W\d_][\w'-]*", folded)
    if first is None:
        return False
    # "Well, take a look.", "Alors, fermez les volets.": a discourse word before the imperative
    opener = rules.openers.match(folded) if rules.openers is not None else None
    after = re.match(r"\s*,\s*", folded[opener.end() :]) if opener else None
    command = folded[opener.end() + after.end() :] if opener and after else folded
    verb = re.match(r"[^\W\d_][\w'-]*", command)
    if rules.imperative is not None and rules.imperative.match(command):
        return True
    if _FR_NEGATIVE_INFINITIVE.match(folded):
        return True
    if verb is not None and _FR_IMPERATIVE.fullmatch(verb.group()):
        following = re.match(r"\s+([\w]+)", command[verb.end() :])
        if following and following.group(1) in rules.imperative_objects:
            return True
    if not rules.french:
        return False
    listed = bool(bullet) or body[:1].islower() or text.rstrip().endswith(";")
    word = first.group()
    return (
        listed and _FR_INFINITIVE.fullmatch(word) is not None and word not in rules.not_infinitive
    )


def _reports(
    verbs: Sequence[re.Match[str]],
    weak: Sequence[re.Match[str]],
    first_person: int,
    rules: _Rules,
) -> bool:
    """Whether the unit reports someone else's words: a speech verb in one of its listed forms
    ("state support" is no "states"), not also an evaluative word ("témoigne de"), and not the
    author speaking ("Je m'explique")."""
    if first_person:
        return False
    return any(
        fold(v.group()) in rules.speech_forms
        and not any(w.start() <= v.start() < w.end() for w in weak)
        for v in verbs
    )


def _measured(folded: str, rules: _Rules) -> tuple[str, ...]:
    """Superlatives and comparisons ("la plus contrôlée", "weaker than"), unless the adjective
    is a judgement ("the most beautiful")."""
    found = []
    for m in _MEASURED.finditer(folded):
        word = next(g for g in m.groups() if g)
        if word in _NOT_MEASURED or rules.is_lexicon_word(word):
            continue
        if rules.opinion_weak is not None and rules.opinion_weak.fullmatch(word):
            continue
        found.append(m.group())
    return tuple(found)


# A conditional of "avoir" before a participle is a past ("aurait fourni"): the hedge of a
# reported fact, a claim. So is one of "être" before the participle of a verb that takes
# "être" ("serait arrivé", "se serait rendu"); "être" before another participle is a passive
# present ("seraient débordées"), a prediction when a condition is set.
_AUXILIARIES = frozenset({"aurait", "auraient", "serait", "seraient"})
_AFTER_AUXILIARY = re.compile(
    r"(?:\s+(?:ne|n'|pas|plus|jamais|déjà|deja|aussi|également|egalement|ainsi|bien|même|meme"
    r"|encore|toujours|vite|en|y|[a-zà-ÿ]+ment))*\s+([a-zà-ÿ]+)"
)
_ETRE_PARTICIPLE = re.compile(
    r"(?:arriv|part|mort|ven|entr|sort|tomb|rest|né|devenu|retourn|mont|descend|pass|revenu"
    r"|intervenu|survenu|parvenu|décéd|rentr)[a-zé]*"
)
_PARTICIPLE = re.compile(r"[a-zà-ÿ]+(?:é|ée|és|ées|i|ie|is|ies|u|ue|us|ues|t|te|ts|tes)")
_MODAL_PAST = frozenset({"pu", "dû", "du"})
_WORD_ONLY = re.compile(r"[^\W\d_]+")
_FR_FUTURE = re.compile(r"[a-zà-ÿ]{2,}(?:ra|ront)")
_CLAUSE_LEAD = re.compile(r"[\W_]*(?:(?:mais|et|or|but|and|yet)\s+)?")


def _predictions(
    text: str, folded: str, rules: _Rules, quotes: Sequence[tuple[int, int]]
) -> tuple[list[str], list[str]]:
    """The conditional verbs and modals of a unit, outside quotations ("pourraient", "serait
    impossible", "would"), and its future verbs ("restera", "will"). A conditional auxiliary
    before a participle ("aurait fourni") hedges a fact and is left out."""
    lower = text.lower()
    conditionals: list[str] = []
    futures: list[str] = []
    for m in _WORD_ONLY.finditer(folded):
        if _inside(quotes, m.start(), m.end()):
            continue
        word, original = m.group(), lower[m.start() : m.end()]
        if word in rules.not_conditional:
            continue
        if (rules.conditional is not None and rules.conditional.fullmatch(word)) or (
            rules.french
            and original.endswith(("erait", "eraient"))
            and not original.endswith(("érait", "éraient"))
        ):
            if word in _AUXILIARIES:
                after = _AFTER_AUXILIARY.match(lower, m.end())
                participle = bool(after and _PARTICIPLE.fullmatch(after.group(1)))
                past = word.startswith("aur") or bool(
                    after
                    and (
                        _ETRE_PARTICIPLE.fullmatch(after.group(1))
                        or re.search(
                            r"(?:^|\s)(?:se|s')\s*$", lower[max(0, m.start() - 4) : m.start()]
                        )
                    )
                )
                # "aurait pu", "aurait dû": a modal past, still a hypothesis
                if participle and past and after is not None and after.group(1) not in _MODAL_PAST:
                    continue
            conditionals.append(text[m.start() : m.end()])
        elif (rules.future is not None and rules.future.fullmatch(word)) or (
            rules.french and _FR_FUTURE.fullmatch(original)
        ):
            futures.append(text[m.start() : m.end()])
    return conditionals, futures


_PAST_CONDITIONAL = re.compile(r"(?<!\w)(?:aurai(?:t|ent)|serai(?:t|ent)|would\s+have)(?!\w)")


def _hypothesis(
    text: str, folded: str, rules: _Rules, quotes: Sequence[tuple[int, int]]
) -> tuple[str, ...]:
    """A condition and the prediction drawn from it: "Si X se confirmait, il s'agirait de…",
    "If the pace holds, defences could be overwhelmed", "Tant que X, Y restera…", "Sans X, Y
    serait impossible". Empty when the unit has none."""
    excluded = _finditer(rules.not_hypothesis, folded)

    def usable(pattern: re.Pattern[str] | None) -> list[re.Match[str]]:
        return [
            m
            for m in _outside(_finditer(pattern, folded), quotes)
            if not any(e.start() <= m.start() < e.end() for e in excluded)
        ]

    conditions = usable(rules.hypothesis)
    open_ended = usable(rules.open_condition)
    lead = _CLAUSE_LEAD.match(folded)
    opening = [m for m in usable(rules.counterfactual) if lead and m.start() == lead.end()]
    cues = conditions + opening + open_ended
    if not cues:
        return ()
    conditionals, futures = _predictions(text, folded, rules, quotes)
    if not conditionals and opening:
        # "Sans X, Y se serait effondrée": after "Sans X," a past conditional is unreal too
        conditionals = [
            text[m.start() : m.end()] for m in _outside(_PAST_CONDITIONAL.finditer(folded), quotes)
        ]
    if conditionals:
        return (f"{text[cues[0].start() : cues[0].end()]} … {conditionals[0]}",)
    if futures and open_ended:
        return (f"{text[open_ended[0].start() : open_ended[0].end()]} … {futures[0]}",)
    return ()


def _parenthesised(text: str) -> list[tuple[int, int]]:
    """Spans of text in parentheses."""
    return [(m.start(), m.end()) for m in re.finditer(r"\([^()]*\)?", text)]


def _aside(text: str, match: re.Match[str], parentheses: Sequence[tuple[int, int]]) -> bool:
    """Whether a marker stands apart from the statement: in parentheses, or tagged on at the
    end after a comma ("…n'a jamais reconnu, évidemment.")."""
    if _inside(parentheses, match.start(), match.end()):
        return True
    before = text[: match.start()].rstrip()
    return before.endswith((",", "—", "–")) and not text[match.end() :].strip(" .!…»\"')")


def _features(
    unit: Unit, rules: _Rules, quotes: Sequence[tuple[int, int]], title: bool
) -> _Features:
    text = unit.text
    folded = fold(text)
    letters = sum(1 for c in text if c.isalnum()) or 1
    verbs = _outside(_finditer(rules.speech_verbs, folded), quotes)
    linking = _finditer(rules.not_opinion, folded)
    parentheses = _parenthesised(text)
    asides = [a for a in _finditer(rules.asides, folded) if _aside(text, a, parentheses)]
    opinion_matches = [
        m
        for m in _outside(
            [*_finditer(rules.opinion, folded), *_CONSTRUCTIONS.finditer(folded)], quotes
        )
        if not any(k.start() <= m.start() < k.end() for k in linking)
        and not any(a.start() <= m.start() < a.end() for a in asides)
    ]
    # A speech verb that is part of an opinion marker ("autrement dit") reports nobody.
    verbs = [v for v in verbs if not any(o.start() <= v.start() < o.end() for o in opinion_matches)]
    # Quoted terms and labels ("une enquête pour « vol »") are not someone's words.
    speech_quotes = [q for q in quotes if not _is_term(text, q, rules)]
    quoted = sum(sum(1 for c in text[s:e] if c.isalnum()) for s, e in speech_quotes)
    longest = max((_quoted_words(text[s:e]) for s, e in speech_quotes), default=0)
    characterising = _outside(_finditer(rules.characterising, folded), quotes)
    speech = any(
        _quoted_words(text[s:e]) >= QUOTE_MIN_WORDS
        and (
            any(_near(text, (s, e), (v.start(), v.end())) for v in verbs)
            or _reported_speech(text, (s, e), verbs)
        )
        for s, e in speech_quotes
    ) or any(_spoken_object(text, q, verbs, characterising, rules) for q in quotes)
    opinion = tuple(text[m.start() : m.end()] for m in opinion_matches)
    weak_matches = [
        m
        for m in _outside(_finditer(rules.opinion_weak, folded), quotes)
        if not any(k.start() <= m.start() < k.end() for k in linking)
    ]
    weak = tuple(text[m.start() : m.end()] for m in weak_matches)
    first = len(
        [
            m
            for m in _outside(_finditer(rules.first_person, folded), quotes)
            # "Me Claire Roy": the French lawyer's title, not "me"
            if not (
                text[m.start() : m.end()] == "Me"
                and text[m.end() : m.end() + 2].strip()[:1].isupper()
            )
        ]
    )
    hits = _sensational_hits(text, folded, rules, quotes, title=title)
    # "You won't believe…": the reader addressed by a clickbait formula is not given advice.
    teasers = [h for h in hits if h.kind == CLICKBAIT]
    lead = _address_lead(text)
    second = len(
        [
            m
            for m in _outside(_finditer(rules.second_person, folded), quotes)
            if not any(h.start <= m.start() < h.end for h in teasers) and m.end() > lead
        ]
    )
    facts, actors = _checkable(text, folded, rules)
    bare = _BULLET.sub("", folded).strip(" .!?…;:,»«\"'()")
    stance = tuple(
        text[m.start() : m.end()] for m in _outside(_finditer(rules.stance, folded), quotes)
    )
    verb_cue = bool(_finditer(rules.verb_cues, folded)) or bool(
        _VERB_ENDINGS.search(folded)
        or _FR_SUBJECT_VERB.search(folded)
        or (rules.french and (_FR_HAS.search(text) or _FR_PARTICIPLE.search(text)))
    )
    return _Features(
        quoted_share=quoted / letters,
        longest_quote_words=longest,
        speech_verb=speech,
        opinion=opinion,
        opinion_weak=weak,
        first_person=first,
        second_person=second,
        non_statement=bool(_outside(_finditer(rules.non_statement, folded), quotes)),
        speculative=bool(_outside(_finditer(rules.speculative, folded), quotes)),
        facts=tuple(facts),
        actors=tuple(actors),
        hits=tuple(hits),
        reports_speech=_reports(verbs, weak_matches, first, rules),
        rhetorical=bool(bare)
        and rules.rhetorical is not None
        and rules.rhetorical.fullmatch(bare) is not None,
        stance=stance,
        instruction=_instruction(text, rules),
        fragment=not verb_cue,
        generic_view=bool(_outside(_finditer(rules.generic_view, folded), quotes)),
        service=bool(_outside(_finditer(rules.service_info, folded), quotes)),
        negative_fact=bool(_outside(_finditer(rules.negative_fact, folded), quotes)),
        unknown_fact=bool(_outside(_finditer(rules.unknown_fact, folded), quotes)),
        measured=_measured(folded, rules),
        referents=tuple(
            text[m.start() : m.end()]
            for m in _finditer(rules.number_words, folded)
            if _anaphoric(folded, m)
        ),
        quantities=tuple(text[m.start() : m.end()] for m in _finditer(rules.number_words, folded)),
        hypothesis=_hypothesis(text, folded, rules, quotes),
        modals=tuple(
            text[m.start() : m.end()]
            for m in _outside(_finditer(rules.speculative, folded), quotes)
        ),
        inference=tuple(
            text[m.start() : m.end()]
            for m in _outside(_finditer(rules.connectives, folded), quotes)
        ),
        evaluation=tuple(
            text[m.start() : m.end()]
            for pattern in (rules.evaluation, rules.evaluation_np)
            for m in _outside(_finditer(pattern, folded), quotes)
            if not _in_relative_clause(folded, m.start())
        ),
        frame_actors=_frame_actors(text, actors),
        conditionals=tuple(_predictions(text, folded, rules, quotes)[0]),
        quoted_prediction=any(
            any(_predictions(text[a:b], fold(text[a:b]), rules, ()))
            and not _TOLD_PAST.search(text[a:b].lower())
            for a, b in quotes
        ),
        quoted_hypothesis=any(
            _hypothesis(text[a:b], fold(text[a:b]), rules, ()) for a, b in quotes
        ),
    )


# Constructions of the author's judgement that no word list holds: a conclusion drawn with
# "de quoi" + infinitive ("…: de quoi inquiéter Kiev"), a categorical forecast with "jamais"
# and a future ("ne transportera jamais", "will never").
_CONSTRUCTIONS = re.compile(
    r"(?:^|[:;,—–]\s*)de\s+quoi\s+[a-z]+(?:er|ir|re)(?!\w)"
    r"|(?<!\w)ne\s+(?:[a-z]'|[a-z]+\s+)?[a-z]{2,}(?:ra|ront)\s+(?:plus\s+)?jamais(?!\w)"
    r"|(?<!\w)(?:will|won't)\s+never(?!\w)"
)
# "Détrompez-vous : Pyongyang en a livré des millions.": a short call to the reader before a
# colon, then a told past event; the reader is not what the sentence is about.
_LEAD_WORDS = 5
_TOLD_PAST = re.compile(
    r"(?<!\w)(?:a|ont|avait|avaient)\s+(?:[a-zà-ÿ]+\s+){0,2}?[a-zà-ÿ]{2,}(?:é|ée|és|ées|is|it|u|us)"
    r"(?!\w)|(?<!\w)(?:has|have|had)\s+[a-z]{3,}(?:ed|en|t)(?!\w)|(?<!\w)[a-z]{3,}ed(?!\w)"
)


def _address_lead(text: str) -> int:
    """The end of a short lead-in addressed to the reader before a colon when what follows
    tells a past event ("Make no mistake: Moscow has received…"); 0 otherwise."""
    colon = text.find(":")
    if colon < 0 or len(_words(text[:colon])) > _LEAD_WORDS:
        return 0
    return colon if _TOLD_PAST.search(text[colon:].lower()) else 0


_RELATIVE = re.compile(
    r"(?<!\w)(?:dont|qui|lequel|laquelle|lesquels|lesquelles|which|who|whose)(?!\w)"
)


def _in_relative_clause(folded: str, position: int) -> bool:
    """Whether ``position`` sits in a relative clause ("la base, dont l'avenir reste
    incertain"): there it describes a thing named, it is not what the sentence asserts."""
    clause = re.split(r"[,;:(—–]", folded[:position])[-1]
    return _RELATIVE.search(clause) is not None


# "Pour Moscou, ce corridor est devenu vital": the stakes of a named actor, weighed by the
# author (a source would have been read by the attribution stage).
_FRAME = re.compile(
    r"^\W*(?:[Pp]our|[Ff]or)\s+((?:[A-ZÀ-ÖØ-Þ][\w'’-]*)"
    r"(?:\s+(?:[A-ZÀ-ÖØ-Þ][\w'’-]*|de|du|des|la|le|of|the))*)\s*,"
)


def _frame_actors(text: str, actors: Sequence[str]) -> tuple[str, ...]:
    """The named actors of an opening "Pour X," / "For X," frame."""
    frame = _FRAME.match(text)
    if frame is None:
        return ()
    names = set(frame.group(1).split())
    return tuple(a for a in actors if a in names)


# ---------------------------------------------------------------------------
# Sensational signals


def _sensational_hits(
    text: str,
    folded: str,
    rules: _Rules,
    quotes: Sequence[tuple[int, int]],
    *,
    title: bool,
) -> list[_Hit]:
    candidates: list[_Hit] = []
    for category in rules.sensational:
        if category.title_only and not title:
            continue
        for m in category.pattern.finditer(folded):
            if _inside(quotes, m.start(), m.end()):
                continue
            candidates.append(
                _Hit(category.kind, category.weight, m.start(), m.end(), text[m.start() : m.end()])
            )
    candidates += _superlative_hits(text, folded, rules, quotes)
    for m in _finditer(rules.intensified, folded):
        if not _inside(quotes, m.start(), m.end()):
            candidates.append(
                _Hit(
                    "hyperbole",
                    STRONG,
                    m.start(),
                    m.end(),
                    text[m.start() : m.end()],
                    "intensified judgement",
                )
            )
    # Longest, strongest first; a match overlapping a kept one is the same words again.
    candidates.sort(key=lambda h: (-(h.end - h.start), -h.weight, h.start))
    kept: list[_Hit] = []
    for hit in candidates:
        if all(hit.end <= k.start or hit.start >= k.end for k in kept):
            kept.append(hit)
    kept.sort(key=lambda h: h.start)
    return kept


# "le plus effrayant", "des plus terrifiantes", "the most shocking", "the scariest",
# "Europe's creepiest": group 1 is the adjective.
_SUPERLATIVE = re.compile(
    r"(?<!\w)(?:(?:le|la|les|des)\s+plus\s+([^\W\d_][\w'-]*)|the\s+most\s+([^\W\d_][\w'-]*)"
    r"|([^\W\d_]{3,}est))(?!\w)"
)


def _superlative_bases(word: str) -> list[str]:
    """The adjectives an English "-est" form can come from: scariest, saddest, cutest."""
    stem = word[:-3]
    bases = [stem, stem + "e"]
    if stem.endswith("i"):
        bases.append(stem[:-1] + "y")
    if len(stem) > 2 and stem[-1] == stem[-2]:
        bases.append(stem[:-1])
    return bases


def _superlative_hits(
    text: str, folded: str, rules: _Rules, quotes: Sequence[tuple[int, int]]
) -> list[_Hit]:
    """A superlative of an emotive or evaluative word is hyperbole: "the scariest attack",
    "le plus effrayant", "the most terrifying". Not a superlative that measures ("the
    deadliest", "le plus meurtrier") nor of a neutral word ("the largest")."""
    hits = []
    for m in _SUPERLATIVE.finditer(folded):
        if _inside(quotes, m.start(), m.end()):
            continue
        french, english, inflected = m.groups()
        words = [french or english] if (french or english) else _superlative_bases(inflected)
        if any(rules.is_emotive(w) for w in words):
            hits.append(
                _Hit(
                    "hyperbole",
                    STRONG,
                    m.start(),
                    m.end(),
                    text[m.start() : m.end()],
                    "superlative of an emotive word",
                )
            )
    return hits


# "Et si, d'ici deux ans, tout basculait ?", "What if the grid went down?": a scenario put to
# the reader; not a suggestion ("Et si on essayait… ?", "What if we…?").
_SCENARIO = re.compile(
    r"[\W_]*(?:et\s+si|what\s+if|and\s+what\s+if)(?!\w)(?!\s+(?:on|nous|we|you|i)(?!\w))"
)


def _scenario_hits(text: str) -> list[_Hit]:
    """A question that opens on "Et si…" / "What if…" in the body: dramatic speculation."""
    if not _SCENARIO.match(fold(text)):
        return []
    return [_Hit(SPECULATION, STRONG, 0, len(text), text.strip(), "a what-if scenario")]


QUESTION_HEADING_WORDS = 6  # a verbless question this short, alone between paragraphs, heads
QUESTION_HEADING_VERB_WORDS = 7  # … and one with a verb ("Qui étaient ces soldats ?")


SHOUTED_LINE_SHARE = 0.8  # share of capital letters that makes a line shouted
SHOUTED_LINE_WORDS = 3  # ... when it has at least this many words


def _shouted_line(text: str) -> bool:
    """A line of several words written in capitals ("OBUS NORD-CORÉENS : LA ROULETTE…")."""
    letters = [c for c in text if c.isalpha()]
    return (
        len(_words(text)) >= SHOUTED_LINE_WORDS
        and bool(letters)
        and sum(c.isupper() for c in letters) / len(letters) > SHOUTED_LINE_SHARE
    )


def _question_heading(text: str, feats: _Features, *, sections: bool, faq: bool) -> bool:
    """A short question that makes a paragraph of its own: a section title, not a question in
    the argument. Verbless ("Et demain, le Niger ?") it always is; with a verb ("Qui étaient
    ces soldats ?") only in an article cut into sections by other headings and when not put
    to the reader ("Et vous, … ?"). Never in a list of frequently asked questions."""
    plain = text.strip()
    if faq or _QUESTION_END.search(plain) is None or _PILED_MARKS.search(plain):
        return False
    words = len(_words(plain))
    if feats.fragment:
        return 2 <= words <= QUESTION_HEADING_WORDS
    return sections and not feats.second_person and 2 <= words <= QUESTION_HEADING_VERB_WORDS


def _is_faq(heading: str, rules: _Rules) -> bool:
    """Whether a heading opens a list of frequently asked questions ("Questions fréquentes")."""
    return rules.faq is not None and rules.faq.search(fold(heading)) is not None


def _section_label(text: str, rules: _Rules) -> bool:
    """Whether a heading is a plain section label of news ("Ce qu'il faut savoir", "What we
    know"), which no hook follows."""
    bare = fold(text).strip(" .:!?…-–—#*")
    return rules.section_heading is not None and rules.section_heading.fullmatch(bare) is not None


def _insinuation_hits(text: str, rules: _Rules, kind: UnitKind) -> list[_Hit]:
    """A question of one word that insinuates ("Coïncidence ?", "Hasard ?", "Fluke?"):
    dramatic speculation that lets the reader draw the conclusion."""
    if kind is not UnitKind.QUESTION or rules.insinuating is None:
        return []
    bare = fold(text).strip(" .!?…«»\"'()-–—")
    if len(bare.split()) > 2 or not rules.insinuating.fullmatch(bare):
        return []
    return [_Hit(SPECULATION, STRONG, 0, len(text), text.strip(), "a lone insinuating question")]


def _caps_weight(word: str, rules: _Rules) -> int:
    """How surely one word in capitals (not a listed acronym) is emphasis: STRONG for a
    lexicon word, an adverb or a word form no acronym has (SHARING, HOLD-UP, ÉNORME); WEAK
    for a short word that is always emphasis (NOT, JAMAIS) and for another word of five
    letters or more that can be pronounced; 0 otherwise (MSMT, FDGDON, ONU)."""
    if (
        rules.is_lexicon_word(fold(word))
        or _SHOUTED_ADVERB.search(word)
        or (len(word) >= 5 and _WORD_FORM.search(word))
    ):
        return STRONG
    if fold(word) in rules.shouted or (len(word) >= 5 and not _CONSONANT_RUN.search(word)):
        return WEAK
    return 0


_VOWEL = re.compile(r"[AEIOUYÀ-ÖØ-Þ]")


def _spoken_capitals(word: str) -> bool:
    """A word in capitals of three letters or more that can be read as a word (WEEK, NOT),
    not spelt out letter by letter (PKP, PLK: no vowel)."""
    return len(word) >= 3 and bool(_VOWEL.search(word)) and not _CONSONANT_RUN.search(word)


#: A section label in capitals opening a title, closed by a full stop: "DIRECT.", "VIDÉO.".
_RUBRIC_LEAD = re.compile(r"\s*[A-ZÀ-Ý]{3,12}\.\s+(?=\S)")


def _caps_hits(
    text: str,
    quotes: Sequence[tuple[int, int]],
    acronyms: frozenset[str],
    rules: _Rules,
) -> list[_Hit]:
    """Words in capitals for effect ("CHOCS", "SHOCKING"), not acronyms (KN-23, ONU, OSC).

    Strong: a run of several words in capitals, or one word that ``_caps_weight`` finds
    surely emphatic. Weak: another single word of five letters or more. Never: listed or
    defined acronyms, words with digits, words no one could pronounce (FDGDON), and the place
    of a wire dateline ("TOULOUSE, 6 mars (AFP) -").
    """
    letters = [c for c in text if c.isalpha()]
    words = [m for m in _CAPS_WORD.finditer(text) if not _inside(quotes, m.start(), m.end())]
    if letters and sum(c.isupper() for c in letters) / len(letters) > 0.8:
        # A line all in capitals: shouting if it is several words long.
        if len(_words(text)) >= 3 and not all(w.group() in acronyms for w in words):
            return [_Hit(CLICKBAIT, STRONG, 0, len(text), text.strip(), CAPS)]
        return []
    dateline = _DATELINE.match(text)
    rubric = _RUBRIC_LEAD.match(text)
    spans: list[tuple[int, int, str]] = []
    for m in words:
        if dateline and m.end() <= dateline.end():
            continue
        if rubric and m.end() <= rubric.end():
            continue  # "DIRECT. Moldavie : …", "VIDÉO. …": a section label, not shouting
        word = _ELISION.sub("", m.group())
        key = re.sub(r"['’-]", "", word)
        if key in acronyms or word in acronyms or len(key) < 2:
            continue
        spans.append((m.end() - len(word), m.end(), word))
    hits: list[_Hit] = []
    i = 0
    while i < len(spans):
        j = i
        while j + 1 < len(spans) and not text[spans[j][1] : spans[j + 1][0]].strip():
            j += 1
        start, end = spans[i][0], spans[j][1]
        if j > i:
            # "ONE WEEK", "NOT A DRILL"; not a run of acronyms ("PKP PLK")
            if any(_spoken_capitals(w) for _, _, w in spans[i : j + 1]):
                hits.append(_Hit(CLICKBAIT, STRONG, start, end, text[start:end], CAPS))
        else:
            word = spans[i][2]
            weight = _caps_weight(word, rules)
            if weight:
                hits.append(_Hit(CLICKBAIT, weight, start, end, word, CAPS))
        i = j + 1
    return hits


def _exclamation_hits(
    text: str, quotes: Sequence[tuple[int, int]], weighty: str | None
) -> list[_Hit]:
    """The author's exclamation: strong when ``weighty`` says why (on a factual claim, on a
    short judgement of the author) and when marks are piled up ("!!!", "?!"); weak otherwise
    and inside a parenthesis."""
    for m in _EXCLAMATION.finditer(text):
        if _inside(quotes, m.start(), m.end()):
            continue
        before = text[: m.start()]
        in_parens = before.rfind("(") > before.rfind(")")
        clause_start = 0
        for c in _CLAUSE_START.finditer(before):
            if c.end() < m.start():
                clause_start = c.end()
        words = before[clause_start:].split()
        words_text = f"{' '.join(words[-8:])} {m.group()}".strip()
        left, right = m.start(), m.end()
        while left > 0 and text[left - 1] in "!?":
            left -= 1
        while right < len(text) and text[right] in "!?":
            right += 1
        if in_parens:
            return [_Hit("exclamation", WEAK, m.start(), m.end(), words_text)]
        if right - left >= 2:
            return [_Hit("exclamation", STRONG, left, right, words_text, "piled-up marks")]
        if weighty:
            return [_Hit("exclamation", STRONG, m.start(), m.end(), words_text, weighty)]
        return [_Hit("exclamation", WEAK, m.start(), m.end(), words_text)]
    return []


def _suspense_hits(text: str, quotes: Sequence[tuple[int, int]]) -> list[_Hit]:
    """Suspension points that pause before the rest of the sentence ("implacable… mais")."""
    if "…" not in text and "..." not in text:
        return []
    for m in _SUSPENSE.finditer(text):
        if not _inside(quotes, m.start(), m.end()):
            return [
                _Hit(SPECULATION, WEAK, m.start(), m.end(), m.group().strip(), "suspense points")
            ]
    return []


def _explainer_question(text: str, rules: _Rules, second_person: int) -> bool:
    """A heading that asks what the section answers ("Will repairs get cheaper?", "Comment
    faire valoir ses droits ?"): it opens on a question word and a plain verb, in a plain
    case, and neither addresses nor teases the reader."""
    plain = text.strip()
    if rules.explainer is None or second_person or _PILED_MARKS.search(plain):
        return False
    if not _QUESTION_END.search(plain) or _YOU.search(fold(plain)):
        return False
    if any(w.isupper() and len(w) > 1 for w in _words(plain)):
        return False
    return rules.explainer.match(fold(plain)) is not None


_PILED_MARKS = re.compile(r"[!?]{2,}")
_YOU = re.compile(r"(?<!\w)you")  # "you", "youre", "yourself": the reader, however spelt


def _title_hits(text: str, explainer: bool = False) -> list[_Hit]:
    hits = []
    if _NUMBER_LIST_TITLE.match(text):
        hits.append(_Hit(CLICKBAIT, STRONG, 0, len(text), text.split()[0], "a numbered-list title"))
    if explainer:
        pass  # a question the section answers is no teaser
    elif _QUESTION_END.search(text.strip()):
        hits.append(_Hit(CLICKBAIT, WEAK, 0, len(text), text.strip(), "a title asking a question"))
    elif text.rstrip().endswith(":"):  # a teaser that stops before telling
        hits.append(_Hit(CLICKBAIT, WEAK, 0, len(text), text.strip(), "a title that stops short"))
    return hits


# ---------------------------------------------------------------------------
# Kind and check-worthiness

_QUOTE_SIGNALS = frozenset({"quote", "anonymous-quote", "unattributed-quote", "quotation"})
_STORY_KINDS = frozenset({STORYTELLING})
_EVALUATIVE_KINDS = frozenset({"hyperbole", "loaded-word", SPECULATION})


# A past event told: "a été saisi", "ont annoncé", "was seized", "had left" (lower-cased text).
_PAST_EVENT = re.compile(
    r"(?<!\w)(?:a|ont|avait|avaient|eut|eurent)\s+(?:[a-zà-ÿ]+\s+){0,2}?"
    r"(?:été|[a-zà-ÿ]{2,}(?:é|ée|és|ées|is|it|u|us))(?!\w)"
    r"|(?<!\w)(?:was|were|had)(?!\w)|(?<!\w)[a-z]{3,}ed(?!\w)"
)


def _is_question(text: str) -> bool:
    return bool(_QUESTION_END.search(text.strip()))


def _decide_kind(unit: Unit, feats: _Features, attribution: Attribution) -> tuple[UnitKind, str]:
    """The kind of a sentence and the reason for it."""
    text = unit.text
    if _is_question(text):
        return UnitKind.QUESTION, "ends with a question mark"
    has_quote_signal = any(s.kind in _QUOTE_SIGNALS for s in attribution.signals)
    if feats.quoted_share >= QUOTE_SHARE and feats.longest_quote_words >= 2:
        return UnitKind.QUOTE, "mostly reproduced words in quotation marks"
    if has_quote_signal and feats.longest_quote_words >= 2:
        return UnitKind.QUOTE, "reproduces someone's words (a quotation and its speaker)"
    if feats.speech_verb:
        return UnitKind.QUOTE, "reproduces someone's words (quotation with a speech verb)"
    reported = attribution.status in (Status.ATTRIBUTED, Status.VAGUE)
    storytelling = any(h.kind in _STORY_KINDS for h in feats.hits)
    imagine = [h for h in feats.hits if h.kind == IMAGINE]
    if imagine and not reported:
        return UnitKind.OPINION, f"an invitation to imagine ('{imagine[0].text}'), not a fact"
    if feats.rhetorical:
        return UnitKind.OPINION, "a rhetorical fragment, not a statement"
    negative = feats.negative_fact or feats.unknown_fact
    if feats.instruction and not negative:
        return UnitKind.OPINION, "an instruction or advice, not a fact"
    # Someone's view reported ("…, préviennent les agents") or a fact stated in the negative
    # ("n'est pas encore connu") is a claim whatever evaluative words it holds.
    reporting = feats.reports_speech or feats.generic_view
    opinion = feats.opinion + feats.stance
    # "ce corridor est devenu vital": the author's judgement; next to a figure ("la croissance
    # reste modeste, à 0,2 %") it only weighs like an evaluative word
    evaluation = () if reporting else feats.evaluation
    if not _DIGITS.search(text):
        opinion += evaluation
    if not reporting:
        if not feats.facts:
            # "Si X se confirmait, il s'agirait…": the author's prediction, not a reported fact
            # (one with a figure or a date, "the bill would raise the levy by 2%", is checkable)
            opinion += feats.hypothesis
        if not feats.facts and not negative and not _PAST_EVENT.search(unit.text.lower()):
            # "La course est donc engagée…": an inference of the author with nothing to count
            # (not a narrative "donc": "Le navire a donc été saisi")
            opinion += feats.inference
    weak = () if reporting or negative or _report_hedge(feats, attribution) else feats.opinion_weak
    if _DIGITS.search(text):
        weak += evaluation
    opinion_score = STRONG * len(opinion) + len(weak)
    # the author telling what they did ("I switched that same night") is no judgement
    if feats.first_person and not storytelling and not _TOLD_PAST.search(text.lower()):
        opinion_score += 1
    # the actor of a "Pour Moscou," frame is whose stakes are weighed, not who acted
    actors = (
        feats.actors if reported else tuple(a for a in feats.actors if a not in feats.frame_actors)
    )
    claim_score = min(len(feats.facts), 2) + min(len(actors), ACTOR_CAP) + (2 if reported else 0)
    if opinion and claim_score < 3 and not reported:
        return UnitKind.OPINION, f"opinion marker '{opinion[0]}'"
    evaluative = [h for h in feats.hits if h.kind in _EVALUATIVE_KINDS]
    teaser = [h for h in feats.hits if h.kind == CLICKBAIT and not h.form]
    exclaimed = bool(_EXCLAMATION.search(text)) and not _inside_any_quote(text)
    exclamative = _EXCLAMATIVE_START.match(fold(text)) is not None
    if exclaimed and exclamative and not reported and not _DIGITS.search(text):
        # "What a waste this is!", "Quel bonheur de revoir le stade plein !"
        return UnitKind.OPINION, "an exclamative sentence, not a statement"
    # "Des milliers !": an exclaimed quantity with no verb; "The most beautiful couple on
    # Earth.": an evaluation without a verb.
    verbless_judgement = (exclaimed and feats.quantities) or evaluative or opinion
    if feats.fragment and verbless_judgement and not reported and not _DIGITS.search(text):
        return UnitKind.OPINION, "a verbless exclamation or judgement, not a statement"
    if feats.second_person and claim_score <= 1 and not reported:
        return UnitKind.OPINION, "addresses the reader (advice or appeal, not a fact)"
    if (evaluative or teaser) and claim_score == 0 and not feats.negative_fact:
        return (
            UnitKind.OPINION,
            f"evaluative words without checkable content ('{(evaluative + teaser)[0].text}')",
        )
    if opinion_score >= OPINION_WITHOUT_FACTS and claim_score == 0:
        cue = (opinion + weak)[:2]
        if cue or not (reporting or negative):
            return UnitKind.OPINION, "evaluative words without checkable content: " + ", ".join(
                f"'{c}'" for c in cue
            ) if cue else "the author speaking in the first person"
    # Named actors alone (no number, no date, no source) are what analysis talks about too:
    # the author's words (not the first person) need only outweigh them.
    # Modals on a named actor ("X could face charges") are speculation, not analysis.
    judgement_score = STRONG * len(opinion) + len([w for w in weak if w not in feats.modals])
    names_only = not feats.facts and not reported and not feats.first_person
    if opinion_score >= claim_score + OPINION_MARGIN or (
        names_only and judgement_score >= claim_score + OPINION_MARGIN_NAMES_ONLY
    ):
        cue = (opinion + weak)[:3]
        return UnitKind.OPINION, "judgement outweighs checkable content: " + ", ".join(
            f"'{c}'" for c in cue
        )
    if reported:
        return UnitKind.CLAIM, "reports information from a source"
    if feats.checkable:
        shown = ", ".join(f"'{c}'" for c in dict.fromkeys(feats.checkable[:3]))
        return UnitKind.CLAIM, f"asserts checkable facts ({shown})"
    return UnitKind.CLAIM, "asserts something about the world"


def _report_hedge(feats: _Features, attribution: Attribution) -> bool:
    """Whether the unit is hedged as reported information ("reportedly", "aurait été
    affecté"): a hedge the attribution stage found that is none of the author's own
    conditionals or modals ("pourrait", "would")."""
    own = {
        w
        for o in (*feats.opinion_weak, *feats.conditionals, *feats.modals)
        for w in fold(o).split()
    }
    return any(
        s.kind == "hedged" and not own & set(fold(s.text).split()) for s in attribution.signals
    )


_EXCLAMATIVE_START = re.compile(
    r"\W*(?:quel|quelle|quels|quelles|que de|tant de|autant de|combien de|what|such|so many"
    r"|so much|how)(?!\w)"
)


def _inside_any_quote(text: str) -> bool:
    """Whether the last exclamation mark of ``text`` sits inside a quotation."""
    spans, _ = quote_spans(text)
    pos = text.rfind("!")
    return _inside(spans, pos, pos + 1)


def _decide_checkworthy(
    kind: UnitKind, feats: _Features, attribution: Attribution
) -> tuple[bool, str]:
    """Claims and quotes with something specific to check: a number, a date, a named actor or
    source, a superlative or comparison of something measurable, a fact stated in the negative
    ("no injuries were reported"). Not opinions, questions, headings, anecdotes, practical
    information, speculation, or the views of an unnamed crowd ("Analysts expect…")."""
    if kind not in (UnitKind.CLAIM, UnitKind.QUOTE):
        return False, f"not check-worthy: {kind.value}"
    story = [h for h in feats.hits if h.kind in _STORY_KINDS]
    named = attribution.status is Status.ATTRIBUTED
    if story or (feats.first_person >= PERSONAL_FIRST_PERSON and not named):
        return False, "not check-worthy: a personal anecdote nobody can check"
    if feats.non_statement:
        return False, "not check-worthy: says that someone said nothing"
    if kind is UnitKind.QUOTE:
        # an unnamed speaker's one-word verdict (« prématuré ») or counterfactual: nobody
        # can check who judged, and there is no fact in it
        if attribution.status is Status.VAGUE and (
            feats.quoted_hypothesis
            or (feats.quoted_prediction and not feats.facts)
            or (feats.longest_quote_words <= VERDICT_WORDS and not feats.facts)
        ):
            return False, "not check-worthy: an unnamed speaker's verdict or speculation"
        if attribution.status is not Status.UNATTRIBUTED or feats.checkable:
            return True, "check-worthy: reproduced words that can be checked"
        return False, "not check-worthy: words with no speaker and nothing specific to check"
    if feats.service:
        return False, "not check-worthy: practical information for the reader"
    if feats.unknown_fact and not named:
        return False, "not check-worthy: says that something is not known"
    if feats.generic_view and not named and not feats.measured:
        return False, "not check-worthy: a view held by unnamed people, nothing specific"
    if feats.speculative and not feats.facts and not feats.measured and not named:
        return False, "not check-worthy: speculation about what has not happened"
    if feats.checkable or named:
        return True, "check-worthy: checkable content"
    if feats.referents:
        return True, f"check-worthy: an act of actors named before ('{feats.referents[0]}')"
    if feats.negative_fact:
        return True, "check-worthy: a fact stated in the negative"
    if feats.measured:
        return True, f"check-worthy: a measurable comparison ('{feats.measured[0]}')"
    return False, "not check-worthy: nothing specific to check"


# ---------------------------------------------------------------------------
# Public API


def _document_acronyms(units: Sequence[Unit]) -> frozenset[str]:
    found: set[str] = set()
    for unit in units:
        found.update(m.group(1).replace("-", "") for m in _DEFINED_ACRONYM.finditer(unit.text))
    return frozenset(found)


def _describe(hits: Sequence[_Hit]) -> str:
    parts = []
    for hit in hits:
        if hit.kind == "exclamation":
            if not hit.form:
                parts.append("exclamation")
            elif hit.form.startswith("on "):
                parts.append(f"exclamation {hit.form}")
            else:
                parts.append(f"exclamation ({hit.form})")
        elif hit.form and hit.form.startswith("a "):
            parts.append(f"{hit.kind}: {hit.form}")
        elif hit.form:
            parts.append(f"{hit.form} '{hit.text}'")
        else:
            parts.append(f"{hit.kind} '{hit.text}'")
    return "; ".join(parts)


def judge_units(
    units: Sequence[Unit],
    attributions: Mapping[str, Attribution],
    *,
    language: str,
    extra_lexicon_files: Sequence[str] = (),
) -> tuple[Judgement, ...]:
    """One :class:`Judgement` per unit, in order: kind, check-worthiness, sensationalism.

    Keeps each unit's attribution (status, sources, signals, reasons) and adds the
    sensational signals with the words that fired them, and the reasons for every label.
    A unit with no attribution is judged ``unattributed``.
    """
    rules = _rules(_language(language), tuple(str(f) for f in extra_lexicon_files))
    acronyms = rules.acronyms | _document_acronyms(units)
    judgements: list[Judgement] = []
    open_quote = False
    seen_body = False
    per_paragraph = Counter(u.paragraph for u in units if u.kind is not UnitKind.BOILERPLATE)
    last_paragraph = max(per_paragraph, default=None)
    previous_paragraph: int | None = None
    last_heading = ""
    # section headings under the title: the article is cut into sections
    body = [u for u in units if u.kind is not UnitKind.BOILERPLATE]
    sections = any(u.kind is UnitKind.HEADING for u in body[1:])
    for unit in units:
        attribution = attributions.get(unit.id) or Attribution(
            status=Status.UNATTRIBUTED, reasons=("no attribution computed",)
        )
        if unit.paragraph != previous_paragraph:
            open_quote = False
        previous_paragraph = unit.paragraph
        quotes, open_quote = quote_spans(unit.text, open_at_start=open_quote)
        if unit.kind is UnitKind.HEADING:
            last_heading = unit.text
        if unit.kind is UnitKind.BOILERPLATE:
            judgements.append(
                Judgement(
                    unit_id=unit.id,
                    kind=UnitKind.BOILERPLATE,
                    status=attribution.status,
                    checkworthy=False,
                    sensational=False,
                    signals=attribution.signals,
                    sources=attribution.sources,
                    reasons=(*attribution.reasons, "boilerplate: not part of the article"),
                )
            )
            continue
        # The first line of the body reads as a title when it does not end like a sentence.
        title = unit.kind in TITLE_KINDS or (
            not seen_body and not unit.text.rstrip().endswith((".", "…", ":", ";"))
        )
        # "Ce qu'il faut savoir", "Why this matters" under a news title: a plain section label
        section_label = (
            seen_body and unit.kind is UnitKind.HEADING and _section_label(unit.text, rules)
        )
        if section_label:
            title = False
        alone = (
            seen_body
            and per_paragraph[unit.paragraph] == 1
            and unit.paragraph != last_paragraph
            and not quotes
        )
        body_started, seen_body = seen_body, True
        feats = _features(unit, rules, quotes, title)
        reasons = list(attribution.reasons)
        if unit.kind is UnitKind.HEADING:
            kind, kind_reason = UnitKind.HEADING, "a title or heading"
        elif (
            unit.kind is UnitKind.SENTENCE
            and alone
            and _question_heading(
                unit.text, feats, sections=sections, faq=_is_faq(last_heading, rules)
            )
        ):
            # "Et demain, le Niger ?" standing alone between paragraphs: a section title
            kind, kind_reason = UnitKind.HEADING, "a short question standing alone heads a section"
        elif (
            unit.kind is UnitKind.SENTENCE
            and (alone or not body_started)
            and _shouted_line(unit.text)
        ):
            # "OBUS NORD-CORÉENS : LA ROULETTE RUSSE !" on a line of its own: a title
            kind, kind_reason = UnitKind.HEADING, "a line in capitals standing alone"
        elif title and _PILED_MARKS.search(unit.text.strip()[-3:]):
            # "EXCLUSIVE: Rovers CLOSE to £35m swoop?!": a title that shouts, not a question
            kind, kind_reason = UnitKind.HEADING, "a title ending in piled-up marks"
        elif unit.kind in (UnitKind.CLAIM, UnitKind.QUOTE, UnitKind.OPINION, UnitKind.QUESTION):
            kind, kind_reason = unit.kind, "kind given by segmentation"
        else:
            kind, kind_reason = _decide_kind(unit, feats, attribution)
        reasons.append(f"{kind.value}: {kind_reason}")
        checkworthy, cw_reason = _decide_checkworthy(kind, feats, attribution)
        reasons.append(cw_reason)

        hits = list(feats.hits)
        hits += _caps_hits(unit.text, quotes, acronyms, rules)
        # An exclamation weighs on a factual claim and on a short judgement of the author.
        weighty = None
        judging = (
            feats.opinion
            or feats.stance
            or feats.opinion_weak
            or feats.second_person
            or _EXCLAMATIVE_START.match(fold(unit.text))
        )
        if (
            kind is UnitKind.OPINION
            and (judging or any(h.kind in _EVALUATIVE_KINDS for h in feats.hits))
            and len(_words(unit.text)) <= EXCLAIMED_JUDGEMENT_WORDS
        ):
            weighty = "on a short judgement"
        elif kind is not UnitKind.QUESTION and feats.checkable:
            weighty = "on a factual claim"
        hits += _exclamation_hits(unit.text, quotes, weighty)
        if kind is UnitKind.QUESTION and feats.second_person:
            hits.append(
                _Hit(
                    CLICKBAIT,
                    WEAK,
                    0,
                    len(unit.text),
                    unit.text.strip(),
                    "a question to the reader",
                )
            )
        hits += _suspense_hits(unit.text, quotes)
        hits += _insinuation_hits(unit.text, rules, kind)
        if kind is UnitKind.QUESTION and not title:
            hits += _scenario_hits(unit.text)
        if title:
            hits += _title_hits(
                unit.text, _explainer_question(unit.text, rules, feats.second_person)
            )
        if section_label:
            hits = []
        hits.sort(key=lambda h: h.start)
        score = sum(h.weight for h in hits)
        sensational = score >= SENSATIONAL_THRESHOLD
        if hits:
            verdict = "sensational" if sensational else "not sensational (one weak signal)"
            reasons.append(f"{verdict}: {_describe(hits)}")
        judgements.append(
            Judgement(
                unit_id=unit.id,
                kind=kind,
                status=attribution.status,
                checkworthy=checkworthy,
                sensational=sensational,
                signals=(*attribution.signals, *(Signal(h.kind, h.text) for h in hits)),
                sources=attribution.sources,
                reasons=tuple(reasons),
            )
        )
    return tuple(judgements)


# ---------------------------------------------------------------------------
# Document verdict


def _share(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 0.0


def _percent(share: float) -> str:
    return f"{round(share * 100)}%"


def _registry_name_tier(registry: Any, source_id: str) -> tuple[str | None, str | None]:
    by_id = getattr(registry, "by_id", None)
    entry = by_id(source_id) if callable(by_id) else None
    if entry is None:
        return None, None
    tier_for = getattr(registry, "tier_for", None)
    tier = tier_for(entry) if callable(tier_for) else getattr(entry, "tier", None)
    return getattr(entry, "name", None), str(tier) if tier is not None else None


def _named_sources(judgements: Sequence[Judgement], registry: Any) -> list[dict[str, object]]:
    counts: Counter[tuple[str | None, str]] = Counter()
    first: dict[tuple[str | None, str], SourceRef] = {}
    for judgement in judgements:
        seen = set()
        for ref in judgement.sources:
            if ref.vague:
                continue
            key = (ref.id, ref.id or fold(ref.name).strip())
            if key in seen:
                continue
            seen.add(key)
            counts[key] += 1
            first.setdefault(key, ref)
    out: list[dict[str, object]] = []
    for key, count in counts.most_common():
        ref = first[key]
        name, tier = ref.name, ref.tier
        if ref.id is not None and registry is not None:
            registered_name, registered_tier = _registry_name_tier(registry, ref.id)
            name = registered_name or name
            tier = registered_tier or tier
        out.append(
            {
                "id": ref.id,
                "name": name,
                "tier": str(tier) if tier is not None else None,
                "registered": ref.id is not None,
                "units": count,
            }
        )
    return out


def _footnote_health(citations: Citations) -> dict[str, int]:
    used = {m.number for m in citations.markers} & {f.number for f in citations.footnotes}
    kinds = Counter(p.kind for p in citations.problems)
    return {
        "notes": len(citations.footnotes),
        "used": len(used),
        "dangling": kinds[ProblemKind.DANGLING_FOOTNOTE],
        "unused": kinds[ProblemKind.UNUSED_FOOTNOTE],
        "problems": len(citations.problems),
    }


def summarise(
    units: Sequence[Unit],
    judgements: Sequence[Judgement],
    citations: Citations,
    registry: Any,
) -> dict[str, object]:
    """The document verdict: counts and shares, named sources, footnote health and a grade.

    ``grade`` holds ``sourcing`` (well / adequately / weakly sourced from ``GRADE_RULES``,
    else unsourced), a ``letter`` (A-D, one letter lower when sensational, down to E),
    ``sensational`` (``DOCUMENT_SENSATIONAL_SHARE`` / ``_MIN``) and the ``reasons`` behind it.
    """
    del units  # the judgements carry everything needed; kept for a stable signature
    sentences = [j for j in judgements if j.kind in SENTENCE_KINDS]
    checkworthy = [j for j in judgements if j.checkworthy]
    by_status = Counter(j.status for j in checkworthy)
    status = {
        s.value: {"count": by_status[s], "share": _share(by_status[s], len(checkworthy))}
        for s in Status
    }
    sensational_count = sum(1 for j in sentences if j.sensational)
    sensational_share = _share(sensational_count, len(sentences))
    kinds = Counter(j.kind.value for j in judgements)
    footnotes = _footnote_health(citations)
    sources = _named_sources(judgements, registry)

    attributed = status[Status.ATTRIBUTED.value]["share"]
    unattributed = status[Status.UNATTRIBUTED.value]["share"]
    label, letter = UNSOURCED
    if checkworthy and unattributed < 1.0:
        for rule_label, rule_letter, min_attr, max_unattr in GRADE_RULES:
            if attributed >= min_attr and unattributed <= max_unattr:
                label, letter = rule_label, rule_letter
                break
    doc_sensational = bool(sentences) and (
        sensational_share >= DOCUMENT_SENSATIONAL_SHARE
        or sensational_count >= DOCUMENT_SENSATIONAL_MIN
    )
    if doc_sensational:
        letter = chr(min(ord(letter) + 1, ord("E")))

    reasons = []
    if checkworthy:
        reasons.append(
            f"{_percent(attributed)} of check-worthy claims name an identifiable source; "
            f"{_percent(unattributed)} have no source"
        )
        vague = status[Status.VAGUE.value]["count"]
        if vague:
            reasons.append(f"{vague} check-worthy claims rely on vague sources")
    else:
        reasons.append("no check-worthy claims")
    if sentences:
        reasons.append(
            f"{_percent(sensational_share)} of sentences use sensational language"
            f" ({sensational_count} of {len(sentences)})"
        )
    if footnotes["notes"] or footnotes["dangling"]:
        resolved = footnotes["used"]
        line = f"{resolved} of {footnotes['notes']} footnotes are cited in the text"
        if footnotes["dangling"]:
            line += f"; {footnotes['dangling']} dangling marker(s)"
        if footnotes["unused"]:
            line += f"; {footnotes['unused']} unused note(s)"
        reasons.append(line)
    low = [s for s in sources if s["tier"] == "low"]
    if low:
        reasons.append(
            "relies on low-reliability sources: " + ", ".join(str(s["name"]) for s in low)
        )

    return {
        "units": len(judgements),
        "sentences": len(sentences),
        "kinds": dict(sorted(kinds.items())),
        "checkworthy": len(checkworthy),
        "status": status,
        "sensational": {"count": sensational_count, "share": sensational_share},
        "sources": sources,
        "footnotes": footnotes,
        "grade": {
            "sourcing": label,
            "letter": letter,
            "sensational": doc_sensational,
            "reasons": reasons,
        },
    }
