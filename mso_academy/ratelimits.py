"""Rate limits, declared in one place: endpoint → the config key holding its limit (e.g. "60 per minute").

Endpoints that name the same key share one budget per client (the page and its JSON twin, say).

One `Limiter` per app (no module globals); storage is memory on one machine, Redis when MSO_ACADEMY_REDIS_URL
is set, so limits count across several app servers.
"""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

EXTENSION_KEY = "mso_academy.limiter"

LIMITS: dict[str, str] = {
    "certificates.verify": "VERIFY_RATE_LIMIT",
    "certificates.verify_json": "VERIFY_RATE_LIMIT",
}


def init_app(app: Flask) -> Limiter:
    """Call after the blueprints are registered: wraps the listed views with their limits."""
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=app.config.get("REDIS_URL") or "memory://",
        enabled=app.config["RATELIMIT_ENABLED"],
        headers_enabled=True,
        default_limits=[],
    )
    for endpoint, key in LIMITS.items():
        view = app.view_functions[endpoint]
        app.view_functions[endpoint] = limiter.shared_limit(lambda key=key: app.config[key], scope=key)(view)
    app.extensions[EXTENSION_KEY] = limiter
    return limiter


def limiter(app: Flask) -> Limiter:
    return app.extensions[EXTENSION_KEY]
