"""How long user Markdown takes to render: every pathological case, in every field a user writes.

For each field (scratchpad, notes, evidence, Keep/Stop/Start) and each case in tests/markdown_cases.py,
render_user (cmark-gfm, then nh3) on the case at the field's maximum length; and, where that text is
past the markup budget (so it is shown as written, which is cheap), again at the longest length that
is still formatted, the costliest text the renderer does format. Times are the best of 3, in CPU
time (what a render costs the server; on a machine shared with other work, wall-clock time also
counts the waits for a core) and in wall-clock time, shown beside it. Prints one line per
measurement, the slowest, then one JSON line; exits 1 if any took over 100 ms of CPU time.

    .venv/bin/python bench/render.py [--limit-ms 100]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.markdown_cases

from mockloop.core.markup import fits_budget, render_user  # noqa: E402
from tests.markdown_cases import CASES, FIELDS, TAIL  # noqa: E402


def best_of(text: str, runs: int = 3) -> tuple[float, float]:
    """(CPU ms, wall ms), each the best of `runs`."""
    cpu = wall = float("inf")
    for _ in range(runs):
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        render_user(text)
        cpu = min(cpu, time.process_time() - start_cpu)
        wall = min(wall, time.perf_counter() - start_wall)
    return cpu * 1000, wall * 1000


def longest_formatted(case, limit: int) -> int | None:
    """The longest length up to limit at which the case is still formatted (binary search)."""
    lo, hi = len(TAIL) + 1, limit
    if not fits_budget(case.text(lo)):
        return None
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if fits_budget(case.text(mid)) else (lo, mid)
    return lo


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit-ms", type=float, default=100.0)
    args = parser.parse_args()
    rows = []
    print(f"{'field':16} {'case':42} {'chars':>7} {'how':10} {'cpu ms':>7} {'wall ms':>7}")
    for field, limit in FIELDS.items():
        for case in CASES:
            text = case.text(limit)
            sizes = [(len(text), text)]
            if not fits_budget(text):
                n = longest_formatted(case, limit)
                if n:
                    sizes.append((len(case.text(n)), case.text(n)))
            for size, sample in sizes:
                how = "formatted" if fits_budget(sample) else "as written"
                ms, wall = best_of(sample)
                rows.append(
                    {
                        "field": field,
                        "case": case.name,
                        "chars": size,
                        "how": how,
                        "ms": round(ms, 2),
                        "wall_ms": round(wall, 2),
                    }
                )
                flag = "  OVER" if ms > args.limit_ms else ""
                print(f"{field:16} {case.name[:42]:42} {size:7} {how:10} {ms:7.1f} {wall:7.1f}{flag}", flush=True)
    slowest = max(rows, key=lambda r: r["ms"])
    over = [r for r in rows if r["ms"] > args.limit_ms]
    slowest_wall = max(rows, key=lambda r: r["wall_ms"])
    print(
        f"\nslowest: {slowest['ms']:.1f} ms CPU, {slowest['case']} in {slowest['field']} "
        f"({slowest['chars']} chars, {slowest['how']}); slowest wall clock {slowest_wall['wall_ms']:.1f} ms "
        f"({slowest_wall['case']}); {len(rows)} renders, {len(over)} over {args.limit_ms:g} ms CPU"
    )
    print(
        json.dumps(
            {
                "render_slowest_ms": slowest["ms"],
                "render_slowest": slowest,
                "render_slowest_wall_ms": slowest_wall["wall_ms"],
                "renders": len(rows),
                "over_limit": len(over),
                "limit_ms": args.limit_ms,
            }
        )
    )
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
