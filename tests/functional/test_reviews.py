"""The review queue: trainers pass or return handed-in work; learners see the feedback and hand in again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, event, func, select, update

from mso_academy.accounts.models import Role, User, UserRole
from mso_academy.catalog.models import CourseTrainer
from mso_academy.certificates.models import Certificate
from mso_academy.db import utcnow
from mso_academy.errors import Conflict, DomainError, NotFound
from mso_academy.learning import services as learning
from mso_academy.learning.models import ActivityProgress, Attempt, Completion, Enrolment
from mso_academy.plugins.manager import plugins
from mso_academy.reviews import services as reviews
from tests.conftest import IsolatedClient, login
from tests.factories import RIGHT_ANSWERS, make_course, make_user, quiz_content
from tests.functional.test_assignment import PDF, activity_of, content, hand_in


def count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


def client_for(app, user=None):
    app.test_client_class = IsolatedClient
    client = app.test_client()
    if user is not None:
        login(client, user.email)
    return client


@pytest.fixture
def trainer(session):
    return make_user(session, name="Tariq Trainer", roles=(Role.TRAINER,))


@pytest.fixture
def course(session, trainer):
    return make_course(session, title="Einladungen schreiben", modules=[[("assignment", content())]], owner=trainer)


def enrolled(app, session, course, name="Lena Learner"):
    learner = make_user(session, name=name)
    session.commit()
    client = client_for(app, learner)
    client.post(f"/courses/{course.slug}/enrol")
    return learner, client


def the_attempt(session, learner, number=1):
    return session.scalar(
        select(Attempt)
        .join(Enrolment, Enrolment.id == Attempt.enrolment_id)
        .where(Enrolment.user_id == learner.id, Attempt.number == number)
    )


def decide(client, attempt, decision, feedback=""):
    return client.post(f"/trainer/reviews/{attempt.id}", data={"decision": decision, "feedback": feedback})


def test_return_with_feedback_then_pass_completes_the_course(app, session, course, trainer, outbox):
    learner, learner_client = enrolled(app, session, course)
    hand_in(learner_client, course, text="My first draft.", file=(PDF, "Einladung.pdf"), token="first")
    trainer_client = client_for(app, trainer)

    queue = trainer_client.get("/trainer/reviews").get_data(as_text=True)
    assert "Lena Learner" in queue and "Einladungen schreiben" in queue and "Activity 1.1" in queue
    first = the_attempt(session, learner)
    page = trainer_client.get(f"/trainer/reviews/{first.id}").get_data(as_text=True)
    assert "My first draft." in page and "Einladung.pdf" in page and "/uploads/" in page
    assert 'value="pass"' in page and 'value="return"' in page and "Return for rework" in page

    response = decide(trainer_client, first, "return", "Please add the date and the agenda.")
    assert response.status_code == 303 and response.location.endswith("/trainer/reviews")
    session.refresh(first)
    assert (first.review_status, first.passed, first.reviewer_id) == ("returned", False, trainer.id)
    assert first.review_feedback == "Please add the date and the agenda." and first.reviewed_at is not None
    mail = outbox.messages()[-1]
    assert mail["To"] == learner.email and mail["Subject"] == "Your work has been reviewed"
    body = mail.get_content()
    assert "returned your work" in body and "Please add the date and the agenda." in body
    assert f"/learn/{course.slug}/{activity_of(course).id}" in body
    assert "No work is waiting for review." in trainer_client.get("/trainer/reviews").get_data(as_text=True)

    page = learner_client.get(f"/learn/{course.slug}/{activity_of(course).id}").get_data(as_text=True)
    assert "Returned for rework." in page and "Please add the date and the agenda." in page
    assert "My first draft.</textarea>" in page and "Hand in again" in page

    response = hand_in(learner_client, course, text="My second draft, with date and agenda.", token="second")
    assert response.status_code == 303
    second = the_attempt(session, learner, number=2)
    assert second.review_status == "pending"
    page = learner_client.get(response.location).get_data(as_text=True)
    assert "Waiting for review." in page and "Your earlier hand-ins (1)" in page

    page = trainer_client.get(f"/trainer/reviews/{second.id}").get_data(as_text=True)
    assert "Earlier hand-ins" in page and "Please add the date and the agenda." in page
    response = decide(trainer_client, second, "pass", "Well done.")
    assert response.status_code == 303
    session.refresh(second)
    assert (second.review_status, second.passed, second.score) == ("passed", True, 1.0)

    enrolment = session.scalar(select(Enrolment).where(Enrolment.user_id == learner.id))
    session.refresh(enrolment)
    progress = session.scalar(select(ActivityProgress).where(ActivityProgress.enrolment_id == enrolment.id))
    session.refresh(progress)
    assert progress.passed_at is not None and progress.attempts_count == 2 and progress.best_score == 1.0
    assert enrolment.status == "completed"
    assert count(session, Completion, Completion.enrolment_id == enrolment.id) == 1
    assert count(session, Certificate, Certificate.user_id == learner.id) == 1
    subjects = [m["Subject"] for m in outbox.messages()]
    assert subjects.count("Your work has been reviewed") == 2 and "Your certificate" in subjects

    page = learner_client.get(f"/learn/{course.slug}/{activity_of(course).id}").get_data(as_text=True)
    assert "Passed!" in page and "Well done." in page and "<textarea" not in page


def test_passing_runs_the_activity_passed_hook(app, session, course, trainer):
    seen = []

    class Listener:
        from mso_academy.plugins.api import hookimpl

        @hookimpl
        def activity_passed(self, user_id, course_slug, activity_key, kind, score):
            seen.append((user_id, course_slug, activity_key, kind, score))

    plugins().pm.register(Listener(), name="listener")
    learner, learner_client = enrolled(app, session, course)
    hand_in(learner_client, course)
    assert seen == []
    reviews.review(session, plugins(), the_attempt(session, learner).id, trainer, "pass", "")
    assert seen == [(learner.id, course.slug, activity_of(course).key, "assignment", 1.0)]


def test_a_reviewed_submission_cannot_be_reviewed_again(app, session, course, trainer, outbox):
    learner, learner_client = enrolled(app, session, course)
    hand_in(learner_client, course)
    attempt = the_attempt(session, learner)
    trainer_client = client_for(app, trainer)
    assert decide(trainer_client, attempt, "return", "Add the agenda.").status_code == 303
    mails = len(outbox.messages())

    response = decide(trainer_client, attempt, "pass", "Changed my mind.")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "This submission has been reviewed already." in page and 'role="alert"' in page
    assert "Returned for rework." in page and 'value="pass"' not in page
    session.refresh(attempt)
    assert (attempt.review_status, attempt.passed, attempt.review_feedback) == ("returned", False, "Add the agenda.")
    assert count(session, ActivityProgress, ActivityProgress.passed_at.is_not(None)) == 0
    assert len(outbox.messages()) == mails


def test_two_trainers_deciding_at_once_only_one_succeeds(app, session, course, trainer):
    """The second trainer's page was loaded while the work was pending; the conditional UPDATE catches it."""
    learner, learner_client = enrolled(app, session, course)
    hand_in(learner_client, course)
    attempt = the_attempt(session, learner)
    assert attempt.review_status == "pending"  # loaded into this session while pending
    # Another request passes it behind this session's back.
    session.connection().execute(
        update(Attempt).where(Attempt.id == attempt.id).values(review_status="passed", passed=True, score=1.0)
    )
    with pytest.raises(Conflict, match="reviewed already"):
        reviews.review(session, plugins(), attempt.id, trainer, "return", "Needs more work.")
    session.refresh(attempt)
    assert (attempt.review_status, attempt.review_feedback) == ("passed", None)


def test_returning_needs_feedback(app, session, course, trainer):
    learner, learner_client = enrolled(app, session, course)
    hand_in(learner_client, course)
    attempt = the_attempt(session, learner)
    response = decide(client_for(app, trainer), attempt, "return", "   ")
    assert response.status_code == 400
    assert "Please write feedback" in response.get_data(as_text=True)
    response = decide(client_for(app, trainer), attempt, "maybe", "Hm.")
    assert response.status_code == 422
    assert "Please choose whether to pass the work or return it" in response.get_data(as_text=True)
    session.refresh(attempt)
    assert attempt.review_status == "pending"
    with pytest.raises(DomainError, match="Please write feedback"):
        reviews.review(session, plugins(), attempt.id, trainer, "return", "")


def test_another_trainers_submission_is_not_found(app, session, course, trainer):
    learner, learner_client = enrolled(app, session, course)
    hand_in(learner_client, course)
    attempt = the_attempt(session, learner)
    other_trainer = make_user(session, roles=(Role.TRAINER,))
    session.commit()
    other = client_for(app, other_trainer)
    assert other.get(f"/trainer/reviews/{attempt.id}").status_code == 404
    assert decide(other, attempt, "pass", "Looks fine to me.").status_code == 404
    assert "No work is waiting for review." in other.get("/trainer/reviews").get_data(as_text=True)
    assert client_for(app, trainer).get(f"/trainer/reviews/{attempt.id + 999}").status_code == 404
    session.refresh(attempt)
    assert attempt.review_status == "pending" and attempt.reviewer_id is None
    with pytest.raises(NotFound):
        reviews.review(session, plugins(), attempt.id, other_trainer, "pass", "")


def test_learners_cannot_open_the_queue(app, session, course):
    learner, learner_client = enrolled(app, session, course)
    hand_in(learner_client, course)
    attempt = the_attempt(session, learner)
    assert learner_client.get("/trainer/reviews").status_code == 403
    assert decide(learner_client, attempt, "pass").status_code == 403
    anonymous = client_for(app).get("/trainer/reviews")
    assert anonymous.status_code == 302 and "/account/login" in anonymous.location
    session.refresh(attempt)
    assert attempt.review_status == "pending"


def test_automatically_graded_attempts_are_not_reviews(app, session, trainer):
    quiz_course = make_course(session, modules=[[("quiz", quiz_content())]], owner=trainer)
    learner, client = enrolled(app, session, quiz_course)
    quiz = activity_of(quiz_course)
    client.post(f"/learn/{quiz_course.slug}/{quiz.id}", data={"submission_token": "q", **RIGHT_ANSWERS})
    attempt = the_attempt(session, learner)
    assert attempt.review_status is None and attempt.passed
    assert reviews.queue(session, trainer) == []
    assert client_for(app, trainer).get(f"/trainer/reviews/{attempt.id}").status_code == 404


def test_the_queue_is_oldest_first_and_only_for_the_courses_one_trains(app, session, trainer, course):
    co_trainer = make_user(session, roles=(Role.TRAINER,))
    session.add(CourseTrainer(course_id=course.id, user_id=co_trainer.id))
    other_trainer = make_user(session, roles=(Role.TRAINER,))
    admin = make_user(session, roles=(Role.ADMIN,))
    other_course = make_course(session, modules=[[("assignment", content())]], owner=other_trainer)
    names = ["Ada", "Bülent", "Chioma", "Dmytro"]
    for index, name in enumerate(names):
        _learner, client = enrolled(app, session, course, name=name)
        hand_in(client, course, token=f"t{index}")
    _stranger, client = enrolled(app, session, other_course, name="Elif")
    hand_in(client, other_course)
    # Make the submission times differ from the id order: Chioma handed in first, Ada last.
    now = utcnow()
    for hours_ago, name in ((1, "Ada"), (4, "Bülent"), (5, "Chioma"), (3, "Dmytro")):
        session.execute(
            update(Attempt)
            .where(Attempt.id == _attempt_id_of(session, name))
            .values(submitted_at=now - timedelta(hours=hours_ago))
        )
    session.commit()

    assert [s.learner.name for s in reviews.queue(session, trainer)] == ["Chioma", "Bülent", "Dmytro", "Ada"]
    assert [s.learner.name for s in reviews.queue(session, co_trainer)] == ["Chioma", "Bülent", "Dmytro", "Ada"]
    assert [s.learner.name for s in reviews.queue(session, other_trainer)] == ["Elif"]
    assert [s.learner.name for s in reviews.queue(session, admin)] == ["Chioma", "Bülent", "Dmytro", "Ada", "Elif"]
    assert reviews.pending_count(session, trainer) == 4

    page = client_for(app, co_trainer).get("/trainer/reviews").get_data(as_text=True)
    positions = [page.index(f"<bdi>{name}</bdi>") for name in ("Chioma", "Bülent", "Dmytro", "Ada")]
    assert positions == sorted(positions) and "Elif" not in page

    # A co-trainer who lost the trainer role reviews nothing any more.
    session.execute(delete(UserRole).where(UserRole.user_id == co_trainer.id))
    session.commit()
    session.expire_all()
    assert reviews.queue(session, session.get(User, co_trainer.id)) == []


def _attempt_id_of(session, name):
    return session.scalar(
        select(Attempt.id)
        .join(Enrolment, Enrolment.id == Attempt.enrolment_id)
        .join(User, User.id == Enrolment.user_id)
        .where(User.name == name)
    )


def test_the_queue_loads_in_one_query(app, session, trainer, course):
    for index in range(6):
        _learner, client = enrolled(app, session, course, name=f"Learner {index}")
        hand_in(client, course, token=f"t{index}")
    session.expire_all()  # nothing cached: every learner, course and activity comes from the query
    assert trainer.role_names == {"trainer"}  # the signed-in user is loaded before any page runs
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    engine = session.get_bind().engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        items = reviews.queue(session, trainer)
        shown = [(s.learner.name, s.course.title, s.activity.title, s.submitted_at) for s in items]
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(shown) == 6
    assert len(statements) == 1, statements


def test_resubmitting_after_a_pass_is_refused(app, session, course, trainer):
    learner, learner_client = enrolled(app, session, course)
    hand_in(learner_client, course, token="one")
    reviews.review(session, plugins(), the_attempt(session, learner).id, trainer, "pass", "")
    session.commit()
    response = hand_in(learner_client, course, token="two")
    assert response.status_code == 409 and "passed this activity already" in response.get_data(as_text=True)
    assert count(session, Attempt) == 1


def test_record_passed_is_idempotent(app, session, course, trainer):
    learner, learner_client = enrolled(app, session, course)
    hand_in(learner_client, course)
    attempt = the_attempt(session, learner)
    reviews.review(session, plugins(), attempt.id, trainer, "pass", "")
    enrolment = session.get(Enrolment, attempt.enrolment_id)
    learning.record_passed(session, plugins(), enrolment, attempt.activity, attempt)
    assert count(session, Completion) == 1 and count(session, Certificate) == 1
