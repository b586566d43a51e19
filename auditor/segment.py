"""Segment stage: cut the cleaned article text into paragraphs, then into units.

A unit is one sentence, one heading or one boilerplate line, located by character offsets
into the cleaned text (``text[unit.start:unit.end] == unit.text``). Judgement later refines
the ``sentence`` units into claims, quotes, opinions and questions.

The sentence splitter is rule-based, written for French and English news: it knows the
abbreviations of both languages (``abbreviations`` lexicon), initials, numbers, URLs,
ellipses inside a sentence, footnote markers after the period, and it never splits inside a
quotation or a short parenthesis. It was preferred to spaCy's ``fr_core_news_sm`` sentence
segmenter after measuring both on the seed articles: spaCy misses sentence ends after
footnote markers ("Moscou[1]. En"), cuts inside quotations and at semicolons, and is about
forty times slower.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from auditor.lexicons import load_lexicon
from auditor.records import Paragraph, Unit, UnitKind

__all__ = ["Segmentation", "segment", "sentence_spans"]


@dataclass(frozen=True, slots=True)
class Segmentation:
    """Paragraphs and units of one article, both in reading order."""

    paragraphs: tuple[Paragraph, ...]
    units: tuple[Unit, ...]


# ---------------------------------------------------------------------------
# Characters and patterns

_LINE_BREAKS = re.compile(r"[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")
_SPACES = re.compile(r"\s+")
# Quote and bracket characters that may follow the final punctuation of a sentence.
_CLOSERS = "»”\"’')]}›"
# Characters that may open a sentence besides an uppercase letter or a digit.
_SENTENCE_OPENERS = "«“„\"‘'”([{¿¡—–-‹"
_LEADING_OPENERS = "«“„\"‘'”([{‹¿¡"
_MARKER = r"(?:\[\d{1,4}\]|\^\d{1,4}|[⁰¹²³⁴⁵⁶⁷⁸⁹]+)"
_MARKER_RE = re.compile(_MARKER)
_MARKER_TAIL = re.compile(_MARKER + r"+$")
# A sentence end: final punctuation, closing quotes or brackets (French typography puts a
# space before »), footnote markers, then whitespace.
_CANDIDATE = re.compile(
    r"(?P<term>[.!?…‼⁇⁈⁉]+)"
    r"(?:[ \u00a0\u202f\u2009]?[»”\"’')\]}›])*"
    r"(?:[ \u00a0\u202f]?" + _MARKER + r")*"
    r"(?=\s)"
)
_QUOTE_CHARS = re.compile(r"[«»‹›“”„\"‘’']")
_BRACKET_CHARS = re.compile(r"[()\[\]{}]")
_BRACKET_PAIRS = {")": "(", "]": "[", "}": "{"}
# Single initials and dotted acronyms, written without their final period: J, J.-C, U.S.
_INITIALS = re.compile(r"[A-ZÀ-Þ](?:\.-?[A-Za-zÀ-ÿ])*")
# List numbering at the start of a paragraph: "1. Introduction", "II. Les faits".
_LIST_NUMBER = re.compile(r"\d{1,3}|[IVXLC]{1,6}|[a-z]")
_WORD = re.compile(r"[^\W\d_]+")
_ALNUM = re.compile(r"[^\W_]")
_ALNUM_WORD = re.compile(r"\S*[^\W_]\S*")  # a whitespace-separated token with a letter or digit
_MAX_PAREN = 300  # a longer parenthesis may hold sentences of its own

_MAX_HEADING_WORDS = 14
_MAX_HEADING_CHARS = 110
_MAX_TITLE_WORDS = 24  # the first paragraph of a document (its title) may be longer
_MAX_TITLE_CHARS = 170

# ---------------------------------------------------------------------------
# Boilerplate: deliberately conservative, ingest removes most site furniture first. Lines are
# tested whole (before sentence splitting), so a "?" inside a furniture line never splits it.

_SHARE_VERBS = frozenset(
    {
        "partager",
        "partagez",
        "share",
        "tweet",
        "tweeter",
        "tweetez",
        "imprimer",
        "print",
        "email",
        "e-mail",
        "mail",
        "envoyer",
        "copier",
        "copy",
    }
)
_SHARE_NETWORKS = frozenset(
    {
        "facebook",
        "twitter",
        "x",
        "linkedin",
        "whatsapp",
        "telegram",
        "pinterest",
        "reddit",
        "messenger",
        "bluesky",
        "threads",
        "flipboard",
        "mastodon",
        "sms",
    }
)
_SHARE_FILLERS = frozenset(
    {
        "lien",
        "link",
        "le",
        "the",
        "sur",
        "on",
        "via",
        "par",
        "by",
        "this",
        "cet",
        "article",
        "story",
        "page",
        "l’article",
        "l'article",
    }
)
_BOILERPLATE_PATTERNS = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        # advertising slots
        r"(?:publicité|advertisement|advertising|annonce|pub|ad|sponsorisé|sponsored"
        r"|contenu sponsorisé|sponsored content)",
        # copyright lines
        r"(?:©|\(c\)\s*\d{4}|copyright\s*(?:©|\(c\)|\d{4}|for\b)|tous droits réservés"
        r"|all rights reserved).{0,200}",
        r".{0,150}(?:tous droits réservés|all rights reserved)\W*",
        # "À lire aussi", "Read more" lines, alone or followed by the linked title
        r"(?:(?:à|a)\s+lire\s+(?:aussi|également|egalement|sur le même thème)|lire\s+aussi"
        r"|voir\s+aussi|sur le même sujet|read\s+(?:more|also|next)|see\s+also"
        r"|related(?:\s+articles?|\s+stories)?)(?:\s*(?:[:|>»–—-].*)?)",
        # further-reading pointers: "Pour approfondir … : Analyse sur The War Zone"
        r"(?:pour\s+(?:approfondir|aller\s+plus\s+loin|en\s+savoir\s+plus)|further\s+reading"
        r"|to\s+learn\s+more|for\s+more\s+(?:on|about))\b[^:]{0,160}:\s*\S.{0,160}",
        # trending / most read lists' titles
        r"(?:trending|tendances|les plus lus|most read|most popular)\s*:?",
        # photo credits
        r"(?:photos?|crédits?(?:\s+photos?)?|credits?|image|illustration)\s*(?:by|par|:|©|/)"
        r"\s*\S.{0,80}",
        # syndication metadata
        r"(?:source link|author|publish date|publication date|auteur|date de publication)"
        r"\s*:.*",
        # date lines
        r"(?:publié|mis à jour|modifié|published|updated|posted)\b[^.!?]{0,80}\d[^.!?]{0,40}",
        # newsletter prompts
        r"(?:recevez|abonnez-vous|inscrivez-vous|subscribe|sign up)\b.{0,120}"
        r"(?:newsletter|lettre d’information|lettre d'information).{0,60}",
    )
)
_SHARE_SEPARATORS = re.compile(r"[\s|•·/,:;.!–—]+")
# bylines: "Par Jean Dupont", "By Jane Doe and John Roe, Reuters" (capitalised names only)
# The wire agencies that co-sign a byline: "Par Léa Morin avec AFP", "By Sam Lee (with Reuters)".
_WITH_WIRE = (
    r"(?:\s*,?\s*\(?\s*(?:avec|with)\s+(?:l['’]|les\s+|the\s+)?(?:agences|agencies|[A-Z][\w.-]{1,15})"
    r"(?:\s*(?:,|et|and|&)\s*(?:l['’]|the\s+)?[A-Z][\w.-]{1,15}){0,3}\s*\)?)?"
)
_BYLINE = re.compile(
    r"(?:Par|PAR|By|BY)\s+[A-ZÀ-Þ][\w’'.,-]*"
    r"(?:\s+(?:[A-ZÀ-Þ][\w’'.,-]*|de|du|van|von|et|and|&)){0,6}" + _WITH_WIRE
)
# A byline line with the author's role, the outlet or the date after a separator:
# "Par Jeanne Roy | L'Écho du Val | Publié le 02/03/2025", "By Sam Lee, science editor · 4 May
# 2025", "Par la rédaction sport, 3 mars 2025". No sentence-final punctuation.
_BYLINE_NAME = (
    r"(?:[A-ZÀ-Þ][\w’'.-]*(?:\s+(?:[A-ZÀ-Þ][\w’'.-]*|de|du|d['’]|van|von|der|et|and|&)){0,5}"
    r"|(?:la|notre|nos|the|our)\s+(?:[\w’'-]+\s+){0,2}?(?:rédaction|édition|correspondante?s?|envoyée?s?\s+spéciale?s?"
    r"|newsroom|staff|editorial\s+(?:team|board)|correspondents?|reporters?)(?:\s+[\w’'-]+){0,3})"
)
_BYLINE_LINE = re.compile(
    r"(?:Par|PAR|By|BY|Propos\s+recueillis\s+par|Interview\s+by|Texte\s+de)\s+"
    + _BYLINE_NAME
    + _WITH_WIRE
    + r"(?:\s*[,|·•–—]\s*[^.!?|·•]{1,90}){0,4}"
)
# Breadcrumbs: "Accueil > Actualités > Isère", "Home › News › World".
_BREADCRUMB_SEP = re.compile(r"\s+[>›»]\s+")
_BREADCRUMB_ROOTS = frozenset({"accueil", "home", "une", "à la une", "actualités", "news"})
# Credits of syndication and wire production: "Avec AFP", "(With Reuters and AP)",
# "(Reporting by A; Editing by B)", "Additional reporting by C".
_WIRE_CREDIT = re.compile(
    r"\(?\s*(?:(?:[Aa]vec|AVEC|[Ww]ith|WITH)\s+(?:l['’]|the\s+)?(?:agences|agencies"
    r"|[A-Z][\w.-]{1,15})(?:\s*(?:,|et|and|&)\s*(?:l['’]|the\s+)?[A-Z][\w.-]{1,15}){0,3}"
    r"|(?:(?:[Aa]dditional\s+)?[Rr]eporting|[Ww]riting|[Ee]diting|[Cc]ompiled|[Gg]raphics)"
    r"\s+by\s+[^()]{2,150})"
    r"\s*\)?\s*\.?"
)
# Disclaimers of opinion columns: "Les opinions exprimées … n'engagent que leur auteur",
# "The views expressed in this article are those of the author".
_DISCLAIMER = re.compile(
    r"(?:.{0,100}\bn['’]engage(?:nt)?\s+que\s+(?:leurs?\s+|son\s+|sa\s+|ses\s+|l['’]|les\s+)"
    r"(?:auteure?s?|signataires?)"
    r"|(?:the\s+)?(?:views|opinions)\s+expressed\b.{0,120}\b(?:authors?|writers?|contributors?)"
    r"(?:['’]s?)?)\b.{0,120}",
    re.IGNORECASE,
)
# Prompts to the reader at the start of a line: comment, share, follow, subscribe, tell us,
# and notices that the post will be updated.
_READER_PROMPT = re.compile(
    r"(?:dites-nous|racontez-nous|donnez(?:-nous)?\s+votre\s+avis|laissez(?:-nous)?\s+un"
    r"\s+commentaire|réagissez|partagez\s+(?:cet|cette|ce|l['’]|vos|votre)|suivez-nous"
    r"|rejoignez-nous|retrouvez-nous|vous\s+avez\s+aimé\s+(?:cet|cette|ce)"
    r"|(?:cet|cette|ce)\s+(?:article|vidéo|contenu|reportage|podcast)\s+vous\s+a"
    r"|et\s+vous,?\s+qu['’]en\s+pensez-vous"
    r"|forward\s+this\s+(?:e-?mail|newsletter|issue|edition|post|letter)"
    r"|(?:transférez|transmettez|faites\s+suivre)\s+(?:cet?\s+(?:e-?mail|courriel|message)"
    r"|cette\s+(?:newsletter|lettre))"
    r"|tell\s+us|let\s+us\s+know|share\s+(?:this|your)|follow\s+us|join\s+(?:us|the"
    r"\s+conversation|the\s+discussion)|leave\s+(?:a|your)\s+comment|comment\s+below"
    r"|did\s+you\s+(?:enjoy|like)\s+this|(?:was|is)\s+this\s+(?:article|story|post)"
    r"\s+(?:helpful|useful)|enjoyed\s+this|what\s+do\s+you\s+think\s*\?"
    r"|we(?:['’]ll|\s+will)\s+(?:update|keep\s+updating)\s+(?:this|the)"
    r"|this\s+(?:story|article|post|page)\s+(?:will\s+be|is\s+being|has\s+been)\s+updated"
    r"|(?:cet|cette)\s+(?:article|page|dépêche)\s+(?:sera|a\s+été|est)\s+(?:mise?|actualisée?)"
    r"|nous\s+(?:mettrons|actualiserons)\s+(?:à\s+jour\s+)?(?:cet|cette)|stay\s+tuned"
    r"|retrouvez\s+(?:tous\s+|toutes\s+|l['’]ensemble\s+)?(?:les|nos|de\s+nos)\s+(?:autres\s+)?"
    r"(?:épisodes|articles|volets|chapitres|reportages|chroniques|enquêtes|vidéos|podcasts)"
    r"|(?:read|catch\s+up\s+on|find|listen\s+to)\s+(?:all\s+|every\s+|the\s+other\s+|the\s+rest"
    r"\s+of\s+)(?:the\s+|our\s+)?(?:episodes|instal+ments|parts|stories|articles|columns)"
    r"|restez\s+connectés)\b.{0,200}",
    re.IGNORECASE,
)
# Tip lines: a short line that gives the newsroom's address and asks for information.
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_TIP_WORDS = re.compile(
    r"\b(?:écrivez|écrivez-nous|contactez|contactez-nous|envoyez|signalez|transmettre|écrire"
    r"|contact\s+us|e-?mail\s+us|write\s+to|send\s+(?:us|your)|get\s+in\s+touch|tips?)\b",
    re.IGNORECASE,
)
# A caption that ends with its photo credit: "Le port, au matin. (Photo : A. Roy / Ouest)".
_CAPTION_CREDIT = re.compile(
    r".{0,250}\((?:photos?|crédits?(?:\s+photos?)?|credits?|images?|illustrations?|©)"
    r"\s*(?::|/|©|by|par)?\s*[^()]{1,100}\)\.?",
    re.IGNORECASE,
)
# A note that places the article in a series: "Cet article fait partie de notre série « Mers
# sous tension ». Retrouvez …", "This story is part of our series on …".
_SERIES_NOTE = re.compile(
    r"(?:(?:cet|cette|ce)\s+(?:article|reportage|enquête|épisode|texte|entretien|podcast|vidéo"
    r"|chronique|volet)\s+(?:fait\s+partie|est\s+(?:extrait|le\s+\w+\s+(?:volet|épisode)))"
    r"\s+(?:de|d['’]|du)\s*(?:une?|notre|la|le|nos|l['’])\s*(?:\w+\s+)?(?:série|dossier|feuilleton"
    r"|cycle|collection|saga|hors-série|numéro\s+spécial)"
    r"|this\s+(?:article|story|piece|report|essay|episode|column|interview)\s+is\s+(?:part|the"
    r"\s+\w+\s+(?:part|installment|instalment|episode))\s+of\s+(?:an?|our|the)\s+(?:\w+\s+)?"
    r"(?:series|special\s+report|package|collection))\b.{0,250}",
    re.IGNORECASE,
)
_MAX_FURNITURE_LINE = 250
# French drops the article before a profession: "Léa Morin est chercheuse associée à …".
_BIO_ROLES = (
    r"(?:ancien(?:ne)?|chercheu(?:r|se)|enseignante?(?:-chercheu(?:r|se))?|professeure?"
    r"|ma[îi]tre\s+de\s+conf[ée]rences|docteure?|doctorante?|journaliste|[ée]crivaine?"
    r"|directeur|directrice|consultante?|avocate?|[ée]conomiste|historien(?:ne)?|politologue"
    r"|sociologue|g[ée]ographe|juriste|analyste|sp[ée]cialiste|expert(?:e)?|membre"
    r"|fondat(?:eur|rice)|pr[ée]sident(?:e)?|charg[ée]e?\s+de\s+recherche)"
)
# The author's bio closing a column: "Jane Roe is a retired teacher and …", "Paul Morel est
# un ancien maire de …". Only as the last paragraph of the article.
_AUTHOR_BIO = re.compile(
    r"[A-ZÀ-Þ][\w’'-]+(?:\s+(?:[A-ZÀ-Þ][\w’'-]+|de|van|von)){1,3}\s+"
    r"(?:is|est)\s+(?:a|an|the|un|une|l['’]|le|la|" + _BIO_ROLES + r")\b[^!?]{0,220}"
)

# The author named by a byline ("Par Jeanne Roy", "By Sam Lee"), to recognise the closing bio
# that starts with the same name and carries no article ("Jeanne Roy est sage-femme à Vannes.").
_BYLINE_AUTHOR = re.compile(
    r"\b(?:Par|PAR|By|BY)\s+(?P<name>[A-ZÀ-Þ][\w’'-]+(?:\s+(?:[A-ZÀ-Þ][\w’'-]+|de|van|von|le)){1,3})"
)
_MAX_BIO_CHARS = 350
# A section label alone above the title: "TRIBUNE", "Analyse", "Exclusive".
_RUBRIC = re.compile(
    r"(?:tribune|analyse|analysis|opinion|point\s+de\s+vue|[ée]ditorial|[ée]dito|chronique"
    r"|column|commentary|d[ée]cryptage|enqu[êe]te|investigation|reportage|entretien|interview"
    r"|exclusif|exclusive|explainer|feature|portrait|r[ée]cit|t[ée]moignage|fact-?check"
    r"|long\s+read|en\s+direct|direct|live|breaking(?:\s+news)?|alerte|br[èe]ve)\s*:?",
    re.IGNORECASE,
)

# A rubric in capitals glued to the title by a period: "DIRECT. Moldavie : …", "VIDÉO. …",
# "INFO FRANCEINFO. …", "EXCLUSIVE. …".
_RUBRIC_PREFIX = re.compile(
    r"(?:(?-i:[A-ZÀ-Þ][A-ZÀ-Þ'’ -]{1,30})\s+)?(?:"
    + _RUBRIC.pattern.removesuffix(r"\s*:?")
    + r"|vid[ée]os?|photos?|infographie|carte|podcast|audio|watch|info|scoop|urgent)\.\s+"
    r"(?=[A-ZÀ-Þ0-9«“\"])",
    re.IGNORECASE,
)


def _is_author_bio(s: str, authors: set[str]) -> bool:
    """The closing paragraph presents the author: "Jane Roe is a …", or the byline's name."""
    if _AUTHOR_BIO.fullmatch(s) is not None:
        return True
    return len(s) <= _MAX_BIO_CHARS and any(
        s.startswith(name + " ") and s[len(name) + 1 : len(name) + 2].islower() for name in authors
    )


_DATELINE = re.compile(
    r"\(?[A-ZÀ-Ý][\w'’ .-]{1,40},\s+(?:le\s+)?\d{1,2}(?:er)?\s+[^\W\d]{3,12}\.?\s+\d{4}\)?\s*[.–—-]?"
    r"|\(?[A-ZÀ-Ý][\w'’ .-]{1,40},\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s+\d{4})?\)?\s*[.–—-]?"
)


# Metadata lines: short fields joined by " · ", " | " or " – " where one field is a byline, a
# date, an issue number or a reading time ("Analyse · Par Léa Morin · 3 mars 2026", "The Weekly
# Brief | Issue 48 | Monday, May 4, 2026", "Europe | 6 min read").
_FIELD_SEP = re.compile(r"\s+[·•|]\s+|\s+[–—-]\s+")
_MONTHS = (
    r"(?:janv(?:ier|\.)?|f[ée]vr(?:ier|\.)?|mars|avr(?:il|\.)?|mai|juin|juil(?:let|\.)?|ao[uû]t"
    r"|sept(?:embre|\.)?|oct(?:obre|\.)?|nov(?:embre|\.)?|d[ée]c(?:embre|\.)?"
    r"|jan(?:uary|\.)?|feb(?:ruary|\.)?|march|mar\.|april|apr\.|may|june?|july?|aug(?:ust|\.)?"
    r"|sep(?:tember|t?\.)|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_WEEKDAYS = (
    r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
    r"|mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?"
)
_DATE_FIELD = re.compile(
    r"(?:(?:publié|mis\s+à\s+jour|modifié|actualisé|published|updated|posted)\s+)?"
    r"(?:(?:le|on)\s+)?(?:" + _WEEKDAYS + r",?\s+)?"
    r"(?:\d{1,2}(?:er|st|nd|rd|th)?\s+" + _MONTHS + r",?(?:\s+\d{4})?"
    r"|" + _MONTHS + r"\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?"
    r"|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2})"
    r"(?:,?\s+(?:à|at)?\s*\d{1,2}\s*[h:.]\s*\d{0,2}\s*(?:am|pm|gmt|utc|cet|cest)?)?",
    re.IGNORECASE,
)
# "Issue 112", "N° 48", "#112"; "Édition n° 3" but not "Édition 2025" or "Episode 3" (titles)
_ISSUE_FIELD = re.compile(
    r"(?:(?:issue|numéro|n°)\s*#?\s*\d{1,5}"
    r"|(?:édition|edition|lettre|letter|vol\.|volume)\s*(?:n°|no\.|#)\s*\d{1,5}|#\d{1,5})",
    re.IGNORECASE,
)
_READING_TIME_FIELD = re.compile(
    r"(?:\d{1,3}\s*(?:min(?:utes?)?|mn)\.?\s*(?:de\s+lecture|read|reading)"
    r"|(?:lecture|temps\s+de\s+lecture|reading\s+time)\s*:?\s*\d{1,3}\s*(?:min(?:utes?)?|mn)\.?"
    r"|\d{1,5}\s+(?:comments?|commentaires?|réactions?))",
    re.IGNORECASE,
)
_MAX_FIELD_WORDS = 8


def _is_metadata_line(s: str) -> bool:
    """Short fields joined by separators, one of them a byline, date, issue or reading time."""
    if s.rstrip()[-1:] in ".!?:;,":
        return False
    fields = [f.strip() for f in _FIELD_SEP.split(s)]
    if len(fields) < 2 or any(
        not f or len(_ALNUM_WORD.findall(f)) > _MAX_FIELD_WORDS for f in fields
    ):
        return False
    strong = any(
        _BYLINE_LINE.fullmatch(f) is not None
        or _ISSUE_FIELD.fullmatch(f) is not None
        or _READING_TIME_FIELD.fullmatch(f) is not None
        for f in fields
    )
    dated = any(_DATE_FIELD.fullmatch(f) is not None for f in fields)
    # a dash also joins the two halves of a title ("Ukraine – 24 février 2022"): with dashes
    # only, a lone date is not enough
    dashes_only = re.search(r"\s[·•|]\s", s) is None
    return strong or (dated and (not dashes_only or len(fields) >= 3))


# Further-reading pointers: a lead-in, a colon, then the pointed-to work ("Pour mieux comprendre
# la crise : Dossier spécial sur Le Temps", "To understand the stakes: our explainer").
_FURTHER_INTRO = (
    r"(?:pour\s+(?:mieux\s+|bien\s+)?(?:comprendre|approfondir|aller\s+plus\s+loin|creuser"
    r"|en\s+savoir\s+(?:plus|davantage)|décrypter|(?:re)?lire|compléter|prolonger)"
    r"|(?:to|for)\s+(?:better\s+)?(?:understand|learn\s+more|go\s+further|dig\s+deeper)"
    r"|for\s+(?:more\s+)?(?:background|context)|(?:go|dig)\s+deeper|further\s+reading"
    r"|en\s+savoir\s+plus|aller\s+plus\s+loin)"
)
_POINTER_PLACE = r"(?:sur|dans|chez|on|in|at|via)"
# a capitalised publication name, even when the rest is read case-insensitively
_POINTER_NAME = (
    r"(?:l['’]|la\s+|le\s+|les\s+|the\s+)?(?-i:[A-ZÀ-Þ][\w'’.&-]*(?:\s+[A-ZÀ-Þ][\w'’.&-]*){0,4})"
)


@lru_cache(maxsize=1)
def _further_reading_re() -> re.Pattern[str]:
    works = "|".join(f"(?:{w})" for w in load_lexicon("references").get("work", ()))
    determiner = r"(?:(?:notre|nos|le|la|les|un|une|our|the|an?)\s+|l['’])?"
    tail = (
        r"(?:[«“\"]|" + determiner + r"(?:" + works + r")\b"
        r"|[^.!?]{0,120}?\b(?:"
        + works
        + r")(?:\s+[\w'’-]+){0,3}\s+"
        + _POINTER_PLACE
        + r"\s+"
        + _POINTER_NAME
        + r"\s*(?:\([^()]{1,40}\))?\s*\.?$)"
    )
    return re.compile(
        _FURTHER_INTRO + r"\b[^:.!?]{0,160}:\s*(?=" + tail + r")[^!?]{1,200}", re.IGNORECASE
    )


def _is_further_reading(s: str) -> bool:
    """A pointer to another piece for further reading (kept as a unit for cite)."""
    return _further_reading_re().fullmatch(s) is not None


def _is_boilerplate(s: str) -> bool:
    if _ALNUM.search(s) is None:
        return True
    if len(s) > 300:
        return False
    tokens = [t for t in _SHARE_SEPARATORS.split(s.lower()) if _ALNUM.search(t)]
    if (
        tokens
        and len(tokens) <= 10
        and all(t in _SHARE_VERBS or t in _SHARE_NETWORKS or t in _SHARE_FILLERS for t in tokens)
        and (
            any(t in _SHARE_VERBS for t in tokens) or sum(t in _SHARE_NETWORKS for t in tokens) >= 2
        )
    ):
        return True
    if _BYLINE.fullmatch(s) is not None or any(p.fullmatch(s) for p in _BOILERPLATE_PATTERNS):
        return True
    return len(s) <= _MAX_FURNITURE_LINE and _is_furniture_line(s)


def _is_breadcrumb(s: str) -> bool:
    if "«" in s:
        return False
    parts = _BREADCRUMB_SEP.split(s)
    if len(parts) < 2 or any(len(p.split()) > 6 or not p.strip() for p in parts):
        return False
    if s.rstrip()[-1:] in ".!?":
        return False
    return len(parts) >= 3 or parts[0].strip().lower() in _BREADCRUMB_ROOTS


def _is_furniture_line(s: str) -> bool:
    """Short lines of site furniture: bylines with a role or a date, breadcrumbs, wire
    credits, column disclaimers, prompts to the reader, series notes, tip lines, credited
    captions, metadata lines and further-reading pointers."""
    return (
        (_BYLINE_LINE.fullmatch(s) is not None and s.rstrip()[-1:] not in ".!?")
        or _is_breadcrumb(s)
        or _WIRE_CREDIT.fullmatch(s) is not None
        or _DISCLAIMER.fullmatch(s) is not None
        or _READER_PROMPT.fullmatch(s) is not None
        or _SERIES_NOTE.fullmatch(s) is not None
        or (_EMAIL.search(s) is not None and _TIP_WORDS.search(s) is not None)
        or _CAPTION_CREDIT.fullmatch(s) is not None
        or _is_metadata_line(s)
        or _is_further_reading(s)
    )


# ---------------------------------------------------------------------------
# Lexicon


@dataclass(frozen=True, slots=True)
class _Abbreviations:
    titles: frozenset[str]
    nonfinal: frozenset[str]
    before_number: frozenset[str]
    ambiguous: frozenset[str]
    starters: frozenset[str]


@lru_cache(maxsize=8)
def _abbreviations(extra_files: tuple[str, ...] = ()) -> _Abbreviations:
    lex = load_lexicon("abbreviations", extra_files)

    def entries(category: str) -> frozenset[str]:
        return frozenset(" ".join(e.split()) for e in lex.get(category, ()))

    return _Abbreviations(
        titles=entries("titles"),
        nonfinal=entries("nonfinal"),
        before_number=entries("before_number"),
        ambiguous=entries("ambiguous"),
        starters=entries("starters_fr") | entries("starters_en"),
    )


def _listed(entries: frozenset[str], word: str) -> bool:
    if word in entries:
        return True
    # "Cf." at the start of a sentence is the lowercase entry "cf."
    return word[:1].isupper() and (word[0].lower() + word[1:]) in entries


# ---------------------------------------------------------------------------
# Protected spans: quotations and short parentheses are never split


def _quote_spans(text: str, start: int, end: int, single_quotes: bool) -> list[tuple[int, int]]:
    """Spans of balanced quotations inside one paragraph; an unclosed quote protects nothing."""
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []

    def close(kind: str, i: int) -> bool:
        for k in range(len(stack) - 1, -1, -1):
            if stack[k][0] == kind:
                spans.append((stack[k][1], i + 1))
                del stack[k:]
                return True
        return False

    def is_open(kind: str) -> bool:
        return any(k == kind for k, _ in stack)

    for m in _QUOTE_CHARS.finditer(text, start, end):
        ch = m.group()
        i = m.start()
        prev = text[i - 1] if i > start else " "
        nxt = text[i + 1] if i + 1 < end else " "
        prev_opens = prev.isspace() or prev in _LEADING_OPENERS or prev in "—–-"
        if ch == "«":
            stack.append(("g", i))
        elif ch == "»":
            close("g", i)
        elif ch == "‹":
            stack.append(("sg", i))
        elif ch == "›":
            close("sg", i)
        elif ch == "„":
            stack.append(("d", i))
        elif ch == "“":
            # „…“ (German order) or a mirrored closing quote: close what is open
            if is_open("d") and not prev.isspace() and not nxt.isalnum():
                close("d", i)
            elif not nxt.isspace():
                stack.append(("d", i))
        elif ch == "”":
            if is_open("d") and not prev.isspace():
                close("d", i)
            elif prev_opens and not nxt.isspace():
                stack.append(("d", i))  # a stray ” used as an opening quote
        elif ch == '"':
            if is_open("s") and not prev.isspace():
                close("s", i)
            elif prev_opens and not nxt.isspace():
                stack.append(("s", i))
        elif single_quotes:
            if ch == "‘" and not nxt.isspace():
                stack.append(("q", i))
            elif is_open("q") and not prev.isspace() and not nxt.isalnum():
                close("q", i)
            elif ch == "'" and prev_opens and nxt.isalnum():
                stack.append(("q", i))
    return spans


def _paren_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    for m in _BRACKET_CHARS.finditer(text, start, end):
        ch = m.group()
        if ch in "([{":
            stack.append((ch, m.start()))
            continue
        opener = _BRACKET_PAIRS[ch]
        for k in range(len(stack) - 1, -1, -1):
            if stack[k][0] == opener:
                if m.end() - stack[k][1] <= _MAX_PAREN:
                    spans.append((stack[k][1], m.end()))
                del stack[k:]
                break
    return spans


def _merge(spans: Sequence[tuple[int, int]], lo: int, hi: int) -> list[tuple[int, int]]:
    """Sorted disjoint spans clamped to [lo, hi]; overlapping or touching spans are joined."""
    out: list[tuple[int, int]] = []
    for a, b in sorted((max(lo, a), min(hi, b)) for a, b in spans):
        if a >= b:
            continue
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _strictly_inside(spans: list[tuple[int, int]], starts: list[int], pos: int) -> bool:
    k = bisect_left(starts, pos) - 1
    return k >= 0 and spans[k][0] < pos < spans[k][1]


# ---------------------------------------------------------------------------
# Sentence boundaries


def _is_sentence_start(ch: str) -> bool:
    return (ch.isalpha() and not ch.islower()) or ch.isdigit() or ch in _SENTENCE_OPENERS


def _word_before(text: str, pos: int, start: int) -> tuple[str, int]:
    """The word that ends at ``pos`` (exclusive), without openers, closers and markers."""
    i = pos
    while i > start and not text[i - 1].isspace():
        i -= 1
    word = _MARKER_TAIL.sub("", text[i:pos]).rstrip(_CLOSERS)
    stripped = word.lstrip(_LEADING_OPENERS)
    return stripped, i + (len(word) - len(stripped))


def _opens_sentence(text: str, pos: int, lex: _Abbreviations) -> bool:
    """True when the text at ``pos`` looks like the first word of a sentence."""
    ch = text[pos]
    if ch in '«“„"':
        return True
    m = _WORD.match(text, pos)
    return m is not None and m.group() in lex.starters


def _period_ends_sentence(text: str, dot: int, nxt: int, start: int, lex: _Abbreviations) -> bool:
    word, word_start = _word_before(text, dot, start)
    if not word:
        return True
    abbrev = word + "."
    prev = ""
    j = word_start
    if j > start and text[j - 1].isspace():
        while j > start and text[j - 1].isspace():
            j -= 1
        if j > start:
            prev = _word_before(text, j, start)[0]
    pair = f"{prev} {abbrev}" if prev else ""
    if _listed(lex.titles, abbrev) or (pair and _listed(lex.titles, pair)):
        return False
    if _listed(lex.nonfinal, abbrev) or (pair and _listed(lex.nonfinal, pair)):
        return False
    if text[nxt].isdigit() and (
        _listed(lex.before_number, abbrev) or (pair and _listed(lex.before_number, pair))
    ):
        return False
    if word_start == start and _LIST_NUMBER.fullmatch(word):
        return False
    if (
        _listed(lex.ambiguous, abbrev)
        or (pair and _listed(lex.ambiguous, pair))
        or _INITIALS.fullmatch(word)
    ):
        return _opens_sentence(text, nxt, lex)
    return True


def _boundaries(
    text: str, start: int, end: int, lex: _Abbreviations, single_quotes: bool
) -> list[tuple[int, int, str]]:
    """(end of a sentence, start of the next, final punctuation) inside one paragraph."""
    parens = _paren_spans(text, start, end)
    protected = _merge(_quote_spans(text, start, end, single_quotes) + parens, start, end)
    starts = [a for a, _ in protected]
    out: list[tuple[int, int, str]] = []
    for m in _CANDIDATE.finditer(text, start, end):
        split = m.end()
        ws = _SPACES.match(text, split, end)
        if ws is None or ws.end() >= end:
            continue
        nxt = ws.end()
        if _strictly_inside(protected, starts, split):
            continue
        term = m.group("term")
        tpos = m.start("term")
        if tpos > start and text[tpos - 1] in "[(":
            continue  # elision "[…]" or "(...)"
        if not _is_sentence_start(text[nxt]):
            continue
        if (
            len(term) == 1
            and term == "."
            and not _period_ends_sentence(text, tpos, nxt, start, lex)
        ):
            continue
        out.append((split, nxt, term))
    return out


def sentence_spans(
    text: str,
    start: int = 0,
    end: int | None = None,
    *,
    language: str = "fr",
    lexicon_files: Sequence[str | Path] = (),
) -> list[tuple[int, int]]:
    """Sentence spans of ``text[start:end]``, read as one paragraph.

    Returns ``(start, end)`` offsets into ``text``, in order, each stripped of surrounding
    whitespace and never empty.
    """
    end = len(text) if end is None else end
    lex = _abbreviations(tuple(str(f) for f in lexicon_files))
    single_quotes = language.lower().startswith("en")
    return _split(text, start, end, lex, single_quotes)[0]


def _split(
    text: str, start: int, end: int, lex: _Abbreviations, single_quotes: bool
) -> tuple[list[tuple[int, int]], list[str]]:
    bounds = _boundaries(text, start, end, lex, single_quotes)
    spans: list[tuple[int, int]] = []
    cur = start
    for split, nxt, _ in bounds:
        spans.append(_strip(text, cur, split))
        cur = nxt
    spans.append(_strip(text, cur, end))
    return [s for s in spans if s[0] < s[1]], [t for _, _, t in bounds]


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


# ---------------------------------------------------------------------------
# Headings


def _reads_as_title(s: str) -> bool:
    """A title that ends in "!": two halves around a colon, or shouted in capitals."""
    letters = [c for c in s if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    return ":" in s or (len(letters) >= 12 and upper >= 0.6 * len(letters))


def _looks_like_heading(s: str, first: bool, internal_terms: list[str]) -> bool:
    """A short single line without final punctuation, starting with a capital.

    The title (``first``) may open with a rubric in capitals ("DIRECT. Moldavie : …",
    "VIDEO. …") and may end in "!" when it reads as a title ("ALERTE : LE PRIX DU GAZ
    EXPLOSE !", "SHOCKING: The Habit That … (Doctors Hate It!)").
    """
    if first and internal_terms and internal_terms[0] == ".":
        m = _RUBRIC_PREFIX.match(s)
        if m is not None and m.group(0).rstrip(". ").isupper():
            s, internal_terms = s[m.end() :], internal_terms[1:]
    if len(s) > (_MAX_TITLE_CHARS if first else _MAX_HEADING_CHARS):
        return False
    words = len(_ALNUM_WORD.findall(s))
    if words > (_MAX_TITLE_WORDS if first else _MAX_HEADING_WORDS):
        return False
    lead = s.lstrip(_LEADING_OPENERS + " ")
    if not lead or not (lead[0].isdigit() or (lead[0].isalpha() and not lead[0].islower())):
        return False
    if _MARKER_RE.search(s):
        return False
    core = s.rstrip(_CLOSERS + " \u00a0\u202f")
    if not core:
        return False
    last = core[-1]
    if last in "!‼" and first and core[-2:-1] not in "!?" and _reads_as_title(core):
        pass  # a shouted or two-part title; "!!" and "?!" stay sentences
    elif last in ".!…‼,;:":
        return False
    if last in "?⁇⁈⁉" and not first and ":" not in s:
        return False  # a question, unless it reads as a section title ("X : vers Y ?")
    # two sentences in a row are not a heading; a title may hold a question ("… ? Plongée")
    return all(not (set(t) & set(".…")) for t in internal_terms)


# ---------------------------------------------------------------------------
# Paragraphs


def _paragraph_spans(
    text: str, skip: Sequence[tuple[int, int]], heading_spans: Sequence[tuple[int, int]]
) -> list[tuple[int, int, bool]]:
    """(start, end, declared heading) of each paragraph outside the skipped spans."""
    n = len(text)
    holes = _merge(
        [m.span() for m in _LINE_BREAKS.finditer(text)] + [(int(s[0]), int(s[1])) for s in skip],
        0,
        n,
    )
    heads = _merge([(int(h[0]), int(h[1])) for h in heading_spans], 0, n)
    head_starts = [a for a, _ in heads]
    cuts = sorted({p for span in heads for p in span})
    out: list[tuple[int, int, bool]] = []
    pos = 0
    for a, b in [*holes, (n, n)]:
        if a > pos:
            lo = bisect_left(cuts, pos + 1)
            hi = bisect_left(cuts, a)
            for x, y in pairwise([pos, *cuts[lo:hi], a]):
                x, y = _strip(text, x, y)
                if x < y:
                    k = bisect_left(head_starts, y) - 1
                    declared = k >= 0 and heads[k][0] <= x and y <= heads[k][1]
                    out.append((x, y, declared))
        pos = max(pos, b)
    return out


def segment(
    text: str,
    *,
    skip: Sequence[tuple[int, int]] = (),
    heading_spans: Sequence[tuple[int, int]] = (),
    language: str = "fr",
    lexicon_files: Sequence[str | Path] = (),
) -> Segmentation:
    """Cut ``text`` into paragraphs and units (sentences, headings, boilerplate lines).

    Paragraphs are the lines of ``text``; ``skip`` spans (e.g. the footnote list) produce
    neither paragraphs nor units; paragraphs inside ``heading_spans`` are headings. Other
    paragraphs are boilerplate, plain-text headings, or split into sentences. Units are
    numbered "u1", "u2", … in reading order, with exact offsets into ``text``.
    """
    lex = _abbreviations(tuple(str(f) for f in lexicon_files))
    single_quotes = language.lower().startswith("en")
    spans = _paragraph_spans(text, skip, heading_spans)
    paragraphs: list[Paragraph] = []
    units: list[Unit] = []
    furniture_paragraphs = [not d and _is_boilerplate(text[a:b]) for a, b, d in spans]
    # the author's bio closes the article, possibly followed by more furniture
    closing = max((p for p, f in enumerate(furniture_paragraphs) if not f), default=-1)
    authors = {
        m.group("name")
        for (a, b, _), f in zip(spans, furniture_paragraphs, strict=True)
        if f
        for m in _BYLINE_AUTHOR.finditer(text, a, b)
    }

    def add(p: int, a: int, b: int, kind: UnitKind) -> None:
        units.append(Unit(f"u{len(units) + 1}", len(units), p, a, b, text[a:b], kind))

    for p, (a, b, declared) in enumerate(spans):
        paragraphs.append(Paragraph(p, a, b))
        if declared:
            add(p, a, b, UnitKind.HEADING)
            continue
        s = text[a:b]
        if (
            furniture_paragraphs[p]
            or (p == closing and p > 0 and _is_author_bio(s, authors))
            or (p == 0 and len(spans) > 1 and _RUBRIC.fullmatch(s) is not None)
        ):
            add(p, a, b, UnitKind.BOILERPLATE)
            continue
        sentences, terms = _split(text, a, b, lex, single_quotes)
        if p + 1 < len(spans) and _looks_like_heading(s, p == 0, terms):
            add(p, a, b, UnitKind.HEADING)
            continue
        for x, y in sentences:
            # "(Rome, 16 avril 2025)." opening the lead is a dateline, not a sentence; a prompt
            # to the reader ending a paragraph ("Racontez-nous tout en commentaire !") is
            # furniture too.
            sentence = text[x:y]
            furniture = _DATELINE.fullmatch(sentence) or _READER_PROMPT.fullmatch(sentence)
            add(p, x, y, UnitKind.BOILERPLATE if furniture else UnitKind.SENTENCE)
    return Segmentation(tuple(paragraphs), tuple(units))
