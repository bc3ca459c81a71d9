"""Example plugin: a course type and a "type the answer" activity kind with its own template.

Content document of a ``type_answer`` activity::

    question: Who represents the association in court?   # Markdown
    answers: [Vorstand, der Vorstand]                    # accepted answers, case does not matter
    max_attempts: 3                                      # optional; empty means unlimited
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mso_academy.plugins.api import (
    ActivityKind,
    AnswerError,
    ContentProblem,
    CourseType,
    FormData,
    Grade,
    gettext,
    hookimpl,
    lazy_gettext,
)

TEMPLATES = Path(__file__).parent / "templates"


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


class TypeTheAnswer(ActivityKind):
    key = "type_answer"
    name = lazy_gettext("Type the answer")
    description = lazy_gettext("A question the learner answers with a word or a short phrase.")
    template = "mso_example_plugin/type_answer.html"

    def validate(self, content: Mapping[str, Any]) -> list[ContentProblem]:
        problems = []
        if not isinstance(content.get("question"), str) or not content["question"].strip():
            problems.append(ContentProblem("question", "the activity needs a question"))
        answers = content.get("answers")
        if not isinstance(answers, list) or not answers or not all(isinstance(a, str) and a.strip() for a in answers):
            problems.append(ContentProblem("answers", "answers must be a list of at least one accepted answer"))
        limit = content.get("max_attempts")
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
            problems.append(ContentProblem("max_attempts", "max_attempts must be empty (unlimited) or at least 1"))
        return problems

    def parse_answers(self, content: Mapping[str, Any], form: FormData) -> dict[str, Any]:
        answer = str(form.get("answer", "")).strip()
        if not answer:
            raise AnswerError(gettext("Please type your answer."))
        return {"answer": answer[:200]}

    def grade(self, content: Mapping[str, Any], answers: Mapping[str, Any]) -> Grade:
        correct = _normalise(answers["answer"]) in {_normalise(a) for a in content["answers"]}
        return Grade(
            score=1.0 if correct else 0.0,
            passed=correct,
            feedback={"correct": correct},
            summary=gettext("Correct.") if correct else gettext("Not correct yet."),
        )

    def max_attempts(self, content: Mapping[str, Any]) -> int | None:
        return content.get("max_attempts")

    def estimated_minutes(self, content: Mapping[str, Any]) -> int:
        return 1


@hookimpl
def register_course_types() -> list[CourseType]:
    return [CourseType(slug="example", name=lazy_gettext("Example courses"), icon="🧪")]


@hookimpl
def register_activity_kinds() -> list[ActivityKind]:
    return [TypeTheAnswer()]


@hookimpl
def register_template_dirs() -> list[Path]:
    return [TEMPLATES]
