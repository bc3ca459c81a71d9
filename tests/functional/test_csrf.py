"""Every form needs the CSRF token: a POST without it is refused with 400 and changes nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from mso_academy.accounts.models import User
from mso_academy.learning.models import Enrolment


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_post_without_csrf_token_is_refused(client, session):
    response = client.post(
        "/account/register",
        data={"name": "X", "email": "csrf@example.org", "password": "ein langes passwort", "language": "en"},
    )
    assert response.status_code == 400
    assert "The form has expired or was not sent from this site" in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(User).where(User.email == "csrf@example.org")) == 0


def test_enrol_without_token_changes_nothing(client, session, learner, course):
    session.commit()
    page = client.get("/account/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/account/login", data={"email": learner.email, "password": "correct horse battery staple", "csrf_token": token}
    )
    assert response.status_code == 302
    assert client.post(f"/courses/{course.slug}/enrol").status_code == 400
    assert client.post(f"/courses/{course.slug}/enrol", data={"csrf_token": "forged"}).status_code == 400
    assert session.scalar(select(func.count()).select_from(Enrolment)) == 0


def _token_of(client, url="/account/login"):
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def _signed_in(app, learner):
    from tests.conftest import IsolatedClient

    app.test_client_class = IsolatedClient
    client = app.test_client()
    client.post(
        "/account/login",
        data={"email": learner.email, "password": "correct horse battery staple", "csrf_token": _token_of(client)},
    )
    return client


def test_a_token_from_another_session_is_refused(app, session, learner, course):
    """A token is bound to its session: an attacker's own valid token does not work in the victim's browser."""
    session.commit()
    victim = _signed_in(app, learner)
    attacker = app.test_client()
    foreign = _token_of(attacker)
    response = victim.post(f"/courses/{course.slug}/enrol", data={"csrf_token": foreign})
    assert response.status_code == 400
    assert session.scalar(select(func.count()).select_from(Enrolment)) == 0
    own = _token_of(victim, f"/courses/{course.slug}")
    assert victim.post(f"/courses/{course.slug}/enrol", data={"csrf_token": own}).status_code == 303


def _token_signed(app, client, seconds_ago):
    """A CSRF token of this session as Flask-WTF makes it, but signed `seconds_ago`."""
    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    class Backdated(TimestampSigner):
        def get_timestamp(self):
            return super().get_timestamp() - seconds_ago

    with client.session_transaction() as stored:
        raw = stored["csrf_token"]
    return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token", signer=Backdated).dumps(raw)


def test_an_expired_token_is_refused(app, session, learner, course):
    session.commit()
    client = _signed_in(app, learner)
    _token_of(client, f"/courses/{course.slug}")  # the session gets its CSRF secret
    expired = _token_signed(app, client, app.config["WTF_CSRF_TIME_LIMIT"] + 5)
    response = client.post(f"/courses/{course.slug}/enrol", data={"csrf_token": expired})
    assert response.status_code == 400 and "The form has expired" in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Enrolment)) == 0
    in_time = _token_signed(app, client, 60)  # made the same way, but still in time: accepted
    assert client.post(f"/courses/{course.slug}/enrol", data={"csrf_token": in_time}).status_code == 303
