"""The refugee-counselling plugin's main activity in a phone-sized German browser: a volunteer walks the case
scenario of the shipped course step by step, closes the tab half-way and finds the path again, takes a wrong turn
at the referral step, hands in, reads why (with the legal basis), walks the good path and passes. Then the
glossary exercise with Arabic and Farsi right to left, and the glossary page. Every page fits 360 px and passes
axe-core."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from flask import Flask
from mso_fluechtlingsberatung.glossary import Glossary
from playwright.sync_api import Browser, Page, expect

from tests.browser.axe import assert_accessible, assert_fits
from tests.browser.conftest import seeding
from tests.factories import PASSWORD, make_course, make_user

COURSE = Path(__file__).resolve().parents[2] / "courses" / "fluechtlingsberatung-ehrenamtlich"
SCENARIO = yaml.safe_load((COURSE / "03-bescheid" / "fall-bescheid.yaml").read_text(encoding="utf-8"))
GLOSSARY = yaml.safe_load((COURSE / "02-verfahren" / "glossar-verfahren.yaml").read_text(encoding="utf-8"))
SLUG = "begleiten-im-browser"
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "fluechtlingsberatung"


def check(page: Page, where: str) -> None:
    """Fits 360 px and passes axe; with MSO_ACADEMY_SCREENSHOTS=1 also kept as a screenshot to look at by eye."""
    assert_fits(page, where)
    assert_accessible(page, where)
    if os.environ.get("MSO_ACADEMY_SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOTS / f"{where.replace(' ', '-').replace(',', '')}.png", full_page=True)


@pytest.fixture(scope="module")
def fb_server(plugin_live_app: Flask, plugin_live_server: str) -> str:
    """The shared plugin server, a learner and a course holding both activities of the plugin."""
    with seeding(plugin_live_app) as session:
        make_user(session, email="begleiterin@example.org", name="Samira Begleiterin", language="de")
        make_course(
            session,
            slug=SLUG,
            title="Begleiten üben",
            course_type="fluechtlingsberatung",
            modules=[[("case_scenario", SCENARIO), ("glossary", GLOSSARY)]],
        )
    return plugin_live_server


def choose(page: Page, text: str) -> None:
    page.get_by_label(text).check()
    page.get_by_role("button", name="Auswählen").click()


def test_a_volunteer_walks_a_case_scenario_and_matches_the_glossary_on_a_phone(
    fb_server: str, page: Page, browser: Browser
) -> None:
    page.goto(f"{fb_server}/account/login")
    page.locator("#email").fill("begleiterin@example.org")
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(f"{fb_server}/courses/{SLUG}")
    page.locator("form[action$='/enrol'] button[type=submit]").click()
    page.goto(f"{fb_server}/learn/{SLUG}/")
    expect(page.get_by_role("heading", name="Situation 1")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Geben Sie auf dieser Plattform niemals echte Namen")
    check(page, "scenario, step 1")

    nodes = {n["key"]: n for n in SCENARIO["nodes"]}
    choose(page, nodes["umschlag"]["choices"][0]["text"])
    expect(page.get_by_role("heading", name="Situation 2")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Die Frist läuft ab der Zustellung")
    check(page, "scenario, step 2")

    # The tab is closed; a new one (same login) finds the scenario at step 2.
    url = page.url.split("#")[0]
    state = page.context.storage_state()
    page.context.close()
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="de-DE", storage_state=state)
    page = context.new_page()
    page.goto(url)
    expect(page.get_by_role("heading", name="Situation 2")).to_be_visible()

    # A wrong turn at the referral step: the volunteer judges the chances herself.
    choose(page, nodes["frist"]["choices"][1]["text"])
    expect(page.get_by_role("heading", name="Das Ende dieses Falls")).to_be_visible()
    page.get_by_role("button", name="Meinen Weg abgeben").click()
    result = page.locator("#result")
    expect(result).to_contain_text("Noch nicht bestanden.")
    expect(result).to_contain_text("1 von 2 Entscheidungen waren gut (50 %).")
    expect(result).to_contain_text("rechtliche Fachberatung brauchte")
    review = page.locator(".fb-steps").first
    expect(review).to_contain_text("Keine gute Entscheidung.")
    expect(review).to_contain_text("Rechtsgrundlage: § 2 Abs. 1, § 6 Abs. 2 RDG")
    expect(review).to_contain_text("Besser:")
    check(page, "scenario result")

    # The good path: envelope, referral, court's legal-application office.
    choose(page, nodes["umschlag"]["choices"][0]["text"])
    choose(page, nodes["frist"]["choices"][0]["text"])
    choose(page, nodes["freitag"]["choices"][0]["text"])
    page.get_by_role("button", name="Meinen Weg abgeben").click()

    # A passed activity leads on to the glossary (or shows the result with a link to it).
    if "Bestanden!" in (page.locator("main").inner_text()):
        page.get_by_role("link", name="Weiter").first.click()
    expect(page.get_by_role("heading", name="Übung: Welche Erklärung passt?")).to_be_visible()
    page.get_by_text("Begriffe mit Erklärungen und Übersetzungen anzeigen").click()
    arabic = page.locator('dd[lang="ar"]').first
    expect(arabic).to_have_attribute("dir", "rtl")
    expect(page.locator('dd[lang="fa"]').first).to_have_attribute("dir", "rtl")
    assert page.locator('dd[lang="fa"]').first.evaluate("e => getComputedStyle(e).direction") == "rtl"
    check(page, "glossary")
    for letter, term in Glossary().lettered(GLOSSARY):
        page.locator(f'select[name="m-{term["key"]}"]').select_option(letter)
    page.get_by_role("button", name="Antworten prüfen").click()
    expect(page.locator("main")).to_contain_text("Sie haben diesen Kurs am")

    page.goto(f"{fb_server}/plugins/fluechtlingsberatung/glossar?sprache=ar")
    expect(page.get_by_role("heading", name="Glossar zum Asyl- und Aufenthaltsverfahren")).to_be_visible()
    check(page, "glossary page")
    context.close()
