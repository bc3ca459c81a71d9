"""Taking a whole course over HTTP as a learner: the walk every shipped-course test shares."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient
from markupsafe import escape
from werkzeug.test import TestResponse

SUBMISSION_TOKEN = re.compile(r'name="submission_token" value="([^"]+)"')
HEADING = re.compile(r"<h1[^>]*>(.*?)</h1>")


def submission_token(page: str) -> str:
    """The hidden token a hand-in form carries (it makes a resent form count once)."""
    return SUBMISSION_TOKEN.search(page).group(1)  # type: ignore[union-attr]


@dataclass(frozen=True)
class Step:
    """The activity the app offers next: its package entry, its URL and the page as the learner sees it."""

    activity: Any
    location: str
    page: str

    @property
    def token(self) -> str:
        return submission_token(self.page)


Answer = Callable[[Step], "dict[str, Any] | TestResponse | None"]


def take_course(client: FlaskClient, spec: Any, answer: Answer) -> list[str]:
    """Enrol in the imported package `spec` and do each activity the app offers next until none is left.

    `answer(step)` returns the form data to hand in (the page's submission token is added), or the response of a
    hand-in it made itself, or None when it finished the step another way (a trainer's review). A result page
    must say the activity was passed; the walk then resumes where the app says. Returns the kinds seen, in order.
    """
    activities = {str(escape(a.title)): a for m in spec.modules for a in m.activities}
    location = client.get(client.post(f"/courses/{spec.slug}/enrol").location).location
    kinds: list[str] = []
    while location and "/learn/" in location:
        page = client.get(location).get_data(as_text=True)
        activity = activities[HEADING.search(page).group(1)]  # type: ignore[union-attr]
        kinds.append(activity.kind)
        step = Step(activity, location, page)
        outcome = answer(step)
        if outcome is None:
            location = client.get(f"/learn/{spec.slug}/").location
            continue
        if isinstance(outcome, TestResponse):
            response = outcome
        else:
            response = client.post(location, data={"submission_token": step.token, **outcome})
        assert response.status_code == 303, (activity.key, response.get_data(as_text=True)[:500])
        if response.location.endswith("#result"):
            assert "Passed!" in client.get(response.location).get_data(as_text=True), activity.key
            location = client.get(f"/learn/{spec.slug}/").location
        else:
            location = response.location
    return kinds


def right_quiz_answers(quiz: dict[str, Any]) -> dict[str, Any]:
    """The form that answers every question of a quiz's content right."""
    answers: dict[str, Any] = {}
    for q in quiz["questions"]:
        name = f"q-{q['key']}"
        if q["type"] in ("single", "multiple"):
            answers[name] = [o["key"] for o in q["options"] if o.get("correct")]
        elif q["type"] == "true_false":
            answers[name] = "true" if q["correct"] else "false"
        else:
            answers[name] = str(q["answer"])
    return answers
