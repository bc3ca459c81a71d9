"""The cash book (Kassenbuch): a month of receipts, booked line by line and checked to the cent.

Content (see docs/course-type-kassenfuehrung.md): `association`, `period`, `opening_balance`, `cash_count` (the
cash counted at the end of the period), `receipts` (each with key, number, date, description, what the
receipt shows, direction, amount, sphere, whether it belongs in the cash book, and an explanation), `pass_mark`.

Answers: the learner's lines (receipt, date, text, direction, amount, sphere and the balance after the line, as
they wrote them), the closing balance and the difference to the cash count. Amounts are stored as strings with
two decimal places and computed with `Decimal`.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from mso_academy.plugins.api import (
    ActivityKind,
    AnswerError,
    ContentProblem,
    FormData,
    Grade,
    Markup,
    check_key,
    gettext,
    is_int,
    is_text,
    lazy_gettext,
    render_markdown,
    row_indices,
)
from mso_kassenfuehrung.editing import cashbook_from_form
from mso_kassenfuehrung.money import content_money, format_date, format_money, parse_date, parse_money
from mso_kassenfuehrung.spheres import DIRECTIONS, SPHERES

MAX_LINES = 80
FIELDS = ("receipt", "date", "text", "direction", "amount", "sphere", "balance")
TEXT_LIMIT = 200


def _problem_money(content: Mapping[str, Any], path: str, value: Any) -> list[ContentProblem]:
    if content_money(value) is None:
        return [ContentProblem(path, 'write an amount in quotes with a decimal point, e.g. "24.50"')]
    return []


class CashBook(ActivityKind):
    key = "kassenbuch"
    name = lazy_gettext("Cash book")
    description = lazy_gettext("Book a month of receipts in a cash book; every line and balance is checked.")
    template = "kassenfuehrung/cashbook.html"
    editor_template = "kassenfuehrung/cashbook_editor.html"
    saves_drafts = True

    # --- content ------------------------------------------------------------------------------------------

    def validate(self, content: Mapping[str, Any]) -> list[ContentProblem]:
        problems: list[ContentProblem] = []
        for name in ("association", "period"):
            if not is_text(content.get(name)):
                problems.append(ContentProblem(name, f"{name} must be a text"))
        problems += _problem_money(content, "opening_balance", content.get("opening_balance"))
        problems += _problem_money(content, "cash_count", content.get("cash_count"))
        pass_mark = content.get("pass_mark", 100)
        if not is_int(pass_mark) or not 0 <= pass_mark <= 100:
            problems.append(ContentProblem("pass_mark", "pass_mark must be a whole number from 0 to 100"))
        receipts = content.get("receipts")
        if not isinstance(receipts, list) or not receipts:
            problems.append(ContentProblem("receipts", "a cash book needs a list of at least one receipt"))
            return problems
        keys: set[str] = set()
        numbers: set[str] = set()
        for index, receipt in enumerate(receipts):
            problems += self._validate_receipt(index, receipt, keys, numbers)
        if not any(r.get("in_cash_book", True) for r in receipts if isinstance(r, Mapping)):
            problems.append(ContentProblem("receipts", "at least one receipt must belong in the cash book"))
        if not problems and self.expected_closing(content) < 0:
            problems.append(ContentProblem("receipts", "the cash book would end below zero; a till cannot"))
        return problems

    def _validate_receipt(self, index: int, receipt: Any, keys: set[str], numbers: set[str]) -> list[ContentProblem]:
        at = f"receipts.{index}"
        if not isinstance(receipt, Mapping):
            return [ContentProblem(at, "each receipt must be a mapping with key, number, date, amount, …")]
        problems = check_key(at, receipt, keys, "receipts", lowercase=True)
        number = receipt.get("number")
        if not isinstance(number, str) or not number.strip() or len(number) > 20:
            problems.append(ContentProblem(f"{at}.number", "number must be a text of up to 20 characters"))
        elif number in numbers:
            problems.append(ContentProblem(f"{at}.number", f"receipt number {number!r} is used twice"))
        else:
            numbers.add(number)
        try:
            parse_date(receipt.get("date"))
        except (TypeError, ValueError):
            problems.append(ContentProblem(f"{at}.date", "date must be a date such as 2026-03-02"))
        for name in ("description", "explanation"):
            if not is_text(receipt.get(name)):
                problems.append(ContentProblem(f"{at}.{name}", f"the receipt needs a {name}"))
        if receipt.get("direction") not in DIRECTIONS:
            problems.append(ContentProblem(f"{at}.direction", "direction must be 'in' or 'out'"))
        amount = content_money(receipt.get("amount"))
        if amount is None or amount <= 0:
            problems.append(ContentProblem(f"{at}.amount", 'amount must be a positive amount in quotes, e.g. "24.50"'))
        if receipt.get("sphere") not in SPHERES:
            problems.append(ContentProblem(f"{at}.sphere", f"sphere must be one of {', '.join(SPHERES)}"))
        if not isinstance(receipt.get("in_cash_book", True), bool):
            problems.append(ContentProblem(f"{at}.in_cash_book", "in_cash_book must be true or false"))
        return problems

    def estimated_minutes(self, content: Mapping[str, Any]) -> int:
        minutes = content.get("minutes")
        if is_int(minutes) and minutes > 0:
            return minutes
        return 5 + 3 * len(content.get("receipts") or [])

    # --- helpers the template and the grader share -------------------------------------------------------------

    @staticmethod
    def booked(content: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        """The receipts that belong in the cash book, in date order (the order of the content for one day)."""
        receipts = [r for r in content["receipts"] if r.get("in_cash_book", True)]
        return sorted(receipts, key=lambda r: parse_date(r["date"]))

    @classmethod
    def expected_closing(cls, content: Mapping[str, Any]) -> Decimal:
        balance = content_money(content["opening_balance"]) or Decimal(0)
        for receipt in cls.booked(content):
            amount = content_money(receipt["amount"]) or Decimal(0)
            balance += amount if receipt["direction"] == "in" else -amount
        return balance

    @staticmethod
    def money(value: Any) -> str:
        amount = content_money(value)
        return format_money(amount) if amount is not None else str(value)

    @staticmethod
    def day(value: Any) -> str:
        try:
            return format_date(parse_date(value))
        except (TypeError, ValueError):
            return str(value)

    @staticmethod
    def document(receipt: Mapping[str, Any]) -> Markup:
        """A receipt's Markdown; its tables are named after the receipt, so several receipts' tables on one page
        are distinct regions for screen readers (the renderer numbers tables per text, from 1)."""
        html = str(render_markdown(receipt.get("document")))
        number = str(Markup.escape(receipt.get("number", "")))
        return Markup(
            html.replace(
                'role="region" tabindex="0" aria-label="', f'role="region" tabindex="0" aria-label="{number} – '
            )
        )

    spheres = SPHERES
    directions = DIRECTIONS

    # --- the web editor ------------------------------------------------------------------------------------

    def default_content(self) -> dict[str, Any]:
        return {
            "association": "",
            "period": "",
            "opening_balance": "0.00",
            "cash_count": "0.00",
            "pass_mark": 100,
            "receipts": [],
        }

    def content_from_form(self, form: FormData, previous: Mapping[str, Any]) -> dict[str, Any]:
        return cashbook_from_form(form, previous)

    # --- answers -----------------------------------------------------------------------------------------

    def _rows(self, form: FormData) -> list[dict[str, str]]:
        rows = []
        for index in row_indices(form, "lines", MAX_LINES + 1):
            prefix = f"lines-{index}-"
            if form.get(prefix + "delete"):
                continue
            row = {name: str(form.get(prefix + name) or "").strip()[:TEXT_LIMIT] for name in FIELDS}
            if any(row[name] for name in ("date", "text", "amount", "balance")):  # a receipt alone is no line
                rows.append(row)
        if len(rows) > MAX_LINES:
            raise AnswerError(gettext("A cash book here has at most %(n)d lines.", n=MAX_LINES))
        return rows

    def parse_draft(self, content: Mapping[str, Any], form: FormData) -> dict[str, Any]:
        """Unfinished lines are kept as typed, so the learner finds exactly what they wrote."""
        return {
            "lines": self._rows(form),
            "closing_balance": str(form.get("closing_balance") or "").strip()[:40],
            "difference": str(form.get("difference") or "").strip()[:40],
        }

    def parse_answers(self, content: Mapping[str, Any], form: FormData) -> dict[str, Any]:
        draft = self.parse_draft(content, form)
        if not draft["lines"]:
            raise AnswerError(gettext("Please book at least one line before you check the cash book."))
        numbers = {r["number"] for r in content["receipts"]}
        lines = []
        for number, row in enumerate(draft["lines"], start=1):
            problem = self._line_problem(row, numbers)
            if problem:
                raise AnswerError(gettext("Line %(n)d: %(problem)s", n=number, problem=problem))
            lines.append(
                {
                    **row,
                    "date": parse_date(row["date"]).isoformat(),
                    "amount": str(parse_money(row["amount"])),
                    "balance": str(parse_money(row["balance"])),
                }
            )
        totals = {}
        for name, label in (
            ("closing_balance", gettext("the closing balance")),
            ("difference", gettext("the difference to the cash count")),
        ):
            try:
                totals[name] = str(parse_money(draft[name]))
            except ValueError:
                raise AnswerError(
                    gettext("Please enter %(what)s as an amount, e.g. 152,40 or 0,00.", what=label)
                ) from None
        return {"lines": lines, **totals}

    @staticmethod
    def _line_problem(row: Mapping[str, str], numbers: set[str]) -> str | None:
        if row["receipt"] not in numbers:
            return gettext("choose the receipt you book.")
        try:
            parse_date(row["date"])
        except ValueError:
            return gettext("enter the date as on the receipt, e.g. 02.03.2026.")
        if not row["text"]:
            return gettext("write a short booking text.")
        if row["direction"] not in DIRECTIONS:
            return gettext("choose income or expense.")
        try:
            if parse_money(row["amount"]) <= 0:
                return gettext("the amount must be more than 0; income or expense says the direction.")
            parse_money(row["balance"])
        except ValueError:
            return gettext("enter amount and balance in euros, e.g. 24,50.")
        if row["sphere"] not in SPHERES:
            return gettext("choose the sphere.")
        return None

    # --- grading -----------------------------------------------------------------------------------------------

    def grade(self, content: Mapping[str, Any], answers: Mapping[str, Any]) -> Grade:
        from mso_kassenfuehrung.grading import grade_cashbook

        return grade_cashbook(self, content, answers)
