"""The quiz kind: content validation, reading answers, grading and feedback."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from mso_academy.builtin.quiz import Quiz, parse_number
from mso_academy.plugins.api import AnswerError
from tests.factories import RIGHT_ANSWERS, WRONG_ANSWERS, quiz_content

quiz = Quiz()


def form(data: dict) -> MultiDict:
    items = []
    for key, value in data.items():
        for v in value if isinstance(value, list) else [value]:
            items.append((key, v))
    return MultiDict(items)


def fields(content: dict) -> set[str]:
    return {p.field for p in quiz.validate(content)}


def test_valid_content_has_no_problems():
    assert quiz.validate(quiz_content()) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda c: c.update(pass_mark=120), "pass_mark"),
        (lambda c: c.update(max_attempts=0), "max_attempts"),
        (lambda c: c.update(questions=[]), "questions"),
        (lambda c: c["questions"][0]["options"][1].update(correct=True), "questions.0.options"),
        (lambda c: [o.update(correct=False) for o in c["questions"][1]["options"]], "questions.1.options"),
        (lambda c: c["questions"][2].pop("correct"), "questions.2.correct"),
        (lambda c: c["questions"][3].update(answer="sixteen"), "questions.3.answer"),
        (lambda c: c["questions"][3].update(tolerance=-1), "questions.3.tolerance"),
        (lambda c: c["questions"][1].update(key="capital"), "questions.1.key"),
        (lambda c: c["questions"][0].update(type="essay"), "questions.0.type"),
        (lambda c: c["questions"][0].update(text=" "), "questions.0.text"),
    ],
)
def test_invalid_content_names_the_field(change, field):
    content = quiz_content()
    change(content)
    assert field in fields(content)


def test_right_answers_pass_with_full_score():
    content = quiz_content()
    grade = quiz.grade(content, quiz.parse_answers(content, form(RIGHT_ANSWERS)))
    assert grade.passed and grade.score == 1.0
    assert all(item["correct"] for item in grade.feedback.values())


def test_wrong_answers_fail_and_explain_why():
    content = quiz_content()
    grade = quiz.grade(content, quiz.parse_answers(content, form(WRONG_ANSWERS)))
    assert not grade.passed and grade.score == 0.0
    assert grade.feedback["capital"]["feedback"] == ["Bonn was the capital until 1990."]
    assert grade.feedback["states"]["feedback"] == ["There are 16 Länder."]
    assert grade.feedback["eu"]["feedback"] == ["It is a founding member."]


def test_partial_answers_score_by_points_against_the_pass_mark():
    content = quiz_content(pass_mark=75)
    answers = dict(RIGHT_ANSWERS, **{"q-rivers": ["rhein", "harz"]})  # multiple choice is all or nothing
    grade = quiz.grade(content, quiz.parse_answers(content, form(answers)))
    assert grade.score == 0.75 and grade.passed
    content["pass_mark"] = 80
    assert not quiz.grade(content, quiz.parse_answers(content, form(answers))).passed


def test_numeric_answers_accept_german_decimal_comma_and_tolerance():
    content = quiz_content()
    content["questions"][3].update(answer=2.5, tolerance=0.1)
    for typed in ("2,5", "2.55", " 2,45 "):
        answers = quiz.parse_answers(content, form(dict(RIGHT_ANSWERS, **{"q-states": typed})))
        assert quiz.grade(content, answers).feedback["states"]["correct"], typed
    assert parse_number("1.234,5") == parse_number("1234.5")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (dict(RIGHT_ANSWERS, **{"q-ghost": "a"}), "do not match"),
        (dict(RIGHT_ANSWERS, **{"q-capital": "z"}), "do not match"),
        (dict(RIGHT_ANSWERS, **{"q-capital": ["a", "b"]}), "do not match"),
        (dict(RIGHT_ANSWERS, **{"q-eu": "maybe"}), "do not match"),
        (dict(RIGHT_ANSWERS, **{"q-states": "sixteen"}), "number"),
        (dict(RIGHT_ANSWERS, **{"q-states": "NaN"}), "number"),
        ({k: v for k, v in RIGHT_ANSWERS.items() if k != "q-eu"}, "missing: 3"),
    ],
)
def test_malformed_answers_are_refused_with_a_message(app, data, message):
    with pytest.raises(AnswerError, match=message):
        quiz.parse_answers(quiz_content(), form(data))


def test_max_attempts_comes_from_the_content():
    assert quiz.max_attempts(quiz_content()) is None
    assert quiz.max_attempts(quiz_content(max_attempts=2)) == 2
