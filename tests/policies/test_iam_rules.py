"""Tag-based IAM rules, through the real pack process (the read rule's basics: headline tests)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.policies.rule_cases import (
    Case,
    four_way_tests,
    hits,
)
from tests.support.pack import UNKNOWN, FakeResource, PackClient

pytestmark = pytest.mark.policy

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
MANAGED = "aws:iam/policy:Policy"
LAKE = "arn:aws:s3:::gen-prod-raw-sequence-ap-south-1"
ACCOUNT_ROOT = "arn:aws:iam::111122223333:root"

READ_RULE = "iam-s3-read-requires-object-tag"
UPLOAD_RULE = "iam-s3-upload-requires-request-tag"
TAGGER_RULE = "iam-s3-object-tagging-only-tagger"
WILDCARD_RULE = "iam-s3-no-wildcard-data-actions"
ALLOW_ALL_RULE = "iam-policy-no-allow-all-actions"
KEYS_RULE = "iam-condition-keys-match-actions"
PUBLIC_RULE = "iam-resource-policy-no-public-principal"
TRUST_RULE = "iam-role-trust-no-public-principal"

REQUEST_TAGS = {
    "StringEquals": {
        "s3:RequestObjectTag/project": "${aws:PrincipalTag/project}",
        "s3:RequestObjectTag/data-classification": "${aws:PrincipalTag/data-classification}",
    }
}
EXISTING_TAGS = {
    "StringEquals": {
        "s3:ExistingObjectTag/project": "${aws:PrincipalTag/project}",
        "s3:ExistingObjectTag/data-classification": "${aws:PrincipalTag/data-classification}",
    }
}


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _trust(principal: object) -> str:
    return _doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": principal})


HUMAN_TRUST = _trust({"AWS": ACCOUNT_ROOT})
LAMBDA_TRUST = _trust({"Service": "lambda.amazonaws.com"})


def _statement(
    actions: object, condition: dict[str, Any] | None = None, **more: Any
) -> dict[str, Any]:
    statement = {"Sid": "Lake", "Effect": "Allow", "Action": actions, "Resource": f"{LAKE}/*"}
    if condition:
        statement["Condition"] = condition
    statement.update(more)
    return statement


def _role(name: str, statement: dict[str, Any], trust: str = HUMAN_TRUST) -> list[FakeResource]:
    return [
        FakeResource(ROLE, name, {"assumeRolePolicy": trust}),
        FakeResource(
            ROLE_POLICY,
            f"{name}-policy",
            {"role": name, "policy": _doc(statement)},
            depends_on={"role": [name]},
        ),
    ]


# ---- uploads carry request tags ----

UPLOAD = _statement("s3:PutObject", REQUEST_TAGS)


def test_conditioned_upload_passes(pack: PackClient) -> None:
    """A research role uploading under RequestObjectTag conditions on both keys is compliant."""
    assert hits(pack.analyze_stack(_role("researchers", UPLOAD)), UPLOAD_RULE) == []


@pytest.mark.parametrize(
    ("statement", "fragment"),
    [
        pytest.param(_statement("s3:PutObject"), "on project, data-classification", id="none"),
        pytest.param(
            _statement("s3:PutObject", {"StringEquals": {"s3:RequestObjectTag/project": "x"}}),
            "conditions on data-classification",
            id="one-key",
        ),
        pytest.param(_statement("s3:Put*"), "allows s3:PutObject", id="wildcard"),
    ],
)
def test_unconditioned_upload_is_reported(
    pack: PackClient, statement: dict[str, Any], fragment: str
) -> None:
    """Uploads without request-tag conditions on every ABAC key are reported on the policy."""
    found = hits(pack.analyze_stack(_role("researchers", statement)), UPLOAD_RULE)
    assert [(e, name) for e, name, _ in found] == [("mandatory", "researchers-policy")]
    assert fragment in found[0][2]


def test_service_role_uploads_are_out_of_scope(pack: PackClient) -> None:
    """The DataSync or tagger service roles are not ABAC-scoped people."""
    fakes = _role("ingest", _statement("s3:PutObject"), LAMBDA_TRUST)
    assert hits(pack.analyze_stack(fakes), UPLOAD_RULE) == []


def test_upload_via_inline_policy_is_seen(pack: PackClient) -> None:
    """Inline policies of the role are read too (a list of name/policy objects)."""
    role = FakeResource(
        ROLE,
        "researchers",
        {
            "assumeRolePolicy": HUMAN_TRUST,
            "inlinePolicies": [{"name": "upload", "policy": _doc(_statement("s3:PutObject"))}],
        },
    )
    found = hits(pack.analyze_stack([role]), UPLOAD_RULE)
    assert [(e, name) for e, name, _ in found] == [("mandatory", "researchers")]
    assert "researchers (inline upload)" in found[0][2]


def test_upload_via_attached_managed_policy_is_seen(pack: PackClient) -> None:
    """A customer-managed policy attached to the role is joined through the attachment."""
    fakes = [
        FakeResource(ROLE, "researchers", {"assumeRolePolicy": HUMAN_TRUST}),
        FakeResource(MANAGED, "lake-write", {"policy": _doc(_statement("s3:PutObject"))}),
        FakeResource(
            ATTACHMENT,
            "researchers-lake-write",
            {"role": "researchers", "policyArn": "arn:aws:iam::111122223333:policy/lake-write"},
            depends_on={"role": ["researchers"], "policyArn": ["lake-write"]},
        ),
    ]
    found = hits(pack.analyze_stack(fakes), UPLOAD_RULE)
    assert [(e, name) for e, name, _ in found] == [("mandatory", "lake-write")]
    assert hits(pack.analyze_stack(fakes), READ_RULE) == []


def test_read_rule_now_reads_inline_policies(pack: PackClient) -> None:
    """An unconditioned read in an inline policy is reported by the read rule."""
    role = FakeResource(
        ROLE,
        "researchers",
        {
            "assumeRolePolicy": HUMAN_TRUST,
            "inlinePolicies": [{"name": "read", "policy": _doc(_statement("s3:GetObject"))}],
        },
    )
    found = hits(pack.analyze_stack([role]), READ_RULE)
    assert [(e, name) for e, name, _ in found] == [("mandatory", "researchers")]


# ---- only the tagger writes tags ----

TAG_WRITE = _statement(["s3:PutObjectTagging", "s3:PutObjectVersionTagging"])


def test_tagger_role_may_write_tags(pack: PackClient) -> None:
    """The object tagger's role (name matches *tagger*) may write object tags."""
    fakes = _role("object-tagger", TAG_WRITE, LAMBDA_TRUST)
    assert hits(pack.analyze_stack(fakes), TAGGER_RULE) == []


@pytest.mark.parametrize(
    ("statement", "fragment"),
    [
        pytest.param(TAG_WRITE, "s3:PutObjectTagging, s3:PutObjectVersionTagging", id="put"),
        pytest.param(
            _statement("s3:DeleteObject*"),
            "s3:DeleteObjectTagging, s3:DeleteObjectVersionTagging",
            id="delete-wildcard",
        ),
        pytest.param(_statement("s3:*"), "s3:PutObjectTagging", id="service-wildcard"),
    ],
)
def test_other_roles_writing_tags_are_reported(
    pack: PackClient, statement: dict[str, Any], fragment: str
) -> None:
    """Any other role (person or service) that can change tags is reported."""
    found = hits(pack.analyze_stack(_role("transfer", statement, LAMBDA_TRUST)), TAGGER_RULE)
    assert [(e, name) for e, name, _ in found] == [("mandatory", "transfer-policy")]
    assert "role transfer is not the object tagger" in found[0][2]
    assert fragment in found[0][2]


def test_user_policies_never_write_tags(pack: PackClient) -> None:
    """User and group policies granting tag writes are reported too."""
    policy = FakeResource("aws:iam/userPolicy:UserPolicy", "alice", {"policy": _doc(TAG_WRITE)})
    found = hits(pack.analyze_stack([policy]), TAGGER_RULE)
    assert [(e, name) for e, name, _ in found] == [("mandatory", "alice")]


def test_tagger_pattern_is_configurable(pack: PackClient) -> None:
    """taggerRolePatterns names which roles count as the tagger."""
    pack.configure({TAGGER_RULE: {"taggerRolePatterns": ["transfer"]}})
    fakes = _role("transfer", TAG_WRITE, LAMBDA_TRUST)
    assert hits(pack.analyze_stack(fakes), TAGGER_RULE) == []


def test_deny_of_tag_writes_is_fine(pack: PackClient) -> None:
    """A Deny on tag writes in a researcher's role is the opposite of a grant."""
    fakes = _role("researchers", {**TAG_WRITE, "Effect": "Deny"})
    assert hits(pack.analyze_stack(fakes), TAGGER_RULE) == []


UPLOAD_TAGGING = _statement(["s3:PutObject", "s3:PutObjectTagging"], REQUEST_TAGS)


def test_upload_tagging_pinned_by_request_tags_is_accepted(pack: PackClient) -> None:
    """PutObjectTagging beside PutObject, under RequestObjectTag on every ABAC key, is allowed.

    S3 authorises the tags of a tagged PutObject as s3:PutObjectTagging; pinned to the ABAC
    values, the grant can only write the tags the upload itself must carry.
    """
    found = pack.analyze_stack(_role("researchers", UPLOAD_TAGGING))
    assert hits(found, TAGGER_RULE) == []
    assert hits(found, UPLOAD_RULE) == []


@pytest.mark.parametrize(
    ("statement", "fragment"),
    [
        pytest.param(
            _statement(["s3:PutObject", "s3:PutObjectTagging"]),
            "allows s3:PutObjectTagging",
            id="no-conditions",
        ),
        pytest.param(
            _statement(
                ["s3:PutObject", "s3:PutObjectTagging"],
                {
                    "StringEquals": {
                        "s3:RequestObjectTag/project": "${aws:PrincipalTag/project}",
                    }
                },
            ),
            "allows s3:PutObjectTagging",
            id="project-only",
        ),
        pytest.param(
            _statement(
                ["s3:PutObject", "s3:PutObjectTagging"],
                {"StringNotEquals": REQUEST_TAGS["StringEquals"]},
            ),
            "allows s3:PutObjectTagging",
            id="negated-operator",
        ),
        pytest.param(
            _statement(
                ["s3:PutObject", "s3:PutObjectTagging", "s3:DeleteObjectTagging"], REQUEST_TAGS
            ),
            "allows s3:DeleteObjectTagging",
            id="delete-is-never-exempt",
        ),
        pytest.param(
            _statement("s3:PutObject*", REQUEST_TAGS),
            "allows s3:PutObjectVersionTagging",
            id="version-tagging-is-never-exempt",
        ),
    ],
)
def test_upload_tagging_without_pinned_request_tags_is_reported(
    pack: PackClient, statement: dict[str, Any], fragment: str
) -> None:
    """Without StringEquals on every ABAC request tag, or with other tag writes, it is reported."""
    found = hits(pack.analyze_stack(_role("researchers", statement)), TAGGER_RULE)
    assert [(e, name) for e, name, _ in found] == [("mandatory", "researchers-policy")]
    assert fragment in found[0][2]
    if "DeleteObject" in fragment or "Version" in fragment:
        assert "s3:PutObjectTagging" not in found[0][2].split("allows ", 1)[1]


@pytest.mark.parametrize("rule", [UPLOAD_RULE, TAGGER_RULE])
def test_unknown_role_policy_is_never_mandatory(pack: PackClient, rule: str) -> None:
    """A role policy rendered from unknown ARNs waits for the update."""
    fakes = [
        FakeResource(ROLE, "researchers", {"assumeRolePolicy": HUMAN_TRUST}),
        FakeResource(
            ROLE_POLICY,
            "researchers-policy",
            {"role": "researchers", "policy": UNKNOWN},
            depends_on={"role": ["researchers"]},
        ),
    ]
    found = hits(pack.analyze_stack(fakes), rule)
    assert found
    assert all(e == "advisory" and "during preview" in m for e, _, m in found)


@pytest.mark.parametrize("rule", [UPLOAD_RULE, TAGGER_RULE])
def test_stack_rules_ignore_unrelated_types(pack: PackClient, rule: str) -> None:
    """A stack with no roles or policies has nothing to report."""
    fakes = [FakeResource("aws:sns/topic:Topic", "alerts", {"name": "alerts"})]
    assert hits(pack.analyze_stack(fakes), rule) == []


# ---- per-document rules ----

READ = _statement("s3:GetObject", EXISTING_TAGS)
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
LOG_POLICY = "aws:cloudwatch/logResourcePolicy:LogResourcePolicy"
LOG_DELIVERY = {
    "Sid": "DataSyncWritesTaskLogs",
    "Effect": "Allow",
    "Principal": {"Service": "datasync.amazonaws.com"},
    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
    "Resource": "arn:aws:logs:ap-south-1:111122223333:log-group:/aws/datasync/lab:*",
    "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}},
}
ORG_READ = {
    "Sid": "Org",
    "Effect": "Allow",
    "Principal": "*",
    "Action": "s3:GetObject",
    "Resource": f"{LAKE}/*",
    "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
}

_CASES = [
    Case(WILDCARD_RULE, ROLE_POLICY, {"role": "r", "policy": _doc(READ)}, unknown="policy"),
    Case(
        WILDCARD_RULE,
        BUCKET_POLICY,
        {"bucket": "b", "policy": _doc({**ORG_READ, "Principal": {"AWS": ACCOUNT_ROOT}})},
        unknown="policy",
    ),
    Case(ALLOW_ALL_RULE, MANAGED, {"policy": _doc(READ)}, unknown="policy"),
    Case(
        ALLOW_ALL_RULE,
        ROLE,
        {"assumeRolePolicy": HUMAN_TRUST, "inlinePolicies": [{"name": "r", "policy": _doc(READ)}]},
        unknown="inlinePolicies",
    ),
    Case(KEYS_RULE, ROLE_POLICY, {"role": "r", "policy": _doc(READ)}, unknown="policy"),
    Case(PUBLIC_RULE, BUCKET_POLICY, {"bucket": "b", "policy": _doc(ORG_READ)}, unknown="policy"),
    Case(
        PUBLIC_RULE,
        "aws:sqs/queue:Queue",
        {"policy": _doc({**ORG_READ, "Action": "sqs:SendMessage", "Resource": "*"})},
        unknown="policy",
    ),
    Case(
        PUBLIC_RULE,
        LOG_POLICY,
        {"policyName": "delivery", "policyDocument": _doc(LOG_DELIVERY)},
        unknown="policyDocument",
    ),
    Case(TRUST_RULE, ROLE, {"assumeRolePolicy": HUMAN_TRUST}, unknown="assumeRolePolicy"),
]
CASES = {case.id: case for case in _CASES}


def _policy(*statements: dict[str, Any]) -> dict[str, str]:
    return {"policy": _doc(*statements)}


MUTATIONS = [
    pytest.param(
        f"{WILDCARD_RULE}@iam/rolePolicy",
        _policy(_statement("s3:*", EXISTING_TAGS)),
        "allows s3:* on data-lake resources",
        id="wildcard-s3-star",
    ),
    pytest.param(
        f"{WILDCARD_RULE}@iam/rolePolicy",
        _policy({**_statement("s3:*"), "Resource": "*"}),
        "allows s3:* on data-lake resources",
        id="wildcard-any-resource",
    ),
    pytest.param(
        f"{WILDCARD_RULE}@s3/bucketPolicy",
        _policy({**ORG_READ, "Principal": {"AWS": ACCOUNT_ROOT}, "Action": "s3:*"}),
        "allows s3:* on data-lake resources",
        id="wildcard-bucket-policy",
    ),
    pytest.param(
        f"{ALLOW_ALL_RULE}@iam/policy",
        _policy({"Effect": "Allow", "Action": "*", "Resource": "*"}),
        'allows Action "*"',
        id="allow-star",
    ),
    pytest.param(
        f"{ALLOW_ALL_RULE}@iam/policy",
        _policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
        "allows everything except iam:* (Allow with NotAction)",
        id="allow-not-action",
    ),
    pytest.param(
        f"{ALLOW_ALL_RULE}@iam/role",
        {"inlinePolicies": [{"name": "admin", "policy": _doc({"Effect": "Allow", "Action": "*"})}]},
        'subject (inline admin): statement (no Sid) allows Action "*"',
        id="allow-star-inline",
    ),
    pytest.param(
        f"{KEYS_RULE}@iam/rolePolicy",
        _policy(_statement(["s3:GetObject", "s3:ListBucket"], EXISTING_TAGS)),
        "s3:ExistingObjectTag/project but s3:ListBucket requests never carry them",
        id="existing-tag-on-list",
    ),
    pytest.param(
        f"{KEYS_RULE}@iam/rolePolicy",
        _policy(_statement("s3:PutObject", EXISTING_TAGS)),
        "but s3:PutObject requests never carry them",
        id="existing-tag-on-put",
    ),
    pytest.param(
        f"{KEYS_RULE}@iam/rolePolicy",
        _policy(_statement("s3:GetObject", REQUEST_TAGS)),
        "s3:RequestObjectTag/project but s3:GetObject requests",
        id="request-tag-on-get",
    ),
    pytest.param(
        f"{KEYS_RULE}@iam/rolePolicy",
        _policy(_statement("s3:GetObject", {"StringLike": {"s3:prefix": "projects/*"}})),
        "tests s3:prefix but s3:GetObject",
        id="prefix-on-get",
    ),
    pytest.param(
        f"{PUBLIC_RULE}@s3/bucketPolicy",
        _policy({**ORG_READ, "Condition": {"Bool": {"aws:SecureTransport": "true"}}}),
        'allows Principal "*" without a condition',
        id="public-unrestricted-condition",
    ),
    pytest.param(
        f"{PUBLIC_RULE}@s3/bucketPolicy",
        _policy({**ORG_READ, "Principal": {"AWS": "*"}, "Condition": None}),
        'allows Principal "*"',
        id="public-aws-star",
    ),
    pytest.param(
        f"{PUBLIC_RULE}@cloudwatch/logResourcePolicy",
        {"policyDocument": _doc({**LOG_DELIVERY, "Principal": "*", "Condition": None})},
        'allows Principal "*" without a condition',
        id="public-log-resource-policy",
    ),
    pytest.param(
        f"{PUBLIC_RULE}@sqs/queue",
        _policy({"Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": "*"}),
        'allows Principal "*"',
        id="public-queue",
    ),
    pytest.param(
        f"{TRUST_RULE}@iam/role",
        {"assumeRolePolicy": _trust("*")},
        'lets Principal "*" assume the role',
        id="trust-star",
    ),
    pytest.param(
        f"{TRUST_RULE}@iam/role",
        {"assumeRolePolicy": _trust({"AWS": "*"})},
        'lets Principal "*" assume the role',
        id="trust-aws-star",
    ),
]


(
    test_compliant_baseline_passes,
    test_mutation_is_reported,
    test_unknown_input_is_never_mandatory,
    test_unrelated_type_is_ignored,
) = four_way_tests(CASES, MUTATIONS)


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param(_statement("s3:Get*", EXISTING_TAGS), id="wildcard-get"),
        pytest.param(
            _statement(["s3:PutObject", "s3:PutObjectTagging"], REQUEST_TAGS), id="put-tagging"
        ),
        pytest.param(
            _statement("s3:ListBucket", {"StringLike": {"s3:prefix": "p/*"}}), id="list-prefix"
        ),
        pytest.param(
            _statement("s3:GetObjectVersion", {"StringEquals": {"s3:VersionId": "v1"}}),
            id="version-id",
        ),
    ],
)
def test_keys_with_their_own_actions_pass(pack: PackClient, statement: dict[str, Any]) -> None:
    """Keys used with the actions whose requests carry them are accepted."""
    found = pack.analyze(FakeResource(ROLE_POLICY, "p", {"role": "r", **_policy(statement)}))
    assert hits(found, KEYS_RULE) == []


def test_service_principal_is_not_public(pack: PackClient) -> None:
    """A bucket policy granting a service principal (log delivery) is not a public grant."""
    statement = {**ORG_READ, "Principal": {"Service": "logging.s3.amazonaws.com"}}
    statement.pop("Condition")
    found = pack.analyze(FakeResource(BUCKET_POLICY, "logs", {"bucket": "b", **_policy(statement)}))
    assert hits(found, PUBLIC_RULE) == []


def test_restricting_keys_are_configurable(pack: PackClient) -> None:
    """restrictingConditionKeys decides which conditions make a public grant acceptable."""
    pack.configure({PUBLIC_RULE: {"restrictingConditionKeys": ["aws:SourceVpce"]}})
    found = pack.analyze(FakeResource(BUCKET_POLICY, "lake", {"bucket": "b", **_policy(ORG_READ)}))
    assert [e for e, _, _ in hits(found, PUBLIC_RULE)] == ["mandatory"]


def test_exclude_exempts_a_break_glass_role(pack: PackClient) -> None:
    """A role named in `exclude` is not checked (e.g. an audited break-glass admin)."""
    pack.configure({ALLOW_ALL_RULE: {"exclude": ["break-glass*"]}})
    role = FakeResource(
        ROLE,
        "break-glass-admin",
        {"inlinePolicies": [{"name": "all", "policy": _doc({"Effect": "Allow", "Action": "*"})}]},
    )
    assert hits(pack.analyze(role), ALLOW_ALL_RULE) == []
