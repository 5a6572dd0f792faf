"""Lambda hygiene rules, through the real pack process."""

from __future__ import annotations

import pytest

from tests.policies.rule_cases import (
    Case,
    four_way_tests,
    hits,
    variant,
    variant_tests,
)
from tests.support.pack import FakeResource, PackClient

pytestmark = pytest.mark.policy

FUNCTION = "aws:lambda/function:Function"
PERMISSION = "aws:lambda/permission:Permission"
RUNTIME = "lambda-function-supported-runtime"
SOURCE = "lambda-permission-source-restricted"
TRACING = "lambda-function-tracing-active"
SECRETS = "lambda-function-env-no-secrets"
SECRET_ARN = "arn:aws:secretsmanager:ap-south-1:111122223333:secret:partner-sftp"
FUNCTION_PROPS = {
    "runtime": "python3.12",
    "handler": "functions.object_tagger.handler.lambda_handler",
    "tracingConfig": {"mode": "Active"},
    "environment": {
        "variables": {
            "POWERTOOLS_SERVICE_NAME": "object-tagger",
            "PARTNER_TOKEN_SECRET_ARN": SECRET_ARN,
            "API_TOKEN_PARAMETER": "/genomics/partner/token",
        }
    },
}

_CASES = [
    Case(RUNTIME, FUNCTION, FUNCTION_PROPS, unknown="runtime"),
    Case(
        SOURCE,
        PERMISSION,
        {
            "action": "lambda:InvokeFunction",
            "function": "object-tagger",
            "principal": "s3.amazonaws.com",
            "sourceArn": "arn:aws:s3:::gen-prod-raw-sequence-ap-south-1",
            "sourceAccount": "111122223333",
        },
        unknown="sourceArn",
    ),
    Case(TRACING, FUNCTION, FUNCTION_PROPS, unknown="tracingConfig"),
    Case(SECRETS, FUNCTION, FUNCTION_PROPS, unknown="environment"),
]
CASES = {case.id: case for case in _CASES}

MUTATIONS = [
    pytest.param(
        f"{RUNTIME}@lambda/function",
        {"runtime": "python3.8"},
        "runs on python3.8, which is not a supported runtime",
        id="runtime-python38",
    ),
    pytest.param(
        f"{RUNTIME}@lambda/function",
        {"runtime": "nodejs16.x"},
        "runs on nodejs16.x",
        id="runtime-node16",
    ),
    pytest.param(
        f"{SOURCE}@lambda/permission",
        {"sourceArn": None},
        "for any source (no sourceArn)",
        id="permission-no-arn",
    ),
    pytest.param(
        f"{SOURCE}@lambda/permission",
        {"sourceAccount": None},
        "from any account (no sourceAccount)",
        id="permission-no-account",
    ),
    pytest.param(
        f"{TRACING}@lambda/function",
        {"tracingConfig": None},
        "has tracing mode PassThrough, not Active",
        id="tracing-default",
    ),
    pytest.param(
        f"{SECRETS}@lambda/function",
        {"environment": {"variables": {"DB_PASSWORD": "hunter2"}}},
        "environment variable DB_PASSWORD holds a literal value",
        id="secret-password",
    ),
    pytest.param(
        f"{SECRETS}@lambda/function",
        {"environment": {"variables": {"partner_api_token": "abc123"}}},
        "environment variable partner_api_token holds a literal value",
        id="secret-lowercase-token",
    ),
]


(
    test_compliant_baseline_passes,
    test_mutation_is_reported,
    test_unknown_input_is_never_mandatory,
    test_unrelated_type_is_ignored,
) = four_way_tests(CASES, MUTATIONS)


VARIANTS = [
    variant(f"{RUNTIME}@lambda/function", "case-and-type", {"runtime": "Python3.8"}, "Python3.8"),
    variant(f"{RUNTIME}@lambda/function", "equivalent-value", {"runtime": "python3.13"}, None),
    variant(
        f"{SOURCE}@lambda/permission",
        "principal-widening",
        {"principal": "*", "sourceArn": None, "sourceAccount": None},
        "lets anyone (principal *) invoke",
    ),
    variant(
        f"{SOURCE}@lambda/permission",
        "wildcard-value",
        {"sourceArn": "arn:aws:s3:::*"},
        "for any source (sourceArn arn:aws:s3:::*)",
    ),
    variant(f"{SOURCE}@lambda/permission", "wildcard-value", {"sourceArn": "*"}, "any source"),
    variant(
        f"{SOURCE}@lambda/permission",
        "wildcard-value",
        {"sourceAccount": "*"},
        "from any account (no sourceAccount: *)",
    ),
    variant(
        f"{SOURCE}@lambda/permission",
        "case-and-type",
        {"principal": "S3.AMAZONAWS.COM", "sourceArn": None},
        "for any source (no sourceArn)",
    ),
    variant(
        f"{SOURCE}@lambda/permission",
        "principal-narrowing",
        {"sourceArn": "arn:aws:s3:::gen-prod-raw-sequence-*"},
        None,
    ),
    variant(
        f"{SOURCE}@lambda/permission",
        "wildcard-value",
        {"sourceArn": "arn:aws:events:ap-south-1:*:rule/nightly"},
        "for any source (sourceArn arn:aws:events:ap-south-1:*:rule/nightly)",
    ),
    variant(
        f"{SOURCE}@lambda/permission",
        "principal-narrowing",
        {
            "principal": "logs.amazonaws.com",
            "sourceArn": "arn:aws:logs:ap-south-1:111122223333:log-group:/aws/app:*",
        },
        None,
    ),
    variant(
        f"{TRACING}@lambda/function",
        "equivalent-value",
        {"tracingConfig": {"mode": "PassThrough"}},
        "has tracing mode PassThrough",
    ),
    variant(
        f"{SECRETS}@lambda/function",
        "json-vs-object",
        {"environment": '{"variables": {"DB_PASSWORD": "hunter2"}}'},
        "environment variable DB_PASSWORD holds a literal value",
    ),
    variant(
        f"{SECRETS}@lambda/function",
        "equivalent-value",
        {"environment": {"variables": {"DB_PASSWORD": "{{resolve:secretsmanager:db}}"}}},
        None,
    ),
]

test_adversarial_variant = variant_tests(CASES, VARIANTS)


def test_container_image_functions_have_no_runtime_to_check(pack: PackClient) -> None:
    """Image-packaged functions bring their own runtime."""
    image = FakeResource(FUNCTION, "aligner", {"packageType": "Image", "imageUri": "x:1"})
    assert hits(pack.analyze(image), RUNTIME) == []


def test_events_permission_needs_source_account_but_sns_does_not(pack: PackClient) -> None:
    """sourceAccount is required for S3 and EventBridge; SNS topic ARNs already name it."""
    events = FakeResource(
        PERMISSION, "events", {"principal": "events.amazonaws.com", "sourceArn": "arn:rule"}
    )
    sns = FakeResource(PERMISSION, "sns", {"principal": "sns.amazonaws.com", "sourceArn": "arn:t"})
    assert [e for e, _, _ in hits(pack.analyze(events), SOURCE)] == ["mandatory"]
    assert hits(pack.analyze(sns), SOURCE) == []


def test_account_principal_permission_is_out_of_scope(pack: PackClient) -> None:
    """Cross-account grants to an account principal are not service permissions."""
    fake = FakeResource(PERMISSION, "partner", {"principal": "111122223333"})
    assert hits(pack.analyze(fake), SOURCE) == []


def test_allowed_runtimes_are_configurable(pack: PackClient) -> None:
    """allowedRuntimes can retire a runtime before AWS does."""
    pack.configure({RUNTIME: {"allowedRuntimes": ["python3.13"]}})
    found = pack.analyze(FakeResource(FUNCTION, "f", {"runtime": "python3.12"}))
    assert [e for e, _, _ in hits(found, RUNTIME)] == ["mandatory"]
