"""One small world with an object of every kind, and a signed-in client per role, for the security tests.

The roles: anonymous, a learner (enrolled, with a submission, an upload and a certificate, member of an
organisation), another learner (nothing of their own), the trainer who owns the courses, another trainer, the
manager of the organisation, the manager of another organisation, and an admin. Every value a URL needs is kept
as a plain value, so a test may roll the database back between requests without stale ORM objects.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from mso_academy.accounts.models import Role
from mso_academy.api import tokens as api_tokens
from mso_academy.catalog.models import Activity, CourseTrainer, Module
from mso_academy.learning.models import Attempt
from mso_academy.organisations import functions as org_functions
from mso_academy.organisations import invitations as org_invitations
from mso_academy.organisations import services as organisations
from mso_academy.organisations.models import Membership
from mso_academy.uploads.models import Upload
from tests import factories
from tests.conftest import IsolatedClient, login

ROLES = ("anonymous", "learner", "other_learner", "trainer", "other_trainer", "manager", "other_manager", "admin")
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@dataclass
class World:
    """Plain values of the objects the URLs name, and the e-mail address of each role."""

    emails: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    api_tokens: dict[str, str] = field(default_factory=dict)


def client_for(app: Flask, email: str | None = None) -> FlaskClient:
    app.test_client_class = IsolatedClient
    client = app.test_client()
    if email is not None:
        response = login(client, email)
        assert response.status_code == 302, response.get_data(as_text=True)
    return client


def hand_in(client: FlaskClient, slug: str, activity_id: int, text: str, file: tuple[bytes, str] | None) -> Any:
    data = MultiDict({"submission_token": f"tok-{slug}-{activity_id}", "text": text})
    if file is not None:
        data["file"] = FileStorage(io.BytesIO(file[0]), filename=file[1], content_type="application/octet-stream")
    boundary, body = encode_multipart(data)
    return client.post(
        f"/learn/{slug}/{activity_id}", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def build_world(app: Flask, session: Session) -> World:
    world = World()
    make = factories.make_user
    users = {
        "learner": make(session, name="Lena Learner"),
        "other_learner": make(session, name="Otto Other"),
        "trainer": make(session, name="Tariq Trainer", roles=(Role.TRAINER,)),
        "other_trainer": make(session, name="Tanja Other", roles=(Role.TRAINER,)),
        "manager": make(session, name="Mona Manager"),
        "other_manager": make(session, name="Mario Other"),
        "admin": make(session, name="Ada Admin", roles=(Role.ADMIN,)),
    }
    world.emails = {role: user.email for role, user in users.items()}
    world.user_ids = {role: user.id for role, user in users.items()}
    scopes = [scope.value for scope in api_tokens.Scope]
    for role, user in users.items():  # the JSON API is signed in with a personal access token, not the cookie
        record, world.api_tokens[role] = api_tokens.create_token(session, user, "matrix", scopes, 30)
        if role == "learner":
            world.values["token_id"] = record.id

    assignment = {"instructions": "Write the invitation.", "allow_file": True, "file_required": False}
    course = factories.make_course(
        session, title="Einladungen schreiben", modules=[[("assignment", assignment)]], owner=users["trainer"]
    )
    lessons = factories.make_course(
        session,
        title="Vereinsrecht",
        modules=[[("text_lesson", {"body": "# Hello", "minutes": 5})]],
        owner=users["trainer"],
    )
    other_course = factories.make_course(session, title="Kassenführung", owner=users["other_trainer"])
    co_trainer = make(session, name="Cora Co-Trainer", roles=(Role.TRAINER,))
    session.add(CourseTrainer(course_id=course.id, user_id=co_trainer.id))
    organisation = organisations.create_organisation(
        session, users["manager"], organisations.Details(name="Verein Über Grenzen e.V.")
    )
    membership = Membership(organisation_id=organisation.id, user_id=users["learner"].id)
    session.add(membership)
    other_organisation = organisations.create_organisation(
        session, users["other_manager"], organisations.Details(name="Anderer Verein")
    )
    session.flush()
    function = org_functions.create_function(session, organisation, "Kassenwart")
    requirement = org_functions.set_requirement(session, organisation, function.id, course_id=lessons.id, min_holders=1)
    org_functions.assign_function(session, organisation, membership.id, function.id)
    with app.test_request_context():
        invitation = org_invitations.invite(
            session, organisation, users["manager"], email="invited@example.org", role="member"
        )
        certificate = factories.complete_course(session, users["learner"], lessons)
        token = org_invitations.invitation_token(invitation)
    activity = session.scalar(select(Activity).join(Module).where(Module.course_id == course.id))
    module = session.get(Module, activity.module_id)
    session.commit()

    learner_client = client_for(app, world.emails["learner"])
    assert learner_client.post(f"/courses/{course.slug}/enrol").status_code == 303
    response = hand_in(learner_client, course.slug, activity.id, "My invitation.", (PDF, "Einladung.pdf"))
    assert response.status_code == 303, response.get_data(as_text=True)
    attempt = session.scalar(select(Attempt).where(Attempt.activity_id == activity.id))
    upload = session.scalar(select(Upload).where(Upload.owner_id == users["learner"].id))
    world.values |= {
        "course_slug": course.slug,
        "course_id": course.id,
        "lessons_slug": lessons.slug,
        "lessons_activity_id": lessons.modules[0].activities[0].id,
        "other_course_slug": other_course.slug,
        "other_organisation_slug": other_organisation.slug,
        "co_trainer_id": co_trainer.id,
        "activity_id": activity.id,
        "activity_key": activity.key,
        "module_key": module.key,
        "attempt_id": attempt.id,
        "upload_id": upload.id,
        "certificate_code": certificate.code,
        "organisation_slug": organisation.slug,
        "membership_id": membership.id,
        "function_id": function.id,
        "requirement_id": requirement.id,
        "invitation_id": invitation.id,
        "invitation_token": token,
    }
    return world
