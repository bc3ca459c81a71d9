"""Certificates in the course's language, with a German line for funders when that language is not German.

The PDF is read back with pdftotext (poppler-utils): the certificate's own words are in the course's language,
whatever the learner's interface language, and the German sentence names holder, course, teaching units and the
date. Arabic is shaped and runs right to left: its words come back in reading order and its lines end at the
right margin. The verification page shows the record in the course's language and the verdict in the reader's.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from mso_academy.certificates import pdf
from mso_academy.certificates import services as certificates
from mso_academy.certificates.funders import funder_line
from tests.conftest import login
from tests.factories import complete_course, make_course, make_user

LESSON = ("text_lesson", {"body": "# Lektion\n\nText.", "minutes": 5})
ISSUED = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
VALID_UNTIL = datetime(2028, 11, 22, 10, 0, tzinfo=UTC)
A4_WIDTH = 595.28  # points
MARGIN = 20 / 25.4 * 72  # 20 mm


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"ISSUER_NAME": "MSO Academy", "ISSUER_ADDRESS": "Musterweg 1\n40210 Düsseldorf"}


@pytest.fixture(autouse=True)
def poppler() -> None:
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext is needed (Debian package poppler-utils; `make system-packages`)")


def issue(app: Flask, session: Session, language: str, title: str, learner_name: str = "Ayşe Yılmaz") -> Any:
    learner = make_user(session, name=learner_name, language="en")
    course = make_course(
        session,
        title=title,
        language=language,
        modules=[[LESSON]],
        learning_outcomes=["Satzung prüfen"],
    )
    course.duration_minutes = 90  # two teaching units of 45 minutes
    with app.test_request_context():
        certificate = complete_course(session, learner, course)
    certificate.issued_at, certificate.valid_until = ISSUED, VALID_UNTIL
    session.commit()
    return certificate


def rendered(app: Flask, certificate: Any, tmp_path: Path, *options: str) -> str:
    # The reader's interface is English: the certificate must still follow the course's language.
    with app.test_request_context(headers={"Accept-Language": "en"}):
        body = pdf.render(certificate, certificates.verify_url(certificate.code))
    path = tmp_path / f"{certificate.code}.pdf"
    path.write_bytes(body)
    return subprocess.run(["pdftotext", *options, str(path), "-"], capture_output=True, text=True, check=True).stdout


def flat(text: str) -> str:
    """The text with line breaks and Unicode isolates taken out, so a sentence can be found across lines."""
    return " ".join(re.sub(r"[\u2066-\u2069\u202a-\u202e]", "", text).split())


def test_a_turkish_course_gives_a_turkish_certificate_with_the_german_line(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    certificate = issue(app, session, "tr", "Dernek Hukuku Temelleri")
    text = flat(rendered(app, certificate, tmp_path))
    # The certificate's own words are Turkish (the learner reads English).
    for turkish in ("Sertifika", "Öğrenme çıktıları", "22 Kasım 2026 tarihinde düzenlendi", "1,5 saat"):
        assert turkish in text, turkish
    assert "Certificate" not in text and "Learning outcomes" not in text
    # The German line for funders: holder, course and version, language, teaching units, dates, issuer.
    assert (
        "Teilnahmebescheinigung: Ayşe Yılmaz hat den Kurs „Dernek Hukuku Temelleri“ (Version 1.0, "
        "Kurssprache Türkisch, 2 Unterrichtseinheiten à 45 Minuten) erfolgreich abgeschlossen – "
        "ausgestellt am 22. November 2026 von MSO Academy, gültig bis 22. November 2028."
    ) in text


def test_a_german_course_needs_no_second_german_line(app: Flask, session: Session, tmp_path: Path) -> None:
    certificate = issue(app, session, "de", "Vereinsrecht kompakt")
    text = flat(rendered(app, certificate, tmp_path))
    assert "Zertifikat" in text and "Ausgestellt am 22. November 2026" in text
    assert "Teilnahmebescheinigung" not in text
    with app.test_request_context():
        assert funder_line(certificate) is None


def test_an_arabic_certificate_is_shaped_and_runs_right_to_left(app: Flask, session: Session, tmp_path: Path) -> None:
    certificate = issue(app, session, "ar", "قانون الجمعيات للمبتدئين", learner_name="محمد عبد الله")
    text = flat(rendered(app, certificate, tmp_path))
    # Read back in reading order: the bidi algorithm ran and HarfBuzz-shaped glyphs map back to their letters.
    for arabic in ("الشهادة", "محمد عبد الله", "قانون الجمعيات للمبتدئين", "مخرجات التعلّم", "نوفمبر"):
        assert arabic in text, arabic
    # The German line stays German and left to right inside the Arabic certificate.
    assert "Teilnahmebescheinigung:" in text and "Kurssprache Arabisch" in text
    assert "erfolgreich abgeschlossen – ausgestellt am 22. November 2026 von MSO Academy" in text

    # Right to left: on the issue date's line the first word read ("تاريخ") is the rightmost, at the right margin.
    boxes = rendered(app, certificate, tmp_path, "-bbox")
    words = [
        (float(x_min), float(x_max), float(y), word)
        for x_min, y, x_max, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]+)</word>', boxes
        )
    ]
    year = [w for w in words if w[3] == "2026" and w[2] > 500]  # the footer's issue date, not the German line
    assert year, boxes
    line = sorted((w for w in words if abs(w[2] - year[0][2]) < 1), key=lambda w: w[0])
    rightmost = line[-1]
    assert rightmost[3][::-1] == "تاريخ", [w[3] for w in line]  # poppler lists a right-to-left word reversed
    assert rightmost[1] > A4_WIDTH - MARGIN - 5
    assert line[0][0] > A4_WIDTH / 2  # the footer's text is beside the QR code, which moved to the left


def test_the_verification_page_shows_the_record_in_the_course_language(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    certificate = issue(app, session, "tr", "Dernek Hukuku Temelleri")
    page = client.get(f"/verify/{certificate.code}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<strong>✔ Valid</strong>" in page  # the verdict speaks the reader's language
    record = page[page.index('<section class="certificate-record"') : page.index("</section>")]
    assert 'lang="tr" dir="ltr"' in record.split(">", 1)[0]
    assert '<h2 id="record-title">Sertifika</h2>' in record
    assert "Sertifika sahibi" in record and "Düzenlenme tarihi" in record and "22 Kas 2026" in record
    german = re.search(r'<p class="funder-line" lang="de" dir="ltr">([^<]+)</p>', record)
    assert german and "Teilnahmebescheinigung: Ayşe Yılmaz hat den Kurs „Dernek Hukuku Temelleri“" in german.group(1)
    assert "ausgestellt am 22. November 2026" in german.group(1)


def test_the_verification_page_of_an_arabic_course_is_right_to_left_inside_a_german_page(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    certificate = issue(app, session, "ar", "قانون الجمعيات", learner_name="محمد عبد الله")
    page = client.get(f"/verify/{certificate.code}", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="de" dir="ltr">' in page and "Gültig" in page
    record = page[page.index('<section class="certificate-record"') : page.index("</section>")]
    assert 'lang="ar" dir="rtl"' in record.split(">", 1)[0]
    assert "حامل الشهادة" in record and "تاريخ الإصدار" in record
    assert 'lang="de" dir="ltr">Teilnahmebescheinigung' in record


def test_the_learner_downloads_the_certificate_in_the_course_language(
    app: Flask, client: FlaskClient, session: Session, tmp_path: Path
) -> None:
    certificate = issue(app, session, "tr", "Dernek Hukuku Temelleri")
    learner = certificate.user_id
    from mso_academy.accounts.models import User

    login(client, session.get(User, learner).email)
    response = client.get(f"/certificates/{certificate.code}.pdf", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    path = tmp_path / "download.pdf"
    path.write_bytes(response.data)
    text = flat(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout)
    assert "Sertifika" in text and "Teilnahmebescheinigung: Ayşe Yılmaz" in text
