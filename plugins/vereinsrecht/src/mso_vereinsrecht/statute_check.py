"""Statute check (Satzungs-Check): the learner reads a draft statute and judges each element present/missing/defective.

Content document::

    association: Kulturbrücke Musterstadt      # optional: whose draft statute this is
    intro: Markdown                            # optional: the task
    pass_mark: 80                              # percent of the elements judged right
    max_attempts: null                         # null: unlimited
    clauses:                                   # the draft statute, clause by clause
      - {key: c1, heading: "§ 1 Name, Sitz", text: Markdown}
    elements:                                  # what the learner checks, with the author's solution
      - key: name
        label: Name des Vereins
        category: required                     # required (§ 57 BGB) | recommended (§ 58 BGB) | tax (§§ 59–61 AO)
        status: present                        # present | missing | defective
        clause: c1                             # where it is (required for present and defective)
        legal_basis: § 57 Abs. 1 BGB
        explanation: Why it is present, missing or defective.

Each element scores one point; the feedback names the legal basis and explains, whatever the learner chose.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mso_academy.plugins.api import (
    ActivityKind,
    AnswerError,
    ContentProblem,
    FormData,
    Grade,
    check_key,
    form_number,
    form_text,
    free_key,
    gettext,
    is_text,
    lazy_gettext,
    row_indices,
    score_summary,
    sequence,
    validate_settings,
)

CATEGORIES = ("required", "recommended", "tax")
STATUSES = ("present", "missing", "defective")
FIELD_PREFIX = "e-"
_ELEMENT_FIELDS = ("label", "category", "status", "clause", "legal_basis", "explanation")


class StatuteCheck(ActivityKind):
    key = "statute_check"
    name = lazy_gettext("Statute check")
    description = lazy_gettext(
        "Read a draft statute and judge for each required or recommended element whether it is present, missing or "
        "defective."
    )
    template = "vereinsrecht/statute_check.html"
    editor_template = "vereinsrecht/statute_check_editor.html"

    # --- content -----------------------------------------------------------------------------------------

    def validate(self, content: Mapping[str, Any]) -> list[ContentProblem]:
        problems = validate_settings(content)
        for name in ("association", "intro"):
            if name in content and not isinstance(content[name], str):
                problems.append(ContentProblem(name, f"{name} must be text"))
        clauses = content.get("clauses")
        clause_keys: set[str] = set()
        if not isinstance(clauses, list) or not clauses:
            problems.append(ContentProblem("clauses", "a statute check needs a list of at least one clause"))
        else:
            for index, clause in enumerate(clauses):
                where = f"clauses.{index}"
                if not isinstance(clause, Mapping):
                    problems.append(ContentProblem(where, "each clause must be a mapping with key, heading and text"))
                    continue
                problems.extend(check_key(where, clause, clause_keys, "clauses"))
                for name in ("heading", "text"):
                    if not is_text(clause.get(name)):
                        problems.append(ContentProblem(f"{where}.{name}", f"the clause needs a {name}"))
        elements = content.get("elements")
        if not isinstance(elements, list) or not elements:
            problems.append(ContentProblem("elements", "a statute check needs a list of at least one element"))
            return problems
        seen: set[str] = set()
        for index, element in enumerate(elements):
            problems.extend(self._validate_element(f"elements.{index}", element, seen, clause_keys))
        return problems

    @staticmethod
    def _validate_element(where: str, element: Any, seen: set[str], clause_keys: set[str]) -> list[ContentProblem]:
        if not isinstance(element, Mapping):
            return [ContentProblem(where, "each element must be a mapping with key, label, category and status")]
        problems = check_key(where, element, seen, "elements")
        if not is_text(element.get("label")):
            problems.append(ContentProblem(f"{where}.label", "the element needs a label (what is checked)"))
        if element.get("category") not in CATEGORIES:
            problems.append(ContentProblem(f"{where}.category", f"category must be one of {', '.join(CATEGORIES)}"))
        status = element.get("status")
        if status not in STATUSES:
            problems.append(ContentProblem(f"{where}.status", f"status must be one of {', '.join(STATUSES)}"))
        clause = element.get("clause")
        if clause is not None and clause not in clause_keys:
            problems.append(ContentProblem(f"{where}.clause", f"clause {clause!r} is not the key of a clause"))
        elif clause is None and status in ("present", "defective"):
            problems.append(
                ContentProblem(f"{where}.clause", "a present or defective element must name the clause it is in")
            )
        if not is_text(element.get("legal_basis")):
            problems.append(
                ContentProblem(f"{where}.legal_basis", "name the legal basis (statute and paragraph, e.g. § 57 BGB)")
            )
        if not is_text(element.get("explanation")):
            problems.append(
                ContentProblem(f"{where}.explanation", "explain why the element is present, missing or defective")
            )
        return problems

    def max_attempts(self, content: Mapping[str, Any]) -> int | None:
        return content.get("max_attempts")

    def estimated_minutes(self, content: Mapping[str, Any]) -> int:
        """Reading the clauses (about a minute each) and judging the elements (about a minute each)."""
        return max(3, len(sequence(content.get("clauses"))) + len(sequence(content.get("elements"))))

    # --- the web editor ----------------------------------------------------------------------------------

    def default_content(self) -> dict[str, Any]:
        return {"association": "", "intro": "", "pass_mark": 80, "max_attempts": None, "clauses": [], "elements": []}

    def content_from_form(self, form: FormData, previous: Mapping[str, Any]) -> dict[str, Any]:
        """Settings, clauses and elements (minus those marked "delete"), plus the new row of each if filled in."""
        managed = ("association", "intro", "pass_mark", "max_attempts", "clauses", "elements")
        content: dict[str, Any] = {k: v for k, v in previous.items() if k not in managed}
        content["association"] = form_text(form, "association")
        content["intro"] = form_text(form, "intro")
        content["pass_mark"] = form_number(form.get("pass_mark"), default=80, whole=True)
        content["max_attempts"] = form_number(form.get("max_attempts"), default=None, whole=True)
        clauses = []
        for index in row_indices(form, "clauses"):
            at = f"clauses-{index}-"
            if form.get(at + "delete"):
                continue
            clause = {"key": form_text(form, at + "key"), **{n: form_text(form, at + n) for n in ("heading", "text")}}
            if clause["key"] or clause["heading"] or clause["text"]:
                clauses.append(clause)
        taken = {c["key"] for c in clauses if c["key"]}
        for clause in clauses:
            clause["key"] = clause["key"] or free_key("c", taken)
        elements = []
        for index in row_indices(form, "elements"):
            at = f"elements-{index}-"
            if form.get(at + "delete"):
                continue
            element: dict[str, Any] = {"key": form_text(form, at + "key")}
            element.update({n: form_text(form, at + n) for n in _ELEMENT_FIELDS})
            if not (element["key"] or element["label"] or element["legal_basis"] or element["explanation"]):
                continue  # the empty "new element" row
            if not element["clause"]:
                del element["clause"]
            elements.append(element)
        taken = {e["key"] for e in elements if e["key"]}
        for element in elements:
            element["key"] = element["key"] or free_key("e", taken)
        content["clauses"] = clauses
        content["elements"] = elements
        return content

    # --- answers and grading -----------------------------------------------------------------------------

    def parse_answers(self, content: Mapping[str, Any], form: FormData) -> dict[str, Any]:
        keys = [e["key"] for e in content["elements"]]
        names = list(form.keys())
        unknown = [n for n in names if n.startswith(FIELD_PREFIX) and n[len(FIELD_PREFIX) :] not in keys]
        if unknown:
            raise AnswerError(gettext("The answers do not match this statute check. Please reload the page."))
        answers: dict[str, str] = {}
        missing = []
        for number, key in enumerate(keys, start=1):
            values = [v for v in form.getlist(FIELD_PREFIX + key) if v.strip()]
            if not values:
                missing.append(number)
            elif len(values) != 1 or values[0] not in STATUSES:
                raise AnswerError(gettext("The answers do not match this statute check. Please reload the page."))
            else:
                answers[key] = values[0]
        if missing:
            raise AnswerError(
                gettext("Please judge every element (missing: %(numbers)s).", numbers=", ".join(map(str, missing)))
            )
        return answers

    def grade(self, content: Mapping[str, Any], answers: Mapping[str, Any]) -> Grade:
        clauses = {c["key"]: c["heading"] for c in content["clauses"]}
        feedback: dict[str, Any] = {}
        earned = 0
        for element in content["elements"]:
            correct = answers.get(element["key"]) == element["status"]
            earned += correct
            feedback[element["key"]] = {
                "correct": correct,
                "expected": element["status"],
                "clause": clauses.get(element.get("clause") or ""),
                "legal_basis": element["legal_basis"],
                "explanation": element["explanation"],
            }
        total = len(content["elements"])
        score, percent = score_summary(earned, total)
        passed = earned * 100 >= content.get("pass_mark", 80) * total
        summary = gettext(
            "%(earned)d of %(total)d elements judged correctly (%(percent)d %%).",
            earned=earned,
            total=total,
            percent=percent,
        )
        return Grade(score=score, passed=passed, feedback=feedback, summary=summary)
