"""GDPR end to end: the data export holds the user's data and nobody else's; deleting the account leaves no name
or e-mail address in any table, the certificate's verification shows no name, and the person can no longer log in."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import inspect, select, text

from mso_academy.accounts.models import Role, User
from mso_academy.certificates.models import Certificate
from mso_academy.organisations import invitations
from mso_academy.organisations.models import CourseAssignment, MemberRole, Membership
from mso_academy.organisations.organisations import Details, create_organisation
from tests.conftest import login
from tests.factories import PASSWORD, complete_course, make_course, make_user
from tests.functional.test_assignment import PDF, hand_in
from tests.functional.test_reviews import client_for, content

NAME = "Zuleyha Xanthopoulou"
EMAIL = "zuleyha.x@example.org"
LESSONS = [[("text_lesson", {"body": "# Hello", "minutes": 5})]]


@pytest.fixture
def zuleyha(app, session) -> dict[str, Any]:
    """A learner with data in every corner: enrolments, attempts, an upload, a certificate, a membership, a
    course assignment, an invitation, mail, reminder preferences and audit events; and Omar, whose data must
    stay out of her export."""
    user = make_user(session, email=EMAIL, name=NAME)
    user.reminder_opt_outs = ["certificate_expiring"]
    omar = make_user(session, email="omar.q@example.org", name="Omar Quennell")
    trainer = make_user(session, name="Tariq Trainer", roles=(Role.TRAINER,))
    lessons = make_course(session, slug="kassenbuch", title="Kassenbuch", modules=LESSONS)
    assignment = make_course(session, slug="einladungen", modules=[[("assignment", content())]], owner=trainer)
    with app.test_request_context():
        certificate = complete_course(session, user, lessons)
        omar_certificate = complete_course(session, omar, lessons)
    organisation = create_organisation(session, omar, Details(name="Brücke e.V.", contact_email=EMAIL))

    session.add(CourseAssignment(organisation_id=organisation.id, user_id=user.id, course_id=lessons.id))
    invitations.invite(session, organisation, omar, email=EMAIL.upper(), role=MemberRole.MEMBER)
    session.add(Membership(organisation_id=organisation.id, user_id=user.id, role=MemberRole.MEMBER))
    session.commit()
    client = client_for(app, user)
    client.post(f"/courses/{assignment.slug}/enrol")
    hand_in(client, assignment, text="Her own words.", file=(PDF, "zuleyha-cv.pdf"), token="z1")
    client.post("/account/logout")
    client.post("/account/forgot-password", data={"email": EMAIL})  # a mail to her address
    assert login(client, EMAIL).status_code == 302
    return {
        "user": user,
        "client": client,
        "certificate": certificate,
        "omar_certificate": omar_certificate,
        "organisation": organisation,
    }


def export(client) -> dict[str, Any]:
    answer = client.post("/account/export")
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"].startswith('attachment; filename="mso-academy-data-')
    assert answer.headers["Cache-Control"] == "no-store"
    return json.loads(answer.get_data(as_text=True))


def test_the_export_contains_the_users_data_and_nobody_elses(zuleyha, session):
    data = export(zuleyha["client"])
    assert data["account"]["email"] == EMAIL and data["account"]["name"] == NAME
    assert data["mail_preferences"] == {"reminders_turned_off": ["certificate_expiring"]}
    assert {e["course"] for e in data["learning"]} == {"kassenbuch", "einladungen"}
    handed_in = next(e for e in data["learning"] if e["course"] == "einladungen")
    assert "Her own words." in json.dumps(handed_in["attempts"])
    assert [c["code"] for c in data["certificates"]] == [zuleyha["certificate"].code]
    assert data["memberships"][0]["organisation"] == zuleyha["organisation"].slug
    assert data["uploads"][0]["name"] == "zuleyha-cv.pdf"
    assert any(m["subject"] for m in data["mail_sent_to_you"])
    assert {"login", "logout"} <= {e["event"] for e in data["audit_events"]}
    assert all(zuleyha["user"].id in (e["actor_id"], e["subject_user_id"]) for e in data["audit_events"])
    everything = json.dumps(data)
    for other in ("omar.q@example.org", "Omar Quennell", zuleyha["omar_certificate"].code, "Tariq Trainer"):
        assert other not in everything
    for secret in ("password_hash", "$argon2", "totp_secret", "session_token"):
        assert secret not in everything


def _rows_mentioning(session, *needles: str) -> list[str]:
    """Every table, every row, every column: where does any needle still appear (case-insensitive)?"""
    found = []
    bind = session.connection()
    for table in inspect(bind).get_table_names():
        for row in session.execute(text(f'SELECT * FROM "{table}"')):
            flat = " ".join(str(value) for value in row).lower()
            found.extend(f"{table}: {needle}" for needle in needles if needle.lower() in flat)
    return found


def test_deletion_leaves_no_name_or_address_and_the_certificate_shows_no_name(zuleyha, session, app):
    client = zuleyha["client"]
    code = zuleyha["certificate"].code
    user_id = zuleyha["user"].id
    assert _rows_mentioning(session, NAME, EMAIL)  # the scan finds her before

    wrong = client.post("/account/delete", data={"password": "not my password", "confirm": "y"})
    assert wrong.status_code == 422 and "The password is wrong." in wrong.get_data(as_text=True)
    unconfirmed = client.post("/account/delete", data={"password": PASSWORD})
    assert unconfirmed.status_code == 422
    assert session.get(User, user_id) is not None

    done = client.post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    assert done.status_code == 303
    session.expire_all()
    assert session.get(User, user_id) is None
    assert _rows_mentioning(session, NAME, EMAIL, "Zuleyha", "zuleyha-cv.pdf", "Her own words.") == []

    # The certificate stays verifiable, without a name, and its signed credential (which names her) is gone.
    page = client.get(f"/verify/{code}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    with app.test_request_context(), force_locale(zuleyha["certificate"].course_language):
        not_shown = gettext(
            "Not shown: the holder has deleted their account."
        )  # the record speaks the course's language
    assert not_shown in html and "Kassenbuch" in html
    assert client.get(f"/verify/{code}.json").get_json()["holder"] is None
    kept = session.scalar(select(Certificate).where(Certificate.code == code))
    assert kept.user_id is None and kept.credential_jwt == "" and kept.recipient_hash == ""
    # Omar's certificate and data are untouched.
    assert client.get(f"/verify/{zuleyha['omar_certificate'].code}.json").get_json()["holder"] == "Omar Quennell"

    # She is logged out and cannot log in again.
    assert client.get("/account/profile").status_code == 302
    assert login(client, EMAIL).status_code == 401


@pytest.mark.parametrize("app_config", [{"CERTIFICATE_RETENTION": "delete"}])
def test_with_retention_delete_the_certificate_goes_too(zuleyha, session):
    code = zuleyha["certificate"].code
    zuleyha["client"].post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    session.expire_all()
    assert session.scalar(select(Certificate).where(Certificate.code == code)) is None
    assert zuleyha["client"].get(f"/verify/{code}").status_code == 404


def test_the_last_admin_and_the_only_manager_of_an_active_organisation_cannot_leave(client, session):
    make_user(session, email="admin@example.org", roles=(Role.ADMIN,))
    login(client, "admin@example.org")
    page = client.get("/account/delete").get_data(as_text=True)
    assert "You are the last administrator." in page and 'name="password"' not in page
    client.post("/account/logout")

    manager = make_user(session, email="manager@example.org")
    organisation = create_organisation(session, manager, Details(name="Brücke e.V."))
    session.add(Membership(organisation_id=organisation.id, user_id=make_user(session).id))
    session.commit()
    login(client, "manager@example.org")
    refused = client.post("/account/delete", data={"password": PASSWORD, "confirm": "y"})
    assert refused.status_code == 422 and "only manager of Brücke e.V." in refused.get_data(as_text=True)
    session.expire_all()
    assert session.get(User, manager.id) is not None


def test_the_profile_offers_export_and_deletion_and_the_footer_links_the_privacy_notice(client, session):
    make_user(session, email="lena@example.org")
    notice = client.get("/privacy")
    assert notice.status_code == 200 and "Your rights" in notice.get_data(as_text=True)
    login(client, "lena@example.org")
    profile = client.get("/account/profile").get_data(as_text=True)
    assert 'action="/account/export"' in profile and 'href="/account/delete"' in profile
    assert 'href="/privacy"' in profile
    # A GET neither exports nor deletes.
    assert client.get("/account/export").status_code == 405
    assert client.get("/account/delete").status_code == 200
    assert session.scalar(select(User).where(User.email == "lena@example.org")) is not None


def test_a_new_account_with_a_reused_id_does_not_see_the_old_accounts_events(app, session):
    """SQLite may reuse the id of a deleted account; the log keeps the old events under that number."""
    from datetime import timedelta

    from mso_academy.accounts import privacy
    from mso_academy.audit.models import AuditEvent
    from mso_academy.db import utcnow
    from mso_academy.plugins.manager import plugins

    newcomer = make_user(session, email="new@example.org")
    session.add(
        AuditEvent(
            event="login",
            actor_id=newcomer.id,
            subject_user_id=newcomer.id,
            occurred_at=utcnow() - timedelta(days=3),
            ip_prefix="203.0.113.0/24",
            details={},
        )
    )
    session.flush()
    data = privacy.export_user_data(session, plugins(), newcomer)
    assert "203.0.113.0/24" not in json.dumps(data["audit_events"])
