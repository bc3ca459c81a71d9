"""Flask extensions, created unbound and bound in `create_app`."""

from __future__ import annotations

from functools import cache, cached_property

from babel.support import Translations
from flask import Flask, Request, current_app, has_request_context, request, session
from flask_babel import Babel, Domain, get_locale
from flask_login import LoginManager, current_user
from flask_wtf import CSRFProtect
from wtforms.i18n import messages_path


class AppDomain(Domain):
    """The default gettext domain, with its catalogue cache kept per app.

    Flask-Babel caches loaded catalogues on the (module-global) domain by locale only; two apps with different
    plugin catalogues (tests make many apps) would otherwise share whichever catalogue loaded first.
    """

    def get_translations_cache(self, ctx: object) -> dict[object, object]:
        return current_app.extensions.setdefault("mso_academy_translations_cache", {})


@cache
def _wtforms_catalogue(locale: str) -> Translations:
    return Translations.load(messages_path(), [locale], domain="wtforms")


class AppRequest(Request):
    """Flask-WTF loads WTForms' own catalogue (its built-in error messages) from disk on every request that renders
    a form, unless the request already carries it in `wtforms_translations`: one parsed catalogue per locale."""

    @cached_property
    def wtforms_translations(self) -> Translations:
        return _wtforms_catalogue(str(get_locale()))


login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
babel.__dict__["domain_instance"] = AppDomain()  # replaces Babel's cached_property, see AppDomain


def select_locale() -> str:
    """The signed-in user's preferred language, else the one chosen in the switcher, else the browser's best
    match, else German."""
    languages: list[str] = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.preferred_language in languages:
        return current_user.preferred_language
    if session.get("language") in languages:
        return session["language"]
    chosen = request.accept_languages.best_match(languages)
    return chosen or current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    app.request_class = AppRequest
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(app.root_path) + "/translations",
    )
