"""Project routes: list with task counts, create, read, change (rename, recolour, move,
archive), delete."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Response, status

from server.deps import CallerDep, ProjectsDep
from server.query import FromQuery
from server.responses import json_response, problem_responses
from taskflow_core.schemas import (
    ProjectCreate,
    ProjectList,
    ProjectOut,
    ProjectQuery,
    ProjectUpdate,
)
from taskflow_core.serialization import to_json

router = APIRouter(prefix="/projects", tags=["projects"])


@router.get("", response_model=ProjectList, responses=problem_responses(400, 401, 403, 422, 429))
async def list_projects(
    query: Annotated[ProjectQuery, FromQuery(ProjectQuery)],
    caller: CallerDep,
    projects: ProjectsDep,
) -> Response:
    """Your projects in their manual order, with open and overdue task counts (admins:
    `userId=`)."""
    return json_response(await projects.list(caller, query))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ProjectOut,
    responses=problem_responses(400, 401, 409, 413, 422, 429),
)
async def create_project(data: ProjectCreate, caller: CallerDep, projects: ProjectsDep) -> Response:
    """Create a project (inside another with `parentId`; at most 3 deep, 1,000 per account)."""
    project = await projects.create(caller, data)
    headers = {"Location": f"/projects/{project.id}"}
    return json_response(to_json(project), status.HTTP_201_CREATED, headers=headers)


@router.get(
    "/{project_id:uuid}", response_model=ProjectOut, responses=problem_responses(401, 404, 429)
)
async def get_project(project_id: uuid.UUID, caller: CallerDep, projects: ProjectsDep) -> Response:
    """One project, with its task counts."""
    return json_response(to_json(await projects.get(caller, project_id)))


@router.patch(
    "/{project_id:uuid}",
    response_model=ProjectOut,
    responses=problem_responses(400, 401, 404, 409, 413, 422, 429),
)
async def update_project(
    project_id: uuid.UUID, data: ProjectUpdate, caller: CallerDep, projects: ProjectsDep
) -> Response:
    """Rename, recolour, move (`parentId`, `position`), archive or unarchive a project."""
    return json_response(to_json(await projects.update(caller, project_id, data)))


@router.delete(
    "/{project_id:uuid}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 404, 429),
)
async def delete_project(
    project_id: uuid.UUID, caller: CallerDep, projects: ProjectsDep
) -> Response:
    """Delete a project and the projects inside it; their tasks stay, in no project."""
    await projects.delete(caller, project_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
