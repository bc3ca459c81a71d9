"""Jinja filters and globals shared by every template (the core's and the plugins')."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.units import format_unit
from flask import Flask, current_app
from flask_babel import force_locale, format_date, get_locale
from flask_login import current_user
from markupsafe import Markup, escape

from mso_academy.db import utcnow
from mso_academy.markdown import render_markdown, render_markdown_inline
from mso_academy.permissions import Permission, has_permission
from mso_academy.plugins.manager import plugins

RTL_LANGUAGES = {"ar", "fa", "he", "ur"}

LANGUAGE_NAMES = {
    "de": "Deutsch",
    "en": "English",
    "tr": "Türkçe",
    "ar": "العربية",
    "uk": "Українська",
    "ru": "Русский",
    "fa": "فارسی",
}


def _course_type_name(slug: str) -> str:
    course_type = plugins().course_type(slug)
    return str(course_type.name) if course_type else slug


def filesize(size: int) -> str:
    """A file size in the reader's notation ("12 kB", "1,5 MB", "12 кБ"), never in bytes below a kilobyte."""
    locale = get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]
    if size < 1000 * 1024:
        return format_unit(-(-size // 1024) or 1, "digital-kilobyte", length="short", locale=locale)
    return format_unit(round(size / 1024 / 1024, 1), "digital-megabyte", length="short", locale=locale)


def in_language(language: str, caller: Callable[[], str]) -> Markup:
    """Render a block in another language: ``{% call in_language(course.language) %}…{% endcall %}``.

    A certificate's record is shown in its course's language inside any interface language; `_()` and the date
    and number filters inside the block follow `language` (unknown codes keep the interface language).
    """
    try:
        Locale.parse(language)
    except (ValueError, UnknownLocaleError):
        return Markup(caller())  # the caller's output is Jinja's own (escaped) markup
    with force_locale(language):
        return Markup(caller())  # the caller's output is Jinja's own (escaped) markup


def content_attrs(language: str) -> Markup:
    """`lang` and `dir` for content written in `language` (a German lesson inside the Arabic interface)."""
    code = escape(language)
    direction = "rtl" if language.split("_")[0] in RTL_LANGUAGES else "ltr"
    return Markup(f' lang="{code}" dir="{direction}"')  # the language code is escaped above


def _context() -> dict[str, Any]:
    locale = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    return {
        "page_language": locale,
        "page_direction": "rtl" if locale.split("_")[0] in RTL_LANGUAGES else "ltr",
        "site_name": current_app.config["SITE_NAME"],
    }


def init_app(app: Flask) -> None:
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["markdown_inline"] = render_markdown_inline
    app.jinja_env.filters["date"] = lambda value, fmt="medium": format_date(value, fmt) if value else ""
    app.jinja_env.filters["filesize"] = filesize
    app.jinja_env.globals.update(
        can=lambda name: has_permission(current_user, Permission(name)),
        language_name=lambda code: LANGUAGE_NAMES.get(code, code),
        course_type_name=_course_type_name,
        content_attrs=content_attrs,
        in_language=in_language,
        now=utcnow,
    )
    app.context_processor(_context)
