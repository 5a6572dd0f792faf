"""Settings that only matter on a real account: provider region, Lambda quota, deploy runner.

Each error names the key (with its own namespace: `aws:region` is not a `genomics:` key), shows
the value and gives the fix, like every other settings error.
"""

from __future__ import annotations

import pytest

from settings import SettingsError, load_settings
from settings.quotas import lambda_concurrency_error

BASE = {"environment": "prod", "alertEmails": '["oncall@example.org"]'}


def test_aws_region_other_than_primary_region_is_rejected() -> None:
    """`aws:region: mars-east-1` fails with the aws namespace, the value and the fix."""
    with pytest.raises(SettingsError) as raised:
        load_settings(BASE, aws_region="mars-east-1")
    (problem,) = raised.value.problems
    line = problem.render("genomics")
    assert line.startswith("aws:region = 'mars-east-1': expected the same region as ")
    assert "genomics:primaryRegion (ap-south-1)" in line
    assert line.endswith("(fix: pulumi config set aws:region ap-south-1)")


def test_aws_region_follows_a_changed_primary_region() -> None:
    """The expected value is the stack's primaryRegion, not a fixed region."""
    with pytest.raises(SettingsError) as raised:
        load_settings(
            {**BASE, "primaryRegion": "ap-south-2", "drRegion": "ap-south-1"},
            aws_region="ap-south-1",
        )
    assert "pulumi config set aws:region ap-south-2" in str(raised.value)


def test_aws_region_equal_to_primary_region_or_unset_is_accepted() -> None:
    """The committed stacks set `aws:region: ap-south-1`; an unset one is left alone."""
    assert load_settings(BASE, aws_region="ap-south-1").primary_region == "ap-south-1"
    assert load_settings(BASE).primary_region == "ap-south-1"


def test_aws_region_problem_is_reported_with_other_problems() -> None:
    """One run shows the provider region together with the other invalid keys."""
    with pytest.raises(SettingsError) as raised:
        load_settings({**BASE, "eksVersoin": "1.33"}, aws_region="mars-east-1")
    assert sorted(p.key for p in raised.value.problems) == ["eksVersoin", "region"]


def test_quota_below_reservations_plus_unreserved_minimum_is_an_error() -> None:
    """28 reserved + 100 unreserved needs 128: a quota of 127 fails, naming key and fix."""
    settings = load_settings({**BASE, "lambdaConcurrencyQuota": "127"})
    error = lambda_concurrency_error(settings, reserved=28, unreserved_minimum=100)
    assert error is not None
    message = str(error)
    assert "genomics:lambdaConcurrencyQuota = 127: expected at least 128" in message
    assert "the stack reserves 28" in message
    assert "Service Quotas" in message


def test_quota_that_holds_the_reservations_is_accepted() -> None:
    """Exactly reservations + 100 is enough; the default 1000 is too."""
    exact = load_settings({**BASE, "lambdaConcurrencyQuota": "128"})
    assert lambda_concurrency_error(exact, reserved=28, unreserved_minimum=100) is None
    assert lambda_concurrency_error(load_settings(BASE), 28, 100) is None


def test_deploy_runner_defaults_to_the_stacks_vpc_runner() -> None:
    """Without deployRunner the workflow must use `<org>-<env>-vpc`."""
    assert load_settings(BASE).deploy_runner_label == "gen-prod-vpc"
    assert load_settings({**BASE, "deployRunner": "lab-vpc-1"}).deploy_runner_label == "lab-vpc-1"


def test_github_hosted_runner_is_accepted_with_a_public_endpoint() -> None:
    """A public endpoint restricted to CIDRs is the one way a GitHub-hosted runner reaches it."""
    settings = load_settings(
        {**BASE, "deployRunner": "github-hosted", "eksPublicAccessCidrs": '["203.0.113.0/24"]'}
    )
    assert settings.deploy_runner_label == "github-hosted"
