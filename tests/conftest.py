"""Fixtures: an app per test on a throwaway database, with a savepoint per test.

The schema is created once per test session. Each test runs inside a transaction on one connection that is
rolled back at the end; the app's own commits become savepoint releases (`join_transaction_mode`).
Set MSO_ACADEMY_TEST_DATABASE_URL to a PostgreSQL URL to run everything on PostgreSQL: a database of its own is
created per test process and dropped afterwards.
"""

from __future__ import annotations

import contextvars
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from mso_academy import create_app
from mso_academy.db import make_engine
from mso_academy.models import Base
from tests import factories

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

# Cheap argon2 parameters keep logins fast in tests; production uses the defaults in config.py.
FAST_HASHING = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1}


def _postgres_database(base_url: str) -> Iterator[str]:
    url = make_url(base_url)
    name = f"mso_test_{uuid.uuid4().hex[:8]}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = os.environ.get("MSO_ACADEMY_TEST_DATABASE_URL")
    if base:
        yield from _postgres_database(base)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def fresh_database_url(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A factory of further empty databases on the same server (migration tests, live servers)."""
    created: list[Iterator[str]] = []

    def make() -> str:
        if database_url.startswith("sqlite"):
            return f"sqlite:///{tmp_path_factory.mktemp('fresh') / 'db.sqlite3'}"
        generator = _postgres_database(os.environ["MSO_ACADEMY_TEST_DATABASE_URL"])
        created.append(generator)
        return next(generator)

    yield make
    for generator in created:
        generator.close()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        transaction = conn.begin()
        yield conn
        transaction.rollback()


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, Any]:
    """Override or extend in a test module to change the app's configuration."""
    return {}


@pytest.fixture
def app(
    connection: Connection, engine: Engine, database_url: str, tmp_path: Path, app_config: dict[str, Any]
) -> Iterator[Flask]:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": database_url,
        "DATABASE_ENGINE": engine,
        "DATABASE_SESSION_FACTORY": sessionmaker(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        ),
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        # Mail stays queued in the outbox table (read by the `outbox` fixture); tests of delivery switch it on.
        "MAIL_SEND_AFTER_COMMIT": False,
        "WTF_CSRF_ENABLED": False,
        "PLUGINS_AUTOLOAD": False,
        "RATELIMIT_ENABLED": False,
        # Admins and managers must set up two-factor login; tests of other features log them in with a password.
        "TWO_FACTOR_ENFORCED": False,
        "SERVER_NAME": "localhost",
        # Tests read English messages; German, the production default, has tests of its own.
        "BABEL_DEFAULT_LOCALE": "en",
        **FAST_HASHING,
        **app_config,
    }
    app = create_app(config)
    with app.app_context():
        yield app


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """The test's own session on the test's connection: it sees what requests write, and they see its flushes."""
    with app.config["DATABASE_SESSION_FACTORY"]() as session:
        yield session


class IsolatedClient(FlaskClient):
    """Runs each request in an empty context, as a real server does.

    Without this, requests would share the test's app context and its `g` (Flask-Login's current user,
    the request's database session) from one request to the next.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def learner(session: Session) -> Any:
    return factories.make_user(session, name="Lena Learner")


@pytest.fixture
def course(session: Session) -> Any:
    return factories.make_course(session, title="Vereinsarbeit für Einsteiger")


def _mail_reading_policy() -> Any:
    """The default policy, where `get_content()` of a plain-text-and-HTML mail gives its plain text."""
    from email import policy
    from email.contentmanager import ContentManager, raw_data_manager

    manager = ContentManager()
    manager.get_handlers.update(raw_data_manager.get_handlers)
    manager.set_handlers.update(raw_data_manager.set_handlers)
    manager.add_get_handler("multipart/alternative", lambda message: message.get_body(("plain",)).get_content())
    return policy.default.clone(content_manager=manager)


class Outbox:
    """The mails the app queued (the outbox table) or sent, oldest first, parsed as a mail client would.

    A sent row's bodies are blanked; its message is then read from the `.eml` file delivery wrote, if any.
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.folder = Path(app.config["MAIL_OUTBOX_DIR"])

    def messages(self) -> list[Any]:
        import email

        from sqlalchemy import select

        from mso_academy.mail import build_message
        from mso_academy.mail.models import MailMessage, MailStatus

        reading = _mail_reading_policy()
        written = {}
        for path in sorted(self.folder.glob("*.eml")) if self.folder.exists() else []:
            message = email.message_from_bytes(path.read_bytes(), policy=reading)
            written[message["Message-ID"]] = message
        result = []
        with self.app.config["DATABASE_SESSION_FACTORY"]() as session:
            for row in session.scalars(select(MailMessage).order_by(MailMessage.id)):
                if row.status == MailStatus.SENT and not row.text_body:
                    if row.message_id in written:
                        result.append(written[row.message_id])
                    continue
                result.append(email.message_from_bytes(bytes(build_message(self.app, row)), policy=reading))
        return result

    def last_link(self) -> str:
        import re

        messages = self.messages()
        assert messages, "no mail was sent"
        body = messages[-1].get_content()
        match = re.search(r"https?://\S+", body)
        assert match, body
        return match.group(0)


@pytest.fixture
def outbox(app: Flask) -> Outbox:
    return Outbox(app)


def login(client: FlaskClient, email: str, password: str = factories.PASSWORD) -> Any:
    return client.post("/account/login", data={"email": email, "password": password})


@pytest.fixture
def live_app(fresh_database_url: Any, tmp_path: Path) -> Iterator[Flask]:
    """An app on its own migrated database, without the test transaction, so requests really run side by side."""
    from alembic import command

    from mso_academy.cli import alembic_config
    from mso_academy.db import database

    app = create_app(
        {
            "DATABASE_URL": fresh_database_url(),
            "SECRET_KEY": "x",
            "INSTANCE_PATH": str(tmp_path / "live"),
            "PLUGINS_AUTOLOAD": False,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "TWO_FACTOR_ENFORCED": False,
            "BABEL_DEFAULT_LOCALE": "en",
            **FAST_HASHING,
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        command.upgrade(alembic_config(), "head")
    yield app
    database(app).engine.dispose()


@pytest.fixture
def select_queries(app: Flask, client: FlaskClient) -> Any:
    """`select_queries(url)`: the SELECT statements one GET of `url` runs (it must answer 200)."""
    from sqlalchemy import event

    from mso_academy.db import database

    engine = database(app).engine

    def run(url: str) -> list[str]:
        statements: list[str] = []

        def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            statements.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return [s for s in statements if s.lstrip().upper().startswith("SELECT")]

    return run
