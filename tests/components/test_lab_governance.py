"""DataZone governance: domain role and trust, projects, blueprint, genomics form and asset."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from components.lab.governance import LabGovernance
from tests.support.harness import Registered, json_input, record

KEY = "arn:aws:kms:ap-south-1:111122223333:key/abc"


def _run(factory: Callable[[], object]) -> Registered:
    """Record what `factory` registers (record() wants a builder that returns None)."""

    def build() -> None:
        factory()

    return record(build)


@pytest.fixture(scope="module")
def registered() -> Registered:
    """A domain for two research groups."""
    return _run(
        lambda: LabGovernance(
            "lab-gov",
            {
                "domain_name": "gen-prod-lab",
                "kms_key_arn": KEY,
                "research_groups": ["tb-lab", "rare-disease"],
                "lake_bucket_name": "gen-prod-reference",
            },
        )
    )


def test_domain_is_encrypted_and_uses_the_execution_role(registered: Registered) -> None:
    """The domain names the platform key and the execution role."""
    domain = registered.one("aws:datazone/domain:Domain").inputs
    assert domain["kmsKeyIdentifier"] == KEY
    assert domain["domainExecutionRole"].startswith(
        "arn:aws:iam::111122223333:role/lab-gov-execution-role"
    )


def test_execution_role_has_the_managed_policy_and_tag_session_trust(
    registered: Registered,
) -> None:
    """The role trusts DataZone with sts:TagSession and carries the managed execution policy."""
    role = registered.named("lab-gov-execution-role")
    trust = json_input(role, "assumeRolePolicy")["Statement"][0]
    assert trust["Principal"] == {"Service": "datazone.amazonaws.com"}
    assert set(trust["Action"]) == {"sts:AssumeRole", "sts:TagSession"}
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": "111122223333"}
    attachment = registered.named("lab-gov-execution-role-policy")
    assert attachment.inputs["policyArn"].endswith(
        "service-role/AmazonDataZoneDomainExecutionRolePolicy"
    )


def test_one_project_per_research_group(registered: Registered) -> None:
    """Projects are named after the research groups."""
    names = sorted(p.inputs["name"] for p in registered.of_type("aws:datazone/project:Project"))
    assert names == ["rare-disease", "tb-lab"]


def test_data_lake_blueprint_enabled_in_the_lake_region_only(registered: Registered) -> None:
    """The managed DefaultDataLake blueprint is on in ap-south-1 with an S3 location."""
    config = registered.one(
        "aws:datazone/environmentBlueprintConfiguration:EnvironmentBlueprintConfiguration"
    ).inputs
    assert config["enabledRegions"] == ["ap-south-1"]
    assert config["environmentBlueprintId"].startswith("d4d")
    assert config["regionalParameters"] == {
        "ap-south-1": {"S3Location": "s3://gen-prod-reference/datazone/"}
    }


def test_genomics_form_and_asset_type(registered: Registered) -> None:
    """The form is Smithy with the dataset fields; the asset type requires it."""
    form = registered.one("aws:datazone/formType:FormType").inputs
    assert "structure GenomicsDatasetForm" in form["model"]["smithy"]
    assert "datasetId: String" in form["model"]["smithy"]
    asset = registered.one("aws:datazone/assetType:AssetType").inputs
    assert asset["formsInputs"][0]["required"] is True
    assert asset["formsInputs"][0]["typeIdentifier"] == "GenomicsDatasetForm"


def test_no_research_groups_is_refused() -> None:
    """A domain without projects names the input and the setting."""
    with pytest.raises(ValueError, match="research_groups is empty"):
        _run(
            lambda: LabGovernance(
                "g",
                {
                    "domain_name": "d",
                    "kms_key_arn": KEY,
                    "research_groups": [],
                    "lake_bucket_name": "b",
                },
            )
        )
