"""The plugin's stylesheet, served from memory by its own blueprint (no inline styles: the site's CSP forbids them).

Served as bytes rather than a file stream so the core's response compression can compress it and no file handle
stays open; the URL carries a content hash (``?v=…``), so browsers may keep it for a year.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Blueprint, Response, request

STYLESHEET = (Path(__file__).parent / "static" / "vereinsrecht.css").read_bytes()
STYLESHEET_VERSION = hashlib.sha256(STYLESHEET).hexdigest()[:12]
ONE_YEAR = 365 * 24 * 3600

blueprint = Blueprint("vereinsrecht", __name__, url_prefix="/plugins/vereinsrecht")


@blueprint.get("/vereinsrecht.css")
def stylesheet() -> Response:
    response = Response(STYLESHEET, mimetype="text/css")
    response.set_etag(STYLESHEET_VERSION)
    response.cache_control.public = True
    current = request.args.get("v") == STYLESHEET_VERSION
    response.cache_control.max_age = ONE_YEAR if current else 300
    response.cache_control.immutable = current
    return response.make_conditional(request)
