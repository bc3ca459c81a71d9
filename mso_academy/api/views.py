"""/api/v1: JSON only, authenticated by personal access tokens (never by the session cookie, so no CSRF).

Errors have one shape everywhere: ``{"error": {"status": 404, "code": "not_found", "message": "…"}}``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from mso_academy.api import serializers, tokens
from mso_academy.api.openapi import document
from mso_academy.catalog import services as catalogue
from mso_academy.certificates import services as certificates
from mso_academy.db import get_session, utcnow
from mso_academy.errors import DomainError
from mso_academy.learning.dashboard import dashboard
from mso_academy.organisations import access
from mso_academy.organisations.models import MemberRole, Membership, Organisation
from mso_academy.qualification.matrix import load as load_matrix

bp = Blueprint("api", __name__, url_prefix="/api/v1")

MAX_PER_PAGE = 100
MAX_TEXT = 200
View = TypeVar("View", bound=Callable[..., Any])


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    response = jsonify(error={"status": status, "code": code, "message": message})
    response.status_code = status
    response.headers.update(headers or {})
    return response


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError) -> Response:
    return error_response(exc.status, exc.code, exc.message, exc.headers)


@bp.errorhandler(500)
def _internal_error(exc: Exception) -> Response:
    return error_response(500, "internal_error", "Something went wrong on our side. Please try again later.")


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError) -> Response:
    return error_response(exc.status_code, "not_found" if exc.status_code == 404 else "invalid", exc.message)


def handle_http_error(exc: HTTPException) -> Response:
    """Werkzeug's errors (404 of unknown paths, 405, 413, 429) on /api/ paths, in the API's shape."""
    code = (exc.name or "error").lower().replace(" ", "_")
    headers = {k: v for k, v in exc.get_headers() if k.lower() in {"allow", "retry-after"}}
    return error_response(exc.code or 500, code, exc.description or exc.name, headers)


def _user() -> Any:
    return g.api_user


def requires(scope: tokens.Scope) -> Callable[[View], View]:
    """The request must carry a valid bearer token with `scope`; 401 otherwise (403 for a missing scope)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            found = tokens.authenticate(get_session(), token.strip()) if scheme.lower() == "bearer" else None
            if found is None:
                raise ApiError(
                    401,
                    "unauthorized",
                    "A valid personal access token is required.",
                    {"WWW-Authenticate": 'Bearer realm="mso-academy"'},
                )
            user, record = found
            if scope not in record.scopes:
                raise ApiError(403, "insufficient_scope", f"The token lacks the scope {scope.value!r}.")
            g.api_user = user
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def _int_arg(name: str, default: int, lowest: int, highest: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not lowest <= int(raw) <= highest:
        raise ApiError(400, "invalid_parameter", f"{name} must be a whole number from {lowest} to {highest}.")
    return int(raw)


def _text_arg(name: str) -> str:
    value = request.args.get(name, "")
    if len(value) > MAX_TEXT:
        raise ApiError(400, "invalid_parameter", f"{name} may have at most {MAX_TEXT} characters.")
    if any(ord(character) < 0x20 for character in value):
        raise ApiError(400, "invalid_parameter", f"{name} may not contain control characters.")
    return value


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(document())


@bp.get("/courses")
def courses() -> Response:
    per_page = _int_arg("per_page", 20, 1, MAX_PER_PAGE)
    query = catalogue.CatalogueQuery(
        text=_text_arg("q"),
        course_type=_text_arg("course_type"),
        language=_text_arg("language"),
        level=_text_arg("level"),
        page=_int_arg("page", 1, 1, 100_000),
    )
    page = catalogue.search(get_session(), query, per_page)
    return jsonify(
        items=[serializers.course(item) for item in page.items],
        page=page.page,
        per_page=per_page,
        total=page.total,
        pages=page.pages,
    )


@bp.get("/courses/<slug>")
def course(slug: str) -> Response:
    found = catalogue.course_by_slug(get_session(), slug, None)  # published courses only: no viewer
    return jsonify(serializers.course_detail(found))


@bp.get("/certificates/<code>/verification")
def verification(code: str) -> Response:
    certificate = certificates.by_code(get_session(), code)
    if certificate is None:
        raise ApiError(404, "not_found", "No certificate has this code.")
    return jsonify({**certificates.public_record(certificate), "verify_url": certificates.verify_url(certificate.code)})


@bp.get("/me/enrolments")
@requires(tokens.Scope.LEARNING_READ)
def my_enrolments() -> Response:
    board = dashboard(get_session(), _user(), suggestions=0)
    return jsonify(items=[serializers.enrolment(s) for s in (*board.in_progress, *board.completed)])


@bp.get("/me/certificates")
@requires(tokens.Scope.LEARNING_READ)
def my_certificates() -> Response:
    now = utcnow()
    held = certificates.for_user(get_session(), _user().id)
    return jsonify(items=[serializers.certificate(item, now) for item in held])


@bp.get("/organisations")
@requires(tokens.Scope.ORGANISATIONS_READ)
def organisations() -> Response:
    from sqlalchemy import select

    managed = get_session().scalars(
        select(Organisation)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == _user().id, Membership.role == MemberRole.MANAGER)
        .order_by(Organisation.name)
    )
    return jsonify(items=[{"slug": o.slug, "name": o.name} for o in managed])


def _managed(slug: str) -> Organisation:
    if len(slug) > MAX_TEXT:
        raise ApiError(404, "not_found", "This organisation does not exist.")
    return access.managed_organisation(get_session(), _user(), slug)


@bp.get("/organisations/<slug>/members")
@requires(tokens.Scope.ORGANISATIONS_READ)
def organisation_members(slug: str) -> Response:
    snapshot = load_matrix(get_session(), _managed(slug))
    return jsonify(items=[serializers.member(m) for m in snapshot.members])


@bp.get("/organisations/<slug>/certificates")
@requires(tokens.Scope.ORGANISATIONS_READ)
def organisation_certificates(slug: str) -> Response:
    snapshot = load_matrix(get_session(), _managed(slug))
    items = [
        serializers.qualification(member, column, snapshot.cell(member.user_id, column.course_id))
        for member in snapshot.members
        for column in snapshot.columns
    ]
    return jsonify(items=items, courses=[{"slug": c.slug, "title": c.title} for c in snapshot.columns])


def init_app(app: Any) -> None:
    """API errors outside a view (unknown path, wrong method) answer in JSON too."""
    from mso_academy.extensions import csrf

    csrf.exempt(bp)
    previous = app.handle_http_exception

    def handle(exc: HTTPException) -> Any:
        if request.path.startswith(bp.url_prefix or "/api/v1") and exc.code is not None:
            return handle_http_error(exc)
        return previous(exc)

    app.handle_http_exception = handle
