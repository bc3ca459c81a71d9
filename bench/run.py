"""The scenario benchmark: `python -m bench.run --size M --database sqlite|postgresql --duration 15`.

Fresh database, migrate, seed (timed), gunicorn with the repository's gunicorn.conf.py, then per scenario the
X-Query-Count of one request and a wrk run. Each scenario is reported as throughput relative to the bare /ping
route in the same run (measured first and last; the mean is the reference, the spread shows the noise), plus
p50/p95/p99, errors and SQL statements per request. The certificate PDF is measured in-process (PDFs per CPU second
of one process). Results: bench/results/<date>-<size>-<db>.json and a Markdown table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from bench.common import (
    BENCH,
    USER_AGENT,
    Server,
    app_environment,
    cookie_header,
    csrf_token,
    log_in,
    machine,
    prepare,
)
from bench.seed import PASSWORD

RESULTS = BENCH / "results"
TARGETS: dict[str, tuple[float | None, int | None]] = {  # issue 12: (throughput vs /ping, SQL per request)
    "verify valid": (0.40, 2),
    "verify unknown": (0.40, 2),
    "catalogue (20 per page)": (0.20, 4),
    "course page with progress": (0.30, 4),
    "dashboard": (0.20, 4),
    "quiz submission": (0.25, 6),
}
ARABIC_NAMES = ["فاطمة الزهراء", "محمد عبد الله", "ليلى حسن", "يوسف إبراهيم", "نور الهدى أحمد", "عمر خالد"]


@dataclass
class Scenario:
    name: str
    method: str
    path: str
    expect: int
    cookie: str = ""
    sessions_file: str = ""


def wrk(base: str, scenario: Scenario, duration: int, connections: int) -> dict[str, Any]:
    """One wrk run; the JSON line printed by bench/wrk/report.lua's done()."""
    script = "quiz.lua" if scenario.method == "POST" else "get.lua"
    env = {
        **os.environ,
        "BENCH_WRK_DIR": str(BENCH / "wrk"),
        "BENCH_EXPECT_STATUS": str(scenario.expect),
        "BENCH_USER_AGENT": USER_AGENT,
        "BENCH_COOKIE": scenario.cookie,
        "BENCH_SESSIONS": scenario.sessions_file,
    }
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(BENCH / "wrk" / script),
        base + scenario.path,
    ]
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line.removeprefix("BENCH_JSON "))
    raise RuntimeError(f"wrk printed no result:\n{out}")


def query_count(client: requests.Session, base: str, scenario: Scenario, quiz_form: dict[str, str]) -> int:
    if scenario.method == "POST":
        data = {**quiz_form, "submission_token": f"count-{time.time_ns()}"}
        response = client.post(base + scenario.path, data=data, allow_redirects=False)
    else:
        response = client.get(base + scenario.path, allow_redirects=False)
    if response.status_code != scenario.expect:
        raise RuntimeError(f"{scenario.name}: {response.status_code}, expected {scenario.expect}")
    return int(response.headers["X-Query-Count"])


def quiz_sessions(base: str, info: dict[str, Any], learners: list[str], path: str) -> tuple[Path, dict[str, str]]:
    """Logged-in sessions with the quiz page's CSRF token, one line per learner, for bench/wrk/quiz.lua."""
    lines, form = [], {}
    for email in learners:
        client = log_in(base, email, PASSWORD)
        page = client.get(base + path)
        page.raise_for_status()
        token = csrf_token(page.text)
        lines.append(f"{cookie_header(client)}\t{token}\t{path}")
        form = {"csrf_token": token, "q-q1": "b", "q-q2": "a"}
        last_client = client
    handle = tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False, dir=BENCH / ".data")  # noqa: SIM115
    handle.write("\n".join(lines) + "\n")
    handle.close()
    form["_cookie"] = cookie_header(last_client)
    return Path(handle.name), form


def pdf_rate(database: str, size: str, seconds: float) -> dict[str, Any]:
    """Certificate PDFs rendered in this process for certificates of Arabic-named holders (first issue: no cache)."""
    os.environ.update(app_environment(database, size))
    from sqlalchemy import select

    from mso_academy import create_app
    from mso_academy.certificates import pdf
    from mso_academy.certificates.models import Certificate
    from mso_academy.certificates.services import verify_url
    from mso_academy.db import database as app_database

    app = create_app()
    with app.test_request_context("/"):
        session = app_database().session_factory()
        certificates = list(session.scalars(select(Certificate).order_by(Certificate.id).limit(60)))
        session.expunge_all()
        session.close()
        for n, certificate in enumerate(certificates):
            certificate.holder_name = ARABIC_NAMES[n % len(ARABIC_NAMES)]
            if n % 3 == 0:
                certificate.course_language = "ar"  # a whole right-to-left certificate now and then
        pdf.render(certificates[0], verify_url(certificates[0].code))  # fonts and imports warmed
        count, sizes = 0, 0
        wall, cpu = time.perf_counter(), time.process_time()
        while time.perf_counter() - wall < seconds:
            certificate = certificates[count % len(certificates)]
            sizes += len(pdf.render(certificate, verify_url(certificate.code)))
            count += 1
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    app_database(app).engine.dispose()
    return {
        "pdfs": count,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "pdfs_per_cpu_s": round(count / cpu, 1),
        "pdfs_per_wall_s": round(count / wall, 1),
        "mean_kib": round(sizes / count / 1024, 1),
    }


def run(size: str, database: str, duration: int, connections: int, warmup: int, reuse: bool) -> dict[str, Any]:
    started = datetime.now(UTC)
    print(f"seeding size {size} on {database} …", flush=True)
    info = prepare(database, size, reuse)
    print(f"seeded in {info['timings']['seed_s']} s: {info['counts']}", flush=True)
    results: dict[str, Any] = {
        "size": size,
        "database": database,
        "date": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "duration_s": duration,
        "connections": connections,
        "seed": {"counts": info["counts"], **info["timings"]},
        "scenarios": {},
    }
    from mso_academy.certificates.services import new_code

    course, quiz = info["course"], info["quiz"]
    with Server(database, size) as server:
        base = server.url
        learner = log_in(base, info["learners"][0], PASSWORD)
        quiz_path = f"/learn/{course}/{quiz}"
        sessions_file, quiz_form = quiz_sessions(base, info, info["learners"][100:200], quiz_path)
        quiz_client = requests.Session()
        quiz_client.headers.update({"User-Agent": USER_AGENT, "Cookie": quiz_form.pop("_cookie")})
        scenarios = [
            Scenario("ping (bare route)", "GET", "/ping", 200),
            Scenario("verify valid", "GET", f"/verify/{info['valid_code']}", 200),
            Scenario("verify unknown", "GET", f"/verify/{new_code()}", 404),
            Scenario("catalogue (20 per page)", "GET", "/courses/", 200),
            Scenario("course page with progress", "GET", f"/courses/{course}", 200, cookie=cookie_header(learner)),
            Scenario("dashboard", "GET", "/dashboard", 200, cookie=cookie_header(learner)),
            Scenario("quiz submission", "POST", quiz_path, 303, sessions_file=str(sessions_file)),
        ]
        anonymous = requests.Session()
        anonymous.headers["User-Agent"] = USER_AGENT
        ping = scenarios[0]
        ping_seconds = max(3, duration // 3)
        pings = [wrk(base, ping, ping_seconds, connections)["rps"]]
        for scenario in scenarios[1:]:
            client = quiz_client if scenario.method == "POST" else (learner if scenario.cookie else anonymous)
            queries = query_count(client, base, scenario, quiz_form)
            if warmup:
                wrk(base, scenario, warmup, connections)
            figures = wrk(base, scenario, duration, connections)
            # The other processes on this machine come and go: /ping is measured right before and right after
            # each scenario, and the scenario is compared with the mean of the two.
            pings.append(wrk(base, ping, ping_seconds, connections)["rps"])
            figures["sql_per_request"] = queries
            figures["ping_rps_around"] = [round(pings[-2], 1), round(pings[-1], 1)]
            figures["ratio_vs_ping"] = round(figures["rps"] / ((pings[-2] + pings[-1]) / 2), 3)
            results["scenarios"][scenario.name] = figures
            print(
                f"  {scenario.name}: {figures['rps']:.0f} req/s ({figures['ratio_vs_ping']:.2f} of /ping), "
                f"p95 {figures['p95_ms']:.1f} ms, {queries} SQL, "
                f"errors {figures['unexpected_status'] + figures['socket_errors']}",
                flush=True,
            )
        figures = wrk(base, ping, duration, connections)
        figures.update(sql_per_request=query_count(anonymous, base, ping, quiz_form), ratio_vs_ping=1.0)
        results["scenarios"] = {ping.name: figures, **results["scenarios"]}
        results["ping_rps_between_scenarios"] = [round(p, 1) for p in pings]
        sessions_file.unlink(missing_ok=True)
    print("rendering certificate PDFs in-process …", flush=True)
    results["pdf"] = pdf_rate(database, size, seconds=max(10.0, duration))
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{started:%Y-%m-%d}-{size}-{database}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    results["path"] = str(path.relative_to(BENCH.parent))
    return results


def _mark(ok: bool) -> str:
    return "met" if ok else "**missed**"


def table(results: dict[str, Any]) -> str:
    """The Markdown table of one run, with each issue-12 target beside the measured figure."""
    lines = [
        f"Size {results['size']} on {results['database']}, {results['date']}, wrk {results['connections']} "
        f"connections × {results['duration_s']} s per scenario; each ratio is against the mean of the /ping runs "
        f"right before and after the scenario (/ping between scenarios: {results['ping_rps_between_scenarios']} "
        "req/s).",
        "",
        "| scenario | req/s | vs /ping (target) | p50 ms | p95 ms | p99 ms | errors | SQL/request (target) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, f in results["scenarios"].items():
        ratio_target, sql_target = TARGETS.get(name, (None, None))
        ratio = f"{f['ratio_vs_ping']:.2f}"
        if ratio_target is not None:
            ratio += f" (≥ {ratio_target:.2f}, {_mark(f['ratio_vs_ping'] >= ratio_target)})"
        sql = str(f["sql_per_request"])
        if sql_target is not None:
            sql += f" (≤ {sql_target}, {_mark(f['sql_per_request'] <= sql_target)})"
        errors = f["unexpected_status"] + f["socket_errors"] + f["timeouts"]
        lines.append(
            f"| {name} | {f['rps']:.1f} | {ratio} | {f['p50_ms']:.1f} | {f['p95_ms']:.1f} | "
            f"{f['p99_ms']:.1f} | {errors} | {sql} |"
        )
    p = results["pdf"]
    lines.append(
        f"| certificate PDF, first issue, Arabic name (in-process) | {p['pdfs_per_cpu_s']} PDFs per CPU-second "
        f"({p['pdfs_per_wall_s']} per wall second) | ≥ 20 per core, {_mark(p['pdfs_per_cpu_s'] >= 20)} "
        "| | | | 0 | — |"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=["S", "M", "L"], default="M")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--duration", type=int, default=15, help="seconds of wrk per scenario")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--warmup", type=int, default=2, help="seconds of discarded wrk before each scenario")
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run of this size")
    args = parser.parse_args()
    results = run(args.size, args.database, args.duration, args.connections, args.warmup, args.reuse)
    markdown = table(results)
    Path(str(RESULTS / Path(results["path"]).stem) + ".md").write_text(markdown + "\n")
    print()
    print(markdown)
    print(f"\nwritten: {results['path']}")


if __name__ == "__main__":
    main()
