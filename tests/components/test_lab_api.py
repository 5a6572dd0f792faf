"""Lab API: request models and schemas, IAM auth, integrations, stage logging, custom domain."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest

from components.lab.api import LabApi, LabApiArgs, start_execution_template
from components.lab.api_models import (
    DRAFT_4,
    REQUEST_MODELS,
    DatasetRegistration,
    LabEvent,
    LabRequestError,
    api_gateway_schema,
    parse_request,
)
from tests.support.harness import Registered, record

ARGS: LabApiArgs = {
    "state_machine_arn": "arn:aws:states:ap-south-1:111122223333:stateMachine:lab-sync",
    "state_machine_key_arn": "arn:aws:kms:ap-south-1:111122223333:key/lab-sync-execution",
    "table_name": "lab-metadata",
    "table_arn": "arn:aws:dynamodb:ap-south-1:111122223333:table/lab-metadata",
    "kms_key_arn": "arn:aws:kms:ap-south-1:111122223333:key/abc",
    "log_retention_days": 90,
}
DATASET: dict[str, Any] = {
    "datasetId": "ds-001",
    "experimentId": "exp-42",
    "project": "tb-genomics",
    "s3Uri": "s3://gen-prod-raw-sequence/tb-genomics/run-7/",
    "dataType": "raw_sequence",
    "classification": "restricted",
    "tags": {"project": "tb-genomics"},
}
METHOD = "aws:apigateway/method:Method"
INTEGRATION = "aws:apigateway/integration:Integration"


def _run(factory: Callable[[], object]) -> Registered:
    """Record what `factory` registers (record() wants a builder that returns None)."""

    def build() -> None:
        factory()

    return record(build)


@pytest.fixture(scope="module")
def default_api() -> Registered:
    """The API with defaults: SigV4 only, execute-api endpoint, no API keys."""
    return _run(lambda: LabApi("lab-api", ARGS))


@pytest.fixture(scope="module")
def domain_api() -> Registered:
    """The API behind a custom domain with Cognito and API keys."""
    return _run(
        lambda: LabApi(
            "lab-api",
            {
                **ARGS,
                "domain_name": "lab-api.example.org",
                "certificate_arn": "arn:aws:acm:ap-south-1:111122223333:certificate/abc",
                "cognito_user_pool_arns": [
                    "arn:aws:cognito-idp:ap-south-1:111122223333:userpool/ap-south-1_abc"
                ],
                "api_keys_enabled": True,
            },
        )
    )


# ---- request models ----


def test_valid_dataset_parses() -> None:
    """A complete registration is accepted by the model."""
    assert parse_request(DatasetRegistration, DATASET).datasetId == "ds-001"


def test_missing_field_is_named() -> None:
    """A body without s3Uri is rejected with an error naming s3Uri."""
    body = {key: value for key, value in DATASET.items() if key != "s3Uri"}
    with pytest.raises(LabRequestError, match=r"s3Uri: Field required"):
        parse_request(DatasetRegistration, body)


def test_unknown_data_type_lists_the_allowed_ones() -> None:
    """A data type outside the taxonomy names the field and the allowed values."""
    with pytest.raises(LabRequestError, match=r"dataType: .*use one of raw_sequence"):
        parse_request(DatasetRegistration, {**DATASET, "dataType": "fastq"})


def test_reserved_tag_prefix_is_rejected() -> None:
    """Tags S3 would refuse (aws: prefix) are rejected before reaching the tagger."""
    with pytest.raises(LabRequestError, match=r"tags: .*aws: prefix is reserved"):
        parse_request(DatasetRegistration, {**DATASET, "tags": {"aws:x": "1"}})


def test_unexpected_field_is_rejected() -> None:
    """Extra fields are refused so typos do not vanish silently."""
    with pytest.raises(LabRequestError, match=r"bucket: Extra inputs are not permitted"):
        parse_request(DatasetRegistration, {**DATASET, "bucket": "x"})


def test_event_needs_a_timestamp() -> None:
    """An event whose occurredAt is not a date-time is rejected naming occurredAt."""
    body = {"datasetId": "ds-1", "eventType": "qc.passed", "occurredAt": "yesterday", "source": "x"}
    with pytest.raises(LabRequestError, match=r"occurredAt"):
        parse_request(LabEvent, body)


@pytest.mark.parametrize("model", list(REQUEST_MODELS.values()), ids=list(REQUEST_MODELS))
def test_api_gateway_schemas_are_draft_4(model: type[Any]) -> None:
    """Each model's API schema declares draft 4 and is a valid draft-4 schema."""
    schema = api_gateway_schema(model)
    assert schema["$schema"] == DRAFT_4
    jsonschema.Draft4Validator.check_schema(schema)


def test_api_gateway_schema_rejects_what_the_model_rejects() -> None:
    """The schema API Gateway enforces refuses a bad project slug and a missing field too."""
    validator = jsonschema.Draft4Validator(api_gateway_schema(DatasetRegistration))
    assert validator.is_valid(DATASET)
    assert not validator.is_valid({**DATASET, "project": "TB Genomics"})
    assert not validator.is_valid({key: v for key, v in DATASET.items() if key != "tags"})


# ---- resources ----


def test_every_method_requires_sigv4_by_default(default_api: Registered) -> None:
    """All four methods use AWS_IAM authorization."""
    methods = default_api.of_type(METHOD)
    assert len(methods) == 4
    assert {m.inputs["authorization"] for m in methods} == {"AWS_IAM"}


def test_cognito_pools_replace_sigv4_when_given(domain_api: Registered) -> None:
    """With user pools every method uses the Cognito authorizer."""
    methods = domain_api.of_type(METHOD)
    assert {m.inputs["authorization"] for m in methods} == {"COGNITO_USER_POOLS"}
    assert all(m.inputs.get("authorizerId") for m in methods)


def test_post_bodies_are_validated_against_models(default_api: Registered) -> None:
    """POST methods name a request model and the body validator."""
    posts = [m for m in default_api.of_type(METHOD) if m.inputs["httpMethod"] == "POST"]
    assert len(posts) == 3
    assert all(m.inputs["requestModels"]["application/json"] for m in posts)
    validators = default_api.of_type("aws:apigateway/requestValidator:RequestValidator")
    assert any(v.inputs["validateRequestBody"] for v in validators)


def test_writes_start_the_sync_workflow_directly(default_api: Registered) -> None:
    """POST integrations call states:action/StartExecution with a role and no passthrough."""
    posts = [i for i in default_api.of_type(INTEGRATION) if "states:action" in i.inputs["uri"]]
    assert len(posts) == 3
    for integration in posts:
        assert integration.inputs["uri"].endswith(":states:action/StartExecution")
        assert integration.inputs["type"] == "AWS"
        assert integration.inputs["passthroughBehavior"] == "NEVER"
        assert integration.inputs["credentials"].startswith("arn:aws:iam::")


def test_reads_are_a_dynamodb_get_item(default_api: Registered) -> None:
    """GET /datasets/{datasetId} maps to GetItem on the table's DATASET# key."""
    (read,) = [i for i in default_api.of_type(INTEGRATION) if "dynamodb" in i.inputs["uri"]]
    assert read.inputs["uri"].endswith(":dynamodb:action/GetItem")
    request = json.loads(read.inputs["requestTemplates"]["application/json"])
    assert request["TableName"] == "lab-metadata"
    assert request["Key"]["pk"]["S"].startswith("DATASET#")


def test_start_execution_template_embeds_the_body_as_a_string() -> None:
    """The template names the state machine and passes the body escaped inside `input`."""
    template = start_execution_template("arn:sm", "dataset", cognito=False)
    assert '"stateMachineArn": "arn:sm"' in template
    assert "$util.escapeJavaScript($input.json('$'))" in template
    assert '\\"kind\\": \\"dataset\\"' in template


def test_integration_role_may_only_start_and_read(default_api: Registered) -> None:
    """The integration role starts executions (with their data key), reads items, decrypts."""
    (policy,) = [
        p for p in default_api.of_type("aws:iam/rolePolicy:RolePolicy") if "integration" in p.name
    ]
    document = json.loads(policy.inputs["policy"])
    actions = {a for s in document["Statement"] for a in s["Action"]}
    assert actions == {
        "states:StartExecution",
        "dynamodb:GetItem",
        "kms:Decrypt",
        "kms:GenerateDataKey",
    }


def test_stage_logs_json_access_logs_and_traces(default_api: Registered) -> None:
    """The stage writes JSON access logs to the encrypted log group and has X-Ray on."""
    stage = default_api.one("aws:apigateway/stage:Stage")
    assert stage.inputs["xrayTracingEnabled"] is True
    fmt = json.loads(stage.inputs["accessLogSettings"]["format"])
    assert fmt["requestId"] == "$context.requestId"
    log_group = default_api.one("aws:cloudwatch/logGroup:LogGroup")
    assert log_group.inputs["retentionInDays"] == 90
    assert log_group.inputs["kmsKeyId"] == ARGS["kms_key_arn"]


def test_method_settings_enable_metrics_and_throttle(default_api: Registered) -> None:
    """All methods emit metrics, log at INFO without bodies, and are throttled."""
    settings = default_api.one("aws:apigateway/methodSettings:MethodSettings").inputs["settings"]
    assert settings["metricsEnabled"] is True
    assert settings["loggingLevel"] == "INFO"
    assert settings["dataTraceEnabled"] is False
    assert settings["throttlingRateLimit"] == 50


def test_api_is_regional(default_api: Registered) -> None:
    """The REST API uses a REGIONAL endpoint."""
    api = default_api.one("aws:apigateway/restApi:RestApi")
    assert api.inputs["endpointConfiguration"]["types"] == "REGIONAL"


def test_no_custom_domain_without_one(default_api: Registered) -> None:
    """Without a domain nothing domain-related is created."""
    assert default_api.of_type("aws:apigateway/domainName:DomainName") == []


def test_custom_domain_enforces_tls_1_2(domain_api: Registered) -> None:
    """A given domain gets a REGIONAL domain name with TLS_1_2 and a base path mapping."""
    domain = domain_api.one("aws:apigateway/domainName:DomainName")
    assert domain.inputs["securityPolicy"] == "TLS_1_2"
    assert domain.inputs["endpointConfiguration"]["types"] == "REGIONAL"
    assert domain.inputs["regionalCertificateArn"].startswith("arn:aws:acm:")
    domain_api.one("aws:apigateway/basePathMapping:BasePathMapping")


def test_custom_domain_disables_the_default_endpoint(domain_api: Registered) -> None:
    """Clients cannot bypass the TLS 1.2 domain through execute-api."""
    api = domain_api.one("aws:apigateway/restApi:RestApi")
    assert api.inputs["disableExecuteApiEndpoint"] is True


def test_api_keys_come_with_a_usage_plan(domain_api: Registered) -> None:
    """With keys on, methods require one and a throttled usage plan binds it."""
    assert all(m.inputs["apiKeyRequired"] for m in domain_api.of_type(METHOD))
    plan = domain_api.one("aws:apigateway/usagePlan:UsagePlan")
    assert plan.inputs["throttleSettings"]["rateLimit"] == 50
    domain_api.one("aws:apigateway/usagePlanKey:UsagePlanKey")


def test_domain_without_certificate_is_refused() -> None:
    """A domain name alone names both inputs in the error."""
    with pytest.raises(ValueError, match="domain_name and certificate_arn go together"):
        _run(lambda: LabApi("lab-api", {**ARGS, "domain_name": "lab.example.org"}))


def _trigger(registered: Registered) -> str:
    deployment = registered.one("aws:apigateway/deployment:Deployment")
    return str(deployment.inputs["triggers"]["configuration"])


def test_a_changed_integration_request_template_redeploys(default_api: Registered) -> None:
    """The request templates embed the workflow ARN and table name: a change to either must
    change the deployment trigger, or the stage keeps serving the old mapping."""
    other_machine = _run(
        lambda: LabApi(
            "lab-api",
            {**ARGS, "state_machine_arn": f"{ARGS['state_machine_arn']}-v2"},
        )
    )
    other_table = _run(lambda: LabApi("lab-api", {**ARGS, "table_name": "lab-metadata-v2"}))
    assert _trigger(other_machine) != _trigger(default_api)
    assert _trigger(other_table) != _trigger(default_api)
    assert _trigger(_run(lambda: LabApi("lab-api", ARGS))) == _trigger(default_api)
