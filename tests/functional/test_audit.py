"""The audit log: the real actions write their events, nothing secret is recorded, the table is append-only, and
admins (only) read it with filters and pages."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from mso_academy.accounts import services as accounts
from mso_academy.accounts.models import Role, User
from mso_academy.audit import services as audit
from mso_academy.audit.models import AuditEvent
from mso_academy.db import utcnow
from tests.conftest import login
from tests.factories import PASSWORD, complete_course, make_course, make_user
from tests.functional.test_assignment import PDF, hand_in
from tests.functional.test_reviews import client_for, content, decide, enrolled, the_attempt

NEW_PASSWORD = "a long and new sentence 2026"
LESSONS = [[("text_lesson", {"body": "# Hello", "minutes": 5})]]


def events(session, **where):
    session.expire_all()
    stmt = select(AuditEvent).order_by(AuditEvent.id)
    for column, value in where.items():
        stmt = stmt.where(getattr(AuditEvent, column) == value)
    return list(session.scalars(stmt))


def names(session, **where):
    return [e.event for e in events(session, **where)]


def test_login_failed_login_logout_and_password_changes_are_recorded(client, session, outbox):
    user = make_user(session, email="amira@example.org", name="Amira Haddad")
    assert login(client, "amira@example.org", "wrong password!!").status_code == 401
    assert login(client, "nobody@example.org", "wrong password!!").status_code == 401
    assert login(client, "amira@example.org").status_code == 302
    client.post(
        "/account/password",
        data={"pw-current_password": PASSWORD, "pw-password": NEW_PASSWORD, "pw-confirm": NEW_PASSWORD},
    )
    client.post("/account/logout")
    client.post("/account/forgot-password", data={"email": "amira@example.org"})
    link = outbox.last_link()
    client.post(link, data={"password": PASSWORD + "!", "confirm": PASSWORD + "!"})

    about = events(session, subject_user_id=user.id)
    assert [e.event for e in about] == ["login_failed", "login", "password_changed", "logout", "password_reset"]
    assert about[0].details == {"cause": "wrong_password"} and about[0].actor_id is None
    assert about[1].actor_id == user.id and about[1].ip_prefix == "127.0.0.0/24"
    # The failed login with an unknown address is recorded without naming anyone.
    unknown = [e for e in events(session, event="login_failed") if e.subject_user_id is None]
    assert len(unknown) == 1 and unknown[0].details == {"cause": "unknown_account"}
    _assert_nothing_secret(session, ["amira@example.org", "nobody@example.org", "Amira", PASSWORD, NEW_PASSWORD])


def test_role_changes_and_disabling_by_an_admin_are_recorded(client, session):
    admin = make_user(session, email="admin@example.org", roles=(Role.ADMIN,))
    tariq = make_user(session, email="tariq@example.org")
    login(client, "admin@example.org")
    client.post(f"/admin/users/{tariq.id}/roles", data={"role": "trainer", "action": "grant"})
    client.post(f"/admin/users/{tariq.id}/roles", data={"role": "trainer", "action": "revoke"})
    client.post(f"/admin/users/{tariq.id}/disable")

    recorded = events(session, subject_user_id=tariq.id)
    assert [(e.event, e.actor_id, e.details) for e in recorded] == [
        ("role_granted", admin.id, {"role": "trainer"}),
        ("role_revoked", admin.id, {"role": "trainer"}),
        ("account_disabled", admin.id, {}),
    ]
    session.expire_all()
    assert session.get(User, tariq.id).is_active is False
    # A disabled account cannot log in any more.
    other = client_for(client.application)
    assert login(other, "tariq@example.org").status_code == 401


def test_a_trainers_grade_a_revocation_and_exports_are_recorded(app, session):
    trainer = make_user(session, name="Tariq Trainer", roles=(Role.TRAINER,))
    course = make_course(session, title="Einladungen schreiben", modules=[[("assignment", content())]], owner=trainer)
    learner, learner_client = enrolled(app, session, course)
    hand_in(learner_client, course, text="The answer text, secret to the log.", file=(PDF, "a.pdf"), token="t1")
    attempt = the_attempt(session, learner)
    trainer_client = client_for(app, trainer)
    decide(trainer_client, attempt, "return", "Feedback that names Lena Learner.")
    graded = events(session, event="grade_changed")
    assert [(e.actor_id, e.subject_user_id, e.target_type, e.target_id, e.details) for e in graded] == [
        (trainer.id, learner.id, "attempt", str(attempt.id), {"decision": "return"})
    ]
    assert trainer_client.get(f"/trainer/courses/{course.slug}/learners.csv").status_code == 200
    assert events(session, event="report_exported")[-1].details == {"export": "learners", "format": "csv"}

    admin = make_user(session, roles=(Role.ADMIN,))
    other_course = make_course(session, title="Kassenbuch", modules=LESSONS)
    with app.test_request_context():
        certificate = complete_course(session, learner, other_course)
    session.commit()
    admin_client = client_for(app, admin)
    admin_client.post(f"/certificates/{certificate.code}/revoke", data={"reason": "Lena Learner cheated"})
    revoked = events(session, event="certificate_revoked")
    assert [(e.actor_id, e.subject_user_id, e.target_id, e.details) for e in revoked] == [
        (admin.id, learner.id, str(certificate.id), {})
    ]
    assert admin_client.get("/reports/evaluation.xlsx").status_code == 200
    assert events(session, event="report_exported")[-1].details == {"export": "evaluation", "format": "xlsx"}
    _assert_nothing_secret(
        session, ["Lena Learner", "secret to the log", "Feedback that names", "cheated", learner.email]
    )


def test_two_factor_data_export_and_deletion_are_recorded(client, session):
    user = make_user(session, email="amira@example.org")
    login(client, "amira@example.org")
    assert client.post("/account/export").status_code == 200
    client.post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    assert names(session, subject_user_id=user.id)[-2:] == ["data_exported", "account_deleted"]


def test_details_that_could_carry_secrets_are_refused(app, session):
    for key in ("password", "token", "code", "answers", "email", "name"):
        with pytest.raises(audit.UnsafeDetails):
            audit.record(session, audit.Event.LOGIN, details={key: "x"})
    with pytest.raises(audit.UnsafeDetails):
        audit.record(session, audit.Event.LOGIN, details={"nested": {"a": 1}})


def _assert_nothing_secret(session, secrets):
    stored = json.dumps(
        [[e.event, e.target_type, e.target_id, e.ip_prefix, e.details] for e in session.scalars(select(AuditEvent))]
    )
    for secret in secrets:
        assert secret not in stored


@pytest.mark.parametrize(
    "statement",
    [
        update(AuditEvent).values(event="login"),
        update(AuditEvent).values(details={}),
        delete(AuditEvent),
    ],
    ids=["update-event", "update-details", "delete"],
)
def test_update_and_delete_are_refused_by_the_database(app, session, statement):
    audit.record(session, audit.Event.LOGIN_FAILED, details={"cause": "wrong_password"})
    session.flush()
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(statement)
    # Also with plain SQL, as anyone with database access would try.
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(text("DELETE FROM audit_events"))
    assert names(session) == ["login_failed"]


def test_the_admin_page_filters_and_pages(client, session):
    admin = make_user(session, email="admin@example.org", roles=(Role.ADMIN,))
    lena = make_user(session)
    for _n in range(55):
        audit.record(session, audit.Event.LOGIN_FAILED, subject_user_id=lena.id, details={"cause": "wrong_password"})
    audit.record(
        session, audit.Event.ROLE_GRANTED, actor_id=admin.id, subject_user_id=lena.id, details={"role": "trainer"}
    )
    old = AuditEvent(
        event="logout", actor_id=lena.id, subject_user_id=lena.id, occurred_at=utcnow() - timedelta(days=40)
    )
    session.add(old)
    session.commit()
    login(client, "admin@example.org")

    page = client.get("/admin/audit").get_data(as_text=True)
    assert "58 events" in page and "Page 1 of 2" in page and "Role granted" in page
    assert "Page 2 of 2" in client.get("/admin/audit?page=2").get_data(as_text=True)
    only_roles = client.get("/admin/audit?event=role_granted").get_data(as_text=True)
    assert "1 events" in only_roles and "role: trainer" in only_roles and "Failed login</td>" not in only_roles
    by_user = client.get(f"/admin/audit?user_id={admin.id}").get_data(as_text=True)
    assert "2 events" in by_user  # the role grant, and the admin's own login
    since = (utcnow() - timedelta(days=1)).date().isoformat()
    recent = client.get(f"/admin/audit?user_id={lena.id}&start={since}").get_data(as_text=True)
    assert "56 events" in recent
    until = (utcnow() - timedelta(days=30)).date().isoformat()
    assert "1 events" in client.get(f"/admin/audit?end={until}").get_data(as_text=True)
    assert client.get("/admin/audit?user_id=abc").status_code == 400
    assert client.get("/admin/audit?event=" + "x" * 10_000).status_code == 400


def test_only_admins_see_the_audit_log(client, session):
    make_user(session, email="lena@example.org")
    make_user(session, email="tariq@example.org", roles=(Role.TRAINER, Role.FUNDER))
    assert client.get("/admin/audit").status_code == 302  # to the login
    login(client, "lena@example.org")
    assert client.get("/admin/audit").status_code == 403
    client.post("/account/logout")
    login(client, "tariq@example.org")
    assert client.get("/admin/audit").status_code == 403


def test_the_console_grant_is_recorded_without_an_actor(app, session):
    user = make_user(session)
    accounts.grant_role(session, user, Role.FUNDER)
    assert [(e.event, e.actor_id) for e in events(session, subject_user_id=user.id)] == [("role_granted", None)]
