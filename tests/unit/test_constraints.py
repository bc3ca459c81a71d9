"""Unique constraints hold the invariants even when the checks in code are raced."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from mso_academy.errors import Conflict
from mso_academy.learning import services
from mso_academy.learning.models import Completion, Enrolment
from mso_academy.plugins.manager import plugins
from tests.factories import make_course, make_user


def test_one_enrolment_per_learner_and_course(session, learner, course):
    session.add(Enrolment(user_id=learner.id, course_id=course.id))
    session.flush()
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(Enrolment(user_id=learner.id, course_id=course.id))


def test_enrol_turns_a_raced_duplicate_into_a_conflict(app, session, learner, course, monkeypatch):
    services.enrol(session, plugins(), learner, course)
    monkeypatch.setattr(services, "find_enrolment", lambda *args: None)  # as if a parallel request checked first
    with pytest.raises(Conflict):
        services.enrol(session, plugins(), learner, course)
    assert session.scalar(select(func.count()).select_from(Enrolment)) == 1


def test_one_completion_per_enrolment(session, learner, course):
    enrolment = Enrolment(user_id=learner.id, course_id=course.id)
    session.add(enrolment)
    session.flush()
    session.add(Completion(enrolment_id=enrolment.id, course_version="1.0"))
    session.flush()
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(Completion(enrolment_id=enrolment.id, course_version="1.0"))


def test_completing_twice_records_one_completion(app, session):
    learner = make_user(session)
    course = make_course(session, modules=[[("text_lesson", {"body": "x"})]])
    enrolment = services.enrol(session, plugins(), learner, course)
    progress = services.course_progress(session, course, enrolment)
    [activity] = [a for m in course.modules for a in m.activities]
    from werkzeug.datastructures import MultiDict

    services.submit(session, plugins(), progress, activity.id, MultiDict({"done": "1"}), "tok")
    enrolment.status = "active"  # as if a parallel request had not seen the completion yet
    services.complete_if_done(session, plugins(), progress)
    assert session.scalar(select(func.count()).select_from(Completion)) == 1
