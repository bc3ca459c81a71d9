"""The example third-party distribution in ``example_dist/`` (the one docs/plugins.md describes) really works:
it is found through its entry point, and a learner passes an activity of its kind.

It is "installed" the way pip leaves a distribution behind: its ``src`` folder and a ``.dist-info`` folder made
from its ``pyproject.toml`` on ``sys.path``; the real `importlib.metadata.entry_points()` then finds it.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import mso_academy.builtin
from mso_academy.learning.models import Attempt
from mso_academy.plugins.manager import plugins
from tests.conftest import login
from tests.factories import make_course, make_user
from tests.plugins.conftest import client_for

EXAMPLE = Path(__file__).parent / "example_dist"
SHIPPED_PLUGINS = Path(__file__).resolve().parents[2] / "plugins"
PYPROJECT = tomllib.loads((EXAMPLE / "pyproject.toml").read_text(encoding="utf-8"))


@pytest.fixture
def installed_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    project = PYPROJECT["project"]
    dist_info = tmp_path / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n", encoding="utf-8"
    )
    groups = "".join(
        f"[{group}]\n" + "".join(f"{name} = {value}\n" for name, value in eps.items())
        for group, eps in project["entry-points"].items()
    )
    (dist_info / "entry_points.txt").write_text(groups, encoding="utf-8")
    monkeypatch.syspath_prepend(str(EXAMPLE / "src"))
    monkeypatch.syspath_prepend(str(tmp_path))
    return project


def test_the_example_declares_its_entry_point_in_the_mso_academy_group():
    assert PYPROJECT["project"]["entry-points"] == {"mso_academy": {"example": "mso_example_plugin"}}


def test_the_example_is_discovered_and_a_learner_passes_its_activity(make_app, session, installed_example):
    app = make_app(PLUGINS_AUTOLOAD=True)
    info = plugins(app).plugins["example"]
    assert (info.state, info.source, info.version) == ("enabled", "entry point", installed_example["version"])
    assert info.provides == ["course type: example", "activity kind: type_answer"]

    learner = make_user(session, language="en")
    content = {"question": "Who represents the **association** in court?", "answers": ["Vorstand", "der Vorstand"]}
    course = make_course(session, course_type="example", modules=[[("type_answer", content)]])
    activity = course.modules[0].activities[0]
    session.commit()
    client = client_for(app)
    login(client, learner.email)
    client.post(f"/courses/{course.slug}/enrol")

    url = f"/learn/{course.slug}/{activity.id}"
    html = client.get(url).get_data(as_text=True)
    assert "<strong>association</strong>" in html  # the question is Markdown
    assert 'name="answer"' in html and "Type the answer" in html

    assert client.post(url, data={"submission_token": "a", "answer": "Kassenwart"}).status_code == 303
    assert "Not correct yet." in client.get(url).get_data(as_text=True)
    response = client.post(url, data={"submission_token": "b", "answer": "  DER   vorstand "})
    assert response.status_code == 303 and response.location.endswith(f"/courses/{course.slug}")  # completed
    stored = session.scalars(select(Attempt).where(Attempt.activity_id == activity.id).order_by(Attempt.number))
    assert [(a.answers, a.passed) for a in stored] == [
        ({"answer": "Kassenwart"}, False),
        ({"answer": "DER   vorstand"}, True),
    ]


def test_the_example_can_be_disabled_by_its_entry_point_name(make_app, installed_example):
    app = make_app(PLUGINS_AUTOLOAD=True, DISABLED_PLUGINS=["example"])
    assert plugins(app).plugins["example"].state == "disabled"
    assert plugins(app).kind("type_answer") is None


def _core_imports(path: Path) -> set[str]:
    """The ``mso_academy`` modules a file imports from."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "mso_academy":
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "mso_academy")
    return found


@pytest.mark.parametrize(
    "path",
    [
        *sorted((EXAMPLE / "src").rglob("*.py")),
        *sorted(p for p in Path(mso_academy.builtin.__file__).parent.glob("*.py") if p.name != "__init__.py"),
        *sorted(SHIPPED_PLUGINS.glob("*/src/**/*.py")),  # the four course types, exactly as a third party
    ],
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_plugins_import_only_the_public_api(path):
    assert _core_imports(path) <= {"mso_academy.plugins.api"}
