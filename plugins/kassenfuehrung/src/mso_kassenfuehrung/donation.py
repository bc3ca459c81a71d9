"""The donation receipt (Zuwendungsbestätigung): decide whether and which confirmation may be issued for a case,
then fill in its required fields. Graded with the legal basis of each point.

Content: `case` (Markdown), `decision` (`correct`: one of DECISIONS, `explanation`), `fields` (each with key,
label, type text/money/date/choice, the answer or accepted answers, options for a choice, and an explanation),
`pass_mark`. Fields belong only to cases where a confirmation is issued.
"""

from __future__ import annotations

import re
import unicodedata
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
from mso_academy.plugins.api import lazy_gettext as _l
from mso_kassenfuehrung.editing import donation_from_form
from mso_kassenfuehrung.money import content_money, format_date, format_money, parse_date, parse_money

FIELD_TYPES = ("text", "money", "date", "choice")
#: What the treasurer may do; the first three issue a confirmation on an official model (§ 50 Abs. 1 EStDV).
DECISIONS = {
    "geld": _l("Confirmation of a money donation or membership fee (model “Bestätigung über Geldzuwendungen”)"),
    "sach": _l("Confirmation of a donation in kind (model “Bestätigung über Sachzuwendungen”)"),
    "sammel": _l("Collective confirmation of several money donations in one year (Sammelbestätigung)"),
    "vereinfacht": _l("No formal confirmation needed: the bank statement and the association's receipt suffice"),
    "keine": _l("No donation confirmation may be issued"),
}
ISSUING = ("geld", "sach", "sammel")


def _normalise(text: Any) -> str:
    """Compare typed words generously: case, spaces, hyphens and dashes do not matter."""
    value = unicodedata.normalize("NFKC", str(text)).casefold()
    return re.sub(r"[\s\-–—_]+", "", value)


class DonationReceipt(ActivityKind):
    key = "zuwendungsbestaetigung"
    name = lazy_gettext("Donation receipt")
    description = lazy_gettext("Decide whether and which donation confirmation may be issued, and fill it in.")
    template = "kassenfuehrung/donation.html"
    editor_template = "kassenfuehrung/donation_editor.html"

    decisions = DECISIONS
    issuing = ISSUING

    # --- content ------------------------------------------------------------------------------------------

    def validate(self, content: Mapping[str, Any]) -> list[ContentProblem]:
        problems: list[ContentProblem] = []
        if not isinstance(content.get("case"), str) or not content["case"].strip():
            problems.append(ContentProblem("case", "describe the case in Markdown"))
        decision = content.get("decision")
        if not isinstance(decision, Mapping):
            problems.append(ContentProblem("decision", "decision must be a mapping with correct and explanation"))
            decision = {}
        elif decision.get("correct") not in DECISIONS:
            problems.append(ContentProblem("decision.correct", f"correct must be one of {', '.join(DECISIONS)}"))
        if decision and (not isinstance(decision.get("explanation"), str) or not decision["explanation"].strip()):
            problems.append(ContentProblem("decision.explanation", "explain the decision with its legal basis"))
        pass_mark = content.get("pass_mark", 80)
        if not is_int(pass_mark) or not 0 <= pass_mark <= 100:
            problems.append(ContentProblem("pass_mark", "pass_mark must be a whole number from 0 to 100"))
        fields = content.get("fields", [])
        if not isinstance(fields, list):
            return [*problems, ContentProblem("fields", "fields must be a list")]
        issuing = decision.get("correct") in ISSUING
        if issuing and not fields:
            problems.append(ContentProblem("fields", "a case that issues a confirmation needs its fields"))
        if not issuing and fields and decision.get("correct") in DECISIONS:
            problems.append(ContentProblem("fields", "fields belong only to cases that issue a confirmation"))
        keys: set[str] = set()
        for index, spec in enumerate(fields):
            problems += self._validate_field(index, spec, keys)
        return problems

    def _validate_field(self, index: int, spec: Any, keys: set[str]) -> list[ContentProblem]:
        at = f"fields.{index}"
        if not isinstance(spec, Mapping):
            return [ContentProblem(at, "each field must be a mapping with key, label, type and answer")]
        problems = check_key(at, spec, keys, "fields", lowercase=True)
        for name in ("label", "explanation"):
            if not is_text(spec.get(name)):
                problems.append(ContentProblem(f"{at}.{name}", f"the field needs a {name}"))
        ftype = spec.get("type")
        answer = spec.get("answer")
        if ftype not in FIELD_TYPES:
            problems.append(ContentProblem(f"{at}.type", f"type must be one of {', '.join(FIELD_TYPES)}"))
        elif ftype == "money" and content_money(answer) is None:
            problems.append(ContentProblem(f"{at}.answer", 'a money answer is an amount in quotes, e.g. "250.00"'))
        elif ftype == "date":
            try:
                parse_date(answer)
            except (TypeError, ValueError):
                problems.append(ContentProblem(f"{at}.answer", "a date answer is a date such as 2026-05-14"))
        elif ftype == "text":
            answers = answer if isinstance(answer, list) else [answer]
            if not answers or not all(isinstance(a, str) and a.strip() for a in answers):
                problems.append(ContentProblem(f"{at}.answer", "a text answer is a text or a list of accepted texts"))
        elif ftype == "choice":
            options = spec.get("options")
            if not isinstance(options, list) or len(options) < 2 or not all(isinstance(o, str) for o in options):
                problems.append(ContentProblem(f"{at}.options", "a choice needs a list of at least two options"))
            elif answer not in options:
                problems.append(ContentProblem(f"{at}.answer", "the answer must be one of the options"))
        return problems

    def estimated_minutes(self, content: Mapping[str, Any]) -> int:
        minutes = content.get("minutes")
        if is_int(minutes) and minutes > 0:
            return minutes
        return 4 + len(content.get("fields") or [])

    @staticmethod
    def shown(spec: Mapping[str, Any]) -> str:
        """The right answer of a field as the learner reads it in the feedback."""
        answer = spec["answer"]
        if spec["type"] == "money":
            return format_money(content_money(answer) or Decimal(0))
        if spec["type"] == "date":
            return format_date(parse_date(answer))
        return answer[0] if isinstance(answer, list) else str(answer)

    # --- the web editor ------------------------------------------------------------------------------------

    def default_content(self) -> dict[str, Any]:
        return {"case": "", "decision": {"correct": "geld", "explanation": ""}, "fields": [], "pass_mark": 80}

    def content_from_form(self, form: FormData, previous: Mapping[str, Any]) -> dict[str, Any]:
        return donation_from_form(form, previous)

    # --- answers and grading -------------------------------------------------------------------------------

    def parse_answers(self, content: Mapping[str, Any], form: FormData) -> dict[str, Any]:
        decision = str(form.get("decision") or "")
        if decision not in DECISIONS:
            raise AnswerError(gettext("Please choose what is right in this case."))
        values: dict[str, str] = {}
        if decision in ISSUING:
            missing = []
            for number, spec in enumerate(content.get("fields", []), start=1):
                raw = str(form.get(f"field-{spec['key']}") or "").strip()[:200]
                if not raw:
                    missing.append(str(number))
                    continue
                values[spec["key"]] = self._parse_value(spec, raw)
            if missing:
                raise AnswerError(
                    gettext("Please fill in every field of the confirmation (missing: %(n)s).", n=", ".join(missing))
                )
        return {"decision": decision, "fields": values}

    @staticmethod
    def _parse_value(spec: Mapping[str, Any], raw: str) -> str:
        try:
            if spec["type"] == "money":
                return str(parse_money(raw))
            if spec["type"] == "date":
                return parse_date(raw).isoformat()
        except ValueError:
            raise AnswerError(
                gettext(
                    "“%(label)s”: please enter an amount such as 250,00 or a date such as 14.05.2026.",
                    label=spec["label"],
                )
            ) from None
        if spec["type"] == "choice" and raw not in spec["options"]:
            raise AnswerError(gettext("The answers do not match this exercise. Please reload the page."))
        return raw

    def grade(self, content: Mapping[str, Any], answers: Mapping[str, Any]) -> Grade:
        decision = content["decision"]
        decision_ok = answers["decision"] == decision["correct"]
        feedback: dict[str, Any] = {
            "decision": {
                "ok": decision_ok,
                "correct": str(DECISIONS[decision["correct"]]),
                "explanation": decision["explanation"],
            },
            "fields": {},
        }
        fields = content.get("fields", []) if decision["correct"] in ISSUING else []
        earned = 2 if decision_ok else 0
        total = 2 + len(fields)
        for spec in fields:
            given = answers["fields"].get(spec["key"])
            ok = given is not None and self._matches(spec, given)
            earned += ok
            feedback["fields"][spec["key"]] = {
                "ok": ok,
                "correct": self.shown(spec),
                "explanation": spec["explanation"],
            }
        score = earned / total
        passed = decision_ok and earned * 100 >= content.get("pass_mark", 80) * total
        summary = gettext(
            "%(earned)d of %(total)d points (%(percent)d %%).", earned=earned, total=total, percent=round(score * 100)
        )
        if not decision_ok:
            summary += " " + gettext("The decision is not right yet; without it the exercise is not passed.")
        return Grade(score=score, passed=passed, feedback=feedback, summary=summary)

    @staticmethod
    def _matches(spec: Mapping[str, Any], given: str) -> bool:
        answer = spec["answer"]
        if spec["type"] == "money":
            return Decimal(given) == content_money(answer)
        if spec["type"] == "date":
            return parse_date(given) == parse_date(answer)
        if spec["type"] == "choice":
            return given == answer
        accepted = answer if isinstance(answer, list) else [answer]
        return _normalise(given) in {_normalise(a) for a in accepted}
