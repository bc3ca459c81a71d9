"""Co-trainers: trainers who edit a course together with its owner.

Only active users holding the trainer role can be added, and an unknown address gets the same answer as someone
who is not a trainer, so the form tells nothing about who has an account.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mso_academy.accounts import services as accounts
from mso_academy.accounts.models import Role, User
from mso_academy.catalog.models import Course, CourseTrainer
from mso_academy.errors import Conflict, DomainError, NotFound


class NoSuchTrainer(DomainError):
    status_code = 422


def trainers_of(session: Session, course: Course) -> tuple[User | None, list[User]]:
    """The owner and the co-trainers (by name)."""
    ids = [t.user_id for t in course.co_trainers]
    owner = session.get(User, course.owner_id) if course.owner_id else None
    co_trainers = list(session.scalars(select(User).where(User.id.in_(ids)).order_by(User.name))) if ids else []
    return owner, co_trainers


def add_co_trainer(session: Session, course: Course, email: str) -> User:
    """Add a user who holds the trainer role; the same answer for unknown addresses and non-trainers."""
    user = accounts.find_by_email(session, email)
    if user is None or not user.has_role(Role.TRAINER) or not user.is_active:
        raise NoSuchTrainer(
            _("There is no trainer with this e-mail address. An admin can give someone the trainer role.")
        )
    if course.is_trainer(user.id):
        raise Conflict(_("%(name)s trains this course already.", name=user.name))
    try:
        with session.begin_nested():
            course.co_trainers.append(CourseTrainer(course_id=course.id, user_id=user.id))
    except IntegrityError:
        raise Conflict(_("%(name)s trains this course already.", name=user.name)) from None
    return user


def remove_co_trainer(session: Session, course: Course, user_id: int) -> None:
    link = next((t for t in course.co_trainers if t.user_id == user_id), None)
    if link is None:
        raise NotFound(_("This person is not a co-trainer of the course."))
    course.co_trainers.remove(link)
    session.flush()
