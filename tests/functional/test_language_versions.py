"""Language versions of a course: a `translation_group` shared by courses in different languages links them.

The group comes from a package (checked, exported and imported again unchanged) or from the web editor's course
details; the course page links the other published versions, each in its own language, and names them in the
head for search engines; the catalogue shows a course's other languages on its card.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mso_academy.accounts.models import Role
from mso_academy.catalog.models import Course, CourseDraft, CourseStatus
from mso_academy.catalog.packages import (
    export_course_files,
    import_course,
    load_package,
    spec_from_dict,
    write_package,
)
from mso_academy.plugins.manager import plugins
from tests.conftest import login
from tests.factories import make_course, make_user


def write_package_folder(root: Path, slug: str = "vereinsarbeit", **fields: Any) -> Path:
    folder = root / slug
    folder.mkdir(parents=True)
    manifest = {
        "format": 1,
        "slug": slug,
        "title": "Vereinsarbeit",
        "language": "de",
        "course_type": "general",
        "duration_minutes": 30,
        "version": "1.0",
        **fields,
        "modules": [
            {
                "key": "grundlagen",
                "title": "Grundlagen",
                "activities": [{"key": "lektion", "kind": "text_lesson", "title": "Lektion", "file": "lektion.md"}],
            }
        ],
    }
    (folder / "course.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), "utf-8")
    (folder / "lektion.md").write_text("# Lektion\n\nText.\n", "utf-8")
    return folder


def text(response: Any) -> str:
    return response.get_data(as_text=True)


# --- packages ----------------------------------------------------------------------------------------------


def test_a_package_names_its_language_group_and_it_round_trips(app: Flask, session: Session, tmp_path: Path) -> None:
    folder = write_package_folder(tmp_path, translation_group="vereinsarbeit-grundlagen")
    spec, problems = load_package(folder, plugins())
    assert problems == [] and spec is not None
    assert spec.translation_group == "vereinsarbeit-grundlagen"
    with app.test_request_context():
        assert import_course(session, spec) == "created"
        session.flush()
        files = export_course_files(session, "vereinsarbeit")
    assert "translation_group: vereinsarbeit-grundlagen\n" in files["course.yaml"]
    again = tmp_path / "export" / "vereinsarbeit"
    write_package(files, again)
    exported, problems = load_package(again, plugins())
    assert problems == [] and exported == spec
    course = session.scalar(select(Course).where(Course.slug == "vereinsarbeit"))
    assert course.translation_group == "vereinsarbeit-grundlagen"


def test_a_package_without_a_group_exports_without_one(app: Flask, session: Session, tmp_path: Path) -> None:
    spec, _ = load_package(write_package_folder(tmp_path), plugins())
    assert spec is not None and spec.translation_group is None
    with app.test_request_context():
        import_course(session, spec)
        session.flush()
        assert "translation_group" not in export_course_files(session, "vereinsarbeit")["course.yaml"]


@pytest.mark.parametrize("value", ["Vereins Arbeit", "-start", 42, ["a"], "x" * 101])
def test_a_bad_group_is_reported_with_file_and_line(app: Flask, tmp_path: Path, value: Any) -> None:
    folder = write_package_folder(tmp_path, translation_group=value)
    spec, problems = load_package(folder, plugins())
    assert spec is None
    lines = (folder / "course.yaml").read_text("utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, start=1) if text.startswith("translation_group:"))
    assert [(p.file, p.line) for p in problems] == [("vereinsarbeit/course.yaml", line)]
    assert "'translation_group' must be a key of 1-100 lowercase letters, digits and '-'" in problems[0].message


def test_linking_a_published_course_needs_no_new_version(app: Flask, session: Session, tmp_path: Path) -> None:
    """The group is not content: the same version may gain or change it, and learners notice nothing."""
    first, _ = load_package(write_package_folder(tmp_path / "a"), plugins())
    linked, _ = load_package(write_package_folder(tmp_path / "b", translation_group="verein"), plugins())
    assert first is not None and linked is not None
    assert first.fingerprint() == linked.fingerprint()
    with app.test_request_context():
        assert import_course(session, first) == "created"
        assert import_course(session, linked) == "updated"
        assert import_course(session, linked) == "unchanged"
    course = session.scalar(select(Course).where(Course.slug == "vereinsarbeit"))
    assert (course.version, course.translation_group) == ("1.0", "verein")


# --- the course page and the catalogue ---------------------------------------------------------------------


@pytest.fixture
def versions(session: Session) -> dict[str, Course]:
    group = {"translation_group": "vereinsrecht"}
    courses = {
        "de": make_course(session, slug="vereinsrecht", title="Vereinsrecht kompakt", language="de", **group),
        "tr": make_course(session, slug="dernek-hukuku", title="Dernek hukuku", language="tr", **group),
        "ar": make_course(session, slug="qanun", title="قانون الجمعيات", language="ar", **group),
        "uk": make_course(
            session, slug="pravo-draft", title="Право (чернетка)", language="uk", status=CourseStatus.DRAFT, **group
        ),
        "other": make_course(session, slug="kasse", title="Kasse", language="tr", translation_group="kasse"),
        "alone": make_course(session, slug="allein", title="Allein", language="de"),
    }
    session.commit()
    return courses


def test_the_course_page_links_the_published_language_versions(client: FlaskClient, versions: Any) -> None:
    page = text(client.get("/courses/vereinsrecht"))
    section = page[
        page.index("This course in other languages") : page.index("</section>", page.index("other languages"))
    ]
    assert re.search(r'<a href="/courses/dernek-hukuku" hreflang="tr" lang="tr" dir="ltr">Türkçe</a>', section)
    assert re.search(r'<a href="/courses/qanun" hreflang="ar" lang="ar" dir="rtl">العربية</a>', section)
    assert '<span lang="ar" dir="rtl">قانون الجمعيات</span>' in section
    # Neither the draft, nor another group's course, nor the page's own course.
    assert "pravo-draft" not in page and "/courses/kasse" not in page and 'href="/courses/vereinsrecht"' not in section
    head = page[: page.index("</head>")]
    assert sorted(re.findall(r'<link rel="alternate" hreflang="(\w+)" href="([^"]+)">', head)) == [
        ("ar", "http://localhost/courses/qanun"),
        ("de", "http://localhost/courses/vereinsrecht"),
        ("tr", "http://localhost/courses/dernek-hukuku"),
    ]


def test_a_course_without_versions_shows_no_section(client: FlaskClient, versions: Any) -> None:
    page = text(client.get("/courses/allein"))
    assert "other languages" not in page and 'rel="alternate"' not in page
    page = text(client.get("/courses/kasse"))  # alone in its group
    assert "other languages" not in page and 'rel="alternate"' not in page


def test_the_catalogue_shows_a_course_s_other_languages(client: FlaskClient, versions: Any) -> None:
    page = text(client.get("/courses/?language=tr"))
    card = page[page.index("Dernek hukuku") : page.index("</article>", page.index("Dernek hukuku"))]
    assert "Also in" in card
    assert re.search(r'<a href="/courses/vereinsrecht" hreflang="de" lang="de" dir="ltr">Deutsch</a>', card)
    assert re.search(r'<a href="/courses/qanun" hreflang="ar" lang="ar" dir="rtl">العربية</a>', card)
    kasse = page[page.index(">Kasse<") : page.index("</article>", page.index(">Kasse<"))]
    assert "Also in" not in kasse


# --- the web editor ----------------------------------------------------------------------------------------


def test_the_editor_sets_the_group_and_publishing_links_without_a_new_version(
    app: Flask, client: FlaskClient, session: Session, tmp_path: Path
) -> None:
    trainer = make_user(session, roles=(Role.TRAINER,))
    spec, _ = load_package(write_package_folder(tmp_path), plugins())
    assert spec is not None
    with app.test_request_context():
        import_course(session, spec)
    course = session.scalar(select(Course).where(Course.slug == "vereinsarbeit"))
    course.owner_id = trainer.id
    make_course(session, slug="dernek", title="Dernek çalışması", language="tr", translation_group="vereinsarbeit")
    session.commit()
    login(client, trainer.email)
    url = "/trainer/courses/vereinsarbeit/details"
    form = text(client.get(url))
    assert re.search(r'<label[^>]*for="translation_group"[^>]*>\s*Language group \(optional\)', form)
    data = {
        "title": "Vereinsarbeit",
        "summary": "",
        "language": "de",
        "course_type": "general",
        "level": "beginner",
        "duration_minutes": "30",
        "version": "1.0",
        "translation_group": "Vereins Arbeit",
    }
    response = client.post(url, data=data)
    assert response.status_code == 422 and "Only lowercase letters, digits and" in text(response)
    assert client.post(url, data={**data, "translation_group": "vereinsarbeit"}).status_code == 303
    session.expire_all()
    row = session.scalar(select(CourseDraft).where(CourseDraft.course_id == course.id))
    assert spec_from_dict(row.spec).translation_group == "vereinsarbeit"
    assert 'value="vereinsarbeit"' in text(client.get(url))
    assert course.translation_group is None  # the live course changes on publishing only

    assert client.post("/trainer/courses/vereinsarbeit/publish").status_code == 303
    session.expire_all()
    live = session.scalar(select(Course).where(Course.slug == "vereinsarbeit"))
    assert (live.translation_group, live.version) == ("vereinsarbeit", "1.0")
    assert 'hreflang="tr"' in text(client.get("/courses/vereinsarbeit"))
