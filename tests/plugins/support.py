"""What the tests of the shipped course-type plugins share: the course's content documents, a plugin's view of a
submitted form, and a new activity made in the trainers' web editor."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mso_academy.catalog.models import Course, CourseDraft


def shipped_document(course: Path, relative: str) -> dict[str, Any]:
    """A content document of a shipped course (a fresh copy a test may change)."""
    return copy.deepcopy(yaml.safe_load((course / relative).read_text(encoding="utf-8")))


class Form(dict):
    """A submitted form as the core passes it: `get`, `getlist` and `keys` of a werkzeug MultiDict."""

    def getlist(self, key: str) -> list[str]:
        value = self.get(key)
        if value is None:
            return []
        return list(value) if isinstance(value, list | tuple) else [value]


def new_activity(client: FlaskClient, course_type: str, kind: str, title: str) -> tuple[str, str]:
    """A new course of `course_type` with one activity of `kind`, made through the web editor: (slug, key)."""
    response = client.post(
        "/trainer/new-course",
        data={
            "title": "Übungskurs",
            "summary": "Ein kurzer Kurs.",
            "language": "de",
            "course_type": course_type,
            "level": "beginner",
            "duration_minutes": "30",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    slug = re.search(r"/trainer/courses/([a-z0-9-]+)/$", response.location).group(1)  # type: ignore[union-attr]
    response = client.post(f"/trainer/courses/{slug}/modules/module-1/activities", data={"kind": kind, "title": title})
    assert response.status_code == 303, response.get_data(as_text=True)
    return slug, response.location.rsplit("/", 1)[1]


def draft_content(session: Session, slug: str, key: str) -> dict[str, Any]:
    """The content of activity `key` in the course's editor draft, as stored."""
    session.expire_all()
    course = session.scalar(select(Course).where(Course.slug == slug))
    spec = session.scalar(select(CourseDraft).where(CourseDraft.course_id == course.id)).spec
    return next(a for m in spec["modules"] for a in m["activities"] if a["key"] == key)["content"]
