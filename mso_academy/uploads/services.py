"""Uploads: checking, storing and opening the files learners hand in.

Rules:
- The type is decided by the file's content (its first bytes, and for ODT/DOCX the members of the ZIP), never by
  its name or the type the browser claims. Anything not recognised, or not allowed for the activity, is refused.
- At most `max_bytes` + 1 bytes are read; a larger file is refused and nothing is stored.
- Files live under `UPLOADS_DIR` (outside the web root) under a random name the server chooses; the name the
  learner sent is kept, cleaned, only to show and to offer as download name.
- A file written in a transaction that then rolls back is removed again, so a refused submission leaves nothing.
- Only the owner and the trainers of the upload's course (owner, co-trainers, admins) may open a file; everyone
  else is told it does not exist.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
import unicodedata
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any, Protocol

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction

from mso_academy.catalog.models import Course
from mso_academy.db import after_commit
from mso_academy.errors import DomainError, NotFound
from mso_academy.permissions import can_edit_course
from mso_academy.uploads.models import Upload

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
WEBP = "image/webp"
ODT = "application/vnd.oasis.opendocument.text"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

#: Every type the core recognises, in the order messages list them, with its name for people and its extensions.
KNOWN_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    PDF: ("PDF", (".pdf",)),
    ODT: ("ODT", (".odt",)),
    DOCX: ("DOCX", (".docx",)),
    PNG: ("PNG", (".png",)),
    JPEG: ("JPEG", (".jpg", ".jpeg")),
    GIF: ("GIF", (".gif",)),
    WEBP: ("WebP", (".webp",)),
}

MAX_NAME_LENGTH = 120
STORED_NAME = re.compile(r"^[0-9a-f]{32}$")
_CHUNK = 64 * 1024
_WRITTEN_KEY = "mso_academy.uploads.written"


class FileLike(Protocol):
    """What `store` needs of an uploaded file (a werkzeug ``FileStorage``)."""

    filename: str | None
    stream: IO[bytes]


class UploadRefused(DomainError):
    """The file cannot be accepted (type, size, empty); nothing was stored."""


# --- types ----------------------------------------------------------------------------------------------------


def type_names(types: Iterable[str]) -> list[str]:
    """People's names of MIME types, in the order of `KNOWN_TYPES` ("PDF", "DOCX", …)."""
    wanted = set(types)
    return [label for mime, (label, _ext) in KNOWN_TYPES.items() if mime in wanted]


def detect_type(data: bytes) -> str | None:
    """The MIME type of `data` judged by its content, or None if it is none of the known types."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"PK\x03\x04"):
        return _office_type(data)
    return None


def _office_type(data: bytes) -> str | None:
    """ODT or DOCX, recognised by the members of the ZIP container; any other ZIP is unknown."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    if member.read(100).strip() == ODT.encode():
                        return ODT
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DOCX
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, NotImplementedError, EOFError):
        return None
    return None


def clean_filename(name: str | None, content_type: str) -> str:
    """A safe name to show and to offer as download name: no folders, no control characters, bounded length.

    The extension always fits the detected type, so a PDF sent as ``cv.exe`` is offered as ``cv.exe.pdf``.
    """
    text = unicodedata.normalize("NFC", name or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(c for c in text if not unicodedata.category(c).startswith("C"))
    text = " ".join(text.split()).lstrip(". ")
    extensions = KNOWN_TYPES.get(content_type, ("", ("",)))[1]
    stem, dot, suffix = text.rpartition(".")
    if dot and f".{suffix.lower()}" in extensions:
        extension = f".{suffix.lower()}"
    else:
        stem, extension = text, extensions[0]
    stem = stem.rstrip(". ")[: MAX_NAME_LENGTH - len(extension)] or "file"
    return stem + extension


# --- storing --------------------------------------------------------------------------------------------------


def uploads_dir() -> Path:
    return Path(current_app.config["UPLOADS_DIR"])


def _read_at_most(stream: IO[bytes], limit: int) -> bytes:
    """Up to `limit` bytes of `stream` (fewer only at its end)."""
    buffer = bytearray()
    while len(buffer) < limit:
        chunk = stream.read(min(_CHUNK, limit - len(buffer)))
        if not chunk:
            break
        buffer.extend(chunk)
    return bytes(buffer)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


def store(
    session: Session,
    *,
    owner_id: int,
    course_id: int | None,
    file_storage: FileLike,
    allowed_types: Iterable[str],
    max_bytes: int,
) -> Upload:
    """Check the file and store it; `UploadRefused` (nothing stored) if it is too large, empty or not allowed."""
    allowed = frozenset(allowed_types)
    data = _read_at_most(file_storage.stream, max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadRefused(_("The file is too large. Files can be up to %(size)s MB.", size=_megabytes(max_bytes)))
    if not data:
        raise UploadRefused(_("The file is empty. Please choose another file."))
    content_type = detect_type(data)
    if content_type is None or content_type not in allowed:
        raise UploadRefused(
            _(
                "This type of file cannot be handed in here. Allowed are: %(types)s.",
                types=", ".join(type_names(allowed)),
            )
        )
    folder = uploads_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stored_name = secrets.token_hex(16)
    path = folder / stored_name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    session.info.setdefault(_WRITTEN_KEY, []).append(path)
    upload = Upload(
        owner_id=owner_id,
        course_id=course_id,
        stored_name=stored_name,
        original_name=clean_filename(file_storage.filename, content_type),
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    session.add(upload)
    session.flush()
    return upload


def discard(session: Session, upload: Upload) -> None:
    """Remove an upload stored earlier in this transaction (its submission was refused)."""
    path = _path(upload.stored_name)
    written: list[Path] = session.info.get(_WRITTEN_KEY, [])
    if path in written:
        written.remove(path)
    session.delete(upload)
    session.flush()
    path.unlink(missing_ok=True)


def _forget_written(session: Session) -> None:
    session.info.pop(_WRITTEN_KEY, None)


def _remove_written(session: Session, transaction: SessionTransaction) -> None:
    """Files written in a transaction that ended without commit are removed (their rows were rolled back)."""
    if transaction.parent is not None:
        return
    for path in session.info.pop(_WRITTEN_KEY, []):
        path.unlink(missing_ok=True)


event.listen(Session, "after_commit", _forget_written)
event.listen(Session, "after_transaction_end", _remove_written)


# --- opening --------------------------------------------------------------------------------------------------


def _path(stored_name: str) -> Path:
    if not STORED_NAME.match(stored_name):
        raise NotFound(_("This file does not exist."))
    return uploads_dir() / stored_name


def may_open(session: Session, user: Any, upload: Upload) -> bool:
    """The owner, and the trainers of the course the file was handed in for (owner, co-trainers, admins)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if upload.owner_id == user.id:
        return True
    course = session.get(Course, upload.course_id) if upload.course_id is not None else None
    return course is not None and can_edit_course(user, course)


def open_for(session: Session, user: Any, upload_id: int) -> tuple[Upload, Path]:
    """The upload and where its file is, for those who may open it; `NotFound` for everyone else."""
    upload = session.get(Upload, upload_id)
    if upload is None or not may_open(session, user, upload):
        raise NotFound(_("This file does not exist."))
    path = _path(upload.stored_name)
    if not path.is_file():
        raise NotFound(_("This file does not exist."))
    return upload, path


def uploads_by_id(session: Session, ids: Iterable[int]) -> dict[int, Upload]:
    """Uploads by id, in one query (pages that list handed-in files)."""
    wanted = set(ids)
    if not wanted:
        return {}
    return {u.id: u for u in session.scalars(select(Upload).where(Upload.id.in_(wanted)))}


# --- privacy --------------------------------------------------------------------------------------------------


def export_for_owner(session: Session, owner_id: int) -> list[dict[str, Any]]:
    """What the data export lists about a user's files (the files themselves are downloaded one by one)."""
    rows = session.scalars(select(Upload).where(Upload.owner_id == owner_id).order_by(Upload.id))
    return [
        {
            "id": u.id,
            "name": u.original_name,
            "content_type": u.content_type,
            "size": u.size,
            "sha256": u.sha256,
            "course_id": u.course_id,
            "uploaded_at": u.created_at.isoformat(),
        }
        for u in rows
    ]


def delete_for_owner(session: Session, owner_id: int) -> int:
    """Delete a user's uploads; their files are removed once the transaction commits (kept on rollback)."""
    rows = list(session.scalars(select(Upload).where(Upload.owner_id == owner_id)))
    paths = [uploads_dir() / u.stored_name for u in rows if STORED_NAME.match(u.stored_name)]
    for upload in rows:
        session.delete(upload)
    session.flush()

    def remove() -> None:
        for path in paths:
            path.unlink(missing_ok=True)

    after_commit(session, remove)
    return len(rows)


UPLOAD_REF = re.compile(r"^upload:(\d{1,18})$")


def ref_id(value: Any) -> int | None:
    """The id in an ``upload:<id>`` reference, as kinds store it in answers; None for anything else."""
    match = UPLOAD_REF.match(value) if isinstance(value, str) else None
    return int(match.group(1)) if match else None
