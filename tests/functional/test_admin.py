"""Granting roles: on the admin page and with the CLI; the pages are for admins only."""

from __future__ import annotations

from mso_academy.accounts.models import Role
from mso_academy.demo import DEMO_PASSWORD
from tests.conftest import login
from tests.factories import make_user


def test_admin_grants_and_revokes_the_trainer_role(client, session):
    admin = make_user(session, roles=(Role.ADMIN,))
    person = make_user(session, name="Künftige Trainerin")
    session.commit()
    login(client, admin.email)
    page = client.get(f"/admin/users?q={person.email}").get_data(as_text=True)
    assert "Künftige Trainerin" in page
    response = client.post(f"/admin/users/{person.id}/roles", data={"role": "trainer", "action": "grant"})
    assert response.status_code == 303
    session.refresh(person)
    assert person.has_role(Role.TRAINER)
    client.post(f"/admin/users/{person.id}/roles", data={"role": "trainer", "action": "revoke"})
    session.refresh(person)
    assert not person.has_role(Role.TRAINER)


def test_last_admin_keeps_the_role(client, session):
    admin = make_user(session, roles=(Role.ADMIN,))
    session.commit()
    login(client, admin.email)
    response = client.post(f"/admin/users/{admin.id}/roles", data={"role": "admin", "action": "revoke"})
    assert "last administrator" in client.get(response.location).get_data(as_text=True)
    session.refresh(admin)
    assert admin.has_role(Role.ADMIN)


def test_admin_pages_are_closed_to_others(client, session, learner):
    trainer = make_user(session, roles=(Role.TRAINER,))
    session.commit()
    for path in ("/admin/users", "/admin/plugins", "/admin/courses"):
        assert client.get(path).status_code == 302  # to the login page
    login(client, learner.email)
    for path in ("/admin/users", "/admin/plugins", "/admin/courses"):
        assert client.get(path).status_code == 403
    assert client.post(f"/admin/users/{learner.id}/roles", data={"role": "admin", "action": "grant"}).status_code == 403
    session.refresh(learner)
    assert not learner.has_role(Role.ADMIN)
    client.post("/account/logout")
    login(client, trainer.email)
    assert client.get("/admin/users").status_code == 403


def test_plugins_page_lists_the_built_in_plugins(client, session):
    admin = make_user(session, roles=(Role.ADMIN,))
    session.commit()
    login(client, admin.email)
    page = client.get("/admin/plugins").get_data(as_text=True)
    for name in ("mso_academy.builtin.quiz", "mso_academy.builtin.text_lesson", "activity kind: quiz", "enabled"):
        assert name in page


def test_cli_creates_users_and_grants_roles(app, session):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "cli@example.org",
            "--name",
            "Cli Person",
            "--role",
            "trainer",
            "--password",
            DEMO_PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["users", "grant", "cli@example.org", "admin"])
    assert result.exit_code == 0 and "Granted admin" in result.output
    from mso_academy.accounts.services import find_by_email

    user = find_by_email(session, "cli@example.org")
    assert user.role_names == {"trainer", "admin"} and user.email_confirmed
    result = runner.invoke(args=["users", "create", "--email", "cli@example.org", "--password", DEMO_PASSWORD])
    assert result.exit_code == 1 and "exists already" in result.output
    result = runner.invoke(args=["users", "create", "--email", "weak@example.org", "--password", "short"])
    assert result.exit_code == 1 and "at least 10" in result.output
    result = runner.invoke(args=["users", "grant", "nobody@example.org", "trainer"])
    assert result.exit_code == 1 and "No user" in result.output
