"""Growth of each page's p95 from one size to another: `python -m bench.compare --database postgresql M L`.

Reads the results of both sizes from the day of the newest scenario run in bench/results/ (the scenario run and,
when present, the journey; older files would compare another version of the code) and prints a Markdown table.
Target (issue 12): going from M to L no page's p95 grows by more than 50 %. The journey's figures matter most: its
load is the same at both sizes, whereas wrk saturates the server, so a scenario's p95 there also follows its
throughput. Runs made minutes apart also differ by the machine's load; `bench.interleave` takes that out.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bench.common import BENCH

LIMIT = 1.5


def newest(pattern: str) -> dict[str, Any] | None:
    paths = sorted((BENCH / "results").glob(pattern))
    return json.loads(paths[-1].read_text()) if paths else None


def newest_day(size: str, database: str) -> str:
    paths = sorted((BENCH / "results").glob(f"*-{size}-{database}.json"))
    return paths[-1].name[:10] if paths else "*"


def rows(kind: str, small: dict[str, Any], large: dict[str, Any]) -> list[str]:
    out = []
    for name, before in small.items():
        after = large.get(name)
        if after is None or name.startswith("ping") or not before["p95_ms"]:
            continue
        growth = after["p95_ms"] / before["p95_ms"]
        verdict = "met" if growth <= LIMIT else "**missed**"
        out.append(f"| {kind}: {name} | {before['p95_ms']:.1f} | {after['p95_ms']:.1f} | {growth:.2f} | {verdict} |")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="postgresql")
    parser.add_argument("small", nargs="?", default="M")
    parser.add_argument("large", nargs="?", default="L")
    args = parser.parse_args()
    lines = [
        f"p95 from size {args.small} to {args.large} on {args.database} (target: growth ≤ {LIMIT:.2f})",
        "",
        f"| page | p95 ms at {args.small} | p95 ms at {args.large} | growth | target |",
        "|---|---|---|---|---|",
    ]
    variants = (
        ("journey", "-journey", "requests"),
        ("journey without PDF", "-journey-nopdf", "requests"),
        ("wrk", "", "scenarios"),
    )
    day = newest_day(args.small, args.database)
    for kind, suffix, key in variants:
        small = newest(f"{day}-{args.small}-{args.database}{suffix}.json")
        large = newest(f"{day}-{args.large}-{args.database}{suffix}.json")
        if small and large:
            lines += rows(kind, small[key], large[key])
    markdown = "\n".join(lines)
    path = Path(BENCH / "results" / f"compare-{args.small}-{args.large}-{args.database}.md")
    path.write_text(markdown + "\n")
    print(markdown)


if __name__ == "__main__":
    main()
