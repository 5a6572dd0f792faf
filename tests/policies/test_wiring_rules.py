"""Wiring rules: every own-account ARN a policy names is something the stack creates.

Each test sends a small stack through the real pack process (AnalyzeStack), the way the engine
does, and reads back the violations of one rule.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.policies.rule_cases import hits, stack_variant, stack_variant_tests
from tests.support.pack import UNKNOWN, FakeResource, PackClient

pytestmark = pytest.mark.policy

PRINCIPALS = "iam-policy-principals-exist"
RESOURCES = "iam-policy-resources-exist"
ACCOUNT = "111122223333"
ROLE = "aws:iam/role:Role"
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
TAGGER_ARN = f"arn:aws:iam::{ACCOUNT}:role/lab-object-tagger-role"
BUCKET_ARN = "arn:aws:s3:::lab-raw-ap-south-1"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


def _doc(*statements: dict[str, Any], as_text: bool = True) -> Any:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    return json.dumps(document) if as_text else document


def _deny_tagging_except(arn: Any) -> dict[str, Any]:
    return {
        "Sid": "DenyTagWritesExceptTagger",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:PutObjectTagging",
        "Resource": f"{BUCKET_ARN}/*",
        "Condition": {"ArnNotLike": {"aws:PrincipalArn": arn}},
    }


def _tagger(**props: Any) -> FakeResource:
    return FakeResource(
        ROLE,
        "lab-tagger-role",
        {"name": "lab-object-tagger-role", "assumeRolePolicy": TRUST, **props},
    )


def _bucket_stack(policy: Any, *, role: FakeResource | None = None) -> list[FakeResource]:
    return [
        role or _tagger(),
        FakeResource(BUCKET, "raw", {"bucket": "lab-raw-ap-south-1"}),
        FakeResource(
            BUCKET_POLICY,
            "raw-policy",
            {"bucket": "lab-raw-ap-south-1", "policy": policy},
            depends_on={"bucket": ["raw"]},
        ),
    ]


# ---- principals ----


@pytest.mark.parametrize(
    "policy",
    [
        pytest.param(_doc(_deny_tagging_except(TAGGER_ARN)), id="json-text-single-value"),
        pytest.param(_doc(_deny_tagging_except([TAGGER_ARN]), as_text=False), id="object-list"),
        pytest.param(
            _doc({**_deny_tagging_except(TAGGER_ARN), "Principal": {"AWS": [TAGGER_ARN]}}),
            id="principal-list",
        ),
        pytest.param(
            _doc(
                _deny_tagging_except(
                    f"arn:aws:sts::{ACCOUNT}:assumed-role/lab-object-tagger-role/s"
                )
            ),
            id="assumed-role-session",
        ),
    ],
)
def test_principal_the_stack_creates_passes(pack: PackClient, policy: Any) -> None:
    """A role named by its exact ARN, in any document or value shape, resolves."""
    assert hits(pack.analyze_stack(_bucket_stack(policy)), PRINCIPALS) == []


def test_misspelled_principal_in_condition_is_reported(pack: PackClient) -> None:
    """The tagger exemption naming `...-tagger` while the role is `...-tagger-role` is caught."""
    wrong = f"arn:aws:iam::{ACCOUNT}:role/lab-object-tagger"
    found = hits(pack.analyze_stack(_bucket_stack(_doc(_deny_tagging_except(wrong)))), PRINCIPALS)
    assert [(e, name) for e, name, _ in found] == [("mandatory", "raw-policy")]
    message = found[0][2]
    assert f"names role {wrong} in Condition aws:PrincipalArn" in message
    assert "creates no role 'lab-object-tagger'" in message
    assert "(nearest: lab-object-tagger-role)" in message


def test_missing_principal_in_principal_element_is_reported(pack: PackClient) -> None:
    """A Principal naming a role nobody creates is caught, with the statement named."""
    statement = {
        "Sid": "ReadForAnalysts",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/analysts"},
        "Action": "s3:GetObject",
        "Resource": f"{BUCKET_ARN}/*",
    }
    found = hits(pack.analyze_stack(_bucket_stack(_doc(statement))), PRINCIPALS)
    assert len(found) == 1
    assert "statement ReadForAnalysts names role" in found[0][2]
    assert "in Principal" in found[0][2]


def test_role_path_is_part_of_the_name(pack: PackClient) -> None:
    """A role with a path resolves only with the path in the ARN."""
    role = _tagger(path="/service/")
    with_path = f"arn:aws:iam::{ACCOUNT}:role/service/lab-object-tagger-role"
    ok = pack.analyze_stack(_bucket_stack(_doc(_deny_tagging_except(with_path)), role=role))
    assert hits(ok, PRINCIPALS) == []
    bad = pack.analyze_stack(_bucket_stack(_doc(_deny_tagging_except(TAGGER_ARN)), role=role))
    assert len(hits(bad, PRINCIPALS)) == 1


def test_auto_named_role_resolves_by_its_logical_name(pack: PackClient) -> None:
    """Pulumi names a role without `name` `<logical>-<7 chars>`; such an ARN is the stack's."""
    role = FakeResource(ROLE, "lab-tagger-role", {"assumeRolePolicy": TRUST})
    arn = f"arn:aws:iam::{ACCOUNT}:role/lab-tagger-role-1a2b3c4"
    found = pack.analyze_stack(_bucket_stack(_doc(_deny_tagging_except(arn)), role=role))
    assert hits(found, PRINCIPALS) == []


def test_wildcard_principal_pattern_must_match_a_created_role(pack: PackClient) -> None:
    """`role/lab-object-*` matches the tagger; `role/ops-*` matches nothing the stack creates."""
    ok = pack.analyze_stack(
        _bucket_stack(_doc(_deny_tagging_except(f"arn:aws:iam::{ACCOUNT}:role/lab-object-*")))
    )
    assert hits(ok, PRINCIPALS) == []
    bad = pack.analyze_stack(
        _bucket_stack(_doc(_deny_tagging_except(f"arn:aws:iam::{ACCOUNT}:role/ops-*")))
    )
    assert len(hits(bad, PRINCIPALS)) == 1


def test_other_accounts_and_account_roots_are_not_the_stacks_business(pack: PackClient) -> None:
    """A partner account's role and `:root` principals are outside this check."""
    statement = {
        "Effect": "Allow",
        "Principal": {
            "AWS": [f"arn:aws:iam::{ACCOUNT}:root", "arn:aws:iam::444455556666:role/partner"]
        },
        "Action": "s3:GetObject",
        "Resource": f"{BUCKET_ARN}/*",
    }
    stack = _bucket_stack(_doc(statement, _deny_tagging_except(TAGGER_ARN)))
    assert hits(pack.analyze_stack(stack), PRINCIPALS) == []


def test_external_principal_is_exempted_by_config(pack: PackClient) -> None:
    """A CI role listed in externalArns is accepted; others still are not."""
    ci = f"arn:aws:iam::{ACCOUNT}:role/ci-deployer"
    wrong = f"arn:aws:iam::{ACCOUNT}:role/lab-object-tagger"
    stack = _bucket_stack(_doc(_deny_tagging_except([ci, wrong])))
    assert len(hits(pack.analyze_stack(stack), PRINCIPALS)) == 2
    pack.configure({PRINCIPALS: {"externalArns": ["arn:aws:iam::*:role/ci-*"]}})
    found = hits(pack.analyze_stack(stack), PRINCIPALS)
    assert len(found) == 1
    assert "role/lab-object-tagger in" in found[0][2]


@pytest.mark.parametrize(
    "arn",
    [
        pytest.param(
            f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/"
            "AWSServiceRoleForAutoScaling",
            id="service-linked",
        ),
        pytest.param(
            f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_1",
            id="identity-center",
        ),
    ],
)
def test_roles_aws_creates_are_external_by_default(pack: PackClient, arn: str) -> None:
    """Service-linked and IAM Identity Center roles exist without the stack creating them."""
    stack = _bucket_stack(_doc(_deny_tagging_except([TAGGER_ARN, arn])))
    assert hits(pack.analyze_stack(stack), PRINCIPALS) == []


def test_own_account_is_configurable(pack: PackClient) -> None:
    """With accountIds naming another account, this account's ARNs are external."""
    wrong = f"arn:aws:iam::{ACCOUNT}:role/lab-object-tagger"
    stack = _bucket_stack(_doc(_deny_tagging_except(wrong)))
    pack.configure({PRINCIPALS: {"accountIds": ["444455556666"]}})
    assert hits(pack.analyze_stack(stack), PRINCIPALS) == []


def test_trust_and_inline_policies_are_read(pack: PackClient) -> None:
    """A trust policy and a role's inline policy naming a missing role are both reported."""
    missing = f"arn:aws:iam::{ACCOUNT}:role/ci-deployer"
    trust = _doc({"Effect": "Allow", "Principal": {"AWS": missing}, "Action": "sts:AssumeRole"})
    inline = {
        "name": "assume",
        "policy": _doc(
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": "*",
                "Condition": {"ArnEquals": {"aws:SourceArn": missing}},
            }
        ),
    }
    role = FakeResource(
        ROLE, "deploy", {"name": "deploy", "assumeRolePolicy": trust, "inlinePolicies": [inline]}
    )
    found = hits(pack.analyze_stack([role]), PRINCIPALS)
    messages = sorted(m.splitlines()[-1] for _, _, m in found)
    assert len(messages) == 2
    assert messages[0].startswith("deploy (inline assume): statement (no Sid) names role")
    assert messages[1].startswith("deploy (trust policy): statement (no Sid) names role")


def test_unknown_document_is_never_mandatory_and_others_still_count(pack: PackClient) -> None:
    """A policy unknown until update is advisory; a known wrong one beside it stays mandatory."""
    wrong = f"arn:aws:iam::{ACCOUNT}:role/lab-object-tagger"
    stack = _bucket_stack(_doc(_deny_tagging_except(wrong)))
    stack.append(FakeResource(ROLE_POLICY, "later", {"role": "r", "policy": UNKNOWN}))
    found = hits(pack.analyze_stack(stack), PRINCIPALS)
    levels = sorted(e for e, _, _ in found)
    assert levels == ["advisory", "mandatory"]
    advisory = next(m for e, _, m in found if e == "advisory")
    assert "cannot be checked until update: later.policy" in advisory


def test_unknown_role_name_makes_an_unmatched_principal_wait(pack: PackClient) -> None:
    """While a role's name is unknown, an ARN no other role matches may be that role."""
    role = _tagger(name=UNKNOWN)
    stack = _bucket_stack(_doc(_deny_tagging_except(TAGGER_ARN)), role=role)
    found = hits(pack.analyze_stack(stack), PRINCIPALS)
    assert [e for e, _, _ in found] == ["advisory"]
    assert "cannot be checked until update" in found[0][2]


def test_stack_without_documents_is_quiet(pack: PackClient) -> None:
    """Unrelated resources raise nothing."""
    fakes = [FakeResource("aws:ec2/vpc:Vpc", "vpc", {"cidrBlock": "10.0.0.0/16"})]
    assert hits(pack.analyze_stack(fakes), PRINCIPALS) == []
    assert hits(pack.analyze_stack(fakes), RESOURCES) == []


# ---- resources ----

TABLE = "aws:dynamodb/table:Table"
TOPIC = "aws:sns/topic:Topic"
KEY = "aws:kms/key:Key"


def _reader(*resources: str, depends_on: dict[str, list[str]] | None = None) -> FakeResource:
    statement = {"Effect": "Allow", "Action": "*", "Resource": list(resources)}
    return FakeResource(
        ROLE_POLICY, "reader", {"role": "r", "policy": _doc(statement)}, depends_on=depends_on or {}
    )


def _stores() -> list[FakeResource]:
    return [
        FakeResource(BUCKET, "raw", {"bucket": "lab-raw-ap-south-1"}),
        FakeResource(TABLE, "metadata", {"name": "lab-metadata"}),
        FakeResource(TOPIC, "alerts", {"name": "lab-alerts"}),
        FakeResource(KEY, "data-key", {"description": "data"}),
    ]


def test_resources_the_stack_creates_pass(pack: PackClient) -> None:
    """Bucket and object ARNs, a table index, a topic and a key taken from its output resolve."""
    reader = _reader(
        BUCKET_ARN,
        f"{BUCKET_ARN}/projects/*",
        f"arn:aws:dynamodb:ap-south-1:{ACCOUNT}:table/lab-metadata/index/*",
        f"arn:aws:sns:ap-south-1:{ACCOUNT}:lab-alerts",
        f"arn:aws:kms:ap-south-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        depends_on={"policy": ["data-key"]},
    )
    assert hits(pack.analyze_stack([*_stores(), reader]), RESOURCES) == []


@pytest.mark.parametrize(
    ("arn", "label"),
    [
        pytest.param("arn:aws:s3:::lab-raw-ap-south-2/*", "bucket", id="bucket"),
        pytest.param(f"arn:aws:dynamodb:ap-south-1:{ACCOUNT}:table/lab-meta", "table", id="table"),
        pytest.param(f"arn:aws:sns:ap-south-2:{ACCOUNT}:lab-alerts", "topic", id="topic-region"),
        pytest.param(f"arn:aws:sqs:ap-south-1:{ACCOUNT}:lab-dlq", "queue", id="queue"),
        pytest.param(f"arn:aws:kms:ap-south-1:{ACCOUNT}:alias/lab-data", "key alias", id="alias"),
        pytest.param(
            f"arn:aws:kms:ap-south-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "key",
            id="literal-key-id",
        ),
        pytest.param(f"arn:aws:iam::{ACCOUNT}:role/batch-job", "role", id="passrole-target"),
    ],
)
def test_resource_the_stack_does_not_create_is_reported(
    pack: PackClient, arn: str, label: str
) -> None:
    """Each kind of own-account ARN that names nothing in the stack is reported once."""
    found = hits(pack.analyze_stack([*_stores(), _reader(BUCKET_ARN, arn)]), RESOURCES)
    assert [(e, name) for e, name, _ in found] == [("mandatory", "reader")]
    assert f"names {label} {arn} in Resource" in found[0][2]


def test_principals_in_resource_elements_are_not_reported_twice(pack: PackClient) -> None:
    """A role ARN in Resource is the resource rule's, not the principal rule's."""
    reader = _reader(f"arn:aws:iam::{ACCOUNT}:role/batch-job")
    found = pack.analyze_stack([*_stores(), reader])
    assert hits(found, PRINCIPALS) == []
    assert len(hits(found, RESOURCES)) == 1


def test_unknown_table_name_makes_an_unmatched_table_wait(pack: PackClient) -> None:
    """A table named from another output may be the one the ARN names: advisory only."""
    stores = [FakeResource(TABLE, "metadata", {"name": UNKNOWN})]
    reader = _reader(f"arn:aws:dynamodb:ap-south-1:{ACCOUNT}:table/lab-metadata")
    found = hits(pack.analyze_stack([*stores, reader]), RESOURCES)
    assert [e for e, _, _ in found] == ["advisory"]


# ---- adversarial variants ----

_WRONG_TAGGER = f"arn:aws:iam::{ACCOUNT}:role/lab-object-tagger"
_OTHER_BUCKET = "arn:aws:s3:::lab-raw-ap-south-2"

WIRING_VARIANTS = [
    # The misspelt exemption, hidden in a list beside the real one, is still named.
    stack_variant(
        PRINCIPALS,
        "string-vs-list",
        _bucket_stack(_doc(_deny_tagging_except([TAGGER_ARN, _WRONG_TAGGER]))),
        "raw-policy",
        "creates no role 'lab-object-tagger'",
    ),
    # The same document given as an object rather than JSON text is judged the same.
    stack_variant(
        PRINCIPALS,
        "json-vs-object",
        _bucket_stack(_doc(_deny_tagging_except(_WRONG_TAGGER), as_text=False)),
        "raw-policy",
        "creates no role 'lab-object-tagger'",
    ),
    # A wildcard role name matching the stack's tagger resolves (the widening is another
    # rule's business: iam-deny-exemption-names-principals).
    stack_variant(
        PRINCIPALS,
        "wildcard-value",
        _bucket_stack(_doc(_deny_tagging_except(f"arn:aws:iam::{ACCOUNT}:role/lab-object-*"))),
        "raw-policy",
        None,
    ),
    # Narrowed to one session of the misspelt role: still a role the stack does not create.
    stack_variant(
        PRINCIPALS,
        "principal-narrowing",
        _bucket_stack(
            _doc(_deny_tagging_except(f"arn:aws:sts::{ACCOUNT}:assumed-role/lab-object-tagger/s"))
        ),
        "raw-policy",
        "lab-object-tagger",
    ),
    # The replica bucket of another region is a different bucket: it must exist too.
    stack_variant(
        RESOURCES,
        "case-and-type",
        [*_stores(), _reader(BUCKET_ARN, _OTHER_BUCKET)],
        "reader",
        f"names bucket {_OTHER_BUCKET} in Resource",
    ),
    # An object ARN under a bucket the stack creates resolves, however its key is written.
    stack_variant(
        RESOURCES,
        "equivalent-value",
        [*_stores(), _reader(f"{BUCKET_ARN}/projects/tb-*/raw/?s_*")],
        "reader",
        None,
    ),
]

test_adversarial_wiring_variant = stack_variant_tests(WIRING_VARIANTS)
