"""Request models of the lab API, and the JSON schemas API Gateway validates bodies against.

One set of pydantic models is the contract: API Gateway rejects a malformed body before it
reaches Step Functions using the draft-4 JSON schema derived from each model
(`api_gateway_schema`), and lab-software teams and tests parse payloads with the same models
to get one clear error naming the field. Pure Python with no Pulumi import.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Final, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from contracts.names import PROJECT_SLUG_PATTERN
from contracts.taxonomy import CATEGORIES, CLASSIFICATIONS, validate_tag_set

__all__ = [
    "DRAFT_4",
    "EVENT_TYPES",
    "REQUEST_MODELS",
    "DatasetRegistration",
    "ExperimentRegistration",
    "LabEvent",
    "LabRequestError",
    "api_gateway_schema",
    "parse_request",
]

DRAFT_4: Final = "http://json-schema.org/draft-04/schema#"
"""API Gateway models are JSON Schema draft 4."""

EVENT_TYPES: Final = (
    "instrument.run.started",
    "instrument.run.completed",
    "instrument.run.failed",
    "eln.entry.updated",
    "qc.passed",
    "qc.failed",
)
"""Lab events the API accepts; the metadata store and the bus carry them unchanged."""

_DATA_TYPES: Final = tuple(category.name for category in CATEGORIES)
_MAX_DESCRIPTION: Final = 1024


def _one_of(allowed: tuple[str, ...], what: str) -> AfterValidator:
    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"{value!r} is not a {what}; use one of {', '.join(allowed)}")
        return value

    return AfterValidator(check)


def _valid_tags(tags: dict[str, str]) -> dict[str, str]:
    found = validate_tag_set(tags)
    if found:
        raise ValueError("; ".join(str(problem) for problem in found))
    return tags


Identifier = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="Letters, digits, '.', '_' or '-', starting with a letter or digit.",
    ),
]
ProjectSlug = Annotated[
    str,
    Field(pattern=PROJECT_SLUG_PATTERN.pattern, description="A research project slug."),
]
DataType = Annotated[
    str,
    Field(json_schema_extra={"enum": list(_DATA_TYPES)}),
    _one_of(_DATA_TYPES, "data type"),
]
Classification = Annotated[
    str,
    Field(json_schema_extra={"enum": list(CLASSIFICATIONS)}),
    _one_of(CLASSIFICATIONS, "classification"),
]
EventType = Annotated[
    str,
    Field(json_schema_extra={"enum": list(EVENT_TYPES)}),
    _one_of(EVENT_TYPES, "lab event type"),
]
S3Prefix = Annotated[
    str,
    Field(
        max_length=1024,
        pattern=r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[^\s]+/$",
        description="s3://bucket/prefix/ of the dataset's objects (ends with '/').",
    ),
]
Text = Annotated[str, Field(max_length=_MAX_DESCRIPTION)]
Tags = Annotated[
    dict[str, Annotated[str, Field(max_length=256)]],
    Field(max_length=10, description="Object tags for the dataset's prefix (S3 allows 10)."),
    AfterValidator(_valid_tags),
]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExperimentRegistration(_Request):
    """POST /experiments: an experiment the ELN or LIMS has opened."""

    experimentId: Identifier  # noqa: N815 - wire names are the API's camelCase
    project: ProjectSlug
    title: Annotated[str, Field(min_length=1, max_length=256)]
    elnEntryId: Identifier | None = None  # noqa: N815
    principalInvestigator: Annotated[str, Field(max_length=128)] = ""  # noqa: N815
    description: Text = ""


class DatasetRegistration(_Request):
    """POST /datasets: a dataset an instrument or pipeline has written under an S3 prefix."""

    datasetId: Identifier  # noqa: N815
    experimentId: Identifier  # noqa: N815
    project: ProjectSlug
    s3Uri: S3Prefix  # noqa: N815
    dataType: DataType  # noqa: N815
    classification: Classification
    tags: Tags
    instrument: Annotated[str, Field(max_length=128)] = ""
    description: Text = ""


class LabEvent(_Request):
    """POST /events: something an instrument or the ELN reports about a dataset."""

    datasetId: Identifier  # noqa: N815
    eventType: EventType  # noqa: N815
    occurredAt: datetime  # noqa: N815
    source: Annotated[str, Field(min_length=1, max_length=128)]
    attributes: Annotated[
        dict[str, Annotated[str, Field(max_length=256)]], Field(max_length=20)
    ] = Field(default_factory=dict)


REQUEST_MODELS: Final[dict[str, type[_Request]]] = {
    "experiments": ExperimentRegistration,
    "datasets": DatasetRegistration,
    "events": LabEvent,
}
"""Model of each POST route, by path part."""


_M = TypeVar("_M", bound=_Request)


class LabRequestError(ValueError):
    """A payload the API would reject; the message names every bad field and what it expects."""


def parse_request(model: type[_M], payload: Any) -> _M:
    """Parse `payload` into `model`, raising one LabRequestError naming each bad field."""
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        lines = [
            f"{'.'.join(str(part) for part in item['loc']) or '<body>'}: {item['msg']}"
            for item in error.errors()
        ]
        raise LabRequestError(f"{model.__name__} is invalid: " + "; ".join(lines)) from None


# ---- draft-4 schema for API Gateway ----

_DROP: Final = frozenset({"title"})
_UNSUPPORTED: Final = frozenset({"$ref", "$defs", "const", "propertyNames", "if", "then"})


def _draft4(node: Any, where: str) -> Any:
    if isinstance(node, list):
        return [_draft4(item, where) for item in node]
    if not isinstance(node, dict):
        return node
    unsupported = _UNSUPPORTED & node.keys()
    if unsupported:
        raise ValueError(f"{where}: {sorted(unsupported)} are not JSON Schema draft 4")
    if "anyOf" in node:
        options = [option for option in node["anyOf"] if option != {"type": "null"}]
        if len(options) != 1:
            raise ValueError(f"{where}: only `X | None` unions can be expressed for API Gateway")
        rest = {key: value for key, value in node.items() if key != "anyOf"}
        return _draft4({**options[0], **rest}, where)
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROP:
            continue
        if key == "properties":
            result[key] = {name: _draft4(sub, f"{where}.{name}") for name, sub in value.items()}
        elif key == "default" and value is None:
            continue
        else:
            result[key] = _draft4(value, where)
    return result


def api_gateway_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model as a draft-4 JSON schema API Gateway accepts (optional fields may be omitted).

    An optional `X | None` field becomes plain `X` that may be left out, since API Gateway
    cannot express `null` alternatives and clients omit such fields anyway.
    """
    schema = _draft4(model.model_json_schema(mode="validation"), model.__name__)
    return {"$schema": DRAFT_4, "title": model.__name__, **schema}
