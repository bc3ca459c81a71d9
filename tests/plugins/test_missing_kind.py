"""A course whose activity kind (or course type) is not installed: admins see a notice, learners a clear message."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from mso_academy.accounts.models import Role
from mso_academy.learning.models import Attempt, Enrolment
from tests.conftest import login
from tests.factories import RIGHT_ANSWERS, make_course, make_user, quiz_content
from tests.plugins.conftest import client_for

MISSING_MESSAGE = "This activity cannot be shown because its plugin is not installed."


def course_row(html: str, title: str) -> str:
    for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S):
        if f">{title}</a>" in row:
            return row
    raise AssertionError(f"course {title!r} is not listed")


def test_admin_sees_which_kinds_and_types_a_course_is_missing(client, session):
    admin = make_user(session, roles=(Role.ADMIN,), language="en")
    make_course(
        session,
        title="Chemie im Verein",
        course_type="chemistry",
        modules=[[("text_lesson", {"body": "Hi", "minutes": 1}), ("crossword", {"grid": []}), ("molecule", {})]],
    )
    make_course(session, title="Everything installed")
    session.commit()
    login(client, admin.email)

    response = client.get("/admin/courses")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    row = course_row(html, "Chemie im Verein")
    assert "Course type chemistry is not installed." in row
    assert "Activity kinds not installed: crossword, molecule. Learners cannot open these activities." in row
    assert "all installed" in course_row(html, "Everything installed")


def test_a_learner_opening_an_activity_of_a_missing_kind_gets_a_clear_message(client, session):
    learner = make_user(session, language="en")
    course = make_course(
        session, modules=[[("text_lesson", {"body": "Hello", "minutes": 1}), ("crossword", {"grid": [["A"]]})]]
    )
    lesson, crossword = course.modules[0].activities
    session.commit()
    login(client, learner.email)

    # The course page and enrolment still work.
    page = client.get(f"/courses/{course.slug}")
    assert page.status_code == 200 and "crossword" in page.get_data(as_text=True)
    assert client.post(f"/courses/{course.slug}/enrol").status_code == 303
    client.post(f"/learn/{course.slug}/{lesson.id}", data={"submission_token": "t1", "done": "1"})

    response = client.get(f"/learn/{course.slug}/{crossword.id}")
    assert response.status_code == 503
    assert MISSING_MESSAGE in response.get_data(as_text=True)

    # Submitting to it is refused the same way, and nothing is stored.
    response = client.post(f"/learn/{course.slug}/{crossword.id}", data={"submission_token": "t2", "word": "A"})
    assert response.status_code == 503
    assert MISSING_MESSAGE in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Attempt).where(Attempt.activity_id == crossword.id)) == 0
    # The rest of the site is fine.
    assert client.get("/dashboard").status_code == 200
    assert client.get("/").status_code == 200


def test_a_disabled_built_in_kind_is_missing_too(make_app, session):
    app = make_app(DISABLED_PLUGINS=["mso_academy.builtin.quiz"])
    admin = make_user(session, roles=(Role.ADMIN,), language="en")
    learner = make_user(session, language="en")
    course = make_course(session, title="Quiz course", modules=[[("quiz", quiz_content())]])
    session.commit()

    client = client_for(app)
    login(client, admin.email)
    html = client.get("/admin/courses").get_data(as_text=True)
    assert "Activity kinds not installed: quiz." in course_row(html, "Quiz course")

    client = client_for(app)
    login(client, learner.email)
    client.post(f"/courses/{course.slug}/enrol")
    assert session.scalar(select(func.count()).select_from(Enrolment).where(Enrolment.user_id == learner.id)) == 1
    quiz = course.modules[0].activities[0]
    response = client.get(f"/learn/{course.slug}/{quiz.id}")
    assert response.status_code == 503 and MISSING_MESSAGE in response.get_data(as_text=True)
    response = client.post(f"/learn/{course.slug}/{quiz.id}", data={"submission_token": "t", **RIGHT_ANSWERS})
    assert response.status_code == 503
    assert session.scalar(select(func.count()).select_from(Attempt)) == 0
