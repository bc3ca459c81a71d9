"""Reviews: the queue of work waiting for a trainer, and passing or returning it.

Rules:
- A trainer reviews the work handed in for courses they train (owner or co-trainer, holding the trainer role);
  admins review everything. For anyone else a submission does not exist (404).
- The queue is oldest first, so nobody waits longest; it is loaded in one query.
- A submission is reviewed once: the decision is written with ``UPDATE … WHERE review_status = 'pending'``, so of
  two trainers deciding at the same moment exactly one succeeds and the other is told it was reviewed already.
- Returning needs written feedback; the learner can then hand in again (a new attempt).
- A pass counts like an automatic pass (progress, `activity_passed`, completion, certificate; see
  `learning.services.record_passed`). The learner gets an e-mail either way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, true, update
from sqlalchemy.orm import Session, lazyload

from mso_academy import mail
from mso_academy.accounts.models import User
from mso_academy.audit import services as audit
from mso_academy.catalog.models import Activity, Course, CourseTrainer
from mso_academy.db import utcnow
from mso_academy.errors import Conflict, DomainError, NotFound
from mso_academy.learning import services as learning
from mso_academy.learning.models import Attempt, Enrolment
from mso_academy.learning.services import ReviewStatus
from mso_academy.permissions import Permission, can_edit_course, has_permission
from mso_academy.plugins.manager import PluginManager
from mso_academy.uploads import services as uploads
from mso_academy.uploads.models import Upload

DECISIONS = ("pass", "return")
MAX_FEEDBACK = 5000


@dataclass(frozen=True)
class Submission:
    """One piece of handed-in work with everything a reviewer sees next to it."""

    attempt: Attempt
    enrolment: Enrolment
    learner: User
    course: Course
    activity: Activity

    @property
    def submitted_at(self) -> datetime:
        return self.attempt.submitted_at

    @property
    def is_pending(self) -> bool:
        return self.attempt.review_status == ReviewStatus.PENDING


@dataclass(frozen=True)
class SubmissionDetail:
    submission: Submission
    previous: list[Attempt]  # the learner's earlier attempts at this activity, oldest first
    files: dict[int, Upload]  # the uploads the attempts refer to, by id


def _submissions_query() -> Any:
    """Each submission with its enrolment, learner, course and activity in one row (collections not loaded)."""
    return (
        select(Attempt, Enrolment, User, Course, Activity)
        .join(Enrolment, Enrolment.id == Attempt.enrolment_id)
        .join(User, User.id == Enrolment.user_id)
        .join(Course, Course.id == Enrolment.course_id)
        .join(Activity, Activity.id == Attempt.activity_id)
        .options(lazyload(User.roles), lazyload(Course.co_trainers))
    )


def _trained_by(user: Any) -> Any:
    """A condition on `Course`: the courses whose learners' work `user` reviews."""
    if has_permission(user, Permission.COURSE_EDIT_ANY):
        return true()
    if not has_permission(user, Permission.COURSE_CREATE):
        return Course.id.is_(None)  # nothing: the user no longer holds the trainer role
    co_trained = select(CourseTrainer.course_id).where(CourseTrainer.user_id == user.id)
    return or_(Course.owner_id == user.id, Course.id.in_(co_trained))


def queue(session: Session, trainer: Any, limit: int = 500) -> list[Submission]:
    """Work waiting for `trainer`'s review, oldest first (one query)."""
    rows = session.execute(
        _submissions_query()
        .where(Attempt.review_status == ReviewStatus.PENDING, _trained_by(trainer))
        .order_by(Attempt.submitted_at, Attempt.id)
        .limit(limit)
    ).all()
    return [Submission(*row) for row in rows]


def pending_count(session: Session, trainer: Any) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Attempt)
            .join(Enrolment, Enrolment.id == Attempt.enrolment_id)
            .join(Course, Course.id == Enrolment.course_id)
            .where(Attempt.review_status == ReviewStatus.PENDING, _trained_by(trainer))
        )
        or 0
    )


def submission_for(session: Session, reviewer: Any, attempt_id: int) -> Submission:
    """A reviewable submission (pending or reviewed); `NotFound` if `reviewer` may not review it."""
    row = session.execute(
        _submissions_query().where(Attempt.id == attempt_id, Attempt.review_status.is_not(None))
    ).first()
    if row is None:
        raise NotFound(_("This submission does not exist."))
    submission = Submission(*row)
    if not can_edit_course(reviewer, submission.course):
        raise NotFound(_("This submission does not exist."))
    return submission


def detail(session: Session, reviewer: Any, attempt_id: int) -> SubmissionDetail:
    """The submission, the learner's earlier attempts at the activity and the files they refer to."""
    submission = submission_for(session, reviewer, attempt_id)
    attempt = submission.attempt
    previous = list(
        session.scalars(
            select(Attempt)
            .where(
                Attempt.enrolment_id == attempt.enrolment_id,
                Attempt.activity_id == attempt.activity_id,
                Attempt.number < attempt.number,
            )
            .order_by(Attempt.number)
        )
    )
    ids = {ref for a in [*previous, attempt] for ref in file_refs(a.answers)}
    files = {
        upload_id: upload
        for upload_id, upload in uploads.uploads_by_id(session, ids).items()
        # only the learner's own files handed in for this course
        if upload.owner_id == submission.enrolment.user_id and upload.course_id == submission.course.id
    }
    return SubmissionDetail(submission=submission, previous=previous, files=files)


def file_refs(answers: Any) -> list[int]:
    """The upload ids an answers document refers to (``upload:<id>`` values, at any depth)."""
    found: list[int] = []
    if isinstance(answers, dict):
        for value in answers.values():
            found.extend(file_refs(value))
    elif isinstance(answers, list):
        for value in answers:
            found.extend(file_refs(value))
    else:
        upload_id = uploads.ref_id(answers)
        if upload_id is not None:
            found.append(upload_id)
    return found


def review(
    session: Session,
    plugins: PluginManager,
    attempt_id: int,
    reviewer: User,
    decision: str,
    feedback: str,
) -> Attempt:
    """Pass or return a pending submission with feedback (required when returning)."""
    submission = submission_for(session, reviewer, attempt_id)
    attempt = submission.attempt
    if attempt.review_status != ReviewStatus.PENDING:
        raise Conflict(_("This submission has been reviewed already."))
    if decision not in DECISIONS:
        raise DomainError(_("Please choose whether to pass the work or return it for rework."))
    feedback = re.sub(r"\r\n?", "\n", feedback or "").strip()
    if decision == "return" and not feedback:
        raise DomainError(_("Please write feedback: tell the learner what to rework."))
    if len(feedback) > MAX_FEEDBACK:
        raise DomainError(_("Please keep the feedback under %(count)d characters.", count=MAX_FEEDBACK))
    passed = decision == "pass"
    now = utcnow()
    result = session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.review_status == ReviewStatus.PENDING)
        .values(
            review_status=ReviewStatus.PASSED if passed else ReviewStatus.RETURNED,
            review_feedback=feedback or None,
            reviewer_id=reviewer.id,
            reviewed_at=now,
            passed=passed,
            score=1.0 if passed else 0.0,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        # Another trainer decided between our read and our write.
        session.refresh(attempt)
        raise Conflict(_("This submission has been reviewed already."))
    session.refresh(attempt)
    audit.record(
        session,
        audit.Event.GRADE_CHANGED,
        actor_id=reviewer.id,
        subject_user_id=submission.enrolment.user_id,
        target=("attempt", attempt.id),
        details={"decision": decision},
    )
    if passed:
        learning.record_passed(session, plugins, submission.enrolment, submission.activity, attempt)
    _notify(session, submission, passed, feedback)
    return attempt


def _notify(session: Session, submission: Submission, passed: bool, feedback: str) -> None:
    learner = submission.learner
    if not learner.is_active:
        return
    mail.send(
        session,
        mail.compose(
            learner.email,
            learner.preferred_language,
            _l("Your work has been reviewed"),
            "reviews/mail_reviewed.txt",
            user=learner,
            course=submission.course,
            activity=submission.activity,
            passed=passed,
            feedback=feedback,
            link=mail.external_url(
                "learning.activity", slug=submission.course.slug, activity_id=submission.activity.id
            ),
        ),
    )
