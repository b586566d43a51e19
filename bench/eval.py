"""Measure the auditor's labels: per-label precision / recall / F1 and confusion matrices.

    python bench/eval.py                         # tables on stdout
    python bench/eval.py --json out.json         # also the full results as JSON
    python bench/eval.py --check tests/data/eval_baseline.json   # exit 1 below a floor
    python bench/eval.py --verbose               # every disagreement with its reasons
    python bench/eval.py --pin tests/data/eval_baseline.json     # re-pin floors (measured - 0.02)

Labelled documents are ``tests/data/labels/*.jsonl`` (seeds and own articles, scored
separately); the shared datasets are read from ``../shared/datasets`` (skipped with a note
when that folder is missing). The library is ``auditor.evaluate``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", metavar="FILE", help="write the full results as JSON")
    parser.add_argument("--check", metavar="BASELINE", help="fail when a score is below a floor")
    parser.add_argument("--datasets", metavar="DIR", help="shared datasets folder")
    parser.add_argument("--no-datasets", action="store_true", help="skip the shared datasets")
    parser.add_argument("--verbose", action="store_true", help="list every disagreement")
    parser.add_argument(
        "--pin", metavar="BASELINE", help="write floors 0.02 below the measured scores"
    )
    args = parser.parse_args(argv)

    sys.path.insert(0, str(PROJECT))
    from auditor import evaluate
    from auditor.config import load_settings

    settings = load_settings()
    evaluation = evaluate.run(
        project=PROJECT,
        predict=evaluate.pipeline_predict(settings),
        datasets_dir=Path(args.datasets) if args.datasets else None,
        registry=settings.registry,
        with_datasets=not args.no_datasets,
    )
    print(evaluate.render(evaluation, verbose=args.verbose))
    if args.json:
        Path(args.json).write_text(
            json.dumps(evaluation.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    if args.pin:
        floors = evaluate.pin_floors(evaluate.flatten(evaluation))
        baseline = {
            "_comment": "Quality floors checked by tests/test_eval_gate.py and "
            "`python bench/eval.py --check`: each is the score measured when pinned, minus "
            "0.02. Raise them when quality improves; never lower one to make a change pass.",
            "floors": floors,
        }
        Path(args.pin).write_text(json.dumps(baseline, indent=2) + "\n", encoding="utf-8")
        print(f"pinned {len(floors)} floors in {args.pin}", file=sys.stderr)
    if args.check:
        floors = evaluate.load_floors(Path(args.check))
        failures = evaluate.check_floors(
            evaluate.flatten(evaluation),
            floors,
            datasets_available=not args.no_datasets
            and not any("no shared datasets" in note for note in evaluation.notes),
        )
        for failure in failures:
            print(f"below floor: {failure}", file=sys.stderr)
        if failures:
            return 1
        print(f"all {len(floors)} floors hold", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
