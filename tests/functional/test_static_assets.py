"""Static files: fingerprinted names cached for a year, plain names briefly, compressed transfers."""

from __future__ import annotations

import gc
import gzip
import re
import warnings
from pathlib import Path

from flask import Blueprint, Flask, url_for
from flask.testing import FlaskClient

from mso_academy import create_app
from mso_academy.plugins.api import hookimpl


def _stylesheet_url(client: FlaskClient) -> str:
    page = client.get("/courses/").get_data(as_text=True)
    match = re.search(r'href="(/static/style\.[0-9a-f]{12}\.css)"', page)
    assert match, "the page links no fingerprinted stylesheet"
    return match.group(1)


def test_pages_link_the_fingerprinted_stylesheet_which_is_cached_for_a_year(client: FlaskClient) -> None:
    url = _stylesheet_url(client)
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert response.cache_control.max_age == 365 * 24 * 3600
    assert response.cache_control.immutable
    assert b".skip-link" in response.data


def test_the_fingerprint_follows_the_content(app: Flask) -> None:
    from hashlib import sha256
    from pathlib import Path

    content = (Path(app.static_folder or "") / "style.css").read_bytes()
    with app.test_request_context():
        assert url_for("static", filename="style.css") == f"/static/style.{sha256(content).hexdigest()[:12]}.css"


def test_plain_names_still_work_with_a_short_cache(client: FlaskClient) -> None:
    response = client.get("/static/style.css")
    assert response.status_code == 200
    assert response.cache_control.max_age == 300
    assert not response.cache_control.immutable


def test_unknown_names_and_traversal_are_not_found(client: FlaskClient) -> None:
    for path in (
        "/static/style.000000000000.css",
        "/static/nothing.css",
        "/static/../config.py",
        "/static/%2e%2e/db.py",
    ):
        assert client.get(path).status_code == 404, path


def test_a_revalidation_answers_not_modified(client: FlaskClient) -> None:
    url = _stylesheet_url(client)
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_html_and_css_are_compressed_for_browsers_that_accept_it(client: FlaskClient) -> None:
    page = client.get("/courses/", headers={"Accept-Encoding": "gzip"})
    assert page.headers.get("Content-Encoding") == "gzip"
    stylesheet = client.get(_stylesheet_url(client), headers={"Accept-Encoding": "br, gzip"})
    assert stylesheet.headers.get("Content-Encoding") in {"br", "gzip"}
    plain = client.get("/courses/", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert b"<html" in plain.data


def test_a_plugins_static_file_is_served_compressed_and_its_file_closed(tmp_path: Path) -> None:
    """A plugin's blueprint serves its stylesheet with send_file; compressing it must not leak the open file."""
    folder = tmp_path / "static"
    folder.mkdir()
    (folder / "plugin.css").write_text(".plugin { color: #123456; }\n" * 200)

    class StaticPlugin:
        @hookimpl
        def register_blueprints(self) -> list[Blueprint]:
            return [Blueprint("static_plugin", __name__, static_folder=str(folder), static_url_path="/plugin-static")]

    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": "sqlite://",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "PLUGINS_AUTOLOAD": False,
            "EXTRA_PLUGINS": [StaticPlugin()],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        response = app.test_client().get("/plugin-static/plugin.css", headers={"Accept-Encoding": "gzip"})
        gc.collect()
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.data).startswith(b".plugin")
