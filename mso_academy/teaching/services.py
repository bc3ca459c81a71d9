"""A trainer's overview of a course's learners and of its quiz results, and the CSV export of the overview.

Everything a page shows is read in a fixed number of queries, whatever the number of learners: the course with
its outline (`course_for_trainer`), enrolments with their learners (one), passed activities counted per enrolment
and module (one), and the attempts at the course's quizzes (one, only the columns the statistics need).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from flask_babel import gettext as _
from flask_babel import to_user_timezone
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from mso_academy.accounts.models import User
from mso_academy.catalog.models import Activity, Course, Module
from mso_academy.errors import NotFound
from mso_academy.learning.models import ActivityProgress, Attempt, Enrolment, EnrolmentStatus
from mso_academy.permissions import can_edit_course
from mso_academy.spreadsheets import spreadsheet_safe

QUIZ_KIND = "quiz"
# A question that fewer than this share of learners get right on their first try is flagged as often missed.
OFTEN_MISSED_BELOW = 0.5
# Spreadsheets treat a cell starting with one of these as a formula (CSV/formula injection).


# --- access -------------------------------------------------------------------------------------------------


def course_for_trainer(session: Session, user: Any, slug: str) -> Course:
    """The course with its outline loaded; `NotFound` unless `user` may edit it (owner, co-trainer, admin)."""
    course = session.scalar(
        select(Course).where(Course.slug == slug).options(selectinload(Course.modules).selectinload(Module.activities))
    )
    if course is None or not can_edit_course(user, course):
        raise NotFound(_("This page does not exist."))  # the same answer whether or not the course exists
    return course


# --- learners and their progress ----------------------------------------------------------------------------


class LearnerState(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    RENEWING = "renewing"
    COMPLETED = "completed"


def state_label(state: LearnerState | str) -> str:
    return {
        LearnerState.NOT_STARTED: _("Not started"),
        LearnerState.IN_PROGRESS: _("In progress"),
        LearnerState.RENEWING: _("Renewing"),
        LearnerState.COMPLETED: _("Completed"),
    }.get(LearnerState(state), str(state))


@dataclass(frozen=True)
class ModuleColumn:
    """A module of the course as a column of the overview."""

    id: int
    number: int
    title: str
    is_renewal: bool
    total: int


@dataclass(frozen=True)
class ModuleCount:
    done: int
    total: int

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done >= self.total


@dataclass
class LearnerRow:
    enrolment_id: int
    user_id: int
    name: str
    email: str
    enrolled_at: datetime
    status: str
    cycle: int
    last_activity_at: datetime | None
    completed_at: datetime | None
    # One entry per module column, in course order; None where the module does not apply (renewal modules
    # on the first pass).
    modules: list[ModuleCount | None] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(m.done for m in self.modules if m is not None)

    @property
    def total(self) -> int:
        return sum(m.total for m in self.modules if m is not None)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def state(self) -> LearnerState:
        if self.status == EnrolmentStatus.COMPLETED:
            return LearnerState.COMPLETED
        if self.cycle > 1:
            return LearnerState.RENEWING
        if self.last_activity_at is None:
            return LearnerState.NOT_STARTED
        return LearnerState.IN_PROGRESS


def module_columns(course: Course) -> list[ModuleColumn]:
    """The course's modules in order (its outline must be loaded)."""
    return [
        ModuleColumn(
            id=module.id,
            number=number,
            title=module.title,
            is_renewal=module.is_renewal,
            total=len(module.activities),
        )
        for number, module in enumerate(course.modules, start=1)
    ]


def learner_overview(session: Session, course: Course) -> list[LearnerRow]:
    """One row per enrolment, by learner name; two queries whatever the number of learners.

    Counts follow the learner's progress page: an activity is done once passed, and renewal modules count only
    from the second cycle on (a renewal clears the progress it asks the learner to repeat).
    """
    columns = module_columns(course)
    enrolments = session.execute(
        select(Enrolment, User.name, User.email)
        .join(User, User.id == Enrolment.user_id)
        .where(Enrolment.course_id == course.id)
        .order_by(func.lower(User.name), Enrolment.id)
    ).all()
    if not enrolments:
        return []
    passed = session.execute(
        select(ActivityProgress.enrolment_id, Activity.module_id, func.count())
        .join(Activity, Activity.id == ActivityProgress.activity_id)
        .join(Enrolment, Enrolment.id == ActivityProgress.enrolment_id)
        .where(Enrolment.course_id == course.id, ActivityProgress.passed_at.is_not(None))
        .group_by(ActivityProgress.enrolment_id, Activity.module_id)
    ).all()
    done: dict[tuple[int, int], int] = {(e_id, m_id): n for e_id, m_id, n in passed}
    rows = []
    for enrolment, name, email in enrolments:
        rows.append(
            LearnerRow(
                enrolment_id=enrolment.id,
                user_id=enrolment.user_id,
                name=name,
                email=email,
                enrolled_at=enrolment.enrolled_at,
                status=enrolment.status,
                cycle=enrolment.cycle,
                last_activity_at=enrolment.last_activity_at,
                completed_at=enrolment.completed_at,
                modules=[
                    None
                    if column.is_renewal and enrolment.cycle == 1
                    else ModuleCount(done=min(done.get((enrolment.id, column.id), 0), column.total), total=column.total)
                    for column in columns
                ],
            )
        )
    return rows


# --- quiz results per question ------------------------------------------------------------------------------


def _share(correct: int, answered: int) -> float | None:
    return correct / answered if answered else None


@dataclass
class QuestionStats:
    key: str
    number: int  # its place in the quiz, counted from 1
    text: str
    type: str
    answered: int = 0  # attempts that answered it (all attempts)
    correct: int = 0
    first_answered: int = 0  # first attempts only: what learners knew before any feedback
    first_correct: int = 0

    @property
    def share_correct(self) -> float | None:
        return _share(self.correct, self.answered)

    @property
    def first_share_correct(self) -> float | None:
        return _share(self.first_correct, self.first_answered)

    @property
    def often_missed(self) -> bool:
        share = self.first_share_correct
        return share is not None and share < OFTEN_MISSED_BELOW

    def sort_key(self) -> tuple[bool, float, float, int]:
        """Most missed first: lowest share on first attempts, then on all attempts; unanswered ones last."""
        first, every = self.first_share_correct, self.share_correct
        return (first is None, first if first is not None else 0.0, every if every is not None else 0.0, self.number)


@dataclass
class QuizStats:
    activity_id: int
    title: str
    module_title: str
    attempts: int = 0
    learners: int = 0
    questions: list[QuestionStats] = field(default_factory=list)


def _quizzes(course: Course) -> list[tuple[Module, Activity]]:
    return [(m, a) for m in course.modules for a in m.activities if a.kind == QUIZ_KIND]


def quiz_statistics(session: Session, course: Course) -> list[QuizStats]:
    """Per quiz of the course (in course order), per question: how often it was answered and answered right.

    Read from the attempts' stored feedback (`{question_key: {"correct": bool, ...}}`) in one query. Questions
    are sorted so that the most missed come first; keys no longer in the quiz (an older version) are left out.
    """
    quizzes = _quizzes(course)
    if not quizzes:
        return []
    stats: dict[int, QuizStats] = {}
    by_key: dict[int, dict[str, QuestionStats]] = {}
    for module, activity in quizzes:
        questions = activity.content.get("questions") or []
        entries = {
            str(q["key"]): QuestionStats(
                key=str(q["key"]), number=number, text=str(q.get("text", "")), type=str(q.get("type", ""))
            )
            for number, q in enumerate(questions, start=1)
            if isinstance(q, dict) and "key" in q
        }
        by_key[activity.id] = entries
        stats[activity.id] = QuizStats(activity_id=activity.id, title=activity.title, module_title=module.title)
    learners: dict[int, set[int]] = {activity_id: set() for activity_id in stats}
    attempts = session.execute(
        select(Attempt.activity_id, Attempt.enrolment_id, Attempt.number, Attempt.feedback).where(
            Attempt.activity_id.in_(list(stats))
        )
    )
    for activity_id, enrolment_id, number, feedback in attempts:
        stats[activity_id].attempts += 1
        learners[activity_id].add(enrolment_id)
        if not isinstance(feedback, dict):
            continue
        for key, question in by_key[activity_id].items():
            result = feedback.get(key)
            if not isinstance(result, dict):
                continue
            right = result.get("correct") is True
            question.answered += 1
            question.correct += right
            if number == 1:
                question.first_answered += 1
                question.first_correct += right
    for activity_id, quiz in stats.items():
        quiz.learners = len(learners[activity_id])
        quiz.questions = sorted(by_key[activity_id].values(), key=QuestionStats.sort_key)
    return list(stats.values())


# --- CSV ----------------------------------------------------------------------------------------------------


def _local_date(value: datetime | None) -> str:
    return to_user_timezone(value).date().isoformat() if value else ""


def overview_csv(rows: Iterable[LearnerRow], modules: Sequence[ModuleColumn]) -> str:
    """The overview as CSV (comma-separated, quoted by the csv module) with a header row.

    Starts with a byte order mark so that spreadsheet programs read the UTF-8 correctly (umlauts, Arabic).
    Module cells read "2 of 3" rather than "2/3", which spreadsheets would take for a date.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    header = [
        _("Name"),
        _("E-mail"),
        _("Enrolled"),
        _("Status"),
        _("Last activity"),
        *(
            _("Module %(number)d: %(title)s", number=m.number, title=m.title)
            + (" " + _("(renewal)") if m.is_renewal else "")
            for m in modules
        ),
        _("Done"),
        _("Progress (%)"),
    ]
    writer.writerow([spreadsheet_safe(cell) for cell in header])
    for row in rows:
        cells = [
            row.name,
            row.email,
            _local_date(row.enrolled_at),
            state_label(row.state),
            _local_date(row.last_activity_at),
            *("" if m is None else _("%(done)d of %(total)d", done=m.done, total=m.total) for m in row.modules),
            _("%(done)d of %(total)d", done=row.done, total=row.total),
            row.percent,
        ]
        writer.writerow([spreadsheet_safe(cell) for cell in cells])
    return "\ufeff" + out.getvalue()
