"""The AWS calls the EC2 scheduler makes (evaluated by `make access`)."""

from __future__ import annotations

from typing import Final

from functions.common.access import Call

_OPTED_IN: Final = {"ec2:ResourceTag/${OPT_IN_TAG_KEY}": "true"}
"""The scheduler only stops and starts instances that opted in."""

CALLS: Final = (
    Call("ec2:DescribeInstances", "*", {"aws:RequestedRegion": "${region}"}),
    Call("ec2:StopInstances", "ec2:instance", _OPTED_IN),
    Call("ec2:StartInstances", "ec2:instance", _OPTED_IN),
    Call("sns:Publish", "env:TOPIC_ARN"),
)
