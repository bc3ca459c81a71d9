"""The whole promise: complete a shipped course, download the PDF and credential, and the QR code on the PDF
leads to a verification page that says valid."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from mso_academy.catalog.packages import import_course, load_package
from mso_academy.plugins.manager import plugins
from tests.conftest import login
from tests.journeys import right_quiz_answers, take_course

COURSE = Path(__file__).resolve().parents[2] / "courses" / "erste-schritte"


def test_complete_shipped_course_then_scan_the_qr_code(client, session, learner, tmp_path):
    for tool in ("pdftoppm", "zbarimg"):
        if not shutil.which(tool):
            pytest.fail(f"{tool} is needed (`make system-packages`)")
    spec, problems = load_package(COURSE, plugins())
    assert problems == []
    import_course(session, spec)
    session.commit()
    login(client, learner.email)
    take_course(
        client,
        spec,
        lambda step: (
            {"done": "1"} if step.activity.kind == "text_lesson" else right_quiz_answers(step.activity.content)
        ),
    )
    page = client.get(f"/courses/{spec.slug}").get_data(as_text=True)
    assert "You completed this course" in page
    dashboard = client.get("/dashboard").get_data(as_text=True)
    code = re.search(r"/certificates/([A-Z2-7]{32})\.pdf", dashboard).group(1)
    pdf = client.get(f"/certificates/{code}.pdf")
    (tmp_path / "c.pdf").write_bytes(pdf.data)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(tmp_path / "c.pdf"), str(tmp_path / "p")], check=True
    )
    scanned = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(tmp_path / "p.png")], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert scanned.endswith(f"/verify/{code}")
    verification = client.get("/verify/" + scanned.rsplit("/verify/", 1)[1])
    assert verification.status_code == 200 and "Valid" in verification.get_data(as_text=True)
    credential = client.get(f"/certificates/{code}.json")
    assert credential.json["type"] == "EnvelopedVerifiableCredential"
    assert yaml.safe_load((COURSE / "course.yaml").read_text())["title"] in verification.get_data(as_text=True)
