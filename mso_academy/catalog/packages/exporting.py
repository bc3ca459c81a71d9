"""A course as package files again: for `courses export`, the editor's zip download and its publishing.

Packages are edited by people in a text editor and kept in version control, so the files are written to be
read: multi-line texts as YAML blocks, a text body as its own Markdown file. An export must load back to an
equal spec, and the same files must give the same zip bytes (fixed timestamps), so exporting twice or on
another installation changes nothing a diff would show.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from mso_academy.catalog.models import Course, Module
from mso_academy.catalog.packages.spec import FORMAT_VERSION, MANIFEST, CourseSpec, spec_from_course
from mso_academy.errors import NotFound


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
    }
    if spec.translation_group:
        manifest["translation_group"] = spec.translation_group
    manifest["modules"] = []
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
