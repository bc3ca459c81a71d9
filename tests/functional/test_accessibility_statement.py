"""The accessibility statement (BITV 2.0, § 12b BGG): reachable from every page, with the parts the law asks for."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient


def _links_to_statement(html: str) -> bool:
    return re.search(r'<footer[^>]*>.*href="/accessibility".*</footer>', html, re.S) is not None


def test_statement_has_status_limitations_date_contact_and_enforcement(client: FlaskClient) -> None:
    response = client.get("/accessibility")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Accessibility statement</h1>" in html
    assert 'lang="de"' in html and "Erklärung zur Barrierefreiheit" in html  # the legal name, marked as German
    assert "partially compliant with BITV 2.0" in html
    assert "What is not accessible yet" in html and "not tagged PDF documents" in html
    assert "last reviewed on November 22, 2026" in html
    # No contact configured: the operator's sending address from MAIL_FROM.
    assert 'href="mailto:no-reply@mso-academy.invalid"' in html
    assert 'href="https://www.schlichtungsstelle-bgg.de"' in html and "Schlichtungsstelle nach § 16 BGG" in html


class TestConfigured:
    @pytest.fixture
    def app_config(self) -> dict[str, Any]:
        return {
            "ACCESSIBILITY_CONTACT": "barrierefreiheit@verein.example",
            "ACCESSIBILITY_STATEMENT_DATE": "2027-03-01",
            "ISSUER_NAME": "Dachverband der MSO e.V.",
            "ISSUER_ADDRESS": "Musterweg 1\n40210 Düsseldorf",
        }

    def test_contact_date_and_operator_come_from_the_configuration(self, client: FlaskClient) -> None:
        html = client.get("/accessibility").get_data(as_text=True)
        assert 'href="mailto:barrierefreiheit@verein.example"' in html
        assert "no-reply@" not in html
        assert "last reviewed on March 1, 2027" in html
        assert "Dachverband der MSO e.V.<br>Musterweg 1<br>40210 Düsseldorf" in html


@pytest.mark.parametrize("path", ["/", "/courses/", "/account/login", "/accessibility", "/no-such-page"])
def test_every_page_links_the_statement_in_its_footer(client: FlaskClient, path: str) -> None:
    assert _links_to_statement(client.get(path).get_data(as_text=True))
