"""The unsubscribe link of a reminder mail and the reminder choices, as a person uses them on a phone: German and
Arabic, zero axe-core violations, no sideways scrolling, no login needed for the link."""

from __future__ import annotations

import itertools

import pytest
from flask import Flask
from playwright.sync_api import Browser, expect

from mso_academy.accounts import services as accounts
from mso_academy.accounts.models import User
from mso_academy.db import database, transaction
from mso_academy.mail import preferences
from tests.browser.axe import assert_accessible, assert_fits
from tests.browser.conftest import PHONE
from tests.factories import PASSWORD

_numbers = itertools.count(1)


def _new_user(app: Flask, language: str) -> tuple[int, str, str]:
    """A fresh learner (the live server is shared by the browser suite); returns id, e-mail and a link token."""
    email = f"reminders-{language}-{next(_numbers)}@example.org"
    with app.app_context(), database(app).session_factory() as session, transaction(session):
        user = accounts.create_user(
            session, email=email, name="Rima Reminder", password=PASSWORD, confirmed=True, language=language
        )
        token = preferences.unsubscribe_token(user, preferences.CERTIFICATE_EXPIRING)
        return user.id, email, token


def _opt_outs(app: Flask, user_id: int) -> list[str]:
    with app.app_context(), database(app).session_factory() as session:
        return session.get(User, user_id).reminder_opt_outs


@pytest.mark.parametrize(("language", "locale"), [("de", "de-DE"), ("ar", "ar")])
def test_the_link_asks_then_stops_the_reminder(
    browser: Browser, live_app: Flask, live_server: str, language: str, locale: str
) -> None:
    user_id, _email, token = _new_user(live_app, language)
    context = browser.new_context(viewport=PHONE, locale=locale)
    try:
        page = context.new_page()
        page.goto(f"{live_server}/unsubscribe/{token}")
        expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
        assert_fits(page, f"unsubscribe [{language}] at 360 px")
        assert_accessible(page, f"unsubscribe [{language}]")
        assert _opt_outs(live_app, user_id) == []  # opening the link changes nothing
        page.locator("main form button[type=submit]").click()
        expect(page.locator("main [role=status]")).to_be_visible()
        assert_fits(page, f"unsubscribed [{language}] at 360 px")
        assert_accessible(page, f"unsubscribed [{language}]")
        assert _opt_outs(live_app, user_id) == ["certificate_expiring"]
    finally:
        context.close()


def test_reminder_choices_on_the_profile_page_with_the_keyboard(page, live_app: Flask, live_server: str) -> None:
    user_id, email, _token = _new_user(live_app, "de")
    page.goto(f"{live_server}/account/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(f"{live_server}/account/profile")
    box = page.locator("#reminders-assignment_due")
    expect(box).to_be_checked()
    box.focus()
    page.keyboard.press("Space")
    page.locator("#reminders button[type=submit]").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/account/profile#reminders")
    expect(page.locator("#reminders-assignment_due")).not_to_be_checked()
    expect(page.locator("#reminders-certificate_expiring")).to_be_checked()
    assert _opt_outs(live_app, user_id) == ["assignment_due"]
