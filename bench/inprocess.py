"""CPU per request, in-process: `python -m bench.inprocess --size M --database postgresql` (after `make bench`).

wrk's figures move with everything else the machine does; the CPU one request costs the app does not. This runs
the benchmark pages through Flask's test client in one process on the seeded database, anonymous and as a
logged-in learner, and prints the CPU milliseconds per request (`time.process_time`, the mean of --requests
after a warm-up). No HTTP server, no network: the difference to /ping is what the page itself costs.
"""

from __future__ import annotations

import argparse
import os
import time

from bench.common import app_environment, load_seed
from bench.seed import PASSWORD


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="M")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    os.environ.update(app_environment(args.database, args.size))
    info = load_seed(args.database, args.size)
    from mso_academy import create_app

    app = create_app({"WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    anonymous, learner = app.test_client(), app.test_client()
    learner.post("/account/login", data={"email": info["learners"][0], "password": PASSWORD})
    pages = [
        ("/ping", anonymous, "/ping", 200),
        ("/ping, logged in", learner, "/ping", 200),
        ("verify valid", anonymous, f"/verify/{info['valid_code']}", 200),
        ("verify unknown", anonymous, "/verify/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 404),
        ("catalogue (20 per page)", anonymous, "/courses/", 200),
        ("course page with progress", learner, f"/courses/{info['course']}", 200),
        ("dashboard", learner, "/dashboard", 200),
        ("quiz page", learner, f"/learn/{info['course']}/{info['quiz']}", 200),
    ]
    print(f"| page ({args.size}, {args.database}) | CPU ms per request |\n|---|---|")
    for name, client, path, status in pages:
        for _ in range(30):
            client.get(path)
        started = time.process_time()
        for _ in range(args.requests):
            response = client.get(path)
            if response.status_code != status:
                raise SystemExit(f"{path} answered {response.status_code}, expected {status}")
        print(f"| {name} | {(time.process_time() - started) / args.requests * 1000:.2f} |")


if __name__ == "__main__":
    main()
