"""Database: the declarative base, the engine per app, and one transaction per request.

Services receive a `Session` and only ever flush. The request (or CLI command) that opened the session commits
when it ends well and rolls back otherwise, so a failing request never leaves anything half-written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, current_app, g, request
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

EXTENSION_KEY = "mso_academy.db"


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use mso_academy.db.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Whether the current unit of work may write. On SQLite a transaction that reads first and writes later can
# fail with "database is locked" when another writer committed in between; taking the write lock up front
# (BEGIN IMMEDIATE) for requests that may write turns that into an orderly wait (the busy timeout).
write_intent: ContextVar[bool] = ContextVar("write_intent", default=True)


def read_first() -> None:
    """For a writing request that reads and then works a while before it writes (a login hashes the password for
    ~100 ms): start with a plain read transaction; `begin_writing` takes the write lock when the writes begin."""
    write_intent.set(False)


def begin_writing(session: Session) -> None:
    """Take the write lock from here on (SQLite). A read transaction still open is ended first — it has written
    nothing — so the next statement starts with BEGIN IMMEDIATE instead of upgrading a stale snapshot."""
    if write_intent.get():
        return
    write_intent.set(True)
    if session.in_transaction() and not (session.new or session.dirty or session.deleted):
        bind = session.get_bind()
        if bind.dialect.name == "sqlite":
            session.commit()


def _configure_sqlite(engine: Engine) -> None:
    """Foreign keys on, WAL, a busy timeout, and real transactions (pysqlite's own BEGIN handling is off)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


def make_engine(url: str, echo: bool = False, **kwargs: Any) -> Engine:
    engine = create_engine(url, echo=echo, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


class Database:
    """The app's engine and session factory, kept in `app.extensions` (no module globals)."""

    def __init__(self, engine: Engine, session_factory: sessionmaker[Session]) -> None:
        self.engine = engine
        self.session_factory = session_factory

    @classmethod
    def for_app(cls, app: Flask) -> Database:
        engine = app.config.get("DATABASE_ENGINE") or make_engine(
            app.config["DATABASE_URL"], echo=app.config["SQLALCHEMY_ECHO"]
        )
        factory = app.config.get("DATABASE_SESSION_FACTORY") or sessionmaker(engine, expire_on_commit=False)
        return cls(engine, factory)


def database(app: Flask | None = None) -> Database:
    return (app or current_app).extensions[EXTENSION_KEY]


def get_session() -> Session:
    """The session of the current request or CLI command, opened on first use."""
    if "db_session" not in g:
        g.db_session = database().session_factory()
    return g.db_session


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run `callback` once the session's transaction has committed (e.g. send mail); drop it on rollback."""
    session.info.setdefault("after_commit", []).append(callback)


def _run_after_commit(session: Session) -> None:
    # SQLAlchemy fires `after_commit` for a released savepoint too; the callbacks wait for the real commit (else
    # mail would be tried while the outer transaction still holds the SQLite write lock, or before it commits).
    if session.in_nested_transaction():
        return
    callbacks = session.info.pop("after_commit", [])
    for callback in callbacks:
        callback()


def _drop_after_commit(session: Session, previous_transaction: Any) -> None:
    # A savepoint rolled back inside the request keeps the outer transaction's callbacks.
    if previous_transaction.parent is None:
        session.info.pop("after_commit", None)


event.listen(Session, "after_commit", _run_after_commit)
event.listen(Session, "after_soft_rollback", _drop_after_commit)


@contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """Commit when the block ends well, roll back on any exception (CLI commands, workers)."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION_KEY] = Database.for_app(app)

    @app.before_request
    def _intent() -> None:
        write_intent.set(request.method not in ("GET", "HEAD", "OPTIONS"))

    @app.after_request
    def _commit(response: Response) -> Response:
        session: Session | None = g.pop("db_session", None)
        if session is None:
            return response
        try:
            if response.status_code < 400:
                session.commit()
            else:
                session.rollback()
        finally:
            session.close()
        return response

    @app.teardown_appcontext
    def _close(exc: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()
