"""The shipped course from courses/: import, enrol, answer everything right over HTTP, and get the certificate."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from mso_academy.catalog.packages import import_course, load_package
from mso_academy.certificates.models import Certificate
from mso_academy.plugins.manager import plugins
from tests.conftest import login
from tests.plugins.vereinsrecht.conftest import COURSE, right_case_answers, right_statute_answers


def right_quiz_answers(quiz: dict[str, Any]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for q in quiz["questions"]:
        if q["type"] in ("single", "multiple"):
            answers[f"q-{q['key']}"] = [o["key"] for o in q["options"] if o.get("correct")]
        elif q["type"] == "true_false":
            answers[f"q-{q['key']}"] = "true" if q["correct"] else "false"
        else:
            answers[f"q-{q['key']}"] = str(q["answer"])
    return answers


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
    response = client.post(f"/courses/{spec.slug}/enrol")
    location = client.get(response.location).location
    kinds_seen = []
    while location and "/learn/" in location:
        page = client.get(location).get_data(as_text=True)
        title = re.search(r"<h1[^>]*>(.*?)</h1>", page).group(1)
        activity = next(a for m in spec.modules for a in m.activities if escape(a.title) == title)
        kinds_seen.append(activity.kind)
        data = ANSWERS[activity.kind](activity.content)
        data["submission_token"] = re.search(r'name="submission_token" value="([^"]+)"', page).group(1)
        response = client.post(location, data=data)
        assert response.status_code == 303, (activity.key, response.get_data(as_text=True)[:500])
        if response.location.endswith("#result"):
            result = client.get(response.location).get_data(as_text=True)
            assert "Passed!" in result, activity.key
            # The next activity: follow the page's "next" link, as a learner would.
            following = re.search(r'href="([^"]*/learn/[^"]+)"[^>]*>\s*(?:Next|Continue)', result)
            location = following.group(1) if following else None
        else:
            location = response.location if "/learn/" in response.location else None
    assert {"statute_check", "decision_case", "quiz", "text_lesson"} <= set(kinds_seen)
    assert len(kinds_seen) == sum(len(m.activities) for m in spec.modules)
    assert "You completed this course" in client.get(f"/courses/{spec.slug}").get_data(as_text=True)
    certificate = session.scalar(select(Certificate).where(Certificate.user_id == learner.id))
    assert certificate is not None and certificate.course_slug == "vereinsrecht-fuer-vorstaende"
    assert certificate.contributions[0]["label"] == "Rechtsgrundlagen"
    assert "Anlage 1 zu § 60 AO" in certificate.contributions[0]["text"]
