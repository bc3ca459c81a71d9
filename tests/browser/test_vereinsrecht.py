"""The association-law plugin in a phone-sized German browser.

1. The main activity: a volunteer checks the draft statute of the shipped course element by element, reads why
   three judgements were wrong (with the legal basis), fixes them and passes; then decides and calculates the
   general-meeting case. Both pages fit 360 px and pass axe-core, before and after feedback.
2. The whole shipped course, imported from courses/, taken activity by activity to the certificate.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from playwright.sync_api import Page, expect

from mso_academy.catalog.packages import CourseSpec, load_package
from mso_academy.plugins.manager import plugins
from tests.browser.axe import assert_accessible, assert_fits
from tests.browser.conftest import seeding
from tests.factories import PASSWORD, make_course, make_user

COURSE = Path(__file__).resolve().parents[2] / "courses" / "vereinsrecht-fuer-vorstaende"
STATUTE = yaml.safe_load((COURSE / "02-satzung" / "satzungs-check.yaml").read_text(encoding="utf-8"))
MEETING = yaml.safe_load((COURSE / "05-mitgliederversammlung" / "fall-jahresversammlung.yaml").read_text("utf-8"))
SLUG = "satzung-im-browser"
SHIPPED: list[CourseSpec] = []  # the shipped course as the demo data imported it (filled by `vr_server`)


@pytest.fixture(scope="module")
def vr_server(plugin_live_app: Flask, plugin_live_server: str) -> str:
    """The shared plugin server (the shipped course is in its demo data), a learner and a course with the two
    activities."""
    with seeding(plugin_live_app) as session:
        make_user(session, email="vorstand@example.org", name="Amira Vorstand", language="de")
        make_user(session, email="kurs@example.org", name="Oleksandr Kurs", language="de")
        spec, problems = load_package(COURSE, plugins())
        assert problems == [] and spec is not None
        SHIPPED.append(spec)
        make_course(
            session,
            slug=SLUG,
            title="Satzung prüfen",
            course_type="vereinsrecht",
            modules=[[("statute_check", STATUTE), ("decision_case", MEETING)]],
        )
    return plugin_live_server


def keep(page: Page, name: str) -> None:
    """With MSO_ACADEMY_SCREENSHOTS=1, a full-page screenshot in test-artifacts/vereinsrecht/ to look at by eye."""
    if os.environ.get("MSO_ACADEMY_SCREENSHOTS"):
        page.screenshot(
            path=Path(__file__).resolve().parents[2] / "test-artifacts" / "vereinsrecht" / f"{name}.png", full_page=True
        )


def log_in(page: Page, server: str, email: str) -> None:
    page.goto(f"{server}/account/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()


def test_a_volunteer_checks_a_statute_and_decides_a_case_on_a_phone(vr_server: str, page: Page) -> None:
    log_in(page, vr_server, "vorstand@example.org")
    page.goto(f"{vr_server}/courses/{SLUG}")
    page.locator("form[action$='/enrol'] button[type=submit]").click()
    page.goto(f"{vr_server}/learn/{SLUG}/")
    expect(page.get_by_role("heading", name="Der Satzungsentwurf des Vereins Kulturbrücke Musterstadt")).to_be_visible()
    assert page.locator("fieldset.question").count() == len(STATUTE["elements"])
    assert_fits(page, "statute check")
    keep(page, "1-statute-check")
    assert_accessible(page, "statute check")

    # Judge everything as the author did, except three elements a hurried reader would call "present".
    hurried = {"beurkundung", "vermoegensbindung", "ein-und-austritt"}
    for element in STATUTE["elements"]:
        status = "present" if element["key"] in hurried else element["status"]
        page.locator(f"#element-{element['key']} input[value={status}]").check()
    page.get_by_role("button", name="Beurteilung prüfen").click()
    result = page.locator("#result")
    expect(result).to_contain_text("Noch nicht bestanden.")
    expect(result).to_contain_text("10 von 13 Elementen richtig beurteilt (77 %).")
    feedback = page.locator("#element-vermoegensbindung .feedback")
    expect(feedback).to_contain_text("Nicht richtig.")
    expect(feedback).to_contain_text("Rechtsgrundlage: § 55 Abs. 1 Nr. 4, § 61 AO; Anlage 1 zu § 60 AO, § 5")
    assert_fits(page, "statute check with feedback")
    keep(page, "2-statute-check-feedback")
    assert_accessible(page, "statute check with feedback")

    for element in STATUTE["elements"]:
        if element["key"] in hurried:
            page.locator(f"#element-{element['key']} input[value={element['status']}]").check()
    page.get_by_role("button", name="Noch einmal versuchen").click()
    expect(page.locator("#result")).to_contain_text("Bestanden!")

    page.goto(f"{vr_server}/learn/{SLUG}/")
    expect(page.get_by_role("heading", name="Aus der Satzung des Vereins")).to_be_visible()
    page.get_by_label("Ihre Antwort (eine Zahl) – Tage").fill("19")  # counted the day of sending too
    page.locator("#question-was-tun input[value=a]").check()
    page.get_by_label("Ihre Antwort (eine Zahl) – Mitglieder").fill("21")
    page.get_by_label("Ihre Antwort (eine Zahl) – Ja-Stimmen").fill("16")  # the law's default, not the statute's
    page.locator("#question-verschiedenes input[value=a]").check()
    assert_accessible(page, "decision case")
    page.get_by_role("button", name="Entscheidung prüfen").click()
    expect(page.locator("#result")).to_contain_text("3 von 5 Entscheidungen richtig (60 %).")
    votes = page.locator("#question-ja-stimmen .feedback")
    expect(votes).to_contain_text("Richtige Antwort: 14 Ja-Stimmen")
    expect(votes).to_contain_text("Ohne Regel in der Satzung:")
    assert_fits(page, "decision case with feedback")
    keep(page, "3-decision-case-feedback")
    assert_accessible(page, "decision case with feedback")

    page.get_by_label("Ihre Antwort (eine Zahl) – Tage").fill("18")
    page.get_by_label("Ihre Antwort (eine Zahl) – Ja-Stimmen").fill("14")
    page.get_by_role("button", name="Noch einmal versuchen").click()
    expect(page.locator("main")).to_contain_text("Sie haben diesen Kurs am")


def _answer(page: Page, kind: str, key: str, content: dict[str, Any]) -> None:
    """Fill in the right answers as a person would, then send the form."""
    if kind == "text_lesson":
        page.get_by_role("button", name="Als erledigt markieren und weiter").click()
        return
    if kind == "statute_check":
        for element in content["elements"]:
            page.locator(f"#element-{element['key']} input[value={element['status']}]").check()
        page.get_by_role("button", name="Beurteilung prüfen").click()
        return
    for q in content["questions"]:
        if q["type"] in ("choice", "single", "multiple"):
            for option in q["options"]:
                if option.get("correct"):
                    page.locator(f"#question-{q['key']} input[value={option['key']}]").check()
        elif q["type"] == "true_false":
            page.locator(f"#question-{q['key']} input[value={'true' if q['correct'] else 'false'}]").check()
        else:
            page.locator(f"#question-{q['key']} input[name=q-{q['key']}]").fill(str(q["answer"]).replace(".", ","))
    page.locator("form.activity-form button[type=submit]").click()


def test_a_volunteer_takes_the_shipped_course_to_a_certificate(vr_server: str, page: Page) -> None:
    [spec] = SHIPPED
    activities = {a.title: a for m in spec.modules for a in m.activities}
    log_in(page, vr_server, "kurs@example.org")
    page.goto(f"{vr_server}/courses/{spec.slug}")
    page.locator("form[action$='/enrol'] button[type=submit]").click()
    page.goto(f"{vr_server}/learn/{spec.slug}/")
    done = []
    while f"/learn/{spec.slug}/" in page.url and len(done) <= len(activities):
        activity = activities[page.locator("main h1").first.inner_text().strip()]
        _answer(page, activity.kind, activity.key, activity.content)
        page.wait_for_load_state("load")
        if page.url.endswith("#result"):
            expect(page.locator("#result")).to_contain_text("Bestanden!")
            page.goto(f"{vr_server}/learn/{spec.slug}/")
        done.append(activity.kind)
    assert len(done) == len(activities) and {"statute_check", "decision_case", "quiz", "text_lesson"} <= set(done)
    page.goto(f"{vr_server}/courses/{spec.slug}")
    expect(page.locator("main")).to_contain_text("Sie haben diesen Kurs am")
    page.goto(f"{vr_server}/dashboard")
    assert page.locator("a[href$='.pdf']").count() >= 1
