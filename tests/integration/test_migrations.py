"""Migrations are code under test: head matches the models, and down/up both work."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from surveyapp.extensions import db


def test_migrated_schema_matches_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_downgrade_to_nothing_and_upgrade_again(app):
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        assert {"responses", "answers", "comments", "drafts"} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert set(inspect(db.engine).get_table_names()) == tables


def test_sqlite_tables_holding_worker_data_have_no_rowid(sqlite_app):
    """A hidden, increasing rowid would record arrival order (see models/response.py)."""
    with sqlite_app.app_context(), db.engine.connect() as connection:
        for table in (
            "responses",
            "answers",
            "comments",
            "pending_comments",
            "access_codes",
            "drafts",
        ):
            sql = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type='table' AND name=?", (table,)
            ).scalar_one()
            assert sql.rstrip().upper().endswith("WITHOUT ROWID"), table


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_full_sync(sqlite_app):
    with sqlite_app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_postgres_commits_are_durable(postgres_app):
    with postgres_app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("SHOW synchronous_commit").scalar() == "on"
        assert connection.exec_driver_sql("SHOW fsync").scalar() == "on"
