"""Migrations on seeded data: from empty to head, down revision by revision and up again, losing nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import inspect, text

from mso_academy import create_app
from mso_academy.cli import alembic_config
from mso_academy.db import database, transaction
from mso_academy.demo import load_demo
from mso_academy.learning import services as learning
from mso_academy.models import Membership, Organisation
from mso_academy.plugins.manager import plugins
from tests.conftest import FAST_HASHING
from tests.factories import make_course, make_user

COURSES = Path(__file__).resolve().parents[2] / "courses"
# Tables of the first revision, with the rows the demo puts there: they must survive every step down and up.
CORE_TABLES = ("users", "courses", "modules", "activities", "enrolments", "organisations", "memberships")


def _app(fresh_database_url: Any, folder: Path) -> Flask:
    app = create_app(
        {
            "DATABASE_URL": fresh_database_url(),
            "SECRET_KEY": "x",
            "INSTANCE_PATH": str(folder),
            "PLUGINS_AUTOLOAD": False,
            **FAST_HASHING,
        }
    )
    with app.app_context():
        command.upgrade(alembic_config(), "head")
    return app


@pytest.fixture
def core_app(fresh_database_url: Any, tmp_path: Path) -> Iterator[Flask]:
    """Head, with data in the first revision's tables only: learners enrolled in courses, an organisation."""
    app = _app(fresh_database_url, tmp_path / "core")
    with app.test_request_context(), database(app).session_factory() as session, transaction(session):
        trainer = make_user(session, name="Tara Trainer")
        courses = [make_course(session, owner=trainer) for _ in range(2)]
        organisation = Organisation(name="Verein Brücke e.V.", slug="bruecke")
        session.add(organisation)
        for n in range(3):
            learner = make_user(session, name=f"Learner {n}")
            learning.enrol(session, plugins(), learner, courses[n % 2])
            session.add(Membership(organisation=organisation, user_id=learner.id, role="member"))
    yield app
    database(app).engine.dispose()


@pytest.fixture
def demo_app(fresh_database_url: Any, tmp_path: Path) -> Iterator[Flask]:
    """Head with the demo data: certificates, renewals, organisation functions."""
    app = _app(fresh_database_url, tmp_path / "demo")
    with app.app_context(), database(app).session_factory() as session, transaction(session):
        load_demo(session, plugins(), COURSES)
    yield app
    database(app).engine.dispose()


def _counts(app: Flask, tables: tuple[str, ...] = CORE_TABLES) -> dict[str, int]:
    with database(app).engine.connect() as connection:
        return {table: connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one() for table in tables}


def _revisions() -> list[str]:
    """Every revision from head down to the first."""
    with create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x"}).app_context():
        script = ScriptDirectory.from_config(alembic_config())
        return [revision.revision for revision in script.walk_revisions()]


def test_down_to_the_first_revision_and_up_again_keeps_every_row(core_app: Flask) -> None:
    before = _counts(core_app)
    assert before["users"] == 4 and before["enrolments"] == 3 and before["memberships"] == 3
    revisions = _revisions()
    assert revisions[-1] == "0001" and len(revisions) >= 5
    with core_app.app_context():
        config = alembic_config()
        for revision in revisions[1:]:
            command.downgrade(config, revision)
            assert _counts(core_app) == before, f"rows lost going down to {revision}"
        command.upgrade(config, "head")
    assert _counts(core_app) == before
    tables = set(inspect(database(core_app).engine).get_table_names())
    assert {"mail_messages", "audit_events", "certificates"} <= tables


def test_a_downgrade_that_would_delete_rows_refuses_and_changes_nothing(demo_app: Flask) -> None:
    tables = (*CORE_TABLES, "certificates", "completions", "org_functions")
    before = _counts(demo_app, tables)
    assert before["certificates"] > 0 and before["org_functions"] > 0
    with demo_app.app_context():
        config = alembic_config()
        with pytest.raises(RuntimeError, match=r"would delete the rows of: .*\(\d+ rows\)\. Nothing was changed"):
            for revision in _revisions()[1:]:
                command.downgrade(config, revision)
        command.upgrade(config, "head")
    assert _counts(demo_app, tables) == before


def test_an_empty_database_goes_down_to_nothing_and_up_again(fresh_database_url: Any, tmp_path: Path) -> None:
    app = _app(fresh_database_url, tmp_path / "empty")
    try:
        with app.app_context():
            config = alembic_config()
            command.downgrade(config, "base")
            assert set(inspect(database(app).engine).get_table_names()) <= {"alembic_version"}
            command.upgrade(config, "head")
        assert "users" in inspect(database(app).engine).get_table_names()
    finally:
        database(app).engine.dispose()
