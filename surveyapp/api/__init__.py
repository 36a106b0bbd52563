"""The read-only JSON API, ``/api/v1/``, for partnership staff's and employers' scripts.

Every request carries a user's API token (``Authorization: Bearer TOKEN``) and sees
what that user sees in the console: a staff token the partnership's data, an employer
token only what the employer's own pages show. Figures come from the release stored
when a round closed, as stored (numbers unrounded), under the same suppression as
the pages. GET only; no cookie is read or set, so there is nothing to forge and the
blueprint is exempt from CSRF checks (app.py).

* :mod:`.tokens` makes, finds and revokes tokens; :mod:`.cli` is ``surveyapp tokens``;
* :mod:`.auth` reads the token on every request; :mod:`.params` checks the query;
* :mod:`.errors` answers every error under ``/api/`` in JSON;
* :mod:`.resources` and :mod:`.results` are the endpoints; :mod:`.openapi` their
  OpenAPI 3.1 description at ``/api/v1/openapi.json``.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Flask, current_app

from ..extensions import limiter
from ..ratelimit import check_limit

bp = Blueprint("api", __name__, url_prefix="/api/v1")

#: config key -> (environment variable, default). Generous: a nightly script paging
#: through every employer of a partnership stays far below them.
LIMITS = {
    "API_RATE_LIMIT": ("SURVEYAPP_LIMIT_API", "120/minute;3000/hour"),
    "API_RATE_LIMIT_ADDRESS": ("SURVEYAPP_LIMIT_API_PER_ADDRESS", "600/minute;10000/hour"),
}


def _limit(key: str) -> Callable[[], str]:
    return lambda: str(current_app.config[key])


def init_app(app: Flask) -> None:
    """Register the API: its blueprint, its JSON errors and its rate limits.

    :raises ValueError: a limit in the configuration that is not a rate limit.
    """
    from . import errors

    for key, (variable, default) in LIMITS.items():
        # config.py checked the environment's; this checks a test's override.
        app.config[key] = check_limit(variable, str(app.config.get(key) or default), default)
    app.register_blueprint(bp)
    errors.init_app(app)


# The modules register their routes and hooks on bp.
from . import auth, openapi, resources, results  # noqa: E402, F401

# Per token, and per client address whatever the token (see auth.token_key).
limiter.limit(_limit("API_RATE_LIMIT"), key_func=auth.token_key)(bp)
limiter.limit(_limit("API_RATE_LIMIT_ADDRESS"), key_func=auth.address_key)(bp)
