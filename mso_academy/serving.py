"""gunicorn's access log with the same redaction as the development server (see `logsafety`)."""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from mso_academy.logsafety import redact_path, redact_request_line


class RedactingLogger(Logger):  # type: ignore[misc]
    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["r"] = redact_request_line(atoms["r"])
        atoms["U"] = redact_path(atoms["U"] or "")
        atoms["q"] = "[redacted]" if atoms.get("q") else ""
        atoms["f"] = redact_path(atoms.get("f") or "-")  # the referer can be a page with a token
        # `%({raw_uri}e)s`, `%({referer}i)s` and friends: every environ and header atom gets the same treatment.
        for key, value in atoms.items():
            if key.endswith(("}e", "}i")) and isinstance(value, str):
                atoms[key] = redact_path(value)
        return atoms
