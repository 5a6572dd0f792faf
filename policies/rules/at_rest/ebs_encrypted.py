"""EBS volumes, and the volumes launch templates create, are encrypted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import as_bool, as_list, as_mapping, as_text

__all__ = ["RULES"]

VOLUME: Final = "aws:ebs/volume:Volume"
LAUNCH_TEMPLATE: Final = "aws:ec2/launchTemplate:LaunchTemplate"


def _volume(resource: ResourceView) -> Iterator[str]:
    if not as_bool(resource.props.get("encrypted")):
        yield f"EBS volume {resource.name} is not encrypted"


def _launch_template(resource: ResourceView) -> Iterator[str]:
    for mapping in as_list(resource.props.get("blockDeviceMappings")):
        entry = as_mapping(mapping)
        ebs = as_mapping(entry.get("ebs"))
        # Launch templates carry `encrypted` as text ("true"); a mapping without `ebs` is an
        # instance-store or NoDevice mapping and creates no EBS volume.
        if entry.get("ebs") is not None and not as_bool(ebs.get("encrypted")):
            device = as_text(entry.get("deviceName")) or "(no device name)"
            yield f"launch template {resource.name}: EBS volume {device} is not encrypted"


RULES = (
    ResourceRule(
        name="ebs-volume-encrypted",
        guards=("aws:ebs/volume:Volume.encrypted",),
        description="EBS volumes are encrypted at rest.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation="Set encrypted=True (and kms_key_id=<key ARN>) on the aws.ebs.Volume.",
        concern="encryption-at-rest",
        controls=("FSBP EC2.3",),
        resource_types=(VOLUME,),
        check=_volume,
    ),
    ResourceRule(
        name="ec2-launch-template-ebs-encrypted",
        guards=("aws:ec2/launchTemplate:LaunchTemplate.blockDeviceMappings[].ebs.encrypted",),
        description="Launch templates only create encrypted EBS volumes.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        remediation=(
            'Set block_device_mappings[].ebs.encrypted="true" (and kms_key_id) on the '
            "aws.ec2.LaunchTemplate."
        ),
        concern="encryption-at-rest",
        resource_types=(LAUNCH_TEMPLATE,),
        check=_launch_template,
    ),
)
