"""Functions of an organisation (board member, treasurer, …), the courses each requires, and who holds them.

A requirement asks that at least a number of the function's holders hold a valid certificate of the course; the
organisation counts as qualified in the course's area when it meets every requirement there
(`qualification.status`). Only published courses can be required. A name is used once per organisation, whatever
its case and spacing, so members and managers never have to tell two functions of the same name apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from mso_academy.catalog.models import Course, CourseStatus
from mso_academy.errors import Conflict, DomainError, NotFound
from mso_academy.organisations.membership import membership_in
from mso_academy.organisations.models import FunctionRequirement, MemberFunction, Organisation, OrgFunction


@dataclass(frozen=True)
class FunctionRow:
    function: OrgFunction
    requirements: list[tuple[FunctionRequirement, Course]]
    holders: int


def function_of(session: Session, organisation: Organisation, function_id: int) -> OrgFunction:
    function = session.get(OrgFunction, function_id)
    if function is None or function.organisation_id != organisation.id:
        raise NotFound(_("This function does not exist."))
    return function


def _function_name(session: Session, organisation: Organisation, name: str, exclude_id: int | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise DomainError(_("Please enter a name for the function."))
    stmt = select(OrgFunction.id).where(
        OrgFunction.organisation_id == organisation.id, func.lower(OrgFunction.name) == name.lower()
    )
    if exclude_id is not None:
        stmt = stmt.where(OrgFunction.id != exclude_id)
    if session.scalar(stmt) is not None:
        raise Conflict(_("This organisation has a function called %(name)s already.", name=name))
    return name


def create_function(session: Session, organisation: Organisation, name: str) -> OrgFunction:
    function = OrgFunction(organisation_id=organisation.id, name=_function_name(session, organisation, name))
    session.add(function)
    session.flush()
    session.expire(organisation, ["functions"])
    return function


def rename_function(session: Session, organisation: Organisation, function_id: int, name: str) -> OrgFunction:
    function = function_of(session, organisation, function_id)
    function.name = _function_name(session, organisation, name, exclude_id=function.id)
    session.flush()
    return function


def delete_function(session: Session, organisation: Organisation, function_id: int) -> None:
    """The function, its required courses and who held it go; the members stay."""
    function = function_of(session, organisation, function_id)
    session.execute(delete(MemberFunction).where(MemberFunction.function_id == function.id))
    session.delete(function)
    session.flush()
    session.expire(organisation, ["functions"])


def functions(session: Session, organisation: Organisation) -> list[FunctionRow]:
    """Each function with its required courses and how many members hold it (four queries)."""
    rows = organisation.functions
    course_ids = {r.course_id for f in rows for r in f.requirements}
    courses = {c.id: c for c in session.scalars(select(Course).where(Course.id.in_(course_ids)))} if course_ids else {}
    holders = dict(
        session.execute(
            select(MemberFunction.function_id, func.count())
            .where(MemberFunction.function_id.in_([f.id for f in rows]))
            .group_by(MemberFunction.function_id)
        ).all()
    )
    return [
        FunctionRow(
            f,
            sorted(((r, courses[r.course_id]) for r in f.requirements), key=lambda pair: pair[1].title.lower()),
            holders.get(f.id, 0),
        )
        for f in rows
    ]


def published_courses(session: Session) -> list[Course]:
    """The courses a function may require."""
    return list(
        session.scalars(
            select(Course).where(Course.status == CourseStatus.PUBLISHED).order_by(func.lower(Course.title))
        )
    )


def set_requirement(
    session: Session, organisation: Organisation, function_id: int, *, course_id: int, min_holders: int
) -> FunctionRequirement:
    """Holders of the function must hold the course's certificate; at least `min_holders` of them for the
    organisation to count as qualified. Setting it again changes the number."""
    function = function_of(session, organisation, function_id)
    course = session.get(Course, course_id)
    if course is None or course.status != CourseStatus.PUBLISHED:
        raise DomainError(_("Please choose a published course from the list."))
    if min_holders < 1:
        raise DomainError(_("At least one holder of the function must hold the certificate."))
    requirement = next((r for r in function.requirements if r.course_id == course.id), None)
    if requirement is None:
        requirement = FunctionRequirement(course_id=course.id, min_holders=min_holders)
        function.requirements.append(requirement)
    else:
        requirement.min_holders = min_holders
    session.flush()
    return requirement


def remove_requirement(session: Session, organisation: Organisation, function_id: int, requirement_id: int) -> None:
    function = function_of(session, organisation, function_id)
    requirement = next((r for r in function.requirements if r.id == requirement_id), None)
    if requirement is None:
        raise NotFound(_("This function does not require this course."))
    function.requirements.remove(requirement)
    session.flush()


def assign_function(session: Session, organisation: Organisation, membership_id: int, function_id: int) -> bool:
    """Give a member a function; False if they hold it already."""
    membership = membership_in(session, organisation, membership_id)
    function = function_of(session, organisation, function_id)
    if any(mf.function_id == function.id for mf in membership.functions):
        return False
    membership.functions.append(MemberFunction(function_id=function.id))
    session.flush()
    return True


def unassign_function(session: Session, organisation: Organisation, membership_id: int, function_id: int) -> bool:
    membership = membership_in(session, organisation, membership_id)
    found = [mf for mf in membership.functions if mf.function_id == function_id]
    for mf in found:
        membership.functions.remove(mf)
    session.flush()
    return bool(found)
