"""Domain errors: services raise them, views turn them into messages or status codes."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain was broken; `message` is shown to the user (already translated)."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The object does not exist or the user may not know that it does (answered with 404)."""

    status_code = 404


class Conflict(DomainError):
    """The change collides with stored state (duplicate, already done)."""

    status_code = 409


class Forbidden(DomainError):
    status_code = 403
