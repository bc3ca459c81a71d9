"""MSO Academy: learning for the volunteers of migrant self-organisations."""

from __future__ import annotations

import logging
import os
from typing import Any

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader

__all__ = ["create_app"]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The only way an app is made: configuration, database, extensions, plugins, blueprints."""
    from mso_academy import assets, db, extensions, logsafety, querycount, ratelimits, security, templating
    from mso_academy import config as config_module
    from mso_academy.accounts.privacy_views import bp as privacy_bp
    from mso_academy.accounts.twofactor_views import bp as two_factor_bp
    from mso_academy.accounts.views import bp as accounts_bp
    from mso_academy.admin.views import bp as admin_bp
    from mso_academy.api import views as api_views
    from mso_academy.api.token_views import bp as api_tokens_bp
    from mso_academy.authoring.views import bp as authoring_bp
    from mso_academy.catalog.views import bp as catalog_bp
    from mso_academy.certificates.views import bp as certificates_bp
    from mso_academy.cli import CORE_COMMANDS
    from mso_academy.core.views import bp as core_bp
    from mso_academy.core.views import register_error_handlers
    from mso_academy.learning.views import bp as learning_bp
    from mso_academy.mail.views import bp as mail_bp
    from mso_academy.organisations.views import bp as organisations_bp
    from mso_academy.plugins import manager
    from mso_academy.qualification.views import bp as qualification_bp
    from mso_academy.reports.views import bp as reports_bp
    from mso_academy.reviews.views import bp as reviews_bp
    from mso_academy.teaching.views import bp as teaching_bp
    from mso_academy.uploads.views import bp as uploads_bp

    instance_path = (config or {}).get("INSTANCE_PATH") or os.environ.get("MSO_ACADEMY_INSTANCE_PATH")
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    config_module.load(app, config)
    security.init_app(app)  # refuses an unsafe production configuration; security headers
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("fontTools").setLevel(logging.WARNING)  # font subsetting for PDFs is chatty
    logsafety.install()  # no tokens from signed links in the request log

    db.init_app(app)
    querycount.init_app(app)
    extensions.init_app(app)
    assets.init_app(app)
    core_blueprints = (
        core_bp,
        catalog_bp,
        accounts_bp,
        two_factor_bp,
        privacy_bp,
        learning_bp,
        certificates_bp,
        admin_bp,
        authoring_bp,
        teaching_bp,
        uploads_bp,
        reviews_bp,
        organisations_bp,
        qualification_bp,
        reports_bp,
        mail_bp,
        api_views.bp,
        api_tokens_bp,
    )
    plugin_manager = manager.init_app(
        app,
        core_blueprints=[bp.name for bp in core_blueprints],
        core_commands=[*CORE_COMMANDS, "run", "shell", "routes"],
    )
    app.jinja_loader = ChoiceLoader(
        [app.jinja_loader, *(FileSystemLoader(str(path)) for path in plugin_manager.template_dirs)]
    )
    # Flask-Babel merges the catalogues in order, a later one overriding a msgid: plugins first, the core last.
    babel_config = app.extensions["babel"]
    babel_config.translation_directories = [
        *(str(path) for path in plugin_manager.translation_dirs),
        *babel_config.translation_directories,
    ]
    templating.init_app(app)

    for blueprint in (*core_blueprints, *plugin_manager.blueprints):
        app.register_blueprint(blueprint)
    register_error_handlers(app)
    api_views.init_app(app)
    ratelimits.init_app(app)

    from mso_academy.cli import register_commands

    register_commands(app, plugin_manager)
    return app
