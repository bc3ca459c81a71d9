"""The cash book kind: content validation with field paths, parsing (drafts and hand-ins), and grading that checks
every line, the running balance and the closing balance against the cash count to the cent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from mso_kassenfuehrung.cashbook import CashBook
from werkzeug.datastructures import MultiDict

from mso_academy.plugins.api import AnswerError

from .conftest import right_cashbook

kind = CashBook()


def fields(problems):
    return {p.field for p in problems}


# --- validation ---------------------------------------------------------------------------------------------


def test_the_shipped_cash_books_are_valid(march, july):
    assert kind.validate(march) == []
    assert kind.validate(july) == []
    assert kind.expected_closing(march) == Decimal("121.69")
    assert kind.expected_closing(july) == Decimal("243.95")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda c: c.pop("association"), "association"),
        (lambda c: c.update(opening_balance=185.4), "opening_balance"),  # a YAML float, not exact cents
        (lambda c: c.update(cash_count="viel"), "cash_count"),
        (lambda c: c.update(pass_mark=120), "pass_mark"),
        (lambda c: c.update(receipts=[]), "receipts"),
        (lambda c: c["receipts"][1].update(key="K 2"), "receipts.1.key"),
        (lambda c: c["receipts"][1].update(key="k01"), "receipts.1.key"),
        (lambda c: c["receipts"][2].update(number="K-01"), "receipts.2.number"),
        (lambda c: c["receipts"][0].update(date="30.02.2026"), "receipts.0.date"),
        (lambda c: c["receipts"][0].update(direction="rein"), "receipts.0.direction"),
        (lambda c: c["receipts"][0].update(amount="-3.00"), "receipts.0.amount"),
        (lambda c: c["receipts"][0].update(sphere="sport"), "receipts.0.sphere"),
        (lambda c: c["receipts"][0].update(explanation=""), "receipts.0.explanation"),
        (lambda c: c["receipts"][0].update(in_cash_book="ja"), "receipts.0.in_cash_book"),
        (lambda c: c.update(opening_balance="0.00"), "receipts"),  # the till would go below zero
    ],
)
def test_each_kind_of_bad_content_names_its_field(march, change, field):
    change(march)
    assert field in fields(kind.validate(march))


# --- parsing ------------------------------------------------------------------------------------------------


def test_a_draft_keeps_unfinished_lines_as_typed(march):
    form = MultiDict({"lines-0-receipt": "K-01", "lines-0-amount": "36,0", "lines-1-receipt": "K-02", "difference": ""})
    draft = kind.parse_draft(march, form)
    assert draft["lines"] == [
        {"receipt": "K-01", "date": "", "text": "", "direction": "", "amount": "36,0", "sphere": "", "balance": ""}
    ]  # the second row has only a receipt chosen: an empty row, not a line


def test_hand_in_stores_exact_amounts_and_iso_dates(march):
    answers = kind.parse_answers(march, right_cashbook(march))
    assert answers["lines"][0]["amount"] == "36.00" and answers["lines"][0]["date"] == "2026-03-02"
    assert answers["closing_balance"] == "121.69" and answers["difference"] == "0.00"


def test_deleted_lines_are_dropped(march):
    form = right_cashbook(march)
    form["lines-0-delete"] = "1"
    assert len(kind.parse_answers(march, form)["lines"]) == len(CashBook.booked(march)) - 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("lines-2-amount", "neunzig", "Line 3: enter amount and balance in euros"),
        ("lines-2-date", "gestern", "Line 3: enter the date"),
        ("lines-0-receipt", "K-99", "Line 1: choose the receipt"),
        ("lines-1-sphere", "", "Line 2: choose the sphere"),
        ("lines-1-direction", "", "Line 2: choose income or expense"),
        ("lines-1-text", "", "Line 2: write a short booking text"),
        ("lines-1-amount", "0", "Line 2: the amount must be more than 0"),
        ("closing_balance", "", "closing balance"),
    ],
)
def test_malformed_hand_ins_are_refused_with_the_line(app, march, field, value, message):
    form = right_cashbook(march)
    form[field] = value
    with app.test_request_context(), pytest.raises(AnswerError, match=message):
        kind.parse_answers(march, form)


def test_an_empty_cash_book_cannot_be_handed_in(app, march):
    with app.test_request_context(), pytest.raises(AnswerError, match="at least one line"):
        kind.parse_answers(march, MultiDict({"closing_balance": "1", "difference": "0"}))


# --- grading ------------------------------------------------------------------------------------------------


def grade(app, content, form):
    with app.test_request_context():
        return kind.grade(content, kind.parse_answers(content, form))


def test_right_books_pass_with_full_score(app, march, july):
    for content in (march, july):
        result = grade(app, content, right_cashbook(content, german=False))
        assert result.passed and result.score == 1.0
        assert all(line["ok"] for line in result.feedback["lines"])
        assert result.feedback["missing"] == []
    assert "−5,00 €" not in grade(app, july, right_cashbook(july)).feedback["checks"]["difference"]["message"]
    assert "-5,00 €" in grade(app, july, right_cashbook(july)).feedback["checks"]["difference"]["message"]


def test_a_wrong_sphere_is_explained_with_its_legal_basis(app, march):
    form = right_cashbook(march)
    form["lines-2-sphere"] = "ideell"  # the Deutschkurs fees are a Zweckbetrieb
    result = grade(app, march, form)
    assert not result.passed and result.score < 1
    [message] = result.feedback["lines"][2]["messages"]
    assert "Purpose-related business" in message and "§ 68 Nr. 8 AO" in message
    assert result.feedback["checks"]["closing"]["ok"]  # everything else still right


def test_wrong_amount_breaks_balances_and_closing_but_not_the_later_lines(app, march):
    form = right_cashbook(march)
    form["lines-1-amount"] = "23,78"  # a slip: the receipt says 23,87
    result = grade(app, march, form)
    lines = result.feedback["lines"]
    assert any("shows 23,87 €, you booked 23,78 €" in m for m in lines[1]["messages"])
    assert any("holds 197,62 € after this line, not 197,53 €" in m for m in lines[1]["messages"])
    assert lines[2]["ok"]  # carried on from what the learner wrote
    assert not result.feedback["checks"]["balances"]["ok"]


def test_missing_double_and_misplaced_receipts(app, march):
    form = right_cashbook(march)
    form["lines-3-receipt"] = "K-01"  # K-04 is never booked, K-01 twice
    result = grade(app, march, form)
    assert any("already booked in line 1" in m for m in result.feedback["lines"][3]["messages"])
    assert [m["number"] for m in result.feedback["missing"]] == ["K-04"]

    form = right_cashbook(march)
    form.update({"lines-9-receipt": "B-07", "lines-9-date": "10.03.2026", "lines-9-text": "Zinsen"})
    form.update({"lines-9-direction": "in", "lines-9-amount": "2,14", "lines-9-sphere": "vermoegen"})
    form["lines-9-balance"] = "123,83"
    result = grade(app, march, form)
    assert any("does not belong in the cash book" in m for m in result.feedback["lines"][-1]["messages"])
    assert any("Order" in m for m in result.feedback["lines"][-1]["messages"])  # dated before the line above
    assert not result.passed


def test_closing_balance_and_difference_are_checked_against_the_cash_count(app, july):
    form = right_cashbook(july)
    form["difference"] = "5,00"  # the wrong sign: cash is missing
    result = grade(app, july, form)
    checks = result.feedback["checks"]
    assert checks["closing"]["ok"] and not checks["difference"]["ok"]
    assert "238,95 € − 243,95 € = -5,00 €" in checks["difference"]["message"]
    form = right_cashbook(july)
    form["closing_balance"] = "238,95"  # made to fit the count
    assert not grade(app, july, form).feedback["checks"]["closing"]["ok"]


def test_partial_credit_and_the_pass_mark(app, march):
    form = right_cashbook(march)
    form["lines-0-sphere"] = "zweckbetrieb"
    march["pass_mark"] = 80
    result = grade(app, march, form)
    assert result.score == pytest.approx(13 / 14) and result.passed
    assert result.summary.startswith("13 of 14 checks right")
