"""A trainer's way through the web editor on a phone: build a course with every core activity kind, preview it,
publish it, and find it in the catalogue.

Fields are found by their labels and the texts a person reads are looked up with `ui` (the German text the app
shows, or the English original while the translation is missing).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from flask import Flask
from playwright.sync_api import Page, expect

from mso_academy.demo import DEMO_PASSWORD
from mso_academy.plugins.manager import plugins

Ui = Callable[..., str]
Check = Callable[[str], None]

TRAINER = "trainer@example.org"


def _log_in(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/account/login")
    page.locator("#email").fill(TRAINER)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()


def _flash(page: Page, text: str) -> None:
    expect(page.locator(".flashes")).to_contain_text(text)


def _fill_text_lesson(page: Page, ui: Ui) -> None:
    page.get_by_label(ui("Text of the lesson")).fill(
        "## Die Vereinskasse\n\nJede Einnahme und jede Ausgabe braucht einen **Beleg**.\n\n"
        "| Datum | Betrag |\n|---|---|\n| 1.3. | 12,50 € |\n"
    )
    page.get_by_label(ui("Minutes to read")).fill("7")


def _fill_quiz(page: Page, ui: Ui) -> None:
    page.get_by_label(ui("Pass mark (percent of the points)")).fill("100")
    new = page.locator("fieldset.question").last
    expect(new.locator("legend").first).to_have_text(ui("New question"))
    new.get_by_label(ui("Type")).select_option("single")
    new.get_by_label(ui("Question text")).fill("Wer prüft die Vereinskasse?")
    new.get_by_label(ui("Option %(number)d", number=1), exact=True).fill("Die Kassenprüferinnen und Kassenprüfer")
    new.get_by_label(ui("Option %(number)d is correct", number=1)).check()
    new.get_by_label(ui("Feedback when option %(number)d is chosen (optional)", number=1)).fill("Richtig.")
    new.get_by_label(ui("Option %(number)d", number=2), exact=True).fill("Der Kassenwart selbst")


def _fill_assignment(page: Page, ui: Ui) -> None:
    page.get_by_label(ui("Instructions")).fill("Schreiben Sie auf, wie Ihr Verein Belege sammelt.")


FILL = {"text_lesson": _fill_text_lesson, "quiz": _fill_quiz, "assignment": _fill_assignment}
TITLES = {"text_lesson": "Belege sammeln", "quiz": "Kassen-Quiz", "assignment": "Unser Belegsystem"}


def test_a_trainer_builds_previews_and_publishes_a_course(
    page: Page, live_server: str, live_app: Flask, ui: Ui, check_page: Check
) -> None:
    kinds = [key for key in plugins(live_app).activity_kinds if key in FILL]
    assert {"text_lesson", "quiz", "assignment"} <= set(kinds)
    title = f"Vereinskasse {uuid.uuid4().hex[:6]}"

    _log_in(page, live_server)
    page.get_by_role("navigation", name=ui("Main navigation")).get_by_role("link", name=ui("Course editor")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ui("Course editor"))
    check_page("course list")

    # A new course: it starts as a draft with one module.
    page.get_by_role("link", name=ui("Create a new course")).click()
    check_page("new course")
    page.get_by_label(ui("Title")).fill(title)
    page.get_by_label(ui("Summary")).fill("Geld, Belege und die Kassenprüfung – verständlich erklärt.")
    expect(page.get_by_label(ui("Language of the course"))).to_have_value("de")
    page.get_by_label(ui("Duration in minutes")).fill("40")
    page.get_by_role("button", name=ui("Create course")).click()
    _flash(page, ui("The course is created as a draft. Add modules and activities, then publish it."))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".meta").first).to_contain_text(ui("Not published yet"))
    check_page("editor new")
    editor_url = page.url

    # One activity of every core kind, each filled in with the kind's own editor.
    for kind in kinds:
        new_activity = page.locator("#module-module-1 form fieldset")
        new_activity.get_by_label(ui("Kind")).select_option(kind)
        new_activity.get_by_label(ui("Title of the new activity")).fill(TITLES[kind])
        new_activity.get_by_role("button", name=ui("Add activity")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(ui("Edit activity"))
        check_page(f"{kind} editor")
        FILL[kind](page, ui)
        page.get_by_role("button", name=ui("Save in the draft")).click()
        _flash(page, ui("“%(title)s” is saved in the draft.", title=TITLES[kind]))
        expect(page).to_have_url(re.compile(re.escape(editor_url)))
    outline = page.locator("#module-module-1 .activities")
    for kind in kinds:
        expect(outline).to_contain_text(TITLES[kind])
    expect(page.get_by_role("button", name=ui("Publish"))).to_be_visible()
    check_page("editor complete")

    # Reorder: the quiz goes first, then back.
    page.get_by_role("button", name=ui("Move up: %(title)s", title=TITLES["quiz"])).click()
    expect(outline.locator("li").first).to_contain_text(TITLES["quiz"])
    page.get_by_role("button", name=ui("Move down: %(title)s", title=TITLES["quiz"])).click()
    expect(outline.locator("li").first).to_contain_text(TITLES["text_lesson"])

    # The other editor pages fit the phone too.
    page.get_by_role("link", name=ui("Course details")).click()
    expect(page.get_by_label(ui("Version"))).to_have_value("1.0")
    check_page("course details")
    page.get_by_role("link", name=ui("Cancel")).click()
    page.get_by_role("link", name=re.compile(re.escape(ui("Edit module")))).click()
    check_page("module")
    page.get_by_role("link", name=ui("Cancel")).click()
    page.get_by_role("link", name=ui("Trainers")).click()
    expect(page.locator("main")).to_contain_text("Olena Kovalenko")
    check_page("trainers")
    page.goto(editor_url)

    # Preview each activity as a learner would see it, then the course page.
    page.locator("#activity-belege-sammeln").get_by_role("link", name=re.compile(re.escape(ui("Preview")))).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLES["text_lesson"])
    expect(page.locator(".lesson-body strong")).to_have_text("Beleg")
    check_page("preview lesson")
    page.get_by_role("link", name=re.compile(re.escape(ui("Next")))).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLES["quiz"])
    expect(page.locator("fieldset.question legend")).to_contain_text("Wer prüft die Vereinskasse?")
    check_page("preview quiz")
    # Answers in a preview go nowhere.
    page.get_by_label("Die Kassenprüferinnen und Kassenprüfer").check()
    page.locator("form.quiz button[type=submit]").click()
    _flash(page, ui("This is a preview: answers are not sent or stored."))
    if "assignment" in kinds:
        page.get_by_role("link", name=re.compile(re.escape(ui("Next")))).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(TITLES["assignment"])
        check_page("preview assignment")
    page.get_by_role("link", name=ui("Back to the course editor")).first.click()
    page.get_by_role("link", name=ui("Preview the course page")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".preview-banner")).to_be_visible()
    check_page("preview course")
    page.get_by_role("link", name=ui("Back to the course editor")).click()

    # Publish, and the catalogue shows the course.
    page.get_by_role("button", name=ui("Publish")).click()
    _flash(page, ui("Published: learners now see version %(version)s.", version="1.0"))
    expect(page.locator(".meta").first).to_contain_text(ui("Published"))
    check_page("published")
    page.get_by_role("navigation", name=ui("Main navigation")).get_by_role(
        "link", name=ui("Courses"), exact=True
    ).click()
    search = page.get_by_role("search")
    search.locator("input[name=q]").fill(title)
    search.locator("button[type=submit]").click()
    expect(page.get_by_role("link", name=title)).to_be_visible()
    check_page("catalogue")
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    for kind in kinds:
        expect(page.locator(".outline")).to_contain_text(TITLES[kind])
    check_page("course page")
