"""One transaction per request: a request that fails leaves nothing behind; SQLite runs with safe settings."""

from __future__ import annotations

import pytest
from flask import Blueprint, abort
from sqlalchemy import func, select, text

from mso_academy.accounts.models import User
from mso_academy.db import database, get_session
from mso_academy.plugins.api import hookimpl
from tests.factories import make_user

bp = Blueprint("transaction_probe", __name__)


@bp.post("/probe/<outcome>")
def probe(outcome: str) -> str:
    session = get_session()
    make_user(session, email=f"{outcome}@example.org")  # written and flushed...
    if outcome == "crash":
        raise RuntimeError("boom")  # ...then the request fails
    if outcome == "refuse":
        abort(409)
    return "ok"


class ProbePlugin:
    @hookimpl
    def register_blueprints(self):
        return [bp]


@pytest.fixture
def app_config():
    return {"EXTRA_PLUGINS": [ProbePlugin()], "PROPAGATE_EXCEPTIONS": False}


def stored(session, email: str) -> int:
    return session.scalar(select(func.count()).select_from(User).where(User.email == email))


def test_a_failing_request_rolls_back_everything(client, session):
    response = client.post("/probe/crash")
    assert response.status_code == 500 and "Traceback" not in response.get_data(as_text=True)
    assert stored(session, "crash@example.org") == 0
    assert client.post("/probe/refuse").status_code == 409
    assert stored(session, "refuse@example.org") == 0
    assert client.post("/probe/fine").status_code == 200
    assert stored(session, "fine@example.org") == 1


def test_sqlite_runs_with_foreign_keys_wal_and_a_busy_timeout(fresh_database_url, tmp_path):
    url = fresh_database_url()
    if not url.startswith("sqlite"):
        pytest.skip("SQLite settings; this run uses PostgreSQL")
    from mso_academy import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path)})
    with database(app).engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 10000
    database(app).engine.dispose()
