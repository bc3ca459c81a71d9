"""A synthetic dataset of a chosen size, written with bulk inserts (minutes for L, not hours).

Certificates are real: signed with the installation's key like issued ones. Every user shares one password hash
(computed once with the app's own argon2 parameters), so logging in costs what it costs in production.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from mso_academy.accounts.passwords import hash_password
from mso_academy.certificates import credential, keys
from mso_academy.certificates.services import base_url, issuer, new_code, verify_url
from mso_academy.db import utcnow
from mso_academy.models import (
    Activity,
    ActivityProgress,
    Certificate,
    Completion,
    Course,
    Enrolment,
    Module,
    User,
)

PASSWORD = "bench-password-2026"
ACTIVITIES_PER_MODULE = 6  # five lessons and a quiz
MODULES = 2
CHUNK = 5000
QUIZ = {
    "pass_mark": 100,
    "max_attempts": None,
    "questions": [
        {
            "key": "q1",
            "type": "single",
            "text": "Wer vertritt den Verein?",
            "options": [{"key": "a", "text": "Der Vorstand", "correct": True}, {"key": "b", "text": "Die Kasse"}],
        },
        {
            "key": "q2",
            "type": "single",
            "text": "Wie viele Mitglieder braucht die Gründung eines e.V.?",
            "options": [{"key": "a", "text": "Sieben", "correct": True}, {"key": "b", "text": "Drei"}],
        },
    ],
}
QUIZ_ANSWERS = {"q-q1": "a", "q-q2": "a"}


@dataclass(frozen=True)
class Size:
    users: int
    courses: int
    enrolments: int
    progress_per_enrolment: int
    completed_share: float  # of enrolments, each with a certificate


SIZES = {
    "S": Size(users=1_000, courses=50, enrolments=4_000, progress_per_enrolment=5, completed_share=0.5),
    "M": Size(users=5_000, courses=200, enrolments=20_000, progress_per_enrolment=5, completed_share=0.5),
    "L": Size(users=50_000, courses=200, enrolments=250_000, progress_per_enrolment=10, completed_share=0.5),
}


def _chunks(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [rows[i : i + CHUNK] for i in range(0, len(rows), CHUNK)]


def _insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        session.execute(insert(model), chunk)


def seed(session: Session, size: Size, journey_learners: int = 200) -> dict[str, Any]:
    """Write the dataset; returns what the scenarios need (slugs, a learner's e-mail, activity ids, codes)."""
    rng = random.Random(2026)
    now = utcnow()
    password_hash = hash_password(PASSWORD)
    _insert(
        session,
        User,
        [
            {
                "email": f"user{n}@bench.example.org",
                "name": f"Teilnehmerin {n}",
                "password_hash": password_hash,
                "preferred_language": "de",
                "email_confirmed_at": now,
                "session_token": secrets.token_urlsafe(32),
                "reminder_opt_outs": [],
            }
            for n in range(size.users)
        ],
    )
    user_ids = list(session.scalars(select(User.id).order_by(User.id)))
    names = dict(session.execute(select(User.id, User.name)).tuples().all())
    emails = dict(session.execute(select(User.id, User.email)).tuples().all())

    _insert(
        session,
        Course,
        [
            {
                "slug": f"kurs-{n}",
                "title": f"Vereinsarbeit Kurs {n}",
                "summary": "Ein Kurs für Ehrenamtliche.",
                "description": "",
                "course_type": "general",
                "language": "de" if n % 4 else "tr",
                "level": "beginner",
                "duration_minutes": 90,
                "version": "1.0",
                "status": "published",
                "certificate_description": "",
                "certificate_validity_months": 24,
                "learning_outcomes": [],
                "translations": {},
                "published_at": now - timedelta(days=n),
            }
            for n in range(size.courses)
        ],
    )
    courses = list(session.scalars(select(Course).order_by(Course.id)))
    _insert(
        session,
        Module,
        [
            {
                "course_id": c.id,
                "key": f"m{m}",
                "position": m,
                "title": f"Modul {m}",
                "summary": "",
                "is_renewal": False,
            }
            for c in courses
            for m in range(1, MODULES + 1)
        ],
    )
    modules = session.execute(select(Module.id, Module.course_id).order_by(Module.id)).all()
    activity_rows = []
    for module_id, _course_id in modules:
        for a in range(1, ACTIVITIES_PER_MODULE + 1):
            quiz = a == ACTIVITIES_PER_MODULE
            activity_rows.append(
                {
                    "module_id": module_id,
                    "key": f"m{module_id}-a{a}",
                    "position": a,
                    "required": True,
                    "kind": "quiz" if quiz else "text_lesson",
                    "title": "Quiz" if quiz else f"Lektion {a}",
                    "content": QUIZ
                    if quiz
                    else {"body": f"# Lektion {a}\n\n" + "Text für Ehrenamtliche. " * 60, "minutes": 5},
                }
            )
    _insert(session, Activity, activity_rows)
    activities_of: dict[int, list[int]] = {}
    for activity_id, course_id in session.execute(
        select(Activity.id, Module.course_id)
        .join(Module, Module.id == Activity.module_id)
        .order_by(Module.course_id, Module.position, Activity.position)
    ):
        activities_of.setdefault(course_id, []).append(activity_id)

    pairs: set[tuple[int, int]] = set()
    while len(pairs) < size.enrolments:
        pairs.add((rng.choice(user_ids), rng.choice(courses).id))
    completed_count = int(size.enrolments * size.completed_share)
    enrolment_rows = [
        {
            "user_id": u,
            "course_id": c,
            "source": "self",
            "cycle": 1,
            "enrolled_at": now - timedelta(days=30),
            "last_activity_at": now - timedelta(days=rng.randint(0, 29)),
            "status": "completed" if i < completed_count else "active",
            "completed_at": now - timedelta(days=1) if i < completed_count else None,
        }
        for i, (u, c) in enumerate(sorted(pairs))
    ]
    _insert(session, Enrolment, enrolment_rows)
    enrolments = session.execute(
        select(Enrolment.id, Enrolment.user_id, Enrolment.course_id, Enrolment.status).order_by(Enrolment.id)
    ).all()
    _insert(
        session,
        ActivityProgress,
        [
            {"enrolment_id": e, "activity_id": activity, "attempts_count": 1, "best_score": 1.0, "passed_at": now}
            for e, _u, c, _s in enrolments
            for activity in activities_of[c][: size.progress_per_enrolment]
        ],
    )
    completed = [(e, u, c) for e, u, c, status in enrolments if status == "completed"]
    _insert(
        session,
        Completion,
        [
            {"enrolment_id": e, "cycle": 1, "course_version": "1.0", "completed_at": now - timedelta(days=1)}
            for e, _u, _c in completed
        ],
    )
    completion_ids = dict(session.execute(select(Completion.enrolment_id, Completion.id)).tuples().all())
    key = keys.signing_key()
    course_by_id = {c.id: c for c in courses}
    certificate_rows = []
    for e, u, c in completed:
        course, code, salt = course_by_id[c], new_code(), secrets.token_hex(16)
        issued, until = now - timedelta(days=1), now + timedelta(days=700)
        identity = credential.recipient_hash(emails[u], salt)
        document = credential.build(
            credential_id=verify_url(code),
            issuer=issuer(),
            achievement_id=f"{base_url()}/courses/{course.slug}",
            title=course.title,
            description=course.summary,
            criteria="Alle Aktivitäten bestanden.",
            language=course.language,
            version="1.0",
            holder_name=names[u],
            identity_hash=identity,
            salt=salt,
            issued_at=issued,
            valid_until=until,
            outcomes=[],
        )
        certificate_rows.append(
            {
                "code": code,
                "completion_id": completion_ids[e],
                "user_id": u,
                "course_id": c,
                "holder_name": names[u],
                "course_slug": course.slug,
                "course_title": course.title,
                "course_version": "1.0",
                "course_language": course.language,
                "course_type": "general",
                "description": "",
                "learning_outcomes": [],
                "duration_minutes": 90,
                "contributions": [],
                "issuer_name": "MSO Academy",
                "issuer_address": "",
                "issued_at": issued,
                "valid_until": until,
                "recipient_salt": salt,
                "recipient_hash": identity,
                "key_id": key.kid,
                "credential_jwt": credential.sign(document, key),
            }
        )
    _insert(session, Certificate, certificate_rows)

    # The benchmark's own learners: enrolled in the first course, everything passed but its last activity (the final
    # quiz), so one right submission completes the course and issues a certificate.
    first = courses[0]
    _insert(
        session,
        User,
        [
            {
                "email": f"learner{n}@bench.example.org",
                "name": f"Lernende {n}",
                "password_hash": password_hash,
                "preferred_language": "de",
                "email_confirmed_at": now,
                "session_token": secrets.token_urlsafe(32),
                "reminder_opt_outs": [],
            }
            for n in range(journey_learners)
        ],
    )
    learners = list(session.scalars(select(User.id).where(User.email.like("learner%@bench.example.org"))))
    _insert(
        session,
        Enrolment,
        [
            {"user_id": u, "course_id": first.id, "source": "self", "cycle": 1, "enrolled_at": now, "status": "active"}
            for u in learners
        ],
    )
    learner_enrolments = list(
        session.scalars(select(Enrolment.id).where(Enrolment.user_id.in_(learners), Enrolment.course_id == first.id))
    )
    _insert(
        session,
        ActivityProgress,
        [
            {"enrolment_id": e, "activity_id": a, "attempts_count": 1, "best_score": 1.0, "passed_at": now}
            for e in learner_enrolments
            for a in activities_of[first.id][:-1]
        ],
    )
    session.flush()
    return {
        "course": first.slug,
        "lesson": activities_of[first.id][0],
        "lessons": [a for n, a in enumerate(activities_of[first.id]) if (n + 1) % ACTIVITIES_PER_MODULE][-2:],
        "quiz": activities_of[first.id][-1],
        "learners": [f"learner{n}@bench.example.org" for n in range(journey_learners)],
        "valid_code": certificate_rows[0]["code"] if certificate_rows else None,
        "counts": {
            "users": size.users + journey_learners,
            "courses": size.courses,
            "enrolments": len(enrolments),
            "progress": size.enrolments * size.progress_per_enrolment,
            "certificates": len(certificate_rows),
        },
    }
