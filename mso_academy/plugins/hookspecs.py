"""Hook specifications: the contract between MSO Academy and its plugins.

Every hook is documented in ``docs/plugins.md`` and exercised by a test (a meta-test enforces both).
Hooks are called with keyword arguments; an implementation may accept any subset of them.
Lifecycle hooks run inside the current transaction: they may add and flush, never commit.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    from flask import Blueprint
    from sqlalchemy.orm import Session

    from mso_academy.plugins.api import ActivityKind, CourseType

hookspec = pluggy.HookspecMarker("mso_academy")


# --- registration -------------------------------------------------------------------------------------------


@hookspec
def register_course_types() -> list[CourseType]:
    """Course types this plugin provides. Slugs must be unique across all plugins."""


@hookspec
def register_activity_kinds() -> list[ActivityKind]:
    """Activity kinds (instances of `ActivityKind` subclasses). Keys must be unique across all plugins."""


@hookspec
def register_template_dirs() -> list[str | Path]:
    """Folders of Jinja templates for this plugin's activity views and pages.

    Name templates under a folder of the plugin's own (``myplugin/activity.html``) so they cannot clash.
    """


@hookspec
def register_translation_dirs() -> list[str | Path]:
    """Folders of compiled gettext catalogues (``<dir>/<locale>/LC_MESSAGES/messages.mo``) for the plugin's strings.

    They are merged into the interface's catalogue, so ``gettext`` from the plugin API and ``_()`` in the plugin's
    templates translate the plugin's own strings; the core's translation wins where both define one msgid.
    """


@hookspec
def register_blueprints() -> list[Blueprint]:
    """Flask blueprints with the plugin's own pages; the blueprint's name must be unique."""


@hookspec
def register_cli_commands() -> list[click.Command]:
    """Click commands added to the ``mso-academy`` console script."""


# --- lifecycle ----------------------------------------------------------------------------------------------


@hookspec
def enrolled(session: Session, user_id: int, course_slug: str, enrolment_id: int, source: str) -> None:
    """A learner was enrolled in a course (`source` is ``self``, ``trainer`` or ``organisation``)."""


@hookspec
def activity_passed(
    session: Session,
    user_id: int,
    course_slug: str,
    activity_key: str,
    kind: str,
    attempt_id: int,
    score: float,
) -> None:
    """A learner passed an activity for the first time (later passes of the same activity are not reported)."""


@hookspec
def course_completed(
    session: Session, user_id: int, course_slug: str, enrolment_id: int, completed_at: datetime
) -> None:
    """A learner passed every required activity of a course; called once per enrolment."""


@hookspec
def user_deleted(session: Session, user_id: int) -> None:
    """A user account was deleted; the core's rows are gone, `delete_user_data` has already run."""


# --- privacy ------------------------------------------------------------------------------------------------


@hookspec
def export_user_data(session: Session, user_id: int) -> dict[str, Any] | None:
    """The personal data this plugin stores about a user, as JSON-serialisable data (for the GDPR export).

    Return ``None`` when the plugin stores nothing about the user.
    """


@hookspec
def delete_user_data(session: Session, user_id: int) -> None:
    """Delete (or pseudonymise) everything this plugin stores about a user, before the account is removed."""


# --- certificates -------------------------------------------------------------------------------------------


@hookspec
def certificate_contributions(course_slug: str, course_type: str, language: str) -> list[dict[str, str]] | None:
    """Lines this plugin adds to a certificate of a course, e.g. the legal basis covered.

    Return a list of ``{"label": ..., "text": ...}`` (plain text, in the course's `language`) or ``None``.
    They are copied onto the certificate when it is issued and printed on the PDF.
    """


@hookspec
def certificate_issued(
    session: Session, user_id: int, course_slug: str, certificate_code: str, valid_until: datetime | None
) -> None:
    """A certificate was issued for a completed course (`valid_until` None means unlimited)."""


@hookspec
def certificate_revoked(
    session: Session, user_id: int | None, course_slug: str, certificate_code: str, reason: str
) -> None:
    """A certificate was revoked; `user_id` is None when the holder's account no longer exists."""
