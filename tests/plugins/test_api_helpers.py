"""The public helpers for activity kinds (`mso_academy.plugins.api`): good input and malformed input alike."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from hashlib import sha256
from pathlib import Path

import pytest
from flask import Flask, url_for
from werkzeug.datastructures import MultiDict

from mso_academy import create_app
from mso_academy.plugins import api, helpers
from mso_academy.plugins.api import (
    ContentProblem,
    StaticBlueprint,
    certificate_lines,
    check_key,
    form_number,
    form_text,
    format_euro,
    format_german_date,
    free_key,
    hookimpl,
    is_int,
    is_number,
    is_text,
    no_personal_data,
    package_dirs,
    parse_date,
    parse_money,
    parse_number,
    row_indices,
    score_summary,
    sequence,
    validate_settings,
)
from mso_academy.plugins.manager import plugins


def test_every_helper_is_part_of_the_public_api() -> None:
    public = [
        name
        for name, value in vars(helpers).items()
        if not name.startswith("_")
        and name != "TYPE_CHECKING"
        and (name.isupper() or getattr(value, "__module__", "") == helpers.__name__)
    ]
    assert len(public) > 20
    for name in public:
        assert name in api.__all__ and getattr(api, name) is getattr(helpers, name), name


# --- values in content -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [(3, True), (0, True), (True, False), (3.0, False), ("3", False)])
def test_is_int_refuses_bools_and_floats(value: object, expected: bool) -> None:
    assert is_int(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, True), (2.5, True), (False, False), (float("nan"), False), (float("inf"), False), ("2", False)],
)
def test_is_number_wants_a_finite_int_or_float(value: object, expected: bool) -> None:
    assert is_number(value) is expected


@pytest.mark.parametrize(("value", "expected"), [("a", True), (" x ", True), ("  ", False), ("", False), (5, False)])
def test_is_text_wants_something_besides_white_space(value: object, expected: bool) -> None:
    assert is_text(value) is expected


def test_sequence_copies_lists_and_turns_anything_else_into_an_empty_one() -> None:
    items = [1, 2]
    assert sequence(items) == [1, 2] and sequence(items) is not items
    assert sequence({"a": 1}) == [] and sequence(None) == [] and sequence("ab") == []


# --- numbers, money, dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234,5", "1234.5"),
        ("1.234,5", "1234.5"),
        ("1234.5", "1234.5"),
        ("21.500", "21500"),
        ("1 234 €", "1234"),
        ("\u00a012", "12"),
        ("-3,25", "-3.25"),
    ],
)
def test_parse_number_reads_german_and_point_notation(raw: str, expected: str) -> None:
    assert parse_number(raw) == Decimal(expected)


def test_parse_number_without_grouped_thousands_reads_a_lone_dot_as_a_decimal_point() -> None:
    assert parse_number("21.500", grouped_thousands=False) == Decimal("21.5")
    assert parse_number("1.234,5", grouped_thousands=False) == Decimal("1234.5")


@pytest.mark.parametrize("raw", ["", "abc", "1,2,3", "NaN", "Infinity", "1.2.3,4,5", "--1"])
def test_parse_number_refuses_what_is_no_number(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_number(raw)


@pytest.mark.parametrize(
    ("raw", "cents"),
    [
        ("24,50", "24.50"),
        ("24.50", "24.50"),
        ("1.234,56", "1234.56"),
        ("1.250", "1250.00"),
        ("12 €", "12.00"),
        ("12 EUR", "12.00"),
        (" 7 ", "7.00"),
        (7, "7.00"),
        (Decimal("3.5"), "3.50"),
    ],
)
def test_parse_money_gives_exact_cents(raw: object, cents: str) -> None:
    value = parse_money(raw)
    assert value == Decimal(cents) and str(value) == cents


@pytest.mark.parametrize(
    "raw", ["", "abc", "1,234,5", "12,345", "1.2.3", "12.345,6789", "1234.567", "-5", "+5", 0.1, True, None, [1]]
)
def test_parse_money_refuses_malformed_amounts_floats_and_signs(raw: object) -> None:
    with pytest.raises(ValueError):
        parse_money(raw)


def test_parse_money_takes_a_sign_only_when_asked() -> None:
    assert parse_money("-5,00", negative=True) == Decimal("-5.00")
    assert parse_money("+5", negative=True) == Decimal("5.00")
    with pytest.raises(ValueError):
        parse_money("--3", negative=True)


def test_format_euro_writes_german_notation() -> None:
    assert format_euro(Decimal("12345.5")) == "12.345,50 €"
    assert format_euro(Decimal("-5")) == "-5,00 €"
    assert format_euro(Decimal("0.004")) == "0,00 €"
    assert format_euro(Decimal("1234567")) == "1.234.567,00 €"


def test_parse_date_reads_iso_and_german_dates() -> None:
    assert parse_date("2.3.2026") == parse_date("2026-03-02") == date(2026, 3, 2)
    assert parse_date(date(2026, 1, 1)) == date(2026, 1, 1)
    assert format_german_date(date(2026, 3, 2)) == "02.03.2026"


@pytest.mark.parametrize("raw", ["31.02.2026", "2026-13-01", "20260302", "yesterday", "", None, 20260302])
def test_parse_date_refuses_malformed_and_impossible_dates(raw: object) -> None:
    with pytest.raises(ValueError):
        parse_date(raw)


# --- validation --------------------------------------------------------------------------------------------------


def test_check_key_names_malformed_and_doubled_keys_and_remembers_good_ones() -> None:
    seen: set[str] = set()
    assert check_key("rows.0", {"key": "a-1"}, seen, "rows") == [] and seen == {"a-1"}
    [doubled] = check_key("rows.1", {"key": "a-1"}, seen, "rows")
    assert doubled == ContentProblem("rows.1.key", "key 'a-1' is used by two rows")
    for bad in ({"key": "a b"}, {"key": ""}, {"key": 5}, {}, {"key": "x" * 41}):
        [problem] = check_key("rows.2", bad, seen, "rows")
        assert problem.field == "rows.2.key" and "1-40 letters" in problem.message
    assert seen == {"a-1"}


def test_check_key_can_ask_for_lowercase_keys() -> None:
    seen: set[str] = set()
    assert check_key("lines.0", {"key": "honorare-2"}, seen, "lines", lowercase=True) == []
    for bad in ("Honorare", "-x", "_x", "x y", "", None):
        [problem] = check_key("lines.1", {"key": bad}, seen, "lines", lowercase=True)
        assert problem.field == "lines.1.key" and "lowercase" in problem.message
    [doubled] = check_key("lines.2", {"key": "honorare-2"}, seen, "lines", lowercase=True)
    assert doubled.message == "key 'honorare-2' is used by two lines"


@pytest.mark.parametrize(
    ("content", "fields"),
    [
        ({}, []),
        ({"pass_mark": 0, "max_attempts": 1}, []),
        ({"pass_mark": 100, "max_attempts": None}, []),
        ({"pass_mark": 101}, ["pass_mark"]),
        ({"pass_mark": "80"}, ["pass_mark"]),
        ({"pass_mark": True}, ["pass_mark"]),
        ({"max_attempts": 0}, ["max_attempts"]),
        ({"pass_mark": -1, "max_attempts": 2.5}, ["pass_mark", "max_attempts"]),
    ],
)
def test_validate_settings(content: dict[str, object], fields: list[str]) -> None:
    assert [p.field for p in validate_settings(content)] == fields


def test_score_summary() -> None:
    assert score_summary(3, 4) == (0.75, 75)
    assert score_summary(2, 3) == (2 / 3, 67)
    assert score_summary(0, 0) == (0.0, 0)


# --- the web editor ----------------------------------------------------------------------------------------------


def test_form_text_strips_and_normalises_line_ends() -> None:
    form = MultiDict({"a": "  one\r\ntwo  ", "b": ""})
    assert form_text(form, "a") == "one\ntwo"
    assert form_text(form, "b") == "" and form_text(form, "missing") == ""


@pytest.mark.parametrize(
    ("raw", "whole", "expected"),
    [
        ("12", False, 12),
        ("12,5", False, 12.5),
        ("12,0", True, 12),
        ("12,5", True, "12,5"),
        ("zwölf", False, "zwölf"),
        ("", False, "default"),
        (None, False, "default"),
        ("1.500", False, 1500),
    ],
)
def test_form_number_keeps_what_does_not_parse_for_validation(raw: object, whole: bool, expected: object) -> None:
    assert form_number(raw, "default", whole) == expected


def test_form_number_can_read_a_lone_dot_as_a_decimal_point() -> None:
    assert form_number("1.500", None, grouped_thousands=False) == 1.5


def test_row_indices_reads_numbered_rows_without_javascript() -> None:
    form = MultiDict(
        [
            ("rows-2-label", "b"),
            ("rows-0-label", "a"),
            ("rows-0-key", "k"),
            ("rows-10-label", "c"),
            ("rows-x-label", "bad"),
            ("rows-12345-label", "too long"),
            ("other-1-label", "other"),
            ("rows.3-label", "escaped prefix"),
        ]
    )
    assert row_indices(form, "rows") == [0, 2, 10]
    assert row_indices(form, "rows", limit=2) == [0, 2]
    assert row_indices(MultiDict(), "rows") == []
    assert row_indices(MultiDict([("questions-1-options-3-text", "x")]), "questions-1-options") == [3]


def test_free_key_counts_on_from_the_keys_taken() -> None:
    taken = {"q1", "q2"}
    assert free_key("q", taken) == "q3" and taken == {"q1", "q2", "q3"}
    assert free_key("q", {"q1", "q3"}) == "q4"
    letters: set[str] = {"a"}
    assert [free_key("", letters) for _ in range(3)] == ["b", "c", "d"]
    assert free_key("", {f"x{n}" for n in range(26)}) == "aa"


def test_certificate_lines_print_per_language_with_a_fallback() -> None:
    hook = certificate_lines(
        "recht", {"de": [("Rechtsgrundlagen", "§ 1")], "en": [("Legal bases", "s. 1"), ("B", "b")]}
    )
    assert hook("slug", "recht", "de") == [{"label": "Rechtsgrundlagen", "text": "§ 1"}]
    assert hook(course_slug="slug", course_type="recht", language="tr") == [
        {"label": "Legal bases", "text": "s. 1"},
        {"label": "B", "text": "b"},
    ]
    assert hook("slug", "other", "de") is None


# --- the plugin package ------------------------------------------------------------------------------------------


class _Package:
    """A plugin built from the package helpers, as a plugin module assigns them."""

    def __init__(self, folder: Path) -> None:
        self.register_template_dirs, self.register_translation_dirs = package_dirs(folder)
        self.export_user_data, self.delete_user_data = no_personal_data()
        self.folder = folder

    @hookimpl
    def register_blueprints(self) -> list[StaticBlueprint]:
        return [
            StaticBlueprint("helper_plugin", __name__, url_prefix="/plugins/helper", static_folder=str(self.folder))
        ]


@pytest.fixture
def package_app(tmp_path: Path) -> Flask:
    (tmp_path / "templates" / "helper_plugin").mkdir(parents=True)
    (tmp_path / "templates" / "helper_plugin" / "page.html").write_text("from the helper plugin")
    (tmp_path / "site.css").write_text(".helper { color: #123456; }\n" * 50)
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": "sqlite://",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "PLUGINS_AUTOLOAD": False,
            "EXTRA_PLUGINS": [_Package(tmp_path)],
        }
    )


def test_package_hooks_register_the_folders_and_promise_no_personal_data(package_app: Flask, tmp_path: Path) -> None:
    with package_app.app_context():
        hook = plugins().pm.hook
        assert tmp_path / "templates" in [d for dirs in hook.register_template_dirs() for d in dirs]
        assert tmp_path / "translations" in [d for dirs in hook.register_translation_dirs() for d in dirs]
        assert hook.export_user_data(session=None, user_id=1) == []
        assert hook.delete_user_data(session=None, user_id=1) == []
        for name in ("export_user_data", "delete_user_data"):
            assert any(isinstance(i.plugin, _Package) for i in getattr(hook, name).get_hookimpls())
        rendered = package_app.jinja_env.get_template("helper_plugin/page.html").render()
    assert rendered == "from the helper plugin"


def test_static_blueprint_links_with_the_content_hash_and_caches_that_for_a_year(
    package_app: Flask, tmp_path: Path
) -> None:
    version = sha256((tmp_path / "site.css").read_bytes()).hexdigest()[:12]
    with package_app.test_request_context():
        url = url_for("helper_plugin.static", filename="site.css")
        assert url == f"/plugins/helper/site.css?v={version}"
        assert "v=" not in url_for("helper_plugin.static", filename="missing.css")
    client = package_app.test_client()
    fresh = client.get(url)
    assert fresh.status_code == 200 and fresh.mimetype == "text/css" and b".helper" in fresh.data
    assert fresh.cache_control.max_age == 365 * 24 * 3600 and fresh.cache_control.immutable
    for stale in ("/plugins/helper/site.css", "/plugins/helper/site.css?v=000000000000"):
        response = client.get(stale)
        assert response.status_code == 200 and response.cache_control.max_age == 300
        assert not response.cache_control.immutable
    assert client.get(url, headers={"If-None-Match": fresh.headers["ETag"]}).status_code == 304
    compressed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert compressed.headers["Content-Encoding"] == "gzip"


@pytest.mark.parametrize("path", ["/plugins/helper/nothing.css", "/plugins/helper/../instance/x", "/plugins/helper/"])
def test_static_blueprint_serves_nothing_outside_its_folder(package_app: Flask, path: str) -> None:
    assert package_app.test_client().get(path).status_code == 404


def test_static_blueprint_version_of_a_missing_or_outside_file_is_empty(package_app: Flask) -> None:
    blueprint = package_app.blueprints["helper_plugin"]
    assert isinstance(blueprint, StaticBlueprint)
    assert blueprint.version("missing.css") == "" and blueprint.version("../secret") == ""
    assert re.fullmatch(r"[0-9a-f]{12}", blueprint.version("site.css"))
