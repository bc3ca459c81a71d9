"""Crafted ids and extra form fields: a URL of one's own with someone else's id answers 404 and changes nothing;
forms take only the fields they list (no mass assignment)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from mso_academy.accounts.models import User, UserRole
from mso_academy.catalog.models import Course, CourseTrainer
from mso_academy.learning.models import Attempt
from mso_academy.organisations.models import (
    FunctionRequirement,
    Invitation,
    MemberFunction,
    Membership,
    Organisation,
    OrgFunction,
)
from tests.security.html_forms import form_fields
from tests.security.world import build_world, client_for


@pytest.fixture
def world(app, session):
    return build_world(app, session)


def _snapshot(session):
    """What the crafted requests must leave alone: the first organisation's rows and the course's trainers."""
    session.expire_all()
    return (
        sorted((m.id, m.user_id, m.role) for m in session.scalars(select(Membership))),
        sorted((f.id, f.name) for f in session.scalars(select(OrgFunction))),
        sorted((r.id, r.function_id, r.min_holders) for r in session.scalars(select(FunctionRequirement))),
        sorted((mf.membership_id, mf.function_id) for mf in session.scalars(select(MemberFunction))),
        sorted((i.id, i.revoked_at) for i in session.scalars(select(Invitation))),
        sorted((t.course_id, t.user_id) for t in session.scalars(select(CourseTrainer))),
    )


def test_a_manager_cannot_reach_another_organisations_objects_through_their_own(app, session, world):
    """The other manager uses the address of their own organisation with the ids of the first one."""
    v = world.values
    own = f"/organisations/{v['other_organisation_slug']}"
    mid, fid = v["membership_id"], v["function_id"]
    before = _snapshot(session)
    client = client_for(app, world.emails["other_manager"])
    crafted = [
        ("GET", f"{own}/functions/{fid}", {}),
        ("POST", f"{own}/functions/{fid}/rename", {"name": "Taken over"}),
        ("POST", f"{own}/functions/{fid}/requirements", {"course": v["course_id"], "min_holders": 1}),
        ("POST", f"{own}/functions/{fid}/requirements/{v['requirement_id']}/remove", {}),
        ("GET", f"{own}/functions/{fid}/delete", {}),
        ("POST", f"{own}/functions/{fid}/delete", {}),
        ("POST", f"{own}/members/{mid}/role", {"role": "manager"}),
        ("GET", f"{own}/members/{mid}/remove", {}),
        ("POST", f"{own}/members/{mid}/remove", {}),
        ("POST", f"{own}/members/{mid}/functions", {f"m{mid}-function": fid}),
        ("POST", f"{own}/members/{mid}/functions/{fid}/remove", {}),
        ("POST", f"{own}/invitations/{v['invitation_id']}/revoke", {}),
    ]
    statuses = {
        f"{method} {url}": client.open(url, method=method, data=data).status_code for method, url, data in crafted
    }
    assert statuses == dict.fromkeys(statuses, 404)
    assert _snapshot(session) == before


def test_a_learner_cannot_open_or_answer_an_activity_of_another_course_through_their_course(app, session, world):
    v = world.values
    client = client_for(app, world.emails["learner"])
    url = f"/learn/{v['course_slug']}/{v['lessons_activity_id']}"
    before = session.scalar(select(func.count()).select_from(Attempt))
    assert client.get(url).status_code == 404
    assert client.post(url, data={"done": "1", "submission_token": "crafted"}).status_code == 404
    assert session.scalar(select(func.count()).select_from(Attempt)) == before


def test_a_trainer_cannot_remove_the_co_trainer_of_another_course_through_their_own(app, session, world):
    v = world.values
    before = _snapshot(session)
    client = client_for(app, world.emails["other_trainer"])
    response = client.post(f"/trainer/courses/{v['other_course_slug']}/trainers/{v['co_trainer_id']}/remove")
    assert response.status_code == 404
    assert _snapshot(session) == before


# --- mass assignment --------------------------------------------------------------------------------------------


def test_the_profile_form_changes_only_name_and_language(app, session, world):
    client = client_for(app, world.emails["learner"])
    user_id = world.user_ids["learner"]
    user = session.get(User, user_id)
    before = (user.email, user.is_active, user.session_token, user.password_hash, user.email_confirmed_at)
    data = form_fields(client.get("/account/profile").get_data(as_text=True), "/account/profile")
    data.update(
        name="Lena Neu",
        language="de",
        email="taken-over@example.org",
        is_active="0",
        roles="admin",
        role="admin",
        session_token="chosen",
        password_hash="x",
        email_confirmed_at="",
        id="999",
    )
    assert client.post("/account/profile", data=data).status_code == 302
    session.expire_all()
    user = session.get(User, user_id)
    assert (user.name, user.preferred_language) == ("Lena Neu", "de")
    assert (user.email, user.is_active, user.session_token, user.password_hash, user.email_confirmed_at) == before
    assert user.role_names == set()


def test_registration_cannot_grant_a_role_or_confirm_the_address(app, session):
    client = client_for(app)
    data = {
        "name": "Eve",
        "email": "eve@example.org",
        "password": "ein langes passwort für eve",
        "language": "en",
        "roles": "admin",
        "role": "admin",
        "email_confirmed_at": "2020-01-01",
        "is_active": "1",
    }
    assert client.post("/account/register", data=data).status_code == 302
    user = session.scalar(select(User).where(User.email == "eve@example.org"))
    assert user is not None and not user.email_confirmed
    assert session.scalar(select(func.count()).select_from(UserRole).where(UserRole.user_id == user.id)) == 0


def test_the_course_details_form_cannot_change_owner_address_or_status(app, session, world):
    v = world.values
    client = client_for(app, world.emails["trainer"])
    url = f"/trainer/courses/{v['course_slug']}/details"
    data = form_fields(client.get(url).get_data(as_text=True), url)
    data.update(
        title="Einladungen schreiben (neu)",
        owner_id=str(world.user_ids["other_trainer"]),
        slug="hijacked",
        status="archived",
        published_at="",
        id="999",
    )
    assert client.post(url, data=data).status_code == 303
    session.expire_all()
    course = session.get(Course, v["course_id"])
    assert (course.slug, course.owner_id, course.status) == (v["course_slug"], world.user_ids["trainer"], "published")
    editor = client.get(f"/trainer/courses/{v['course_slug']}/").get_data(as_text=True)
    assert "Einladungen schreiben (neu)" in editor  # the listed field was saved in the draft


def test_the_organisation_forms_cannot_choose_the_address_or_the_creator(app, session, world):
    v = world.values
    client = client_for(app, world.emails["manager"])
    url = f"/organisations/{v['organisation_slug']}/settings"
    data = form_fields(client.get(url).get_data(as_text=True), url)
    data.update(municipality="Köln", slug="hijacked", created_by_id=str(world.user_ids["admin"]), id="999")
    assert client.post(url, data=data).status_code in (302, 303)
    session.expire_all()
    organisation = session.scalar(select(Organisation).where(Organisation.slug == v["organisation_slug"]))
    assert organisation.municipality == "Köln" and organisation.created_by_id == world.user_ids["manager"]

    response = client.post(
        "/organisations/new",
        data={"name": "Neuer Verein", "legal_form": "e.V.", "slug": "new", "created_by_id": "1", "id": "1"},
    )
    assert response.status_code in (302, 303)
    created = session.scalar(select(Organisation).where(Organisation.name == "Neuer Verein"))
    assert created.slug == "neuer-verein" and created.created_by_id == world.user_ids["manager"]


def test_a_manager_cannot_assign_courses_to_another_organisations_members(app, session, world):
    from mso_academy.organisations.models import CourseAssignment

    v = world.values
    client = client_for(app, world.emails["other_manager"])
    url = f"/organisations/{v['other_organisation_slug']}/assignments"
    for data in (
        {"course": v["course_id"], "members": world.user_ids["learner"]},
        {"course": v["course_id"], "function": v["function_id"]},
    ):
        assert client.post(url, data=data).status_code == 422
    assert session.scalar(select(func.count()).select_from(CourseAssignment)) == 0


def test_a_draft_course_is_404_for_everyone_but_its_trainers_and_admins(app, session, world):
    from mso_academy.catalog.models import CourseStatus
    from mso_academy.learning.models import Enrolment
    from tests import factories

    trainer = session.get(User, world.user_ids["trainer"])
    draft = factories.make_course(session, title="Entwurf", status=CourseStatus.DRAFT, owner=trainer)
    session.commit()
    for role in ("learner", "other_trainer", "manager"):
        client = client_for(app, world.emails[role])
        assert client.get(f"/courses/{draft.slug}").status_code == 404, role
        assert client.post(f"/courses/{draft.slug}/enrol").status_code == 404, role
        assert client.get(f"/learn/{draft.slug}/").status_code == 404, role
    assert client_for(app).get(f"/courses/{draft.slug}").status_code == 404
    assert client_for(app).get(f"/api/v1/courses/{draft.slug}").status_code == 404
    for role in ("trainer", "admin"):
        assert client_for(app, world.emails[role]).get(f"/courses/{draft.slug}").status_code == 200, role
    assert session.scalar(select(func.count()).select_from(Enrolment).where(Enrolment.course_id == draft.id)) == 0
