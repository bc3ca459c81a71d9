"""Quiz: single choice, multiple choice, true/false and numeric questions, with a pass mark and feedback.

Content document::

    pass_mark: 80            # percent of points
    max_attempts: 3          # null: unlimited
    questions:
      - {key: q1, type: single, text: ..., points: 1,
         options: [{key: a, text: ..., correct: true, feedback: ...}, ...]}
      - {key: q2, type: true_false, text: ..., correct: false, feedback_correct: ..., feedback_incorrect: ...}
      - {key: q3, type: numeric, text: ..., answer: 20, tolerance: 0, ...}

Multiple-choice questions score all or nothing: every correct option and no wrong one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
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

QUESTION_TYPES = ("single", "multiple", "true_false", "numeric")
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
FIELD_PREFIX = "q-"
# The editor's form fields: questions-<n>-<name> and questions-<n>-options-<m>-<name> (ids are the same).
EDITOR_QUESTION = re.compile(r"^questions-(\d{1,4})-")
EDITOR_OPTION = re.compile(r"^questions-\d{1,4}-options-(\d{1,4})-")
EDITOR_MAX_QUESTIONS = 200
EDITOR_MAX_OPTIONS = 30
# Fields the editor manages per question; anything else a question has (from a package file) is kept.
_EDITOR_FIELDS = frozenset(
    {
        "key",
        "type",
        "text",
        "points",
        "options",
        "correct",
        "answer",
        "tolerance",
        "feedback_correct",
        "feedback_incorrect",
    }
)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(value)


def parse_number(raw: str) -> Decimal:
    """Numbers as people type them: ``1234,5``, ``1.234,5``, ``1234.5`` or ``1 234``."""
    text = raw.strip().replace("\u00a0", "").replace(" ", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(raw) from None
    if not value.is_finite():
        raise ValueError(raw)
    return value


def _form_number(raw: Any, default: Any, whole: bool = False) -> Any:
    """A number typed into the editor (``12``, ``12,5``); empty gives `default`, anything else stays as typed."""
    text = str(raw or "").strip()
    if not text:
        return default
    try:
        value = parse_number(text)
    except ValueError:
        return text
    if value == value.to_integral_value():
        return int(value)
    return text if whole else float(value)


def _free_key(prefix: str, taken: set[str], start: int = 1) -> str:
    """The next key not in `taken` (q3, q4, … for questions; a, b, … for options), added to `taken`."""
    number = start
    while True:
        key = f"{prefix}{number}" if prefix else _letters(number)
        if key not in taken:
            taken.add(key)
            return key
        number += 1


def _letters(number: int) -> str:
    """1 → "a", 26 → "z", 27 → "aa"."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


class Quiz(ActivityKind):
    key = "quiz"
    name = lazy_gettext("Quiz")
    description = lazy_gettext("Questions with feedback: single choice, multiple choice, true/false, numbers.")
    template = "builtin/quiz.html"
    editor_template = "builtin/quiz_editor.html"

    # --- content -----------------------------------------------------------------------------------------

    def validate(self, content: Mapping[str, Any]) -> list[ContentProblem]:
        problems: list[ContentProblem] = []
        pass_mark = content.get("pass_mark", 80)
        if not _is_int(pass_mark) or not 0 <= pass_mark <= 100:
            problems.append(ContentProblem("pass_mark", "pass_mark must be a whole number from 0 to 100"))
        max_attempts = content.get("max_attempts")
        if max_attempts is not None and (not _is_int(max_attempts) or max_attempts < 1):
            problems.append(ContentProblem("max_attempts", "max_attempts must be empty (unlimited) or at least 1"))
        questions = content.get("questions")
        if not isinstance(questions, list) or not questions:
            problems.append(ContentProblem("questions", "a quiz needs a list of at least one question"))
            return problems
        seen: set[str] = set()
        for index, question in enumerate(questions):
            problems.extend(self._validate_question(index, question, seen))
        return problems

    def _validate_question(self, index: int, question: Any, seen: set[str]) -> list[ContentProblem]:
        where = f"questions.{index}"
        if not isinstance(question, Mapping):
            return [ContentProblem(where, "each question must be a mapping with key, type and text")]
        problems = []
        key = question.get("key")
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            problems.append(ContentProblem(f"{where}.key", "key must be 1-40 letters, digits, '-' or '_'"))
        elif key in seen:
            problems.append(ContentProblem(f"{where}.key", f"key {key!r} is used by two questions"))
        else:
            seen.add(key)
        if not isinstance(question.get("text"), str) or not question["text"].strip():
            problems.append(ContentProblem(f"{where}.text", "the question needs a text"))
        points = question.get("points", 1)
        if not _is_int(points) or points < 1:
            problems.append(ContentProblem(f"{where}.points", "points must be a whole number of at least 1"))
        qtype = question.get("type")
        if qtype not in QUESTION_TYPES:
            problems.append(ContentProblem(f"{where}.type", f"type must be one of {', '.join(QUESTION_TYPES)}"))
        elif qtype in ("single", "multiple"):
            problems.extend(self._validate_options(where, qtype, question.get("options")))
        elif qtype == "true_false":
            if not isinstance(question.get("correct"), bool):
                problems.append(
                    ContentProblem(f"{where}.correct", "a true/false question needs correct: true or false")
                )
        elif qtype == "numeric":
            if not _is_number(question.get("answer")):
                problems.append(ContentProblem(f"{where}.answer", "a numeric question needs a number as answer"))
            tolerance = question.get("tolerance", 0)
            if not _is_number(tolerance) or tolerance < 0:
                problems.append(ContentProblem(f"{where}.tolerance", "tolerance must be a number of at least 0"))
        return problems

    def _validate_options(self, where: str, qtype: str, options: Any) -> list[ContentProblem]:
        if not isinstance(options, list) or len(options) < 2:
            return [ContentProblem(f"{where}.options", "a choice question needs at least two options")]
        problems = []
        keys: set[str] = set()
        correct = 0
        for index, option in enumerate(options):
            at = f"{where}.options.{index}"
            if not isinstance(option, Mapping):
                problems.append(ContentProblem(at, "each option must be a mapping with key, text and correct"))
                continue
            key = option.get("key")
            if not isinstance(key, str) or not KEY_PATTERN.match(key) or key in keys:
                problems.append(ContentProblem(f"{at}.key", "option keys must be unique letters or digits"))
            else:
                keys.add(key)
            if not isinstance(option.get("text"), str) or not option["text"].strip():
                problems.append(ContentProblem(f"{at}.text", "the option needs a text"))
            if not isinstance(option.get("correct", False), bool):
                problems.append(ContentProblem(f"{at}.correct", "correct must be true or false"))
            correct += option.get("correct") is True
        if qtype == "single" and correct != 1:
            problems.append(
                ContentProblem(f"{where}.options", "a single-choice question needs exactly one correct option")
            )
        if qtype == "multiple" and correct < 1:
            problems.append(ContentProblem(f"{where}.options", "a multiple-choice question needs a correct option"))
        return problems

    def max_attempts(self, content: Mapping[str, Any]) -> int | None:
        return content.get("max_attempts")

    def estimated_minutes(self, content: Mapping[str, Any]) -> int:
        return max(1, round(len(content.get("questions", [])) * 1.5))

    # --- the web editor ----------------------------------------------------------------------------------

    def default_content(self) -> dict[str, Any]:
        return {"pass_mark": 80, "max_attempts": None, "questions": []}

    def content_from_form(self, form: FormData, previous: Mapping[str, Any]) -> dict[str, Any]:
        """Settings, the questions (minus those marked "delete") and the new question if anything was filled in.

        Values that do not parse stay as typed, so `validate` names them and the form shows them again.
        New questions and options get the next free key; existing ones keep theirs (learners' answers refer to
        them).
        """
        content = {k: v for k, v in previous.items() if k not in ("pass_mark", "max_attempts", "questions")}
        content["pass_mark"] = _form_number(form.get("pass_mark"), default=80, whole=True)
        content["max_attempts"] = _form_number(form.get("max_attempts"), default=None, whole=True)
        earlier = previous.get("questions")
        by_key = {
            q["key"]: q for q in (earlier if isinstance(earlier, list) else []) if isinstance(q, Mapping) and "key" in q
        }
        names = list(form.keys())
        indices = sorted({int(m.group(1)) for name in names if (m := EDITOR_QUESTION.match(name))})
        questions = []
        for index in indices[:EDITOR_MAX_QUESTIONS]:
            prefix = f"questions-{index}-"
            if form.get(prefix + "delete"):
                continue
            question = self._question_from_form(form, names, prefix, by_key)
            if question is not None:
                questions.append(question)
        taken = {q["key"] for q in questions if q.get("key")}
        for question in questions:
            if not question.get("key"):
                question["key"] = _free_key("q", taken, start=len(taken) + 1)
        content["questions"] = questions
        return content

    @staticmethod
    def _question_from_form(
        form: FormData, names: list[str], prefix: str, by_key: Mapping[str, Mapping[str, Any]]
    ) -> dict[str, Any] | None:
        def text(name: str) -> str:
            return str(form.get(prefix + name) or "").replace("\r\n", "\n").strip()

        key = text("key")
        previous = by_key.get(key, {})
        qtype = text("type") or "single"
        option_indices = sorted(
            {int(m.group(1)) for name in names if name.startswith(prefix) and (m := EDITOR_OPTION.match(name))}
        )
        options = []
        for index in option_indices[:EDITOR_MAX_OPTIONS]:
            at = f"options-{index}-"
            if not text(at + "text"):
                continue  # an empty row: a spare one, or an option the trainer removed
            option_key = text(at + "key")
            earlier = next(
                (o for o in previous.get("options") or [] if isinstance(o, Mapping) and o.get("key") == option_key), {}
            )
            option = {k: v for k, v in earlier.items() if k not in ("key", "text", "correct", "feedback")}
            option.update(key=option_key, text=text(at + "text"), correct=bool(form.get(prefix + at + "correct")))
            if text(at + "feedback"):
                option["feedback"] = text(at + "feedback")
            options.append(option)
        if not key and not text("text") and not options and not text("answer"):
            return None  # the empty "new question" fieldset
        question: dict[str, Any] = {k: v for k, v in previous.items() if k not in _EDITOR_FIELDS}
        question.update(key=key, type=qtype, text=text("text"), points=_form_number(text("points"), 1, whole=True))
        if qtype in ("single", "multiple"):
            taken = {o["key"] for o in options if o["key"]}
            for option in options:
                if not option["key"]:
                    option["key"] = _free_key("", taken, start=len(taken) + 1)
            question["options"] = options
        else:
            if qtype == "true_false":
                correct = text("correct")
                if correct in ("true", "false"):
                    question["correct"] = correct == "true"
            elif qtype == "numeric":
                if text("answer"):
                    question["answer"] = _form_number(text("answer"), None)
                question["tolerance"] = _form_number(text("tolerance"), 0)
            for name in ("feedback_correct", "feedback_incorrect"):
                if text(name):
                    question[name] = text(name)
        return question

    # --- answers and grading -----------------------------------------------------------------------------

    def parse_answers(self, content: Mapping[str, Any], form: FormData) -> dict[str, Any]:
        questions = {q["key"]: q for q in content["questions"]}
        unknown = [
            name for name in form if name.startswith(FIELD_PREFIX) and name[len(FIELD_PREFIX) :] not in questions
        ]
        if unknown:
            raise AnswerError(gettext("The answers do not match this quiz. Please reload the page."))
        answers: dict[str, Any] = {}
        missing: list[int] = []
        for number, (key, question) in enumerate(questions.items(), start=1):
            values = [v for v in form.getlist(FIELD_PREFIX + key) if v.strip()]
            if not values:
                missing.append(number)
                continue
            answers[key] = self._parse_one(question, values)
        if missing:
            raise AnswerError(
                gettext("Please answer every question (missing: %(numbers)s).", numbers=", ".join(map(str, missing)))
            )
        return answers

    def _parse_one(self, question: Mapping[str, Any], values: list[str]) -> Any:
        qtype = question["type"]
        if qtype in ("single", "multiple"):
            option_keys = {o["key"] for o in question["options"]}
            if any(v not in option_keys for v in values) or (qtype == "single" and len(values) != 1):
                raise AnswerError(gettext("The answers do not match this quiz. Please reload the page."))
            return sorted(set(values))
        if qtype == "true_false":
            if values != ["true"] and values != ["false"]:
                raise AnswerError(gettext("The answers do not match this quiz. Please reload the page."))
            return values[0] == "true"
        try:
            return str(parse_number(values[0]))
        except ValueError:
            raise AnswerError(gettext("Please enter a number, for example 12 or 12,5.")) from None

    def grade(self, content: Mapping[str, Any], answers: Mapping[str, Any]) -> Grade:
        earned = total = 0
        feedback: dict[str, Any] = {}
        for question in content["questions"]:
            points = question.get("points", 1)
            total += points
            correct, texts = self._check(question, answers.get(question["key"]))
            earned += points if correct else 0
            feedback[question["key"]] = {"correct": correct, "feedback": texts}
        pass_mark = content.get("pass_mark", 80)
        passed = earned * 100 >= pass_mark * total
        score = earned / total if total else 0.0
        summary = gettext(
            "%(earned)d of %(total)d points (%(percent)d %%).", earned=earned, total=total, percent=round(score * 100)
        )
        return Grade(score=score, passed=passed, feedback=feedback, summary=summary)

    @staticmethod
    def _check(question: Mapping[str, Any], answer: Any) -> tuple[bool, list[str]]:
        qtype = question["type"]
        if qtype in ("single", "multiple"):
            chosen = set(answer or [])
            right = {o["key"] for o in question["options"] if o.get("correct")}
            texts = [o["feedback"] for o in question["options"] if o["key"] in chosen and o.get("feedback")]
            return chosen == right, texts
        if qtype == "true_false":
            correct = answer is question["correct"]
        else:
            try:
                given = Decimal(str(answer))
            except (InvalidOperation, TypeError):
                given = None
            expected = Decimal(str(question["answer"]))
            tolerance = Decimal(str(question.get("tolerance", 0)))
            correct = given is not None and abs(given - expected) <= tolerance
        text = question.get("feedback_correct" if correct else "feedback_incorrect")
        return correct, [text] if text else []


@hookimpl
def register_activity_kinds() -> list[ActivityKind]:
    return [Quiz()]
