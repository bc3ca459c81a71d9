"""Enrolling, working through activities in order, quizzes, progress, resuming, completing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from mso_academy.learning.models import ActivityProgress, Attempt, Completion, Enrolment
from tests.conftest import login
from tests.factories import RIGHT_ANSWERS, WRONG_ANSWERS, make_course, quiz_content


def count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def signed_in(client, session, learner, course):
    session.commit()
    login(client, learner.email)
    return client


def activities(course):
    return [a for m in course.modules for a in m.activities]


def url(course, activity):
    return f"/learn/{course.slug}/{activity.id}"


def enrol(client, course):
    return client.post(f"/courses/{course.slug}/enrol")


def submit(client, course, activity, data=None, token="t1"):
    return client.post(url(course, activity), data={"submission_token": token, **(data or {})})


def test_enrol_leads_to_the_first_activity_and_twice_is_refused(signed_in, session, learner, course):
    response = enrol(signed_in, course)
    assert response.status_code == 303
    first = activities(course)[0]
    assert signed_in.get(response.location).location.endswith(url(course, first))
    again = enrol(signed_in, course)
    assert again.status_code == 303
    page = signed_in.get(again.location).get_data(as_text=True)
    assert "already enrolled" in page
    assert count(session, Enrolment, Enrolment.user_id == learner.id) == 1


def test_anonymous_cannot_enrol(client, session, course):
    session.commit()
    response = client.post(f"/courses/{course.slug}/enrol")
    assert response.status_code == 302 and "/account/login" in response.location
    assert count(session, Enrolment) == 0


def test_activity_of_a_course_one_is_not_enrolled_in(signed_in, session, course):
    lesson = activities(course)[0]
    response = signed_in.get(url(course, lesson))
    assert response.status_code == 302 and response.location.endswith(f"/courses/{course.slug}")
    assert "Enrol in this course" in signed_in.get(response.location).get_data(as_text=True)
    assert submit(signed_in, course, lesson, {"done": "1"}).status_code == 303
    assert count(session, Attempt) == 0


def test_activities_open_in_order(signed_in, session, course):
    enrol(signed_in, course)
    lesson, quiz = activities(course)
    response = signed_in.get(url(course, quiz))
    assert response.status_code == 302  # locked until the lesson is done
    assert submit(signed_in, course, quiz, RIGHT_ANSWERS).status_code == 303
    assert count(session, Attempt) == 0
    # The lesson is done; the learner moves straight on to the quiz.
    response = submit(signed_in, course, lesson, {"done": "1"})
    assert response.location.endswith(url(course, quiz))
    assert signed_in.get(url(course, quiz)).status_code == 200


def test_quiz_fail_then_pass_completes_the_course(signed_in, session, learner, course):
    enrol(signed_in, course)
    lesson, quiz = activities(course)
    submit(signed_in, course, lesson, {"done": "1"}, token="lesson")
    response = submit(signed_in, course, quiz, WRONG_ANSWERS, token="first")
    assert response.status_code == 303
    page = signed_in.get(url(course, quiz)).get_data(as_text=True)
    assert "Not passed yet." in page and "Bonn was the capital until 1990." in page
    assert "1 of 2 done" in page

    response = submit(signed_in, course, quiz, RIGHT_ANSWERS, token="second")
    assert response.location.endswith(f"/courses/{course.slug}")
    page = signed_in.get(response.location).get_data(as_text=True)
    assert "Congratulations! You have completed the course." in page
    assert "2 of 2 done" in page

    enrolment = session.scalar(select(Enrolment).where(Enrolment.user_id == learner.id))
    session.refresh(enrolment)
    assert enrolment.status == "completed" and enrolment.completed_at is not None
    attempts = session.scalars(select(Attempt).where(Attempt.activity_id == quiz.id).order_by(Attempt.number)).all()
    assert [(a.number, a.passed, a.score) for a in attempts] == [(1, False, 0.0), (2, True, 1.0)]
    assert attempts[1].answers["capital"] == ["a"] and attempts[1].answers["states"] == "16"
    assert count(session, Completion, Completion.enrolment_id == enrolment.id) == 1

    dashboard = signed_in.get("/dashboard").get_data(as_text=True)
    completed_part = dashboard.split('id="completed"')[1]
    assert course.title in completed_part


def test_quiz_submitted_twice_is_one_attempt(signed_in, session, course):
    enrol(signed_in, course)
    lesson, quiz = activities(course)
    submit(signed_in, course, lesson, {"done": "1"}, token="lesson")
    first = submit(signed_in, course, quiz, WRONG_ANSWERS, token="same")
    second = submit(signed_in, course, quiz, WRONG_ANSWERS, token="same")
    assert first.status_code == second.status_code == 303
    assert count(session, Attempt, Attempt.activity_id == quiz.id) == 1
    progress = session.scalar(select(ActivityProgress).where(ActivityProgress.activity_id == quiz.id))
    assert progress.attempts_count == 1


def test_answers_for_a_question_that_does_not_exist(signed_in, session, course):
    enrol(signed_in, course)
    lesson, quiz = activities(course)
    submit(signed_in, course, lesson, {"done": "1"}, token="lesson")
    response = submit(signed_in, course, quiz, {**RIGHT_ANSWERS, "q-ghost": "a"})
    assert response.status_code == 400
    assert "do not match this quiz" in response.get_data(as_text=True)
    response = submit(signed_in, course, quiz, {"q-capital": "a"})
    assert response.status_code == 400 and "Please answer every question" in response.get_data(as_text=True)
    assert count(session, Attempt, Attempt.activity_id == quiz.id) == 0


def test_limited_attempts(client, session, learner):
    course = make_course(session, modules=[[("quiz", quiz_content(max_attempts=2))]])
    session.commit()
    login(client, learner.email)
    enrol(client, course)
    [quiz] = activities(course)
    assert "2 attempts left." in client.get(url(course, quiz)).get_data(as_text=True)
    submit(client, course, quiz, WRONG_ANSWERS, token="a")
    submit(client, course, quiz, WRONG_ANSWERS, token="b")
    page = client.get(url(course, quiz)).get_data(as_text=True)
    assert "0 attempts left." in page and "Try again" not in page
    response = submit(client, course, quiz, RIGHT_ANSWERS, token="c")
    assert response.status_code == 409 and "used all attempts" in response.get_data(as_text=True)
    assert count(session, Attempt) == 2


def test_progress_per_module_and_resume_where_stopped(client, session, learner):
    lesson = ("text_lesson", {"body": "Text", "minutes": 3})
    course = make_course(session, modules=[[lesson, lesson], [lesson, ("quiz", quiz_content())]])
    session.commit()
    login(client, learner.email)
    enrol(client, course)
    a1, a2, a3, _a4 = activities(course)
    submit(client, course, a1, {"done": "1"}, token="1")
    submit(client, course, a2, {"done": "1"}, token="2")
    page = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert "2 of 4 done" in page and "2 of 2 done" in page and "0 of 2 done" in page
    client.post("/account/logout")
    login(client, learner.email)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "2 of 4 done" in dashboard
    assert client.get(f"/learn/{course.slug}/").location.endswith(url(course, a3))


def test_dashboard_suggests_courses_not_yet_taken(signed_in, session, course):
    other = make_course(session, title="Noch nicht belegt")
    session.commit()
    enrol(signed_in, course)
    page = signed_in.get("/dashboard").get_data(as_text=True)
    suggested = page.split('id="suggested"')[1]
    assert other.title in suggested and course.title not in suggested


def test_text_lesson_body_is_sanitised(client, session, learner):
    course = make_course(
        session, modules=[[("text_lesson", {"body": "Hallo <script>alert(1)</script> [x](javascript:alert(2))"})]]
    )
    session.commit()
    login(client, learner.email)
    enrol(client, course)
    page = client.get(url(course, activities(course)[0])).get_data(as_text=True)
    assert "<script>alert(1)" not in page and 'href="javascript' not in page
