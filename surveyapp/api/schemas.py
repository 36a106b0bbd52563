"""JSON Schemas (2020-12, as OpenAPI 3.1 uses) of the API's responses.

Objects the API builds list every property and allow no other. Objects copied from a
stored release (estimates, peers, gaps, ...) list what the scoring package writes
today and allow more, as a later scoring version may add fields. ``null`` marks a
figure that is hidden or missing: the two look the same (anonymity rule 8).
"""

from __future__ import annotations

from typing import Any


def _null(kind: str) -> dict[str, Any]:
    return {"type": [kind, "null"]}


INT = {"type": "integer"}
NUM = {"type": "number"}
STR = {"type": "string"}
BOOL = {"type": "boolean"}


def _closed(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
    }


def _open(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties)}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _list_of(item: str) -> dict[str, Any]:
    return _closed(
        {
            "items": {"type": "array", "items": _ref(item)},
            "pagination": _ref("Pagination"),
            "links": _ref("Links"),
        }
    )


ESTIMATE = _open(
    {
        "statistic": STR,
        "n": _null("integer"),
        "mean": _null("number"),
        "low": _null("number"),
        "high": _null("number"),
        "method": _null("string"),
        "note": _null("string"),
    }
)

SCHEMAS: dict[str, Any] = {
    "Error": _closed(
        {
            "error": _closed(
                {"status": {"type": "integer", "minimum": 400, "maximum": 599}, "message": STR}
            )
        }
    ),
    "Pagination": _closed(
        {
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "total": {"type": "integer", "minimum": 0},
            "pages": {"type": "integer", "minimum": 1},
        }
    ),
    "Links": _closed(
        {
            "self": STR,
            "first": STR,
            "last": STR,
            "next": _null("string"),
            "prev": _null("string"),
        }
    ),
    "Partnership": _closed(
        {
            "id": INT,
            "name": STR,
            "sector": STR,
            "region": STR,
            "living_wage": {"type": "number", "description": "Hourly living wage."},
            "min_group_size": {"type": "integer", "description": "k"},
        }
    ),
    "Employer": _closed(
        {
            "id": INT,
            "name": STR,
            "size_band": _null("string"),
            "industry_code": _null("string"),
            "frontline_headcount": _null("integer"),
            "archived": BOOL,
        }
    ),
    "EmployerList": _list_of("Employer"),
    "Wave": _closed(
        {
            "id": INT,
            "name": STR,
            "status": {"enum": ["draft", "open", "closed"]},
            "opens_on": {"type": ["string", "null"], "format": "date"},
            "closes_on": {"type": ["string", "null"], "format": "date"},
            "min_group_size": {"type": "integer", "description": "k of this round"},
            "worker_instrument": _closed({"key": STR, "version": INT}),
            "require_codes": BOOL,
        }
    ),
    "WaveList": _list_of("Wave"),
    "ResponseCounts": _closed(
        {
            "wave_id": INT,
            "status": {"const": "open"},
            "total": {"type": "integer", "minimum": 0},
            "employers": {
                "type": "array",
                "items": _closed(
                    {"id": INT, "name": STR, "responses": {"type": "integer", "minimum": 0}}
                ),
            },
        }
    ),
    "Estimate": ESTIMATE,
    "Proportion": _open(
        {
            "name": STR,
            "item_id": STR,
            "n": _null("integer"),
            "share": _null("number"),
            "low": _null("number"),
            "high": _null("number"),
            "note": _null("string"),
        }
    ),
    "PeerSummary": _open(
        {
            "statistic": STR,
            "n_employers": _null("integer"),
            "median": _null("number"),
            "q1": _null("number"),
            "q3": _null("number"),
            "note": _null("string"),
        }
    ),
    "Reliability": _open(
        {
            "dimension_id": STR,
            "applicable": BOOL,
            "n": _null("integer"),
            "n_items": INT,
            "alpha": _null("number"),
            "low": _null("number"),
            "high": _null("number"),
            "below_threshold": _null("boolean"),
            "note": _null("string"),
        }
    ),
    "Validity": _open(
        {
            "n": _null("integer"),
            "r": _null("number"),
            "low": _null("number"),
            "high": _null("number"),
            "note": _null("string"),
        }
    ),
    "Equity": _open(
        {
            "statistic": STR,
            "grouping": STR,
            "groups": {"type": "array", "items": STR},
            "estimates": {"type": "array", "items": _ref("Estimate")},
            "h": _null("number"),
            "p_value": _null("number"),
            "note": _null("string"),
        }
    ),
    "Trend": _open(
        {
            "statistic": STR,
            "previous": _ref("Estimate"),
            "current": _ref("Estimate"),
            "difference": _null("number"),
            "p_value": _null("number"),
            "cliffs_delta": _null("number"),
            "note": _null("string"),
        }
    ),
    "Gap": _open(
        {
            "item_id": STR,
            "claim": _null("number"),
            "n": _null("integer"),
            "median_gap": _null("number"),
            "share_below": _null("number"),
            "p_value": _null("number"),
            "p_adjusted": _null("number"),
            "flagged": _null("boolean"),
            "note": _null("string"),
        }
    ),
    "SectorRelease": _open(
        {
            "wave": STR,
            "instrument": STR,
            "instrument_version": INT,
            "instrument_checksum": STR,
            "k": INT,
            "living_wage": _null("number"),
            "seed": INT,
            "n_resamples": INT,
            "confidence": NUM,
            "n_responses": _null("integer"),
            "statistics": {"type": "array", "items": STR},
            "sector": {"type": "array", "items": _ref("Estimate")},
            "sector_proportions": {"type": "array", "items": _ref("Proportion")},
            "peers": {"type": "array", "items": _ref("PeerSummary")},
            "reliability": {"type": "array", "items": _ref("Reliability")},
            "validity": _ref("Validity"),
            "equity": {"type": "array", "items": _ref("Equity")},
            "trend": {"type": "array", "items": _ref("Trend")},
        }
    ),
    "SectorResults": _closed(
        {
            "wave_id": INT,
            "scoring_version": STR,
            "computed_at": {"type": "string", "format": "date-time"},
            "release": _ref("SectorRelease"),
            "employers": {
                "type": "array",
                "description": "The release's employers; hidden ones read 'not enough "
                "responses' everywhere.",
                "items": _closed({"id": INT, "name": STR, "hidden": BOOL}),
            },
        }
    ),
    "EmployerEntry": _open(
        {
            "employer": STR,
            "n_responses": _null("integer"),
            "estimates": {"type": "array", "items": _ref("Estimate")},
            "percentiles": {"type": "array", "items": _null("number")},
            "dimensions_at_threshold": _null("integer"),
            "proportions": {"type": "array", "items": _ref("Proportion")},
            "gaps": {"type": "array", "items": _ref("Gap")},
            "equity": {"type": "array", "items": _ref("Equity")},
            "trend": {"type": "array", "items": _ref("Trend")},
        }
    ),
    "EmployerResults": {
        "oneOf": [
            _closed(
                {
                    "wave_id": INT,
                    "employer_id": INT,
                    "k": INT,
                    "state": {"const": "hidden"},
                    "message": {"const": "not enough responses"},
                }
            ),
            _closed(
                {
                    "wave_id": INT,
                    "employer_id": INT,
                    "k": INT,
                    "state": {"const": "shown"},
                    "scoring_version": STR,
                    "computed_at": {"type": "string", "format": "date-time"},
                    "confidence": NUM,
                    "statistics": {"type": "array", "items": STR},
                    "peers": {"type": "array", "items": _ref("PeerSummary")},
                    "results": _ref("EmployerEntry"),
                }
            ),
        ]
    },
}
