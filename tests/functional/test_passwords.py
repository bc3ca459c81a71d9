"""The password policy (length, common passwords, no composition rules) on every way to set a password, and the
argon2id rehash at login when the parameters change."""

from __future__ import annotations

from argon2 import extract_parameters
from sqlalchemy import select

from mso_academy.accounts import passwords
from mso_academy.accounts.models import User
from tests.conftest import login
from tests.factories import PASSWORD, make_user


def register(client, password: str, email: str = "new@example.org"):
    return client.post(
        "/account/register", data={"name": "Neu", "email": email, "password": password, "language": "en"}
    )


def stored_hash(session, email: str) -> str:
    session.expire_all()
    return session.scalar(select(User.password_hash).where(User.email == email))


def test_registration_takes_ten_characters_without_composition_rules_and_refuses_weak_ones(client, session):
    for weak, message in (
        ("123456789", "at least 10"),
        ("Password123", "most common"),
        ("QWERTZUIOP", "most common"),
        ("ababababab", "repeats the same few characters"),
    ):
        answer = register(client, weak)
        assert answer.status_code == 422 and message in answer.get_data(as_text=True), weak
    assert register(client, "new@example.org", email="new@example.org").status_code == 422  # the address itself
    # Ten lower-case letters, no digit, no symbol: accepted.
    assert register(client, "tulpenbeet").status_code == 302


def test_the_reset_applies_the_same_policy(client, session, outbox):
    make_user(session, email="amira@example.org")
    before = stored_hash(session, "amira@example.org")
    client.post("/account/forgot-password", data={"email": "amira@example.org"})
    link = outbox.last_link()
    refused = client.post(link, data={"password": "passwort123", "confirm": "passwort123"})
    assert refused.status_code == 422 and "most common" in refused.get_data(as_text=True)
    short = client.post(link, data={"password": "kurz", "confirm": "kurz"})
    assert short.status_code == 422 and "at least 10" in short.get_data(as_text=True)
    assert stored_hash(session, "amira@example.org") == before


def test_the_change_in_the_profile_applies_the_same_policy(client, session):
    make_user(session, email="amira@example.org")
    before = stored_hash(session, "amira@example.org")
    login(client, "amira@example.org")
    refused = client.post(
        "/account/password",
        data={"pw-current_password": PASSWORD, "pw-password": "willkommen123", "pw-confirm": "willkommen123"},
    )
    assert refused.status_code == 422 and "most common" in refused.get_data(as_text=True)
    assert stored_hash(session, "amira@example.org") == before


def test_login_rehashes_when_the_argon2_parameters_change(app, client, session):
    make_user(session, email="amira@example.org")
    session.commit()
    old = stored_hash(session, "amira@example.org")
    assert old.startswith("$argon2id$") and extract_parameters(old).time_cost == 1

    app.config["ARGON2_TIME_COST"] = 2
    app.extensions.pop(passwords.EXTENSION_KEY, None)

    assert login(client, "amira@example.org", "wrong password!!").status_code == 401
    assert stored_hash(session, "amira@example.org") == old  # a failed login changes nothing

    assert login(client, "amira@example.org").status_code == 302
    new = stored_hash(session, "amira@example.org")
    assert new != old and new.startswith("$argon2id$") and extract_parameters(new).time_cost == 2
    client.post("/account/logout")
    assert login(client, "amira@example.org").status_code == 302
    assert stored_hash(session, "amira@example.org") == new  # no rehash when nothing changed
