"""Helpers for activity kinds: what every course-type plugin otherwise copies from the next one.

Numbers and money as German volunteers type them (exact `Decimal`, never float), checks of content values, the
web editor's repeated rows (``<prefix>-<n>-<field>``, no JavaScript), the quiz-style settings ``pass_mark`` and
``max_attempts``, the hooks every plugin package repeats, and a blueprint for a plugin's stylesheet. Re-exported by
`mso_academy.plugins.api`; plugins import them from there.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy
from babel.numbers import format_currency as babel_currency
from flask import Blueprint, Response, request
from werkzeug.security import safe_join

if TYPE_CHECKING:
    from mso_academy.plugins.api import ContentProblem, FormData

# The same marker as the API's `hookimpl` (this module is imported by the API, so it cannot import it back).
_hookimpl = pluggy.HookimplMarker("mso_academy")

#: Keys of questions, rows and options in content documents (answers refer to them).
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
#: The same, lowercase and not starting with '-' or '_' (keys that also serve as slugs, e.g. ``honorare``).
LOWERCASE_KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
CENT = Decimal("0.01")
_ONE_YEAR = 365 * 24 * 3600
# "21.500" is twenty-one thousand five hundred in German notation (dots group thousands).
_GROUPED = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
_MONEY_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+(,\d{1,2})?$")
_MONEY_PLAIN = re.compile(r"^\d+([.,]\d{1,2})?$")
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --- values in content documents -----------------------------------------------------------------------------


def is_int(value: Any) -> bool:
    """A whole number, but not a bool (YAML's ``true`` is an int to Python)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """A finite int or float (not a bool, not NaN or infinity)."""
    return (is_int(value) or isinstance(value, float)) and math.isfinite(value)


def is_text(value: Any) -> bool:
    """A string with something besides white space."""
    return isinstance(value, str) and bool(value.strip())


def sequence(value: Any) -> list[Any]:
    """`value` if it is a list (a copy), else an empty list: content may be malformed until it is validated."""
    return list(value) if isinstance(value, list) else []


# --- numbers and money as people type them ---------------------------------------------------------------------


def parse_number(raw: str, *, grouped_thousands: bool = True) -> Decimal:
    """``1234,5``, ``1.234,5``, ``1234.5``, ``1 234`` (also with a euro sign) → Decimal; ValueError otherwise.

    German volunteers type a decimal comma. With `grouped_thousands`, ``21.500`` (a dot before exactly three
    digits, no comma) is twenty-one thousand five hundred, as in German notation; without it, 21.5.
    """
    text = str(raw).strip().replace("\u00a0", "").replace(" ", "").replace("€", "")
    if "," in text or (grouped_thousands and _GROUPED.match(text)):
        text = text.replace(".", "").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(raw) from None
    if not value.is_finite():
        raise ValueError(raw)
    return value


def parse_money(raw: Any, *, negative: bool = False) -> Decimal:
    """An amount of money with at most two decimal places → Decimal with exactly two; ValueError otherwise.

    Accepts ``1.234,50``, ``1234,5``, ``12.50``, ``1.250`` (a dot before three digits groups thousands, as on
    German receipts), with a euro sign or ``EUR``, whole numbers and Decimals. Floats are refused (0.1 is not exact);
    a leading ``-`` (or ``+``) only with `negative`.
    """
    if isinstance(raw, bool) or not isinstance(raw, str | int | Decimal):
        raise ValueError(str(raw))
    text = format(raw, "f") if isinstance(raw, Decimal) else str(raw)
    text = text.replace("€", "").replace("EUR", "").replace("\u00a0", "").replace(" ", "").strip()
    sign = text[:1] if negative and text[:1] in ("+", "-") else ""
    text = text[len(sign) :]
    if _MONEY_GROUPED.match(text):
        text = text.replace(".", "").replace(",", ".")
    elif _MONEY_PLAIN.match(text):
        text = text.replace(",", ".")
    else:
        raise ValueError(raw)
    amount = Decimal(text).quantize(CENT)
    return -amount if sign == "-" else amount


def format_euro(amount: Decimal) -> str:
    """An amount in German notation whatever the reader's language (Babel, locale de_DE), for content that is German
    by nature (receipts, a funding plan); the interface's own amounts use `format_currency`. A plain space stands
    before the euro sign, as the courses write it."""
    return babel_currency(amount, "EUR", locale="de_DE").replace("\u00a0", " ")


def parse_date(raw: Any) -> date:
    """ISO (``2027-03-01``, what ``<input type=date>`` sends) or German (``1.3.2027``) → date; ValueError else."""
    if isinstance(raw, date):
        return raw
    if not isinstance(raw, str):
        raise ValueError(str(raw))
    text = raw.strip()
    if german := _GERMAN_DATE.match(text):
        day, month, year = (int(part) for part in german.groups())
        return date(year, month, day)
    if _ISO_DATE.match(text):
        return date.fromisoformat(text)
    raise ValueError(raw)


def format_german_date(value: date) -> str:
    """date(2026, 3, 2) → ``02.03.2026``."""
    return f"{value.day:02d}.{value.month:02d}.{value.year}"


# --- validation -------------------------------------------------------------------------------------------------


def check_key(
    where: str, item: Mapping[str, Any], seen: set[str], what: str, *, lowercase: bool = False
) -> list[ContentProblem]:
    """The problem with ``item["key"]`` (malformed, or already in `seen`), if any; a good key is added to `seen`.

    `what` names the items in the message ("questions", "rows"); `where` is the item's dotted path. With
    `lowercase`, keys must match `LOWERCASE_KEY_PATTERN`.
    """
    from mso_academy.plugins.api import ContentProblem

    key = item.get("key")
    if lowercase and not (isinstance(key, str) and LOWERCASE_KEY_PATTERN.match(key)):
        return [ContentProblem(f"{where}.key", "key must be 1-40 lowercase letters, digits, '-' or '_'")]
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        return [ContentProblem(f"{where}.key", "key must be 1-40 letters, digits, '-' or '_'")]
    if key in seen:
        return [ContentProblem(f"{where}.key", f"key {key!r} is used by two {what}")]
    seen.add(key)
    return []


def validate_settings(content: Mapping[str, Any]) -> list[ContentProblem]:
    """Problems with `pass_mark` (a whole number 0–100, default 80) and `max_attempts` (empty, or at least 1)."""
    from mso_academy.plugins.api import ContentProblem

    problems = []
    pass_mark = content.get("pass_mark", 80)
    if not is_int(pass_mark) or not 0 <= pass_mark <= 100:
        problems.append(ContentProblem("pass_mark", "pass_mark must be a whole number from 0 to 100"))
    max_attempts = content.get("max_attempts")
    if max_attempts is not None and (not is_int(max_attempts) or max_attempts < 1):
        problems.append(ContentProblem("max_attempts", "max_attempts must be empty (unlimited) or at least 1"))
    return problems


def score_summary(earned: int | float, total: int | float) -> tuple[float, int]:
    """The score (0–1) and the rounded percentage for `earned` of `total` points; nothing to earn scores 0."""
    score = earned / total if total else 0.0
    return score, round(score * 100)


# --- the web editor ---------------------------------------------------------------------------------------------


def form_text(form: FormData, name: str) -> str:
    """A text field of the editor, stripped, with the browser's CRLF line ends as ``\\n``; missing is ``""``."""
    return str(form.get(name) or "").replace("\r\n", "\n").strip()


def form_number(raw: Any, default: Any, whole: bool = False, *, grouped_thousands: bool = True) -> Any:
    """A number typed into the editor (``12``, ``12,5``): empty gives `default`; what does not parse stays as typed,
    so `validate` names it and the form shows it again. With `whole`, a fraction also stays as typed."""
    text = str(raw or "").strip()
    if not text:
        return default
    try:
        value = parse_number(text, grouped_thousands=grouped_thousands)
    except ValueError:
        return text
    if value == value.to_integral_value():
        return int(value)
    return text if whole else float(value)


def row_indices(form: FormData, prefix: str, limit: int = 100) -> list[int]:
    """The row numbers of editor fields named ``<prefix>-<n>-<field>``, ascending, at most `limit` of them.

    Repeated items (questions, receipts, options) are numbered form fields, so the editor needs no JavaScript:
    the form offers one empty row more, and a row with nothing in it is skipped by the caller.
    """
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d{{1,4}})-")
    names = list(form.keys())  # FormData promises keys(), not iteration
    return sorted({int(m.group(1)) for name in names if (m := pattern.match(name))})[:limit]


def free_key(prefix: str, taken: set[str]) -> str:
    """The next key not in `taken`, added to it: ``q3``, ``q4``, … or, with an empty prefix, ``c``, ``d``, ….

    Counting starts after the keys taken; existing keys stay as they are, because learners' answers refer to them.
    """
    number = len(taken) + 1
    while (key := f"{prefix}{number}" if prefix else _letters(number)) in taken:
        number += 1
    taken.add(key)
    return key


def _letters(number: int) -> str:
    """1 → "a", 26 → "z", 27 → "aa"."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


# --- the plugin package -----------------------------------------------------------------------------------------


def package_dirs(package_dir: Path) -> tuple[Callable[[], list[Path]], Callable[[], list[Path]]]:
    """`register_template_dirs` and `register_translation_dirs` for a package with ``templates/`` and
    ``translations/`` folders; assign them in the plugin module::

        register_template_dirs, register_translation_dirs = package_dirs(Path(__file__).parent)
    """

    @_hookimpl
    def register_template_dirs() -> list[Path]:
        return [package_dir / "templates"]

    @_hookimpl
    def register_translation_dirs() -> list[Path]:
        return [package_dir / "translations"]

    return register_template_dirs, register_translation_dirs


def no_personal_data() -> tuple[Callable[..., None], Callable[..., None]]:
    """`export_user_data` and `delete_user_data` for a plugin that keeps no personal data of its own.

    Learners' answers and drafts are the core's attempts and drafts, which the core exports and deletes with the
    account; saying so with these hooks makes the plugin's privacy promise explicit::

        export_user_data, delete_user_data = no_personal_data()
    """

    @_hookimpl
    def export_user_data(user_id: int, session: Any = None) -> None:
        """Nothing to export: the plugin keeps no tables."""
        return None

    @_hookimpl
    def delete_user_data(user_id: int, session: Any = None) -> None:
        """Nothing to delete: the plugin keeps no personal data of its own."""
        return None

    return export_user_data, delete_user_data


def certificate_lines(
    course_type: str, lines: Mapping[str, Sequence[tuple[str, str]]], fallback: str = "en"
) -> Callable[[str, str, str], list[dict[str, str]] | None]:
    """`certificate_contributions` printing `lines` (``(label, text)`` pairs per certificate language, `fallback`
    for any other) on every certificate of a course of `course_type`, typically the legal bases it covers::

        certificate_contributions = certificate_lines("vereinsrecht", {"de": [("Rechtsgrundlagen", "§§ 21–79 BGB")],
                                                                        "en": [("Legal bases", "§§ 21–79 BGB")]})
    """

    wanted = course_type

    @_hookimpl
    def certificate_contributions(course_slug: str, course_type: str, language: str) -> list[dict[str, str]] | None:
        if course_type != wanted:
            return None
        return [{"label": label, "text": text} for label, text in lines.get(language, lines[fallback])]

    return certificate_contributions


class StaticBlueprint(Blueprint):
    """A plugin's blueprint that serves its ``static`` folder at `url_prefix`, with cache busting.

    ``url_for("<name>.static", filename="x.css")`` adds ``?v=<content hash>``; a request with the current hash is
    cached for a year (``immutable``), one without for five minutes. The core compresses the file and closes it.
    """

    def __init__(self, name: str, import_name: str, url_prefix: str, static_folder: str = "static") -> None:
        super().__init__(name, import_name, url_prefix=url_prefix, static_folder=static_folder, static_url_path="")
        self._versions: dict[str, str] = {}
        self.url_defaults(self._add_version)
        self.after_request(self._mark_immutable)

    def version(self, filename: str) -> str:
        """The first 12 hex digits of the file's SHA-256 (``""`` if there is no such file)."""
        if filename not in self._versions:
            path = safe_join(str(self.static_folder), filename)
            found = path is not None and Path(path).is_file()
            self._versions[filename] = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12] if found else ""
        return self._versions[filename]

    def _current(self, filename: str | None) -> bool:
        return bool(filename) and request.args.get("v") == self.version(filename or "") != ""

    def _add_version(self, endpoint: str, values: dict[str, Any]) -> None:
        if endpoint != f"{self.name}.static" or "v" in values:
            return
        if version := self.version(str(values.get("filename", ""))):
            values["v"] = version

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        return _ONE_YEAR if self._current(filename) else 300

    def _mark_immutable(self, response: Response) -> Response:
        if request.endpoint == f"{self.name}.static" and self._current((request.view_args or {}).get("filename")):
            response.cache_control.immutable = True
        return response
