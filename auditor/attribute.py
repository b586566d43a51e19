"""Attribute stage: who, according to the text, is the source of each unit.

For every unit the stage decides a status (see docs/labelling-guide): ``attributed`` when the
text names an identifiable source or cites a footnote or link that resolves, ``vague`` when it
invokes a source nobody can identify, ``unattributed`` otherwise. It lists the sources with the
cue that introduced them, normalised against the source registry, and the signals behind the
decision (``cue``, ``vague-source``, ``hedged``, ``quote``, ``anonymous-quote``,
``unattributed-quote``, ``dangling-footnote``).

How a source is found, in each sentence, by rules over word tokens (lexicons
``attribution_fr`` / ``attribution_en``, extendable through ``judge.lexicon_files``):

- a prepositional cue introduces the source after it ("selon X", "d'après X", "according to
  X"); the span runs to the end of the phrase;
- a reporting verb has the source as subject, before it ("l'OSC estime que") or inverted after
  it ("affirme Hugh Griffiths", "said X"), skipping adverbs, auxiliaries, a relative clause or
  an apposition ("Reuters, qui relaie…, a estimé");
- a participle takes the source as agent ("considéré … par les experts occidentaux");
- after a full clause, a reporting verb followed by a noun phrase that closes the clause is a
  speaker tag with its subject inverted, in mid-sentence too ("…, précisent les notaires,
  loin du pic…"); the noun phrase after a verb whose subject stands before it is its object,
  a source only when a name is its head;
- reporting verbs are listed by lemma and conjugated (every simple tense, first and third
  persons, pronominal forms: "s'est emporté"); a weaker verb ("montre", "rappelle", "think")
  reports with a complement, a closing colon, an inverted subject, or a vague group;
- a fronted frame names a document ("In her Instagram post, …", "Dans son communiqué, …"); a
  participle says where a report appeared ("published in the journal X"); a possessive
  document belongs to the sentence's subject ("l'AFLD …, selon son rapport annuel");
- non-comments name their party ("did not respond to a request for comment");
- impersonal, indefinite and hearsay forms invoke a vague source ("il est estimé que", "des
  sources", "Apparently", "Rumour has it", "are thought to", "plusieurs coureurs interrogés",
  "European steelmakers say"); a speaker known by a role who asked not to be named is vague;
  a report inside a relative clause on a noun ("un prix que l'opposition juge…") is not the
  sentence's source.

A source span is then classified by its determiner and head: a registry mention or a proper
name is named; an indefinite person or an unidentifiable plural ("un ancien attaché", "des
sources occidentales", "les experts") is vague; a body qualified by a nationality ("les
services de renseignement sud-coréens") is named; a document takes the source of its
complement ("le premier rapport du MSMT"); a pronoun or "l'enquête" refers back; a proper name
in apposition wins over the role before it ("son avocate, Me Claire Dufresne"); a definite
description ("les notaires", "the agency") refers to the source whose words share its head,
is written as the text names it and keeps that source's registry entry, and is vague when
nothing before matches.

Scope. A unit with no named source of its own takes one from what it continues:
- an anaphor resolves to its antecedent, a few sentences back and across a paragraph break
  when it opens the sentence ("Il a ajouté", "She added", "selon lui", "the official said",
  "Sa remarque : « … »" after "un ancien attaché");
- a definite report noun ("L'enquête recense…") refers to the last report the article named;
- inside one paragraph only: a sentence inside a quotation opened before, a quotation right
  after its speaker's words, an anaphoric opening ("Ils ont transporté…", "Ces derniers…",
  not in the first person), the clitic "y" ("Le cyclisme y reste…"), an exchange connector
  ("In exchange, …"), an agentless passive report ("aucun décès n'a été signalé");
- the items of a list announced by a colon carry the announcing sentence's sources.
Any other sentence stops the carry. The journalistic conditional is a ``hedged`` signal,
never a source. Boilerplate is unattributed; a heading is judged on its own cues ("…, experts
warn" vague, "…, annonce Moscou" attributed) and never carries to or from.

With ``use_parser`` spaCy's French pipeline (loaded once, lazily, batched with ``nlp.pipe``)
adds its entities (a lone capitalised first word is a name only if spaCy says so; PER names
are people a pronoun may refer to) and subjects of reporting verbs whose form the lexicon
lacks. Measured on the labelled units of tests/data the parser changes nothing while costing
about 13 times the rules, so the rules are the fast path.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from auditor.lexicons import load_lexicon
from auditor.records import (
    Attribution,
    Citations,
    LinkOrigin,
    Signal,
    SourceRef,
    Status,
    Unit,
    UnitKind,
)

__all__ = ["AttributionMatch", "attribute_units", "find_attributions"]

#: Fewest words for quoted text to count as a quotation rather than a quoted term.
QUOTE_MIN_WORDS = 4
#: Longest subject noun phrase read leftwards from a reporting verb, in tokens.
MAX_SUBJECT_TOKENS = 20
#: Longest source span after a prepositional cue, in tokens.
MAX_SPAN_TOKENS = 30

# ---------------------------------------------------------------------------
# Public records


@dataclass(frozen=True, slots=True)
class AttributionMatch:
    """One attribution found in a text: the cue, the source span, and what the source is.

    Offsets are into the text given to :func:`find_attributions`. ``source_*`` is empty
    (start == end) for impersonal forms ("il est estimé que"). ``kind`` is how the source was
    found: ``preposition``, ``subject``, ``inverted``, ``agent``, ``phrase``.
    """

    cue: str
    cue_start: int
    cue_end: int
    source_text: str
    source_start: int
    source_end: int
    vague: bool
    anaphoric: bool  # a pronoun or "l'enquête": the source is resolved from context
    names: tuple[str, ...]  # normalised names of the sources it names
    source_ids: tuple[str | None, ...]  # registry ids, None when unregistered
    kind: str


# ---------------------------------------------------------------------------
# Text normalisation and tokens

_CHAR_MAP = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "\u00b4": "'",
        "`": "'",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u2010": "-",
        "\u2011": "-",
    }
)


def _norm(text: str) -> str:
    """Lower-cased text with plain apostrophes and spaces, of the same length as ``text``."""
    out = text.translate(_CHAR_MAP).lower()
    if len(out) == len(text):
        return out
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text.translate(_CHAR_MAP))


_TOKEN_RE = re.compile(
    r"(?:[^\W\d_]\.){2,}"  # initials: U.S.
    r"|\w+(?:[-.&]\w+)*(?=n't\b)|n't\b"  # English negation: does|n't
    r"|'(?:s|re|ll|ve|d|m)\b"  # English clitics: agency|'s
    r"|\w+(?:[-.&]\w+)*(?:'(?!(?:s|re|ll|ve|d|m|t)\b))?"  # words, French elision l'
    r"|[^\w\s]",
    re.UNICODE,
)
_INVERTED_RE = re.compile(r"^(?P<base>.+?)(?:-t)?-(?P<pron>il|elle|ils|elles|on)$")
_OPEN_QUOTES = "«“„"
_CLOSE_QUOTES = "»”"
_QUOTE_CHARS = '«»“”„"'
_BOUNDARY_PUNCT = frozenset(",;:.!?()[]—–…" + _QUOTE_CHARS)


class _Tok(NamedTuple):
    """A word or punctuation token (a named tuple: cheap to build, tokens are many)."""

    text: str  # as written
    low: str  # normalised, lower case
    start: int
    end: int
    cap: bool  # starts with a capital letter
    word: bool  # not punctuation
    base: str  # low without an inverted pronoun ("affirme-t-il" -> "affirme")
    pron: str | None  # the inverted pronoun, if any


def _tokens(text: str, norm: str) -> list[_Tok]:
    toks = []
    for m in _TOKEN_RE.finditer(norm):
        low = m.group()
        raw = text[m.start() : m.end()]
        word = low[0].isalnum() or low[0] == "_"
        base, pron = low, None
        inv = _INVERTED_RE.match(low) if word and "-" in low else None
        if inv is not None:
            base, pron = inv.group("base"), inv.group("pron")
        toks.append(_Tok(raw, low, m.start(), m.end(), raw[:1].isupper(), word, base, pron))
    return toks


# ---------------------------------------------------------------------------
# Compiled lexicon


class _Phrases:
    """Multi-word entries indexed by first token; matched longest first on tokens."""

    # Not a dataclass: construction builds the index.
    def __init__(self, entries: Iterable[str]) -> None:
        self.index: dict[str, list[tuple[str, ...]]] = {}
        for entry in dict.fromkeys(entries):
            words = tuple(m.group() for m in _TOKEN_RE.finditer(_norm(entry.strip())))
            if words:
                self.index.setdefault(words[0], []).append(words)
        for seqs in self.index.values():
            seqs.sort(key=len, reverse=True)
        self.firsts = frozenset(self.index)

    def match(
        self, toks: Sequence[_Tok], i: int, *, gap: frozenset[str] = frozenset(), base: bool = False
    ) -> int:
        """End index (exclusive) of the longest entry starting at token ``i``, or -1.

        ``gap`` lists words that may stand between two words of an entry (adverbs).
        """
        if i >= len(toks):
            return -1
        first = toks[i].base if base else toks[i].low
        for seq in self.index.get(first, ()):
            j, k = i + 1, 1
            while k < len(seq) and j < len(toks):
                if toks[j].low == seq[k]:
                    j, k = j + 1, k + 1
                elif gap and toks[j].low in gap and j + 1 < len(toks):
                    j += 1
                else:
                    break
            if k == len(seq):
                return j
        return -1

    def __contains__(self, word: str) -> bool:
        return any(len(s) == 1 for s in self.index.get(word, ()))


@dataclass(frozen=True)
class _Lex:
    language: str
    prep: _Phrases
    verbs: _Phrases
    weak_verbs: _Phrases
    participles: _Phrases
    pronominal_participles: _Phrases
    agent_participles: frozenset[str]
    agent_preps: frozenset[str]
    auxiliaries: frozenset[str]
    skippable: _Phrases
    skip_words: frozenset[str]
    complement_openers: frozenset[str]
    clause_boundaries: frozenset[str]
    anaphoric_pronouns: frozenset[str]
    subject_pronouns: frozenset[str]
    indefinite_subjects: _Phrases
    vague_heads: _Phrases
    person_roles: _Phrases
    spokesperson_heads: _Phrases
    institution_heads: _Phrases
    publication_heads: _Phrases
    document_heads: _Phrases
    possessives: frozenset[str]
    speech_nouns: _Phrases
    definite: frozenset[str]
    indefinite: _Phrases
    pre_adjectives: frozenset[str]
    nationalities: _Phrases
    vague_phrases: _Phrases
    hedges: _Phrases
    hedge_suffixes: tuple[str, ...]
    hedge_exceptions: frozenset[str]
    connectors: _Phrases
    lemmas: frozenset[str]
    non_names: frozenset[str]
    titles: _Phrases
    particles: frozenset[str]
    continuation_openers: _Phrases
    impersonal_openers: _Phrases
    passive_auxiliaries: _Phrases
    passive_reports: frozenset[str]
    verb_firsts: frozenset[str] = frozenset()
    clause_markers: frozenset[str] = frozenset()
    quantifiers: _Phrases = field(default_factory=lambda: _Phrases(()))
    group_suffixes: tuple[str, ...] = ()
    participle_openers: frozenset[str] = frozenset()
    frame_prepositions: frozenset[str] = frozenset()
    clause_suffixes: tuple[str, ...] = ()
    clause_suffix_exceptions: frozenset[str] = frozenset()
    opinion_verbs: frozenset[str] = frozenset()
    anonymity: _Phrases = field(default_factory=lambda: _Phrases(()))
    publication_participles: frozenset[str] = frozenset()
    official_bodies: _Phrases = field(default_factory=lambda: _Phrases(()))
    offices: _Phrases = field(default_factory=lambda: _Phrases(()))
    finite_verbs: frozenset[str] = frozenset()
    gerunds: _Phrases = field(default_factory=lambda: _Phrases(()))
    progressive_auxiliaries: _Phrases = field(default_factory=lambda: _Phrases(()))
    singular_definite: frozenset[str] = field(default_factory=frozenset)
    document_specifiers: frozenset[str] = frozenset()
    document_origins: frozenset[str] = frozenset()
    noun_compounds: _Phrases = field(default_factory=lambda: _Phrases(()))
    research_verbs: frozenset[str] = frozenset()
    finite_followers: frozenset[str] = frozenset()
    production_participles: frozenset[str] = frozenset()
    plan_verbs: frozenset[str] = frozenset()
    addressee_verbs: frozenset[str] = frozenset()
    unidentifying: frozenset[str] = frozenset()


_SINGULAR_DEFINITE = frozenset({"le", "la", "l'", "ce", "cet", "cette", "the", "this", "that"})
# Relative pronouns and conjunctions that end a noun phrase read rightwards.
_NP_STOP = frozenset({"qui", "que", "qu'", "dont", "lequel", "laquelle", "who", "which", "whose"})
# Prepositions that start an adjunct after an inverted subject ("… dans «Formiche.net»").
_ADJUNCT_PREPS = frozenset(
    {
        "dans",
        "sur",
        "à",
        "au",
        "aux",
        "lors",
        "pendant",
        "devant",
        "depuis",
        "après",
        "avant",
        "en",
        "in",
        "on",
        "at",
        "during",
        "after",
        "before",
        "to",
        "last",
        "this",
        "when",
        "while",
    }
)
# French prepositions of a setting that may stand between a reporting verb and its inverted
# subject ("a précisé en conférence de presse le préfet", "…, indique dans un communiqué la
# mairie").
_FR_FRAME_PREPS = frozenset({"en", "dans", "lors", "sur", "devant", "pendant"})
# Adjunct prepositions after a reporting verb that may introduce the medium it spoke in.
_MEDIUM_PREPS = frozenset({"dans", "sur", "à", "au", "in", "on", "to"})


# ---------------------------------------------------------------------------
# Verb forms from lemmas
#
# The lexicons list reporting verbs by lemma (``verb_lemmas`` and the ``verb_lemmas_*``
# variants); every person but the second ("notez" is an imperative), both numbers and every
# simple tense are generated here, with the past participles, so a verb listed once is found
# as "précisent", "précisait", "a précisé", "s'est emporté", "warns", "warned", "has warned".
# French regular verbs in -er and -ir are conjugated by rule; irregular French verbs keep
# their forms listed in ``verbs`` / ``participles``. English entries are "base",
# "base|past" or "base|past|participle" ("say|said", "write|wrote|written").

_FR_DOUBLING = frozenset({"appeler", "rappeler", "interpeler", "jeter", "épeler", "renouveler"})
_FR_GRAVE = re.compile(r"[eé](?=(?:[bcdfgjklmnpqrstvz]|ch|gn|[bcdfgptv][rl])$)")


class _VerbForms(NamedTuple):
    finite: tuple[str, ...]
    participles: tuple[str, ...]
    pronominal: bool


def _fr_verb_forms(lemma: str) -> _VerbForms:
    """Finite forms (first and third persons of the present, imperfect, simple past, future
    and conditional; not the second, whose forms are imperatives: "notez", "imaginez") and
    past participles of a regular French verb in -er or -ir ("s'emporter", "appeler à")."""
    lemma = _norm(lemma.strip())
    refl = ""
    if lemma.startswith("s'"):
        refl, lemma = "s'", lemma[2:]
    elif lemma.startswith("se "):
        refl, lemma = "se ", lemma[3:]
    verb, _, tail = lemma.partition(" ")
    tail = f" {tail}" if tail else ""
    stem = verb[:-2]
    if verb.endswith("er"):
        soft = stem[:-1] + "ç" if stem.endswith("c") else stem + "e" if stem.endswith("g") else stem
        strong = [stem]
        futures = [verb]
        if verb in _FR_DOUBLING:
            strong = [stem + stem[-1]]
            futures = [stem + stem[-1] + "er"]
        elif _FR_GRAVE.search(stem) and not stem.endswith(("qu", "gu")):
            grave = _FR_GRAVE.sub("è", stem)
            strong = [grave]
            futures = [verb, grave + "er"] if "é" in stem[-4:] else [grave + "er"]
        elif stem.endswith("ay"):
            strong = [stem, stem[:-1] + "i"]
            futures = [verb, stem[:-1] + "ier"]
        elif stem.endswith(("oy", "uy")):
            strong = [stem[:-1] + "i"]
            futures = [stem[:-1] + "ier"]
        forms = [f"{st}{e}" for st in strong for e in ("e", "ent")]
        forms += [soft + "ons"]
        forms += [soft + e for e in ("ais", "ait", "aient", "ai", "a", "âmes")]
        forms += [stem + e for e in ("ions", "èrent")]
        participles = [stem + e for e in ("é", "ée", "és", "ées")]
    elif verb.endswith("ir"):
        forms = [stem + e for e in ("is", "it", "issons", "issent", "îmes")]
        forms += [stem + e for e in ("issais", "issait", "issions", "issaient", "irent")]
        futures = [verb]
        participles = [stem + e for e in ("i", "ie", "is", "ies")]
    else:
        return _VerbForms((), (), bool(refl))
    forms += [f + e for f in futures for e in ("ai", "a", "ons", "ont")]
    forms += [f + e for f in futures for e in ("ais", "ait", "ions", "aient")]
    if refl:
        # Third persons only ("s'emporte", "se félicitaient").
        third = ("e", "ent", "it", "ait", "aient", "a", "èrent", "irent", "ont")
        forms = [("s'" if f[0] in "aeiouyéèêh" else "se ") + f for f in forms if f.endswith(third)]
    return _VerbForms(
        tuple(f + tail for f in dict.fromkeys(forms)),
        tuple(p + tail for p in participles),
        bool(refl),
    )


def _en_verb_forms(entry: str) -> _VerbForms:
    """Base, third person, past and past participle of an English verb ("say|said",
    "point out", "write|wrote|written")."""
    parts = [p.strip() for p in _norm(entry).split("|")]
    base, _, tail = parts[0].partition(" ")
    tail = f" {tail}" if tail else ""
    if base.endswith(("s", "sh", "ch", "x", "z", "o")):
        third = base + "es"
    elif base.endswith("y") and base[-2:-1] not in set("aeiou"):
        third = base[:-1] + "ies"
    else:
        third = base + "s"
    if len(parts) > 1:
        past = parts[1].partition(" ")[0]
    elif base.endswith("e"):
        past = base + "d"
    elif base.endswith("y") and base[-2:-1] not in set("aeiou"):
        past = base[:-1] + "ied"
    else:
        past = base + "ed"
    participle = parts[2].partition(" ")[0] if len(parts) > 2 else past
    finite = tuple(dict.fromkeys(f + tail for f in (base, third, past)))
    return _VerbForms(finite, (participle + tail,), False)


_PLURAL_STOPS = frozenset({"de", "du", "des", "d'", "of", "for", "à", "au", "en", "in", "at"})


def _plural(word: str, language: str) -> str:
    if language == "en":
        if word.endswith(("s", "sh", "ch", "x", "z")):
            return word + "es"
        if word.endswith("y") and word[-2:-1] not in set("aeiou"):
            return word[:-1] + "ies"
        if word.endswith("man"):
            return word[:-3] + "men"
        return word + "s"
    if word.endswith(("s", "x", "z")):
        return word
    if word.endswith("al"):
        return word[:-2] + "aux"
    if word.endswith(("eau", "eu")):
        return word + "x"
    return word + "s"


def _with_plurals(entries: Iterable[str], lexicon: str) -> list[str]:
    """Head entries with their plurals ("notaire" gives "notaires", "agent immobilier" gives
    "agents immobiliers", "spokesman" gives "spokesmen"): a role is listed once."""
    language = "en" if lexicon.endswith("_en") else "fr"
    out = list(entries)
    for entry in entries:
        words = entry.strip().split(" ")
        if language == "en":
            # The last word carries the number ("senior official" -> "senior officials").
            cut = next((n for n, w in enumerate(words) if w in _PLURAL_STOPS), len(words))
            words[cut - 1] = _plural(words[cut - 1], "en") if cut else words[0]
        else:
            # Every word before a preposition ("agent immobilier" -> "agents immobiliers").
            for n, w in enumerate(words):
                if w in _PLURAL_STOPS or "'" in w:
                    break
                words[n] = _plural(w, "fr")
        out.append(" ".join(words))
    return out


def _with_adjective_forms(entries: Iterable[str]) -> list[str]:
    """French adjectives of nationality in every gender and number ("suédois" gives
    "suédoise", "suédoises"; "libyen" gives "libyenne", "libyens", "libyennes"), so the
    lexicon lists each once. Forms that do not exist are harmless: they never occur."""
    out: list[str] = []
    for entry in entries:
        word = entry.strip()
        out.append(word)
        if " " in word or word.endswith(("s", "x", "c", "è", "que")):
            if word.endswith(("ais", "ois")):
                out += [word + "e", word + "es"]
            elif word.endswith("è"):
                out.append(word + "s")
            continue
        if word.endswith("e"):
            out.append(word + "s")
        elif word.endswith("en"):
            out += [word + "ne", word + "s", word + "nes"]
        elif word.endswith("al"):
            out += [word + "e", word + "es", word[:-2] + "aux"]
        else:
            out += [word + "e", word + "s", word + "es"]
    return out


def _verb_lexicon(raw: Mapping[str, tuple[str, ...]], language: str) -> dict[str, list[str]]:
    """The lexicon's verb lists extended with the forms of its lemmas."""
    out: dict[str, list[str]] = {
        key: list(raw.get(key, ()))
        for key in ("verbs", "verbs_need_complement", "participles", "pronominal_participles")
    }
    out["opinion"] = [_norm(e.strip()) for e in raw.get("opinion_verbs", ())]
    out["verbs_need_complement"] += raw.get("opinion_verbs", ())
    forms_of = _en_verb_forms if language == "en" else _fr_verb_forms
    for key, target, with_participles in (
        ("verb_lemmas", "verbs", True),
        ("verb_lemmas_need_complement", "verbs_need_complement", True),
        ("verb_lemmas_incise", "verbs_need_complement", False),
        ("verb_lemmas_noun_like", "verbs_need_complement", True),
        ("verb_lemmas_opinion", "verbs_need_complement", True),
    ):
        for lemma in raw.get(key, ()):
            forms = forms_of(lemma)
            finite = list(forms.finite)
            if key == "verb_lemmas_noun_like":
                # "a pledge", "fears": base and third person need a complement; the past
                # ("pledged", "feared") reports wherever it stands.
                out["verbs"].extend(finite[2:])
                finite = finite[:2]
            out[target].extend(finite)
            if key == "verb_lemmas_opinion":
                out["opinion"].extend(finite)
            if with_participles:
                participles = "pronominal_participles" if forms.pronominal else "participles"
                out[participles].extend(forms.participles)
    return out


def _set(lex: Mapping[str, tuple[str, ...]], key: str) -> frozenset[str]:
    return frozenset(_norm(e.strip()) for e in lex.get(key, ()))


@lru_cache(maxsize=16)
def _compiled(language: str, extra_files: tuple[str, ...] = ()) -> _Lex:
    name = "attribution_en" if language.startswith("en") else "attribution_fr"
    raw = load_lexicon(name, extra_files)
    other = load_lexicon("attribution_fr" if name == "attribution_en" else "attribution_en")

    def phrases(key: str) -> _Phrases:
        return _Phrases(raw.get(key, ()))

    skippable = raw.get("skippable", ())
    verbs = _verb_lexicon(raw, "en" if name == "attribution_en" else "fr")
    return _Lex(
        language="en" if name == "attribution_en" else "fr",
        prep=phrases("preposition_cues"),
        verbs=_Phrases(verbs["verbs"]),
        weak_verbs=_Phrases(verbs["verbs_need_complement"]),
        participles=_Phrases(verbs["participles"]),
        pronominal_participles=_Phrases(verbs["pronominal_participles"]),
        agent_participles=_set(raw, "agent_participles"),
        agent_preps=_set(raw, "agent_prepositions"),
        auxiliaries=_set(raw, "auxiliaries"),
        skippable=_Phrases(skippable),
        skip_words=frozenset(_norm(s) for s in skippable if " " not in s.strip()),
        complement_openers=_set(raw, "complement_openers"),
        clause_boundaries=_set(raw, "clause_boundaries"),
        anaphoric_pronouns=_set(raw, "anaphoric_pronouns"),
        subject_pronouns=_set(raw, "subject_pronouns"),
        indefinite_subjects=phrases("indefinite_subjects"),
        vague_heads=_Phrases(_with_plurals(raw.get("vague_heads", ()), name)),
        person_roles=_Phrases(_with_plurals(raw.get("person_roles", ()), name)),
        spokesperson_heads=phrases("spokesperson_heads"),
        institution_heads=phrases("institution_heads"),
        publication_heads=phrases("publication_heads"),
        document_heads=_Phrases(_with_plurals(raw.get("document_heads", ()), name)),
        possessives=_set(raw, "possessives"),
        speech_nouns=phrases("speech_nouns"),
        definite=_set(raw, "definite_determiners"),
        indefinite=phrases("indefinite_determiners"),
        pre_adjectives=_set(raw, "pre_adjectives"),
        nationalities=_Phrases(
            _with_adjective_forms(raw.get("nationalities", ()))
            if name == "attribution_fr"
            else raw.get("nationalities", ())
        ),
        vague_phrases=phrases("vague_phrases"),
        hedges=phrases("hedges"),
        hedge_suffixes=tuple(_norm(s) for s in raw.get("hedge_suffixes", ())),
        hedge_exceptions=_set(raw, "hedge_exceptions"),
        connectors=phrases("sentence_connectors"),
        lemmas=_set(raw, "lemmas"),
        # Capitalised function words of both languages: articles quote titles in English.
        non_names=_set(raw, "capitalised_non_names") | _set(other, "capitalised_non_names"),
        titles=phrases("titles"),
        particles=_set(raw, "name_particles"),
        continuation_openers=phrases("continuation_openers"),
        impersonal_openers=phrases("impersonal_openers"),
        passive_auxiliaries=phrases("passive_auxiliaries"),
        passive_reports=_set(raw, "passive_reports"),
        clause_markers=_set(raw, "clause_markers"),
        quantifiers=phrases("quantifiers"),
        group_suffixes=tuple(_norm(e.strip()) for e in raw.get("group_suffixes", ())),
        participle_openers=_set(raw, "participle_openers"),
        frame_prepositions=_set(raw, "frame_prepositions"),
        clause_suffixes=tuple(_norm(e.strip()) for e in raw.get("clause_suffixes", ())),
        clause_suffix_exceptions=_set(raw, "clause_suffix_exceptions"),
        opinion_verbs=frozenset(verbs["opinion"]),
        anonymity=phrases("anonymity_phrases"),
        publication_participles=_set(raw, "publication_participles"),
        official_bodies=phrases("official_bodies"),
        verb_firsts=frozenset(
            m.group()
            for entries in (*verbs.values(), raw.get("gerunds", ()))
            for e in entries
            for m in list(_TOKEN_RE.finditer(_norm(e.strip())))[:1]
        ),
        finite_verbs=frozenset(_norm(e.strip()) for e in verbs["verbs"] if " " not in e.strip())
        - {"critique", "propose", "salue", "juge", "exige", "craint", "plaide"},
        gerunds=phrases("gerunds"),
        offices=phrases("offices"),
        progressive_auxiliaries=phrases("progressive_auxiliaries"),
        singular_definite=_SINGULAR_DEFINITE,
        document_specifiers=_set(raw, "document_specifiers"),
        document_origins=_set(raw, "document_origins"),
        noun_compounds=phrases("noun_compounds"),
        research_verbs=_set(raw, "research_verbs"),
        finite_followers=_set(raw, "finite_followers"),
        production_participles=_set(raw, "production_participles"),
        plan_verbs=_set(raw, "plan_verbs"),
        addressee_verbs=_set(raw, "addressee_verbs"),
        unidentifying=_set(raw, "unidentifying_qualifiers"),
    )


# ---------------------------------------------------------------------------
# Quotations


@dataclass(frozen=True, slots=True)
class _Quote:
    start: int  # offset of the opening mark (or 0 when opened in an earlier unit)
    end: int  # offset after the closing mark (or len(text) when it stays open)
    words: int
    opened_before: bool
    stays_open: bool


_HAS_QUOTE = re.compile('[«»“”„"]')


def _quotes(text: str) -> list[_Quote]:
    """Quotations of ``text`` (« », “ ”, „ “, " ", and ” used as both marks)."""
    if not _HAS_QUOTE.search(text):
        return []
    spans: list[tuple[int, int, bool, bool]] = []
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(text):
        if ch in "«“„":
            stack.append((ch, i))
        elif ch == "»":
            if stack and stack[-1][0] == "«":
                spans.append((stack.pop()[1], i + 1, False, False))
            elif not stack:
                spans.append((0, i + 1, True, False))
        elif ch in '”"':
            if (stack and stack[-1][0] in "“„") or (stack and stack[-1][0] == ch):
                spans.append((stack.pop()[1], i + 1, False, False))
            elif ch == '"' or not stack:
                # A straight quote, or a ” that nothing opened: open unless it ends the text
                # after a word (then it closes a quotation opened before).
                prev_ch = text[i - 1] if i else " "
                next_ch = text[i + 1] if i + 1 < len(text) else " "
                closes = (prev_ch.isalnum() or prev_ch in ".,!?…") and not next_ch.isalnum()
                if closes and not any(s[0] == ch for s in stack):
                    spans.append((0, i + 1, True, False))
                else:
                    stack.append((ch, i))
    for _ch, pos in stack:
        spans.append((pos, len(text), False, True))
    out = []
    for s, e, before, stays in sorted(spans):
        words = len(re.findall(r"\w+", text[s:e]))
        out.append(_Quote(s, e, words, before, stays))
    return out


def _inside(quotes: Sequence[_Quote], start: int, end: int) -> bool:
    return any(q.words >= QUOTE_MIN_WORDS and q.start < start and end <= q.end for q in quotes)


# ---------------------------------------------------------------------------
# Noun phrases and names


@dataclass(frozen=True, slots=True)
class _Ref:
    name: str  # display name: the registry name, else the words of the text
    source: Any | None  # registry Source
    vague: bool
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _NP:
    kind: str  # named | vague | pronoun | report | none
    refs: tuple[_Ref, ...]
    start: int
    end: int
    text: str
    head: str = ""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class _Ctx:
    text: str
    toks: list[_Tok]
    lex: _Lex
    registry: Any | None
    entities: tuple[tuple[int, int, str], ...] | None  # spaCy (start, end, label) or None
    quotes: tuple[_Quote, ...] = ()


def _span_text(ctx: _Ctx, i: int, j: int) -> str:
    if i >= j:
        return ""
    return ctx.text[ctx.toks[i].start : ctx.toks[j - 1].end]


#: Month and day names: capitalised inside a name ("Marc Février"), not names on their own.
_CALENDAR = frozenset(
    (  # noqa: SIM905 - a word list reads better as one string
        "janvier février mars avril mai juin juillet août septembre octobre novembre décembre "
        "lundi mardi mercredi jeudi vendredi samedi dimanche january february march april may "
        "june july august september october november december monday tuesday wednesday "
        "thursday friday saturday sunday"
    ).split()
)


def _name_mark(ctx: _Ctx, k: int) -> bool:
    """True for a "?" or "!" inside a name ("the consumer group Which? said", "Yahoo! said"):
    after a capitalised word and before a lower-case one."""
    toks = ctx.toks
    return (
        0 < k < len(toks) - 1
        and toks[k].text in "?!"
        and toks[k - 1].word
        and toks[k - 1].cap
        and toks[k + 1].word
        and not toks[k + 1].cap
    )


def _is_name_token(ctx: _Ctx, k: int) -> bool:
    tok = ctx.toks[k]
    if tok.word and tok.cap and k + 1 < len(ctx.toks) and _name_mark(ctx, k + 1):
        return True
    if not tok.word or not tok.cap or tok.low in ctx.lex.non_names:
        return False
    if tok.low in ctx.lex.participle_openers:
        return False  # "Interrogé, un cadre…": a participle opening the sentence
    if ctx.lex.nationalities.match(ctx.toks, k) == k + 1 or tok.low in ctx.lex.pre_adjectives:
        return tok.text.isupper() and len(tok.text) > 1  # "UN", "EU" are bodies
    return True


def _entity_at(ctx: _Ctx, start: int, end: int) -> bool:
    if ctx.entities is None:
        return True
    return any(s < end and start < e for s, e, _ in ctx.entities)


def _inside_name(ctx: _Ctx, k: int, j: int) -> bool:
    """A token that continues a name: a name token, or a capitalised adjective before one or
    a calendar word ("Notaires du Grand Paris", "Marc Février")."""
    toks = ctx.toks
    if _is_name_token(ctx, k):
        return True
    if not (toks[k].cap and toks[k].word):
        return False
    if toks[k].low in _CALENDAR:
        return not (k + 1 < j and toks[k + 1].low.isdigit())
    return toks[k].low not in ctx.lex.non_names and k + 1 < j and _is_name_token(ctx, k + 1)


def _name_runs(ctx: _Ctx, i: int, j: int) -> list[tuple[int, int]]:
    """Maximal runs of capitalised tokens in tokens i..j (particles allowed inside)."""
    runs: list[tuple[int, int]] = []
    k = i
    toks = ctx.toks
    while k < j:
        # A capitalised function word starts a name only before another capital
        # ("The Economist", "Le Monde").
        if (
            not _is_name_token(ctx, k)
            and not (
                toks[k].cap
                and toks[k].word
                and toks[k].low in {"the", "le", "la", "les", "l'"}
                and k + 1 < j
                and _is_name_token(ctx, k + 1)
                and k > 0
                and toks[k - 1].low not in ctx.lex.definite
            )
            and not (toks[k].low not in _CALENDAR and _inside_name(ctx, k, j))
        ):
            k += 1
            continue
        s = k
        k += 1
        while k < j:
            if (
                _inside_name(ctx, k, j)
                or (toks[k].word and toks[k].text.isupper())
                or (
                    toks[k].low in ctx.lex.particles
                    and k + 1 < j
                    and (
                        _inside_name(ctx, k + 1, j)
                        or (
                            toks[k + 1].low in ctx.lex.particles
                            and k + 2 < j
                            and _inside_name(ctx, k + 2, j)
                        )
                    )
                )
                or (toks[k].low in {"-", "."} and k + 1 < j and _is_name_token(ctx, k + 1))
            ):
                k += 1
            else:
                break
        # Drop leading titles ("Président Macron").
        while s < k:
            t_end = ctx.lex.titles.match(toks, s)
            if t_end == -1 or t_end >= k:
                break
            s = t_end
        runs.append((s, k))
    return runs


def _quoted_titles(ctx: _Ctx, i: int, j: int) -> list[tuple[int, int]]:
    """Short capitalised titles in quotation marks ("dans «Formiche.net»")."""
    out = []
    toks = ctx.toks
    k = i
    while k < j:
        if toks[k].text in _OPEN_QUOTES or toks[k].text == '"':
            m = k + 1
            while m < j and m - k <= 6 and toks[m].text not in _CLOSE_QUOTES + '"':
                m += 1
            if m < j and 1 < m - k <= 6 and toks[k + 1].cap:
                out.append((k + 1, m))
                k = m
        k += 1
    return out


def _registry_refs(ctx: _Ctx, i: int, j: int) -> list[_Ref]:
    if ctx.registry is None or i >= j:
        return []
    base = ctx.toks[i].start
    span = ctx.text[base : ctx.toks[j - 1].end]
    refs = []
    for m in ctx.registry.find_mentions(span):
        refs.append(_Ref(m.source.name, m.source, False, base + m.start, base + m.end))
    return refs


def _lookup(ctx: _Ctx, name: str) -> Any | None:
    if ctx.registry is None or not name:
        return None
    return ctx.registry.match_name(name)


def _name_refs(ctx: _Ctx, i: int, j: int, *, confirm: bool = True) -> list[_Ref]:
    """Registry mentions in tokens i..j, else proper-name runs, as named refs."""
    refs = _registry_refs(ctx, i, j)
    taken = [(r.start, r.end) for r in refs]
    spans = _quoted_titles(ctx, i, j) + _name_runs(ctx, i, j)
    for s, e in spans:
        start, end = ctx.toks[s].start, ctx.toks[e - 1].end
        if any(a < end and start < b for a, b in taken):
            continue
        if confirm and s == 0 and e - s == 1 and not _entity_at(ctx, start, end):
            continue  # a lone capitalised first word the parser does not call a name
        if s == _start_index(ctx) and e - s == 1 and _common_noun(ctx, s):
            continue  # "Investors warned…", "Notaires…": a common noun opening the sentence
        name = ctx.text[start:end]
        source = _lookup(ctx, name)
        refs.append(_Ref(source.name if source else name, source, False, start, end))
        taken.append((start, end))
    refs.sort(key=lambda r: r.start)
    return refs


def _determiner(ctx: _Ctx, i: int, j: int) -> tuple[str | None, int]:
    """("definite" | "indefinite" | None, index after the determiner)."""
    lex, toks = ctx.lex, ctx.toks
    end = lex.indefinite.match(toks, i)
    if (
        end != -1
        and end <= j
        and not (
            lex.language == "fr"
            and toks[i].low in {"des", "du"}
            and i > 0
            # "auprès des autorités" is "de" + "les"; "selon des sources" is indefinite
            and toks[i - 1].low == "auprès"
        )
    ):
        return "indefinite", end
    if i < j and (toks[i].low in lex.definite or toks[i].low in lex.possessives):
        return "definite", i + 1
    return None, i


def _head_at(ctx: _Ctx, k: int, j: int) -> tuple[str, int]:
    """The category of a head starting at token k ("" if none) and its end."""
    lex = ctx.lex
    for cat, phrases in (
        ("spokesperson", lex.spokesperson_heads),
        ("document", lex.document_heads),
        ("publication", lex.publication_heads),
        ("institution", lex.institution_heads),
        ("person", lex.person_roles),
        ("vague", lex.vague_heads),
    ):
        end = phrases.match(ctx.toks, k)
        if end != -1 and end <= j:
            return cat, end
    return "", k


def _head(ctx: _Ctx, i: int, j: int) -> tuple[str, int, int]:
    """Head of the noun phrase i..j: (category, start, end). English heads come last."""
    lex, toks = ctx.lex, ctx.toks
    k = i
    while k < j - 1 and (toks[k].low in lex.pre_adjectives or toks[k].low.isdigit()):
        k += 1
    if lex.language == "fr":
        cat, end = _head_at(ctx, k, j)
        return cat, k, end
    # English: the head is the last noun before a post-modifier.
    stop = k
    while (
        stop < j
        and toks[stop].word
        and toks[stop].low
        not in {
            "of",
            "for",
            "at",
            "from",
            "in",
            "with",
            "on",
            "who",
            "which",
            "that",
            "close",
            "familiar",
            "to",
            "by",
            "said",
            "says",
        }
    ):
        stop += 1
    best: tuple[str, int, int] = ("", k, k)
    for s in range(k, stop):
        cat, end = _head_at(ctx, s, stop)
        if cat and end == stop:
            return cat, s, end
        if cat and not best[0]:
            best = (cat, s, end)
    return best


def _qualified(ctx: _Ctx, i: int, j: int) -> bool:
    """True when tokens i..j carry a nationality ("sud-coréens", "Russian")."""
    return any(ctx.lex.nationalities.match(ctx.toks, k) != -1 for k in range(i, j))


def _core_end(ctx: _Ctx, i: int, j: int) -> int:
    """End of the core of a noun phrase: before a comma, a relative pronoun or a dash."""
    depth = 0
    for k in range(i, j):
        t = ctx.toks[k].low
        if t in "([":
            depth += 1
        elif t in ")]":
            depth = max(0, depth - 1)
        elif depth == 0 and (
            t in {",", ";", ":", "—", "–"} or (t in _NP_STOP and k > i and not ctx.toks[k].cap)
        ):
            return k
    return j


def _complement_start(ctx: _Ctx, k: int, j: int) -> int:
    """Index of the complement after a head ("de l'OSC", "of the Pentagon", "menée par")."""
    toks = ctx.toks
    m = k
    while m < j:
        t = toks[m].low
        if t in {"de", "du", "des", "d'", "of", "from", "by", "par", "for", "at", "to"}:
            return m + 1
        if t in ctx.lex.agent_participles or t in {"présentées", "présentés", "présentée"}:
            m += 1
            continue
        m += 1
    return -1


def _outside_parentheses(ctx: _Ctx, refs: list[_Ref], i: int, j: int) -> list[_Ref]:
    """Drop refs inside parentheses when a ref stands outside them ("X (chef de Y)")."""
    spans = []
    depth = 0
    for t in ctx.toks[i:j]:
        if t.text == "(":
            depth += 1
            if depth == 1:
                spans.append([t.start, len(ctx.text)])
        elif t.text == ")" and depth:
            depth -= 1
            if depth == 0:
                spans[-1][1] = t.end
    if not spans:
        return refs
    outside = [r for r in refs if not any(a <= r.start < b for a, b in spans)]
    return outside or refs


def _paren_start(ctx: _Ctx, i: int, j: int) -> int:
    """Index of the first "(" in tokens i..j, or j."""
    return next((m for m in range(i, j) if ctx.toks[m].text == "("), j)


def _vague_ref(ctx: _Ctx, i: int, j: int) -> _Ref:
    start, end = ctx.toks[i].start, ctx.toks[j - 1].end
    return _Ref(ctx.text[start:end], None, True, start, end)


#: Prepositions that open the complement of a head ("maire de Brest", "head of Ofcom").
_COMPLEMENT_PREPS = frozenset({"de", "du", "des", "d'", "of", "for", "at", "from"})

_FIRST_PERSON = frozenset({"je", "j'", "moi", "i", "my", "me", "mon", "ma", "mes"})
_FIRST_PERSON_POSSESSIVES = frozenset({"nos", "notre", "mes", "mon", "ma", "our", "my"})


def _genitive_owner(ctx: _Ctx, i: int, j: int) -> _NP | None:
    """The owner in an English genitive ("the council's survey" -> "the council")."""
    toks = ctx.toks
    for g in range(i + 1, j):
        if toks[g].low == "'s" or (toks[g].low == "'" and toks[g - 1].low.endswith("s")):
            s = g - 1
            while (
                s > i
                and toks[s - 1].word
                and toks[s - 1].low not in {"on", "in", "at", "from", "by", "of", "for", "to"}
            ):
                s -= 1
            owner = _classify(ctx, s, g, "agent")
            return owner if owner.kind != "none" else None
    return None


def _generic_group(ctx: _Ctx, i: int, j: int) -> bool:
    """True for an English bare plural of people ("European steelmakers", "economists"):
    lower-case words (adjectives or nationalities) ending in a plural noun of people."""
    toks, lex = ctx.toks, ctx.lex
    if lex.language != "en" or j - i > 4:
        return False
    for k in range(i, j):
        if not toks[k].word or (
            toks[k].cap
            and lex.nationalities.match(toks, k) == -1
            and not (k == _start_index(ctx) and _common_noun(ctx, k))
        ):
            return False
    return _people_plural(ctx, i, j)


def _people_plural(ctx: _Ctx, k: int, j: int) -> bool:
    """True when the noun phrase from its head k to j is a plural noun of people by its ending
    ("mareyeurs", "pharmaciens", "growers"): the head comes first in French, last in English."""
    toks, lex = ctx.toks, ctx.lex
    if k >= j or not lex.group_suffixes:
        return False
    at = k if lex.language == "fr" else j - 1
    head = toks[at]
    return (
        head.word
        and (not head.cap or (at == _start_index(ctx) and _common_noun(ctx, at)))
        and len(head.low) > 4
        and head.low.endswith(lex.group_suffixes)
        and not head.low.endswith(("ments", "ements"))
    )


def _common_noun(ctx: _Ctx, k: int) -> bool:
    """True when the capitalised word at k is a common noun written with a capital because it
    opens the sentence: a head of the lexicon or a plural noun of people ("Investors")."""
    toks, lex = ctx.toks, ctx.lex
    if not toks[k].cap or toks[k].text.isupper() or (k + 1 < len(toks) and toks[k + 1].cap):
        return False
    low = toks[k].low
    heads = (lex.person_roles, lex.institution_heads, lex.vague_heads, lex.document_heads)
    return any(low in h for h in heads) or (
        len(low) > 4 and bool(lex.group_suffixes) and low.endswith(lex.group_suffixes)
    )


def _whole_name(ctx: _Ctx, i: int, j: int) -> _Ref | None:
    """A name written with lower-case words inside it, standing alone as a noun phrase
    ("Voies navigables de France", "Météo-France"): the span from i to the end of the phrase,
    when it holds only words, name particles and adjectives, and no coordination."""
    toks, lex = ctx.toks, ctx.lex
    end = _paren_start(ctx, i, j)
    if end - i < 2 or end - i > 7:
        return None
    for m in range(i, end):
        t = toks[m]
        if not (t.word or t.text in {"-", "'"}) or t.low.isdigit():
            return None
        if t.low in {"et", "and", "ou", "or"} or t.low in lex.skip_words or t.low in _NP_STOP:
            return None
        if m > i and t.low in lex.verb_firsts and not t.cap:
            return None
    if not _is_name_token(ctx, end - 1):
        # "Voies navigables de France" ends on a name; "Cour des comptes" needs a determiner.
        return None
    start, stop = toks[i].start, toks[end - 1].end
    name = ctx.text[start:stop]
    source = _lookup(ctx, name)
    return _Ref(source.name if source else name, source, False, start, stop)


def _classify(ctx: _Ctx, i: int, j: int, role: str) -> _NP:
    """Classify the noun phrase in tokens i..j as a source.

    ``role`` is ``prep`` (after "selon": always a source, vague when unidentifiable),
    ``subject`` or ``agent`` (a source only when the phrase looks like one).
    """
    toks, lex = ctx.toks, ctx.lex
    while i < j and not toks[i].word and toks[i].text not in _OPEN_QUOTES + '"(':
        i += 1
    while j > i and not toks[j - 1].word and toks[j - 1].text not in _CLOSE_QUOTES + '")':
        j -= 1
    if i >= j:
        return _NP("none", (), 0, 0, "")
    core = _core_end(ctx, i, j)
    text = _span_text(ctx, i, core)
    start, end = toks[i].start, toks[core - 1].end

    def np(kind: str, refs: Sequence[_Ref] = (), head: str = "", reason: str = "") -> _NP:
        return _NP(kind, tuple(refs), start, end, text, head, reason)

    first = toks[i].low
    if core - i == 1 and (first in lex.anaphoric_pronouns or first in lex.subject_pronouns):
        return np("pronoun", head=first)
    ind = lex.indefinite_subjects.match(toks, i)
    if ind == core:
        return np("vague", [_vague_ref(ctx, i, core)], head=text, reason="indefinite pronoun")

    if toks[i].low in _FIRST_PERSON_POSSESSIVES:
        # "selon nos informations": the outlet's own, unidentified information; but "nos
        # confrères du Parisien" names someone.
        named = _name_refs(ctx, i + 1, core)
        if named:
            return np("named", named, reason="named colleagues")
        return np("vague", [_vague_ref(ctx, i, core)], reason="the outlet's own information")
    owner = _genitive_owner(ctx, i, core)
    if owner is not None and owner.kind in {"named", "report"}:
        return np(owner.kind, owner.refs, head=owner.head, reason="owned by " + owner.reason)
    det, k = _determiner(ctx, i, core)
    if (
        det != "indefinite"
        and toks[i].low not in lex.possessives
        and lex.official_bodies.match(toks, k) == core
    ):
        # "police said", "prosecutors told the jury", "selon les pompiers": the official
        # service of the place or case reported, identifiable.
        source = _lookup(ctx, text)
        name = source.name if source else _span_text(ctx, k, core)
        return np("named", [_Ref(name, source, False, start, end)], reason="official body")
    cat, hs, he = _head(ctx, k, core)
    head = _span_text(ctx, hs, he) if cat else ""
    after = he if cat else k
    comp = _complement_start(ctx, after, core) if cat else -1

    if not cat:
        refs = _outside_parentheses(ctx, _name_refs(ctx, i, core), i, core)
        if refs and det is None and refs[0].start == toks[i].start:
            whole = _whole_name(ctx, i, core)
            if whole is not None:
                return np("named", [whole], reason="proper name")
        if refs and det == "definite" and role in {"subject", "inverted", "prep", "agent"}:
            # "l'armateur Maersk", "le danois Maersk", "le vice-amiral Jean Dupont": a name
            # right after a description the lexicons do not know
            between = [m for m in range(k, core) if toks[m].end <= refs[0].start]
            if 1 <= len(between) <= 3 and all(
                toks[m].word
                and not toks[m].cap
                and toks[m].low not in _COMPLEMENT_PREPS
                and toks[m].low not in _ADJUNCT_PREPS
                and toks[m].low not in lex.definite
                and toks[m].low not in lex.skip_words
                for m in between
            ):
                return np("named", refs, reason="name after a description")
        if role == "object":
            # A noun phrase after the verb that may be its object: a source only when a name
            # is its head ("a annoncé mardi l'AFLD"), not inside a complement ("a révélé la
            # présence d'EPO").
            if refs and refs[0].start == toks[k if det else i].start:
                return np("named", refs, reason="proper name")
            return np("none")
        if refs and (
            role in {"prep", "agent", "inverted"} or det is None or refs[0].start == toks[k].start
        ):
            return np("named", refs, reason="proper name")
        comp = _complement_start(ctx, k + 1, core) if k < core else -1
        if (
            det == "definite"
            and refs
            and comp != -1
            and refs[0].start >= toks[comp].start
            and role in {"prep", "agent"}
        ):
            # "Le rectorat de Toulouse a indiqué": a body known by its place or owner.
            source = _lookup(ctx, text)
            name = source.name if source else _span_text(ctx, k, core)
            return np("named", [_Ref(name, source, False, start, end)], reason="named body")
        if (
            det == "definite"
            and toks[i].low not in lex.possessives
            and role in {"subject", "inverted"}
            and _people_plural(ctx, k, core)
        ):
            # "les mareyeurs", "the growers": a group named before, else an unidentified one.
            head_word = toks[k if lex.language == "fr" else core - 1].low
            return np("pronoun", head=head_word, reason="definite plural: refers to a group before")
        if lex.quantifiers.match(toks, i) not in {-1, core} and (
            role == "inverted" or _people_plural(ctx, k, core)
        ):
            # "plusieurs coureurs interrogés", "some growers": an unidentifiable group.
            return np("vague", [_vague_ref(ctx, i, core)], reason="indefinite group")
        if role in {"subject", "inverted"} and det is None and _generic_group(ctx, i, core):
            # "European steelmakers say": a class of people, not an identifiable source.
            return np("vague", [_vague_ref(ctx, i, core)], reason="generic group")
        if role == "inverted" and det is not None and k < core and toks[k].word:
            return np("vague", [_vague_ref(ctx, i, core)], reason="unidentified speaker")
        return np("none")

    comp_refs = _name_refs(ctx, comp, core) if comp != -1 else []
    if (
        lex.language == "en"
        and not comp_refs
        and cat in {"document", "spokesperson", "publication", "institution"}
        and hs > k
    ):
        # "a WikiLeaks document", "a Pentagon spokesman": the name comes before the head.
        comp_refs = _name_refs(ctx, k, hs, confirm=False)
    # A name right after the head names it ("l'agence Reuters", "le général Guerassimov").
    apposed = _name_refs(ctx, he, core) if he < core else []
    apposed = [
        r
        for r in apposed
        if r.start == toks[he].start
        or (toks[he].text in '«"“' and he + 1 < core and r.start == toks[he + 1].start)
    ]
    if toks[hs].cap and hs > i and det is not None and _is_name_token(ctx, hs):
        # A capitalised head after a determiner is a name ("l'Institut pour l'étude…").
        stop = core
        for m in range(hs, core):
            if (
                toks[m].text == "("
                or (toks[m].low in lex.skip_words and toks[m].low not in {"l'", "d'"})
                or toks[m].low.isdigit()
                or (
                    # "l'Organisation mondiale de la santé pour interrompre…": a purpose clause
                    toks[m].low in {"pour", "afin", "to"}
                    and m + 1 < core
                    and toks[m + 1].low.endswith(("er", "ir", "re", "oir"))
                    and not toks[m + 1].cap
                )
            ):
                stop = m
                break
        if lex.language == "en":
            # "the Environment Agency": capitalised words before the head are the name.
            while hs > k and toks[hs - 1].cap and toks[hs - 1].word:
                hs -= 1
        name = _span_text(ctx, hs, stop)
        refs = _registry_refs(ctx, hs, core)
        if not refs:
            source = _lookup(ctx, _span_text(ctx, hs, core)) or _lookup(ctx, name)
            refs = [
                _Ref(
                    source.name if source else name,
                    source,
                    False,
                    toks[hs].start,
                    toks[stop - 1].end,
                )
            ]
        return np("named", refs, head=head, reason="capitalised name")

    if (
        toks[i].low in lex.possessives
        and cat in {"document", "vague", "person"}
        and not (comp_refs or apposed)
    ):
        if cat == "document":
            # "selon son rapport annuel": the owner, named in the sentence or before.
            return np("pronoun", head=toks[hs].low, reason="possessive document: its owner")
        return np("pronoun", head=toks[hs].low, reason="possessive: refers to someone before")
    indefinite = det == "indefinite" or (
        det is None
        and lex.language == "en"
        and toks[hs].low.endswith("s")
        # a bare plural ("officials said"), capitalised only as the sentence's first word
        and (not toks[hs].cap or (hs == 0 and lex.person_roles.match(toks, hs) != -1))
        # "researchers at Wayne State University": people of a named body, who are its voice
        and not (comp_refs and he < core and toks[he].low in {"at", "of", "from"})
    )
    plural = toks[he - 1].low.endswith(("s", "x")) and toks[he - 1].low not in {
        "propos",
        "analysis",
        "news",
        "press",
        "bureaux",
    }

    if cat == "spokesperson":
        refs = apposed or comp_refs
        if not refs and comp != -1:
            sub = _classify(ctx, comp, core, "agent")
            refs = list(sub.refs) if sub.kind == "named" else []
            sub_cat = _head(ctx, _determiner(ctx, comp, core)[1], core)[0]
            if not refs and sub_cat in {"institution", "publication"}:
                # "une porte-parole du rectorat": on the record for a body.
                source = _lookup(ctx, _span_text(ctx, comp, core))
                refs = [
                    _Ref(
                        source.name if source else _span_text(ctx, comp, core),
                        source,
                        False,
                        toks[comp].start,
                        toks[core - 1].end,
                    )
                ]
        if refs:
            return np("named", refs, head=head, reason="spokesperson of a named body")
        if toks[i].low in lex.possessives:
            # "son porte-parole", "its spokesman": the spokesperson of a body named before
            return np("pronoun", head=toks[hs].low, reason="possessive: refers to someone before")
        return np("vague", [_vague_ref(ctx, i, core)], head=head, reason="anonymous spokesperson")

    if cat == "person":
        if apposed:
            return np("named", apposed, head=head, reason="named person")
        if indefinite or (det is None and lex.language == "fr" and plural):
            return np("vague", [_vague_ref(ctx, i, core)], head=head, reason="anonymous person")
        if det is None and lex.language == "fr":
            return np("none", head=head, reason="apposition")
        names = [
            r
            for r in _name_refs(ctx, he, core)
            # "le maire de Brest": a name in the complement is a place or a body, not him
            if not any(
                t.end <= r.start and toks[m + 1].start == r.start and t.low in _COMPLEMENT_PREPS
                for m, t in enumerate(toks[he:core], start=he)
                if m + 1 < len(toks)
            )
        ]
        if names:
            persons = [
                r
                for r in names
                if r.source is not None and str(getattr(r.source, "kind", "")) == "person"
            ]
            return np("named", persons or names[-1:], head=head, reason="named person")
        if _qualified(ctx, he, core) or comp_refs:
            source = _lookup(ctx, text)
            name = source.name if source else _span_text(ctx, k, core)
            return np(
                "named",
                [_Ref(name, source, False, start, end)],
                head=head,
                reason="identified by role",
            )
        if det == "definite" and not plural and lex.offices.match(toks, hs) != -1:
            # "le maire", "the governor": one office, identifiable in context.
            source = _lookup(ctx, text)
            name = source.name if source else _span_text(ctx, k, core)
            return np(
                "named",
                [_Ref(name, source, False, start, end)],
                head=head,
                reason="identified by office",
            )
        if det == "definite" and not plural:
            return np("pronoun", head=toks[hs].low, reason="definite: refers to someone before")
        if det == "definite" and toks[i].low not in lex.possessives:
            # "les notaires" after "les Notaires du Grand Paris": a group named before, else
            # an unidentified one.
            return np(
                "pronoun", head=toks[hs].low, reason="definite plural: refers to a group before"
            )
        return np("vague", [_vague_ref(ctx, i, core)], head=head, reason="unnamed person")

    if cat == "document":
        if comp_refs:
            return np("named", comp_refs, head=head, reason="document of a named source")
        if comp != -1:
            sub = _classify(ctx, comp, core, "agent")
            if sub.kind == "named":
                return np("named", sub.refs, head=head, reason="document of " + sub.reason)
        if apposed:
            return np("named", apposed, head=head, reason="named document")
        if lex.language == "en" and any(
            lex.institution_heads.match(toks, m) != -1 for m in range(k, hs)
        ):
            # "court documents", "police records", "council minutes": a body's own papers.
            source = _lookup(ctx, text)
            name = source.name if source else _span_text(ctx, k, core)
            return np(
                "named",
                [_Ref(name, source, False, start, end)],
                head=head,
                reason="documents of a body",
            )
        if any(toks[m].low in lex.document_origins for m in range(k, core)) or any(
            toks[m].low in lex.document_specifiers
            for m in range(he, min(core + 2, len(toks)))
            if m < core or toks[core].text == ","
        ):
            # "court documents", "les registres parlementaires": papers of an official origin;
            # "an internal memo seen by this newspaper", "the document, dated 14 October": a
            # copy identified by who saw it or its date. Only a bare indefinite stays vague.
            source = _lookup(ctx, text)
            name = source.name if source else _span_text(ctx, k, core)
            return np(
                "named",
                [_Ref(name, source, False, start, end)],
                head=head,
                reason="a specific document",
            )
        if det == "definite" and (
            any(
                toks[m].low in lex.agent_participles
                or toks[m].low.endswith(("ed", "ée", "ées", "és"))
                for m in range(he, core)
            )
            or (
                core + 1 < len(toks)
                and toks[core].text == ","
                and toks[core + 1].low in lex.agent_participles
            )
        ):
            # "les comptes déposés au greffe", "the tally published on the website".
            source = _lookup(ctx, text)
            name = source.name if source else _span_text(ctx, k, core)
            return np(
                "named",
                [_Ref(name, source, False, start, end)],
                head=head,
                reason="a specific document",
            )
        if indefinite or plural or det is None:
            return np(
                "vague", [_vague_ref(ctx, i, core)], head=head, reason="unidentified document"
            )
        if toks[i].low in lex.singular_definite:
            return np("report", head=toks[hs].low, reason="refers to a report named before")
        return np("vague", [_vague_ref(ctx, i, core)], head=head, reason="unidentified document")

    after_head = _name_refs(ctx, he, core) if he < core else []
    if cat == "publication":
        if apposed or comp_refs or after_head:
            return np(
                "named", apposed or comp_refs or after_head, head=head, reason="named publication"
            )
        if (
            det == "definite"
            and not plural
            and any(
                toks[m].low in _COMPLEMENT_PREPS for m in range(he, _paren_start(ctx, he, core))
            )
        ):
            # "l'agence régionale de santé": a description complete enough to name the body.
            source = _lookup(ctx, text)
            name = source.name if source else _span_text(ctx, k, _paren_start(ctx, k, core))
            return np(
                "named", [_Ref(name, source, False, start, end)], head=head, reason="named body"
            )
        if det == "definite" and not plural:
            return np(
                "pronoun",
                head=toks[hs].low,
                reason="definite: refers to a publication named before",
            )
        return np("vague", [_vague_ref(ctx, i, core)], head=head, reason="unnamed publication")

    if cat == "institution":
        if apposed:
            return np("named", apposed, head=head, reason="named body")
        if _unidentified_bodies(ctx, k, hs, he, core):
            # "les services de renseignement occidentaux", "foreign intelligence agencies":
            # several bodies, none identified
            return np("vague", [_vague_ref(ctx, i, core)], head=head, reason="unidentified bodies")
        refs = comp_refs or after_head or _name_refs(ctx, i, core)
        if refs:
            # "le ministère de la Santé": the body is the whole phrase, unless the registry
            # knows the name in it.
            source = _lookup(ctx, text)
            if source is None and any(r.source is not None for r in refs):
                return np(
                    "named",
                    [r for r in refs if r.source is not None],
                    head=head,
                    reason="named body",
                )
            name = source.name if source else _span_text(ctx, k, _paren_start(ctx, k, core))
            return np(
                "named", [_Ref(name, source, False, start, end)], head=head, reason="named body"
            )
        if _qualified(ctx, hs, core):
            source = _lookup(ctx, text)
            name = source.name if source else _span_text(ctx, k, core)
            return np(
                "named",
                [_Ref(name, source, False, start, end)],
                head=head,
                reason="body identified by nationality",
            )
        if det == "definite" and not plural:
            source = _lookup(ctx, text)
            name = source.name if source else _span_text(ctx, k, core)
            return np(
                "named", [_Ref(name, source, False, start, end)], head=head, reason="definite body"
            )
        return np("vague", [_vague_ref(ctx, i, core)], head=head, reason="unidentified body")

    # cat == "vague"
    if det == "definite" and comp_refs:
        return np("named", comp_refs, head=head, reason="members of a named body")
    return np("vague", [_vague_ref(ctx, i, core)], head=head, reason="indefinite source")


# ---------------------------------------------------------------------------
# Sentence analysis


@dataclass(frozen=True, slots=True)
class _Match:
    cue: str
    cue_start: int
    cue_end: int
    np: _NP
    kind: str  # preposition | subject | inverted | agent | phrase | medium


@dataclass(frozen=True, slots=True)
class _Analysis:
    matches: tuple[_Match, ...]
    hedges: tuple[str, ...]
    quotes: tuple[_Quote, ...]
    speech_anaphor: str | None  # "Sa remarque" opening the sentence
    report_anaphor: str | None  # "L'enquête" opening the sentence: its head noun
    persons: tuple[_Ref, ...]  # people mentioned who may speak next ("un ancien attaché…")
    starts_with_quote: bool
    ends_with_colon: bool
    opener: str | None = None  # an anaphoric opening that continues the previous sentence
    passive: str | None = None  # an agentless passive report ("ont été signalés")
    first_offset: int = 0  # where the sentence's first word starts (after connectors)
    first_person: bool = False  # the author speaks ("je", "I")
    list_item: bool = False  # a bullet or numbered item ("- ne pas s'approcher du feu ;")
    subject: tuple[_Ref, ...] = ()  # the named subject of the main clause, source or not


#: Forms of "être" that make the compound tenses of pronominal verbs ("s'est emporté").
_ETRE_FORMS = frozenset(
    {"est", "sont", "était", "étaient", "sera", "seront", "serait", "seraient", "fut", "furent"}
)


def _pronominal_before(ctx: _Ctx, i: int) -> bool:
    """True when the participle at i follows "s'est", "se sont"… (adverbs allowed between)."""
    toks = ctx.toks
    k = i - 1
    while k >= 0 and toks[k].low in ctx.lex.skip_words and toks[k].low not in {"s'", "se"}:
        k -= 1
    return k > 0 and toks[k].low in _ETRE_FORMS and toks[k - 1].low in {"s'", "se"}


def _skip_left(ctx: _Ctx, k: int) -> tuple[int, bool]:
    """Move left over adverbs, clitics and auxiliaries; (index, an auxiliary was seen)."""
    lex, toks = ctx.lex, ctx.toks
    aux = False
    while k >= 0:
        t = toks[k]
        if t.low in lex.auxiliaries or t.base in lex.auxiliaries:
            aux = True
            k -= 1
        elif t.low in _ETRE_FORMS and k > 0 and toks[k - 1].low in {"s'", "se"}:
            aux = True  # "s'est emporté", "se sont dits"
            k -= 2
        elif t.low in lex.skip_words:
            k -= 1
        else:
            for n in (1, 2, 3):
                if k >= n and lex.skippable.match(toks, k - n) == k + 1:
                    k -= n + 1
                    break
            else:
                break
    return k, aux


#: Clitics of the skippable list that are determiners after a verb ("précise l'agence",
#: "confie leur avocat", "a déclaré ce responsable"): skipped only before another skippable
#: word ("a annoncé ce mardi le ministre").
_RIGHT_DETERMINERS = frozenset({"l'", "leur", "ce", "cet", "cette"})


def _skip_right(ctx: _Ctx, k: int) -> int:
    lex, toks = ctx.lex, ctx.toks
    while k < len(toks):
        end = lex.skippable.match(toks, k)
        if end == -1:
            break
        if (
            end == k + 1
            and toks[k].low in _RIGHT_DETERMINERS
            and (end >= len(toks) or lex.skippable.match(toks, end) == -1)
        ):
            break
        k = end
    return k


_RELATIVES = frozenset({"qui", "who", "which", "whose", "lequel", "laquelle", "lesquels"})
# Relative pronouns that are not subjects ("Le maire, que nous avons rencontré, affirme…").
_OBJECT_RELATIVES = frozenset({"que", "qu'", "dont", "où", "whom"})


def _chunk_left(ctx: _Ctx, e: int, *, through_relatives: bool = False) -> int:
    """Start of the chunk ending at token e (exclusive), read leftwards to a boundary."""
    lex, toks = ctx.lex, ctx.toks
    s = e
    depth = 0
    while s > 0:
        t = toks[s - 1]
        if t.text == ")":
            depth += 1
        elif t.text == "(":
            if depth == 0:
                break
            depth -= 1
        elif depth == 0:
            if not t.word and (t.text in _BOUNDARY_PUNCT or t.text == "-"):
                if not (t.text == "." and s - 1 > 0 and _is_initial(toks[s - 2])) and not (
                    _name_mark(ctx, s - 1)
                ):
                    break
            elif (
                t.low in lex.clause_boundaries
                and t.low not in {"et", "and", "ou", "or"}
                and not (t.cap and s > 1)  # "the consumer group Which? said"
            ):
                if not (through_relatives and t.low in _RELATIVES | _OBJECT_RELATIVES):
                    break
            elif (
                t.low in lex.finite_verbs
                and not t.cap
                and not through_relatives
                and not (s > 1 and toks[s - 2].low in _NOUN_BEFORE)
            ):
                break  # "Mrs. Trump said she believes": the subject stops at "said"
        s -= 1
    return s


def _is_initial(tok: _Tok) -> bool:
    """An initial or title abbreviation before a dot ("U.S", "M", "Dr")."""
    return tok.text.isupper() or tok.low in {
        "dr",
        "m",
        "mr",
        "mrs",
        "ms",
        "st",
        "pr",
        "me",
        "mme",
        "gen",
        "sen",
        "rep",
        "gov",
        "lt",
        "col",
        "ltd",
        "inc",
        "co",
        "corp",
        "jr",
        "sr",
    }


def _is_apposition(ctx: _Ctx, s: int, e: int) -> bool:
    """A chunk between commas that describes the subject ("qui relaie…", "expert en…")."""
    toks = ctx.toks
    if s >= e:
        return False
    first = toks[s]
    if first.low in _RELATIVES or first.low in _NP_STOP:
        return True
    if first.low in {
        "from",
        "of",
        "de",
        "du",
        "des",
        "at",
        "à",
        "au",
        "aux",
        "in",
        "en",
        "placé",
        "placée",
        "chargé",
        "chargée",
        "based",
        "basé",
        "basée",
    }:
        return True
    if first.low in ctx.lex.clause_markers:
        return False  # "…, a été suspendu à titre provisoire, a annoncé X": a clause
    det, _k = _determiner(ctx, s, e)
    return det == "indefinite" or (det is None and first.word and not first.cap)


def _subject_left(ctx: _Ctx, cue_i: int) -> tuple[tuple[int, int] | None, bool]:
    """Subject span before a reporting verb, and whether the clause may be inverted.

    A comma, a quotation mark or "comme" before the verb makes inversion possible
    ("…», affirme X"); the span then skips appositions and relative clauses between commas
    ("Reuters, qui relaie…, a estimé").
    """
    toks = ctx.toks
    k, _aux = _skip_left(ctx, cue_i - 1)
    if k < 0:
        return None, True
    t = toks[k]
    if t.low in {"comme", "as"} or (
        t.low in {"l'", "le", "la"} and k > 0 and toks[k - 1].low in {"comme", "as"}
    ):
        return None, True
    if not t.word and not _name_mark(ctx, k):
        if t.text == ",":
            e = k
            skipped: list[tuple[int, int]] = []
            for _ in range(3):
                s = _chunk_left(ctx, e, through_relatives=True)
                if s < e and s > 0 and toks[s - 1].text == "," and _is_apposition(ctx, s, e):
                    skipped.append((s, e))
                    e = s - 1
                    continue
                break
            if e == k and _is_apposition(ctx, _chunk_left(ctx, e, through_relatives=True), e):
                return None, True
            s = _chunk_left(ctx, e)
            span = _antecedent(ctx, s, e)
            if span and toks[s].low in ctx.lex.participle_openers and s <= _start_index(ctx):
                # "Interrogé, un cadre …, qui a requis l'anonymat, évoque": the participle
                # opens the sentence; the subject is the noun phrase after it.
                subjects = [c for c in reversed(skipped) if toks[c[0]].low not in _RELATIVES]
                return (subjects[0] if subjects else None), True
            if span and s > 1 and toks[s - 1].text == ",":
                # "Rachel Dunn, the council's leader, told…": the name, not its apposition.
                ns = _chunk_left(ctx, s - 1)
                runs = _name_runs(ctx, ns, s - 1)
                if runs and runs[0] == (ns, s - 1):
                    span = (ns, s - 1)
            return (span if span and _length(ctx, *span) <= MAX_SUBJECT_TOKENS else None), True
        if t.text == ")":
            m = k
            depth = 0
            while m >= 0:
                if toks[m].text == ")":
                    depth += 1
                elif toks[m].text == "(":
                    depth -= 1
                    if depth == 0:
                        break
                m -= 1
            s = _chunk_left(ctx, m) if m > 0 else 0
            return ((s, k + 1) if s <= m else None), False
        return None, True
    e = k + 1
    s = _chunk_left(ctx, e)
    span = _antecedent(ctx, s, e)
    if span is None or _length(ctx, *span) > MAX_SUBJECT_TOKENS:
        return None, False
    return span, False


def _antecedent(ctx: _Ctx, s: int, e: int) -> tuple[int, int] | None:
    """The chunk s..e, or the noun phrase before it when it is a relative clause."""
    toks = ctx.toks
    if s > 0 and toks[s - 1].low in _RELATIVES and not (toks[s - 1].cap and s > 1):
        a = _chunk_left(ctx, s - 1)
        return (a, s - 1) if a < s - 1 else None
    return (s, e) if s < e else None


def _length(ctx: _Ctx, s: int, e: int) -> int:
    """Tokens in s..e outside parentheses."""
    depth = n = 0
    for t in ctx.toks[s:e]:
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            n += 1
    return n


def _np_right(ctx: _Ctx, k: int) -> tuple[int, int] | None:
    """Noun phrase starting at token k, read rightwards to a boundary or an adjunct."""
    toks, lex = ctx.toks, ctx.lex
    k = _skip_right(ctx, k)
    if k < len(toks) and toks[k].low in {"nous", "vous", "me", "m'", "lui", "leur"}:
        k = _skip_right(ctx, k + 1)
    if (
        k < len(toks)
        and (
            toks[k].low in {"à", "au", "aux", "to"}
            or (lex.language == "fr" and toks[k].low in _FR_FRAME_PREPS)
        )
        and not (
            toks[k].low == "to"
            and k + 1 < len(toks)
            and not (toks[k + 1].cap or toks[k + 1].low in lex.definite)
        )
    ):
        # An addressee or a setting before the inverted subject ("a précisé à l'AFP une
        # porte-parole", "a indiqué mardi en conférence de presse le commissaire X"): the
        # subject starts at the next determiner that is not part of the phrase ("d'un").
        m = k + 1
        while (
            m < len(toks)
            and m - k <= 5
            and toks[m].word
            and not (
                m > k + 1
                and (toks[m].low in ctx.lex.definite or ctx.lex.indefinite.match(toks, m) != -1)
                and toks[m - 1].low not in _COMPLEMENT_PREPS
                and toks[m].low not in {"de", "d'"}
            )
        ):
            m += 1
        if m < len(toks) and m - k <= 5 and toks[m].word:
            k = m
    if k >= len(toks) or not toks[k].word or toks[k].low in _ADJUNCT_PREPS:
        return None
    e = k
    depth = 0
    while e < len(toks):
        t = toks[e]
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            if depth == 0:
                break
            depth -= 1
        elif t.text == "." and e > k and _is_initial(toks[e - 1]):
            pass  # "M. Marchand", "U.S. officials"
        elif depth == 0 and (
            (not t.word and t.text in _BOUNDARY_PUNCT)
            or (e > k and t.low in _NP_STOP)
            or (e > k and t.low in _ADJUNCT_PREPS)
            or (e > k and t.low in lex.complement_openers)
        ):
            break
        e += 1
        if e - k > MAX_SUBJECT_TOKENS:
            return None
    return (k, e) if e > k else None


def _medium_after(ctx: _Ctx, k: int) -> list[_Match]:
    """A publication or outlet right after a reporting verb or its subject ("dans «X»")."""
    toks = ctx.toks
    if k >= len(toks) or toks[k].low not in _MEDIUM_PREPS:
        return []
    e = min(len(toks), k + 7)
    stop = k + 1
    while stop < e and (toks[stop].word or toks[stop].text in _QUOTE_CHARS + "'.-"):
        stop += 1
    refs = [
        r
        for r in _name_refs(ctx, k + 1, stop, confirm=False)
        if r.start <= toks[min(k + 3, stop - 1)].start
    ]
    if not refs:
        return []
    np = _NP("named", tuple(refs[:1]), refs[0].start, refs[0].end, refs[0].name, reason="medium")
    return [_Match(toks[k].text, toks[k].start, toks[k].end, np, "medium")]


def _prep_span(ctx: _Ctx, k: int) -> tuple[int, int, list[tuple[int, int]]]:
    """Span of the source after a prepositional cue, to the end of the phrase.

    Returns (start, end, extensions): extensions are the names joined by ", en collaboration
    avec X" or ", ainsi que X" after the main span.
    """
    toks = ctx.toks
    e = k
    extensions: list[tuple[int, int]] = []
    main_end = -1
    depth = 0
    quote_depth = 0
    while e < len(toks) and e - k < MAX_SPAN_TOKENS:
        t = toks[e]
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            depth = max(0, depth - 1)
        elif t.text in _OPEN_QUOTES:
            quote_depth += 1
        elif t.text in _CLOSE_QUOTES:
            quote_depth = max(0, quote_depth - 1)
        elif t.text == '"':
            quote_depth = 1 - quote_depth if quote_depth <= 1 else quote_depth
        elif depth == 0 and quote_depth == 0:
            if t.text == "." and e > k and _is_initial(toks[e - 1]):
                e += 1
                continue
            if not t.word and t.text in ",;:.!?—–…":
                # Continue over ", en collaboration avec X" and similar extensions.
                nxt = toks[e + 1].low if e + 1 < len(toks) else ""
                nxt2 = toks[e + 2].low if e + 2 < len(toks) else ""
                if t.text == "," and (
                    (nxt == "en" and nxt2 in {"collaboration", "partenariat", "coopération"})
                    or nxt in {"ainsi", "avec", "as", "along", "together"}
                ):
                    if main_end == -1:
                        main_end = e
                    m = e + 1
                    while (
                        m < len(toks)
                        and m - e <= 4
                        and toks[m].low not in {"avec", "que", "with", "by"}
                    ):
                        m += 1
                    ext_start = m + 1
                    e = ext_start
                    while e < len(toks) and (toks[e].word or toks[e].text in "()'-.«»\"“”"):
                        e += 1
                    extensions.append((ext_start, e))
                    continue
                break
            if e > k and t.low in {"que", "qu'", "that", "qui", "who", "which"}:
                break
        e += 1
    return k, (main_end if main_end != -1 else e), extensions


_PASSIVE_FILLERS = frozenset(
    {
        "a",
        "ont",
        "avait",
        "avaient",
        "aurait",
        "auraient",
        "été",
        "est",
        "sont",
        "était",
        "étaient",
        "serait",
        "seraient",
        "sera",
        "seront",
        "is",
        "are",
        "was",
        "were",
        "been",
        "be",
        "being",
        "has",
        "have",
        "had",
        "out",
    }
)


def _qualifies_information(ctx: _Ctx, i: int) -> bool:
    """Whether the participle at ``i`` qualifies a report, document, data or words (its noun,
    then at most two adjectives, stand just before it, a comma allowed): "une étude danoise
    menée par", "the figures, provided by", but not "l'attaque aurait été menée par"."""
    lex = ctx.lex
    words = commas = 0
    k = i - 1
    while k >= 0 and words < 3:
        tok = ctx.toks[k]
        k -= 1
        if not tok.word:
            commas += tok.low == ","
            if tok.low != "," or commas > 1:
                return False
            continue
        if tok.low in _PASSIVE_FILLERS:
            continue
        if tok.low in lex.document_heads or tok.low in lex.speech_nouns:
            return True
        words += 1
    return False


_VIEW_FRAMES = frozenset({"pour", "for"})


def _view_frame(ctx: _Ctx, earlier: Sequence[_Match]) -> list[_Match]:
    """ "Pour plusieurs analystes, la reprise vise…", "Pour elle, …", "For the ISW, …": a
    sentence opened by "pour"/"for", a person, a group or a known source, and a comma gives
    that holder's view. A place or a state is not a holder ("Pour Moscou, l'enjeu est
    vital" is the author's analysis of Moscow's stakes)."""
    toks, lex = ctx.toks, ctx.lex
    i = _start_index(ctx)
    if i >= len(toks) or toks[i].low not in _VIEW_FRAMES:
        return []
    comma = next((m for m in range(i + 1, min(len(toks), i + 12)) if toks[m].text == ","), None)
    if comma is None or comma == i + 1 or any(m.cue_start < toks[comma].start for m in earlier):
        return []
    np = _classify(ctx, i + 1, comma, "prep")
    if np.kind == "pronoun":
        keep = comma - i == 2 and toks[i + 1].low in lex.anaphoric_pronouns
    elif np.kind == "vague":
        keep = np.reason not in {"unidentified speaker", "impersonal or indefinite source"}
    elif np.kind == "named":
        # a person or a source the registry knows, not a place ("Pour Moscou"); a name with
        # a role in apposition is a person ("Pour Anne Roy, chercheuse au CNRS, …")
        keep = (
            any(r.source is not None for r in np.refs)
            or any(word in np.reason for word in ("person", "role", "spokesperson", "office"))
            or (
                comma + 1 < len(toks)
                and (
                    lex.person_roles.match(toks, comma + 1) != -1
                    or (
                        lex.indefinite.match(toks, comma + 1) != -1
                        and lex.person_roles.match(toks, lex.indefinite.match(toks, comma + 1))
                        != -1
                    )
                )
            )
        )
    else:
        keep = False
    if not keep:
        return []
    return [_Match(toks[i].text, toks[i].start, toks[i].end, np, "preposition")]


def _find_matches(ctx: _Ctx, quotes: Sequence[_Quote]) -> list[_Match]:
    toks, lex = ctx.toks, ctx.lex
    matches: list[_Match] = []
    used: set[int] = set()  # tokens consumed by a cue
    n = len(toks)
    i = 0
    while i < n:
        t = toks[i]
        low, base = t.low, t.base
        if (
            t.word
            and i >= 2
            and toks[i - 1].text == ","
            and i not in used
            and toks[i - 2].text in _CLOSE_QUOTES + '"'
            and lex.verbs.match(toks, i, base=True) == -1
            and lex.weak_verbs.match(toks, i, base=True) == -1
            and (i + 1 >= len(toks) or lex.participles.match(toks, i + 1, base=True) == -1)
        ):
            # « … », ironise le ministre: a verb right after a quotation introduces its
            # speaker, whatever the verb.
            found = _unlisted_incise(ctx, i)
            if found:
                matches.extend(found)
                i += 1
                continue
        if not t.word or (
            low not in lex.prep.firsts
            and base not in lex.verb_firsts
            and low not in lex.agent_participles
        ):
            i += 1
            continue
        if _inside(quotes, t.start, t.end):
            # Inside a quotation only a speaker tag counts (« …, affirme-t-il, … »).
            matches.extend(_incise(ctx, i))
            i += 1
            continue
        # 1. Prepositional cues.
        end = lex.prep.match(toks, i) if low in lex.prep.firsts else -1
        if end != -1 and not (
            lex.language == "en"
            and t.low == "per"
            and end == i + 1
            and (i + 1 >= n or not toks[i + 1].cap)
        ):
            s, e, extensions = _prep_span(ctx, end)
            np = _classify(ctx, s, e, "prep")
            if (
                np.kind == "none"
                and toks[end - 1].low in {"source", "sources"}
                and 0 < e - s <= 3
                and toks[s].low not in _COMPLEMENT_PREPS  # "changer de source d'énergie"
            ):
                # "de source ferroviaire", "de sources judiciaires": a kind of source, unnamed
                ref = _Ref(_span_text(ctx, i, e), None, True, t.start, toks[e - 1].end)
                np = _NP(
                    "vague", (ref,), t.start, toks[e - 1].end, ref.name, reason="kind of source"
                )
            if np.kind != "none":
                cue = _span_text(ctx, i, end)
                matches.append(_Match(cue, t.start, toks[end - 1].end, np, "preposition"))
                for xs, xe in extensions:
                    ext = _classify(ctx, xs, xe, "agent")
                    if ext.kind == "named":
                        matches.append(_Match(cue, t.start, toks[end - 1].end, ext, "preposition"))
                used.update(range(i, end))
                # A second named source in an apposition ("Selon X (chef de Y)") is part
                # of the same span; nothing else to do.
                i = end
                continue
        # 2. Reporting verbs (finite forms, or participles after an auxiliary). A capitalised
        # form inside the sentence is a name ("the United States", "Doctors Won't Tell").
        capitalised = t.cap and i > _start_index(ctx)
        if i > 0 and toks[i - 1].low in (
            _EN_NOT_VERB_BEFORE if lex.language == "en" else _FR_NOT_VERB_BEFORE
        ):
            capitalised = True  # "the proposed treaties", "une note": not a reporting verb
        end, weak, participle = -1, False, False
        if not capitalised:
            end = lex.verbs.match(toks, i, base=True, gap=lex.skip_words)
        if end == -1 and not capitalised:
            end = lex.weak_verbs.match(toks, i, base=True)
            weak = end != -1
        if end != -1 and i > 0 and toks[i - 1].low in {"se", "s'"}:
            end, weak = -1, False  # "s'ajouteraient", "se rapporte à": another verb
        if end == -1 and not capitalised:
            end = lex.participles.match(toks, i, base=True)
            participle = end != -1
            if participle and not _skip_left(ctx, i - 1)[1]:
                end = -1  # a participle reports only after an auxiliary
        if end == -1 and not capitalised and _pronominal_before(ctx, i):
            end = lex.pronominal_participles.match(toks, i, base=True)
            participle = end != -1
        after_verb = _skip_right(ctx, end) if end != -1 else n
        if (
            end != -1
            and t.base in lex.plan_verbs
            and after_verb + 1 < n
            and toks[after_verb].low in {"de", "d'"}
            and toks[after_verb + 1].low.endswith(("er", "ir", "re", "oir"))  # an infinitive
        ):
            end = -1  # "a prévu de lancer": a plan, an act; "prévoit une baisse" forecasts
        if end != -1 and i not in used:
            found = _verb_match(ctx, i, end, weak=weak, participle=participle)
            if found:
                matches.extend(found)
                used.update(range(i, end))
                i = end
                continue
        # 2b. Present participles: "is insisting", "…, adding that…".
        end = lex.gerunds.match(toks, i) if not capitalised else -1
        if end != -1:
            found = _gerund_match(ctx, i, end, matches)
            if found:
                matches.extend(found)
                used.update(range(i, end))
                i = end
                continue
        # 3. Agents of participles ("considéré comme peu fiable par les experts").
        if t.low in lex.agent_participles and (
            t.low not in lex.production_participles or _qualifies_information(ctx, i)
        ):
            m = i + 1
            while m < n and m - i <= 6 and toks[m].word and toks[m].low not in lex.agent_preps:
                m += 1
            if m < n and toks[m].low in lex.agent_preps and m + 1 < n:
                s, e, _ext = _prep_span(ctx, m + 1)
                np = _classify(ctx, s, e, "agent")
                if np.kind in {"named", "vague"} or (
                    np.kind == "pronoun" and np.reason.startswith("definite plural")
                ):
                    cue = f"{t.text} … {toks[m].text}" if m > i + 1 else f"{t.text} {toks[m].text}"
                    matches.append(_Match(cue, t.start, toks[m].end, np, "agent"))
                    used.update(range(i, m + 1))
                    i = m + 1
                    continue
        i += 1
    # 3a. Where a report appeared: "a paper published on Wednesday in the journal Nature".
    matches.extend(_published_in(ctx, matches))
    # 3b. A fronted frame naming a document ("In her Instagram post on Sunday, …", "Dans son
    # communiqué, …", "Under the draft, seen by this publication, …").
    matches.extend(_document_frame(ctx, matches))
    # 3c. A view framed as someone's at the head of the sentence ("Pour plusieurs analystes,
    # …", "Pour elle, …", "For the ISW, …").
    matches.extend(_view_frame(ctx, matches))
    # 4. Vague phrases anywhere (impersonal reports, indefinite sources).
    covered = [(m.np.start, m.np.end) for m in matches] + [
        (m.cue_start, m.cue_end) for m in matches
    ]
    gap = lex.skip_words
    vague_firsts = lex.vague_phrases.firsts
    for i in range(n):
        if toks[i].low not in vague_firsts or _inside(quotes, toks[i].start, toks[i].end):
            continue
        end = lex.vague_phrases.match(toks, i, gap=gap)
        if end == -1:
            continue
        start, stop = toks[i].start, toks[end - 1].end
        impersonal = [m for m in matches if m.np.kind == "pronoun" and start <= m.np.start < stop]
        if impersonal:
            # "Il se murmure que…": the pronoun is impersonal, not a speaker.
            matches = [m for m in matches if m not in impersonal]
            covered = [(m.np.start, m.np.end) for m in matches] + [
                (m.cue_start, m.cue_end) for m in matches
            ]
        if any(a < stop and start < b for a, b in covered):
            continue
        words = ctx.text[start:stop]
        ref = _Ref(words, None, True, start, stop)
        np = _NP("vague", (ref,), start, stop, words, reason="impersonal or indefinite source")
        matches.append(_Match(words, start, stop, np, "phrase"))
        covered.append((start, stop))
    matches.sort(key=lambda m: m.cue_start)
    return matches


def _published_in(ctx: _Ctx, earlier: Sequence[_Match]) -> list[_Match]:
    """ "published on Wednesday in the journal Marine Biodiversity", "paru dans Le Monde": the
    publication a report appeared in is its source."""
    toks, lex = ctx.toks, ctx.lex
    out: list[_Match] = []
    taken = [(m.np.start, m.np.end) for m in earlier if m.np.kind == "named"]
    preps = {"in"} if lex.language == "en" else {"dans", "sur"}
    for i, t in enumerate(toks):
        if t.low not in lex.publication_participles:
            continue
        m = i + 1
        while m < len(toks) and m - i <= 5 and toks[m].low not in preps:
            if not toks[m].word and toks[m].text not in "'":
                break
            m += 1
        if m >= len(toks) or toks[m].low not in preps:
            continue
        s, e, _ext = _prep_span(ctx, m + 1)
        np = _classify(ctx, s, e, "agent")
        det_end = _determiner(ctx, s, e)[1]
        if np.kind != "named" or any(a <= np.start < b for a, b in taken):
            continue
        if _head(ctx, det_end, e)[0] != "publication" and not any(
            r.source is not None for r in np.refs
        ):
            continue
        out.append(_Match(f"{t.text} … {toks[m].text}", t.start, toks[m].end, np, "medium"))
    return out


def _document_frame(ctx: _Ctx, earlier: Sequence[_Match]) -> list[_Match]:
    """A sentence-initial "In/Dans/Under + document," frame: the document is its source."""
    toks, lex = ctx.toks, ctx.lex
    k = _start_index(ctx)
    if k >= len(toks) or toks[k].low not in lex.frame_prepositions:
        return []
    comma = next((m for m in range(k + 1, min(len(toks), k + 12)) if toks[m].text == ","), -1)
    if comma == -1 or any(m.cue_start <= toks[k].start < m.cue_end for m in earlier):
        return []
    np = _classify(ctx, k + 1, comma, "prep")
    _det, after = _determiner(ctx, k + 1, comma)
    if np.kind in {"none", "vague"} or _head(ctx, after, _core_end(ctx, after, comma))[0] != (
        "document"
    ):
        return []  # "In an interview Monday, Trump said": the speaker follows
    return [_Match(toks[k].text, toks[k].start, toks[k].end, np, "preposition")]


_EN_NOT_VERB_BEFORE = frozenset(
    {
        "the",
        "a",
        "an",
        "its",
        "their",
        "his",
        "her",
        "this",
        "that",
        "these",
        "those",
        "to",
        "our",
        "my",
        "your",
    }
)


# Determiners and prepositions after which a French verb form is a noun ("une note", "son
# annonce", "pas de doute", "sans doute"): a finite verb never follows them.
_FR_NOT_VERB_BEFORE = frozenset(
    (  # noqa: SIM905 - a word list reads better as one string
        "un une des du au aux ce cet cette son sa ses mon ma mes ton ta tes notre nos votre vos "
        "leurs chaque quelque quelques nul nulle aucun aucune de d' par pour sans avec sur dans "
        "entre vers chez sous à"
    ).split()
)
# Words after which a verb form read leftwards is a noun ("l'annonce du ministre").
_NOUN_BEFORE = _FR_NOT_VERB_BEFORE | _EN_NOT_VERB_BEFORE | {"le", "la", "l'", "les"}


def _gerund_match(ctx: _Ctx, i: int, end: int, earlier: Sequence[_Match]) -> list[_Match]:
    """A present participle reporting for the clause's subject."""
    toks, lex = ctx.toks, ctx.lex
    k = i - 1
    while k >= 0 and toks[k].low in lex.skip_words:
        k -= 1
    for s in range(max(0, k - 1), k + 1):
        if lex.progressive_auxiliaries.match(toks, s) == k + 1:
            # "Donald Trump is insisting": a finite verb in the progressive.
            found = _verb_match(ctx, s, end, weak=False, participle=False)
            return [m for m in found if m.kind != "inverted"]
    if k >= 0 and (
        toks[k].text == ","
        or toks[k].low in {"while", "before", "after", "en", "tout", "and", "et"}
    ):
        previous = [m for m in earlier if m.kind in {"subject", "inverted", "preposition"}]
        # "Veltra cut its forecast on Tuesday, blaming weak demand": with no report verb before,
        # the participle reports for the named subject of the sentence.
        subject = previous[-1].np if previous else None
        if subject is None and toks[k].text == ",":
            subject = _named_subject(ctx)
        if subject is not None:
            return [
                _Match(
                    _span_text(ctx, i, end), toks[i].start, toks[end - 1].end, subject, "subject"
                )
            ]
    return []


# Words that cannot be the verb of a speaker tag ("», et la foule…").
_NOT_A_VERB = frozenset(
    (  # noqa: SIM905 - a word list reads better as one string
        "et mais ou donc car or ni puis and but so then le la les l' un une des du de d' the a an "
        "en dans à au aux pour par sur avec sans in on at for with by from of to qui que qu' dont "
        "who which that ce cette ces cet il elle ils elles he she they it we i nous vous je you "
        "selon according comme as si if when quand lorsque même even not ne n' pas plus "
        "avant après depuis pendant lors dès jusqu' malgré alors ainsi aussi tandis puisque "
        "parce afin sauf vers chez entre sous contre parmi notamment surtout désormais "
        "toujours encore déjà before after while since until during though although because "
        "whereas including"
    ).split()
)


def _unlisted_incise(ctx: _Ctx, i: int) -> list[_Match]:
    """A speaker tag after a quotation with a verb the lexicon lacks (« … », ironise X)."""
    toks, lex = ctx.toks, ctx.lex
    t = toks[i]
    end = i + 1
    if t.low in {"s'", "se"} and end < len(toks) and toks[end].word:
        end += 1  # "s'insurge"
        t = toks[end - 1]
    if (
        t.cap
        or t.low in lex.skip_words
        or t.low.isdigit()
        or (t.low in _NOT_A_VERB and not (lex.language == "fr" and t.low == "a"))
    ):
        return []
    if (
        (t.low in lex.auxiliaries or (t.low in _ETRE_FORMS and end - i == 2))
        and end < len(toks)
        and toks[end].word
        and (toks[end].low.endswith(("é", "ée", "és", "ées", "i", "u", "it", "is", "ed")))
    ):
        end += 1  # "a ironisé", "s'est emporté"
    if t.pron:
        tag = _NP("pronoun" if t.pron != "on" else "vague", (), t.start, t.end, t.pron, head=t.pron)
        start = toks[i].start
        return [_Match(_span_text(ctx, i, end), start, toks[end - 1].end, tag, "inverted")]
    right = _np_right(ctx, end)
    if right is None:
        return []
    first = toks[right[0]]
    if not (
        first.cap
        or first.low in lex.definite
        or lex.indefinite.match(toks, right[0]) != -1
        or first.low in lex.possessives
    ):
        return []
    np = _classify(ctx, right[0], right[1], "inverted")
    if np.kind == "none":
        return []
    np = _with_apposed_name(ctx, np, right[1])
    return [_Match(_span_text(ctx, i, end), toks[i].start, toks[end - 1].end, np, "inverted")]


def _incise(ctx: _Ctx, i: int) -> list[_Match]:
    """A speaker tag inside quotation marks: ", affirme X," or ", dit-il"."""
    toks, lex = ctx.toks, ctx.lex
    if (i == 0 or toks[i - 1].text != ",") and not (
        i >= 2
        and toks[i - 1].low in lex.auxiliaries | {"a-t-il", "a-t-elle"}
        and toks[i - 2].text == ","
    ):
        return []
    end = lex.verbs.match(toks, i, base=True)
    weak = participle = False
    if end == -1:
        end = lex.weak_verbs.match(toks, i, base=True)
        weak = end != -1
    if end == -1:
        end = lex.participles.match(toks, i, base=True)
        participle = end != -1
    if end == -1:
        return []
    found = _verb_match(ctx, i, end, weak=weak, participle=participle)
    return [m for m in found if m.kind in {"inverted", "medium"}]


_COORDINATORS = frozenset({"and", "et"})


def _noun_not_verb(ctx: _Ctx, i: int, end: int) -> bool:
    """Whether the verb form at tokens i..end is the head of a noun phrase.

    "Member states have until…", "the United States", "les dits accords": a form that makes a
    compound with the noun before it, or one that opens the sentence after a single word and is
    itself followed by a finite verb ("Nation states are…": the form is that verb's subject).
    """
    toks, lex = ctx.toks, ctx.lex
    for s in range(max(0, i - 3), i):
        if lex.noun_compounds.match(toks, s) == end:
            return True
    return (
        i - 1 == _start_index(ctx)
        and toks[i - 1].word
        and end < len(toks)
        and toks[end].low in lex.finite_followers
    )


def _verb_match(ctx: _Ctx, i: int, end: int, *, weak: bool, participle: bool) -> list[_Match]:
    toks, lex = ctx.toks, ctx.lex
    t = toks[i]
    if _noun_not_verb(ctx, i, end):
        return []
    cue_start = t.start
    k, _aux = _skip_left(ctx, i - 1)
    if participle and k + 1 < i:
        cue_start = toks[k + 1].start
    cue = ctx.text[cue_start : toks[end - 1].end]
    after = _skip_right(ctx, end)
    complement = any(
        toks[m].low in lex.complement_openers or toks[m].text in _OPEN_QUOTES
        for m in range(after, min(len(toks), after + 3))
    ) or any(q.start > toks[end - 1].end and q.words >= QUOTE_MIN_WORDS for q in ctx.quotes)
    if ctx.text.rstrip().endswith(":"):
        complement = True  # "La préfecture rappelle les consignes :" announces a list or quote
    out: list[_Match] = []
    # Inverted pronoun ("affirme-t-il", "a-t-il déclaré"): the source is the pronoun.
    pron = t.pron or next((toks[m].pron for m in range(k + 1, i) if toks[m].pron), None)
    if pron:
        kind = "vague" if pron == "on" else "pronoun"
        refs = (_Ref("on", None, True, t.start, t.end),) if kind == "vague" else ()
        tag = _NP(kind, refs, t.start, t.end, pron, head=pron)
        out.append(_Match(cue, cue_start, toks[end - 1].end, tag, "inverted"))
        return out + _medium_after(ctx, after)
    if (
        lex.language == "fr"
        and k >= 1
        and toks[k].low in {"que", "qu'"}
        and toks[k - 1].low == "ce"
    ):
        # "C'est ce qu'a annoncé lundi le parquet", "Voilà ce que montrent les images de
        # Maxar": after "ce que" the subject of the report comes after its verb.
        right = _np_right(ctx, end)
        if right is not None:
            cand = _classify(ctx, right[0], right[1], "inverted")
            if cand.kind in {"named", "report", "pronoun"} or (
                cand.kind == "vague" and cand.reason != "unidentified speaker"
            ):
                np_ce = _with_apposed_name(ctx, cand, right[1])
                match = _Match(cue, cue_start, toks[end - 1].end, np_ce, "inverted")
                return [match, *_medium_after(ctx, _skip_right(ctx, right[1]))]
    left, invertible = _subject_left(ctx, i)
    np: _NP | None = None
    kind = "subject"
    if k > 0 and toks[k].low in _COORDINATORS and toks[k - 1].word:
        # "Coach Anna Berg was asked about it and said: …", "Le maire s'est rendu sur place
        # et a déclaré…": a second predicate shares the subject of the sentence.
        np = _sentence_subject(ctx)
        if np is not None:
            left = None
    right = _np_right(ctx, end) if invertible else None
    if right is not None and toks[right[0]].low in lex.complement_openers:
        right = None
    # After a quotation the subject follows the verb (« … », affirme X); elsewhere the
    # subject before the verb comes first ("Tom Pryce, who runs a café, said his…").
    if right is not None and _after_quote(ctx, i):
        cand = _classify(ctx, right[0], right[1], "inverted")
        if cand.kind != "none":
            np, kind = _with_apposed_name(ctx, cand, right[1]), "inverted"
            after = _skip_right(ctx, right[1])
    if (
        np is None
        and right is not None
        and t.base not in lex.addressee_verbs
        and k >= 0
        and toks[k].text == ","
        and (left is None or _is_clause(ctx, *left))
        and _ends_tag(ctx, right[1])
        and not any(toks[m].low in _ADJUNCT_PREPS for m in range(end, right[0]))
    ):
        # "…, précisent les notaires, loin du pic…": after a full clause, a reporting verb
        # followed by a noun phrase that ends the clause is a speaker tag with its subject
        # inverted, whatever the verb's list (a weak verb needs no complement here).
        cand = _classify(ctx, right[0], right[1], "inverted")
        if cand.kind != "none":
            np, kind = _with_apposed_name(ctx, cand, right[1]), "inverted"
            after = _skip_right(ctx, right[1])
    if np is None and left is not None and not _is_clause(ctx, *left):
        if _in_relative(ctx, left[0]):
            # "un prix que l'opposition juge « bradé »": the report qualifies a noun of a
            # clause that is the author's; it is not the sentence's source.
            return []
        cand = _classify(ctx, left[0], left[1], "subject")
        if cand.kind != "none":
            np = cand
    if np is None and right is not None and t.base not in lex.addressee_verbs:
        # ("told Reuters the plot…": what follows "told" is who was told, not who told)
        cand = _classify(ctx, right[0], right[1], "object")
        if (
            cand.kind in {"named", "pronoun"}
            or (cand.kind == "vague" and left is None)
            # "Le lien persiste, précise l'étude": a tag naming the study named before
            or (cand.kind == "report" and toks[k].text == "," and _ends_tag(ctx, right[1]))
        ):
            np, kind = _with_apposed_name(ctx, cand, right[1]), "inverted"
            after = _skip_right(ctx, right[1])
    if np is None and _anonymity(ctx):
        # "A senior official, who spoke on condition of anonymity because…, told…": the
        # subject is out of reach behind its clause, but the sentence says it is anonymous.
        # the first stretch between commas that is not an opening participle ("Asked about
        # it, …") nor a relative or participial clause
        bounds = [_start_index(ctx) - 1] + [m for m in range(i) if toks[m].text == ","]
        segments = [(a + 1, b) for a, b in itertools.pairwise(bounds) if b > a + 1]
        segments = [
            (a, b)
            for a, b in segments
            if toks[a].word
            and toks[a].low not in lex.participle_openers
            and toks[a].low not in _RELATIVES
            and not toks[a].low.endswith(("ant", "ing"))
        ]
        s0, e0 = segments[0] if segments else (0, None)
        if e0 is not None and _length(ctx, s0, e0) <= MAX_SUBJECT_TOKENS:
            words = _span_text(ctx, s0, e0)
            ref = _Ref(words, None, True, toks[s0].start, toks[e0 - 1].end)
            np = _NP("vague", (ref,), ref.start, ref.end, words, reason="anonymous speaker")
    if np is None:
        return []
    if (
        weak
        and kind == "subject"
        and not complement
        and not (
            (
                np.kind == "pronoun"
                and np.start == toks[_start_index(ctx)].start
                and not np.reason.startswith("definite plural")
            )
            or np.kind == "report"
            or "document" in np.reason
            # "Others think…", "some recent polls show her ahead": a vague group or document
            # reports with a bare clause; a company does not ("a brand has recalled…").
            or (np.kind == "vague" and np.reason in _VAGUE_REPORTERS)
            or (t.base in lex.opinion_verbs and np.kind in {"vague", "pronoun"})
        )
    ):
        return []
    out.append(_Match(cue, cue_start, toks[end - 1].end, np, kind))
    return out + _medium_after(ctx, after)


#: Words before "que" that make a conjunction, not a relative pronoun ("alors que").
_CONJUNCTION_BEFORE_QUE = frozenset(
    (  # noqa: SIM905 - a word list reads better as one string
        "alors parce bien tandis ainsi lors pendant avant après sans pour afin sorte moins plus "
        "tant autant si même sauf outre maintenant dès depuis pourvu encore soit tel telle "
        "so now given such provided except"
    ).split()
)


def _in_relative(ctx: _Ctx, s: int) -> bool:
    """True when the subject at s opens a relative clause on a noun ("un prix que
    l'opposition juge…", "the figure that critics dispute"): "que"/"that" after a noun that
    a determiner introduces."""
    toks, lex = ctx.toks, ctx.lex
    if s < 3 or toks[s - 1].low not in {"que", "qu'", "that", "which", "whom"}:
        return False
    n = s - 2
    if toks[n].text == "," and n > 1:
        n -= 1  # "La vente, que le maire qualifie d'historique, …"
    noun = toks[n]
    if (
        not noun.word
        or noun.low in _CONJUNCTION_BEFORE_QUE
        or noun.base in lex.verb_firsts
        or noun.low in lex.auxiliaries
    ):
        return False
    dets = lex.definite | lex.indefinite.firsts | lex.possessives
    return any(toks[m].low in dets for m in range(max(0, n - 3), n))


def _is_clause(ctx: _Ctx, s: int, e: int) -> bool:
    """True when tokens s..e hold a finite clause rather than a noun phrase: an auxiliary, a
    copula, a clitic or a subject pronoun among several words ("le mètre carré s'échange à
    9 650 euros", "the plant has closed", "qu'ils augmentent à Marseille")."""
    lex = ctx.lex
    if e - s <= 1:
        return False
    for m in range(s, e):
        t = ctx.toks[m]
        if t.low in lex.clause_markers:
            return True
        if (
            m > s
            and lex.clause_suffixes
            and t.word
            and not t.cap
            and len(t.low) > 5
            and t.low.endswith(lex.clause_suffixes)
            and t.low not in lex.hedge_exceptions
            and t.low not in lex.clause_suffix_exceptions
        ):
            return True  # "le marché restera calme": a finite verb by its ending
    return False


def _ends_tag(ctx: _Ctx, k: int) -> bool:
    """True when a noun phrase ending at token k ends a speaker tag: the end of the sentence,
    a punctuation mark, or an adjunct ("…, précise l'agence dans un communiqué")."""
    toks = ctx.toks
    if k >= len(toks):
        return True
    t = toks[k]
    return (
        (not t.word and t.text in _BOUNDARY_PUNCT)
        or t.low in _ADJUNCT_PREPS
        or t.low
        in {
            "qui",
            "who",
        }
    )


#: Vague subjects that report with a bare clause after a weaker verb ("some recent polls
#: show", "des sondages montrent"), unlike a vague group of things or a company.
_VAGUE_REPORTERS = frozenset(
    {
        "indefinite source",
        "indefinite pronoun",
        "anonymous person",
        "unnamed person",
        "unidentified document",
    }
)


def _after_quote(ctx: _Ctx, i: int) -> bool:
    """True when the verb at i follows a closing quotation mark (« … », dit X)."""
    k, _aux = _skip_left(ctx, i - 1)
    toks = ctx.toks
    if k >= 0 and toks[k].text == ",":
        k -= 1
    return k >= 0 and (toks[k].text in _CLOSE_QUOTES + '"' or k == -1)


#: Honorifics before a name in apposition ("Me Claire Dufresne", "Dr. Alan Reed").
_HONORIFICS = frozenset(
    {"m", "mme", "mlle", "me", "maître", "dr", "pr", "mr", "mrs", "ms", "sir", "dame", "prof"}
)


def _with_apposed_name(ctx: _Ctx, np: _NP, end: int) -> _NP:
    """ "a déclaré le directeur, Philippe Marchand, …": the name in apposition is the source."""
    toks = ctx.toks
    if (
        np.kind == "named"
        and any(r.source is not None or r.name[:1].isupper() for r in np.refs)
        and not np.reason.startswith(("identified", "definite"))
    ):
        return np
    if end >= len(toks) or toks[end].text != ",":
        return np
    first = end + 1
    if first < len(toks) and toks[first].low in _HONORIFICS:
        first += 1  # "son avocate, Me Claire Dufresne"
        if first < len(toks) and toks[first].text == ".":
            first += 1
    runs = _name_runs(ctx, first, min(len(toks), first + 5))
    if not runs or runs[0][0] != first:
        return np
    s, e = runs[0]
    if e < len(toks) and toks[e].word and toks[e].low not in _ADJUNCT_PREPS | {"qui", "who"}:
        return np
    start, stop = toks[s].start, toks[e - 1].end
    name = ctx.text[start:stop]
    source = _lookup(ctx, name)
    ref = _Ref(source.name if source else name, source, False, start, stop)
    return _NP("named", (ref,), np.start, stop, ctx.text[np.start : stop], np.head, "named person")


def _hedges(ctx: _Ctx) -> list[str]:
    lex, toks = ctx.lex, ctx.toks
    found: list[str] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if not t.word:
            i += 1
            continue
        end = lex.hedges.match(toks, i) if t.low in lex.hedges.firsts else -1
        if end != -1:
            found.append(_span_text(ctx, i, end))
            i = end
            continue
        if (
            lex.hedge_suffixes
            and t.low.endswith(lex.hedge_suffixes)
            and t.low not in lex.hedge_exceptions
            and len(t.low) > 7
            and not t.cap
            and t.low[-7 if t.low.endswith("aient") else -5] not in "éè"
        ):
            found.append(t.text)
        i += 1
    return found


def _persons(ctx: _Ctx, matches: Sequence[_Match]) -> list[_Ref]:
    """People mentioned who might be quoted next (an anonymous attaché, a named person)."""
    toks, lex = ctx.toks, ctx.lex
    out: list[_Ref] = []
    for m in matches:
        out.extend(r for r in m.np.refs)
    dets = lex.definite | lex.possessives | lex.indefinite.firsts
    for k in range(len(toks)):
        if toks[k].low not in dets:
            continue
        det, after = _determiner(ctx, k, len(toks))
        if det is None:
            continue
        cat, hs, he = _head(ctx, after, min(len(toks), after + 6))
        if cat == "person" and hs <= after + 3:
            e = he
            while (
                e < len(toks)
                and toks[e].word
                and (
                    ctx.lex.nationalities.match(toks, e) != -1
                    or toks[e].low in lex.pre_adjectives
                    or toks[e].low in {"militaire", "militaires", "military", "diplomatique"}
                )
            ):
                e += 1
            np = _classify(ctx, k, e, "subject")
            if np.kind in {"named", "vague"}:
                out.extend(np.refs)
    out.extend(_named_persons(ctx))
    out.sort(key=lambda r: r.start)
    return out


def _named_persons(ctx: _Ctx) -> list[_Ref]:
    """Names that are people: next to a role ("Paul Girard, maire de…", "le général X"),
    or called PER by the parser."""
    toks, lex = ctx.toks, ctx.lex
    out = []
    for s, e in _name_runs(ctx, 0, len(toks)):
        start, end = toks[s].start, toks[e - 1].end
        person = ctx.entities is not None and any(
            a <= start and end <= b and label == "PER" for a, b, label in ctx.entities
        )
        if not person and e + 1 < len(toks) and toks[e].text == ",":
            det, k = _determiner(ctx, e + 1, min(len(toks), e + 6))
            person = det != "definite" and _head(ctx, k, min(len(toks), k + 4))[0] == "person"
        if not person and s > 0:
            m = s - 1
            while m > 0 and (
                lex.nationalities.match(toks, m) != -1 or toks[m].low in lex.pre_adjectives
            ):
                m -= 1
            person = _head_at(ctx, m, m + 1)[0] == "person"
        if person:
            name = ctx.text[start:end]
            source = _lookup(ctx, name)
            out.append(_Ref(source.name if source else name, source, False, start, end))
    return out


def _unidentified_bodies(ctx: _Ctx, k: int, hs: int, he: int, core: int) -> bool:
    """A qualifier of the head itself says no body is identified: "les services de
    renseignement occidentaux", "Western intelligence agencies"; not "le ministère des Affaires
    étrangères" (inside a complement) nor "the Foreign Ministry" (a name)."""
    toks = ctx.toks
    after = []
    for m in range(he, min(core, he + 2)):
        if not toks[m].word or toks[m].low in _COMPLEMENT_PREPS:
            break
        after.append(m)
    # before the head (English), and only for several bodies: "the foreign ministry" is one
    plural = he > 0 and toks[he - 1].low.endswith("s")
    before = [
        m
        for m in range(k, hs)
        if plural and (not toks[m].cap or (m == 0 and m + 1 < len(toks) and not toks[m + 1].cap))
    ]
    return any(toks[m].low in ctx.lex.unidentifying for m in (*after, *before))


#: Negations of a verb (bare "ne" is not one: "aucun décès n'a été signalé" reports zero).
_NEGATIONS = frozenset({"pas", "jamais", "guère", "nullement", "point", "not", "never", "n't"})
_EN_AUXILIARIES = frozenset({"have", "has", "had", "is", "are", "was", "were", "will", "would"})


def _negated(toks: Sequence[_Tok], aux_start: int, lex: _Lex) -> bool:
    """Whether the verb group ending before ``aux_start`` is negated: the words right before
    it are auxiliaries and negations only ("n'ont pas été", "have not been")."""
    m = aux_start - 1
    while m >= 0 and (
        toks[m].low in _NEGATIONS
        or toks[m].low in {"ne", "n'"}
        or toks[m].low in lex.auxiliaries
        or toks[m].low in _EN_AUXILIARIES
    ):
        if toks[m].low in _NEGATIONS:
            return True
        m -= 1
    return any(toks[k].low in _NEGATIONS for k in range(aux_start, aux_start + 2) if k < len(toks))


def _agentless_passive(
    ctx: _Ctx, quotes: Sequence[_Quote], matches: Sequence[_Match]
) -> tuple[str | None, _Match | None]:
    """An agentless passive report ("ont été signalés"), and the medium it names if any
    ("fut évoquée à la télévision russe")."""
    toks, lex = ctx.toks, ctx.lex
    taken = [(m.cue_start, m.cue_end) for m in matches]
    for i, t in enumerate(toks):
        if t.low not in lex.passive_reports or _inside(quotes, t.start, t.end):
            continue
        if any(a <= t.start < b for a, b in taken):
            return None, None
        k = i - 1
        while k >= 0 and toks[k].low in lex.skip_words:
            k -= 1
        aux_start = next(
            (
                s
                for s in range(max(0, k - 2), k + 1)
                if lex.passive_auxiliaries.match(toks, s) == k + 1
            ),
            None,
        )
        if aux_start is None:
            continue
        if _negated(toks, aux_start, lex):
            continue  # "n'ont pas été confirmées", "has not been confirmed": nobody reports
        window = toks[i + 1 : i + 7]
        if any(w.low in lex.agent_preps for w in window):
            continue
        words = _span_text(ctx, aux_start, i + 1)
        m = i + 1
        if m < len(toks) and toks[m].low in _MEDIUM_PREPS:
            e = m + 1
            while e < len(toks) and toks[e].word and e - m <= 5:
                e += 1
            np = _classify(ctx, m + 1, e, "agent")
            medium = _head(ctx, _determiner(ctx, m + 1, e)[1], e)[0] == "publication" or any(
                r.source is not None for r in np.refs
            )
            if medium and ((np.head and np.kind in {"pronoun", "vague"}) or np.kind == "named"):
                if np.kind != "named":
                    np = _NP(
                        "vague",
                        (_vague_ref(ctx, m + 1, e),),
                        toks[m + 1].start,
                        toks[e - 1].end,
                        _span_text(ctx, m + 1, e),
                        np.head,
                        "unnamed medium",
                    )
                return words, _Match(
                    f"{words} {toks[m].text}", toks[aux_start].start, toks[m].end, np, "agent"
                )
        return words, None
    return None, None


def _start_index(ctx: _Ctx) -> int:
    k = 0
    toks = ctx.toks
    while k < len(toks):
        if not toks[k].word and toks[k].text not in _QUOTE_CHARS:
            k += 1
            continue
        end = ctx.lex.connectors.match(toks, k)
        if end != -1 and end < len(toks) and toks[k].low not in {"selon", "d'après"}:
            k = end
            continue
        break
    return k


#: How a speaker known only by a role or a body is named ("une porte-parole du rectorat").
_ROLE_REASONS = frozenset(
    {
        "spokesperson of a named body",
        "identified by role",
        "identified by office",
        "definite body",
        "named body",
    }
)


def _anonymity(ctx: _Ctx) -> bool:
    """True when the sentence says its speaker asked not to be named ("qui a requis
    l'anonymat", "speaking on condition of anonymity")."""
    lex, toks = ctx.lex, ctx.toks
    return any(
        toks[i].low in lex.anonymity.firsts
        and lex.anonymity.match(toks, i, gap=lex.skip_words) != -1
        for i in range(len(toks))
    )


def _anonymous(m: _Match) -> _Match:
    """A speaker known by a role or a body who asked not to be named is anonymous: vague."""
    if m.kind not in {"subject", "inverted"} or m.np.kind != "named":
        return m
    if m.np.reason not in _ROLE_REASONS:
        return m
    ref = _Ref(m.np.text, None, True, m.np.start, m.np.end)
    np = _NP("vague", (ref,), m.np.start, m.np.end, m.np.text, m.np.head, "anonymous speaker")
    return _Match(m.cue, m.cue_start, m.cue_end, np, m.kind)


def _sentence_subject(ctx: _Ctx) -> _NP | None:
    """The named subject of the sentence's main clause ("En 2023, la Cour des comptes a
    relevé…" gives the Cour des comptes): the noun phrase after a fronted adjunct, up to the
    first verb or auxiliary."""
    toks, lex = ctx.toks, ctx.lex
    s = _start_index(ctx)
    comma = next((m for m in range(s, min(len(toks), s + 8)) if toks[m].text == ","), -1)
    if (
        comma != -1
        and s < len(toks)
        and not _is_name_token(ctx, s)
        and toks[s].low not in (lex.definite | lex.indefinite.firsts)
    ):
        s = comma + 1  # "En 2023, …", "Last year, …"
    e = s
    while e < len(toks) and e - s <= 10:
        t = toks[e]
        if (
            not t.word
            or t.low in lex.clause_markers
            or (e > s and t.base in lex.verb_firsts)
            or (e > s and (t.low in lex.auxiliaries or t.low in lex.passive_auxiliaries.firsts))
        ):
            break
        e += 1
    if e == s:
        return None
    np = _classify(ctx, s, e, "subject")
    return np if np.kind == "named" else None


def _research_matches(ctx: _Ctx) -> list[_Match]:
    """A named body's study or researchers as the subject of a research verb.

    "Les chercheurs de l'Institut Pasteur ont suivi…", "Une étude de l'Inserm publiée en 2023 a
    associé…", "A study by Oxford University found…", "Researchers at the University of Leeds
    found…": the findings are the body's. An unnamed study or researchers are no source here.
    """
    toks, lex = ctx.toks, ctx.lex
    for i, t in enumerate(toks):
        if t.low not in lex.research_verbs or i == 0:
            continue
        left, _inv = _subject_left(ctx, i)
        if left is None:
            continue
        np = _classify(ctx, left[0], left[1], "subject")
        head = np.head.lower().split()[-1] if np.head else ""
        researchers = head in _AUTHOR_WORDS
        if not (
            (np.kind == "named" and (np.reason.startswith("document") or researchers))
            # "the study found", "les chercheurs ont observé": the study named before
            or np.kind == "report"
            # "the researchers found": those of the study named before (not "The researchers,
            # from the University of Leeds, analysed…", whose apposition names them)
            or (np.kind == "pronoun" and researchers and toks[left[1]].text != ",")
        ):
            continue
        k, _aux = _skip_left(ctx, i - 1)
        start = toks[k + 1].start if k + 1 < i else t.start
        return [_Match(ctx.text[start : t.end], start, t.end, np, "subject")]
    return []


_DASHES = frozenset({"-", "–", "—"})


def _named_subject(ctx: _Ctx) -> _NP | None:
    """The named subject of the sentence, whatever its verb.

    "Veltra Mobility cut its forecast", "AMSTERDAM, May 6 - Dutch bicycle maker Veltra cut…":
    after a dateline, the first name followed by a lower-case word (its verb), not a
    nationality. Pronouns further on ("it said") refer to it.
    """
    toks, lex = ctx.toks, ctx.lex
    s = _start_index(ctx)
    dash = -1
    if s < len(toks) and toks[s].text.isupper() and len(toks[s].text) > 1:
        dash = next((m for m in range(s, min(len(toks), s + 8)) if toks[m].text in _DASHES), -1)
    if dash == -1:
        np = _sentence_subject(ctx)
        if np is not None:
            return np
    else:
        s = dash + 1
    e = s
    while e < len(toks) and e - s <= 12 and toks[e].word and toks[e].low not in lex.clause_markers:
        e += 1
    for a, b in _name_runs(ctx, s, e):
        if (
            b < len(toks)
            and toks[b].word
            and not toks[b].cap
            and lex.nationalities.match(toks, a) != b
        ):
            cand = _classify(ctx, a, b, "subject")
            return cand if cand.kind == "named" else None
    return None


def _with_owner(ctx: _Ctx, m: _Match) -> _Match:
    """A possessive document whose owner the sentence names: "En 2024, l'AFLD a réalisé …,
    selon son rapport annuel" is the AFLD's; "In her post, Lena …" is Lena's."""
    if m.np.kind != "pronoun" or not m.np.reason.startswith("possessive document"):
        return m
    subject = _sentence_subject(ctx)
    fronted = m.cue_start <= ctx.toks[_start_index(ctx)].start
    if subject is not None and (subject.end <= m.cue_start or fronted):
        np = _NP("named", subject.refs, m.np.start, m.np.end, m.np.text, m.np.head, "its owner")
        return _Match(m.cue, m.cue_start, m.cue_end, np, m.kind)
    refs = [
        r
        for r in _name_refs(ctx, _start_index(ctx), len(ctx.toks))
        if not (m.np.start <= r.start < m.np.end) and not (m.cue_start <= r.start < m.cue_end)
    ]
    before = [r for r in refs if r.end <= m.cue_start]
    owner = before[-1:] or ([r for r in refs if r.start >= m.np.end][:1] if fronted else [])
    if not owner:
        return m
    np = _NP("named", tuple(owner), m.np.start, m.np.end, m.np.text, m.np.head, "its owner")
    return _Match(m.cue, m.cue_start, m.cue_end, np, m.kind)


_LIST_ITEM = re.compile(r"\s*(?:[-•*–—▪◦·]|\d{1,2}[.)])\s")


def _analyse(
    text: str,
    lex: _Lex,
    registry: Any | None,
    entities: tuple[tuple[int, int, str], ...] | None = None,
) -> _Analysis:
    norm = _norm(text)
    toks = _tokens(text, norm)
    quotes = _quotes(text)
    ctx = _Ctx(text, toks, lex, registry, entities, tuple(quotes))
    matches = [_with_owner(ctx, m) for m in _find_matches(ctx, quotes)]
    subject = _named_subject(ctx)
    if not matches:
        matches = _research_matches(ctx)
    if _anonymity(ctx):
        matches = [_anonymous(m) for m in matches]
    k = _start_index(ctx)
    speech = report = None
    if k + 1 < len(toks) and toks[k].low in lex.possessives:
        end = lex.speech_nouns.match(toks, k + 1)
        if end != -1:
            speech = _span_text(ctx, k, end)
    if k < len(toks) and (toks[k].low in lex.singular_definite):
        cat, _hs, he = _head(ctx, k + 1, min(len(toks), k + 4))
        if cat == "document" and not toks[he - 1].low.endswith("s"):
            np = _classify(ctx, k, min(len(toks), _core_end(ctx, k, len(toks))), "subject")
            if np.kind == "report":
                report = np.head
    opener = None
    if k < len(toks) and lex.impersonal_openers.match(toks, k) == -1:
        end = lex.continuation_openers.match(toks, k)
        if end != -1:
            opener = _span_text(ctx, k, end)
    if opener is None and lex.language == "fr":
        # "Le cyclisme y reste la discipline la plus contrôlée": the clitic "y" refers back
        # to what the previous sentence reported (not "il y a", "y compris").
        for m in range(k + 1, min(len(toks) - 1, k + 6)):
            if (
                toks[m].low == "y"
                and toks[m - 1].low not in {"il", "et", "ou", "à"}
                and toks[m + 1].low not in {"a", "avait", "aura", "aurait", "eut", "compris"}
                and toks[m + 1].word
            ):
                opener = "y"
                break
    passive, medium = _agentless_passive(ctx, quotes, matches)
    if medium is not None:
        matches.append(medium)
    stripped = text.lstrip()
    real_quotes = [q for q in quotes if q.words >= QUOTE_MIN_WORDS]
    starts_with_quote = (
        bool(stripped)
        and stripped[0] in _QUOTE_CHARS
        and any(q.start == len(text) - len(stripped) for q in real_quotes)
    )
    return _Analysis(
        matches=tuple(matches),
        hedges=tuple(_hedges(ctx)),
        quotes=tuple(quotes),
        speech_anaphor=speech,
        report_anaphor=report,
        persons=tuple(_persons(ctx, matches)),
        starts_with_quote=starts_with_quote,
        ends_with_colon=text.rstrip().endswith(":"),
        opener=opener,
        passive=None if medium is not None else passive,
        first_offset=toks[k].start if k < len(toks) else 0,
        first_person=any(t.low in _FIRST_PERSON for t in toks),
        list_item=bool(_LIST_ITEM.match(text)),
        subject=subject.refs if subject is not None else (),
    )


# ---------------------------------------------------------------------------
# spaCy (optional)

_NLP: dict[str, Any] = {}


def _nlp(language: str) -> Any | None:
    """spaCy's French pipeline, loaded once; None when unavailable or not French."""
    if not language.startswith("fr"):
        return None
    if "fr" not in _NLP:
        try:
            import spacy

            _NLP["fr"] = spacy.load("fr_core_news_sm", exclude=["lemmatizer"])
        except (ImportError, OSError):  # pragma: no cover - broken installation
            _NLP["fr"] = None
    return _NLP["fr"]


@dataclass(frozen=True, slots=True)
class _Parse:
    entities: tuple[tuple[int, int, str], ...]
    subjects: tuple[tuple[int, int, int, int], ...]  # (verb start, verb end, subj start, end)


def _parse_texts(texts: Sequence[str], language: str, lex: _Lex) -> list[_Parse] | None:
    nlp = _nlp(language)
    if nlp is None:
        return None
    out = []
    verbs = lex.verbs
    weak = lex.weak_verbs
    for doc in nlp.pipe([t.translate(_CHAR_MAP) for t in texts], batch_size=64):
        ents = tuple(
            (e.start_char, e.end_char, e.label_)
            for e in doc.ents
            if e.label_ in {"PER", "ORG", "LOC", "MISC"}
        )
        subjects = []
        for tok in doc:
            if tok.pos_ not in {"VERB", "AUX"}:
                continue
            low = tok.text.lower()
            if low in verbs or low in weak:
                continue  # the rules handle listed forms
            if not low.endswith(("ent", "e", "ait", "aient", "é", "ée", "és", "ées", "a")):
                continue
            for child in tok.children:
                if child.dep_ in {"nsubj"}:
                    left = child.left_edge.idx
                    right_tok = child
                    for sub in child.subtree:
                        if sub.dep_ in {"acl:relcl", "acl", "appos"} and sub.head == child:
                            break
                        right_tok = sub
                    subjects.append(
                        (
                            tok.idx,
                            tok.idx + len(tok.text),
                            left,
                            right_tok.idx + len(right_tok.text),
                        )
                    )
        out.append(_Parse(ents, tuple(subjects)))
    return out


def _parser_matches(
    text: str, lex: _Lex, registry: Any | None, parse: _Parse, existing: Sequence[_Match]
) -> list[_Match]:
    """Subjects of reporting verbs the lexicon lacks, found by the dependency parse."""
    if not parse.subjects:
        return []
    norm = _norm(text)
    toks = _tokens(text, norm)
    ctx = _Ctx(text, toks, lex, registry, parse.entities)
    out = []
    for vs, ve, ss, se in parse.subjects:
        verb = norm[vs:ve]
        lemma = _guess_lemma(verb)
        if lemma not in lex.lemmas or any(m.cue_start <= vs < m.cue_end for m in existing):
            continue
        i = next((k for k, t in enumerate(toks) if t.start >= ss), None)
        j = next((k for k, t in enumerate(toks) if t.end >= se), None)
        if i is None or j is None:
            continue
        np = _classify(ctx, i, j + 1, "subject")
        if np.kind in {"named", "vague", "pronoun", "report"}:
            out.append(_Match(text[vs:ve], vs, ve, np, "subject"))
    return out


def _guess_lemma(form: str) -> str:
    """Infinitive of a French -er/-ir verb form (enough to look a form up in ``lemmas``)."""
    for suffix, repl in (
        ("èrent", "er"),
        ("aient", "er"),
        ("ait", "er"),
        ("ent", "er"),
        ("ées", "er"),
        ("és", "er"),
        ("ée", "er"),
        ("é", "er"),
        ("e", "er"),
        ("a", "er"),
    ):
        if form.endswith(suffix):
            stem = form[: -len(suffix)]
            return (stem + repl).replace("è", "é") if "è" in stem else stem + repl
    return form


# ---------------------------------------------------------------------------
# Units


def _tier(registry: Any | None, source: Any | None) -> str | None:
    if source is None:
        return None
    if registry is not None and hasattr(registry, "tier_for"):
        tier = registry.tier_for(source)
    else:
        tier = getattr(source, "tier", None)
    return None if tier is None else str(tier)


def _source_ref(ref: _Ref, cue: str, registry: Any | None, carried: str | None = None) -> SourceRef:
    source = ref.source
    return SourceRef(
        name=ref.name,
        id=getattr(source, "id", None) if source is not None else None,
        tier=_tier(registry, source),
        cue=f"carried from {carried}" if carried else cue,
        vague=ref.vague,
        carried_from=carried,
    )


def _key(ref: SourceRef) -> str:
    return ref.id or re.sub(r"\W+", " ", _norm(ref.name)).strip()


def _describe(cue: str, ref: SourceRef) -> str:
    if ref.vague:
        return f"cue '{cue}' invokes '{ref.name}' (vague)"
    where = f"registry: {ref.id}" if ref.id else "unregistered"
    return f"cue '{cue}' introduces '{ref.name}' ({where})"


def _domain_of(url: str) -> str | None:
    try:
        from auditor.registry import registered_domain

        return registered_domain(url)
    except Exception:  # pragma: no cover - registry module missing
        host = re.sub(r"^[a-z]+://", "", url).split("/")[0]
        return host.removeprefix("www.") or None


def _domain_tier(domain: str) -> str | None:
    try:
        from auditor.registry import tier_for_domain
    except ImportError:  # pragma: no cover
        return None
    return str(tier_for_domain(domain)[0])


def _citation_refs(
    unit: Unit, citations: Citations, registry: Any | None
) -> tuple[list[tuple[SourceRef, str]], list[Signal]]:
    """Sources cited by the unit's footnote markers and inline links, and problems."""
    notes = {f.number: f for f in citations.footnotes}
    links_by_note: dict[int, Any] = {}
    for cited in citations.links:
        if cited.footnote is not None:
            links_by_note.setdefault(cited.footnote, cited)
    refs: list[tuple[SourceRef, str]] = []
    signals: list[Signal] = []
    for marker in citations.markers:
        if marker.unit_id != unit.id:
            continue
        note = notes.get(marker.number)
        if note is None:
            signals.append(Signal("dangling-footnote", f"[{marker.number}]"))
            continue
        cue = f"footnote [{marker.number}]"
        link = links_by_note.get(marker.number)
        url = link.url if link is not None else (note.urls[0] if note.urls else None)
        ref = (
            _url_ref(url, link, registry, cue) if url else _note_text_ref(note.text, registry, cue)
        )
        refs.append((ref, f"{cue} cites {ref.name}" + (f" (registry: {ref.id})" if ref.id else "")))
    for inline in citations.links:
        if inline.unit_id != unit.id or inline.footnote is not None:
            continue
        if inline.origin in (LinkOrigin.SOURCE_LINK, LinkOrigin.FOOTNOTE):
            continue
        ref = _url_ref(inline.url, inline, registry, "link")
        refs.append((ref, f"link to {ref.name}" + (f" (registry: {ref.id})" if ref.id else "")))
    return refs, signals


def _url_ref(url: str, link: Any | None, registry: Any | None, cue: str) -> SourceRef:
    source = None
    if link is not None and link.source_id and registry is not None:
        source = registry.by_id(link.source_id)
    if source is None and registry is not None:
        source = registry.match_url(url)
    if source is not None:
        return SourceRef(source.name, source.id, _tier(registry, source), cue)
    domain = (link.domain if link is not None else None) or _domain_of(url) or url
    return SourceRef(domain, None, _domain_tier(domain) if "." in domain else None, cue)


def _note_text_ref(text: str, registry: Any | None, cue: str) -> SourceRef:
    source = registry.match_name(text) if registry is not None else None
    if source is not None:
        return SourceRef(source.name, source.id, _tier(registry, source), cue)
    name = re.sub(r"\s+", " ", text).strip()
    return SourceRef(name[:80], None, None, cue)


@dataclass
class _Memory:
    """What the article has said so far, for sentences that continue or refer back."""

    # Paragraph state.
    previous: tuple[SourceRef, ...] = ()  # sources of the previous unit (own or carried)
    previous_speakers: tuple[SourceRef, ...] = ()  # who speaks in it (subject of a verb)
    previous_unit: str | None = None
    quote_open: bool = False
    quote_sources: tuple[SourceRef, ...] = ()
    last_quote_sources: tuple[SourceRef, ...] = ()
    colon_sources: tuple[SourceRef, ...] = ()
    persons: tuple[SourceRef, ...] = ()  # people mentioned in the previous unit
    persons_unit: str | None = None
    # A list announced by a colon ("La préfecture rappelle les consignes :"): its items,
    # one paragraph each, carry the announcing unit's sources.
    list_sources: tuple[SourceRef, ...] = ()
    list_unit: str | None = None
    # The last named subject of the paragraph ("Veltra cut…"), for "it said" further on.
    subjects: tuple[SourceRef, ...] = ()
    subjects_unit: str | None = None
    # Article state: (unit index, unit id, words of the mention, source).
    mentions: list[tuple[int, str, str, SourceRef]] = field(default_factory=list)
    reports: list[tuple[str, str, tuple[SourceRef, ...]]] = field(default_factory=list)

    def new_paragraph(self) -> None:
        self.previous, self.previous_unit = (), None
        self.previous_speakers = ()
        self.quote_open = False
        self.quote_sources = self.last_quote_sources = self.colon_sources = ()
        self.persons, self.persons_unit = (), None
        self.subjects, self.subjects_unit = (), None


#: A role in apposition after a name: ", chercheuse à l'Institut", ", a lawyer for the family".
_APPOSED_ROLE = re.compile(r"\s*,\s*([^,.;:!?«»“”\"]{2,60})")

#: How many units back a pronoun may look for its antecedent.
ANAPHORA_WINDOW = 4


def _carried(refs: Iterable[SourceRef], unit: str) -> tuple[SourceRef, ...]:
    out = []
    for r in refs:
        origin = r.carried_from or unit
        cue = f"carried from {origin}"
        if r.carried_from is None and r.cue.startswith(("footnote", "link")):
            cue += f" ({r.cue})"
        elif r.carried_from is not None:
            cue = r.cue
        out.append(SourceRef(r.name, r.id, r.tier, cue, r.vague, origin))
    return tuple(out)


def _dedupe(refs: Iterable[SourceRef]) -> tuple[SourceRef, ...]:
    """One ref per source, except that a footnote or link citing a source also named in the
    words is kept (the report shows both the cue and the citation)."""
    seen: set[str] = set()
    out: list[SourceRef] = []
    for r in refs:
        key = _key(r) + ("|cited" if _is_cited(r) else "")
        if key not in seen:
            seen.add(key)
            out.append(r)
    return tuple(out)


def _is_cited(ref: SourceRef) -> bool:
    """A footnote or link source (also once carried: "carried from u3 (footnote [1])")."""
    return ref.cue.startswith(("footnote", "link")) or ref.cue.endswith(("]) ", "])", "(link)"))


def attribute_units(
    units: Sequence[Unit],
    citations: Citations,
    registry: Any,
    *,
    language: str,
    extra_lexicon_files: Sequence[str] = (),
    use_parser: bool = True,
) -> dict[str, Attribution]:
    """The :class:`Attribution` of every unit, keyed by unit id.

    ``registry`` is a :class:`~auditor.registry.SourceRegistry` (or None). Boilerplate is
    unattributed; a heading is judged on its own words, never carried to or from. With
    ``use_parser`` spaCy's French pipeline refines the rules; without it the rules decide.
    """
    lex = _compiled(language or "fr", tuple(str(f) for f in extra_lexicon_files))
    judged = [u for u in units if u.kind is not UnitKind.BOILERPLATE]
    parses = _parse_texts([u.text for u in judged], lex.language, lex) if use_parser else None
    parse_of = {u.id: p for u, p in zip(judged, parses, strict=True)} if parses else {}
    out: dict[str, Attribution] = {}
    memory = _Memory()
    paragraph: int | None = None
    for index, unit in enumerate(units):
        if unit.paragraph != paragraph:
            memory.new_paragraph()
            paragraph = unit.paragraph
        if unit.kind is UnitKind.BOILERPLATE:
            out[unit.id] = Attribution(Status.UNATTRIBUTED, reasons=("boilerplate",))
            memory.new_paragraph()
            memory.list_sources, memory.list_unit = (), None
            continue
        parse = parse_of.get(unit.id)
        analysis = _analyse(unit.text, lex, registry, parse.entities if parse else None)
        if parse is not None:
            extra = _parser_matches(unit.text, lex, registry, parse, analysis.matches)
            if extra:
                matches = tuple(sorted((*analysis.matches, *extra), key=lambda m: m.cue_start))
                analysis = _replace_matches(analysis, matches)
        heading = unit.kind is UnitKind.HEADING
        out[unit.id] = _attribute_one(
            unit, index, analysis, citations, registry, memory, heading=heading
        )
        if heading:
            memory.new_paragraph()
            memory.list_sources, memory.list_unit = (), None
    return out


def _replace_matches(analysis: _Analysis, matches: tuple[_Match, ...]) -> _Analysis:
    from dataclasses import replace

    return replace(analysis, matches=matches)


def _attribute_one(
    unit: Unit,
    index: int,
    analysis: _Analysis,
    citations: Citations,
    registry: Any | None,
    memory: _Memory,
    *,
    heading: bool = False,
) -> Attribution:
    named: list[SourceRef] = []
    vague: list[SourceRef] = []
    signals: list[Signal] = []
    reasons: list[str] = []
    anaphoric: list[_Match] = []
    mentions: list[tuple[str, SourceRef]] = []
    speakers_here: list[SourceRef] = []
    for m in analysis.matches:
        if m.np.kind in {"pronoun", "report"}:
            anaphoric.append(m)
            continue
        for r in m.np.refs:
            ref = _source_ref(r, m.cue, registry)
            (vague if ref.vague else named).append(ref)
            mentions.append((m.np.text, ref))
            if m.kind in {"subject", "inverted"}:
                speakers_here.append(ref)
            reasons.append(_describe(m.cue, ref))
            if ref.vague:
                signals.append(Signal("vague-source", r.name))
            else:
                signals.append(Signal("cue", f"{m.cue} {r.name}"))
    own = bool(named or vague)
    real_quotes = [q for q in analysis.quotes if q.words >= QUOTE_MIN_WORDS]
    inside_open_quote = memory.quote_open and (
        not analysis.quotes or analysis.quotes[0].opened_before
    )
    carried: tuple[SourceRef, ...] = ()
    if not heading and (not named or anaphoric):
        carried, why, unresolved = _continuation(
            index,
            analysis,
            anaphoric,
            memory,
            inside_open_quote,
            own_vague=bool(vague),
            own_named=bool(named),
        )
        if any(m.np.kind == "pronoun" for m in anaphoric):
            speakers_here.extend(carried)
        if why:
            reasons.append(why)
        if unresolved:
            # "L'enquête révèle…", "the official said" with nothing before: a source is
            # invoked but cannot be identified.
            vague.append(SourceRef(unresolved, None, None, unresolved, vague=True))
            signals.append(Signal("vague-source", unresolved))

    cited, problems = _citation_refs(unit, citations, registry)
    signals.extend(problems)
    for ref, why in cited:
        named.append(ref)
        reasons.append(why)
        signals.append(Signal("cue", ref.cue))
    for p in problems:
        reasons.append(f"footnote {p.text} has no note: it attributes nothing")

    carried_named = [r for r in carried if not r.vague]
    carried_vague = [r for r in carried if r.vague]
    sources = _dedupe([*named, *carried_named, *vague, *carried_vague])
    if named or carried_named:
        status = Status.ATTRIBUTED
    elif vague or carried_vague:
        status = Status.VAGUE
    else:
        status = Status.UNATTRIBUTED
    for h in analysis.hedges:
        signals.append(Signal("hedged", h))
    if analysis.hedges:
        reasons.append(f"hedged: '{analysis.hedges[0]}' (conditional or hedge, not a source)")

    speakers = tuple(r for r in sources if not _is_cited(r))
    if real_quotes or inside_open_quote:
        quoted = unit.text[real_quotes[0].start : real_quotes[0].end] if real_quotes else unit.text
        quoted = re.sub(r"\s+", " ", quoted).strip()
        if len(quoted) > 80:
            quoted = quoted[:77] + "…"
        if not speakers:
            signals.append(Signal("unattributed-quote", quoted))
            reasons.append("quotation with no speaker")
        elif all(r.vague for r in speakers):
            signals.append(Signal("anonymous-quote", quoted))
            reasons.append("quotation whose speaker is anonymous")
        else:
            signals.append(Signal("quote", next(r.name for r in speakers if not r.vague)))
    if not reasons:
        reasons.append("no source named")

    _remember(
        unit,
        index,
        analysis,
        memory,
        sources,
        speakers,
        mentions,
        own,
        inside_open_quote,
        tuple(speakers_here),
    )
    return Attribution(status, sources, tuple(signals), tuple(dict.fromkeys(reasons)))


def _continuation(
    index: int,
    analysis: _Analysis,
    anaphoric: Sequence[_Match],
    memory: _Memory,
    inside_open_quote: bool,
    *,
    own_vague: bool,
    own_named: bool = False,
) -> tuple[tuple[SourceRef, ...], str, str]:
    """Sources carried to a unit: what its anaphors refer to, or what it continues.

    Returns (carried sources, why, words of an anaphor that resolves to nothing).
    """
    # Inside a quotation opened in an earlier sentence.
    if inside_open_quote and not own_vague and not own_named:
        if memory.quote_sources:
            origin = memory.quote_sources[0].carried_from or memory.previous_unit or ""
            return (
                _carried(memory.quote_sources, origin),
                (f"carried from {origin}: inside the quotation opened there"),
                "",
            )
        return (), "", ""
    # "L'enquête recense…": the last report the article named.
    report = next((m for m in anaphoric if m.np.kind == "report"), None)
    report_head = report.np.head if report else analysis.report_anaphor
    if report_head:
        for origin, head, refs in reversed(memory.reports):
            if head == report_head:
                return (
                    _carried(refs, origin),
                    (f"carried from {origin}: '{report_head}' refers to the report named there"),
                    "",
                )
        if memory.reports:
            origin, _head, refs = memory.reports[-1]
            return (
                _carried(refs, origin),
                (f"carried from {origin}: '{report_head}' refers to the report named there"),
                "",
            )
        if memory.previous and memory.previous_unit:
            return (
                _carried(memory.previous, memory.previous_unit),
                (f"carried from {memory.previous_unit}: '{report_head}' continues the report"),
                "",
            )
        words = report.np.text if report else report_head
        return (), f"'{words}' refers to a report the article does not name", words
    # Pronouns, definite descriptions, possessives ("Il a ajouté", "the official said").
    pronoun = next((m for m in anaphoric if m.np.kind == "pronoun"), None)
    if pronoun is not None or analysis.speech_anaphor:
        if pronoun is not None:
            words = (
                pronoun.np.text
                if pronoun.kind == "preposition"
                else (
                    f"{pronoun.cue} {pronoun.np.text}"
                    if pronoun.kind == "inverted"
                    else f"{pronoun.np.text} {pronoun.cue}"
                )
            )
            words = f"{pronoun.cue} {pronoun.np.text}" if pronoun.kind == "preposition" else words
        else:
            words = analysis.speech_anaphor or ""
        definite = pronoun is not None and pronoun.np.reason.startswith("definite")
        wide = (
            pronoun is None
            or pronoun.kind in {"inverted", "preposition"}
            or (pronoun.np.start <= analysis.first_offset)
            or definite
        )
        found = _antecedent_of(index, pronoun, analysis, memory, wide=wide)
        if found:
            refs, origin = found
            antecedent = refs[0].name
            if pronoun is not None and pronoun.np.reason.startswith(("definite", "possessive:")):
                # "précisent les notaires", "the agency said": the source is written as the
                # text names it, with the registry entry of what it refers to.
                first = refs[0]
                described = re.sub(r"\s+", " ", pronoun.np.text).strip()
                refs = (SourceRef(described, first.id, first.tier, first.cue, first.vague),)
            return (
                _carried(refs, origin),
                (f"carried from {origin}: '{words.strip()}' refers to {antecedent}"),
                "",
            )
        if definite and pronoun is not None:
            return (), f"'{pronoun.np.text}' is not identified", pronoun.np.text
        return (), f"'{words.strip()}' refers to a source the article does not name", ""
    if own_vague or own_named:
        return (), "", ""
    if analysis.list_item and memory.list_sources and memory.list_unit:
        return (
            _carried(memory.list_sources, memory.list_unit),
            f"carried from {memory.list_unit}: an item of the list announced there",
            "",
        )
    # A quotation announced by a colon, or a second quoted sentence of the same speaker.
    if analysis.starts_with_quote and memory.previous_unit:
        if memory.colon_sources:
            return (
                _carried(memory.colon_sources, memory.previous_unit),
                (f"carried from {memory.previous_unit}: quotation announced there"),
                "",
            )
        if memory.last_quote_sources:
            return (
                _carried(memory.last_quote_sources, memory.previous_unit),
                (
                    f"carried from {memory.previous_unit}: a second quoted sentence of the same "
                    "speaker"
                ),
                "",
            )
        speakers = memory.previous_speakers
        if speakers:
            return (
                _carried(speakers, memory.previous_unit),
                (
                    f"carried from {memory.previous_unit}: the quotation follows that speaker's "
                    "words"
                ),
                "",
            )
    # "Ils ont transporté…", "Ces derniers…": the sentence continues the previous one
    # (unless the author speaks in the first person).
    if analysis.opener and memory.previous and memory.previous_unit and not (analysis.first_person):
        return (
            _carried(memory.previous, memory.previous_unit),
            (f"carried from {memory.previous_unit}: '{analysis.opener}' continues the same report"),
            "",
        )
    if analysis.passive:
        if memory.previous and memory.previous_unit:
            return (
                _carried(memory.previous, memory.previous_unit),
                (
                    f"carried from {memory.previous_unit}: '{analysis.passive}' continues the same "
                    "report"
                ),
                "",
            )
        return (), f"agentless passive '{analysis.passive}' names no source", analysis.passive
    return (), "", ""


def _antecedent_of(
    index: int, pronoun: _Match | None, analysis: _Analysis, memory: _Memory, *, wide: bool
) -> tuple[tuple[SourceRef, ...], str] | None:
    """The source a pronoun, a definite description or a possessive refers to.

    ``wide`` lets it look back a few sentences, across a paragraph break ("She added…");
    otherwise only the previous sentence of the paragraph counts.
    """
    recent = (
        [
            m
            for m in memory.mentions
            if (index - m[0] <= ANAPHORA_WINDOW and not m[3].cue.startswith("mentioned"))
            or index - m[0] <= 1
        ]
        if wide
        else []
    )
    head = pronoun.np.head.lower() if pronoun is not None and pronoun.np.reason else ""
    if head:
        # A definite description names its antecedent's head ("l'agence", "the official").
        stem = head[:-1] if head.endswith("s") else head
        candidates = [
            (unit_id, ref)
            for _i, unit_id, words, ref in reversed(memory.mentions[-12:])
            if stem and stem in _norm(words)
        ]
        # A named antecedent first: "l'Ordre des pharmaciens" rather than the "pharmaciens"
        # inside it.
        candidates.sort(key=lambda c: c[1].vague)
        if candidates:
            unit_id, ref = candidates[0]
            return (ref,), unit_id
        if pronoun is not None and pronoun.np.reason.startswith("definite plural"):
            if head in _AUTHOR_WORDS and memory.reports:
                # "the authors write", "les chercheurs": those of the last study named.
                origin, _report, refs = memory.reports[-1]
                return refs, origin
            return None  # "les notaires" with no notaries before: not the last speaker
    if analysis.speech_anaphor and memory.persons and memory.persons_unit:
        return memory.persons, memory.persons_unit
    if memory.previous_speakers and memory.previous_unit:
        return memory.previous_speakers, memory.previous_unit
    speakers = [r for r in memory.previous if not _is_cited(r)]
    if speakers and memory.previous_unit:
        return tuple(speakers), memory.previous_unit
    if recent:
        _i, unit_id, _words, _ref = recent[-1]
        refs = tuple(r for i, u, w, r in recent if u == unit_id)
        return refs, unit_id
    if memory.persons and memory.persons_unit:
        return memory.persons, memory.persons_unit
    if (
        pronoun is not None
        and pronoun.np.head.lower() not in _PERSONAL_PRONOUNS
        and memory.subjects
        and memory.subjects_unit
    ):
        # "…, it said in a statement", "a-t-elle indiqué": the named subject of the paragraph.
        return memory.subjects, memory.subjects_unit
    return None


#: English pronouns for people only: "she said" never refers to a company named before.
_PERSONAL_PRONOUNS = frozenset({"he", "she", "him", "her"})


def _remember(
    unit: Unit,
    index: int,
    analysis: _Analysis,
    memory: _Memory,
    sources: tuple[SourceRef, ...],
    speakers: tuple[SourceRef, ...],
    mentions: Sequence[tuple[str, SourceRef]],
    own: bool,
    inside_open_quote: bool,
    speakers_here: tuple[SourceRef, ...] = (),
) -> None:
    for words, ref in mentions:
        memory.mentions.append((index, unit.id, words, ref))
    for person in analysis.persons:
        src = SourceRef(
            person.name,
            getattr(person.source, "id", None) if person.source else None,
            None,
            "mentioned",
            person.vague,
        )
        if not any(m[3].name == src.name and m[0] == index for m in memory.mentions):
            # "Park Ji-won, chercheuse à l'Institut…": the role in apposition is how the
            # article may name her later ("la chercheuse")
            apposed = _APPOSED_ROLE.match(unit.text, person.end) if not person.vague else None
            words = f"{person.name} {apposed.group(1)}" if apposed else person.name
            memory.mentions.append((index, unit.id, words, src))
    # Reports named here, for a later "L'enquête…".
    if own:
        heads = [m.np.head for m in analysis.matches if m.np.head]
        first_words = [w.split("'")[-1] for w in _norm(unit.text).split()[:14]]
        head = next(
            (h.split()[-1].lower() for h in heads if _is_report_word(h.split()[-1])), None
        ) or next((w.strip(".,;:") for w in first_words if _is_report_word(w)), None)
        named = tuple(r for r in speakers if not r.vague and r.carried_from is None)
        if head and named:
            memory.reports.append((unit.id, head, named))
    memory.previous = sources
    memory.previous_speakers = _dedupe(speakers_here)
    memory.previous_unit = sources[0].carried_from or unit.id if sources else unit.id
    if not sources:
        memory.previous = ()
    # Quotations.
    real_quotes = [q for q in analysis.quotes if q.words >= QUOTE_MIN_WORDS]
    if analysis.quotes and analysis.quotes[-1].stays_open:
        if not inside_open_quote:
            memory.quote_sources = speakers
        memory.quote_open = True
    elif analysis.quotes and (analysis.quotes[-1].opened_before or not inside_open_quote):
        memory.quote_open = False
    if real_quotes and speakers:
        memory.last_quote_sources = speakers
    elif not inside_open_quote:
        memory.last_quote_sources = ()
    memory.colon_sources = speakers if analysis.ends_with_colon else ()
    if analysis.ends_with_colon and sources:
        memory.list_sources = tuple(r for r in sources if not _is_cited(r)) or sources
        memory.list_unit = sources[0].carried_from or unit.id
    elif not analysis.list_item:
        memory.list_sources, memory.list_unit = (), None
    persons = tuple(
        SourceRef(
            r.name, getattr(r.source, "id", None) if r.source else None, None, "mentioned", r.vague
        )
        for r in analysis.persons
    )
    memory.persons, memory.persons_unit = (persons[-1:], unit.id) if persons else ((), None)
    subject = tuple(
        SourceRef(
            r.name, getattr(r.source, "id", None) if r.source else None, None, "subject", r.vague
        )
        for r in analysis.subject
        # a proper name, not a description ("the company", which refers back itself)
        if not r.vague and any(c.isupper() for c in r.name)
    )
    if subject:
        memory.subjects, memory.subjects_unit = subject, unit.id


#: People a definite plural names by the study they wrote ("the authors", "les chercheurs").
_AUTHOR_WORDS = frozenset(
    {
        "authors",
        "researchers",
        "scientists",
        "auteurs",
        "autrices",
        "chercheurs",
        "chercheuses",
        "scientifiques",
    }
)

_REPORT_WORDS = frozenset(
    {
        "journal",
        "revue",
        "paper",
        "article",
        "preprint",
        "enquête",
        "rapport",
        "étude",
        "investigation",
        "analyse",
        "report",
        "study",
        "survey",
        "analysis",
        "inquiry",
        "probe",
        "enquete",
        "bulletin",
        "document",
        "note",
        "communiqué",
        "audit",
        "statement",
        "review",
        "assessment",
        "draft",
        "letter",
        "lettre",
        "projet",
        "texte",
        "text",
        "planning",
        "décret",
        "arrêté",
        "order",
    }
)


def _is_report_word(word: str) -> bool:
    word = word.strip(".,;:«»\"'()")
    return word.split("'")[-1] in _REPORT_WORDS


# ---------------------------------------------------------------------------
# Sentence-level API (evaluation)


def _sentences(text: str, language: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text``, paragraph by paragraph (the segment stage's splitter)."""
    from auditor.segment import sentence_spans

    spans: list[tuple[int, int]] = []
    for m in re.finditer(r"[^\n]+", text):
        if m.group().strip():
            spans.extend(sentence_spans(text, m.start(), m.end(), language=language))
    return spans


def find_attributions(
    text: str, *, language: str, registry: Any | None = None, use_parser: bool = False
) -> list[AttributionMatch]:
    """Every attribution in ``text`` (one sentence or more), with cue and source spans.

    Rules only by default (``use_parser`` adds spaCy for French). Offsets are into ``text``.
    Pronoun sources ("he said") are reported with ``anaphoric=True`` and no names.
    """
    lex = _compiled(language or "fr")
    spans = _sentences(text, lex.language)
    parses = _parse_texts([text[s:e] for s, e in spans], lex.language, lex) if use_parser else None
    out: list[AttributionMatch] = []
    for n, (s, e) in enumerate(spans):
        sentence = text[s:e]
        parse = parses[n] if parses else None
        analysis = _analyse(sentence, lex, registry, parse.entities if parse else None)
        matches = list(analysis.matches)
        if parse is not None:
            matches += _parser_matches(sentence, lex, registry, parse, matches)
        for m in matches:
            if m.kind == "medium":
                continue
            np = m.np
            names = tuple(r.name for r in np.refs if not r.vague)
            ids = tuple(
                getattr(r.source, "id", None) if r.source else None for r in np.refs if not r.vague
            )
            out.append(
                AttributionMatch(
                    cue=m.cue,
                    cue_start=s + m.cue_start,
                    cue_end=s + m.cue_end,
                    source_text=np.text,
                    source_start=s + np.start,
                    source_end=s + np.end,
                    vague=np.kind == "vague",
                    anaphoric=np.kind in {"pronoun", "report"},
                    names=names,
                    source_ids=ids,
                    kind=m.kind,
                )
            )
    return out
