"""A returned application: the learner reads the trainer's feedback, finds the form filled in, and hands in again;
while work waits for review, no draft can be saved."""

from __future__ import annotations

import re

from sqlalchemy import select

from mso_academy.accounts.models import Role
from mso_academy.learning.models import Attempt
from tests.conftest import IsolatedClient, login
from tests.factories import make_course, make_user

from .conftest import good_form, shipped


def token(page: str) -> str:
    return re.search(r'name="submission_token" value="([^"]+)"', page).group(1)


def test_returned_application_is_reworked_and_handed_in_again(app, client, session, learner):
    trainer = make_user(session, name="Tamar Trainer", roles=(Role.TRAINER,))
    content = shipped("03-kosten-und-finanzierung/antrag.yaml")
    course = make_course(
        session, course_type="foerderantraege", modules=[[("funding_application", content)]], owner=trainer
    )
    session.commit()
    activity = course.modules[0].activities[0]
    url = f"/learn/{course.slug}/{activity.id}"
    login(client, learner.email)
    client.post(f"/courses/{course.slug}/enrol")
    page = client.get(url).get_data(as_text=True)
    assert client.post(url, data={**good_form(), "submission_token": token(page)}).status_code == 303

    # waiting for review: the form and the draft route are closed
    page = client.get(url).get_data(as_text=True)
    assert "Save draft" not in page
    assert client.post(f"{url}/draft", data=good_form()).status_code == 409

    attempt = session.scalar(select(Attempt).where(Attempt.activity_id == activity.id))
    app.test_client_class = IsolatedClient
    as_trainer = app.test_client()
    login(as_trainer, trainer.email)
    response = as_trainer.post(
        f"/trainer/reviews/{attempt.id}",
        data={"decision": "return", "feedback": "Das Ziel ist noch nicht messbar."},
    )
    assert response.status_code == 303

    page = client.get(url).get_data(as_text=True)
    assert "Returned for rework." in page and "Das Ziel ist noch nicht messbar." in page
    assert 'value="Nähen und Sprechen"' in page and 'value="3950,00"' in page
    again = client.post(url, data={**good_form(title="Nähen, Sprechen, Ausstellen"), "submission_token": token(page)})
    assert again.status_code == 303
    session.expire_all()
    attempts = session.scalars(select(Attempt).where(Attempt.activity_id == activity.id).order_by(Attempt.number))
    assert [(a.number, a.review_status) for a in attempts] == [(1, "returned"), (2, "pending")]
