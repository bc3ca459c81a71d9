"""An organisation's qualification, run from a phone: a manager invites a volunteer, the volunteer accepts, the
manager gives them a function and assigns a course, the volunteer completes it, and the manager's certificate
matrix and status show it.

The organisation, its manager, its function with a required course and the volunteer's account are made in the
setup (the volunteer joins with an existing account); everything from the invitation on happens in the browser.
"""

from __future__ import annotations

import email
import re
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from email import policy
from pathlib import Path

from flask import Flask
from flask_babel import force_locale, format_date
from playwright.sync_api import Page, expect

from mso_academy.accounts import services as accounts
from mso_academy.catalog.models import Course
from mso_academy.db import database, transaction
from mso_academy.organisations.models import FunctionRequirement, MemberRole, Membership, Organisation, OrgFunction

Ui = Callable[..., str]
Check = Callable[[str], None]

FIRST_STEPS = "Erste Schritte auf der MSO Academy"
PASSWORD = "Sonnenblumen-wachsen-hoch-7"
BOARD = "Vorstand"


def _setup(live_app: Flask, tag: str) -> dict[str, str]:
    from sqlalchemy import select

    names = {
        "slug": f"frauenverein-{tag}",
        "organisation": f"Frauenverein Brückenbau {tag} e.V.",
        "manager": f"manager-{tag}@example.org",
        "volunteer": f"volunteer-{tag}@example.org",
        "volunteer_name": f"Hanna Helfer {tag}",
    }
    with live_app.app_context(), database(live_app).session_factory() as session, transaction(session):
        manager = accounts.create_user(
            session, email=names["manager"], name="Mina Manager", password=PASSWORD, language="de", confirmed=True
        )
        accounts.create_user(
            session,
            email=names["volunteer"],
            name=names["volunteer_name"],
            password=PASSWORD,
            language="de",
            confirmed=True,
        )
        course = session.scalars(select(Course).where(Course.slug == "erste-schritte")).one()
        organisation = Organisation(slug=names["slug"], name=names["organisation"], short_name=f"Brückenbau {tag}")
        organisation.memberships = [Membership(user_id=manager.id, role=MemberRole.MANAGER)]
        board = OrgFunction(name=BOARD)
        board.requirements = [FunctionRequirement(course_id=course.id, min_holders=1)]
        organisation.functions = [board]
        session.add(organisation)
    return names


def _newest_link(outbox: Path, address: str, pattern: str) -> str:
    for path in sorted(outbox.glob("*.eml"), reverse=True):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] == address:
            match = re.search(pattern, message.get_body(("plain",)).get_content())
            if match:
                return match.group(0)
    raise AssertionError(f"no mail to {address} with {pattern} in {outbox}")


def _log_in(page: Page, live_server: str, address: str) -> None:
    page.goto(f"{live_server}/account/login")
    page.locator("#email").fill(address)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()


def _log_out(page: Page) -> None:
    page.locator("header form[action$='/account/logout'] button[type=submit]").click()


def _flash(page: Page, text: str) -> None:
    expect(page.locator(".flashes")).to_contain_text(text)


def _german_date(live_app: Flask, day: date) -> str:
    with live_app.test_request_context(), force_locale("de"):
        return format_date(day, "medium")


def _open_dashboard(page: Page, names: dict[str, str], ui: Ui) -> None:
    page.get_by_role("navigation", name=ui("Main navigation")).get_by_role("link", name=ui("Organisations")).click()
    page.get_by_role("link", name=names["organisation"]).first.click()
    page.get_by_role("navigation", name=ui("Manage the organisation")).get_by_role("link", name=ui("Dashboard")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(ui("Dashboard"))


def test_invite_accept_assign_complete_and_the_matrix_shows_valid(
    page: Page, live_server: str, live_app: Flask, outbox_dir: Path, ui: Ui, check_page: Check
) -> None:
    names = _setup(live_app, uuid.uuid4().hex[:6])
    volunteer = names["volunteer_name"]

    # The manager's dashboard before anyone joined: not qualified, nobody to assign a course to.
    _log_in(page, live_server, names["manager"])
    _open_dashboard(page, names, ui)
    status = page.get_by_role("region", name=ui("Organisation status"))
    expect(status).to_contain_text(ui("Not qualified yet"))
    check_page("dashboard empty")

    # Invite the volunteer.
    page.get_by_role("navigation", name=ui("Manage the organisation")).get_by_role(
        "link", name=ui("Invitations")
    ).click()
    page.get_by_label(ui("E-mail address of the person")).fill(names["volunteer"])
    page.get_by_role("button", name=ui("Send invitation")).click()
    _flash(page, ui("The invitation is sent to %(email)s.", email=names["volunteer"]))
    check_page("invited")
    _log_out(page)

    # The volunteer opens the link from the mail, logs in and accepts.
    page.goto(_newest_link(outbox_dir, names["volunteer"], r"https?://\S+/organisations/invitations/\S+"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        ui("Invitation to %(organisation)s", organisation=names["organisation"])
    )
    check_page("invitation")
    page.get_by_role("link", name=ui("Log in to accept")).click()
    page.locator("#email").fill(names["volunteer"])
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.get_by_role("button", name=ui("Accept and join")).click()
    _flash(page, ui("Welcome to %(organisation)s!", organisation=names["organisation"]))
    check_page("joined")
    _log_out(page)

    # The manager gives the new member the board function and assigns the course with a due date.
    _log_in(page, live_server, names["manager"])
    _open_dashboard(page, names, ui)
    page.get_by_role("navigation", name=ui("Manage the organisation")).get_by_role("link", name=ui("Members")).click()
    card = page.locator("li.card").filter(has=page.get_by_role("heading", name=volunteer))
    card.get_by_label(ui("Give %(name)s a function", name=volunteer)).select_option(label=BOARD)
    card.get_by_role("button", name=ui("Assign"), exact=True).click()
    page.get_by_role("navigation", name=ui("Manage the organisation")).get_by_role("link", name=ui("Dashboard")).click()
    matrix = page.get_by_role("region", name=ui("Certificate matrix"))
    member_card = matrix.locator(".member-card").filter(has=page.get_by_role("heading", name=volunteer))
    expect(member_card).to_contain_text(BOARD)
    expect(member_card.locator("dd")).to_contain_text(ui("Missing"))
    check_page("dashboard with member")

    due = date.today() + timedelta(days=21)
    form = page.get_by_role("region", name=ui("Assign a course"))
    form.get_by_label(ui("Course"), exact=True).select_option(label=FIRST_STEPS)
    form.get_by_role("checkbox", name=volunteer).check()
    form.get_by_label(ui("Due date")).fill(due.isoformat())
    form.get_by_role("button", name=ui("Assign the course")).click()
    _flash(page, ui("The course is assigned to %(num)d member.", num=1))
    assigned = page.get_by_role("region", name=ui("Assigned courses"))
    expect(assigned).to_contain_text(volunteer)
    expect(assigned).to_contain_text(ui("due %(date)s", date=_german_date(live_app, due)))
    check_page("assigned")
    _log_out(page)

    # The volunteer sees the course on their dashboard, opens it, enrols and completes it.
    _log_in(page, live_server, names["volunteer"])
    mine = page.get_by_role("region", name=ui("Assigned to you"))
    item = mine.locator(".card").filter(has=page.get_by_role("link", name=FIRST_STEPS))
    expect(item).to_contain_text(ui("Assigned by %(organisation)s", organisation=names["organisation"]))
    expect(item).to_contain_text(ui("Due on %(date)s", date=_german_date(live_app, due)))
    check_page("learner dashboard assigned")
    item.get_by_role("link", name=re.compile(rf"^{re.escape(ui('Go to the course'))}")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(FIRST_STEPS)
    page.get_by_role("button", name=ui("Enrol in this course")).click()
    _flash(page, ui("You are enrolled. Good luck!"))
    page.locator("form.activity-form button[type=submit]").click()  # lesson 1 read
    expect(page.get_by_role("heading", level=1)).to_have_text("Quizze, Abschluss und Ihr Profil")
    page.locator("form.activity-form button[type=submit]").click()  # lesson 2 read
    expect(page.get_by_role("heading", level=1)).to_have_text("Kurzes Quiz: Erste Schritte")
    quiz = page.locator("form.activity-form")
    quiz.locator("#question-q1").get_by_label("Im Kurskatalog").check()
    q2 = quiz.locator("#question-q2")
    q2.get_by_label("Nach dem Quiz bekommen Sie eine Rückmeldung", exact=False).check()
    q2.get_by_label("Wenn Sie das Quiz in diesem Kurs nicht bestehen", exact=False).check()
    quiz.locator("#question-q3 input[value=true]").check()
    quiz.locator("#question-q4 input").fill("3")
    quiz.locator("#question-q5 input[value=true]").check()
    quiz.get_by_role("button", name=ui("Check answers")).click()
    _flash(page, ui("Congratulations! You have completed the course."))
    page.get_by_role("navigation", name=ui("Main navigation")).get_by_role("link", name=ui("My learning")).click()
    expect(page.get_by_role("region", name=ui("Assigned to you"))).to_have_count(0)
    check_page("learner dashboard done")
    _log_out(page)

    # The manager's matrix shows the certificate as valid, and the organisation is qualified.
    _log_in(page, live_server, names["manager"])
    _open_dashboard(page, names, ui)
    matrix = page.get_by_role("region", name=ui("Certificate matrix"))
    member_card = matrix.locator(".member-card").filter(has=page.get_by_role("heading", name=volunteer))
    cell = member_card.locator(".matrix-card-item").filter(has_text=FIRST_STEPS).locator("dd")
    expect(cell).to_contain_text(ui("Valid"))
    expect(cell.locator(".state-valid")).to_be_visible()
    status = page.get_by_role("region", name=ui("Organisation status"))
    expect(status.locator(".area-qualified")).to_contain_text(ui("Qualified"))
    check_page("matrix valid")

    # On a wide screen the same matrix is a table.
    page.set_viewport_size({"width": 1024, "height": 800})
    table = matrix.get_by_role("table")
    expect(table).to_be_visible()
    expect(matrix.locator(".matrix-cards")).to_be_hidden()
    row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=re.compile(re.escape(volunteer))))
    expect(row.get_by_role("cell")).to_contain_text(ui("Valid"))
