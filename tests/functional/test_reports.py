"""The evaluation report: right figures, small cells withheld everywhere (page, CSV, XLSX), not recoverable by
subtraction, filters that isolate few people, who may see it, and no personal data."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, select
from werkzeug.datastructures import MultiDict

from mso_academy.accounts.models import Role
from mso_academy.certificates.models import Certificate
from mso_academy.learning import services as learning
from mso_academy.learning.models import Completion
from mso_academy.organisations.models import (
    FunctionRequirement,
    MemberFunction,
    MemberRole,
    Membership,
    Organisation,
    OrgFunction,
)
from mso_academy.plugins.manager import plugins
from mso_academy.reports import services
from tests.conftest import login
from tests.factories import make_course, make_user

LESSON = ("text_lesson", {"body": "Text", "minutes": 5})
WITHHELD = "< 5"
MEASURES = ["Participants", "Enrolments", "Completions", "Certificates valid"]


def at(day: str) -> datetime:
    """Noon UTC of an ISO day: the same calendar month in Berlin."""
    return datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)


class Data:
    """A seeded dataset; every person, course and organisation it made, to look for in the outputs."""

    def __init__(self, app, session):
        self.app, self.session = app, session
        self.users = []
        self.counter = 0

    def person(self, *organisations, role=MemberRole.MEMBER):
        self.counter += 1
        user = make_user(
            self.session, name=f"Zeynep Personal-Name{self.counter}", email=f"private{self.counter}@example.net"
        )
        self.users.append(user)
        for organisation in organisations:
            self.session.add(Membership(organisation_id=organisation.id, user_id=user.id, role=role))
        self.session.flush()
        return user

    def organisation(self, slug, municipality):
        organisation = Organisation(slug=slug, name=f"Verein {slug}", municipality=municipality)
        self.session.add(organisation)
        self.session.flush()
        return organisation

    def enrol(self, user, course, enrolled):
        enrolment = learning.enrol(self.session, plugins(), user, course)
        enrolment.enrolled_at = at(enrolled)
        self.session.flush()
        return enrolment

    def complete(self, user, course, enrolled, completed):
        """Enrol and pass every activity through the services (which issue the certificate), then date it all."""
        enrolment = self.enrol(user, course, enrolled)
        with self.app.test_request_context():
            progress = learning.course_progress(self.session, course, enrolment)
            for state in progress.states:
                learning.submit(
                    self.session,
                    plugins(),
                    progress,
                    state.activity.id,
                    MultiDict({"done": "1"}),
                    f"t{state.activity.id}",
                )
        self.session.flush()
        completion = self.session.scalars(select(Completion).where(Completion.enrolment_id == enrolment.id)).one()
        certificate = self.session.scalars(select(Certificate).where(Certificate.completion_id == completion.id)).one()
        completion.completed_at = enrolment.completed_at = certificate.issued_at = at(completed)
        self.session.flush()


@pytest.fixture
def data(app, session):
    """16 learners, three courses, every cell of 5 people or more (or 0):

    k1–k6 (Köln) enrol in A1 (association, de) in January, complete it in February (32–37 days);
    k1–k5 and b1–b5 (Bonn) enrol in B1 (bookkeeping, de) in February, the b's complete it in March (29–33 days);
    n1–n5 (no organisation) enrol in A2 (association, ar) in January.
    Köln's board (k1–k3) must hold A1, two of them: Köln is qualified; four organisations in Düsseldorf require
    A1 and have no members: not qualified.
    """
    d = Data(app, session)
    d.a1 = make_course(
        session, title="Vereinsrecht kompakt", course_type="association", language="de", modules=[[LESSON]]
    )
    d.a2 = make_course(session, title="قانون الجمعيات", course_type="association", language="ar", modules=[[LESSON]])
    d.b1 = make_course(session, title="Kassenbuch", course_type="bookkeeping", language="de", modules=[[LESSON]])
    koeln = d.organisation("koeln", "Köln")
    bonn = d.organisation("bonn", "Bonn")
    d.k = [d.person(koeln) for _ in range(6)]
    d.b = [d.person(bonn) for _ in range(5)]
    d.n = [d.person() for _ in range(5)]
    for i, user in enumerate(d.k, start=1):
        d.complete(user, d.a1, "2025-01-10", (datetime(2025, 1, 10) + timedelta(days=31 + i)).date().isoformat())
    for user in d.k[:5]:
        d.enrol(user, d.b1, "2025-02-05")
    for i, user in enumerate(d.b, start=1):
        d.complete(user, d.b1, "2025-02-05", (datetime(2025, 2, 5) + timedelta(days=28 + i)).date().isoformat())
    for user in d.n:
        d.enrol(user, d.a2, "2025-01-20")
    board = OrgFunction(organisation_id=koeln.id, name="Vorstand")
    session.add(board)
    session.flush()
    session.add(FunctionRequirement(function_id=board.id, course_id=d.a1.id, min_holders=2))
    for membership in session.scalars(
        select(Membership).where(
            Membership.user_id.in_([u.id for u in d.k[:3]]), Membership.organisation_id == koeln.id
        )
    ):
        session.add(MemberFunction(membership_id=membership.id, function_id=board.id))
    for n in range(4):
        other = d.organisation(f"duesseldorf-{n}", "Düsseldorf")
        function = OrgFunction(organisation_id=other.id, name="Vorstand")
        session.add(function)
        session.flush()
        session.add(FunctionRequirement(function_id=function.id, course_id=d.a1.id, min_holders=1))
    session.flush()
    d.koeln, d.bonn = koeln, bonn
    return d


@pytest.fixture
def small(data, session):
    """Three more learners (Essen) in a course of a third type and language: 3-people cells."""
    essen = data.organisation("essen", "Essen")
    data.c1 = make_course(session, title="Datenschutz", course_type="general", language="tr", modules=[[LESSON]])
    data.g = [data.person(essen) for _ in range(3)]
    for user in data.g:
        data.enrol(user, data.c1, "2025-03-03")
    return data


@pytest.fixture
def funder(session):
    return make_user(session, name="Frieda Funder", roles=(Role.FUNDER,))


def get_as(client, session, user, url):
    session.commit()
    login(client, user.email)
    return client.get(url)


# --- reading the outputs ------------------------------------------------------------------------------------


def read_csv(body: bytes) -> dict[str, list[list[str]]]:
    """Sections of the CSV by title: header row first."""
    assert body.startswith(b"\xef\xbb\xbf")
    sections: dict[str, list[list[str]]] = {}
    title = None
    for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))):
        if not row:
            title = None
        elif title is None:
            title = row[0]
            sections[title] = []
        else:
            sections[title].append(row)
    return sections


def read_xlsx(body: bytes) -> dict[str, list[list[object]]]:
    workbook = load_workbook(io.BytesIO(body))
    return {sheet.title: [list(r) for r in sheet.iter_rows(values_only=True)] for sheet in workbook.worksheets}


def table(sections, title) -> dict[str, dict[str, str]]:
    """Rows of a section by their first cell, each as {column: value} (values as text)."""
    sheet = {"Organisations qualified per area": "Qualified organisations"}.get(title)  # a spreadsheet's name
    header, *rows = sections[title] if title in sections else sections[sheet]
    return {str(r[0]): {str(h): ("" if v is None else str(v)) for h, v in zip(header, r, strict=True)} for r in rows}


def html_table(html: str, heading: str) -> dict[str, list[str]]:
    """The table of the page's section `heading`: row header → cells (tags stripped)."""
    section = html.split(f">{heading}</h2>", 1)[1].split("</section>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", section, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        rows[cells[0]] = [c.replace("&lt;", "<") for c in cells[1:]]
    return rows


# --- the figures --------------------------------------------------------------------------------------------


EXPECTED_TYPES = {
    "association": ["11", "11", "6", "6"],
    "bookkeeping": ["10", "10", "5", "5"],
    "Total": ["16", "21", "11", "11"],
}
EXPECTED_COURSES = {
    "Vereinsrecht kompakt": ["6", "6", "6", "6"],
    "قانون الجمعيات": ["5", "5", "0", "0"],
    "Kassenbuch": ["10", "10", "5", "5"],
}
EXPECTED_MONTHS = {
    "2025-01": ["11", "11", "0", "0"],
    "2025-02": ["10", "10", "6", "6"],
    "2025-03": ["0", "0", "5", "5"],
}
EXPECTED_MUNICIPALITIES = {
    "Bonn": ["5", "5", "5", "5"],
    "Köln": ["6", "11", "6", "6"],
    "No organisation": ["5", "5", "0", "0"],
}
EXPECTED_LANGUAGES = {"العربية": ["5", "5", "0", "0"], "Deutsch": ["11", "16", "11", "11"]}


def test_the_figures_are_right(client, session, data, funder):
    response = get_as(client, session, funder, "/reports/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)

    types = html_table(html, "Per course type")
    assert types["association"] == [*EXPECTED_TYPES["association"], "34.5"]
    assert types["bookkeeping"] == [*EXPECTED_TYPES["bookkeeping"], "31.0"]
    assert types["Total"] == [*EXPECTED_TYPES["Total"], "33.0"]
    courses = html_table(html, "Per course")
    assert courses["Vereinsrecht kompakt"] == ["association", "Deutsch", *EXPECTED_COURSES["Vereinsrecht kompakt"]]
    assert courses["Kassenbuch"][2:] == EXPECTED_COURSES["Kassenbuch"]
    assert courses["قانون الجمعيات"][2:] == EXPECTED_COURSES["قانون الجمعيات"]
    months = html_table(html, "Per month")
    assert months["January 2025"] == EXPECTED_MONTHS["2025-01"]
    assert months["February 2025"] == EXPECTED_MONTHS["2025-02"]
    assert months["March 2025"] == EXPECTED_MONTHS["2025-03"]
    assert html_table(html, "Per municipality") == {
        "Municipality": MEASURES,
        **EXPECTED_MUNICIPALITIES,
        "Total": EXPECTED_TYPES["Total"],
    }
    languages = html_table(html, "Per course language")
    assert (
        languages["Deutsch"] == EXPECTED_LANGUAGES["Deutsch"] and languages["العربية"] == EXPECTED_LANGUAGES["العربية"]
    )
    # Five organisations require an association-law course; one (Köln) is qualified: fewer than 5, withheld.
    assert html_table(html, "Organisations qualified per area")["association"] == ["5", WITHHELD]
    assert "Median days from enrolment to completion</dt><dd>33.0</dd>" in html
    assert html.count("&lt; 5</span>") == 1  # only for the organisations
    assert 'role="img"' in html and '<title id="chart-course_type-title">Participants per course type</title>' in html


def test_csv_and_xlsx_have_the_same_figures(client, session, data, funder):
    session.commit()
    login(client, funder.email)
    response = client.get("/reports/evaluation.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    sheets = {"csv": read_csv(response.data)}
    response = client.get("/reports/evaluation.xlsx")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    sheets["xlsx"] = read_xlsx(response.data)
    for sections in sheets.values():
        types = table(sections, "Per course type")
        for name, figures in EXPECTED_TYPES.items():
            assert [types[name][m] for m in MEASURES] == figures
        assert float(types["association"]["Median days to completion"]) == 34.5
        months = table(sections, "Per month")
        for name, figures in EXPECTED_MONTHS.items():
            assert [months[name][m] for m in MEASURES] == figures
        municipalities = table(sections, "Per municipality")
        for name, figures in EXPECTED_MUNICIPALITIES.items():
            assert [municipalities[name][m] for m in MEASURES] == figures
        courses = table(sections, "Per course")
        assert [courses["Kassenbuch"][m] for m in MEASURES] == EXPECTED_COURSES["Kassenbuch"]
        assert float(table(sections, "Overview")["Median days from enrolment to completion"]["Value"]) == 33
        assert table(sections, "Organisations qualified per area")["association"] == {
            "Area": "association",
            "Organisations with requirements": "5",
            "Organisations qualified": WITHHELD,
        }
    # Numbers are numbers in the spreadsheet.
    assert sheets["xlsx"]["Per course type"][-1][1:5] == [16, 21, 11, 11]


def test_the_report_is_read_in_a_fixed_number_of_queries(app, session, data):
    statements = []
    engine = session.get_bind().engine

    def count(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        facts = services.load(session, ZoneInfo("Europe/Berlin"))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 8
    with app.test_request_context():
        report = services.build(facts, services.Filters())
    assert report.total(services.PARTICIPANTS).value == 16


def test_organisations_qualified_follow_the_rule_of_the_organisation_dashboard(app, session, data):
    """The report counts all organisations at once; the dashboard (`qualification.status`) decides one at a time.
    They must agree."""
    status = pytest.importorskip("mso_academy.qualification.status")

    def require(organisation, name, course, min_holders, holders):
        function = OrgFunction(organisation_id=organisation.id, name=name)
        session.add(function)
        session.flush()
        session.add(FunctionRequirement(function_id=function.id, course_id=course.id, min_holders=min_holders))
        for user in holders:
            membership = session.scalars(
                select(Membership).where(Membership.user_id == user.id, Membership.organisation_id == organisation.id)
            ).one()
            session.add(MemberFunction(membership_id=membership.id, function_id=function.id))
        session.flush()

    require(data.bonn, "Kasse", data.b1, 1, data.b[:1])  # b1 holds it: qualified
    require(data.koeln, "Kasse", data.b1, 1, data.k[:2])  # k1, k2 only enrolled: not qualified
    wuppertal = data.organisation("wuppertal", "Wuppertal")
    session.add(Membership(organisation_id=wuppertal.id, user_id=data.k[3].id))
    session.flush()
    require(wuppertal, "Beratung", data.a1, 1, [data.k[3]])
    revoked = session.scalars(select(Certificate).where(Certificate.user_id == data.k[3].id)).one()
    revoked.revoked_at = revoked.issued_at + timedelta(days=1)  # k4's certificate was revoked: not qualified
    session.flush()
    organisations = session.scalars(select(Organisation)).all()
    with app.test_request_context():
        facts = services.load(session, ZoneInfo("Europe/Berlin"))
        theirs = {
            (organisation.id, area.course_type): area.qualified
            for organisation in organisations
            for area in status.organisation_status(session, organisation)
        }
    mine = {(a.organisation_id, a.area): a.qualified for a in facts.areas}
    assert mine == theirs
    assert mine[(data.bonn.id, "bookkeeping")] and not mine[(wuppertal.id, "association")]
    assert mine[(data.koeln.id, "association")] and not mine[(data.koeln.id, "bookkeeping")]


# --- small cells --------------------------------------------------------------------------------------------


def test_small_cells_show_less_than_five_in_the_page_and_the_downloads(client, session, small, funder):
    session.commit()
    login(client, funder.email)
    html = client.get("/reports/").get_data(as_text=True)
    assert html_table(html, "Per course")["Datenschutz"][2:] == [WITHHELD, WITHHELD, "0", "0"]
    assert html_table(html, "Per course type")["General"][:2] == [WITHHELD, WITHHELD]
    assert html_table(html, "Per municipality")["Essen"][:2] == [WITHHELD, WITHHELD]
    assert html_table(html, "Per course language")["Türkçe"][:2] == [WITHHELD, WITHHELD]
    assert "withheld, because the figure concerns fewer than 5 people" in html
    # The chart draws the withheld bar hatched and labelled, not at its length.
    chart = html.split('id="chart-course_type-title"', 1)[1].split("</svg>", 1)[0]
    assert 'fill="url(#chart-course_type-hatch)"' in chart and "&lt; 5</text>" in chart
    for sections in (
        read_csv(client.get("/reports/evaluation.csv").data),
        read_xlsx(client.get("/reports/evaluation.xlsx").data),
    ):
        assert [table(sections, "Per course")["Datenschutz"][m] for m in MEASURES] == [WITHHELD, WITHHELD, "0", "0"]
        assert table(sections, "Per course type")["General"]["Participants"] == WITHHELD
        assert table(sections, "Per municipality")["Essen"]["Enrolments"] == WITHHELD
        assert "3" not in [
            table(sections, t)[row]["Participants"]
            for t, row in (("Per course", "Datenschutz"), ("Per course type", "General"), ("Per municipality", "Essen"))
        ]


def recoverable(sections) -> list[tuple[str, str, str, int]]:
    """The attacker: every withheld figure that follows from published ones by subtraction.

    Tables with a total row (rows add up to it); courses add up to their course type's row and to their language's
    row; the totals of all tables are the same overall figures. Returns (table, row, figure, recovered value)."""

    def number(text):
        return None if text == WITHHELD else int(text)

    found = []
    groups = []  # (table name, {row: value text}, total text)
    overall = {}
    for title in ("Per course type", "Per course", "Per month", "Per municipality", "Per course language"):
        rows = table(sections, title)
        total = rows.pop("Total")
        for m in MEASURES:
            overall.setdefault(m, set()).add(total[m])
            groups.append((title, m, {name: r[m] for name, r in rows.items()}, total[m]))
    types, languages = table(sections, "Per course type"), table(sections, "Per course language")
    courses = table(sections, "Per course")
    courses.pop("Total")
    for column, totals in (("Course type", types), ("Course language", languages)):
        for category, total in totals.items():
            if category == "Total":
                continue
            for m in MEASURES:
                parts = {name: r[m] for name, r in courses.items() if r[column] == category}
                groups.append(("nested", m, parts, total[m]))
    for m, totals in overall.items():
        published = {t for t in totals if t != WITHHELD}
        assert len(published) <= 1  # the same overall figure in every table
        if published:  # a table that withholds its total can use another table's
            groups = [
                (t, gm, parts, next(iter(published)) if gm == m and t != "nested" and total == WITHHELD else total)
                for t, gm, parts, total in groups
            ]
    for title, m, parts, total in groups:
        unknown = [name for name, value in parts.items() if value == WITHHELD]
        if total != WITHHELD and len(unknown) == 1:
            rest = sum(number(v) for name, v in parts.items() if name != unknown[0])
            found.append((title, unknown[0], m, int(total) - rest))
        if total == WITHHELD and not unknown and parts:
            found.append((title, "Total", m, sum(number(v) for v in parts.values())))
    return found


def test_a_withheld_cell_cannot_be_recovered_by_subtraction(client, session, small, funder):
    response = get_as(client, session, funder, "/reports/evaluation.csv")
    sections = read_csv(response.data)
    assert table(sections, "Per course type")["General"]["Participants"] == WITHHELD
    assert recoverable(sections) == []


def test_without_complementary_suppression_the_attack_would_work(client, session, small, funder, monkeypatch):
    """The attacker above is not toothless: with only the small cells withheld it finds the 3 people."""
    monkeypatch.setattr(services, "suppress", lambda values, primary, groups, forced=(): frozenset(primary))
    response = get_as(client, session, funder, "/reports/evaluation.csv")
    found = recoverable(read_csv(response.data))
    # (Participants are distinct people: k1–k5 count in two course types, so subtracting them is not exact.)
    assert ("Per course type", "General", "Enrolments", 3) in found
    assert ("Per municipality", "Essen", "Enrolments", 3) in found


def test_a_filter_that_isolates_three_people_withholds_every_figure(client, session, small, funder):
    session.commit()
    login(client, funder.email)
    for query in ("course_type=general", "municipality=Essen", "language=tr", "start=2025-03&course_type=general"):
        html = client.get(f"/reports/?{query}").get_data(as_text=True)
        assert "This selection includes fewer than 5 people." in html, query
        types = html_table(html, "Per course type")
        assert types["Total"] == [WITHHELD] * 4 + ["not shown"], query
        assert 'Median days from enrolment to completion</dt><dd><span class="meta">not shown' in html
        body = client.get(f"/reports/evaluation.csv?{query}").data
        for row in table(read_csv(body), "Per course type").values():
            assert [row[m] for m in MEASURES] == [WITHHELD] * 4
        sheets = read_xlsx(client.get(f"/reports/evaluation.xlsx?{query}").data)
        assert sheets["Per course type"][-1][1:5] == [WITHHELD] * 4


def test_a_filter_does_not_publish_what_the_wider_report_withholds(client, session, small, funder):
    """Bookkeeping is withheld in the unfiltered report to protect 'general' (3 people); filtering by it must not
    publish its figures as the total, or total − association − bookkeeping would give the 3."""
    session.commit()
    login(client, funder.email)
    unfiltered = table(read_csv(client.get("/reports/evaluation.csv").data), "Per course type")
    withheld = [name for name, row in unfiltered.items() if row["Participants"] == WITHHELD and name != "General"]
    assert withheld == ["bookkeeping"], unfiltered
    for name in withheld:
        html = client.get(f"/reports/?course_type={name}").get_data(as_text=True)
        assert "the report without one of these filters withholds them" in html
        assert html_table(html, "Per course type")["Total"][0] == WITHHELD
        filtered = table(read_csv(client.get(f"/reports/evaluation.csv?course_type={name}").data), "Per course type")
        assert filtered["Total"]["Participants"] == WITHHELD


def test_a_period_does_not_reveal_a_withheld_month(client, session, small, funder):
    """March has 3 enrolments (withheld); January–February and January–March must not both be published."""
    session.commit()
    login(client, funder.email)
    totals = {}
    for query in ("", "start=2025-01&end=2025-02", "start=2025-01&end=2025-03", "start=2025-03"):
        overview = table(read_csv(client.get(f"/reports/evaluation.csv?{query}").data), "Overview")
        totals[query] = overview["Enrolments"]["Value"]
    months = table(read_csv(client.get("/reports/evaluation.csv").data), "Per month")
    assert months["2025-03"]["Enrolments"] == WITHHELD
    published = [q for q, value in totals.items() if value != WITHHELD]
    # Any two published period totals differ by a sum of months that is published too.
    for a in published:
        for b in published:
            if a != b:
                difference = abs(int(totals[a]) - int(totals[b]))
                assert difference == 0 or difference >= 5, (a, b, totals)


def test_invalid_filters_are_refused(client, session, data, funder):
    session.commit()
    login(client, funder.email)
    html = client.get("/reports/?start=2025-03&end=2025-01").get_data(as_text=True)
    assert "The last month cannot be before the first month." in html
    assert client.get("/reports/?municipality=Atlantis").status_code == 200
    assert client.get("/reports/evaluation.csv?municipality=Atlantis").status_code == 400
    assert client.get("/reports/evaluation.xlsx?start=2025-13").status_code == 400


# --- who may see it -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/reports/", "/reports/evaluation.csv", "/reports/evaluation.xlsx"])
def test_anonymous_visitors_are_sent_to_log_in(client, session, url):
    response = client.get(url)
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


@pytest.mark.parametrize("who", ["learner", "trainer", "manager"])
@pytest.mark.parametrize("url", ["/reports/", "/reports/evaluation.csv", "/reports/evaluation.xlsx"])
def test_learners_trainers_and_managers_may_not(client, session, data, who, url):
    if who == "manager":
        user = data.person(data.koeln, role=MemberRole.MANAGER)
    else:
        user = make_user(session, roles=(Role.TRAINER,) if who == "trainer" else ())
    response = get_as(client, session, user, url)
    assert response.status_code == 403
    assert "/reports/" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.FUNDER])
def test_admins_and_the_funding_body_see_it_in_the_navigation(client, session, role):
    user = make_user(session, roles=(role,))
    assert get_as(client, session, user, "/reports/").status_code == 200
    assert 'href="/reports/"' in client.get("/").get_data(as_text=True)


def test_no_names_or_email_addresses_anywhere(client, session, small, funder):
    session.commit()
    login(client, funder.email)
    outputs = {
        "page": client.get("/reports/").get_data(as_text=True),
        "csv": client.get("/reports/evaluation.csv").data.decode("utf-8-sig"),
        "xlsx": "\n".join(
            str(v) for rows in read_xlsx(client.get("/reports/evaluation.xlsx").data).values() for r in rows for v in r
        ),
    }
    for name, text in outputs.items():
        assert "Personal-Name" not in text and "@example" not in text, name
        assert "Verein " not in text, name  # organisations are not named either
    for user in small.users:
        assert all(user.name not in text and user.email not in text for text in outputs.values())


def test_text_in_the_downloads_cannot_start_a_formula(client, session, data, funder):
    course = make_course(session, title='=HYPERLINK("http://evil.example","x")', modules=[[LESSON]])
    place = data.organisation("cmd", "+cmd|' /C calc'!A0")
    for _ in range(5):
        data.enrol(data.person(place), course, "2025-01-15")
    session.commit()
    login(client, funder.email)
    sections = read_csv(client.get("/reports/evaluation.csv").data)
    assert '\'=HYPERLINK("http://evil.example","x")' in table(sections, "Per course")
    assert "'+cmd|' /C calc'!A0" in table(sections, "Per municipality")
    workbook = load_workbook(io.BytesIO(client.get("/reports/evaluation.xlsx").data))
    cells = [c for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.value for c in cells if c.data_type == "f" or str(c.value or "").startswith(("=", "+", "-", "@"))]


def test_narrowing_a_selection_of_three_people_stays_withheld_even_when_empty(client, session, small, funder):
    """'General' has 3 people, all in Essen: 'General in Bonn' has none, and saying 0 would tell that."""
    html = get_as(client, session, funder, "/reports/?course_type=general&municipality=Bonn").get_data(as_text=True)
    assert "This selection includes fewer than 5 people." in html
    assert "Overview" in html and "<dd>0</dd>" not in html
