"""Governed discovery of lab data: an Amazon DataZone domain over the lake.

One domain (encrypted with the platform key) with a project per research group, the managed
`DefaultDataLake` blueprint enabled in the lake's region so projects can publish Glue tables
of the lake, and a `GenomicsDatasetForm` metadata form plus a `GenomicsDataset` asset type so
a published dataset carries the same facts the metadata store holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, TypedDict

import pulumi
import pulumi_aws as aws

from components.blocks.iam_documents import Condition, service_trust_policy
from components.lab.policy import aws_context, managed_policy_arn

__all__ = ["GENOMICS_FORM_SMITHY", "LabGovernance", "LabGovernanceArgs"]

GENOMICS_FORM_SMITHY: Final = """\
structure GenomicsDatasetForm {
    @required
    @amazon.datazone#searchable
    datasetId: String

    @required
    @amazon.datazone#searchable
    project: String

    @required
    @amazon.datazone#searchable
    dataType: String

    @required
    classification: String

    @required
    s3Uri: String

    experimentId: String
    instrument: String
}
"""
"""Metadata form of a genomics dataset: the fields of the lab API's DatasetRegistration."""

_BLUEPRINT: Final = "DefaultDataLake"


class LabGovernanceArgs(TypedDict):
    """Inputs of the DataZone governance layer."""

    domain_name: str
    """Name of the DataZone domain."""
    kms_key_arn: pulumi.Input[str]
    """Platform key that encrypts the domain's metadata."""
    research_groups: Sequence[str]
    """One DataZone project per research group (its name)."""
    lake_bucket_name: pulumi.Input[str]
    """Bucket where data-lake environments keep their data (`s3://<bucket>/datazone/`)."""


def _validate(args: LabGovernanceArgs) -> None:
    if not args["research_groups"]:
        raise ValueError(
            "LabGovernanceArgs.research_groups is empty; list at least one research group "
            "(settings researchGroups) so the domain has a project to own the form types"
        )
    if len(set(args["research_groups"])) != len(args["research_groups"]):
        raise ValueError("LabGovernanceArgs.research_groups must be unique project names")


class LabGovernance(pulumi.ComponentResource):
    """DataZone domain, projects, data-lake blueprint, genomics form and asset types."""

    domain_id: pulumi.Output[str]
    """Id of the DataZone domain (`dzd_…`)."""
    portal_url: pulumi.Output[str]
    """URL of the data portal researchers browse."""
    project_ids: dict[str, pulumi.Output[str]]
    """DataZone project id per research group."""

    def __init__(
        self, name: str, args: LabGovernanceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("genomics:lab:Governance", name, None, opts)
        _validate(args)
        self._base = name
        context = aws_context(self)
        execution_role = self._role(
            "execution-role",
            "Runs DataZone domain operations for its users.",
            context.account_id,
            managed_policy_arn("service-role/AmazonDataZoneDomainExecutionRolePolicy"),
        )
        domain = aws.datazone.Domain(
            f"{name}-domain",
            name=args["domain_name"],
            description="Governed discovery of the genomics lake's lab data.",
            domain_execution_role=execution_role.arn,
            kms_key_identifier=args["kms_key_arn"],
            opts=pulumi.ResourceOptions(parent=self),
        )
        projects = {
            group: aws.datazone.Project(
                f"{name}-project-{group}",
                domain_identifier=domain.id,
                name=group,
                description=f"Data products of the {group} research group.",
                opts=pulumi.ResourceOptions(parent=self),
            )
            for group in args["research_groups"]
        }
        self._enable_data_lake(name, domain, args, context.account_id, context.region)
        owner = projects[args["research_groups"][0]]
        form = aws.datazone.FormType(
            f"{name}-genomics-form",
            domain_identifier=domain.id,
            owning_project_identifier=owner.id,
            name="GenomicsDatasetForm",
            description="Lab metadata of a genomics dataset.",
            model=aws.datazone.FormTypeModelArgs(smithy=GENOMICS_FORM_SMITHY),
            status="ENABLED",
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.datazone.AssetType(
            f"{name}-genomics-asset",
            domain_identifier=domain.id,
            owning_project_identifier=owner.id,
            name="GenomicsDataset",
            description="A dataset registered through the lab API (an S3 prefix of the lake).",
            forms_inputs=[
                aws.datazone.AssetTypeFormsInputArgs(
                    map_block_key="GenomicsDatasetForm",
                    type_identifier=form.name,
                    type_revision=form.revision,
                    required=True,
                )
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.domain_id = domain.id
        self.portal_url = domain.portal_url
        self.project_ids = {group: project.id for group, project in projects.items()}
        self.register_outputs(
            {
                "domain_id": self.domain_id,
                "portal_url": self.portal_url,
                "project_ids": self.project_ids,
            }
        )

    def _role(
        self,
        role: str,
        description: str,
        account_id: pulumi.Output[str],
        policy_arn: str,
    ) -> aws.iam.Role:
        """A role DataZone assumes (with session tags, which it requires) for one job."""
        created = aws.iam.Role(
            f"{self._base}-{role}",
            description=description,
            assume_role_policy=service_trust_policy(
                "datazone.amazonaws.com",
                account_id,
                tag_session=True,
                conditions=(Condition("ForAllValues:StringLike", "aws:TagKeys", "datazone*"),),
            ).render(),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.iam.RolePolicyAttachment(
            f"{self._base}-{role}-policy",
            role=created.name,
            policy_arn=policy_arn,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return created

    def _enable_data_lake(
        self,
        name: str,
        domain: aws.datazone.Domain,
        args: LabGovernanceArgs,
        account_id: pulumi.Output[str],
        region: pulumi.Output[str],
    ) -> None:
        """Enable the managed data-lake blueprint in the lake's region only (data residency)."""
        blueprint = aws.datazone.get_environment_blueprint_output(
            domain_id=domain.id,
            name=_BLUEPRINT,
            managed=True,
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        manage_access = self._role(
            "manage-access-role",
            "Grants DataZone subscribers access to published lake tables (Lake Formation).",
            account_id,
            managed_policy_arn("service-role/AmazonDataZoneGlueManageAccessRolePolicy"),
        )
        provisioning = self._role(
            "provisioning-role",
            "Provisions data-lake environments (Glue databases, Athena workgroups).",
            account_id,
            managed_policy_arn("AmazonDataZoneRedshiftGlueProvisioningPolicy"),
        )
        location = pulumi.Output.concat("s3://", args["lake_bucket_name"], "/datazone/")
        aws.datazone.EnvironmentBlueprintConfiguration(
            f"{name}-data-lake-blueprint",
            domain_id=domain.id,
            environment_blueprint_id=blueprint.id,
            enabled_regions=[region],
            manage_access_role_arn=manage_access.arn,
            provisioning_role_arn=provisioning.arn,
            regional_parameters=pulumi.Output.all(region, location).apply(
                lambda v: {v[0]: {"S3Location": v[1]}}
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
