"""Where a learner stands in a course: each activity passed, open or locked, counted per module.

Built from the course outline and the learner's progress rows in one query; `relock` keeps the order rule
(an activity opens once every required activity before it is passed) true as activities are passed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from mso_academy.catalog.models import Activity, Course, Module
from mso_academy.errors import NotFound
from mso_academy.learning.models import ActivityProgress, Enrolment


@dataclass
class ActivityState:
    activity: Activity
    passed: bool
    locked: bool
    attempts: int
    best_score: float


@dataclass
class ModuleState:
    module: Module
    activities: list[ActivityState]

    @property
    def done(self) -> int:
        return sum(1 for a in self.activities if a.passed)

    @property
    def total(self) -> int:
        return len(self.activities)


@dataclass
class CourseProgress:
    course: Course
    enrolment: Enrolment
    modules: list[ModuleState] = field(default_factory=list)
    # The stored progress rows by activity id, so that a submission updates the row it read instead of reading it again.
    rows: dict[int, ActivityProgress] = field(default_factory=dict)

    @property
    def states(self) -> list[ActivityState]:
        return [a for m in self.modules for a in m.activities]

    @property
    def done(self) -> int:
        return sum(m.done for m in self.modules)

    @property
    def total(self) -> int:
        return sum(m.total for m in self.modules)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def next_activity(self) -> Activity | None:
        """Where the learner continues: the first activity not yet passed (None when all are done)."""
        for state in self.states:
            if not state.passed and not state.locked:
                return state.activity
        return None

    def relock(self) -> None:
        """An activity is open once every required activity before it is passed."""
        blocked = False
        for state in self.states:
            state.locked = blocked and not state.passed
            if state.activity.required and not state.passed:
                blocked = True

    def state_of(self, activity_id: int) -> ActivityState:
        for state in self.states:
            if state.activity.id == activity_id:
                return state
        raise NotFound(_("This activity does not exist."))

    def neighbours(self, activity_id: int) -> tuple[Activity | None, Activity | None]:
        states = self.states
        for index, state in enumerate(states):
            if state.activity.id == activity_id:
                previous = states[index - 1].activity if index > 0 else None
                following = states[index + 1].activity if index + 1 < len(states) else None
                return previous, following
        return None, None


def course_progress(
    session: Session, course: Course, enrolment: Enrolment, rows: Iterable[ActivityProgress] | None = None
) -> CourseProgress:
    """The learner's state of every activity; `course` must have its outline loaded.

    `rows` are the enrolment's progress rows when the caller loaded them with the enrolment (see
    `learning.services.find_enrolment`); otherwise they cost one query here.
    """
    if rows is None:
        rows = session.scalars(select(ActivityProgress).where(ActivityProgress.enrolment_id == enrolment.id))
    progress = CourseProgress(course=course, enrolment=enrolment, rows={p.activity_id: p for p in rows})
    rows_by_activity = progress.rows
    for module in course.modules:
        if module.is_renewal and enrolment.cycle == 1:
            continue  # renewal modules are for renewing a certificate, not for the first pass
        states = []
        for activity in module.activities:
            row = rows_by_activity.get(activity.id)
            states.append(
                ActivityState(
                    activity=activity,
                    passed=bool(row and row.passed),
                    locked=False,
                    attempts=row.attempts_count if row else 0,
                    best_score=row.best_score if row else 0.0,
                )
            )
        progress.modules.append(ModuleState(module=module, activities=states))
    progress.relock()
    return progress
