"""The ECR pull-through cache that serves the pipeline's pinned images to every engine.

HealthOmics reads images only from ECR private repositories in the run's Region ("HealthOmics
doesn't support access to public repositories", AWS HealthOmics User Guide, "Container images
for private workflows"). A pull-through cache rule per upstream registry keeps those
repositories in sync; a repository creation template gives each repository the cache creates
the policy HealthOmics needs to pull from it and the platform key; the registry policy lets
the pullers (HealthOmics, Batch jobs, EKS nodes) import upstream images on first pull
(`ecr:BatchImportUpstreamImage`, `ecr:CreateRepository`: Amazon ECR User Guide, "IAM
permissions required to sync an upstream registry with an Amazon ECR private registry").

A template that encrypts with a KMS key (or tags) must name a repository creation role: "If you
intend to use KMS keys, resource tags, or a combination of both in one or more templates, you
need to" create a custom policy and role and attach it to the template (Amazon ECR User Guide,
"Creating a repository creation template", "Create a custom policy for repository creation
templates", "Create an IAM role for repository creation templates"). Without it ECR cannot
create the cached repository under the platform key, and every first pull fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from components.blocks.iam_documents import service_trust_policy
from components.lab.policy import Document, aws_context, document, render, statement
from pipelines.images import PULL_THROUGH_PREFIXES, ecr_registry

__all__ = ["PipelineImages", "PipelineImagesArgs"]

_PULL_ACTIONS = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
)
_IMPORT_ACTIONS = ("ecr:BatchImportUpstreamImage", "ecr:CreateRepository")
_TEMPLATE_KEY_ACTIONS = ("kms:CreateGrant", "kms:DescribeKey", "kms:RetireGrant")
"""The key actions of AWS's custom policy for repository creation templates: ECR describes the
key and grants the new repository its use (retiring the grant when the repository goes)."""


class PipelineImagesArgs(TypedDict):
    """Inputs of the pipeline image cache."""

    kms_key_arn: pulumi.Input[str]
    """Key the cached repositories are encrypted with."""
    puller_role_arns: NotRequired[Sequence[pulumi.Input[str]]]
    """Roles that pull pipeline images besides HealthOmics (Batch execution role, EKS nodes)."""


class PipelineImages(pulumi.ComponentResource):
    """Pull-through cache rules, their repository template and the registry policy."""

    registry: pulumi.Output[str]
    """Private registry host, e.g. `111122223333.dkr.ecr.ap-south-1.amazonaws.com`."""

    def __init__(
        self, name: str, args: PipelineImagesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("genomics:pipelines:PipelineImages", name, None, opts)
        context = aws_context(self)
        child = pulumi.ResourceOptions(parent=self)
        repository_arns = [
            pulumi.Output.concat(
                "arn:aws:ecr:",
                context.region,
                ":",
                context.account_id,
                ":repository/",
                prefix,
                "/*",
            )
            for prefix in PULL_THROUGH_PREFIXES.values()
        ]
        template_role = self._create_template_role(name, context.account_id, repository_arns, args)
        for upstream, prefix in PULL_THROUGH_PREFIXES.items():
            aws.ecr.PullThroughCacheRule(
                f"{name}-{prefix}",
                ecr_repository_prefix=prefix,
                upstream_registry_url=upstream,
                opts=child,
            )
            aws.ecr.RepositoryCreationTemplate(
                f"{name}-{prefix}-template",
                prefix=prefix,
                description=f"Repositories the {upstream} pull-through cache creates.",
                applied_fors=["PULL_THROUGH_CACHE"],
                # The cache keeps a repository in sync only while its tags stay mutable (AWS
                # HealthOmics User Guide, "Using third-party registries supported by pull
                # through cache"); the pipeline pulls by digest, which tags cannot move.
                image_tag_mutability="MUTABLE",
                encryption_configurations=[
                    aws.ecr.RepositoryCreationTemplateEncryptionConfigurationArgs(
                        encryption_type="KMS", kms_key=args["kms_key_arn"]
                    )
                ],
                repository_policy=render(self._pull_policy()),
                custom_role_arn=template_role.arn,
                opts=child,
            )
        aws.ecr.RegistryPolicy(
            f"{name}-registry-policy",
            policy=render(self._registry_policy(repository_arns, args)),
            opts=child,
        )
        self.registry = pulumi.Output.all(context.account_id, context.region).apply(
            lambda v: ecr_registry(v[0], v[1])
        )
        self.register_outputs({"registry": self.registry})

    def _create_template_role(
        self,
        name: str,
        account_id: pulumi.Input[str],
        repository_arns: list[pulumi.Output[str]],
        args: PipelineImagesArgs,
    ) -> aws.iam.Role:
        """The role ECR assumes to create cache repositories under the platform key.

        AWS's custom policy for the role grants `ecr:CreateRepository`, `ecr:ReplicateImage`
        and `ecr:TagResource` on `*` plus the key actions; this one keeps only what a
        pull-through template uses: creating repositories under the cache prefixes (the
        templates replicate nothing and carry no resource tags) and the key actions on the one
        key they name. The key's policy delegates to IAM (`EnableIamPolicies`), so this identity
        policy is the whole grant. The trust is pinned to this account (`aws:SourceAccount`)
        against the confused deputy.
        """
        role = aws.iam.Role(
            f"{name}-template-role",
            description="ECR creates pull-through cache repositories under the platform key",
            assume_role_policy=service_trust_policy(
                "ecr.amazonaws.com", account_id, sid="EcrOfThisAccount"
            ).render(),
            max_session_duration=3600,
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.iam.RolePolicy(
            f"{name}-template-role-policy",
            role=role.id,
            policy=render(
                document(
                    statement("CreateCacheRepositories", ["ecr:CreateRepository"], repository_arns),
                    statement(
                        "EncryptCacheRepositories",
                        list(_TEMPLATE_KEY_ACTIONS),
                        [args["kms_key_arn"]],
                    ),
                )
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return role

    @staticmethod
    def _pull_policy() -> Document:
        """HealthOmics may pull: the statement of AWS HealthOmics User Guide, "Amazon ECR
        permissions". It carries no `aws:SourceAccount` guard because AWS documents none for
        these pulls, and one the service does not send would fail every run; the repositories
        hold only public upstream images."""
        return document(
            {
                "Sid": "HealthOmicsPull",
                "Effect": "Allow",
                "Principal": {"Service": "omics.amazonaws.com"},
                "Action": list(_PULL_ACTIONS),
            }
        )

    @staticmethod
    def _registry_policy(
        repository_arns: list[pulumi.Output[str]], args: PipelineImagesArgs
    ) -> Document:
        """Who may create cache repositories and import into them: HealthOmics (as documented,
        without a source guard, see `_pull_policy`) and the stack's own puller roles."""
        statements: list[Document] = [
            {
                "Sid": "HealthOmicsImportUpstream",
                "Effect": "Allow",
                "Principal": {"Service": "omics.amazonaws.com"},
                "Action": list(_IMPORT_ACTIONS),
                "Resource": repository_arns,
            }
        ]
        pullers = list(args.get("puller_role_arns", ()))
        if pullers:
            statements.append(
                {
                    "Sid": "PipelineRolesImportUpstream",
                    "Effect": "Allow",
                    "Principal": {"AWS": pullers},
                    "Action": list(_IMPORT_ACTIONS),
                    "Resource": repository_arns,
                }
            )
        return document(*statements)
