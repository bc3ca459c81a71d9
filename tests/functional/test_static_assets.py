"""Static files: fingerprinted names cached for a year, plain names briefly, compressed transfers."""

from __future__ import annotations

import re

from flask import Flask, url_for
from flask.testing import FlaskClient


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
