"""axe-core in the browser tests: `assert_accessible(page)` fails with every WCAG 2.0/2.1 A/AA problem axe finds;
`assert_fits(page, where)` fails when the page scrolls sideways (in either direction, for right-to-left pages).

axe-core comes from npm (package.json, pinned by package-lock.json; `make install` runs `npm ci`). The script is
evaluated through the DevTools protocol (`page.evaluate`), which a Content-Security-Policy without 'unsafe-inline'
does not block, so the pages are checked exactly as they are served.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# WCAG 2.0 and 2.1, levels A and AA (what BITV 2.0 asks for through EN 301 549), plus axe's best practices
# (landmarks, heading order, one main, unique landmark names …).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html.slice(0, 200), summary: n.failureSummary})),
  }));
}"""


@cache
def axe_source() -> str:
    """The axe-core script; a missing install fails the test with what to do (never a silent skip)."""
    if not AXE_JS.is_file():
        pytest.fail(
            f"axe-core is not installed ({AXE_JS} is missing). Run `make install` (it runs `npm ci`), "
            "then run the browser tests again.",
            pytrace=False,
        )
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe's violations on the page as it is now (the script is injected once per document)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    return page.evaluate(_RUN, TAGS)


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"][:8]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    at {node['target']}: {node['html']}\n      {summary[:400]}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    … and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


def assert_accessible(page: Page, where: str = "") -> None:
    """Zero axe violations on the current page; the message lists each rule, where it failed and how to fix it."""
    violations = axe_violations(page)
    assert not violations, (
        f"{len(violations)} accessibility rule(s) violated on {where or page.url} ({page.url}):\n"
        + format_violations(violations)
    )


_OVERFLOW = """() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  return {
    scroll: root.scrollWidth, client: width,
    tooWide: [...document.querySelectorAll("body *")]
      .filter(e => { const r = e.getBoundingClientRect(); return r.width && (r.right > width + 0.5 || r.left < -0.5); })
      .slice(0, 6)
      .map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
                (typeof e.className === "string" && e.className ? "." + e.className.trim().replace(/ +/g, ".") : "")),
  };
}"""


def assert_fits(page: Page, where: str) -> None:
    """No sideways scrolling: the document is no wider than the window."""
    widths = page.evaluate(_OVERFLOW)
    assert widths["scroll"] <= widths["client"], (
        f"{where} scrolls sideways at {widths['client']} px: the content is {widths['scroll']} px wide; "
        f"sticking out: {widths['tooWide']}"
    )
