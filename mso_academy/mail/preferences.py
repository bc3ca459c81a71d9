"""Reminder preferences: which reminder mails a person wants, and the signed one-click unsubscribe links.

Every kind of reminder is on unless the user opted out (`users.reminder_opt_outs`, a JSON list of kinds). A
reminder mail carries a link naming the user and the kind, signed with the secret key: it works without logging
in, for as long as the key stays (old mails keep working), and can do one thing only, switch that reminder off.
Mail that a person needs to act on an account (confirmation, password reset, invitation) is not a reminder and
cannot be switched off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from mso_academy import mail

if TYPE_CHECKING:
    from mso_academy.accounts.models import User

ASSIGNMENT_DUE = "assignment_due"
CERTIFICATE_EXPIRING = "certificate_expiring"

# Every reminder kind with the label a person chooses it by (profile page, unsubscribe page).
REMINDER_KINDS = {
    ASSIGNMENT_DUE: _l("Before a course that my organisation assigned to me is due"),
    CERTIFICATE_EXPIRING: _l("Before one of my certificates expires"),
}

_SALT = "mso_academy.mail.unsubscribe"


class InvalidUnsubscribeLink(Exception):
    """The link was altered, names an unknown reminder, or was signed with another key."""


def wants(user: User, kind: str) -> bool:
    """Whether `user` wants reminders of `kind` (everyone does until they opt out)."""
    return kind not in (user.reminder_opt_outs or [])


def set_wanted(session: Session, user: User, wanted: set[str]) -> None:
    """Keep exactly the kinds in `wanted` switched on (unknown kinds are ignored)."""
    user.reminder_opt_outs = sorted(kind for kind in REMINDER_KINDS if kind not in wanted)
    session.flush()


def opt_out(session: Session, user: User, kind: str) -> bool:
    """Switch reminders of `kind` off for `user`; False when they already were off."""
    if kind not in REMINDER_KINDS:
        raise InvalidUnsubscribeLink(kind)
    current = list(user.reminder_opt_outs or [])
    if kind in current:
        return False
    user.reminder_opt_outs = sorted([*current, kind])  # a new list, so the JSON column is written
    session.flush()
    return True


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def unsubscribe_token(user: User, kind: str) -> str:
    return _serializer().dumps([user.id, kind])


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """The user id and kind a link names; raises InvalidUnsubscribeLink otherwise."""
    try:
        user_id, kind = _serializer().loads(token)
    except (BadSignature, TypeError, ValueError):
        raise InvalidUnsubscribeLink(token) from None
    if not isinstance(user_id, int) or kind not in REMINDER_KINDS:
        raise InvalidUnsubscribeLink(token)
    return user_id, kind


def compose_reminder(user: User, kind: str, subject: str, template: str, **context: object) -> mail.Mail:
    """A reminder mail of `kind` to `user`, in their language, with its unsubscribe link and headers."""
    link = mail.external_url("mail.unsubscribe", token=unsubscribe_token(user, kind))
    return mail.compose(
        user.email, user.preferred_language, subject, template, kind=kind, unsubscribe_url=link, user=user, **context
    )
