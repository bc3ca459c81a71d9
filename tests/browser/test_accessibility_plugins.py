"""The activity kinds of every installed plugin, in German and in Arabic: the learner's view and the trainer's
editor pass axe-core and fit at 360 px and 1280 px (screenshots in the test's tmp dir).

The shared live server loads no third-party plugins, so this module runs its own, with every installed plugin
(entry points) and the shipped courses. Each kind is shown with the content of its first activity in a shipped
course; a kind no shipped course uses is shown in a course of its own with its default content.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, expect
from werkzeug.serving import make_server

from mso_academy import create_app
from tests.browser.axe import assert_accessible, assert_fits
from tests.browser.conftest import COURSES_DIR, PHONE
from tests.conftest import FAST_HASHING
from tests.factories import PASSWORD

DESKTOP = {"width": 1280, "height": 900}
LANGUAGES = {"de": "de-DE", "ar": "ar"}
CORE_KINDS = {"text_lesson", "quiz", "assignment"}


@dataclass(frozen=True)
class KindPage:
    kind: str
    course: str
    activity_id: int
    key: str


@dataclass
class PluginServer:
    url: str
    pages: list[KindPage]


def _email(language: str) -> str:
    return f"plugin-a11y-{language}@a11y.example.org"


def _seed(app: Flask) -> list[KindPage]:
    """Users per language who co-train and learn every course that uses a plugin kind; every activity open."""
    from sqlalchemy import select

    from mso_academy.accounts.models import Role
    from mso_academy.catalog.models import Activity, Course, CourseTrainer
    from mso_academy.db import database, transaction
    from mso_academy.demo import load_demo
    from mso_academy.learning import services as learning
    from mso_academy.plugins.manager import plugins
    from tests import factories

    with app.test_request_context(), database(app).session_factory() as session, transaction(session):
        pm = plugins()
        load_demo(session, pm, COURSES_DIR)
        users = [
            factories.make_user(session, email=_email(lang), language=lang, roles=(Role.TRAINER,)) for lang in LANGUAGES
        ]
        first: dict[str, Activity] = {}
        for activity in session.scalars(select(Activity).order_by(Activity.id)):
            activity.required = False
            if activity.kind not in CORE_KINDS and activity.kind in pm.activity_kinds:
                first.setdefault(activity.kind, activity)
        missing = [kind for key, kind in pm.activity_kinds.items() if key not in CORE_KINDS and key not in first]
        if missing:
            course = factories.make_course(
                session, slug="plugin-kinds", modules=[[(k.key, k.default_content()) for k in missing]]
            )
            for activity in course.modules[0].activities:
                activity.required = False
                first[activity.kind] = activity
        session.flush()
        pages = []
        for kind, activity in sorted(first.items()):
            course = session.get(Course, activity.module.course_id)
            assert course is not None
            for user in users:
                if learning.find_enrolment(session, user.id, course.id) is None:
                    learning.enrol(session, pm, user, course)
                    session.add(CourseTrainer(course_id=course.id, user_id=user.id))
            pages.append(KindPage(kind, course.slug, activity.id, activity.key))
        return pages


@pytest.fixture(scope="module")
def plugin_server(
    fresh_database_url: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PluginServer]:
    from alembic import command

    from mso_academy.cli import alembic_config
    from mso_academy.db import database

    folder = tmp_path_factory.mktemp("plugins-live")
    app = create_app(
        {
            "TESTING": False,
            "SECRET_KEY": "browser-test-secret-key",
            "INSTANCE_PATH": str(folder / "instance"),
            "DATABASE_URL": fresh_database_url(),
            "MAIL_OUTBOX_DIR": str(folder / "outbox"),
            "PLUGINS_AUTOLOAD": True,
            "WTF_CSRF_ENABLED": True,
            "TWO_FACTOR_ENFORCED": False,
            "LOGIN_RATE_LIMIT_IP": "1000 per minute",
            **FAST_HASHING,
        }
    )
    with app.app_context():
        command.upgrade(alembic_config(), "head")
    pages = _seed(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="plugins-live-server", daemon=True)
    thread.start()
    try:
        yield PluginServer(f"http://127.0.0.1:{server.server_port}", pages)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        database(app).engine.dispose()


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_plugin_kinds_are_accessible_and_fit(
    browser: Browser, plugin_server: PluginServer, tmp_path: Path, language: str
) -> None:
    if not plugin_server.pages:
        pytest.skip("no plugin with an activity kind is installed")  # the core kinds are in test_accessibility.py
    context = browser.new_context(viewport=PHONE, locale=LANGUAGES[language])
    context.set_default_timeout(15_000)
    page = context.new_page()
    base = plugin_server.url
    try:
        page.goto(f"{base}/account/login")
        page.locator("#email").fill(_email(language))
        page.locator("#password").fill(PASSWORD)
        page.locator("main form button[type=submit]").click()
        expect(page).to_have_url(f"{base}/dashboard")
        problems = []
        for item in plugin_server.pages:
            for view, path in (
                ("learner", f"/learn/{item.course}/{item.activity_id}"),
                ("editor", f"/trainer/courses/{item.course}/activities/{item.key}"),
            ):
                where = f"{item.kind} {view} [{language}]"
                page.set_viewport_size(PHONE)
                response = page.goto(base + path)
                page.screenshot(path=tmp_path / f"{item.kind}-{view}-360.png", full_page=True)
                try:
                    assert response is not None and response.status == 200, (
                        f"{where}: HTTP {response and response.status}"
                    )
                    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
                    assert_fits(page, f"{where} at 360 px")
                    assert_accessible(page, where)
                    page.set_viewport_size(DESKTOP)
                    page.screenshot(path=tmp_path / f"{item.kind}-{view}-1280.png", full_page=True)
                    assert_fits(page, f"{where} at 1280 px")
                except AssertionError as exc:
                    problems.append(str(exc))
        print(f"screenshots: {tmp_path}")
        assert not problems, "\n\n".join(problems)
    finally:
        context.close()
