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
