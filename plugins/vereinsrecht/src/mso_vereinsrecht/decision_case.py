"""Decision case (Entscheidungsfall): a board or general-meeting situation the learner decides and calculates.

Content document::

    situation: Markdown                 # what happened (required)
    statute: Markdown                   # optional: the clauses of the association's own statute that apply
    pass_mark: 80
    max_attempts: null
    questions:
      - key: frist
        type: choice                    # choice: exactly one right option | number: a calculated answer
        text: Wurde die Einladungsfrist eingehalten?
        options: [{key: a, text: Ja, correct: true, feedback: optional}, {key: b, text: Nein}]
        norm: § 8 Abs. 2 der Satzung; § 58 Nr. 4 BGB     # the rule that decides (required)
        reasoning: Why this is the answer, step by step (required)
        statutory_default: optional, what the law says where the statute is silent (§ 40 BGB)
      - {key: mehrheit, type: number, text: ..., answer: 18, tolerance: 0, unit: Stimmen, norm: ..., reasoning: ...}

Each question scores one point; feedback always shows the norm and the reasoning, and the statutory default when
the association's statute deviates from it.
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
    is_number,
    is_text,
    lazy_gettext,
    parse_number,
    row_indices,
    score_summary,
    sequence,
    validate_settings,
)

QUESTION_TYPES = ("choice", "number")
FIELD_PREFIX = "q-"
_TEXT_FIELDS = ("text", "unit", "norm", "reasoning", "statutory_default")


def format_number(value: Any) -> str:
    """12 → "12", 12.5 → "12,5", 21500 → "21.500" (German notation, the language of this plugin's courses)."""
    number = Decimal(str(value))
    text = f"{number.normalize():,f}" if number != number.to_integral_value() else f"{int(number):,}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


class DecisionCase(ActivityKind):
    key = "decision_case"
    name = lazy_gettext("Decision case")
    description = lazy_gettext(
        "A situation at a board or general meeting: decide and calculate; the feedback names the norm and explains."
    )
    template = "vereinsrecht/decision_case.html"
    editor_template = "vereinsrecht/decision_case_editor.html"

    # --- content -----------------------------------------------------------------------------------------

    def validate(self, content: Mapping[str, Any]) -> list[ContentProblem]:
        problems = validate_settings(content)
        if not is_text(content.get("situation")):
            problems.append(ContentProblem("situation", "describe the situation the learner decides"))
        if "statute" in content and not isinstance(content["statute"], str):
            problems.append(ContentProblem("statute", "statute must be text (the clauses of the statute that apply)"))
        questions = content.get("questions")
        if not isinstance(questions, list) or not questions:
            problems.append(ContentProblem("questions", "a decision case needs a list of at least one question"))
            return problems
        seen: set[str] = set()
        for index, question in enumerate(questions):
            problems.extend(self._validate_question(f"questions.{index}", question, seen))
        return problems

    @staticmethod
    def _validate_question(where: str, question: Any, seen: set[str]) -> list[ContentProblem]:
        if not isinstance(question, Mapping):
            return [ContentProblem(where, "each question must be a mapping with key, type, text, norm and reasoning")]
        problems = check_key(where, question, seen, "questions")
        for name, message in (
            ("text", "the question needs a text"),
            ("norm", "name the norm that decides (statute and paragraph, or the clause of the association's statute)"),
            ("reasoning", "explain the answer (the reasoning the learner sees after answering)"),
        ):
            if not is_text(question.get(name)):
                problems.append(ContentProblem(f"{where}.{name}", message))
        for name in ("unit", "statutory_default"):
            if name in question and not isinstance(question[name], str):
                problems.append(ContentProblem(f"{where}.{name}", f"{name} must be text"))
        qtype = question.get("type")
        if qtype not in QUESTION_TYPES:
            problems.append(ContentProblem(f"{where}.type", f"type must be one of {', '.join(QUESTION_TYPES)}"))
        elif qtype == "choice":
            problems.extend(_validate_options(where, question.get("options")))
        else:
            if not is_number(question.get("answer")):
                problems.append(ContentProblem(f"{where}.answer", "a number question needs a number as answer"))
            tolerance = question.get("tolerance", 0)
            if not is_number(tolerance) or tolerance < 0:
                problems.append(ContentProblem(f"{where}.tolerance", "tolerance must be a number of at least 0"))
        return problems

    def max_attempts(self, content: Mapping[str, Any]) -> int | None:
        return content.get("max_attempts")

    def estimated_minutes(self, content: Mapping[str, Any]) -> int:
        """Reading the case (3 minutes) and about 2 minutes per decision or calculation."""
        return 3 + 2 * len(sequence(content.get("questions")))

    # --- the web editor ----------------------------------------------------------------------------------

    def default_content(self) -> dict[str, Any]:
        return {"situation": "", "statute": "", "pass_mark": 80, "max_attempts": None, "questions": []}

    def content_from_form(self, form: FormData, previous: Mapping[str, Any]) -> dict[str, Any]:
        """Settings, the questions (minus "delete") and the new question if filled in; keys of existing items stay."""
        managed = ("situation", "statute", "pass_mark", "max_attempts", "questions")
        content: dict[str, Any] = {k: v for k, v in previous.items() if k not in managed}
        content["situation"] = form_text(form, "situation")
        content["statute"] = form_text(form, "statute")
        content["pass_mark"] = form_number(form.get("pass_mark"), default=80, whole=True)
        content["max_attempts"] = form_number(form.get("max_attempts"), default=None, whole=True)
        questions = []
        for index in row_indices(form, "questions"):
            at = f"questions-{index}-"
            if not form.get(at + "delete"):
                question = _question_from_form(form, at)
                if question is not None:
                    questions.append(question)
        taken = {q["key"] for q in questions if q["key"]}
        for question in questions:
            question["key"] = question["key"] or free_key("q", taken)
        content["questions"] = questions
        return content

    # --- answers and grading -----------------------------------------------------------------------------

    def parse_answers(self, content: Mapping[str, Any], form: FormData) -> dict[str, Any]:
        questions = {q["key"]: q for q in content["questions"]}
        names = list(form.keys())
        if any(n.startswith(FIELD_PREFIX) and n[len(FIELD_PREFIX) :] not in questions for n in names):
            raise AnswerError(gettext("The answers do not match this case. Please reload the page."))
        answers: dict[str, str] = {}
        missing = []
        for number, (key, question) in enumerate(questions.items(), start=1):
            values = [v for v in form.getlist(FIELD_PREFIX + key) if v.strip()]
            if not values:
                missing.append(number)
                continue
            if len(values) != 1:
                raise AnswerError(gettext("The answers do not match this case. Please reload the page."))
            if question["type"] == "choice":
                if values[0] not in {o["key"] for o in question["options"]}:
                    raise AnswerError(gettext("The answers do not match this case. Please reload the page."))
                answers[key] = values[0]
            else:
                try:
                    answers[key] = str(parse_number(values[0]))
                except ValueError:
                    raise AnswerError(
                        gettext("Question %(number)d: please enter a number, for example 12 or 12,5.", number=number)
                    ) from None
        if missing:
            raise AnswerError(
                gettext("Please answer every question (missing: %(numbers)s).", numbers=", ".join(map(str, missing)))
            )
        return answers

    def grade(self, content: Mapping[str, Any], answers: Mapping[str, Any]) -> Grade:
        feedback: dict[str, Any] = {}
        earned = 0
        for question in content["questions"]:
            correct, expected, chosen_feedback = _check(question, answers.get(question["key"]))
            earned += correct
            feedback[question["key"]] = {
                "correct": correct,
                "expected": expected,
                "option_feedback": chosen_feedback,
                "norm": question["norm"],
                "reasoning": question["reasoning"],
                "statutory_default": question.get("statutory_default") or "",
            }
        total = len(content["questions"])
        score, percent = score_summary(earned, total)
        passed = earned * 100 >= content.get("pass_mark", 80) * total
        summary = gettext(
            "%(earned)d of %(total)d decisions right (%(percent)d %%).", earned=earned, total=total, percent=percent
        )
        return Grade(score=score, passed=passed, feedback=feedback, summary=summary)


def _validate_options(where: str, options: Any) -> list[ContentProblem]:
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
        problems.extend(check_key(at, option, keys, "options"))
        if not is_text(option.get("text")):
            problems.append(ContentProblem(f"{at}.text", "the option needs a text"))
        if not isinstance(option.get("correct", False), bool):
            problems.append(ContentProblem(f"{at}.correct", "correct must be true or false"))
        correct += option.get("correct") is True
    if correct != 1:
        problems.append(ContentProblem(f"{where}.options", "a choice question needs exactly one correct option"))
    return problems


def _check(question: Mapping[str, Any], answer: Any) -> tuple[bool, str, str]:
    """Right or not, the right answer as text, and the feedback of the option the learner chose."""
    if question["type"] == "choice":
        right = next(o for o in question["options"] if o.get("correct"))
        chosen = next((o for o in question["options"] if o["key"] == answer), {})
        return answer == right["key"], right["text"], chosen.get("feedback", "")
    expected = Decimal(str(question["answer"]))
    try:
        given = Decimal(str(answer))
    except (InvalidOperation, TypeError):
        given = None
    correct = given is not None and abs(given - expected) <= Decimal(str(question.get("tolerance", 0)))
    unit = question.get("unit") or ""
    return correct, f"{format_number(expected)} {unit}".strip(), ""


def _question_from_form(form: FormData, at: str) -> dict[str, Any] | None:
    question: dict[str, Any] = {"key": form_text(form, at + "key"), "type": form_text(form, at + "type") or "choice"}
    question.update({name: form_text(form, at + name) for name in _TEXT_FIELDS})
    options = []
    for index in row_indices(form, at + "options"):
        oat = f"{at}options-{index}-"
        text = form_text(form, oat + "text")
        if not text:
            continue  # a spare row, or an option the trainer emptied to remove it
        option: dict[str, Any] = {"key": form_text(form, oat + "key"), "text": text}
        option["correct"] = bool(form.get(oat + "correct"))
        if form_text(form, oat + "feedback"):
            option["feedback"] = form_text(form, oat + "feedback")
        options.append(option)
    answer = form_text(form, at + "answer")
    if not (question["key"] or question["text"] or options or answer or question["norm"]):
        return None  # the empty "new question" fieldset
    if question["type"] == "choice":
        taken = {o["key"] for o in options if o["key"]}
        for option in options:
            option["key"] = option["key"] or free_key("o", taken)
        question["options"] = options
    else:
        question["answer"] = form_number(answer, None)
        question["tolerance"] = form_number(form_text(form, at + "tolerance"), 0)
    for name in ("unit", "statutory_default"):
        if not question[name]:
            del question[name]
    return question
