"""JSON shapes of the API (described in `openapi.py`; schemathesis checks that they agree)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from mso_academy.catalog.models import Course
from mso_academy.certificates.models import Certificate
from mso_academy.learning.dashboard import EnrolmentSummary
from mso_academy.mail import external_url
from mso_academy.qualification.matrix import Cell, Column, Member


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def _day(moment: datetime | date | None) -> str | None:
    if moment is None:
        return None
    return (moment.date() if isinstance(moment, datetime) else moment).isoformat()


def course(item: Course) -> dict[str, Any]:
    return {
        "slug": item.slug,
        "title": item.title,
        "summary": item.summary,
        "language": item.language,
        "course_type": item.course_type,
        "level": item.level,
        "duration_minutes": item.duration_minutes,
        "version": item.version,
        "certificate_validity_months": item.certificate_validity_months,
        "translation_group": item.translation_group,
        "url": external_url("catalog.course", slug=item.slug),
    }


def course_detail(item: Course) -> dict[str, Any]:
    return {
        **course(item),
        "description": item.description,
        "learning_outcomes": list(item.learning_outcomes or []),
        "modules": [
            {
                "key": module.key,
                "title": module.title,
                "activities": [
                    {"key": activity.key, "title": activity.title, "kind": activity.kind}
                    for activity in module.activities
                ],
            }
            for module in item.modules
        ],
    }


def enrolment(summary: EnrolmentSummary) -> dict[str, Any]:
    entry = summary.enrolment
    return {
        "course": {"slug": summary.course.slug, "title": summary.course.title, "language": summary.course.language},
        "status": entry.status,
        "source": entry.source,
        "cycle": entry.cycle,
        "enrolled_at": _time(entry.enrolled_at),
        "completed_at": _time(entry.completed_at),
        "progress": {"done": summary.done, "total": summary.total, "percent": summary.percent},
    }


def certificate(item: Certificate, now: datetime) -> dict[str, Any]:
    return {
        "code": item.code,
        "course": {"slug": item.course_slug, "title": item.course_title, "version": item.course_version},
        "status": item.state(now),
        "issued_on": _day(item.issued_at),
        "valid_until": _day(item.valid_until),
        "verify_url": external_url("certificates.verify", code=item.code),
    }


def member(item: Member) -> dict[str, Any]:
    return {
        "user_id": item.user_id,
        "name": item.name,
        "email": item.email,
        "role": item.role,
        "functions": list(item.functions),
    }


def qualification(item: Member, column: Column, cell: Cell) -> dict[str, Any]:
    return {
        "user_id": item.user_id,
        "name": item.name,
        "course": {"slug": column.slug, "title": column.title},
        "state": str(cell.state),
        "valid_until": _day(cell.valid_until),
        "required": cell.required,
        "assigned": cell.assigned,
        "due_on": _day(cell.due_on),
    }
