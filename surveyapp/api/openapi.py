"""The API's OpenAPI 3.1 description, served at ``/api/v1/openapi.json``.

Written by hand (the API is small) and kept honest by tests: every route and query
parameter here matches the app's, and schemathesis checks every response against
these schemas (tests/integration/test_api_schema.py). Figures inside a release are
described as the scoring package writes them; a later scoring version may add
fields there, so those objects allow more properties than they list.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue

from .. import __version__
from .params import DEFAULT_PER_PAGE, MAX_ID, MAX_PAGE, MAX_PER_PAGE, route
from .schemas import SCHEMAS

JSON = "application/json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _id(name: str, what: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": what,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    }


WAVE_ID = _id("wave_id", "A survey round's id.")
EMPLOYER_ID = _id("employer_id", "An employer's id.")
PAGING = [
    {
        "name": "page",
        "in": "query",
        "required": False,
        "description": "Which page, from 1. A page after the last has no items.",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
    },
    {
        "name": "per_page",
        "in": "query",
        "required": False,
        "description": "Items on a page.",
        "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_PER_PAGE,
            "default": DEFAULT_PER_PAGE,
        },
    },
]


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {
        "description": description,
        "content": {JSON: {"schema": _ref("Error")}},
    }
    if headers:
        found["headers"] = headers
    return found


ERRORS = {
    "400": _error("Unknown query parameter, one given twice, or a bad page value."),
    "401": _error(
        "No token, a malformed header, or a token that is unknown or revoked.",
        {
            "WWW-Authenticate": {
                "description": 'Bearer realm="surveyapp", with error="invalid_token" when a '
                "token was sent.",
                "required": True,
                "schema": {"type": "string", "pattern": "^Bearer "},
            }
        },
    ),
    "404": _error(
        "No such id, or one this token may not see (another partnership's, another "
        "employer's, or staff data for an employer token): the same answer for all."
    ),
    "429": _error(
        "Too many requests with this token or from this address.",
        {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "string"}}},
    ),
    "default": _error("Any other error (405 for a method other than GET, 500, 503)."),
}
CONFLICT = {
    "409": _error("The round is not in a state that has this (open, or closed with results).")
}


def _get(
    summary: str,
    schema: str,
    *,
    operation_id: str,
    parameters: list[dict[str, Any]] | None = None,
    conflict: bool = False,
    paged: bool = False,
    description: str = "",
) -> dict[str, Any]:
    ok: dict[str, Any] = {"description": "OK", "content": {JSON: {"schema": _ref(schema)}}}
    if paged:
        ok["headers"] = {
            "Link": {
                "description": "RFC 8288 links to the first, last, next and previous pages.",
                "schema": {"type": "string"},
            }
        }
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "parameters": (parameters or []) + (PAGING if paged else []),
        "responses": {"200": ok, **(CONFLICT if conflict else {}), **ERRORS},
    }
    if description:
        operation["description"] = description
    return {"get": operation}


PATHS: dict[str, Any] = {
    "/api/v1/partnership": _get(
        "The token's partnership", "Partnership", operation_id="getPartnership"
    ),
    "/api/v1/employers": _get(
        "The partnership's employers (an employer token: its own only)",
        "EmployerList",
        operation_id="listEmployers",
        paged=True,
    ),
    "/api/v1/waves": _get(
        "Survey rounds (an employer token: those it takes part in, once opened)",
        "WaveList",
        operation_id="listWaves",
        paged=True,
    ),
    "/api/v1/waves/{wave_id}": _get(
        "One survey round", "Wave", operation_id="getWave", parameters=[WAVE_ID]
    ),
    "/api/v1/waves/{wave_id}/response-counts": _get(
        "Responses so far per employer of an open round (staff tokens only)",
        "ResponseCounts",
        operation_id="getResponseCounts",
        parameters=[WAVE_ID],
        conflict=True,
        description="409 unless the round is open. An employer token gets 404.",
    ),
    "/api/v1/waves/{wave_id}/results": _get(
        "A closed round's sector results, as stored (staff tokens only)",
        "SectorResults",
        operation_id="getSectorResults",
        parameters=[WAVE_ID],
        conflict=True,
        description="Numbers are unrounded, exactly as stored when the round closed; a "
        "hidden figure is null. 409 while the round is not closed. An employer token "
        "gets 404.",
    ),
    "/api/v1/waves/{wave_id}/employers/{employer_id}/results": _get(
        "One employer's results in a closed round",
        "EmployerResults",
        operation_id="getEmployerResults",
        parameters=[WAVE_ID, EMPLOYER_ID],
        conflict=True,
        description="Staff tokens: any employer of the partnership; employer tokens: their "
        'own. A hidden employer reads state "hidden" and nothing else.',
    ),
}


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "surveyapp API",
            "version": __version__,
            "description": "Read-only access to a sector partnership's survey rounds and "
            "their results, under the same anonymity rules as the console. Errors are "
            '{"error": {"status", "message"}}.',
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": {
            **PATHS,
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "getOpenAPI",
                    "summary": "This document (no token needed)",
                    "security": [],
                    "parameters": [],
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {JSON: {"schema": {"type": "object"}}},
                        },
                        "400": ERRORS["400"],
                        "429": ERRORS["429"],
                        "default": ERRORS["default"],
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API token made by partnership staff (console, "
                    "API tokens; or `surveyapp tokens create`): sa_ and 43 characters.",
                }
            },
            "schemas": SCHEMAS,
        },
    }


@route("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(document())
