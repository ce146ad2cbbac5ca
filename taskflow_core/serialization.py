"""JSON bytes for responses and cache entries (orjson: UTC as `Z`, enums as values)."""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel

_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS


def to_json(value: BaseModel | Any) -> bytes:
    """Serialize a wire model (by its camelCase aliases) or plain data."""
    if isinstance(value, BaseModel):
        value = value.model_dump()
    return orjson.dumps(value, option=_OPTIONS)
