"""The spending report: validation, and grading line by line against ANBest-P Nr. 1.2."""

from __future__ import annotations

import pytest
from mso_foerderantraege.spending import SpendingReport, expected
from werkzeug.datastructures import MultiDict

from mso_academy.plugins.api import AnswerError

KIND = SpendingReport()

RIGHT = {
    "line-honorare-actual": "2.480,00",
    "line-honorare-state": "covered",
    "line-raummiete-actual": "900",
    "line-raummiete-state": "within",
    "line-sachkosten-actual": "465,74",
    "line-sachkosten-state": "within",
    "line-fahrtkosten-actual": "192.00",
    "line-fahrtkosten-state": "consent",
}


def form(**changes):
    return MultiDict({**RIGHT, **changes})


def test_the_shipped_report_is_valid_and_its_answer_is_worked_out_exactly(app, spending):
    assert KIND.validate(spending) == []
    assert expected(spending) == {
        "honorare": {"actual": "2480.00", "deviation": "3.3", "state": "covered"},
        "raummiete": {"actual": "900.00", "deviation": "0.0", "state": "within"},
        "sachkosten": {"actual": "465.74", "deviation": "-22.4", "state": "within"},
        "fahrtkosten": {"actual": "192.00", "deviation": "28.0", "state": "consent"},
    }


def test_an_overrun_within_20_percent_needs_consent_once_the_total_is_exceeded(app, spending):
    spending["lines"][2]["receipts"].append({"date": "2027-10-01", "text": "Stoff", "amount": "200.00"})
    # 665,74 € Sachkosten: now 4.237,74 € spent against 4.050 € planned – no savings cover the fees' overrun
    assert expected(spending)["honorare"]["state"] == "consent"
    assert expected(spending)["sachkosten"]["state"] == "consent"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda c: c.pop("instructions"), "instructions"),
        (lambda c: c.update(tolerance_percent=150), "tolerance_percent"),
        (lambda c: c.update(pass_mark="viel"), "pass_mark"),
        (lambda c: c.update(lines=[]), "lines"),
        (lambda c: c["lines"][1].update(key="honorare"), "lines.1.key"),
        (lambda c: c["lines"][0].pop("label"), "lines.0.label"),
        (lambda c: c["lines"][0].update(planned="0"), "lines.0.planned"),
        (lambda c: c["lines"][0].update(receipts="keine"), "lines.0.receipts"),
        (lambda c: c["lines"][0]["receipts"][0].update(date="gestern"), "lines.0.receipts.0.date"),
        (lambda c: c["lines"][0]["receipts"][1].update(amount="8oo"), "lines.0.receipts.1.amount"),
        (lambda c: c["lines"][0]["receipts"][2].update(text=""), "lines.0.receipts.2.text"),
        (lambda c: c.update(minutes=900), "minutes"),
    ],
)
def test_each_kind_of_bad_content_names_its_field(app, spending, change, field):
    change(spending)
    assert field in [p.field for p in KIND.validate(spending)]


def grade(app, spending, **changes):
    with app.test_request_context():
        return KIND.grade(spending, KIND.parse_answers(spending, form(**changes)))


def test_all_right_passes(app, spending):
    result = grade(app, spending)
    assert result.passed and result.score == 1.0
    assert "8 of 8 entries are right" in result.summary
    why = result.feedback["fahrtkosten"]["why"]
    assert "+28,0 %" in why and "more than 20 %" in why and "ANBest-P Nr. 1.2" in why


def test_all_wrong_fails_and_explains_each_line(app, spending):
    result = grade(
        app,
        spending,
        **{
            "line-honorare-actual": "2400",
            "line-honorare-state": "consent",
            "line-raummiete-actual": "0",
            "line-raummiete-state": "covered",
            "line-sachkosten-actual": "465,75",
            "line-sachkosten-state": "consent",
            "line-fahrtkosten-actual": "150",
            "line-fahrtkosten-state": "covered",
        },
    )
    assert not result.passed and result.score == 0.0
    honorare = result.feedback["honorare"]
    assert not honorare["amount_ok"] and honorare["actual"] == "2480.00"
    assert "up to 20 %" in honorare["why"] and "savings in other lines" in honorare["why"]


def test_partly_right_scores_each_entry(app, spending):
    # one cent off on Sachkosten and the wrong assessment of Fahrtkosten: 6 of 8 = 75 % < 80 %
    result = grade(app, spending, **{"line-sachkosten-actual": "465,73", "line-fahrtkosten-state": "covered"})
    assert result.score == pytest.approx(0.75) and not result.passed
    assert result.feedback["sachkosten"] == {**result.feedback["sachkosten"], "amount_ok": False, "state_ok": True}
    assert result.feedback["fahrtkosten"]["amount_ok"] and not result.feedback["fahrtkosten"]["state_ok"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"line-raummiete-actual": ""}, "Line 2: please enter the actual amount."),
        ({"line-raummiete-actual": "neunhundert"}, "Line 2: please enter an amount"),
        ({"line-fahrtkosten-state": "egal"}, "Line 4: please choose whether the deviation needs consent."),
    ],
)
def test_malformed_input_is_refused(app, spending, changes, message):
    with app.test_request_context(), pytest.raises(AnswerError, match=message):
        KIND.parse_answers(spending, form(**changes))
