"""Configuration: every setting, read once from the environment into one frozen object.

This is the only module in surveyapp that reads environment variables (a test checks
it). :func:`load_settings` reads them when the app is created; a value that cannot
work raises :class:`ConfigError`, one line saying which value and why, and the
``surveyapp`` command prints that line and exits 1. A ``SURVEYAPP_*`` variable that
no part of surveyapp reads (a typo, usually) is reported, not silently ignored.

Only two variables matter for most installs: ``DATABASE_URL`` and ``SECRET_KEY``.
Without ``SECRET_KEY`` a random key is generated on first start and kept in the
instance folder (readable by the owner only), so sessions survive restarts: a
convenience for the demo and a single machine. With ``SURVEYAPP_ENV=production``
the app refuses settings that only work on one machine or leak on the wire.
"""

from __future__ import annotations

import difflib
import logging
import os
import secrets
import shlex
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal
from urllib.parse import urlsplit

from limits.storage import SCHEMES as STORAGE_SCHEMES

from .ratelimit import check_limit, limits_from_environment

#: The most request threads `surveyapp serve` runs; the connection pool has room for them.
MAX_THREADS = 64

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret

ENVIRONMENTS = ("development", "production")

#: Every ``SURVEYAPP_*`` variable the app reads outside the rate-limit tables.
APP_VARIABLES = (
    "SURVEYAPP_ENV",
    "SURVEYAPP_HTTPS",
    "SURVEYAPP_TRUSTED_PROXIES",
    "SURVEYAPP_INSTANCE_PATH",
    "SURVEYAPP_PROCESSES",
    "SURVEYAPP_DRAFT_DAYS",
    "SURVEYAPP_CHECKPOINT_SECONDS",
    "SURVEYAPP_EXIT_URL",
    "SURVEYAPP_PUBLIC_URL",
)

#: Read by the test suite and CI, not the app: set there, they are not typos.
TOOL_VARIABLES = (
    "SURVEYAPP_REQUIRE_POSTGRES",
    "SURVEYAPP_REQUIRE_REDIS",
    "SURVEYAPP_REQUIRE_BROWSER",
    "SURVEYAPP_CHROMIUM",
    # tests/load: SURVEYAPP_LOAD=long runs the long form.
    "SURVEYAPP_LOAD",
)

_ON = ("1", "true", "yes", "on")
_OFF = ("0", "false", "no", "off", "")

log = logging.getLogger(__name__)


class ConfigError(ValueError):
    """A setting that cannot work; the message is one line naming it."""


@dataclass(frozen=True)
class Settings:
    """Everything surveyapp takes from its environment, checked, read once."""

    environment: Literal["development", "production"] = "development"
    database_url: str | None = None
    secret_key: str | None = field(default=None, repr=False)
    https: bool = False
    trusted_proxies: int = 0
    instance_path: Path | None = None
    ratelimit_storage_uri: str = "memory://"
    #: App processes sharing the rate limits: the most of SURVEYAPP_PROCESSES and
    #: what a process manager tells us (see :func:`_processes`).
    processes: int = 1
    draft_days: int = 14
    checkpoint_seconds: float = 30.0
    exit_url: str = "https://www.wikipedia.org/"
    public_url: str = ""
    #: Rate limits: ratelimit.LIMITS names and api.LIMITS config keys -> limit.
    limits: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: ``SURVEYAPP_*`` variables set but read by nothing.
    unknown_variables: tuple[str, ...] = ()

    @property
    def production(self) -> bool:
        return self.environment == "production"


def known_variables() -> frozenset[str]:
    from .api import LIMITS as API_LIMITS
    from .ratelimit import LIMITS

    return frozenset(
        [*APP_VARIABLES, *TOOL_VARIABLES]
        + [variable for variable, _default, _what in LIMITS.values()]
        + [variable for variable, _default in API_LIMITS.values()]
    )


def load_settings(
    environ: Mapping[str, str] | None = None, argv: Sequence[str] | None = None
) -> Settings:
    """The settings in ``environ`` (default: this process's environment).

    :param argv: the process's command line (default ``sys.argv``), read only to see
        how many workers gunicorn was told to start.
    :raises ConfigError: a value that cannot work, or is not what its name expects.
    """
    environ = os.environ if environ is None else environ
    argv = sys.argv if argv is None else argv
    known = known_variables()
    instance_path = environ.get("SURVEYAPP_INSTANCE_PATH", "").strip()
    return Settings(
        environment=_environment(environ),
        database_url=environ.get("DATABASE_URL") or None,
        secret_key=environ.get("SECRET_KEY") or None,
        https=_flag(environ, "SURVEYAPP_HTTPS"),
        trusted_proxies=_whole(environ, "SURVEYAPP_TRUSTED_PROXIES", 0, minimum=0),
        instance_path=Path(instance_path).resolve() if instance_path else None,
        ratelimit_storage_uri=_storage_uri(environ),
        processes=_processes(environ, argv),
        draft_days=_whole(environ, "SURVEYAPP_DRAFT_DAYS", 14, minimum=1),
        checkpoint_seconds=_seconds(environ, "SURVEYAPP_CHECKPOINT_SECONDS", 30.0),
        exit_url=environ.get("SURVEYAPP_EXIT_URL", "https://www.wikipedia.org/"),
        public_url=environ.get("SURVEYAPP_PUBLIC_URL", ""),
        limits=MappingProxyType(_limits(environ)),
        unknown_variables=tuple(
            sorted(name for name in environ if name.startswith("SURVEYAPP_") and name not in known)
        ),
    )


def report_unknown_variables(settings: Settings) -> None:
    """One warning line for each ``SURVEYAPP_*`` variable nothing reads."""
    known = sorted(known_variables())
    suffixes = {name.removeprefix("SURVEYAPP_"): name for name in known}
    for name in settings.unknown_variables:
        # Compare what follows the shared prefix, or every name would look close.
        close = difflib.get_close_matches(name.removeprefix("SURVEYAPP_"), suffixes, n=1)
        hint = f"; did you mean {suffixes[close[0]]}?" if close else ""
        log.warning("warning: %s is not a surveyapp setting and is ignored%s", name, hint)


def _environment(environ: Mapping[str, str]) -> Literal["development", "production"]:
    value = environ.get("SURVEYAPP_ENV", "").strip().lower() or "development"
    if value == "production":
        return "production"
    if value == "development":
        return "development"
    raise ConfigError(
        f"SURVEYAPP_ENV={environ['SURVEYAPP_ENV']!r} is not one of: {', '.join(ENVIRONMENTS)}"
    )


def _flag(environ: Mapping[str, str], name: str) -> bool:
    value = environ.get(name, "").strip().lower()
    if value in _ON:
        return True
    if value in _OFF:
        return False
    raise ConfigError(
        f"{name}={environ[name]!r} is neither on ({', '.join(_ON)}) nor off (0, false, no, off)"
    )


def _whole(environ: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(
            f"{name}={raw!r} is not a whole number; write it like '{default}'"
        ) from None
    if value < minimum:
        raise ConfigError(f"{name}={raw!r} is too small: the least it can be is {minimum}")
    return value


def _seconds(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(
            f"{name}={raw!r} is not a number of seconds; write it like '30'"
        ) from None
    if not 0 < value < float("inf"):
        raise ConfigError(f"{name}={raw!r} must be a number of seconds above 0")
    return value


def _storage_uri(environ: Mapping[str, str]) -> str:
    value = environ.get("RATELIMIT_STORAGE_URI", "").strip() or "memory://"
    scheme = value.partition("://")[0]
    if "://" not in value or scheme not in STORAGE_SCHEMES:
        # Only the scheme is repeated: the rest may hold the store's password.
        raise ConfigError(
            f"RATELIMIT_STORAGE_URI (scheme {scheme!r}) is not a rate-limit store; "
            "use memory:// or redis://host:6379"
        )
    return value


def _processes(environ: Mapping[str, str], argv: Sequence[str]) -> int:
    """How many app processes share this machine's rate-limit counters, as far as we can tell.

    The operator's SURVEYAPP_PROCESSES; ``WEB_CONCURRENCY``, which gunicorn (and
    other servers) take as their default number of workers; and gunicorn's own
    ``-w``/``--workers`` on its command line or in ``GUNICORN_CMD_ARGS``. The most of
    these wins, so a stale SURVEYAPP_PROCESSES=1 cannot hide ``gunicorn -w 4``. A
    worker count set only in a gunicorn configuration file cannot be seen from here;
    gunicorn_conf.on_starting checks gunicorn's final count, and ``surveyapp serve``
    its own ``--workers`` (both with :func:`check_shared_limits`).
    """
    counts = [
        _whole(environ, "SURVEYAPP_PROCESSES", 1, minimum=1),
        _whole(environ, "WEB_CONCURRENCY", 1, minimum=1),
    ]
    program = Path(argv[0] if argv else "")
    # `gunicorn ...` or `python -m gunicorn ...` (argv[0] is gunicorn/__main__.py).
    if "gunicorn" in (program.name, program.parent.name):
        workers = _gunicorn_workers([*shlex.split(environ.get("GUNICORN_CMD_ARGS", "")), *argv[1:]])
        if workers is not None:
            counts.append(workers)
    return max(counts)


def _gunicorn_workers(args: Sequence[str]) -> int | None:
    """The last ``-w N``, ``-wN``, ``--workers N`` or ``--workers=N`` (gunicorn's rule)."""
    found = None
    for index, arg in enumerate(args):
        if arg in ("-w", "--workers") and index + 1 < len(args):
            found = args[index + 1]
        elif arg.startswith("--workers="):
            found = arg.partition("=")[2]
        elif arg.startswith("-w") and not arg.startswith("--") and len(arg) > 2:
            found = arg[2:]
    try:
        return int(found) if found is not None else None
    except ValueError:
        return None  # gunicorn itself refuses it, with its own message


def _limits(environ: Mapping[str, str]) -> dict[str, str]:
    from .api import LIMITS as API_LIMITS

    try:
        limits = limits_from_environment(environ)
        for key, (variable, default) in API_LIMITS.items():
            limits[key] = check_limit(variable, environ.get(variable, default), default)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return limits


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


def build_config(
    settings: Settings, instance_path: Path, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Flask's ``app.config`` from ``settings``; ``overrides`` win (tests use them).

    :raises ConfigError: a combination that cannot work, or is unsafe in production.
    """
    from .api import LIMITS as API_LIMITS
    from .ratelimit import LIMITS

    overrides = dict(overrides or {})
    https = bool(overrides.get("HTTPS", settings.https))
    database_url = settings.database_url or f"sqlite:///{instance_path / 'surveyapp.sqlite3'}"
    config: dict[str, Any] = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {
            # A PostgreSQL server restarted (or a proxy that dropped an idle
            # connection) must not fail the next request on a dead pooled connection.
            "pool_pre_ping": True,
            # Bound parameters may hold a worker's free text: never in errors or logs.
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
        "RATELIMIT_STORAGE_URI": settings.ratelimit_storage_uri,
        "RATELIMIT_HEADERS_ENABLED": False,
        # Survey limits per address and per draft (see ratelimit.py and the README).
        "RATE_LIMITS": {name: settings.limits[name] for name in LIMITS},
        # API limits per token and per address (api/__init__.py).
        **{key: settings.limits[key] for key in API_LIMITS},
        # Survey drafts (answers kept between pages) are deleted after this many days.
        "DRAFT_DAYS": settings.draft_days,
        # SQLite: seconds between WAL checkpoints that truncate the log (serving.py).
        "CHECKPOINT_SECONDS": settings.checkpoint_seconds,
        # Where the optional "Exit this page" button goes (a neutral, common site).
        "EXIT_URL": settings.exit_url,
        # Public base URL used when printing survey links (demo, posters).
        "PUBLIC_URL": settings.public_url,
    }
    if "SECRET_KEY" not in overrides:
        if settings.production and not settings.secret_key:
            raise ConfigError(
                "SURVEYAPP_ENV=production needs SECRET_KEY: at least 32 random characters, "
                "the same on every host"
            )
        config["SECRET_KEY"] = settings.secret_key or instance_secret_key(instance_path)
    config.update(overrides)
    _check_production(settings, config)
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
        # A file has no server that can drop a pooled connection: the ping before
        # each checkout (one or two a request) would be a query no page needs.
        if "SQLALCHEMY_ENGINE_OPTIONS" not in overrides:
            engine_options["pool_pre_ping"] = False
        config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options
    if len(str(config["SECRET_KEY"])) < 16:
        raise ConfigError("SECRET_KEY is too short: use at least 32 random characters")
    return config


def _check_production(settings: Settings, config: Mapping[str, Any]) -> None:
    """Refuse, in production, what is only safe on a demo machine."""
    if not settings.production:
        return
    if not config["HTTPS"]:
        # Without it session cookies travel in clear and browsers are never told
        # to insist on HTTPS (HSTS).
        raise ConfigError(
            "SURVEYAPP_ENV=production needs SURVEYAPP_HTTPS=1: serve it over HTTPS "
            "(directly or behind a TLS proxy)"
        )
    check_shared_limits(settings, str(config["RATELIMIT_STORAGE_URI"]), settings.processes)


def in_memory_store(storage_uri: str) -> bool:
    """Whether rate-limit counters live in this process's memory (``memory://``)."""
    return storage_uri.partition("://")[0].endswith("memory")


def check_shared_limits(
    settings: Settings, storage_uri: str, processes: int, hint: str = ""
) -> None:
    """Refuse, in production, several processes that would each count rate limits alone.

    :param processes: the app processes that will serve (``surveyapp serve --workers``
        and gunicorn's own count are only known after the settings were read).
    :param hint: a way out to add to the message, e.g. ``--workers 1``.
    :raises ConfigError: production, ``memory://`` and more than one process.
    """
    if not settings.production or processes <= 1 or not in_memory_store(storage_uri):
        return
    # Each process would count on its own: every limit multiplied by the number
    # of processes, and the sign-in lock-out with it.
    raise ConfigError(
        f"SURVEYAPP_ENV=production with {processes} processes needs a shared "
        "rate-limit store: set RATELIMIT_STORAGE_URI=redis://host:6379 "
        f"(memory:// counts in each process on its own){hint}"
    )
