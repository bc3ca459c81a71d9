"""What run.py and journey.py share: the benchmark database, its seed, the gunicorn server and logged-in learners.

The app under test is configured only through MSO_ACADEMY_* variables, like a production install: rate limits off
(every request would come from 127.0.0.1), the X-Query-Count header on, CSRF on. Keys, uploads and the outbox live
in bench/.data/ so a benchmark never touches the developer's instance folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DATA = BENCH / ".data"
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/"
USER_AGENT = "mso-academy-bench/1"  # the same for requests and wrk: session protection is "strong"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def database_url(database: str, size: str) -> str:
    name = f"mso_bench_{size.lower()}"
    if database == "postgresql":
        return PG_SERVER + name
    return f"sqlite:///{DATA / (name + '.sqlite3')}"


def app_environment(database: str, size: str) -> dict[str, str]:
    """The variables the seeding process and every gunicorn worker share."""
    DATA.mkdir(parents=True, exist_ok=True)
    secret = DATA / "secret_key"
    if not secret.exists():
        secret.write_text(os.urandom(32).hex())
    return {
        "MSO_ACADEMY_DATABASE_URL": database_url(database, size),
        "MSO_ACADEMY_SECRET_KEY": secret.read_text().strip(),
        "MSO_ACADEMY_KEYS_DIR": str(DATA / "keys"),
        "MSO_ACADEMY_UPLOADS_DIR": str(DATA / "uploads"),
        "MSO_ACADEMY_MAIL_OUTBOX_DIR": str(DATA / "outbox"),
        "MSO_ACADEMY_RATELIMIT_ENABLED": "false",
        "MSO_ACADEMY_QUERY_COUNT_HEADER": "true",
        "MSO_ACADEMY_CATALOGUE_PAGE_SIZE": "20",
        "MSO_ACADEMY_BABEL_DEFAULT_LOCALE": "de",
    }


def seed_info_path(database: str, size: str) -> Path:
    return DATA / f"seed-{database}-{size.lower()}.json"


def recreate_database(database: str, size: str) -> None:
    """An empty database: the SQLite file removed, or the PostgreSQL database dropped and created again."""
    if database == "postgresql":
        import psycopg

        name = f"mso_bench_{size.lower()}"
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        base = DATA / f"mso_bench_{size.lower()}.sqlite3"
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(base) + suffix).unlink(missing_ok=True)
    seed_info_path(database, size).unlink(missing_ok=True)


def migrate_and_seed(database: str, size: str, learners: int = 200) -> dict[str, Any]:
    """Fresh database, alembic to head, the dataset; returns the seed's facts plus the seconds each step took."""
    os.environ.update(app_environment(database, size))
    from alembic import command

    from bench.seed import SIZES, seed
    from mso_academy import create_app
    from mso_academy.cli import alembic_config
    from mso_academy.db import database as app_database
    from mso_academy.db import transaction

    recreate_database(database, size)
    app = create_app()
    with app.app_context():
        started = time.perf_counter()
        command.upgrade(alembic_config(), "head")
        migrated = time.perf_counter()
        session = app_database().session_factory()
        with transaction(session):
            info = seed(session, SIZES[size], journey_learners=learners)
        seeded = time.perf_counter()
        session.close()
        if database == "postgresql":
            with app_database().engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        else:
            with app_database().engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
        app_database().engine.dispose()
    info["timings"] = {"migrate_s": round(migrated - started, 1), "seed_s": round(seeded - migrated, 1)}
    seed_info_path(database, size).write_text(json.dumps(info))
    return info


def load_seed(database: str, size: str) -> dict[str, Any]:
    """The facts the seed of this size recorded (raises when that database was never seeded)."""
    return json.loads(seed_info_path(database, size).read_text())


def prepare(database: str, size: str, reuse: bool = False) -> dict[str, Any]:
    """The seeded database: reused when asked and a seed of this size is recorded, else made afresh."""
    path = seed_info_path(database, size)
    if reuse and path.exists():
        os.environ.update(app_environment(database, size))
        info = json.loads(path.read_text())
        info["reused"] = True
        return info
    return migrate_and_seed(database, size)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """gunicorn with the repository's gunicorn.conf.py, on a free port, stopped (by its own pid) on exit."""

    def __init__(self, database: str, size: str, workers: int = 2, threads: int = 4) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = DATA / f"gunicorn-{database}-{size.lower()}.log"
        self.env = {
            **os.environ,
            **app_environment(database, size),
            "MSO_ACADEMY_BIND": f"127.0.0.1:{self.port}",
            "MSO_ACADEMY_WORKERS": str(workers),
            "MSO_ACADEMY_THREADS": str(threads),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                # No worker recycling during a run: a restart under wrk's load drops connections and costs a
                # boot, which would be counted against whichever scenario happened to be running.
                [gunicorn, "-c", str(ROOT / "gunicorn.conf.py"), "--max-requests", "0"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        try:
            while time.monotonic() < deadline:
                try:
                    if requests.get(self.url + "/ping", timeout=5).ok:
                        time.sleep(1.0)  # let the second worker finish booting too
                        return self
                except requests.RequestException:
                    time.sleep(0.3)
                if self.process.poll() is not None:
                    break
        except BaseException:  # Ctrl-C while waiting: never leave a server behind
            self.__exit__()
            raise
        self.__exit__()
        raise RuntimeError(f"gunicorn did not start; see {self.log}")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    if match is None:
        raise RuntimeError("no csrf_token on the page")
    return match.group(1)


def new_client() -> requests.Session:
    client = requests.Session()
    client.headers["User-Agent"] = USER_AGENT
    return client


def log_in(base: str, email: str, password: str, client: requests.Session | None = None) -> requests.Session:
    """A learner logged in through the real form (CSRF token read from the page)."""
    client = client or new_client()
    page = client.get(base + "/account/login")
    page.raise_for_status()
    response = client.post(
        base + "/account/login",
        data={"csrf_token": csrf_token(page.text), "email": email, "password": password},
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise RuntimeError(f"login of {email} answered {response.status_code}")
    return client


def cookie_header(client: requests.Session) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in client.cookies)


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            mem_kb = int(line.split()[1])
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "loadavg": os.getloadavg(),
    }
