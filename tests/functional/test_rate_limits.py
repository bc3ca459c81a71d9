"""Rate limits on the account forms: per client address and per account, counting only failures per account so a
real user is slowed down, never locked out; counts shared through Redis between app servers."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pyotp
import pytest

from mso_academy import create_app
from mso_academy.db import utcnow
from tests.conftest import FAST_HASHING, IsolatedClient
from tests.factories import PASSWORD, make_user

REDIS_URL = "redis://127.0.0.1:6379/7"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"RATELIMIT_ENABLED": True}


def from_address(app, address: str) -> Any:
    app.test_client_class = IsolatedClient
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def attempt(client, email: str, password: str) -> Any:
    return client.post("/account/login", data={"email": email, "password": password})


def test_failed_logins_of_one_account_are_limited_from_every_address_then_it_waits(app, session):
    make_user(session, email="amira@example.org")
    session.commit()
    for n in range(10):  # ten failures, each from another address: no per-address limit is reached
        assert attempt(from_address(app, f"10.0.{n}.1"), "Amira@Example.org ", "wrong password!").status_code == 401
    throttled = attempt(from_address(app, "10.9.9.9"), "amira@example.org", PASSWORD)
    assert throttled.status_code == 429
    assert 0 < int(throttled.headers["Retry-After"]) <= 15 * 60
    page = throttled.get_data(as_text=True)
    assert "Too many attempts" in page and "Nothing is locked" in page
    # Another account from the same addresses is not affected.
    make_user(session, email="omar@example.org")
    session.commit()
    assert attempt(from_address(app, "10.0.0.1"), "omar@example.org", PASSWORD).status_code == 302


def test_correct_logins_do_not_use_up_the_accounts_budget(app, session):
    make_user(session, email="amira@example.org")
    session.commit()
    for n in range(9):
        assert attempt(from_address(app, f"10.1.{n}.1"), "amira@example.org", "wrong password!").status_code == 401
    # Someone else's nine wrong guesses: the owner still logs in, again and again.
    for n in range(12):
        client = from_address(app, f"10.2.{n}.1")
        assert attempt(client, "amira@example.org", PASSWORD).status_code == 302


def test_the_window_passes_by_itself(app, session, monkeypatch):
    make_user(session, email="amira@example.org")
    session.commit()
    for n in range(10):
        attempt(from_address(app, f"10.3.{n}.1"), "amira@example.org", "wrong password!")
    assert attempt(from_address(app, "10.3.99.1"), "amira@example.org", PASSWORD).status_code == 429
    later = time.time() + 15 * 60 + 1
    monkeypatch.setattr("limits.storage.memory.time.time", lambda: later)
    assert attempt(from_address(app, "10.3.99.1"), "amira@example.org", PASSWORD).status_code == 302


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT_IP": "3 per minute"}])
def test_one_address_is_limited_on_every_attempt(app, session):
    make_user(session, email="amira@example.org")
    session.commit()
    client = from_address(app, "192.0.2.7")
    assert [attempt(client, f"x{n}@example.org", "whatever pass").status_code for n in range(3)] == [401] * 3
    assert attempt(client, "amira@example.org", PASSWORD).status_code == 429
    assert client.get("/account/login").status_code == 200  # the page itself is not limited
    assert attempt(from_address(app, "192.0.2.8"), "amira@example.org", PASSWORD).status_code == 302


def test_mail_to_one_address_is_limited_across_forms_and_addresses(app, session, outbox):
    make_user(session, email="amira@example.org", confirmed=False)
    session.commit()
    forms = ["/account/forgot-password", "/account/confirm", "/account/forgot-password"]
    for n, url in enumerate(forms):
        assert from_address(app, f"10.4.{n}.1").post(url, data={"email": "amira@example.org"}).status_code == 302
    # Every counted request did mail the owner: three fresh links are in her inbox.
    assert len(outbox.messages()) == 3
    blocked = from_address(app, "10.4.9.1").post("/account/forgot-password", data={"email": "AMIRA@example.org"})
    assert blocked.status_code == 429 and "Retry-After" in blocked.headers
    assert len(outbox.messages()) == 3
    other = from_address(app, "10.4.9.1").post("/account/forgot-password", data={"email": "omar@example.org"})
    assert other.status_code == 302


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "REGISTER_RATE_LIMIT_IP": "2 per hour"}])
def test_registration_is_limited_per_address(app):
    client = from_address(app, "198.51.100.1")
    for n in range(2):
        data = {"name": "N", "email": f"new{n}@example.org", "password": "a long sentence here", "language": "en"}
        assert client.post("/account/register", data=data).status_code == 302
    data = {"name": "N", "email": "new9@example.org", "password": "a long sentence here", "language": "en"}
    assert client.post("/account/register", data=data).status_code == 429


def test_wrong_second_step_codes_are_limited_per_account(app, session):
    user = make_user(session, email="amira@example.org")
    secret = pyotp.random_base32()
    user.totp_secret, user.totp_enabled_at = secret, utcnow()
    session.commit()
    client = from_address(app, "10.5.0.1")
    assert attempt(client, "amira@example.org", PASSWORD).status_code == 302
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    for _n in range(5):
        assert client.post("/account/two-factor/verify", data={"code": wrong}).status_code == 401
    blocked = client.post("/account/two-factor/verify", data={"code": pyotp.TOTP(secret).now()})
    assert blocked.status_code == 429


# --- Redis: several app servers share the counts -------------------------------------------------------------


def _redis_or_skip() -> Any:
    redis = pytest.importorskip("redis")
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis server at {REDIS_URL} (start one to test shared rate limits)")
    return connection


def _server(tmp_path, name: str, prefix: str, database_url: str, engine: Any, connection: Any) -> Any:
    from sqlalchemy.orm import sessionmaker

    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "shared-secret",
            "INSTANCE_PATH": str(tmp_path / name),
            "DATABASE_URL": database_url,
            "DATABASE_ENGINE": engine,
            "DATABASE_SESSION_FACTORY": sessionmaker(
                bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
            ),
            "WTF_CSRF_ENABLED": False,
            "PLUGINS_AUTOLOAD": False,
            "RATELIMIT_ENABLED": True,
            "REDIS_URL": REDIS_URL,
            "RATELIMIT_KEY_PREFIX": prefix,
            "LOGIN_RATE_LIMIT_ACCOUNT": "4 per 15 minutes",
            "BABEL_DEFAULT_LOCALE": "en",
            "TWO_FACTOR_ENFORCED": False,
            **FAST_HASHING,
        }
    )


def test_two_app_servers_share_the_counts_in_redis(tmp_path, database_url, engine, connection, session):
    redis_connection = _redis_or_skip()
    prefix = f"mso-test-{uuid.uuid4().hex}"
    first = _server(tmp_path, "one", prefix, database_url, engine, connection)
    second = _server(tmp_path, "two", prefix, database_url, engine, connection)
    try:
        with first.app_context():
            from mso_academy.ratelimits import limiter, storage_uri

            assert storage_uri(first) == REDIS_URL
            assert type(limiter(first).storage).__name__ == "RedisStorage"
        with first.app_context():
            from mso_academy.db import get_session

            make_user(get_session(), email="amira@example.org")
            get_session().commit()
        for n in range(2):
            with first.app_context():
                assert attempt(from_address(first, f"10.6.{n}.1"), "amira@example.org", "wrong!!").status_code == 401
            with second.app_context():
                assert attempt(from_address(second, f"10.7.{n}.1"), "amira@example.org", "wrong!!").status_code == 401
        # Four failures spread over two servers: both now hold the account back.
        with first.app_context():
            assert attempt(from_address(first, "10.8.0.1"), "amira@example.org", PASSWORD).status_code == 429
        with second.app_context():
            assert attempt(from_address(second, "10.8.0.1"), "amira@example.org", PASSWORD).status_code == 429
        stored = [key.decode() for key in redis_connection.scan_iter(f"*{prefix}*")]
        assert stored and not any("amira" in key for key in stored)  # keys hold digests, not addresses
    finally:
        for key in redis_connection.scan_iter(f"*{prefix}*"):
            redis_connection.delete(key)
