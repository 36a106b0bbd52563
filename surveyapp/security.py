"""Response headers that every page gets (OWASP ASVS V3, V14; SecureDrop's set).

Survey URLs carry the distribution token, so no page may leak its URL through a
Referer header, be cached, framed, or load anything from another origin.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask.wrappers import Response
from flask_wtf.csrf import CSRFError

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'; object-src 'none'"
)


#: Sent with every response, the app's and the web server's own error answers alike.
FIXED_HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
HSTS = "max-age=31536000; includeSubDomains"


def _set_headers(response: Response) -> Response:
    headers = response.headers
    headers.update(FIXED_HEADERS)
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
        headers["Strict-Transport-Security"] = HSTS
    return response


def _refuse_cross_site_posts() -> None:
    """Defence in depth beside the CSRF token: refuse form posts from other sites.

    Survey pages send ``Referrer-Policy: no-referrer``, so browsers send neither a
    Referer nor a real Origin (it is ``null``) with their forms; Flask-WTF's HTTPS
    Referer check would refuse every worker, and is off (config.py). Fetch metadata
    is sent whatever the referrer policy: a browser says when a post comes from
    another site.
    """
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    site = request.headers.get("Sec-Fetch-Site")
    origin = request.headers.get("Origin")
    own_origin = request.host_url.rstrip("/")
    if site in ("cross-site", "same-site") or (
        origin and origin != "null" and origin.rstrip("/") != own_origin
    ):
        raise CSRFError("The form was posted from another site.")


def init_app(app: Flask) -> None:
    app.before_request(_refuse_cross_site_posts)
    app.after_request(_set_headers)
