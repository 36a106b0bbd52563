"""Response headers that every page gets (OWASP ASVS V3, V14; SecureDrop's set).

Survey URLs carry the distribution token, so no page may leak its URL through a
Referer header, be cached, framed, or load anything from another origin.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask.wrappers import Response

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'; object-src 'none'"
)


def _set_headers(response: Response) -> Response:
    headers = response.headers
    headers["Content-Security-Policy"] = CSP
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
    if not response.cache_control.public:
        # Answers and tokens must not stay in a shared phone's cache.
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    # An ETag or Last-Modified that moves with each response can fingerprint a visit.
    headers.pop("ETag", None)
    headers.pop("Last-Modified", None)
    location = headers.get("Location")
    if location and location.startswith(request.host_url):
        # Werkzeug's own redirects (a doubled or missing slash) are absolute URLs
        # built from the Host header; a relative one cannot send a worker elsewhere.
        headers["Location"] = "/" + location[len(request.host_url) :]
    if current_app.config["HTTPS"]:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response


def init_app(app: Flask) -> None:
    app.after_request(_set_headers)
