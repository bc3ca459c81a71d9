"""The whole promise of issue 10, through HTTP: a volunteer drafts an application (saving drafts, failing a check,
fixing it), downloads the draft as PDF, a trainer passes it from the review queue, the spending report and quizzes
are answered, and the shipped course ends in a certificate that names the legal basis."""

from __future__ import annotations

import subprocess

from mso_foerderantraege.spending import expected
from sqlalchemy import select

from mso_academy.accounts.models import Role
from mso_academy.catalog.models import Course
from mso_academy.catalog.packages import import_course, load_package
from mso_academy.certificates.models import Certificate
from mso_academy.learning.models import Attempt
from mso_academy.plugins.manager import plugins
from tests.conftest import IsolatedClient, login
from tests.factories import make_user
from tests.journeys import right_quiz_answers, take_course
from tests.journeys import submission_token as token

from .conftest import COURSE, good_form


def right_spending(content):
    data = {}
    for key, want in expected(content).items():
        data[f"line-{key}-actual"] = want["actual"].replace(".", ",")
        data[f"line-{key}-state"] = want["state"]
    return data


def pdf_text(tmp_path, data: bytes) -> str:
    (tmp_path / "antrag.pdf").write_bytes(data)
    subprocess.run(["pdftotext", "-layout", str(tmp_path / "antrag.pdf"), str(tmp_path / "antrag.txt")], check=True)
    return (tmp_path / "antrag.txt").read_text(encoding="utf-8")


def test_shipped_course_from_draft_to_certificate(app, client, session, learner, tmp_path):
    spec, problems = load_package(COURSE, plugins())
    assert problems == []
    assert import_course(session, spec) == "created"
    trainer = make_user(session, name="Tamar Trainer", roles=(Role.TRAINER,))
    session.scalar(select(Course).where(Course.slug == spec.slug)).owner_id = trainer.id
    session.commit()
    activities = {a.title: a for m in spec.modules for a in m.activities}
    assert sum(a.content.get("minutes", 0) for a in activities.values()) >= 120  # about 2–3 hours

    login(client, learner.email)

    def answer(step):
        activity = step.activity
        if activity.kind == "funding_application":  # drafted, handed in, then passed by the trainer's review
            draft_application(client, step.location, step.page, tmp_path)
            attempt_id = hand_in_application(client, session, step.location)
            review_and_pass(app, trainer, attempt_id)
            return None
        if activity.kind == "text_lesson":
            return {"done": "1"}
        if activity.kind == "spending_report":
            assert "Gruppenticket Hinfahrt" in step.page and "58,20 €" in step.page  # the receipts are shown
            return right_spending(activity.content)
        return right_quiz_answers(activity.content)

    assert "funding_application" in take_course(client, spec, answer)
    page = client.get(f"/courses/{spec.slug}").get_data(as_text=True)
    assert "You completed this course" in page
    certificate = session.scalar(select(Certificate).where(Certificate.user_id == learner.id))
    assert certificate is not None
    lines = {c["label"]: c["text"] for c in certificate.contributions}
    assert "ANBest-P" in lines["Rechtsgrundlagen"] and "§§ 23, 44 BHO/LHO" in lines["Rechtsgrundlagen"]


def draft_application(client, location, page, tmp_path):
    """Save an unfinished draft (nothing graded), see it again, download it as PDF."""
    assert "Quartiersfonds „Gemeinsam im Viertel“ 2027 (fiktiv)" in page
    assert "not eligible: Bewirtung ist im Quartiersfonds ausgeschlossen." in page
    draft = good_form(**{"fin-grant": "", "cost-1-amount": "neunhundert"})
    response = client.post(f"{location}/draft", data=draft)
    assert response.status_code == 303
    again = client.get(location).get_data(as_text=True)
    assert "Your saved draft is filled in." in again
    assert 'value="Nähen und Sprechen"' in again and 'value="neunhundert"' in again
    assert 'value="2027-11-15"' in again  # a German date comes back for the date input
    # the sums of the draft (the unreadable 900 € count as 0): 3.150 € + 600 € volunteer work against 700 €
    assert "costs 3.750,00 €, financing 700,00 €, difference -3.050,00 €" in again
    pdf = client.post("/foerderantraege/antrag.pdf", data={**good_form(), "call-title": "Quartiersfonds 2027"})
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert 'filename="foerderantrag-entwurf.pdf"' in pdf.headers["Content-Disposition"]
    text = pdf_text(tmp_path, pdf.data)
    for expected_text in ("Nähen und Sprechen", "Quartiersfonds 2027", "2.400,00 €", "4.050,00 €", "3.950,00 €"):
        assert expected_text in text


def hand_in_application(client, session, location):
    """First with a plan one euro short (the check explains it), then right: it waits for review."""
    page = client.get(location).get_data(as_text=True)
    wrong = client.post(location, data={**good_form(**{"fin-grant": "3949"}), "submission_token": token(page)})
    assert wrong.status_code == 303
    page = client.get(location).get_data(as_text=True)
    assert "The financing plan must balance to the cent" in page and "difference -1,00 €" in page
    assert "5 of 6 checks passed" in page
    assert 'value="Nähen und Sprechen"' in page  # the form keeps what was handed in
    right = client.post(location, data={**good_form(), "submission_token": token(page)})
    assert right.status_code == 303
    page = client.get(location).get_data(as_text=True)
    assert "Waiting for review." in page and "Download your application as PDF" in page
    session.expire_all()
    attempt = session.scalars(select(Attempt).order_by(Attempt.id.desc())).first()
    assert attempt.review_status == "pending" and attempt.answers["financing"]["grant"] == "3950.00"
    return attempt.id


def review_and_pass(app, trainer, attempt_id):
    app.test_client_class = IsolatedClient
    as_trainer = app.test_client()
    login(as_trainer, trainer.email)
    assert f"/trainer/reviews/{attempt_id}" in as_trainer.get("/trainer/reviews").get_data(as_text=True)
    detail = as_trainer.get(f"/trainer/reviews/{attempt_id}").get_data(as_text=True)
    assert "Honorare – 20 Abende × 3 Std. × 40 €: 2.400,00 €" in detail
    response = as_trainer.post(
        f"/trainer/reviews/{attempt_id}", data={"decision": "pass", "feedback": "Klare Ziele, gute Indikatoren."}
    )
    assert response.status_code == 303
