"""Content drift: does a live page still say what it said when it was first archived?

Pure functions over *extracted main text* (trafilatura's, as the resolver keeps it in
``LinkCheck.main_text`` and the store keeps the first one in ``urls.first_text``), never over
raw HTML, so a new menu, a cookie banner or a changed sidebar is not drift.

- :func:`similarity` is the Jaccard index of word 3-shingles of the two texts (1.0: same text;
  0.0: nothing in common). :func:`compare` adds how much of the old text survives
  (containment) and the verdict against a threshold.
- :func:`sentence_facts` reads the numbers and names of a citing sentence, and
  :func:`trace_facts` says whether each one is found in the old text, the new text, both or
  neither: a number the sentence relied on that disappeared from the page is what a
  fact-checker needs to see first.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

SHINGLE_WORDS = 3
#: Below this many words in the first text the similarity is too noisy to call drift.
MIN_WORDS = 30

_WORD_RE = re.compile(r"\w+", re.U)


# ---------------------------------------------------------------------------
# Similarity


def words(text: str) -> list[str]:
    """The lower-cased words of a text (letters and digits, accents kept)."""
    return _WORD_RE.findall(text.casefold())


def shingles(text: str, size: int = SHINGLE_WORDS) -> frozenset[str]:
    """The set of word ``size``-shingles of a text (the words themselves for a short text)."""
    tokens = words(text)
    if len(tokens) < size:
        return frozenset(tokens)
    return frozenset(" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|a ∩ b| / |a ∪ b|; 1.0 for two empty sets."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def similarity(old_text: str, new_text: str) -> float:
    """Jaccard similarity of the word 3-shingles of two main texts, in [0, 1]."""
    return jaccard(shingles(old_text), shingles(new_text))


@dataclass(frozen=True, slots=True)
class DriftMeasure:
    """How a page's main text compares with the first archived one."""

    similarity: float  # Jaccard of word 3-shingles
    retained: float  # share of the old shingles still present in the new text
    old_words: int
    new_words: int
    drifted: bool  # similarity below the threshold, on texts long enough to judge


def compare(
    old_text: str, new_text: str, threshold: float, *, min_words: int = MIN_WORDS
) -> DriftMeasure:
    """Compare the first archived text with the live one; ``drifted`` when the similarity is
    below ``threshold`` and the old text has at least ``min_words`` words."""
    old, new = shingles(old_text), shingles(new_text)
    value = jaccard(old, new)
    retained = len(old & new) / len(old) if old else 1.0
    old_count, new_count = len(words(old_text)), len(words(new_text))
    drifted = value < threshold and old_count >= min_words
    return DriftMeasure(round(value, 4), round(retained, 4), old_count, new_count, drifted)


# ---------------------------------------------------------------------------
# Numbers and names of a cited sentence


class FactKind(StrEnum):
    NUMBER = "number"
    NAME = "name"


@dataclass(frozen=True, slots=True)
class Fact:
    """A number or a name as written in the sentence, with the key it is matched under."""

    kind: FactKind
    text: str  # as written
    key: str  # canonical value (numbers) or folded form (names)


@dataclass(frozen=True, slots=True)
class FactTrace:
    """Where a fact of the cited sentence is found: in the first text, in the live text."""

    kind: FactKind
    text: str
    in_old: bool | None  # None when that text is unknown
    in_new: bool | None

    @property
    def lost(self) -> bool:
        """Found in the first text but no longer in the live one."""
        return self.in_old is True and self.in_new is False


# A number: French (12 000,5 · 1.234.567) or English (12,000.5) grouping, or plain digits.
# Grouping spaces include the no-break and narrow no-break spaces French typography uses.
_NUMBER_RE = re.compile(
    r"(?<![\w.,])"
    r"(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?"  # 12 000 / 12 000,5
    r"|\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?"  # 1.234.567(,5)
    r"|\d{1,3}(?:,\d{3})+(?:\.\d+)?"  # 12,000 / 12,000.5
    r"|\d+(?:[.,]\d+)?)"  # 12 / 12,5 / 12.5
    r"(?![\w])"
)
_FOOTNOTE_RE = re.compile(r"\[\d{1,3}\]|\(\d{1,3}\)|\^\d{1,3}|[¹²³⁴⁵⁶⁷⁸⁹⁰]+")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'"})


def _number_key(text: str) -> str | None:
    """Canonical value of a numeral: ``12 000`` and ``12,000`` are ``12000``; ``12,5`` and
    ``12.5`` are ``12.5``. None for a single-digit integer (too common to tell anything)."""
    raw = text.replace("\u00a0", " ").replace("\u202f", " ")
    if " " in raw:
        raw = raw.replace(" ", "").replace(",", ".")
    elif raw.count(".") >= 2:
        raw = raw.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", raw):
        raw = raw.replace(",", "")  # English grouping (a comma before exactly 3 digits)
    else:
        raw = raw.replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    if value == value.to_integral_value():
        if abs(value) < 10 and "." not in raw:
            return None
        return str(int(value))
    return format(value.normalize(), "f")


def numbers_in(text: str) -> set[str]:
    """Canonical values of the numbers written in a text (see :func:`_number_key`)."""
    found = set()
    for match in _NUMBER_RE.finditer(_FOOTNOTE_RE.sub(" ", text)):
        key = _number_key(match.group())
        if key is not None:
            found.add(key)
    return found


def fold(text: str) -> str:
    """Case-, accent- and apostrophe-insensitive form of a text, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES).casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.split())


# Capitalised words that open sentences without naming anyone (French and English).
_OPENERS_TEXT = """
le la les l un une des du de d au aux ce cet cette ces selon pour mais et ou donc or ni car
en dans sur sous avec sans après avant depuis lors quand si il elle ils elles on nous vous
je c ça cela leur leurs son sa ses mon ma mes notre nos votre vos the a an according in on
at for but and or so if as it this that these those he she they we i you his her their our
its after before since when while there here yet also however m mme mr mrs ms dr
"""
_OPENERS = frozenset(fold(word) for word in _OPENERS_TEXT.split())
# Lower-case words allowed inside a multi-word name (Banque de France, Musée d'Orsay).
_CONNECTORS = frozenset(
    ["de", "du", "des", "d", "l", "la", "le", "les", "'", "von", "van", "der", "den", "of", "the"]
)
# Abbreviated titles whose full stop does not end the sentence (M. Dupont, Dr. Smith).
_TITLES = frozenset(["m", "mm", "mr", "mrs", "ms", "dr", "pr", "st", "me", "mgr"])
_TOKEN_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*|\d+|['’]|[^\w\s]", re.U)
_QUOTES = frozenset('«»"“”‘(')


def names_in(sentence: str) -> list[str]:
    """Names in a sentence: runs of capitalised words (with connectors such as *de*, *du*,
    *of*, *d'*) and acronyms. A sentence opener (*Selon*, *The*) is not a name, nor is a lone
    capitalised word that only opens the sentence."""
    text = _FOOTNOTE_RE.sub(" ", sentence)
    runs: list[tuple[int, int, int, bool]] = []  # (start, end, words, opens the sentence)
    current: list[re.Match[str]] = []
    pending = 0  # connectors seen since the last capitalised word of the run
    run_at_start = False
    at_start = True

    def close() -> None:
        if current:
            runs.append((current[0].start(), current[-1].end(), len(current), run_at_start))
        current.clear()

    previous = previous_word = ""
    for match in _TOKEN_RE.finditer(text):
        token = match.group()
        starts_sentence = at_start
        ends = token in "!?" or (token == "." and previous.casefold() not in _TITLES)
        at_start = ends or (at_start and token in _QUOTES)
        previous_word, previous = previous, token
        if token[0].isalpha() and token[0].isupper():
            if starts_sentence and not current and fold(token) in _OPENERS:
                continue
            if not current:
                run_at_start = starts_sentence
            current.append(match)
            pending = 0
        elif (
            current
            and pending < 2
            and (
                token.casefold().replace("’", "'") in _CONNECTORS
                or (token == "." and previous_word.casefold() in _TITLES)
            )
        ):
            pending += 1
        else:
            close()
            pending = 0
    close()
    names = []
    for start, end, count, opens in runs:
        name = text[start:end].strip()
        if count == 1 and (len(name) < 2 or (opens and not name.isupper())):
            continue
        names.append(" ".join(name.split()))
    return list(dict.fromkeys(names))


def sentence_facts(sentence: str) -> list[Fact]:
    """The numbers and names of a cited sentence, in order of appearance, without repeats."""
    facts: list[Fact] = []
    seen: set[tuple[FactKind, str]] = set()
    for match in _NUMBER_RE.finditer(_FOOTNOTE_RE.sub(" ", sentence)):
        key = _number_key(match.group())
        if key is not None and (FactKind.NUMBER, key) not in seen:
            seen.add((FactKind.NUMBER, key))
            facts.append(Fact(FactKind.NUMBER, match.group(), key))
    for name in names_in(sentence):
        key = fold(name)
        if (FactKind.NAME, key) not in seen:
            seen.add((FactKind.NAME, key))
            facts.append(Fact(FactKind.NAME, name, key))
    return facts


class _Haystack:
    """A text prepared for fact look-ups (numbers parsed once, folded once)."""

    def __init__(self, text: str) -> None:
        self.numbers = numbers_in(text)
        self.folded = f" {fold(text)} "

    def has(self, fact: Fact) -> bool:
        if fact.kind is FactKind.NUMBER:
            return fact.key in self.numbers
        return re.search(rf"(?<!\w){re.escape(fact.key)}(?!\w)", self.folded) is not None


def trace_facts(
    facts: Sequence[Fact] | str, old_text: str | None, new_text: str | None
) -> list[FactTrace]:
    """For each fact (or each fact of a sentence), whether it is found in the old and in the
    new text (None for a text that is not known)."""
    items = sentence_facts(facts) if isinstance(facts, str) else list(facts)
    old = _Haystack(old_text) if old_text is not None else None
    new = _Haystack(new_text) if new_text is not None else None
    return [
        FactTrace(
            fact.kind,
            fact.text,
            old.has(fact) if old is not None else None,
            new.has(fact) if new is not None else None,
        )
        for fact in items
    ]


def lost_facts(traces: Iterable[FactTrace]) -> list[FactTrace]:
    """The facts found in the first text that the live text no longer has."""
    return [trace for trace in traces if trace.lost]
