"""schemathesis against the live OpenAPI document: every operation, valid and invalid data, zero failures.

It checks what a client relies on: no server errors, every status and body as documented (JSON errors included),
invalid input rejected with 4xx, secured operations refusing requests without a token.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from sqlalchemy.orm import Session

from mso_academy.api import tokens
from mso_academy.organisations.models import MemberRole, Membership, Organisation
from tests.factories import complete_course, make_course, make_user

LESSON = [[("text_lesson", {"body": "# Lesson\n\nRead me.", "minutes": 5})]]


@pytest.fixture
def token(app: Flask, session: Session) -> str:
    """A manager of `bruecke` holding a certificate, with a token of every scope; some courses to list."""
    manager = make_user(session, name="Mina Manager")
    course = make_course(session, slug="api-course", modules=LESSON)
    make_course(session, slug="other-course", language="tr")
    with app.test_request_context():
        complete_course(session, manager, course)
    organisation = Organisation(name="Brücke e.V.", slug="bruecke")
    session.add(organisation)
    session.flush()
    session.add(Membership(organisation_id=organisation.id, user_id=manager.id, role=MemberRole.MANAGER))
    session.flush()
    return tokens.create_token(session, manager, "schemathesis", [s.value for s in tokens.Scope], 30)[1]


def _operations(app: Flask) -> list[Any]:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


OPERATIONS = 8  # the paths of the document; a new operation must be added to the document (and is then tested)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_conforms_to_its_openapi_document(app: Flask, token: str, mode: GenerationMode) -> None:
    # schemathesis' own pytest plugin does not run on pytest 9 yet; its strategies under Hypothesis do the same.
    operations = _operations(app)
    assert len(operations) == OPERATIONS
    # identity: the in-process WSGI client does not decompress (real clients do; compression has its own test).
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: Any) -> None:
            case.call_and_validate(headers=headers)

        check()
