"""SQL statements per request, counted for the benchmarks and the query-count tests (an N+1 regression fails CI).

With QUERY_COUNT_HEADER on, every response carries ``X-Query-Count``: the statements the request sent to the
database (SELECT, INSERT, UPDATE, …; transaction control — BEGIN, savepoints — is not counted, so SQLite and
PostgreSQL compare).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from flask import Flask, Response
from sqlalchemy import event
from sqlalchemy.engine import Engine

from mso_academy.db import database

_counter: ContextVar[list[int] | None] = ContextVar("mso_academy_query_counter", default=None)


_NOT_COUNTED = ("BEGIN", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")  # transaction control, not queries


def _count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
    counter = _counter.get()
    if counter is not None and not statement.lstrip().upper().startswith(_NOT_COUNTED):
        counter[0] += 1


def watch(engine: Engine) -> None:
    """Count this engine's statements (idempotent: tests share one engine between many apps)."""
    if not event.contains(engine, "before_cursor_execute", _count):
        event.listen(engine, "before_cursor_execute", _count)


def init_app(app: Flask) -> None:
    if not app.config.get("QUERY_COUNT_HEADER"):
        return
    watch(database(app).engine)

    @app.before_request
    def _start() -> None:
        _counter.set([0])

    @app.after_request
    def _report(response: Response) -> Response:
        counter = _counter.get()
        if counter is not None:
            response.headers["X-Query-Count"] = str(counter[0])
        return response
