"""The plugin's stylesheet, read once and served from memory (no open file per request); its hash busts caches."""

from __future__ import annotations

import hashlib
from pathlib import Path

STYLESHEET = Path(__file__).with_name("static").joinpath("foerderantraege.css").read_bytes()
STYLESHEET_VERSION = hashlib.sha256(STYLESHEET).hexdigest()[:12]
