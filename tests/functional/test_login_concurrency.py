"""A login hashes the password without holding SQLite's single write lock, so others can write meanwhile."""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

from flask import Flask
from sqlalchemy import text

from mso_academy.accounts import passwords
from mso_academy.db import database, transaction
from tests.factories import PASSWORD, make_user


def test_other_requests_write_while_a_login_hashes_the_password(live_app: Flask, monkeypatch: Any) -> None:
    with live_app.app_context(), database(live_app).session_factory() as session, transaction(session):
        user_id = make_user(session, email="hashing@example.org").id
    hashing, written = threading.Event(), threading.Event()
    real_verify = passwords.verify_password

    def slow_verify(stored_hash: str, password: str) -> bool:
        hashing.set()
        written.wait(timeout=20)  # argon2 "takes long" until the other writer is through
        return real_verify(stored_hash, password)

    monkeypatch.setattr(passwords, "verify_password", slow_verify)
    result: dict[str, int] = {}

    def log_in() -> None:
        response = live_app.test_client().post(
            "/account/login", data={"email": "hashing@example.org", "password": PASSWORD}
        )
        result["status"] = response.status_code

    thread = threading.Thread(target=log_in)
    thread.start()
    try:
        assert hashing.wait(timeout=20), "the login never reached the password check"
        engine = database(live_app).engine
        if engine.dialect.name == "sqlite":
            # Another writer that waits at most half a second: it gets the lock only if the login does not hold it.
            with sqlite3.connect(str(engine.url.database), timeout=0.5, isolation_level=None) as other:
                other.execute("BEGIN IMMEDIATE")
                other.execute("UPDATE users SET name = 'Written meanwhile' WHERE id = ?", (user_id,))
                other.execute("COMMIT")
        else:
            with engine.begin() as connection:
                connection.execute(text("SET LOCAL lock_timeout = '500ms'"))
                connection.execute(text("UPDATE users SET name = 'Written meanwhile' WHERE id = :id"), {"id": user_id})
    finally:
        written.set()
        thread.join(timeout=30)
    assert result.get("status") == 302  # and the login itself still succeeds afterwards
    with live_app.app_context(), database(live_app).engine.connect() as connection:
        name = connection.execute(text("SELECT name FROM users WHERE id = :id"), {"id": user_id}).scalar_one()
    assert name == "Written meanwhile"
