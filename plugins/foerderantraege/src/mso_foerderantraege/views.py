"""The plugin's own pages: its stylesheet and the PDF of an application draft.

The PDF is made from the posted form (the same fields as the application form, plus the call's title and the
category labels as hidden fields), so it needs no stored data and shows exactly what the learner sees.
"""

from __future__ import annotations

from flask import Response, request
from flask_login import login_required

from mso_academy.plugins.api import AnswerError, StaticBlueprint

from .form import read_draft
from .pdf import application_pdf

#: Also serves the stylesheet from ``static/`` (``/foerderantraege/foerderantraege.css?v=<hash>``).
bp = StaticBlueprint("foerderantraege", __name__, url_prefix="/foerderantraege")


@bp.post("/antrag.pdf")
@login_required
def draft_pdf() -> Response:
    try:
        values = read_draft(request.form)
    except AnswerError as exc:
        return Response(str(exc), status=400, mimetype="text/plain")
    labels = {k[10:]: v for k, v in request.form.items() if k.startswith("cat-label-") and isinstance(v, str)}
    data = application_pdf(values, str(request.form.get("call-title", ""))[:200], labels)
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="foerderantrag-entwurf.pdf"'},
    )
