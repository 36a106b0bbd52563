"""Language choice: ``?lang=`` wins, then the ``lang`` cookie, then Accept-Language.

Every interface string goes through Flask-Babel; instrument text comes from the
instrument file. A new language is a catalog in ``translations/`` plus its text in
each instrument, with no code change.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from flask import Flask, current_app, g, request
from flask.wrappers import Response
from flask_babel import Babel, get_locale, get_translations
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

LANG_COOKIE = "lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600


@cache
def _catalog_languages(translations: str) -> tuple[str, ...]:
    found = sorted(
        path.parent.parent.name for path in Path(translations).glob("*/LC_MESSAGES/messages.po")
    )
    return tuple(found)


def supported_languages() -> tuple[str, ...]:
    """The default language first, then every language that has a catalog."""
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    others = _catalog_languages(current_app.config["BABEL_TRANSLATION_DIRECTORIES"])
    return (default, *[lang for lang in others if lang != default])


@cache
def language_name(code: str) -> str:
    """A language named in itself ("English", "Español")."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def lang_cookie_name() -> str:
    # Over HTTPS, __Host-: only this host, over HTTPS, for the whole site, can set it.
    return f"__Host-{LANG_COOKIE}" if current_app.config["HTTPS"] else LANG_COOKIE


def select_locale() -> str:
    languages = supported_languages()
    asked = request.args.get("lang", "")
    if asked in languages:
        g.set_lang_cookie = asked
        return asked
    cookie = request.cookies.get(lang_cookie_name(), "")
    if cookie in languages:
        return cookie
    return request.accept_languages.best_match(languages) or languages[0]


def _remember_language(response: Response) -> Response:
    lang = g.pop("set_lang_cookie", None)
    if lang:
        response.set_cookie(
            lang_cookie_name(),
            lang,
            max_age=LANG_COOKIE_MAX_AGE,
            secure=current_app.config["HTTPS"],
            httponly=True,
            samesite="Lax",
        )
    return response


def init_app(app: Flask, babel: Babel) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.after_request(_remember_language)

    @app.context_processor
    def language_context() -> dict[str, object]:
        current = str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"])
        translations = get_translations()
        return {
            "current_lang": current,
            "other_languages": [
                (code, language_name(code)) for code in supported_languages() if code != current
            ],
            # The page's own translations, looked up once: Flask-Babel's template
            # gettext finds the request's locale and catalog again for every string.
            "gettext": _template_gettext(translations),
            "ngettext": _template_ngettext(translations),
        }


def _template_gettext(translations: Any) -> Callable[..., str]:
    """Jinja's "newstyle" gettext (``_("...%(name)s", name=x)``) over one catalog."""

    @pass_context
    def gettext(context: Context, string: str, /, **variables: Any) -> str:
        text = translations.ugettext(string)
        if context.eval_ctx.autoescape:
            # Our own catalog, as in Jinja's own i18n: the variables are escaped by %.
            text = Markup(text)  # noqa: S704
        # Always a format string, as in Jinja ("%%" means "%"), with or without variables.
        return text % variables

    return gettext


def _template_ngettext(translations: Any) -> Callable[..., str]:
    @pass_context
    def ngettext(
        context: Context, singular: str, plural: str, num: int, /, **variables: Any
    ) -> str:
        variables.setdefault("num", num)
        text = translations.ungettext(singular, plural, num)
        if context.eval_ctx.autoescape:
            text = Markup(text)  # noqa: S704 - as in gettext above
        return text % variables

    return ngettext
