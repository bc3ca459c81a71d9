"""The funding-applications plugin in the browser at 360 px: a volunteer writes an application with a balanced
financing plan, saves a draft, sees a failed check explained, fixes it and hands in; the pages pass axe-core.

It runs on the shared `plugin_live_server` (every installed plugin), with a learner and two practice courses."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import COURSES_DIR, seeding
from tests.factories import PASSWORD, make_course, make_user

COURSE = COURSES_DIR / "foerderantraege-schreiben"
CONTENT = yaml.safe_load((COURSE / "03-kosten-und-finanzierung" / "antrag.yaml").read_text("utf-8"))
REPORT = yaml.safe_load((COURSE / "04-bewilligung-und-nachweis" / "nachweis.yaml").read_text("utf-8"))


@pytest.fixture(scope="module")
def fa_server(plugin_live_app: Flask, plugin_live_server: str) -> str:
    """The shared plugin server, a learner and two practice courses (application, spending report)."""
    with seeding(plugin_live_app) as session:
        make_user(session, email="antrag@example.org", name="Amal Antrag", language="de")
        make_course(
            session,
            slug="antrag-uebung",
            title="Antrag üben",
            course_type="foerderantraege",
            modules=[[("funding_application", CONTENT)]],
        )
        make_course(
            session,
            slug="nachweis-uebung",
            title="Nachweis üben",
            course_type="foerderantraege",
            modules=[[("spending_report", REPORT)]],
        )
    return plugin_live_server


def fill_application(page: Page, grant: str) -> None:
    page.get_by_label("Projekttitel", exact=True).fill("Nähen und Sprechen")
    page.get_by_label("Ziel", exact=True).fill("Frauen aus dem Viertel knüpfen Kontakte und sprechen mehr Deutsch.")
    page.get_by_label("Zielgruppe", exact=True).fill("Zwölf Frauen aus dem Stadtteil.")
    page.get_by_label("Maßnahmen", exact=True).fill("20 Kursabende und eine Ausstellung.")
    first = page.locator("fieldset.fa-row").nth(0)
    first.get_by_label("Was gemessen wird").fill("Frauen, die an 15 Abenden teilnehmen")
    first.get_by_label("Zielwert (eine Zahl)").fill("12")
    first.get_by_label("Bis wann").fill("2027-11-30")
    step = page.locator("fieldset.fa-row", has_text="Schritt 1")
    step.get_by_label("Datum").fill("2027-03-01")
    step.get_by_label("Was passiert").fill("Erster Kursabend")
    for n, (category, text, amount) in enumerate(
        [
            ("Honorare", "20 Abende", "2.400,00"),
            ("Raummiete", "Gemeindesaal", "900"),
            ("Sachkosten (Material, Druck)", "Stoff", "750"),
        ],
        start=1,
    ):
        line = page.locator("fieldset.fa-row", has_text=f"Kostenzeile {n}")
        line.get_by_label("Kategorie").select_option(label=category)
        line.get_by_label("Beschreibung").fill(text)
        line.get_by_label("Betrag in Euro").fill(amount)
    page.get_by_label("Eigenmittel", exact=True).fill("100")
    page.get_by_label("Ehrenamtliche Stunden", exact=True).fill("40")
    page.get_by_label("Beantragte Zuwendung", exact=True).fill(grant)


def test_a_volunteer_writes_a_balanced_application_on_a_phone(
    page: Page, fa_server: str, check_page: Callable[[str], None]
) -> None:
    page.goto(f"{fa_server}/account/login")
    page.locator("#email").fill("antrag@example.org")
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(f"{fa_server}/courses/antrag-uebung")
    page.locator("form[action$='/enrol'] button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Activity 1.1")
    expect(page.locator(".fa-call")).to_contain_text("höchstens 6.000 €")
    check_page("application form")
    assert_accessible(page, "application form")

    # 4.050 € costs + 600 € volunteer work = 4.650 €; 100 € + 600 € own → the grant must be 3.950 €
    fill_application(page, grant="3.900")
    page.get_by_role("button", name="Entwurf speichern").click()
    expect(page.locator(".flashes")).to_be_visible()
    expect(page.get_by_label("Projekttitel", exact=True)).to_have_value("Nähen und Sprechen")

    page.get_by_role("button", name="Prüfen und abgeben").click()
    result = page.locator("#result")
    expect(result).to_contain_text("Differenz -50,00 €")
    check_page("failed check")
    assert_accessible(page, "failed check")

    page.get_by_label("Beantragte Zuwendung", exact=True).fill("3950")
    page.get_by_role("button", name="Prüfen und abgeben").click()
    expect(page.locator("#result")).to_contain_text("Wartet auf Prüfung")
    with page.expect_download() as download:
        page.get_by_role("button", name="Antrag als PDF herunterladen").click()
    path = Path(download.value.path())
    assert path.read_bytes().startswith(b"%PDF")
    check_page("waiting for review")
    assert_accessible(page, "waiting for review")


def test_a_volunteer_checks_a_spending_report_on_a_phone(
    page: Page, fa_server: str, check_page: Callable[[str], None]
) -> None:
    page.goto(f"{fa_server}/account/login")
    page.locator("#email").fill("antrag@example.org")
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(f"{fa_server}/courses/nachweis-uebung")
    page.locator("form[action$='/enrol'] button[type=submit]").click()
    expect(page.locator("table.fa-receipts").first).to_contain_text("Honorarrechnung Nr. 1")
    activity_url = page.url
    check_page("spending report")
    assert_accessible(page, "spending report")
    answers = {
        "honorare": ("2480", "Überschreitung ohne Zustimmung erlaubt"),
        "raummiete": ("900", "Im Plan oder darunter"),
        "sachkosten": ("465,74", "Im Plan oder darunter"),
        "fahrtkosten": ("192", "Braucht die Zustimmung des Fördergebers"),
    }
    for key, (amount, state) in answers.items():
        line = page.locator("fieldset.fa-line", has=page.locator(f"input[name='line-{key}-actual']"))
        line.get_by_label("Ist-Betrag in Euro").fill(amount)
        line.get_by_label(state).check()
    page.get_by_role("button", name="Meinen Nachweis prüfen").click()
    expect(page.locator(".flashes")).to_be_visible()  # the only step: the course is completed
    page.goto(activity_url)
    expect(page.locator("#result")).to_contain_text("8 von 8 Angaben sind richtig.")
    check_page("spending report passed")
    assert_accessible(page, "spending report passed")
