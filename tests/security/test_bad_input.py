"""The bad-input catalogue of issue 7, one test per case; runs on SQLite and PostgreSQL.

Stored scripts stay inert on every page, in the PDF and in the CSV/XLSX exports; redirects stay on the site;
forged and replayed credentials are refused; oversized requests get 413; file names cannot climb out of the
upload folder; hostile search and filter values never cause a 500; a trainer cannot grade another trainer's
learner by a crafted id.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from mso_academy.accounts import tokens
from mso_academy.accounts.models import Role, User
from mso_academy.learning.models import Attempt
from mso_academy.organisations import services as organisations
from mso_academy.organisations.models import Membership
from mso_academy.uploads.models import Upload
from tests import factories
from tests.security.world import PDF, ROLES, build_world, client_for, hand_in

SCRIPT = '<script>alert("x")</script>'
HANDLER = '<img src=x onerror="alert(1)">'
SVG = "<svg onload=alert(1)><circle r=1 /></svg>"
LINK = '<a href="javascript:alert(1)">click</a>'
FORMULA = '=HYPERLINK("http://evil.example","x")'
HOSTILE_NAME = f"{SCRIPT}{HANDLER} Lena"
MARKDOWN = f"""# Lesson {SCRIPT}

Text {HANDLER} and {SVG} and {LINK}.

[markdown link](javascript:alert(2)) and [data link](data:text/html;base64,PHNjcmlwdD4=) and
<iframe src="https://evil.example"></iframe><object data="x.swf"></object>
"""


class _Inspector(HTMLParser):
    """Collects every active thing a browser would run from a page."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "iframe", "object", "embed"} and not dict(attrs).get("src", "").startswith("/static/"):
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in {"href", "src", "action", "formaction", "xlink:href"} and value.startswith(
                ("javascript:", "data:text", "vbscript:")
            ):
                self.problems.append(f"<{tag} {name}={value[:20]}>")


def assert_inert(page: str) -> None:
    inspector = _Inspector()
    inspector.feed(page)
    assert not inspector.problems, inspector.problems


def _cells_are_safe(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not str(cell).startswith(("=", "+", "-", "@", "\t", "\r")), cell


@pytest.fixture
def hostile(app, session):
    """A world whose names, titles, content and answers are attacks."""
    trainer = factories.make_user(session, name=f"Trainer {SCRIPT}", roles=(Role.TRAINER,))
    learner = factories.make_user(session, name=HOSTILE_NAME)
    other = factories.make_user(session, name=FORMULA)
    manager = factories.make_user(session, name="Mona Manager")
    course = factories.make_course(
        session,
        title=f"Course {SCRIPT}",
        summary=f"Summary {HANDLER}",
        owner=trainer,
        modules=[
            [
                ("text_lesson", {"body": MARKDOWN, "minutes": 5}),
                ("assignment", {"instructions": f"Write {LINK}", "allow_file": True}),
            ]
        ],
    )
    lessons = factories.make_course(
        session,
        title=f"{FORMULA} Vereinsrecht",
        owner=trainer,
        modules=[[("text_lesson", {"body": MARKDOWN, "minutes": 5})]],
    )
    organisation = organisations.create_organisation(
        session, manager, organisations.Details(name=f"Verein {SCRIPT}{SVG}", municipality="=1+2")
    )
    for member in (learner, other):
        session.add(Membership(organisation_id=organisation.id, user_id=member.id))
    with app.test_request_context():
        certificate = factories.complete_course(session, learner, lessons)
        factories.complete_course(session, other, lessons)
    session.commit()
    learner_client = client_for(app, learner.email)
    learner_client.post(f"/courses/{course.slug}/enrol")
    lesson, assignment = course.modules[0].activities
    learner_client.post(f"/learn/{course.slug}/{lesson.id}", data={"done": "1", "submission_token": "t0"})
    response = hand_in(learner_client, course.slug, assignment.id, f"My answer {SCRIPT}{HANDLER}{LINK}", None)
    assert response.status_code == 303
    return {
        "trainer": trainer,
        "learner": learner,
        "manager": manager,
        "course": course,
        "lesson": lesson,
        "assignment": assignment,
        "organisation": organisation,
        "certificate": certificate,
        "learner_client": learner_client,
    }


def test_scripts_in_content_names_organisations_and_answers_are_inert_on_every_page(app, session, hostile):
    course, org = hostile["course"], hostile["organisation"]
    attempt = session.scalar(select(Attempt).where(Attempt.activity_id == hostile["assignment"].id))
    learner_pages = [
        "/",
        "/courses/",
        f"/courses/{course.slug}",
        f"/learn/{course.slug}/{hostile['lesson'].id}",
        f"/learn/{course.slug}/{hostile['assignment'].id}",
        "/dashboard",
        "/account/profile",
        "/certificates/",
        f"/verify/{hostile['certificate'].code}",
        f"/organisations/{org.slug}/",
    ]
    trainer_pages = [
        f"/trainer/courses/{course.slug}/",
        f"/trainer/courses/{course.slug}/preview",
        f"/trainer/courses/{course.slug}/learners",
        f"/trainer/reviews/{attempt.id}",
        "/trainer/reviews",
    ]
    manager_pages = [f"/organisations/{org.slug}/{page}" for page in ("", "members", "dashboard", "settings")]
    for client, pages in (
        (hostile["learner_client"], learner_pages),
        (client_for(app, hostile["trainer"].email), trainer_pages),
        (client_for(app, hostile["manager"].email), [*manager_pages, "/organisations/"]),
    ):
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            page = response.get_data(as_text=True)
            assert_inert(page)
            assert "alert(" not in page or "&lt;script&gt;" in page or "&#34;" in page, url
    lesson_page = hostile["learner_client"].get(f"/learn/{course.slug}/{hostile['lesson'].id}").get_data(as_text=True)
    assert "markdown link" in lesson_page  # rendered, but as text: markdown-it refuses the javascript: target
    assert "&lt;script&gt;" in lesson_page  # raw HTML in Markdown is shown as text (assert_inert: no live tag)
    review = client_for(app, hostile["trainer"].email).get(f"/trainer/reviews/{attempt.id}").get_data(as_text=True)
    assert "My answer &lt;script&gt;" in review  # the answer is shown as text


def test_a_hostile_name_is_plain_text_in_the_certificate_pdf(app, session, hostile):
    pdf = hostile["learner_client"].get(f"/certificates/{hostile['certificate'].code}.pdf").get_data()
    assert pdf.startswith(b"%PDF")
    for active in (b"/JavaScript", b"/JS ", b"/JS(", b"/Launch", b"/SubmitForm", b"javascript:"):
        assert active not in pdf
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        assert "<script>" in " ".join(text.split())  # printed literally, as the name was given


def test_exports_neutralise_formulas(app, session, hostile):
    org, course = hostile["organisation"], hostile["course"]
    manager = client_for(app, hostile["manager"].email)
    trainer = client_for(app, hostile["trainer"].email)
    admin = client_for(app, factories.make_user(session, roles=(Role.ADMIN,)).email)
    session.commit()
    csv_urls = [
        (manager, f"/organisations/{org.slug}/matrix.csv"),
        (manager, f"/organisations/{org.slug}/progress.csv"),
        (trainer, f"/trainer/courses/{course.slug}/learners.csv"),
        (admin, "/reports/evaluation.csv"),
    ]
    for client, url in csv_urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.get_data(as_text=True).lstrip("\ufeff")
        rows = list(csv.reader(io.StringIO(text), delimiter=";" if text.count(";") > text.count(",") else ","))
        _cells_are_safe(rows)
    assert "HYPERLINK" in manager.get(f"/organisations/{org.slug}/matrix.csv").get_data(as_text=True)
    for client, url in [
        (manager, f"/organisations/{org.slug}/matrix.xlsx"),
        (manager, f"/organisations/{org.slug}/progress.xlsx"),
        (admin, "/reports/evaluation.xlsx"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        book = load_workbook(io.BytesIO(response.get_data()))
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (url, cell.coordinate, cell.value)
            _cells_are_safe([[c for c in row if isinstance(c, str)] for row in sheet.iter_rows(values_only=True)])


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "/\\evil.example",
        "https:evil.example",
        "https://evil.example",
        "\\\\evil.example",
        "/%2F%2Fevil.example",
        " //evil.example",
        "javascript:alert(1)",
    ],
)
def test_next_never_leaves_the_site(app, session, target):
    user = factories.make_user(session)
    session.commit()
    client = client_for(app)
    response = client.post(
        "/account/login", query_string={"next": target}, data={"email": user.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302 and _on_this_site(response.location)
    response = client.post("/language", data={"language": "de", "next": target})
    assert response.status_code == 303 and _on_this_site(response.location)


def _on_this_site(location: str) -> bool:
    """A path on this host: no scheme, no host, nothing a browser reads as another host (//, backslashes)."""
    parts = urlsplit(location)
    return (
        location.startswith("/")
        and not location.startswith("//")
        and "\\" not in location
        and not parts.scheme
        and not parts.netloc
    )


def test_a_tampered_or_foreign_session_cookie_is_an_anonymous_visitor(app, session):
    from flask.sessions import SecureCookieSessionInterface

    user = factories.make_user(session)
    session.commit()
    client = client_for(app, user.email)
    value = client.get_cookie("session").value
    token = session.get(User, user.id).session_token
    forged_app = type("A", (), {"secret_key": "another-key", "config": app.config})
    serializer = SecureCookieSessionInterface().get_signing_serializer(forged_app)
    forged = serializer.dumps({"_user_id": token, "_fresh": True})
    for cookie in (value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB"), "x" + value, forged, "garbage"):
        replay = client_for(app)
        replay.set_cookie("session", cookie, domain="localhost")
        response = replay.get("/dashboard")
        assert response.status_code == 302 and response.location.startswith("/account/login")


def test_a_cookie_replayed_after_logout_is_refused(app, session):
    user = factories.make_user(session)
    session.commit()
    client = client_for(app, user.email)
    copied = client.get_cookie("session").value
    client.post("/account/logout")
    replay = client_for(app)
    replay.set_cookie("session", copied, domain="localhost")
    assert replay.get("/dashboard").status_code == 302


def test_reset_links_work_once_and_expire(app, session, outbox):
    user = factories.make_user(session)
    session.commit()
    client_for(app).post("/account/forgot-password", data={"email": user.email})
    path = "/account/" + outbox.last_link().split("/account/", 1)[1]
    new = {"password": "ein neues langes passwort", "confirm": "ein neues langes passwort"}
    assert client_for(app).post(path, data=new).status_code == 302
    second = client_for(app).post(path, data={"password": "noch ein anderes passwort", "confirm": "x"})
    assert second.status_code == 400 and "not valid or has been used" in second.get_data(as_text=True)

    with app.test_request_context():
        old = _backdated(tokens._serializer(tokens.RESET), app.config["RESET_TOKEN_MAX_AGE"] + 5).dumps(
            {"uid": user.id, "pw": tokens._fingerprint(session.get(User, user.id).password_hash)}
        )
    expired = client_for(app).get(f"/account/reset-password/{old}")
    assert expired.status_code == 400 and "expired" in expired.get_data(as_text=True)


def _backdated(serializer, seconds):
    """The same serializer, signing as if `seconds` ago (an expired link without waiting)."""
    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    class Backdated(TimestampSigner):
        def get_timestamp(self):
            return super().get_timestamp() - seconds

    return URLSafeTimedSerializer(serializer.secret_keys[-1], salt=serializer.salt, signer=Backdated)


def test_a_body_over_the_size_limit_gets_the_413_page(app, session):
    client = client_for(app, factories.make_user(session).email)
    response = client.post("/account/profile", data={"name": "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)})
    assert response.status_code == 413 and "too large" in response.get_data(as_text=True)


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_five_thousand_form_fields_get_413(app, session, encoding):
    client = client_for(app, factories.make_user(session).email)
    fields = {f"f{n}": "1" for n in range(5000)}
    if encoding == "multipart":
        from werkzeug.test import encode_multipart

        boundary, body = encode_multipart(fields)
        response = client.post("/account/profile", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    else:
        response = client.post("/account/profile", data=fields)
    assert response.status_code == 413 and "too large" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "name", ["../../../../etc/passwd.pdf", "..\\..\\..\\windows\\win.ini.pdf", "/etc/cron.d/x.pdf", "..", "\x00.pdf"]
)
def test_path_traversal_in_an_uploaded_file_name_goes_nowhere(app, session, tmp_path, name):
    world = build_world(app, session)
    v = world.values
    client = client_for(app, world.emails["other_learner"])
    client.post(f"/courses/{v['course_slug']}/enrol")
    response = hand_in(client, v["course_slug"], v["activity_id"], "Text", (PDF, name))
    assert response.status_code == 303
    upload = session.scalar(select(Upload).where(Upload.owner_id == world.user_ids["other_learner"]))
    assert "/" not in upload.original_name and "\\" not in upload.original_name
    assert not upload.original_name.startswith(".") and "\x00" not in upload.original_name
    folder = Path(app.config["UPLOADS_DIR"]).resolve()
    assert (folder / upload.stored_name).resolve().parent == folder
    assert sorted(p.name for p in folder.iterdir()) == sorted(u.stored_name for u in session.scalars(select(Upload)))


HOSTILE_VALUES = ["' OR '1'='1' --", "%' UNION SELECT password_hash FROM users --", "_%\\\"';", "x" * 10_000, "\x00"]
FILTER_NAMES = [
    "q",
    "type",
    "language",
    "level",
    "page",
    "start",
    "end",
    "course_type",
    "municipality",
    "function",
    "code",
    "event",
    "actor",
    "user",
    "status",
    "from",
    "to",
    "search",
    "sort",
]


def test_hostile_search_and_filter_values_never_cause_a_server_error(app, session, connection):
    from tests.security.test_authorisation_matrix import requests

    world = build_world(app, session)
    # The admin reaches every page a trainer or manager has (course.edit_any, organisation.any) with the same
    # filters; with the anonymous visitor that is every route once per value.
    clients = {role: client_for(app, world.emails[role]) for role in ("admin",)}
    clients["anonymous"] = client_for(app)
    failures = []
    for key, method, url in requests(app, world):
        if method != "GET":
            continue
        for value in HOSTILE_VALUES:
            query = dict.fromkeys(FILTER_NAMES, value)
            for role, client in clients.items():
                response = client.get(url, query_string=query)
                response.close()
                if response.status_code >= 500:
                    failures.append(f"{key} as {role} with {value[:30]!r}: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_filters_answer_400_with_a_message_or_200(app, session):
    factories.make_user(session, email="still-here@example.org")
    client = client_for(app)
    for query in ({"q": "x" * 10_000}, {"page": "'; DROP TABLE users; --"}, {"level": "' OR 1=1"}):
        response = client.get("/courses/", query_string=query)
        assert response.status_code in (200, 400)
        if response.status_code == 400:
            assert '<p class="error' in response.get_data(as_text=True) or "error" in response.get_data(as_text=True)
    assert session.scalar(select(User.email).where(User.email == "still-here@example.org"))  # nothing was dropped


def test_a_trainer_cannot_grade_another_trainers_learner_by_crafted_id(app, session):
    world = build_world(app, session)
    attempt_id = world.values["attempt_id"]
    before = session.get(Attempt, attempt_id)
    state = (before.passed, before.review_status, before.feedback, before.reviewer_id)
    client = client_for(app, world.emails["other_trainer"])
    for decision in ("pass", "return"):
        response = client.post(f"/trainer/reviews/{attempt_id}", data={"decision": decision, "feedback": "Hijacked"})
        assert response.status_code == 404
    session.expire_all()
    after = session.get(Attempt, attempt_id)
    assert (after.passed, after.review_status, after.feedback, after.reviewer_id) == state
    assert ROLES  # the world's roles, for the reader: see world.py


def test_nul_characters_are_refused_with_400_not_a_database_error(app, session):
    """PostgreSQL cannot store or compare text with NUL; the request is refused before any view runs."""
    user = factories.make_user(session)
    session.commit()
    client = client_for(app, user.email)
    assert client.get("/courses/%00").status_code == 400
    assert client.get("/courses/", query_string={"q": "a\x00b"}).status_code == 400
    response = client.post("/account/profile", data={"name": "Nul\x00Name", "language": "en"})
    assert response.status_code == 400 and "could not be understood" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(User, user.id).name == user.name


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>', "cv.svg"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(2)</script></svg>', "cv.pdf"),
        (b"<html><script>alert(1)</script></html>", "page.html"),
    ],
)
def test_svg_and_html_files_are_refused_whatever_their_name(app, session, content, name):
    """Uploads are typed by content: a script in an SVG or HTML file is never stored (nor served)."""
    world = build_world(app, session)
    v = world.values
    before = session.scalar(select(func.count()).select_from(Upload))
    client = client_for(app, world.emails["other_learner"])
    client.post(f"/courses/{v['course_slug']}/enrol")
    response = hand_in(client, v["course_slug"], v["activity_id"], "Text", (content, name))
    assert 400 <= response.status_code < 500
    assert_inert(response.get_data(as_text=True))
    assert session.scalar(select(func.count()).select_from(Upload)) == before
