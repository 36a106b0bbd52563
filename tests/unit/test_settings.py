"""Settings read from an environment: checked values, one-line refusals, typos reported."""

from __future__ import annotations

import dataclasses
import logging
import re
from pathlib import Path

import pytest

from surveyapp.config import ConfigError, Settings, build_config, load_settings

KEY = "k" * 40
PRODUCTION = {"SURVEYAPP_ENV": "production", "SECRET_KEY": KEY, "SURVEYAPP_HTTPS": "1"}


def test_the_settings_cannot_be_changed_once_read():
    settings = load_settings({}, argv=["surveyapp"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.https = True  # type: ignore[misc]
    with pytest.raises(TypeError):
        settings.limits["page"] = "1000000/second"  # type: ignore[index]


def test_defaults_without_any_variable():
    settings = load_settings({}, argv=["surveyapp"])
    assert settings == dataclasses.replace(Settings(), limits=settings.limits, unknown_variables=())
    assert settings.environment == "development"
    assert settings.limits["page"] == "20000/hour"
    assert settings.limits["API_RATE_LIMIT"] == "120/minute;3000/hour"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"SURVEYAPP_ENV": "prod"}, "SURVEYAPP_ENV='prod' is not one of: development, production"),
        ({"SURVEYAPP_HTTPS": "ture"}, "SURVEYAPP_HTTPS='ture' is neither on"),
        ({"SURVEYAPP_DRAFT_DAYS": "two weeks"}, "SURVEYAPP_DRAFT_DAYS='two weeks' is not a whole"),
        ({"SURVEYAPP_DRAFT_DAYS": "0"}, "SURVEYAPP_DRAFT_DAYS='0' is too small"),
        ({"SURVEYAPP_TRUSTED_PROXIES": "-1"}, "SURVEYAPP_TRUSTED_PROXIES='-1' is too small"),
        ({"SURVEYAPP_TRUSTED_PROXIES": "1.5"}, "SURVEYAPP_TRUSTED_PROXIES='1.5' is not a whole"),
        ({"SURVEYAPP_PROCESSES": "0"}, "SURVEYAPP_PROCESSES='0' is too small"),
        ({"WEB_CONCURRENCY": "many"}, "WEB_CONCURRENCY='many' is not a whole"),
        ({"SURVEYAPP_CHECKPOINT_SECONDS": "soon"}, "SURVEYAPP_CHECKPOINT_SECONDS='soon' is not"),
        ({"SURVEYAPP_CHECKPOINT_SECONDS": "0"}, "must be a number of seconds above 0"),
        ({"SURVEYAPP_CHECKPOINT_SECONDS": "nan"}, "must be a number of seconds above 0"),
        ({"SURVEYAPP_LIMIT_LOGIN": "lots"}, "SURVEYAPP_LIMIT_LOGIN='lots' is not a rate limit"),
        ({"SURVEYAPP_LIMIT_API": "10/fortnight"}, "SURVEYAPP_LIMIT_API='10/fortnight' is not"),
        (
            {"RATELIMIT_STORAGE_URI": "reddis://:hunter2@cache:6379"},
            "RATELIMIT_STORAGE_URI (scheme 'reddis') is not a rate-limit store",
        ),
    ],
)
def test_a_value_that_cannot_work_is_one_line_naming_it(environ, message):
    with pytest.raises(ConfigError) as raised:
        load_settings(environ, argv=["surveyapp"])
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)
    assert "hunter2" not in str(raised.value)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"SURVEYAPP_DRAFT_DAYS": "1"}, ("draft_days", 1)),
        ({"SURVEYAPP_TRUSTED_PROXIES": "0"}, ("trusted_proxies", 0)),
        ({"SURVEYAPP_HTTPS": "off"}, ("https", False)),
        ({"SURVEYAPP_HTTPS": " Yes "}, ("https", True)),
        ({"SURVEYAPP_ENV": "Production"}, ("environment", "production")),
        ({"SURVEYAPP_CHECKPOINT_SECONDS": "0.5"}, ("checkpoint_seconds", 0.5)),
    ],
)
def test_values_at_the_edge_are_accepted(environ, expected):
    name, value = expected
    assert getattr(load_settings(environ, argv=["surveyapp"]), name) == value


@pytest.mark.parametrize(
    ("environ", "argv", "processes"),
    [
        ({}, ["surveyapp", "serve"], 1),
        ({"SURVEYAPP_PROCESSES": "3"}, ["surveyapp"], 3),
        ({"WEB_CONCURRENCY": "2"}, ["surveyapp"], 2),
        ({}, ["/srv/.venv/bin/gunicorn", "-w", "4", "surveyapp:create_app()"], 4),
        ({}, ["/srv/.venv/bin/gunicorn", "-w4", "surveyapp:create_app()"], 4),
        ({}, ["/srv/.venv/bin/gunicorn", "--workers=3", "surveyapp:create_app()"], 3),
        ({}, ["/usr/lib/python3/gunicorn/__main__.py", "--workers", "2", "app:app"], 2),
        ({"GUNICORN_CMD_ARGS": "--workers 5 --bind :80"}, ["gunicorn", "app:app"], 5),
        # The command line wins over GUNICORN_CMD_ARGS, as in gunicorn.
        ({"GUNICORN_CMD_ARGS": "-w 5"}, ["gunicorn", "-w", "1", "app:app"], 1),
        # A stale SURVEYAPP_PROCESSES=1 does not hide four workers.
        ({"SURVEYAPP_PROCESSES": "1"}, ["gunicorn", "-w", "4", "app:app"], 4),
        # Only gunicorn's own command line is read for -w.
        ({}, ["/home/gunicorn-fan/bin/surveyapp", "-w", "4"], 1),
    ],
)
def test_the_number_of_processes(environ, argv, processes):
    assert load_settings(environ, argv=argv).processes == processes


@pytest.mark.parametrize(
    ("extra", "refused"),
    [
        ({"SECRET_KEY": ""}, "SURVEYAPP_ENV=production needs SECRET_KEY"),
        ({"SURVEYAPP_HTTPS": "0"}, "SURVEYAPP_ENV=production needs SURVEYAPP_HTTPS=1"),
        ({"SURVEYAPP_PROCESSES": "2"}, "with 2 processes needs a shared rate-limit store"),
        ({"SURVEYAPP_PROCESSES": "1"}, None),
        ({"SURVEYAPP_PROCESSES": "2", "RATELIMIT_STORAGE_URI": "redis://cache:6379"}, None),
    ],
)
def test_production_refuses_what_only_a_demo_can_live_with(tmp_path, extra, refused):
    settings = load_settings({**PRODUCTION, **extra}, argv=["surveyapp"])
    if refused is None:
        assert build_config(settings, tmp_path)["SECRET_KEY"] == KEY
        return
    with pytest.raises(ConfigError, match=refused):
        build_config(settings, tmp_path)
    assert not (tmp_path / "secret_key").exists()


def test_outside_production_the_instance_folder_keeps_a_key(tmp_path):
    settings = load_settings({"SURVEYAPP_PROCESSES": "4"}, argv=["surveyapp"])
    key = build_config(settings, tmp_path)["SECRET_KEY"]
    assert key == (tmp_path / "secret_key").read_text("ascii").strip()


def test_unknown_variables_are_reported_with_the_likely_one(caplog):
    from surveyapp.config import report_unknown_variables

    environ = {
        "SURVEYAPP_HTTP": "1",
        "SURVEYAPP_DRAFTDAYS": "7",
        "SURVEYAPP_COLOUR": "blue",
        "SURVEYAPP_HTTPS": "1",
        "SURVEYAPP_REQUIRE_POSTGRES": "1",
        "HTTP_PROXY": "http://proxy:3128",
    }
    settings = load_settings(environ, argv=["surveyapp"])
    with caplog.at_level(logging.WARNING, logger="surveyapp.config"):
        report_unknown_variables(settings)
    assert [record.getMessage() for record in caplog.records] == [
        "warning: SURVEYAPP_COLOUR is not a surveyapp setting and is ignored",
        "warning: SURVEYAPP_DRAFTDAYS is not a surveyapp setting and is ignored;"
        " did you mean SURVEYAPP_DRAFT_DAYS?",
        "warning: SURVEYAPP_HTTP is not a surveyapp setting and is ignored;"
        " did you mean SURVEYAPP_HTTPS?",
    ]


def test_every_variable_the_readme_lists_is_known():
    from surveyapp.config import known_variables

    readme = (Path(__file__).parents[2] / "README.md").read_text("utf-8")
    listed = set(re.findall(r"`(SURVEYAPP_[A-Z_]+[A-Z])(?:=[^`]*)?`", readme))
    assert listed - known_variables() == set()


def test_only_a_server_database_pings_pooled_connections(tmp_path):
    """PostgreSQL can drop a pooled connection (a restart); a SQLite file cannot, so
    pinging before every checkout would be a query per request that serves nobody."""

    def engine_options(environ: dict[str, str]) -> dict[str, object]:
        settings = load_settings({"SECRET_KEY": "k" * 32, **environ}, argv=["surveyapp"])
        return build_config(settings, tmp_path)["SQLALCHEMY_ENGINE_OPTIONS"]

    sqlite = engine_options({})
    server = engine_options({"DATABASE_URL": "postgresql+psycopg://db.example/s"})
    assert sqlite["pool_pre_ping"] is False
    assert sqlite["connect_args"] == {"timeout": 30.0}
    assert server["pool_pre_ping"] is True
    assert "connect_args" not in server
