"""Ingest: decoding, formats, furniture removal, repairs, metadata, language."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest

from auditor.errors import InputError
from auditor.ingest import (
    IngestOptions,
    classify_furniture,
    decode,
    detect_language,
    ingest,
    ingest_text,
    sniff_format,
)
from auditor.records import InputFormat, LinkOrigin, RemovalReason

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def seed(prefix: str) -> Path:
    return next(SEEDS.glob(f"{prefix}_*.txt"))


def test_glued_sentences_get_a_space_and_glued_headings_become_paragraphs() -> None:
    article = ingest(str(seed("004")))
    assert "millions d’obus. Ces livraisons" in article.text
    assert "\n\nTroupes d’assaut nord-coréennes\n\nC’est à partir" in article.text
    assert "\n\nGuerre d’usure\n\nÀ partir de 2023" in article.text
    kinds = {r.kind for r in article.repairs}
    assert {"glued-sentence", "glued-heading"} <= kinds


def test_glue_repair_leaves_urls_and_domain_names_alone() -> None:
    text = "Il écrit dans Formiche.Net et sur https://example.com/A.Bc.Html la suite.Puis une autre phrase ici."
    article = ingest_text(text)
    assert "https://example.com/A.Bc.Html" in article.text
    assert "la suite. Puis une autre" in article.text


def test_camel_case_word_used_elsewhere_is_not_split_as_a_glued_heading() -> None:
    text = (
        "Le rapport cite DeepMind.DeepMind Research annonce un modèle nouveau pour la santé publique. "
        "DeepMind est une filiale."
    )
    article = ingest_text(text)
    assert "DeepMind Research annonce" in article.text
    assert not any(r.kind == "glued-heading" for r in article.repairs)


def test_hard_line_breaks_inside_sentences_are_joined_but_paragraphs_kept() -> None:
    text = (
        "Le ministre a annoncé hier une réforme\nde grande ampleur pour la fonction publique.\n\n"
        "Un second paragraphe commence ici."
    )
    article = ingest_text(text)
    assert "une réforme de grande ampleur" in article.text
    assert article.text.count("\n\n") == 1


def test_hard_wrapped_document_is_rejoined() -> None:
    line = "The committee heard evidence from several witnesses over the course of"
    text = "\n".join(
        [
            line,
            "two days, and the chair said the findings would be published in",
            "the spring after a",
            "review by the members of the panel and the clerk of the committee.",
            "",
            "Second paragraph here with enough words in it to count as prose text.",
        ]
        * 2
    )
    article = ingest_text(text)
    assert "over the course of two days" in article.text
    assert "in the spring after a review" in article.text


def test_lead_without_final_period_stays_its_own_paragraph() -> None:
    article = ingest(str(seed("002")))
    first, second = article.text.split("\n\n")[:2]
    assert first.endswith("depuis septembre 2023")
    assert second.startswith("Ce fait a suscité")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Recevez notre newsletter et les alertes de Mena News", RemovalReason.NEWSLETTER),
        ("Subscribe to our newsletter for the latest updates", RemovalReason.NEWSLETTER),
        (
            "À lire aussi : La Corée du Nord, trublion ou véritable danger ?",
            RemovalReason.READ_ALSO,
        ),
        ("Read more: The best phones of the year", RemovalReason.READ_ALSO),
        ("Photo by Free Nomad on Unsplash", RemovalReason.PHOTO_CREDIT),
        ("© AFP", RemovalReason.PHOTO_CREDIT),
        ("a stone wall with three windows and trees in front of it", RemovalReason.IMAGE_ALT_TEXT),
        ("Trending", RemovalReason.TRENDING),
        ("Copyright for syndicated content belongs to the linked Source.", RemovalReason.COPYRIGHT),
        ("Partager sur Facebook", RemovalReason.SHARE_BUTTONS),
        # newsletter promotion (invented)
        ("Forward this email to a colleague who covers Asia.", RemovalReason.NEWSLETTER),
        ("Faites suivre cette newsletter à vos collègues.", RemovalReason.NEWSLETTER),
        (
            "Not a subscriber yet? Join 12,000 analysts and get The Harbour Brief every Friday.",
            RemovalReason.NEWSLETTER,
        ),
        ("Pas encore abonné ? Profitez de notre offre d'essai.", RemovalReason.NEWSLETTER),
        ("Get the Arctic Brief delivered to your inbox each Monday.", RemovalReason.NEWSLETTER),
        (
            "Retrouvez chaque dimanche nos analyses dans notre lettre d'information.",
            RemovalReason.NEWSLETTER,
        ),
        ("Lisez la suite dans votre boîte mail demain matin.", RemovalReason.NEWSLETTER),
        ("Ne manquez rien de l'actualité de la défense.", RemovalReason.NEWSLETTER),
        # taglines under the logo (invented)
        ("Le média de l'info sur l'Afrique et le Moyen-Orient", RemovalReason.SITE_BANNER),
        ("Le quotidien de l'information économique et financière", RemovalReason.SITE_BANNER),
        ("Your trusted source for defence and security news", RemovalReason.SITE_BANNER),
        ("Independent news and analysis on Central Asia", RemovalReason.SITE_BANNER),
    ],
)
def test_furniture_lines_are_recognised(line: str, reason: RemovalReason) -> None:
    assert classify_furniture(line) == reason


@pytest.mark.parametrize(
    "line",
    [
        "Selon Reuters, la Corée du Nord a livré des obus.",
        "Photo satellite et modélisation ont permis à l’OSC d’estimer les livraisons, dit-il.",
        "Lundi, le président a déclaré que la situation était grave.",
        "Les observateurs mondiaux appellent à renforcer la responsabilité internationale.",
        "et la suite de la phrase qui continue ici.",
        # news that mentions newsletters, readers, inboxes or news sites
        "The newsletter was forwarded to 3,000 officials, Reuters reported.",
        "Le ministère a détaillé le plan dans sa newsletter du 3 mars.",
        "Phishing emails in your inbox rose 40% last year, Proofpoint said.",
        "Il a rejoint 3 000 lecteurs dans la salle.",
        # headlines about news media are not taglines
        "Le site d'information Mediapart condamné pour diffamation",
        "Un média d'information attaqué par des hackers russes",
        "The home of news anchor John Smith raided",
    ],
)
def test_article_sentences_are_not_furniture(line: str) -> None:
    assert classify_furniture(line) is None


def test_syndication_footer_becomes_metadata_and_trending_list_is_removed() -> None:
    article = ingest(str(seed("004")))
    assert article.meta.canonical_url is not None
    assert article.meta.canonical_url.startswith(
        "https://www.lexpress.fr/monde/europe/ukraine-des-millions"
    )
    assert article.meta.published == "2025-04-17T05:00:00"
    assert article.meta.author is None  # "Author :" was empty
    assert "Trending" not in article.text
    assert "German beer sales" not in article.text
    assert "Source link" not in article.text
    reasons = [r.reason for r in article.removed]
    assert reasons.count(RemovalReason.TRENDING) >= 9
    assert RemovalReason.SYNDICATION_METADATA in reasons


def test_site_banner_newsletter_and_dateline() -> None:
    article = ingest(str(seed("000")))
    assert not article.text.startswith("L'actualité")
    assert article.meta.title is not None and article.meta.title.startswith("Moscou-Pyongyang")
    assert article.meta.published == "2025-04-16"  # from the "(Rome, 16 avril 2025)" dateline
    assert article.meta.site == "Mena News"  # named by the newsletter prompt
    assert "Recevez notre newsletter" not in article.text


def test_alt_text_and_photo_credit_removed_from_blog_post() -> None:
    article = ingest(str(seed("003")))
    assert "a stone wall" not in article.text
    assert "Unsplash" not in article.text
    removed = {r.reason: r.text for r in article.removed}
    assert removed[RemovalReason.IMAGE_ALT_TEXT].startswith("a stone wall")
    assert article.meta.title is not None and article.meta.title.startswith("Jusqu’où va l’aide")


def test_markdown_links_keep_anchor_and_position() -> None:
    text = "# Titre\n\nSelon [l'agence Reuters](https://www.reuters.com/x) et <https://ex.org/a>, rien.\n\n![une photo](https://img/p.png)\n"
    article = ingest_text(text, input_format=InputFormat.MARKDOWN)
    anchors = {link.url: article.text[link.start : link.end] for link in article.links}
    assert anchors["https://www.reuters.com/x"] == "l'agence Reuters"
    assert anchors["https://ex.org/a"] == "https://ex.org/a"
    assert article.heading_spans and article.text[slice(*article.heading_spans[0])] == "Titre"
    assert "une photo" not in article.text
    assert any(r.reason is RemovalReason.IMAGE_ALT_TEXT for r in article.removed)


def test_markdown_footnotes_become_numbered_markers_and_notes() -> None:
    text = "Une phrase sourcée.[^1]\n\n[^1]: https://example.org/rapport\n"
    article = ingest_text(text, input_format=InputFormat.MARKDOWN)
    assert "sourcée.[1]" in article.text
    assert "[1] https://example.org/rapport" in article.text


def test_html_main_text_metadata_links_and_sup_markers() -> None:
    html = """<!doctype html><html lang="fr"><head><title>Titre de page</title>
    <link rel="canonical" href="https://journal.example.fr/article-1">
    <meta property="og:site_name" content="Le Journal"></head><body>
    <nav><a href="/">Accueil</a> <a href="/monde">Monde</a></nav>
    <article><h1>La guerre des obus</h1>
    <p>Selon <a href="https://www.reuters.com/world/x">une enquête de Reuters</a>, la Corée du Nord a livré des millions d'obus à la Russie depuis deux ans.<sup>1</sup></p>
    <figure><img src="a.jpg" alt="des obus dans un dépôt"><figcaption>Photo AFP</figcaption></figure>
    <p>Les experts estiment que ces livraisons ont changé le cours de la guerre en Ukraine de façon durable.</p>
    <h2>Notes</h2><ol class="footnotes"><li><a href="https://example.org/note">https://example.org/note</a></li></ol>
    </article></body></html>"""
    article = ingest_text(html, input_format=InputFormat.HTML)
    assert article.meta.canonical_url == "https://journal.example.fr/article-1"
    assert article.meta.language == "fr"
    reuters = next(link for link in article.links if "reuters" in link.url)
    assert reuters.origin is LinkOrigin.HTML
    assert article.text[reuters.start : reuters.end] == "une enquête de Reuters"
    assert "[1]" in article.text
    assert "Accueil" not in article.text
    assert any(
        r.reason is RemovalReason.IMAGE_ALT_TEXT and "obus" in r.text for r in article.removed
    )


def test_decode_detects_latin1_and_refuses_binary() -> None:
    text, encoding = decode(
        "Le député a déclaré à l'Assemblée qu'il était très inquiet.".encode("latin-1"), "f"
    )
    assert "député" in text and encoding != "utf-8"
    with pytest.raises(InputError, match="binary"):
        decode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "img.txt")
    with pytest.raises(InputError, match="binary"):
        decode(b"abc\x00def" * 20, "x.txt")
    with pytest.raises(InputError, match="empty"):
        decode(b"   \n\t ", "blank.txt")


def test_sniff_format() -> None:
    assert sniff_format("<!DOCTYPE html><html><body><p>x</p></body></html>") is InputFormat.HTML
    assert sniff_format("See [this](https://a.org).") is InputFormat.MARKDOWN
    assert sniff_format("Just words.") is InputFormat.TEXT
    assert sniff_format("whatever", ".md") is InputFormat.MARKDOWN
    assert sniff_format("whatever", "", "text/html; charset=utf-8") is InputFormat.HTML


def test_language_detection_french_and_english() -> None:
    assert (
        detect_language("Le gouvernement a annoncé une nouvelle réforme des retraites hier soir.")[
            0
        ]
        == "fr"
    )
    assert (
        detect_language("The government announced a new pension reform last night in Paris.")[0]
        == "en"
    )


def test_stdin_and_size_cap() -> None:
    article = ingest("-", stdin=io.BytesIO("Une phrase lue sur l'entrée standard.".encode()))
    assert article.source == "-"
    with pytest.raises(InputError, match="too large"):
        ingest("-", stdin=io.BytesIO(b"x" * 2000), options=IngestOptions(max_input_bytes=1000))


def test_url_input_offline_and_fetch_through_transport() -> None:
    with pytest.raises(InputError, match="offline"):
        ingest("https://example.org/a", offline=True)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/missing":
            return httpx.Response(404)
        return httpx.Response(
            200,
            headers={"content-type": "text/html"},
            text="<html><body><article><p>According to the ministry, 40 people were hurt in the storm on Monday night.</p></article></body></html>",
        )

    transport = httpx.MockTransport(handler)
    article = ingest("https://news.example.com/story", transport=transport)
    assert article.input_format is InputFormat.HTML
    assert "40 people were hurt" in article.text
    assert article.meta.canonical_url == "https://news.example.com/story"
    with pytest.raises(InputError, match="HTTP 404"):
        ingest("https://news.example.com/missing", transport=transport)


def test_fetch_size_cap() -> None:
    transport = httpx.MockTransport(
        lambda r: httpx.Response(200, content=b"<p>" + b"a" * 5000 + b"</p>")
    )
    with pytest.raises(InputError, match="cap"):
        ingest(
            "https://big.example.com/",
            transport=transport,
            options=IngestOptions(fetch_max_bytes=1000),
        )


def test_unsupported_scheme_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unsupported"):
        ingest("ftp://example.org/file.txt")
    with pytest.raises(InputError, match="no such file"):
        ingest(str(tmp_path / "nope.txt"))


def test_newsletter_tagline_and_promotions_are_removed_with_their_reason() -> None:
    text = (
        "Le portail de l'information baltique et nordique\n\n"
        "Estonie : un câble sectionné au large de Tallinn\n\n"
        "Le câble reliant Tallinn à Helsinki a été endommagé dimanche, selon Elering.\n\n"
        "Forward this email to a colleague who follows the Baltic.\n"
        "Pas encore abonné ? Rejoignez 9 000 lecteurs et recevez la Lettre nordique chaque lundi."
    )
    article = ingest_text(text)
    assert article.text.startswith("Estonie : un câble")
    assert article.text.rstrip().endswith("selon Elering.")
    reasons = [r.reason for r in article.removed]
    assert reasons == [
        RemovalReason.SITE_BANNER,
        RemovalReason.NEWSLETTER,
        RemovalReason.NEWSLETTER,
    ]


def test_a_caption_with_a_credit_inside_is_removed_as_one_piece() -> None:
    html = """<!doctype html><html lang="fr"><body><article><h1>Le port sous la neige</h1>
    <p>Le port de Lorient a fermé ses quais lundi matin après une chute de neige inattendue sur la côte bretonne.</p>
    <figure><img src="quai.jpg" alt="un quai enneigé">
    <figcaption>Un chalutier bloqué à quai, le 3 mars 2026. <span class="credit">Photo © Y. Le Bris / Ouest Matin</span></figcaption>
    </figure>
    <p>Les pêcheurs attendent un redoux pour reprendre la mer, selon la capitainerie qui surveille la météo.</p>
    </article></body></html>"""
    article = ingest_text(html, input_format=InputFormat.HTML)
    captions = [r.text for r in article.removed if r.reason is RemovalReason.PHOTO_CREDIT]
    assert captions == [
        "Un chalutier bloqué à quai, le 3 mars 2026. Photo © Y. Le Bris / Ouest Matin"
    ]
    assert "chalutier" not in article.text
    # a credit span outside any caption is still removed on its own
    bare = html.replace("<figcaption>", "<div>").replace("</figcaption>", "</div>")
    credits = [
        r.text
        for r in ingest_text(bare, input_format=InputFormat.HTML).removed
        if r.reason is RemovalReason.PHOTO_CREDIT
    ]
    assert credits == ["Photo © Y. Le Bris / Ouest Matin"]


@pytest.mark.parametrize(
    ("glued", "heading"),
    [
        (
            "Le maire n'a pas répondu.La digue, dernier rempartLes riverains ont",
            "La digue, dernier rempart",
        ),
        (
            "The council declined.Ports: the next frontierDock workers say",
            "Ports: the next frontier",
        ),
    ],
)
def test_a_glued_heading_may_hold_a_comma_or_a_colon(glued: str, heading: str) -> None:
    text = f"{glued} attendu des semaines avant la décision finale du préfet."
    article = ingest_text(text)
    assert f"\n\n{heading}\n\n" in article.text
    assert any(r.kind == "glued-heading" for r in article.repairs)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        # the footer of an e-mailed newsletter (invented)
        (
            "You are receiving The Harbour Brief because you subscribed at harbour.example. "
            "Unsubscribe | Update preferences",
            RemovalReason.NEWSLETTER,
        ),
        (
            "Vous recevez cette lettre car vous êtes abonnée à Cap Ouest. Se désabonner",
            RemovalReason.NEWSLETTER,
        ),
        ("Se désinscrire · Gérer mes préférences", RemovalReason.NEWSLETTER),
        # a section banner above the title (invented)
        ("L'essentiel de l'actualité Océan Indien", RemovalReason.SITE_BANNER),
        ("Top stories from the Horn of Africa", RemovalReason.SITE_BANNER),
    ],
)
def test_newsletter_footers_and_section_banners(line: str, reason: RemovalReason) -> None:
    assert classify_furniture(line) == reason


@pytest.mark.parametrize(
    "line",
    [
        "Vous recevez ce courrier de la préfecture car vous avez déposé un recours.",
        "You are receiving these warnings because you live in a flood zone, the mayor said.",
        "L'essentiel de l'actualité a porté sur la grève des dockers.",
        "Top stories on the front page were about the strike.",
    ],
)
def test_body_sentences_like_newsletter_footers_are_kept(line: str) -> None:
    assert classify_furniture(line) is None
