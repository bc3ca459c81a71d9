"""Privacy duties of plugins: what they store about a user appears in the data export and goes with the account."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, delete, func, insert, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from mso_academy.accounts import services as accounts
from mso_academy.accounts.models import User, UserRole
from mso_academy.learning import services as learning
from mso_academy.learning.models import Attempt, Enrolment
from mso_academy.plugins.api import hookimpl
from mso_academy.plugins.manager import plugins
from tests.factories import make_course, make_user

# The plugin's own table; the foreign key has no ON DELETE, so the account can only be removed after the plugin's
# delete_user_data has run.
plugin_metadata = MetaData()
notes = Table(
    "test_privacy_notes",
    plugin_metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey(User.__table__.c.id), nullable=False),
    Column("text", String(200), nullable=False),
)


class NotesPlugin:
    """Keeps learners' notes and honours the privacy hooks."""

    def __init__(self) -> None:
        self.deleted: list[dict[str, Any]] = []

    @hookimpl
    def export_user_data(self, session: Session, user_id: int) -> dict[str, Any] | None:
        rows = session.execute(select(notes.c.text).where(notes.c.user_id == user_id).order_by(notes.c.id)).all()
        return {"notes": [text for (text,) in rows]} if rows else None

    @hookimpl
    def delete_user_data(self, session: Session, user_id: int) -> None:
        self.deleted.append({"step": "delete_user_data", "user_id": user_id, "account": _exists(session, user_id)})
        session.execute(delete(notes).where(notes.c.user_id == user_id))

    @hookimpl
    def user_deleted(self, session: Session, user_id: int) -> None:
        self.deleted.append({"step": "user_deleted", "user_id": user_id, "account": _exists(session, user_id)})


class StoresNothing:
    """A plugin without personal data still answers: None, and it is left out of the export."""

    @hookimpl
    def export_user_data(self, user_id: int) -> None:
        return None


def _exists(session: Session, user_id: int) -> bool:
    return session.scalar(select(func.count()).select_from(User).where(User.id == user_id)) == 1


@pytest.fixture
def notes_plugin() -> NotesPlugin:
    return NotesPlugin()


@pytest.fixture
def app_config(notes_plugin: NotesPlugin) -> dict[str, Any]:
    return {"EXTRA_PLUGINS": [notes_plugin, StoresNothing()]}


@pytest.fixture
def notes_table(connection: Any) -> Table:
    notes.create(connection)  # rolled back with the test's transaction
    return notes


@pytest.fixture
def two_users_with_notes(session: Session, notes_table: Table) -> tuple[User, User]:
    amina = make_user(session, email="amina@example.org", name="Amina")
    omar = make_user(session, email="omar@example.org", name="Omar")
    session.execute(
        insert(notes_table),
        [
            {"user_id": amina.id, "text": "Ask the board about the membership fee"},
            {"user_id": omar.id, "text": "Omar's own note"},
            {"user_id": amina.id, "text": "Treasurer: Mehmet"},
        ],
    )
    session.flush()
    return amina, omar


def test_the_export_contains_the_plugins_data_about_this_user_only(app, session, two_users_with_notes):
    amina, omar = two_users_with_notes
    data = accounts.export_user_data(session, plugins(), amina)
    assert data["account"]["email"] == "amina@example.org"
    assert data["plugins"] == {
        "NotesPlugin": {"notes": ["Ask the board about the membership fee", "Treasurer: Mehmet"]}
    }
    json.dumps(data)  # the export is delivered as JSON
    assert accounts.export_user_data(session, plugins(), omar)["plugins"] == {
        "NotesPlugin": {"notes": ["Omar's own note"]}
    }

    # A user the plugin knows nothing about: the plugin answers None and is left out.
    nobody = make_user(session)
    assert accounts.export_user_data(session, plugins(), nobody)["plugins"] == {}


def test_deleting_a_user_deletes_the_plugins_data_first(app, session, two_users_with_notes, notes_plugin):
    amina, omar = two_users_with_notes
    course = make_course(session)
    enrolment_id = learning.enrol(session, plugins(), amina, course).id
    amina_id = amina.id

    accounts.delete_user(session, plugins(), amina)
    session.flush()
    session.expire_all()

    # The plugin's rows about the user are gone, the other user's note is kept.
    assert session.execute(select(notes.c.user_id, notes.c.text)).all() == [(omar.id, "Omar's own note")]
    # The account and the core's rows hanging on it are gone.
    assert session.get(User, amina_id) is None
    assert session.scalar(select(func.count()).select_from(UserRole).where(UserRole.user_id == amina_id)) == 0
    assert session.get(Enrolment, enrolment_id) is None
    assert session.get(User, omar.id) is not None
    # delete_user_data ran while the account existed; user_deleted after it was removed.
    assert notes_plugin.deleted == [
        {"step": "delete_user_data", "user_id": amina_id, "account": True},
        {"step": "user_deleted", "user_id": amina_id, "account": False},
    ]
    # Nothing is left to export about Omar but his own note.
    assert accounts.export_user_data(session, plugins(), omar)["plugins"] == {
        "NotesPlugin": {"notes": ["Omar's own note"]}
    }


def test_a_user_with_learning_data_and_no_plugin_data_is_deleted(app, session, notes_table, notes_plugin):
    user = make_user(session)
    course = make_course(session)
    enrolment_id = learning.enrol(session, plugins(), user, course).id
    progress = learning.learner_progress(session, user, course)
    lesson = course.modules[0].activities[0]
    learning.submit(session, plugins(), progress, lesson.id, MultiDict({"done": "1"}), "token-1")
    assert session.scalar(select(func.count()).select_from(Attempt).where(Attempt.enrolment_id == enrolment_id)) == 1
    user_id = user.id
    accounts.delete_user(session, plugins(), user)
    session.expire_all()
    assert session.get(User, user_id) is None
    assert session.scalar(select(func.count()).select_from(Attempt).where(Attempt.enrolment_id == enrolment_id)) == 0
    assert [entry["step"] for entry in notes_plugin.deleted] == ["delete_user_data", "user_deleted"]


# --- every plugin honours the privacy duties ------------------------------------------------------------------


class KeepsNotesButForgetsPrivacy:
    """Stores personal data but only half-implements the privacy contract."""

    @hookimpl
    def export_user_data(self, session: Session, user_id: int) -> dict[str, Any] | None:
        return None


def test_a_plugin_lacking_a_privacy_hook_is_reported(tmp_path, database_url, engine):
    from mso_academy import create_app
    from mso_academy.accounts.privacy import plugins_missing_privacy_hooks

    app = create_app(
        {
            "SECRET_KEY": "x",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "DATABASE_URL": database_url,
            "DATABASE_ENGINE": engine,
            "PLUGINS_AUTOLOAD": False,
            "EXTRA_PLUGINS": [KeepsNotesButForgetsPrivacy(), NotesPlugin()],
        }
    )
    with app.app_context():
        assert plugins_missing_privacy_hooks(plugins()) == {"KeepsNotesButForgetsPrivacy": ["delete_user_data"]}


def test_every_installed_plugin_implements_the_privacy_hooks(tmp_path, database_url, engine):
    """Fails when any installed plugin (entry point group ``mso_academy``) lacks export_user_data or
    delete_user_data: a plugin that stores nothing answers None, one that stores data exports and deletes it."""
    from mso_academy import create_app
    from mso_academy.accounts.privacy import plugins_missing_privacy_hooks

    app = create_app(
        {
            "SECRET_KEY": "x",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "DATABASE_URL": database_url,
            "DATABASE_ENGINE": engine,
            "PLUGINS_AUTOLOAD": True,
        }
    )
    with app.app_context():
        loaded = [info for info in plugins().plugins.values() if info.source == "entry point"]
        assert all(info.state == "enabled" for info in loaded), [(i.name, i.error) for i in loaded]
        assert plugins_missing_privacy_hooks(plugins()) == {}
