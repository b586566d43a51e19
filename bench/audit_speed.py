"""Speed of the audit: the five seeds, cold and warm, beside a bare spaCy parse.

Usage::

    .venv/bin/python bench/audit_speed.py [--runs 5] [--seeds DIR] [--json FILE] [--no-cli]

What it measures (wall-clock seconds, on this machine, now):

- ``cold``: a fresh Python process imports auditor, loads the settings and audits every seed
  once, including the lazy imports and the spaCy model load (what a user's first audit costs);
- ``warm``: in this process, after one untimed audit, the median of ``--runs`` audits of every
  seed, split into the structural pipeline (ingest, segment, cite: ``judge=False``) and the full
  pipeline (with attribution and judgement); the difference is the judgement layer;
- ``spaCy``: a bare ``fr_core_news_sm`` pass (``nlp.pipe``) over the same cleaned texts, cold
  (fresh process, model load included) and warm (median of ``--runs``), loaded with the same
  components auditor loads, so the judgement layer's cost reads as a ratio to the parse;
- ``CLI``: ``auditor audit SEEDS --offline`` end to end in a subprocess (one run, cold);
- ``--help``: ``auditor --help`` in a subprocess, median of 5 (the issue asks for well under
  half a second: heavy imports are lazy).

Not run by CI: timings depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
AUDITOR = Path(sys.executable).parent / "auditor"
SPACY_MODEL = "fr_core_news_sm"
SPACY_EXCLUDE = ["lemmatizer"]  # what auditor.attribute excludes when it loads the model

COLD_AUDIT = """
import json, sys, time
t0 = time.perf_counter()
from auditor.config import load_settings
from auditor.pipeline import audit_path
settings = load_settings()
t1 = time.perf_counter()
first = None
units = 0
for path in sys.argv[1:]:
    audit = audit_path(path, settings)
    units += len(audit.units)
    if first is None:
        first = time.perf_counter() - t1
t2 = time.perf_counter()
print(json.dumps({"setup": t1 - t0, "first_article": first, "audit": t2 - t1,
                  "total": t2 - t0, "units": units}))
"""

COLD_SPACY = """
import json, sys, time
t0 = time.perf_counter()
import spacy
nlp = spacy.load(sys.argv[1], exclude=json.loads(sys.argv[2]))
t1 = time.perf_counter()
texts = json.load(sys.stdin)
docs = list(nlp.pipe(texts))
t2 = time.perf_counter()
print(json.dumps({"load": t1 - t0, "parse": t2 - t1, "total": t2 - t0,
                  "tokens": sum(len(d) for d in docs), "pipes": nlp.pipe_names}))
"""


def _python(code: str, *args: str, stdin: str | None = None) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter and return the JSON it prints."""
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"audit_speed: child process failed:\n{proc.stderr.strip()}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _median_time(func: Any, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _help_time(runs: int = 5) -> float | None:
    if not AUDITOR.exists():
        return None
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([str(AUDITOR), "--help"], capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _cli_time(seeds: Path) -> float | None:
    if not AUDITOR.exists():
        return None
    with tempfile.TemporaryDirectory(prefix="auditor-bench-") as out:
        started = time.perf_counter()
        proc = subprocess.run(
            [str(AUDITOR), "audit", str(seeds), "--offline", "--output", out, "--quiet"],
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"audit_speed: auditor audit failed ({proc.returncode}): {proc.stderr}")
    return elapsed


def measure(seeds: Path, runs: int, *, cli: bool = True) -> dict[str, Any]:
    """Every figure of the benchmark, as plain data."""
    paths = sorted(str(p) for p in seeds.glob("*.txt"))
    if not paths:
        raise SystemExit(f"audit_speed: no .txt file in {seeds}")

    cold = _python(COLD_AUDIT, *paths)

    from auditor.config import load_settings
    from auditor.pipeline import audit_path

    settings = load_settings()
    audits = [audit_path(p, settings) for p in paths]  # warm-up, untimed
    texts = [a.article.text for a in audits]
    units = sum(len(a.units) for a in audits)
    characters = sum(len(t) for t in texts)
    structural = _median_time(lambda: [audit_path(p, settings, judge=False) for p in paths], runs)
    full = _median_time(lambda: [audit_path(p, settings) for p in paths], runs)

    spacy_cold = _python(
        COLD_SPACY, SPACY_MODEL, json.dumps(SPACY_EXCLUDE), stdin=json.dumps(texts)
    )
    import spacy

    nlp = spacy.load(SPACY_MODEL, exclude=SPACY_EXCLUDE)
    list(nlp.pipe(texts))  # warm-up
    parse = _median_time(lambda: list(nlp.pipe(texts)), runs)

    judgement = max(full - structural, 0.0)
    return {
        "machine": {
            "python": sys.version.split()[0],
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        },
        "corpus": {
            "articles": len(paths),
            "units": units,
            "characters": characters,
            "tokens": spacy_cold["tokens"],
        },
        "runs": runs,
        "cold": {
            "setup_s": cold["setup"],
            "first_article_s": cold["first_article"],
            "all_articles_s": cold["total"],
        },
        "warm": {
            "structural_s": structural,
            "full_s": full,
            "judgement_s": judgement,
            "seconds_per_article": full / len(paths),
            "units_per_second": units / full,
        },
        "spacy": {
            "model": SPACY_MODEL,
            "pipes": spacy_cold["pipes"],
            "cold_load_s": spacy_cold["load"],
            "cold_total_s": spacy_cold["total"],
            "warm_parse_s": parse,
        },
        "ratios": {
            "judgement_to_parse": judgement / parse if parse else None,
            "full_to_parse": full / parse if parse else None,
        },
        "cli_all_seeds_s": _cli_time(seeds) if cli else None,
        "help_s": _help_time(),
    }


def _fmt(value: float | None, unit: str = "s") -> str:
    if value is None:
        return "—"
    return f"{value:.3f} {unit}".strip() if unit == "s" else f"{value:.2f}{unit}"


def table(figures: dict[str, Any]) -> str:
    """The figures as a plain-text table."""
    corpus, cold, warm, sp = figures["corpus"], figures["cold"], figures["warm"], figures["spacy"]
    n = corpus["articles"]
    rows = [
        (
            "corpus",
            f"{n} articles, {corpus['units']} units, {corpus['characters']} characters, "
            f"{corpus['tokens']} tokens",
        ),
        ("cold: imports + settings", _fmt(cold["setup_s"])),
        ("cold: first article (model loads)", _fmt(cold["first_article_s"])),
        ("cold: whole run, all seeds", _fmt(cold["all_articles_s"])),
        (f"warm: structural (median of {figures['runs']})", _fmt(warm["structural_s"])),
        (f"warm: full audit (median of {figures['runs']})", _fmt(warm["full_s"])),
        ("warm: judgement layer (full - structural)", _fmt(warm["judgement_s"])),
        ("warm: seconds per article", _fmt(warm["seconds_per_article"])),
        ("warm: units per second", f"{warm['units_per_second']:.1f}"),
        (f"spaCy {sp['model']}: cold load", _fmt(sp["cold_load_s"])),
        (f"spaCy {sp['model']}: warm nlp.pipe", _fmt(sp["warm_parse_s"])),
        ("ratio judgement / spaCy parse", _fmt(figures["ratios"]["judgement_to_parse"], "×")),
        ("ratio full audit / spaCy parse", _fmt(figures["ratios"]["full_to_parse"], "×")),
        ("CLI: auditor audit seeds --offline", _fmt(figures["cli_all_seeds_s"])),
        ("auditor --help (median of 5)", _fmt(figures["help_s"])),
    ]
    width = max(len(label) for label, _ in rows)
    lines = [f"{label:<{width}}  {value}" for label, value in rows]
    machine = figures["machine"]
    lines.append(
        f"{'machine':<{width}}  Python {machine['python']}, {machine['cpus']} CPUs, "
        f"load average {machine['load_average']:.2f}"
        if machine["load_average"] is not None
        else f"{'machine':<{width}}  Python {machine['python']}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table, optionally write the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5, help="warm runs to take the median of")
    parser.add_argument(
        "--seeds", type=Path, default=ROOT / "seeds", help="folder of .txt articles"
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures here")
    parser.add_argument("--no-cli", action="store_true", help="skip the end-to-end CLI run")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    figures = measure(args.seeds, args.runs, cli=not args.no_cli)
    print(table(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
