"""Two-factor login (TOTP): setup with QR and recovery codes, the second login step, replay, expiry, required roles."""

from __future__ import annotations

import re
import time
from typing import Any

import pyotp
import pytest
from sqlalchemy import select

from mso_academy.accounts import twofactor
from mso_academy.accounts.models import RecoveryCode, Role, User
from mso_academy.audit.models import AuditEvent
from mso_academy.organisations.models import MemberRole, Membership
from mso_academy.organisations.organisations import Details, create_organisation
from tests.conftest import login
from tests.factories import PASSWORD, make_user


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"TWO_FACTOR_ENFORCED": True}


def _secret_from_page(html: str) -> str:
    match = re.search(r'<code class="secret" translate="no">([A-Z2-7]+)</code>', html)
    assert match, html
    return match.group(1)


def _codes_from_page(html: str) -> list[str]:
    return re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", html)


def _code_at(secret: str, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + offset_steps * 30)


def set_up_two_factor(client: Any, email: str) -> tuple[str, list[str]]:
    """Log in with the password, turn two-factor login on in the profile; returns the secret and recovery codes."""
    assert login(client, email).status_code == 302
    page = client.get("/account/two-factor/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<svg" in html and 'class="qr"' in html and "style=" not in html
    secret = _secret_from_page(html)
    shown = client.post("/account/two-factor/enable", data={"code": _code_at(secret, -1)})
    assert shown.status_code == 200
    assert shown.headers["Cache-Control"] == "no-store"
    codes = _codes_from_page(shown.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    client.post("/account/logout")
    return secret, codes


def test_setup_shows_qr_and_secret_confirms_with_a_code_and_shows_ten_recovery_codes_once(client, session):
    user = make_user(session, email="amira@example.org")
    assert login(client, "amira@example.org").status_code == 302
    html = client.get("/account/two-factor/").get_data(as_text=True)
    secret = _secret_from_page(html)
    # A wrong code does not turn it on.
    wrong = client.post("/account/two-factor/enable", data={"code": "000000" if _code_at(secret) != "000000" else "1"})
    assert wrong.status_code == 303
    session.expire_all()
    assert session.get(User, user.id).totp_enabled_at is None

    shown = client.post("/account/two-factor/enable", data={"code": _code_at(secret)})
    codes = _codes_from_page(shown.get_data(as_text=True))
    assert len(codes) == 10
    session.expire_all()
    stored = session.get(User, user.id)
    assert stored.totp_enabled_at is not None and stored.totp_secret == secret
    hashes = session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(hashes) == 10
    # Hashed at rest: no code appears in what is stored.
    assert not any(code.replace("-", "") in h or code in h for code in codes for h in hashes)
    assert all(h.startswith("$argon2id$") for h in hashes)
    # Shown once: the settings page now lists how many are left, not the codes.
    again = client.get("/account/two-factor/").get_data(as_text=True)
    assert "10 recovery codes are left" in again
    assert not any(code in again for code in codes)
    assert "Two-factor login is on." in client.get("/account/profile").get_data(as_text=True)


def test_login_asks_for_the_code_and_is_not_logged_in_before(client, session):
    make_user(session, email="amira@example.org", name="Amira")
    secret, _codes = set_up_two_factor(client, "amira@example.org")

    first = login(client, "amira@example.org")
    assert first.status_code == 302 and first.headers["Location"].endswith("/account/two-factor/verify")
    # Half logged in is not logged in.
    assert client.get("/account/profile").status_code == 302
    assert client.get("/account/two-factor/verify").status_code == 200

    wrong = client.post("/account/two-factor/verify", data={"code": "12345"})
    assert wrong.status_code == 401
    assert client.get("/account/profile").status_code == 302

    done = client.post("/account/two-factor/verify", data={"code": _code_at(secret, 1)})
    assert done.status_code == 302
    profile = client.get("/account/profile")
    assert profile.status_code == 200 and "amira@example.org" in profile.get_data(as_text=True)
    logins = session.scalars(select(AuditEvent).where(AuditEvent.event == "login")).all()
    assert [e.details for e in logins][-1] == {"second_factor": "totp"}
    assert session.scalars(select(AuditEvent.event).where(AuditEvent.event == "two_factor_failed")).all()


def test_a_code_cannot_be_replayed(client, session):
    make_user(session, email="amira@example.org")
    secret, _codes = set_up_two_factor(client, "amira@example.org")
    code = _code_at(secret, 1)
    login(client, "amira@example.org")
    assert client.post("/account/two-factor/verify", data={"code": code}).status_code == 302
    client.post("/account/logout")

    login(client, "amira@example.org")
    replay = client.post("/account/two-factor/verify", data={"code": code})
    assert replay.status_code == 401
    assert "used already" in replay.get_data(as_text=True)
    # An older code of the window is refused as well.
    assert client.post("/account/two-factor/verify", data={"code": _code_at(secret, 0)}).status_code == 401
    assert client.get("/account/profile").status_code == 302


def test_a_recovery_code_works_once(client, session):
    user = make_user(session, email="amira@example.org")
    _secret, codes = set_up_two_factor(client, "amira@example.org")

    login(client, "amira@example.org")
    used = client.post("/account/two-factor/verify", data={"code": codes[3].upper()}, follow_redirects=True)
    assert used.status_code == 200 and "9 codes are left" in used.get_data(as_text=True)
    client.post("/account/logout")

    login(client, "amira@example.org")
    assert client.post("/account/two-factor/verify", data={"code": codes[3]}).status_code == 401
    assert client.post("/account/two-factor/verify", data={"code": codes[4]}).status_code == 302
    assert session.scalars(
        select(AuditEvent.event).where(AuditEvent.subject_user_id == user.id, AuditEvent.event == "recovery_code_used")
    ).all() == ["recovery_code_used", "recovery_code_used"]


def test_the_second_step_expires_after_five_minutes(client, session, monkeypatch):
    make_user(session, email="amira@example.org")
    secret, _codes = set_up_two_factor(client, "amira@example.org")
    login(client, "amira@example.org")
    later = time.time() + 301
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    expired = client.post("/account/two-factor/verify", data={"code": pyotp.TOTP(secret).at(later)})
    assert expired.status_code == 302 and expired.headers["Location"].endswith("/account/login")
    assert client.get("/account/profile").status_code == 302


def test_a_password_change_voids_a_pending_second_step(client, session):
    user = make_user(session, email="amira@example.org")
    secret, _codes = set_up_two_factor(client, "amira@example.org")
    login(client, "amira@example.org")
    user.session_token = "rotated-by-a-password-change-elsewhere"
    session.flush()
    answer = client.post("/account/two-factor/verify", data={"code": _code_at(secret, 1)})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/account/login")


def test_disabling_needs_the_password_or_a_current_code(client, session):
    user = make_user(session, email="amira@example.org")
    secret, _codes = set_up_two_factor(client, "amira@example.org")
    login(client, "amira@example.org")
    client.post("/account/two-factor/verify", data={"code": _code_at(secret, 1)})

    refused = client.post("/account/two-factor/disable", data={"off-password": "wrong password!"})
    assert refused.status_code == 303
    session.expire_all()
    assert session.get(User, user.id).totp_enabled_at is not None

    client.post("/account/two-factor/disable", data={"off-password": PASSWORD})
    session.expire_all()
    stored = session.get(User, user.id)
    assert stored.totp_enabled_at is None and stored.totp_secret is None
    assert session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all() == []
    # Next login: the password is enough again.
    client.post("/account/logout")
    assert login(client, "amira@example.org").headers["Location"].endswith("/dashboard")


def test_admins_must_set_it_up_before_anything_else_and_cannot_turn_it_off(client, session):
    make_user(session, email="admin@example.org", roles=(Role.ADMIN,))
    login(client, "admin@example.org")
    for url in ("/admin/users", "/account/profile", "/"):
        answer = client.get(url)
        assert answer.status_code == 302 and answer.headers["Location"].endswith("/account/two-factor/"), url
    # The token-authenticated API answers as an API, not with a redirect to a web page.
    assert client.get("/api/v1/courses").status_code == 200
    page = client.get("/account/two-factor/")
    html = page.get_data(as_text=True)
    assert "Your role (administrator or organisation manager) requires two-factor login." in html
    client.post("/account/two-factor/enable", data={"code": _code_at(_secret_from_page(html))})
    assert client.get("/admin/users").status_code == 200
    # Required, so no way to switch it off.
    assert "Turn two-factor login off" not in client.get("/account/two-factor/").get_data(as_text=True)
    client.post("/account/two-factor/disable", data={"off-password": PASSWORD})
    assert session.scalar(select(User.totp_enabled_at).where(User.email == "admin@example.org")) is not None


def test_organisation_managers_must_set_it_up_learners_need_not(client, session):
    manager = make_user(session, email="manager@example.org")
    create_organisation(session, manager, Details(name="Brücke e.V."))
    assert session.scalar(select(Membership.role).where(Membership.user_id == manager.id)) == MemberRole.MANAGER
    make_user(session, email="lena@example.org")

    login(client, "manager@example.org")
    assert client.get("/dashboard").headers["Location"].endswith("/account/two-factor/")
    client.post("/account/logout")

    login(client, "lena@example.org")
    assert client.get("/dashboard").status_code == 200


def test_required_only_when_enforced(app, session):
    admin = make_user(session, roles=(Role.ADMIN,))
    assert twofactor.is_required(session, admin)
    app.config["TWO_FACTOR_ENFORCED"] = False
    assert not twofactor.is_required(session, admin)


def test_a_user_loaded_without_the_manager_flag_is_asked_with_a_query(app, session):
    """Outside the session's user loader (e.g. a user read by a service) the flag is unknown and is looked up."""
    manager = make_user(session, email="vorstand@example.org")
    create_organisation(session, manager, Details(name="Brücke e.V."))
    learner = make_user(session, email="lena@example.org")
    assert manager.manages_organisation is None and learner.manages_organisation is None
    assert twofactor.is_required(session, manager)
    assert not twofactor.is_required(session, learner)
