"""A plugin written in the test registers its own course type and activity kind ("word order"), with its own
template; a learner completes a course of that kind over HTTP, and the lifecycle hooks see it happen.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.orm import Session

from mso_academy.accounts.models import User
from mso_academy.catalog.packages import load_package
from mso_academy.learning.models import ActivityProgress, Attempt, Completion, Enrolment, EnrolmentStatus
from mso_academy.plugins.api import (
    ActivityKind,
    AnswerError,
    ContentProblem,
    CourseType,
    FormData,
    Grade,
    gettext,
    hookimpl,
)
from mso_academy.plugins.manager import plugins
from tests.conftest import login
from tests.factories import make_course, make_user

# --- the plugin -----------------------------------------------------------------------------------------------

WORD_ORDER_TEMPLATE = """\
<div class="word-order" data-kind="{{ kind.key }}">
  <p class="instructions">{{ _("Put the words in the right order.") }}</p>
  <ul class="word-bank">
    {%- for word in view.content.words|sort(case_sensitive=false) %}<li>{{ word }}</li>{% endfor -%}
  </ul>
  {% if view.last_attempt %}
    <p class="word-order-result" id="result">{{ view.last_attempt.summary }}</p>
  {% endif %}
  {% if view.attempts_left is not none %}<p class="attempts-left">Attempts left: {{ view.attempts_left }}</p>{% endif %}
  {% if view.can_submit %}
    <form method="post" action="{{ view.submit_url }}">
      <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
      <input type="hidden" name="submission_token" value="{{ view.submission_token }}">
      <label>{{ _("Your sentence") }} <input type="text" name="sentence" autocomplete="off"></label>
      <button type="submit">{{ _("Check") }}</button>
    </form>
  {% elif not view.passed %}
    <p class="no-attempts">No attempts left.</p>
  {% endif %}
</div>
"""


class WordOrder(ActivityKind):
    """The learner types the words of a sentence in the right order."""

    key = "word_order"
    name = "Word order"
    description = "Put the words of a sentence in the right order."
    template = "word_order_test/word_order.html"

    def validate(self, content: Mapping[str, Any]) -> list[ContentProblem]:
        problems = []
        words = content.get("words")
        if not isinstance(words, list) or len(words) < 2 or not all(isinstance(w, str) and w for w in words):
            problems.append(ContentProblem("words", "a sentence needs a list of at least two words"))
        limit = content.get("max_attempts")
        if limit is not None and (not isinstance(limit, int) or limit < 1):
            problems.append(ContentProblem("max_attempts", "max_attempts must be empty or at least 1"))
        return problems

    def parse_answers(self, content: Mapping[str, Any], form: FormData) -> dict[str, Any]:
        words = str(form.get("sentence", "")).split()
        if not words:
            raise AnswerError(gettext("Please type the sentence."))
        return {"words": words}

    def grade(self, content: Mapping[str, Any], answers: Mapping[str, Any]) -> Grade:
        expected = [w.casefold() for w in content["words"]]
        given = [w.casefold() for w in answers["words"]]
        in_place = [i < len(given) and given[i] == word for i, word in enumerate(expected)]
        passed = given == expected
        score = 1.0 if passed else sum(in_place) / max(len(expected), len(given))
        summary = (
            gettext("Well done: the sentence is right.")
            if passed
            else gettext("Not quite: %(n)d of %(total)d words are in place.", n=sum(in_place), total=len(expected))
        )
        return Grade(score=score, passed=passed, feedback={"in_place": in_place}, summary=summary)

    def max_attempts(self, content: Mapping[str, Any]) -> int | None:
        return content.get("max_attempts")

    def estimated_minutes(self, content: Mapping[str, Any]) -> int:
        return 1 + len(content["words"]) // 10


# A table of the plugin's own, so that a lifecycle hook can write in the request's transaction.
plugin_metadata = MetaData()
badges = Table(
    "test_word_order_badges",
    plugin_metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey(User.__table__.c.id), nullable=False),
    Column("course_slug", String(100), nullable=False),
)


class LanguagePlugin:
    """Registers the course type, the kind and its templates; records every lifecycle call it receives."""

    __version__ = "0.3"

    def __init__(self, template_dir: Path) -> None:
        self.template_dir = template_dir
        self.calls: list[tuple[str, dict[str, Any]]] = []

    @hookimpl
    def register_course_types(self) -> list[CourseType]:
        return [CourseType(slug="language", name="German for associations", icon="🗣")]

    @hookimpl
    def register_activity_kinds(self) -> list[ActivityKind]:
        return [WordOrder()]

    @hookimpl
    def register_template_dirs(self) -> list[Path]:
        return [self.template_dir]

    @hookimpl
    def enrolled(self, session: Session, user_id: int, course_slug: str, enrolment_id: int, source: str) -> None:
        # The enrolment is flushed before the hook runs, in the session the request will commit.
        stored = session.get(Enrolment, enrolment_id)
        self.calls.append(
            (
                "enrolled",
                {
                    "user_id": user_id,
                    "course_slug": course_slug,
                    "enrolment_id": enrolment_id,
                    "source": source,
                    "visible": stored is not None and stored.user_id == user_id,
                },
            )
        )

    @hookimpl
    def activity_passed(
        self,
        session: Session,
        user_id: int,
        course_slug: str,
        activity_key: str,
        kind: str,
        attempt_id: int,
        score: float,
    ) -> None:
        attempt = session.get(Attempt, attempt_id)
        self.calls.append(
            (
                "activity_passed",
                {
                    "user_id": user_id,
                    "course_slug": course_slug,
                    "activity_key": activity_key,
                    "kind": kind,
                    "attempt_id": attempt_id,
                    "score": score,
                    "visible": attempt is not None and attempt.passed,
                },
            )
        )

    @hookimpl
    def course_completed(self, session: Session, user_id: int, course_slug: str, enrolment_id: int, completed_at):  # type: ignore[no-untyped-def]
        self.calls.append(
            (
                "course_completed",
                {
                    "user_id": user_id,
                    "course_slug": course_slug,
                    "enrolment_id": enrolment_id,
                    "completed_at": completed_at,
                },
            )
        )
        session.execute(insert(badges).values(user_id=user_id, course_slug=course_slug))  # flushed, never committed


class GrumpyPlugin:
    """Fails in a lifecycle hook: the request that triggered it must leave nothing behind."""

    @hookimpl
    def enrolled(self, user_id: int) -> None:
        raise RuntimeError(f"cannot welcome user {user_id}")


# --- fixtures -------------------------------------------------------------------------------------------------


@pytest.fixture
def template_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "plugin_templates"
    (folder / "word_order_test").mkdir(parents=True)
    (folder / "word_order_test" / "word_order.html").write_text(WORD_ORDER_TEMPLATE, encoding="utf-8")
    return folder


@pytest.fixture
def language_plugin(template_dir: Path) -> LanguagePlugin:
    return LanguagePlugin(template_dir)


@pytest.fixture
def app_config(language_plugin: LanguagePlugin) -> dict[str, Any]:
    return {"EXTRA_PLUGINS": [language_plugin]}


@pytest.fixture
def badge_table(connection: Any) -> Table:
    badges.create(connection)  # rolled back with the test's transaction
    return badges


SENTENCE_1 = ["Der", "Verein", "hat", "einen", "Vorstand"]
SENTENCE_2 = ["Die", "Mitgliederversammlung", "wählt", "den", "Vorstand"]


def language_course(session: Session, **content: Any):  # type: ignore[no-untyped-def]
    return make_course(
        session,
        slug="deutsch-im-verein",
        course_type="language",
        modules=[
            [("text_lesson", {"body": "Read this first.", "minutes": 2}), ("word_order", {"words": SENTENCE_1})],
            [("word_order", {"words": SENTENCE_2, **content})],
        ],
    )


def url(course, activity) -> str:  # type: ignore[no-untyped-def]
    return f"/learn/{course.slug}/{activity.id}"


def post(client, course, activity, token: str, **data: str):  # type: ignore[no-untyped-def]
    return client.post(url(course, activity), data={"submission_token": token, **data})


# --- tests ----------------------------------------------------------------------------------------------------


def test_the_plugin_is_registered_with_its_course_type_and_kind(app, language_plugin):
    manager = plugins()
    info = manager.plugins["LanguagePlugin"]
    assert (info.state, info.source, info.version) == ("enabled", "code", "0.3")
    assert info.provides == ["course type: language", "activity kind: word_order"]
    assert isinstance(manager.kind("word_order"), WordOrder)
    assert manager.course_type("language").name == "German for associations"
    assert language_plugin.template_dir in manager.template_dirs


def test_a_learner_completes_a_course_of_the_new_kind(client, session, language_plugin, badge_table):
    learner = make_user(session, name="Aylin Learner", language="en")
    course = language_course(session)
    lesson, first, second = (a for m in course.modules for a in m.activities)
    session.commit()
    login(client, learner.email)

    # The course page names the plugin's course type.
    assert "German for associations" in client.get(f"/courses/{course.slug}").get_data(as_text=True)

    response = client.post(f"/courses/{course.slug}/enrol")
    assert response.status_code == 303
    enrolment = session.scalar(select(Enrolment).where(Enrolment.user_id == learner.id))
    assert enrolment is not None

    # The built-in lesson first; it moves straight on to the word-order activity.
    response = post(client, course, lesson, "lesson-1", done="1")
    assert response.status_code == 303 and response.location.endswith(url(course, first))

    # The learner sees the plugin's own template: the words in alphabetical order, and the form.
    page = client.get(url(course, first))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-kind="word_order"' in html
    assert "<li>den</li>" not in html  # a word of the other activity
    assert '<ul class="word-bank"><li>Der</li><li>einen</li><li>hat</li><li>Verein</li><li>Vorstand</li></ul>' in html
    assert "Word order" in html  # the kind's name in the page header
    assert 'name="sentence"' in html

    # An empty answer is refused by parse_answers: the message is shown and nothing is stored.
    response = post(client, course, first, "first-0", sentence="   ")
    assert response.status_code == 400
    assert "Please type the sentence." in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Attempt).where(Attempt.activity_id == first.id)) == 0

    # A wrong order is graded and shown; advance_on_pass is False, so the learner stays to see the result.
    response = post(client, course, first, "first-1", sentence="Der Verein einen hat Vorstand")
    assert response.status_code == 303 and response.location.endswith(f"{url(course, first)}#result")
    assert "Not quite: 3 of 5 words are in place." in client.get(url(course, first)).get_data(as_text=True)

    response = post(client, course, first, "first-2", sentence="der verein hat einen vorstand")
    assert response.status_code == 303 and response.location.endswith(f"{url(course, first)}#result")
    html = client.get(url(course, first)).get_data(as_text=True)
    assert "Well done: the sentence is right." in html
    assert 'name="sentence"' not in html  # passed: no form any more

    # The last activity completes the course.
    response = post(client, course, second, "second-1", sentence=" ".join(SENTENCE_2))
    assert response.status_code == 303 and response.location.endswith(f"/courses/{course.slug}")
    assert "Congratulations! You have completed the course." in client.get(response.location).get_data(as_text=True)

    # What is stored.
    session.expire_all()
    attempts = session.scalars(
        select(Attempt).where(Attempt.enrolment_id == enrolment.id).order_by(Attempt.activity_id, Attempt.number)
    ).all()
    assert [(a.activity_id, a.number, a.passed) for a in attempts] == [
        (lesson.id, 1, True),
        (first.id, 1, False),
        (first.id, 2, True),
        (second.id, 1, True),
    ]
    assert attempts[1].answers == {"words": ["Der", "Verein", "einen", "hat", "Vorstand"]}
    assert attempts[1].feedback == {"in_place": [True, True, False, False, True]}
    assert attempts[1].score == pytest.approx(0.6)
    assert attempts[1].summary == "Not quite: 3 of 5 words are in place."
    progress = session.scalar(
        select(ActivityProgress).where(
            ActivityProgress.enrolment_id == enrolment.id, ActivityProgress.activity_id == first.id
        )
    )
    assert (progress.attempts_count, progress.best_score, progress.passed) == (2, 1.0, True)
    completion = session.scalar(select(Completion).where(Completion.enrolment_id == enrolment.id))
    assert completion is not None and completion.course_version == "1.0"
    assert session.get(Enrolment, enrolment.id).status == EnrolmentStatus.COMPLETED

    # The lifecycle hooks, in order, with the right arguments, each seeing the rows it is told about.
    by_attempt = {(a.activity_id, a.number): a.id for a in attempts}
    assert language_plugin.calls == [
        (
            "enrolled",
            {
                "user_id": learner.id,
                "course_slug": course.slug,
                "enrolment_id": enrolment.id,
                "source": "self",
                "visible": True,
            },
        ),
        *(
            (
                "activity_passed",
                {
                    "user_id": learner.id,
                    "course_slug": course.slug,
                    "activity_key": activity.key,
                    "kind": activity.kind,
                    "attempt_id": by_attempt[(activity.id, number)],
                    "score": 1.0,
                    "visible": True,
                },
            )
            for activity, number in ((lesson, 1), (first, 2), (second, 1))
        ),
        (
            "course_completed",
            {
                "user_id": learner.id,
                "course_slug": course.slug,
                "enrolment_id": enrolment.id,
                "completed_at": completion.completed_at,
            },
        ),
    ]
    assert [c[1]["activity_key"] for c in language_plugin.calls if c[0] == "activity_passed"] == [
        "m1-a1",
        "m1-a2",
        "m2-a1",
    ]
    # The row the course_completed hook wrote was committed with the request.
    assert session.execute(select(badge_table.c.user_id, badge_table.c.course_slug)).all() == [
        (learner.id, course.slug)
    ]


def test_passing_again_or_failing_does_not_report_activity_passed(client, session, language_plugin):
    learner = make_user(session, language="en")
    course = language_course(session)
    lesson, first, _second = (a for m in course.modules for a in m.activities)
    session.commit()
    login(client, learner.email)
    client.post(f"/courses/{course.slug}/enrol")
    post(client, course, lesson, "l1", done="1")
    post(client, course, first, "f1", sentence="Vorstand hat Der Verein einen")
    post(client, course, first, "f2", sentence=" ".join(SENTENCE_1))
    # The same form sent twice is one attempt, and a pass is reported once.
    assert post(client, course, first, "f2", sentence=" ".join(SENTENCE_1)).status_code == 303
    again = post(client, course, first, "f3", sentence=" ".join(SENTENCE_1))
    assert again.status_code == 409
    assert "You have passed this activity already." in again.get_data(as_text=True)

    passed = [c[1]["activity_key"] for c in language_plugin.calls if c[0] == "activity_passed"]
    assert passed == [lesson.key, first.key]
    assert not [c for c in language_plugin.calls if c[0] == "course_completed"]
    assert session.scalar(select(func.count()).select_from(Attempt).where(Attempt.activity_id == first.id)) == 2


def test_max_attempts_of_the_kind_is_enforced(client, session, language_plugin):
    learner = make_user(session, language="en")
    course = language_course(session, max_attempts=1)
    lesson, first, second = (a for m in course.modules for a in m.activities)
    session.commit()
    login(client, learner.email)
    client.post(f"/courses/{course.slug}/enrol")
    post(client, course, lesson, "l1", done="1")
    post(client, course, first, "f1", sentence=" ".join(SENTENCE_1))

    html = client.get(url(course, second)).get_data(as_text=True)
    assert "Attempts left: 1" in html
    assert post(client, course, second, "s1", sentence="Vorstand den wählt").status_code == 303
    html = client.get(url(course, second)).get_data(as_text=True)
    assert "Attempts left: 0" in html and "No attempts left." in html and 'name="sentence"' not in html

    refused = post(client, course, second, "s2", sentence=" ".join(SENTENCE_2))
    assert refused.status_code == 409
    assert "You have used all attempts for this activity." in refused.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(Attempt).where(Attempt.activity_id == second.id)) == 1
    assert session.scalar(select(func.count()).select_from(Completion)) == 0


def test_a_failing_lifecycle_hook_rolls_the_request_back(make_app, session, template_dir):
    app = make_app(EXTRA_PLUGINS=[LanguagePlugin(template_dir), GrumpyPlugin()])
    learner = make_user(session, language="en")
    course = language_course(session)
    session.commit()
    client = app.test_client()
    login(client, learner.email)
    # The test app propagates exceptions; a real server answers 500. Either way the transaction is rolled back.
    with pytest.raises(RuntimeError, match=f"cannot welcome user {learner.id}"):
        client.post(f"/courses/{course.slug}/enrol")
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Enrolment).where(Enrolment.user_id == learner.id)) == 0


def test_course_packages_are_checked_with_the_kinds_validate(app, tmp_path):
    folder = tmp_path / "deutsch-im-verein"
    folder.mkdir()
    manifest = """\
format: 1
slug: deutsch-im-verein
title: Deutsch im Verein
summary: Sentences for board meetings.
language: de
course_type: language
level: beginner
duration_minutes: 10
version: "1.0"
modules:
  - key: saetze
    title: Sätze
    activities:
      - key: satz-1
        kind: word_order
        title: Der Vorstand
        content:
          words: [Der, Verein, hat, einen, Vorstand]
      - key: satz-2
        kind: word_order
        title: Zu kurz
        content:
          words: [Vorstand]
          max_attempts: 0
"""
    (folder / "course.yaml").write_text(manifest, encoding="utf-8")
    spec, problems = load_package(folder, plugins())
    assert spec is None
    messages = [p.message for p in problems]
    assert messages == [
        "words: a sentence needs a list of at least two words",
        "max_attempts: max_attempts must be empty or at least 1",
    ]

    (folder / "course.yaml").write_text(manifest.replace("[Vorstand]", "[Der, Vorstand]").replace(" 0\n", " 2\n"))
    spec, problems = load_package(folder, plugins())
    assert problems == []
    assert spec is not None and spec.course_type == "language"
    assert [a.kind for m in spec.modules for a in m.activities] == ["word_order", "word_order"]
