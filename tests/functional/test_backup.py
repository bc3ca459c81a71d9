"""`mso-academy backup` and `restore`: a snapshot restored into a fresh database keeps every certificate valid."""

from __future__ import annotations

import stat
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from mso_academy import create_app
from mso_academy.certificates import credential
from mso_academy.certificates.keys import public_jwks
from mso_academy.db import database, transaction, utcnow
from mso_academy.models import Certificate, Course, User
from tests.conftest import FAST_HASHING
from tests.factories import complete_course, make_course, make_user

LESSONS = [[("text_lesson", {"body": "# Lesson\n\nRead me.", "minutes": 5})]] * 2


def _seed(app: Flask) -> list[str]:
    """Three learners with a certificate each (one with an Arabic name); returns the certificate codes."""
    with app.test_request_context(), database(app).session_factory() as session, transaction(session):
        course = make_course(session, slug="backup-course", modules=LESSONS)
        codes = []
        for name in ("Lena Learner", "Mehmet Yılmaz", "ليلى حسن"):
            certificate = complete_course(session, make_user(session, name=name), course)
            codes.append(certificate.code)
    return codes


@pytest.fixture
def fresh_app(fresh_database_url: Any, tmp_path: Path) -> Iterator[Flask]:
    """A second installation on its own empty, migrated database and an empty instance folder (no keys)."""
    app = _app_on_fresh_database(fresh_database_url, tmp_path / "restored")
    yield app
    database(app).engine.dispose()


def _app_on_fresh_database(fresh_database_url: Any, folder: Path) -> Flask:
    from alembic import command

    from mso_academy.cli import alembic_config

    app = create_app(
        {
            "DATABASE_URL": fresh_database_url(),
            "SECRET_KEY": "x",
            "INSTANCE_PATH": str(folder),
            "PLUGINS_AUTOLOAD": False,
            "BABEL_DEFAULT_LOCALE": "en",
            **FAST_HASHING,
        }
    )
    with app.app_context():
        command.upgrade(alembic_config(), "head")
    return app


def _verify_all(app: Flask) -> dict[str, bool]:
    with app.app_context(), database(app).session_factory() as session:
        jwks = public_jwks()
        return {
            certificate.code: credential.verify(certificate.credential_jwt, jwks, utcnow()).valid
            for certificate in session.scalars(select(Certificate))
        }


def test_backup_restored_into_a_fresh_database_verifies_every_certificate(
    live_app: Flask, fresh_app: Flask, tmp_path: Path
) -> None:
    codes = _seed(live_app)
    archive = tmp_path / "backup.tar.gz"
    result = live_app.test_cli_runner().invoke(args=["backup", str(archive)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # it holds the private signing key
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert any(name.startswith("keys/") and name.endswith(".pem") for name in names), names

    restored = fresh_app
    result = restored.test_cli_runner().invoke(args=["restore", str(archive)])
    assert result.exit_code == 0, result.output

    verified = _verify_all(restored)
    assert verified == dict.fromkeys(codes, True)
    with restored.app_context(), database(restored).session_factory() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 3
        assert session.scalar(select(Course.slug)) == "backup-course"
        names = set(session.scalars(select(Certificate.holder_name)))
    assert "ليلى حسن" in names
    # The restored installation serves the public verification page for a restored code.
    page = restored.test_client().get(f"/verify/{codes[0]}")
    assert page.status_code == 200


def test_restore_refuses_a_database_that_holds_data_and_changes_nothing(live_app: Flask, tmp_path: Path) -> None:
    _seed(live_app)
    archive = tmp_path / "backup.tar.gz"
    assert live_app.test_cli_runner().invoke(args=["backup", str(archive)]).exit_code == 0
    result = live_app.test_cli_runner().invoke(args=["restore", str(archive)])
    assert result.exit_code != 0
    assert "not empty" in result.output
    assert all(_verify_all(live_app).values())


@pytest.mark.parametrize("content", [b"", b"not a backup", b"\x1f\x8b garbage"])
def test_restore_names_a_file_that_is_not_a_backup(live_app: Flask, tmp_path: Path, content: bytes) -> None:
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(content)
    result = live_app.test_cli_runner().invoke(args=["restore", str(bogus)])
    assert result.exit_code != 0
    assert str(bogus) in result.output
    assert "Traceback" not in result.output
