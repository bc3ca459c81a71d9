"""Scale-out: two app servers (gunicorn, two ports) on one database and one Redis, requests spread over both.

A learner logged in on one is logged in on the other, rate limits count across both, 50 simultaneous completions
of one enrolment issue exactly one certificate, 200 simultaneous quiz submissions lose none and duplicate none.
Runs in `make test-postgres` (several app servers share PostgreSQL; SQLite is the one-machine default) and needs the
Redis server.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import cycle
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from mso_academy import create_app
from mso_academy.db import database, transaction
from tests.conftest import FAST_HASHING
from tests.factories import PASSWORD, RIGHT_ANSWERS, make_course, make_user, quiz_content

REDIS_URL = os.environ.get("MSO_ACADEMY_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
LEARNERS = 200
COMPLETIONS = 50
VERIFY_LIMIT = 10
PROJECT = Path(__file__).resolve().parents[2]
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def _redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


pytestmark = [
    pytest.mark.skipif(not _redis_available(), reason="the Redis server (127.0.0.1:6379) is not running"),
    pytest.mark.skipif(
        not os.environ.get("MSO_ACADEMY_TEST_DATABASE_URL", "").startswith("postgresql"),
        reason="scale-out runs against PostgreSQL (make test-postgres); SQLite serves one machine",
    ),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(database_url: str, instance: Path, port: int, prefix: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MSO_ACADEMY_")}
    env.update(
        {
            "MSO_ACADEMY_DATABASE_URL": database_url,
            "MSO_ACADEMY_SECRET_KEY": "scale-out-test-secret-key-0123456789abcdef",
            "MSO_ACADEMY_INSTANCE_PATH": str(instance),  # shared: the certificate signing key, uploads
            "MSO_ACADEMY_REDIS_URL": REDIS_URL,
            "MSO_ACADEMY_RATELIMIT_KEY_PREFIX": prefix,
            "MSO_ACADEMY_LOGIN_RATE_LIMIT_IP": "100000 per minute",
            "MSO_ACADEMY_VERIFY_RATE_LIMIT": f"{VERIFY_LIMIT} per hour",
            "MSO_ACADEMY_PLUGINS_AUTOLOAD": "false",
            "MSO_ACADEMY_BIND": f"127.0.0.1:{port}",
            "MSO_ACADEMY_WORKERS": "1",
            "MSO_ACADEMY_THREADS": "16",
            **{f"MSO_ACADEMY_{key}": str(value) for key, value in FAST_HASHING.items()},
        }
    )
    return env


def _wait(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app server at {url} exited (its log is in the instance folder)")
        try:
            if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"the app server at {url} did not start")


@pytest.fixture(scope="module")
def world(fresh_database_url: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The seeded database and two gunicorn servers on it; yields their URLs and the objects the tests use."""
    from alembic import command

    from mso_academy.cli import alembic_config
    from mso_academy.learning import services as learning
    from mso_academy.plugins.manager import plugins

    url = fresh_database_url()
    instance = tmp_path_factory.mktemp("scale-instance")
    app = create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": str(instance),
            "PLUGINS_AUTOLOAD": False,
            "SECRET_KEY": "x",
            **FAST_HASHING,
        }
    )
    with app.app_context(), app.test_request_context():
        command.upgrade(alembic_config(), "head")
        with database(app).session_factory() as session, transaction(session):
            quiz_course = make_course(
                session,
                slug="scale-quiz",
                modules=[[("quiz", quiz_content()), ("text_lesson", {"body": "# After the quiz", "minutes": 1})]],
            )
            finish = make_course(
                session, slug="scale-finish", modules=[[("text_lesson", {"body": "# Last", "minutes": 1})]]
            )
            learners = [make_user(session, email=f"scale{n}@example.org") for n in range(LEARNERS)]
            for learner in learners:
                learning.enrol(session, plugins(), learner, quiz_course)
            finisher = make_user(session, email="finisher@example.org")
            learning.enrol(session, plugins(), finisher, finish)
            ids = {
                "quiz": quiz_course.modules[0].activities[0].id,
                "last": finish.modules[0].activities[0].id,
                "finish_course": finish.id,
                "quiz_course": quiz_course.id,
            }
    database(app).engine.dispose()

    prefix = f"scale-{uuid.uuid4().hex[:8]}"
    servers = []
    logs = []
    try:
        for _ in range(2):
            port = _free_port()
            logs.append(open(instance / f"server-{port}.log", "wb"))  # noqa: SIM115 - closed in `finally`
            process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", str(PROJECT / "gunicorn.conf.py")],
                cwd=PROJECT,
                env=_environment(url, instance, port, prefix),
                stdout=subprocess.DEVNULL,
                stderr=logs[-1],
            )
            servers.append((f"http://127.0.0.1:{port}", process))
        for base, process in servers:
            _wait(base, process)
        yield {"urls": [base for base, _ in servers], "ids": ids, "database_url": url, "app": app}
    finally:
        for _base, process in servers:
            process.terminate()
        for _base, process in servers:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        for handle in logs:
            handle.close()
        for log in instance.glob("server-*.log"):
            print(f"--- {log.name} (last lines)\n" + "\n".join(log.read_text(errors="replace").splitlines()[-40:]))
        database(app).engine.dispose()


def _csrf(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def _log_in(client: requests.Session, base: str, email: str) -> None:
    token = _csrf(client.get(f"{base}/account/login", timeout=30).text)
    response = client.post(
        f"{base}/account/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        timeout=30,
        allow_redirects=False,
    )
    assert response.status_code in (302, 303), response.status_code


def _count(world: dict[str, Any], model: Any, *where: Any) -> int:
    app = world["app"]
    with app.app_context(), database(app).session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_a_login_on_one_server_holds_on_the_other(world: dict[str, Any]) -> None:
    first, second = world["urls"]
    client = requests.Session()
    _log_in(client, first, "scale0@example.org")
    dashboard = client.get(f"{second}/dashboard", timeout=30, allow_redirects=False)
    assert dashboard.status_code == 200
    client.post(f"{second}/account/logout", data={"csrf_token": _csrf(dashboard.text)}, timeout=30)
    assert client.get(f"{first}/dashboard", timeout=30, allow_redirects=False).status_code == 302


def test_rate_limits_count_across_both_servers(world: dict[str, Any]) -> None:
    servers = cycle(world["urls"])
    statuses = [
        requests.get(f"{next(servers)}/verify/UNKNOWNCODE0000", timeout=30).status_code for _ in range(VERIFY_LIMIT + 2)
    ]
    assert statuses[:VERIFY_LIMIT] == [404] * VERIFY_LIMIT  # each server alone saw only half of them
    assert statuses[VERIFY_LIMIT:] == [429, 429]


def test_fifty_simultaneous_completions_issue_one_certificate(world: dict[str, Any]) -> None:
    from mso_academy.models import Certificate, Completion

    first, second = world["urls"]
    client = requests.Session()
    _log_in(client, first, "finisher@example.org")
    path = f"/learn/scale-finish/{world['ids']['last']}"
    token = _csrf(client.get(f"{first}{path}", timeout=30).text)
    urls = cycle([first, second])

    def complete(_: int) -> int:
        data = {"done": "1", "csrf_token": token, "submission_token": uuid.uuid4().hex}
        return client.post(f"{next(urls)}{path}", data=data, timeout=60, allow_redirects=False).status_code

    with ThreadPoolExecutor(max_workers=COMPLETIONS) as pool:
        statuses = list(pool.map(complete, range(COMPLETIONS)))
    assert all(status < 500 for status in statuses), statuses
    course_id = world["ids"]["finish_course"]
    assert _count(world, Certificate, Certificate.course_id == course_id) == 1
    assert _count(world, Completion) == 1


def test_two_hundred_simultaneous_quiz_submissions_lose_none_and_duplicate_none(world: dict[str, Any]) -> None:
    from mso_academy.models import Attempt

    urls = world["urls"]
    path = f"/learn/scale-quiz/{world['ids']['quiz']}"

    def prepare(n: int) -> tuple[requests.Session, str, str]:
        """Log in on one server; the submission goes to the other."""
        client, base = requests.Session(), urls[n % 2]
        _log_in(client, base, f"scale{n}@example.org")
        return client, urls[(n + 1) % 2], _csrf(client.get(f"{base}{path}", timeout=30).text)

    with ThreadPoolExecutor(max_workers=16) as pool:
        clients = list(pool.map(prepare, range(LEARNERS)))

    def submit(entry: tuple[requests.Session, str, str]) -> int:
        client, base, token = entry
        data = {**RIGHT_ANSWERS, "csrf_token": token, "submission_token": uuid.uuid4().hex}
        return client.post(f"{base}{path}", data=data, timeout=120, allow_redirects=False).status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(submit, clients))
    assert statuses == [303] * LEARNERS, sorted(set(statuses))
    quiz = world["ids"]["quiz"]
    assert _count(world, Attempt, Attempt.activity_id == quiz) == LEARNERS
    assert _count(world, Attempt, Attempt.activity_id == quiz, Attempt.passed.is_(True)) == LEARNERS
