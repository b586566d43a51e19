"""Recheck benchmark (issue 5): wall time, requests per second and peak memory of
``auditor links recheck`` over 2,500, 5,000 and 10,000 stored URLs, to show that memory stays
flat as the number of URLs grows (the recheck claims and records in batches; it never holds
the whole list).

For each size, in fresh processes: a store is filled with N URLs over 10 loopback hosts (the
fixture of bench/links.py: 50 ms per response, ``Connection: close``; 88% pages, 4% 404, 4% redirects, 2% soft-404,
2% 410) and 50 documents citing some of them; a first check runs at T0 (the first texts are
stored); then the measured recheck runs at T0 + 8 days against a site where every 20th page
was rewritten (drift) and every 50th now answers 404. Each process reports its own peak RSS
(``resource.getrusage``), and with ``--tracemalloc`` the peak of Python allocations.

    python bench/recheck.py                 # 2500 5000 10000
    python bench/recheck.py --sizes 1000 --tracemalloc

Wayback look-ups are off (no Internet here); WARC archiving is on unless ``--no-archive``.
Not run by CI.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import links as fixture_site  # bench/links.py: the fixture server

T0 = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
SETTINGS = {
    "resolve": {
        "max_concurrency": 100,
        "host_concurrency": 10,
        "host_interval": 0.0,
        "retries": 0,
        "trust_env": False,
    }
}


def make_urls(port: int, total: int, seed: int = 11) -> list[str]:
    kinds = ["/news/"] * 88 + ["/removed/"] * 4 + ["/old/"] * 4 + ["/deleted/"] * 2 + ["/gone/"] * 2
    rnd = random.Random(seed)
    return [
        f"http://{fixture_site.HOSTS[i % len(fixture_site.HOSTS)]}:{port}{rnd.choice(kinds)}{i}"
        for i in range(total)
    ]


def populate(store_file: str, urls: list[str]) -> None:
    """URLs, plus 50 documents citing 20 of them each (for the drift facts and reports)."""
    from auditor.pipeline import audit_text
    from auditor.records import InputFormat
    from auditor.store import Store

    with Store(store_file) as store:
        store.add_urls(urls, now=T0 - timedelta(days=1))
        for doc in range(50):
            cited = urls[doc * 20 : doc * 20 + 20]
            text = "# Dossier {doc}\n\n" + "\n\n".join(
                f"Selon la préfecture, la mesure concerne 12 000 personnes [source]({url})."
                for url in cited
            )
            audit = audit_text(
                text, source=f"doc-{doc}.md", input_format=InputFormat.MARKDOWN, judge=False
            )
            store.record_audit(audit, now=T0 - timedelta(days=1))


def child(args: argparse.Namespace) -> None:
    """One measured run in this process; prints a JSON line."""
    from auditor.recheck import RecheckPolicy, recheck
    from auditor.store import Store

    if args.tracemalloc:
        import tracemalloc

        tracemalloc.start()
    if args.populate:
        populate(args.store, make_urls(args.port, args.size))
    now = T0 + timedelta(days=args.day)
    policy = RecheckPolicy()
    settings = {**SETTINGS, "archive": {"warc_dir": str(Path(args.store).parent / "warc")}}
    started = time.monotonic()
    with Store(args.store) as store:
        summary = recheck(
            store, settings, policy=policy, now=now, archive=not args.no_archive, wayback=False
        )
    wall = time.monotonic() - started
    peak_python = None
    if args.tracemalloc:
        import tracemalloc

        peak_python = tracemalloc.get_traced_memory()[1]
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "size": args.size,
                "day": args.day,
                "checked": summary.checked,
                "requests": summary.requests,
                "wall_s": round(wall, 2),
                "requests_per_s": round(summary.requests / wall, 1),
                "peak_rss_mib": round(rss_kib / 1024, 1),
                "peak_python_mib": round(peak_python / 2**20, 1) if peak_python else None,
                "by_state": summary.by_state,
                "newly_drifted": len(summary.newly_drifted),
                "newly_failing": len(summary.newly_failing),
            }
        ),
        flush=True,
    )


def run_child(
    store: str, port: int, size: int, day: int, populate_first: bool, flags: list[str]
) -> dict[str, object]:
    cmd = [sys.executable, __file__, "--child", "--store", store, "--port", str(port)]
    cmd += ["--size", str(size), "--day", str(day), *flags]
    if populate_first:
        cmd.append("--populate")
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2500, 5000, 10000])
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument(
        "--keepalive", action="store_true", help="keep connections open (default: close)"
    )
    parser.add_argument("--no-archive", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--populate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--day", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return 0
    flags = (["--tracemalloc"] if args.tracemalloc else []) + (
        ["--no-archive"] if args.no_archive else []
    )
    server = fixture_site.Fixture(delay=args.delay, keepalive=args.keepalive)
    rows = []
    try:
        for size in args.sizes:
            work = Path(tempfile.mkdtemp(prefix=f"bench-recheck-{size}-"))
            store = str(work / "auditor.sqlite3")
            server.control("generation=0")
            first = run_child(store, server.port, size, 0, True, flags)
            server.control("generation=1")  # pages rewritten, some gone
            again = run_child(store, server.port, size, 8, False, flags)
            db_mib = sum(p.stat().st_size for p in work.glob("auditor.sqlite3*")) / 2**20
            rows.append({"first": first, "recheck": again, "store_mib": round(db_mib, 1)})
            print(
                f"{size:>6} URLs | first check {first['wall_s']:6.1f} s "
                f"{first['requests_per_s']:6.0f} req/s {first['peak_rss_mib']:6.1f} MiB | "
                f"recheck {again['wall_s']:6.1f} s {again['requests_per_s']:6.0f} req/s "
                f"peak RSS {again['peak_rss_mib']:6.1f} MiB"
                + (
                    f" (Python {again['peak_python_mib']} MiB)"
                    if again.get("peak_python_mib")
                    else ""
                )
                + f" | drifted {again['newly_drifted']}, failing {again['newly_failing']}"
                f" | store {db_mib:.1f} MiB",
                flush=True,
            )
            for path in sorted(work.rglob("*"), reverse=True):
                path.unlink() if path.is_file() else path.rmdir()
            work.rmdir()
    finally:
        server.stop()
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="bench-recheck-home-") as home:
        os.environ.setdefault("AUDITOR_HOME", home)  # never the user's own store
        code = main()
    sys.exit(code)
