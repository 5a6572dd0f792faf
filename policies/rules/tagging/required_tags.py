"""Every taggable AWS resource carries the taxonomy's required tags with allowed values."""

from __future__ import annotations

from collections.abc import Iterator

from contracts.taxonomy import ALLOWED_VALUES, RESOURCE_REQUIRED_KEYS
from policies.framework import EnforcementLevel, ResourceRule, ResourceView, Severity
from policies.props import resource_tags
from policies.taggable import AWS_PACKAGES, is_taggable

__all__ = ["RULE"]


def _check(resource: ResourceView) -> Iterator[str]:
    if not is_taggable(resource.type):
        return
    tags = resource_tags(resource.props, resource.provider_props)
    required = [str(key) for key in resource.config["requiredKeys"]]
    missing = [key for key in required if not tags.get(key)]
    if missing:
        yield (
            f"{resource.name} is missing required tags {', '.join(missing)} "
            "(counting the provider's default tags)"
        )
    for key, allowed in ALLOWED_VALUES.items():
        value = tags.get(key)
        if value is not None and value not in allowed:
            yield f"{resource.name}: tag {key}={value!r} is not one of {', '.join(allowed)}"


RULE = ResourceRule(
    name="aws-resource-required-tags",
    description=(
        "Every taggable AWS resource (pulumi-aws and aws-native alike) carries the taxonomy's "
        "required tags."
    ),
    severity=Severity.MEDIUM,
    enforcement=EnforcementLevel.MANDATORY,
    remediation=(
        "Set the tags on the aws and aws-native providers' default_tags (the program derives "
        "them from settings.resource_tags) or on the resource itself; values must be in the "
        "taxonomy."
    ),
    concern="required-tags",
    resource_types=tuple(f"{package}:*" for package in AWS_PACKAGES),
    check=_check,
    config_properties={
        "requiredKeys": {
            "type": "array",
            "items": {"type": "string"},
            "default": [str(key) for key in RESOURCE_REQUIRED_KEYS],
            "description": "Tag keys every taggable resource must carry.",
        }
    },
)
