"""The OpenAPI document of a service, corrected to say what the service really answers.

FastAPI documents every 422 as `application/json` in its own error shape, while
`samspill.errors` answers every error as an RFC 9457 problem (`application/problem+json`).
Pydantic documents a `datetime.time` as JSON Schema `format: time`, which requires a UTC offset,
while the API reads and writes local wall-clock times ("17:00:00", Europe/Oslo) without one.
A client generated from, or validating against, the uncorrected document would reject valid
answers.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI

from samspill.problems import PROBLEM_MEDIA_TYPE

# HH:MM or HH:MM:SS[.ffffff], as pydantic reads and writes a time without an offset.
LOCAL_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"

_PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An RFC 9457 problem document; `detail_nb` says the same in bokmål.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "detail_nb": {"type": "string"},
        "instance": {"type": "string"},
    },
}
_VALIDATION_PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "ValidationProblem",
    "description": "A problem; invalid request fields are listed in `errors`.",
    "allOf": [{"$ref": "#/components/schemas/Problem"}],
    "type": "object",
    "properties": {
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["loc", "msg", "type"],
                "properties": {
                    "loc": {
                        "type": "array",
                        "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                    },
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        }
    },
}
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def _problem_content(schema_name: str) -> dict[str, Any]:
    return {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        operation
        for path_item in document.get("paths", {}).values()
        for operation in path_item.values()
        if isinstance(operation, dict) and "responses" in operation
    ]


def use_problem_responses(document: dict[str, Any]) -> None:
    """Every 422 a validation problem, every other error (`default`) a problem document."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = _PROBLEM_SCHEMA
    schemas["ValidationProblem"] = _VALIDATION_PROBLEM_SCHEMA
    for operation in _operations(document):
        responses = operation["responses"]
        if "422" in responses:
            responses["422"] = {
                "description": "The request is not valid",
                "content": _problem_content("ValidationProblem"),
            }
        responses.setdefault(
            "default", {"description": "A problem", "content": _problem_content("Problem")}
        )
    for name in _FASTAPI_VALIDATION_SCHEMAS:  # HTTPValidationError refers to ValidationError
        if f"#/components/schemas/{name}" not in json.dumps(document):
            schemas.pop(name, None)


def use_local_times(node: Any) -> None:
    """`format: time` (with offset) → a pattern of a wall-clock time without one."""
    if isinstance(node, dict):
        if node.get("type") == "string" and node.get("format") == "time":
            del node["format"]
            node["pattern"] = LOCAL_TIME_PATTERN
        for value in node.values():
            use_local_times(value)
    elif isinstance(node, list):
        for value in node:
            use_local_times(value)


def offer_openid_connect(document: dict[str, Any], discovery_url: str) -> None:
    """Wherever a bearer token is taken, offer signing in at the issuer as an alternative."""
    schemes = document.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes["oidc"] = {
        "type": "openIdConnect",
        "openIdConnectUrl": discovery_url,
        "description": "Sign in (authorization code with PKCE) to get an access token.",
    }
    for operation in _operations(document):
        requirements = operation.get("security", [])
        if any("bearer" in requirement for requirement in requirements):
            requirements.append({"oidc": ["openid"]})


def correct(document: dict[str, Any], discovery_url: str | None = None) -> dict[str, Any]:
    use_problem_responses(document)
    use_local_times(document)
    if discovery_url:
        offer_openid_connect(document, discovery_url)
    return document


def install_corrected_openapi(app: FastAPI, discovery_url: str | None = None) -> None:
    """The app serves the corrected document (generated once, then cached like FastAPI's)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = correct(generate(), discovery_url)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
