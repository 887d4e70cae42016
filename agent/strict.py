"""The base of every model read from a file or a request: unknown fields are refused with
the fields that are allowed, so a misspelt ``promt:`` is named, never ignored."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError


class StrictModel(BaseModel):
    """A pydantic model that refuses unknown fields.

    Raises (through pydantic's ``ValidationError``): an ``unknown_field`` error whose
    context names the field (``field``) and the allowed ones (``allowed``);
    :func:`agent.validation.validation_problems` words it for people.
    """

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _known_fields_only(cls, data: Any) -> Any:
        if isinstance(data, dict):
            allowed = list(cls.model_fields)
            unknown = [key for key in data if key not in cls.model_fields]
            if unknown:
                raise PydanticCustomError(
                    "unknown_field", "unknown field {field}; allowed: {allowed}",
                    {"field": str(unknown[0]), "allowed": ", ".join(allowed)})
        return data
