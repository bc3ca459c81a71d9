"""SQL statements per request for the benchmark scenarios, pinned: an N+1 query fails here before it reaches users.

Each page is measured twice, with a small and a larger amount of data: the count must not grow with the data.
The numbers are the statements of the whole request (session user included), with two-factor login enforced as in
production (the user loader also answers whether the user manages an organisation); docs/performance.md lists them
beside the targets.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from mso_academy.certificates.services import new_code
from mso_academy.learning import services as learning
from mso_academy.plugins.manager import plugins
from tests.conftest import login
from tests.factories import RIGHT_ANSWERS, complete_course, make_course, make_user, quiz_content

LESSON = ("text_lesson", {"body": "# Lesson\n\nRead me.", "minutes": 5})
PINNED = {
    "verify valid": 1,
    "verify unknown": 1,
    "catalogue": 3,
    "course page with progress": 3,
    "dashboard": 5,
    "quiz submission": 6,
}


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"QUERY_COUNT_HEADER": True, "TWO_FACTOR_ENFORCED": True}


def _count(response: Any) -> int:
    assert response.status_code < 400 or response.status_code == 404, response.status_code
    return int(response.headers["X-Query-Count"])


def _courses(session: Session, n: int, **fields: Any) -> list[Any]:
    return [make_course(session, modules=[[LESSON, ("quiz", quiz_content())], [LESSON]], **fields) for _ in range(n)]


def test_verification_page(app: Flask, client: FlaskClient, session: Session) -> None:
    learner = make_user(session)
    with app.test_request_context():
        certificate = complete_course(session, learner, make_course(session, modules=[[LESSON]]))
    assert _count(client.get(f"/verify/{certificate.code}")) == PINNED["verify valid"]
    assert _count(client.get(f"/verify/{new_code()}")) == PINNED["verify unknown"]


def test_catalogue_does_not_grow_with_the_page(app: Flask, client: FlaskClient, session: Session) -> None:
    _courses(session, 3)
    small = _count(client.get("/courses/"))
    _courses(session, 20)
    large = _count(client.get("/courses/"))
    assert small == large == PINNED["catalogue"]


def test_course_page_with_progress(app: Flask, client: FlaskClient, session: Session) -> None:
    learner = make_user(session)
    course, other = _courses(session, 2)
    for each in (course, other):
        learning.enrol(session, plugins(), learner, each)
    login(client, learner.email)
    first = _count(client.get(f"/courses/{course.slug}"))
    _courses(session, 5)
    assert _count(client.get(f"/courses/{course.slug}")) == first == PINNED["course page with progress"]


def test_dashboard_does_not_grow_with_the_enrolments(app: Flask, client: FlaskClient, session: Session) -> None:
    learner = make_user(session)
    for course in _courses(session, 2):
        learning.enrol(session, plugins(), learner, course)
    login(client, learner.email)
    small = _count(client.get("/dashboard"))
    for course in _courses(session, 6):
        learning.enrol(session, plugins(), learner, course)
    with app.test_request_context():
        complete_course(session, learner, make_course(session, modules=[[LESSON]]))
    large = _count(client.get("/dashboard"))
    assert small == large == PINNED["dashboard"]


def test_quiz_submission(app: Flask, client: FlaskClient, session: Session) -> None:
    learner = make_user(session)
    (course,) = _courses(session, 1)
    learning.enrol(session, plugins(), learner, course)
    login(client, learner.email)
    lesson, quiz = course.modules[0].activities
    client.post(f"/learn/{course.slug}/{lesson.id}", data={"done": "1", "submission_token": "lesson"})
    response = client.post(f"/learn/{course.slug}/{quiz.id}", data={**RIGHT_ANSWERS, "submission_token": "quiz"})
    assert response.status_code == 303
    assert _count(response) == PINNED["quiz submission"]
