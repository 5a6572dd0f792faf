"""The AWS calls the EBS reaper makes (evaluated by `make access`)."""

from __future__ import annotations

from typing import Final

from functions.common.access import Call

CALLS: Final = (
    Call("ec2:DescribeVolumes", "*", {"aws:RequestedRegion": "${region}"}),
    Call("ec2:DescribeSnapshots", "*", {"aws:RequestedRegion": "${region}"}),
    Call("ec2:CreateTags", "ec2:volume", {"aws:TagKeys": "${MARK_TAG_KEY}"}),
    Call("ec2:DeleteTags", "ec2:volume", {"aws:TagKeys": "${MARK_TAG_KEY}"}),
    Call("ec2:CreateSnapshot", "ec2:volume"),
    Call("ec2:CreateSnapshot", "ec2:snapshot"),
    Call("ec2:DeleteVolume", "ec2:volume", {"ec2:ResourceTag/${MARK_TAG_KEY}": "2026-01-01"}),
    Call("sns:Publish", "env:TOPIC_ARN"),
)
