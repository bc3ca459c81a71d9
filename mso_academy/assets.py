"""Static files with fingerprinted names, cached for a year, and compressed responses.

`url_for("static", filename="style.css")` yields ``/static/style.<hash>.css``: the name changes whenever the content
does, so browsers may keep it forever (``immutable``) and a weak connection fetches the stylesheet once. The plain
name still works (short cache) for anything that links to it directly. HTML, CSS and JSON are compressed with
Flask-Compress (brotli or gzip, as the browser accepts).
"""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, request
from flask_compress import Compress

compress = Compress()

ONE_YEAR = 365 * 24 * 3600


def _manifest(folder: Path) -> dict[str, str]:
    """Map every file under `folder` (POSIX relative path) to its fingerprinted name."""
    manifest: dict[str, str] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        stem, dot, suffix = relative.rpartition(".")
        manifest[relative] = f"{stem}.{digest}.{suffix}" if dot else f"{relative}.{digest}"
    return manifest


def init_app(app: Flask) -> None:
    app.config.setdefault(
        "COMPRESS_MIMETYPES",
        [
            "text/html",
            "text/css",
            "text/plain",
            "application/json",
            "image/svg+xml",
            "application/javascript",
            "text/csv",
        ],
    )
    compress.init_app(app)

    # Registered after Flask-Compress, so it runs before it (after_request runs in reverse): a file streamed by
    # send_file (a plugin's static folder) is read and its file closed here, instead of being read by the
    # compressor and closed only when the server gets round to closing the response.
    compressible = set(app.config["COMPRESS_MIMETYPES"])

    @app.after_request
    def _materialise(response: Response) -> Response:
        if response.direct_passthrough and response.mimetype in compressible:
            stream = response.response
            data = b"".join(stream)  # type: ignore[arg-type]
            close = getattr(stream, "close", None)
            if close is not None:
                close()
            response.direct_passthrough = False
            response.set_data(data)
        return response

    folder = Path(app.static_folder or "")
    if not folder.is_dir():
        return
    manifest = _manifest(folder)
    originals = {hashed: original for original, hashed in manifest.items()}

    @app.url_defaults
    def fingerprint(endpoint: str | None, values: dict[str, Any]) -> None:
        if endpoint == "static" and values.get("filename") in manifest:
            values["filename"] = manifest[values["filename"]]

    def static(filename: str) -> Response:
        # Served from memory rather than as a file stream: Flask-Compress compresses the bytes, and only names in
        # the manifest (read at start) are served, so no request can reach outside the folder.
        original = originals.get(filename)
        name = original or filename
        if name not in manifest:
            abort(404)
        mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        response = Response((folder / name).read_bytes(), mimetype=mimetype)
        response.set_etag(manifest[name])
        response.cache_control.public = True
        response.cache_control.max_age = ONE_YEAR if original else 300
        response.cache_control.immutable = bool(original)
        return response.make_conditional(request)

    app.view_functions["static"] = static
