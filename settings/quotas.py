"""Account quotas the stack needs, checked against what the stack's settings say the account has.

Preview cannot ask AWS for the account's quotas, so the stack states them
(`genomics:lambdaConcurrencyQuota`) and the program compares them with what it is about to
create; a shortfall fails preview with the key and the fix instead of failing `pulumi up`
half way, when Lambda refuses the reservation.
"""

from __future__ import annotations

from settings.errors import SettingsError, SettingsProblem
from settings.loader import CONFIG_NAMESPACE
from settings.model import StackSettings

__all__ = ["lambda_concurrency_error"]


def lambda_concurrency_error(
    settings: StackSettings, reserved: int, unreserved_minimum: int
) -> SettingsError | None:
    """The error to fail preview with when the account's concurrency quota cannot hold the
    stack's `reserved` concurrency plus Lambda's `unreserved_minimum`; None when it can."""
    needed = reserved + unreserved_minimum
    if settings.lambda_concurrency_quota >= needed:
        return None
    problem = SettingsProblem(
        "lambdaConcurrencyQuota",
        settings.lambda_concurrency_quota,
        f"at least {needed}: the stack reserves {reserved} concurrent executions and Lambda "
        f"keeps {unreserved_minimum} unreserved",
        str(needed),
        fix=(
            "request a higher 'Concurrent executions' quota for Lambda in Service Quotas, then "
            f"pulumi config set {CONFIG_NAMESPACE}:lambdaConcurrencyQuota <granted value>"
        ),
    )
    return SettingsError([problem], CONFIG_NAMESPACE)
