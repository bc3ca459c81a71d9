"""Markdown for everything people write: rendered by markdown-it-py, then sanitised by nh3 (ammonia).

Raw HTML in the source is escaped by the renderer, and the sanitiser is the second wall: only the tags and
attributes below survive, and links or images may only point to http(s), mailto or relative URLs.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

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


def render_markdown_inline(text: str | None) -> Markup:
    """One line of Markdown (emphasis, code, links) without paragraphs, e.g. for a question in a legend."""
    if not text:
        return Markup("")
    return _clean(_parser().renderInline(text), INLINE_TAGS)


def render_markdown(text: str | None) -> Markup:
    """Safe HTML for Markdown written by trainers and learners."""
    if not text:
        return Markup("")
    return _clean(_parser().render(text), ALLOWED_TAGS)
