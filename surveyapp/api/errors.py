"""Every error under ``/api/`` is JSON: ``{"error": {"status": 404, "message": "..."}}``.

The app's error handlers (surveyapp/errors.py) draw HTML pages in the person's
language; a script wants JSON with the right status. Routing errors (an unknown
path, a POST) are handled by the app, not by a blueprint, so :func:`init_app` wraps
each of the app's handlers: under ``/api/`` the wrapper answers in JSON, everywhere
else the page handler runs as before. Nothing from the request is echoed back.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, jsonify, request
from flask.globals import request_ctx
from flask.typing import ResponseReturnValue
from flask.wrappers import Response
from werkzeug.exceptions import HTTPException

from ..errors import RETRY_AFTER, database_unavailable, rollback_quietly

log = logging.getLogger(__name__)

PREFIX = "/api/"

#: The message of each status, unless the view gave a more precise one.
MESSAGES = {
    400: "The request is not one this API understands.",
    401: "Send a valid API token in the Authorization header: Bearer TOKEN.",
    404: "There is nothing at this address, or it is not available to this token.",
    405: "This API is read only: use GET.",
    409: "This is not available while the round is in its present state.",
    413: "This API takes no request body.",
    415: "This API takes no request body.",
    429: "Too many requests with this token. Wait a minute and try again.",
    500: "Something went wrong on our side. Please try again later.",
    503: "The service is busy for a moment. Please try again in a minute.",
}


class ApiError(HTTPException):
    """An error with a message written for the caller (raised by the API's views)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(description=message)
        self.code = status


def is_api_request() -> bool:
    return request.path.startswith(PREFIX) or request.path == PREFIX.rstrip("/")


def json_error(
    status: int, message: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    response = jsonify(
        {"error": {"status": status, "message": message or MESSAGES.get(status, MESSAGES[400])}}
    )
    response.status_code = status
    if status == 401:
        # RFC 6750: the scheme the caller should use (and, with a token, that it failed).
        invalid = "Authorization" in request.headers
        response.headers["WWW-Authenticate"] = 'Bearer realm="surveyapp"' + (
            ', error="invalid_token"' if invalid else ""
        )
    response.headers.update(headers or {})
    return response


def _for_api(error: Exception) -> Response:
    routing = request.routing_exception
    if isinstance(routing, HTTPException) and (routing.code or 0) >= 400:
        # The path or method matched no route: that is the answer, whatever a hook
        # (the cross-site form check, say) raised afterwards.
        error = routing
    if isinstance(error, HTTPException):
        status = error.code or 500
        headers = {}
        if status == 405:
            headers = {k: v for k, v in error.get_headers() if k.lower() == "allow"}
        if status == 429:
            headers = {"Retry-After": "60"}
        if isinstance(error, ApiError):
            return json_error(status, error.description, headers)
        return json_error(status if status in MESSAGES else 400, None, headers)
    if database_unavailable(error):
        rollback_quietly()
        return json_error(503, None, {"Retry-After": RETRY_AFTER})
    # The type and traceback for operators; the caller gets neither.
    log.exception("unhandled API error: %s", type(error).__name__)
    return json_error(500)


def _wrap(page_handler: Callable[[Any], Any] | None) -> Callable[..., Any]:
    def handler(error: Exception) -> ResponseReturnValue:
        if request_ctx.url_adapter is not None and is_api_request():
            return _for_api(error)
        if page_handler is None:
            raise error
        return page_handler(error)

    return functools.wraps(page_handler)(handler) if page_handler else handler


def init_app(app: Flask) -> None:
    """Wrap every app-level error handler registered so far (call after errors.init_app)."""
    handlers = app.error_handler_spec[None]
    for by_class in handlers.values():
        for exception, page_handler in list(by_class.items()):
            by_class[exception] = _wrap(page_handler)
    for exception in (HTTPException, Exception):
        if exception not in handlers[None]:
            app.register_error_handler(exception, _wrap(None))
