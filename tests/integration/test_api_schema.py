"""Issue 12: the API against its own OpenAPI 3.1 document.

The document lists exactly the app's API routes and query parameters, its schemas
are valid JSON Schema, and schemathesis, loading ``/api/v1/openapi.json`` from the
app itself with a valid staff token, finds no server error and no response (status,
content type, headers, body) that breaks the document: on generated requests (valid
and invalid ones), on every real id of a partnership with a closed, an open and a
draft round, and with the token left out or other methods tried.

SQLite only: the generated requests are reads, and the round's data is the same on
both databases (test_api.py runs every access rule on both).
"""

from __future__ import annotations

import itertools
import re

import schemathesis
from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator
from schemathesis.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)
from schemathesis.generation import GenerationMode

from surveyapp.api.openapi import PATHS, document
from surveyapp.api.params import QUERY_PARAMETERS

from .test_api import make_world

#: Examples per operation and generation mode at most (schemathesis's default): simple
#: operations run out of distinct requests well before; the whole file takes about 10 s.
EXAMPLES = 100
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^>]*:)?(\w+)>", r"{\1}", rule)


def test_the_document_lists_every_route_and_query_parameter(sqlite_app):
    paths = document()["paths"]
    routes = {
        _openapi_path(rule.rule): rule
        for rule in sqlite_app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
    }
    assert set(paths) == set(routes)
    for path, rule in routes.items():
        assert set(paths[path]) == {"get"}, path
        assert rule.methods == {"GET", "HEAD"}, path
        parameters = paths[path]["get"]["parameters"]
        query = {p["name"] for p in parameters if p["in"] == "query"}
        assert query == QUERY_PARAMETERS[rule.endpoint], path
        in_path = {p["name"] for p in parameters if p["in"] == "path"}
        assert in_path == set(rule.arguments), path
    for schema in document()["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    served = sqlite_app.test_client().get("/api/v1/openapi.json")
    assert served.status_code == 200
    assert served.get_json()["openapi"] == "3.1.0"


def _real_cases(operation, world) -> list:
    """One case for each combination of real ids the operation takes."""
    names = [p.name for p in operation.path_parameters]
    values = {
        "wave_id": [world.closed, world.open, world.draft, world.other_wave],
        "employer_id": [*world.employers, world.other_employer],
    }
    return [
        operation.Case(path_parameters=dict(zip(names, combination, strict=True)))
        for combination in itertools.product(*(values[name] for name in names))
    ]


def _fuzz(operation, mode: GenerationMode, auth: dict[str, str]) -> None:
    """Generated requests to ``operation``; invalid ones (negative mode) must get a 4xx."""
    checks = [*CHECKS, negative_data_rejection] if mode is GenerationMode.NEGATIVE else CHECKS

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(mode))
    def generated(case) -> None:
        case.call_and_validate(headers=auth, checks=checks)

    generated()


def test_schemathesis_finds_no_server_error_and_no_response_outside_the_document(sqlite_app):
    world = make_world(sqlite_app)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", sqlite_app)
    auth = {"Authorization": f"Bearer {world.staff}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    # Every data endpoint (schemathesis leaves out the document's own address).
    assert {o.path for o in operations} >= set(PATHS)
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, auth)
        for case in _real_cases(operation, world):
            # Real rounds and employers: shown and hidden results, 409s, 404s.
            case.call_and_validate(headers=auth, checks=[*CHECKS, ignored_auth, unsupported_method])
