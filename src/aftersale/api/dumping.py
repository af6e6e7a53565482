"""Lists answered without validating every row: the JSON django-ninja would write for a
response schema, built straight from the dicts the read endpoints make.

django-ninja validates a response through pydantic before it writes it, which for a page of
fifty orders with their lines costs more than everything else the request does. The rows are
made by our own code from database columns whose types the schema already states, so a list
endpoint shapes them by the schema (its fields, in its order, nested schemas followed, extra
keys dropped, as ``model_dump`` would) and writes them with django-ninja's own JSON encoder.
The OpenAPI schema is unchanged: the endpoint still declares its response schema, and
tests/api/test_list_dumps.py checks that both ways give the same JSON.
"""

from __future__ import annotations

import json
import types
import typing
from functools import cache

from django.http import HttpResponse
from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel

PLAIN, NESTED, NESTED_LIST = "plain", "nested", "list"


def _model_of(annotation) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


@cache
def _fields(schema: type[BaseModel]) -> tuple[tuple[str, str, type[BaseModel] | None], ...]:
    """(name, how to shape it, nested schema) of every field of ``schema``, in its order."""
    shaped = []
    for name, field in schema.model_fields.items():
        annotation = field.annotation
        origin = typing.get_origin(annotation)
        if origin in (typing.Union, types.UnionType):
            options = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            annotation = options[0] if len(options) == 1 else annotation
            origin = typing.get_origin(annotation)
        if origin is list and _model_of(typing.get_args(annotation)[0]):
            shaped.append((name, NESTED_LIST, typing.get_args(annotation)[0]))
        elif _model_of(annotation):
            shaped.append((name, NESTED, annotation))
        else:
            shaped.append((name, PLAIN, None))
    return tuple(shaped)


def shape(schema: type[BaseModel], row: dict) -> dict:
    """``row`` with the fields of ``schema`` only, in its order, nested schemas shaped too."""
    out = {}
    for name, how, nested in _fields(schema):
        value = row[name]
        if value is None or how == PLAIN:
            out[name] = value
        elif how == NESTED:
            out[name] = shape(nested, value)
        else:
            out[name] = [shape(nested, item) for item in value]
    return out


def json_response(schema: type[BaseModel], data: dict) -> HttpResponse:
    """``data`` shaped by ``schema`` and written as django-ninja writes a validated response."""
    return HttpResponse(
        json.dumps(shape(schema, data), cls=NinjaJSONEncoder),
        content_type="application/json; charset=utf-8",
    )
