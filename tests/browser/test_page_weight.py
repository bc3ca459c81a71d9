"""Page weight on a weak connection: what the browser transfers for the catalogue and an activity page.

Budgets (issue 6): under 150 KB on a first visit (empty cache: HTML, CSS, fonts, images, compressed as sent) and
under 30 KB on a later visit, when the fingerprinted static files come from the browser's cache. Transfer sizes are
the bytes Chromium received on the wire (`encodedDataLength` from the DevTools protocol), headers included.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, CDPSession, Page

from mso_academy.db import database, transaction
from tests.browser.conftest import LOCALE, PHONE
from tests.factories import PASSWORD, make_user

FIRST_VISIT_BUDGET = 150 * 1024
LATER_VISIT_BUDGET = 30 * 1024


@dataclass
class Transfers:
    """Bytes received per URL while recording, and which responses the browser answered from its cache."""

    sizes: dict[str, int] = field(default_factory=dict)
    cached: set[str] = field(default_factory=set)
    urls: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.sizes.values())

    def describe(self) -> str:
        return ", ".join(f"{self.urls.get(rid, rid)}: {size} B" for rid, size in self.sizes.items())


class Meter:
    def __init__(self, cdp: CDPSession) -> None:
        self.cdp = cdp
        self.current = Transfers()
        cdp.send("Network.enable")
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.requestServedFromCache", self._from_cache)
        cdp.on("Network.loadingFinished", self._finished)

    def _sent(self, event: dict) -> None:
        self.current.urls[event["requestId"]] = event["request"]["url"]

    def _from_cache(self, event: dict) -> None:
        self.current.cached.add(event["requestId"])

    def _finished(self, event: dict) -> None:
        self.current.sizes[event["requestId"]] = int(event["encodedDataLength"])

    def visit(self, page: Page, url: str) -> Transfers:
        self.current = Transfers()
        page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
        return self.current


@pytest.fixture
def metered(browser: Browser) -> Iterator[tuple[BrowserContext, Page, Meter]]:
    context = browser.new_context(viewport=PHONE, locale=LOCALE)
    page = context.new_page()
    meter = Meter(context.new_cdp_session(page))
    yield context, page, meter
    context.close()


def _assert_budget(transfers: Transfers, budget: int, what: str) -> None:
    print(f"{what}: {transfers.total} bytes ({transfers.describe()})")
    assert transfers.sizes, f"nothing was measured for {what}"
    assert transfers.total < budget, (
        f"{what} transferred {transfers.total} bytes, over the budget of {budget}: {transfers.describe()}"
    )


def test_catalogue_is_light_on_first_and_later_visits(
    metered: tuple[BrowserContext, Page, Meter], live_server: str
) -> None:
    _context, page, meter = metered
    first = meter.visit(page, f"{live_server}/courses/")
    _assert_budget(first, FIRST_VISIT_BUDGET, "the catalogue (first visit)")
    stylesheets = [url for url in first.urls.values() if url.endswith(".css")]
    assert stylesheets and all("/static/style." in url for url in stylesheets), first.urls

    later = meter.visit(page, f"{live_server}/courses/")
    _assert_budget(later, LATER_VISIT_BUDGET, "the catalogue (later visit)")
    # The stylesheet was not fetched again: it came from the cache (or was not requested at all).
    refetched = [
        rid
        for rid, url in later.urls.items()
        if url.endswith(".css") and rid not in later.cached and later.sizes.get(rid)
    ]
    assert not refetched, f"the fingerprinted stylesheet was downloaded again: {later.describe()}"


def test_activity_page_is_light_on_first_and_later_visits(
    metered: tuple[BrowserContext, Page, Meter], live_server: str, live_app: Flask
) -> None:
    _context, page, meter = metered
    address = f"weight-{uuid.uuid4().hex[:8]}@example.org"
    with live_app.app_context(), database(live_app).session_factory() as session, transaction(session):
        make_user(session, email=address, language="de")
    page.goto(f"{live_server}/account/login")
    page.locator("#email").fill(address)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(f"{live_server}/courses/erste-schritte")
    page.locator("main form button[type=submit]").first.click()  # enrol: lands on the first activity
    page.wait_for_load_state("load")
    activity = page.url
    assert "/learn/" in activity or "/activities/" in activity, activity

    meter.cdp.send("Network.clearBrowserCache")
    first = meter.visit(page, activity)
    _assert_budget(first, FIRST_VISIT_BUDGET, "an activity page (first visit)")
    later = meter.visit(page, activity)
    _assert_budget(later, LATER_VISIT_BUDGET, "an activity page (later visit)")
