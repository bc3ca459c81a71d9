"""Course packages through the CLI: validate, import (idempotent, versioned, all or nothing) and export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from mso_academy import create_app
from mso_academy.catalog.models import Activity, Course, CourseStatus, Module
from mso_academy.catalog.packages import export_course_files, load_package
from mso_academy.certificates.models import Certificate
from mso_academy.db import database
from mso_academy.learning import services as learning
from mso_academy.learning.models import ActivityProgress, Attempt, Completion, Enrolment, EnrolmentStatus
from mso_academy.plugins.manager import plugins
from tests.conftest import FAST_HASHING
from tests.factories import make_course, make_user, quiz_content

COURSES = Path(__file__).resolve().parents[2] / "courses"
SHIPPED = sorted(p.name for p in COURSES.iterdir() if (p / "course.yaml").is_file())
SHIPPED_VERSIONS = {
    slug: yaml.safe_load((COURSES / slug / "course.yaml").read_text("utf-8"))["version"] for slug in SHIPPED
}
# Shipped courses of plugin course types need the installed plugins (entry points), as `make run` has them.
WITH_PLUGINS = pytest.mark.parametrize("app_config", [{"PLUGINS_AUTOLOAD": True}], ids=["installed-plugins"])

QUIZ = {
    "pass_mark": 100,
    "max_attempts": None,
    "questions": [{"key": "q1", "type": "true_false", "text": "Ein Verein braucht eine Satzung.", "correct": True}],
}
RIGHT = {"q-q1": "true"}
WRONG = {"q-q1": "false"}


def lesson(key: str, title: str, required: bool = True) -> dict[str, Any]:
    item = {"key": key, "kind": "text_lesson", "title": title, "file": f"{key}.md", "minutes": 5}
    return item if required else {**item, "required": False}


def quiz(key: str = "quiz", title: str = "Quiz") -> dict[str, Any]:
    return {"key": key, "kind": "quiz", "title": title, "file": f"{key}.yaml"}


def v1_modules() -> list[dict[str, Any]]:
    return [
        {"key": "grundlagen", "title": "Grundlagen", "activities": [lesson("lektion", "Lektion"), quiz()]},
        {"key": "praxis", "title": "Praxis", "activities": [lesson("uebung", "Übung")]},
    ]


def write_course(
    root: Path,
    slug: str = "verein",
    version: str = "1.0",
    title: str = "Vereinsarbeit",
    modules: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> Path:
    """A package folder root/slug with course.yaml and the files its activities reference."""
    folder = root / slug
    folder.mkdir(parents=True, exist_ok=True)
    modules = v1_modules() if modules is None else modules
    manifest = {
        "format": 1,
        "slug": slug,
        "title": title,
        "summary": "Ein Kurs über Vereinsarbeit.",
        "language": "de",
        "course_type": "general",
        "level": "beginner",
        "duration_minutes": 30,
        "version": version,
        "certificate": {"description": "Kennt die Vereinsarbeit.", "validity_months": 24},
        "learning_outcomes": ["Sie kennen die Satzung."],
        "modules": modules,
        **fields,
    }
    (folder / "course.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), "utf-8")
    for module in modules:
        for activity in module["activities"]:
            if activity["kind"] == "quiz":
                (folder / activity["file"]).write_text(yaml.safe_dump(QUIZ, allow_unicode=True), "utf-8")
            else:
                (folder / activity["file"]).write_text(f"# {activity['title']}\n\nText.\n", "utf-8")
    return folder


def cli(app, *args: str):
    return app.test_cli_runner().invoke(args=["courses", *map(str, args)])


def imported(app, session, folder: Path, *extra: str) -> str:
    result = cli(app, "import", folder, *extra)
    assert result.exit_code == 0, result.output
    session.expire_all()
    return result.output


def course_by_slug(session, slug: str) -> Course | None:
    return session.scalar(
        select(Course).where(Course.slug == slug).options(selectinload(Course.modules).selectinload(Module.activities))
    )


def work(app, session, user, slug: str, keys: set[str] | None = None, form: dict[str, str] | None = None):
    """Enrol `user` (if needed) and hand in the activities with `keys` (default: all still open), in order."""
    with app.test_request_context():
        course = course_by_slug(session, slug)
        enrolment = learning.find_enrolment(session, user.id, course.id) or learning.enrol(
            session, plugins(), user, course
        )
        progress = learning.course_progress(session, course, enrolment)
        for state in progress.states:
            if state.passed or (keys is not None and state.activity.key not in keys):
                continue
            answers = (form or RIGHT) if state.activity.kind == "quiz" else {"done": "1"}
            token = f"t-{enrolment.cycle}-{state.activity.id}-{state.attempts}"
            learning.submit(session, plugins(), progress, state.activity.id, MultiDict(answers), token)
        session.commit()
    return enrolment


def snapshot(session, course_id: int) -> dict[str, Any]:
    """Everything learners have in a course, by stable ids."""
    session.expire_all()
    enrolments = session.scalars(select(Enrolment).where(Enrolment.course_id == course_id)).all()
    ids = [e.id for e in enrolments]
    return {
        "enrolments": sorted((e.id, e.user_id, e.status, e.cycle, e.completed_at) for e in enrolments),
        "attempts": sorted(
            (a.id, a.enrolment_id, a.activity_id, a.number, a.passed, a.score)
            for a in session.scalars(select(Attempt).where(Attempt.enrolment_id.in_(ids)))
        ),
        "progress": sorted(
            (p.enrolment_id, p.activity_id, p.attempts_count, p.best_score, p.passed_at)
            for p in session.scalars(select(ActivityProgress).where(ActivityProgress.enrolment_id.in_(ids)))
        ),
        "completions": sorted(
            (c.id, c.enrolment_id, c.cycle, c.course_version)
            for c in session.scalars(select(Completion).where(Completion.enrolment_id.in_(ids)))
        ),
        "certificates": sorted(
            (c.code, c.user_id, c.course_version, c.revoked_at)
            for c in session.scalars(select(Certificate).where(Certificate.course_id == course_id))
        ),
    }


def outline(course: Course) -> list[tuple[Any, ...]]:
    return [
        (m.key, m.position, m.title, a.id, a.key, a.position, a.title, a.required, a.content)
        for m in course.modules
        for a in m.activities
    ]


def line_of(path: Path, text: str) -> int:
    """The number of the first line of `path` that contains `text`."""
    return next(n for n, line in enumerate(path.read_text("utf-8").splitlines(), start=1) if text in line)


def read_tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- validate -----------------------------------------------------------------------------------------------


def test_validate_lists_every_problem_with_file_and_line_and_exits_1(app, tmp_path):
    write_course(tmp_path, slug="gut")
    bad = write_course(tmp_path, slug="schlecht", titel="Tippfehler")
    (bad / "quiz.yaml").write_text("pass_mark: 80\nquestions:\n  - key: q1\n    type: [true_false\n", "utf-8")
    (bad / "uebung.md").unlink()
    result = cli(app, "validate", tmp_path)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    manifest = bad / "course.yaml"
    assert lines[0].startswith(
        f"schlecht/course.yaml:{line_of(manifest, 'titel:')}: unknown key 'titel' in course.yaml; allowed keys: "
    )
    assert lines[1].startswith("schlecht/quiz.yaml:5: invalid YAML:")
    assert lines[2] == (
        f"schlecht/course.yaml:{line_of(manifest, 'file: uebung.md')}: 'file' refers to 'uebung.md', "
        "which does not exist; expected a file in the course"
    )
    assert lines[3:] == ["3 problem(s) found."]

    result = cli(app, "validate", tmp_path / "gut")
    assert result.exit_code == 0 and result.output == "1 course package(s) valid.\n"


def test_validate_finds_a_slug_used_by_two_packages(app, tmp_path):
    write_course(tmp_path, slug="verein")
    other = write_course(tmp_path, slug="verein-kopie")
    text = (other / "course.yaml").read_text("utf-8").replace("slug: verein-kopie", "slug: verein")
    (other / "course.yaml").write_text(text, "utf-8")
    result = cli(app, "validate", tmp_path)
    assert result.exit_code == 1
    assert (
        "verein-kopie/course.yaml:2: the slug 'verein' is already used by verein/course.yaml; "
        "every course needs its own slug"
    ) in result.output.splitlines()


@WITH_PLUGINS
def test_every_shipped_course_validates_and_imports(app, session):
    result = cli(app, "validate", COURSES)
    assert result.exit_code == 0 and result.output == f"{len(SHIPPED)} course package(s) valid.\n", result.output
    output = imported(app, session, COURSES)
    assert output.splitlines() == [f"{slug} {SHIPPED_VERSIONS[slug]}: created" for slug in SHIPPED]
    for slug in SHIPPED:
        assert course_by_slug(session, slug).status == CourseStatus.PUBLISHED


# --- import: all or nothing -----------------------------------------------------------------------------------


def test_an_invalid_package_in_a_folder_imports_nothing(app, session, tmp_path):
    write_course(tmp_path, slug="aaa-gut")
    bad = write_course(tmp_path, slug="bbb-kaputt", course_type="kochen")
    result = cli(app, "import", tmp_path)
    assert result.exit_code == 1
    line = line_of(bad / "course.yaml", "course_type:")
    assert f"bbb-kaputt/course.yaml:{line}: unknown course type 'kochen'; expected one of: general" in result.output
    assert "1 problem(s) found; nothing imported." in result.output
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Course)) == 0


def test_an_import_that_fails_halfway_leaves_nothing_behind(app, session, tmp_path):
    """Packages are imported in one transaction: the first is written, the second conflicts, neither stays."""
    imported(app, session, write_course(tmp_path / "v1", slug="zzz-verein"))
    write_course(tmp_path / "next", slug="aaa-neu")
    write_course(tmp_path / "next", slug="zzz-verein", title="Anderer Titel")  # same version, other content
    result = cli(app, "import", tmp_path / "next")
    assert result.exit_code == 1
    assert "aaa-neu 1.0: created" not in result.output  # nothing is reported as done when nothing was
    assert (
        "zzz-verein 1.0: Course zzz-verein version 1.0 exists with different content; "
        "raise the version to update it. Nothing imported."
    ) in result.output
    session.expire_all()
    assert course_by_slug(session, "aaa-neu") is None
    assert course_by_slug(session, "zzz-verein").title == "Vereinsarbeit"


# --- import: versions ---------------------------------------------------------------------------------------


def test_the_same_version_twice_changes_nothing(app, session, tmp_path):
    folder = write_course(tmp_path)
    assert imported(app, session, folder) == "verein 1.0: created\n"
    course = course_by_slug(session, "verein")
    before = (course.id, course.updated_at, course.published_at, course.package_fingerprint, outline(course))
    assert imported(app, session, folder) == "verein 1.0: unchanged\n"
    course = course_by_slug(session, "verein")
    assert (course.id, course.updated_at, course.published_at, course.package_fingerprint, outline(course)) == before


def test_same_slug_and_version_with_other_content_is_refused(app, session, tmp_path):
    imported(app, session, write_course(tmp_path / "a"))
    changed = write_course(tmp_path / "b")
    (changed / "lektion.md").write_text("# Lektion\n\nNeuer Text.\n", "utf-8")
    result = cli(app, "import", changed)
    assert result.exit_code == 1
    assert result.output == (
        "Error: verein 1.0: Course verein version 1.0 exists with different content; "
        "raise the version to update it. Nothing imported.\n"
    )
    session.expire_all()
    lesson_activity = course_by_slug(session, "verein").modules[0].activities[0]
    assert lesson_activity.content["body"] == "# Lektion\n\nText.\n"


def test_an_older_version_is_refused(app, session, tmp_path):
    imported(app, session, write_course(tmp_path / "new", version="1.10"))
    result = cli(app, "import", write_course(tmp_path / "old", version="1.9", title="Alt"))
    assert result.exit_code == 1
    assert "Course verein is at version 1.10; version 1.9 is older and was not imported." in result.output
    session.expire_all()
    course = course_by_slug(session, "verein")
    assert (course.version, course.title) == ("1.10", "Vereinsarbeit")


def test_a_new_version_keeps_every_learners_enrolment_attempts_progress_and_certificate(app, session, tmp_path):
    imported(app, session, write_course(tmp_path / "v1"))
    course = course_by_slug(session, "verein")
    done, midway, failing = make_user(session), make_user(session), make_user(session)
    work(app, session, done, "verein")
    work(app, session, midway, "verein", keys={"lektion"})
    work(app, session, failing, "verein", keys={"lektion", "quiz"}, form=WRONG)
    before = snapshot(session, course.id)
    assert len(before["certificates"]) == 1 and before["completions"][0][3] == "1.0"
    kept = {a.key: a.id for m in course.modules for a in m.activities}

    v2 = v1_modules()
    v2[0]["activities"].insert(1, lesson("neu", "Neue Lektion"))
    v2[0]["activities"][0]["title"] = "Lektion, überarbeitet"
    assert imported(
        app, session, write_course(tmp_path / "v2", version="2.0", title="Vereinsarbeit 2", modules=v2)
    ) == ("verein 2.0: updated\n")

    course = course_by_slug(session, "verein")
    assert (course.title, course.version) == ("Vereinsarbeit 2", "2.0")
    assert [a.key for m in course.modules for a in m.activities] == ["lektion", "neu", "quiz", "uebung"]
    assert {a.key: a.id for m in course.modules for a in m.activities if a.key != "neu"} == kept
    assert course.modules[0].activities[0].title == "Lektion, überarbeitet"
    assert snapshot(session, course.id) == before  # nothing any learner had is lost or changed

    def states(user):
        progress = learning.course_progress(session, course, learning.find_enrolment(session, user.id, course.id))
        return {s.activity.key: ("passed" if s.passed else "locked" if s.locked else "open") for s in progress.states}

    assert states(done) == {"lektion": "passed", "neu": "open", "quiz": "passed", "uebung": "passed"}
    assert learning.find_enrolment(session, done.id, course.id).status == EnrolmentStatus.COMPLETED
    assert states(midway) == {"lektion": "passed", "neu": "open", "quiz": "locked", "uebung": "locked"}
    assert states(failing)["quiz"] == "locked"

    work(app, session, midway, "verein")  # finishing under the new version records the new version
    session.expire_all()
    midway_enrolment = learning.find_enrolment(session, midway.id, course.id)
    assert midway_enrolment.status == EnrolmentStatus.COMPLETED
    completion = session.scalar(select(Completion).where(Completion.enrolment_id == midway_enrolment.id))
    assert completion.course_version == "2.0"


def test_removing_an_activity_with_attempts_is_refused_and_names_it(app, session, tmp_path):
    imported(app, session, write_course(tmp_path / "v1"))
    learner = make_user(session)
    work(app, session, learner, "verein", keys={"lektion", "quiz"}, form=WRONG)
    v2 = v1_modules()
    del v2[0]["activities"][1]
    result = cli(app, "import", write_course(tmp_path / "v2", version="2.0", modules=v2))
    assert result.exit_code == 1
    assert result.output == (
        "Error: verein 2.0: Activities with learners' attempts cannot be removed by an import: quiz (Quiz) "
        "Nothing imported.\n"
    )
    session.expire_all()
    course = course_by_slug(session, "verein")
    assert course.version == "1.0"
    assert [a.key for m in course.modules for a in m.activities] == ["lektion", "quiz", "uebung"]


def test_activities_nobody_attempted_can_go_and_moved_activities_keep_their_progress(app, session, tmp_path):
    imported(app, session, write_course(tmp_path / "v1"))
    learner = make_user(session)
    work(app, session, learner, "verein", keys={"lektion"})
    course = course_by_slug(session, "verein")
    ids = {a.key: a.id for m in course.modules for a in m.activities}
    before = snapshot(session, course.id)
    v2 = [
        {"key": "basis", "title": "Basis", "activities": [quiz(), lesson("lektion", "Lektion")]},
    ]
    imported(app, session, write_course(tmp_path / "v2", version="2.0", modules=v2))
    course = course_by_slug(session, "verein")
    assert [(m.key, [(a.key, a.id) for a in m.activities]) for m in course.modules] == [
        ("basis", [("quiz", ids["quiz"]), ("lektion", ids["lektion"])])
    ]
    assert session.get(Activity, ids["uebung"]) is None
    assert session.scalar(select(func.count()).select_from(Module).where(Module.course_id == course.id)) == 1
    assert snapshot(session, course.id) == before


def test_learners_left_with_nothing_to_do_complete_when_the_new_version_is_imported(app, session, tmp_path):
    imported(app, session, write_course(tmp_path / "v1"))
    nearly, starter, idle = make_user(session), make_user(session), make_user(session)
    work(app, session, nearly, "verein", keys={"lektion", "quiz"})
    work(app, session, starter, "verein", keys={"lektion"})
    work(app, session, idle, "verein", keys=set())
    v2 = v1_modules()
    v2[1]["activities"] = [lesson("uebung", "Übung", required=False)]
    imported(app, session, write_course(tmp_path / "v2", version="1.1", modules=v2))
    course = course_by_slug(session, "verein")
    status = {u: learning.find_enrolment(session, u.id, course.id).status for u in (nearly, starter, idle)}
    assert status == {
        nearly: EnrolmentStatus.COMPLETED,
        starter: EnrolmentStatus.ACTIVE,
        idle: EnrolmentStatus.ACTIVE,
    }
    certificate = session.scalar(select(Certificate).where(Certificate.user_id == nearly.id))
    assert certificate is not None and certificate.course_version == "1.1"


def test_status_after_import(app, session, tmp_path):
    imported(app, session, write_course(tmp_path / "v1"), "--draft")
    course = course_by_slug(session, "verein")
    assert course.status == CourseStatus.DRAFT and course.published_at is None
    imported(app, session, write_course(tmp_path / "v2", version="1.1"))
    course = course_by_slug(session, "verein")
    assert course.status == CourseStatus.PUBLISHED and course.published_at is not None
    course.status = CourseStatus.ARCHIVED
    session.commit()
    imported(app, session, write_course(tmp_path / "v3", version="1.2"))
    course = course_by_slug(session, "verein")
    assert (course.status, course.version) == (CourseStatus.ARCHIVED, "1.2")  # archiving is the admins' decision


# --- export -------------------------------------------------------------------------------------------------


def test_export_writes_the_package_folder(app, session, tmp_path):
    imported(app, session, write_course(tmp_path / "src"))
    result = cli(app, "export", "verein", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert result.output == f"Exported verein 1.0 to {tmp_path / 'out' / 'verein'} (4 files).\n"
    tree = read_tree(tmp_path / "out" / "verein")
    assert tree == {k: v.encode("utf-8") for k, v in export_course_files(session, "verein").items()}
    assert sorted(tree) == ["01-grundlagen/lektion.md", "01-grundlagen/quiz.yaml", "02-praxis/uebung.md", "course.yaml"]
    spec, problems = load_package(tmp_path / "out" / "verein", plugins())
    original, _ = load_package(tmp_path / "src" / "verein", plugins())
    assert problems == [] and spec == original


def test_export_refuses_an_unknown_slug_and_a_folder_in_use(app, session, tmp_path):
    result = cli(app, "export", "gibt-es-nicht", tmp_path / "out")
    assert result.exit_code == 1 and result.output == "Error: No course with the slug 'gibt-es-nicht'.\n"
    assert not (tmp_path / "out").exists()
    with pytest.raises(Exception, match="This course does not exist"):
        export_course_files(session, "gibt-es-nicht")

    imported(app, session, write_course(tmp_path / "src"))
    target = tmp_path / "out" / "verein"
    target.mkdir(parents=True)
    (target / "course.yaml").write_text("mine\n", "utf-8")
    (target / "NOTIZEN.txt").write_text("meine Notizen\n", "utf-8")
    result = cli(app, "export", "verein", tmp_path / "out")
    assert result.exit_code == 1
    assert result.output == f"Error: {target} is not empty; nothing written. Use --force to write into it.\n"
    assert (target / "course.yaml").read_text("utf-8") == "mine\n"

    result = cli(app, "export", "verein", tmp_path / "out", "--force")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        f"Other files in {target}, not part of the package, were left as they are: NOTIZEN.txt"
    )
    assert (target / "course.yaml").read_text("utf-8").startswith("format: 1\nslug: verein\n")
    assert (target / "NOTIZEN.txt").read_text("utf-8") == "meine Notizen\n"


# --- export then import round-trips exactly --------------------------------------------------------------------


@pytest.fixture
def fresh_app(fresh_database_url, tmp_path, app_config):
    """A second, empty installation (its own database, created with `db upgrade`), with the test app's plugins."""
    app = create_app(
        {
            "DATABASE_URL": fresh_database_url(),
            "SECRET_KEY": "x",
            "INSTANCE_PATH": str(tmp_path / "fresh-instance"),
            "PLUGINS_AUTOLOAD": app_config.get("PLUGINS_AUTOLOAD", False),
            **FAST_HASHING,
        }
    )
    with app.app_context():  # the CLI runs in the current app's context: this app's, not the test's
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    yield app
    database(app).engine.dispose()


def round_trip(app, fresh_app, slugs: list[str], tmp_path: Path) -> None:
    """Export from `app`, import into `fresh_app`, export there: the same files, byte for byte."""
    for slug in slugs:
        result = cli(app, "export", slug, tmp_path / "first")
        assert result.exit_code == 0, result.output
    with fresh_app.app_context():
        result = cli(fresh_app, "import", tmp_path / "first")
    assert result.exit_code == 0, result.output
    assert [line.split()[0] for line in result.output.splitlines()] == slugs
    assert all(line.endswith(": created") for line in result.output.splitlines())
    for slug in slugs:
        with fresh_app.app_context():
            result = cli(fresh_app, "export", slug, tmp_path / "second")
        assert result.exit_code == 0, result.output
        first, second = read_tree(tmp_path / "first" / slug), read_tree(tmp_path / "second" / slug)
        assert sorted(first) == sorted(second)
        for relpath in first:
            assert first[relpath] == second[relpath], f"{slug}/{relpath} differs after the round trip"


def test_a_course_built_in_the_database_round_trips_exactly(app, session, fresh_app, tmp_path):
    make_course(
        session,
        slug="aus-der-datenbank",
        title="Aus der Datenbank: Kasse & Satzung",
        modules=[
            [("text_lesson", {"body": "# Kasse\r\n\r\nWindows-Zeilen\r\n", "minutes": 7}), ("quiz", quiz_content())],
            [("text_lesson", {"body": "Ohne Minuten, ohne Zeilenende"})],
        ],
        description="Erste Zeile\n\n  eingerückt\nletzte Zeile",
        learning_outcomes=["Sie prüfen die Kasse.", "yes"],
        translations={"en": {"title": "From the database", "learning_outcomes": ["You audit the cash box."]}},
        certificate_validity_months=12,
    )
    session.commit()
    round_trip(app, fresh_app, ["aus-der-datenbank"], tmp_path)
    with fresh_app.app_context(), database(fresh_app).session_factory() as fresh:
        copy = export_course_files(fresh, "aus-der-datenbank")
    assert copy == export_course_files(session, "aus-der-datenbank")


@WITH_PLUGINS
def test_every_shipped_course_round_trips_exactly(app, session, fresh_app, tmp_path):
    imported(app, session, COURSES)
    round_trip(app, fresh_app, SHIPPED, tmp_path)
    for slug in SHIPPED:
        exported, problems = load_package(tmp_path / "first" / slug, plugins())
        shipped, _ = load_package(COURSES / slug, plugins())
        assert problems == [] and exported == shipped
    # Importing the export where the course came from is recognised as the very same package.
    assert imported(app, session, tmp_path / "first").splitlines() == [
        f"{slug} {SHIPPED_VERSIONS[slug]}: unchanged" for slug in SHIPPED
    ]
