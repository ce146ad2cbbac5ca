"""Label routes: list with task counts, create, read, rename or recolour, delete."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Response, status

from server.deps import CallerDep, LabelsDep
from server.query import FromQuery
from server.responses import json_response, problem_responses
from taskflow_core.schemas import LabelCreate, LabelList, LabelOut, LabelQuery, LabelUpdate
from taskflow_core.serialization import to_json

router = APIRouter(prefix="/labels", tags=["labels"])


@router.get("", response_model=LabelList, responses=problem_responses(400, 401, 403, 422, 429))
async def list_labels(
    query: Annotated[LabelQuery, FromQuery(LabelQuery)], caller: CallerDep, labels: LabelsDep
) -> Response:
    """Your labels by name, with open and overdue task counts (admins: `userId=`)."""
    return json_response(await labels.list(caller, query))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=LabelOut,
    responses=problem_responses(400, 401, 409, 413, 422, 429),
)
async def create_label(data: LabelCreate, caller: CallerDep, labels: LabelsDep) -> Response:
    """Create a label (naming one on a task creates it too; 1,000 per account)."""
    label = await labels.create(caller, data)
    headers = {"Location": f"/labels/{label.id}"}
    return json_response(to_json(label), status.HTTP_201_CREATED, headers=headers)


@router.get("/{label_id:uuid}", response_model=LabelOut, responses=problem_responses(401, 404, 429))
async def get_label(label_id: uuid.UUID, caller: CallerDep, labels: LabelsDep) -> Response:
    """One label, with its task counts."""
    return json_response(to_json(await labels.get(caller, label_id)))


@router.patch(
    "/{label_id:uuid}",
    response_model=LabelOut,
    responses=problem_responses(400, 401, 404, 409, 413, 422, 429),
)
async def update_label(
    label_id: uuid.UUID, data: LabelUpdate, caller: CallerDep, labels: LabelsDep
) -> Response:
    """Rename or recolour a label (its tasks show the new name)."""
    return json_response(to_json(await labels.update(caller, label_id, data)))


@router.delete(
    "/{label_id:uuid}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 404, 429),
)
async def delete_label(label_id: uuid.UUID, caller: CallerDep, labels: LabelsDep) -> Response:
    """Delete a label; it comes off its tasks, which stay."""
    await labels.delete(caller, label_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
