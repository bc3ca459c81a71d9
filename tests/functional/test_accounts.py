"""Registering, confirming, logging in and out, resetting a password, editing the profile."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from mso_academy.accounts.models import User
from mso_academy.accounts.passwords import verify_password
from tests import factories
from tests.conftest import login

NEW_PASSWORD = "ein langer Satz als Passwort"


def register(client, email="neu@example.org", password=NEW_PASSWORD, name="Neue Person"):
    return client.post("/account/register", data={"name": name, "email": email, "password": password, "language": "en"})


def users_named(session, email):
    return session.scalar(select(func.count()).select_from(User).where(User.email == email))


def test_register_confirm_and_login(client, session, outbox):
    response = register(client, email="Neu@Example.org")
    assert response.status_code == 302 and response.location.endswith("/account/check-mail")
    user = session.scalar(select(User).where(User.email == "neu@example.org"))
    assert user is not None and not user.email_confirmed
    assert user.password_hash.startswith("$argon2id$") and verify_password(user.password_hash, NEW_PASSWORD)

    # Not confirmed yet: the correct password does not open the account.
    assert login(client, "neu@example.org", NEW_PASSWORD).status_code == 401

    [mail] = outbox.messages()
    assert mail["To"] == "neu@example.org"
    link = outbox.last_link()
    assert "/account/confirm/" in link
    response = client.get(link)
    assert response.status_code == 302
    session.refresh(user)
    assert user.email_confirmed

    response = login(client, "neu@example.org", NEW_PASSWORD)
    assert response.status_code == 302 and response.location.endswith("/dashboard")
    assert client.get("/dashboard").status_code == 200


def test_confirmation_link_forged_or_expired(client, app, session, learner, monkeypatch):
    session.commit()
    response = client.get("/account/confirm/not-a-token")
    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)
    from mso_academy.accounts import tokens

    with app.test_request_context():
        token = tokens.confirm_token(learner)
    app.config["CONFIRM_TOKEN_MAX_AGE"] = -1
    response = client.get(f"/account/confirm/{token}")
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)


def test_duplicate_registration_is_refused(client, session, learner):
    session.commit()
    response = register(client, email=learner.email.upper())
    assert response.status_code == 422
    assert "exists already" in response.get_data(as_text=True)
    assert users_named(session, learner.email) == 1


def test_weak_or_empty_password_is_refused(client, session):
    for password, message in (("kurz", "at least 10"), ("", "This field is required"), ("passwort123", "common")):
        response = register(client, email="weak@example.org", password=password)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True), password
    assert users_named(session, "weak@example.org") == 0


def test_wrong_password_gives_one_message_for_both_cases(client, session, learner):
    session.commit()
    wrong = login(client, learner.email, "falsches passwort 123")
    unknown = login(client, "nobody@example.org", "falsches passwort 123")
    assert wrong.status_code == unknown.status_code == 401
    for response in (wrong, unknown):
        assert "E-mail address or password is wrong." in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302  # still anonymous


def test_logout_needs_post_and_ends_the_session(client, session, learner):
    session.commit()
    login(client, learner.email)
    assert client.get("/account/logout").status_code == 405
    assert client.post("/account/logout").status_code == 302
    assert client.get("/dashboard").status_code == 302


def test_password_reset_flow(client, session, learner, outbox):
    session.commit()
    known = client.post("/account/forgot-password", data={"email": learner.email})
    unknown = client.post("/account/forgot-password", data={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.location == unknown.location
    assert len(outbox.messages()) == 1  # only the known address gets mail
    link = outbox.last_link()
    assert client.get(link).status_code == 200

    response = client.post(link, data={"password": "kurz", "confirm": "kurz"})
    assert response.status_code == 422

    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    session.refresh(learner)
    assert verify_password(learner.password_hash, NEW_PASSWORD)
    # The link works once: the password it was bound to has changed.
    again = client.post(link, data={"password": "noch ein neues passwort", "confirm": "noch ein neues passwort"})
    assert again.status_code == 400
    assert login(client, learner.email, NEW_PASSWORD).status_code == 302


def test_password_change_ends_other_sessions(app, session, learner):
    session.commit()
    from tests.conftest import IsolatedClient

    app.test_client_class = IsolatedClient
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, learner.email)
    login(phone, learner.email)
    response = laptop.post(
        "/account/password",
        data={"pw-current_password": factories.PASSWORD, "pw-password": NEW_PASSWORD, "pw-confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert laptop.get("/dashboard").status_code == 200
    assert phone.get("/dashboard").status_code == 302  # logged out


def test_profile_edit(client, session, learner):
    session.commit()
    login(client, learner.email)
    response = client.post("/account/profile", data={"name": "Lena Neu", "language": "en"})
    assert response.status_code == 302
    session.refresh(learner)
    assert (learner.name, learner.preferred_language) == ("Lena Neu", "en")
    page = client.get("/account/profile").get_data(as_text=True)
    assert 'value="Lena Neu"' in page
    assert client.post("/account/profile", data={"name": "X", "language": "xx"}).status_code == 422
    session.refresh(learner)
    assert learner.preferred_language == "en"


def test_login_redirects_only_to_local_paths(client, session, learner):
    session.commit()
    for target, expected in (
        ("/courses/", "/courses/"),
        ("//evil.example", "/dashboard"),
        ("https://evil.example/", "/dashboard"),
        ("/\\evil.example", "/dashboard"),
    ):
        client.post("/account/logout")
        response = client.post(
            f"/account/login?next={target}", data={"email": learner.email, "password": factories.PASSWORD}
        )
        assert re.sub(r"^https?://localhost", "", response.location) == expected, target


def test_mail_is_not_sent_when_registration_fails(client, session, outbox):
    register(client, password="kurz")
    assert outbox.messages() == []
