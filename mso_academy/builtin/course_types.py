"""The core's own course type, for courses that belong to no specialised type."""

from __future__ import annotations

from pathlib import Path

from mso_academy.plugins.api import CourseType, hookimpl, lazy_gettext

TEMPLATES = Path(__file__).parent / "templates"


@hookimpl
def register_course_types() -> list[CourseType]:
    return [
        CourseType(
            slug="general",
            name=lazy_gettext("General"),
            description=lazy_gettext("Basics for volunteers: the platform, data protection, working together."),
            icon="📘",
        )
    ]


@hookimpl
def register_template_dirs() -> list[Path]:
    return [TEMPLATES]
