"""Glossary (Glossar): terms of the asylum and residence procedure in plain German with translations, and a
matching exercise graded per term.

Content document::

    intro: Markdown                        # optional
    standard_terms: [anhoerung, bescheid]  # terms from the plugin's glossary (data/glossar.yaml), by key
    terms:                                 # and/or terms of this activity's own
      - key: zustellung
        term: Zustellung
        explanation: plain German (required)
        basis: § 74 Abs. 1 AsylG             # optional: where the term comes from (shown in the feedback)
        translations: {en: ..., ar: ..., fa: ..., tr: ..., uk: ..., ru: ...}   # these six at least
    pass_mark: 80
    max_attempts: null

In the exercise the learner matches each term to its explanation; the explanations carry letters in an order
that does not follow the terms (stable per activity), and the form sends letters, so the page does not give the
answer away.
"""

from __future__ import annotations

import hashlib
import string
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from mso_academy.plugins.api import (
    ActivityKind,
    AnswerError,
    ContentProblem,
    FormData,
    Grade,
    check_key,
    form_number,
    form_text,
    gettext,
    is_text,
    lazy_gettext,
    row_indices,
    sequence,
    validate_settings,
)

#: Languages every term must be translated into, in the order shown; Arabic and Farsi/Dari are right-to-left.
REQUIRED_LANGUAGES = ("en", "ar", "fa", "tr", "uk", "ru")
LANGUAGE_NAMES = {
    "en": "English",
    "ar": "العربية",
    "fa": "فارسی / دری",
    "prs": "دری",
    "ps": "پښتو",
    "ku": "Kurdî",
    "ckb": "کوردی",
    "ti": "ትግርኛ",
    "so": "Soomaali",
    "fr": "Français",
    "tr": "Türkçe",
    "uk": "Українська",
    "ru": "Русский",
}
RTL = frozenset({"ar", "fa", "prs", "ps", "ckb", "ur", "he"})
LETTERS = string.ascii_uppercase
FIELD_PREFIX = "m-"
DATA = Path(__file__).parent / "data" / "glossar.yaml"


@cache
def standard_glossary() -> dict[str, dict[str, Any]]:
    """The plugin's own glossary (read once): key → term. Also shown on the plugin's glossary page."""
    document = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return {term["key"]: term for term in document["terms"]}


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def direction(code: str) -> str:
    return "rtl" if code in RTL else "ltr"


def ordered_translations(term: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The term's translations, the required languages first, then any others in alphabetical order."""
    translations = term.get("translations") or {}
    order = [c for c in REQUIRED_LANGUAGES if c in translations]
    order += sorted(c for c in translations if c not in REQUIRED_LANGUAGES)
    return [(code, translations[code]) for code in order]


def validate_term(where: str, term: Any, seen: set[str]) -> list[ContentProblem]:
    if not isinstance(term, Mapping):
        return [ContentProblem(where, "each term must be a mapping with key, term, explanation and translations")]
    problems = check_key(where, term, seen, "terms")
    if not is_text(term.get("term")):
        problems.append(ContentProblem(f"{where}.term", "the German term is missing"))
    if not is_text(term.get("explanation")):
        problems.append(ContentProblem(f"{where}.explanation", "explain the term in plain German"))
    if "basis" in term and not isinstance(term["basis"], str):
        problems.append(ContentProblem(f"{where}.basis", "basis must be text"))
    translations = term.get("translations")
    if not isinstance(translations, Mapping):
        problems.append(ContentProblem(f"{where}.translations", "translations must be a mapping language → text"))
        return problems
    for code in REQUIRED_LANGUAGES:
        if not is_text(translations.get(code)):
            problems.append(
                ContentProblem(f"{where}.translations.{code}", f"the translation into {language_name(code)} is missing")
            )
    for code, text in translations.items():
        if not isinstance(code, str) or not code.isalpha() or not 2 <= len(code) <= 3:
            problems.append(ContentProblem(f"{where}.translations", f"{code!r} is not a language code such as 'fa'"))
        elif not isinstance(text, str):
            problems.append(ContentProblem(f"{where}.translations.{code}", "a translation must be text"))
    return problems


class Glossary(ActivityKind):
    key = "glossary"
    name = lazy_gettext("Glossary")
    description = lazy_gettext(
        "Terms of the asylum and residence procedure in plain German with translations into at least six "
        "languages, and an exercise matching each term to its explanation."
    )
    template = "fluechtlingsberatung/glossary.html"
    editor_template = "fluechtlingsberatung/glossary_editor.html"

    language_name = staticmethod(language_name)
    direction = staticmethod(direction)
    ordered_translations = staticmethod(ordered_translations)

    def terms(self, content: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        """The activity's terms: the chosen standard terms first, then its own."""
        glossary = standard_glossary()
        chosen = [glossary[k] for k in sequence(content.get("standard_terms")) if k in glossary]
        return chosen + [t for t in sequence(content.get("terms")) if isinstance(t, Mapping)]

    def lettered(self, content: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
        """The explanations with their letters, in a stable order that does not follow the terms."""
        terms = self.terms(content)
        salt = "|".join(t["key"] for t in terms)
        shuffled = sorted(terms, key=lambda t: hashlib.sha256(f"{salt}:{t['key']}".encode()).hexdigest())
        return list(zip(LETTERS, shuffled, strict=False))

    # --- content -----------------------------------------------------------------------------------------

    def validate(self, content: Mapping[str, Any]) -> list[ContentProblem]:
        problems = validate_settings(content)
        if "intro" in content and not isinstance(content["intro"], str):
            problems.append(ContentProblem("intro", "intro must be text (Markdown)"))
        seen: set[str] = set()
        standard = content.get("standard_terms", [])
        glossary = standard_glossary()
        if not isinstance(standard, list):
            problems.append(ContentProblem("standard_terms", "standard_terms must be a list of term keys"))
            standard = []
        for index, key in enumerate(standard):
            if key not in glossary:
                problems.append(
                    ContentProblem(f"standard_terms.{index}", f"{key!r} is not a term of the plugin's glossary")
                )
            elif key in seen:
                problems.append(ContentProblem(f"standard_terms.{index}", f"term {key!r} is chosen twice"))
            seen.add(key)
        own = content.get("terms", [])
        if not isinstance(own, list):
            problems.append(ContentProblem("terms", "terms must be a list"))
            own = []
        for index, term in enumerate(own):
            problems.extend(validate_term(f"terms.{index}", term, seen))
        total = len(standard) + len(own)
        if total < 3:
            problems.append(ContentProblem("terms", "a glossary exercise needs at least three terms"))
        elif total > len(LETTERS):
            problems.append(ContentProblem("terms", f"at most {len(LETTERS)} terms per exercise"))
        return problems

    def max_attempts(self, content: Mapping[str, Any]) -> int | None:
        return content.get("max_attempts")

    def estimated_minutes(self, content: Mapping[str, Any]) -> int:
        """Reading the terms and matching them: about one minute per term."""
        if isinstance(content.get("minutes"), int):
            return content["minutes"]
        return 2 + len(self.terms(content))

    # --- answers and grading -----------------------------------------------------------------------------

    def parse_answers(self, content: Mapping[str, Any], form: FormData) -> dict[str, Any]:
        terms = self.terms(content)
        keys = {t["key"] for t in terms}
        letters = {letter for letter, _term in self.lettered(content)}
        names = list(form.keys())
        if any(n.startswith(FIELD_PREFIX) and n[len(FIELD_PREFIX) :] not in keys for n in names):
            raise AnswerError(gettext("The answers do not match this exercise. Please reload the page."))
        answers, missing = {}, []
        for number, term in enumerate(terms, start=1):
            values = [v.strip() for v in form.getlist(FIELD_PREFIX + term["key"]) if v.strip()]
            if not values:
                missing.append(str(number))
            elif len(values) > 1 or values[0] not in letters:
                raise AnswerError(gettext("The answers do not match this exercise. Please reload the page."))
            else:
                answers[term["key"]] = values[0]
        if missing:
            raise AnswerError(gettext("Please match every term. Missing: %(numbers)s.", numbers=", ".join(missing)))
        return answers

    def grade(self, content: Mapping[str, Any], answers: Mapping[str, Any]) -> Grade:
        letter_of = {term["key"]: letter for letter, term in self.lettered(content)}
        terms = self.terms(content)
        feedback = {}
        for term in terms:
            given = answers.get(term["key"])
            feedback[term["key"]] = {
                "correct": given == letter_of[term["key"]],
                "given": given or "",
                "expected": letter_of[term["key"]],
                "explanation": term["explanation"],
                "basis": term.get("basis", ""),
            }
        good = sum(f["correct"] for f in feedback.values())
        score = good / len(terms) if terms else 0.0
        summary = gettext(
            "%(good)d of %(total)d terms matched correctly (%(percent)d %%).",
            good=good,
            total=len(terms),
            percent=round(score * 100),
        )
        return Grade(
            score=score, passed=round(score * 100) >= content.get("pass_mark", 80), feedback=feedback, summary=summary
        )

    # --- the web editor ----------------------------------------------------------------------------------

    def default_content(self) -> dict[str, Any]:
        return {"intro": "", "standard_terms": [], "terms": [], "pass_mark": 80, "max_attempts": None}

    def standard_items(self) -> list[tuple[str, Mapping[str, Any]]]:
        """The plugin's glossary for the editor's check boxes, alphabetically by term."""
        return sorted(standard_glossary().items(), key=lambda item: item[1]["term"].casefold())

    def content_from_form(self, form: FormData, previous: Mapping[str, Any]) -> dict[str, Any]:
        managed = ("intro", "standard_terms", "terms", "pass_mark", "max_attempts")
        content: dict[str, Any] = {k: v for k, v in previous.items() if k not in managed}
        content["intro"] = form_text(form, "intro")
        content["standard_terms"] = [k for k in form.getlist("standard_terms") if k]
        content["pass_mark"] = form_number(form.get("pass_mark"), default=80, whole=True)
        content["max_attempts"] = form_number(form.get("max_attempts"), default=None, whole=True)
        terms = []
        for index in row_indices(form, "terms"):
            at = f"terms-{index}-"
            if form.get(at + "delete"):
                continue
            term: dict[str, Any] = {n: form_text(form, at + n) for n in ("key", "term", "explanation", "basis")}
            term["translations"] = {
                code: form_text(form, f"{at}translations-{code}")
                for code in REQUIRED_LANGUAGES
                if form_text(form, f"{at}translations-{code}")
            }
            if not (term["key"] or term["term"] or term["explanation"] or term["translations"]):
                continue  # the empty "new term" fieldset
            if not term["basis"]:
                del term["basis"]
            old = next(
                (t for t in sequence(previous.get("terms")) if isinstance(t, Mapping) and t.get("key") == term["key"]),
                None,
            )
            if old and isinstance(old.get("translations"), Mapping):  # languages beyond the six stay as they were
                term["translations"] = {**old["translations"], **term["translations"]}
            terms.append(term)
        content["terms"] = terms
        return content
