"""Course packages: a folder with ``course.yaml`` and the Markdown/YAML files its activities reference.

`load_package` reads and checks a package and reports every problem at once, each naming the file and line.
`import_course` writes a checked package: idempotent by slug and version, and a new version updates modules and
activities by their stable keys, so learners keep their progress. See ``docs/course-packages.md``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from mso_academy.catalog.models import Activity, Course, CourseStatus, Level, Module
from mso_academy.db import utcnow
from mso_academy.errors import Conflict
from mso_academy.learning.models import Attempt
from mso_academy.plugins.manager import PluginManager

FORMAT_VERSION = 1
MANIFEST = "course.yaml"
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}$")


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

    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _line_map(
    node: yaml.Node, path: tuple[Any, ...] = (), out: dict[tuple[Any, ...], int] | None = None
) -> dict[tuple[Any, ...], int]:
    """Every key path in a YAML document → its 1-based line, so problems can name the line."""
    out = {} if out is None else out
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*path, key_node.value)
            out[child] = key_node.start_mark.line + 1
            _line_map(value_node, child, out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_map(item, (*path, index), out)
    return out


class _Reader:
    """Collects problems while reading one package."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def problem(self, path: Path, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.rel(path), line, message))

    def load_yaml(self, path: Path) -> tuple[Any, dict[tuple[Any, ...], int]]:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self.problem(path, None, "file not found")
            return None, {}
        except UnicodeDecodeError:
            self.problem(path, None, "file is not UTF-8 text")
            return None, {}
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            self.problem(path, mark.line + 1 if mark else None, f"invalid YAML: {getattr(exc, 'problem', exc)}")
            return None, {}
        return data, (_line_map(node) if node is not None else {})


def _line(lines: dict[tuple[Any, ...], int], *path: Any) -> int | None:
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path)


def load_package(folder: Path, plugins: PluginManager) -> tuple[CourseSpec | None, list[Problem]]:
    """Read and check a package; the spec is None whenever there is any problem."""
    reader = _Reader(folder)
    manifest = folder / MANIFEST
    data, lines = reader.load_yaml(manifest)
    if data is None:
        if not reader.problems:
            reader.problem(manifest, 1, "the file is empty; expected a mapping with slug, title, modules, …")
        return None, reader.problems
    if not isinstance(data, dict):
        reader.problem(manifest, 1, "expected a mapping with slug, title, modules, …")
        return None, reader.problems

    def want(key: str, kind: type | tuple[type, ...], what: str, required: bool = True, default: Any = None) -> Any:
        if key not in data or data[key] is None:
            if required:
                reader.problem(manifest, None, f"'{key}' is missing; expected {what}")
            return default
        value = data[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            reader.problem(manifest, _line(lines, key), f"'{key}' must be {what}")
            return default
        return value

    if data.get("format", FORMAT_VERSION) != FORMAT_VERSION:
        reader.problem(manifest, _line(lines, "format"), f"unknown format; this version reads format {FORMAT_VERSION}")
    slug = want("slug", str, "a slug of lowercase letters, digits and '-'", default="")
    if slug and not SLUG.match(slug):
        reader.problem(manifest, _line(lines, "slug"), "'slug' must be lowercase letters, digits and '-'")
    course_type = want("course_type", str, "the slug of an installed course type", default="")
    if course_type and plugins.course_type(course_type) is None:
        reader.problem(
            manifest,
            _line(lines, "course_type"),
            f"unknown course type {course_type!r}; installed: {', '.join(sorted(plugins.course_types))}",
        )
    language = want("language", str, "a language code such as de or en", default="")
    if language and not LANGUAGE.match(language):
        reader.problem(manifest, _line(lines, "language"), "'language' must be a code such as de, en, ar")
    level = want("level", str, "beginner, intermediate or advanced", required=False, default=Level.BEGINNER.value)
    if level not in {lv.value for lv in Level}:
        reader.problem(manifest, _line(lines, "level"), "'level' must be beginner, intermediate or advanced")
    version = want("version", (str, int, float), 'a version such as "1.0"', default="")
    certificate = want(
        "certificate", dict, "a mapping with description and validity_months", required=False, default={}
    )
    validity = certificate.get("validity_months")
    if validity is not None and (not isinstance(validity, int) or isinstance(validity, bool) or validity < 1):
        reader.problem(
            manifest,
            _line(lines, "certificate", "validity_months"),
            "'validity_months' must be empty (unlimited) or a whole number of at least 1",
        )
        validity = None
    outcomes = want("learning_outcomes", list, "a list of sentences", required=False, default=[])
    spec = CourseSpec(
        slug=slug,
        title=want("title", str, "the course title", default=""),
        summary=want("summary", str, "one or two sentences", required=False, default=""),
        description=want("description", str, "Markdown text", required=False, default=""),
        language=language,
        course_type=course_type,
        level=level,
        duration_minutes=want("duration_minutes", int, "a whole number of minutes", default=0),
        version=str(version),
        certificate_description=str(certificate.get("description") or ""),
        certificate_validity_months=validity,
        learning_outcomes=[str(o) for o in outcomes],
        translations=want("translations", dict, "a mapping of language code to texts", required=False, default={}),
    )
    modules = want("modules", list, "a list of modules", default=[])
    if "modules" in data and not modules:
        reader.problem(manifest, _line(lines, "modules"), "a course needs at least one module")
    activity_keys: set[str] = set()
    module_keys: set[str] = set()
    for m_index, raw in enumerate(modules):
        module = _read_module(reader, folder, lines, m_index, raw, module_keys, activity_keys, plugins)
        if module is not None:
            spec.modules.append(module)
    if folder.name != slug and slug:
        reader.problem(manifest, _line(lines, "slug"), f"the folder is named {folder.name!r}; it must match the slug")
    return (None if reader.problems else spec), reader.problems


def _read_module(
    reader: _Reader,
    folder: Path,
    lines: dict[tuple[Any, ...], int],
    index: int,
    raw: Any,
    module_keys: set[str],
    activity_keys: set[str],
    plugins: PluginManager,
) -> ModuleSpec | None:
    manifest = folder / MANIFEST
    at = ("modules", index)
    if not isinstance(raw, dict):
        reader.problem(manifest, _line(lines, *at), "each module must be a mapping with key, title and activities")
        return None
    key = raw.get("key")
    if not isinstance(key, str) or not SLUG.match(key):
        reader.problem(manifest, _line(lines, *at, "key"), "module 'key' must be lowercase letters, digits and '-'")
    elif key in module_keys:
        reader.problem(manifest, _line(lines, *at, "key"), f"module key {key!r} is used twice")
    else:
        module_keys.add(key)
    if not isinstance(raw.get("title"), str) or not raw["title"].strip():
        reader.problem(manifest, _line(lines, *at), "the module needs a 'title'")
    renewal = raw.get("renewal", False)
    if not isinstance(renewal, bool):
        reader.problem(manifest, _line(lines, *at, "renewal"), "'renewal' must be true or false")
    module = ModuleSpec(
        key=str(key),
        title=str(raw.get("title") or ""),
        summary=str(raw.get("summary") or ""),
        renewal=renewal is True,
    )
    activities = raw.get("activities")
    if not isinstance(activities, list) or not activities:
        reader.problem(manifest, _line(lines, *at), "the module needs a list of 'activities'")
        return module
    for a_index, item in enumerate(activities):
        activity = _read_activity(reader, folder, lines, (*at, "activities", a_index), item, activity_keys, plugins)
        if activity is not None:
            module.activities.append(activity)
    return module


def _read_activity(
    reader: _Reader,
    folder: Path,
    lines: dict[tuple[Any, ...], int],
    at: tuple[Any, ...],
    raw: Any,
    activity_keys: set[str],
    plugins: PluginManager,
) -> ActivitySpec | None:
    manifest = folder / MANIFEST
    if not isinstance(raw, dict):
        reader.problem(manifest, _line(lines, *at), "each activity must be a mapping with key, kind and title")
        return None
    key = raw.get("key")
    if not isinstance(key, str) or not SLUG.match(key):
        reader.problem(manifest, _line(lines, *at, "key"), "activity 'key' must be lowercase letters, digits and '-'")
    elif key in activity_keys:
        reader.problem(manifest, _line(lines, *at, "key"), f"activity key {key!r} is used twice in this course")
    else:
        activity_keys.add(key)
    kind_key = raw.get("kind")
    kind = plugins.kind(kind_key) if isinstance(kind_key, str) else None
    if kind is None:
        reader.problem(
            manifest,
            _line(lines, *at, "kind"),
            f"unknown activity kind {kind_key!r}; installed: {', '.join(sorted(plugins.activity_kinds))}",
        )
    if not isinstance(raw.get("title"), str) or not raw["title"].strip():
        reader.problem(manifest, _line(lines, *at), "the activity needs a 'title'")
    content: dict[str, Any] = dict(raw.get("content") or {}) if isinstance(raw.get("content", {}), dict) else {}
    content_file = manifest
    content_lines = {(k,): _line(lines, *at, "content", k) or _line(lines, *at) for k in content}
    ref = raw.get("file")
    if ref is not None:
        target = (folder / str(ref)).resolve()
        if not target.is_relative_to(folder.resolve()):
            reader.problem(manifest, _line(lines, *at, "file"), "'file' must stay inside the course folder")
            return None
        if not target.is_file():
            reader.problem(manifest, _line(lines, *at, "file"), f"'file' refers to {ref!r}, which does not exist")
            return None
        if target.suffix == ".md":
            content["body"] = target.read_text(encoding="utf-8")
        elif target.suffix in (".yaml", ".yml"):
            loaded, content_lines = reader.load_yaml(target)
            if loaded is None or not isinstance(loaded, dict):
                if loaded is not None:
                    reader.problem(target, 1, "expected a mapping (the activity's content)")
                return None
            content = {**loaded, **content}
            content_file = target
        else:
            reader.problem(manifest, _line(lines, *at, "file"), "'file' must be a .md or .yaml file")
            return None
    for extra in ("minutes",):
        if extra in raw:
            content[extra] = raw[extra]
    if kind is not None:
        for problem in kind.validate(content):
            path = tuple(int(p) if p.isdigit() else p for p in problem.field.split("."))
            line = _line(content_lines, *path) if content_file != manifest else _line(lines, *at)
            reader.problem(content_file, line, f"{problem.field}: {problem.message}")
    return ActivitySpec(
        key=str(key),
        kind=str(kind_key),
        title=str(raw.get("title") or ""),
        required=bool(raw.get("required", True)),
        content=content,
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


def export_files(spec: CourseSpec) -> dict[str, str]:
    """The package as files (relative path → text): course.yaml, a .md per text body, a .yaml per other content.

    `load_package` on these files gives back an equal spec (a test proves the round trip).
    """
    files: dict[str, str] = {}
    manifest: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "slug": spec.slug,
        "title": spec.title,
        "summary": spec.summary,
        "description": spec.description,
        "language": spec.language,
        "course_type": spec.course_type,
        "level": spec.level,
        "duration_minutes": spec.duration_minutes,
        "version": spec.version,
        "certificate": {
            "description": spec.certificate_description,
            "validity_months": spec.certificate_validity_months,
        },
        "learning_outcomes": spec.learning_outcomes,
        "translations": spec.translations,
        "modules": [],
    }
    for m_pos, module in enumerate(spec.modules, start=1):
        folder = f"{m_pos:02d}-{module.key}"
        entry: dict[str, Any] = {"key": module.key, "title": module.title, "summary": module.summary}
        if module.renewal:
            entry["renewal"] = True
        entry["activities"] = []
        for activity in module.activities:
            item: dict[str, Any] = {"key": activity.key, "kind": activity.kind, "title": activity.title}
            if not activity.required:
                item["required"] = False
            content = dict(activity.content)
            body = content.pop("body", None) if set(content) <= {"body", "minutes"} else None
            if isinstance(body, str):
                files[f"{folder}/{activity.key}.md"] = body
                item["file"] = f"{folder}/{activity.key}.md"
                if "minutes" in content:
                    item["minutes"] = content.pop("minutes")
            elif content:
                files[f"{folder}/{activity.key}.yaml"] = yaml.safe_dump(content, allow_unicode=True, sort_keys=False)
                item["file"] = f"{folder}/{activity.key}.yaml"
            entry["activities"].append(item)
        manifest["modules"].append(entry)
    files[MANIFEST] = yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False, width=110)
    return files


def find_packages(path: Path) -> list[Path]:
    """A package folder itself, or every package folder directly inside `path`."""
    if (path / MANIFEST).is_file():
        return [path]
    return sorted(p for p in path.iterdir() if (p / MANIFEST).is_file()) if path.is_dir() else []


# --- import -------------------------------------------------------------------------------------------------


def import_course(session: Session, spec: CourseSpec, *, publish: bool = True) -> str:
    """Write a checked package; returns "created", "updated" or "unchanged"."""
    fingerprint = spec.fingerprint()
    course = session.scalar(
        select(Course)
        .where(Course.slug == spec.slug)
        .options(selectinload(Course.modules).selectinload(Module.activities))
    )
    if course is not None and course.version == spec.version:
        if course.package_fingerprint == fingerprint:
            return "unchanged"
        raise Conflict(
            _(
                "Course %(slug)s version %(version)s exists with different content; raise the version to update it.",
                slug=spec.slug,
                version=spec.version,
            )
        )
    created = course is None
    if course is None:
        course = Course(slug=spec.slug)
        session.add(course)
    for name in (
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
        "learning_outcomes",
        "translations",
    ):
        setattr(course, name, getattr(spec, name))
    course.package_fingerprint = fingerprint
    if publish and course.status != CourseStatus.PUBLISHED:
        course.status = CourseStatus.PUBLISHED
        course.published_at = utcnow()
    _sync_outline(session, course, spec)
    session.flush()
    return "created" if created else "updated"


def _sync_outline(session: Session, course: Course, spec: CourseSpec) -> None:
    """Match modules and activities by key; progress stays on activities that keep their key."""
    existing_modules = {m.key: m for m in course.modules}
    existing_activities = {a.key: a for m in course.modules for a in m.activities}
    wanted_keys = {a.key for m in spec.modules for a in m.activities}
    removed = [a for key, a in existing_activities.items() if key not in wanted_keys]
    if removed and session.scalar(
        select(func.count()).select_from(Attempt).where(Attempt.activity_id.in_([a.id for a in removed]))
    ):
        raise Conflict(
            _(
                "Activities with learners' attempts cannot be removed by an import: %(keys)s",
                keys=", ".join(sorted(a.key for a in removed)),
            )
        )
    modules: list[Module] = []
    for m_pos, m_spec in enumerate(spec.modules, start=1):
        module = existing_modules.pop(m_spec.key, None) or Module(key=m_spec.key)
        module.position, module.title, module.summary = m_pos, m_spec.title, m_spec.summary
        module.is_renewal = m_spec.renewal
        activities = []
        for a_pos, a_spec in enumerate(m_spec.activities, start=1):
            activity = existing_activities.pop(a_spec.key, None) or Activity(key=a_spec.key)
            activity.position, activity.kind, activity.title = a_pos, a_spec.kind, a_spec.title
            activity.required, activity.content = a_spec.required, a_spec.content
            activities.append(activity)
        module.activities = activities
        modules.append(module)
    course.modules = modules
