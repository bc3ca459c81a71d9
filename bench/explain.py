"""Which statements of the benchmark pages scan a whole table: `python -m bench.explain --size L`.

Runs the scenario pages in-process (Flask test client, CSRF off) on the seeded PostgreSQL database, captures each
SELECT with its parameters and prints PostgreSQL's plan summary for it: rows read, time, and any sequential scan
of a table. A page whose plans contain no sequential scan of a large table costs the same at M and at L, whatever
the load on the machine did to the measured p95.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from sqlalchemy import event, text

from bench.common import app_environment, load_seed
from bench.seed import PASSWORD


def _scans(plan: dict[str, Any], out: list[str]) -> None:
    if plan.get("Node Type") == "Seq Scan":
        out.append(f"Seq Scan on {plan.get('Relation Name')} ({plan.get('Actual Rows')} rows)")
    for child in plan.get("Plans", []):
        _scans(child, out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="L")
    args = parser.parse_args()
    os.environ.update(app_environment("postgresql", args.size))
    info = load_seed("postgresql", args.size)
    from mso_academy import create_app
    from mso_academy.db import database

    app = create_app({"WTF_CSRF_ENABLED": False, "QUERY_COUNT_HEADER": False})
    engine = database(app).engine
    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, parameters))

    client = app.test_client()
    client.post("/account/login", data={"email": info["learners"][0], "password": PASSWORD})
    pages = {
        "verify valid": f"/verify/{info['valid_code']}",
        "catalogue": "/courses/",
        "course page": f"/courses/{info['course']}",
        "dashboard": "/dashboard",
        "quiz page": f"/learn/{info['course']}/{info['quiz']}",
    }
    event.listen(engine, "before_cursor_execute", capture)
    for name, path in pages.items():
        captured.clear()
        status = client.get(path).status_code
        plans = []
        with engine.connect() as conn:
            for statement, parameters in list(captured):
                row = conn.exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters).scalar_one()
                plan = (row if isinstance(row, list) else json.loads(row))[0]
                scans: list[str] = []
                _scans(plan["Plan"], scans)
                plans.append((round(plan["Execution Time"], 2), " ".join(statement.split())[:70], scans))
            conn.execute(text("ROLLBACK"))
        print(
            f"## {name} ({path}): HTTP {status}, {len(plans)} SELECTs, {sum(p[0] for p in plans):.2f} ms in PostgreSQL"
        )
        for ms, sql, scans in plans:
            print(f"   {ms:7.2f} ms  {sql}  {'; '.join(scans)}")


if __name__ == "__main__":
    main()
