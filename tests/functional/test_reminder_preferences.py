"""Learners choose their reminders; every reminder mail has a working one-click unsubscribe link (RFC 8058)."""

from __future__ import annotations

import threading
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from mso_academy.accounts.models import User
from mso_academy.certificates import services as certificates
from mso_academy.db import utcnow
from mso_academy.mail import preferences
from mso_academy.mail.cli import run_worker
from mso_academy.organisations.models import CourseAssignment, MemberRole
from mso_academy.qualification import reminders
from mso_academy.qualification.dates import local_date
from tests.conftest import login
from tests.factories import complete_course, make_course, make_user
from tests.functional.test_qualification import LESSON, add_member, make_organisation
from tests.mailserver import smtp_fixture  # noqa: F401 (the `smtp` fixture)


@pytest.fixture
def expiring(app, session, learner):
    """A certificate of `learner` that expires in ten days (inside the reminder window)."""
    course = make_course(session, title="Kassenprüfung", modules=[[LESSON]], certificate_validity_months=24)
    with app.test_request_context():
        certificate = complete_course(session, learner, course)
    certificate.valid_until = utcnow() + timedelta(days=10)
    session.commit()
    return certificate


@pytest.fixture
def assigned(session, learner):
    """A course that `learner`'s organisation wants done within three days."""
    organisation = make_organisation(session, "Elternverein Bunte Brücke e.V.")
    manager = make_user(session, name="Mona Manager")
    add_member(session, organisation, manager, MemberRole.MANAGER)
    add_member(session, organisation, learner)
    course = make_course(session, title="Datenschutz im Verein", modules=[[LESSON]])
    session.add(
        CourseAssignment(
            organisation_id=organisation.id,
            user_id=learner.id,
            course_id=course.id,
            due_on=local_date() + timedelta(days=3),
            assigned_by_id=manager.id,
        )
    )
    session.commit()
    return course


def reminder_mails(outbox, kind_subject):
    return [m for m in outbox.messages() if m["Subject"] == kind_subject]


def path_of(url: str) -> str:
    return urlsplit(url).path


def stored_opt_outs(session, user):
    session.expire_all()
    return session.get(User, user.id).reminder_opt_outs


# --- the profile page -------------------------------------------------------------------------------------------


def test_the_profile_offers_every_reminder_switched_on_by_default(client, learner):
    login(client, learner.email)
    page = client.get("/account/profile").get_data(as_text=True)
    assert "E-mail reminders" in page
    for kind in ("assignment_due", "certificate_expiring"):
        assert f'id="reminders-{kind}"' in page
        assert f'<input checked id="reminders-{kind}" name="reminders-{kind}" type="checkbox"' in page
    assert "Before one of my certificates expires" in page


def test_saving_the_choices_stores_what_is_switched_off(client, session, learner):
    login(client, learner.email)
    response = client.post("/account/reminders", data={"reminders-certificate_expiring": "y"})
    assert response.status_code == 302 and response.location.endswith("/account/profile#reminders")
    assert stored_opt_outs(session, learner) == ["assignment_due"]
    page = client.get("/account/profile").get_data(as_text=True)
    assert "Your reminder choices have been saved." in page
    assert '<input id="reminders-assignment_due" name="reminders-assignment_due" type="checkbox"' in page
    assert '<input checked id="reminders-certificate_expiring"' in page
    client.post("/account/reminders", data={})
    assert stored_opt_outs(session, learner) == ["assignment_due", "certificate_expiring"]
    client.post("/account/reminders", data={"reminders-assignment_due": "y", "reminders-certificate_expiring": "y"})
    assert stored_opt_outs(session, learner) == []


def test_choosing_reminders_needs_a_login_and_a_csrf_token(app, client, session, learner):
    response = client.post("/account/reminders", data={})
    assert response.status_code == 302 and "/account/login" in response.location
    assert stored_opt_outs(session, learner) == []
    login(client, learner.email)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/account/reminders", data={})
    assert response.status_code == 400
    assert stored_opt_outs(session, learner) == []


# --- the senders skip what is switched off ----------------------------------------------------------------------


def test_an_opted_out_holder_gets_no_expiry_reminder_until_they_opt_in_again(app, session, learner, expiring, outbox):
    preferences.opt_out(session, learner, preferences.CERTIFICATE_EXPIRING)
    session.commit()
    with app.test_request_context():
        assert certificates.send_reminders(session) == 0
    session.commit()
    assert reminder_mails(outbox, "Your certificate expires soon") == []
    assert expiring.reminded_at is None  # not marked: switching it on again still brings the reminder
    preferences.set_wanted(session, learner, {preferences.CERTIFICATE_EXPIRING})
    with app.test_request_context():
        assert certificates.send_reminders(session) == 1
    session.commit()
    assert len(reminder_mails(outbox, "Your certificate expires soon")) == 1


def test_an_opted_out_member_gets_no_assignment_reminder(app, session, learner, assigned, outbox):
    other = make_user(session, name="Other Member")
    organisation_id = session.scalar(select(CourseAssignment.organisation_id))
    session.add(
        CourseAssignment(
            organisation_id=organisation_id,
            user_id=other.id,
            course_id=assigned.id,
            due_on=local_date() + timedelta(days=3),
            assigned_by_id=learner.id,
        )
    )
    from mso_academy.organisations.models import Membership

    session.add(Membership(organisation_id=organisation_id, user_id=other.id))
    preferences.opt_out(session, learner, preferences.ASSIGNMENT_DUE)
    session.commit()
    with app.test_request_context():
        assert reminders.send_reminders(session) == 1
    session.commit()
    assert [m["To"] for m in reminder_mails(outbox, "A course is due soon")] == [other.email]


# --- the unsubscribe link -----------------------------------------------------------------------------------------


def test_a_reminder_mail_carries_the_link_and_the_one_click_headers(app, session, learner, assigned, outbox):
    with app.test_request_context():
        reminders.send_reminders(session)
    session.commit()
    [message] = reminder_mails(outbox, "A course is due soon")
    link = message["List-Unsubscribe"].strip("<>")
    assert path_of(link).startswith("/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in message.get_body(("plain",)).get_content()
    assert f'href="{link}"' in message.get_body(("html",)).get_content()


def unsubscribe_link(app, session, learner, outbox):
    with app.test_request_context():
        certificates.send_reminders(session)
    session.commit()
    [message] = reminder_mails(outbox, "Your certificate expires soon")
    return path_of(message["List-Unsubscribe"].strip("<>"))


def test_opening_the_link_asks_first_and_the_button_switches_the_reminder_off(
    app, client, session, learner, expiring, outbox
):
    link = unsubscribe_link(app, session, learner, outbox)
    app.config["WTF_CSRF_ENABLED"] = True  # the link needs no CSRF token: the signature authorises it
    page = client.get(link)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Before one of my certificates expires" in text
    assert f"{learner.email[0]}***@example.org" in text and learner.email not in text
    assert 'method="post"' in text and "Stop this reminder" in text
    assert stored_opt_outs(session, learner) == []  # a GET (link checkers, previews) changes nothing
    done = client.post(link, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "Reminder stopped" in done.get_data(as_text=True)
    assert stored_opt_outs(session, learner) == ["certificate_expiring"]  # the other kind stays on
    again = client.get(link).get_data(as_text=True)
    assert "already switched off" in again


def test_one_click_post_from_a_mail_client_works_without_login_or_csrf_token(
    app, client, session, learner, expiring, outbox
):
    link = unsubscribe_link(app, session, learner, outbox)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(link, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert stored_opt_outs(session, learner) == ["certificate_expiring"]
    with app.test_request_context():
        assert certificates.send_reminders(session, now=utcnow() + timedelta(days=1)) == 0


def test_altered_or_foreign_links_do_nothing(app, client, session, learner):
    with app.test_request_context():
        good = preferences.unsubscribe_token(learner, preferences.ASSIGNMENT_DUE)
    foreign = URLSafeSerializer("another-key", salt="mso_academy.mail.unsubscribe").dumps(
        [learner.id, preferences.ASSIGNMENT_DUE]
    )
    with app.test_request_context():
        unknown_kind = URLSafeSerializer(app.config["SECRET_KEY"], salt="mso_academy.mail.unsubscribe").dumps(
            [learner.id, "newsletter"]
        )
    for token in (good[:-2] + "xx", foreign, unknown_kind, "nonsense"):
        assert client.get(f"/unsubscribe/{token}").status_code == 404
        assert client.post(f"/unsubscribe/{token}").status_code == 404
    learner.is_active = False
    session.commit()
    assert client.post(f"/unsubscribe/{good}").status_code == 404
    assert stored_opt_outs(session, learner) == []


# --- the worker runs the reminder jobs and sends what they queue -------------------------------------------------


class OnePass(threading.Event):
    """Stops the worker after its first round."""

    def wait(self, timeout: float | None = None) -> bool:
        self.set()
        return True


def test_a_worker_round_sends_the_reminders_through_smtp(app, session, learner, expiring, assigned, smtp):
    app.config["MAIL_URL"] = smtp.url
    assert run_worker(app, interval=0, jobs_every=3600, stop=OnePass()) == 1
    subjects = sorted(m["Subject"] for m in smtp.messages if m["To"] == learner.email)
    assert subjects == ["A course is due soon", "Your certificate", "Your certificate expires soon"]
    for message, raw in zip(smtp.messages, smtp.raw, strict=True):
        if message["Subject"] != "Your certificate":
            # one line, as mail programs read it: no folding, no encoded words
            link = message["List-Unsubscribe"]
            assert f"\r\nList-Unsubscribe: {link}\r\n".encode() in raw and "/unsubscribe/" in link
            assert b"\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in raw
    assert run_worker(app, interval=0, jobs_every=3600, stop=OnePass()) == 1
    assert len(smtp.messages) == 3  # reminded once; nothing sent twice
