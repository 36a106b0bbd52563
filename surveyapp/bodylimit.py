"""Refuse over-long request bodies that arrive without a Content-Length.

Werkzeug enforces MAX_CONTENT_LENGTH on a chunked body by silently cutting it at
the limit (werkzeug #1096 and its fix), so a hostile client could have the first
64 KB of a larger form processed. This middleware reads such a body up to the
limit itself and answers 413 if there is more; bodies with a Content-Length are
left to Flask, which refuses them before reading.

It also keeps a copy of small URL-encoded bodies in ``environ["surveyapp.raw_body"]``
so a view can tell invalid UTF-8 from text that merely looks like "%FF" (Werkzeug
decodes form fields leniently).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class BodyLimit:
    def __init__(self, app: WSGIApp, limit: Callable[[], int | None]) -> None:
        self.app = app
        self.limit = limit

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        limit = self.limit()
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if limit is not None and chunked and environ.get("wsgi.input_terminated"):
            body = environ["wsgi.input"].read(limit + 1)
            # Over the limit: pass on no body but a length over it, so Flask answers
            # with its own 413 page before reading anything.
            environ["wsgi.input"] = io.BytesIO(body if len(body) <= limit else b"")
            environ["CONTENT_LENGTH"] = str(len(body))
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            environ.pop("wsgi.input_terminated", None)
        if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
            self._keep_raw_body(environ, limit)
        return self.app(environ, start_response)

    @staticmethod
    def _keep_raw_body(environ: dict[str, Any], limit: int | None) -> None:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return
        if length <= 0 or (limit is not None and length > limit):
            return  # Flask answers 413 (or sees an empty body) without our help
        body = environ["wsgi.input"].read(length)
        environ["surveyapp.raw_body"] = body
        environ["wsgi.input"] = io.BytesIO(body)
