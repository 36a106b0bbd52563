"""The stylesheet, minified once when the app starts and served from memory.

``static/survey.css`` stays the readable source. Each survey page counts its HTML
plus this stylesheet against a 15 KB budget (weak connections, cheap phones), so
the copy that is served has its comments and spare whitespace taken out. Nothing
is done per request: the bytes are made here, once.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from flask import Flask, Response, current_app, url_for

SOURCE = Path(__file__).parent / "static" / "survey.css"
ENDPOINT = "survey_css"

_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_SPACE = re.compile(r"\s+")
# Spaces around these are never needed. Not "+", "-" or "*": calc() needs the
# spaces around them. Not before ":" either: ".choice :checked" (a descendant that
# is checked) is not ".choice:checked".
_AROUND = re.compile(r"\s*([{};,])\s*")
_AFTER_COLON = re.compile(r":\s+")


def minify_css(text: str) -> str:
    """Comments and spare whitespace out; the rules themselves unchanged.

    Quoted strings in our stylesheet are empty (``content: ""``) or font names with
    single spaces, which this keeps as they are.
    """
    text = _COMMENT.sub("", text)
    text = _SPACE.sub(" ", text)
    text = _AROUND.sub(r"\1", text)
    text = _AFTER_COLON.sub(":", text)
    # "@media (a) and (b)" keeps its spaces; ":" in "(max-width:15rem)" needs none.
    text = text.replace(";}", "}")
    return text.strip()


def init_app(app: Flask) -> None:
    body = minify_css(SOURCE.read_text("utf-8")).encode("utf-8")
    version = hashlib.sha256(body).hexdigest()[:10]

    def survey_css() -> Response:
        response = Response(body, mimetype="text/css")
        # The same caching as Flask's static files (public; security.py keeps it).
        response.cache_control.public = True
        response.cache_control.max_age = current_app.config["SEND_FILE_MAX_AGE_DEFAULT"] or 0
        return response

    app.add_url_rule("/static/survey.min.css", ENDPOINT, survey_css, methods=["GET"])

    @app.context_processor
    def _stylesheet() -> dict[str, object]:
        # ?v= changes whenever the stylesheet does, so a cached old copy is never used.
        return {"stylesheet_url": lambda: url_for(ENDPOINT, v=version)}
