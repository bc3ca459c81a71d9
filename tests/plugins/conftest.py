"""Helpers for plugin tests: apps built with their own plugin configuration, and recording plugins.

`make_app(**config)` builds a further app on the test's database connection (the same savepoint as the `app` and
`session` fixtures), with the same test settings as the `app` fixture, and pushes its app context until the test
ends. Use it when a test needs several configurations, or must patch entry-point discovery before the app starts.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from mso_academy import create_app
from mso_academy.accounts.models import Role
from tests.conftest import FAST_HASHING, IsolatedClient, login
from tests.factories import make_user

# The settings of the `app` fixture that make an app a test app on the test's connection.
_INHERITED = (
    "TESTING",
    "SECRET_KEY",
    "DATABASE_URL",
    "DATABASE_ENGINE",
    "DATABASE_SESSION_FACTORY",
    "MAIL_OUTBOX_DIR",
    "WTF_CSRF_ENABLED",
    "PLUGINS_AUTOLOAD",
    "SERVER_NAME",
    "BABEL_DEFAULT_LOCALE",
    "TWO_FACTOR_ENFORCED",  # off in tests (its own tests switch it on): admins would be sent to set it up
    "RATELIMIT_ENABLED",
    *FAST_HASHING,
)


@pytest.fixture
def make_app(app: Flask, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """A factory of apps configured like `app`, plus the given overrides (e.g. ``EXTRA_PLUGINS=[...]``)."""
    numbers = itertools.count(1)
    base = {key: app.config[key] for key in _INHERITED if key in app.config}

    with ExitStack() as contexts:

        def make(**overrides: Any) -> Flask:
            config = {**base, "INSTANCE_PATH": str(tmp_path / f"instance-{next(numbers)}"), **overrides}
            made = create_app(config)
            made.test_client_class = IsolatedClient
            contexts.enter_context(made.app_context())
            return made

        yield make


def client_for(app: Flask) -> FlaskClient:
    app.test_client_class = IsolatedClient
    return app.test_client()


class FakeDistribution:
    def __init__(self, version: str) -> None:
        self.version = version


class FakeEntryPoint:
    """What `importlib.metadata.entry_points()` yields: a name, a loader and the distribution it comes from."""

    def __init__(self, name: str, load: Callable[[], Any], version: str | None = "1.0.0") -> None:
        self.name = name
        self.group = "mso_academy"
        self._load = load
        self.dist = FakeDistribution(version) if version is not None else None

    def load(self) -> Any:
        return self._load()


def fake_entry_points(*eps: FakeEntryPoint) -> Callable[..., list[FakeEntryPoint]]:
    """A stand-in for `importlib.metadata.entry_points` that knows only `eps` (in the group ``mso_academy``)."""

    def entry_points(*, group: str) -> list[FakeEntryPoint]:
        return [ep for ep in eps if ep.group == group]

    return entry_points


@pytest.fixture
def as_trainer(client: FlaskClient, session: Session) -> FlaskClient:
    """The test client, logged in as a trainer (who may create courses in the web editor)."""
    trainer = make_user(session, name="Tina Trainer", roles=(Role.TRAINER,))
    session.commit()
    login(client, trainer.email)
    return client
