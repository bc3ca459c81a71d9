"""The learner's dashboard: courses assigned by their organisations, courses in progress and completed with their
progress, certificates, suggestions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager
from sqlalchemy.sql.selectable import ScalarSelect

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
    """The learner's courses with progress and certificates, in four queries whatever their number."""
    rows = session.execute(
        select(Enrolment, *_counts())
        .join(Enrolment.course)
        .options(contains_eager(Enrolment.course))
        .where(Enrolment.user_id == user.id)
        .order_by(Enrolment.last_activity_at.desc().nulls_last(), Enrolment.enrolled_at.desc())
    ).all()
    summaries = [
        EnrolmentSummary(
            enrolment=e, course=e.course, done=done or 0, total=(first or 0) + ((renewal or 0) if e.cycle > 1 else 0)
        )
        for e, first, renewal, done in rows
    ]
    assigned = open_for_learner(session, user.id, today or local_date())
    suggest_not = [*(s.course.id for s in summaries), *(a.course.id for a in assigned)]
    return Dashboard(
        in_progress=[s for s in summaries if not s.enrolment.is_completed],
        completed=[s for s in summaries if s.enrolment.is_completed],
        suggested=latest_published(session, suggestions, exclude_ids=suggest_not, language=user.preferred_language),
        certificates=certificates.for_user(session, user.id),
        assigned=assigned,
    )


def _counts() -> tuple[ScalarSelect[int], ScalarSelect[int], ScalarSelect[int]]:
    """Per enrolment row: activities of the first pass, activities of renewal modules, activities passed."""

    def activities(renewal: bool) -> ScalarSelect[int]:
        return (
            select(func.count(Activity.id))
            .join(Module, Module.id == Activity.module_id)
            .where(Module.course_id == Enrolment.course_id, Module.is_renewal.is_(renewal))
            .correlate(Enrolment)
            .scalar_subquery()
        )

    passed = (
        select(func.count(ActivityProgress.id))
        .where(ActivityProgress.enrolment_id == Enrolment.id, ActivityProgress.passed_at.is_not(None))
        .correlate(Enrolment)
        .scalar_subquery()
    )
    return activities(False), activities(True), passed
