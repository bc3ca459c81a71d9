"""The shared form macros: errors are announced (an alert summary, focused on load, "Error:" in the title) and
tied to their fields (aria-invalid, aria-describedby naming the hint and the error)."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient


def test_registration_errors_are_linked_to_their_fields(client: FlaskClient) -> None:
    response = client.post("/account/register", data={"name": "", "email": "nope", "password": "", "language": "de"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r"<title>Error: Create an account", html)
    summary = re.search(r'<div class="error-summary" role="alert" tabindex="-1" autofocus[^>]*>(.*?)</div>', html, re.S)
    assert summary, html
    assert '<a href="#name">Name: This field is required.</a>' in summary[1]
    assert '<a href="#email">E-mail address: Invalid email address.</a>' in summary[1]
    assert 'aria-describedby="name-error" aria-invalid="true"' in html
    assert re.search(
        r'<input aria-describedby="password-hint password-error" aria-invalid="true"[^>]* id="password"', html
    )
    assert '<ul class="errors" id="email-error"><li><span class="visually-hidden">Error: </span>Invalid email' in html


def test_a_form_without_errors_has_no_summary_and_no_invalid_fields(client: FlaskClient) -> None:
    html = client.get("/account/register").get_data(as_text=True)
    assert "error-summary" not in html and "aria-invalid" not in html and "<title>Error" not in html
    assert 'aria-describedby="password-hint"' in html


def test_form_level_errors_are_listed_without_a_link(app: Flask) -> None:
    from flask import render_template_string
    from flask_wtf import FlaskForm

    with app.test_request_context():
        form = FlaskForm(meta={"csrf": False})
        form.form_errors.append("The course could not be saved.")
        html = render_template_string(
            '{% from "macros.html" import error_summary %}{{ error_summary(form) }}', form=form
        )
    assert "<li>The course could not be saved.</li>" in html and "<a href" not in html
