"""Assigning courses to members with a due date, the learner's "Assigned to you", and the reminders before it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from mso_academy.catalog.models import CourseStatus
from mso_academy.db import utcnow
from mso_academy.errors import NotFound
from mso_academy.learning.dashboard import dashboard
from mso_academy.organisations.models import CourseAssignment, MemberRole
from mso_academy.qualification import assignments, reminders
from mso_academy.qualification.dates import local_date
from tests.conftest import login
from tests.factories import make_course, make_user
from tests.functional.test_qualification import LESSON, add_function, add_member, complete, make_organisation, start


@pytest.fixture
def course(session):
    return make_course(
        session, title="Datenschutz im Verein", modules=[[LESSON, LESSON]], certificate_validity_months=24
    )


@pytest.fixture
def org(session):
    organisation = make_organisation(session, "Kulturverein Musterstadt e.V.", slug="kulturverein")
    board = add_function(session, organisation, "Board")
    manager = make_user(session, name="Mona Manager")
    add_member(session, organisation, manager, MemberRole.MANAGER)
    anna = make_user(session, name="Anna Board", language="de")
    add_member(session, organisation, anna, functions=[board])
    bert = make_user(session, name="Bert Board")
    add_member(session, organisation, bert, functions=[board])
    cem = make_user(session, name="Cem Member")
    add_member(session, organisation, cem)
    session.commit()
    return {"organisation": organisation, "board": board, "manager": manager, "anna": anna, "bert": bert, "cem": cem}


def stored(session, organisation):
    return {
        (a.user_id, a.course_id): a
        for a in session.scalars(select(CourseAssignment).where(CourseAssignment.organisation_id == organisation.id))
    }


def post_assignment(client, data):
    return client.post("/organisations/kulturverein/assignments", data=data)


def in_days(days: int) -> date:
    return local_date() + timedelta(days=days)


# --- assigning ----------------------------------------------------------------------------------------------


def test_manager_assigns_a_course_to_selected_members(client, session, org, course):
    login(client, org["manager"].email)
    page = client.get("/organisations/kulturverein/dashboard").get_data(as_text=True)
    assert "Assign a course" in page and "Datenschutz im Verein" in page
    response = post_assignment(
        client,
        {"course": course.id, "members": [org["anna"].id, org["cem"].id], "due_on": in_days(30).isoformat()},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/organisations/kulturverein/dashboard#assigned-title")
    rows = stored(session, org["organisation"])
    assert set(rows) == {(org["anna"].id, course.id), (org["cem"].id, course.id)}
    assignment = rows[(org["anna"].id, course.id)]
    assert assignment.due_on == in_days(30) and assignment.assigned_by_id == org["manager"].id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The course is assigned to 2 members." in page
    assigned = page.split('id="assigned-title"')[1]
    assert "Anna Board" in assigned and "Cem Member" in assigned and "Bert Board" not in assigned


def test_assigning_to_a_function_reaches_every_holder(client, session, org, course):
    login(client, org["manager"].email)
    response = post_assignment(
        client,
        {"course": course.id, "function": org["board"].id, "members": [org["cem"].id], "due_on": in_days(5)},
    )
    assert response.status_code == 303
    assert {user_id for user_id, _course in stored(session, org["organisation"])} == {
        org["anna"].id,
        org["bert"].id,
        org["cem"].id,
    }


def test_assigning_again_changes_the_due_date(client, session, org, course):
    login(client, org["manager"].email)
    post_assignment(client, {"course": course.id, "members": [org["anna"].id], "due_on": in_days(30)})
    assignment = stored(session, org["organisation"])[(org["anna"].id, course.id)]
    assignment.reminded_at = utcnow()
    session.commit()
    response = post_assignment(client, {"course": course.id, "function": org["board"].id, "due_on": in_days(10)})
    assert response.status_code == 303
    rows = stored(session, org["organisation"])
    assert len(rows) == 2
    session.refresh(assignment)
    assert assignment.due_on == in_days(10)
    assert assignment.reminded_at is None  # a new due date earns a new reminder


def test_a_due_date_in_the_past_is_refused(client, session, org, course):
    login(client, org["manager"].email)
    response = post_assignment(client, {"course": course.id, "members": [org["anna"].id], "due_on": in_days(-1)})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The due date cannot be in the past." in page and 'role="alert"' in page
    assert stored(session, org["organisation"]) == {}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"members": ["ANNA"], "due_on": "+30"}, "Please choose a course."),
        ({"course": "COURSE", "due_on": "+30"}, "Please choose members or a function."),
        ({"course": "COURSE", "members": ["ANNA"]}, "Please give a due date."),
        ({"course": "COURSE", "members": ["ANNA"], "due_on": "next week"}, "Not a valid date value."),
        ({"course": "COURSE", "members": ["STRANGER"], "due_on": "+30"}, "is not a valid choice"),
        ({"course": "DRAFT", "members": ["ANNA"], "due_on": "+30"}, "Not a valid choice"),
    ],
)
def test_bad_assignments_are_refused_with_a_message(client, session, org, course, data, message):
    stranger = make_user(session)
    draft = make_course(session, status=CourseStatus.DRAFT)
    session.commit()
    values = {"COURSE": course.id, "DRAFT": draft.id, "ANNA": org["anna"].id, "STRANGER": stranger.id}
    form = {}
    for key, value in data.items():
        if isinstance(value, list):
            form[key] = [values[v] for v in value]
        elif value == "+30":
            form[key] = in_days(30).isoformat()
        else:
            form[key] = values.get(value, value)
    login(client, org["manager"].email)
    response = post_assignment(client, form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert stored(session, org["organisation"]) == {}


def test_the_service_checks_what_the_form_cannot(app, session, org, course):
    organisation = org["organisation"]
    draft = make_course(session, status=CourseStatus.DRAFT)
    stranger = make_user(session)
    other = make_organisation(session, "Anderer Verein", slug="anderer")
    foreign = add_function(session, other, "Board")
    empty = add_function(session, organisation, "Auditor")
    common = {"due_on": in_days(3), "assigned_by_id": None, "today": local_date(), "function_id": None}
    with app.test_request_context():
        with pytest.raises(assignments.AssignmentError, match="published course"):
            assignments.assign(session, organisation, course_id=draft.id, user_ids=[org["anna"].id], **common)
        with pytest.raises(assignments.AssignmentError, match="only be assigned to members"):
            assignments.assign(session, organisation, course_id=course.id, user_ids=[stranger.id], **common)
        with pytest.raises(NotFound):
            assignments.assign(
                session, organisation, course_id=course.id, user_ids=[], **{**common, "function_id": foreign.id}
            )
        with pytest.raises(assignments.AssignmentError, match="Nobody holds this function"):
            assignments.assign(
                session, organisation, course_id=course.id, user_ids=[], **{**common, "function_id": empty.id}
            )
    assert stored(session, organisation) == {}


def test_a_member_cannot_assign(client, session, org, course):
    login(client, org["anna"].email)
    response = post_assignment(client, {"course": course.id, "members": [org["bert"].id], "due_on": in_days(9)})
    assert response.status_code == 404
    assert stored(session, org["organisation"]) == {}


def test_a_manager_of_another_organisation_cannot_assign(client, session, org, course):
    other = make_organisation(session, "Anderer Verein", slug="anderer")
    other_manager = make_user(session)
    add_member(session, other, other_manager, MemberRole.MANAGER)
    session.commit()
    login(client, other_manager.email)
    response = post_assignment(client, {"course": course.id, "members": [org["anna"].id], "due_on": in_days(9)})
    assert response.status_code == 404
    assert stored(session, org["organisation"]) == {}


def test_assigning_is_a_post(client, org):
    login(client, org["manager"].email)
    assert client.get("/organisations/kulturverein/assignments").status_code == 405


# --- the learner's dashboard --------------------------------------------------------------------------------


def assign(session, org, user, course, due_on):
    session.add(
        CourseAssignment(
            organisation_id=org["organisation"].id,
            user_id=user.id,
            course_id=course.id,
            due_on=due_on,
            assigned_by_id=org["manager"].id,
        )
    )
    session.commit()


def assigned_section(client):
    page = client.get("/dashboard").get_data(as_text=True)
    if 'id="assigned"' not in page:
        return None
    return page.split('id="assigned"')[1].split("</section>")[0]


def test_learner_sees_the_assigned_course_with_organisation_due_date_and_link(client, session, org, course):
    cem = org["cem"]
    assign(session, org, cem, course, in_days(14))
    login(client, cem.email)
    section = assigned_section(client)
    assert section is not None
    assert "Assigned to you" in client.get("/dashboard").get_data(as_text=True)
    assert "Datenschutz im Verein" in section
    assert "Assigned by Kulturverein Musterstadt e.V." in section
    assert "Due on" in section and "Overdue" not in section
    assert f'href="/courses/{course.slug}"' in section
    assert "Go to the course" in section


def test_an_overdue_assignment_is_marked(app, session, org, course):
    assign(session, org, org["cem"], course, in_days(-2))
    with app.test_request_context():
        (item,) = dashboard(session, org["cem"]).assigned
    assert item.overdue and item.due_on == in_days(-2)


def test_enrolled_learner_continues_and_the_course_leaves_the_list_when_done(app, client, session, org, course):
    cem = org["cem"]
    assign(session, org, cem, course, in_days(-1))
    start(app, session, cem, course)
    session.commit()
    login(client, cem.email)
    section = assigned_section(client)
    assert f'href="/learn/{course.slug}/"' in section and "Continue" in section
    assert "Overdue" in section
    complete(app, session, cem, course)
    session.commit()
    assert assigned_section(client) is None


def test_an_expired_certificate_brings_the_assignment_back(app, session, org, course):
    cem = org["cem"]
    assign(session, org, cem, course, in_days(7))
    certificate = complete(app, session, cem, course)
    with app.test_request_context():
        assert dashboard(session, cem).assigned == []
        certificate.valid_until = utcnow() - timedelta(days=1)
        session.flush()
        (item,) = dashboard(session, cem).assigned
    assert not item.enrolled  # completed: the course page shows how to renew


def test_assignments_of_a_left_organisation_or_an_archived_course_are_gone(app, session, org, course):
    cem = org["cem"]
    assign(session, org, cem, course, in_days(7))
    other_course = make_course(session, title="Archiviert")
    assign(session, org, cem, other_course, in_days(7))
    other_course.status = CourseStatus.ARCHIVED
    session.flush()
    with app.test_request_context():
        assert [a.course.id for a in dashboard(session, cem).assigned] == [course.id]
        from mso_academy.organisations.models import Membership

        membership = session.scalar(
            select(Membership).where(Membership.user_id == cem.id, Membership.organisation_id == org["organisation"].id)
        )
        session.delete(membership)
        session.flush()
        assert dashboard(session, cem).assigned == []


def test_no_section_without_assignments(client, org):
    login(client, org["cem"].email)
    assert assigned_section(client) is None


# --- reminders ----------------------------------------------------------------------------------------------


def run_remind(app):
    result = app.test_cli_runner().invoke(args=["assignments", "remind"])
    assert result.exit_code == 0, result.output
    return result.output


def test_reminders_go_once_to_members_whose_course_is_due_soon(app, session, org, course, outbox):
    anna, bert, cem = org["anna"], org["bert"], org["cem"]
    assign(session, org, anna, course, in_days(7))  # due within the window: reminded (in German)
    assign(session, org, bert, course, in_days(8))  # later: not yet
    assign(session, org, cem, course, in_days(-1))  # overdue: the reminder comes before the due date only
    assert run_remind(app) == "1 reminder(s) sent.\n"
    (message,) = outbox.messages()
    assert message["To"] == anna.email
    body = message.get_content()
    with app.test_request_context(), force_locale("de"):
        assert gettext("Hello %(name)s,", name="Anna Board") in body
        assert str(gettext("A course is due soon")) == message["Subject"]
    assert "Kulturverein Musterstadt e.V." in body and "Datenschutz im Verein" in body
    assert in_days(7).strftime("%d.%m.%Y") in body  # the date as a German reader writes it: her language
    assert f"/courses/{course.slug}\n" in body
    assert stored(session, org["organisation"])[(anna.id, course.id)].reminded_at is not None
    assert run_remind(app) == "0 reminder(s) sent.\n"
    assert len(outbox.messages()) == 1


def test_no_reminder_for_a_completed_course_a_former_member_or_a_disabled_account(app, session, org, course, outbox):
    anna, bert, cem = org["anna"], org["bert"], org["cem"]
    for user in (anna, bert, cem):
        assign(session, org, user, course, in_days(2))
    complete(app, session, anna, course)
    from mso_academy.organisations.models import Membership

    session.delete(
        session.scalar(
            select(Membership).where(
                Membership.user_id == bert.id, Membership.organisation_id == org["organisation"].id
            )
        )
    )
    cem.is_active = False
    session.commit()
    outbox_before = len(outbox.messages())  # the certificate mail
    assert run_remind(app) == "0 reminder(s) sent.\n"
    assert len(outbox.messages()) == outbox_before


def test_a_new_due_date_earns_a_new_reminder(app, client, session, org, course, outbox):
    assign(session, org, org["bert"], course, in_days(3))
    assert run_remind(app) == "1 reminder(s) sent.\n"
    login(client, org["manager"].email)
    post_assignment(client, {"course": course.id, "members": [org["bert"].id], "due_on": in_days(6)})
    assert run_remind(app) == "1 reminder(s) sent.\n"
    assert len(outbox.messages()) == 2


def test_the_reminder_window_comes_from_the_configuration(app, session, org, course, outbox):
    app.config["ASSIGNMENT_REMINDER_DAYS"] = 20
    assign(session, org, org["bert"], course, in_days(15))
    with app.app_context():
        assert reminders.send_reminders(session) == 1
    session.commit()
    assert [m["To"] for m in outbox.messages()] == [org["bert"].email]
