"""Factories: build users, courses and enrolments with one call and sensible defaults."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.orm import Session

from mso_academy.accounts import services as accounts
from mso_academy.accounts.models import Role, User
from mso_academy.catalog.models import Activity, Course, CourseStatus, Module
from mso_academy.db import utcnow

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def quiz_content(**overrides: Any) -> dict[str, Any]:
    content: dict[str, Any] = {
        "pass_mark": 100,
        "max_attempts": None,
        "questions": [
            {
                "key": "capital",
                "type": "single",
                "text": "Capital of Germany?",
                "options": [
                    {"key": "a", "text": "Berlin", "correct": True, "feedback": "Yes, Berlin."},
                    {"key": "b", "text": "Bonn", "correct": False, "feedback": "Bonn was the capital until 1990."},
                ],
            },
            {
                "key": "rivers",
                "type": "multiple",
                "text": "Which are rivers?",
                "options": [
                    {"key": "rhein", "text": "Rhein", "correct": True},
                    {"key": "elbe", "text": "Elbe", "correct": True},
                    {"key": "harz", "text": "Harz", "correct": False, "feedback": "The Harz is a mountain range."},
                ],
            },
            {
                "key": "eu",
                "type": "true_false",
                "text": "Germany is in the EU.",
                "correct": True,
                "feedback_correct": "Right.",
                "feedback_incorrect": "It is a founding member.",
            },
            {
                "key": "states",
                "type": "numeric",
                "text": "How many federal states?",
                "answer": 16,
                "tolerance": 0,
                "feedback_incorrect": "There are 16 Länder.",
            },
        ],
    }
    content.update(overrides)
    return content


RIGHT_ANSWERS = {"q-capital": "a", "q-rivers": ["rhein", "elbe"], "q-eu": "true", "q-states": "16"}
WRONG_ANSWERS = {"q-capital": "b", "q-rivers": ["rhein"], "q-eu": "false", "q-states": "15"}


def make_user(
    session: Session,
    *,
    email: str | None = None,
    name: str | None = None,
    roles: tuple[Role, ...] = (),
    confirmed: bool = True,
    language: str = "en",
) -> User:
    n = next(_counter)
    return accounts.create_user(
        session,
        email=email or f"user{n}@example.org",
        name=name or f"Test User {n}",
        password=PASSWORD,
        roles=roles,
        confirmed=confirmed,
        language=language,
    )


def make_course(
    session: Session,
    *,
    slug: str | None = None,
    title: str | None = None,
    status: CourseStatus = CourseStatus.PUBLISHED,
    course_type: str = "general",
    language: str = "de",
    level: str = "beginner",
    summary: str = "A course for tests.",
    modules: list[list[tuple[str, dict[str, Any]]]] | None = None,
    owner: User | None = None,
    **fields: Any,
) -> Course:
    """`modules` is a list of modules, each a list of (kind, content) activities; default: lesson + quiz."""
    n = next(_counter)
    if modules is None:
        modules = [[("text_lesson", {"body": "# Hello\n\nRead me.", "minutes": 5}), ("quiz", quiz_content())]]
    course = Course(
        slug=slug or f"course-{n}",
        title=title or f"Course {n}",
        summary=summary,
        course_type=course_type,
        language=language,
        level=level,
        status=status,
        version="1.0",
        duration_minutes=30,
        published_at=utcnow() if status == CourseStatus.PUBLISHED else None,
        owner_id=owner.id if owner else None,
        certificate_description="Confirms the basics.",
        **fields,
    )
    for m_pos, activities in enumerate(modules, start=1):
        module = Module(key=f"m{m_pos}", position=m_pos, title=f"Module {m_pos}")
        module.activities = [
            Activity(
                key=f"m{m_pos}-a{a_pos}", position=a_pos, kind=kind, title=f"Activity {m_pos}.{a_pos}", content=content
            )
            for a_pos, (kind, content) in enumerate(activities, start=1)
        ]
        course.modules.append(module)
    session.add(course)
    session.flush()
    return course


def complete_course(session: Session, user: User, course: Course) -> Any:
    """Pass every open activity of `course` as `user` through the services; returns the certificate issued.

    Works for courses of text lessons (every activity is answered with "done"); call it in a request context.
    """
    from werkzeug.datastructures import MultiDict

    from mso_academy.certificates import services as certificates
    from mso_academy.learning import services as learning
    from mso_academy.plugins.manager import plugins

    enrolment = learning.find_enrolment(session, user.id, course.id) or learning.enrol(session, plugins(), user, course)
    progress = learning.course_progress(session, course, enrolment)
    for state in progress.states:
        if not state.passed:
            learning.submit(
                session,
                plugins(),
                progress,
                state.activity.id,
                MultiDict({"done": "1"}),
                f"tok-{enrolment.cycle}-{state.activity.id}",
            )
    session.flush()
    return certificates.latest_for_enrolment(session, enrolment)
