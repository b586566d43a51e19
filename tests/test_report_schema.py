"""Reports: JSON valid against docs/report.schema.json, offsets consistent with the cleaned
text, Markdown that a hostile article cannot break or inject into, committed demo reports.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from auditor.config import load_settings
from auditor.pipeline import audit_source
from auditor.records import Audit
from auditor.reporters import json_report, markdown_report, report_stem

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "docs" / "report.schema.json").read_text(encoding="utf-8"))
SEED_SPECS = sorted(f"seeds/{p.name}" for p in (ROOT / "seeds").glob("*.txt"))
FORMAT_SPECS = sorted(
    f"tests/data/formats/{p.name}" for p in (ROOT / "tests" / "data" / "formats").iterdir()
)


@contextlib.contextmanager
def at_root() -> Iterator[None]:
    """Run from the repository root, as ``make demo`` does (report paths are relative)."""
    old = Path.cwd()
    os.chdir(ROOT)
    try:
        yield
    finally:
        os.chdir(old)


@pytest.fixture(scope="module")
def audits() -> dict[str, Audit]:
    """Judged audits of the five seeds and the format fixtures, shared by the module."""
    with at_root():
        settings = load_settings()
        return {
            spec: audit_source(spec, settings, offline=True)
            for spec in [*SEED_SPECS, *FORMAT_SPECS]
        }


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    Draft202012Validator.check_schema(SCHEMA)
    return Draft202012Validator(SCHEMA)


ALL_SPECS = [*SEED_SPECS, *FORMAT_SPECS]


def test_there_are_five_seeds_and_four_format_fixtures() -> None:
    assert len(SEED_SPECS) == 5 and len(FORMAT_SPECS) == 4


# ---------------------------------------------------------------------------
# Schema


@pytest.mark.parametrize("spec", ALL_SPECS)
def test_report_validates_against_the_schema(
    audits: dict[str, Audit], spec: str, validator: Draft202012Validator
) -> None:
    report = json.loads(json_report.render(audits[spec]))
    errors = sorted(validator.iter_errors(report), key=lambda e: list(e.absolute_path))
    assert [f"{list(e.absolute_path)}: {e.message}" for e in errors] == []
    line = json.loads(json_report.render_line(audits[spec]))
    assert line == report


def test_schema_requires_the_fields_other_tools_rely_on() -> None:
    props = SCHEMA["properties"]
    assert {"schema", "document", "claims", "footnotes", "links", "problems", "removed"} <= set(
        SCHEMA["required"]
    )
    assert {"path", "title", "language", "sha256", "canonical_url", "published", "site"} <= set(
        props["document"]["required"]
    )
    assert {"id", "text", "paragraph", "start", "end", "kind", "citations"} <= set(
        props["claims"]["items"]["required"]
    )
    assert {"number", "urls", "text", "used"} <= set(props["footnotes"]["items"]["required"])
    assert {"id", "url", "anchor", "claim", "footnote", "domain", "source"} <= set(
        props["links"]["items"]["required"]
    )
    assert {"kind", "detail"} <= set(props["problems"]["items"]["required"])
    kinds = set(props["problems"]["items"]["properties"]["kind"]["enum"])
    assert {
        "dangling-footnote",
        "unused-footnote",
        "duplicate-footnote",
        "unlinked-reference",
    } <= kinds


@pytest.mark.parametrize(
    ("mutation", "path"),
    [
        (lambda r: r.pop("claims"), "claims"),
        (lambda r: r["claims"][0].update(kind="rumour"), "kind"),
        (lambda r: r["claims"][0].update(status="maybe"), "status"),
        (lambda r: r["document"].update(sha256="xyz"), "sha256"),
        (lambda r: r["footnotes"][0].update(used="yes"), "used"),
        (lambda r: r["links"][0].pop("source"), "source"),
        (lambda r: r["problems"][0].update(kind="typo"), "kind"),
        (lambda r: r.update(schema="auditor-report/2.0"), "schema"),
    ],
)
def test_schema_rejects_a_broken_report(
    audits: dict[str, Audit], validator: Draft202012Validator, mutation: Any, path: str
) -> None:
    report = json.loads(json_report.render(audits["seeds/001_9699a9ed41f5c1c7.txt"]))
    broken = copy.deepcopy(report)
    mutation(broken)
    errors = list(validator.iter_errors(broken))
    assert errors, f"a report with a broken {path} validates"


def test_judged_claims_carry_the_judgement_fields(audits: dict[str, Audit]) -> None:
    for spec in SEED_SPECS:
        report = json_report.to_dict(audits[spec])
        assert report["summary"], spec
        for claim in report["claims"]:
            assert {"status", "checkworthy", "sensational", "signals", "sources"} <= set(claim)


# ---------------------------------------------------------------------------
# Offsets and cross-references


@pytest.mark.parametrize("spec", ALL_SPECS)
def test_offsets_point_into_the_cleaned_text(audits: dict[str, Audit], spec: str) -> None:
    audit = audits[spec]
    text = audit.article.text
    report = json_report.to_dict(audit)
    claims = report["claims"]
    assert [c["id"] for c in claims] == [f"u{i}" for i in range(1, len(claims) + 1)]
    previous_end = 0
    for claim in claims:
        assert text[claim["start"] : claim["end"]] == claim["text"], claim["id"]
        assert claim["text"] == claim["text"].strip() and claim["text"]
        assert claim["start"] >= previous_end  # in reading order, no overlap
        previous_end = claim["end"]
        paragraph = audit.paragraphs[claim["paragraph"]]
        assert paragraph.start <= claim["start"] and claim["end"] <= paragraph.end
    assert report["document"]["characters"] == len(text)
    assert report["document"]["units"] == len(claims)


@pytest.mark.parametrize("spec", ALL_SPECS)
def test_citations_refer_to_existing_units_notes_and_spans(
    audits: dict[str, Audit], spec: str
) -> None:
    audit = audits[spec]
    text = audit.article.text
    report = json_report.to_dict(audit)
    unit_ids = {c["id"] for c in report["claims"]}
    by_id = {c["id"]: c for c in report["claims"]}
    notes = {f["number"]: f for f in report["footnotes"]}
    link_ids = {lk["id"] for lk in report["links"]}
    cited = {n for c in report["claims"] for n in c["citations"]["footnotes"]}
    for claim in report["claims"]:
        assert set(claim["citations"]["links"]) <= link_ids
    for lk in report["links"]:
        assert lk["claim"] is None or lk["claim"] in unit_ids
        if lk["footnote"] is not None:
            assert lk["url"] in notes[lk["footnote"]]["urls"]
        elif lk["start"] is not None:
            assert text[lk["start"] : lk["end"]] == lk["anchor"]
            owner = by_id[lk["claim"]]
            assert owner["start"] <= lk["start"] and lk["end"] <= owner["end"]
            assert lk["id"] in owner["citations"]["links"]
    for note in report["footnotes"]:
        assert note["used"] == (note["number"] in cited)
        assert set(note["cited_by"]) <= unit_ids
        for url in note["urls"]:
            assert url in text[note["start"] : note["end"]]
    for problem in report["problems"]:
        assert problem["claim"] is None or problem["claim"] in unit_ids
        if problem["kind"] == "dangling-footnote":
            assert problem["number"] not in notes
            assert text[problem["start"] : problem["end"]] == f"[{problem['number']}]"
    for ref in report["unlinked_references"]:
        assert text[ref["start"] : ref["end"]] == ref["name"]


def test_seed_001_report_facts(audits: dict[str, Audit]) -> None:
    report = json_report.to_dict(audits["seeds/001_9699a9ed41f5c1c7.txt"])
    assert [f["number"] for f in report["footnotes"]] == list(range(1, 15))
    assert all(f["used"] and len(f["urls"]) == 1 for f in report["footnotes"])
    dangling = [p for p in report["problems"] if p["kind"] == "dangling-footnote"]
    assert [p["number"] for p in dangling] == [15]
    assert report["document"]["path"] == "seeds/001_9699a9ed41f5c1c7.txt"
    assert re.fullmatch(r"[0-9a-f]{64}", report["document"]["sha256"])


# ---------------------------------------------------------------------------
# Markdown report


SECTIONS = [
    "## Document",
    "## Verdict",
    "## Problems",
    "## Footnotes",
    "## Links",
    "## Sources cited",
    "## Article",
]


@pytest.mark.parametrize("spec", SEED_SPECS)
def test_seed_markdown_report_has_its_sections_in_order(
    audits: dict[str, Audit], spec: str
) -> None:
    lines = markdown_report.render(audits[spec]).splitlines()
    assert lines[0].startswith("# Audit: ")
    positions = []
    for section in SECTIONS:
        found = [
            i for i, line in enumerate(lines) if line == section or line.startswith(section + ",")
        ]
        assert len(found) == 1, section
        positions.append(found[0])
    assert positions == sorted(positions)


def _unescaped(line: str) -> str:
    """The line with every backslash-escaped character removed."""
    return re.sub(r"\\.", "", line)


def _cells(line: str) -> int:
    """Cells of a GFM table row: unescaped pipes, less the outer two."""
    return _unescaped(line).count("|") - 1


OWN_HEADINGS = re.compile(r"^(# Audit: .*|## [A-Z][\w ,-]+|### ¶ \d+)$")


def check_markdown_is_inert(markdown: str) -> None:
    """Nothing from the article can act as Markdown or HTML structure in the report."""
    lines = markdown.splitlines()
    header_cells: int | None = None
    for number, line in enumerate(lines, 1):
        bare = _unescaped(line)
        where = f"line {number}: {line[:120]}"
        if line.startswith("|"):
            if header_cells is None:
                header_cells = _cells(line)
                assert header_cells >= 1, where
            else:
                assert _cells(line) == header_cells, where
            assert line.endswith("|"), where
        else:
            header_cells = None
            assert "|" not in bare, where  # a stray pipe could start a table
        if line.startswith("#"):
            assert OWN_HEADINGS.match(line), where
        assert not line.startswith(("<", "    ", "\t", "```", "~~~", "[")), where
        assert not re.match(r"^\s*\[[^\]]*\]:", bare), where  # link reference definition
        assert "![" not in bare, where  # no image
        html = re.sub(r"<br>", "", bare)
        assert not re.search(r"<[A-Za-z!/?]", html), where  # no raw HTML or comment
        for target in re.findall(r"\]\(([^)]*)\)", bare):
            assert re.fullmatch(r"https?://[^\s()<>|\\]+", target), where
        assert "javascript:" not in " ".join(re.findall(r"\]\(([^)]*)\)", bare))
        ticks = re.sub(r"`[0-9a-f]{64}`", "", bare)
        assert "`" not in ticks, where
        assert "<script" not in line.lower() and "<img" not in line.lower(), where


HOSTILE_MD = """# Titre | avec # dièse et `code` <script>alert(1)</script>

Selon [Reuters](javascript:alert(1)), le ministre | a dit <script>alert("x")</script> que tout \
va bien[1].

<img src=x onerror=alert(1)> Une image piégée ![pixel](http://evil.example/pixel.png) et un \
commentaire <!-- caché --> suivi de `code` et de ``double`` et d’un ![](http://evil.example/p.gif).

## Faux titre | injecté

Le texte contient | des | pipes | et [un lien](http://evil.example/a|b) ainsi que **gras**, \
~~barré~~, \\| et \\\\| et une fin.

Un [lien piégé](http://evil.example/x "onclick=alert(1)") et <a href="javascript:alert(2)">clic</a> \
puis [x](data:text/html;base64,PHNjcmlwdD4=) et <https://ok.example/)|(> et [ref][r].

| a | b |
|---|---|
| cellule | [y](javascript:void(0)) |

    code indenté <b>gras</b>

[r]: javascript:alert(9)

[1] http://evil.example/note_(x)|y ; https://evil.example/b)c|d
[2] Voir « le rapport » | p. 3 <em>ici</em> [lien](http://evil.example/n2)
"""

HOSTILE_HTML = """<!doctype html><html lang="fr"><head>
<title>Titre
# Injecté
| a | b |
<script>alert(1)</script></title>
<meta name="author" content="Eve | [x](javascript:alert(1)) &lt;script&gt;">
<meta property="og:site_name" content="Site ![img](http://evil.example/p.png)">
<meta property="article:published_time" content="2025-01-01T00:00:00Z | ![x](http://e/p.png)">
<link rel="canonical" href="javascript:alert(1)">
</head><body><article><h1>Un | titre</h1>
<p>Selon <a href="javascript:alert(3)">l’agence Reuters</a>, le texte <code>|</code> contient \
une balise &lt;script&gt;alert(4)&lt;/script&gt; et <img src=x onerror="alert(5)" alt="alt | ![a](http://e/a.png)"> \
une image<sup>1</sup>.</p>
<h2>## Pas un titre Markdown</h2>
<p>Une URL avec parenthèses <a href="https://fr.wikipedia.org/wiki/Pipe_(informatique)|x">Pipe</a> \
et du texte *gras* _souligné_ [crochets](http://evil.example/) &amp;amp; fin.</p>
<ol class="footnotes"><li id="fn1"><a href="http://evil.example/n1)|(">http://evil.example/n1)|(</a></li></ol>
</article></body></html>
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Audit]:
    folder = tmp_path_factory.mktemp("hostile")
    found = {}
    settings = load_settings()
    for name, content in (
        ("hostile.md", HOSTILE_MD),
        ("hostile.html", HOSTILE_HTML),
        ("hostile.txt", HOSTILE_MD),
    ):
        path = folder / name
        path.write_text(content, encoding="utf-8")
        found[name] = audit_source(str(path), settings, offline=True)
    return found


@pytest.mark.parametrize("name", ["hostile.md", "hostile.html", "hostile.txt"])
def test_hostile_article_cannot_break_or_inject_into_the_markdown_report(
    hostile: dict[str, Audit], name: str
) -> None:
    audit = hostile[name]
    markdown = markdown_report.render(audit)
    check_markdown_is_inert(markdown)
    # The article's words are still there, escaped, not dropped.
    assert "le ministre \\| a dit" in markdown or "le texte" in markdown
    report = json.loads(json_report.render(audit))
    Draft202012Validator(SCHEMA).validate(report)


def test_hostile_links_are_shown_but_never_clickable(hostile: dict[str, Audit]) -> None:
    audit = hostile["hostile.md"]
    markdown = markdown_report.render(audit)
    # javascript: and data: links are reported as problems, never as citations or link targets
    assert not [lk for lk in audit.citations.links if not lk.url.startswith("http")]
    details = [p.detail for p in audit.citations.problems]
    assert any("(javascript:)" in d for d in details) and any("(data:)" in d for d in details)
    assert "not a web address \\(javascript:\\)" in markdown
    assert "](javascript:" not in markdown and "](data:" not in markdown
    assert "[http://evil.example/a\\|b](http://evil.example/a%7Cb)" in markdown


def test_hostile_html_metadata_is_escaped(hostile: dict[str, Audit]) -> None:
    audit = hostile["hostile.html"]
    assert audit.article.meta.canonical_url is None  # only an http(s) URL can be canonical
    markdown = markdown_report.render(audit)
    assert "javascript:" not in markdown.split("## Verdict")[0]
    assert markdown.splitlines()[0].startswith("# Audit: ")


@pytest.mark.parametrize(
    "bad",
    [
        "| a | b |\n|---|---|\n| x | y | z |",
        "text with | pipe",
        "# Injected heading",
        "[x](javascript:alert(1))",
        "see ![x](http://e.example/p.png)",
        "a <script>x",
        "a <!-- c -->",
        "a `code`",
        "[r]: http://x.example/",
        "    indented code",
        "ok <img src=x>",
    ],
)
def test_the_inertness_check_catches_injections(bad: str) -> None:
    with pytest.raises(AssertionError):
        check_markdown_is_inert(bad)


def test_urls_with_balanced_parentheses_are_kept_whole() -> None:
    from auditor.pipeline import audit_text

    url = "https://fr.wikipedia.org/wiki/KN-23_(missile)"
    audit = audit_text(
        f"Le missile a été testé en 2019[1]. Il vole bas (voir {url}).\n\n[1] {url}\n", judge=False
    )
    assert audit.citations.footnotes[0].urls == (url,)
    assert {lk.url for lk in audit.citations.links} == {url}


def test_markdown_escaping_round_trips_every_special_character() -> None:
    nasty = "a|b [c](d) <e> `f` *g* _h_ #i ~j~ !k \\l {m} +n -o ^p $q &r"
    escaped = markdown_report.esc(nasty)
    check_markdown_is_inert("| x |\n|---|\n| " + escaped + " |")
    assert "&lt;e&gt;" in escaped and "&amp;r" in escaped
    assert (
        re.sub(r"\\(.)", r"\1", escaped)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
        == nasty
    )
    assert markdown_report.esc("ligne un\nligne deux\r\n# trois") == "ligne un ligne deux \\# trois"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,x",
        "vbscript:x",
        "file:///etc/passwd",
        "//evil.example/x",
    ],
)
def test_only_web_urls_become_link_targets(url: str) -> None:
    assert markdown_report.safe_url(url) is None
    assert "](" not in markdown_report.link(url)


def test_link_targets_are_percent_encoded() -> None:
    target = markdown_report.safe_url("https://e.example/a b)c|d<e>\"f'g`h")
    assert target is not None
    assert not re.search(r"[\s()|<>\"'`]", target)


# ---------------------------------------------------------------------------
# The committed demo reports


@pytest.mark.parametrize("spec", SEED_SPECS)
def test_committed_reports_are_what_make_demo_writes(audits: dict[str, Audit], spec: str) -> None:
    from auditor.pipeline import offline_link_fields

    stem = report_stem(spec)
    extra = offline_link_fields(audits[spec])  # `make demo` runs offline
    for suffix, render in ((".json", json_report.render), (".md", markdown_report.render)):
        committed = ROOT / "reports" / f"{stem}{suffix}"
        assert committed.is_file(), f"{committed} is missing: run `make demo`"
        assert committed.read_text(encoding="utf-8") == render(audits[spec], links_extra=extra), (
            f"{committed} is stale: run `make demo`"
        )
