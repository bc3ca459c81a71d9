"""Markdown for everything people write: rendered by markdown-it-py, then sanitised by nh3 (ammonia).

Raw HTML in the source is escaped by the renderer, and the sanitiser is the second wall: only the tags and
attributes below survive, and links or images may only point to http(s), mailto or relative URLs.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import count

import nh3
from flask_babel import gettext
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def _clean(html: str, tags: set[str]) -> Markup:
    cleaned = nh3.clean(
        html,
        tags=tags,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(cleaned)


INLINE_TAGS = {"a", "b", "code", "del", "em", "i", "s", "strong", "sub", "sup", "br"}


# Rendering and sanitising cost more than the rest of a lesson page; the same course text is shown to every
# learner, so the sanitised HTML is kept per source text (a pure function of it; the locale-dependent table
# labels are added afterwards). Bounded, so learners' own answers cannot grow it without limit.
CACHE_SIZE = 2048


@lru_cache(maxsize=CACHE_SIZE)
def _inline_html(text: str) -> str:
    return str(_clean(_parser().renderInline(text), INLINE_TAGS))


@lru_cache(maxsize=CACHE_SIZE)
def _block_html(text: str) -> str:
    return str(_clean(_parser().render(text), ALLOWED_TAGS))


def render_markdown_inline(text: str | None) -> Markup:
    """One line of Markdown (emphasis, code, links) without paragraphs, e.g. for a question in a legend."""
    if not text:
        return Markup("")
    return Markup(_inline_html(text))


_TABLE = re.compile(r"<table>(.*?)</table>", re.S)


def _scrollable_tables(html: Markup) -> Markup:
    """Each table in a box that scrolls sideways on a phone; the box is a named, focusable region so keyboard
    users can scroll it too (WCAG 2.1.1). Runs on sanitised HTML, where a table has no attributes."""
    numbers = count(1)

    def wrap(match: re.Match[str]) -> str:
        label = escape(gettext("Table %(number)d", number=next(numbers)))
        return f'<div class="table-wrap" role="region" tabindex="0" aria-label="{label}">{match[0]}</div>'

    return Markup(_TABLE.sub(wrap, str(html)))


def render_markdown(text: str | None) -> Markup:
    """Safe HTML for Markdown written by trainers and learners."""
    if not text:
        return Markup("")
    return _scrollable_tables(Markup(_block_html(text)))
