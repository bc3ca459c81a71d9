"""Markdown written by people is sanitised: images and links stay, scripts never do."""

from mso_academy.markdown import render_markdown, render_markdown_inline


def test_images_links_and_tables_survive():
    html = render_markdown(
        "# T\n\n![Logo](https://example.org/l.png)\n\n[Mehr](https://example.org)\n\n|a|b|\n|-|-|\n|1|2|"
    )
    assert '<img src="https://example.org/l.png" alt="Logo">' in html
    assert 'href="https://example.org"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert "<table>" in html


def test_scripts_event_handlers_and_dangerous_links_are_removed():
    source = (
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[click](javascript:alert(1))\n\n"
        "[data](data:text/html;base64,PHNjcmlwdD4=)\n\n<svg onload=alert(1)></svg>"
    )
    html = render_markdown(source)
    assert "<script" not in html and "onerror" not in html.replace("onerror=alert(1)&gt;", "")
    assert "javascript:" not in html.replace("](javascript:", "")
    assert 'href="javascript' not in html and 'href="data:' not in html
    assert "<svg" not in html


def test_inline_markdown_has_no_block_elements():
    assert str(render_markdown_inline("Was ist **§ 56 BGB**?")) == "Was ist <strong>§ 56 BGB</strong>?"
    assert "<p>" not in render_markdown_inline("a\n\nb")


def test_each_table_scrolls_in_its_own_named_focusable_region():
    html = str(render_markdown("|a|b|\n|-|-|\n|1|2|\n\ntext\n\n|c|\n|-|\n|3|"))
    assert html.count('<div class="table-wrap" role="region" tabindex="0" aria-label="Table 1"><table>') == 1
    assert html.count('aria-label="Table 2"><table>') == 1
    assert html.count("</table></div>") == 2
    # Raw HTML cannot forge the wrapper: it is escaped, and only sanitised <table> elements are wrapped.
    forged = str(render_markdown('<div role="region" tabindex="0"><table onclick="x"></table></div>'))
    assert "<div" not in forged and "<table" not in forged and "&lt;table onclick" in forged
