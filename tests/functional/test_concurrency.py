"""Simultaneous requests against a real database (no test transaction): the unique constraints hold."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from mso_academy.certificates.models import Certificate
from mso_academy.db import database, transaction
from mso_academy.learning.models import Attempt, Completion, Enrolment
from tests.conftest import login
from tests.factories import PASSWORD, make_course, make_user


def count(app, model, *where):
    with app.app_context(), database(app).session_factory() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_simultaneous_final_submissions_give_one_completion_and_one_certificate(live_app):
    with live_app.app_context(), database(live_app).session_factory() as session, transaction(session):
        learner = make_user(session, email="race@example.org")
        course = make_course(session, slug="race", modules=[[("text_lesson", {"body": "x"})]])
        activity_id = course.modules[0].activities[0].id
    clients = [live_app.test_client() for _ in range(6)]
    for client in clients:
        login(client, learner.email, PASSWORD)
    clients[0].post("/courses/race/enrol")
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def submit(index: int) -> None:
        barrier.wait()
        response = clients[index].post(
            f"/learn/race/{activity_id}", data={"done": "1", "submission_token": f"t{index}"}
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(statuses) == len(clients) and all(s in (303, 409) for s in statuses), statuses
    assert count(live_app, Completion) == 1
    assert count(live_app, Certificate) == 1
    assert count(live_app, Attempt, Attempt.passed.is_(True)) == 1
    assert count(live_app, Enrolment, Enrolment.status == "completed") == 1


def test_simultaneous_enrolments_give_one_enrolment(live_app):
    with live_app.app_context(), database(live_app).session_factory() as session, transaction(session):
        learner = make_user(session, email="twice@example.org")
        make_course(session, slug="twice")
    clients = [live_app.test_client() for _ in range(5)]
    for client in clients:
        login(client, learner.email, PASSWORD)
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def enrol(index: int) -> None:
        barrier.wait()
        statuses.append(clients[index].post("/courses/twice/enrol").status_code)

    threads = [threading.Thread(target=enrol, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [303] * len(clients)
    assert count(live_app, Enrolment) == 1


def test_a_submission_built_on_stale_progress_does_not_pass_twice(live_app):
    """Request A read the progress, then request B passed the activity and committed: A must see that."""
    if database(live_app).engine.dialect.name == "sqlite":
        pytest.skip("on SQLite a writing request holds the write lock from its first statement (BEGIN IMMEDIATE)")
    from werkzeug.datastructures import MultiDict

    from mso_academy.errors import Conflict
    from mso_academy.learning import services as learning
    from mso_academy.plugins.manager import plugins

    factory = database(live_app).session_factory
    with live_app.app_context(), live_app.test_request_context():
        with factory() as setup, transaction(setup):
            learner = make_user(setup, email="stale@example.org")
            course = make_course(setup, slug="stale", modules=[[("text_lesson", {"body": "x"})]] * 2)
            learning.enrol(setup, plugins(), learner, course)
        with factory() as first, factory() as second:
            from mso_academy.catalog.services import course_by_slug

            stale = learning.learner_progress(first, learner, course_by_slug(first, "stale", learner))
            fresh = learning.learner_progress(second, learner, course_by_slug(second, "stale", learner))
            activity_id = fresh.states[0].activity.id
            learning.submit(second, plugins(), fresh, activity_id, MultiDict({"done": "1"}), "second")
            second.commit()
            with pytest.raises(Conflict):
                learning.submit(first, plugins(), stale, activity_id, MultiDict({"done": "1"}), "first")
            first.rollback()
    assert count(live_app, Attempt, Attempt.passed.is_(True)) == 1
