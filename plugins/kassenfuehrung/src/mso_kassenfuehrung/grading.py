"""Checking a cash book line by line, with exact cents, and saying why each mistake is one."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from mso_academy.plugins.api import Grade, gettext
from mso_kassenfuehrung.money import content_money, format_date, format_money, parse_date
from mso_kassenfuehrung.spheres import SPHERES

if TYPE_CHECKING:
    from mso_kassenfuehrung.cashbook import CashBook


def _line_messages(
    row: Mapping[str, Any], receipt: Mapping[str, Any] | None, earlier: int | None
) -> tuple[bool, list[str]]:
    """Whether one booked line matches its receipt, and a message per mistake."""
    if receipt is None:
        return False, [gettext("This receipt number does not exist.")]
    number = receipt["number"]
    if earlier is not None:
        return False, [
            gettext(
                "Receipt %(number)s is already booked in line %(line)d. Book every receipt exactly once "
                "(§ 146 Abs. 1 AO: complete and correct records).",
                number=number,
                line=earlier,
            )
        ]
    if not receipt.get("in_cash_book", True):
        return False, [
            gettext("Receipt %(number)s does not belong in the cash book.", number=number),
            receipt["explanation"],
        ]
    messages = []
    if parse_date(row["date"]) != parse_date(receipt["date"]):
        messages.append(
            gettext(
                "Date: the receipt says %(date)s. Book on the day the money moved (§ 146 Abs. 1 AO: cash "
                "receipts and payments are to be recorded daily).",
                date=format_date(parse_date(receipt["date"])),
            )
        )
    if row["direction"] != receipt["direction"]:
        messages.append(
            gettext("Direction: receipt %(number)s brings money into the till (income).", number=number)
            if receipt["direction"] == "in"
            else gettext("Direction: receipt %(number)s takes money out of the till (expense).", number=number)
        )
    expected = content_money(receipt["amount"])
    if Decimal(row["amount"]) != expected:
        messages.append(
            gettext(
                "Amount: the receipt shows %(expected)s, you booked %(given)s. Copy the amount to the cent.",
                expected=format_money(expected or Decimal(0)),
                given=format_money(Decimal(row["amount"])),
            )
        )
    if row["sphere"] != receipt["sphere"]:
        messages.append(
            gettext("Sphere: this belongs to “%(sphere)s”.", sphere=SPHERES[receipt["sphere"]][0])
            + " "
            + receipt["explanation"]
        )
    return not messages, messages


def grade_cashbook(kind: CashBook, content: Mapping[str, Any], answers: Mapping[str, Any]) -> Grade:
    by_number = {r["number"]: r for r in content["receipts"]}
    opening = content_money(content["opening_balance"]) or Decimal(0)
    lines_feedback: list[dict[str, Any]] = []
    first_line: dict[str, int] = {}
    right_receipts: set[str] = set()
    balance = opening
    balances_ok = True
    order_ok = True
    previous_date = None
    for position, row in enumerate(answers["lines"], start=1):
        receipt = by_number.get(row["receipt"])
        ok, messages = _line_messages(row, receipt, first_line.get(row["receipt"]))
        first_line.setdefault(row["receipt"], position)
        if ok:
            right_receipts.add(row["receipt"])
        day = parse_date(row["date"])
        if previous_date is not None and day < previous_date:
            order_ok = False
            messages.append(
                gettext(
                    "Order: this line is dated before the line above it. A cash book is kept in the order of "
                    "the days (§ 146 Abs. 1 AO: timely and orderly)."
                )
            )
        previous_date = day
        amount = Decimal(row["amount"])
        balance = balance + amount if row["direction"] == "in" else balance - amount
        given = Decimal(row["balance"])
        if given != balance:
            balances_ok = False
            messages.append(
                gettext(
                    "Balance: by your own lines the till holds %(expected)s after this line, not %(given)s.",
                    expected=format_money(balance),
                    given=format_money(given),
                )
            )
        if given < 0:
            messages.append(
                gettext("A till can never hold less than nothing: a negative balance shows a booking mistake.")
            )
        balance = given  # carry on from what the learner wrote, so one slip is not counted on every later line
        lines_feedback.append({"ok": ok and not messages, "messages": messages})

    missing = [
        {
            "number": r["number"],
            "message": gettext(
                "Receipt %(number)s of %(date)s is missing. Every cash movement needs its line and receipt "
                "(no booking without a receipt).",
                number=r["number"],
                date=format_date(parse_date(r["date"])),
            ),
        }
        for r in kind.booked(content)
        if r["number"] not in first_line
    ]
    not_for_book = [r for r in content["receipts"] if not r.get("in_cash_book", True)]
    left_out_right = sum(1 for r in not_for_book if r["number"] not in first_line)

    closing = kind.expected_closing(content)
    given_closing = Decimal(answers["closing_balance"])
    closing_ok = given_closing == closing
    count = content_money(content["cash_count"]) or Decimal(0)
    difference = count - closing
    difference_ok = Decimal(answers["difference"]) == difference
    checks = {
        "order": {
            "ok": order_ok,
            "message": gettext("The lines are in the order of the days.")
            if order_ok
            else gettext("Some lines are out of date order."),
        },
        "balances": {
            "ok": balances_ok,
            "message": gettext("Every running balance adds up.")
            if balances_ok
            else gettext("Some running balances do not add up (see the lines)."),
        },
        "closing": {
            "ok": closing_ok,
            "message": gettext("The closing balance is right: %(amount)s.", amount=format_money(closing))
            if closing_ok
            else gettext(
                "The closing balance by the receipts is %(expected)s (opening balance plus income minus "
                "expenses), not %(given)s.",
                expected=format_money(closing),
                given=format_money(given_closing),
            ),
        },
        "difference": {
            "ok": difference_ok,
            "message": (
                gettext("Right: the counted cash matches the cash book.")
                if difference == 0
                else gettext(
                    "Right: the till holds %(difference)s compared with the book. Do not make the figures fit: "
                    "record the difference in a signed counting record and book it as a cash difference.",
                    difference=format_money(difference),
                )
            )
            if difference_ok
            else gettext(
                "The difference is counted cash minus book balance: %(count)s − %(closing)s = %(difference)s. "
                "It is recorded in a counting record signed by two people, never made to fit.",
                count=format_money(count),
                closing=format_money(closing),
                difference=format_money(difference),
            ),
        },
    }
    total = len(content["receipts"]) + len(checks)
    earned = len(right_receipts) + left_out_right + sum(1 for check in checks.values() if check["ok"])
    score = earned / total
    pass_mark = content.get("pass_mark", 100)
    passed = earned * 100 >= pass_mark * total
    summary = gettext(
        "%(earned)d of %(total)d checks right (%(percent)d %%).", earned=earned, total=total, percent=round(score * 100)
    )
    return Grade(
        score=score,
        passed=passed,
        summary=summary,
        feedback={"lines": lines_feedback, "missing": missing, "checks": checks},
    )
