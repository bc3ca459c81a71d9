"""Learning: enrolment, the order of activities, attempts and grading, progress and completion.

Rules:
- A learner works through activities in order: an activity opens once every required activity before it is
  passed. Coming back resumes at the first activity not yet passed.
- An attempt is stored once per submission token (a form sent twice is one attempt) and numbered per activity;
  unique constraints keep both true under concurrent requests.
- A course is completed when every required activity is passed; the completion row is unique per enrolment
  and cycle (each renewal of the certificate is a new cycle), and its certificate is issued in the same step.
- Work a kind sends to review (`Grade.pending_review`) is stored as not passed and "pending"; while the last
  attempt waits, the learner cannot hand in again. A trainer's pass (see `reviews.services`) records the pass
  with `record_passed`, which runs the same hooks, completion and certificate as an automatic pass.
- A kind with an `upload_field` receives the learner's file as ``upload:<id>`` in that field: the file is checked
  and stored (see `uploads.services`) in the same transaction as the attempt, and whatever the form itself sent
  in that field is ignored, so nobody can point an answer at someone else's file.

The progress model lives in `learning.progress`, the dashboard in `learning.dashboard`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload
from werkzeug.datastructures import FileStorage, MultiDict

from mso_academy.accounts.models import User
from mso_academy.catalog.models import Activity, Course, Module
from mso_academy.catalog.services import activities_in_order
from mso_academy.certificates import services as certificates
from mso_academy.db import utcnow
from mso_academy.errors import Conflict, DomainError, NotFound
from mso_academy.learning.models import (
    ActivityDraft,
    ActivityProgress,
    Attempt,
    Completion,
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
)
from mso_academy.learning.progress import ActivityState, CourseProgress, course_progress
from mso_academy.plugins.api import ActivityKind, AnswerError, AttemptView, FormData
from mso_academy.plugins.manager import PluginManager
from mso_academy.uploads import services as uploads
from mso_academy.uploads.models import Upload


class NotEnrolled(DomainError):
    status_code = 403


class ActivityLocked(DomainError):
    status_code = 403


class KindMissing(DomainError):
    status_code = 503


class ReviewStatus(StrEnum):
    """`Attempt.review_status` of work a trainer reviews (None for automatically graded attempts)."""

    PENDING = "pending"
    PASSED = "passed"
    RETURNED = "returned"


# --- enrolment ----------------------------------------------------------------------------------------------


@cache
def _enrolment_with_progress() -> Select[tuple[Enrolment]]:
    # Built once (every learner page runs it). populate_existing: an enrolment already in the session gets the
    # rows as stored now, not a stale collection.
    return (
        select(Enrolment)
        .where(Enrolment.user_id == bindparam("user_id"), Enrolment.course_id == bindparam("course_id"))
        .options(joinedload(Enrolment.progress))
        .execution_options(populate_existing=True)
    )


def find_enrolment(session: Session, user_id: int, course_id: int, with_progress: bool = False) -> Enrolment | None:
    """The enrolment; `with_progress` brings its progress rows in the same statement (for `course_progress`)."""
    if not with_progress:
        return session.scalar(select(Enrolment).where(Enrolment.user_id == user_id, Enrolment.course_id == course_id))
    params = {"user_id": user_id, "course_id": course_id}
    return session.scalars(_enrolment_with_progress(), params).unique().one_or_none()


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


# --- progress ---------------------------------------------------------------------------------------------


def learner_progress(session: Session, user: User, course: Course) -> CourseProgress:
    enrolment = find_enrolment(session, user.id, course.id, with_progress=True)
    if enrolment is None:
        raise NotEnrolled(_("Enrol in this course to start learning."))
    return course_progress(session, course, enrolment, rows=enrolment.progress)


@dataclass(frozen=True)
class SubmissionFacts:
    """What a submission must know of the earlier attempts at its activity, read under the enrolment's lock."""

    last_number: int  # 0 before the first attempt; attempts are numbered across renewal cycles
    last_pending: bool  # the last attempt waits for a trainer's review
    replay_id: int | None  # the attempt already stored with this submission token (a form sent twice)


def submission_progress(
    session: Session, user: User, course: Course, activity_id: int, submission_token: str
) -> tuple[CourseProgress, SubmissionFacts]:
    """The learner's progress and the facts `submit` needs, in one statement that locks the enrolment."""
    found = _locked_enrolment(session, user.id, course.id, activity_id, submission_token)
    if found is None:
        raise NotEnrolled(_("Enrol in this course to start learning."))
    enrolment, facts = found
    return course_progress(session, course, enrolment, rows=enrolment.progress), facts


def _locked_enrolment(
    session: Session, user_id: int, course_id: int, activity_id: int, submission_token: str
) -> tuple[Enrolment, SubmissionFacts] | None:
    """The enrolment with its progress rows as stored now, and the attempt facts, read under the enrolment's lock.

    The lock (PostgreSQL: FOR UPDATE OF the enrolment row; SQLite: the write lock every POST takes first) makes
    submissions of one enrolment run one after the other, each seeing what the one before stored — without it two
    quick clicks on two devices could both pass the same activity.
    """
    same = (Attempt.enrolment_id == Enrolment.id, Attempt.activity_id == activity_id)
    last = select(Attempt).where(*same).order_by(Attempt.number.desc()).limit(1).correlate(Enrolment)
    stmt = (
        select(
            Enrolment,
            select(func.max(Attempt.number)).where(*same).correlate(Enrolment).scalar_subquery(),
            last.with_only_columns(Attempt.review_status).scalar_subquery(),
            select(Attempt.id)
            .where(*same, Attempt.submission_token == submission_token)
            .correlate(Enrolment)
            .scalar_subquery(),
        )
        .where(Enrolment.user_id == user_id, Enrolment.course_id == course_id)
        .options(joinedload(Enrolment.progress))
        .with_for_update(of=Enrolment)
        .execution_options(populate_existing=True)
    )
    row = session.execute(stmt).unique().one_or_none()
    if row is None:
        return None
    enrolment, last_number, last_status, replay_id = row
    facts = SubmissionFacts(
        last_number=last_number or 0, last_pending=last_status == ReviewStatus.PENDING, replay_id=replay_id
    )
    return enrolment, facts


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


def last_attempt(session: Session, enrolment_id: int, activity_id: int) -> Attempt | None:
    return session.scalar(
        select(Attempt)
        .where(Attempt.enrolment_id == enrolment_id, Attempt.activity_id == activity_id)
        .order_by(Attempt.number.desc())
        .limit(1)
    )


def attempt_view(attempt: Attempt) -> AttemptView:
    """The learner's view of an attempt; reviewed work carries the review in ``feedback["review"]``."""
    feedback = dict(attempt.feedback)
    if attempt.review_status is not None:
        feedback["review"] = {
            "status": attempt.review_status,
            "feedback": attempt.review_feedback or "",
            "reviewed_at": attempt.reviewed_at,
        }
    return AttemptView(
        number=attempt.number,
        score=attempt.score,
        passed=attempt.passed,
        answers=attempt.answers,
        feedback=feedback,
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
    files: Mapping[str, FileStorage] | None = None,
    facts: SubmissionFacts | None = None,
) -> Attempt:
    """Grade and store one attempt; the same `submission_token` twice returns the first attempt.

    `files` are the uploaded files (``request.files``); only the kind's `upload_field` is looked at. `facts` come
    with a `progress` read by `submission_progress` (locked, fresh); without them the enrolment is locked and the
    facts are read here.
    """
    enrolment = progress.enrolment
    state = open_activity(progress, activity_id)
    activity = state.activity
    if not submission_token or len(submission_token) > 64:
        raise DomainError(_("The form was incomplete. Please reload the page and try again."))
    if facts is None:  # `progress` was read without the lock: take it now and see what is stored
        facts = _lock_and_refresh(session, progress, state, submission_token)
    existing = session.get(Attempt, facts.replay_id) if facts.replay_id is not None else None
    if existing is not None:
        return existing
    kind = kind_for(plugins, activity)
    if state.passed:
        raise Conflict(_("You have passed this activity already."))
    limit = kind.max_attempts(activity.content)
    if limit is not None and state.attempts >= limit:
        raise Conflict(_("You have used all attempts for this activity."))
    if facts.last_pending:
        raise Conflict(_("Your work is waiting for review. You can hand in again if a trainer returns it."))
    upload = None
    if kind.upload_field:
        form, upload = _with_upload(session, kind, progress, form, files)
    try:
        answers = kind.parse_answers(activity.content, form)
    except AnswerError as exc:
        if upload is not None:
            uploads.discard(session, upload)
        raise DomainError(str(exc)) from None
    grade = kind.grade(activity.content, answers)
    pending = grade.pending_review
    attempt = Attempt(
        enrolment_id=enrolment.id,
        activity_id=activity.id,
        number=facts.last_number + 1,  # numbered across renewal cycles
        submission_token=submission_token,
        answers=dict(answers),
        score=grade.score,
        passed=grade.passed and not pending,
        feedback=dict(grade.feedback),
        summary=str(grade.summary)[:500],
        review_status=ReviewStatus.PENDING if pending else None,
    )
    try:
        with session.begin_nested():
            session.add(attempt)
    except IntegrityError:
        # A concurrent request stored this token (or this attempt number) first.
        if upload is not None:
            uploads.discard(session, upload)
        duplicate = _attempt_by_token(session, enrolment.id, activity.id, submission_token)
        if duplicate is not None:
            return duplicate
        raise Conflict(_("This answer was sent twice at the same time. Please reload the page.")) from None
    if kind.saves_drafts:  # handed in: the attempt holds the answers now (see learning.drafts)
        session.execute(
            delete(ActivityDraft).where(
                ActivityDraft.enrolment_id == enrolment.id, ActivityDraft.activity_id == activity.id
            )
        )
    _record_progress(session, plugins, progress, state, attempt)
    return attempt


def _with_upload(
    session: Session,
    kind: ActivityKind,
    progress: CourseProgress,
    form: FormData,
    files: Mapping[str, FileStorage] | None,
) -> tuple[MultiDict[str, Any], Upload | None]:
    """The form with the stored file as ``upload:<id>`` in the kind's upload field (and nothing the client sent)."""
    field = kind.upload_field
    assert field is not None
    data: MultiDict[str, Any] = MultiDict()
    keys = form.keys()  # FormData promises keys(), not iteration
    for key in keys:
        if key != field:
            data.setlist(key, form.getlist(key))
    file = files.get(field) if files else None
    if file is None or not file.filename:
        return data, None
    upload = uploads.store(
        session,
        owner_id=progress.enrolment.user_id,
        course_id=progress.course.id,
        file_storage=file,
        allowed_types=kind.upload_types,
        max_bytes=kind.max_upload_bytes,
    )
    data[field] = f"upload:{upload.id}"
    return data, upload


def _attempt_by_token(session: Session, enrolment_id: int, activity_id: int, token: str) -> Attempt | None:
    return session.scalar(
        select(Attempt).where(
            Attempt.enrolment_id == enrolment_id,
            Attempt.activity_id == activity_id,
            Attempt.submission_token == token,
        )
    )


def _lock_and_refresh(
    session: Session, progress: CourseProgress, state: ActivityState, submission_token: str
) -> SubmissionFacts:
    """Lock the enrolment of a `progress` read without the lock (see `submission_progress`) and bring the
    activity's state up to what is stored now."""
    enrolment = progress.enrolment
    found = _locked_enrolment(session, enrolment.user_id, enrolment.course_id, state.activity.id, submission_token)
    if found is None:
        raise NotEnrolled(_("Enrol in this course to start learning."))
    locked, facts = found  # progress.enrolment itself (one identity per session), its rows read afresh
    progress.rows.update((row.activity_id, row) for row in locked.progress)
    row = progress.rows.get(state.activity.id)
    if row is not None:
        state.passed = row.passed
        state.attempts = row.attempts_count
    return facts


def _progress_row(session: Session, progress: CourseProgress, activity_id: int) -> ActivityProgress:
    """The activity's progress row as read with the progress; a new one joins the enrolment's collection."""
    row = progress.rows.get(activity_id)
    if row is None:
        row = ActivityProgress(enrolment=progress.enrolment, activity_id=activity_id, attempts_count=0, best_score=0.0)
        session.add(row)
        progress.rows[activity_id] = row
    return row


def _record_progress(
    session: Session, plugins: PluginManager, progress: CourseProgress, state: ActivityState, attempt: Attempt
) -> None:
    enrolment = progress.enrolment
    row = _progress_row(session, progress, attempt.activity_id)
    row.attempts_count += 1
    row.best_score = max(row.best_score, attempt.score)
    enrolment.last_activity_at = attempt.submitted_at
    state.attempts = row.attempts_count
    state.best_score = row.best_score
    if attempt.passed:
        _mark_passed(session, plugins, progress, state, row, attempt)
    session.flush()


def record_passed(
    session: Session, plugins: PluginManager, enrolment: Enrolment, activity: Activity, attempt: Attempt
) -> None:
    """An attempt passed after it was handed in (a trainer passed it): the same progress, hooks, completion and
    certificate as an automatic pass. The attempt was counted when it was handed in."""
    course = session.scalar(
        select(Course)
        .where(Course.id == enrolment.course_id)
        .options(selectinload(Course.modules).selectinload(Module.activities))
    )
    if course is None:
        raise NotFound(_("This course does not exist."))
    progress = course_progress(session, course, enrolment)
    state = progress.state_of(activity.id)
    row = _progress_row(session, progress, activity.id)
    row.best_score = max(row.best_score, attempt.score)
    state.best_score = row.best_score
    _mark_passed(session, plugins, progress, state, row, attempt)
    session.flush()


def _mark_passed(
    session: Session,
    plugins: PluginManager,
    progress: CourseProgress,
    state: ActivityState,
    row: ActivityProgress,
    attempt: Attempt,
) -> None:
    """The first pass of an activity: progress, `activity_passed`, and completion when it was the last one."""
    if row.passed_at is not None:
        return
    enrolment = progress.enrolment
    row.passed_at = attempt.reviewed_at or attempt.submitted_at
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
    complete_if_done(session, plugins, progress)


def complete_if_done(session: Session, plugins: PluginManager, progress: CourseProgress) -> None:
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
                "drafts": [
                    {"activity": d.activity.key, "answers": d.answers, "saved_at": d.saved_at.isoformat()}
                    for d in session.scalars(
                        select(ActivityDraft)
                        .where(ActivityDraft.enrolment_id == enrolment.id)
                        .order_by(ActivityDraft.id)
                    )
                ],
            }
        )
    return result
