"""The learner's dashboard: courses assigned by their organisations, courses in progress and completed with their
progress, certificates, suggestions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager

from mso_academy.accounts.models import User
from mso_academy.catalog.models import Activity, Course, Module
from mso_academy.catalog.services import latest_published
from mso_academy.certificates import services as certificates
from mso_academy.certificates.models import Certificate
from mso_academy.learning.models import ActivityProgress, Enrolment
from mso_academy.qualification.assignments import LearnerAssignment, open_for_learner
from mso_academy.qualification.dates import local_date


@dataclass(frozen=True)
class EnrolmentSummary:
    enrolment: Enrolment
    course: Course
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass(frozen=True)
class Dashboard:
    in_progress: list[EnrolmentSummary]
    completed: list[EnrolmentSummary]
    suggested: list[Course]
    certificates: list[Certificate]
    # Courses the learner's organisations asked them to take, not done yet (soonest due first).
    assigned: list[LearnerAssignment] = field(default_factory=list)


def dashboard(session: Session, user: User, suggestions: int = 3, today: date | None = None) -> Dashboard:
    """The learner's courses with progress and certificates, in eight queries whatever their number."""
    enrolments = list(
        session.scalars(
            select(Enrolment)
            .join(Enrolment.course)
            .options(contains_eager(Enrolment.course))
            .where(Enrolment.user_id == user.id)
            .order_by(Enrolment.last_activity_at.desc().nulls_last(), Enrolment.enrolled_at.desc())
        )
    )
    course_ids = [e.course_id for e in enrolments]
    totals = _activity_counts(session, course_ids)
    done = _passed_counts(session, [e.id for e in enrolments])
    summaries = [
        EnrolmentSummary(
            enrolment=e,
            course=e.course,
            done=done.get(e.id, 0),
            total=totals.get((e.course_id, False), 0) + (totals.get((e.course_id, True), 0) if e.cycle > 1 else 0),
        )
        for e in enrolments
    ]
    assigned = open_for_learner(session, user.id, today or local_date())
    suggest_not = [*course_ids, *(a.course.id for a in assigned)]
    return Dashboard(
        in_progress=[s for s in summaries if not s.enrolment.is_completed],
        completed=[s for s in summaries if s.enrolment.is_completed],
        suggested=latest_published(session, suggestions, exclude_ids=suggest_not, language=user.preferred_language),
        certificates=certificates.for_user(session, user.id),
        assigned=assigned,
    )


def _passed_counts(session: Session, enrolment_ids: list[int]) -> Mapping[int, int]:
    if not enrolment_ids:
        return {}
    rows = session.execute(
        select(ActivityProgress.enrolment_id, func.count())
        .where(ActivityProgress.enrolment_id.in_(enrolment_ids), ActivityProgress.passed_at.is_not(None))
        .group_by(ActivityProgress.enrolment_id)
    )
    return dict(rows.all())


def _activity_counts(session: Session, course_ids: list[int]) -> Mapping[tuple[int, bool], int]:
    """Activities per (course, in a renewal module?)."""
    if not course_ids:
        return {}
    rows = session.execute(
        select(Module.course_id, Module.is_renewal, func.count(Activity.id))
        .join(Activity, Activity.module_id == Module.id)
        .where(Module.course_id.in_(course_ids))
        .group_by(Module.course_id, Module.is_renewal)
    )
    return {(course_id, is_renewal): n for course_id, is_renewal, n in rows}
