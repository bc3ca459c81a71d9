"""`after_commit` callbacks run once the outermost transaction commits, never at a savepoint."""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from mso_academy import db


def test_callbacks_wait_for_the_outer_commit_not_a_released_savepoint() -> None:
    engine = create_engine("sqlite://")
    calls: list[str] = []
    with Session(engine) as session:
        session.execute(text("SELECT 1"))
        db.after_commit(session, lambda: calls.append("sent"))
        with session.begin_nested():  # e.g. issuing a certificate inside a request
            session.execute(text("SELECT 1"))
        assert calls == []  # the savepoint was released, the transaction is still open
        session.commit()
    assert calls == ["sent"]  # once, at the real commit


def test_callbacks_are_dropped_on_rollback_but_kept_when_only_a_savepoint_rolls_back() -> None:
    engine = create_engine("sqlite://")
    calls: list[str] = []
    with Session(engine) as session:
        session.execute(text("SELECT 1"))
        db.after_commit(session, lambda: calls.append("kept"))
        savepoint = session.begin_nested()
        savepoint.rollback()
        session.commit()
        assert calls == ["kept"]
        session.execute(text("SELECT 1"))
        db.after_commit(session, lambda: calls.append("dropped"))
        session.rollback()
        session.commit()
    assert calls == ["kept"]
