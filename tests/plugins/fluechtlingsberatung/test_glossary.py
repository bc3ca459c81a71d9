"""Glossary: content validation, matching exercise grading (per term), and the glossary page with RTL scripts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from mso_fluechtlingsberatung.glossary import REQUIRED_LANGUAGES, Glossary, standard_glossary

from mso_academy.plugins.api import AnswerError
from tests.plugins.fluechtlingsberatung.conftest import right_glossary_answers, shipped
from tests.plugins.support import Form

KIND = Glossary()


def own_term(key: str = "zustellung2", **changes: Any) -> dict[str, Any]:
    term = {
        "key": key,
        "term": "Ladung",
        "explanation": "Ein Brief, der zu einem Termin bestellt.",
        "translations": {
            "en": "summons",
            "ar": "استدعاء",
            "fa": "احضاریه",
            "tr": "çağrı",
            "uk": "виклик",
            "ru": "повестка",
        },
    }
    term.update(changes)
    return term


def content(**changes: Any) -> dict[str, Any]:
    document = {"standard_terms": ["anhoerung", "bescheid"], "terms": [own_term()], "pass_mark": 75}
    document.update(changes)
    return document


def problems_of(document: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p.field, p.message) for p in KIND.validate(document)]


def test_every_standard_term_has_six_languages_and_the_shipped_exercises_are_valid() -> None:
    glossary = standard_glossary()
    assert len(glossary) >= 20
    for term in glossary.values():
        assert set(REQUIRED_LANGUAGES) <= set(term["translations"]), term["key"]
        assert term["basis"], term["key"]
    for path in ("02-verfahren/glossar-verfahren.yaml", "03-bescheid/glossar-aufenthalt.yaml"):
        assert KIND.validate(shipped(path)) == []
    assert KIND.validate(content()) == []


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (
            content(standard_terms=["anhoerung", "gibtsnicht"]),
            ("standard_terms.1", "'gibtsnicht' is not a term of the plugin's glossary"),
        ),
        (content(standard_terms=["anhoerung", "anhoerung"]), ("standard_terms.1", "term 'anhoerung' is chosen twice")),
        (
            content(terms=[own_term(translations={"en": "summons"})]),
            ("terms.0.translations.fa", "the translation into فارسی / دری is missing"),
        ),
        (content(terms=[own_term(explanation="")]), ("terms.0.explanation", "explain the term in plain German")),
        (content(terms=[own_term(key="bescheid")]), ("terms.0.key", "key 'bescheid' is used by two terms")),
        (
            content(terms=[own_term(translations={**own_term()["translations"], "Farsi!": "x"})]),
            ("terms.0.translations", "'Farsi!' is not a language code such as 'fa'"),
        ),
        (content(standard_terms=["anhoerung"], terms=[]), ("terms", "a glossary exercise needs at least three terms")),
        (content(terms="Ladung"), ("terms", "terms must be a list")),
    ],
)
def test_each_kind_of_bad_glossary_content_is_named(document: dict[str, Any], expected: tuple[str, str]) -> None:
    assert expected in problems_of(document)


def test_all_right_all_wrong_and_partly_right() -> None:
    document = content()
    right = right_glossary_answers(KIND, document)
    grade = KIND.grade(document, KIND.parse_answers(document, Form(right)))
    assert grade.passed and grade.score == 1.0
    assert grade.summary == "3 of 3 terms matched correctly (100 %)."
    assert grade.feedback["anhoerung"]["basis"].startswith("§ 25 AsylG")

    letters = [right[f"m-{k}"] for k in ("anhoerung", "bescheid", "zustellung2")]
    rotated = dict(zip(["m-anhoerung", "m-bescheid", "m-zustellung2"], letters[1:] + letters[:1], strict=True))
    grade = KIND.grade(document, KIND.parse_answers(document, Form(rotated)))
    assert grade.score == 0.0 and not grade.passed
    assert grade.feedback["bescheid"] == {
        "correct": False,
        "given": letters[2],
        "expected": letters[1],
        "explanation": standard_glossary()["bescheid"]["explanation"],
        "basis": standard_glossary()["bescheid"]["basis"],
    }

    partly = {**right, "m-bescheid": right["m-zustellung2"]}
    grade = KIND.grade(document, KIND.parse_answers(document, Form(partly)))
    assert round(grade.score, 2) == 0.67 and not grade.passed
    assert [k for k, f in grade.feedback.items() if f["correct"]] == ["anhoerung", "zustellung2"]


@pytest.mark.parametrize(
    "form",
    [
        {"m-anhoerung": "Z", "m-bescheid": "A", "m-zustellung2": "B"},  # no such letter
        {"m-anhoerung": "A", "m-bescheid": "B", "m-zustellung2": "C", "m-fremd": "A"},  # unknown term
        {"m-anhoerung": ["A", "B"], "m-bescheid": "B", "m-zustellung2": "C"},  # two answers for one term
    ],
)
def test_malformed_answers_are_refused(form: dict[str, Any]) -> None:
    with pytest.raises(AnswerError, match="do not match"):
        KIND.parse_answers(content(), Form(form))


def test_a_missing_answer_names_the_term_number() -> None:
    with pytest.raises(AnswerError, match=r"Missing: 2\."):
        KIND.parse_answers(content(), Form({"m-anhoerung": "A", "m-zustellung2": "B"}))


def test_the_letters_do_not_follow_the_order_of_the_terms_and_are_stable() -> None:
    document = shipped("03-bescheid/glossar-aufenthalt.yaml")
    order = [t["key"] for _letter, t in KIND.lettered(document)]
    assert order != document["standard_terms"] and sorted(order) == sorted(document["standard_terms"])
    assert order == [t["key"] for _letter, t in KIND.lettered(shipped("03-bescheid/glossar-aufenthalt.yaml"))]


def test_the_glossary_page_shows_every_term_with_arabic_and_farsi_right_to_left(client: FlaskClient) -> None:
    page = client.get("/plugins/fluechtlingsberatung/glossar").get_data(as_text=True)
    assert "<h1>Glossary of the asylum and residence procedure</h1>" in page
    assert page.count('class="fb-term"') == len(standard_glossary())
    assert '<dd lang="ar" dir="rtl">جلسة الاستماع (المقابلة الشخصية)</dd>' in page
    assert '<dd lang="fa" dir="rtl">مصاحبه (جلسه استماع)</dd>' in page
    assert '<dd lang="uk" dir="ltr">особиста співбесіда (слухання)</dd>' in page
    assert 'style="' not in page.split("<main", 1)[1] and "<script>" not in page.split("<main", 1)[1]
    assert re.search(r'href="/plugins/fluechtlingsberatung/fluechtlingsberatung\.css\?v=[0-9a-f]{12}"', page)


def test_the_glossary_page_can_show_one_language(client: FlaskClient) -> None:
    page = client.get("/plugins/fluechtlingsberatung/glossar?sprache=fa").get_data(as_text=True)
    assert page.count('lang="fa" dir="rtl">') == 2 * len(standard_glossary())  # the name and the translation
    assert '<dd lang="ar"' not in page
    assert '<option value="fa" lang="fa" dir="rtl" selected>' in page
    unknown = client.get("/plugins/fluechtlingsberatung/glossar?sprache=xx").get_data(as_text=True)
    assert unknown.count('<dd lang="ar" dir="rtl">') == len(standard_glossary())


def test_the_stylesheet_is_served(client: FlaskClient) -> None:
    response = client.get("/plugins/fluechtlingsberatung/fluechtlingsberatung.css")
    assert response.status_code == 200 and response.mimetype == "text/css"
    assert b".fb-term" in response.data
