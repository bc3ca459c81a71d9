"""The organisation's status per area: *qualified* when its functions' requirements in that area are met.

An area is a course type (association law, bookkeeping, …). A requirement (function, course, `min_holders`) is
met when at least `min_holders` holders of the function hold a valid certificate of the course. The
organisation is qualified in an area when every requirement whose course is of that type is met; an area in
which no function requires anything is not listed at all.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import Session

from mso_academy.organisations.models import Organisation
from mso_academy.plugins.manager import plugins
from mso_academy.qualification.matrix import Snapshot, load


@dataclass(frozen=True)
class RequirementStatus:
    function_id: int
    function_name: str
    course_id: int
    course_title: str
    course_language: str
    needed: int  # the requirement's min_holders
    holders: int  # members holding the function
    held: int  # of them, how many hold a valid certificate of the course

    @property
    def met(self) -> bool:
        return self.held >= self.needed

    def describe(self) -> str:
        """E.g. "Board: 1 of 2 needed hold a valid certificate for Vereinsrecht." (translated)."""
        if self.met:
            text = _(
                "%(function)s: %(held)d hold a valid certificate for %(course)s (%(needed)d needed).",
                function=self.function_name,
                held=self.held,
                needed=self.needed,
                course=self.course_title,
            )
        else:
            text = _(
                "%(function)s: %(held)d of %(needed)d needed hold a valid certificate for %(course)s.",
                function=self.function_name,
                held=self.held,
                needed=self.needed,
                course=self.course_title,
            )
        if self.holders < self.needed:
            text += " " + ngettext(
                "Only %(num)d member holds this function.", "Only %(num)d members hold this function.", self.holders
            )
        return text


@dataclass(frozen=True)
class AreaStatus:
    course_type: str
    name: Any  # the course type's name, a lazy translation (shown in the reader's language)
    requirements: tuple[RequirementStatus, ...]

    @property
    def qualified(self) -> bool:
        return all(r.met for r in self.requirements)

    @property
    def missing(self) -> list[RequirementStatus]:
        return [r for r in self.requirements if not r.met]


@dataclass(frozen=True)
class PublicArea:
    """What the public may see: the area and whether the organisation is qualified in it, nothing about people."""

    course_type: str
    name: Any
    qualified: bool


def area_name(course_type: str) -> Any:
    registered = plugins().course_type(course_type)
    return registered.name if registered is not None else course_type


def areas(snapshot: Snapshot) -> list[AreaStatus]:
    """Every area in which a function of the organisation requires a course, by name."""
    columns = {c.course_id: c for c in snapshot.columns}
    by_area: dict[str, list[RequirementStatus]] = defaultdict(list)
    for function in snapshot.functions:
        holders = [m for m in snapshot.members if function.id in m.function_ids]
        for requirement in function.requirements:
            column = columns[requirement.course_id]
            held = sum(1 for m in holders if snapshot.cell(m.user_id, column.course_id).holds)
            by_area[column.course_type].append(
                RequirementStatus(
                    function_id=function.id,
                    function_name=function.name,
                    course_id=column.course_id,
                    course_title=column.title,
                    course_language=column.language,
                    needed=requirement.min_holders,
                    holders=len(holders),
                    held=held,
                )
            )
    result = [
        AreaStatus(
            course_type=course_type,
            name=area_name(course_type),
            requirements=tuple(sorted(items, key=lambda r: (r.function_name.lower(), r.course_title.lower()))),
        )
        for course_type, items in by_area.items()
    ]
    return sorted(result, key=lambda a: str(a.name).lower())


def organisation_status(session: Session, organisation: Organisation) -> list[AreaStatus]:
    return areas(load(session, organisation))


def public_status(session: Session, organisation: Organisation) -> list[PublicArea]:
    """The status for the organisation's public page: empty unless the organisation chose to show it."""
    if not organisation.show_status_publicly:
        return []
    return [
        PublicArea(course_type=a.course_type, name=a.name, qualified=a.qualified)
        for a in organisation_status(session, organisation)
    ]
