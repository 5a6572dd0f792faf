"""The typed IAM document builders: rendering, merging and the mistakes they refuse."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from components.blocks.iam_documents import (
    ANY_PRINCIPAL,
    Condition,
    PolicyDocument,
    Principal,
    Statement,
    deny_insecure_transport,
    existing_object_tag,
    kms_via_service,
    objects_in,
    principal_tag,
    request_object_tag,
    request_tag,
    service_trust_policy,
)
from contracts.taxonomy import TagKey
from tests.support.harness import record

BUCKET = "arn:aws:s3:::example"


def _read(**overrides: Any) -> Statement:
    fields: dict[str, Any] = {
        "sid": "Read",
        "effect": "Allow",
        "actions": ("s3:GetObject",),
        "resources": (f"{BUCKET}/*",),
    }
    return Statement(**{**fields, **overrides})


def test_document_renders_version_and_statements() -> None:
    """A document carries the 2012-10-17 version (needed for policy variables)."""
    rendered = json.loads(PolicyDocument(_read()).to_json())
    assert rendered == {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{BUCKET}/*"}
        ],
    }


def test_conditions_merge_by_operator_and_keep_several_values_as_a_list() -> None:
    """Conditions with one operator share a block; several values render as a list (OR)."""
    statement = _read(
        conditions=(
            Condition("StringEquals", "s3:ExistingObjectTag/project", "a"),
            Condition("StringEquals", "aws:PrincipalTag/project", "a", "b"),
            Condition("Null", "s3:ExistingObjectTag/project", "false"),
        )
    )
    rendered = PolicyDocument(statement).structure()["Statement"][0]["Condition"]
    assert rendered == {
        "StringEquals": {
            "s3:ExistingObjectTag/project": "a",
            "aws:PrincipalTag/project": ["a", "b"],
        },
        "Null": {"s3:ExistingObjectTag/project": "false"},
    }


def test_the_same_operator_and_key_twice_is_refused() -> None:
    """Two tests on one key would silently overwrite each other in JSON."""
    with pytest.raises(ValueError, match="appears twice"):
        _read(conditions=(Condition("Bool", "k:x", "true"), Condition("Bool", "k:x", "false")))


def test_duplicate_statement_ids_are_refused() -> None:
    """Statement ids must be unique within a document."""
    with pytest.raises(ValueError, match="repeated"):
        PolicyDocument(_read(), _read())


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"sid": "has-dash"}, "letters and digits"),
        ({"effect": "Permit"}, "Allow or Deny"),
        ({"actions": ()}, "at least one action"),
        ({"actions": ("GetObject",)}, "service:Action"),
    ],
)
def test_malformed_statements_are_refused(overrides: dict[str, Any], message: str) -> None:
    """Sid, effect and action mistakes fail at construction, naming what is wrong."""
    with pytest.raises(ValueError, match=message):
        _read(**overrides)


def test_condition_needs_a_value() -> None:
    """A condition without values would match nothing; it is refused."""
    with pytest.raises(ValueError, match="at least one value"):
        Condition("StringEquals", "aws:SourceAccount")


def test_any_principal_renders_as_star_and_named_principals_as_a_map() -> None:
    """`*` stays a bare string; named principals are keyed by their kind."""
    deny = deny_insecure_transport("Tls", ("s3:*",), (BUCKET,))
    rendered = PolicyDocument(deny).structure()["Statement"][0]
    assert rendered["Principal"] == "*"
    assert rendered["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    service = Principal("Service", ("logging.s3.amazonaws.com",))
    assert service._render() == {"Service": "logging.s3.amazonaws.com"}
    assert ANY_PRINCIPAL.kind == "*"


def test_principal_kinds_are_checked() -> None:
    """`*` takes no identifiers; every other kind needs one."""
    with pytest.raises(ValueError, match="no identifiers"):
        Principal("*", ("x",))
    with pytest.raises(ValueError, match="at least one identifier"):
        Principal("AWS")


def test_trust_policy_has_no_resource_and_guards_the_source_account() -> None:
    """Service trust names the service and pins aws:SourceAccount (confused deputy)."""
    (statement,) = service_trust_policy("s3.amazonaws.com", "111122223333").structure()["Statement"]
    assert "Resource" not in statement
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "111122223333"}}
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Sid"] == "TrustService"


def test_trust_policy_narrows_to_source_arn_and_tags_sessions_on_request() -> None:
    """source_arn, sts:TagSession and extra conditions add to the account guard."""
    document = service_trust_policy(
        "datazone.amazonaws.com",
        "111122223333",
        sid="TrustDataZone",
        tag_session=True,
        source_arn="arn:aws:datazone:ap-south-1:111122223333:domain/*",
        conditions=(Condition("ForAllValues:StringLike", "aws:TagKeys", "datazone*"),),
    )
    (statement,) = document.structure()["Statement"]
    assert statement["Sid"] == "TrustDataZone"
    assert statement["Action"] == ["sts:AssumeRole", "sts:TagSession"]
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "111122223333"},
        "ArnLike": {"aws:SourceArn": "arn:aws:datazone:ap-south-1:111122223333:domain/*"},
        "ForAllValues:StringLike": {"aws:TagKeys": "datazone*"},
    }


def test_trust_policy_without_source_account_has_no_condition() -> None:
    """Passing None (EKS control plane, EC2 nodes) leaves the statement unconditioned."""
    (statement,) = service_trust_policy("ec2.amazonaws.com", None).structure()["Statement"]
    assert statement["Principal"] == {"Service": "ec2.amazonaws.com"}
    assert "Condition" not in statement


def test_trust_policy_refuses_a_second_source_account_test() -> None:
    """An extra condition may not restate a guard the builder already writes."""
    with pytest.raises(ValueError, match="appears twice"):
        service_trust_policy(
            "s3.amazonaws.com",
            "111122223333",
            conditions=(Condition("StringEquals", "aws:SourceAccount", "444455556666"),),
        )


def test_tag_condition_keys_come_from_the_taxonomy() -> None:
    """Condition keys and policy variables are spelt from TagKey values."""
    assert principal_tag(TagKey.PROJECT) == "${aws:PrincipalTag/project}"
    assert existing_object_tag(TagKey.DATA_CLASSIFICATION) == (
        "s3:ExistingObjectTag/data-classification"
    )
    assert request_object_tag(TagKey.PROJECT) == "s3:RequestObjectTag/project"
    assert request_tag(TagKey.PROJECT) == "aws:RequestTag/project"


def test_kms_via_service_lists_one_endpoint_per_region() -> None:
    """kms:ViaService names the service endpoint of each region."""
    condition = kms_via_service("s3", ("ap-south-1", "ap-south-2"))
    assert condition.values == ("s3.ap-south-1.amazonaws.com", "s3.ap-south-2.amazonaws.com")


def test_object_prefix_must_end_with_a_slash() -> None:
    """`projects/a` would also match `projects/ab`; prefixes must end with `/`."""
    with pytest.raises(ValueError, match="must end with"):
        objects_in(BUCKET, "projects/a")


def test_render_resolves_outputs_inside_the_document() -> None:
    """render() waits for Outputs anywhere in the tree and returns the JSON string."""
    rendered: list[str] = []

    def build() -> None:
        arn = pulumi.Output.from_input(BUCKET)
        document = PolicyDocument(_read(resources=(objects_in(arn, "projects/a/"),)))
        document.render().apply(rendered.append)

    record(build)
    assert json.loads(rendered[0])["Statement"][0]["Resource"] == f"{BUCKET}/projects/a/*"


def test_for_any_value_string_not_equals_renders_a_key_set_guard() -> None:
    """`ForAnyValue:StringNotEquals` on a multi-valued key (a deny on foreign tag keys)."""
    statement = Statement(
        sid="DenyForeignKeys",
        effect="Deny",
        principal=ANY_PRINCIPAL,
        actions=("s3:PutObjectTagging",),
        resources=(f"{BUCKET}/*",),
        conditions=(
            Condition("ForAnyValue:StringNotEquals", "s3:RequestObjectTagKeys", "project", "x"),
        ),
    )
    rendered = json.loads(PolicyDocument(statement).to_json())["Statement"][0]
    assert rendered["Condition"] == {
        "ForAnyValue:StringNotEquals": {"s3:RequestObjectTagKeys": ["project", "x"]}
    }
