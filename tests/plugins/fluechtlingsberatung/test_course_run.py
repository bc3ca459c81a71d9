"""The shipped course from courses/: import, enrol, walk every scenario step by step (each step a saved draft that
survives a closed tab), match every glossary, pass the quiz, and get the certificate with the legal bases."""

from __future__ import annotations

import html
import re
from typing import Any

from flask.testing import FlaskClient
from mso_fluechtlingsberatung.glossary import Glossary
from sqlalchemy import select
from sqlalchemy.orm import Session

from mso_academy.catalog.packages import import_course, load_package
from mso_academy.certificates.models import Certificate
from mso_academy.plugins.manager import plugins
from tests.conftest import login
from tests.journeys import Step, right_quiz_answers, take_course
from tests.journeys import submission_token as token
from tests.plugins.fluechtlingsberatung.conftest import COURSE, right_glossary_answers


def walk_scenario(client: FlaskClient, location: str, content: dict[str, Any]) -> dict[str, Any]:
    """Choose the good option at every node through the draft URL, as the learner's "Choose" button does."""
    nodes = {n["key"]: n for n in content["nodes"]}
    node = nodes[content.get("start") or content["nodes"][0]["key"]]
    page = client.get(location).get_data(as_text=True)
    steps = 0
    while not node.get("end"):
        path = html.unescape(re.search(r'name="path" value="([^"]*)"', page).group(1))
        assert path.count(".") == steps
        assert f"Situation {steps + 1}" in page
        choice = next(c for c in node["choices"] if c.get("correct"))
        response = client.post(f"{location}/draft", data={"path": path, "choice": choice["key"]})
        assert response.status_code == 303 and response.location.endswith("#draft"), response.get_data(as_text=True)
        # A closed tab: the next GET finds the path where the learner left it.
        page = client.get(location).get_data(as_text=True)
        assert "Saved. You can close the page and continue later." in page
        assert html.escape(choice["feedback"], quote=False) in page
        node = nodes[choice["next"]]
        steps += 1
    assert "Hand in my path" in page
    path = html.unescape(re.search(r'name="path" value="([^"]*)"', page).group(1))
    return {"path": path, "submission_token": token(page)}


def test_a_volunteer_takes_the_shipped_course_to_a_certificate(
    client: FlaskClient, session: Session, learner: Any
) -> None:
    spec, problems = load_package(COURSE, plugins())
    assert problems == [] and spec is not None
    assert spec.course_type == "fluechtlingsberatung" and len(spec.modules) >= 4 and spec.language == "de"
    assert 120 <= spec.duration_minutes <= 180
    import_course(session, spec)
    session.commit()
    login(client, learner.email)

    def answer(step: Step) -> dict[str, Any]:
        activity = step.activity
        if activity.kind == "case_scenario":
            return walk_scenario(client, step.location, activity.content)
        if activity.kind == "glossary":
            assert 'dir="rtl"' in step.page and 'lang="fa"' in step.page
            return right_glossary_answers(Glossary(), activity.content)
        if activity.kind == "quiz":
            return right_quiz_answers(activity.content)
        return {"done": "1"}

    kinds_seen = take_course(client, spec, answer)
    assert {"case_scenario", "glossary", "quiz", "text_lesson"} <= set(kinds_seen)
    assert kinds_seen.count("case_scenario") == 4
    assert len(kinds_seen) == sum(len(m.activities) for m in spec.modules)
    assert "You completed this course" in client.get(f"/courses/{spec.slug}").get_data(as_text=True)
    certificate = session.scalar(select(Certificate).where(Certificate.user_id == learner.id))
    assert certificate is not None and certificate.course_slug == "fluechtlingsberatung-ehrenamtlich"
    assert certificate.contributions[0]["label"] == "Rechtsgrundlagen (Stand 23.11.2026)"
    assert "§§ 2, 6 RDG" in certificate.contributions[0]["text"]


def test_the_course_says_never_to_enter_real_data_and_keeps_figures_in_one_lesson() -> None:
    description = (COURSE / "course.yaml").read_text(encoding="utf-8")
    assert "niemals echte Namen oder Daten" in description
    figures = (COURSE / "05-hilfe" / "zahlen-und-fristen.md").read_text(encoding="utf-8")
    for figure in ("23.07.2027", "04.03.2027", "12.06.2026", "36 Monaten", "innerhalb von 3 Monaten"):
        assert figure in figures
    # Every lesson names its sources and the date they were checked.
    for lesson in COURSE.glob("0*/*.md"):
        if lesson.name != "selbstfuersorge.md":
            assert re.search(r"Stand: \d{2}\.\d{2}\.\d{4}", lesson.read_text(encoding="utf-8")), lesson.name
