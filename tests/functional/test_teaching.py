"""A trainer looks after learners: progress per module, last activity, quiz results per question, CSV export."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from werkzeug.datastructures import MultiDict

from mso_academy.accounts.models import Role
from mso_academy.catalog.models import CourseTrainer
from mso_academy.learning import services as learning
from mso_academy.learning.models import ActivityProgress
from mso_academy.plugins.manager import plugins
from mso_academy.spreadsheets import spreadsheet_safe
from mso_academy.teaching import services as teaching
from tests.conftest import login
from tests.factories import RIGHT_ANSWERS, WRONG_ANSWERS, make_course, make_user, quiz_content

LESSON = ("text_lesson", {"body": "Read me.", "minutes": 5})
QUIZ = ("quiz", quiz_content())
RIVERS_WRONG = {**RIGHT_ANSWERS, "q-rivers": ["rhein"]}
ALL_WRONG_BUT_EU = {**WRONG_ANSWERS, "q-eu": "true"}


@pytest.fixture
def trainer(session):
    return make_user(session, name="Tara Trainer", roles=(Role.TRAINER,))


@pytest.fixture
def course(session, trainer):
    """Module 1: quiz + lesson; module 2: two lessons; module 3: a renewal module with one lesson."""
    course = make_course(
        session, slug="vereinsrecht", modules=[[QUIZ, LESSON], [LESSON, LESSON], [LESSON]], owner=trainer
    )
    course.modules[2].is_renewal = True
    session.flush()
    return course


def page_url(course):
    return f"/trainer/courses/{course.slug}/learners"


def csv_url(course):
    return f"/trainer/courses/{course.slug}/learners.csv"


def activities(course):
    return [a for m in course.modules for a in m.activities]


def submit(app, session, user, course, activity, data, token):
    """One submission through the services, as the learner's page makes it."""
    with app.test_request_context():
        enrolment = learning.find_enrolment(session, user.id, course.id) or learning.enrol(
            session, plugins(), user, course
        )
        progress = learning.course_progress(session, course, enrolment)
        learning.submit(session, plugins(), progress, activity.id, MultiDict(data), token)
    session.flush()


def enrol(app, session, user, course):
    with app.test_request_context():
        return learning.enrol(session, plugins(), user, course)


def learner_with_progress(app, session, course, name, answers=RIGHT_ANSWERS, lessons=1):
    """A learner who answered the quiz once and passed `lessons` lessons after it."""
    user = make_user(session, name=name)
    quiz, *lesson_list = activities(course)
    submit(app, session, user, course, quiz, answers, f"quiz-{user.id}")
    for number, lesson in enumerate(lesson_list[:lessons]):
        submit(app, session, user, course, lesson, {"done": "1"}, f"lesson-{user.id}-{number}")
    return user


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- what the trainer sees ------------------------------------------------------------------------------------


def test_owner_sees_learners_with_progress_per_module_and_last_activity(app, client, session, trainer, course):
    renewal_lesson = activities(course)[-1]
    ada = learner_with_progress(app, session, course, "Ada Achterberg", lessons=2)  # quiz, lesson 1.2, lesson 2.1
    ben = make_user(session, name="Ben Brandt")
    enrol(app, session, ben, course)
    cem = learner_with_progress(app, session, course, "Cem Çelik", answers=WRONG_ANSWERS, lessons=0)
    # Dana renews her certificate: second cycle, the renewal module counts; she passed its lesson.
    dana = make_user(session, name="Dana Demir")
    dana_enrolment = enrol(app, session, dana, course)
    dana_enrolment.cycle = 2
    session.add(
        ActivityProgress(enrolment_id=dana_enrolment.id, activity_id=renewal_lesson.id, passed_at=datetime.now(UTC))
    )
    march = datetime(2024, 3, 5, 10, 0, tzinfo=UTC)
    ada_enrolment = learning.find_enrolment(session, ada.id, course.id)
    ada_enrolment.last_activity_at = march
    session.commit()

    rows = {row.name: row for row in teaching.learner_overview(session, course)}
    assert list(rows) == ["Ada Achterberg", "Ben Brandt", "Cem Çelik", "Dana Demir"]
    counts = {name: [(m.done, m.total) if m else None for m in row.modules] for name, row in rows.items()}
    assert counts["Ada Achterberg"] == [(2, 2), (1, 2), None]
    assert counts["Ben Brandt"] == [(0, 2), (0, 2), None]
    assert counts["Cem Çelik"] == [(0, 2), (0, 2), None]  # a failed quiz is not done
    assert counts["Dana Demir"] == [(0, 2), (0, 2), (1, 1)]
    assert rows["Ada Achterberg"].percent == 75
    assert rows["Ada Achterberg"].last_activity_at == march
    assert rows["Ben Brandt"].last_activity_at is None
    assert rows["Cem Çelik"].last_activity_at is not None
    assert [rows[n].state for n in rows] == ["in_progress", "not_started", "in_progress", "renewing"]

    login(client, trainer.email)
    response = client.get(page_url(course))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = text_of(html)
    for name in ("Ada Achterberg", "Ben Brandt", "Cem Çelik", "Dana Demir"):
        assert name in text
    assert ada.email in text and cem.email in text  # the trainer may contact them
    assert "4 learners enrolled" in text
    assert "Module 1: Module 1" in text and "Module 3: Module 3 (renewal)" in text
    ada_row = text[text.index("Ada Achterberg") : text.index("Ben Brandt")]
    assert "Mar 5, 2024" in ada_row
    assert "2 of 2" in ada_row and "1 of 2" in ada_row and "only when renewing" in ada_row and "75%" in ada_row
    ben_row = text[text.index("Ben Brandt") : text.index("Cem Çelik")]
    assert "Not started" in ben_row and "none yet" in ben_row and "0 of 2" in ben_row
    dana_row = text[text.index("Dana Demir") :]
    assert "Renewing" in dana_row and "1 of 1" in dana_row
    assert html.count('<div class="table-wrap"') == 2  # learners and the quiz
    assert f'href="{csv_url(course)}"' in html


def test_quiz_statistics_show_the_share_correct_per_question(app, client, session, trainer, course):
    quiz = activities(course)[0]
    learner_with_progress(app, session, course, "Learner One", lessons=0)
    learner_with_progress(app, session, course, "Learner Two", lessons=0)
    three = learner_with_progress(app, session, course, "Learner Three", answers=RIVERS_WRONG, lessons=0)
    submit(app, session, three, course, quiz, RIGHT_ANSWERS, "second-try")
    learner_with_progress(app, session, course, "Learner Four", answers=ALL_WRONG_BUT_EU, lessons=0)
    learner_with_progress(app, session, course, "Learner Five", answers=RIVERS_WRONG, lessons=0)
    session.commit()

    [stats] = teaching.quiz_statistics(session, course)
    assert (stats.attempts, stats.learners) == (6, 5)
    by_key = {q.key: q for q in stats.questions}
    # First attempts: rivers right only by One and Two; capital and states missed by Four only.
    assert (by_key["rivers"].first_correct, by_key["rivers"].first_answered) == (2, 5)
    assert (by_key["rivers"].correct, by_key["rivers"].answered) == (3, 6)
    assert (by_key["capital"].first_correct, by_key["capital"].first_answered) == (4, 5)
    assert (by_key["capital"].correct, by_key["capital"].answered) == (5, 6)
    assert (by_key["eu"].first_correct, by_key["eu"].correct) == (5, 6)
    assert by_key["rivers"].first_share_correct == pytest.approx(0.4)
    assert [q.key for q in stats.questions] == ["rivers", "capital", "states", "eu"]  # most missed first
    assert [q.often_missed for q in stats.questions] == [True, False, False, False]

    login(client, trainer.email)
    text = text_of(client.get(page_url(course)).get_data(as_text=True))
    section = text[text.index("Quiz results per question") :]
    assert "6 attempts · 5 learners" in section
    assert section.index("Which are rivers?") < section.index("Capital of Germany?")
    assert section.index("Capital of Germany?") < section.index("How many federal states?")
    assert section.index("How many federal states?") < section.index("Germany is in the EU.")
    rivers = section[section.index("Which are rivers?") : section.index("Capital of Germany?")]
    assert "Often missed" in rivers
    assert "40% (2 of 5)" in rivers and "50% (3 of 6)" in rivers
    capital = section[section.index("Capital of Germany?") : section.index("How many federal states?")]
    assert "80% (4 of 5)" in capital and "83% (5 of 6)" in capital and "Often missed" not in capital
    eu = section[section.index("Germany is in the EU.") :]
    assert "100% (5 of 5)" in eu and "100% (6 of 6)" in eu


def test_empty_states(client, session, trainer):
    course = make_course(session, modules=[[LESSON]], owner=trainer)
    session.commit()
    login(client, trainer.email)
    text = text_of(client.get(page_url(course)).get_data(as_text=True))
    assert "No one has enrolled in this course yet." in text
    assert "This course has no quizzes." in text
    quiz_course = make_course(session, modules=[[QUIZ]], owner=trainer)
    session.commit()
    text = text_of(client.get(page_url(quiz_course)).get_data(as_text=True))
    assert "No one has answered this quiz yet." in text


# --- CSV --------------------------------------------------------------------------------------------------------


def test_csv_has_a_header_one_row_per_learner_and_neutralises_formulas(app, client, session, trainer, course):
    learner_with_progress(app, session, course, '=HYPERLINK("http://evil")', lessons=2)
    learner_with_progress(app, session, course, "+cmd", lessons=0)
    learner_with_progress(app, session, course, "Jürgen Müller", lessons=1)
    session.commit()
    login(client, trainer.email)

    response = client.get(csv_url(course))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="learners-vereinsrecht.csv"'
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # Excel reads the umlauts as UTF-8
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    header, *rows = table
    assert header == [
        "Name",
        "E-mail",
        "Enrolled",
        "Status",
        "Last activity",
        "Module 1: Module 1",
        "Module 2: Module 2",
        "Module 3: Module 3 (renewal)",
        "Done",
        "Progress (%)",
    ]
    assert len(rows) == 3
    by_name = {row[0]: row for row in rows}
    assert set(by_name) == {"'+cmd", '\'=HYPERLINK("http://evil")', "Jürgen Müller"}
    evil = by_name['\'=HYPERLINK("http://evil")']
    assert evil[5:] == ["2 of 2", "1 of 2", "", "3 of 4", "75"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", evil[2]) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", evil[4])
    assert by_name["Jürgen Müller"][5:] == ["2 of 2", "0 of 2", "", "2 of 4", "50"]
    assert by_name["'+cmd"][3] == "In progress"


def test_every_formula_trigger_is_neutralised():
    for dangerous in ("=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert spreadsheet_safe(dangerous) == "'" + dangerous
    assert spreadsheet_safe("Anna") == "Anna"
    assert spreadsheet_safe(75) == "75"
    assert spreadsheet_safe(None) == ""


# --- who may see it ---------------------------------------------------------------------------------------------


def test_another_trainer_gets_404_for_page_and_csv(client, session, course):
    other = make_user(session, roles=(Role.TRAINER,))
    session.commit()
    login(client, other.email)
    assert client.get(page_url(course)).status_code == 404
    assert client.get(csv_url(course)).status_code == 404


def test_a_learner_gets_404(app, client, session, course):
    learner = make_user(session)
    enrol(app, session, learner, course)
    session.commit()
    login(client, learner.email)
    assert client.get(page_url(course)).status_code == 404
    assert client.get(csv_url(course)).status_code == 404


def test_unknown_course_is_404(client, session, trainer):
    session.commit()
    login(client, trainer.email)
    assert client.get("/trainer/courses/no-such-course/learners").status_code == 404


def test_anonymous_is_sent_to_login(client, session, course):
    session.commit()
    for url in (page_url(course), csv_url(course)):
        response = client.get(url)
        assert response.status_code == 302 and "/account/login" in response.location


def test_admin_and_co_trainer_may_see_it(client, session, course):
    admin = make_user(session, roles=(Role.ADMIN,))
    co_trainer = make_user(session, roles=(Role.TRAINER,))
    session.add(CourseTrainer(course_id=course.id, user_id=co_trainer.id))
    session.commit()
    for user in (admin, co_trainer):
        login(client, user.email)
        assert client.get(page_url(course)).status_code == 200
        assert client.get(csv_url(course)).status_code == 200
        client.post("/account/logout")


def test_co_trainer_without_the_trainer_role_gets_404(client, session, course):
    former = make_user(session)
    session.add(CourseTrainer(course_id=course.id, user_id=former.id))
    session.commit()
    login(client, former.email)
    assert client.get(page_url(course)).status_code == 404


# --- queries ----------------------------------------------------------------------------------------------------


def test_number_of_queries_does_not_grow_with_the_number_of_learners(
    app, client, session, trainer, course, select_queries
):
    queries_for = select_queries

    def add_learners(count):
        for n in range(count):
            passes = n % 2 == 1  # a failed quiz keeps the lessons after it locked
            answers = RIGHT_ANSWERS if passes else RIVERS_WRONG
            learner_with_progress(app, session, course, f"Learner {n}", answers=answers, lessons=n % 4 if passes else 0)
        session.commit()

    add_learners(2)
    login(client, trainer.email)
    few = queries_for(page_url(course))
    few_csv = queries_for(csv_url(course))
    add_learners(8)
    many = queries_for(page_url(course))
    many_csv = queries_for(csv_url(course))
    assert len(teaching.learner_overview(session, course)) == 10
    assert few, "the listener saw no queries"
    assert len(many) == len(few)
    assert len(many_csv) == len(few_csv)
    assert len(many) <= 10, many
