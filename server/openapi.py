"""The OpenAPI document, with every error described as the problem+json it really is."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi.openapi.utils import get_openapi
from pydantic.json_schema import models_json_schema

from server.responses import PROBLEM_MEDIA_TYPE
from taskflow_core.schemas import Problem

if TYPE_CHECKING:
    from fastapi import FastAPI

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_ALWAYS = {"500": "Internal server error (no details are ever given)"}
_NEEDS_DATABASE = {"503": "The database is unavailable; retry later"}


def install_openapi(app: FastAPI) -> None:
    """Replace FastAPI's default validation-error entries and add the 500/503 every route has."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            for path, operations in schema["paths"].items():
                for operation in operations.values():
                    _describe_errors(operation, uses_database=path != "/health")
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components.pop("HTTPValidationError", None)
            components.pop("ValidationError", None)
            _, definitions = models_json_schema(
                [(Problem, "serialization")], ref_template="#/components/schemas/{model}"
            )
            components.update(definitions["$defs"])
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _describe_errors(operation: dict[str, Any], *, uses_database: bool) -> None:
    responses = operation.setdefault("responses", {})
    if "422" in responses and "application/json" in responses["422"].get("content", {}):
        responses["422"] = _problem("Validation failed; `errors` names each field")
    extra = _ALWAYS | (_NEEDS_DATABASE if uses_database else {})
    for status, description in extra.items():
        responses.setdefault(status, _problem(description))


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REF}}}
