"""Due dates are calendar days where the organisation is (BABEL_DEFAULT_TIMEZONE), not in UTC."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import to_user_timezone

from mso_academy.db import utcnow


def local_date(moment: datetime | None = None) -> date:
    """The calendar date of `moment` (default: now) in the site's time zone."""
    return to_user_timezone(moment or utcnow()).date()
