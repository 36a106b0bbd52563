"""The briefs' words: the pages' own gettext strings, read the way templates read them.

A brief says what the results pages say, in the same words, so it reuses their
catalog entries. Templates treat every string as a format string ("95%% interval"
prints "95% interval", with or without variables); Flask-Babel's Python ``gettext``
formats only when given variables. :func:`_` follows the templates, so one msgid
reads the same on a page and in a PDF. It is named ``_`` so that ``pybabel
extract`` finds the strings written here.

Everything here needs Flask-Babel's locale: a request's, or one forced with
``flask_babel.force_locale`` inside an app context (the command line does that).
"""

from __future__ import annotations

from flask_babel import get_locale, gettext

#: Languages whose PDF /Lang names a region: US partnerships write US English.
PDF_LANG = {"en": "en-US"}


def _(string: str, **variables: object) -> str:
    """``string`` in the current language, always formatted (``%%`` is ``%``)."""
    return gettext(string) % variables


def not_enough() -> str:
    """What every hidden or missing figure reads (anonymity rule 8)."""
    return _("not enough responses")


def sentence(text: str) -> str:
    """``text`` with a capital first letter and a full stop, for a figure on its own."""
    return f"{text[:1].upper()}{text[1:]}."


def language() -> str:
    """The current language's code ("en", "es")."""
    return str(get_locale() or "en")


def pdf_lang() -> str:
    """The current language as the PDF's /Lang tag."""
    code = language()
    return PDF_LANG.get(code, code)
