"""The plugin's blueprint: its stylesheet (served from memory, no inline styles under the site's CSP) and the
glossary page, which anyone may read (general information about the procedure, no personal data)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Blueprint, Response, render_template, request

STYLESHEET = (Path(__file__).parent / "static" / "fluechtlingsberatung.css").read_bytes()
STYLESHEET_VERSION = hashlib.sha256(STYLESHEET).hexdigest()[:12]
ONE_YEAR = 365 * 24 * 3600

blueprint = Blueprint("fluechtlingsberatung", __name__, url_prefix="/plugins/fluechtlingsberatung")


@blueprint.get("/fluechtlingsberatung.css")
def stylesheet() -> Response:
    response = Response(STYLESHEET, mimetype="text/css")
    response.set_etag(STYLESHEET_VERSION)
    response.cache_control.public = True
    current = request.args.get("v") == STYLESHEET_VERSION
    response.cache_control.max_age = ONE_YEAR if current else 300
    response.cache_control.immutable = current
    return response.make_conditional(request)


@blueprint.get("/glossar")
def glossary() -> str:
    """All terms of the plugin's glossary; ``?sprache=fa`` shows one language beside the German."""
    from .glossary import REQUIRED_LANGUAGES, direction, language_name, ordered_translations, standard_glossary

    terms = sorted(standard_glossary().values(), key=lambda t: t["term"].casefold())
    chosen = request.args.get("sprache", "")
    if chosen not in REQUIRED_LANGUAGES:
        chosen = ""
    return render_template(
        "fluechtlingsberatung/glossary_page.html",
        terms=terms,
        chosen=chosen,
        languages=[(code, language_name(code)) for code in REQUIRED_LANGUAGES],
        direction=direction,
        language_name=language_name,
        ordered_translations=ordered_translations,
        stylesheet_version=STYLESHEET_VERSION,
    )
