"""The ``surveyapp`` command: serve, demo, database and instrument commands.

``DATABASE_URL`` chooses the database for every command (default: a SQLite file in
the instance folder). ``surveyapp db upgrade`` comes from Flask-Migrate.
"""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, routes_command, shell_command, with_appcontext

from . import create_app

_created: list[Flask] = []


def _create_app() -> Flask:
    app = create_app()
    _created.append(app)
    return app


# No `run` command: Werkzeug's development server logs every request with the
# client's address, which the survey must never record (anonymity rule 1).
main = FlaskGroup(
    name="surveyapp",
    create_app=_create_app,
    add_default_commands=False,
    help="Anonymous job-quality surveys for sector partnerships.",
)
main.add_command(shell_command)
main.add_command(routes_command)


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


def serve_app(app: Flask, host: str, port: int) -> None:
    """Serve with waitress: threaded, production-grade, and it keeps no access log."""
    import waitress

    click.echo(f"Serving surveyapp on http://{host}:{port}/  (Ctrl+C to stop)")
    waitress.serve(
        app,
        host=host,
        port=port,
        threads=8,
        ident="",
        clear_untrusted_proxy_headers=True,
        _quiet=True,
    )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@with_appcontext
def serve(host: str, port: int) -> None:
    """Start the web server on an existing database."""
    if not _database_ready():
        click.echo(
            "The database is not set up or not up to date. Run `surveyapp db upgrade` first.",
            err=True,
        )
        sys.exit(1)
    serve_app(current_app._get_current_object(), host, port)  # type: ignore[attr-defined]


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-serve", is_flag=True, help="Create the demo data and print links only.")
@with_appcontext
def demo(host: str, port: int, no_serve: bool) -> None:
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
    base = current_app.config["PUBLIC_URL"].rstrip("/") or (
        f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"  # noqa: S104
    )
    for employer, token in result.links:
        click.echo(f"  {employer:<34} {base}/s/{token}")
    if not no_serve:
        serve_app(current_app._get_current_object(), host, port)  # type: ignore[attr-defined]


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
