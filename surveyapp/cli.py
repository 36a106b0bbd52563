"""The ``surveyapp`` command: serve, demo, database and instrument commands.

``DATABASE_URL`` chooses the database for every command (default: a SQLite file in
the instance folder). ``surveyapp db upgrade`` comes from Flask-Migrate.
"""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, routes_command, shell_command, with_appcontext

from . import create_app, serving
from .accounts.cli import users
from .api.cli import tokens
from .config import MAX_THREADS, ConfigError, check_shared_limits
from .partnerships_cli import partnerships
from .reports.brief_cli import brief
from .reports.cli import poster
from .results.cli import results
from .results.export_cli import export
from .results.score_cli import score
from .serving import ServerSettings

_created: list[Flask] = []


def _create_app() -> Flask:
    try:
        app = create_app()
    except ValueError as exc:
        # A setting that cannot work (a rate limit, a short SECRET_KEY): one line, exit 1.
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    _created.append(app)
    return app


NOT_SET_UP = "The database is not set up or not up to date. Run `surveyapp db upgrade` first."


class _Group(FlaskGroup):
    """A database that is missing its tables, or cannot be reached, ends a command with
    one plain line and exit status 1, not a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        from sqlalchemy.exc import OperationalError, ProgrammingError

        try:
            return super().invoke(ctx)
        except (OperationalError, ProgrammingError) as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
            missing = "no such table" in reason or "does not exist" in reason
            click.echo(NOT_SET_UP if missing else f"error: the database failed: {reason}", err=True)
            sys.exit(1)


# No `run` command: Werkzeug's development server logs every request with the
# client's address, which the survey must never record (anonymity rule 1).
main = _Group(
    name="surveyapp",
    create_app=_create_app,
    add_default_commands=False,
    help="Anonymous job-quality surveys for sector partnerships.",
)
main.add_command(shell_command)
main.add_command(routes_command)
main.add_command(users)
main.add_command(partnerships)
main.add_command(results)
main.add_command(export)
main.add_command(score)
main.add_command(poster)
main.add_command(brief)
main.add_command(tokens)


@main.result_callback()
def _close_connections(*_args: object, **_kwargs: object) -> None:
    """Close pooled database connections when a command finishes."""
    from flask import has_app_context

    from .extensions import db

    if has_app_context():
        # Click runs this before the command's app context closes: hand the
        # session's connection back first, or disposing the pool would orphan it.
        db.session.remove()
    while _created:
        with _created.pop().app_context():
            db.engine.dispose()


def _database_ready() -> bool:
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from .extensions import db, migrate

    config = migrate.get_config()
    heads = set(ScriptDirectory.from_config(config).get_heads())
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == heads


def _upgrade_database() -> None:
    from flask_migrate import upgrade

    upgrade()


def _server_settings(threads: int | None, connection_limit: int | None) -> ServerSettings:
    defaults = ServerSettings()
    return ServerSettings(
        threads=threads or defaults.threads,
        connection_limit=connection_limit or defaults.connection_limit,
    )


_threads_option = click.option(
    "--threads",
    type=click.IntRange(1, MAX_THREADS),
    default=None,
    help=f"Requests each process handles at once (default {ServerSettings.threads}).",
)
_connections_option = click.option(
    "--connection-limit",
    type=click.IntRange(10, 100_000),
    default=None,
    help=f"Open connections at once, all processes together (default "
    f"{ServerSettings.connection_limit}).",
)
_workers_option = click.option(
    "--workers",
    type=click.IntRange(1, 256),
    default=None,
    help="Server processes (default: one per core). 1 serves with waitress in this "
    "process; more with gunicorn, where the platform has it.",
)


def _serve(host: str, port: int, settings: ServerSettings, workers: int | None) -> None:
    count = workers or serving.default_workers()
    missing = serving.gunicorn_missing() if count > 1 else None
    if missing:
        click.echo(f"{missing}: serving with waitress in one process (one core).")
        count = 1
    app = _app()
    try:
        check_shared_limits(
            app.extensions["surveyapp.settings"],
            str(app.config["RATELIMIT_STORAGE_URI"]),
            count,
            hint=" or serve with --workers 1",
        )
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    serving.serve(app, host, port, settings, workers=count)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@_workers_option
@_threads_option
@_connections_option
@with_appcontext
def serve(
    host: str, port: int, workers: int | None, threads: int | None, connection_limit: int | None
) -> None:
    """Start the web server on an existing database."""
    if not _database_ready():
        click.echo(NOT_SET_UP, err=True)
        sys.exit(1)
    _serve(host, port, _server_settings(threads, connection_limit), workers)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-serve", is_flag=True, help="Create the demo data and print links only.")
@_workers_option
@_threads_option
@_connections_option
@with_appcontext
def demo(
    host: str,
    port: int,
    no_serve: bool,
    workers: int | None,
    threads: int | None,
    connection_limit: int | None,
) -> None:
    """Set up the database and a demo partnership, print survey links, and serve."""
    from .demo import create_demo

    _upgrade_database()
    result = create_demo()
    state = "created" if result.created else "already present"
    click.echo(f"Demo partnership {result.partnership!r}: {state}.")
    click.echo(
        f"Closed wave {result.closed_wave!r}: {result.closed_responses} responses. "
        f"Open wave {result.open_wave!r}: survey links, one per employer:"
    )
    base = _public_base(host, port)
    for employer, token in result.links:
        click.echo(f"  {employer:<34} {base}/s/{token}")
    click.echo(
        f"Sign in at {base}/login (role, email, password, and an employer user's employer;"
        " new passwords on every run):"
    )
    for account in result.accounts:
        employer = f" {account.employer}" if account.employer else ""
        click.echo(f"{account.role} {account.email} {account.password}{employer}")
    for account in result.accounts:
        if account.totp_secret:
            # Staff type a one-time password after the password: from an authenticator
            # app given this secret, or pyotp.TOTP(secret).now() (README, "Try it").
            click.echo(f"staff-totp {account.totp_secret}")
    if not no_serve:
        _serve(host, port, _server_settings(threads, connection_limit), workers)


def _app() -> Flask:
    return current_app._get_current_object()  # type: ignore[attr-defined]


def _public_base(host: str, port: int) -> str:
    """The base of printed links: SURVEYAPP_PUBLIC_URL, else an address phones can open."""
    configured = str(current_app.config["PUBLIC_URL"]).rstrip("/")
    if configured:
        return configured
    if host not in ("0.0.0.0", "::", ""):  # noqa: S104 - comparing, not binding
        return f"http://{serving._shown_host(host)}:{port}"
    addresses = serving.network_addresses()
    if addresses:
        click.echo(
            f"Phones on the same network can open the links below (this machine is "
            f"{addresses[0]}). If they cannot, set SURVEYAPP_PUBLIC_URL to the address "
            f"they should use, e.g. SURVEYAPP_PUBLIC_URL=http://{addresses[0]}:{port}"
        )
        return f"http://{addresses[0]}:{port}"
    click.echo(
        "Could not find this machine's network address: the links below only open on "
        "this machine. For phones, set SURVEYAPP_PUBLIC_URL to this machine's address, "
        f"e.g. SURVEYAPP_PUBLIC_URL=http://192.168.1.20:{port}"
    )
    return f"http://127.0.0.1:{port}"


@main.command("waves")
@with_appcontext
def list_waves() -> None:
    """List every wave with its id, status and number of responses."""
    from sqlalchemy import func, select

    from .extensions import db
    from .models import Partnership, Response, Wave

    counts = dict(
        db.session.execute(select(Response.wave_id, func.count()).group_by(Response.wave_id)).all()
    )
    rows = db.session.execute(
        select(Wave.id, Partnership.name, Wave.name, Wave.status)
        .join(Partnership)
        .order_by(Partnership.name, Wave.id)
    ).all()
    if not rows:
        click.echo("No waves yet.")
        return
    click.echo(f"{'ID':>5}  {'STATUS':<6}  {'RESPONSES':>9}  PARTNERSHIP / WAVE")
    for wave_id, partnership, name, status in rows:
        click.echo(
            f"{wave_id:>5}  {status:<6}  {counts.get(wave_id, 0):>9}  {partnership} / {name}"
        )


@main.group()
def instruments() -> None:
    """Check the instrument files."""


@instruments.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False))
def check_instruments(paths: tuple[str, ...]) -> None:
    """Validate instrument files (default: every file in instruments/)."""
    from .instruments import InstrumentError, load_instrument
    from .paths import instruments_dir

    files = list(paths) or sorted(str(p) for p in instruments_dir().glob("*-v*.toml"))
    failed = False
    for path in files:
        try:
            instrument = load_instrument(path)
        except InstrumentError as exc:
            click.echo(f"error: {exc}", err=True)
            failed = True
        else:
            click.echo(
                f"ok: {path}: {instrument.key} v{instrument.version},"
                f" {len(instrument.items)} items,"
                f" sha256 {instrument.checksum[:12]}"
            )
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
