"""The web editor: trainers build a course as a draft, preview it, publish it by the package rule, and look after it.

Every test goes through HTTP as a trainer would, and checks what the pages say and what is stored.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mso_academy.accounts.models import Role
from mso_academy.catalog.models import Course, CourseDraft, CourseStatus, CourseTrainer
from mso_academy.catalog.packages import CourseSpec, load_package, spec_from_dict
from mso_academy.learning.models import ActivityProgress, Attempt, Enrolment
from mso_academy.plugins.api import ActivityKind, ActivityView, ContentProblem, hookimpl
from mso_academy.plugins.manager import plugins
from tests.conftest import login
from tests.factories import make_course, make_user

# --- a kind without its own editor: the editor offers its content as YAML ------------------------------------


class Checklist(ActivityKind):
    key = "checklist"
    name = "Checklist"
    template = "unused.html"

    def validate(self, content: Mapping[str, Any]) -> list[ContentProblem]:
        items = content.get("items")
        if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
            return [ContentProblem("items", "a checklist needs a list of items")]
        return []

    def default_content(self) -> dict[str, Any]:
        return {"items": []}

    def render(self, view: ActivityView) -> Markup:
        return Markup('<ul class="checklist">{}</ul>').format(
            Markup("").join(Markup("<li>{}</li>").format(item) for item in view.content["items"])
        )


class ChecklistPlugin:
    @hookimpl
    def register_activity_kinds(self) -> list[ActivityKind]:
        return [Checklist()]


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"EXTRA_PLUGINS": [ChecklistPlugin()]}


# --- helpers ------------------------------------------------------------------------------------------------


@pytest.fixture
def trainer(session: Session) -> Any:
    return make_user(session, name="Tina Trainer", roles=(Role.TRAINER,))


@pytest.fixture
def as_trainer(client: FlaskClient, session: Session, trainer: Any) -> FlaskClient:
    session.commit()
    login(client, trainer.email)
    return client


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def create_course(client: FlaskClient, title: str = "Kassenführung im Verein", **fields: Any) -> str:
    data = {
        "title": title,
        "summary": "Geld zählen, Belege sammeln.",
        "language": "de",
        "course_type": "general",
        "level": "beginner",
        "duration_minutes": "45",
        **fields,
    }
    response = client.post("/trainer/new-course", data=data)
    assert response.status_code == 303, text(response)
    match = re.search(r"/trainer/courses/([a-z0-9-]+)/$", response.location)
    assert match, response.location
    return match.group(1)


def draft(session: Session, slug: str) -> CourseSpec:
    session.expire_all()
    course = session.scalar(select(Course).where(Course.slug == slug))
    row = session.scalar(select(CourseDraft).where(CourseDraft.course_id == course.id))
    return spec_from_dict(row.spec)


def course_row(session: Session, slug: str) -> Course:
    session.expire_all()
    return session.scalar(select(Course).where(Course.slug == slug))


def add_module(client: FlaskClient, slug: str, title: str) -> Any:
    return client.post(f"/trainer/courses/{slug}/modules", data={"title": title})


def add_activity(client: FlaskClient, slug: str, module: str, kind: str, title: str) -> str:
    response = client.post(f"/trainer/courses/{slug}/modules/{module}/activities", data={"kind": kind, "title": title})
    assert response.status_code == 303, text(response)
    return response.location.rsplit("/", 1)[1]


def lesson_form(title: str, body: str, minutes: str = "5", module: str = "module-1") -> dict[str, str]:
    return {"title": title, "required": "y", "module": module, "body": body, "minutes": minutes}


def quiz_form(title: str = "Kleiner Test", module: str = "module-1", **extra: str) -> dict[str, str]:
    """The quiz editor's fields: a single-choice and a numeric question, filled in as a trainer would."""
    return {
        "title": title,
        "required": "y",
        "module": module,
        "pass_mark": "100",
        "max_attempts": "",
        # the first fieldset is the "new question" one on an empty quiz
        "questions-0-key": "",
        "questions-0-type": "single",
        "questions-0-text": "Wer prüft die Kasse?",
        "questions-0-points": "1",
        "questions-0-options-0-key": "",
        "questions-0-options-0-text": "Die Kassenprüfer",
        "questions-0-options-0-correct": "1",
        "questions-0-options-0-feedback": "Richtig.",
        "questions-0-options-1-key": "",
        "questions-0-options-1-text": "Der Kassenwart selbst",
        "questions-0-options-1-feedback": "Nein, nie sich selbst.",
        "questions-0-options-2-key": "",
        "questions-0-options-2-text": "",
        "questions-0-correct": "",
        "questions-0-answer": "",
        "questions-0-tolerance": "0",
        **extra,
    }


def numeric_question(index: int, text_: str = "Wie viele Kassenprüfer braucht ihr?", answer: str = "2") -> dict:
    p = f"questions-{index}-"
    return {
        p + "key": "",
        p + "type": "numeric",
        p + "text": text_,
        p + "points": "2",
        p + "answer": answer,
        p + "tolerance": "0",
        p + "feedback_incorrect": "Zwei sind üblich.",
    }


def build_course(client: FlaskClient, session: Session, title: str = "Kassenführung im Verein") -> str:
    """A complete course: module 1 with a lesson and a quiz, module 2 with a lesson."""
    slug = create_course(client, title)
    lesson = add_activity(client, slug, "module-1", "text_lesson", "Was ist eine Kasse?")
    response = client.post(
        f"/trainer/courses/{slug}/activities/{lesson}",
        data=lesson_form("Was ist eine Kasse?", "# Die Kasse\n\nBargeld."),
    )
    assert response.status_code == 303, text(response)
    quiz = add_activity(client, slug, "module-1", "quiz", "Kleiner Test")
    response = client.post(f"/trainer/courses/{slug}/activities/{quiz}", data={**quiz_form(), **numeric_question(1)})
    assert response.status_code == 303, text(response)
    assert add_module(client, slug, "Belege").status_code == 303
    second = add_activity(client, slug, "belege", "text_lesson", "Belege sammeln")
    response = client.post(
        f"/trainer/courses/{slug}/activities/{second}",
        data=lesson_form("Belege sammeln", "Jeder Euro braucht einen Beleg.", module="belege"),
    )
    assert response.status_code == 303, text(response)
    return slug


def learner_client(app: Flask, session: Session, name: str = "Lena Learner") -> tuple[FlaskClient, Any]:
    learner = make_user(session, name=name)
    session.commit()
    client = app.test_client()
    login(client, learner.email)
    return client, learner


def kind_markup(html: str) -> str:
    """The part of a page an activity kind renders (a lesson's body, a quiz's questions), for comparing pages."""
    lesson = re.search(r'<div class="lesson-body prose">.*?</div>', html, re.S)
    if lesson:
        return lesson.group(0)
    questions = re.findall(r'<fieldset class="question" id="question-.*?</fieldset>', html, re.S)
    assert questions, html
    return "\n".join(questions)


# --- building, previewing and publishing --------------------------------------------------------------------


def test_a_trainer_builds_previews_and_publishes_a_course_that_learners_then_take(
    app: Flask, as_trainer: FlaskClient, session: Session, trainer: Any
) -> None:
    slug = create_course(as_trainer, "Kassenführung im Verein")
    course = course_row(session, slug)
    assert slug == "kassenfuehrung-im-verein"
    assert course.status == CourseStatus.DRAFT and course.owner_id == trainer.id
    page = text(as_trainer.get(f"/trainer/courses/{slug}/"))
    assert "Kassenführung im Verein" in page and "Module 1" in page
    assert "This module has no activity yet." in page  # the checklist before publishing

    # The new course is nowhere for learners, and its editor is in the trainer's list.
    assert "Kassenführung" not in text(as_trainer.get("/courses/"))
    assert "Kassenführung im Verein" in text(as_trainer.get("/trainer/courses/"))

    build_course(as_trainer, session, "Kassenführung für Fortgeschrittene")
    slug = "kassenfuehrung-fuer-fortgeschrittene"
    spec = draft(session, slug)
    assert [m.key for m in spec.modules] == ["module-1", "belege"]
    assert [a.key for a in spec.modules[0].activities] == ["was-ist-eine-kasse", "kleiner-test"]
    quiz = spec.modules[0].activities[1].content
    assert quiz["pass_mark"] == 100 and quiz["max_attempts"] is None
    assert [q["key"] for q in quiz["questions"]] == ["q1", "q2"]
    assert quiz["questions"][0]["options"] == [
        {"key": "a", "text": "Die Kassenprüfer", "correct": True, "feedback": "Richtig."},
        {"key": "b", "text": "Der Kassenwart selbst", "correct": False, "feedback": "Nein, nie sich selbst."},
    ]
    assert quiz["questions"][1] == {
        "key": "q2",
        "type": "numeric",
        "text": "Wie viele Kassenprüfer braucht ihr?",
        "points": 2,
        "answer": 2,
        "tolerance": 0,
        "feedback_incorrect": "Zwei sind üblich.",
    }

    # Previews: the activity as the learner's page shows it, and the catalogue's course page from the draft.
    lesson_preview = text(as_trainer.get(f"/trainer/courses/{slug}/activities/was-ist-eine-kasse/preview"))
    assert '<div class="lesson-body prose">' in lesson_preview and "<p>Bargeld.</p>" in lesson_preview
    assert "Preview" in lesson_preview and "Mark as done" not in lesson_preview
    quiz_preview = text(as_trainer.get(f"/trainer/courses/{slug}/activities/kleiner-test/preview"))
    assert "Wer prüft die Kasse?" in quiz_preview and "Die Kassenprüfer" in quiz_preview
    course_preview = as_trainer.get(f"/trainer/courses/{slug}/preview")
    assert course_preview.status_code == 200
    for words in ("Kassenführung für Fortgeschrittene", "Belege sammeln", "Kleiner Test", "Preview of the draft"):
        assert words in text(course_preview)
    # Submitting in a preview stores nothing.
    response = as_trainer.post(f"/trainer/courses/{slug}/activities/kleiner-test/preview", data={"q-q1": "a"})
    assert response.status_code == 303
    assert session.scalar(select(func.count()).select_from(Attempt)) == 0

    # Publish: the course is in the catalogue, a learner enrols and learns.
    response = as_trainer.post(f"/trainer/courses/{slug}/publish")
    assert response.status_code == 303
    assert "learners now see version 1.0" in text(as_trainer.get(response.location))
    course = course_row(session, slug)
    assert course.status == CourseStatus.PUBLISHED and course.version == "1.0"
    assert [a.key for m in course.modules for a in m.activities] == [
        "was-ist-eine-kasse",
        "kleiner-test",
        "belege-sammeln",
    ]
    assert "Kassenführung für Fortgeschrittene" in text(as_trainer.get("/courses/"))

    learner, _learner = learner_client(app, session)
    assert learner.post(f"/courses/{slug}/enrol").status_code == 303
    lesson, quiz_activity = course.modules[0].activities
    learner_lesson = text(learner.get(f"/learn/{slug}/{lesson.id}"))
    assert kind_markup(learner_lesson) == kind_markup(lesson_preview)
    assert learner.post(f"/learn/{slug}/{lesson.id}", data={"submission_token": "t1", "done": "1"}).status_code == 303
    learner_quiz = text(learner.get(f"/learn/{slug}/{quiz_activity.id}"))
    assert kind_markup(learner_quiz) == kind_markup(quiz_preview)
    response = learner.post(
        f"/learn/{slug}/{quiz_activity.id}", data={"submission_token": "t2", "q-q1": "a", "q-q2": "2"}
    )
    assert response.status_code == 303
    attempt = session.scalar(select(Attempt).where(Attempt.activity_id == quiz_activity.id))
    assert attempt.passed


def test_every_installed_kind_can_be_added_and_previewed(as_trainer: FlaskClient, session: Session) -> None:
    slug = create_course(as_trainer)
    for key, kind in plugins().activity_kinds.items():
        activity = add_activity(as_trainer, slug, "module-1", key, f"Ein {kind.name}")
        editor = as_trainer.get(f"/trainer/courses/{slug}/activities/{activity}")
        assert editor.status_code == 200, key
        assert as_trainer.get(f"/trainer/courses/{slug}/activities/{activity}/preview").status_code == 200, key
    assert {a.kind for a in draft(session, slug).modules[0].activities} == set(plugins().activity_kinds)


def test_an_invalid_quiz_is_refused_with_the_message_and_nothing_is_saved(
    as_trainer: FlaskClient, session: Session
) -> None:
    slug = create_course(as_trainer)
    quiz = add_activity(as_trainer, slug, "module-1", "quiz", "Kleiner Test")
    before = draft(session, slug)
    wrong = quiz_form(**{"questions-0-options-1-correct": "1", "pass_mark": "120"})
    response = as_trainer.post(f"/trainer/courses/{slug}/activities/{quiz}", data=wrong)
    assert response.status_code == 422
    page = text(response)
    assert "Nothing was saved." in page
    assert "Question 1 › options: a single-choice question needs exactly one correct option" in page
    assert "pass mark: pass_mark must be a whole number from 0 to 100" in page
    # The form shows what the trainer typed, with the problem next to its field.
    assert 'value="Der Kassenwart selbst"' in page and 'id="pass_mark"' in page and 'aria-invalid="true"' in page
    assert draft(session, slug) == before


def test_quiz_questions_are_edited_deleted_and_added_in_one_form(as_trainer: FlaskClient, session: Session) -> None:
    slug = create_course(as_trainer)
    quiz = add_activity(as_trainer, slug, "module-1", "quiz", "Kleiner Test")
    url = f"/trainer/courses/{slug}/activities/{quiz}"
    assert as_trainer.post(url, data={**quiz_form(), **numeric_question(1)}).status_code == 303
    page = text(as_trainer.get(url))
    assert 'name="questions-0-text"' in page and 'name="questions-1-answer"' in page
    assert "New question" in page and 'name="questions-2-text"' in page
    data = {
        **quiz_form(),
        "questions-0-key": "q1",
        "questions-0-options-0-key": "a",
        "questions-0-options-1-key": "b",
        "questions-0-text": "Wer prüft die Kasse am Jahresende?",
        **numeric_question(1),
        "questions-1-key": "q2",
        "questions-1-delete": "1",
        "questions-2-key": "",
        "questions-2-type": "true_false",
        "questions-2-text": "Belege darf man wegwerfen.",
        "questions-2-points": "1",
        "questions-2-correct": "false",
        "questions-2-feedback_correct": "Genau.",
    }
    assert as_trainer.post(url, data=data).status_code == 303
    questions = draft(session, slug).modules[0].activities[0].content["questions"]
    assert [(q["key"], q["type"], q["text"]) for q in questions] == [
        ("q1", "single", "Wer prüft die Kasse am Jahresende?"),
        ("q2", "true_false", "Belege darf man wegwerfen."),
    ]
    assert questions[1]["correct"] is False and questions[1]["feedback_correct"] == "Genau."


def test_a_lesson_without_text_is_refused_naming_the_field(as_trainer: FlaskClient, session: Session) -> None:
    slug = create_course(as_trainer)
    lesson = add_activity(as_trainer, slug, "module-1", "text_lesson", "Leer")
    response = as_trainer.post(f"/trainer/courses/{slug}/activities/{lesson}", data=lesson_form("Leer", " ", "zehn"))
    assert response.status_code == 422
    page = text(response)
    assert "body: a text lesson needs a non-empty Markdown text" in page
    assert "minutes: minutes must be a whole number from 1 to 600" in page
    assert draft(session, slug).modules[0].activities[0].content == {"body": "", "minutes": 5}


def test_a_kind_without_its_own_editor_is_edited_as_yaml(as_trainer: FlaskClient, session: Session) -> None:
    slug = create_course(as_trainer)
    item = add_activity(as_trainer, slug, "module-1", "checklist", "Vor der Sitzung")
    url = f"/trainer/courses/{slug}/activities/{item}"
    assert 'name="content_yaml"' in text(as_trainer.get(url))
    form = {"title": "Vor der Sitzung", "required": "y", "module": "module-1"}
    broken = as_trainer.post(url, data={**form, "content_yaml": "items: [Einladung\n  - x: ["})
    assert broken.status_code == 422 and "This is not valid YAML (line" in text(broken)
    dated = as_trainer.post(url, data={**form, "content_yaml": "items: [2026-03-01]"})
    assert dated.status_code == 422 and "must be written in quotes" in text(dated)
    wrong = as_trainer.post(url, data={**form, "content_yaml": "items: 3"})
    assert wrong.status_code == 422 and "items: a checklist needs a list of items" in text(wrong)
    assert draft(session, slug).modules[0].activities[0].content == {"items": []}
    good = as_trainer.post(url, data={**form, "content_yaml": "items:\n  - Einladung\n  - Protokoll\n"})
    assert good.status_code == 303
    assert draft(session, slug).modules[0].activities[0].content == {"items": ["Einladung", "Protokoll"]}
    preview = text(as_trainer.get(f"{url}/preview"))
    assert '<ul class="checklist"><li>Einladung</li><li>Protokoll</li></ul>' in preview


def test_publishing_an_incomplete_draft_lists_the_problems_per_activity(
    as_trainer: FlaskClient, session: Session
) -> None:
    slug = create_course(as_trainer)
    add_activity(as_trainer, slug, "module-1", "text_lesson", "Noch leer")
    add_module(as_trainer, slug, "Leeres Modul")
    response = as_trainer.post(f"/trainer/courses/{slug}/publish")
    assert response.status_code == 422
    page = text(response)
    assert "The course cannot be published yet." in page
    assert re.search(r'href="/trainer/courses/[^"]+/activities/noch-leer">Noch leer</a>: body: a text lesson', page)
    assert "Leeres Modul</a>: This module has no activity yet." in page
    assert course_row(session, slug).status == CourseStatus.DRAFT


# --- order ---------------------------------------------------------------------------------------------------


def test_modules_and_activities_move_up_and_down(as_trainer: FlaskClient, session: Session) -> None:
    slug = build_course(as_trainer, session)
    response = as_trainer.post(
        f"/trainer/courses/{slug}/move-module",
        data={"key": "belege", "direction": "up", "order": ["module-1", "belege"]},
    )
    assert response.status_code == 303 and response.location.endswith("#module-belege")
    assert [m.key for m in draft(session, slug).modules] == ["belege", "module-1"]
    response = as_trainer.post(
        f"/trainer/courses/{slug}/modules/module-1/move-activity",
        data={"key": "was-ist-eine-kasse", "direction": "down", "order": ["was-ist-eine-kasse", "kleiner-test"]},
    )
    assert response.status_code == 303
    assert [a.key for a in draft(session, slug).modules[1].activities] == ["kleiner-test", "was-ist-eine-kasse"]
    # The editor's buttons carry the order as shown.
    page = text(as_trainer.get(f"/trainer/courses/{slug}/"))
    assert re.search(
        r'name="key" value="module-1">\s*<input type="hidden" name="direction" value="up">'
        r'<input type="hidden" name="order" value="belege"><input type="hidden" name="order" value="module-1">',
        page,
    )


@pytest.mark.parametrize(
    ("key", "order", "message"),
    [
        ("belege", ["belege", "module-1"], "The order was changed in the meantime"),  # stale: moved in another window
        ("module-1", ["module-1"], "The order was changed in the meantime"),  # stale: a module was added since
        ("belege", ["module-1", "belege", "geheim"], "does not match this course"),  # forged: an unknown key
        ("belege", ["module-1", "module-1", "belege"], "does not match this course"),  # forged: a repeated key
        ("belege", ["module-1"], "does not match this course"),  # forged: moves what the page did not show
        ("belege", [], "does not match this course"),  # forged: no order at all
    ],
)
def test_moving_with_a_stale_or_forged_order_is_refused_and_changes_nothing(
    as_trainer: FlaskClient, session: Session, key: str, order: list[str], message: str
) -> None:
    slug = build_course(as_trainer, session)
    before = draft(session, slug)
    response = as_trainer.post(
        f"/trainer/courses/{slug}/move-module", data={"key": key, "direction": "down", "order": order}
    )
    assert response.status_code == 409
    assert message in text(response) and "Nothing was moved" in text(response)
    response = as_trainer.post(
        f"/trainer/courses/{slug}/modules/module-1/move-activity",
        data={"key": "kleiner-test", "direction": "up", "order": [*order, "kleiner-test"]},
    )
    assert response.status_code == 409
    assert draft(session, slug) == before


def test_modules_and_activities_are_edited_and_removed(as_trainer: FlaskClient, session: Session) -> None:
    slug = build_course(as_trainer, session)
    response = as_trainer.post(
        f"/trainer/courses/{slug}/modules/belege",
        data={"title": "Belege und Quittungen", "summary": "Alles aufheben.", "renewal": "y"},
    )
    assert response.status_code == 303
    module = draft(session, slug).modules[1]
    assert (module.key, module.title, module.summary, module.renewal) == (
        "belege",
        "Belege und Quittungen",
        "Alles aufheben.",
        True,
    )
    # An activity moves to another module through its form; its key stays.
    response = as_trainer.post(
        f"/trainer/courses/{slug}/activities/kleiner-test", data={**quiz_form(module="belege"), "questions-0-key": "q1"}
    )
    assert response.status_code == 303
    spec = draft(session, slug)
    assert [a.key for a in spec.modules[1].activities] == ["belege-sammeln", "kleiner-test"]
    assert as_trainer.post(f"/trainer/courses/{slug}/activities/kleiner-test/remove").status_code == 303
    assert as_trainer.post(f"/trainer/courses/{slug}/modules/module-1/remove").status_code == 303
    spec = draft(session, slug)
    assert [(m.key, [a.key for a in m.activities]) for m in spec.modules] == [("belege", ["belege-sammeln"])]
    # Titles make new keys, unique within the course.
    add_module(as_trainer, slug, "Belege")
    assert [m.key for m in draft(session, slug).modules] == ["belege", "belege-2"]


def test_course_details_are_edited_in_the_draft(as_trainer: FlaskClient, session: Session) -> None:
    slug = create_course(as_trainer)
    url = f"/trainer/courses/{slug}/details"
    assert 'value="Kassenführung im Verein"' in text(as_trainer.get(url))
    data = {
        "title": "Kasse leicht gemacht",
        "summary": "Kurz.",
        "description": "## Worum es geht\r\nUm Geld.",
        "learning_outcomes": "Belege sammeln\r\n\r\nKasse prüfen",
        "language": "tr",
        "course_type": "general",
        "level": "intermediate",
        "duration_minutes": "90",
        "version": "1.1",
        "certificate_description": "Bestätigt die Grundlagen.",
        "certificate_validity_months": "24",
    }
    assert as_trainer.post(url, data=data).status_code == 303
    spec = draft(session, slug)
    assert (spec.title, spec.language, spec.level, spec.duration_minutes, spec.version) == (
        "Kasse leicht gemacht",
        "tr",
        "intermediate",
        90,
        "1.1",
    )
    assert spec.description == "## Worum es geht\nUm Geld."
    assert spec.learning_outcomes == ["Belege sammeln", "Kasse prüfen"]
    assert spec.certificate_validity_months == 24
    # The live course keeps its fields until publishing; a bad version is refused.
    assert course_row(session, slug).title == "Kassenführung im Verein"
    response = as_trainer.post(url, data={**data, "version": "1.1 beta"})
    assert response.status_code == 422 and draft(session, slug).version == "1.1"


def test_reading_the_editor_stores_nothing(as_trainer: FlaskClient, session: Session, trainer: Any) -> None:
    course = make_course(session, owner=trainer)
    session.commit()
    for url in (
        f"/trainer/courses/{course.slug}/",
        f"/trainer/courses/{course.slug}/details",
        f"/trainer/courses/{course.slug}/modules/m1",
        f"/trainer/courses/{course.slug}/activities/m1-a2",
        f"/trainer/courses/{course.slug}/activities/m1-a2/preview",
        f"/trainer/courses/{course.slug}/preview",
        f"/trainer/courses/{course.slug}/export.zip",
    ):
        assert as_trainer.get(url).status_code == 200, url
    assert session.scalar(select(func.count()).select_from(CourseDraft)) == 0


# --- the published course and its draft ---------------------------------------------------------------------


def publish(client: FlaskClient, slug: str) -> Any:
    return client.post(f"/trainer/courses/{slug}/publish")


def set_version(client: FlaskClient, session: Session, slug: str, version: str) -> None:
    spec = draft(session, slug)
    data = {
        "title": spec.title,
        "summary": spec.summary,
        "language": spec.language,
        "course_type": spec.course_type,
        "level": spec.level,
        "duration_minutes": str(spec.duration_minutes),
        "version": version,
    }
    assert client.post(f"/trainer/courses/{slug}/details", data=data).status_code == 303


def test_changes_to_a_published_course_need_a_new_version_and_keep_learners_progress(
    app: Flask, as_trainer: FlaskClient, session: Session
) -> None:
    slug = build_course(as_trainer, session)
    assert publish(as_trainer, slug).status_code == 303
    learner, person = learner_client(app, session)
    learner.post(f"/courses/{slug}/enrol")
    course = course_row(session, slug)
    lesson = course.modules[0].activities[0]
    learner.post(f"/learn/{slug}/{lesson.id}", data={"submission_token": "t1", "done": "1"})
    assert "Bargeld." in text(learner.get(f"/learn/{slug}/{lesson.id}"))

    # The trainer edits the draft: learners still see the published text.
    as_trainer.post(
        f"/trainer/courses/{slug}/activities/was-ist-eine-kasse",
        data=lesson_form("Was ist eine Kasse?", "# Die Kasse\n\nBargeld und Konto."),
    )
    assert "Bargeld und Konto." not in text(learner.get(f"/learn/{slug}/{lesson.id}"))
    editor = text(as_trainer.get(f"/trainer/courses/{slug}/"))
    assert "the draft has changes that are not published yet" in editor and "Discard changes" in editor

    # Publishing changed content under the same version is refused, with the package rule's message.
    response = publish(as_trainer, slug)
    assert response.status_code == 409
    assert "version 1.0 exists with different content; raise the version" in text(response)
    assert "Bargeld und Konto." not in text(learner.get(f"/learn/{slug}/{lesson.id}"))

    # With a new version it goes live; the learner's progress stays.
    set_version(as_trainer, session, slug, "1.1")
    assert publish(as_trainer, slug).status_code == 303
    assert course_row(session, slug).version == "1.1"
    assert "Bargeld und Konto." in text(learner.get(f"/learn/{slug}/{lesson.id}"))
    assert session.scalar(
        select(func.count())
        .select_from(ActivityProgress)
        .join(Enrolment)
        .where(Enrolment.user_id == person.id, ActivityProgress.activity_id == lesson.id)
    )
    assert "published" in text(as_trainer.get(f"/trainer/courses/{slug}/")).lower()
    # Publishing again without changes says so.
    response = publish(as_trainer, slug)
    assert "published already, with exactly this content" in text(as_trainer.get(response.location))


def test_removing_an_activity_learners_worked_on_is_refused_on_publishing(
    app: Flask, as_trainer: FlaskClient, session: Session
) -> None:
    slug = build_course(as_trainer, session)
    publish(as_trainer, slug)
    learner, _person = learner_client(app, session)
    learner.post(f"/courses/{slug}/enrol")
    lesson = course_row(session, slug).modules[0].activities[0]
    learner.post(f"/learn/{slug}/{lesson.id}", data={"submission_token": "t1", "done": "1"})
    as_trainer.post(f"/trainer/courses/{slug}/activities/was-ist-eine-kasse/remove")
    set_version(as_trainer, session, slug, "2.0")
    response = publish(as_trainer, slug)
    assert response.status_code == 409
    assert "cannot be removed by an import: was-ist-eine-kasse" in text(response)
    assert course_row(session, slug).version == "1.0"
    # Discarding the draft's changes brings back the published course.
    assert as_trainer.post(f"/trainer/courses/{slug}/discard").status_code == 303
    assert draft_keys(as_trainer, slug) and "was-ist-eine-kasse" in draft_keys(as_trainer, slug)


def draft_keys(client: FlaskClient, slug: str) -> str:
    return text(client.get(f"/trainer/courses/{slug}/"))


def test_unpublish_and_archive_hide_the_course_but_keep_learners_data(
    app: Flask, as_trainer: FlaskClient, session: Session
) -> None:
    slug = build_course(as_trainer, session)
    publish(as_trainer, slug)
    learner, person = learner_client(app, session)
    learner.post(f"/courses/{slug}/enrol")
    assert as_trainer.post(f"/trainer/courses/{slug}/unpublish").status_code == 303
    assert course_row(session, slug).status == CourseStatus.DRAFT
    assert learner.get(f"/courses/{slug}").status_code == 404
    assert learner.get(f"/learn/{slug}/").status_code == 404
    assert slug not in text(learner.get("/courses/"))
    assert session.scalar(select(func.count()).select_from(Enrolment).where(Enrolment.user_id == person.id)) == 1
    # Publishing again needs no new version: the content is the one learners had.
    assert publish(as_trainer, slug).status_code == 303
    assert learner.get(f"/courses/{slug}").status_code == 200
    assert as_trainer.post(f"/trainer/courses/{slug}/archive").status_code == 303
    assert course_row(session, slug).status == CourseStatus.ARCHIVED
    assert learner.get(f"/courses/{slug}").status_code == 404
    assert as_trainer.post(f"/trainer/courses/{slug}/archive").status_code == 409
    assert session.scalar(select(func.count()).select_from(Enrolment).where(Enrolment.user_id == person.id)) == 1


# --- who may edit ---------------------------------------------------------------------------------------------


def editor_urls(app: Flask, slug: str, user_id: int) -> list[tuple[str, str]]:
    """Every editor route of one course, with the method(s) it answers."""
    values = {"slug": slug, "key": "m1", "user_id": user_id}
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("authoring.") or "slug" not in rule.arguments:
            continue
        args = {name: values[name] for name in rule.arguments}
        if "activities/<key>" in rule.rule:
            args["key"] = "m1-a1"
        url = app.url_for(rule.endpoint, **args, _external=False)
        urls.extend((method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"}))
    return urls


def test_another_trainer_gets_404_from_every_editor_route(
    app: Flask, client: FlaskClient, session: Session, trainer: Any
) -> None:
    course = make_course(session, owner=trainer, status=CourseStatus.DRAFT)
    co = make_user(session, roles=(Role.TRAINER,))
    course.co_trainers.append(CourseTrainer(user_id=co.id))
    other = make_user(session, roles=(Role.TRAINER,))
    session.commit()
    login(client, other.email)
    urls = editor_urls(app, course.slug, co.id)
    assert len(urls) >= 20
    for method, url in urls:
        response = client.open(url, method=method, data={"title": "x", "key": "m1", "direction": "up", "order": "m1"})
        assert response.status_code == 404, (method, url, response.status_code)
    assert session.scalar(select(func.count()).select_from(CourseDraft)) == 0
    assert course_row(session, course.slug).status == CourseStatus.DRAFT
    assert course.slug not in text(client.get("/trainer/courses/"))


def test_a_learner_is_refused_everywhere(app: Flask, client: FlaskClient, session: Session, trainer: Any) -> None:
    course = make_course(session, owner=trainer)
    learner = make_user(session)
    session.commit()
    login(client, learner.email)
    assert client.get("/trainer/courses/").status_code == 403
    assert client.get("/trainer/new-course").status_code == 403
    assert client.post("/trainer/new-course", data={"title": "x"}).status_code == 403
    for method, url in editor_urls(app, course.slug, trainer.id):
        assert client.open(url, method=method).status_code == 404, (method, url)
    assert "Course editor" not in text(client.get("/courses/"))


def test_anonymous_visitors_are_asked_to_log_in(client: FlaskClient, session: Session, trainer: Any) -> None:
    course = make_course(session, owner=trainer)
    session.commit()
    for url in ("/trainer/courses/", f"/trainer/courses/{course.slug}/", "/trainer/new-course"):
        response = client.get(url)
        assert response.status_code == 302 and "/account/login" in response.location


def test_a_trainer_who_lost_the_role_cannot_edit_any_more(client: FlaskClient, session: Session, trainer: Any) -> None:
    from mso_academy.accounts import services as accounts

    course = make_course(session, owner=trainer)
    accounts.revoke_role(session, trainer, Role.TRAINER)
    session.commit()
    login(client, trainer.email)
    assert client.get(f"/trainer/courses/{course.slug}/").status_code == 404


def test_admins_edit_every_course(client: FlaskClient, session: Session, trainer: Any) -> None:
    course = make_course(session, owner=trainer, title="Fremder Kurs")
    admin = make_user(session, roles=(Role.ADMIN,))
    session.commit()
    login(client, admin.email)
    assert "Fremder Kurs" in text(client.get("/trainer/courses/"))
    response = client.post(f"/trainer/courses/{course.slug}/modules", data={"title": "Vom Admin"})
    assert response.status_code == 303
    assert [m.title for m in draft(session, course.slug).modules] == ["Module 1", "Vom Admin"]


def test_co_trainers_are_added_by_email_and_edit_like_the_owner(
    app: Flask, as_trainer: FlaskClient, session: Session, trainer: Any
) -> None:
    slug = create_course(as_trainer)
    colleague = make_user(session, email="kemal@example.org", name="Kemal Kollege", roles=(Role.TRAINER,))
    make_user(session, email="lea@example.org", name="Lea Lernend")
    session.commit()
    url = f"/trainer/courses/{slug}/trainers"
    refused = as_trainer.post(url, data={"email": "lea@example.org"})
    assert refused.status_code == 422 and "There is no trainer with this e-mail address" in text(refused)
    unknown = as_trainer.post(url, data={"email": "niemand@example.org"})
    assert unknown.status_code == 422 and text(unknown).count("There is no trainer") == text(refused).count(
        "There is no trainer"
    )
    assert as_trainer.post(url, data={"email": "Kemal@Example.org"}).status_code == 303
    page = text(as_trainer.get(url))
    assert "Kemal Kollege" in page and "Tina Trainer" in page
    assert as_trainer.post(url, data={"email": "kemal@example.org"}).status_code == 409

    other = app.test_client()
    login(other, colleague.email)
    assert "Kassenführung im Verein" in text(other.get("/trainer/courses/"))
    assert add_module(other, slug, "Vom Kollegen").status_code == 303
    assert [m.title for m in draft(session, slug).modules] == ["Module 1", "Vom Kollegen"]

    # Removed again, the colleague's editor answers 404.
    assert as_trainer.post(f"{url}/{colleague.id}/remove").status_code == 303
    assert other.get(f"/trainer/courses/{slug}/").status_code == 404
    assert as_trainer.post(f"{url}/{colleague.id}/remove").status_code == 404


# --- export -----------------------------------------------------------------------------------------------------


def test_the_export_is_a_course_package_that_validates(
    app: Flask, as_trainer: FlaskClient, session: Session, tmp_path: Path
) -> None:
    slug = build_course(as_trainer, session)
    response = as_trainer.get(f"/trainer/courses/{slug}/export.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert f"{slug}-1.0.zip" in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        names = archive.namelist()
        assert f"{slug}/course.yaml" in names
        assert f"{slug}/01-module-1/was-ist-eine-kasse.md" in names
        archive.extractall(tmp_path)
    spec, problems = load_package(tmp_path / slug, plugins(app))
    assert problems == []
    assert spec == draft(session, slug)


def test_new_course_form_problems_are_shown(as_trainer: FlaskClient, session: Session) -> None:
    response = as_trainer.post("/trainer/new-course", data={"title": "", "language": "de", "course_type": "nope"})
    assert response.status_code == 422
    assert "This field is required." in text(response)
    create_course(as_trainer, slug="kasse")
    again = as_trainer.post(
        "/trainer/new-course",
        data={
            "title": "Noch eine Kasse",
            "slug": "kasse",
            "language": "de",
            "course_type": "general",
            "level": "beginner",
            "duration_minutes": "10",
        },
    )
    assert again.status_code == 422 and "A course with the web address kasse exists already." in text(again)
    # Without a web address, a taken one is numbered.
    assert create_course(as_trainer, "Kasse") == "kasse-2"
