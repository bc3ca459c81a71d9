"""The bookkeeping plugin's main activity in a phone-sized German browser: a volunteer books the March cash book
line by line, saving after each line (no JavaScript), closes the tab, comes back to the saved lines, hands in,
reads the feedback on a wrong line, fixes it and passes. The page fits 360 px and passes axe-core."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import yaml
from flask import Flask
from mso_kassenfuehrung.cashbook import CashBook
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import seeding
from tests.factories import PASSWORD, make_course, make_user

COURSE = __import__("pathlib").Path(__file__).resolve().parents[2] / "courses" / "kassenfuehrung-im-verein"
MARCH = yaml.safe_load((COURSE / "02-sphaeren" / "kassenbuch-maerz.yaml").read_text(encoding="utf-8"))
SLUG = "kassenbuch-im-browser"


@pytest.fixture(scope="module")
def kb_server(plugin_live_app: Flask, plugin_live_server: str) -> str:
    """The shared plugin server, a learner and a course holding the March cash book."""
    with seeding(plugin_live_app) as session:
        make_user(session, email="kasse@example.org", name="Kim Kasse", language="de")
        make_course(
            session,
            slug=SLUG,
            title="Kassenbuch üben",
            course_type="kassenfuehrung",
            modules=[[("kassenbuch", MARCH)]],
        )
    return plugin_live_server


def _lines() -> list[dict[str, str]]:
    rows, balance = [], Decimal(MARCH["opening_balance"])
    for receipt in CashBook.booked(MARCH):
        amount = Decimal(receipt["amount"])
        balance += amount if receipt["direction"] == "in" else -amount
        rows.append(
            {**receipt, "balance": f"{balance:.2f}".replace(".", ","), "amount": receipt["amount"].replace(".", ",")}
        )
    return rows


def _book(page: Page, i: int, row: dict[str, str], sphere: str | None = None) -> None:
    p = f"#lines-{i}-"
    page.locator(p + "receipt").select_option(row["number"])
    page.locator(p + "date").fill(row["date"])
    page.locator(p + "text").fill(row["description"][:40])
    page.locator(p + "direction").select_option(row["direction"])
    page.locator(p + "amount").fill(row["amount"])
    page.locator(p + "sphere").select_option(sphere or row["sphere"])
    page.locator(p + "balance").fill(row["balance"])


def test_a_volunteer_keeps_a_month_of_books_on_a_phone(kb_server: str, page: Page, check_page: Any) -> None:
    page.goto(f"{kb_server}/account/login")
    page.locator("#email").fill("kasse@example.org")
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(f"{kb_server}/courses/{SLUG}")
    page.locator("form[action$='/enrol'] button[type=submit]").click()
    expect(page.get_by_role("heading", level=2, name="Belege und Kontoauszüge")).to_be_visible()
    expect(page.get_by_text("Kontoauszug Sparkasse – Zinsgutschrift auf dem Vereinskonto")).to_be_visible()
    check_page("cash book, empty")
    assert_accessible(page, "the empty cash book")
    url = page.url

    rows = _lines()
    for i, row in enumerate(rows[:3]):
        _book(page, i, row, sphere="ideell" if i == 2 else None)  # line 3: the course fees put in the wrong sphere
        page.get_by_role("button", name="Speichern und Zeile hinzufügen").click()
        expect(
            page.get_by_text("Saved. You can close the page and continue later.")
            .or_(page.get_by_text("Gespeichert", exact=False))
            .first
        ).to_be_visible()
        expect(page.locator(f"#lines-{i + 1}-receipt")).to_be_visible()  # one more empty line

    fresh = page.context.new_page()  # a new tab (the first one could be closed now) shows the saved lines
    fresh.goto(url)
    expect(fresh.locator("#lines-2-amount")).to_have_value("90,00")
    expect(fresh.locator("#lines-1-balance")).to_have_value("197,53")
    fresh.close()
    page.goto(url)

    for i, row in enumerate(rows[3:], start=3):
        _book(page, i, row)
        if i < len(rows) - 1:
            page.get_by_role("button", name="Speichern und Zeile hinzufügen").click()
    page.locator("input[name=closing_balance]").fill("121,69")
    page.locator("input[name=difference]").fill("0,00")
    page.get_by_role("button", name="Kassenbuch prüfen").click()
    result = page.locator("#result")
    expect(result).to_contain_text("Noch nicht bestanden.")
    expect(page.locator("#kassenbuch-line-2, [id$='-line-2']").first).to_contain_text("§ 68 Nr. 8 AO")
    check_page("cash book, feedback")
    assert_accessible(page, "the cash book with feedback")

    page.locator("#lines-2-sphere").select_option("zweckbetrieb")
    page.get_by_role("button", name="Kassenbuch prüfen").click()
    expect(
        page.get_by_text("Herzlichen Glückwunsch", exact=False).or_(page.get_by_text("Bestanden!")).first
    ).to_be_visible()
