"""The axe helper of the browser tests fails loudly, with what to do, when axe-core is not installed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import axe


def test_missing_axe_core_fails_and_says_to_run_make_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(axe, "AXE_JS", tmp_path / "node_modules" / "axe-core" / "axe.min.js")
    axe.axe_source.cache_clear()
    try:
        with pytest.raises(pytest.fail.Exception, match=r"Run `make install` \(it runs `npm ci`\)"):
            axe.axe_source()
    finally:
        axe.axe_source.cache_clear()


def test_violations_are_listed_with_rule_target_and_help() -> None:
    text = axe.format_violations(
        [
            {
                "id": "color-contrast",
                "impact": "serious",
                "help": "Elements must meet minimum color contrast ratio thresholds",
                "helpUrl": "https://dequeuniversity.com/rules/axe/4.14/color-contrast",
                "nodes": [{"target": ".meta", "html": '<p class="meta">', "summary": "Fix any of the following:\n x"}],
            }
        ]
    )
    assert "- color-contrast (serious): Elements must meet minimum color contrast" in text
    assert 'at .meta: <p class="meta">' in text and "Fix any of the following: x" in text
