"""The catalogue: finding courses, and reading one course with its outline."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.orm import Session, joinedload

from mso_academy.catalog.models import Activity, Course, CourseStatus, Module
from mso_academy.errors import NotFound
from mso_academy.permissions import can_view_course

MAX_QUERY_WORDS = 8


@dataclass(frozen=True)
class CatalogueQuery:
    text: str = ""
    course_type: str = ""
    language: str = ""
    level: str = ""
    page: int = 1


@dataclass(frozen=True)
class Page:
    items: Sequence[Course]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _escape_like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(query: CatalogueQuery) -> Select[Any]:
    stmt = select(Course).where(Course.status == CourseStatus.PUBLISHED)
    for word in query.text.split()[:MAX_QUERY_WORDS]:
        like = f"%{_escape_like(word.lower())}%"
        stmt = stmt.where(
            or_(
                func.lower(Course.title).like(like, escape="\\"),
                func.lower(Course.summary).like(like, escape="\\"),
                func.lower(Course.description).like(like, escape="\\"),
            )
        )
    if query.course_type:
        stmt = stmt.where(Course.course_type == query.course_type)
    if query.language:
        stmt = stmt.where(Course.language == query.language)
    if query.level:
        stmt = stmt.where(Course.level == query.level)
    return stmt


def search(session: Session, query: CatalogueQuery, page_size: int) -> Page:
    """Published courses matching every word and every filter, newest first; two queries."""
    stmt = _filtered(query)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = min(max(1, query.page), max(1, math.ceil(total / page_size)))
    items = session.scalars(
        stmt.order_by(Course.published_at.desc().nulls_last(), Course.title)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return Page(items=items, total=total, page=page, page_size=page_size)


def facet_values(session: Session) -> dict[str, list[str]]:
    """The languages and course types that published courses have (for the filter menus)."""
    pairs = session.execute(
        select(Course.language, Course.course_type).where(Course.status == CourseStatus.PUBLISHED).distinct()
    ).all()  # one query: the distinct (language, type) pairs are few
    return {
        "languages": sorted({language for language, _type in pairs}),
        "course_types": sorted({course_type for _language, course_type in pairs}),
    }


@cache
def _course_with_outline() -> Select[tuple[Course]]:
    # Modules and activities joined into the one statement: every learner page starts here, so it is built once.
    return (
        select(Course)
        .where(Course.slug == bindparam("slug"))
        .options(joinedload(Course.modules).joinedload(Module.activities))
    )


def course_by_slug(session: Session, slug: str, viewer: Any) -> Course:
    """The course with its outline loaded; `NotFound` for unknown courses and for drafts the viewer may not see."""
    course = session.scalars(_course_with_outline(), {"slug": slug}).unique().one_or_none()
    if course is None or not can_view_course(viewer, course):
        raise NotFound(_("This course does not exist."))
    return course


def language_versions(session: Session, course: Course) -> list[Course]:
    """The other published courses of `course`'s language group (one query), by language then title."""
    if not course.translation_group:
        return []
    return list(
        session.scalars(
            select(Course)
            .where(
                Course.translation_group == course.translation_group,
                Course.status == CourseStatus.PUBLISHED,
                Course.id != course.id,
            )
            .order_by(Course.language, Course.title)
        )
    )


def language_versions_of(session: Session, courses: Sequence[Course]) -> dict[int, list[Course]]:
    """For a page of courses: each course's other published language versions (one query for the page)."""
    groups = {c.translation_group for c in courses if c.translation_group}
    if not groups:
        return {}
    members = session.scalars(
        select(Course)
        .where(Course.translation_group.in_(groups), Course.status == CourseStatus.PUBLISHED)
        .order_by(Course.language, Course.title)
    ).all()
    return {
        c.id: [m for m in members if m.translation_group == c.translation_group and m.id != c.id]
        for c in courses
        if c.translation_group
    }


def activities_in_order(course: Course) -> list[Activity]:
    return [activity for module in course.modules for activity in module.activities]


def latest_published(
    session: Session, limit: int, exclude_ids: Sequence[int] = (), language: str | None = None
) -> list[Course]:
    stmt = select(Course).where(Course.status == CourseStatus.PUBLISHED)
    if exclude_ids:
        stmt = stmt.where(Course.id.not_in(exclude_ids))
    if language:
        stmt = stmt.order_by((Course.language == language).desc())
    stmt = stmt.order_by(Course.published_at.desc().nulls_last(), Course.title).limit(limit)
    return list(session.scalars(stmt))
