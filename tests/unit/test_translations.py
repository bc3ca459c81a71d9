"""Every visible text goes through gettext, the catalogue template is freshly extracted, and every catalogue is
complete: a new string without a translation fails here, naming the file and line or the catalogue and msgid.

Four checks, for the core and for each plugin that ships a catalogue:

- templates: the Jinja source is lexed and only its `data` tokens (the literal text around tags and
  expressions) are kept; HTML tags, comments, entities, punctuation, symbols, numbers and the brand name are
  stripped, and any word left outside ``_()`` fails. Translatable attributes (``title``, ``alt``,
  ``placeholder``, ``aria-label``, the ``value`` of buttons, …) must not hold literal words either, and string
  literals inside expressions that read like prose (``{{ "Save changes" }}``) must be translated too;
- extraction: Babel's extraction over ``babel.cfg`` run in-process gives exactly the msgids of ``messages.pot``;
- catalogues: every msgid has a non-empty, non-fuzzy translation in de, tr, ar, uk and ru (the msgids are
  English, so ``en`` may stay empty), with the same placeholders (``%(name)s``, ``%d``, ``{name}``);
- plugins: the same for each plugin catalogue (``plugins/*/src/*/translations`` in this repository, and every
  folder an installed plugin registers through ``register_translation_dirs``) where .po files exist.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from jinja2 import Environment

from mso_academy.config import DEFAULTS
from mso_academy.plugins.manager import PluginManager

ROOT = Path(__file__).resolve().parents[2]
CORE_TRANSLATIONS = ROOT / "mso_academy" / "translations"
REQUIRED_LOCALES = ("de", "tr", "ar", "uk", "ru")
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}  # as `make extract-messages`

# --- which templates and catalogues there are --------------------------------------------------------------


@dataclass(frozen=True)
class PluginCatalogue:
    """A plugin's compiled-catalogue folder; `project` is its distribution folder when it lives in this repo."""

    translations: Path
    project: Path | None


@cache
def _installed_plugins() -> PluginManager:
    """The plugins an app would autoload here (entry points), for the folders they register."""
    manager = PluginManager()
    manager.load(autoload=True)
    return manager


def template_files() -> list[Path]:
    folders = {p for p in (ROOT / "mso_academy").glob("**/templates") if p.is_dir()}
    folders |= {p for p in ROOT.glob("plugins/*/src/*/templates") if p.is_dir()}
    folders |= {Path(p).resolve() for p in _installed_plugins().template_dirs if Path(p).is_dir()}
    files = {f for folder in folders for f in folder.rglob("*") if f.suffix in (".html", ".txt", ".xml", ".svg")}
    return sorted(files)


def plugin_catalogues() -> list[PluginCatalogue]:
    found: dict[Path, PluginCatalogue] = {}
    for folder in ROOT.glob("plugins/*/src/*/translations"):
        found[folder.resolve()] = PluginCatalogue(folder.resolve(), folder.parents[2])
    for folder in _installed_plugins().translation_dirs:
        folder = Path(folder).resolve()
        if folder not in found and folder != CORE_TRANSLATIONS.resolve():
            project = next((p for p in folder.parents if (p / "babel.cfg").is_file()), None)
            found[folder] = PluginCatalogue(folder, project)
    return [c for _, c in sorted(found.items()) if any(c.translations.glob("*/LC_MESSAGES/messages.po"))]


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


# --- (a) no literal text in templates ----------------------------------------------------------------------

ENV = Environment(extensions=["jinja2.ext.i18n", "jinja2.ext.do", "jinja2.ext.loopcontrols"])
HOLE = "\ue000"  # stands for every tag and expression, so HTML parsing and line numbers stay intact
TRANSLATABLE_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-roledescription", "label"}
BUTTON_TYPES = {"submit", "button", "reset"}
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# `name="value"` written as text by a macro that prints attributes into someone else's tag.
ATTRIBUTE_TEXT = re.compile(r"""(?<![\w-])([A-Za-z_:][-\w:.]*)=("[^"]*"|'[^']*')""")
GETTEXT_CALLS = {"_", "gettext", "ngettext", "pgettext", "npgettext", "_l", "lazy_gettext"}
PROSE = re.compile(r"^[A-Z][a-z]+\b|[^\W\d_]{2,}\s+[^\W\d_]{2,}")
BRAND_NAMES = tuple({DEFAULTS["SITE_NAME"], DEFAULTS["ISSUER_NAME"]})


def words(text: str) -> list[str]:
    """What is left of `text` that a reader would read as words (letters), outside the brand name."""
    text = text.replace(HOLE, " ")
    for brand in BRAND_NAMES:
        text = text.replace(brand, " ")
    return [w for w in text.split() if any(unicodedata.category(c).startswith("L") for c in w)]


def skeleton(source: str, name: str) -> str:
    """The template's literal text, with every tag, expression, comment and `{% trans %}` block as one HOLE.

    Newlines inside the replaced parts are kept, so line numbers in the skeleton are the template's.
    """
    parts: list[str] = []
    in_trans = False
    previous = ""
    for _line, kind, value in ENV.lex(source, name):
        if kind == "name" and previous == "block_begin":
            in_trans = value in ("trans", "pluralize") or (in_trans and value != "endtrans")
        if kind not in ("whitespace",):
            previous = kind
        if kind == "data" and not in_trans:
            parts.append(value)
        elif parts and parts[-1].startswith(HOLE):
            parts[-1] += "\n" * value.count("\n")
        else:
            parts.append(HOLE + "\n" * value.count("\n"))
    return "".join(parts)


class _TextFinder(HTMLParser):
    """Collects (line, text) for visible text and translatable attribute values that contain words."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self.raw_depth = 0
        # Open elements, each with whether it fixes its text's language (`lang="de"` written as a literal):
        # text deliberately in one language, such as the German line for funders, is not interface text.
        self.open: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        values = dict(attrs)
        if tag not in VOID_ELEMENTS:
            lang = values.get("lang")
            self.open.append((tag, bool(lang) and HOLE not in (lang or "")))
        for name, value in attrs:
            if value is None:
                continue
            button_value = name == "value" and tag == "input" and (values.get("type") or "").lower() in BUTTON_TYPES
            if (name in TRANSLATABLE_ATTRIBUTES or button_value) and words(value):
                self.found.append((line, f'{name}="{value.replace(HOLE, "{{…}}")}"'))
        if tag in ("script", "style"):
            self.raw_depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.raw_depth:
            self.raw_depth -= 1
        if any(name == tag for name, _fixed in self.open):
            while self.open and self.open.pop()[0] != tag:
                pass

    def handle_data(self, data: str) -> None:
        if not self.raw_depth and not any(fixed for _tag, fixed in self.open):
            self.found.extend(_text_lines(data, self.getpos()[0]))


def _text_lines(text: str, first_line: int) -> Iterator[tuple[int, str]]:
    for offset, line in enumerate(text.split("\n")):
        for match in ATTRIBUTE_TEXT.finditer(line):  # attributes printed by a macro
            name, value = match[1].lower(), match[2][1:-1]
            if name in TRANSLATABLE_ATTRIBUTES and words(value):
                yield first_line + offset, f'{name}="{value.replace(HOLE, "{{…}}")}"'
        line = ATTRIBUTE_TEXT.sub(" ", line)
        if words(line):
            yield first_line + offset, line.strip().replace(HOLE, "{{…}}")


def literal_texts(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every untranslated visible text in the template at `path`."""
    source = path.read_text(encoding="utf-8")
    text = skeleton(source, str(path))
    if path.suffix == ".txt":
        found = list(_text_lines(text, 1))
    else:
        finder = _TextFinder()
        finder.feed(text)
        finder.close()
        found = finder.found
    return sorted(set(found) | set(prose_literals(source, str(path))))


def prose_literals(source: str, name: str) -> Iterator[tuple[int, str]]:
    """String literals in expressions that read like prose and are not an argument of a gettext call."""
    opened_by_gettext: list[bool] = []
    previous_name = ""
    for line, kind, value in ENV.lex(source, name):
        if kind in ("variable_begin", "block_begin"):
            opened_by_gettext = []
        elif kind == "operator" and value in "([{":
            opened_by_gettext.append(value == "(" and previous_name in GETTEXT_CALLS)
        elif kind == "operator" and value in ")]}" and opened_by_gettext:
            opened_by_gettext.pop()
        elif kind == "string" and not any(opened_by_gettext):
            literal = value[1:-1]
            if PROSE.search(literal) and not re.search(r"\.(html|txt|xml|svg)$", literal) and words(literal):
                yield line, value
        previous_name = value if kind == "name" else ""


def test_the_template_scan_finds_literal_text(tmp_path: Path) -> None:
    """The scanner itself: each kind of untranslated text is found, translated text and markup are not."""
    template = tmp_path / "page.html"
    template.write_text(
        "{% extends 'base.html' %}{# a comment #}\n"
        '<p class="x">{{ _("Fine") }} &nbsp; · 12 € {{ site }} MSO Academy</p>\n'
        "<h1>Welcome {{ name }}</h1>\n"
        '<img src="{{ url }}" alt="Logo of {{ name }}"><a title="{{ _(\'Fine\') }}" href="/x">→</a>\n'
        '<input type="submit" value="Send"><input type="text" value="plain data">\n'
        "{% trans %}Translated block{% endtrans %}<option{% if x %} selected{% endif %}>{{ y }}</option>\n"
        '<!-- an HTML comment -->{{ text_field("Question text") }}{{ _("Also %(x)s", x="fine") }}\n'
        '<p lang="de">Teilnahmebescheinigung <b>fest</b></p><br><p lang="{{ lang }}">Not fixed</p>\n',
        encoding="utf-8",
    )
    assert literal_texts(template) == [
        (3, "Welcome {{…}}"),
        (4, 'alt="Logo of {{…}}"'),
        (5, 'value="Send"'),
        (7, '"Question text"'),
        (8, "Not fixed"),
    ]


@pytest.mark.parametrize("path", template_files(), ids=_rel)
def test_templates_have_no_untranslated_text(path: Path) -> None:
    problems = [f"{_rel(path)}:{line}: {text}" for line, text in literal_texts(path)]
    assert not problems, "text outside _() (wrap it in _() with an English msgid):\n" + "\n".join(problems)


# --- (b) the catalogue template is the current extraction ---------------------------------------------------


def _key(message: Message) -> tuple[object, str | None]:
    return message.id, message.context


def extracted(project: Path) -> dict[tuple[object, str | None], str]:
    """msgid → where it was found, from Babel's extraction over `project`/babel.cfg (paths relative to it)."""
    with open(project / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found: dict[tuple[object, str | None], str] = {}
    for filename, line, message, _comments, context in extract_from_dir(
        project, method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message if isinstance(message, str) else tuple(message)
        found.setdefault((msgid, context), f"{filename}:{line}")
    return found


def read_catalogue(path: Path) -> Catalog:
    with open(path, "rb") as handle:
        return read_po(handle)


def _extraction_problems(project: Path, pot: Path) -> list[str]:
    current = extracted(project)
    template = {_key(m) for m in read_catalogue(pot) if m.id}
    problems = [
        f"{where}: not in {_rel(pot)}: {key[0]!r}"
        for key, where in sorted(current.items(), key=str)
        if key not in template
    ]
    problems += [f"{_rel(pot)}: no longer in the code: {key[0]!r}" for key in sorted(template - set(current), key=str)]
    return problems


def test_the_core_catalogue_template_is_freshly_extracted() -> None:
    problems = _extraction_problems(ROOT, CORE_TRANSLATIONS / "messages.pot")
    assert not problems, "run `make extract-messages` and translate the new entries:\n" + "\n".join(problems)


# --- (c) every catalogue is complete --------------------------------------------------------------------------

PYTHON_FORMAT = re.compile(r"%(?:\((\w+)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
BRACE_FORMAT = re.compile(r"(?<!\{)\{(\w*)(?:[!:][^{}]*)?\}(?!\})")


def placeholders(text: str) -> list[str]:
    """The placeholders of `text` in a comparable form: ``%(name)s``, ``%d`` and ``{name}``; ``%%`` is none."""
    found = []
    for match in PYTHON_FORMAT.finditer(text):
        if match[0] == "%%":
            continue
        found.append(f"%({match[1]})" if match[1] else "%" + match[0][-1])
    found += [f"{{{name}}}" for name in BRACE_FORMAT.findall(text)]
    return sorted(found)


def message_problems(message: Message, locale: str, required: bool) -> list[str]:
    """What is wrong with one entry of a .po file (its msgid is quoted in each problem)."""
    ids = [message.id] if isinstance(message.id, str) else list(message.id)
    strings = [message.string] if isinstance(message.string, str) else list(message.string or ())
    label = repr(ids[0])
    if message.fuzzy and any(strings):
        return [f"{label}: marked fuzzy (check the translation and remove the flag)"]
    if not all(strings) or not strings:
        return [f"{label}: no translation"] if required else []
    if len(ids) == 1:
        expected = placeholders(ids[0])
        return [
            f"{label}: placeholders {placeholders(s)} differ from the msgid's {expected}"
            for s in strings
            if placeholders(s) != expected
        ]
    # Plural forms: a form may leave out the number ("one minute"), but nothing else, and adds nothing new.
    allowed = set(placeholders(ids[0])) | set(placeholders(ids[1]))
    needed = {p for p in allowed if p not in ("%(num)", "%d")}
    return [
        f"{label}: plural form {index} has placeholders {placeholders(s)}; the msgid has {sorted(allowed)}"
        for index, s in enumerate(strings)
        if not set(placeholders(s)) <= allowed or not needed <= set(placeholders(s))
    ]


def catalogue_problems(translations: Path) -> Iterator[tuple[str, list[str]]]:
    """(locale, problems) for each language of the catalogue folder `translations`."""
    pot = translations / "messages.pot"
    template = {_key(m) for m in read_catalogue(pot) if m.id} if pot.is_file() else None
    for locale in sorted({*REQUIRED_LOCALES, "en"}):
        po = translations / locale / "LC_MESSAGES" / "messages.po"
        required = locale in REQUIRED_LOCALES
        if not po.is_file():
            yield locale, ([f"{_rel(po)} is missing"] if required else [])
            continue
        catalogue = read_catalogue(po)
        problems = [f"{_rel(po)}: {p}" for m in catalogue if m.id for p in message_problems(m, locale, required)]
        if template is not None and required:
            present = {_key(m) for m in catalogue if m.id}
            problems += [
                f"{_rel(po)}: {key[0]!r} is missing (run `make extract-messages`)"
                for key in sorted(template - present, key=str)
            ]
        yield locale, problems


def test_placeholder_check_catches_a_lost_or_renamed_placeholder() -> None:
    renamed = Message("Hello %(name)s, %(count)d new", "Hallo %(nme)s, %(count)d neu")
    lost = Message("Issued on %(date)s", "Ausgestellt")
    plural = Message(("%(num)d minute", "%(num)d minutes"), ("دقيقة واحدة", "%(num)d دقائق", "%(x)s"))
    fine = Message("{count} of {total} – 100 %%", "{count} von {total} – 100 %%")
    assert message_problems(renamed, "de", True) and message_problems(lost, "de", True)
    assert message_problems(plural, "ar", True) == [
        "'%(num)d minute': plural form 2 has placeholders ['%(x)']; the msgid has ['%(num)']"
    ]
    assert message_problems(fine, "de", True) == []
    assert message_problems(Message("Save", ""), "en", False) == []
    assert message_problems(Message("Save", ""), "tr", True) == ["'Save': no translation"]
    assert message_problems(Message("Save", "Kaydet", flags=["fuzzy"]), "tr", True)


@pytest.mark.parametrize("locale", REQUIRED_LOCALES)
def test_the_core_catalogue_is_complete(locale: str) -> None:
    problems = dict(catalogue_problems(CORE_TRANSLATIONS))[locale]
    assert not problems, "\n".join(problems)


def test_english_is_complete_by_its_msgids() -> None:
    """English msgids need no translation; where one is written, it keeps the placeholders."""
    problems = dict(catalogue_problems(CORE_TRANSLATIONS))["en"]
    assert not problems, "\n".join(problems)


# --- (d) plugin catalogues ----------------------------------------------------------------------------------


@pytest.mark.parametrize("catalogue", plugin_catalogues(), ids=lambda c: _rel(c.translations))
def test_plugin_catalogues_are_extracted_and_complete(catalogue: PluginCatalogue) -> None:
    problems: list[str] = []
    pot = catalogue.translations / "messages.pot"
    if catalogue.project is not None and (catalogue.project / "babel.cfg").is_file():
        if not pot.is_file():
            problems.append(f"{_rel(pot)} is missing (run `make extract-messages`)")
        else:
            problems += _extraction_problems(catalogue.project, pot)
    for _locale, found in catalogue_problems(catalogue.translations):
        problems += found
    assert not problems, "\n".join(problems)


# --- dates, numbers and amounts are formatted by Babel -------------------------------------------------------

# A hand-made German or American date ("%d.%m.%Y", "%m/%d"), month or weekday names from strftime (English only),
# and a euro sign written next to a number: each is Babel's job (format_date, format_currency, the filters).
HAND_FORMATTED = re.compile(r"""strftime\(\s*[rf]?["'][^"']*(?:%d\.%m|%m/%d|%B|%A)|\d\s*€|€\s*\{|\}\s*€""")


def test_the_core_formats_dates_and_amounts_with_babel() -> None:
    sources = [p for p in (ROOT / "mso_academy").rglob("*") if p.suffix in (".py", ".html", ".txt")]
    problems = [
        f"{_rel(path)}:{number}: {line.strip()}"
        for path in sorted(sources)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if HAND_FORMATTED.search(line)
    ]
    assert not problems, "use format_date/format_currency (or the template filters):\n" + "\n".join(problems)


def test_the_notation_check_finds_hand_made_dates_and_amounts() -> None:
    for line in ('value.strftime("%d.%m.%Y")', 'f"{amount} €"', "{{ total }} €", 'day.strftime("%B %Y")'):
        assert HAND_FORMATTED.search(line), line
    for line in ('utcnow().strftime("%a, %d %b %Y %H:%M:%S +0000")', 'format_currency(1, "EUR")', "Preis: 5"):
        assert not HAND_FORMATTED.search(line), line
