"""Configuration, read once from environment variables.

Only two variables matter for most installs: ``DATABASE_URL`` and ``SECRET_KEY``.
Without ``SECRET_KEY`` a random key is generated on first start and kept in the
instance folder (readable by the owner only), so sessions survive restarts.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .ratelimit import limits_from_environment

#: The most request threads `surveyapp serve` runs; the connection pool has room for them.
MAX_THREADS = 64

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def instance_secret_key(instance_path: Path) -> str:
    """The instance folder's generated secret key, created (mode 0600) on first use."""
    key_file = instance_path / SECRET_KEY_FILE
    try:
        return key_file.read_text("ascii").strip()
    except FileNotFoundError:
        pass
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # O_EXCL: if two processes start at once, one writes and the other reads its key.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text("ascii").strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def build_config(instance_path: Path, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Settings for :func:`surveyapp.app.create_app`; ``overrides`` win (tests use them)."""
    overrides = dict(overrides or {})
    https = _flag("SURVEYAPP_HTTPS", False) if "HTTPS" not in overrides else overrides["HTTPS"]
    database_url = os.environ.get("DATABASE_URL") or (
        f"sqlite:///{instance_path / 'surveyapp.sqlite3'}"
    )
    config: dict[str, Any] = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        # Bound parameters may hold a worker's free text: never put them in errors or logs.
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_pre_ping": True,
            "hide_parameters": True,
            # Room for every server thread (serve --threads, at most MAX_THREADS) plus
            # housekeeping, so no request waits for a pooled connection.
            "pool_size": 10,
            "max_overflow": MAX_THREADS,
        },
        # True when served over HTTPS (directly or behind a TLS proxy): Secure and
        # __Host- cookies, HSTS. Plain-HTTP demo installs leave it off.
        "HTTPS": https,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "SESSION_COOKIE_NAME": "__Host-session" if https else "session",
        "SESSION_COOKIE_SECURE": https,
        "SESSION_COOKIE_HTTPONLY": True,
        # Lax, not Strict: a worker arrives from a text message or a QR code, and the
        # language cookie should work on that first visit. CSRF tokens protect forms.
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        # Slow phones and interrupted workers: SecureDrop raises this for the same reason.
        "WTF_CSRF_TIME_LIMIT": 6 * 3600,
        # Off on purpose: pages send no Referer (Referrer-Policy: no-referrer), so the
        # HTTPS Referer check would refuse every form; security.py checks Fetch
        # metadata and Origin instead, beside the token.
        "WTF_CSRF_SSL_STRICT": False,
        # A survey page posts a few kilobytes; anything near this is hostile.
        "MAX_CONTENT_LENGTH": 64 * 1024,
        "MAX_FORM_MEMORY_SIZE": 64 * 1024,
        "MAX_FORM_PARTS": 200,
        # Static files (CSS) are the same for everyone: phones may keep them an hour,
        # saving data on weak connections (security.py strips the ETag).
        "SEND_FILE_MAX_AGE_DEFAULT": 3600,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": False,
        # Survey limits per address and per draft (see ratelimit.py and the README).
        "RATE_LIMITS": limits_from_environment(),
        # Survey drafts (answers kept between pages) are deleted after this many days.
        "DRAFT_DAYS": int(os.environ.get("SURVEYAPP_DRAFT_DAYS", "14")),
        # SQLite: seconds between WAL checkpoints that truncate the log (serving.py).
        "CHECKPOINT_SECONDS": float(os.environ.get("SURVEYAPP_CHECKPOINT_SECONDS", "30")),
        # Where the optional "Exit this page" button goes (a neutral, common site).
        "EXIT_URL": os.environ.get("SURVEYAPP_EXIT_URL", "https://www.wikipedia.org/"),
        # Public base URL used when printing survey links (demo, posters).
        "PUBLIC_URL": os.environ.get("SURVEYAPP_PUBLIC_URL", ""),
    }
    secret = os.environ.get("SECRET_KEY")
    if "SECRET_KEY" not in overrides:
        config["SECRET_KEY"] = secret or instance_secret_key(instance_path)
    config.update(overrides)
    public_host = urlsplit(str(config["PUBLIC_URL"])).hostname
    if public_host and "TRUSTED_HOSTS" not in overrides:
        # Host headers other than the public name (and loopback, for health checks
        # on the machine itself) are refused, so none can be reflected in a URL.
        config["TRUSTED_HOSTS"] = [public_host, "localhost", "127.0.0.1", "[::1]"]
    if str(config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
        # Writers queue for SQLite's single write lock for up to this many seconds
        # before the page says "busy, try again" (503).
        engine_options = dict(config["SQLALCHEMY_ENGINE_OPTIONS"])
        engine_options.setdefault(
            "connect_args", {"timeout": float(config.get("SQLITE_BUSY_TIMEOUT", 30))}
        )
        config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options
    if len(str(config["SECRET_KEY"])) < 16:
        raise ValueError("SECRET_KEY is too short: use at least 32 random characters")
    return config
