"""Create order on a first `up`: what AWS needs to exist before a resource is created.

Each rule joins resources of the rendered stack by the dependencies the program registers
(`dependsOn` and the property dependencies Pulumi records for outputs passed as inputs):

- a Lambda function with an EFS `fileSystemConfig` after every mount target ("If your function
  depends on a mount target ... add a DependsOn attribute", CloudFormation
  AWS::Lambda::Function FileSystemConfig);
- the DataSync EFS location after the mount targets (its subnet must be in the zone of a mount
  target: DataSync User Guide, "Configuring AWS DataSync transfers with Amazon EFS");
- EFS StorageClasses and the claims on them after the `aws-efs-csi-driver` add-on, which
  provisions them and itself waits for nodes;
- the EFS file-system policy after every role it names (IAM resolves a principal ARN to the
  role's unique id when the policy is saved: IAM User Guide, "Principal").
"""

from __future__ import annotations

import json
import re

from tests.support.harness import Registered
from tools.preview.program import RecordedResource

_MOUNT_TARGET = "aws:efs/mountTarget:MountTarget"
_ROLE_ARN = re.compile(r"arn:aws:iam::\d{12}:role/[\w+=,.@/-]+")


def _depends_on(resource: RecordedResource) -> set[str]:
    found = set(resource.dependencies)
    for urns in resource.property_dependencies.values():
        found.update(urns)
    return found


def _mount_targets(stack: Registered) -> set[str]:
    targets = {r.urn for r in stack.of_type(_MOUNT_TARGET)}
    assert targets
    return targets


def test_lambda_functions_with_efs_come_after_every_mount_target(stack: Registered) -> None:
    functions = [
        f for f in stack.of_type("aws:lambda/function:Function") if f.inputs.get("fileSystemConfig")
    ]
    assert functions, "no function mounts EFS: the rule checks nothing"
    for function in functions:
        missing = _mount_targets(stack) - _depends_on(function)
        assert not missing, (function.name, sorted(missing))


def test_the_datasync_efs_location_comes_after_every_mount_target(stack: Registered) -> None:
    [location] = stack.of_type("aws:datasync/efsLocation:EfsLocation")
    assert _mount_targets(stack) <= _depends_on(location)


def test_efs_storage_classes_and_claims_come_after_the_csi_add_on(stack: Registered) -> None:
    add_on = next(
        a
        for a in stack.of_type("aws:eks/addon:Addon")
        if a.inputs["addonName"] == "aws-efs-csi-driver"
    )
    classes = [
        sc
        for sc in stack.of_type("kubernetes:storage.k8s.io/v1:StorageClass")
        if sc.inputs["provisioner"] == "efs.csi.aws.com"
    ]
    claims = stack.of_type("kubernetes:core/v1:PersistentVolumeClaim")
    assert classes
    assert claims
    late = [r.name for r in [*classes, *claims] if add_on.urn not in _depends_on(r)]
    assert late == []


def test_the_file_system_policy_comes_after_every_role_it_names(stack: Registered) -> None:
    [policy] = stack.of_type("aws:efs/fileSystemPolicy:FileSystemPolicy")
    named = set(_ROLE_ARN.findall(json.dumps(json.loads(policy.inputs["policy"]))))
    roles = {r.outputs["arn"]: r.urn for r in stack.of_type("aws:iam/role:Role")}
    assert named
    assert named <= set(roles), sorted(named - set(roles))
    before = _depends_on(policy)
    late = sorted(arn for arn in named if roles[arn] not in before)
    assert late == []
