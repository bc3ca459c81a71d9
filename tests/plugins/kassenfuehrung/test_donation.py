"""The donation receipt kind: validation, parsing, and grading of the decision and each required field."""

from __future__ import annotations

import pytest
from mso_kassenfuehrung.donation import DonationReceipt
from werkzeug.datastructures import MultiDict

from mso_academy.plugins.api import AnswerError

from .conftest import shipped

kind = DonationReceipt()
CASES = ["fall-geldspende", "fall-sachspende", "fall-kleinspende", "fall-eintritt"]


def case(name):
    return shipped(f"03-spenden/{name}.yaml")


def right_form(content) -> MultiDict:
    data = {"decision": content["decision"]["correct"]}
    for spec in content.get("fields", []):
        answer = spec["answer"]
        data[f"field-{spec['key']}"] = answer[0] if isinstance(answer, list) else str(answer)
    return MultiDict(data)


def grade(app, content, form):
    with app.test_request_context():
        return kind.grade(content, kind.parse_answers(content, form))


@pytest.mark.parametrize("name", CASES)
def test_shipped_cases_are_valid_and_pass_when_right(app, name):
    content = case(name)
    assert kind.validate(content) == []
    result = grade(app, content, right_form(content))
    assert result.passed and result.score == 1.0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda c: c.update(case=""), "case"),
        (lambda c: c["decision"].update(correct="quittung"), "decision.correct"),
        (lambda c: c["decision"].update(explanation=""), "decision.explanation"),
        (lambda c: c.update(fields=[]), "fields"),  # a confirmation without its fields
        (lambda c: c["fields"][0].update(answer="viel"), "fields.0.answer"),
        (lambda c: c["fields"][2].update(answer="gestern"), "fields.2.answer"),
        (lambda c: c["fields"][3].update(answer="Vielleicht"), "fields.3.answer"),
        (lambda c: c["fields"][3].update(options=["Ja"]), "fields.3.options"),
        (lambda c: c["fields"][1].update(type="essay"), "fields.1.type"),
        (lambda c: c["fields"][1].update(key="betrag"), "fields.1.key"),
        (lambda c: c["fields"][1].update(explanation=" "), "fields.1.explanation"),
        (lambda c: c["decision"].update(correct="keine"), "fields"),  # fields only where a confirmation is issued
    ],
)
def test_each_kind_of_bad_content_names_its_field(change, field):
    content = case("fall-geldspende")
    change(content)
    assert field in {p.field for p in kind.validate(content)}


def test_wrong_decision_fails_whatever_the_fields_say(app):
    content = case("fall-geldspende")
    form = right_form(content)
    form["decision"] = "vereinfacht"
    result = grade(app, content, form)
    assert not result.passed
    assert not result.feedback["decision"]["ok"]
    assert "§ 50 Abs. 4 Satz 1 Nr. 2 EStDV" in result.feedback["decision"]["explanation"]


def test_partial_fields_and_their_legal_basis(app):
    content = case("fall-sachspende")
    form = right_form(content)
    form["field-wert"] = "900,00"  # the old purchase price instead of today's value
    result = grade(app, content, form)
    assert result.score == pytest.approx(6 / 7) and result.passed  # 80 % pass mark
    wert = result.feedback["fields"]["wert"]
    assert not wert["ok"] and wert["correct"] == "350,00 €" and "§ 10b Abs. 3 Satz 3 EStG" in wert["explanation"]
    form["field-herkunft"] = "Betriebsvermögen"
    assert not grade(app, content, form).passed


def test_amount_in_words_is_compared_generously(app):
    content = case("fall-geldspende")
    for words in ("Eintausend-zweihundert", "eins – zwei – null – null", "TAUSENDZWEIHUNDERT"):
        form = right_form(content)
        form["field-betrag-buchstaben"] = words
        assert grade(app, content, form).feedback["fields"]["betrag-buchstaben"]["ok"], words
    form["field-betrag-buchstaben"] = "zwölfhundert Euro"
    assert not grade(app, content, form).feedback["fields"]["betrag-buchstaben"]["ok"]


def test_no_fields_needed_when_no_confirmation_is_issued(app):
    content = case("fall-geldspende")
    result = grade(app, content, MultiDict({"decision": "keine"}))
    assert not result.passed and result.feedback["fields"]["betrag"]["ok"] is False


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "choose what is right"),
        ({"decision": "quittung"}, "choose what is right"),
        ({"decision": "geld"}, "missing: 1, 2, 3, 4, 5, 6"),
        ({"decision": "geld", "field-betrag": "zwölfhundert"}, "please enter an amount"),
    ],
)
def test_malformed_input_is_refused(app, data, message):
    content = case("fall-geldspende")
    form = right_form(content) if "field-betrag" in data else MultiDict()
    for key, value in data.items():
        form[key] = value
    with app.test_request_context(), pytest.raises(AnswerError, match=message):
        kind.parse_answers(content, form)


def test_a_choice_outside_the_options_is_refused(app):
    content = case("fall-geldspende")
    form = right_form(content)
    form["field-verzicht"] = "Vielleicht"
    with app.test_request_context(), pytest.raises(AnswerError, match="do not match"):
        kind.parse_answers(content, form)
