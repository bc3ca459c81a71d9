"""Learning: enrolment, the order of activities, attempts and grading, progress and completion.

Rules:
- A learner works through activities in order: an activity opens once every required activity before it is
  passed. Coming back resumes at the first activity not yet passed.
- An attempt is stored once per submission token (a form sent twice is one attempt) and numbered per activity;
  unique constraints keep both true under concurrent requests.
- A course is completed when every required activity is passed; the completion row is unique per enrolment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager

from mso_academy.accounts.models import User
from mso_academy.catalog.models import Activity, Course, Module
from mso_academy.catalog.services import activities_in_order, latest_published
from mso_academy.certificates import services as certificates
from mso_academy.certificates.models import Certificate
from mso_academy.db import utcnow
from mso_academy.errors import Conflict, DomainError, NotFound
from mso_academy.learning.models import (
    ActivityProgress,
    Attempt,
    Completion,
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
)
from mso_academy.plugins.api import ActivityKind, AnswerError, AttemptView, FormData
from mso_academy.plugins.manager import PluginManager


class NotEnrolled(DomainError):
    status_code = 403


class ActivityLocked(DomainError):
    status_code = 403


class KindMissing(DomainError):
    status_code = 503


# --- enrolment ----------------------------------------------------------------------------------------------


def find_enrolment(session: Session, user_id: int, course_id: int) -> Enrolment | None:
    return session.scalar(select(Enrolment).where(Enrolment.user_id == user_id, Enrolment.course_id == course_id))


def enrol(
    session: Session, plugins: PluginManager, user: User, course: Course, source: EnrolmentSource = EnrolmentSource.SELF
) -> Enrolment:
    """Enrol `user`; `Conflict` if already enrolled (checked, and guarded by a unique constraint)."""
    if not course.is_published:
        raise NotFound(_("This course does not exist."))
    if find_enrolment(session, user.id, course.id) is not None:
        raise Conflict(_("You are already enrolled in this course."))
    enrolment = Enrolment(user_id=user.id, course_id=course.id, source=str(source))
    try:
        with session.begin_nested():
            session.add(enrolment)
    except IntegrityError:
        raise Conflict(_("You are already enrolled in this course.")) from None
    plugins.hook.enrolled(
        session=session, user_id=user.id, course_slug=course.slug, enrolment_id=enrolment.id, source=str(source)
    )
    return enrolment


# --- progress -----------------------------------------------------------------------------------------------


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


def course_progress(session: Session, course: Course, enrolment: Enrolment) -> CourseProgress:
    """The learner's state of every activity; `course` must have its outline loaded (one extra query)."""
    rows = {
        p.activity_id: p
        for p in session.scalars(select(ActivityProgress).where(ActivityProgress.enrolment_id == enrolment.id))
    }
    progress = CourseProgress(course=course, enrolment=enrolment)
    for module in course.modules:
        if module.is_renewal and enrolment.cycle == 1:
            continue  # renewal modules are for renewing a certificate, not for the first pass
        states = []
        for activity in module.activities:
            row = rows.get(activity.id)
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


def learner_progress(session: Session, user: User, course: Course) -> CourseProgress:
    enrolment = find_enrolment(session, user.id, course.id)
    if enrolment is None:
        raise NotEnrolled(_("Enrol in this course to start learning."))
    return course_progress(session, course, enrolment)


def open_activity(progress: CourseProgress, activity_id: int) -> ActivityState:
    state = progress.state_of(activity_id)
    if state.locked:
        raise ActivityLocked(_("Please finish the previous activities first."))
    return state


def attempts_for(session: Session, enrolment_id: int, activity_id: int) -> list[Attempt]:
    return list(
        session.scalars(
            select(Attempt)
            .where(Attempt.enrolment_id == enrolment_id, Attempt.activity_id == activity_id)
            .order_by(Attempt.number)
        )
    )


def attempt_view(attempt: Attempt) -> AttemptView:
    return AttemptView(
        number=attempt.number,
        score=attempt.score,
        passed=attempt.passed,
        answers=attempt.answers,
        feedback=attempt.feedback,
        summary=attempt.summary,
        submitted_at=attempt.submitted_at,
    )


# --- submitting ---------------------------------------------------------------------------------------------


def kind_for(plugins: PluginManager, activity: Activity) -> ActivityKind:
    kind = plugins.kind(activity.kind)
    if kind is None:
        raise KindMissing(
            _("This activity cannot be shown because its plugin is not installed. Please tell the course's trainer.")
        )
    return kind


def submit(
    session: Session,
    plugins: PluginManager,
    progress: CourseProgress,
    activity_id: int,
    form: FormData,
    submission_token: str,
) -> Attempt:
    """Grade and store one attempt; the same `submission_token` twice returns the first attempt."""
    enrolment = progress.enrolment
    state = open_activity(progress, activity_id)
    activity = state.activity
    if not submission_token or len(submission_token) > 64:
        raise DomainError(_("The form was incomplete. Please reload the page and try again."))
    existing = session.scalar(
        select(Attempt).where(
            Attempt.enrolment_id == enrolment.id,
            Attempt.activity_id == activity.id,
            Attempt.submission_token == submission_token,
        )
    )
    if existing is not None:
        return existing
    kind = kind_for(plugins, activity)
    if state.passed:
        raise Conflict(_("You have passed this activity already."))
    limit = kind.max_attempts(activity.content)
    if limit is not None and state.attempts >= limit:
        raise Conflict(_("You have used all attempts for this activity."))
    try:
        answers = kind.parse_answers(activity.content, form)
    except AnswerError as exc:
        raise DomainError(str(exc)) from None
    grade = kind.grade(activity.content, answers)
    attempt = Attempt(
        enrolment_id=enrolment.id,
        activity_id=activity.id,
        number=_last_attempt_number(session, enrolment.id, activity.id) + 1,
        submission_token=submission_token,
        answers=dict(answers),
        score=grade.score,
        passed=grade.passed,
        feedback=dict(grade.feedback),
        summary=str(grade.summary)[:500],
    )
    try:
        with session.begin_nested():
            session.add(attempt)
    except IntegrityError:
        # A concurrent request stored this token (or this attempt number) first.
        duplicate = session.scalar(
            select(Attempt).where(
                Attempt.enrolment_id == enrolment.id,
                Attempt.activity_id == activity.id,
                Attempt.submission_token == submission_token,
            )
        )
        if duplicate is not None:
            return duplicate
        raise Conflict(_("This answer was sent twice at the same time. Please reload the page.")) from None
    _record_progress(session, plugins, progress, state, attempt)
    return attempt


def _last_attempt_number(session: Session, enrolment_id: int, activity_id: int) -> int:
    """Attempts are numbered across renewal cycles; the limit counts only the current cycle's."""
    last = session.scalar(
        select(func.max(Attempt.number)).where(Attempt.enrolment_id == enrolment_id, Attempt.activity_id == activity_id)
    )
    return last or 0


def _record_progress(
    session: Session, plugins: PluginManager, progress: CourseProgress, state: ActivityState, attempt: Attempt
) -> None:
    enrolment = progress.enrolment
    row = session.scalar(
        select(ActivityProgress).where(
            ActivityProgress.enrolment_id == enrolment.id, ActivityProgress.activity_id == attempt.activity_id
        )
    )
    if row is None:
        row = ActivityProgress(
            enrolment_id=enrolment.id, activity_id=attempt.activity_id, attempts_count=0, best_score=0.0
        )
        session.add(row)
    row.attempts_count += 1
    row.best_score = max(row.best_score, attempt.score)
    enrolment.last_activity_at = attempt.submitted_at
    state.attempts = row.attempts_count
    state.best_score = row.best_score
    if attempt.passed and row.passed_at is None:
        row.passed_at = attempt.submitted_at
        state.passed = True
        progress.relock()
        session.flush()
        plugins.hook.activity_passed(
            session=session,
            user_id=enrolment.user_id,
            course_slug=progress.course.slug,
            activity_key=state.activity.key,
            kind=state.activity.kind,
            attempt_id=attempt.id,
            score=attempt.score,
        )
        _complete_if_done(session, plugins, progress)
    session.flush()


def _complete_if_done(session: Session, plugins: PluginManager, progress: CourseProgress) -> None:
    enrolment = progress.enrolment
    if enrolment.status == EnrolmentStatus.COMPLETED:
        return
    if any(s.activity.required and not s.passed for s in progress.states):
        return
    now = utcnow()
    completion = Completion(
        enrolment_id=enrolment.id, cycle=enrolment.cycle, course_version=progress.course.version, completed_at=now
    )
    try:
        with session.begin_nested():
            session.add(completion)
    except IntegrityError:
        return  # a concurrent request completed it; that request reports it
    enrolment.status = EnrolmentStatus.COMPLETED
    enrolment.completed_at = now
    session.flush()
    plugins.hook.course_completed(
        session=session,
        user_id=enrolment.user_id,
        course_slug=progress.course.slug,
        enrolment_id=enrolment.id,
        completed_at=now,
    )
    certificates.issue(session, plugins, completion, enrolment)


# --- dashboard ----------------------------------------------------------------------------------------------


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


def dashboard(session: Session, user: User, suggestions: int = 3) -> Dashboard:
    """The learner's courses with progress and certificates, in five queries whatever their number."""
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
    return Dashboard(
        in_progress=[s for s in summaries if not s.enrolment.is_completed],
        completed=[s for s in summaries if s.enrolment.is_completed],
        suggested=latest_published(session, suggestions, exclude_ids=course_ids, language=user.preferred_language),
        certificates=certificates.for_user(session, user.id),
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


def resume_target(progress: CourseProgress) -> Activity | None:
    """Where "continue" leads: the next activity to do, or the first one once all are done."""
    return progress.next_activity or next(iter(activities_in_order(progress.course)), None)


# --- privacy ------------------------------------------------------------------------------------------------


def export_learning_data(session: Session, user_id: int) -> list[dict[str, Any]]:
    enrolments = session.scalars(select(Enrolment).where(Enrolment.user_id == user_id)).all()
    result = []
    for enrolment in enrolments:
        attempts = session.scalars(
            select(Attempt).where(Attempt.enrolment_id == enrolment.id).order_by(Attempt.id)
        ).all()
        result.append(
            {
                "course": enrolment.course.slug,
                "status": enrolment.status,
                "enrolled_at": enrolment.enrolled_at.isoformat(),
                "completed_at": enrolment.completed_at.isoformat() if enrolment.completed_at else None,
                "attempts": [
                    {
                        "activity": a.activity.key,
                        "number": a.number,
                        "answers": a.answers,
                        "score": a.score,
                        "passed": a.passed,
                        "submitted_at": a.submitted_at.isoformat(),
                    }
                    for a in attempts
                ],
            }
        )
    return result
