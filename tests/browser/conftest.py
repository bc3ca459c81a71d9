"""Browser journeys: a real server on a migrated database with the demo data, driven by headless Chromium.

Everything in this folder is marked `browser`; deselect it with `-m "not browser"`.
The server runs in a thread of the test process on a free port, with CSRF protection on, as in production.
Pages are opened at phone size (360 x 740) with a German browser.

On failure the page is saved to `test-artifacts/<test name>.png`. Set MSO_ACADEMY_SCREENSHOTS=1 to keep a
full-page screenshot of every page a journey checks (`check_page`), to look at the layout by eye.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_babel import force_locale, gettext
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from mso_academy import create_app
from tests.browser.axe import assert_accessible
from tests.conftest import FAST_HASHING

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parents[1]
COURSES_DIR = PROJECT / "courses"
ARTIFACTS = PROJECT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
LOCALE = "de-DE"

_failed = pytest.StashKey[bool]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # A `pytestmark` in a conftest does not reach the tests; mark every item collected from this folder here.
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call" and report.failed:
        item.stash[_failed] = True
    return report


# --- the server ---------------------------------------------------------------------------------------------


def _demo_app(database_url: str, folder: Path, **config: Any) -> Flask:
    """An app as in production (CSRF on), migrated with Alembic, with the demo users and the shipped courses."""
    from alembic import command

    from mso_academy.cli import alembic_config
    from mso_academy.demo import load_demo
    from mso_academy.plugins.manager import plugins

    app = create_app(
        {
            "TESTING": False,
            "SECRET_KEY": "browser-test-secret-key",
            "INSTANCE_PATH": str(folder / "instance"),
            "DATABASE_URL": database_url,
            "MAIL_OUTBOX_DIR": str(folder / "outbox"),
            "PLUGINS_AUTOLOAD": False,
            "WTF_CSRF_ENABLED": True,
            # The demo admin and manager log in with a password only; two-factor login has tests of its own.
            "TWO_FACTOR_ENFORCED": False,
            # One address logs in many times during the browser suite.
            "LOGIN_RATE_LIMIT_IP": "1000 per minute",
            **FAST_HASHING,
            **config,
        }
    )
    with app.app_context():
        command.upgrade(alembic_config(), "head")
    with seeding(app) as session:
        load_demo(session, plugins(), COURSES_DIR)
    return app


@contextmanager
def seeding(app: Flask) -> Iterator[Session]:
    """A session in one transaction (committed at the end) and a request context, to add a module's own data."""
    from mso_academy.db import database, transaction

    with app.test_request_context(), database(app).session_factory() as session, transaction(session):
        yield session


@contextmanager
def _serving(app: Flask, name: str) -> Iterator[str]:
    """The base URL (no trailing slash) of `app` served in a thread on a free local port, until the block ends."""
    from mso_academy.db import database

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        database(app).engine.dispose()


@pytest.fixture(scope="session")
def live_app(fresh_database_url: Callable[[], str], tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The app behind `live_server`: migrated with Alembic, demo users and the shipped courses loaded; no plugins
    beyond the built-in ones (see `plugin_live_server` for those)."""
    return _demo_app(fresh_database_url(), tmp_path_factory.mktemp("live"))


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[str]:
    """The base URL (no trailing slash) of the app served on a free local port."""
    with _serving(live_app, "live-server") as url:
        yield url


@pytest.fixture(scope="session")
def plugin_live_app(fresh_database_url: Callable[[], str], tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The app behind `plugin_live_server`: like `live_app`, but with every installed plugin (entry points), so
    the demo data holds the plugins' shipped courses too. A module adds its own users and courses with
    ``with seeding(plugin_live_app) as session: ...`` (addresses and slugs of its own, so modules do not meet)."""
    return _demo_app(fresh_database_url(), tmp_path_factory.mktemp("plugins-live"), PLUGINS_AUTOLOAD=True)


@pytest.fixture(scope="session")
def plugin_live_server(plugin_live_app: Flask) -> Iterator[str]:
    """The base URL of the app with every installed plugin, one server for all the plugins' browser journeys."""
    with _serving(plugin_live_app, "plugins-live-server") as url:
        yield url


@pytest.fixture(scope="session")
def outbox_dir(live_app: Flask) -> Path:
    return Path(live_app.config["MAIL_OUTBOX_DIR"])


@pytest.fixture(scope="session")
def ui(live_app: Flask) -> Callable[..., str]:
    """`ui("Log in")`: the text the app shows a German-speaking user for this message, translated or not yet."""

    def translate(message: str, **variables: Any) -> str:
        with live_app.test_request_context(), force_locale("de"):
            return gettext(message, **variables)

    return translate


# --- the browser --------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}; the browser tests need it. "
            "Run `make chromium` (installs Debian's package), or deselect them with -m 'not browser'.",
            pytrace=False,
        )
    driver = sync_playwright().start()
    yield driver
    driver.stop()


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh phone-sized browser (no cookies) per test; a screenshot lands in test-artifacts/ if the test fails."""
    context = browser.new_context(viewport=PHONE, locale=LOCALE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    if request.node.stash.get(_failed, False):
        ARTIFACTS.mkdir(exist_ok=True)
        try:
            page.screenshot(path=ARTIFACTS / f"{_safe_name(request.node.name)}.png", full_page=True)
        except Exception as exc:  # the page may be gone; the test's own failure is what matters
            print(f"no screenshot: {exc}")
    context.close()


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


_WIDTHS = """() => ({
  scroll: document.documentElement.scrollWidth,
  viewport: window.innerWidth,
  tooWide: [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
    .slice(0, 5)
    .map(e => e.tagName.toLowerCase() + (e.className ? "." + String(e.className).replace(/ +/g, ".") : "")),
})"""


@pytest.fixture
def check_page(page: Page, request: pytest.FixtureRequest) -> Callable[[str], None]:
    """`check_page("step")`: what every page must do at phone size: fit the screen without sideways scrolling and
    pass axe-core (WCAG 2.0/2.1 A and AA) with zero violations.

    With MSO_ACADEMY_SCREENSHOTS=1 each checked page is also saved as test-artifacts/<test>/<nn>-<step>.png.
    """
    folder = ARTIFACTS / _safe_name(request.node.name)
    keep = bool(os.environ.get("MSO_ACADEMY_SCREENSHOTS"))
    if keep:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    count = 0

    def check(step: str) -> None:
        nonlocal count
        page.wait_for_load_state("load")
        widths = page.evaluate(_WIDTHS)
        assert widths["scroll"] <= widths["viewport"], (
            f"{step} ({page.url}) scrolls sideways at {widths['viewport']} px: the content is {widths['scroll']} px"
            f" wide; sticking out: {widths['tooWide']}"
        )
        assert_accessible(page, step)
        if keep:
            count += 1
            page.screenshot(path=folder / f"{count:02d}-{_safe_name(step)}.png", full_page=True)

    return check
