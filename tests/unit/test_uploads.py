"""Uploads: type by content, size limit, storage outside the web root, clean names, who may open a file."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from mso_academy.accounts.models import Role
from mso_academy.builtin.assignment import Assignment
from mso_academy.errors import DomainError, NotFound
from mso_academy.plugins.manager import plugins
from mso_academy.uploads import services as uploads
from mso_academy.uploads.models import Upload
from tests.factories import make_course, make_user

ALLOWED = Assignment.upload_types
PDF_BYTES = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 32
GIF_BYTES = b"GIF89a" + b"\x00" * 32
WEBP_BYTES = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"This program cannot be run in DOS mode."
ELF_BYTES = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


ODT_BYTES = zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"})
DOCX_BYTES = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def file(data: bytes, name: str = "work.pdf", content_type: str = "application/pdf") -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name, content_type=content_type)


def stored_files(app) -> list[Path]:
    folder = Path(app.config["UPLOADS_DIR"])
    return sorted(folder.iterdir()) if folder.exists() else []


def count_uploads(session) -> int:
    return session.scalar(select(func.count()).select_from(Upload))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PDF_BYTES, "application/pdf"),
        (PNG_BYTES, "image/png"),
        (JPEG_BYTES, "image/jpeg"),
        (GIF_BYTES, "image/gif"),
        (WEBP_BYTES, "image/webp"),
        (ODT_BYTES, "application/vnd.oasis.opendocument.text"),
        (DOCX_BYTES, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (EXE_BYTES, None),
        (ELF_BYTES, None),
        (b"Just some text, not a document.\n", None),
        (b"<html><script>alert(1)</script></html>", None),
        (zip_bytes({"evil.exe": EXE_BYTES}), None),  # a ZIP that is no office document
        (zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}), None),
        (b"PK\x03\x04broken", None),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
        (b"", None),
    ],
)
def test_the_type_is_judged_by_content(data, expected):
    assert uploads.detect_type(data) == expected


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("Lebenslauf.pdf", "application/pdf", "Lebenslauf.pdf"),
        ("../../etc/passwd.pdf", "application/pdf", "passwd.pdf"),
        ("C:\\Users\\Ali\\Einladung.PDF", "application/pdf", "Einladung.pdf"),
        ("cv.exe", "application/pdf", "cv.exe.pdf"),
        ("photo.jpeg", "image/jpeg", "photo.jpeg"),
        ("photo", "image/png", "photo.png"),
        ("cv\u202efdp.exe", "application/pdf", "cvfdp.exe.pdf"),  # right-to-left override removed
        ("bad\x00name\n.pdf", "application/pdf", "badname.pdf"),
        ("...", "application/pdf", "file.pdf"),
        ("", "image/gif", "file.gif"),
        (None, "image/gif", "file.gif"),
        (".htaccess", "application/pdf", "htaccess.pdf"),
        ("ملف عربي.pdf", "application/pdf", "ملف عربي.pdf"),
    ],
)
def test_filenames_are_cleaned(name, content_type, expected):
    assert uploads.clean_filename(name, content_type) == expected


def test_long_filenames_keep_their_extension():
    cleaned = uploads.clean_filename("x" * 500 + ".pdf", "application/pdf")
    assert len(cleaned) == uploads.MAX_NAME_LENGTH and cleaned.endswith(".pdf")


def test_store_keeps_the_file_under_a_random_name_outside_the_web_root(app, session):
    owner = make_user(session)
    course = make_course(session)
    upload = uploads.store(
        session,
        owner_id=owner.id,
        course_id=course.id,
        file_storage=file(PDF_BYTES, name="../../etc/passwd.pdf"),
        allowed_types=ALLOWED,
        max_bytes=1024,
    )
    folder = Path(app.config["UPLOADS_DIR"]).resolve()
    assert folder == (Path(app.instance_path) / "uploads").resolve()
    assert not folder.is_relative_to(Path(app.root_path).resolve())  # not under the package (static files)
    [path] = stored_files(app)
    assert path.parent.resolve() == folder and path.name == upload.stored_name
    assert len(upload.stored_name) == 32 and "passwd" not in upload.stored_name
    assert path.read_bytes() == PDF_BYTES
    assert (upload.original_name, upload.content_type, upload.size) == ("passwd.pdf", "application/pdf", len(PDF_BYTES))
    import hashlib

    assert upload.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert not (folder.parent.parent / "etc").exists()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (EXE_BYTES, "setup.exe", "cannot be handed in here"),
        (EXE_BYTES, "cv.pdf", "cannot be handed in here"),  # a renamed executable
        (ELF_BYTES, "cv.pdf", "cannot be handed in here"),
        (b"Dear trainer,\nhere is my text.\n", "notes.txt", "cannot be handed in here"),
        (b"", "empty.pdf", "The file is empty"),
        (PDF_BYTES + b"x" * 2000, "big.pdf", "The file is too large"),
    ],
)
def test_refused_files_leave_nothing_behind(app, session, data, name, message):
    owner = make_user(session)
    with pytest.raises(DomainError) as refused:
        uploads.store(
            session,
            owner_id=owner.id,
            course_id=None,
            file_storage=file(data, name=name),
            allowed_types=ALLOWED,
            max_bytes=1024,
        )
    assert message in refused.value.message
    if "cannot be handed in" in message:
        assert "PDF, ODT, DOCX, PNG, JPEG, GIF, WebP" in refused.value.message
    assert count_uploads(session) == 0 and stored_files(app) == []


def test_exactly_the_limit_is_accepted_and_one_byte_more_is_not(app, session):
    owner = make_user(session)
    data = PDF_BYTES + b"x" * (1024 - len(PDF_BYTES))
    upload = uploads.store(
        session, owner_id=owner.id, course_id=None, file_storage=file(data), allowed_types=ALLOWED, max_bytes=1024
    )
    assert upload.size == 1024
    with pytest.raises(DomainError, match="too large"):
        uploads.store(
            session,
            owner_id=owner.id,
            course_id=None,
            file_storage=file(data + b"x"),
            allowed_types=ALLOWED,
            max_bytes=1024,
        )
    assert count_uploads(session) == 1


def test_a_type_the_activity_does_not_allow_is_refused(app, session):
    owner = make_user(session)
    with pytest.raises(DomainError, match=r"Allowed are: PDF\."):
        uploads.store(
            session,
            owner_id=owner.id,
            course_id=None,
            file_storage=file(PNG_BYTES, "scan.png"),
            allowed_types={"application/pdf"},
            max_bytes=1024,
        )


def test_a_rolled_back_transaction_removes_its_files(app, session):
    owner = make_user(session)
    session.commit()
    uploads.store(
        session, owner_id=owner.id, course_id=None, file_storage=file(PDF_BYTES), allowed_types=ALLOWED, max_bytes=1024
    )
    assert len(stored_files(app)) == 1
    session.rollback()
    assert stored_files(app) == []


def test_a_committed_transaction_keeps_its_files(app, session):
    owner = make_user(session)
    upload = uploads.store(
        session, owner_id=owner.id, course_id=None, file_storage=file(PDF_BYTES), allowed_types=ALLOWED, max_bytes=1024
    )
    session.commit()
    session.close()
    assert [p.name for p in stored_files(app)] == [upload.stored_name]


def test_only_the_owner_and_the_courses_trainers_may_open_a_file(app, session):
    trainer = make_user(session, roles=(Role.TRAINER,))
    other_trainer = make_user(session, roles=(Role.TRAINER,))
    admin = make_user(session, roles=(Role.ADMIN,))
    owner, stranger = make_user(session), make_user(session)
    course = make_course(session, owner=trainer)
    upload = uploads.store(
        session,
        owner_id=owner.id,
        course_id=course.id,
        file_storage=file(PDF_BYTES),
        allowed_types=ALLOWED,
        max_bytes=1024,
    )
    for user in (owner, trainer, admin):
        found, path = uploads.open_for(session, user, upload.id)
        assert found is upload and path.read_bytes() == PDF_BYTES
    for user in (stranger, other_trainer):
        with pytest.raises(NotFound):
            uploads.open_for(session, user, upload.id)
    with pytest.raises(NotFound):
        uploads.open_for(session, owner, upload.id + 1000)


def test_a_forged_stored_name_never_leaves_the_uploads_folder(app, session):
    owner = make_user(session)
    upload = uploads.store(
        session, owner_id=owner.id, course_id=None, file_storage=file(PDF_BYTES), allowed_types=ALLOWED, max_bytes=1024
    )
    upload.stored_name = "../../secret_key"
    with pytest.raises(NotFound):
        uploads.open_for(session, owner, upload.id)


def test_every_upload_limit_fits_into_a_request(app):
    limits = [k.max_upload_bytes for k in plugins().activity_kinds.values() if k.upload_field]
    assert limits, "the assignment kind takes files"
    assert all(limit + 512 * 1024 <= app.config["MAX_CONTENT_LENGTH"] for limit in limits)


def test_a_users_files_are_exported_and_deleted_with_them(app, session):
    owner, other = make_user(session), make_user(session)
    mine = uploads.store(
        session,
        owner_id=owner.id,
        course_id=None,
        file_storage=file(PDF_BYTES, "Einladung.pdf"),
        allowed_types=ALLOWED,
        max_bytes=1024,
    )
    theirs = uploads.store(
        session, owner_id=other.id, course_id=None, file_storage=file(PNG_BYTES), allowed_types=ALLOWED, max_bytes=1024
    )
    session.commit()
    [record] = uploads.export_for_owner(session, owner.id)
    assert (record["id"], record["name"], record["size"]) == (mine.id, "Einladung.pdf", len(PDF_BYTES))

    assert uploads.delete_for_owner(session, owner.id) == 1
    assert len(stored_files(app)) == 2  # removed only once the deletion is committed
    session.rollback()
    assert len(stored_files(app)) == 2 and count_uploads(session) == 2
    uploads.delete_for_owner(session, owner.id)
    session.commit()
    assert [p.name for p in stored_files(app)] == [theirs.stored_name]
    assert uploads.export_for_owner(session, owner.id) == []
