"""Application builder: a learner drafts a funding application against a call given as data.

The learner writes goal, target group, measures, SMART indicators, a timetable, a cost plan and a financing plan.
Automatic checks (see `call.run_checks`) test what funders reject most often: a plan that does not balance to the
cent, too little own contribution, ineligible costs, a grant above the maximum, dates outside the project period.
When every check passes the application goes to the trainer's review queue (`Grade.pending_review`): the text
needs a person. Drafts are saved as the learner goes (`saves_drafts`), and the draft can be downloaded as PDF.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from mso_academy.plugins.api import (
    ActivityKind,
    ContentProblem,
    FormData,
    Grade,
    gettext,
    lazy_gettext,
)

from . import editor
from .call import Call, run_checks, totals, validate_call
from .form import ROWS, read_answers, read_draft, shown
from .money import MoneyError, euro, german_date, load, parse_amount, parse_date

MIN_COST_ROWS = 8
MIN_INDICATOR_ROWS = 3
MIN_STEP_ROWS = 5


class ApplicationBuilder(editor.TemplateHelpers, ActivityKind):
    key = "funding_application"
    name = lazy_gettext("Funding application")
    description = lazy_gettext(
        "The learner drafts a funding application with SMART goals, a cost plan and a financing plan; automatic "
        "checks explain every rule broken, then a trainer reviews the text."
    )
    template = "foerderantraege/application.html"
    editor_template = "foerderantraege/application_editor.html"
    saves_drafts = True

    # --- content -----------------------------------------------------------------------------------------

    def validate(self, content: Mapping[str, Any]) -> list[ContentProblem]:
        problems: list[ContentProblem] = []
        if not isinstance(content.get("instructions"), str) or not content["instructions"].strip():
            problems.append(ContentProblem("instructions", "instructions (Markdown) are required"))
        problems.extend(validate_call(content))
        minutes = content.get("minutes", 45)
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 600:
            problems.append(ContentProblem("minutes", "minutes must be a whole number from 1 to 600"))
        return problems

    def estimated_minutes(self, content: Mapping[str, Any]) -> int:
        minutes = content.get("minutes", 45)
        return minutes if isinstance(minutes, int) and not isinstance(minutes, bool) else 45

    # --- editor ------------------------------------------------------------------------------------------

    def default_content(self) -> dict[str, Any]:
        return editor.default_application()

    def content_from_form(self, form: FormData, previous: Mapping[str, Any]) -> dict[str, Any]:
        return editor.application_from_form(form, previous)

    # --- answers and grading -----------------------------------------------------------------------------

    def parse_draft(self, content: Mapping[str, Any], form: FormData) -> dict[str, Any]:
        return read_draft(form)

    def parse_answers(self, content: Mapping[str, Any], form: FormData) -> dict[str, Any]:
        answers = read_answers(Call.of(content).categories, form)
        answers["text"] = plain_text(content, answers)
        return answers

    def grade(self, content: Mapping[str, Any], answers: Mapping[str, Any]) -> Grade:
        checks, totals = run_checks(content, answers)
        passed = sum(1 for c in checks if c["ok"])
        feedback = {"checks": checks, "totals": totals.as_dict()}
        if passed == len(checks):
            return Grade(
                score=1.0,
                passed=False,
                pending_review=True,
                feedback=feedback,
                summary=gettext("Every automatic check passed. A trainer now reviews your application."),
            )
        return Grade(
            score=passed / len(checks),
            passed=False,
            feedback=feedback,
            summary=gettext(
                "%(ok)d of %(all)d checks passed. Correct the points marked below and hand in again.",
                ok=passed,
                all=len(checks),
            ),
        )

    # --- for the template --------------------------------------------------------------------------------

    def values(self, view: Any) -> dict[str, Any]:
        """What the form shows: the saved draft, else the last (returned or failed) hand-in, else nothing."""
        if view.draft:
            return dict(view.draft)
        last = view.last_attempt
        return dict(last.answers) if last and not view.passed else {}

    def rows(self, values: Mapping[str, Any], section: str) -> list[Mapping[str, Any]]:
        """The filled rows of a section plus empty ones (more empty rows appear after saving)."""
        minimum = {"costs": MIN_COST_ROWS, "indicators": MIN_INDICATOR_ROWS, "timetable": MIN_STEP_ROWS}[section]
        filled = [r for r in values.get(section, []) if isinstance(r, Mapping)]
        names = ROWS[section][1]
        return filled + [dict.fromkeys(names, "")] * max(2, minimum - len(filled))

    def draft_totals(self, content: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, str] | None:
        """The sums of a saved draft (unreadable amounts count as 0), so the learner sees whether it balances."""
        if not values.get("costs") and not any((values.get("financing") or {}).values()):
            return None
        fin = dict(values.get("financing") or {})
        try:
            fin["volunteer_hours"] = str(parse_amount(fin.get("volunteer_hours") or "0"))
        except MoneyError:
            fin["volunteer_hours"] = "0"
        t = totals(Call.of(content), {"costs": values.get("costs", []), "financing": fin})
        return {"costs": euro(t.costs), "financing": euro(t.financing), "difference": euro(t.financing - t.costs)}

    @staticmethod
    def shown(value: Any) -> str:
        return shown(value)

    @staticmethod
    def iso(value: Any) -> str:
        """A date for ``<input type=date>`` (ISO), or empty when the saved text is no date."""
        try:
            return parse_date(value).isoformat()
        except ValueError:
            return ""

    @staticmethod
    def call(content: Mapping[str, Any]) -> Call:
        return Call.of(content)


def indicator_line(row: Mapping[str, Any]) -> str:
    return gettext(
        "%(what)s: %(target)s by %(date)s",
        what=row.get("what", ""),
        target=row.get("target", ""),
        date=german_date(row.get("by", "")),
    )


def plain_text(content: Mapping[str, Any], answers: Mapping[str, Any]) -> str:
    """The application as plain text: what the trainer reads in the review queue."""
    call = Call.of(content)
    fin = answers["financing"]

    def head(label: str, value: str = "") -> str:
        return gettext("%(label)s: %(value)s", label=label, value=value).rstrip()

    lines = [
        head(gettext("Project title"), answers["title"]),
        head(gettext("Funding call"), call.title),
        "",
        head(gettext("Goal")),
        answers["goal"],
        "",
        head(gettext("Target group")),
        answers["target_group"],
        "",
        head(gettext("Measures")),
        answers["measures"],
        "",
        head(gettext("Indicators (SMART)")),
    ]
    lines += ["- " + indicator_line(r) for r in answers["indicators"]]
    lines += ["", head(gettext("Timetable"))]
    lines += ["- " + head(german_date(r["date"]), r["text"]) for r in answers["timetable"]]
    lines += ["", head(gettext("Cost plan"))]
    for r in answers["costs"]:
        label = call.categories.get(r["category"], {}).get("label", r["category"])
        lines.append("- " + head(f"{label} – {r['text']}", euro(load(r["amount"]))))
    hours = Decimal(fin["volunteer_hours"])
    if call.volunteer_work and hours:
        value = (hours * call.volunteer_hourly_rate).quantize(Decimal("0.01"))
        volunteer = gettext("Volunteer work (%(hours)s h)", hours=fin["volunteer_hours"])
        lines.append("- " + head(volunteer, euro(value)))
    lines += [
        "",
        head(gettext("Financing plan")),
        "- " + head(gettext("Own money"), euro(load(fin["own_funds"]))),
        "- " + head(gettext("Volunteer hours"), fin["volunteer_hours"]),
        "- " + head(gettext("Other funds"), euro(load(fin["third_party"]))),
        "- " + head(gettext("Requested grant"), euro(load(fin["grant"]))),
    ]
    return "\n".join(lines)
