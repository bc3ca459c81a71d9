"""Spending report (Verwendungsnachweis): planned against actual per budget line, deviations flagged.

Content document::

    instructions: |            # Markdown: the situation
    minutes: 30
    tolerance_percent: 20      # single lines may be overrun by up to this much if savings elsewhere cover it
    pass_mark: 80              # percent of the items (two per line) needed to pass
    lines:
      - key: honorare
        label: Honorare Kursleitung
        planned: "3000.00"
        receipts:
          - {date: "2027-04-10", text: Honorar April, amount: "600.00"}

Per line the learner enters the actual amount (the sum of its receipts, to the cent) and one of three states:
``within`` (at or below plan), ``covered`` (overrun within the tolerance and covered by savings in other lines,
allowed without consent: ANBest-P Nr. 1.2) or ``consent`` (needs the funder's consent: overrun above the
tolerance, or the total is exceeded so no savings cover it). Each entry is graded on its own.
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
    check_key,
    gettext,
    is_int,
    is_text,
    lazy_gettext,
)

from . import editor
from .money import MoneyError, euro, load, parse_amount, parse_date, percent, store

STATES = ("within", "covered", "consent")
MAX_LINES = 30


def expected(content: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Per line: the actual amount, the deviation in per cent and the right state, with the reason."""
    lines = [line for line in content.get("lines", []) if isinstance(line, Mapping)]
    tolerance = Decimal(content.get("tolerance_percent", 20))
    actual = {
        line["key"]: sum((load(r.get("amount")) for r in line.get("receipts", [])), Decimal("0.00")) for line in lines
    }
    total_planned = sum((load(line.get("planned")) for line in lines), Decimal("0.00"))
    total_actual = sum(actual.values(), Decimal("0.00"))
    covered = total_actual <= total_planned
    result = {}
    for line in lines:
        planned = load(line.get("planned"))
        spent = actual[line["key"]]
        deviation = percent(spent - planned, planned)
        if spent <= planned:
            state = "within"
        elif deviation <= tolerance and covered:
            state = "covered"
        else:
            state = "consent"
        result[line["key"]] = {"actual": store(spent), "deviation": str(deviation), "state": state}
    return result


class SpendingReport(editor.TemplateHelpers, ActivityKind):
    key = "spending_report"
    name = lazy_gettext("Spending report")
    description = lazy_gettext(
        "The learner compares an approved budget with the receipts line by line and flags every deviation that "
        "needs the funder's consent (ANBest-P)."
    )
    template = "foerderantraege/spending.html"
    editor_template = "foerderantraege/spending_editor.html"

    def validate(self, content: Mapping[str, Any]) -> list[ContentProblem]:
        problems: list[ContentProblem] = []
        if not isinstance(content.get("instructions"), str) or not content["instructions"].strip():
            problems.append(ContentProblem("instructions", "instructions (Markdown) are required"))
        for name, default in (("tolerance_percent", 20), ("pass_mark", 80)):
            value = content.get(name, default)
            if not is_int(value) or not 0 <= value <= 100:
                problems.append(ContentProblem(name, f"{name} must be a whole number from 0 to 100"))
        minutes = content.get("minutes", 30)
        if not is_int(minutes) or not 1 <= minutes <= 600:
            problems.append(ContentProblem("minutes", "minutes must be a whole number from 1 to 600"))
        lines = content.get("lines")
        if not isinstance(lines, list) or not lines:
            problems.append(ContentProblem("lines", "lines must be a list of at least one budget line"))
            return problems
        if len(lines) > MAX_LINES:
            problems.append(ContentProblem("lines", f"at most {MAX_LINES} budget lines"))
        seen: set[str] = set()
        for i, line in enumerate(lines):
            problems.extend(self._validate_line(f"lines.{i}", line, seen))
        return problems

    @staticmethod
    def _validate_line(at: str, line: Any, seen: set[str]) -> list[ContentProblem]:
        if not isinstance(line, Mapping):
            return [ContentProblem(at, "each line is a mapping with key, label, planned and receipts")]
        problems = check_key(at, line, seen, "lines", lowercase=True)
        if not is_text(line.get("label")):
            problems.append(ContentProblem(f"{at}.label", "label must be a non-empty text"))
        try:
            if parse_amount(line.get("planned")) <= 0:
                raise MoneyError("0")
        except MoneyError:
            problems.append(ContentProblem(f"{at}.planned", 'planned must be an amount above 0, e.g. "1500.00"'))
        receipts = line.get("receipts")
        if not isinstance(receipts, list):
            problems.append(ContentProblem(f"{at}.receipts", "receipts must be a list (it may be empty)"))
            return problems
        for j, r in enumerate(receipts):
            rat = f"{at}.receipts.{j}"
            if not isinstance(r, Mapping):
                problems.append(ContentProblem(rat, "a receipt is written as: date; text; amount"))
                continue
            try:
                parse_date(r.get("date"))
            except ValueError:
                problems.append(ContentProblem(f"{rat}.date", "the date must look like 2027-04-10"))
            if not isinstance(r.get("text"), str) or not r["text"].strip():
                problems.append(ContentProblem(f"{rat}.text", "a receipt needs a text"))
            try:
                parse_amount(r.get("amount"))
            except MoneyError:
                problems.append(ContentProblem(f"{rat}.amount", "the amount must look like 120.50"))
        return problems

    def estimated_minutes(self, content: Mapping[str, Any]) -> int:
        minutes = content.get("minutes", 30)
        return minutes if is_int(minutes) else 30

    def default_content(self) -> dict[str, Any]:
        return editor.default_spending()

    def content_from_form(self, form: FormData, previous: Mapping[str, Any]) -> dict[str, Any]:
        return editor.spending_from_form(form, previous)

    # --- answers and grading -----------------------------------------------------------------------------

    def parse_answers(self, content: Mapping[str, Any], form: FormData) -> dict[str, Any]:
        answers: dict[str, Any] = {}
        for n, line in enumerate(content.get("lines", []), start=1):
            raw = form.get(f"line-{line['key']}-actual")
            state = form.get(f"line-{line['key']}-state")
            if not isinstance(raw, str) or not raw.strip():
                raise AnswerError(gettext("Line %(n)d: please enter the actual amount.", n=n))
            try:
                amount = parse_amount(raw)
            except MoneyError:
                raise AnswerError(
                    gettext("Line %(n)d: please enter an amount in euros such as 1250 or 1.250,50.", n=n)
                ) from None
            if state not in STATES:
                raise AnswerError(gettext("Line %(n)d: please choose whether the deviation needs consent.", n=n))
            answers[line["key"]] = {"actual": store(amount), "state": state}
        return answers

    def grade(self, content: Mapping[str, Any], answers: Mapping[str, Any]) -> Grade:
        right = expected(content)
        tolerance = content.get("tolerance_percent", 20)
        feedback: dict[str, Any] = {}
        points = 0
        for line in content.get("lines", []):
            key = line["key"]
            want, got = right[key], answers.get(key, {})
            amount_ok = load(got.get("actual"), Decimal("-1")) == load(want["actual"])
            state_ok = got.get("state") == want["state"]
            points += amount_ok + state_ok
            feedback[key] = {
                "amount_ok": amount_ok,
                "state_ok": state_ok,
                "actual": want["actual"],
                "state": want["state"],
                "why": self._why(want, load(line["planned"]), tolerance),
            }
        total = 2 * len(feedback)
        score = points / total if total else 0.0
        passed = score * 100 >= content.get("pass_mark", 80)
        return Grade(
            score=score,
            passed=passed,
            feedback=feedback,
            summary=gettext("%(points)d of %(total)d entries are right.", points=points, total=total),
        )

    @staticmethod
    def _why(want: Mapping[str, Any], planned: Decimal, tolerance: int) -> str:
        actual = load(want["actual"])
        pct = want["deviation"].replace(".", ",")
        if want["state"] == "within":
            return gettext(
                "Planned %(planned)s, spent %(actual)s: not more than planned, so nothing to ask. If the whole "
                "project costs less than planned, the grant may be reduced (ANBest-P Nr. 2).",
                planned=euro(planned),
                actual=euro(actual),
            )
        if want["state"] == "covered":
            return gettext(
                "Planned %(planned)s, spent %(actual)s (+%(pct)s %%). An overrun of up to %(tol)d %% of a single "
                "line is allowed without consent when savings in other lines cover it, and the total stays within "
                "the plan (ANBest-P Nr. 1.2).",
                planned=euro(planned),
                actual=euro(actual),
                pct=pct,
                tol=tolerance,
            )
        return gettext(
            "Planned %(planned)s, spent %(actual)s (+%(pct)s %%). This needs the funder's consent (ask for a change "
            "of the approval before spending): the line is overrun by more than %(tol)d %%, or the total of the "
            "plan is exceeded, so no savings cover it (ANBest-P Nr. 1.2).",
            planned=euro(planned),
            actual=euro(actual),
            pct=pct,
            tol=tolerance,
        )

    # --- for the template --------------------------------------------------------------------------------

    @staticmethod
    def receipts_text(receipts: Any) -> str:
        return editor.receipts_text(receipts)

    @staticmethod
    def total(receipts: Any) -> str:
        return euro(sum((load(r.get("amount")) for r in receipts or []), Decimal("0.00")))
