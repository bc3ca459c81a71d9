"""What a course package says, whichever way it arrives: files on disk, a web editor's draft, or a stored course.

All three become the same `CourseSpec`, so a draft is published by the same checks and versioning rule as a
package on disk, and an export gives back what was imported. The format's rules (slug, language and version
patterns, the keys each part may have) live here because the reader, the web editor and the exports must agree
on them. `fingerprint` is what tells "the same version again" from "the same version with other content".
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from mso_academy.catalog.models import Course

FORMAT_VERSION = 1
MANIFEST = "course.yaml"
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+-]{0,19}$")
TITLE_MAX = 200

# The course's own fields a package sets (besides its slug and its outline), in one place for import and editor.
COURSE_FIELDS = (
    "title",
    "summary",
    "description",
    "language",
    "course_type",
    "level",
    "duration_minutes",
    "version",
    "certificate_description",
    "certificate_validity_months",
    "translation_group",
)

# Every key each part of a package may have; anything else is reported (a typo such as `titel:` is lost otherwise).
COURSE_KEYS = (
    "format",
    "slug",
    "title",
    "summary",
    "description",
    "language",
    "course_type",
    "level",
    "duration_minutes",
    "version",
    "certificate",
    "learning_outcomes",
    "translations",
    "translation_group",
    "modules",
)
CERTIFICATE_KEYS = ("description", "validity_months")
TRANSLATION_KEYS = ("title", "summary", "description", "learning_outcomes", "certificate_description")
MODULE_KEYS = ("key", "title", "summary", "renewal", "activities")
ACTIVITY_KEYS = ("key", "kind", "title", "required", "file", "content", "minutes")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


@dataclass
class ActivitySpec:
    key: str
    kind: str
    title: str
    required: bool
    content: dict[str, Any]


@dataclass
class ModuleSpec:
    key: str
    title: str
    summary: str
    activities: list[ActivitySpec] = field(default_factory=list)
    renewal: bool = False


@dataclass
class CourseSpec:
    slug: str
    title: str
    summary: str
    description: str
    language: str
    course_type: str
    level: str
    duration_minutes: int
    version: str
    certificate_description: str
    certificate_validity_months: int | None
    learning_outcomes: list[str]
    translations: dict[str, Any]
    modules: list[ModuleSpec] = field(default_factory=list)
    # Courses sharing this key are language versions of one course (a slug such as "vereinsrecht-basics").
    translation_group: str | None = None

    def fingerprint(self) -> str:
        """The content's hash. The language group is left out: linking language versions changes nothing a
        learner works through, so it needs no new version (and fingerprints stored before it existed hold)."""
        data = asdict(self)
        del data["translation_group"]
        return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    def matches(self, course: Course) -> bool:
        """Whether `course` is this spec as imported: the same content and the same language group."""
        return self.fingerprint() == course.package_fingerprint and self.translation_group == (
            course.translation_group or None
        )


# --- the spec as data: the web editor's drafts and exports --------------------------------------------------


def spec_to_dict(spec: CourseSpec) -> dict[str, Any]:
    return asdict(spec)


def spec_from_dict(data: dict[str, Any]) -> CourseSpec:
    """The inverse of `spec_to_dict` (drafts are stored as JSON)."""
    modules = [
        ModuleSpec(
            key=m["key"],
            title=m["title"],
            summary=m.get("summary", ""),
            renewal=bool(m.get("renewal", False)),
            activities=[ActivitySpec(**a) for a in m.get("activities", [])],
        )
        for m in data.get("modules", [])
    ]
    fields = {k: v for k, v in data.items() if k != "modules"}
    return CourseSpec(**fields, modules=modules)


def spec_from_course(course: Course) -> CourseSpec:
    """What a course is now, as a package spec (the outline must be loaded)."""
    return CourseSpec(
        slug=course.slug,
        title=course.title,
        summary=course.summary,
        description=course.description,
        language=course.language,
        course_type=course.course_type,
        level=course.level,
        duration_minutes=course.duration_minutes,
        version=course.version,
        certificate_description=course.certificate_description,
        certificate_validity_months=course.certificate_validity_months,
        learning_outcomes=list(course.learning_outcomes),
        translations=dict(course.translations),
        translation_group=course.translation_group or None,
        modules=[
            ModuleSpec(
                key=m.key,
                title=m.title,
                summary=m.summary,
                renewal=m.is_renewal,
                activities=[
                    ActivitySpec(key=a.key, kind=a.kind, title=a.title, required=a.required, content=dict(a.content))
                    for a in m.activities
                ],
            )
            for m in course.modules
        ],
    )
