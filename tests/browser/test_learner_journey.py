"""A learner's way through MSO Academy on a phone: from registering to a completed course, and coming back later.

Buttons and fields are found by their role, label or form, and the texts a person reads are looked up with `ui`
(the German translation the app would show, or the English original while it is missing), so the journeys do not
break when the German catalogue fills up.
"""

from __future__ import annotations

import email
import re
import uuid
from collections.abc import Callable
from email import policy
from pathlib import Path

import yaml
from playwright.sync_api import Page, expect

from mso_academy.demo import DEMO_PASSWORD
from tests.browser.conftest import COURSES_DIR

Ui = Callable[..., str]
Check = Callable[[str], None]

FIRST_STEPS = "Erste Schritte auf der MSO Academy"
DATA_PROTECTION = "Datenschutz im Verein"
PASSWORD = "Sonnenblumen-wachsen-hoch-7"


def _activity_count(slug: str) -> int:
    course = yaml.safe_load((COURSES_DIR / slug / "course.yaml").read_text(encoding="utf-8"))
    return sum(len(module["activities"]) for module in course["modules"])


def _confirmation_link(outbox: Path, address: str) -> str:
    """The link in the newest mail to `address` in the app's outbox folder."""
    mails = []
    for path in sorted(outbox.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] == address:
            mails.append(message)
    assert mails, f"no mail to {address} in {outbox}"
    body = mails[-1].get_body(("plain",)).get_content()
    match = re.search(r"https?://\S+/account/confirm/\S+", body)
    assert match, f"no confirmation link in the mail:\n{body}"
    return match.group(0)


def _log_in(page: Page, live_server: str, address: str, password: str) -> None:
    page.goto(f"{live_server}/account/login")
    page.locator("#email").fill(address)
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").click()


def _log_out(page: Page) -> None:
    page.locator("header form[action$='/account/logout'] button[type=submit]").click()


def _mark_lesson_done(page: Page) -> None:
    page.locator("form.activity-form button[type=submit]").click()


def _flash(page: Page, text: str) -> None:
    expect(page.locator(".flashes")).to_contain_text(text)


def test_register_learn_and_complete_a_course(
    page: Page, live_server: str, outbox_dir: Path, ui: Ui, check_page: Check
) -> None:
    address = f"lena-{uuid.uuid4().hex[:10]}@example.org"
    total = _activity_count("erste-schritte")

    # Register: the form offers German, as the browser asks for it.
    page.goto(live_server)
    check_page("home")
    page.get_by_role("link", name=ui("Register"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ui("Create an account"))
    check_page("register")
    page.get_by_label(ui("Name"), exact=True).fill("Lena Lernend")
    page.get_by_label(ui("E-mail address")).fill(address)
    page.get_by_label(ui("Password"), exact=True).fill(PASSWORD)
    expect(page.get_by_label(ui("Preferred language"))).to_have_value("de")
    page.get_by_role("button", name=ui("Create account")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ui("Check your e-mail"))
    check_page("check mail")

    # Logging in before confirming is refused with a way out.
    _log_in(page, live_server, address, PASSWORD)
    expect(page.locator(".flash-error")).to_be_visible()
    expect(page.get_by_role("link", name=ui("Send me a new confirmation link"))).to_be_visible()
    check_page("login unconfirmed")

    # Confirm the address with the link from the mail, then log in.
    page.goto(_confirmation_link(outbox_dir, address))
    _flash(page, ui("Thank you, your e-mail address is confirmed. You can log in now."))
    expect(page.get_by_role("heading", level=1)).to_have_text(ui("Log in"))
    check_page("confirmed")
    _log_in(page, live_server, address, PASSWORD)
    _flash(page, ui("Welcome, %(name)s!", name="Lena Lernend"))
    expect(page.get_by_role("heading", level=1)).to_have_text(ui("My learning"))
    expect(page.get_by_role("region", name=ui("In progress"), exact=True)).to_contain_text(
        ui("You have no course in progress.")
    )
    check_page("dashboard empty")

    # Find the course in the catalogue.
    page.get_by_role("navigation", name=ui("Main navigation")).get_by_role(
        "link", name=ui("Courses"), exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ui("Course catalogue"))
    check_page("catalogue")
    search = page.get_by_role("search")
    search.locator("input[name=q]").fill("Erste Schritte")
    search.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"[?&]q=Erste\+Schritte"))
    expect(page.get_by_role("link", name=FIRST_STEPS)).to_be_visible()
    expect(page.get_by_role("link", name=DATA_PROTECTION)).to_have_count(0)
    check_page("search results")
    page.get_by_role("link", name=FIRST_STEPS).click()

    # The course page, then enrol: the first lesson opens.
    expect(page.get_by_role("heading", level=1)).to_have_text(FIRST_STEPS)
    check_page("course page")
    page.get_by_role("button", name=ui("Enrol in this course")).click()
    _flash(page, ui("You are enrolled. Good luck!"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Kurse, Module und Aktivitäten")
    expect(page.locator(".activity .meta")).to_contain_text(ui("Step %(n)d of %(total)d", n=1, total=total))
    expect(page.get_by_role("heading", name="Willkommen bei der MSO Academy")).to_be_visible()
    check_page("lesson 1")

    # Read both lessons; each "done" leads to the next step.
    _mark_lesson_done(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Quizze, Abschluss und Ihr Profil")
    expect(page.locator(".activity .meta")).to_contain_text(ui("Step %(n)d of %(total)d", n=2, total=total))
    check_page("lesson 2")
    _mark_lesson_done(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Kurzes Quiz: Erste Schritte")
    check_page("quiz")

    # The quiz, answered wrongly: not passed, with feedback on each answer.
    quiz = page.locator("form.activity-form")
    quiz.locator("#question-q1").get_by_label("In Ihrem Profil").check()
    quiz.locator("#question-q2").get_by_label("Wer einmal einen Fehler macht", exact=False).check()
    quiz.locator("#question-q3 input[value=false]").check()
    quiz.locator("#question-q4 input").fill("4")
    quiz.locator("#question-q5 input[value=false]").check()
    quiz.get_by_role("button", name=ui("Check answers")).click()

    result = page.get_by_role("status").filter(has_text=ui("Not passed yet."))
    expect(result).to_be_visible()
    expect(result).to_contain_text(ui("Read the feedback below and try again."))
    expect(page.locator(".result-passed")).to_have_count(0)
    expect(page.locator(".feedback.incorrect")).to_have_count(5)
    expect(page.locator("#question-q1 .feedback")).to_contain_text(ui("Not correct."))
    expect(page.locator("#question-q1 .feedback")).to_contain_text("Alle Kurse finden Sie im Kurskatalog.")
    expect(page.locator("#question-q4 .feedback")).to_contain_text("2 Lektionen + 1 Quiz = 3 Aktivitäten.")
    check_page("quiz failed")

    # Again, answered correctly (the form keeps the last answers: change every one).
    quiz.locator("#question-q1").get_by_label("Im Kurskatalog").check()
    q2 = quiz.locator("#question-q2")
    q2.get_by_label("Nach dem Quiz bekommen Sie eine Rückmeldung", exact=False).check()
    q2.get_by_label("Wenn Sie das Quiz in diesem Kurs nicht bestehen", exact=False).check()
    q2.get_by_label("Wer einmal einen Fehler macht", exact=False).uncheck()
    quiz.locator("#question-q3 input[value=true]").check()
    quiz.locator("#question-q4 input").fill("3")
    quiz.locator("#question-q5 input[value=true]").check()
    quiz.get_by_role("button", name=ui("Try again")).click()

    # Passing the last activity completes the course: back on the course page.
    _flash(page, ui("Congratulations! You have completed the course."))
    expect(page.get_by_role("heading", level=1)).to_have_text(FIRST_STEPS)
    progress = page.get_by_role("region", name=ui("Your progress"))
    expect(progress.locator(".result-passed")).to_be_visible()
    expect(progress).to_contain_text(ui("%(done)d of %(total)d done", done=total, total=total))
    expect(progress.get_by_role("link", name=ui("Continue learning"))).to_have_count(0)
    expect(page.locator(".activities .badge")).to_have_count(total)
    check_page("course completed")

    # The dashboard lists the course as completed, not in progress.
    page.get_by_role("navigation", name=ui("Main navigation")).get_by_role("link", name=ui("My learning")).click()
    completed = page.get_by_role("region", name=ui("Completed"), exact=True)
    expect(completed.get_by_role("link", name=FIRST_STEPS)).to_be_visible()
    in_progress = page.get_by_role("region", name=ui("In progress"), exact=True)
    expect(in_progress.get_by_role("link", name=FIRST_STEPS)).to_have_count(0)
    check_page("dashboard completed")

    # The certificate: a PDF download, and its public verification page says valid.
    certificates = page.get_by_role("region", name=ui("My certificates"), exact=True)
    expect(certificates.get_by_role("heading", name=FIRST_STEPS)).to_be_visible()
    with page.expect_download() as download_info:
        certificates.get_by_role("link", name=re.compile("^PDF")).click()
    download = download_info.value
    assert download.suggested_filename.startswith("certificate-") and download.suggested_filename.endswith(".pdf")
    assert Path(download.path()).read_bytes().startswith(b"%PDF-")
    certificates.get_by_role("link", name=ui("Public verification page")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ui("Certificate verification"))
    expect(page.get_by_role("status")).to_contain_text(ui("Valid"))
    check_page("verification page")


def test_continue_leads_back_to_the_first_unfinished_activity(
    page: Page, live_server: str, ui: Ui, check_page: Check
) -> None:
    total = _activity_count("datenschutz-im-verein")
    _log_in(page, live_server, "learner@example.org", DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text(ui("My learning"))

    # Enrol and read the first two lessons; the quiz is next.
    page.goto(f"{live_server}/courses/datenschutz-im-verein")
    expect(page.get_by_role("heading", level=1)).to_have_text(DATA_PROTECTION)
    page.get_by_role("button", name=ui("Enrol in this course")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Was ist die DSGVO")
    check_page("lesson 1")
    _mark_lesson_done(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Die Grundsätze des Datenschutzes")
    _mark_lesson_done(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Quiz: Grundlagen")
    check_page("quiz")
    unfinished = page.url

    # Leave mid-way: go to the catalogue, then log out.
    page.get_by_role("navigation", name=ui("Main navigation")).get_by_role(
        "link", name=ui("Courses"), exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ui("Course catalogue"))
    _log_out(page)
    _flash(page, ui("You are logged out."))
    expect(page.get_by_role("link", name=ui("Log in"), exact=True)).to_be_visible()
    check_page("logged out")

    # Back later: the dashboard shows the progress and "Continue" opens the quiz.
    _log_in(page, live_server, "learner@example.org", DEMO_PASSWORD)
    in_progress = page.get_by_role("region", name=ui("In progress"), exact=True)
    card = in_progress.locator(".card").filter(has=page.get_by_role("link", name=DATA_PROTECTION))
    expect(card).to_contain_text(ui("%(done)d of %(total)d done", done=2, total=total))
    check_page("dashboard in progress")
    # The link's name includes the course (visually hidden), so a screen reader tells the buttons apart.
    continue_name = re.compile(rf"^{re.escape(ui('Continue'))}\s*:\s*{re.escape(DATA_PROTECTION)}$")
    card.get_by_role("link", name=continue_name).click()
    expect(page).to_have_url(unfinished)
    expect(page.get_by_role("heading", level=1)).to_have_text("Quiz: Grundlagen")
    expect(page.get_by_role("button", name=ui("Check answers"))).to_be_visible()
    check_page("continued")
