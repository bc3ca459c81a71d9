"""The assignment kind: its content, handing in text and files, bad uploads, and who may download a file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import render_template
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from mso_academy.accounts.models import Role
from mso_academy.builtin.assignment import Assignment
from mso_academy.learning.models import ActivityProgress, Attempt
from mso_academy.plugins.api import AnswerError, ContentProblem
from mso_academy.uploads.models import Upload
from tests.conftest import IsolatedClient, login
from tests.factories import make_course, make_user

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"This program cannot be run in DOS mode."
INSTRUCTIONS = "Write the **invitation** to your association's general meeting."

kind = Assignment()


def content(**overrides):
    return {"instructions": INSTRUCTIONS, "allow_file": True, "file_required": False, **overrides}


def count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


# --- content ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [
        {"instructions": "Hand in a text."},
        content(),
        content(file_required=True),
        content(allow_file=False, min_words=50, max_words=400, minutes=30),
        content(min_words=10, max_words=10),
        content(min_words=None, max_words=None),
    ],
)
def test_valid_content(document):
    assert kind.validate(document) == []


@pytest.mark.parametrize(
    ("document", "field", "words"),
    [
        ({}, "instructions", "needs instructions"),
        (content(instructions="   "), "instructions", "needs instructions"),
        (content(instructions=["a list"]), "instructions", "needs instructions"),
        (content(allow_file="yes"), "allow_file", "true or false"),
        (content(file_required=1), "file_required", "true or false"),
        (content(allow_file=False, file_required=True), "file_required", "needs allow_file"),
        ({"instructions": "x", "file_required": True}, "file_required", "needs allow_file"),
        (content(min_words=0), "min_words", "whole number from 1"),
        (content(min_words="fifty"), "min_words", "whole number from 1"),
        (content(max_words=2.5), "max_words", "whole number from 1"),
        (content(max_words=True), "max_words", "whole number from 1"),
        (content(max_words=10**6), "max_words", "whole number from 1"),
        (content(min_words=100, max_words=50), "max_words", "not be smaller than min_words"),
        (content(minutes=0), "minutes", "from 1 to 600"),
        (content(minutes="ten"), "minutes", "from 1 to 600"),
    ],
)
def test_invalid_content_names_the_field(document, field, words):
    problems = kind.validate(document)
    assert [p.field for p in problems] == [field], problems
    assert words in problems[0].message


def test_every_problem_is_reported_at_once():
    problems = kind.validate({"allow_file": "no", "min_words": -1, "max_words": "x"})
    assert {p.field for p in problems} == {"instructions", "allow_file", "min_words", "max_words"}


def test_editor_round_trip(app):
    form = MultiDict(
        {
            "instructions": "  Describe your club.\r\n\r\nUse *one* page. ",
            "allow_file": "1",
            "file_required": "1",
            "min_words": "20",
            "max_words": "",
            "minutes": "25",
        }
    )
    built = kind.content_from_form(form, kind.default_content())
    assert built == {
        "instructions": "Describe your club.\n\nUse *one* page.",
        "allow_file": True,
        "file_required": True,
        "min_words": 20,
        "max_words": None,
        "minutes": 25,
    }
    assert kind.validate(built) == []
    assert kind.validate(kind.default_content()) == []
    # Without files the file cannot be required; typed nonsense is kept so validate can name the field.
    built = kind.content_from_form(MultiDict({"instructions": "x", "file_required": "1", "min_words": "ten"}), {})
    assert built["file_required"] is False
    assert [p.field for p in kind.validate(built)] == ["min_words"]


def test_editor_template_shows_fields_and_problems(app):
    with app.test_request_context():
        html = render_template(
            kind.editor_template,
            content=content(min_words="ten"),
            problems=[ContentProblem("min_words", "min_words must be empty or a whole number from 1 to 5000")],
            kind=kind,
        )
    # Each input's id is its content field, so the editor's list of problems can link to it.
    for name in ("instructions", "allow_file", "file_required", "min_words", "max_words", "minutes"):
        assert f'id="{name}" name="{name}"' in html
    assert 'for="instructions"' in html and "Write the **invitation**" in html
    assert 'value="ten" aria-describedby="min_words-error" aria-invalid="true"' in html
    assert '<ul class="errors" id="min_words-error"><li>min_words must be empty' in html
    assert 'name="allow_file" value="1" checked' in html and 'name="file_required" value="1">' in html


# --- answers ----------------------------------------------------------------------------------------------------


def test_answers_text_and_file():
    answers = kind.parse_answers(content(), MultiDict({"text": " My text\r\nhere ", "file": "upload:7"}))
    assert answers == {"text": "My text\nhere", "words": 3, "file": "upload:7"}
    assert kind.parse_answers(content(), MultiDict({"file": "upload:7"}))["text"] == ""
    grade = kind.grade(content(), answers)
    assert grade.pending_review and not grade.passed and grade.score == 0
    assert grade.summary == "Handed in; a trainer will review it."


@pytest.mark.parametrize(
    ("document", "form", "message"),
    [
        (content(allow_file=False), {}, "Please write your answer."),
        (content(), {"text": "   "}, "Please write your answer or add a file."),
        (content(file_required=True), {"text": "Only text"}, "Please add your file."),
        (content(allow_file=False), {"text": "Hi", "file": "upload:3"}, "takes no file"),
        (content(), {"text": "Hi", "file": "../../etc/passwd"}, "could not be read"),
        (content(min_words=5), {"text": "Too short"}, "at least 5 words (you wrote 2)"),
        (content(max_words=2), {"text": "one two three"}, "at most 2 words (you wrote 3)"),
        (content(), {"text": "x" * 20_001}, "too long"),
    ],
)
def test_answers_that_cannot_be_handed_in(document, form, message):
    with pytest.raises(AnswerError, match=message.replace("(", r"\(").replace(")", r"\)")):
        kind.parse_answers(document, MultiDict(form))


def test_word_minimum_does_not_apply_to_a_file_alone():
    answers = kind.parse_answers(content(min_words=50), MultiDict({"file": "upload:1"}))
    assert answers["file"] == "upload:1"


# --- handing in over HTTP ---------------------------------------------------------------------------------------


@pytest.fixture
def trainer(session):
    return make_user(session, name="Tariq Trainer", roles=(Role.TRAINER,))


@pytest.fixture
def assignment_course(session, trainer):
    return make_course(session, modules=[[("assignment", content())]], owner=trainer)


@pytest.fixture
def handing_in(client, session, learner, assignment_course):
    session.commit()
    login(client, learner.email)
    client.post(f"/courses/{assignment_course.slug}/enrol")
    return client


def activity_of(course):
    return course.modules[0].activities[0]


def hand_in(client, course, text="My invitation text.", file=None, token="t1", **extra):
    """Post the form; `file` is (bytes, filename) or a plain string sent in the file field."""
    data = MultiDict({"submission_token": token, "text": text, **extra})
    if isinstance(file, tuple):
        content, name = file
        data["file"] = FileStorage(io.BytesIO(content), filename=name, content_type="application/octet-stream")
    elif file is not None:
        data["file"] = file
    # Encoded in memory: the test client's own encoding spools large bodies to a file it never closes.
    boundary, body = encode_multipart(data)
    return client.post(
        f"/learn/{course.slug}/{activity_of(course).id}",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def uploads_on_disk(app) -> list[Path]:
    folder = Path(app.config["UPLOADS_DIR"])
    return list(folder.iterdir()) if folder.exists() else []


def other_client(app, email=None):
    app.test_client_class = IsolatedClient
    client = app.test_client()
    if email:
        login(client, email)
    return client


def test_the_learner_sees_instructions_and_a_form_for_text_and_file(handing_in, assignment_course):
    page = handing_in.get(f"/learn/{assignment_course.slug}/{activity_of(assignment_course).id}").get_data(as_text=True)
    assert "<strong>invitation</strong>" in page
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file"' in page and 'name="file"' in page and ".pdf" in page
    assert "Allowed: PDF, ODT, DOCX, PNG, JPEG, GIF, WebP, up to 5 MB." in page
    assert "Your answer" in page and "<textarea" in page and "Hand in" in page


def test_hand_in_text_and_pdf_waits_for_review(app, handing_in, session, assignment_course, learner):
    response = hand_in(handing_in, assignment_course, file=(PDF, "Einladung.pdf"))
    assert response.status_code == 303
    attempt = session.scalars(select(Attempt)).one()
    assert (attempt.review_status, attempt.passed, attempt.score) == ("pending", False, 0.0)
    upload = session.scalars(select(Upload)).one()
    assert attempt.answers == {"text": "My invitation text.", "words": 3, "file": f"upload:{upload.id}"}
    assert (upload.owner_id, upload.course_id, upload.original_name) == (
        learner.id,
        assignment_course.id,
        "Einladung.pdf",
    )
    assert [p.name for p in uploads_on_disk(app)] == [upload.stored_name]
    progress = session.scalars(select(ActivityProgress)).one()
    assert progress.passed_at is None and progress.attempts_count == 1

    page = handing_in.get(response.location).get_data(as_text=True)
    assert "Waiting for review." in page and "A trainer will review it" in page
    assert f'href="/uploads/{upload.id}"' in page
    assert "<textarea" not in page  # no second hand-in while waiting
    assert "0 of 1 done" in page


def test_hand_in_again_while_waiting_is_refused(handing_in, session, assignment_course):
    hand_in(handing_in, assignment_course, token="first")
    response = hand_in(handing_in, assignment_course, text="A better text", token="second")
    assert response.status_code == 409
    assert "Your work is waiting for review." in response.get_data(as_text=True)
    assert count(session, Attempt) == 1
    # The same form sent twice is still one attempt, and not an error.
    assert hand_in(handing_in, assignment_course, token="first").status_code == 303
    assert count(session, Attempt) == 1


def test_text_only_when_no_file_is_needed(handing_in, session, assignment_course):
    assert hand_in(handing_in, assignment_course, text="Only text.").status_code == 303
    attempt = session.scalars(select(Attempt)).one()
    assert attempt.answers["file"] is None and count(session, Upload) == 0


def test_an_empty_file_field_counts_as_no_file(handing_in, session, assignment_course):
    response = hand_in(handing_in, assignment_course, file=(b"", ""))
    assert response.status_code == 303
    assert session.scalars(select(Attempt)).one().answers["file"] is None


def test_a_forged_upload_reference_is_ignored(app, handing_in, session, assignment_course, trainer):
    # Someone else's file: a learner cannot point their answer at it by typing its reference.
    from mso_academy.uploads import services as uploads
    from tests.unit.test_uploads import file

    foreign = uploads.store(
        session,
        owner_id=trainer.id,
        course_id=assignment_course.id,
        file_storage=file(PDF),
        allowed_types=Assignment.upload_types,
        max_bytes=1024,
    )
    session.commit()
    response = hand_in(handing_in, assignment_course, file=f"upload:{foreign.id}")
    assert response.status_code == 303
    assert session.scalars(select(Attempt)).one().answers["file"] is None


BAD_UPLOADS = [
    pytest.param(EXE, "setup.exe", "cannot be handed in here", id="executable"),
    pytest.param(EXE, "cv.pdf", "cannot be handed in here", id="renamed-executable"),
    pytest.param(b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56, "cv.pdf", "cannot be handed in here", id="renamed-elf"),
    pytest.param(b"Dear trainer, my text.\n", "notes.txt", "cannot be handed in here", id="text-file"),
    pytest.param(b"<html><script>alert(1)</script>", "page.pdf", "cannot be handed in here", id="html-as-pdf"),
    pytest.param(PDF + b"x" * (5 * 1024 * 1024), "huge.pdf", "too large", id="over-the-limit"),
]


@pytest.mark.parametrize(("data", "name", "message"), BAD_UPLOADS)
def test_bad_uploads_are_refused_and_nothing_is_stored(
    app, handing_in, session, assignment_course, data, name, message
):
    response = hand_in(handing_in, assignment_course, file=(data, name))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and 'role="alert"' in page
    if "cannot be handed in" in message:
        assert "Allowed are: PDF, ODT, DOCX, PNG, JPEG, GIF, WebP." in page
    else:
        assert "Files can be up to 5 MB." in page
    assert count(session, Upload) == 0 and count(session, Attempt) == 0
    assert uploads_on_disk(app) == []
    assert "<textarea" in page  # the learner can try again


def test_a_good_file_with_a_refused_answer_is_removed_again(app, session, trainer, learner, client):
    course = make_course(
        session, modules=[[("assignment", content(min_words=10))]], owner=trainer, slug="wordy-assignment"
    )
    session.commit()
    login(client, learner.email)
    client.post(f"/courses/{course.slug}/enrol")
    response = hand_in(client, course, text="Too short.", file=(PDF, "ok.pdf"))
    assert response.status_code == 400 and "at least 10 words" in response.get_data(as_text=True)
    assert count(session, Upload) == 0 and count(session, Attempt) == 0
    assert uploads_on_disk(app) == []


def test_a_file_where_none_is_allowed_is_refused(app, session, trainer, learner, client):
    course = make_course(session, modules=[[("assignment", content(allow_file=False))]], owner=trainer)
    session.commit()
    login(client, learner.email)
    client.post(f"/courses/{course.slug}/enrol")
    page = client.get(f"/learn/{course.slug}/{activity_of(course).id}").get_data(as_text=True)
    assert 'type="file"' not in page
    response = hand_in(client, course, file=(PDF, "cv.pdf"))
    assert response.status_code == 400 and "takes no file" in response.get_data(as_text=True)
    assert count(session, Upload) == 0 and uploads_on_disk(app) == []


def test_a_request_over_the_size_limit_gets_a_clear_page(app, handing_in, session, assignment_course):
    too_big = b"%PDF-" + b"x" * app.config["MAX_CONTENT_LENGTH"]
    response = hand_in(handing_in, assignment_course, file=(too_big, "huge.pdf"))
    assert response.status_code == 413
    assert "What you sent is too large." in response.get_data(as_text=True)
    assert count(session, Upload) == 0 and count(session, Attempt) == 0 and uploads_on_disk(app) == []


def test_path_traversal_in_the_filename_stays_in_the_uploads_folder(app, handing_in, session, assignment_course):
    response = hand_in(handing_in, assignment_course, file=(PDF, "../../etc/passwd.pdf"))
    assert response.status_code == 303
    upload = session.scalars(select(Upload)).one()
    assert upload.original_name == "passwd.pdf"
    folder = Path(app.config["UPLOADS_DIR"]).resolve()
    [path] = uploads_on_disk(app)
    assert path.resolve().parent == folder and path.name == upload.stored_name
    assert not (folder.parent.parent / "etc").exists() and not (folder.parent / "etc").exists()
    download = handing_in.get(f"/uploads/{upload.id}", buffered=True)
    assert download.headers["Content-Disposition"] == "attachment; filename=passwd.pdf"


def test_the_file_is_served_only_to_the_learner_and_the_courses_trainers(
    app, handing_in, session, assignment_course, trainer
):
    co_trainer = make_user(session, roles=(Role.TRAINER,))
    from mso_academy.catalog.models import CourseTrainer

    session.add(CourseTrainer(course_id=assignment_course.id, user_id=co_trainer.id))
    other_trainer = make_user(session, roles=(Role.TRAINER,))
    admin = make_user(session, roles=(Role.ADMIN,))
    stranger = make_user(session)
    session.commit()
    hand_in(handing_in, assignment_course, file=(PDF, "Einladung.pdf"))
    upload = session.scalars(select(Upload)).one()
    url = f"/uploads/{upload.id}"

    for client in (handing_in, *(other_client(app, u.email) for u in (trainer, co_trainer, admin))):
        response = client.get(url, buffered=True)
        assert response.status_code == 200
        assert response.data == PDF
        assert response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"] == "attachment; filename=Einladung.pdf"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response.headers["Cache-Control"]
    for user in (other_trainer, stranger):
        response = other_client(app, user.email).get(url)
        assert response.status_code == 404
        assert "Einladung" not in response.get_data(as_text=True)
    assert other_client(app, stranger.email).get(f"/uploads/{upload.id + 1}").status_code == 404
    anonymous = other_client(app).get(url)
    assert anonymous.status_code == 302 and "/account/login" in anonymous.location
