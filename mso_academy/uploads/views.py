"""Handing out uploaded files: only to their owner and the trainers of their course, always as a download."""

from __future__ import annotations

from flask import Blueprint, send_file
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mso_academy.db import get_session
from mso_academy.uploads import services

bp = Blueprint("uploads", __name__)


@bp.get("/uploads/<int:upload_id>")
@login_required
def download(upload_id: int) -> Response:
    upload, path = services.open_for(get_session(), current_user, upload_id)
    response = send_file(
        path,
        mimetype=upload.content_type,
        as_attachment=True,
        download_name=upload.original_name,
        max_age=0,
        etag=False,
        conditional=False,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response
