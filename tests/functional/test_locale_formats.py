"""Dates, numbers and amounts in the reader's notation: pages format them with Flask-Babel, never by hand.

The trainer's learners page shows a date and a share per learner; it is rendered in German, English and Arabic
and each shows its locale's notation. Amounts (plugins such as funding applications show euros) and file sizes
follow the same locale through the plugin API and the template filters.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from flask_babel import refresh
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from mso_academy.accounts.models import Role
from mso_academy.learning import services as learning
from mso_academy.plugins import api
from mso_academy.plugins.manager import plugins
from tests.conftest import login
from tests.factories import make_course, make_user

LESSON = ("text_lesson", {"body": "# Lektion\n\nText.", "minutes": 5})
ENROLLED = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)

# (date as the learners page shows it, half of the activities done, 1234.5 euros, 1.5 megabytes, 2000 bytes)
NOTATION = {
    "de": ("22.11.2026", "50\xa0%", "1.234,50\xa0€", "1,5 MB", "2 kB"),
    "en": ("Nov 22, 2026", "50%", "€1,234.50", "1.5 MB", "2 kB"),
    "ar": ("22\u200f/11\u200f/2026", "50%", "\u200f1,234.50\xa0€", "1.5 م.ب", "2 كيلوبايت"),
}


@pytest.fixture
def learners_page(app: Flask, client: FlaskClient, session: Session) -> str:
    trainer = make_user(session, roles=(Role.TRAINER,))
    learner = make_user(session, name="Lena Learner")
    course = make_course(session, owner=trainer, modules=[[LESSON, LESSON]])
    with app.test_request_context():
        enrolment = learning.enrol(session, plugins(), learner, course)
        progress = learning.course_progress(session, course, enrolment)
        first = progress.states[0].activity.id
        learning.submit(session, plugins(), progress, first, MultiDict({"done": "1"}), "token-1")
    enrolment.enrolled_at = ENROLLED
    session.commit()
    login(client, trainer.email)
    return f"/trainer/courses/{course.slug}/learners"


@pytest.mark.parametrize("language", NOTATION)
def test_the_learners_page_shows_dates_and_shares_in_the_reader_s_notation(
    client: FlaskClient, learners_page: str, language: str
) -> None:
    # The language switcher, as the trainer would use it (remembered on the account).
    assert client.post("/language", data={"language": language, "next": learners_page}).status_code in (302, 303)
    page = client.get(learners_page).get_data(as_text=True)
    date, share, *_ = NOTATION[language]
    assert f'<html lang="{language}"' in page
    assert f"<td>{date}</td>" in page
    assert f"<td>{share}</td>" in page
    others = {NOTATION[other][0] for other in NOTATION if other != language}
    assert not any(f"<td>{other}</td>" in page for other in others)


@pytest.mark.parametrize("language", NOTATION)
def test_amounts_and_file_sizes_follow_the_reader_s_language(app: Flask, language: str) -> None:
    _date, _share, amount, size, small = NOTATION[language]
    with app.test_request_context(headers={"Accept-Language": language}):
        refresh()
        assert api.format_currency(1234.5, "EUR") == amount
        assert render_template_string("{{ 1234.5|currencyformat('EUR') }}") == amount
        assert render_template_string("{{ 1572864|filesize }}") == size
        assert render_template_string("{{ 2000|filesize }}") == small


def test_dates_in_a_plugin_template_follow_the_reader(app: Flask) -> None:
    moment: Any = ENROLLED
    for language, expected in (("de", "22. November 2026"), ("en", "November 22, 2026"), ("ar", "22 نوفمبر 2026")):
        with app.test_request_context(headers={"Accept-Language": language}):
            refresh()
            assert api.format_date(moment, "long") == expected
            assert render_template_string("{{ moment|date('long') }}", moment=moment) == expected
