"""What the admin pages show: courses with their plugin state."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from mso_academy.catalog.models import Course, Module
from mso_academy.plugins.manager import PluginManager


@dataclass(frozen=True)
class CourseHealth:
    course: Course
    missing_course_type: bool
    missing_kinds: list[str]


def courses_with_health(session: Session, plugins: PluginManager) -> list[CourseHealth]:
    """Every course, with the course type and activity kinds it needs but no enabled plugin provides."""
    courses = session.scalars(
        select(Course).order_by(Course.title).options(selectinload(Course.modules).selectinload(Module.activities))
    ).all()
    result = []
    for course in courses:
        kinds = {a.kind for m in course.modules for a in m.activities}
        result.append(
            CourseHealth(
                course=course,
                missing_course_type=plugins.course_type(course.course_type) is None,
                missing_kinds=sorted(k for k in kinds if plugins.kind(k) is None),
            )
        )
    return result
