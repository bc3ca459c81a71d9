"""Sessions: a new session at login, and logout, a password change or a reset end every session of the account,
so a copied cookie (session or remember-me) replayed afterwards is refused."""

from __future__ import annotations

from sqlalchemy import select

from mso_academy.accounts.models import User
from tests.conftest import IsolatedClient, login
from tests.factories import PASSWORD, make_user

NEW_PASSWORD = "ein ganz neues langes passwort"


def _client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


def _signed_in(app, user, remember=False):
    client = _client(app)
    data = {"email": user.email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    assert client.post("/account/login", data=data).status_code == 302
    return client


def _replay(app, cookies):
    """A client that has nothing but copies of the given cookies."""
    client = _client(app)
    for name, value in cookies.items():
        client.set_cookie(name, value, domain="localhost")
    return client


def _copy(client, *names):
    return {name: client.get_cookie(name).value for name in names if client.get_cookie(name) is not None}


def _is_signed_in(client):
    response = client.get("/dashboard")
    return response.status_code == 200


def test_login_starts_a_fresh_session_and_drops_what_was_planted(app, session):
    user = make_user(session)
    session.commit()
    client = _client(app)
    with client.session_transaction() as planted:
        planted["planted"] = "by someone else"
        planted["csrf_token"] = "known-to-the-attacker"
        planted["language"] = "de"
    before = client.get_cookie("session").value
    login(client, user.email)
    with client.session_transaction() as after:
        assert "planted" not in after and after.get("csrf_token") != "known-to-the-attacker"
        assert after["language"] == "de"  # the visitor's own choice of language is kept
        assert after["_user_id"] == session.get(User, user.id).session_token
    assert client.get_cookie("session").value != before


def test_a_cookie_copied_before_logout_is_refused_afterwards(app, session):
    user = make_user(session)
    session.commit()
    client = _signed_in(app, user, remember=True)
    copied = _copy(client, "session", "remember_token")
    assert "remember_token" in copied
    assert _is_signed_in(_replay(app, copied))

    assert client.post("/account/logout").status_code == 302
    assert not _is_signed_in(client)
    assert not _is_signed_in(_replay(app, copied))  # session cookie and remember-me cookie together
    assert not _is_signed_in(_replay(app, {"remember_token": copied["remember_token"]}))
    assert not _is_signed_in(_replay(app, {"session": copied["session"]}))


def test_logout_ends_the_sessions_on_other_devices_too(app, session):
    user = make_user(session)
    session.commit()
    phone, laptop = _signed_in(app, user), _signed_in(app, user)
    phone.post("/account/logout")
    assert not _is_signed_in(laptop)
    assert _is_signed_in(_signed_in(app, user))  # logging in again works


def test_a_password_change_ends_every_other_session_and_keeps_this_one(app, session):
    user = make_user(session)
    session.commit()
    laptop, phone = _signed_in(app, user), _signed_in(app, user)
    copied = _copy(phone, "session")
    response = laptop.post(
        "/account/password",
        data={"pw-current_password": PASSWORD, "pw-password": NEW_PASSWORD, "pw-confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _is_signed_in(laptop)
    assert not _is_signed_in(phone) and not _is_signed_in(_replay(app, copied))


def test_a_password_reset_ends_every_session(app, session, outbox):
    user = make_user(session)
    session.commit()
    phone = _signed_in(app, user)
    _client(app).post("/account/forgot-password", data={"email": user.email})
    link = outbox.last_link()
    path = link.split("localhost", 1)[1] if "localhost" in link else "/" + link.split("/", 3)[3]
    response = _client(app).post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert not _is_signed_in(phone)


def test_an_admins_disable_signs_the_account_out_everywhere(app, session):
    """The admin's "disable" ends every running session at once: the browser and a copied cookie are refused,
    and the password no longer logs in."""
    from mso_academy.accounts.models import Role

    user = make_user(session)
    admin = make_user(session, roles=(Role.ADMIN,))
    session.commit()
    client = _signed_in(app, user, remember=True)
    copied = _copy(client, "session", "remember_token")
    response = _signed_in(app, admin).post(f"/admin/users/{user.id}/disable")
    assert response.status_code == 303
    session.expire_all()
    assert session.scalar(select(User.is_active).where(User.id == user.id)) is False
    assert not _is_signed_in(client) and not _is_signed_in(_replay(app, copied))
    assert client.post("/account/login", data={"email": user.email, "password": PASSWORD}).status_code == 401
