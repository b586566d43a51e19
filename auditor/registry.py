"""The source registry: every source the auditor recognises by name or by domain.

Sources come from the ``sources:`` list of ``config.yaml`` (validated here, every error naming
its key). The registry answers three questions:

- *which source is this mention?* ``match_name("l'Institut pour l'étude de la guerre")``;
- *which sources does this text name?* ``find_mentions(text)``, non-overlapping, longest first;
- *which source published this URL?* ``match_url("https://edition.cnn.com/…")``.

Matching works on word tokens folded for accents and case, so apostrophes (’ or '), hyphens
and accents never matter. Case matters in two places only: an alias written in capitals of
five letters or fewer is an acronym and must appear in capitals ("RT" is not "parte"); any
other capitalised word of an alias must be capitalised in the text ("Le Monde" is not found in
"le monde entier"), while words written in lower case in the alias match in any case.

Domain quality comes from two packaged tables, read lazily: Lin et al. (2023) ``pc1`` scores
(``data/domain_quality.csv``) and the Iffy+ low-credibility list
(``data/low_credibility_domains.csv``). ``tier_for_domain`` turns them into a tier with the
same rule the registry's own tiers were derived with.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from auditor.errors import ConfigError

# ---------------------------------------------------------------------------
# Closed vocabularies


class SourceKind(StrEnum):
    NEWS_AGENCY = "news-agency"
    NEWSPAPER = "newspaper"
    MAGAZINE = "magazine"
    BROADCASTER = "broadcaster"
    ONLINE_MEDIA = "online-media"
    THINK_TANK = "think-tank"
    GOVERNMENT_BODY = "government-body"
    INTELLIGENCE_SERVICE = "intelligence-service"
    INTERNATIONAL_BODY = "international-body"
    STATE_MEDIA = "state-media"
    BLOG = "blog"
    PERSON = "person"
    NGO = "ngo"
    ACADEMIC = "academic"
    OTHER = "other"


class Tier(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    UNKNOWN = "unknown"


# Lin et al. (2023) pc1 thresholds: pc1 >= HIGH_PC1 is high, >= MEDIUM_PC1 medium, else low.
HIGH_PC1 = 0.75
MEDIUM_PC1 = 0.5

DATA_PACKAGE = "auditor.data"
DOMAIN_QUALITY_FILE = "domain_quality.csv"
LOW_CREDIBILITY_FILE = "low_credibility_domains.csv"


@dataclass(frozen=True, slots=True)
class Source:
    """One registered source (publication, body, person…) and where its tier comes from."""

    id: str
    name: str
    kind: SourceKind
    aliases: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    tier: Tier = Tier.UNKNOWN
    tier_source: str = ""
    country: str | None = None
    language: str | None = None
    organisation: str | None = None  # for a person: the registry id of the body they speak for
    role: str | None = None  # for a person


@dataclass(frozen=True, slots=True)
class Mention:
    """A registry name or alias found in a text: ``text[start:end] == matched``."""

    start: int
    end: int
    source: Source
    matched: str


# ---------------------------------------------------------------------------
# Text folding and tokens

_APOSTROPHES = "\u2019\u2018\u02bc\u00b4`\u2032"


def _build_fold_table() -> dict[str, str]:
    """One-to-one character map removing accents (so offsets survive folding)."""
    table: dict[str, str] = {}
    for code in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0]
        if base != char and base.isascii() and base.isalpha():
            table[char] = base
    for char in _APOSTROPHES:
        table[char] = "'"
    return table


_FOLD = _build_fold_table()
_FOLDABLE = re.compile("[" + re.escape("".join(_FOLD)) + "]")
_TOKEN = re.compile(r"[^\W_]+")
# What may separate two tokens of one alias in a text: a space, an apostrophe, a hyphen,
# an ampersand or slash (at most three such characters, never a line break), or a single dot
# glued between tokens ("Formiche.net") or, with a space, after an initial ("U.S. Department").
_NEXT_TOKEN = re.compile(r"([ \t\u00a0\u202f'\-\u2010\u2011\u2013\u2014&/]{1,3}|\.|\. )([^\W_]+)")
_ACRONYM_MAX = 5


def fold(text: str) -> str:
    """``text`` without accents, with typographic apostrophes made plain (same length)."""
    if text.isascii():
        return text
    return _FOLDABLE.sub(lambda m: _FOLD[m.group()], text)


def _trie_regex(words: Iterable[str]) -> str:
    """A regex matching any of ``words`` (longest first at each branch), built as a trie."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        ends = "" in node
        branches = [re.escape(c) + build(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return build(trie)


def _key(word: str) -> str:
    return word.lower()


def _lower_same_length(text: str) -> str:
    """``text.lower()``, keeping any character whose lower case is longer (so offsets hold)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _tokens(text: str) -> list[tuple[str, int, int]]:
    """Folded word tokens of ``text`` with their spans (case kept)."""
    folded = fold(text)
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(folded)]


def _is_acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return 2 <= len(word) <= _ACRONYM_MAX and bool(letters) and all(c.isupper() for c in letters)


# Case pattern per alias token: "A" acronym (exact capitals), "C" capitalised (first letter
# upper case in the text), "" free.
def _case_pattern(alias_tokens: Sequence[str]) -> tuple[str, ...]:
    pattern = []
    for word in alias_tokens:
        if _is_acronym(word):
            pattern.append("A")
        elif _key(word) in _DETERMINERS:
            pattern.append("")
        elif word[:1].isupper():
            pattern.append("C")
        else:
            pattern.append("")
    return tuple(pattern)


def _case_ok(pattern: tuple[str, ...], words: Sequence[str]) -> bool:
    for want, word in zip(pattern, words, strict=True):
        if want == "A" and not word.isupper():
            return False
        if want == "C" and not word[:1].isupper():
            return False
    return True


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Function words stripped from the front of a mention ("l'", "selon le", "the").
_DETERMINERS = _words(
    "le la les l the un une a an du de des d au aux selon apres according to par by via sur"
    " dans in on from chez pour for"
)
# Generic heads naming the type of a source ("l'agence", "le quotidien", "le think tank").
_HEADS = _words(
    "agence agency journal quotidien hebdomadaire mensuel magazine revue newspaper paper daily"
    " weekly site website media chaine television tele channel broadcaster network radio"
    " think tank institut institute observatoire observatory organisation organization ong ngo"
    " groupe cabinet centre center"
)
# Words that may qualify such a head before the name ("l'agence de presse officielle
# nord-coréenne KCNA", "the US-based think tank").
_QUALIFIERS = _words(
    "de d du des la le l presse press news information informations info tv television"
    " etat state run official officiel officielle public publique independant independante"
    " independent specialise specialisee specialised specialized en ligne online americain"
    " americaine americains american us based britannique british uk francais francaise"
    " french russe russian ukrainien ukrainienne ukrainian nord sud north south coreen"
    " coreenne korean chinois chinoise chinese japonais japonaise japanese allemand"
    " allemande german italien italienne italian espagnol espagnole spanish israelien"
    " israelienne israeli qatari qatarie iranien iranienne iranian europeen europeenne"
    " european international internationale londonien londonienne london based"
    " washington basee base tank think"
)


# ---------------------------------------------------------------------------
# Validation of config entries

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_DOMAIN = re.compile(
    r"^(?=.{3,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$"
)
_KEYS = {
    "id",
    "name",
    "kind",
    "aliases",
    "domains",
    "tier",
    "tier_source",
    "country",
    "language",
    "organisation",
    "role",
}
_OPTIONAL_TEXT = ("tier_source", "country", "language", "organisation", "role")


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    names = {bool: "boolean", int: "integer", float: "number", str: "string", list: "list"}
    return "mapping" if isinstance(value, Mapping) else names.get(type(value), type(value).__name__)


def _choices(enum: type[StrEnum]) -> str:
    return ", ".join(member.value for member in enum)


def _string_list(entry: Mapping[str, Any], key: str, where: str) -> list[str]:
    value = entry.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConfigError(f"{where}.{key}: must be a list of strings, not {_type_name(value)}")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise ConfigError(
                f"{where}.{key}[{i}]: must be a non-empty string, not {_type_name(item)} ({item!r})"
            )
        out.append(item.strip())
    return out


def check_source_entry(entry: Any, where: str) -> None:
    """Raise ``ConfigError`` (message starting with ``where``) when an entry is malformed.

    Checks one entry alone; references between entries (organisation ids, duplicates) are
    checked when the whole registry is built.
    """
    _parse_entry(entry, where)


def _parse_entry(entry: Any, where: str) -> Source:
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where}: must be a mapping, not {_type_name(entry)}")
    for key in entry:
        if key not in _KEYS:
            raise ConfigError(
                f"{where}: unknown key '{key}' (expected one of {', '.join(sorted(_KEYS))})"
            )
    source_id = entry.get("id")
    if source_id is None:
        raise ConfigError(f"{where}.id: missing")
    if not isinstance(source_id, str) or not _ID.match(source_id):
        raise ConfigError(
            f"{where}.id: must be a slug of lowercase letters, digits and hyphens, not {source_id!r}"
        )
    name = entry.get("name")
    if name is None:
        raise ConfigError(f"{where}.name: missing")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where}.name: must be a non-empty string, not {name!r}")
    kind = entry.get("kind")
    if kind is None:
        raise ConfigError(f"{where}.kind: missing (one of {_choices(SourceKind)})")
    if kind not in SourceKind._value2member_map_:
        raise ConfigError(f"{where}.kind: must be one of {_choices(SourceKind)}, not {kind!r}")
    tier = entry.get("tier", Tier.UNKNOWN.value)
    if tier not in Tier._value2member_map_:
        raise ConfigError(f"{where}.tier: must be one of {_choices(Tier)}, not {tier!r}")
    texts: dict[str, str | None] = {}
    for key in _OPTIONAL_TEXT:
        value = entry.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ConfigError(f"{where}.{key}: must be a non-empty string, not {value!r}")
        texts[key] = value.strip() if isinstance(value, str) else None
    if tier != Tier.UNKNOWN and not texts["tier_source"]:
        raise ConfigError(
            f"{where}.tier_source: required when tier is {tier!r} (say where it comes from)"
        )
    domains = []
    for i, raw in enumerate(_string_list(entry, "domains", where)):
        domain = raw.lower()
        if not _DOMAIN.match(domain):
            raise ConfigError(
                f"{where}.domains[{i}]: must be a bare domain like 'example.com', not {raw!r}"
            )
        domains.append(domain)
    return Source(
        id=source_id,
        name=name.strip(),
        kind=SourceKind(kind),
        aliases=tuple(_string_list(entry, "aliases", where)),
        domains=tuple(domains),
        tier=Tier(tier),
        tier_source=texts["tier_source"] or "",
        country=texts["country"],
        language=texts["language"],
        organisation=texts["organisation"],
        role=texts["role"],
    )


# ---------------------------------------------------------------------------
# The registry


@dataclass(frozen=True, slots=True)
class _Alias:
    source: Source
    words: tuple[str, ...]  # lower-cased folded tokens
    case: tuple[str, ...]


class SourceRegistry:
    """Sources by id, by name or alias, and by domain. Build it with ``from_config``."""

    # Not a dataclass: construction builds the indexes.
    def __init__(self, sources: Iterable[Source] = ()) -> None:
        self._sources: dict[str, Source] = {}
        self._by_domain: dict[str, Source] = {}
        self._by_key: dict[str, Source] = {}  # determiner-stripped alias key -> source
        self._acronym_only: dict[str, bool] = {}  # key -> every form of it is an acronym
        self._by_first: dict[str, list[_Alias]] = {}
        self._scanner: re.Pattern[str] | None = None  # compiled on the first find_mentions
        self._by_host: dict[str, Source | None] = {}  # match_url's answers, by host
        for source in sources:
            self._add(source)
        self._finish()

    # -- construction -------------------------------------------------------

    @classmethod
    def from_config(cls, entries: Any) -> SourceRegistry:
        """Validate the ``sources`` list of the configuration and build the registry.

        Raises ``ConfigError`` with a one-line message naming the key on any problem:
        missing or malformed id, name or kind, a tier outside high/medium/low/unknown,
        duplicate ids, a domain or alias claimed by two sources, an unknown organisation.
        """
        if entries is None:
            entries = []
        if not isinstance(entries, list):
            raise ConfigError(f"sources: must be a list of entries, not {_type_name(entries)}")
        parsed: list[Source] = []
        seen: dict[str, int] = {}
        for i, entry in enumerate(entries):
            source = _parse_entry(entry, f"sources[{i}]")
            if source.id in seen:
                raise ConfigError(
                    f"sources[{i}].id: duplicate id {source.id!r} (also sources[{seen[source.id]}])"
                )
            seen[source.id] = i
            parsed.append(source)
        for i, source in enumerate(parsed):
            org = source.organisation
            if org is not None and (org not in seen or org == source.id):
                raise ConfigError(f"sources[{i}].organisation: unknown source id {org!r}")
        registry = cls()
        for i, source in enumerate(parsed):
            registry._add(source, where=f"sources[{i}]")
        registry._finish()
        return registry

    def _finish(self) -> None:
        """Sort aliases longest first; the first-word scanner is compiled when first needed
        (matching URLs, the only use of ``links check``, never needs it)."""
        for aliases in self._by_first.values():
            aliases.sort(key=lambda a: -len(a.words))
        self._scanner = None
        self._by_host.clear()

    def _first_words(self) -> re.Pattern[str] | None:
        """A regex finding the first word of any alias (None for an empty registry)."""
        if self._scanner is None and self._by_first:
            trie = _trie_regex(self._by_first)
            self._scanner = re.compile(rf"(?<![^\W_])(?:{trie})(?![^\W_])")
        return self._scanner

    def _add(self, source: Source, where: str | None = None) -> None:
        where = where or f"source {source.id!r}"
        if source.id in self._sources:
            raise ConfigError(f"{where}.id: duplicate id {source.id!r}")
        self._sources[source.id] = source
        for i, domain in enumerate(source.domains):
            owner = self._by_domain.get(domain)
            if owner is not None and owner.id != source.id:
                raise ConfigError(
                    f"{where}.domains[{i}]: {domain!r} already belongs to {owner.id!r}"
                )
            self._by_domain[domain] = source
        forms = [
            ("name", source.name),
            *((f"aliases[{i}]", a) for i, a in enumerate(source.aliases)),
        ]
        for label, form in forms:
            raw_words = [w for w, _, _ in _tokens(form)]
            if not raw_words:
                raise ConfigError(f"{where}.{label}: {form!r} contains no word")
            words = tuple(_key(w) for w in raw_words)
            key = " ".join(_strip_determiners(list(words)))
            owner = self._by_key.get(key)
            if owner is not None and owner.id != source.id:
                raise ConfigError(f"{where}.{label}: {form!r} already names {owner.id!r}")
            self._by_key[key] = source
            case = _case_pattern(raw_words)
            acronym = len(words) == 1 and case == ("A",)
            self._acronym_only[key] = self._acronym_only.get(key, True) and acronym
            bucket = self._by_first.setdefault(words[0], [])
            if not any(a.source is source and a.words == words and a.case == case for a in bucket):
                bucket.append(_Alias(source, words, case))

    # -- lookups ------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._sources)

    def __iter__(self) -> Iterator[Source]:
        return iter(self._sources.values())

    def __contains__(self, source_id: object) -> bool:
        return source_id in self._sources

    @property
    def sources(self) -> tuple[Source, ...]:
        """Every source, in configuration order."""
        return tuple(self._sources.values())

    def by_id(self, source_id: str) -> Source | None:
        """The source with this id, or None."""
        return self._sources.get(source_id)

    def organisation_of(self, source: Source) -> Source | None:
        """For a person, the registered body they speak for (None otherwise)."""
        return self._sources.get(source.organisation) if source.organisation else None

    def tier_for(self, source: Source) -> Tier:
        """The source's tier; a person without one of their own takes their organisation's."""
        seen: set[str] = set()
        current: Source | None = source
        while current is not None and current.id not in seen:
            if current.tier is not Tier.UNKNOWN:
                return current.tier
            seen.add(current.id)
            current = self.organisation_of(current)
        return Tier.UNKNOWN

    def match_name(self, text: str) -> Source | None:
        """The source a mention found in an article names, or None.

        Case-, accent- and apostrophe-insensitive (acronyms excepted: "un" is not the UN).
        Leading determiners and generic heads are dropped ("l'agence Reuters", "le quotidien
        américain The New York Times"); a parenthesis is tried after the words before it
        ("Kyrylo Budanov (chef du renseignement ukrainien)" is Budanov). Failing an exact
        match, the mention's own registry names decide: a person first, else the first one.
        """
        if not text or not text.strip():
            return None
        outside = re.sub(r"\([^()]*\)|\[[^\[\]]*\]", " ", text)
        inside = re.findall(r"\(([^()]*)\)", text)
        for candidate in (text, outside, *inside):
            found = self._exact(candidate)
            if found is not None:
                return found
        for candidate in (outside, text):
            mentions = self.find_mentions(candidate)
            if mentions:
                persons = [m for m in mentions if m.source.kind is SourceKind.PERSON]
                return (persons or mentions)[0].source
        return None

    def _exact(self, text: str) -> Source | None:
        raw = [w for w, _, _ in _tokens(text)]
        words = [_key(w) for w in raw]
        while words:
            key = " ".join(words)
            source = self._by_key.get(key)
            if source is not None and (not self._acronym_only.get(key) or raw[-1].isupper()):
                return source
            if len(words) > 1 and words[0] in _DETERMINERS:
                words, raw = words[1:], raw[1:]
            elif len(words) > 1 and words[0] in _HEADS:
                words, raw = words[1:], raw[1:]
                while len(words) > 1 and words[0] in _QUALIFIERS:
                    words, raw = words[1:], raw[1:]
            else:
                return None
        return None

    def find_mentions(self, text: str) -> list[Mention]:
        """Every registry name or alias in ``text``: non-overlapping, longest first, in order.

        Word-boundary aware (tokens, not substrings), accent- and apostrophe-insensitive;
        acronyms must be in capitals and capitalised alias words capitalised. A two-letter
        acronym next to another word in capitals (an all-caps headline) is not a mention.
        """
        scanner = self._first_words() if text else None
        if scanner is None:
            return []
        folded = fold(text)
        lowered = _lower_same_length(folded)
        candidates: list[tuple[int, int, int, _Alias]] = []  # (n tokens, start, end, alias)
        for hit in scanner.finditer(lowered):
            aliases = self._by_first[hit.group()]
            longest = len(aliases[0].words)
            spans = [hit.span()]
            pos = hit.end()
            while len(spans) < longest:
                nxt = _NEXT_TOKEN.match(lowered, pos)
                if nxt is None or (nxt.group(1) == ". " and spans[-1][1] - spans[-1][0] != 1):
                    break
                spans.append(nxt.span(2))
                pos = nxt.end()
            keys = [lowered[a:b] for a, b in spans]
            for alias in aliases:
                n = len(alias.words)
                if n > len(keys) or tuple(keys[:n]) != alias.words:
                    continue
                if not _case_ok(alias.case, [folded[a:b] for a, b in spans[:n]]):
                    continue
                if (
                    alias.case == ("A",)
                    and len(alias.words[0]) <= 2
                    and self._in_caps_run(folded, spans[0][0], spans[0][1])
                ):
                    continue
                candidates.append((n, spans[0][0], spans[n - 1][1], alias))
        candidates.sort(key=lambda c: (-c[0], c[1] - c[2], c[1]))
        chosen: list[tuple[int, int, _Alias]] = []
        for _n, start, end, alias in candidates:
            if all(end <= s or start >= e for s, e, _ in chosen):
                chosen.append((start, end, alias))
        chosen.sort(key=lambda c: c[0])
        return [Mention(start, end, alias.source, text[start:end]) for start, end, alias in chosen]

    def _in_caps_run(self, folded: str, start: int, end: int) -> bool:
        before = _TOKEN.findall(folded[max(0, start - 40) : start])
        after = _TOKEN.match(folded, end + 1) if end + 1 <= len(folded) else None
        neighbours = [before[-1]] if before else []
        if after is not None and folded[end : end + 1].isspace():
            neighbours.append(after.group())
        return any(
            len(word) >= 3 and word.isupper() and word.lower() not in self._by_key
            for word in neighbours
        )

    def match_url(self, url: str) -> Source | None:
        """The source whose registered domain (or listed host) serves ``url``, or None.

        The answer depends on the host alone (``www.`` dropped), never on the path, so it is
        remembered per host. The host itself is tried, then each parent domain of two labels
        or more: the registered domain is one of them, so no public-suffix lookup is needed.
        """
        host = _host(url)
        if host is None:
            return None
        known = self._by_host
        if host in known:
            return known[host]
        found = None
        parts = host.split(".")
        for k in range(len(parts) - 1):  # the host itself, then each parent domain
            found = self._by_domain.get(".".join(parts[k:]))
            if found is not None:
                break
        if len(known) >= _HOST_CACHE_SIZE:
            known.clear()
        known[host] = found
        return found


def _strip_determiners(words: list[str]) -> list[str]:
    while len(words) > 1 and words[0] in _DETERMINERS:
        words = words[1:]
    return words


# ---------------------------------------------------------------------------
# Domains and domain quality


_HOST = re.compile(r"^[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9])?$")
# An http(s) URL whose authority is a plain host name (no user, no brackets), with any port.
_PLAIN_URL = re.compile(r"https?://([a-z0-9_.-]+)(?::[0-9]*)?(?=[/?#]|$)", re.IGNORECASE)
_HOST_CACHE_SIZE = 65536

# The public-suffix list is the snapshot tldextract ships (its ICANN section: tldextract's
# default, private domains such as blogspot.com excluded), read without importing tldextract,
# which imports requests and costs ~0.2 s (import and suffix trie) before its first answer.
_PSL_FILE = ".tld_set_snapshot"
_PSL_RULE = re.compile(r"^(?P<suffix>[.*!]*\w[\S]*)", re.UNICODE | re.MULTILINE)
_PSL_PRIVATE = "// ===BEGIN PRIVATE DOMAINS==="


def _psl_text() -> str:
    """The text of tldextract's bundled public-suffix list snapshot (never the network)."""
    from importlib.util import find_spec

    spec = find_spec("tldextract")  # locates the package without importing it
    for location in (spec.submodule_search_locations or ()) if spec else ():
        path = Path(location) / _PSL_FILE
        if path.is_file():
            return path.read_text(encoding="utf-8")
    import pkgutil  # a zipped install: ask the package itself

    data = pkgutil.get_data("tldextract", _PSL_FILE)
    if data is None:  # pragma: no cover - broken tldextract installation
        raise FileNotFoundError(f"tldextract's {_PSL_FILE} is missing")
    return data.decode("utf-8")


@lru_cache(maxsize=1)
def _extractor() -> tuple[frozenset[str], frozenset[str]]:
    """The public-suffix rules, and every right-hand part of a rule (``uk``, ``co.uk``…),
    built once (~15 ms, the file read included).

    Same rules and same walk as tldextract 5 (``_PublicSuffixListTLDExtractor``): wildcard
    (``*.ck``) and exception (``!www.ck``) rules included. The second set stands for
    tldextract's trie: a name is a node of the trie when it is in it.
    """
    rules = frozenset(_PSL_RULE.findall(_psl_text().partition(_PSL_PRIVATE)[0]))
    nodes = set(rules)
    layer: set[str] = set(rules)
    while layer:
        layer = {rule.partition(".")[2] for rule in layer if "." in rule} - nodes
        nodes |= layer
    return rules, frozenset(nodes)


def _unicode_label(label: str) -> str:
    """An ``xn--`` label decoded (the list spells its rules in Unicode); else unchanged."""
    try:
        decoded = label[4:].encode("ascii").decode("punycode")
    except (UnicodeError, ValueError):
        return label
    return decoded if not decoded.isascii() else label


def _suffix_start(labels: Sequence[str]) -> int | None:
    """The index of the first label of the public suffix of ``labels``, or None when no
    rule matches (tldextract's ``suffix_index`` without private domains)."""
    rules, nodes = _extractor()
    suffix_at = at = len(labels)
    tail = ""
    for label in reversed(labels):
        if label.startswith("xn--"):
            label = _unicode_label(label)
        name = f"{label}.{tail}" if tail else label
        if name in nodes:
            at -= 1
            tail = name
            if name in rules:
                suffix_at = at
            continue
        if (f"*.{tail}" if tail else "*") in nodes:  # a wildcard rule, unless an exception
            return at if f"!{name}" in nodes else at - 1
        break
    return None if suffix_at == len(labels) else suffix_at


def _host(url_or_host: str) -> str | None:
    """The lower-cased host of a URL or bare host (no port, no ``www.``), or None."""
    if not isinstance(url_or_host, str):
        return None
    text = url_or_host.strip()
    if not text:
        return None
    plain = _PLAIN_URL.match(text)  # most URLs: what urlsplit would find, 10 times faster
    if plain is not None:
        host = plain.group(1)
    else:
        if "//" not in text:
            text = "//" + text
        from urllib.parse import urlsplit

        try:
            host = urlsplit(text).hostname
        except ValueError:
            return None
        if not host:
            return None
    host = host.rstrip(".").lower()
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return None
    if not _HOST.match(host):
        return None
    if host.startswith("www.") and host.count(".") >= 2:
        host = host[4:]
    return host


@lru_cache(maxsize=4096)
def registered_domain(url_or_host: str) -> str | None:
    """The registered domain ("cnn.com" for https://edition.cnn.com/x), offline; or None.

    Uses tldextract's bundled public-suffix snapshot (read directly, see :func:`_extractor`):
    never touches the network. Returns None for IP addresses, ``localhost`` and hosts without
    a public suffix.
    """
    host = _host(url_or_host)
    if host is None:
        return None
    if not _snapshot_usable():  # the snapshot moved or changed form: ask tldextract
        return _tldextract_domain(host)
    labels = host.split(".")
    start = _suffix_start(labels)
    if start is None or start == 0 or start == len(labels) or not labels[start - 1]:
        return None  # no public suffix, nothing before it, or an empty label
    return ".".join(labels[start - 1 :])


@lru_cache(maxsize=1)
def _snapshot_usable() -> bool:
    """True when tldextract's snapshot file reads as a public-suffix list (it is a private
    file of tldextract's: a release may move or reshape it)."""
    try:
        rules, _nodes = _extractor()
    except (OSError, UnicodeError):
        return False
    return len(rules) > 1000 and "co.uk" in rules


@lru_cache(maxsize=1)
def _tldextract() -> Any:
    import tldextract

    # The bundled public-suffix snapshot only: no download, no disk cache.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


def _tldextract_domain(host: str) -> str | None:
    """The registered domain by tldextract itself (slower to load: ~0.3 s)."""
    parts = _tldextract()(host)
    return f"{parts.domain}.{parts.suffix}" if parts.domain and parts.suffix else None


def _read_table(name: str) -> list[dict[str, str]]:
    import csv

    path = Path(__file__).parent / "data" / name
    if path.is_file():
        text = path.read_text(encoding="utf-8")
    else:  # a zipped installation
        from importlib import resources

        text = resources.files(DATA_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return list(csv.DictReader(lines))


@lru_cache(maxsize=1)
def _quality_table() -> dict[str, float]:
    return {row["domain"]: float(row["pc1"]) for row in _read_table(DOMAIN_QUALITY_FILE)}


@dataclass(frozen=True, slots=True)
class LowCredibilityEntry:
    """One Iffy+ row: the site, optional section path, and its MBFC ratings."""

    domain: str
    path: str
    name: str
    mbfc_fact: str
    mbfc_bias: str
    mbfc_url: str


@lru_cache(maxsize=1)
def _low_credibility_table() -> dict[str, tuple[LowCredibilityEntry, ...]]:
    table: dict[str, list[LowCredibilityEntry]] = {}
    for row in _read_table(LOW_CREDIBILITY_FILE):
        entry = LowCredibilityEntry(
            row["domain"],
            row["path"],
            row["name"],
            row["mbfc_fact"],
            row["mbfc_bias"],
            row["mbfc_url"],
        )
        table.setdefault(entry.domain, []).append(entry)
    return {k: tuple(v) for k, v in table.items()}


def _lookup_hosts(url_or_host: str) -> list[str]:
    """The host then its registered domain (deduplicated), for table lookups."""
    host = _host(url_or_host)
    if host is None:
        return []
    hosts = [host]
    domain = registered_domain(host)
    if domain and domain != host:
        hosts.append(domain)
    return hosts


def domain_quality(url_or_domain: str) -> float | None:
    """Lin et al. (2023) ``pc1`` (0 lowest to 1 highest) for a domain or URL, or None.

    The exact host is tried first ("asia.nikkei.com" has its own score), then its registered
    domain.
    """
    table = _quality_table()
    for host in _lookup_hosts(url_or_domain):
        if host in table:
            return table[host]
    return None


def low_credibility_entry(url_or_domain: str) -> LowCredibilityEntry | None:
    """The Iffy+ entry covering a domain or URL, or None.

    An entry listing only a section of a site (``path``) covers a URL under that path, not
    the bare domain.
    """
    from urllib.parse import urlsplit

    text = url_or_domain.strip() if isinstance(url_or_domain, str) else ""
    path = urlsplit(text if "//" in text else "//" + text).path if text else ""
    table = _low_credibility_table()
    for host in _lookup_hosts(url_or_domain):
        for entry in table.get(host, ()):
            if (
                not entry.path
                or path == entry.path
                or path.startswith(entry.path.rstrip("/") + "/")
            ):
                return entry
    return None


def is_low_credibility(url_or_domain: str) -> bool:
    """True when the Iffy+ index lists the domain (or the URL's section) as low credibility."""
    return low_credibility_entry(url_or_domain) is not None


def tier_for_domain(url_or_domain: str) -> tuple[Tier, str]:
    """A tier for any domain and the reason, by the rule the registry's tiers follow.

    Listed by Iffy+: low. Else Lin et al. (2023) pc1: >= 0.75 high, >= 0.5 medium, else low.
    Else unknown.
    """
    entry = low_credibility_entry(url_or_domain)
    if entry is not None:
        rating = f"MBFC factual rating {entry.mbfc_fact}" if entry.mbfc_fact else "listed"
        return Tier.LOW, f"Iffy+ index 2023-01 lists {entry.domain}{entry.path} ({rating})"
    score = domain_quality(url_or_domain)
    if score is None:
        return Tier.UNKNOWN, "not rated by Lin et al. 2023 nor listed by Iffy+"
    hosts = _lookup_hosts(url_or_domain)
    table = _quality_table()
    rated = next((h for h in hosts if h in table), url_or_domain)
    tier = Tier.HIGH if score >= HIGH_PC1 else Tier.MEDIUM if score >= MEDIUM_PC1 else Tier.LOW
    return tier, f"Lin et al. 2023 pc1={score:.4f} for {rated} (lin2023_domain_pc1.csv)"
