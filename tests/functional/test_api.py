"""The JSON API: public catalogue and verification, a learner's data and a manager's organisation by token."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mso_academy.api import tokens
from mso_academy.api.models import ApiToken
from mso_academy.catalog.models import CourseStatus
from mso_academy.db import utcnow
from mso_academy.organisations.models import MemberRole, Membership, Organisation
from tests.conftest import login
from tests.factories import complete_course, make_course, make_user

LESSON = [[("text_lesson", {"body": "# Lesson\n\nRead me.", "minutes": 5})]]


def _token(session: Session, user: Any, *scopes: tokens.Scope, days: int = 30) -> str:
    return tokens.create_token(session, user, "test", [s.value for s in scopes], days)[1]


def _get(client: FlaskClient, path: str, token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(f"/api/v1{path}", headers=headers)


def test_catalogue_lists_published_courses_with_paging_and_filters(client: FlaskClient, session: Session) -> None:
    for n in range(3):
        make_course(session, title=f"Kassenbuch {n}", language="de")
    make_course(session, title="Kassenbuch draft", status=CourseStatus.DRAFT)
    make_course(session, title="Turkish course", language="tr")
    body = _get(client, "/courses?q=kassenbuch&per_page=2").get_json()
    assert body["total"] == 3 and body["pages"] == 2 and len(body["items"]) == 2
    assert all("Kassenbuch" in item["title"] and item["language"] == "de" for item in body["items"])
    assert [c["title"] for c in _get(client, "/courses?language=tr").get_json()["items"]] == ["Turkish course"]


def test_course_detail_shows_published_courses_only(client: FlaskClient, session: Session) -> None:
    course = make_course(session, slug="api-course", modules=LESSON)
    draft = make_course(session, slug="api-draft", status=CourseStatus.DRAFT)
    body = _get(client, f"/courses/{course.slug}").get_json()
    assert body["modules"][0]["activities"][0]["kind"] == "text_lesson"
    response = _get(client, f"/courses/{draft.slug}")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_verification_is_public_and_unknown_codes_answer_404(client: FlaskClient, session: Session, app: Any) -> None:
    learner = make_user(session, name="Lena Learner")
    with app.test_request_context():
        certificate = complete_course(session, learner, make_course(session, modules=LESSON))
    body = _get(client, f"/certificates/{certificate.code}/verification").get_json()
    assert body["status"] == "valid" and body["holder"] == "Lena Learner"
    assert "email" not in str(body).lower() or learner.email not in str(body)
    assert _get(client, "/certificates/NOPE/verification").status_code == 404


def test_my_data_needs_a_token_with_the_scope(client: FlaskClient, session: Session, app: Any) -> None:
    learner = make_user(session)
    with app.test_request_context():
        complete_course(session, learner, make_course(session, title="Done", modules=LESSON))
    missing = _get(client, "/me/certificates")
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"].startswith("Bearer")
    wrong_scope = _token(session, learner, tokens.Scope.ORGANISATIONS_READ)
    assert _get(client, "/me/certificates", wrong_scope).status_code == 403
    token = _token(session, learner, tokens.Scope.LEARNING_READ)
    certificates = _get(client, "/me/certificates", token).get_json()["items"]
    assert [c["course"]["title"] for c in certificates] == ["Done"]
    enrolments = _get(client, "/me/enrolments", token).get_json()["items"]
    assert enrolments[0]["status"] == "completed" and enrolments[0]["progress"]["percent"] == 100


def test_a_session_cookie_is_not_enough(client: FlaskClient, session: Session) -> None:
    learner = make_user(session)
    login(client, learner.email)
    assert client.get("/api/v1/me/enrolments").status_code == 401


@pytest.mark.parametrize("state", ["revoked", "expired", "disabled"])
def test_revoked_expired_and_disabled_tokens_are_refused(client: FlaskClient, session: Session, state: str) -> None:
    learner = make_user(session)
    token = _token(session, learner, tokens.Scope.LEARNING_READ)
    record = session.scalar(select(ApiToken).where(ApiToken.user_id == learner.id))
    if state == "revoked":
        tokens.revoke_token(session, learner, record.id)
    elif state == "expired":
        record.expires_at = utcnow() - timedelta(seconds=1)
    else:
        learner.is_active = False
    session.flush()
    assert _get(client, "/me/enrolments", token).status_code == 401


def test_managers_read_their_organisation_only(client: FlaskClient, session: Session) -> None:
    manager, member, outsider = make_user(session), make_user(session, name="Mira Member"), make_user(session)
    mine = Organisation(name="Brücke e.V.", slug="bruecke")
    other = Organisation(name="Anderer Verein", slug="anderer")
    session.add_all([mine, other])
    session.flush()
    session.add_all(
        [
            Membership(organisation_id=mine.id, user_id=manager.id, role=MemberRole.MANAGER),
            Membership(organisation_id=mine.id, user_id=member.id, role=MemberRole.MEMBER),
            Membership(organisation_id=other.id, user_id=outsider.id, role=MemberRole.MANAGER),
        ]
    )
    session.flush()
    token = _token(session, manager, tokens.Scope.ORGANISATIONS_READ)
    assert _get(client, "/organisations", token).get_json()["items"] == [{"slug": "bruecke", "name": "Brücke e.V."}]
    names = [m["name"] for m in _get(client, "/organisations/bruecke/members", token).get_json()["items"]]
    assert "Mira Member" in names
    assert _get(client, "/organisations/anderer/members", token).status_code == 404
    assert _get(client, "/organisations/anderer/certificates", token).status_code == 404
    member_token = _token(session, member, tokens.Scope.ORGANISATIONS_READ)
    assert _get(client, "/organisations/bruecke/members", member_token).status_code == 404


def test_errors_are_json_with_one_shape(client: FlaskClient) -> None:
    for response, status in (
        (client.get("/api/v1/nothing-here"), 404),
        (client.post("/api/v1/courses"), 405),
        (client.get("/api/v1/courses?per_page=1000"), 400),
        (client.get("/api/v1/courses?page=abc"), 400),
    ):
        assert response.status_code == status
        assert response.get_json()["error"]["status"] == status, response.data
    assert "GET" in client.post("/api/v1/courses").headers["Allow"]


def test_tokens_are_created_once_listed_and_revoked_in_the_profile(client: FlaskClient, session: Session) -> None:
    learner = make_user(session)
    login(client, learner.email)
    page = client.post(
        "/account/tokens/", data={"name": "Mitgliederdatenbank", "scopes": ["learning:read"], "days": "30"}
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    token = html.split('id="new-token" type="text" readonly value="', 1)[1].split('"', 1)[0]
    assert token.startswith("msoa_")
    record = session.scalar(select(ApiToken).where(ApiToken.user_id == learner.id))
    assert record.token_hash != token and token not in record.token_hash  # only a hash is stored
    assert _get(client, "/me/enrolments", token).status_code == 200
    assert token not in client.get("/account/tokens/").get_data(as_text=True)  # shown once
    client.post(f"/account/tokens/{record.id}/revoke")
    assert _get(client, "/me/enrolments", token).status_code == 401


def test_a_token_form_without_permissions_is_refused(client: FlaskClient, session: Session) -> None:
    learner = make_user(session)
    login(client, learner.email)
    page = client.post("/account/tokens/", data={"name": "x", "days": "30"})
    assert page.status_code == 400
    assert session.scalar(select(ApiToken).where(ApiToken.user_id == learner.id)) is None


def test_nobody_revokes_another_users_token(client: FlaskClient, session: Session) -> None:
    owner, other = make_user(session), make_user(session)
    _token(session, owner, tokens.Scope.LEARNING_READ)
    record = session.scalar(select(ApiToken).where(ApiToken.user_id == owner.id))
    login(client, other.email)
    assert client.post(f"/account/tokens/{record.id}/revoke").status_code == 404
    session.refresh(record)
    assert record.revoked_at is None
