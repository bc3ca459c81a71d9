"""Drafts: answers a learner saves without handing them in, for activity kinds with `saves_drafts`.

Rules:
- One draft per enrolment and activity (a unique constraint); each save replaces it.
- Saving grades nothing, counts no attempt and changes no progress; it is refused once the activity is passed
  or while the learner's work waits for review, exactly when handing in is refused.
- Handing in removes the draft (`services.submit`): from then on the stored attempt holds the answers.
- Drafts hang on the enrolment, so they go with it (and with the account); the data export lists them
  (`services.export_learning_data`).
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mso_academy.db import utcnow
from mso_academy.errors import Conflict, DomainError, NotFound
from mso_academy.learning.models import ActivityDraft, Enrolment
from mso_academy.learning.progress import CourseProgress
from mso_academy.learning.services import ReviewStatus, kind_for, last_attempt, open_activity
from mso_academy.plugins.api import AnswerError, FormData
from mso_academy.plugins.manager import PluginManager


def draft_for(session: Session, enrolment_id: int, activity_id: int) -> ActivityDraft | None:
    return session.scalar(
        select(ActivityDraft).where(
            ActivityDraft.enrolment_id == enrolment_id, ActivityDraft.activity_id == activity_id
        )
    )


def save_draft(
    session: Session, plugins: PluginManager, progress: CourseProgress, activity_id: int, form: FormData
) -> ActivityDraft:
    """Store the learner's unfinished answers (what the kind's `parse_draft` returns), replacing an earlier draft."""
    state = open_activity(progress, activity_id)
    activity = state.activity
    kind = kind_for(plugins, activity)
    if not kind.saves_drafts:
        raise NotFound(_("This activity cannot be saved as a draft."))
    enrolment = progress.enrolment
    session.execute(select(Enrolment.id).where(Enrolment.id == enrolment.id).with_for_update())
    if state.passed:
        raise Conflict(_("You have passed this activity already."))
    previous = last_attempt(session, enrolment.id, activity.id)
    if previous is not None and previous.review_status == ReviewStatus.PENDING:
        raise Conflict(_("Your work is waiting for review. You can hand in again if a trainer returns it."))
    try:
        answers = kind.parse_draft(activity.content, form)
    except AnswerError as exc:
        raise DomainError(str(exc)) from None
    draft = draft_for(session, enrolment.id, activity.id)
    if draft is None:
        draft = ActivityDraft(enrolment_id=enrolment.id, activity_id=activity.id, answers=dict(answers))
        try:
            with session.begin_nested():
                session.add(draft)
        except IntegrityError:  # a concurrent save created it first; this save replaces it
            draft = draft_for(session, enrolment.id, activity.id)
            assert draft is not None
    draft.answers = dict(answers)
    draft.saved_at = utcnow()
    session.flush()
    return draft
