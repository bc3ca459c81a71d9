"""Access logs without secrets: tokens in paths (confirmation, password reset, invitation, unsubscribe links) and
query strings never reach a log line.

A path segment of 24 or more URL-safe characters with an upper-case letter, `_` or `.` is taken for a token: every
signed link of the app is such a segment, and page names and slugs (lower case by validation) never are. Query
strings are dropped (they may carry search words, which can be personal).
"""

from __future__ import annotations

import logging
import re

_TOKEN = re.compile(r"(?<=/)(?=[A-Za-z0-9_.~=-]*[A-Z_.])[A-Za-z0-9_.~=-]{24,}(?=/|$)")
_REQUEST_LINE = re.compile(r"^(?P<method>\S+) (?P<target>\S+)(?P<rest> .*)?$")
REDACTED = "[redacted]"


def redact_path(target: str) -> str:
    """`/account/reset-password/Ik1…` → `/account/reset-password/[redacted]`; the query string is cut off."""
    path = target.split("?", 1)[0]
    return _TOKEN.sub(REDACTED, path) + ("?[redacted]" if "?" in target else "")


def redact_request_line(line: str) -> str:
    match = _REQUEST_LINE.match(line)
    if not match:
        return line
    return f"{match['method']} {redact_path(match['target'])}{match['rest'] or ''}"


class RedactTokens(logging.Filter):
    """For Werkzeug's development server log, whose first argument is the request line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args and isinstance(record.args[0], str):
            record.args = (redact_request_line(record.args[0]), *record.args[1:])
        return True


def install() -> None:
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactTokens) for f in werkzeug.filters):
        werkzeug.addFilter(RedactTokens())
