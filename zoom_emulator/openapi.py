"""Zoom's official Meetings API spec (openapi/meetings-openapi.json, see its NOTICE.md) as a validator.

The spec is loaded once per process and its local ``$ref``s resolve through a ``referencing`` registry,
so a body is checked against exactly the schema Zoom publishes. The spec is OpenAPI 3.0, whose schema
dialect is closest to JSON Schema draft 4 (boolean ``exclusiveMaximum``, ``$ref`` alone); its extra
keywords (``nullable``, ``example``) are annotations a validator ignores.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SPEC_PATH = Path(__file__).resolve().parent / "openapi" / "meetings-openapi.json"
SPEC_URI = "urn:zoom:meetings-openapi"

# The component schemas the emulator uses, by role.
CREATE_BODY = "UserIdMeetingsBody"
UPDATE_BODY = "MeetingsmeetingIdBody"
CREATE_RESPONSE = "InlineResponse2018"
GET_RESPONSE = "InlineResponse20013"
LIST_RESPONSE = "InlineResponse20028"


@functools.cache
def spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as handle:
        return json.load(handle)


@functools.cache
def _registry() -> Registry:
    return Registry().with_resource(SPEC_URI, Resource.from_contents(spec(), default_specification=DRAFT4))


@functools.cache
def validator(schema_name: str) -> Draft4Validator:
    if schema_name not in spec()["components"]["schemas"]:
        raise KeyError(f"No schema {schema_name!r} in the Meetings spec.")
    return Draft4Validator({"$ref": f"{SPEC_URI}#/components/schemas/{schema_name}"}, registry=_registry())


def first_error(schema_name: str, instance: Any) -> tuple[str, str] | None:
    """The most relevant violation as (field path like ``settings.jbh_time``, message), or None."""
    error: ValidationError | None = best_match(validator(schema_name).iter_errors(instance))
    if error is None:
        return None
    field = ".".join(str(part) for part in error.absolute_path) or "body"
    return field, _describe(error)


def _describe(error: ValidationError) -> str:
    # jsonschema's own messages repeat the offending value, which may be 2,000 characters of agenda.
    expected = error.validator_value
    if error.validator == "type":
        return f"must be of type {expected}"
    if error.validator == "enum":
        return f"must be one of {', '.join(json.dumps(value) for value in expected)}"
    if error.validator == "maxLength":
        return f"must be at most {expected} characters"
    if error.validator in ("maximum", "minimum", "minLength", "maxItems", "minItems"):
        return f"violates {error.validator} {expected}"
    return error.message[:200]


def errors(schema_name: str, instance: Any) -> list[str]:
    """Every violation, for tests that check the emulator's own answers against the spec."""
    found = validator(schema_name).iter_errors(instance)
    return [f"{'.'.join(str(p) for p in e.absolute_path) or 'body'}: {e.message}" for e in found]
