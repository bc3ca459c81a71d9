"""The OpenAPI 3.1 description of /api/v1, written by hand and checked against the running API by schemathesis."""

from __future__ import annotations

from typing import Any

from flask import current_app

from mso_academy.api.tokens import SCOPE_LABELS, Scope

NULLABLE_STRING = {"type": ["string", "null"]}
DATE = {"type": ["string", "null"], "format": "date"}
TIME = {"type": ["string", "null"], "format": "date-time"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _list_of(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["items", *extra],
        "properties": {"items": {"type": "array", "items": _ref(name)}, **extra},
    }


def _errors(*statuses: int) -> dict[str, Any]:
    descriptions = {
        400: "Invalid parameter",
        401: "Missing, unknown, expired or revoked token",
        403: "The token lacks the scope",
        404: "Not found (or not yours to see)",
        405: "Method not allowed",
        429: "Too many requests",
        500: "Server error",
    }
    return {
        str(s): {"description": descriptions[s], "content": {"application/json": {"schema": _ref("Error")}}}
        for s in statuses
    }


def _ok(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"200": {"description": description, "content": {"application/json": {"schema": schema}}}}


def _operation(
    summary: str,
    response: dict[str, Any],
    *,
    scope: Scope | None = None,
    errors: tuple[int, ...] = (),
    parameters: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "responses": {**response, **_errors(*errors, 405, 429, 500)},
    }
    if parameters:
        operation["parameters"] = parameters
    if scope is not None:
        operation["security"] = [{"token": [scope.value]}]
        operation["responses"].update(_errors(401, 403))
    else:
        operation["security"] = []
    return operation


def _path_parameter(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[A-Za-z0-9_-]+$"},
    }


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


COURSE_PROPERTIES = {
    "slug": {"type": "string"},
    "title": {"type": "string"},
    "summary": {"type": "string"},
    "language": {"type": "string"},
    "course_type": {"type": "string"},
    "level": {"type": "string"},
    "duration_minutes": {"type": "integer"},
    "version": {"type": "string"},
    "certificate_validity_months": {"type": ["integer", "null"]},
    "translation_group": NULLABLE_STRING,
    "url": {"type": "string", "format": "uri"},
}

COURSE_REFERENCE = {
    "type": "object",
    "required": ["slug", "title"],
    "properties": {"slug": {"type": "string"}, "title": {"type": "string"}},
}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["status", "code", "message"],
                "properties": {
                    "status": {"type": "integer"},
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                },
            }
        },
    },
    "Course": {"type": "object", "required": list(COURSE_PROPERTIES), "properties": COURSE_PROPERTIES},
    "CourseDetail": {
        "allOf": [
            _ref("Course"),
            {
                "type": "object",
                "required": ["description", "learning_outcomes", "modules"],
                "properties": {
                    "description": {"type": "string"},
                    "learning_outcomes": {"type": "array", "items": {"type": "string"}},
                    "modules": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["key", "title", "activities"],
                            "properties": {
                                "key": {"type": "string"},
                                "title": {"type": "string"},
                                "activities": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["key", "title", "kind"],
                                        "properties": {
                                            "key": {"type": "string"},
                                            "title": {"type": "string"},
                                            "kind": {"type": "string"},
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        ]
    },
    "CoursePage": {
        "type": "object",
        "required": ["items", "page", "per_page", "total", "pages"],
        "properties": {
            "items": {"type": "array", "items": _ref("Course")},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
            "total": {"type": "integer", "minimum": 0},
            "pages": {"type": "integer", "minimum": 1},
        },
    },
    "Verification": {
        "type": "object",
        "required": ["code", "status", "holder", "course", "issued_on", "valid_until", "issuer", "verify_url"],
        "properties": {
            "code": {"type": "string"},
            "status": {"type": "string", "enum": ["valid", "expired", "revoked"]},
            "holder": {**NULLABLE_STRING, "description": "null when the holder deleted their account"},
            "course": {"type": "string"},
            "course_version": {"type": "string"},
            "issued_on": {"type": "string", "format": "date"},
            "valid_until": DATE,
            "revoked_on": DATE,
            "revocation_reason": NULLABLE_STRING,
            "issuer": {"type": "object", "properties": {"name": {"type": "string"}, "address": {"type": "string"}}},
            "verify_url": {"type": "string", "format": "uri"},
        },
    },
    "Enrolment": {
        "type": "object",
        "required": ["course", "status", "enrolled_at", "completed_at", "progress"],
        "properties": {
            "course": {"type": "object", "properties": {k: {"type": "string"} for k in ("slug", "title", "language")}},
            "status": {"type": "string", "enum": ["active", "completed"]},
            "source": {"type": "string"},
            "cycle": {"type": "integer", "minimum": 1},
            "enrolled_at": {"type": "string", "format": "date-time"},
            "completed_at": TIME,
            "progress": {
                "type": "object",
                "required": ["done", "total", "percent"],
                "properties": {
                    "done": {"type": "integer", "minimum": 0},
                    "total": {"type": "integer", "minimum": 0},
                    "percent": {"type": "integer", "minimum": 0, "maximum": 100},
                },
            },
        },
    },
    "Certificate": {
        "type": "object",
        "required": ["code", "course", "status", "issued_on", "valid_until", "verify_url"],
        "properties": {
            "code": {"type": "string"},
            "course": {"type": "object", "properties": {k: {"type": "string"} for k in ("slug", "title", "version")}},
            "status": {"type": "string", "enum": ["valid", "expired", "revoked"]},
            "issued_on": {"type": "string", "format": "date"},
            "valid_until": DATE,
            "verify_url": {"type": "string", "format": "uri"},
        },
    },
    "Organisation": {
        "type": "object",
        "required": ["slug", "name"],
        "properties": {"slug": {"type": "string"}, "name": {"type": "string"}},
    },
    "Member": {
        "type": "object",
        "required": ["user_id", "name", "email", "role", "functions"],
        "properties": {
            "user_id": {"type": "integer"},
            "name": {"type": "string"},
            "email": {"type": "string"},
            "role": {"type": "string", "enum": ["manager", "member"]},
            "functions": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Qualification": {
        "type": "object",
        "required": ["user_id", "name", "course", "state", "valid_until", "required", "assigned", "due_on"],
        "properties": {
            "user_id": {"type": "integer"},
            "name": {"type": "string"},
            "course": {"type": "object", "properties": {"slug": {"type": "string"}, "title": {"type": "string"}}},
            "state": {"type": "string", "enum": ["valid", "expiring", "expired", "in_progress", "missing"]},
            "valid_until": DATE,
            "required": {"type": "boolean"},
            "assigned": {"type": "boolean"},
            "due_on": DATE,
        },
    },
}

PAGE = _query("page", "Page number (1 is the first)", {"type": "integer", "minimum": 1, "maximum": 100000})
PER_PAGE = _query("per_page", "Courses per page", {"type": "integer", "minimum": 1, "maximum": 100})
# Any text but control characters: the app refuses a NUL anywhere in a request with 400.
TEXT = {"type": "string", "maxLength": 200, "pattern": "^[^\\u0000-\\u001f]*$"}
FILTERS = [
    _query("q", "Words that title, summary or description must contain", TEXT),
    _query("language", "Language code of the course, e.g. de", TEXT),
    _query("course_type", "Course type slug, e.g. vereinsrecht", TEXT),
    _query("level", "beginner, intermediate or advanced", TEXT),
]
ORGANISATION = _path_parameter("slug", "The organisation's short name, as in its web address")

PATHS: dict[str, Any] = {
    "/courses": {
        "get": _operation(
            "Published courses, newest first",
            _ok(_ref("CoursePage")),
            errors=(400,),
            parameters=[*FILTERS, PAGE, PER_PAGE],
        )
    },
    "/courses/{slug}": {
        "get": _operation(
            "A published course with its modules and activities",
            _ok(_ref("CourseDetail")),
            errors=(404,),
            parameters=[_path_parameter("slug", "The course's short name")],
        )
    },
    "/certificates/{code}/verification": {
        "get": _operation(
            "Whether a certificate is valid (public, as on the verification page)",
            _ok(_ref("Verification")),
            errors=(404,),
            parameters=[_path_parameter("code", "The verification code printed on the certificate")],
        )
    },
    "/me/enrolments": {
        "get": _operation("My courses with progress", _ok(_list_of("Enrolment")), scope=Scope.LEARNING_READ)
    },
    "/me/certificates": {"get": _operation("My certificates", _ok(_list_of("Certificate")), scope=Scope.LEARNING_READ)},
    "/organisations": {
        "get": _operation("The organisations I manage", _ok(_list_of("Organisation")), scope=Scope.ORGANISATIONS_READ)
    },
    "/organisations/{slug}/members": {
        "get": _operation(
            "Members of an organisation I manage",
            _ok(_list_of("Member")),
            scope=Scope.ORGANISATIONS_READ,
            errors=(404,),
            parameters=[ORGANISATION],
        )
    },
    "/organisations/{slug}/certificates": {
        "get": _operation(
            "Each member's certificate state for every course the organisation requires or assigned",
            _ok(_list_of("Qualification", courses={"type": "array", "items": COURSE_REFERENCE})),
            scope=Scope.ORGANISATIONS_READ,
            errors=(404,),
            parameters=[ORGANISATION],
        )
    },
}


def document() -> dict[str, Any]:
    base = current_app.config.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{current_app.config['SITE_NAME']} API",
            "version": "1.0.0",
            "description": (
                "Read access to the catalogue, your own learning and certificates, and (for organisation "
                "managers) your organisation's members and their certificates. Create a personal access token "
                "in your profile and send it as `Authorization: Bearer <token>`. Errors are JSON: "
                '`{"error": {"status": 404, "code": "not_found", "message": "…"}}`.'
            ),
        },
        "servers": [{"url": f"{base}/api/v1"}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal access token; scopes: "
                    + "; ".join(f"{scope.value}: {label}" for scope, label in SCOPE_LABELS.items()),
                }
            },
        },
    }
