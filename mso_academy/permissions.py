"""Named permissions, checked in one place.

Roles grant permissions; object-level rules (a trainer edits their own courses) live in the `can_*` functions.
Views call `require()` or the decorator instead of comparing roles themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from mso_academy.accounts.models import Role, User
from mso_academy.catalog.models import Course


class Permission(StrEnum):
    COURSE_PREVIEW_ANY = "course.preview_any"  # see unpublished courses of others
    COURSE_EDIT_ANY = "course.edit_any"  # edit every course (admins)
    COURSE_CREATE = "course.create"
    ADMIN_USERS = "admin.users"
    ADMIN_PLUGINS = "admin.plugins"
    ORGANISATION_ANY = "organisation.any"  # act as manager of every organisation (admins)
    REPORT_VIEW = "report.view"  # the evaluation report: aggregates only (admins, the funding body)


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.TRAINER: frozenset({Permission.COURSE_CREATE}),
    Role.FUNDER: frozenset({Permission.REPORT_VIEW}),
    Role.ADMIN: frozenset(Permission),
}


def has_permission(user: Any, permission: Permission) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return any(permission in ROLE_PERMISSIONS.get(Role(role), ()) for role in user.role_names)


def can_view_course(user: Any, course: Course) -> bool:
    """Published courses are public; drafts and archived ones only for their owner and admins."""
    if course.is_published:
        return True
    if has_permission(user, Permission.COURSE_PREVIEW_ANY):
        return True
    return can_edit_course(user, course)


def can_edit_course(user: Any, course: Course) -> bool:
    """Owner and co-trainers (who must still hold the trainer role) and admins edit a course."""
    if has_permission(user, Permission.COURSE_EDIT_ANY):
        return True
    if not getattr(user, "is_authenticated", False) or not has_permission(user, Permission.COURSE_CREATE):
        return False
    return course.is_trainer(user.id)


F = TypeVar("F", bound=Callable[..., Any])


def require(permission: Permission) -> Callable[[F], F]:
    """Decorator: 401 (login) for anonymous visitors, 403 for signed-in users without the permission."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                from mso_academy.extensions import login_manager

                return login_manager.unauthorized()
            if not has_permission(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def is_admin(user: User | Any) -> bool:
    return has_permission(user, Permission.ADMIN_USERS)
