"""Reminders before an assigned course is due (`mso-academy assignments remind`, run daily by cron or a timer).

A member is reminded once per assignment (`reminded_at`), in their own language, when the course is due within
ASSIGNMENT_REMINDER_DAYS (today included), they still belong to the organisation, their account is active, the
course is published and they hold no valid certificate of it yet. Changing the due date earns a new reminder.
Members who switched these reminders off are skipped (and not marked as reminded, so switching them on again
brings the reminder while the course is still due).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from mso_academy import mail
from mso_academy.accounts.models import User
from mso_academy.catalog.models import Course, CourseStatus
from mso_academy.certificates.models import Certificate
from mso_academy.db import utcnow
from mso_academy.mail import preferences
from mso_academy.organisations.models import CourseAssignment, Membership, Organisation
from mso_academy.qualification.assignments import holds_valid_certificate
from mso_academy.qualification.dates import local_date


def send_reminders(session: Session, now: datetime | None = None) -> int:
    """Mail every member whose assigned course is due soon and not done yet; returns the number of mails."""
    now = now or utcnow()
    today = local_date(now)
    last_day = today + timedelta(days=int(current_app.config["ASSIGNMENT_REMINDER_DAYS"]))
    due = session.execute(
        select(CourseAssignment, User, Course, Organisation)
        .join(User, User.id == CourseAssignment.user_id)
        .join(Course, Course.id == CourseAssignment.course_id)
        .join(Organisation, Organisation.id == CourseAssignment.organisation_id)
        .join(
            Membership,
            and_(
                Membership.organisation_id == CourseAssignment.organisation_id,
                Membership.user_id == CourseAssignment.user_id,
            ),
        )
        .where(
            CourseAssignment.reminded_at.is_(None),
            CourseAssignment.due_on.is_not(None),
            CourseAssignment.due_on >= today,
            CourseAssignment.due_on <= last_day,
            User.is_active.is_(True),
            Course.status == CourseStatus.PUBLISHED,
        )
        .order_by(CourseAssignment.id)
    ).all()
    if not due:
        return 0
    user_ids = {user.id for _assignment, user, _course, _organisation in due}
    course_ids = {course.id for _assignment, _user, course, _organisation in due}
    done = {
        (user_id, course_id)
        for user_id, course_id in session.execute(
            select(Certificate.user_id, Certificate.course_id).where(
                Certificate.user_id.in_(user_ids), Certificate.course_id.in_(course_ids), holds_valid_certificate(now)
            )
        )
    }
    sent = 0
    for assignment, user, course, organisation in due:
        if (user.id, course.id) in done or not preferences.wants(user, preferences.ASSIGNMENT_DUE):
            continue
        mail.send(
            session,
            preferences.compose_reminder(
                user,
                preferences.ASSIGNMENT_DUE,
                _l("A course is due soon"),
                "mail/assignment_due.txt",
                course=course,
                organisation=organisation,
                assignment=assignment,
                link=mail.external_url("catalog.course", slug=course.slug),
            ),
        )
        assignment.reminded_at = now
        sent += 1
    session.flush()
    return sent
