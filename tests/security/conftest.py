"""The security tests sign in as admins and organisation managers with a password only: the two-factor step they
are otherwise required to take has tests of its own, and here it would turn every page into the set-up page."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"TWO_FACTOR_ENFORCED": False}
