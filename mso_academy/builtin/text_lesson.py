"""Text lesson: Markdown the learner reads, then marks as done."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mso_academy.plugins.api import (
    ActivityKind,
    AnswerError,
    ContentProblem,
    FormData,
    Grade,
    gettext,
    hookimpl,
    lazy_gettext,
)


class TextLesson(ActivityKind):
    key = "text_lesson"
    name = lazy_gettext("Text lesson")
    description = lazy_gettext("A page of text with images and links that the learner reads and marks as done.")
    template = "builtin/text_lesson.html"
    advance_on_pass = True
    editor_template = "builtin/text_lesson_editor.html"

    def validate(self, content: Mapping[str, Any]) -> list[ContentProblem]:
        problems = []
        body = content.get("body")
        if not isinstance(body, str) or not body.strip():
            problems.append(ContentProblem("body", "a text lesson needs a non-empty Markdown text"))
        minutes = content.get("minutes", 5)
        if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 600:
            problems.append(ContentProblem("minutes", "minutes must be a whole number from 1 to 600"))
        return problems

    # --- the web editor ----------------------------------------------------------------------------------------

    def default_content(self) -> dict[str, Any]:
        return {"body": "", "minutes": 5}

    def content_from_form(self, form: FormData, previous: Mapping[str, Any]) -> dict[str, Any]:
        """The Markdown text and the minutes; what is not a whole number stays as typed, for `validate` to name."""
        content = dict(previous)
        content["body"] = str(form.get("body") or "").replace("\r\n", "\n")
        minutes = str(form.get("minutes") or "").strip()
        content["minutes"] = int(minutes) if minutes.isdecimal() and len(minutes) < 6 else (minutes or 5)
        return content

    # --- the learner -------------------------------------------------------------------------------------------

    def parse_answers(self, content: Mapping[str, Any], form: FormData) -> dict[str, Any]:
        if form.get("done") != "1":
            raise AnswerError(gettext("Please confirm that you have read the lesson."))
        return {"done": True}

    def grade(self, content: Mapping[str, Any], answers: Mapping[str, Any]) -> Grade:
        return Grade(score=1.0, passed=True, summary=gettext("Lesson done."))


@hookimpl
def register_activity_kinds() -> list[ActivityKind]:
    return [TextLesson()]
