"""Content validation of both kinds: the shipped content passes; each kind of mistake names its field."""

from __future__ import annotations

from typing import Any

import pytest
from mso_vereinsrecht import DecisionCase, StatuteCheck

from tests.plugins.vereinsrecht.conftest import shipped

STATUTE = "02-satzung/satzungs-check.yaml"
CASES = [
    "01-gruendung/fall-gruendung.yaml",
    "03-gemeinnuetzigkeit/fall-sommerfest.yaml",
    "04-vorstand/fall-mietvertrag.yaml",
    "05-mitgliederversammlung/fall-jahresversammlung.yaml",
    "05-mitgliederversammlung/fall-hybrid.yaml",
]


def fields(problems: list[Any]) -> set[str]:
    return {p.field for p in problems}


def test_the_shipped_statute_check_and_cases_are_valid() -> None:
    assert StatuteCheck().validate(shipped(STATUTE)) == []
    for case in CASES:
        assert DecisionCase().validate(shipped(case)) == [], case


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda c: c.update(clauses=[]), "clauses", "at least one clause"),
        (lambda c: c.update(elements="none"), "elements", "at least one element"),
        (lambda c: c.update(pass_mark=120), "pass_mark", "0 to 100"),
        (lambda c: c.update(max_attempts=0), "max_attempts", "at least 1"),
        (lambda c: c["clauses"][1].update(key="c1"), "clauses.1.key", "used by two clauses"),
        (lambda c: c["clauses"][0].pop("text"), "clauses.0.text", "needs a text"),
        (lambda c: c["elements"][0].update(key="kein key!"), "elements.0.key", "letters, digits"),
        (lambda c: c["elements"][2].update(key="name"), "elements.2.key", "used by two elements"),
        (lambda c: c["elements"][0].update(label=" "), "elements.0.label", "needs a label"),
        (lambda c: c["elements"][0].update(category="optional"), "elements.0.category", "required, recommended, tax"),
        (lambda c: c["elements"][0].update(status="ok"), "elements.0.status", "present, missing, defective"),
        (lambda c: c["elements"][0].update(clause="c99"), "elements.0.clause", "not the key of a clause"),
        (lambda c: c["elements"][0].pop("clause"), "elements.0.clause", "must name the clause"),
        (lambda c: c["elements"][4].pop("legal_basis"), "elements.4.legal_basis", "legal basis"),
        (lambda c: c["elements"][4].update(explanation=""), "elements.4.explanation", "explain why"),
        (lambda c: c["elements"].__setitem__(1, "Sitz"), "elements.1", "must be a mapping"),
    ],
)
def test_statute_check_problems_name_the_field(change: Any, field: str, words: str) -> None:
    content = shipped(STATUTE)
    change(content)
    problems = StatuteCheck().validate(content)
    assert field in fields(problems), problems
    assert any(words in p.message for p in problems if p.field == field), problems


def test_a_missing_element_needs_no_clause() -> None:
    content = shipped(STATUTE)
    assert "clause" not in content["elements"][8] and content["elements"][8]["status"] == "missing"
    assert StatuteCheck().validate(content) == []


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda c: c.pop("situation"), "situation", "describe the situation"),
        (lambda c: c.update(statute=["§ 7"]), "statute", "must be text"),
        (lambda c: c.update(questions=[]), "questions", "at least one question"),
        (lambda c: c["questions"][0].update(type="essay"), "questions.0.type", "choice, number"),
        (lambda c: c["questions"][0].pop("norm"), "questions.0.norm", "name the norm"),
        (lambda c: c["questions"][0].update(reasoning=" "), "questions.0.reasoning", "explain the answer"),
        (lambda c: c["questions"][0].update(answer="achtzehn"), "questions.0.answer", "number as answer"),
        (lambda c: c["questions"][0].update(tolerance=-1), "questions.0.tolerance", "at least 0"),
        (lambda c: c["questions"][0].update(unit=3), "questions.0.unit", "must be text"),
        (lambda c: c["questions"][1]["options"][1].update(correct=True), "questions.1.options", "exactly one correct"),
        (
            lambda c: c["questions"][1].update(options=[{"key": "a", "text": "Ja"}]),
            "questions.1.options",
            "two options",
        ),
        (lambda c: c["questions"][1]["options"][0].update(text=""), "questions.1.options.0.text", "needs a text"),
        (lambda c: c["questions"][1]["options"][1].update(key="a"), "questions.1.options.1.key", "used by two"),
        (lambda c: c["questions"][2].update(key="tage"), "questions.2.key", "used by two questions"),
    ],
)
def test_decision_case_problems_name_the_field(change: Any, field: str, words: str) -> None:
    content = shipped(CASES[3])
    change(content)
    problems = DecisionCase().validate(content)
    assert field in fields(problems), problems
    assert any(words in p.message for p in problems if p.field == field), problems


def test_estimated_minutes_grow_with_the_content() -> None:
    assert StatuteCheck().estimated_minutes(shipped(STATUTE)) == 9 + 13
    assert DecisionCase().estimated_minutes(shipped(CASES[3])) == 3 + 2 * 5


def test_the_examples_in_the_trainers_guide_are_valid() -> None:
    import re
    from pathlib import Path

    import yaml

    guide = (Path(__file__).resolve().parents[3] / "docs" / "course-type-vereinsrecht.md").read_text("utf-8")
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", guide, re.S)]
    statute = [b for b in blocks if isinstance(b, dict) and "clauses" in b]
    cases = [b for b in blocks if isinstance(b, dict) and "situation" in b]
    assert len(statute) == 1 and len(cases) == 1
    assert StatuteCheck().validate(statute[0]) == []
    assert DecisionCase().validate(cases[0]) == []


def _figure(table: str, label: str) -> str:
    """The first bold amount in the row of the figures page whose first cell starts with `label`."""
    import re

    row = next(line for line in table.splitlines() if line.startswith(f"| {label}"))
    return re.search(r"\*\*([0-9.]+) €\*\*", row).group(1)


def test_the_cases_use_the_figures_of_the_figures_page() -> None:
    """The figures page is the one place for changing figures: a case that uses one must agree with it."""
    from tests.plugins.vereinsrecht.conftest import COURSE

    table = (COURSE / "06-mitgliedschaft" / "zahlen-und-fristen.md").read_text("utf-8")
    ehrenamt = _figure(table, "Ehrenamtspauschale")
    grenze = _figure(table, "Besteuerungsgrenze")
    mittel = _figure(table, "Keine Pflicht zur zeitnahen")
    haftung = _figure(table, "Haftungsprivileg")
    assert (ehrenamt, grenze, mittel, haftung) == ("960", "50.000", "100.000", "3.300")

    sommerfest = {q["key"]: q for q in shipped("03-gemeinnuetzigkeit/fall-sommerfest.yaml")["questions"]}
    assert sommerfest["pauschale"]["answer"] == int(ehrenamt.replace(".", ""))
    assert f"{grenze} €" in sommerfest["koerperschaftsteuer"]["options"][0]["text"]
    assert f"{mittel} €" in sommerfest["mittelverwendung"]["options"][0]["text"]
    miete = {q["key"]: q for q in shipped("04-vorstand/fall-mietvertrag.yaml")["questions"]}
    assert f"{haftung} €" in miete["haftung-mehmet"]["options"][0]["text"]
    quiz = {q["key"]: q for q in shipped("06-mitgliedschaft/abschlussquiz.yaml")["questions"]}
    assert quiz["q4"]["answer"] == int(ehrenamt.replace(".", ""))
    for lesson in ("03-gemeinnuetzigkeit/geld-fuer-ehrenamtliche.md", "04-vorstand/pflichten-und-haftung.md"):
        assert f"{haftung} €" in (COURSE / lesson).read_text("utf-8"), lesson
