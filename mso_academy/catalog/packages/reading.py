"""Reading and checking a package folder: every problem at once, each naming the file, the line and what is expected.

A trainer fixing a package by hand should see all that is wrong in one go, not one problem per run, so the
checks go on after a problem wherever they can, and the spec is returned only when there is none. These checks
are the one definition of a valid package: the CLI, the demo data and the web editor's publishing (which writes
its draft as files and reads them back) all go through `load_package`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mso_academy.catalog.models import Level
from mso_academy.catalog.packages.spec import (
    ACTIVITY_KEYS,
    CERTIFICATE_KEYS,
    COURSE_KEYS,
    FORMAT_VERSION,
    LANGUAGE,
    MANIFEST,
    MODULE_KEYS,
    SLUG,
    TITLE_MAX,
    TRANSLATION_KEYS,
    VERSION,
    ActivitySpec,
    CourseSpec,
    ModuleSpec,
    Problem,
)
from mso_academy.catalog.packages.yaml_lines import Doc, Reader
from mso_academy.plugins.manager import PluginManager

GROUP_EXPECTED = (
    "a key of 1-100 lowercase letters, digits and '-' that the course's language versions share, "
    "such as vereinsrecht-grundlagen"
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
    reader = Reader(folder)
    manifest = folder / MANIFEST
    empty = CourseSpec("", "", "", "", "", "", Level.BEGINNER.value, 0, "", "", None, [], {})
    data, lines = reader.load_yaml(manifest)
    doc = Doc(reader, manifest, lines)
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
    group = want("translation_group", str, GROUP_EXPECTED, required=False, default=None)
    if group is not None and not SLUG.match(group):
        doc.problem(("translation_group",), f"'translation_group' must be {GROUP_EXPECTED}")
        group = None
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
        translation_group=group,
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


def _check_translations(doc: Doc, translations: dict[Any, Any]) -> None:
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
    doc: Doc,
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
    at: Doc, folder: Path, raw: Any, activity_keys: set[str], plugins: PluginManager
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
    sources: dict[Any, Doc] = {k: at.under("content") for k in content}
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
            sources["body"] = Doc(reader, target, {(): 1})
        elif target.suffix in (".yaml", ".yml"):
            loaded, file_lines = reader.load_yaml(target)
            if loaded is None:
                if not file_lines and target.read_bytes().strip() == b"":
                    reader.problem(target, 1, "the file is empty; expected the activity's content (a mapping)")
                return None
            if not isinstance(loaded, dict):
                reader.problem(target, 1, "expected a mapping (the activity's content)")
                return None
            fallback = Doc(reader, target, file_lines)
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
