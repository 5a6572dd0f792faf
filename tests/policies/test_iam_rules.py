"""Tag-based IAM rules, through the real pack process (the read rule's basics: headline tests)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.policies.rule_cases import (
    Case,
    form_tests,
    four_way_tests,
    hits,
    stack_variant,
    stack_variant_tests,
    variant,
    variant_tests,
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
EXEMPTION_RULE = "iam-deny-exemption-names-principals"
NOT_RULE = "iam-s3-no-not-elements-on-data"
TAGGER_ARN = "arn:aws:iam::111122223333:role/gen-prod-object-tagger"

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
    statement = {k: v for k, v in statement.items() if v is not None}
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
ORG_READ = {
    "Sid": "Org",
    "Effect": "Allow",
    "Principal": "*",
    "Action": "s3:GetObject",
    "Resource": f"{LAKE}/*",
    "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
}

TAGGER_DENY = {
    "Sid": "DenyTagWritesExceptTagger",
    "Effect": "Deny",
    "Principal": "*",
    "Action": ["s3:PutObjectTagging", "s3:DeleteObjectTagging"],
    "Resource": f"{LAKE}/*",
    "Condition": {"ArnNotLike": {"aws:PrincipalArn": TAGGER_ARN}},
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
    Case(TRUST_RULE, ROLE, {"assumeRolePolicy": HUMAN_TRUST}, unknown="assumeRolePolicy"),
    Case(
        EXEMPTION_RULE,
        BUCKET_POLICY,
        {"bucket": "b", "policy": _doc(TAGGER_DENY)},
        unknown="policy",
    ),
    Case(EXEMPTION_RULE, MANAGED, {"policy": _doc(READ, TAGGER_DENY)}, unknown="policy"),
    Case(NOT_RULE, ROLE_POLICY, {"role": "r", "policy": _doc(READ)}, unknown="policy"),
    Case(
        NOT_RULE,
        BUCKET_POLICY,
        {"bucket": "b", "policy": _doc({**ORG_READ, "Principal": {"AWS": ACCOUNT_ROOT}})},
        unknown="policy",
    ),
]
CASES = {case.id: case for case in _CASES}


def _policy(*statements: dict[str, Any]) -> dict[str, str]:
    return {"policy": _doc(*(_without_none(s) for s in statements))}


def _without_none(statement: dict[str, Any]) -> dict[str, Any]:
    """A statement with the elements a variant set to None removed."""
    return {k: v for k, v in statement.items() if v is not None}


def _exempting(
    value: object, *, key: str = "aws:PrincipalArn", operator: str = "ArnNotLike"
) -> dict[str, Any]:
    """The tagger's Deny with its exemption rewritten."""
    return {**TAGGER_DENY, "Condition": {operator: {key: value}}}


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


MUTATIONS += [
    pytest.param(
        f"{EXEMPTION_RULE}@s3/bucketPolicy",
        _policy(_exempting("arn:aws:iam::*:role/*")),
        "has a wildcard account",
        id="exemption-any-role",
    ),
    pytest.param(
        f"{NOT_RULE}@iam/rolePolicy",
        _policy({**READ, "NotAction": "s3:DeleteObject", "Action": None}),
        "uses NotAction on data-lake resources",
        id="not-action-read",
    ),
]


(
    test_compliant_baseline_passes,
    test_mutation_is_reported,
    test_unknown_input_is_never_mandatory,
    test_unrelated_type_is_ignored,
) = four_way_tests(CASES, MUTATIONS)
test_other_form_same_verdict = form_tests(CASES, MUTATIONS)

WILD_BP, WILD_RP = f"{WILDCARD_RULE}@s3/bucketPolicy", f"{WILDCARD_RULE}@iam/rolePolicy"
ALL_POLICY, KEYS_RP = f"{ALLOW_ALL_RULE}@iam/policy", f"{KEYS_RULE}@iam/rolePolicy"
PUBLIC_BP, TRUST_ROLE = f"{PUBLIC_RULE}@s3/bucketPolicy", f"{TRUST_RULE}@iam/role"
EXEMPT_BP, EXEMPT_MANAGED = f"{EXEMPTION_RULE}@s3/bucketPolicy", f"{EXEMPTION_RULE}@iam/policy"
NOT_RP, NOT_BP = f"{NOT_RULE}@iam/rolePolicy", f"{NOT_RULE}@s3/bucketPolicy"
ORG = "o-abc123"

VARIANTS = [
    # Service-wide and all-action patterns spelt differently.
    variant(WILD_RP, "wildcard-value", _policy(_statement("S3:*", EXISTING_TAGS)), "S3:*"),
    variant(WILD_RP, "wildcard-value", _policy(_statement("s3:**", EXISTING_TAGS)), "s3:**"),
    variant(WILD_RP, "wildcard-value", _policy(_statement("s3:?*", EXISTING_TAGS)), "s3:?*"),
    variant(WILD_RP, "principal-narrowing", _policy(_statement("s3:Get*", EXISTING_TAGS)), None),
    variant(
        WILD_BP,
        "string-vs-list",
        _policy({**ORG_READ, "Principal": {"AWS": [ACCOUNT_ROOT]}, "Action": ["s3:*"]}),
        "allows s3:*",
    ),
    variant(ALL_POLICY, "wildcard-value", _policy({"Effect": "Allow", "Action": "*:*"}), '"*:*"'),
    variant(ALL_POLICY, "wildcard-value", _policy({"Effect": "Allow", "Action": ["**"]}), '"**"'),
    variant(
        ALL_POLICY,
        "not-element",
        _policy({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"]}),
        "allows everything except iam:*, organizations:*",
    ),
    variant(ALL_POLICY, "not-element", _policy({"Effect": "Deny", "NotAction": "s3:Get*"}), None),
    # Condition keys on actions that never carry them, whatever the operator.
    variant(
        KEYS_RP,
        "if-exists",
        _policy(
            _statement(
                "s3:ListBucket",
                {"StringEqualsIfExists": {"s3:ExistingObjectTag/project": "x"}},
            )
        ),
        "s3:ExistingObjectTag/project but s3:ListBucket requests never carry them",
    ),
    variant(
        KEYS_RP,
        "operator-swap",
        _policy(_statement("s3:List*", {"StringLike": {"S3:EXISTINGOBJECTTAG/project": "*"}})),
        "but s3:List* requests never carry them",
    ),
    variant(
        KEYS_RP,
        "wildcard-value",
        _policy(_statement("s3:GetObject*", {"StringLike": {"s3:ExistingObjectTag/project": "p"}})),
        None,
    ),
    # A public grant's "restricting" condition that restricts nothing.
    variant(
        PUBLIC_BP,
        "wildcard-value",
        _policy({**ORG_READ, "Condition": {"StringLike": {"aws:PrincipalOrgID": "*"}}}),
        'allows Principal "*" without a condition',
    ),
    variant(
        PUBLIC_BP,
        "operator-swap",
        _policy({**ORG_READ, "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": ORG}}}),
        'allows Principal "*" without a condition',
    ),
    variant(
        PUBLIC_BP,
        "if-exists",
        _policy({**ORG_READ, "Condition": {"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}}}),
        'allows Principal "*" without a condition',
    ),
    variant(
        PUBLIC_BP,
        "operator-swap",
        _policy({**ORG_READ, "Condition": {"StringLike": {"aws:PrincipalOrgID": "o-abc*"}}}),
        None,
    ),
    variant(
        PUBLIC_BP,
        "string-vs-list",
        _policy({**ORG_READ, "Principal": {"AWS": ["*"]}, "Condition": None}),
        'allows Principal "*"',
    ),
    variant(
        PUBLIC_BP,
        "not-element",
        _policy(
            {
                **ORG_READ,
                "Principal": None,
                "NotPrincipal": {"AWS": ACCOUNT_ROOT},
                "Condition": None,
            }
        ),
        'allows Principal "*"',
    ),
    variant(
        PUBLIC_BP,
        "principal-narrowing",
        _policy({**ORG_READ, "Principal": {"AWS": "111122223333"}, "Condition": None}),
        None,
    ),
    variant(
        TRUST_ROLE,
        "principal-widening",
        {"assumeRolePolicy": _trust({"AWS": [ACCOUNT_ROOT, "*"]})},
        'lets Principal "*" assume',
    ),
    variant(
        TRUST_ROLE,
        "not-element",
        {
            "assumeRolePolicy": _doc(
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "NotPrincipal": {"AWS": ACCOUNT_ROOT},
                }
            )
        },
        "lets everyone (NotPrincipal) assume",
    ),
    variant(
        TRUST_ROLE,
        "principal-narrowing",
        {"assumeRolePolicy": _trust({"AWS": "arn:aws:iam::111122223333:role/ci"})},
        None,
    ),
    # Exemptions widened by wildcards, or narrowed and still specific.
    variant(
        EXEMPT_BP,
        "principal-widening",
        _policy(_exempting("arn:aws:iam::111122223333:role/gen-prod-*")),
        "has a wildcard role name",
    ),
    variant(
        EXEMPT_BP,
        "wildcard-value",
        _policy(_exempting("arn:aws:iam::111122223333:role/gen-prod-object-tagge?")),
        "has a wildcard role name",
    ),
    variant(
        EXEMPT_BP,
        "wildcard-value",
        _policy(_exempting("arn:aws:iam::11112222333?:role/gen-prod-object-tagger")),
        "has a wildcard account",
    ),
    variant(EXEMPT_BP, "wildcard-value", _policy(_exempting("*")), "is not a principal ARN"),
    variant(
        EXEMPT_BP,
        "string-vs-list",
        _policy(_exempting([TAGGER_ARN, "arn:aws:iam::*:role/*"])),
        "'arn:aws:iam::*:role/*' has a wildcard account",
    ),
    variant(
        EXEMPT_BP,
        "operator-swap",
        _policy(_exempting("arn:aws:iam::111122223333:role/*", operator="StringNotLike")),
        "StringNotLike aws:PrincipalArn",
    ),
    variant(
        EXEMPT_BP,
        "operator-swap",
        _policy(_exempting("*", key="aws:PrincipalAccount", operator="StringNotEquals")),
        "account '*'",
    ),
    variant(
        EXEMPT_BP,
        "principal-narrowing",
        _policy(_exempting("arn:aws:sts::111122223333:assumed-role/gen-prod-object-tagger/*")),
        None,
    ),
    variant(
        EXEMPT_BP,
        "principal-narrowing",
        _policy(_exempting("arn:aws:iam::${aws:PrincipalAccount}:role/gen-prod-object-tagger")),
        None,
    ),
    variant(
        EXEMPT_BP,
        "operator-swap",
        _policy({**_exempting("arn:aws:iam::*:role/*", operator="ArnLike"), "Effect": "Allow"}),
        None,
    ),
    variant(
        EXEMPT_MANAGED,
        "if-exists",
        _policy(READ, _exempting("arn:aws:iam::*:role/*", operator="ArnNotLikeIfExists")),
        "ArnNotLikeIfExists aws:PrincipalArn",
    ),
    # Everything-except grants on the data lake.
    variant(
        NOT_RP,
        "not-element",
        _policy({**READ, "Resource": None, "NotResource": "arn:aws:s3:::gen-prod-other/*"}),
        "uses NotResource on data-lake resources",
    ),
    variant(
        NOT_BP,
        "not-element",
        _policy({**ORG_READ, "Principal": None, "NotPrincipal": {"AWS": ACCOUNT_ROOT}}),
        "uses NotPrincipal on data-lake resources",
    ),
    variant(
        NOT_BP,
        "not-element",
        _policy(
            {**ORG_READ, "Effect": "Deny", "Principal": None, "NotPrincipal": {"AWS": ACCOUNT_ROOT}}
        ),
        None,
    ),
    variant(
        NOT_RP,
        "not-element",
        _policy({**READ, "Action": None, "NotAction": "sns:*", "Resource": "arn:aws:sns:*:*:x"}),
        None,
    ),
]

test_adversarial_variant = variant_tests(CASES, VARIANTS)


def _weakened_read(condition: dict[str, Any]) -> dict[str, Any]:
    """A read whose data-classification test stays, and whose project test is `condition`."""
    keep = {"s3:ExistingObjectTag/data-classification": "${aws:PrincipalTag/data-classification}"}
    merged: dict[str, Any] = {"StringEquals": dict(keep)}
    for operator, keys in condition.items():
        merged.setdefault(operator, {}).update(keys)
    return _statement("s3:GetObject", merged)


def _weakened_upload(condition: dict[str, Any]) -> dict[str, Any]:
    keep = {"s3:RequestObjectTag/data-classification": "${aws:PrincipalTag/data-classification}"}
    merged: dict[str, Any] = {"StringEquals": dict(keep)}
    for operator, keys in condition.items():
        merged.setdefault(operator, {}).update(keys)
    return _statement(["s3:PutObject", "s3:PutObjectTagging"], merged)


_PROJECT = "s3:ExistingObjectTag/project"
_UPLOAD_PROJECT = "s3:RequestObjectTag/project"
_WEAK = "conditions on project ("

STACK_VARIANTS = [
    stack_variant(
        READ_RULE,
        "wildcard-value",
        _role("researchers", _weakened_read({"StringLike": {_PROJECT: "*"}})),
        "researchers-policy",
        'project (StringLike "*" matches every value)',
    ),
    stack_variant(
        READ_RULE,
        "wildcard-value",
        _role("researchers", _weakened_read({"StringLike": {_PROJECT: "???"}})),
        "researchers-policy",
        'StringLike "???" matches every value',
    ),
    stack_variant(
        READ_RULE,
        "string-vs-list",
        _role("researchers", _weakened_read({"StringLike": {_PROJECT: ["tb-lab", "*"]}})),
        "researchers-policy",
        _WEAK,
    ),
    stack_variant(
        READ_RULE,
        "if-exists",
        _role("researchers", _weakened_read({"StringEqualsIfExists": {_PROJECT: "tb-lab"}})),
        "researchers-policy",
        "passes when the request lacks the key",
    ),
    stack_variant(
        READ_RULE,
        "operator-swap",
        _role("researchers", _weakened_read({"StringNotEquals": {_PROJECT: "tb-lab"}})),
        "researchers-policy",
        "admits every value it does not list",
    ),
    stack_variant(
        READ_RULE,
        "operator-swap",
        _role("researchers", _weakened_read({"ForAllValues:StringEquals": {_PROJECT: "tb-lab"}})),
        "researchers-policy",
        "passes when the request carries no value",
    ),
    stack_variant(
        READ_RULE,
        "operator-swap",
        _role("researchers", _weakened_read({"Null": {_PROJECT: "false"}})),
        "researchers-policy",
        "does not compare the key with values",
    ),
    stack_variant(
        READ_RULE,
        "operator-swap",
        _role(
            "researchers", _weakened_read({"StringLike": {_PROJECT: "${aws:PrincipalTag/project}"}})
        ),
        "researchers-policy",
        None,
    ),
    stack_variant(
        READ_RULE,
        "operator-swap",
        _role(
            "researchers",
            _weakened_read(
                {
                    "StringLike": {_PROJECT: "*"},
                    "StringEquals": {_PROJECT: "${aws:PrincipalTag/project}"},
                }
            ),
        ),
        "researchers-policy",
        None,
    ),
    stack_variant(
        READ_RULE,
        "not-element",
        _role("researchers", {**_statement(None), "Action": None, "NotAction": "s3:Delete*"}),
        "researchers-policy",
        "grants S3 data reads",
    ),
    stack_variant(
        READ_RULE,
        "not-element",
        _role(
            "researchers",
            {**_statement("s3:GetObject"), "Resource": None, "NotResource": "arn:aws:s3:::x/*"},
        ),
        "researchers-policy",
        "grants S3 data reads",
    ),
    stack_variant(
        READ_RULE,
        "json-vs-object",
        [
            FakeResource(ROLE, "researchers", {"assumeRolePolicy": json.loads(HUMAN_TRUST)}),
            FakeResource(
                ROLE_POLICY,
                "researchers-policy",
                {"role": "researchers", "policy": {"Statement": _statement("s3:GetObject")}},
                depends_on={"role": ["researchers"]},
            ),
        ],
        "researchers-policy",
        "conditions on project, data-classification",
    ),
    stack_variant(
        READ_RULE,
        "principal-widening",
        _role(
            "readers",
            _statement("s3:GetObject"),
            _trust({"Service": "lambda.amazonaws.com", "AWS": ACCOUNT_ROOT}),
        ),
        "readers-policy",
        "grants S3 data reads",
    ),
    stack_variant(
        UPLOAD_RULE,
        "wildcard-value",
        _role("researchers", _weakened_upload({"StringLike": {_UPLOAD_PROJECT: "*"}})),
        "researchers-policy",
        'project (StringLike "*" matches every value)',
    ),
    stack_variant(
        UPLOAD_RULE,
        "if-exists",
        _role("researchers", _weakened_upload({"StringEqualsIfExists": {_UPLOAD_PROJECT: "tb"}})),
        "researchers-policy",
        "passes when the request lacks the key",
    ),
    stack_variant(
        UPLOAD_RULE,
        "string-vs-list",
        _role(
            "researchers",
            _statement(
                ["s3:PutObject"],
                {"StringEquals": {k: [v] for k, v in REQUEST_TAGS["StringEquals"].items()}},
            ),
        ),
        "researchers-policy",
        None,
    ),
    stack_variant(
        TAGGER_RULE,
        "operator-swap",
        _role(
            "researchers",
            _weakened_upload({"StringLike": {_UPLOAD_PROJECT: "${aws:PrincipalTag/project}"}}),
        ),
        "researchers-policy",
        "allows s3:PutObjectTagging",
    ),
    stack_variant(
        TAGGER_RULE,
        "if-exists",
        _role("researchers", _weakened_upload({"StringEqualsIfExists": {_UPLOAD_PROJECT: "tb"}})),
        "researchers-policy",
        "allows s3:PutObjectTagging",
    ),
    stack_variant(
        TAGGER_RULE,
        "not-element",
        _role(
            "transfer",
            {**_statement(None), "Action": None, "NotAction": "s3:GetObject"},
            LAMBDA_TRUST,
        ),
        "transfer-policy",
        "allows s3:PutObjectTagging",
    ),
    stack_variant(
        TAGGER_RULE,
        "wildcard-value",
        _role("transfer", _statement("s3:*Tagging"), LAMBDA_TRUST),
        "transfer-policy",
        "s3:PutObjectTagging, s3:PutObjectVersionTagging",
    ),
    stack_variant(
        TAGGER_RULE,
        "string-vs-list",
        _role(
            "researchers",
            _statement(
                ["s3:PutObject", "s3:PutObjectTagging"],
                {"StringEquals": {k: [v] for k, v in REQUEST_TAGS["StringEquals"].items()}},
            ),
        ),
        "researchers-policy",
        None,
    ),
]

test_adversarial_stack_variant = stack_variant_tests(STACK_VARIANTS)


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
