"""Grading: right, wrong, partial and malformed answers; the feedback explains with the legal basis."""

from __future__ import annotations

import pytest
from flask import Flask
from mso_vereinsrecht import DecisionCase, StatuteCheck

from mso_academy.plugins.api import AnswerError
from tests.plugins.support import Form
from tests.plugins.vereinsrecht.conftest import right_case_answers, right_statute_answers, shipped

STATUTE = "02-satzung/satzungs-check.yaml"
MEETING = "05-mitgliederversammlung/fall-jahresversammlung.yaml"


@pytest.fixture
def check(app: Flask) -> StatuteCheck:
    return StatuteCheck()


@pytest.fixture
def case(app: Flask) -> DecisionCase:
    return DecisionCase()


def test_a_right_statute_check_passes_with_every_explanation(check: StatuteCheck) -> None:
    content = shipped(STATUTE)
    answers = check.parse_answers(content, Form(right_statute_answers(content), submission_token="t"))
    grade = check.grade(content, answers)
    assert (grade.score, grade.passed) == (1.0, True)
    assert grade.summary == "13 of 13 elements judged correctly (100 %)."
    vermoegen = grade.feedback["vermoegensbindung"]
    assert vermoegen["correct"] and vermoegen["expected"] == "defective"
    assert vermoegen["legal_basis"] == "§ 55 Abs. 1 Nr. 4, § 61 AO; Anlage 1 zu § 60 AO, § 5"
    assert "nicht an die Mitglieder" in vermoegen["explanation"] and vermoegen["clause"] == "§ 8 Auflösung"


def test_everything_present_is_a_typical_wrong_answer(check: StatuteCheck) -> None:
    content = shipped(STATUTE)
    answers = check.parse_answers(content, Form({f"e-{e['key']}": "present" for e in content["elements"]}))
    grade = check.grade(content, answers)
    assert grade.passed is False and grade.score == pytest.approx(8 / 13)
    wrong = {key for key, item in grade.feedback.items() if not item["correct"]}
    assert wrong == {"ein-und-austritt", "berufung-mv", "beurkundung", "beguenstigungsverbot", "vermoegensbindung"}
    assert grade.feedback["ein-und-austritt"]["legal_basis"] == "§ 58 Nr. 1 BGB; § 39 Abs. 2 BGB"


def test_partly_right_passes_only_at_the_pass_mark(check: StatuteCheck) -> None:
    content = shipped(STATUTE)
    right = right_statute_answers(content)
    two_wrong = {**right, "e-beurkundung": "present", "e-vermoegensbindung": "missing"}
    three_wrong = {**two_wrong, "e-name": "missing"}
    assert check.grade(content, check.parse_answers(content, Form(two_wrong))).passed  # 11/13 = 85 %
    grade = check.grade(content, check.parse_answers(content, Form(three_wrong)))  # 10/13 = 77 %
    assert grade.passed is False and grade.summary == "10 of 13 elements judged correctly (77 %)."


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({}, "Please judge every element (missing: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13)."),
        ({"e-name": "vielleicht"}, "The answers do not match this statute check."),
        ({"e-unbekannt": "present"}, "The answers do not match this statute check."),
        ({"e-name": ["present", "missing"]}, "The answers do not match this statute check."),
    ],
)
def test_malformed_statute_answers_are_refused(check: StatuteCheck, form: dict, message: str) -> None:
    with pytest.raises(AnswerError) as error:
        check.parse_answers(shipped(STATUTE), Form(form))
    assert str(error.value).startswith(message)


def test_a_right_case_passes_and_explains_the_statute_and_the_default(case: DecisionCase) -> None:
    content = shipped(MEETING)
    grade = case.grade(content, case.parse_answers(content, Form(right_case_answers(content))))
    assert (grade.score, grade.passed) == (1.0, True)
    votes = grade.feedback["ja-stimmen"]
    assert votes["expected"] == "14 Ja-Stimmen" and votes["norm"] == "§ 7 Abs. 5 der Satzung; § 40 BGB"
    assert "Zwei Drittel von 21 sind genau 14" in votes["reasoning"]
    assert "§ 33 Abs. 1 Satz 1 BGB" in votes["statutory_default"] and "16 Ja-Stimmen" in votes["statutory_default"]
    assert grade.feedback["verschiedenes"]["statutory_default"] == ""


def test_the_statutory_majority_instead_of_the_statute_is_wrong(case: DecisionCase) -> None:
    content = shipped(MEETING)
    answers = {**right_case_answers(content), "q-ja-stimmen": "16", "q-verschiedenes": "b"}
    grade = case.grade(content, case.parse_answers(content, Form(answers)))
    assert grade.passed is False and grade.score == pytest.approx(3 / 5)
    assert grade.summary == "3 of 5 decisions right (60 %)."
    assert grade.feedback["ja-stimmen"]["correct"] is False
    chosen = grade.feedback["verschiedenes"]
    assert chosen["expected"].startswith("Nein, die Beitragserhöhung") and "Verschiedenes" in chosen["option_feedback"]


def test_numbers_are_read_as_people_type_them(case: DecisionCase) -> None:
    content = shipped(MEETING)
    for typed in ("14", "14,0", " 14 ", "14.0"):
        answers = case.parse_answers(content, Form({**right_case_answers(content), "q-ja-stimmen": typed}))
        assert case.grade(content, answers).feedback["ja-stimmen"]["correct"], typed
    sommerfest = shipped("03-gemeinnuetzigkeit/fall-sommerfest.yaml")
    answers = case.parse_answers(sommerfest, Form({**right_case_answers(sommerfest), "q-summe-wgb": "21.500 €"}))
    assert case.grade(sommerfest, answers).feedback["summe-wgb"] == {
        "correct": True,
        "expected": "21.500 Euro",
        "option_feedback": "",
        "norm": "§ 64 Abs. 3 AO; § 14 AO",
        "reasoning": sommerfest["questions"][0]["reasoning"],
        "statutory_default": "",
    }


def test_a_tolerance_accepts_close_numbers(case: DecisionCase) -> None:
    content = {
        "situation": "x",
        "questions": [
            {"key": "q", "type": "number", "text": "?", "answer": 20.5, "tolerance": 0.5, "norm": "n", "reasoning": "r"}
        ],
    }
    assert case.grade(content, {"q": "21"}).passed
    assert not case.grade(content, {"q": "21.5"}).passed
    assert case.grade(content, {"q": "20"}).feedback["q"]["expected"] == "20,5"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"q-tage": ""}, "Please answer every question (missing: 1)."),
        ({"q-tage": "achtzehn"}, "Question 1: please enter a number, for example 12 or 12,5."),
        ({"q-was-tun": "z"}, "The answers do not match this case."),
        ({"q-frage-99": "a"}, "The answers do not match this case."),
        ({"q-was-tun": ["a", "b"]}, "The answers do not match this case."),
    ],
)
def test_malformed_case_answers_are_refused(case: DecisionCase, change: dict, message: str) -> None:
    content = shipped(MEETING)
    with pytest.raises(AnswerError) as error:
        case.parse_answers(content, Form({**right_case_answers(content), **change}))
    assert str(error.value).startswith(message)


def test_a_stored_grade_does_not_change_when_graded_again(case: DecisionCase, check: StatuteCheck) -> None:
    content = shipped(MEETING)
    answers = case.parse_answers(content, Form(right_case_answers(content)))
    assert case.grade(content, answers) == case.grade(content, dict(answers))
    statute = shipped(STATUTE)
    answers = check.parse_answers(statute, Form(right_statute_answers(statute)))
    assert check.grade(statute, answers) == check.grade(statute, dict(answers))
