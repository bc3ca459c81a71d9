"""The shipped course from courses/: import, enrol, answer everything right over HTTP, and get the certificate."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mso_academy.catalog.packages import import_course, load_package
from mso_academy.certificates.models import Certificate
from mso_academy.plugins.manager import plugins
from tests.conftest import login
from tests.journeys import right_quiz_answers, take_course
from tests.plugins.vereinsrecht.conftest import COURSE, right_case_answers, right_statute_answers

ANSWERS = {
    "text_lesson": lambda content: {"done": "1"},
    "quiz": right_quiz_answers,
    "statute_check": right_statute_answers,
    "decision_case": right_case_answers,
}


def test_a_volunteer_takes_the_shipped_course_to_a_certificate(
    client: FlaskClient, session: Session, learner: Any
) -> None:
    spec, problems = load_package(COURSE, plugins())
    assert problems == [] and spec is not None
    assert spec.course_type == "vereinsrecht" and len(spec.modules) >= 4
    import_course(session, spec)
    session.commit()
    login(client, learner.email)
    kinds_seen = take_course(client, spec, lambda step: ANSWERS[step.activity.kind](step.activity.content))
    assert {"statute_check", "decision_case", "quiz", "text_lesson"} <= set(kinds_seen)
    assert len(kinds_seen) == sum(len(m.activities) for m in spec.modules)
    assert "You completed this course" in client.get(f"/courses/{spec.slug}").get_data(as_text=True)
    certificate = session.scalar(select(Certificate).where(Certificate.user_id == learner.id))
    assert certificate is not None and certificate.course_slug == "vereinsrecht-fuer-vorstaende"
    assert certificate.contributions[0]["label"] == "Rechtsgrundlagen"
    assert "Anlage 1 zu § 60 AO" in certificate.contributions[0]["text"]
