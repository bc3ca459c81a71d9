"""Operations: migrations are the schema, the CLI sets up a database from nothing, /healthz, demo data."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from mso_academy import create_app
from mso_academy.accounts.models import User
from mso_academy.catalog.models import Course
from mso_academy.db import database
from mso_academy.models import Base
from mso_academy.organisations.models import Organisation
from tests.conftest import FAST_HASHING

COURSES = Path(__file__).resolve().parents[2] / "courses"


@pytest.fixture
def fresh_app(fresh_database_url, tmp_path):
    app = create_app(
        {
            "DATABASE_URL": fresh_database_url(),
            "SECRET_KEY": "x",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "PLUGINS_AUTOLOAD": False,
            **FAST_HASHING,
        }
    )
    yield app
    database(app).engine.dispose()


def test_db_upgrade_creates_the_schema_from_nothing_and_matches_the_models(fresh_app):
    runner = fresh_app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with database(fresh_app).engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    assert diff == [], f"models and migrations disagree: {diff}"
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0  # idempotent


def test_demo_loads_users_organisation_and_courses_once(fresh_app):
    runner = fresh_app.test_cli_runner()
    runner.invoke(args=["db", "upgrade"])
    first = runner.invoke(args=["demo", "--courses-dir", str(COURSES)])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["demo", "--courses-dir", str(COURSES)])
    assert second.exit_code == 0 and "unchanged" in second.output
    with fresh_app.app_context(), database(fresh_app).session_factory() as session:
        emails = set(session.scalars(select(User.email)))
        assert {"learner@example.org", "trainer@example.org", "manager@example.org", "admin@example.org"} <= emails
        assert session.scalar(select(func.count()).select_from(Organisation)) == 1
        slugs = set(session.scalars(select(Course.slug).where(Course.status == "published")))
        assert {"erste-schritte", "datenschutz-im-verein"} <= slugs
    client = fresh_app.test_client()
    response = client.post(
        "/account/login",
        data={"email": "admin@example.org", "password": "mso-demo-2026"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 400  # CSRF is on outside tests; the form needs its token


def test_shipped_courses_validate(fresh_database_url, tmp_path):
    """Every package in courses/ validates with the installed plugins (as `make run` loads them)."""
    app = create_app(
        {
            "DATABASE_URL": fresh_database_url(),
            "SECRET_KEY": "x",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "PLUGINS_AUTOLOAD": True,
        }
    )
    try:
        result = app.test_cli_runner().invoke(args=["courses", "validate", str(COURSES)])
        assert result.exit_code == 0, result.output
        shipped = len([p for p in COURSES.iterdir() if (p / "course.yaml").is_file()])
        assert f"{shipped} course package(s) valid." in result.output
    finally:
        database(app).engine.dispose()


def test_healthz_reports_the_database(client, fresh_app):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "database": "ok"}
    broken = create_app(
        {
            **fresh_app.config,
            "DATABASE_ENGINE": None,
            "DATABASE_SESSION_FACTORY": None,
            "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
        }
    )
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["database"] == "unavailable"
