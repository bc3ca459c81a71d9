"""Drafts (`ActivityKind.saves_drafts`): a learner saves unfinished answers, finds them again after closing the
page, hands in (which removes the draft); saving is refused where handing in would be, and the draft is in the
data export and goes with the account.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from mso_academy.accounts import services as accounts
from mso_academy.learning.models import ActivityDraft, Attempt
from mso_academy.plugins.api import ActivityKind, AnswerError, FormData, Grade, gettext, hookimpl
from mso_academy.plugins.manager import plugins
from tests.conftest import login
from tests.factories import make_course

TEMPLATE = """\
{%- set filled = view.draft or (view.last_attempt.answers if view.last_attempt else {}) -%}
{% if view.last_attempt %}<p id="result">{{ view.last_attempt.summary }}</p>{% endif %}
{% if view.can_submit %}
<form method="post" action="{{ view.submit_url }}">
  <input type="hidden" name="csrf_token" value="{{ csrf_token() }}">
  <input type="hidden" name="submission_token" value="{{ view.submission_token }}">
  {% for i in range(3) %}
    <label>Word {{ i }} <input name="word-{{ i }}" value="{{ (filled.get('words') or ['', '', ''])[i] }}"></label>
  {% endfor %}
  {% if view.draft_url %}<button formaction="{{ view.draft_url }}" id="draft">Save draft</button>{% endif %}
  <button type="submit">Check</button>
</form>
{% endif %}
"""


class ThreeWords(ActivityKind):
    key = "three_words"
    name = "Three words"
    template = "three_words/activity.html"
    saves_drafts = True

    def _words(self, form: FormData) -> list[str]:
        words = [str(form.get(f"word-{i}", "")).strip() for i in range(3)]
        if any(len(w) > 20 for w in words):
            raise AnswerError(gettext("Words are at most 20 letters long."))
        return words

    def parse_draft(self, content: Mapping[str, Any], form: FormData) -> dict[str, Any]:
        return {"words": self._words(form)}  # gaps are fine in a draft

    def parse_answers(self, content: Mapping[str, Any], form: FormData) -> dict[str, Any]:
        words = self._words(form)
        if not all(words):
            raise AnswerError(gettext("Please fill in all three words."))
        return {"words": words}

    def grade(self, content: Mapping[str, Any], answers: Mapping[str, Any]) -> Grade:
        passed = answers["words"] == content["words"]
        return Grade(score=1.0 if passed else 0.0, passed=passed, summary="right" if passed else "wrong")


class DraftPlugin:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @hookimpl
    def register_activity_kinds(self) -> list[ActivityKind]:
        return [ThreeWords()]

    @hookimpl
    def register_template_dirs(self) -> list[Path]:
        return [self.folder]


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, Any]:
    (tmp_path / "tpl" / "three_words").mkdir(parents=True)
    (tmp_path / "tpl" / "three_words" / "activity.html").write_text(TEMPLATE, encoding="utf-8")
    return {"EXTRA_PLUGINS": [DraftPlugin(tmp_path / "tpl")]}


@pytest.fixture
def words_course(session: Any) -> Any:
    return make_course(session, modules=[[("three_words", {"words": ["eins", "zwei", "drei"]})]])


def _open(client: Any, session: Any, learner: Any, course: Any) -> str:
    login(client, learner.email)
    client.post(f"/courses/{course.slug}/enrol")
    activity = course.modules[0].activities[0]
    return f"/learn/{course.slug}/{activity.id}"


def _drafts(session: Any) -> list[ActivityDraft]:
    return list(session.scalars(select(ActivityDraft)))


def test_a_saved_draft_comes_back_and_handing_in_removes_it(client: Any, session: Any, learner: Any, words_course: Any):
    url = _open(client, session, learner, words_course)
    page = client.get(url).get_data(as_text=True)
    assert 'formaction="' + url + '/draft"' in page

    saved = client.post(url + "/draft", data={"word-0": "eins", "word-1": "zwei", "word-2": ""})
    assert saved.status_code == 303 and saved.location.endswith("#draft")
    [draft] = _drafts(session)
    assert draft.answers == {"words": ["eins", "zwei", ""]}
    assert session.scalar(select(func.count()).select_from(Attempt)) == 0  # nothing graded, nothing counted

    again = client.get(url).get_data(as_text=True)  # a new visit (the tab was closed) shows the saved words
    assert 'value="zwei"' in again
    client.post(url + "/draft", data={"word-0": "eins", "word-1": "zwei", "word-2": "vier"})
    session.expire_all()
    assert [d.answers["words"][2] for d in _drafts(session)] == ["vier"]  # replaced, still one draft

    client.post(url, data={"submission_token": "t1", "word-0": "eins", "word-1": "zwei", "word-2": "vier"})
    session.expire_all()
    assert _drafts(session) == []
    assert session.scalar(select(Attempt.summary)) == "wrong"
    assert 'value="vier"' in client.get(url).get_data(as_text=True)  # the attempt's answers fill the form now


def test_bad_draft_input_and_passed_activities_are_refused(client: Any, session: Any, learner: Any, words_course: Any):
    url = _open(client, session, learner, words_course)
    refused = client.post(url + "/draft", data={"word-0": "x" * 21})
    assert refused.status_code == 400
    assert "Words are at most 20 letters long." in refused.get_data(as_text=True)
    assert _drafts(session) == []

    client.post(url, data={"submission_token": "t1", "word-0": "eins", "word-1": "zwei", "word-2": "drei"})
    late = client.post(url + "/draft", data={"word-0": "eins"})
    assert late.status_code == 409
    assert _drafts(session) == []
    assert "formaction" not in client.get(url).get_data(as_text=True)  # no draft button once passed


def test_kinds_without_drafts_answer_404(client: Any, session: Any, learner: Any):
    course = make_course(session)
    url = _open(client, session, learner, course)
    assert client.post(url + "/draft", data={"done": "1"}).status_code == 404
    assert _drafts(session) == []


def test_drafts_are_exported_and_deleted_with_the_account(
    app: Any, client: Any, session: Any, learner: Any, words_course: Any
):
    url = _open(client, session, learner, words_course)
    client.post(url + "/draft", data={"word-0": "eins", "word-1": "", "word-2": ""})
    session.expire_all()
    with app.test_request_context():
        data = accounts.export_user_data(session, plugins(), learner)
        [enrolment] = data["learning"]
        assert enrolment["drafts"][0]["answers"] == {"words": ["eins", "", ""]}
        accounts.delete_user(session, plugins(), learner)
    session.expire_all()
    assert _drafts(session) == []
