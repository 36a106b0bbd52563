"""The application factory: it only wires parts together."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from limits.errors import ConfigurationError as LimitsConfigurationError
from werkzeug.middleware.proxy_fix import ProxyFix

from . import accounts, assets, errors, i18n, security
from .bodylimit import BodyLimit
from .config import ConfigError, build_config, load_settings, report_unknown_variables
from .extensions import babel, compress, csrf, db, limiter, migrate
from .paths import migrations_dir


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Create the app.

    :param config: settings that override the environment (tests pass their own
        ``SQLALCHEMY_DATABASE_URI`` and ``SECRET_KEY``).
    :raises ConfigError: a setting that cannot work (config.py); one line.
    """
    settings = load_settings()
    report_unknown_variables(settings)
    app = Flask(
        __name__,
        instance_path=str(settings.instance_path) if settings.instance_path else None,
        instance_relative_config=True,
    )
    app.config.update(build_config(settings, Path(app.instance_path), config))
    app.extensions["surveyapp.settings"] = settings

    proxies = settings.trusted_proxies
    if proxies:
        # Trust exactly the proxies we run; a client cannot add forwarded-address
        # entries that move it out of its rate-limit bucket.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]

    app.wsgi_app = BodyLimit(  # type: ignore[method-assign]
        app.wsgi_app, lambda: app.config["MAX_CONTENT_LENGTH"]
    )

    db.init_app(app)
    migrate.init_app(app, db, directory=str(migrations_dir()), render_as_batch=True)
    csrf.init_app(app)
    try:
        limiter.init_app(app)
    except LimitsConfigurationError as exc:
        # A store whose client library is missing, or an address it cannot parse.
        raise ConfigError(f"RATELIMIT_STORAGE_URI: {exc}") from None
    i18n.init_app(app, babel)
    security.init_app(app)
    _init_compression(app)
    assets.init_app(app)
    errors.init_app(app)

    from . import api, models  # noqa: F401  (models: every table registered before use)
    from .employer import bp as employer_bp
    from .landing import bp as landing_bp
    from .selfassessment.public import bp as self_assessment_bp
    from .staff import bp as staff_bp
    from .survey import bp as survey_bp
    from .told import bp as told_bp

    accounts.init_app(app)
    app.register_blueprint(landing_bp)
    app.register_blueprint(survey_bp)
    app.register_blueprint(told_bp)
    app.register_blueprint(self_assessment_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(employer_bp)
    api.init_app(app)
    # Token-authenticated, GET only, no cookie read: there is no request to forge.
    csrf.exempt(api.bp)

    @app.get("/healthz")
    def healthz() -> tuple[str, int]:
        return "ok", 200

    return app


def _init_compression(app: Flask) -> None:
    """Compress pages and the stylesheet on the wire when the client accepts it.

    BREACH (recovering a secret from compressed sizes) needs three things: a secret
    in the page (our pages carry a CSRF token), text the attacker chooses reflected
    in the same response, and the victim's browser made to send many such requests
    while the attacker watches sizes. The second is missing: no page shows text
    from the URL (language links are relative, or built from a valid survey token),
    and the only echoed input is what the worker typed, sent by POST with a CSRF
    token. Error pages (4xx/5xx) are never compressed. So the risk is low; if a
    page ever echoes query-string or cross-site input, revisit this.
    """
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    # Streamed responses (static files) stay as they are: Flask-Compress would wrap
    # the file in a generator and never close it. Our pages and the stylesheet are
    # not streamed (the stylesheet is served from memory, see assets.py).
    app.config.setdefault("COMPRESS_STREAMS", False)
    app.config.setdefault("COMPRESS_MIMETYPES", ["text/html", "text/css", "text/javascript"])
    # No conditional-request handling: security.py removes every ETag and
    # Last-Modified on purpose (they can fingerprint a visit), so there is nothing
    # to compare, and compression must not bring validators back.
    app.config.setdefault("COMPRESS_EVALUATE_CONDITIONAL_REQUEST", False)
    # Registered after security.init_app: Flask runs after_request hooks in reverse
    # order, so compression happens first and the header clean-up runs on the result
    # (an ETag Flask-Compress would derive from an existing one goes too).
    compress.init_app(app)
