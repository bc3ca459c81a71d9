"""Every page of the main journeys, in German and in Arabic (right to left): zero axe-core violations at 360 px,
no sideways scrolling at 360 px and at 1280 px (screenshots of both land in the test's tmp dir), and the keyboard
and form-error behaviour a screen-reader or keyboard user relies on.

The data is seeded once for this module into the live server's database: per interface language one user who
learns (a course with one activity of every registered kind), teaches (owns or co-trains that course, with a
hand-in waiting for review), holds a certificate and manages an organisation. One logged-in and one anonymous
browser context per language serve all pages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect
from werkzeug.datastructures import MultiDict

from mso_academy.demo import DEMO_PASSWORD
from tests.browser.axe import assert_accessible, assert_fits
from tests.browser.conftest import PHONE
from tests.factories import PASSWORD

Ui = Callable[..., str]

DESKTOP = {"width": 1280, "height": 900}
LANGUAGES = {"de": "de-DE", "ar": "ar"}
COURSE = "barrierefrei-lernen"
CERTIFICATE_COURSE = "barrierefrei-zertifikat"
ORGANISATION = "verein-fuer-alle"
HAND_IN = "hand-in@a11y.example.org"

LESSON = """## Die Vereinskasse

Jede Einnahme und jede Ausgabe braucht einen **Beleg**. Mehr dazu steht in der
[Kassenordnung](https://example.org/kassenordnung).

| Datum | Zweck | Betrag |
|---|---|---|
| 01.03. | Mitgliedsbeitrag | 12,50 € |
| 04.03. | Raummiete für das Sommerfest im Gemeindezentrum | −250,00 € |
"""


@dataclass
class Seeded:
    """Ids and codes of what the module's pages show."""

    activities: dict[str, int] = field(default_factory=dict)  # kind -> activity id
    activity_keys: dict[str, str] = field(default_factory=dict)  # kind -> activity key (editor)
    certificates: dict[str, str] = field(default_factory=dict)  # language -> certificate code
    attempt: int = 0  # the hand-in waiting for review


def _user_email(language: str) -> str:
    return f"a11y-{language}@a11y.example.org"


def _activities(kinds: list[Any]) -> list[tuple[str, dict[str, Any]]]:
    """One activity of every registered kind: the core kinds with real content, any other with its default."""
    from tests.factories import quiz_content

    content = {
        "text_lesson": {"body": LESSON, "minutes": 5},
        "quiz": quiz_content(),
        "assignment": {
            "instructions": "Beschreiben Sie in drei Sätzen, wie Ihr Verein **Belege** sammelt.",
            "allow_file": True,
            "file_required": False,
            "min_words": 5,
            "max_words": 300,
        },
    }
    return [(kind.key, content.get(kind.key) or kind.default_content()) for kind in kinds]


@pytest.fixture(scope="module")
def seeded(live_app: Flask) -> Seeded:
    from mso_academy.accounts.models import Role
    from mso_academy.catalog.models import CourseTrainer
    from mso_academy.db import database, transaction
    from mso_academy.learning import services as learning
    from mso_academy.organisations.models import MemberRole, Membership, Organisation
    from mso_academy.plugins.manager import plugins
    from tests import factories

    out = Seeded()
    with live_app.test_request_context(), database(live_app).session_factory() as session, transaction(session):
        pm = plugins()
        users = {
            "de": factories.make_user(
                session, email=_user_email("de"), name="Mira Beispiel", language="de", roles=(Role.TRAINER, Role.FUNDER)
            ),
            "ar": factories.make_user(
                session, email=_user_email("ar"), name="ليلى حداد", language="ar", roles=(Role.TRAINER, Role.FUNDER)
            ),
        }
        kinds = list(pm.activity_kinds.values())
        course = factories.make_course(
            session,
            slug=COURSE,
            title="Barrierefrei lernen: die Vereinskasse",
            summary="Belege sammeln, Kasse prüfen, Bericht schreiben – Schritt für Schritt.",
            owner=users["de"],
            modules=[_activities(kinds)],
        )
        for activity in course.modules[0].activities:
            activity.required = False  # every kind opens without passing the others first
            out.activities[activity.kind] = activity.id
            out.activity_keys[activity.kind] = activity.key
        session.add(CourseTrainer(course_id=course.id, user_id=users["ar"].id))
        short = factories.make_course(
            session,
            slug=CERTIFICATE_COURSE,
            title="Barrierefrei: ein kurzer Kurs",
            owner=users["de"],
            modules=[[("text_lesson", {"body": "Kurz und gut.", "minutes": 1})]],
        )
        for language, user in users.items():
            learning.enrol(session, pm, user, course)
            out.certificates[language] = factories.complete_course(session, user, short).code
        # A learner's hand-in, waiting for the trainers' review.
        handing_in = factories.make_user(session, email=HAND_IN, name="Yusuf Örnek", language="tr")
        enrolment = learning.enrol(session, pm, handing_in, course)
        progress = learning.course_progress(session, course, enrolment)
        attempt = learning.submit(
            session,
            pm,
            progress,
            out.activities["assignment"],
            MultiDict({"text": "Wir sammeln alle Belege in einem Ordner und prüfen sie jeden Monat."}),
            "a11y-hand-in",
        )
        out.attempt = attempt.id
        organisation = Organisation(
            slug=ORGANISATION, name="Verein für alle e.V.", short_name="VfA", created_by_id=users["de"].id
        )
        organisation.memberships = [
            Membership(user_id=users["de"].id, role=MemberRole.MANAGER),
            Membership(user_id=users["ar"].id, role=MemberRole.MANAGER),
            Membership(user_id=handing_in.id, role=MemberRole.MEMBER),
        ]
        session.add(organisation)
    return out


# --- pages --------------------------------------------------------------------------------------------------

# (name, signed in?, path); {course}, {activity[kind]}, {key[kind]}, {certificate}, {attempt}, {org} are filled in.
PAGES: list[tuple[str, bool, str]] = [
    ("home", False, "/"),
    ("catalogue", False, "/courses/"),
    ("catalogue search without result", False, "/courses/?q=xyzzy"),
    ("course page", False, "/courses/{course}"),
    ("login", False, "/account/login"),
    ("registration", False, "/account/register"),
    ("verification form", False, "/verify/"),
    ("verification page", False, "/verify/{certificate}"),
    ("accessibility statement", False, "/accessibility"),
    ("privacy notice", False, "/privacy"),
    ("not found", False, "/no-such-page"),
    ("dashboard", True, "/dashboard"),
    ("course page enrolled", True, "/courses/{course}"),
    ("certificates", True, "/certificates/"),
    ("profile", True, "/account/profile"),
    ("two-factor setup", True, "/account/two-factor/"),
    ("delete account", True, "/account/delete"),
    ("trainer courses", True, "/trainer/courses/"),
    ("trainer new course", True, "/trainer/new-course"),
    ("trainer outline", True, "/trainer/courses/{course}/"),
    ("trainer course details", True, "/trainer/courses/{course}/details"),
    ("trainer module", True, "/trainer/courses/{course}/modules/m1"),
    ("trainer learners", True, "/trainer/courses/{course}/learners"),
    ("review queue", True, "/trainer/reviews"),
    ("review", True, "/trainer/reviews/{attempt}"),
    ("organisations", True, "/organisations/"),
    ("organisation overview", True, "/organisations/{org}/"),
    ("organisation members", True, "/organisations/{org}/members"),
    ("organisation dashboard", True, "/organisations/{org}/dashboard"),
    ("organisation functions", True, "/organisations/{org}/functions"),
    ("organisation invitations", True, "/organisations/{org}/invitations"),
    ("organisation settings", True, "/organisations/{org}/settings"),
    ("course preview", True, "/trainer/courses/{course}/preview"),
    ("course trainers", True, "/trainer/courses/{course}/trainers"),
    ("evaluation report", True, "/reports/"),
]


def _kind_pages() -> list[tuple[str, bool, str]]:
    """The learner's view, the editor and the preview of each core kind (plugin kinds:
    test_accessibility_plugins.py)."""
    pages = []
    for kind in ("text_lesson", "quiz", "assignment"):
        pages.append((f"learner {kind}", True, f"/learn/{{course}}/{{activity[{kind}]}}"))
        pages.append((f"editor {kind}", True, f"/trainer/courses/{{course}}/activities/{{key[{kind}]}}"))
        pages.append((f"preview {kind}", True, f"/trainer/courses/{{course}}/activities/{{key[{kind}]}}/preview"))
    return pages


ALL_PAGES = PAGES + _kind_pages()


class Browsers:
    """One browser context per (language, signed in), made on first use and kept for the module."""

    def __init__(self, browser: Browser, live_server: str) -> None:
        self.browser, self.live_server = browser, live_server
        self.pages: dict[tuple[str, bool], Page] = {}
        self.contexts: list[BrowserContext] = []

    def page(self, language: str, signed_in: bool) -> Page:
        if (language, signed_in) not in self.pages:
            context = self.browser.new_context(viewport=PHONE, locale=LANGUAGES[language])
            context.set_default_timeout(15_000)
            self.contexts.append(context)
            page = context.new_page()
            if signed_in:
                page.goto(f"{self.live_server}/account/login")
                page.locator("#email").fill(_user_email(language))
                page.locator("#password").fill(PASSWORD)
                page.locator("main form button[type=submit]").click()
                expect(page).to_have_url(f"{self.live_server}/dashboard")
            self.pages[(language, signed_in)] = page
        return self.pages[(language, signed_in)]

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture(scope="module")
def browsers(browser: Browser, live_server: str, seeded: Seeded) -> Iterator[Browsers]:
    made = Browsers(browser, live_server)
    yield made
    made.close()


def _path(template: str, seeded: Seeded, language: str) -> str:
    return template.format(
        course=COURSE,
        activity=seeded.activities,
        key=seeded.activity_keys,
        certificate=seeded.certificates[language],
        attempt=seeded.attempt,
        org=ORGANISATION,
    )


@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize(("name", "signed_in", "template"), ALL_PAGES, ids=[p[0] for p in ALL_PAGES])
def test_page_is_accessible_and_fits_phone_and_desktop(
    browsers: Browsers,
    seeded: Seeded,
    live_server: str,
    tmp_path: Path,
    language: str,
    name: str,
    signed_in: bool,
    template: str,
) -> None:
    page = browsers.page(language, signed_in)
    page.set_viewport_size(PHONE)
    response = page.goto(live_server + _path(template, seeded, language))
    assert response is not None
    assert response.status == (404 if name == "not found" else 200), f"{name}: HTTP {response.status}"
    where = f"{name} [{language}]"
    html = page.locator("html")
    expect(html).to_have_attribute("lang", language)
    expect(html).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    shot = "-".join(name.split()) + f"-{language}"
    page.screenshot(path=tmp_path / f"{shot}-360.png", full_page=True)
    try:
        assert_fits(page, f"{where} at 360 px")
        assert_accessible(page, where)
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=tmp_path / f"{shot}-1280.png", full_page=True)
        assert_fits(page, f"{where} at 1280 px")
    finally:
        page.set_viewport_size(PHONE)
        print(f"screenshots of {where}: {tmp_path}")


# --- keyboard -----------------------------------------------------------------------------------------------

_FOCUSED = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  return {tag: e.tagName.toLowerCase(), id: e.id, type: e.type || "", cls: String(e.className || ""),
          text: (e.textContent || "").trim().slice(0, 40), outline: style.outlineStyle,
          outlineWidth: parseFloat(style.outlineWidth) || 0};
}"""


def _tab(page: Page) -> dict[str, Any]:
    page.keyboard.press("Tab")
    return page.evaluate(_FOCUSED)


def test_skip_link_is_first_visible_and_moves_focus_to_main(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/courses/")
    focused = _tab(page)
    assert "skip-link" in focused["cls"], f"the first Tab lands on {focused}, not on the skip link"
    skip = page.locator(".skip-link")
    expect(skip).to_be_visible()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    # The next Tab continues inside the content, not at the top of the header again.
    focused = _tab(page)
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)"), focused


def test_every_control_shows_focus_and_tab_reaches_the_footer(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/account/login")
    seen: list[dict[str, Any]] = []
    for _ in range(40):
        focused = _tab(page)
        seen.append(focused)
        assert focused["outline"] != "none" and focused["outlineWidth"] >= 2, f"no visible focus on {focused}"
        if focused["tag"] == "a" and page.evaluate("() => !!document.activeElement.closest('footer')"):
            break
    else:
        pytest.fail(f"Tab never reached the footer (a keyboard trap?): {seen}")
    kinds = {(f["tag"], f["type"]) for f in seen}
    assert {("a", ""), ("button", "submit"), ("input", "email"), ("input", "password"), ("input", "checkbox")} <= kinds
    assert ("select", "select-one") in kinds  # the language switcher


def test_login_form_is_filled_and_sent_with_the_keyboard_alone(page: Page, live_server: str, ui: Ui) -> None:
    page.goto(f"{live_server}/account/login")
    for _ in range(30):
        if _tab(page)["id"] == "email":
            break
    else:
        pytest.fail("Tab never reached the e-mail field")
    page.keyboard.type("learner@example.org")
    assert _tab(page)["id"] == "password"
    page.keyboard.type(DEMO_PASSWORD)
    assert _tab(page)["type"] == "checkbox"
    page.keyboard.press("Space")
    expect(page.locator("input[type=checkbox][name=remember]")).to_be_checked()
    assert _tab(page)["type"] == "submit"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(ui("My learning"))


# --- form errors --------------------------------------------------------------------------------------------


def _assert_errors_announced_and_linked(page: Page, ui: Ui, fields: list[str]) -> None:
    """An error summary that is an alert and has the focus, whose links lead to invalid fields that name their
    error (aria-describedby), and a page title that starts with "Error"."""
    summary = page.locator(".error-summary")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_focused()
    expect(page).to_have_title(_starts_with(ui("Error")))
    for name in fields:
        field_ = page.locator(f"#{name}")
        expect(field_).to_have_attribute("aria-invalid", "true")
        described = (field_.get_attribute("aria-describedby") or "").split()
        assert f"{name}-error" in described, f"#{name} is not described by its error: {described}"
        error = page.locator(f"#{name}-error")
        expect(error).to_be_visible()
        link = summary.locator(f"a[href='#{name}']")
        expect(link).to_contain_text(error.inner_text().removeprefix(ui("Error:")).strip())
    # Following the first link (by keyboard) puts the cursor into the field.
    page.keyboard.press("Tab")
    expect(summary.locator("a").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(f"#{fields[0]}")).to_be_focused()


def _starts_with(text: str) -> re.Pattern[str]:
    return re.compile("^" + re.escape(text))


def test_registration_errors_are_announced_and_tied_to_their_fields(page: Page, live_server: str, ui: Ui) -> None:
    page.goto(f"{live_server}/account/register")
    page.get_by_label(ui("E-mail address")).fill("not-an-address")
    page.get_by_role("button", name=ui("Create account")).click()
    _assert_errors_announced_and_linked(page, ui, ["name", "email", "password"])
    assert_accessible(page, "registration with errors")
    # A password that is too short: the error joins the field's hint in its description.
    page.get_by_label(ui("Name"), exact=True).fill("Lena Lernend")
    page.get_by_label(ui("E-mail address")).fill("lena-keyboard@example.org")
    page.get_by_label(ui("Password"), exact=True).fill("short")
    page.get_by_role("button", name=ui("Create account")).click()
    _assert_errors_announced_and_linked(page, ui, ["password"])
    expect(page.locator("#password")).to_have_attribute("aria-describedby", "password-hint password-error")


def test_login_errors_are_announced_and_tied_to_their_fields(page: Page, live_server: str, ui: Ui) -> None:
    page.goto(f"{live_server}/account/login")
    page.locator("main form button[type=submit]").click()
    _assert_errors_announced_and_linked(page, ui, ["email", "password"])
    assert_accessible(page, "login with errors")
