"""The promise of issue 9 through HTTP: a volunteer keeps a month of books in the browser (saving as they go, a
closed tab loses nothing), gets it checked line by line, answers everything else right, and the shipped course
ends in a certificate that names the legal bases. Also: the course's figures live in one place."""

from __future__ import annotations

import re

from sqlalchemy import select

from mso_academy.catalog.packages import import_course, load_package
from mso_academy.certificates.models import Certificate
from mso_academy.learning.models import ActivityDraft
from mso_academy.plugins.manager import plugins
from tests.conftest import login
from tests.journeys import right_quiz_answers, take_course
from tests.journeys import submission_token as token

from .conftest import COURSE, right_cashbook


def donation_form(content):
    data = {"decision": content["decision"]["correct"]}
    for spec in content.get("fields", []):
        answer = spec["answer"]
        data[f"field-{spec['key']}"] = answer[0] if isinstance(answer, list) else str(answer)
    return data


def keep_books(client, session, location, page, content):
    """Book two lines and save, come back (a closed tab), hand in with a mistake, read why, fix it."""
    assert "Kontoauszug Sparkasse – Zinsgutschrift" in page and "185,40 €" in page  # receipts and facts shown
    form = right_cashbook(content)
    first_two = {k: v for k, v in form.items() if k.startswith(("lines-0-", "lines-1-"))}
    saved = client.post(f"{location}/draft", data=first_two)
    assert saved.status_code == 303 and saved.location.endswith("#draft")
    again = client.get(location).get_data(as_text=True)
    assert 'value="197,53"' in again and "Line 2" in again and "New line" in again  # saved lines + an empty one
    session.expire_all()
    assert session.scalar(select(ActivityDraft)).answers["lines"][1]["balance"] == "197,53"

    wrong = dict(form)
    wrong["lines-2-sphere"] = "ideell"
    response = client.post(location, data={**wrong, "submission_token": token(again)})
    assert response.status_code == 303
    page = client.get(location).get_data(as_text=True)
    assert "Not passed yet." in page and "13 of 14 checks right" in page
    assert "§ 68 Nr. 8 AO" in page  # the why, with its legal basis, next to the line
    session.expire_all()
    assert session.scalar(select(ActivityDraft)) is None  # handing in removed the draft
    return client.post(location, data={**form, "submission_token": token(page)})


def test_shipped_course_to_certificate(app, client, session, learner):
    spec, problems = load_package(COURSE, plugins())
    assert problems == []
    assert import_course(session, spec) == "created"
    session.commit()
    activities = {a.title: a for m in spec.modules for a in m.activities}
    minutes = sum(a.content.get("minutes", 0) for a in activities.values() if a.kind != "quiz")
    assert 120 <= minutes + 6 * 5 <= 180  # about 2–3 hours with five quizzes
    assert len(spec.modules) >= 4

    login(client, learner.email)

    def answer(step):
        activity = step.activity
        if activity.kind == "kassenbuch" and activity.key == "kassenbuch-maerz":
            return keep_books(client, session, step.location, step.page, activity.content)
        if activity.kind == "text_lesson":
            return {"done": "1"}
        if activity.kind == "kassenbuch":
            return right_cashbook(activity.content).to_dict()
        if activity.kind == "zuwendungsbestaetigung":
            return donation_form(activity.content)
        return right_quiz_answers(activity.content)

    kinds_seen = set(take_course(client, spec, answer))
    assert {"kassenbuch", "zuwendungsbestaetigung", "quiz", "text_lesson"} <= kinds_seen
    assert "You completed this course" in client.get(f"/courses/{spec.slug}").get_data(as_text=True)
    certificate = session.scalar(select(Certificate).where(Certificate.user_id == learner.id))
    assert certificate is not None
    lines = {c["label"]: c["text"] for c in certificate.contributions}
    assert "§ 10b EStG, § 50 EStDV" in lines["Rechtsgrundlagen"]


# Figures that change (allowances, thresholds, deadlines): written only on the figures page, so a trainer
# updates them in one place. Amounts of the exercises are not legal figures and may appear anywhere.
LEGAL_FIGURES = ["3.300", "3.000", "960", "840", "50.000", "45.000", "100.000", "25.000", "22.000", "5.000"]
FIGURES_PAGE = "01-belege-und-kassenbuch/zahlen-und-fristen.md"


def test_changing_figures_live_on_the_figures_page_only():
    page = (COURSE / FIGURES_PAGE).read_text(encoding="utf-8")
    assert "Stand: 22.11.2026" in page
    for figure in ["3.300 €", "960 €", "50.000 €", "100.000 €", "300 €", "8 Jahre", "10 Jahre"]:
        assert figure in page
    for path in sorted(COURSE.rglob("*")):
        if path.is_file() and path.name != "zahlen-und-fristen.md":
            text = path.read_text(encoding="utf-8")
            for figure in LEGAL_FIGURES:
                assert not re.search(rf"(?<![\d.]){re.escape(figure)}(,00)? ?(€|Euro)", text), (path.name, figure)
            assert not re.search(r"(?<![\d.])300 ?(€|Euro)", text), path.name
            assert not re.search(r"\b(6|8|10|fünf|drei) Jahre", text), path.name
