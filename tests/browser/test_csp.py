"""The Content-Security-Policy (no 'unsafe-inline') breaks nothing: the main pages of every role load in Chromium
without a single CSP violation (securitypolicyviolation events and console reports are both recorded).

A control proves the recorder hears a violation: an inline style attribute added to a page is reported.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from mso_academy.demo import DEMO_PASSWORD
from tests.browser.conftest import LOCALE, PHONE

RECORD = """document.addEventListener("securitypolicyviolation", (e) => {
  (window.__csp = window.__csp || []).push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});"""

ANONYMOUS = ["/", "/courses/", "/verify/", "/account/login", "/account/register", "/account/forgot-password"]
PAGES = {
    "learner@example.org": ["/dashboard", "/certificates/", "/account/profile", "/organisations/"],
    "trainer@example.org": ["/trainer/courses/", "/trainer/reviews"],
    "manager@example.org": ["/organisations/"],
    "admin@example.org": ["/admin/users", "/admin/courses", "/admin/plugins", "/admin/certificates", "/reports/"],
}
# Links followed from a page (first match), so the test needs no ids: (start page or None for the page just
# visited, link selector).
FOLLOW = {
    None: [("/courses/", "main a[href^='/courses/']:not([href='/courses/'])")],
    "trainer@example.org": [
        ("/trainer/courses/", "main a[href^='/trainer/courses/'][href$='/']"),
        (None, "main a[href$='/preview']"),  # on the editor just visited
    ],
    "manager@example.org": [("/organisations/", "main a[href^='/organisations/'][href$='/']")],
}


@pytest.fixture
def recorded(browser: Browser) -> Iterator[tuple[Page, list[str]]]:
    context = browser.new_context(viewport=PHONE, locale=LOCALE)
    context.add_init_script(RECORD)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    yield page, console
    context.close()


def _violations(page: Page, console: list[str]) -> list[str]:
    found = [f"{page.url}: {v}" for v in page.evaluate("window.__csp || []")]
    found += [f"{page.url}: {text}" for text in console]
    console.clear()
    return found


def _visit(page: Page, console: list[str], url: str) -> list[str]:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    assert "unsafe-inline" not in (response.headers.get("content-security-policy") or "x")
    page.wait_for_load_state("load")
    return _violations(page, console)


def _log_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/account/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state("load")
    assert "/account/login" not in page.url, page.url


def test_the_main_pages_of_every_role_cause_no_csp_violation(live_server, recorded):
    page, console = recorded
    violations: list[str] = []
    followed = 0
    for email in (None, *PAGES):
        page.context.clear_cookies()
        if email:
            _log_in(page, live_server, email)
        for url in ANONYMOUS[:2] if email else ANONYMOUS:
            violations += _visit(page, console, live_server + url)
        for url in PAGES.get(email, []):
            violations += _visit(page, console, live_server + url)
        for start, selector in FOLLOW.get(email, []):
            if start is not None:
                page.goto(live_server + start)
            link = page.locator(selector).first
            assert link.count(), f"no link {selector} on {start} for {email}"
            violations += _visit(page, console, live_server + link.get_attribute("href"))
            followed += 1
        if email == "learner@example.org":  # enrol in a course and land on its first activity
            page.goto(live_server + "/courses/")
            page.locator(FOLLOW[None][0][1]).first.click()
            page.locator("main form[action$='/enrol'] button").first.click()
            page.wait_for_load_state("load")
            assert "/learn/" in page.url, page.url
            violations += _violations(page, console)
    assert followed == sum(len(links) for links in FOLLOW.values())
    assert not violations, "\n".join(violations)


def test_the_recorder_hears_a_violation(live_server, recorded):
    """The control: an inline style attribute is refused and reported, so a silent page means a clean page."""
    page, console = recorded
    assert _visit(page, console, live_server + "/") == []
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_function("(window.__csp || []).length > 0")
    assert any("style-src" in v for v in _violations(page, console))
