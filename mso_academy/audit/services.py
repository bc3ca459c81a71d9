"""Writing and reading the audit log.

`record` is called by the services that do something security-relevant, in the same transaction, so an event
exists exactly when the action happened. Details are for context only (which role, passed or not): a guard
refuses keys that would carry secrets or answers, and callers never put names or e-mail addresses there.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from mso_academy.audit.models import AuditEvent


class Event(StrEnum):
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    TWO_FACTOR_FAILED = "two_factor_failed"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET = "password_reset"
    TWO_FACTOR_ENABLED = "two_factor_enabled"
    TWO_FACTOR_DISABLED = "two_factor_disabled"
    RECOVERY_CODE_USED = "recovery_code_used"
    ROLE_GRANTED = "role_granted"
    ROLE_REVOKED = "role_revoked"
    ACCOUNT_DISABLED = "account_disabled"
    GRADE_CHANGED = "grade_changed"
    CERTIFICATE_REVOKED = "certificate_revoked"
    DATA_EXPORTED = "data_exported"
    ACCOUNT_DELETED = "account_deleted"
    REPORT_EXPORTED = "report_exported"


EVENT_LABELS: dict[Event, Any] = {
    Event.LOGIN: _l("Login"),
    Event.LOGIN_FAILED: _l("Failed login"),
    Event.LOGOUT: _l("Logout"),
    Event.TWO_FACTOR_FAILED: _l("Wrong two-factor code"),
    Event.PASSWORD_CHANGED: _l("Password changed"),
    Event.PASSWORD_RESET: _l("Password reset"),
    Event.TWO_FACTOR_ENABLED: _l("Two-factor login turned on"),
    Event.TWO_FACTOR_DISABLED: _l("Two-factor login turned off"),
    Event.RECOVERY_CODE_USED: _l("Recovery code used"),
    Event.ROLE_GRANTED: _l("Role granted"),
    Event.ROLE_REVOKED: _l("Role revoked"),
    Event.ACCOUNT_DISABLED: _l("Account disabled"),
    Event.GRADE_CHANGED: _l("Grade given by a trainer"),
    Event.CERTIFICATE_REVOKED: _l("Certificate revoked"),
    Event.DATA_EXPORTED: _l("Personal data exported"),
    Event.ACCOUNT_DELETED: _l("Account deleted"),
    Event.REPORT_EXPORTED: _l("Report or list exported"),
}

# Keys that would carry secrets, answers or identities: `record` refuses them.
FORBIDDEN_DETAIL_KEYS = frozenset(
    {"password", "token", "code", "totp", "secret", "answers", "answer", "email", "name", "feedback", "reason"}
)


class UnsafeDetails(ValueError):
    pass


def ip_prefix(address: str | None) -> str | None:
    """The address with its host part zeroed (IPv4 /24, IPv6 /48): enough to see an attack, not to track."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def _check_details(details: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in details.items():
        if key.lower() in FORBIDDEN_DETAIL_KEYS:
            raise UnsafeDetails(f"audit details must not contain {key!r}")
        if not isinstance(value, str | int | float | bool | type(None)):
            raise UnsafeDetails(f"audit detail {key!r} must be a plain value")
    return dict(details)


def record(
    session: Session,
    event: Event | str,
    *,
    actor_id: int | None = None,
    subject_user_id: int | None = None,
    target: tuple[str, str | int] | None = None,
    details: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append an event. The client address is the one thing read from the request, truncated, so that every
    caller does not have to carry it through."""
    address = request.remote_addr if has_request_context() else None
    entry = AuditEvent(
        event=str(Event(event)),
        actor_id=actor_id,
        subject_user_id=subject_user_id,
        target_type=target[0] if target else None,
        target_id=str(target[1]) if target else None,
        ip_prefix=ip_prefix(address),
        details=_check_details(details or {}),
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class AuditFilters:
    event: str | None = None
    user_id: int | None = None  # as actor or as subject
    start: date | None = None
    end: date | None = None  # inclusive


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    page: int
    pages: int
    total: int


def search(session: Session, filters: AuditFilters, page: int = 1, per_page: int = 50) -> AuditPage:
    """Newest first, filtered; dates are whole days in UTC."""
    conditions: list[Any] = []
    if filters.event:
        conditions.append(AuditEvent.event == filters.event)
    if filters.user_id is not None:
        conditions.append(or_(AuditEvent.actor_id == filters.user_id, AuditEvent.subject_user_id == filters.user_id))
    if filters.start is not None:
        conditions.append(AuditEvent.occurred_at >= datetime.combine(filters.start, time.min, UTC))
    if filters.end is not None:
        conditions.append(AuditEvent.occurred_at < datetime.combine(filters.end + timedelta(days=1), time.min, UTC))
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    events = session.scalars(
        select(AuditEvent)
        .where(*conditions)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return AuditPage(events=list(events), page=page, pages=pages, total=total)


def about_user(session: Session, user_id: int, since: datetime) -> list[AuditEvent]:
    """Every event in which the user acted or was acted upon since the account was made (for the data export).

    `since` matters on SQLite, which may give a new account the id of a deleted one: the log keeps the deleted
    account's events under that number, and they must not appear in the newcomer's export.
    """
    return list(
        session.scalars(
            select(AuditEvent)
            .where(
                or_(AuditEvent.actor_id == user_id, AuditEvent.subject_user_id == user_id),
                AuditEvent.occurred_at >= since,
            )
            .order_by(AuditEvent.id)
        )
    )


def as_dict(entry: AuditEvent) -> dict[str, Any]:
    return {
        "occurred_at": entry.occurred_at.isoformat(),
        "event": entry.event,
        "actor_id": entry.actor_id,
        "subject_user_id": entry.subject_user_id,
        "target": f"{entry.target_type}:{entry.target_id}" if entry.target_type else None,
        "ip_prefix": entry.ip_prefix,
        "details": entry.details,
    }
