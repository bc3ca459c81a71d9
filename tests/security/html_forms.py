"""Read a form off a page as a browser would submit it, so a test can post it back with extra fields."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.found = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._select_value: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and not self.found and a.get("action", "").split("#")[0] == self.action:
            self.inside = self.found = True
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            if kind not in {"submit", "button", "file"}:
                self.fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select, self._select_value = a.get("name"), None
        elif tag == "option" and self._select is not None:
            if self._select_value is None or "selected" in a:
                self._select_value = a.get("value", "")
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if not self.inside:
            return
        if tag == "select" and self._select:
            self.fields.append((self._select, self._select_value or ""))
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None
        elif tag == "form":
            self.inside = False


def form_fields(page: str, action: str) -> dict[str, str]:
    """The fields of the first form on `page` that posts to `action`, with their current values."""
    reader = _FormReader(action)
    reader.feed(page)
    assert reader.found, f"no form posts to {action}"
    return dict(reader.fields)
