"""Checking course packages: every problem at once, each naming file, line and what is expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from mso_academy.catalog.packages import (
    ActivitySpec,
    CourseSpec,
    ModuleSpec,
    Problem,
    export_files,
    load_package,
    load_packages,
    write_package,
    zip_package,
)
from mso_academy.plugins.manager import plugins

COURSES = Path(__file__).resolve().parents[2] / "courses"

MANIFEST = """\
format: 1
slug: kurs
title: Vereinsarbeit
summary: Ein Kurs.
language: de
course_type: general
level: beginner
duration_minutes: 20
version: "1.0"
certificate:
  description: Kennt die Grundlagen.
  validity_months: 24
learning_outcomes:
  - Sie kennen die Grundlagen.
modules:
  - key: grundlagen
    title: Grundlagen
    activities:
      - key: lektion
        kind: text_lesson
        title: Lektion
        file: 01-grundlagen/lektion.md
        minutes: 5
      - key: quiz
        kind: quiz
        title: Quiz
        file: 01-grundlagen/quiz.yaml
"""
# line numbers in MANIFEST that the tests point at
LINE = {
    "title": 3,
    "course_type": 6,
    "duration_minutes": 8,
    "version": 9,
    "modules": 15,
    "module_key": 16,
    "lesson_key": 19,
    "lesson_kind": 20,
    "lesson_file": 22,
    "quiz_key": 24,
}

QUIZ = """\
pass_mark: 80
questions:
  - key: q1
    type: single
    text: Wer beschließt die Satzung?
    options:
      - {key: a, text: Die Mitgliederversammlung, correct: true}
      - {key: b, text: Der Kassenwart, correct: false}
  - key: q2
    type: true_false
    text: Ein Verein braucht einen Vorstand.
    correct: true
"""


def make_package(root: Path, manifest: str = MANIFEST, quiz: str = QUIZ, slug: str = "kurs", **extra: str) -> Path:
    folder = root / slug
    (folder / "01-grundlagen").mkdir(parents=True, exist_ok=True)
    (folder / "course.yaml").write_text(manifest, encoding="utf-8")
    (folder / "01-grundlagen" / "lektion.md").write_text("# Lektion\n\nText.\n", encoding="utf-8")
    (folder / "01-grundlagen" / "quiz.yaml").write_text(quiz, encoding="utf-8")
    for relpath, text in extra.items():
        (folder / relpath).write_text(text, encoding="utf-8")
    return folder


def problems_of(folder: Path) -> list[Problem]:
    spec, problems = load_package(folder, plugins())
    assert spec is None, "a package with problems must give no spec"
    assert problems
    return problems


def only(problems: list[Problem], text: str) -> Problem:
    found = [p for p in problems if text in p.message]
    assert len(found) == 1, f"{text!r} not exactly once in {[str(p) for p in problems]}"
    return found[0]


def test_the_valid_package_loads(app, tmp_path):
    spec, problems = load_package(make_package(tmp_path), plugins())
    assert problems == []
    assert spec is not None and spec.slug == "kurs" and spec.version == "1.0"
    lesson, quiz = spec.modules[0].activities
    assert lesson.content == {"body": "# Lektion\n\nText.\n", "minutes": 5}
    assert quiz.content["questions"][1]["correct"] is True


def test_malformed_yaml_names_the_line(app, tmp_path):
    broken = MANIFEST.replace("title: Vereinsarbeit\n", "title: [Vereinsarbeit\n")
    (problem,) = problems_of(make_package(tmp_path, broken))
    assert problem.file == "kurs/course.yaml"
    assert problem.message.startswith("invalid YAML:") and "expected valid YAML" in problem.message
    assert problem.line is not None and problem.line >= LINE["title"]


def test_malformed_yaml_in_a_referenced_file_names_that_file_and_line(app, tmp_path):
    quiz = QUIZ.replace("    text: Wer beschließt die Satzung?\n", "    text: 'Wer beschließt\n    options\n")
    problems = problems_of(make_package(tmp_path, quiz=quiz))
    problem = only(problems, "invalid YAML")
    assert problem.file == "kurs/01-grundlagen/quiz.yaml" and problem.line is not None and problem.line >= 5


def test_a_missing_referenced_file(app, tmp_path):
    manifest = MANIFEST.replace("file: 01-grundlagen/lektion.md", "file: 01-grundlagen/fehlt.md")
    (problem,) = problems_of(make_package(tmp_path, manifest))
    assert str(problem) == (
        f"kurs/course.yaml:{LINE['lesson_file']}: 'file' refers to '01-grundlagen/fehlt.md', which does not exist; "
        "expected a file in the course"
    )


def test_a_file_outside_the_package_or_of_another_type(app, tmp_path):
    (tmp_path / "secret.md").write_text("outside", encoding="utf-8")
    manifest = MANIFEST.replace("file: 01-grundlagen/lektion.md", "file: ../secret.md").replace(
        "file: 01-grundlagen/quiz.yaml", "file: 01-grundlagen/quiz.txt"
    )
    problems = problems_of(make_package(tmp_path, manifest, **{"01-grundlagen/quiz.txt": QUIZ}))
    assert only(problems, "outside the course folder").line == LINE["lesson_file"]
    assert "expected a .md or .yaml file" in only(problems, "quiz.txt").message


def test_unknown_course_type(app, tmp_path):
    (problem,) = problems_of(make_package(tmp_path, MANIFEST.replace("course_type: general", "course_type: kochen")))
    assert str(problem) == (
        f"kurs/course.yaml:{LINE['course_type']}: unknown course type 'kochen'; expected one of: general"
    )


def test_unknown_activity_kind(app, tmp_path):
    manifest = MANIFEST.replace("kind: text_lesson", "kind: video")
    (problem,) = problems_of(make_package(tmp_path, manifest))
    assert problem.file == "kurs/course.yaml" and problem.line == LINE["lesson_kind"]
    assert problem.message.startswith("unknown activity kind 'video'; expected one of: ")
    assert "quiz" in problem.message and "text_lesson" in problem.message


def test_a_quiz_without_a_correct_answer_points_into_the_quiz_file(app, tmp_path):
    quiz = QUIZ.replace("correct: true}", "correct: false}")
    (problem,) = problems_of(make_package(tmp_path, quiz=quiz))
    assert problem.file == "kurs/01-grundlagen/quiz.yaml"
    assert problem.line == 6  # the question's `options:`
    assert problem.message == "questions.0.options: a single-choice question needs exactly one correct option"


def test_content_written_in_course_yaml_points_at_its_own_line(app, tmp_path):
    manifest = MANIFEST.replace(
        "        file: 01-grundlagen/quiz.yaml\n",
        "        content:\n"
        "          pass_mark: 180\n"
        "          questions:\n"
        "            - {key: q1, type: true_false, text: Stimmt es, correct: ja}\n",
    )
    problems = problems_of(make_package(tmp_path, manifest))
    assert str(only(problems, "pass_mark must")) == (
        "kurs/course.yaml:28: pass_mark: pass_mark must be a whole number from 0 to 100"
    )
    assert only(problems, "true/false").line == 30


def test_duplicate_module_and_activity_keys(app, tmp_path):
    manifest = MANIFEST + (
        "  - key: grundlagen\n"
        "    title: Noch einmal\n"
        "    activities:\n"
        "      - key: lektion\n"
        "        kind: text_lesson\n"
        "        title: Zweite Lektion\n"
        "        file: 01-grundlagen/lektion.md\n"
    )
    problems = problems_of(make_package(tmp_path, manifest))
    assert str(only(problems, "module key")) == (
        "kurs/course.yaml:28: the module key 'grundlagen' is used twice; every module needs its own key"
    )
    assert str(only(problems, "activity key")) == (
        "kurs/course.yaml:31: the activity key 'lektion' is used twice in this course; every activity needs its own key"
    )


def test_a_key_written_twice_in_one_mapping(app, tmp_path):
    manifest = MANIFEST.replace("summary: Ein Kurs.\n", "summary: Ein Kurs.\ntitle: Noch ein Titel\n")
    (problem,) = problems_of(make_package(tmp_path, manifest))
    assert str(problem) == "kurs/course.yaml:5: the key 'title' appears twice in the same mapping; write it once"


def test_unknown_keys_name_the_allowed_ones(app, tmp_path):
    manifest = (
        MANIFEST.replace("title: Vereinsarbeit\n", "titel: Vereinsarbeit\n")
        .replace("    title: Grundlagen\n", "    title: Grundlagen\n    beschreibung: x\n")
        .replace("        minutes: 5\n", "        minutes: 5\n        requried: false\n")
    )
    problems = problems_of(make_package(tmp_path, manifest))
    typo = only(problems, "'titel'")
    assert typo.line == LINE["title"]
    assert typo.message == (
        "unknown key 'titel' in course.yaml; allowed keys: certificate, course_type, description, "
        "duration_minutes, format, language, learning_outcomes, level, modules, slug, summary, title, "
        "translation_group, translations, version. Did you mean 'title'?"
    )
    assert "'title' is missing" in only(problems, "missing").message
    assert only(problems, "'beschreibung' in a module").line == 18
    assert "Did you mean 'required'?" in only(problems, "'requried' in an activity").message


def test_wrong_types_each_name_line_and_expectation(app, tmp_path):
    manifest = (
        MANIFEST.replace("duration_minutes: 20", 'duration_minutes: "zwanzig"')
        .replace('version: "1.0"', "version: 1.10")
        .replace("  - Sie kennen die Grundlagen.", "  - 42")
        .replace("  validity_months: 24", "  validity_months: 0")
        .replace("        minutes: 5\n", '        minutes: 5\n        required: "nein"\n')
        .replace("    title: Grundlagen\n", "    title: Grundlagen\n    renewal: vielleicht\n")
    )
    problems = problems_of(make_package(tmp_path, manifest))
    assert [str(p) for p in problems] == [
        "kurs/course.yaml:8: 'duration_minutes' must be a whole number of minutes",
        "kurs/course.yaml:9: 'version' must be a version in quotes, such as \"1.0\"",
        "kurs/course.yaml:12: 'validity_months' must be empty (unlimited) or a whole number of at least 1",
        "kurs/course.yaml:14: each learning outcome must be a sentence (text)",
        "kurs/course.yaml:18: 'renewal' must be true or false",
        "kurs/course.yaml:25: 'required' must be true or false",
    ]


def test_values_a_course_cannot_store(app, tmp_path):
    quiz = QUIZ.replace("    correct: true\n", "    correct: true\n    seit: 2020-01-01\n")
    (problem,) = problems_of(make_package(tmp_path, quiz=quiz))
    assert str(problem) == (
        "kurs/01-grundlagen/quiz.yaml:13: date values cannot be stored; write the value in quotes to keep it as text"
    )


def test_every_problem_is_reported_at_once(app, tmp_path):
    manifest = (
        MANIFEST.replace("course_type: general", "course_type: kochen")
        .replace("kind: text_lesson", "kind: video")
        .replace("titel", "title")
        .replace("file: 01-grundlagen/quiz.yaml", "file: 01-grundlagen/quiz.yaml\n        farbe: blau")
    )
    quiz = QUIZ.replace("correct: true}", "correct: false}")
    problems = problems_of(make_package(tmp_path, manifest, quiz=quiz))
    assert [(p.file, p.line) for p in problems] == [
        ("kurs/course.yaml", LINE["course_type"]),
        ("kurs/course.yaml", LINE["lesson_kind"]),
        ("kurs/course.yaml", 28),
        ("kurs/01-grundlagen/quiz.yaml", 6),
    ]


def test_a_course_learners_could_never_complete(app, tmp_path):
    manifest = MANIFEST.replace("        minutes: 5\n", "        minutes: 5\n        required: false\n").replace(
        "        file: 01-grundlagen/quiz.yaml\n", "        file: 01-grundlagen/quiz.yaml\n        required: false\n"
    )
    (problem,) = problems_of(make_package(tmp_path, manifest))
    assert problem.line == LINE["modules"] and "at least one required activity" in problem.message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda m: "", "kurs/course.yaml:1: the file is empty; expected a mapping with slug, title, modules, …"),
        (lambda m: "- a\n- b\n", "kurs/course.yaml:1: expected a mapping with slug, title, modules, …"),
        (
            lambda m: m.replace("format: 1", "format: 2"),
            "kurs/course.yaml:1: unknown format; expected format: 1 (the format this version reads)",
        ),
        (
            lambda m: m.replace("slug: kurs", "slug: kurs_a"),
            "kurs/course.yaml:2: 'slug' must be 1-100 lowercase letters, digits and '-', "
            "starting with a letter or digit",
        ),
        (
            lambda m: m.replace('version: "1.0"', 'version: "1.0 beta"'),
            "kurs/course.yaml:9: 'version' must be up to 20 letters, digits, '.', '+' or '-', such as \"1.0\"",
        ),
        (
            lambda m: m.replace("language: de", "language: Deutsch"),
            "kurs/course.yaml:5: 'language' must be a code such as de, en, ar",
        ),
        (
            lambda m: m.replace("level: beginner", "level: expert"),
            "kurs/course.yaml:7: 'level' must be beginner, intermediate or advanced",
        ),
        (
            lambda m: m.replace("    activities:\n", "    activities: []\n", 1).split("      - key: lektion")[0],
            "kurs/course.yaml:18: the module needs a list of 'activities'",
        ),
    ],
)
def test_single_problems(app, tmp_path, change, expected):
    (problem,) = problems_of(make_package(tmp_path, change(MANIFEST)))
    assert str(problem) == expected


def test_the_folder_must_be_named_like_the_slug(app, tmp_path):
    folder = make_package(tmp_path, slug="anders")
    (problem,) = problems_of(folder)
    assert str(problem) == "anders/course.yaml:2: the folder is named 'anders'; it must match the slug 'kurs'"


def test_text_that_is_not_utf8(app, tmp_path):
    folder = make_package(tmp_path)
    (folder / "01-grundlagen" / "lektion.md").write_bytes("# Lektion\n\nGr\xfc\xdfe\n".encode("latin-1"))
    (problem,) = problems_of(folder)
    assert str(problem) == "kurs/01-grundlagen/lektion.md:3: the file is not UTF-8 text; save it as UTF-8"


def test_translations_are_checked(app, tmp_path):
    manifest = MANIFEST.replace(
        "modules:\n",
        "translations:\n  en:\n    title: Club work\n    sumary: A course.\n  EN:\n    title: x\nmodules:\n",
    )
    problems = problems_of(make_package(tmp_path, manifest))
    assert "Did you mean 'summary'?" in only(problems, "'sumary' in the en translation").message
    assert only(problems, "'EN' is not a language code").line == 19


# --- folders of packages ------------------------------------------------------------------------------------


def test_duplicate_slug_among_the_packages_of_one_folder(app, tmp_path):
    make_package(tmp_path, slug="kurs")
    make_package(tmp_path, slug="kurs-zwei")
    specs, problems = load_packages(tmp_path, plugins())
    assert specs == []
    assert [str(p) for p in problems] == [
        "kurs-zwei/course.yaml:2: the folder is named 'kurs-zwei'; it must match the slug 'kurs'",
        "kurs-zwei/course.yaml:2: the slug 'kurs' is already used by kurs/course.yaml; every course needs its own slug",
    ]


def test_a_folder_without_packages(app, tmp_path):
    specs, problems = load_packages(tmp_path, plugins())
    assert specs == [] and [p.message for p in problems] == ["no course.yaml here or in the folders directly inside"]


def test_one_bad_package_spoils_the_folder(app, tmp_path):
    make_package(tmp_path, slug="kurs")
    make_package(tmp_path, MANIFEST.replace("slug: kurs", "slug: kaputt").replace("general", "x"), slug="kaputt")
    specs, problems = load_packages(tmp_path, plugins())
    assert specs == [] and [p.file for p in problems] == ["kaputt/course.yaml"]
    specs, problems = load_packages(tmp_path / "kurs", plugins())
    assert problems == [] and [s.slug for s in specs] == ["kurs"]


@pytest.mark.parametrize("app_config", [{"PLUGINS_AUTOLOAD": True}], ids=["installed-plugins"])
@pytest.mark.parametrize("folder", sorted(p.name for p in COURSES.iterdir() if (p / "course.yaml").is_file()))
def test_every_shipped_course_validates(app, folder):
    spec, problems = load_package(COURSES / folder, plugins())
    assert [str(p) for p in problems] == []
    assert spec is not None and spec.slug == folder


# --- export files -------------------------------------------------------------------------------------------

AWKWARD = [
    "",
    "1.0",
    "yes",
    "null",
    "- a list?",
    "key: value",
    "# not a comment",
    "  leading and trailing  ",
    "line one\nline two",
    "ends with a newline\n",
    "two newlines\n\n",
    "\n starts with a newline",
    "tab\there",
    "quotes ' and \"",
    "Grüße, مرحبا, Привет, 😀",
    "odd breaks\x85 and\u2028 and\u2029",
    "windows\r\nline",
]


def awkward_spec() -> CourseSpec:
    return CourseSpec(
        slug="kurs",
        title="Titel: mit Doppelpunkt",
        summary="multi\nline summary\n",
        description="\n".join(AWKWARD),
        language="de",
        course_type="general",
        level="advanced",
        duration_minutes=0,
        version="2",
        certificate_description="",
        certificate_validity_months=None,
        learning_outcomes=[s for s in AWKWARD if s.strip()],
        translations={"en": {"title": "yes", "learning_outcomes": ["no"]}},
        modules=[
            ModuleSpec(
                key="m",
                title="1",
                summary="",
                renewal=False,
                activities=[
                    ActivitySpec("a", "text_lesson", "true", True, {"body": "\r\n".join(AWKWARD), "minutes": 3}),
                    ActivitySpec("b", "text_lesson", "B", False, {"body": "no minutes"}),
                    ActivitySpec(
                        "c",
                        "quiz",
                        "C",
                        True,
                        {
                            "pass_mark": 50,
                            "max_attempts": None,
                            "questions": [
                                {"key": f"q{i}", "type": "true_false", "text": text, "correct": i % 2 == 0}
                                for i, text in enumerate(AWKWARD)
                                if text.strip()
                            ],
                        },
                    ),
                ],
            ),
            ModuleSpec(
                key="auffrischung",
                title="Auffrischung",
                summary="",
                renewal=True,
                activities=[ActivitySpec("d", "text_lesson", "D", True, {"body": "x", "minutes": 1})],
            ),
        ],
    )


def test_exported_files_load_back_to_the_same_spec(app, tmp_path):
    spec = awkward_spec()
    files = export_files(spec)
    assert set(files) == {"course.yaml", "01-m/a.md", "01-m/b.md", "01-m/c.yaml", "02-auffrischung/d.md"}
    write_package(files, tmp_path / "kurs")
    loaded, problems = load_package(tmp_path / "kurs", plugins())
    assert problems == []
    assert loaded == spec
    assert loaded.fingerprint() == spec.fingerprint()
    assert "summary: |\n  multi\n  line summary\n" in files["course.yaml"]  # multi-line texts stay readable


def test_write_package_keeps_other_files_and_stays_inside(app, tmp_path):
    folder = tmp_path / "kurs"
    (folder / ".git").mkdir(parents=True)
    (folder / ".git" / "HEAD").write_text("ref", encoding="utf-8")
    (folder / "NOTES.txt").write_text("mine", encoding="utf-8")
    others = write_package({"course.yaml": "slug: kurs\n"}, folder)
    assert others == ["NOTES.txt"] and (folder / "NOTES.txt").read_text(encoding="utf-8") == "mine"
    with pytest.raises(ValueError, match="outside"):
        write_package({"../evil.md": "x"}, folder)
    assert not (tmp_path / "evil.md").exists()


def test_zip_package_is_the_same_for_the_same_files():
    files = {"course.yaml": "slug: kurs\n", "01-m/a.md": "Grüße\r\n"}
    first = zip_package("kurs", files)
    assert first == zip_package("kurs", dict(reversed(files.items())))
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert archive.namelist() == ["kurs/01-m/a.md", "kurs/course.yaml"]
        assert archive.read("kurs/01-m/a.md").decode("utf-8") == "Grüße\r\n"
