"""Bar charts as accessible SVG, drawn on the server (no JavaScript).

Each chart is an image with a title and a description (`role="img"`, `aria-labelledby`); every bar carries its
name and its figure as text, so nothing depends on colour. A withheld figure is drawn as a short hatched bar
labelled "< 5", never at its true length. The page shows the same figures in a table next to the chart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flask_babel import format_number
from flask_babel import gettext as _
from markupsafe import Markup, escape

from mso_academy.reports import labels, services
from mso_academy.reports.labels import WITHHELD
from mso_academy.reports.services import AreaRow, Shown, Table

WIDTH = 400  # about the width it is shown at, so that its text is as large as the page's
LABEL_HEIGHT = 20  # the category's name above its bar
BAR_HEIGHT = 20
GAP = 12
VALUE_SPACE = 70  # room after the longest bar for its figure
WITHHELD_WIDTH = 28  # a withheld bar's fixed length: short, and the same whatever the hidden value
MAX_LABEL = 44  # characters of a category's name in the chart (the table has it in full)

BAR_FILL = "#0b5cad"  # contrast with white 6.6:1
INK = "#1b1f24"
HATCH = "#555d66"


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def bar_chart(
    chart_id: str, title: str, items: Sequence[tuple[str, Shown]], value_format: Callable[[int], str] | None = None
) -> Markup:
    """A horizontal bar chart of `items` (name, figure); `chart_id` must be unique on the page."""
    shown = [s.value for _name, s in items if s.value is not None]
    largest = max(shown, default=0) or 1
    scale = (WIDTH - VALUE_SPACE) / largest
    row = LABEL_HEIGHT + BAR_HEIGHT + GAP
    height = max(row * len(items), row)
    withheld = any(s.withheld for _name, s in items)
    description = _("Horizontal bar chart, one bar per row of the table next to it, with the same figures.")
    if withheld:
        description += " " + _(
            "Figures shown as “%(marker)s” are withheld to protect small groups; "
            "their bars are hatched and not drawn to scale.",
            marker=WITHHELD,
        )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {WIDTH} {height}" width="100%" '
        'font-family="system-ui, sans-serif" font-size="15">',  # sized by svg.chart in style.css (CSP)
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<defs><pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{HATCH}" stroke-width="3"/></pattern></defs>',
    ]
    for index, (name, figure) in enumerate(items):
        top = index * row
        bar_top = top + LABEL_HEIGHT + 2
        parts.append("<g>")
        parts.append(f'<text x="0" y="{top + LABEL_HEIGHT - 4}" fill="{INK}">{escape(_shorten(name))}</text>')
        if figure.value is None:
            parts.append(
                f'<rect x="0" y="{bar_top}" width="{WITHHELD_WIDTH}" height="{BAR_HEIGHT}" '
                f'fill="url(#{chart_id}-hatch)" stroke="{INK}" stroke-width="1"/>'
            )
            label, end = WITHHELD, WITHHELD_WIDTH
        else:
            end = round(figure.value * scale, 1)
            if figure.value:
                parts.append(f'<rect x="0" y="{bar_top}" width="{end}" height="{BAR_HEIGHT}" fill="{BAR_FILL}"/>')
            label = value_format(figure.value) if value_format else str(figure.value)
        parts.append(
            f'<text x="{end + 6}" y="{bar_top + BAR_HEIGHT - 5}" fill="{INK}" font-weight="600" '
            f'direction="ltr">{escape(label)}</text>'
        )
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


def _titles() -> dict[str, tuple[str, str]]:
    """The tables that get a chart: which figure it shows, and its title."""
    return {
        services.COURSE_TYPE: (services.PARTICIPANTS, _("Participants per course type")),
        services.MONTH: (services.ENROLMENTS, _("Enrolments per month")),
        services.MUNICIPALITY: (services.PARTICIPANTS, _("Participants per municipality")),
        services.LANGUAGE: (services.PARTICIPANTS, _("Participants per course language")),
    }


def table_chart(table: Table) -> Markup | None:
    """The chart of a table of the report, or None (the per-course table is too long for one)."""
    chosen = _titles().get(table.dimension)
    if chosen is None or not table.rows:
        return None
    measure, title = chosen
    items = [(labels.category(table.dimension, row), row.figure(measure)) for row in table.rows]
    return bar_chart(f"chart-{table.dimension}", title, items, format_number)


def areas_chart(areas: Sequence[AreaRow]) -> Markup | None:
    if not areas:
        return None
    items = [(labels.course_type(a.area), a.qualified) for a in areas]
    return bar_chart("chart-areas", _("Organisations qualified per area"), items, format_number)
