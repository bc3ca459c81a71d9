"""M against L with the noise taken out: `python -m bench.interleave` (after `make bench` at M and at L).

Comparing two runs made ten minutes apart measures the machine as much as the data: on a shared machine /ping
alone moves by a factor of two between minutes. Here both seeded PostgreSQL databases are served at once (one
gunicorn each, the repository's configuration) and each scenario is driven in short wrk bursts alternating
between the two sizes in the order M L L M M L L M, so that a drift in the machine's load hits both sizes alike.
Reported per scenario: the median p95 and req/s of each size and the growth of p95 from M to L (issue 12: at most
1.5). Results: bench/results/<date>-interleaved-M-L-postgresql.json and .md.
"""

from __future__ import annotations

import argparse
import json
import statistics
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import BENCH, Server, cookie_header, load_seed, log_in
from bench.run import Scenario, wrk
from bench.seed import PASSWORD

RESULTS = BENCH / "results"
ORDER = ("M", "L", "L", "M")  # one round; two rounds give M L L M M L L M


def scenarios(base: str, info: dict[str, Any]) -> list[Scenario]:
    """The reading scenarios of bench/run.py. The quiz submission is left out: after `make bench` the journey has
    passed the quiz of every benchmark learner, so a further submission answers 409 (bench/run.py measures it on
    a fresh seed)."""
    learner = log_in(base, info["learners"][0], PASSWORD)
    cookie = cookie_header(learner)
    return [
        Scenario("verify valid", "GET", f"/verify/{info['valid_code']}", 200),
        Scenario("verify unknown", "GET", "/verify/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 404),
        Scenario("catalogue (20 per page)", "GET", "/courses/", 200),
        Scenario("course page with progress", "GET", f"/courses/{info['course']}", 200, cookie=cookie),
        Scenario("dashboard", "GET", "/dashboard", 200, cookie=cookie),
    ]


def run(rounds: int, seconds: int, connections: int) -> dict[str, Any]:
    started = datetime.now(UTC)
    infos = {size: load_seed("postgresql", size) for size in ("M", "L")}
    with Server("postgresql", "M") as m_server, Server("postgresql", "L") as l_server:
        servers = {"M": m_server.url, "L": l_server.url}
        plans = {size: scenarios(base, infos[size]) for size, base in servers.items()}
        results: dict[str, Any] = {}
        for index, name in enumerate(s.name for s in plans["M"]):
            runs: dict[str, list[dict[str, Any]]] = {"M": [], "L": []}
            for size in ("M", "L"):
                wrk(servers[size], plans[size][index], 2, connections)  # warm-up, discarded
            for size in ORDER * rounds:
                runs[size].append(wrk(servers[size], plans[size][index], seconds, connections))
            summary = {
                size: {
                    "p95_ms": round(statistics.median(r["p95_ms"] for r in runs[size]), 1),
                    "rps": round(statistics.median(r["rps"] for r in runs[size]), 1),
                    "errors": sum(r["unexpected_status"] + r["socket_errors"] + r["timeouts"] for r in runs[size]),
                    "runs": runs[size],
                }
                for size in ("M", "L")
            }
            summary["growth"] = round(summary["L"]["p95_ms"] / summary["M"]["p95_ms"], 2)
            results[name] = summary
            print(
                f"  {name}: p95 M {summary['M']['p95_ms']} ms, L {summary['L']['p95_ms']} ms, "
                f"growth {summary['growth']}",
                flush=True,
            )
    return {
        "date": started.isoformat(timespec="seconds"),
        "rounds": rounds,
        "seconds": seconds,
        "connections": connections,
        "counts": {size: info["counts"] for size, info in infos.items()},
        "scenarios": results,
    }


def table(results: dict[str, Any]) -> str:
    lines = [
        f"M against L on PostgreSQL, interleaved ({results['date']}): both sizes served at once, wrk bursts of "
        f"{results['seconds']} s × {results['connections']} connections in the order "
        f"{' '.join(ORDER * results['rounds'])}; medians of the bursts.",
        "",
        "| scenario | p95 ms at M | p95 ms at L | growth (target ≤ 1.50) | req/s M | req/s L | errors |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, s in results["scenarios"].items():
        mark = "met" if s["growth"] <= 1.5 else "**missed**"
        lines.append(
            f"| {name} | {s['M']['p95_ms']} | {s['L']['p95_ms']} | {s['growth']:.2f}, {mark} | {s['M']['rps']} | "
            f"{s['L']['rps']} | {s['M']['errors'] + s['L']['errors']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=5, help="seconds of wrk per burst")
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    results = run(args.rounds, args.seconds, args.connections)
    RESULTS.mkdir(exist_ok=True)
    stem = RESULTS / f"{results['date'][:10]}-interleaved-M-L-postgresql"
    Path(f"{stem}.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    markdown = table(results)
    Path(f"{stem}.md").write_text(markdown + "\n")
    print()
    print(markdown)


if __name__ == "__main__":
    main()
