"""A learner switches to each of the six interface languages and completes a course in it, on a phone."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale, gettext
from playwright.sync_api import Page, expect

from mso_academy.db import database, transaction
from tests.factories import PASSWORD, make_course, make_user

LANGUAGES = {"de": "ltr", "en": "ltr", "tr": "ltr", "ar": "rtl", "uk": "ltr", "ru": "ltr"}
QUIZ = {
    "pass_mark": 100,
    "max_attempts": None,
    "questions": [
        {
            "key": "board",
            "type": "single",
            "text": "Wer vertritt den Verein nach außen? (§ 26 BGB)",
            "options": [
                {"key": "a", "text": "Der Vorstand", "correct": True},
                {"key": "b", "text": "Die Kassenprüfung", "correct": False},
            ],
        }
    ],
}


@pytest.fixture(scope="module")
def course_slug(live_app: Flask) -> str:
    slug = f"sprachen-{uuid.uuid4().hex[:6]}"
    with live_app.test_request_context(), database(live_app).session_factory() as session, transaction(session):
        make_course(
            session,
            slug=slug,
            title="Sechs Sprachen, ein Kurs",
            language="de",
            modules=[[("text_lesson", {"body": "# Willkommen\n\nEin kurzer Text.", "minutes": 2}), ("quiz", QUIZ)]],
        )
    return slug


def _in(live_app: Flask, language: str) -> Callable[..., str]:
    def translate(message: str, **variables: Any) -> str:
        with live_app.test_request_context(), force_locale(language):
            return gettext(message, **variables)

    return translate


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_a_learner_completes_a_course_in_each_language(
    page: Page, live_server: str, live_app: Flask, course_slug: str, language: str
) -> None:
    t = _in(live_app, language)
    address = f"lang-{language}-{uuid.uuid4().hex[:6]}@example.org"
    with live_app.app_context(), database(live_app).session_factory() as session, transaction(session):
        make_user(session, email=address, language="de")
    page.goto(f"{live_server}/account/login")
    page.locator("#email").fill(address)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()

    # The switcher in the footer, as a person would use it; the choice is kept on the account.
    page.locator("#language-switcher").select_option(language)
    page.locator("form.language-switcher button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("html")).to_have_attribute("dir", LANGUAGES[language])

    page.goto(f"{live_server}/courses/{course_slug}")
    page.get_by_role("button", name=t("Enrol in this course")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Activity 1.1")
    page.locator("form.activity-form button[type=submit]").click()  # the lesson is read
    page.get_by_label("Der Vorstand").check()
    page.locator("form.activity-form button[type=submit]").click()
    expect(page.locator(".flashes")).to_contain_text(t("Congratulations! You have completed the course."))
    # The interface stayed in the chosen language all the way, and the course kept its own.
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.goto(f"{live_server}/certificates/")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("My certificates"))
    expect(page.locator("main")).to_contain_text("Sechs Sprachen, ein Kurs")
