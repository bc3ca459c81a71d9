"""The plugin manager: discovery, failure isolation, duplicate keys, disabling, blueprints and CLI commands."""

from __future__ import annotations

import re
from typing import Any

import click
import pytest
from flask import Blueprint

from mso_academy.accounts.models import Role
from mso_academy.plugins import manager as manager_module
from mso_academy.plugins.api import ActivityKind, CourseType, Grade, gettext, hookimpl, render_template
from mso_academy.plugins.manager import DEFAULT_PLUGINS, PluginConflictError, plugins
from tests.conftest import login
from tests.factories import make_user
from tests.plugins.conftest import FakeEntryPoint, client_for, fake_entry_points

# --- plugins used below ---------------------------------------------------------------------------------------


class Flashcard(ActivityKind):
    key = "flashcard"
    name = "Flashcard"
    template = "flashcards/card.html"

    def grade(self, content: Any, answers: Any) -> Grade:
        return Grade(score=1.0, passed=True)


class FlashcardPlugin:
    __version__ = "2.1"

    @hookimpl
    def register_course_types(self) -> list[CourseType]:
        return [CourseType(slug="cards", name="Flashcard course")]

    @hookimpl
    def register_activity_kinds(self) -> list[ActivityKind]:
        return [Flashcard()]


class AnotherFlashcardPlugin:
    @hookimpl
    def register_activity_kinds(self) -> list[ActivityKind]:
        return [Flashcard()]


class AnotherCardsTypePlugin:
    @hookimpl
    def register_course_types(self) -> list[CourseType]:
        return [CourseType(slug="cards", name="Cards, again")]


class QuizClonePlugin:
    """Claims the key of the built-in quiz."""

    @hookimpl
    def register_activity_kinds(self) -> list[ActivityKind]:
        kind = Flashcard()
        kind.key = "quiz"
        return [kind]


class BrokenRegistration:
    """Registers a course type, then fails in another registration hook: it must contribute nothing at all."""

    @hookimpl
    def register_course_types(self) -> list[CourseType]:
        return [CourseType(slug="broken-type", name="Broken")]

    @hookimpl
    def register_activity_kinds(self) -> list[ActivityKind]:
        raise KeyError("no such kind table")

    @hookimpl
    def enrolled(self, user_id: int) -> None:  # pragma: no cover - must never be called
        raise AssertionError("a failed plugin received a lifecycle call")


class MisspelledArgument:
    """A hook implementation asking for an argument the hook does not have fails at registration."""

    @hookimpl
    def enrolled(self, session: Any, learner_id: int) -> None:  # pragma: no cover - never registered
        pass


hello = Blueprint("hello_plugin", __name__, url_prefix="/hello")


@hello.get("/<name>")
def greet(name: str) -> str:
    return render_template("hello_plugin/greeting.html", name=name, greeting=gettext("Hello"))


@click.command("hello-plugin")
@click.option("--name", default="world")
def hello_command(name: str) -> None:
    """Say hello (a command from a plugin)."""
    click.echo(f"Hello from the plugin, {name}!")


class PagesPlugin:
    def __init__(self, template_dir: Any) -> None:
        self.template_dir = template_dir

    @hookimpl
    def register_blueprints(self) -> list[Blueprint]:
        return [hello]

    @hookimpl
    def register_cli_commands(self) -> list[click.Command]:
        return [hello_command]

    @hookimpl
    def register_template_dirs(self) -> list[Any]:
        return [self.template_dir]


class SecondHelloBlueprint:
    @hookimpl
    def register_blueprints(self) -> list[Blueprint]:
        return [Blueprint("hello_plugin", __name__, url_prefix="/hello2")]


class SecondHelloCommand:
    @hookimpl
    def register_cli_commands(self) -> list[click.Command]:
        return [click.Command("hello-plugin", callback=lambda: None)]


def admin_client(app: Any, session: Any) -> Any:
    admin = make_user(session, roles=(Role.ADMIN,), language="en")
    session.commit()
    client = client_for(app)
    response = login(client, admin.email)
    assert response.status_code in (302, 303)
    return client


def plugin_row(html: str, name: str) -> str:
    """The admin page's table row of one plugin (the text between its <tr> and </tr>)."""
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, flags=re.S):
        if f"<td>{name}</td>" in row:
            return row
    raise AssertionError(f"plugin {name!r} is not listed on the admin page")


# --- the built-ins ----------------------------------------------------------------------------------------------


def test_built_in_plugins_are_enabled_and_registered_through_the_hooks(app):
    manager = plugins()
    assert [manager.plugins[name].state for name in DEFAULT_PLUGINS] == ["enabled"] * len(DEFAULT_PLUGINS)
    assert {name: manager.plugins[name].source for name in DEFAULT_PLUGINS} == dict.fromkeys(
        DEFAULT_PLUGINS, "built-in"
    )
    assert set(manager.activity_kinds) == {"text_lesson", "quiz", "assignment"}
    assert set(manager.course_types) == {"general"}


def test_each_app_has_its_own_plugin_manager(app, make_app):
    other = make_app(EXTRA_PLUGINS=[FlashcardPlugin()])
    assert plugins(other) is not plugins(app)
    assert plugins(other).kind("flashcard") is not None
    assert plugins(app).kind("flashcard") is None


# --- failure isolation ----------------------------------------------------------------------------------------


def test_a_plugin_that_fails_to_import_is_listed_as_failed_and_the_app_starts(make_app, session, monkeypatch):
    def explode() -> Any:
        raise ImportError("No module named 'mso_academy_lost'")

    monkeypatch.setattr(
        manager_module,
        "entry_points",
        fake_entry_points(FakeEntryPoint("lost", explode, "0.9"), FakeEntryPoint("cards", FlashcardPlugin, "2.0")),
    )
    app = make_app(PLUGINS_AUTOLOAD=True)

    info = plugins(app).plugins["lost"]
    assert (info.state, info.source, info.version) == ("failed", "entry point", "0.9")
    assert info.error == "ImportError: No module named 'mso_academy_lost'"
    assert info.provides == []
    # The other plugins are unaffected.
    assert plugins(app).plugins["cards"].state == "enabled"
    assert plugins(app).kind("flashcard") is not None and plugins(app).kind("quiz") is not None

    client = admin_client(app, session)
    assert client.get("/").status_code == 200
    page = client.get("/admin/plugins")
    assert page.status_code == 200
    row = plugin_row(page.get_data(as_text=True), "lost")
    assert "<strong>failed</strong>" in row
    assert "ImportError: No module named &#39;mso_academy_lost&#39;" in row
    assert "<td>0.9</td>" in row and "<td>entry point</td>" in row


def test_a_plugin_that_fails_to_register_contributes_nothing(make_app, session):
    app = make_app(EXTRA_PLUGINS=[BrokenRegistration(), FlashcardPlugin()])
    manager = plugins(app)
    info = manager.plugins["BrokenRegistration"]
    assert info.state == "failed"
    assert info.error == "KeyError: 'no such kind table'"
    assert info.provides == []
    assert manager.course_type("broken-type") is None  # its successful hook is dropped as well
    assert manager.pm.get_plugin("BrokenRegistration") is None  # it receives no lifecycle calls
    assert manager.plugins["FlashcardPlugin"].state == "enabled"

    client = admin_client(app, session)
    assert client.get("/").status_code == 200
    row = plugin_row(client.get("/admin/plugins").get_data(as_text=True), "BrokenRegistration")
    assert "<strong>failed</strong>" in row and "KeyError: &#39;no such kind table&#39;" in row
    row = plugin_row(client.get("/admin/plugins").get_data(as_text=True), "FlashcardPlugin")
    assert "enabled" in row and "<td>2.1</td>" in row and "activity kind: flashcard" in row


def test_a_hook_implementation_with_an_unknown_argument_fails_that_plugin(make_app):
    app = make_app(EXTRA_PLUGINS=[MisspelledArgument()])
    info = plugins(app).plugins["MisspelledArgument"]
    assert info.state == "failed"
    assert "learner_id" in info.error
    assert plugins(app).pm.get_plugin("MisspelledArgument") is None


def test_a_plugin_with_a_taken_name_does_not_knock_out_the_owner(make_app, monkeypatch):
    monkeypatch.setattr(
        manager_module,
        "entry_points",
        fake_entry_points(FakeEntryPoint("mso_academy.builtin.quiz", FlashcardPlugin, "6.6")),
    )
    try:
        app = make_app(PLUGINS_AUTOLOAD=True)
    except PluginConflictError as exc:  # refusing to start is a correct answer
        assert "mso_academy.builtin.quiz" in str(exc)
    else:  # so is failing the newcomer alone
        assert plugins(app).kind("quiz") is not None


# --- duplicate keys -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "what", "newcomer"),
    [
        ([FlashcardPlugin(), AnotherFlashcardPlugin()], "activity kind 'flashcard'", "AnotherFlashcardPlugin"),
        ([QuizClonePlugin()], "activity kind 'quiz'", "QuizClonePlugin"),
        ([FlashcardPlugin(), AnotherCardsTypePlugin()], "course type 'cards'", "AnotherCardsTypePlugin"),
    ],
)
def test_two_plugins_with_one_key_stop_the_start(make_app, extra, what, newcomer):
    first = "mso_academy.builtin.quiz" if what == "activity kind 'quiz'" else "FlashcardPlugin"
    with pytest.raises(PluginConflictError) as caught:
        make_app(EXTRA_PLUGINS=extra)
    message = str(caught.value)
    assert message.startswith(f"{what} is registered by both plugin {first!r} and plugin {newcomer!r}")
    assert "MSO_ACADEMY_DISABLED_PLUGINS" in message


def test_disabling_one_of_two_conflicting_plugins_lets_the_app_start(make_app):
    app = make_app(
        EXTRA_PLUGINS=[FlashcardPlugin(), AnotherFlashcardPlugin()], DISABLED_PLUGINS=["AnotherFlashcardPlugin"]
    )
    assert plugins(app).plugins["AnotherFlashcardPlugin"].state == "disabled"
    assert plugins(app).plugins["FlashcardPlugin"].provides == ["course type: cards", "activity kind: flashcard"]


def test_blueprint_names_and_cli_command_names_must_be_unique(make_app, tmp_path):
    with pytest.raises(PluginConflictError, match=r"blueprint 'hello_plugin' .*'PagesPlugin'.*'SecondHelloBlueprint'"):
        make_app(EXTRA_PLUGINS=[PagesPlugin(tmp_path), SecondHelloBlueprint()])
    with pytest.raises(PluginConflictError, match=r"CLI command 'hello-plugin' .*'PagesPlugin'.*'SecondHelloCommand'"):
        make_app(EXTRA_PLUGINS=[PagesPlugin(tmp_path), SecondHelloCommand()])


class UsersCommandPlugin:
    @hookimpl
    def register_cli_commands(self) -> list[click.Command]:
        return [click.Command("users", callback=lambda: click.echo("the plugin's users"))]


class AdminBlueprintPlugin:
    @hookimpl
    def register_blueprints(self) -> list[Blueprint]:
        return [Blueprint("admin", __name__, url_prefix="/plugin-admin")]


def test_a_plugin_command_cannot_replace_a_core_command(make_app):
    try:
        app = make_app(EXTRA_PLUGINS=[UsersCommandPlugin()])
    except PluginConflictError as exc:  # refusing to start is a correct answer
        assert "'users'" in str(exc) and "UsersCommandPlugin" in str(exc)
    else:  # so is keeping the core's command
        assert "User accounts and roles." in app.test_cli_runner().invoke(args=["users", "--help"]).output


def test_a_plugin_blueprint_named_like_a_core_blueprint_is_a_conflict(make_app):
    with pytest.raises(PluginConflictError, match=r"blueprint 'admin'.*AdminBlueprintPlugin"):
        make_app(EXTRA_PLUGINS=[AdminBlueprintPlugin()])


# --- configuration --------------------------------------------------------------------------------------------


def test_disabled_plugins_are_listed_but_not_loaded(make_app, session):
    app = make_app(EXTRA_PLUGINS=[FlashcardPlugin()], DISABLED_PLUGINS=["FlashcardPlugin", "mso_academy.builtin.quiz"])
    manager = plugins(app)
    assert manager.plugins["FlashcardPlugin"].state == "disabled"
    assert manager.plugins["mso_academy.builtin.quiz"].state == "disabled"
    assert manager.kind("flashcard") is None and manager.course_type("cards") is None
    assert manager.kind("quiz") is None
    assert manager.kind("text_lesson") is not None
    assert manager.pm.get_plugin("FlashcardPlugin") is None

    client = admin_client(app, session)
    html = client.get("/admin/plugins").get_data(as_text=True)
    assert "disabled" in plugin_row(html, "FlashcardPlugin")
    assert "disabled" in plugin_row(html, "mso_academy.builtin.quiz")
    assert "<td></td>" in plugin_row(html, "mso_academy.builtin.quiz")  # provides nothing


def test_disabled_entry_point_plugins_are_not_even_imported(make_app, monkeypatch):
    imported: list[str] = []
    monkeypatch.setattr(
        manager_module,
        "entry_points",
        fake_entry_points(FakeEntryPoint("cards", lambda: imported.append("cards") or FlashcardPlugin())),
    )
    app = make_app(PLUGINS_AUTOLOAD=True, DISABLED_PLUGINS=["cards"])
    assert plugins(app).plugins["cards"].state == "disabled"
    assert imported == []


def test_disabled_plugins_from_the_environment(make_app, monkeypatch):
    monkeypatch.setenv("MSO_ACADEMY_DISABLED_PLUGINS", " FlashcardPlugin , mso_academy.builtin.quiz")
    base = {"EXTRA_PLUGINS": [FlashcardPlugin()]}
    app = make_app(**base)
    assert app.config["DISABLED_PLUGINS"] == ["FlashcardPlugin", "mso_academy.builtin.quiz"]
    assert plugins(app).plugins["FlashcardPlugin"].state == "disabled"
    assert plugins(app).kind("quiz") is None


def test_entry_point_plugins_are_discovered_when_autoload_is_on(make_app, monkeypatch):
    asked: list[str] = []

    def entry_points(*, group: str) -> list[FakeEntryPoint]:
        asked.append(group)
        return [FakeEntryPoint("cards", FlashcardPlugin, "2.0.1"), FakeEntryPoint("unversioned", object, None)]

    monkeypatch.setattr(manager_module, "entry_points", entry_points)
    app = make_app(PLUGINS_AUTOLOAD=True)
    assert asked == ["mso_academy"]
    manager = plugins(app)
    info = manager.plugins["cards"]
    assert (info.state, info.source, info.version) == ("enabled", "entry point", "2.0.1")
    assert info.provides == ["course type: cards", "activity kind: flashcard"]
    assert manager.course_type("cards").name == "Flashcard course"
    assert isinstance(manager.kind("flashcard"), Flashcard)
    assert manager.plugins["unversioned"].version == "?"


def test_autoload_off_skips_entry_points(make_app, monkeypatch):
    def entry_points(**kwargs: Any) -> list[Any]:
        raise AssertionError("entry points were read although autoload is off")

    monkeypatch.setattr(manager_module, "entry_points", entry_points)
    app = make_app(PLUGINS_AUTOLOAD=False)
    assert {info.source for info in plugins(app).plugins.values()} == {"built-in"}


# --- blueprints and CLI commands ------------------------------------------------------------------------------


@pytest.fixture
def pages_templates(tmp_path: Any) -> Any:
    folder = tmp_path / "pages_templates"
    (folder / "hello_plugin").mkdir(parents=True)
    (folder / "hello_plugin" / "greeting.html").write_text(
        '{% extends "base.html" %}{% block content %}<p class="greeting">{{ greeting }}, {{ name }}!</p>{% endblock %}'
    )
    return folder


def test_a_plugin_blueprint_serves_its_pages(make_app, pages_templates):
    app = make_app(EXTRA_PLUGINS=[PagesPlugin(pages_templates)])
    response = client_for(app).get("/hello/Amina")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<p class="greeting">Hello, Amina!</p>' in html
    assert "MSO Academy" in html  # the page extends the core's layout
    escaped = client_for(app).get("/hello/<b>").get_data(as_text=True)
    assert "Hello, &lt;b&gt;!" in escaped  # plugin templates are autoescaped like the core's


def test_a_plugin_cli_command_runs(make_app, pages_templates):
    app = make_app(EXTRA_PLUGINS=[PagesPlugin(pages_templates)])
    result = app.test_cli_runner().invoke(args=["hello-plugin", "--name", "Kemal"])
    assert result.exit_code == 0, result.output
    assert result.output == "Hello from the plugin, Kemal!\n"


def test_a_disabled_plugin_has_no_pages_and_no_commands(make_app, pages_templates):
    app = make_app(EXTRA_PLUGINS=[PagesPlugin(pages_templates)], DISABLED_PLUGINS=["PagesPlugin"])
    assert client_for(app).get("/hello/Amina").status_code == 404
    result = app.test_cli_runner().invoke(args=["hello-plugin"])
    assert result.exit_code != 0
    assert "No such command 'hello-plugin'" in result.output
