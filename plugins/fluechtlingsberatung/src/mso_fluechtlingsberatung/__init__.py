"""MSO Academy course type "refugee counselling" (Flüchtlingsberatung): case scenarios and a multilingual glossary.

Imports nothing from MSO Academy but its public plugin API. The plugin stores no data of its own: a learner's
path through a scenario is a core draft until handed in, then a core attempt; both are exported and deleted by
the core with the account. The glossary page shows the plugin's own glossary (data/glossar.yaml).
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, render_template, request

from mso_academy.plugins.api import (
    ActivityKind,
    CourseType,
    StaticBlueprint,
    certificate_lines,
    hookimpl,
    lazy_gettext,
    no_personal_data,
    package_dirs,
)

from .glossary import (
    REQUIRED_LANGUAGES,
    Glossary,
    direction,
    language_name,
    ordered_translations,
    standard_glossary,
)
from .scenario import CaseScenario

__version__ = "0.1.0"
HERE = Path(__file__).parent
COURSE_TYPE = "fluechtlingsberatung"

# The legal bases a course of this type covers, printed on its certificates (plain text, per course language).
LEGAL_BASES = {
    "de": [
        (
            "Rechtsgrundlagen (Stand 23.11.2026)",
            "§§ 2, 6 RDG (Grenzen unentgeltlicher Rechtsdienstleistung); AsylG, AufenthG und AsylbLG in der Fassung "
            "des GEAS-Anpassungsgesetzes; GEAS-Verordnungen (EU) 2024/1347, 2024/1348, 2024/1351, 2024/1356 und "
            "Richtlinie (EU) 2024/1346; Art. 5, 6, 9 DSGVO",
        )
    ],
    "en": [
        (
            "Legal bases (as of 22 Nov 2026)",
            "Sections 2 and 6 RDG (limits of unpaid legal services); AsylG, AufenthG and AsylbLG as amended by the "
            "GEAS adaptation act; CEAS Regulations (EU) 2024/1347, 2024/1348, 2024/1351, 2024/1356 and Directive "
            "(EU) 2024/1346; Articles 5, 6 and 9 GDPR",
        )
    ],
}


@hookimpl
def register_course_types() -> list[CourseType]:
    return [
        CourseType(
            slug=COURSE_TYPE,
            name=lazy_gettext("Refugee counselling"),
            description=lazy_gettext(
                "Accompany refugees well as a volunteer: the asylum procedure after the EU reform, plain words, "
                "data protection, and knowing when to refer to professional advice."
            ),
            icon="🧭",
        )
    ]


@hookimpl
def register_activity_kinds() -> list[ActivityKind]:
    return [CaseScenario(), Glossary()]


register_template_dirs, register_translation_dirs = package_dirs(HERE)
# Nothing to export or delete: the plugin keeps no tables; paths are the core's drafts and attempts (in its export).
export_user_data, delete_user_data = no_personal_data()
# The legal bases covered, on every certificate of a refugee-counselling course.
certificate_contributions = certificate_lines(COURSE_TYPE, LEGAL_BASES)

# The stylesheet (no inline styles under the site's CSP) at /plugins/fluechtlingsberatung/fluechtlingsberatung.css,
# and the glossary page, which anyone may read (general information about the procedure, no personal data).
blueprint = StaticBlueprint(COURSE_TYPE, __name__, url_prefix="/plugins/fluechtlingsberatung")


@blueprint.get("/glossar", endpoint="glossary")
def glossary_page() -> str:
    """All terms of the plugin's glossary; ``?sprache=fa`` shows one language beside the German."""
    terms = sorted(standard_glossary().values(), key=lambda t: t["term"].casefold())
    chosen = request.args.get("sprache", "")
    if chosen not in REQUIRED_LANGUAGES:
        chosen = ""
    return render_template(
        "fluechtlingsberatung/glossary_page.html",
        terms=terms,
        chosen=chosen,
        languages=[(code, language_name(code)) for code in REQUIRED_LANGUAGES],
        direction=direction,
        language_name=language_name,
        ordered_translations=ordered_translations,
    )


@hookimpl
def register_blueprints() -> list[Blueprint]:
    return [blueprint]
