"""HTML and Markdown versions of seeds 001 and 003 read like the plain-text originals.

The fixtures in ``tests/data/formats/`` are written by hand the way a real site publishes an
article: an HTML page with its head, navigation, share buttons, newsletter box, picture with a
credit, ``<sup>`` footnote markers and an ``<ol class="footnotes">`` list; a Markdown file with
``#`` headings, ``[^n]`` footnotes, inline links and emphasis. Whatever the format, the audit
must find the same footnotes, markers, dangling marker, unlinked references and sentences.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auditor.config import load_settings
from auditor.pipeline import audit_path
from auditor.records import Audit, LinkOrigin, ProblemKind, RemovalReason, UnitKind

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FORMATS = Path(__file__).resolve().parent / "data" / "formats"
SEED_001 = SEEDS / "001_9699a9ed41f5c1c7.txt"
SEED_003 = SEEDS / "003_caeac37d48be5cca.txt"
VERSIONS_001 = {
    "text": SEED_001,
    "html": FORMATS / "001_9699a9ed41f5c1c7.html",
    "markdown": FORMATS / "001_9699a9ed41f5c1c7.md",
}
VERSIONS_003 = {
    "text": SEED_003,
    "html": FORMATS / "003_caeac37d48be5cca.html",
    "markdown": FORMATS / "003_caeac37d48be5cca.md",
}


def _expected_notes() -> dict[int, str]:
    """Ground truth read straight from the seed's reference list, not through auditor."""
    notes: dict[int, str] = {}
    for line in SEED_001.read_text(encoding="utf-8").splitlines():
        m = re.fullmatch(r"\[(\d+)\] (https?://\S+)", line.strip())
        if m:
            notes[int(m.group(1))] = m.group(2)
    assert len(notes) == 14
    return notes


@pytest.fixture(scope="module")
def audits() -> dict[tuple[str, str], Audit]:
    """One structural audit (no sentence judgement) per seed and format, shared by the module."""
    settings = load_settings()
    found: dict[tuple[str, str], Audit] = {}
    for seed, versions in (("001", VERSIONS_001), ("003", VERSIONS_003)):
        for fmt, path in versions.items():
            found[(seed, fmt)] = audit_path(path, settings, judge=False)
    return found


def body(audit: Audit) -> str:
    return audit.article.text


@pytest.mark.parametrize("fmt", ["text", "html", "markdown"])
def test_input_format_is_recognised(audits: dict[tuple[str, str], Audit], fmt: str) -> None:
    assert audits[("001", fmt)].article.input_format.value == fmt
    assert audits[("003", fmt)].article.input_format.value == fmt


# ---------------------------------------------------------------------------
# Footnotes of seed 001


@pytest.mark.parametrize("fmt", ["text", "html", "markdown"])
def test_all_fourteen_notes_map_to_their_urls(
    audits: dict[tuple[str, str], Audit], fmt: str
) -> None:
    citations = audits[("001", fmt)].citations
    mapping = {note.number: note.urls for note in citations.footnotes}
    assert mapping == {n: (url,) for n, url in _expected_notes().items()}
    # Each note URL is also a link carrying its note number.
    note_links = {(lk.footnote, lk.url) for lk in citations.links if lk.footnote is not None}
    assert note_links == set(_expected_notes().items())


@pytest.mark.parametrize("fmt", ["text", "html", "markdown"])
def test_marker_15_is_dangling_and_located(audits: dict[tuple[str, str], Audit], fmt: str) -> None:
    audit = audits[("001", fmt)]
    dangling = [p for p in audit.citations.problems if p.kind is ProblemKind.DANGLING_FOOTNOTE]
    assert [p.number for p in dangling] == [15]
    problem = dangling[0]
    assert problem.start is not None and problem.end is not None
    assert body(audit)[problem.start : problem.end] == "[15]"
    unit = next(u for u in audit.units if u.id == problem.unit_id)
    assert "fleuve Tumen" in unit.text
    # No other footnote problem: every note 1-14 is cited, none is duplicated.
    others = {p.kind for p in audit.citations.problems} - {ProblemKind.DANGLING_FOOTNOTE}
    assert not others & {
        ProblemKind.UNUSED_FOOTNOTE,
        ProblemKind.DUPLICATE_FOOTNOTE,
        ProblemKind.MARKERS_OUT_OF_ORDER,
        ProblemKind.MALFORMED_URL,
    }


def _marker_units(audit: Audit) -> set[tuple[int, str]]:
    units = {u.id: u.text for u in audit.units}
    return {(m.number, units[m.unit_id]) for m in audit.citations.markers if m.unit_id}


@pytest.mark.parametrize("fmt", ["html", "markdown"])
def test_each_marker_sits_in_the_same_sentence_as_in_the_text_version(
    audits: dict[tuple[str, str], Audit], fmt: str
) -> None:
    expected = _marker_units(audits[("001", "text")])
    assert {n for n, _ in expected} == set(range(1, 16))
    assert _marker_units(audits[("001", fmt)]) == expected


@pytest.mark.parametrize("fmt", ["html", "markdown"])
def test_marker_spans_point_at_the_marker(audits: dict[tuple[str, str], Audit], fmt: str) -> None:
    audit = audits[("001", fmt)]
    for marker in audit.citations.markers:
        assert body(audit)[marker.start : marker.end] == f"[{marker.number}]"
        unit = next(u for u in audit.units if u.id == marker.unit_id)
        assert unit.start <= marker.start < unit.end


def test_the_notes_list_is_not_made_of_article_units(audits: dict[tuple[str, str], Audit]) -> None:
    for fmt in ("text", "html", "markdown"):
        audit = audits[("001", fmt)]
        assert not [u for u in audit.units if "nbcnews.com" in u.text or "wsj.com" in u.text], fmt


# ---------------------------------------------------------------------------
# Sentences are the same whatever the format


def _sentences(audit: Audit) -> list[str]:
    """Non-heading units, spaces normalised (HTML turns no-break spaces into spaces)."""
    return [" ".join(u.text.split()) for u in audit.units if u.kind is not UnitKind.HEADING]


@pytest.mark.parametrize("seed", ["001", "003"])
@pytest.mark.parametrize(
    "fmt",
    [
        "html",
        "markdown",
    ],
)
def test_body_sentences_match_the_text_version(
    audits: dict[tuple[str, str], Audit], seed: str, fmt: str
) -> None:
    other = _sentences(audits[(seed, fmt)])
    headings = {
        " ".join(u.text.split()) for u in audits[(seed, fmt)].units if u.kind is UnitKind.HEADING
    }
    # The FAQ questions of 003 are <h3>/### headings in the marked-up versions.
    reference = [s for s in _sentences(audits[(seed, "text")]) if s not in headings]
    assert len(reference) > 30
    missing = [s for s in reference if s not in other]
    assert missing == []


def test_html_inline_tags_add_no_space_before_punctuation() -> None:
    from auditor.ingest import ingest_text
    from auditor.records import InputFormat

    page = (
        '<html lang="fr"><body><article><p>Selon <a href="https://www.reuters.com/x">Reuters</a>, '
        "le chiffre est faux<sup>1</sup>. C’est l’<em>opération</em> spéciale.</p>"
        "<p>Un deuxième paragraphe assez long pour compter comme un bloc de texte.</p>"
        "<ol class='footnotes'><li>https://example.org/note</li></ol></article></body></html>"
    )
    article = ingest_text(page, input_format=InputFormat.HTML)
    assert "Selon Reuters, le chiffre est faux[1]. C’est l’opération spéciale." in article.text
    link = article.links[0]
    assert article.text[link.start : link.end] == "Reuters"


def test_markdown_emphasis_marks_do_not_reach_the_text(
    audits: dict[tuple[str, str], Audit],
) -> None:
    text_001 = body(audits[("001", "markdown")])
    text_003 = body(audits[("003", "markdown")])
    assert "la fin du rules based order en vigueur" in text_001
    assert "dépasserait 5 000 drones par mois !" in text_003
    for text in (text_001, text_003):
        assert "**" not in text and "[^" not in text and "](" not in text


# ---------------------------------------------------------------------------
# Links


@pytest.mark.parametrize("fmt", ["html", "markdown"])
def test_inline_links_keep_anchor_and_position(
    audits: dict[tuple[str, str], Audit], fmt: str
) -> None:
    audit = audits[("001", fmt)]
    origin = LinkOrigin.HTML if fmt == "html" else LinkOrigin.MARKDOWN
    inline = {lk.anchor: lk for lk in audit.citations.links if lk.footnote is None}
    assert set(inline) == {"Open Source Centre", "Conseil de Sécurité des Nations Unies"}
    assert inline["Open Source Centre"].url == "https://www.opensourcecentre.org/"
    assert inline["Conseil de Sécurité des Nations Unies"].url == (
        "https://www.un.org/securitycouncil/fr/sanctions/1718"
    )
    units = {u.id: u for u in audit.units}
    for anchor, lk in inline.items():
        assert lk.origin is origin
        assert lk.start is not None and lk.end is not None
        assert body(audit)[lk.start : lk.end] == anchor
        unit = units[lk.unit_id or ""]
        assert unit.start <= lk.start and lk.end <= unit.end
    assert (
        "Selon Reuters et Open Source Centre"
        in units[inline["Open Source Centre"].unit_id or ""].text
    )


@pytest.mark.parametrize("seed", ["001", "003"])
@pytest.mark.parametrize("fmt", ["html", "markdown"])
def test_every_positioned_link_span_matches_its_anchor(
    audits: dict[tuple[str, str], Audit], seed: str, fmt: str
) -> None:
    audit = audits[(seed, fmt)]
    for lk in audit.citations.links:
        if lk.start is None or lk.footnote is not None:
            continue
        assert body(audit)[lk.start : lk.end] == lk.anchor


@pytest.mark.parametrize("fmt", ["html", "markdown"])
def test_read_also_lines_and_their_links_leave_the_body(
    audits: dict[tuple[str, str], Audit], fmt: str
) -> None:
    audit = audits[("001", fmt)]
    assert "lire aussi" not in body(audit).lower()
    assert "Juliette Morillot" not in body(audit)
    read_also = [r for r in audit.article.removed if r.reason is RemovalReason.READ_ALSO]
    assert len(read_also) == 3
    assert not [lk for lk in audit.citations.links if "lettre-geopolitique.fr" in lk.url]


def test_003_inline_link_is_found_in_every_marked_up_format(
    audits: dict[tuple[str, str], Audit],
) -> None:
    for fmt in ("html", "markdown"):
        audit = audits[("003", fmt)]
        shahed = [
            lk
            for lk in audit.citations.links
            if lk.url == "https://en.wikipedia.org/wiki/HESA_Shahed_136"
        ]
        assert len(shahed) == 1, fmt
        assert shahed[0].anchor == "drones kamikazes Shahed-136"
        assert shahed[0].domain == "wikipedia.org"


# ---------------------------------------------------------------------------
# Unlinked references of seed 003


@pytest.mark.parametrize("fmt", ["text", "html", "markdown"])
def test_war_zone_and_xataka_are_unlinked_references(
    audits: dict[tuple[str, str], Audit], fmt: str
) -> None:
    audit = audits[("003", fmt)]
    names = [r.name for r in audit.citations.unlinked]
    assert any("War Zone" in n for n in names), names
    assert any("Xataka" in n for n in names), names
    problems = [
        p.name or "" for p in audit.citations.problems if p.kind is ProblemKind.UNLINKED_REFERENCE
    ]
    assert any("War Zone" in n for n in problems) and any("Xataka" in n for n in problems)
    units = {u.id: u for u in audit.units}
    for ref in audit.citations.unlinked:
        assert body(audit)[ref.start : ref.end] == ref.name
        unit = units[ref.unit_id or ""]
        assert unit.start <= ref.start and ref.end <= unit.end


# ---------------------------------------------------------------------------
# Headings


@pytest.mark.parametrize("fmt", ["html", "markdown"])
def test_h2_and_hash_headings_are_heading_units(
    audits: dict[tuple[str, str], Audit], fmt: str
) -> None:
    headings_001 = {u.text for u in audits[("001", fmt)].units if u.kind is UnitKind.HEADING}
    assert {
        "Un soutien militaire qui s’intensifie",
        "Un rapprochement qui dépasse le contexte du conflit ukrainien",
    } <= headings_001
    headings_003 = {u.text for u in audits[("003", fmt)].units if u.kind is UnitKind.HEADING}
    expected = {
        "Un axe Moscou-Pyongyang qui ne dit pas son nom",
        "Les drones Shahed : un tournant industriel",
        "Missiles KN-23 : l’ascension balistique nord-coréenne sous tutelle russe",
        "Questions fréquentes",
        # <h3>/### questions of the FAQ are headings, not reader questions
        "Quelles sont les armes concrètement échangées entre Russie et Corée du Nord ?",
    }
    assert expected <= headings_003


def test_markdown_title_is_the_document_title(audits: dict[tuple[str, str], Audit]) -> None:
    assert audits[("001", "markdown")].article.meta.title == (
        "Corée du Nord – Russie : une alliance forgée sur le champ de bataille"
    )
    assert audits[("003", "markdown")].article.meta.title == (
        "Jusqu’où va l’aide militaire russe à la Corée du Nord ? "
        "Plongée dans un nouveau jeu d’alliances secrètes"
    )


# ---------------------------------------------------------------------------
# HTML head metadata


def test_html_metadata_comes_from_the_head(audits: dict[tuple[str, str], Audit]) -> None:
    meta = audits[("001", "html")].article.meta
    assert meta.title == "Corée du Nord – Russie : une alliance forgée sur le champ de bataille"
    assert meta.canonical_url == (
        "https://www.lettre-geopolitique.fr/2025/05/12/coree-du-nord-russie-alliance/"
    )
    assert (meta.published or "").startswith("2025-05-12")
    assert meta.site == "La Lettre géopolitique"
    assert meta.author == "Camille Lefort"
    assert meta.language == "fr"
    meta3 = audits[("003", "html")].article.meta
    assert (
        meta3.canonical_url == "https://planete-geostrategie.fr/aide-militaire-russe-coree-du-nord/"
    )
    assert (meta3.published or "").startswith("2025-03-14")
    assert meta3.site == "Planète Géostratégie"
    assert meta3.author == "Julien Marchetti"
    assert (meta3.title or "").startswith("Jusqu’où va l’aide militaire russe")
    assert "Planète Géostratégie" not in (meta3.title or "")  # the " - Site" suffix is dropped


def test_html_canonical_url_is_not_cited_as_a_source_link(
    audits: dict[tuple[str, str], Audit],
) -> None:
    for seed in ("001", "003"):
        links = audits[(seed, "html")].citations.links
        assert not [lk for lk in links if lk.origin is LinkOrigin.SOURCE_LINK]


# ---------------------------------------------------------------------------
# Site furniture


FURNITURE_001 = [
    "Accueil",  # navigation
    "Mentions légales",  # footer navigation
    "Partager sur Facebook",  # share buttons
    "Envoyer par e-mail",
    "Recevez notre newsletter",  # newsletter box
    "Inscrivez-vous pour recevoir",
    "Tous droits réservés",  # footer
    "Photo Gavriil Grigorov",  # figcaption
    "se serrent la main",  # image alt text
    "Comprendre les rapports de force",  # site tagline in the header
    "Mots-clés",  # tags
]


@pytest.mark.parametrize("needle", FURNITURE_001)
def test_html_furniture_is_not_in_the_body(
    audits: dict[tuple[str, str], Audit], needle: str
) -> None:
    assert needle not in body(audits[("001", "html")])


def test_html_image_alt_and_figcaption_are_listed_as_removed(
    audits: dict[tuple[str, str], Audit],
) -> None:
    removed = {(r.reason, r.text) for r in audits[("001", "html")].article.removed}
    assert (
        RemovalReason.IMAGE_ALT_TEXT,
        "Kim Jong-un et Vladimir Poutine se serrent la main devant une rangée de drapeaux",
    ) in removed
    assert (RemovalReason.PHOTO_CREDIT, "Photo Gavriil Grigorov / AFP") in removed
    removed3 = {(r.reason, r.text) for r in audits[("003", "html")].article.removed}
    assert (
        RemovalReason.IMAGE_ALT_TEXT,
        "a stone wall with three windows and trees in front of it",
    ) in removed3
    assert (RemovalReason.PHOTO_CREDIT, "Photo by Free Nomad on Unsplash") in removed3


def test_photo_credit_is_not_cited_as_afp(audits: dict[tuple[str, str], Audit]) -> None:
    assert "AFP" not in body(audits[("001", "html")])


def test_html_navigation_share_and_newsletter_are_listed_as_removed(
    audits: dict[tuple[str, str], Audit],
) -> None:
    reasons = {r.reason for r in audits[("001", "html")].article.removed}
    assert {
        RemovalReason.NAVIGATION,
        RemovalReason.SHARE_BUTTONS,
        RemovalReason.NEWSLETTER,
    } <= reasons


@pytest.mark.parametrize(
    "needle",
    [
        "Abonnez-vous",
        "Recevez chaque dimanche",
        "Mentions légales",
        "Accueil",
        "Drones Shahed : comment l’Iran",
        "depuis 2019",
        "Photo by Free Nomad",
        "stone wall",
    ],
)
def test_003_html_furniture_is_not_in_the_body(
    audits: dict[tuple[str, str], Audit], needle: str
) -> None:
    assert needle not in body(audits[("003", "html")])


def test_003_html_share_block_inside_the_content_is_removed(
    audits: dict[tuple[str, str], Audit],
) -> None:
    audit = audits[("003", "html")]
    units = [u.text for u in audit.units]
    assert not [t for t in units if t in {"Partager :", "Facebook", "X", "E-mail"}]
    assert not [lk for lk in audit.citations.links if "share=" in lk.url]


def test_markdown_image_alt_text_is_removed(audits: dict[tuple[str, str], Audit]) -> None:
    for seed, alt in (
        ("001", "Kim Jong-un et Vladimir Poutine se serrent la main"),
        ("003", "a stone wall with three windows"),
    ):
        audit = audits[(seed, "markdown")]
        assert alt not in body(audit)
        assert any(
            r.reason is RemovalReason.IMAGE_ALT_TEXT and r.text.startswith(alt)
            for r in audit.article.removed
        )
        assert "mur-pierre.jpg" not in body(audit) and "kim-poutine.jpg" not in body(audit)
        assert not [lk for lk in audit.citations.links if lk.url.endswith(".jpg")]


def test_markdown_photo_credits_are_removed(audits: dict[tuple[str, str], Audit]) -> None:
    unsplash = audits[("003", "markdown")]
    assert "Free Nomad" not in body(unsplash)
    assert any(r.reason is RemovalReason.PHOTO_CREDIT for r in unsplash.article.removed)


def test_markdown_agency_photo_credit_is_removed(audits: dict[tuple[str, str], Audit]) -> None:
    audit = audits[("001", "markdown")]
    assert "Photo Gavriil Grigorov" not in body(audit)
    assert any(r.reason is RemovalReason.PHOTO_CREDIT for r in audit.article.removed)


def test_markdown_read_also_block_with_its_list_is_removed(
    audits: dict[tuple[str, str], Audit],
) -> None:
    audit = audits[("003", "markdown")]
    assert "Kim Jong-un et la bombe" not in body(audit)
    assert not [lk for lk in audit.citations.links if "planete-geostrategie.fr" in lk.url]


def test_markdown_look_alike_text_in_html_stays_text() -> None:
    from auditor.ingest import ingest_text
    from auditor.records import InputFormat

    page = (
        "<html lang='fr'><body><article><p>En Markdown, on écrit [texte](http://exemple.org/) "
        "pour un lien et *mot* pour l’italique.</p><p>Un second paragraphe assez long pour "
        "compter comme un bloc de texte.</p></article></body></html>"
    )
    article = ingest_text(page, input_format=InputFormat.HTML)
    assert "[texte](http://exemple.org/)" in article.text and "*mot*" in article.text
    # the URL written out in the text is a bare URL, never a Markdown link with anchor "texte"
    assert [(lk.origin.value, lk.anchor) for lk in article.links] == [
        ("bare", "http://exemple.org/")
    ]
