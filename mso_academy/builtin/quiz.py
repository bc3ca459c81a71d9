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

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from mso_academy.plugins.api import (
    ActivityKind,
    AnswerError,
    ContentProblem,
    FormData,
    Grade,
    check_key,
    form_number,
    form_text,
    free_key,
    gettext,
    hookimpl,
    is_int,
    is_number,
    is_text,
    lazy_gettext,
    row_indices,
    score_summary,
    validate_settings,
)
from mso_academy.plugins.api import parse_number as _parse_number

QUESTION_TYPES = ("single", "multiple", "true_false", "numeric")
FIELD_PREFIX = "q-"
# The editor's form fields: questions-<n>-<name> and questions-<n>-options-<m>-<name> (ids are the same).
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


def parse_number(raw: str) -> Decimal:
    """Numbers as people type them: ``1234,5``, ``1.234,5``, ``1234.5`` or ``1 234``; a quiz answer ``1.500`` is
    one and a half (a dot alone is a decimal point here, as learners of many languages type it)."""
    return _parse_number(raw, grouped_thousands=False)


def _form_number(raw: Any, default: Any, whole: bool = False) -> Any:
    """A number typed into the editor, read as `parse_number` reads answers."""
    return form_number(raw, default, whole, grouped_thousands=False)


class Quiz(ActivityKind):
    key = "quiz"
    name = lazy_gettext("Quiz")
    description = lazy_gettext("Questions with feedback: single choice, multiple choice, true/false, numbers.")
    template = "builtin/quiz.html"
    editor_template = "builtin/quiz_editor.html"

    # --- content -----------------------------------------------------------------------------------------

    def validate(self, content: Mapping[str, Any]) -> list[ContentProblem]:
        problems = validate_settings(content)
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
        problems = check_key(where, question, seen, "questions")
        if not is_text(question.get("text")):
            problems.append(ContentProblem(f"{where}.text", "the question needs a text"))
        points = question.get("points", 1)
        if not is_int(points) or points < 1:
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
            if not is_number(question.get("answer")):
                problems.append(ContentProblem(f"{where}.answer", "a numeric question needs a number as answer"))
            tolerance = question.get("tolerance", 0)
            if not is_number(tolerance) or tolerance < 0:
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
            if check_key(at, option, keys, "options"):
                problems.append(ContentProblem(f"{at}.key", "option keys must be unique letters or digits"))
            if not is_text(option.get("text")):
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
        questions = []
        for index in row_indices(form, "questions", EDITOR_MAX_QUESTIONS):
            prefix = f"questions-{index}-"
            if form.get(prefix + "delete"):
                continue
            question = self._question_from_form(form, prefix, by_key)
            if question is not None:
                questions.append(question)
        taken = {q["key"] for q in questions if q.get("key")}
        for question in questions:
            if not question.get("key"):
                question["key"] = free_key("q", taken)
        content["questions"] = questions
        return content

    @staticmethod
    def _question_from_form(
        form: FormData, prefix: str, by_key: Mapping[str, Mapping[str, Any]]
    ) -> dict[str, Any] | None:
        def text(name: str) -> str:
            return form_text(form, prefix + name)

        key = text("key")
        previous = by_key.get(key, {})
        qtype = text("type") or "single"
        options = []
        for index in row_indices(form, prefix + "options", EDITOR_MAX_OPTIONS):
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
                    option["key"] = free_key("", taken)
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
        score, percent = score_summary(earned, total)
        summary = gettext(
            "%(earned)d of %(total)d points (%(percent)d %%).", earned=earned, total=total, percent=percent
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
