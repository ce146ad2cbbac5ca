"""The OpenAPI document, with every error described as the problem+json it really is."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic.json_schema import models_json_schema

from server.deps import BEARER_SCHEME, get_caller
from server.query import QueryModel
from server.responses import PROBLEM_MEDIA_TYPE
from taskflow_core.schemas import Problem

if TYPE_CHECKING:
    from fastapi import FastAPI

_REF_TEMPLATE = "#/components/schemas/{model}"
_PROBLEM_REF = {"$ref": _REF_TEMPLATE.format(model="Problem")}
_VALIDATION_FAILED = "Validation failed; `errors` names each field"
_ALWAYS = {"500": "Internal server error (no details are ever given)"}
_NEEDS_DATABASE = {"503": "The database is unavailable; retry later"}
_ETAG = {
    "description": 'The task\'s version as an entity tag (`"3"`): send it back in `If-Match`.',
    "schema": {"type": "string"},
}
_LOCATION = {"description": "The new task's URL.", "schema": {"type": "string"}}
# Headers the task routes set on the responses they build, which FastAPI cannot see.
_RESPONSE_HEADERS = {
    ("/tasks", "post", "201"): {"ETag": _ETAG, "Location": _LOCATION},
    ("/tasks/{task_id}", "get", "200"): {"ETag": _ETAG},
    ("/tasks/{task_id}", "patch", "200"): {"ETag": _ETAG},
}


def install_openapi(app: FastAPI) -> None:
    """Replace FastAPI's default validation-error entries and add the 500/503 every route has."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
            )
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            _document_query_models(app, schema["paths"], components)
            _document_bearer_auth(app, schema)
            for (path, method, status), headers in _RESPONSE_HEADERS.items():
                schema["paths"][path][method]["responses"][status]["headers"] = headers
            for path, operations in schema["paths"].items():
                for operation in operations.values():
                    _describe_errors(operation, uses_database=path != "/health")
            components.pop("HTTPValidationError", None)
            components.pop("ValidationError", None)
            _, definitions = models_json_schema(
                [(Problem, "serialization")], ref_template=_REF_TEMPLATE
            )
            components.update(definitions["$defs"])
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _document_query_models(app: FastAPI, paths: dict[str, Any], components: dict[str, Any]) -> None:
    for route in _api_routes(app):
        for dependency in route.dependant.dependencies:
            if not isinstance(dependency.call, QueryModel):
                continue
            parameters, definitions = dependency.call.openapi_parameters(_REF_TEMPLATE)
            components.update(definitions)
            for method in route.methods or ():
                operation = paths[route.path_format][method.lower()]
                operation["parameters"] = parameters + operation.get("parameters", [])
                # The dependency reports its own validation errors.
                operation["responses"].setdefault("422", _problem(_VALIDATION_FAILED))


def _document_bearer_auth(app: FastAPI, schema: dict[str, Any]) -> None:
    # What FastAPI would have written had `get_caller` depended on `BEARER_SCHEME`.
    name = BEARER_SCHEME.scheme_name
    scheme = BEARER_SCHEME.model.model_dump(mode="json", by_alias=True, exclude_none=True)
    for route in _api_routes(app):
        if any(dependency.call is get_caller for dependency in route.dependant.dependencies):
            schema["components"].setdefault("securitySchemes", {})[name] = scheme
            for method in route.methods or ():
                schema["paths"][route.path_format][method.lower()]["security"] = [{name: []}]


def _api_routes(app: FastAPI) -> list[APIRoute]:
    # The API's own routes (app.routes holds them wrapped, one wrapper per router).
    return [
        route
        for route in app.state.api_routes
        if isinstance(route, APIRoute) and route.include_in_schema
    ]


def _describe_errors(operation: dict[str, Any], *, uses_database: bool) -> None:
    responses = operation.setdefault("responses", {})
    if "422" in responses and "application/json" in responses["422"].get("content", {}):
        responses["422"] = _problem(_VALIDATION_FAILED)
    extra = _ALWAYS | (_NEEDS_DATABASE if uses_database else {})
    for status, description in extra.items():
        responses.setdefault(status, _problem(description))


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REF}}}
