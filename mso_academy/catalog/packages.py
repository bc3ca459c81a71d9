"""Course packages: a folder with ``course.yaml`` and the Markdown/YAML files its activities reference.

`load_package` reads and checks a package and reports every problem at once, each naming the file and line;
`load_packages` does the same for a folder of packages and also finds slugs used twice.
`import_course` writes a checked package: idempotent by slug and version, and a new version updates modules and
activities by their stable keys, so learners keep their progress. `export_course_files` gives a stored course
back as package files. See ``docs/course-packages.md``.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import json
import math
import re
import zipfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from mso_academy.catalog.models import Activity, Course, CourseStatus, Level, Module
from mso_academy.db import utcnow
from mso_academy.errors import Conflict, NotFound
from mso_academy.learning.models import ActivityProgress, Attempt, Completion, Enrolment, EnrolmentStatus
from mso_academy.plugins.manager import PluginManager

FORMAT_VERSION = 1
MANIFEST = "course.yaml"
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+-]{0,19}$")
TITLE_MAX = 200

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

    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# --- reading and checking -----------------------------------------------------------------------------------

Lines = dict[tuple[Any, ...], int]


def _line_map(node: yaml.Node, path: tuple[Any, ...], out: Lines, twice: list[tuple[str, int]]) -> Lines:
    """Every key path in a YAML document → its 1-based line, so problems can name the line.

    Keys that appear twice in one mapping (YAML would silently keep the last) are collected in `twice`.
    """
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            if key_node.value in seen:
                twice.append((key_node.value, key_node.start_mark.line + 1))
            seen.add(key_node.value)
            child = (*path, _key(key_node))
            out[child] = key_node.start_mark.line + 1
            _line_map(value_node, child, out, twice)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_map(item, (*path, index), out, twice)
    return out


def _key(node: yaml.ScalarNode) -> Any:
    """A mapping key as `safe_load` reads it (so that `1:` is the int 1, as in the loaded data)."""
    try:
        return yaml.constructor.SafeConstructor().construct_object(node)
    except yaml.YAMLError:
        return node.value


def _line(lines: Lines, *path: Any) -> int | None:
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path)


class _Reader:
    """Collects problems while reading one package."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []

    def rel(self, path: Path) -> str:
        for base in (self.root.parent, self.root.resolve().parent):
            try:
                return str(path.relative_to(base))
            except ValueError:
                try:
                    return str(path.resolve().relative_to(base))
                except ValueError:
                    continue
        return str(path)

    def problem(self, path: Path, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.rel(path), line, message))

    def read_text(self, path: Path) -> str | None:
        """The file's text exactly as written (line endings kept, so an export round-trips byte for byte)."""
        try:
            return path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            self.problem(path, None, "file not found")
        except UnicodeDecodeError as exc:
            line = path.read_bytes()[: exc.start].count(b"\n") + 1
            self.problem(path, line, "the file is not UTF-8 text; save it as UTF-8")
        return None

    def load_yaml(self, path: Path) -> tuple[Any, Lines]:
        text = self.read_text(path)
        if text is None:
            return None, {}
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            what = getattr(exc, "problem", None) or str(exc)
            context = getattr(exc, "context", None)
            self.problem(
                path,
                mark.line + 1 if mark else 1,
                f"invalid YAML: {what}" + (f" ({context})" if context else "") + "; expected valid YAML",
            )
            return None, {}
        if node is None:
            return None, {}
        twice: list[tuple[str, int]] = []
        lines = _line_map(node, (), {}, twice)
        for key, line in twice:
            self.problem(path, line, f"the key {key!r} appears twice in the same mapping; write it once")
        return data, lines


@dataclass
class _Doc:
    """One YAML document (or a part of one, under `prefix`) that problems can point into."""

    reader: _Reader
    path: Path
    lines: Lines
    prefix: tuple[Any, ...] = ()

    def line(self, *at: Any) -> int:
        return _line(self.lines, *self.prefix, *at) or 1

    def problem(self, at: tuple[Any, ...], message: str) -> None:
        self.reader.problem(self.path, self.line(*at), message)

    def under(self, *at: Any) -> _Doc:
        return _Doc(self.reader, self.path, self.lines, (*self.prefix, *at))

    def unknown_keys(self, data: Mapping[Any, Any], allowed: tuple[str, ...], what: str) -> None:
        for key in data:
            if key in allowed:
                continue
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            self.problem(
                (key,), f"unknown key {str(key)!r} in {what}; allowed keys: {', '.join(sorted(allowed))}.{hint}"
            )


def _not_plain(value: Any, at: tuple[Any, ...] = ()) -> tuple[tuple[Any, ...], str] | None:
    """Where `value` holds something a course cannot store (dates, non-text keys, …), else None."""
    if value is None or isinstance(value, str | bool | int):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else (at, "numbers must be finite")
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _not_plain(item, (*at, index))
            if found:
                return found
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return (*at, key), f"the key {key!r} must be text; write it in quotes"
            found = _not_plain(item, (*at, key))
            if found:
                return found
        return None
    return at, f"{type(value).__name__} values cannot be stored; write the value in quotes to keep it as text"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


@dataclass
class _Loaded:
    spec: CourseSpec
    problems: list[Problem]
    manifest: str
    slug_line: int


def load_package(folder: Path, plugins: PluginManager) -> tuple[CourseSpec | None, list[Problem]]:
    """Read and check a package; the spec is None whenever there is any problem."""
    loaded = _read_package(folder, plugins)
    return (None if loaded.problems else loaded.spec), loaded.problems


def find_packages(path: Path) -> list[Path]:
    """A package folder itself (or its course.yaml), or every package folder directly inside `path`."""
    if path.is_file() and path.name == MANIFEST:
        return [path.parent]
    if (path / MANIFEST).is_file():
        return [path]
    return sorted(p for p in path.iterdir() if (p / MANIFEST).is_file()) if path.is_dir() else []


def load_packages(path: Path, plugins: PluginManager) -> tuple[list[CourseSpec], list[Problem]]:
    """Every package at `path` (one, or a folder of them), checked together: the specs only if nothing is wrong."""
    folders = find_packages(path)
    if not folders:
        return [], [Problem(str(path), None, f"no {MANIFEST} here or in the folders directly inside")]
    specs: list[CourseSpec] = []
    problems: list[Problem] = []
    first: dict[str, str] = {}
    for folder in folders:
        loaded = _read_package(folder, plugins)
        problems.extend(loaded.problems)
        slug = loaded.spec.slug
        if slug and slug in first:
            problems.append(
                Problem(
                    loaded.manifest,
                    loaded.slug_line,
                    f"the slug {slug!r} is already used by {first[slug]}; every course needs its own slug",
                )
            )
        elif slug:
            first[slug] = loaded.manifest
        specs.append(loaded.spec)
    return ([] if problems else specs), problems


def _read_package(folder: Path, plugins: PluginManager) -> _Loaded:
    reader = _Reader(folder)
    manifest = folder / MANIFEST
    empty = CourseSpec("", "", "", "", "", "", Level.BEGINNER.value, 0, "", "", None, [], {})
    data, lines = reader.load_yaml(manifest)
    doc = _Doc(reader, manifest, lines)
    result = _Loaded(empty, reader.problems, reader.rel(manifest), 1)
    if data is None:
        if not reader.problems:
            reader.problem(manifest, 1, "the file is empty; expected a mapping with slug, title, modules, …")
        return result
    if not isinstance(data, dict):
        reader.problem(manifest, 1, "expected a mapping with slug, title, modules, …")
        return result
    doc.unknown_keys(data, COURSE_KEYS, MANIFEST)

    def want(key: str, kind: type | tuple[type, ...], what: str, required: bool = True, default: Any = None) -> Any:
        if key not in data or data[key] is None:
            if required:
                doc.problem((), f"{key!r} is missing; expected {what}")
            return default
        value = data[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            doc.problem((key,), f"{key!r} must be {what}")
            return default
        return value

    if data.get("format", FORMAT_VERSION) != FORMAT_VERSION:
        doc.problem(("format",), f"unknown format; expected format: {FORMAT_VERSION} (the format this version reads)")
    slug = want("slug", str, "a slug of lowercase letters, digits and '-'", default="")
    result.slug_line = doc.line("slug")
    if isinstance(data.get("slug"), str) and not SLUG.match(slug):
        doc.problem(
            ("slug",), "'slug' must be 1-100 lowercase letters, digits and '-', starting with a letter or digit"
        )
    title = want("title", str, "the course title", default="")
    if "title" in data and isinstance(data["title"], str) and not (title.strip() and len(title) <= TITLE_MAX):
        doc.problem(("title",), f"'title' must be a text of 1-{TITLE_MAX} characters")
    course_type = want("course_type", str, "the slug of an installed course type", default="")
    if isinstance(data.get("course_type"), str) and plugins.course_type(course_type) is None:
        doc.problem(
            ("course_type",),
            f"unknown course type {course_type!r}; expected one of: {', '.join(sorted(plugins.course_types))}",
        )
    language = want("language", str, "a language code such as de or en", default="")
    if isinstance(data.get("language"), str) and not LANGUAGE.match(language):
        doc.problem(("language",), "'language' must be a code such as de, en, ar")
    level = want("level", str, "beginner, intermediate or advanced", required=False, default=Level.BEGINNER.value)
    if level not in {lv.value for lv in Level}:
        doc.problem(("level",), "'level' must be beginner, intermediate or advanced")
        level = Level.BEGINNER.value
    duration = want("duration_minutes", int, "a whole number of minutes", default=0)
    if duration < 0:
        doc.problem(("duration_minutes",), "'duration_minutes' must be a whole number of minutes, at least 0")
    version = want("version", (str, int), 'a version in quotes, such as "1.0"', default="")
    # An unquoted 1.10 would be the number 1.1: versions are text or whole numbers, never YAML floats.
    if isinstance(data.get("version"), str) and not VERSION.match(version):
        doc.problem(("version",), "'version' must be up to 20 letters, digits, '.', '+' or '-', such as \"1.0\"")
    certificate = want(
        "certificate", dict, "a mapping with description and validity_months", required=False, default={}
    )
    doc.under("certificate").unknown_keys(certificate, CERTIFICATE_KEYS, "certificate")
    description = certificate.get("description")
    if description is not None and not isinstance(description, str):
        doc.problem(("certificate", "description"), "the certificate 'description' must be text")
        description = ""
    validity = certificate.get("validity_months")
    if validity is not None and (not _is_int(validity) or validity < 1):
        doc.problem(
            ("certificate", "validity_months"),
            "'validity_months' must be empty (unlimited) or a whole number of at least 1",
        )
        validity = None
    outcomes = want("learning_outcomes", list, "a list of sentences", required=False, default=[])
    for index, outcome in enumerate(outcomes):
        if not _text(outcome):
            doc.problem(("learning_outcomes", index), "each learning outcome must be a sentence (text)")
    translations = want("translations", dict, "a mapping of language code to texts", required=False, default={})
    _check_translations(doc.under("translations"), translations)
    spec = CourseSpec(
        slug=slug,
        title=title,
        summary=want("summary", str, "one or two sentences", required=False, default=""),
        description=want("description", str, "Markdown text", required=False, default=""),
        language=language,
        course_type=course_type,
        level=level,
        duration_minutes=duration,
        version=str(version),
        certificate_description=description or "",
        certificate_validity_months=validity,
        learning_outcomes=[str(o) for o in outcomes],
        translations=translations,
    )
    result.spec = spec
    modules = want("modules", list, "a list of modules", default=[])
    if "modules" in data and isinstance(data["modules"], list) and not modules:
        doc.problem(("modules",), "a course needs at least one module")
    activity_keys: set[str] = set()
    module_keys: set[str] = set()
    for m_index, raw in enumerate(modules):
        module = _read_module(doc, folder, m_index, raw, module_keys, activity_keys, plugins)
        if module is not None:
            spec.modules.append(module)
    first_pass = [a for m in spec.modules if not m.renewal for a in m.activities]
    if modules and not reader.problems and not any(a.required for a in first_pass):
        doc.problem(
            ("modules",),
            "a course needs at least one required activity outside renewal modules; "
            "otherwise learners could never complete it",
        )
    if slug and SLUG.match(slug) and folder.name != slug:
        doc.problem(("slug",), f"the folder is named {folder.name!r}; it must match the slug {slug!r}")
    return result


def _check_translations(doc: _Doc, translations: dict[Any, Any]) -> None:
    for language, texts in translations.items():
        if not isinstance(language, str) or not LANGUAGE.match(language):
            doc.problem((language,), f"{language!r} is not a language code; expected a code such as en, ar, tr")
            continue
        if not isinstance(texts, dict):
            doc.problem((language,), f"the {language} translation must be a mapping of {', '.join(TRANSLATION_KEYS)}")
            continue
        doc.under(language).unknown_keys(texts, TRANSLATION_KEYS, f"the {language} translation")
        for key, value in texts.items():
            if key == "learning_outcomes":
                if not isinstance(value, list) or not all(_text(v) for v in value):
                    doc.problem((language, key), "the translated learning_outcomes must be a list of sentences")
            elif key in TRANSLATION_KEYS and not isinstance(value, str):
                doc.problem((language, key), f"the translated {key!r} must be text")


def _read_module(
    doc: _Doc,
    folder: Path,
    index: int,
    raw: Any,
    module_keys: set[str],
    activity_keys: set[str],
    plugins: PluginManager,
) -> ModuleSpec | None:
    at = doc.under("modules", index)
    if not isinstance(raw, dict):
        at.problem((), "each module must be a mapping with key, title and activities")
        return None
    at.unknown_keys(raw, MODULE_KEYS, "a module")
    key = raw.get("key")
    if not isinstance(key, str) or not SLUG.match(key):
        at.problem(("key",), "the module needs a 'key' of lowercase letters, digits and '-' (it never changes)")
    elif key in module_keys:
        at.problem(("key",), f"the module key {key!r} is used twice; every module needs its own key")
    else:
        module_keys.add(key)
    title = raw.get("title")
    if not _text(title) or len(title) > TITLE_MAX:
        at.problem(("title",), f"the module needs a 'title' of 1-{TITLE_MAX} characters")
    summary = raw.get("summary")
    if summary is not None and not isinstance(summary, str):
        at.problem(("summary",), "the module's 'summary' must be text")
    renewal = raw.get("renewal", False)
    if not isinstance(renewal, bool):
        at.problem(("renewal",), "'renewal' must be true or false")
    module = ModuleSpec(
        key=str(key),
        title=str(title or ""),
        summary=summary if isinstance(summary, str) else "",
        renewal=renewal is True,
    )
    activities = raw.get("activities")
    if not isinstance(activities, list) or not activities:
        at.problem(("activities",) if "activities" in raw else (), "the module needs a list of 'activities'")
        return module
    for a_index, item in enumerate(activities):
        activity = _read_activity(at.under("activities", a_index), folder, item, activity_keys, plugins)
        if activity is not None:
            module.activities.append(activity)
    return module


def _read_activity(
    at: _Doc, folder: Path, raw: Any, activity_keys: set[str], plugins: PluginManager
) -> ActivitySpec | None:
    reader = at.reader
    if not isinstance(raw, dict):
        at.problem((), "each activity must be a mapping with key, kind and title")
        return None
    at.unknown_keys(raw, ACTIVITY_KEYS, "an activity")
    key = raw.get("key")
    if not isinstance(key, str) or not SLUG.match(key):
        at.problem(("key",), "the activity needs a 'key' of lowercase letters, digits and '-' (it never changes)")
    elif key in activity_keys:
        at.problem(("key",), f"the activity key {key!r} is used twice in this course; every activity needs its own key")
    else:
        activity_keys.add(key)
    kind_key = raw.get("kind")
    kind = plugins.kind(kind_key) if isinstance(kind_key, str) else None
    if kind is None:
        at.problem(
            ("kind",),
            f"unknown activity kind {kind_key!r}; expected one of: {', '.join(sorted(plugins.activity_kinds))}",
        )
    title = raw.get("title")
    if not _text(title) or len(title) > TITLE_MAX:
        at.problem(("title",), f"the activity needs a 'title' of 1-{TITLE_MAX} characters")
    required = raw.get("required", True)
    if not isinstance(required, bool):
        at.problem(("required",), "'required' must be true or false")
    inline = raw.get("content", {})
    if inline is None:
        inline = {}
    if not isinstance(inline, dict):
        at.problem(("content",), "'content' must be a mapping (the activity's content)")
        inline = {}
    content: dict[str, Any] = dict(inline)
    # Where each top-level content key was written, so the kind's problems point at that file and line.
    sources: dict[Any, _Doc] = {k: at.under("content") for k in content}
    fallback = at
    ref = raw.get("file")
    if ref is not None:
        if not isinstance(ref, str) or not ref.strip():
            at.problem(("file",), "'file' must be a path relative to the course folder, such as 01-intro/lesson.md")
            return None
        target = (folder / ref).resolve()
        if not target.is_relative_to(folder.resolve()):
            at.problem(("file",), f"'file' refers to {ref!r}, outside the course folder; expected a path inside it")
            return None
        if not target.is_file():
            at.problem(("file",), f"'file' refers to {ref!r}, which does not exist; expected a file in the course")
            return None
        if target.suffix == ".md":
            if "body" in content:
                at.problem(("content", "body"), "the text comes from 'file'; remove 'body' from 'content'")
            text = reader.read_text(target)
            if text is None:
                return None
            content["body"] = text
            sources["body"] = _Doc(reader, target, {(): 1})
        elif target.suffix in (".yaml", ".yml"):
            loaded, file_lines = reader.load_yaml(target)
            if loaded is None:
                if not file_lines and target.read_bytes().strip() == b"":
                    reader.problem(target, 1, "the file is empty; expected the activity's content (a mapping)")
                return None
            if not isinstance(loaded, dict):
                reader.problem(target, 1, "expected a mapping (the activity's content)")
                return None
            fallback = _Doc(reader, target, file_lines)
            for k in loaded:
                if k in content:
                    at.problem(("content", k), f"{k!r} is also in {ref}; write it in one place")
                else:
                    sources[k] = fallback
            content = {**loaded, **content}
        else:
            at.problem(("file",), f"'file' refers to {ref!r}; expected a .md or .yaml file")
            return None
    if "minutes" in raw:
        if "minutes" in content:
            at.problem(("minutes",), "'minutes' is given twice (also in the content); write it in one place")
        content["minutes"] = raw["minutes"]
        sources["minutes"] = at.under("minutes")
    found = _not_plain(content)
    if found:
        path, message = found
        sources.get(path[0], fallback).problem(path, message)
    if kind is not None:
        for problem in kind.validate(content):
            path = tuple(int(p) if p.isdigit() else p for p in problem.field.split(".")) if problem.field else ()
            doc = sources.get(path[0], fallback) if path else fallback
            reader.problem(doc.path, doc.line(*path), f"{problem.field}: {problem.message}")
    return ActivitySpec(
        key=str(key),
        kind=str(kind_key),
        title=str(title or ""),
        required=required is not False,
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


class _Dumper(yaml.SafeDumper):
    """Readable YAML for people who edit packages: multi-line texts as blocks, lists indented, no anchors."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if any(c in value for c in "\x85\u2028\u2029"):
        style = '"'  # YAML line breaks of their own: only escaped in double quotes do they survive a round trip
    elif "\n" in value:
        style = "|"
    else:
        style = None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1_000_000)


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
                files[f"{folder}/{activity.key}.yaml"] = _dump(content)
                item["file"] = f"{folder}/{activity.key}.yaml"
            entry["activities"].append(item)
        manifest["modules"].append(entry)
    files[MANIFEST] = _dump(manifest)
    return files


def course_spec(session: Session, slug: str) -> CourseSpec:
    """The stored course `slug` as a package spec; `NotFound` if there is none."""
    course = session.scalar(
        select(Course).where(Course.slug == slug).options(selectinload(Course.modules).selectinload(Module.activities))
    )
    if course is None:
        raise NotFound(_("This course does not exist."))
    return spec_from_course(course)


def export_course_files(session: Session, slug: str) -> dict[str, str]:
    """The stored course `slug` as package files (relative path → text), for `courses export` and downloads.

    Loading these files with `load_package` and importing them elsewhere gives the same course, and exporting it
    there gives the same files. `NotFound` if there is no such course.
    """
    return export_files(course_spec(session, slug))


def write_package(files: Mapping[str, str], folder: Path) -> list[str]:
    """Write package `files` into `folder` exactly as given; returns the other files already there (kept)."""
    root = folder.resolve()
    for relpath, text in files.items():
        target = (root / relpath).resolve()
        if not target.is_relative_to(root):
            raise ValueError(f"{relpath!r} would be written outside {folder}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))
    written = {(root / relpath).resolve() for relpath in files}
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and p not in written and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


def zip_package(slug: str, files: Mapping[str, str]) -> bytes:
    """The package as a zip with one folder `slug/` (for downloads); the same files give the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for relpath in sorted(files):
            info = zipfile.ZipInfo(f"{slug}/{relpath}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[relpath].encode("utf-8"))
    return buffer.getvalue()


# --- import -------------------------------------------------------------------------------------------------


def _version_tuple(version: str) -> tuple[int, ...] | None:
    parts = version.split(".")
    return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else None


def import_course(
    session: Session, spec: CourseSpec, *, publish: bool = True, plugins: PluginManager | None = None
) -> str:
    """Write a checked package; returns "created", "updated" or "unchanged".

    The rule (docs/course-packages.md): the same slug and version again changes nothing, or is refused if the
    content differs; a new version updates the course in place by stable keys, so enrolments, attempts, progress,
    completions and certificates stay; removing an activity that has attempts is refused. A new course is
    published unless `publish` is false; an existing course keeps its status (a draft is published).
    """
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
    if course is not None:
        installed, offered = _version_tuple(course.version), _version_tuple(spec.version)
        if installed is not None and offered is not None and offered < installed:
            raise Conflict(
                _(
                    "Course %(slug)s is at version %(installed)s; version %(version)s is older and was not imported.",
                    slug=spec.slug,
                    installed=course.version,
                    version=spec.version,
                )
            )
    created = course is None
    if course is None:
        course = Course(slug=spec.slug, status=CourseStatus.DRAFT)
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
    if publish and course.status == CourseStatus.DRAFT:
        course.status = CourseStatus.PUBLISHED
        course.published_at = utcnow()
    _sync_outline(session, course, spec)
    session.flush()
    if not created:
        _complete_finished_learners(session, course, plugins)
    return "created" if created else "updated"


def _sync_outline(session: Session, course: Course, spec: CourseSpec) -> None:
    """Match modules and activities by key; progress stays on activities that keep their key."""
    existing_modules = {m.key: m for m in course.modules}
    existing_activities = {a.key: a for m in course.modules for a in m.activities}
    wanted_keys = {a.key for m in spec.modules for a in m.activities}
    removed = [a for key, a in existing_activities.items() if key not in wanted_keys]
    attempted = (
        set(
            session.scalars(
                select(Attempt.activity_id).where(Attempt.activity_id.in_([a.id for a in removed])).distinct()
            )
        )
        if removed
        else set()
    )
    if attempted:
        raise Conflict(
            _(
                "Activities with learners' attempts cannot be removed by an import: %(keys)s",
                keys=", ".join(sorted(f"{a.key} ({a.title})" for a in removed if a.id in attempted)),
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


def _complete_finished_learners(session: Session, course: Course, plugins: PluginManager | None) -> None:
    """Learners whose remaining required activities were removed or made optional complete the course now.

    Otherwise they would have nothing left to hand in and could never complete. Only learners who have passed
    something since their last completion count, so a course change never completes someone who has not started.
    """
    from mso_academy.learning import services as learning
    from mso_academy.learning.progress import course_progress
    from mso_academy.plugins.manager import plugins as current_plugins

    enrolments = session.scalars(
        select(Enrolment).where(Enrolment.course_id == course.id, Enrolment.status == EnrolmentStatus.ACTIVE)
    ).all()
    for enrolment in enrolments:
        last_completed = session.scalar(
            select(func.max(Completion.completed_at)).where(Completion.enrolment_id == enrolment.id)
        )
        started = (
            select(func.count())
            .select_from(ActivityProgress)
            .where(ActivityProgress.enrolment_id == enrolment.id, ActivityProgress.passed_at.is_not(None))
        )
        if last_completed is not None:
            started = started.where(ActivityProgress.passed_at > last_completed)
        if session.scalar(started):
            learning._complete_if_done(
                session, plugins or current_plugins(), course_progress(session, course, enrolment)
            )
