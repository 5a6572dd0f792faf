"""Decode each analyzer request once, not once per policy.

pulumi-policy's `Analyze` loops over every policy of the pack and, inside that loop, decodes
the request again for each one: `json_format.MessageToDict` of the resource's properties and of
its provider's, `deserialize_properties`, then `unknown_checking_proxy`. With this pack's 40-odd
resource policies that decoding was about 70 % of the pack's time (measured over the prod
stack's 562 requests: 6.4 s of which 4.5 s decoding). Each step's result depends only on its
argument, and the engine never changes a request while a call is in flight, so every gRPC
worker thread keeps the arguments it decoded last (by identity, holding them alive so an
identity cannot be reused) and hands the policies the same read-only result.

Two more per-request costs go the same way. `AnalyzeStack` builds the list of resources it
hands a stack policy once per policy (the prod stack: 612 resources × 23 stack policies, about
0.6 s a preview); here it is built once per request and every stack policy reads the same list.
And every request re-applies the runtime settings (parses PULUMI_CONFIG, builds a `Settings`),
although the environment never changes in the pack process; here each gRPC worker thread
applies them once (they are context variables, so each thread needs its own), again whenever
the environment they came from differs.

`install()` is called by the pack's entry point; `GENOMICS_PACK_DECODE_PER_POLICY=1` turns it
all off (tests compare both ways and must see the same diagnostics).
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from inspect import isawaitable
from typing import Any, Final

import pulumi_policy.policy as sdk_policy
from pulumi.runtime import proto

__all__ = ["DISABLE_ENV", "install"]

DISABLE_ENV: Final = "GENOMICS_PACK_DECODE_PER_POLICY"
_SLOTS: Final = 4096
"""`AnalyzeStack` decodes every resource (and its provider) once per stack policy, so a thread
keeps as many results as a large stack has messages; the oldest go first."""


class _RecentByIdentity:
    """A per-thread memo of `function(argument, *rest)` for the last arguments seen."""

    def __init__(self, function: Callable[..., Any]) -> None:
        self._function = function
        self._local = threading.local()

    def __call__(self, argument: Any, *rest: Any) -> Any:
        recent: dict[tuple[int, tuple[Any, ...]], tuple[Any, Any]] = (
            self._local.__dict__.setdefault("recent", {})
        )
        key = (id(argument), rest)
        seen = recent.get(key)
        # The entry holds the argument alive, so its id cannot be reused while it is cached.
        if seen is not None and seen[0] is argument:
            return seen[1]
        result = self._function(argument, *rest)
        recent[key] = (argument, result)
        if len(recent) > _SLOTS:
            del recent[next(iter(recent))]
        return result


class _JsonFormat:
    """`json_format` as pulumi-policy uses it, with `MessageToDict` memoised."""

    def __init__(self, module: Any) -> None:
        self._module = module
        self.MessageToDict = _RecentByIdentity(module.MessageToDict)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)


_SETTINGS_ENV: Final = (
    "PULUMI_CONFIG",
    "PULUMI_PROJECT",
    "PULUMI_STACK",
    "PULUMI_DRY_RUN",
    "PULUMI_ORGANIZATION",
)
"""Everything the SDK's `_configure_runtime_settings` reads."""


def _settings_once_per_thread(function: Callable[[Any], None]) -> Callable[[Any], None]:
    """`_configure_runtime_settings`, run again in a thread only when its environment changed."""
    local = threading.local()

    def configure_runtime_settings(servicer: Any) -> None:
        environment = tuple(os.environ.get(name) for name in _SETTINGS_ENV)
        if getattr(local, "environment", None) != environment:
            function(servicer)
            local.environment = environment

    return configure_runtime_settings


_sdk: Any = sdk_policy
"""The SDK module, untyped: its private names (and those replaced above) are read through it."""

_SERVICER_PRIVATE: Final = "_PolicyAnalyzerServicer__"
"""The prefix Python gives the servicer's private attributes (name mangling)."""


def _stack_resources(servicer: Any, request: Any) -> list[Any]:
    """The SDK's per-policy build of `AnalyzeStack`'s resource list, done once.

    The same steps as the SDK's loop body (pulumi_policy 1.21 `AnalyzeStack`): decode each
    resource, then resolve parents, dependencies and property dependencies to the objects.
    """
    intermediates = []
    for r in request.resources:
        deserialized = _sdk.deserialize_properties(_sdk.json_format.MessageToDict(r.properties))
        props = _sdk.unknown_checking_proxy(deserialized)
        opts = servicer._get_resource_options(r)
        provider = servicer._get_provider_resource(r)
        resource = _sdk.PolicyResource(r.type, props, r.urn, r.name, opts, provider, None, [], {})
        property_dependencies = {k: list(v.urns) for k, v in r.propertyDependencies.items()}
        intermediates.append((resource, r.parent, list(r.dependencies), property_dependencies))
    by_urn = {resource.urn: resource for resource, *_ in intermediates}
    for resource, parent, dependencies, property_dependencies in intermediates:
        if parent is not None and parent in by_urn:
            resource.parent = by_urn[parent]
        resource.dependencies.extend(by_urn[d] for d in dependencies if d in by_urn)
        for key, urns in property_dependencies.items():
            resource.property_dependencies[key] = [by_urn[d] for d in urns if d in by_urn]
    return [resource for resource, *_ in intermediates]


def _analyze_stack(servicer: Any, request: Any, _context: Any) -> Any:
    """The SDK's `AnalyzeStack` with the resource list built once for all stack policies.

    Policies, levels, reports and error handling are the SDK's, step for step; the only change
    is that `_stack_resources` runs before the policy loop instead of inside it.
    """
    servicer._configure_runtime_settings()
    response = proto.AnalyzeResponse()
    pack_name = getattr(servicer, _SERVICER_PRIVATE + "policy_pack_name")
    pack_version = getattr(servicer, _SERVICER_PRIVATE + "policy_pack_version")
    stack_tags = getattr(servicer, _SERVICER_PRIVATE + "stack_tags")
    resources: list[Any] | None = None
    for policy in getattr(servicer, _SERVICER_PRIVATE + "policies"):
        level = servicer._get_enforcement_level(policy)
        if level == _sdk.EnforcementLevel.DISABLED or not isinstance(
            policy, _sdk.StackValidationPolicy
        ):
            continue
        if level == _sdk.EnforcementLevel.REMEDIATE:
            level = _sdk.EnforcementLevel.MANDATORY
        report = servicer._create_report_violation(
            response, policy.name, policy.description, level, policy.severity
        )
        if resources is None:
            resources = _stack_resources(servicer, request)
        config = servicer._get_policy_config(policy.name)
        args = _sdk.StackValidationArgs(resources, config, stack_tags)
        try:
            result: Any = policy.validate(args, report)
            if isawaitable(result):
                loop = asyncio.new_event_loop()
                loop.run_until_complete(result)
                loop.close()
        except _sdk.UnknownValueError as error:
            response.diagnostics.append(
                proto.AnalyzeDiagnostic(
                    policyName=policy.name,
                    policyPackName=pack_name,
                    policyPackVersion=pack_version,
                    message=(
                        f"can't run policy '{policy.name}' from policy pack "
                        f"'{pack_name}@v{pack_version}' during preview: {error.message}"
                    ),
                    urn="",
                    description=policy.description,
                    enforcementLevel=servicer._map_enforcement_level(
                        _sdk.EnforcementLevel.ADVISORY
                    ),
                )
            )
        except _sdk._NotApplicableError as error:
            response.not_applicable.append(
                proto.PolicyNotApplicable(policy_name=policy.name, reason=error.reason or "")
            )
    return response


def install() -> bool:
    """Memoise the SDK's per-policy decoding; returns whether it was installed."""
    # The SDK module looks these names up at each call, so replacing them is enough; they are
    # not part of its typed interface, hence getattr/setattr.
    current = getattr(sdk_policy, "json_format")  # noqa: B009
    if os.environ.get(DISABLE_ENV) == "1" or isinstance(current, _JsonFormat):
        return False
    setattr(sdk_policy, "json_format", _JsonFormat(current))  # noqa: B010
    for name in ("deserialize_properties", "unknown_checking_proxy"):
        setattr(sdk_policy, name, _RecentByIdentity(getattr(sdk_policy, name)))
    servicer = _sdk._PolicyAnalyzerServicer
    servicer._configure_runtime_settings = _settings_once_per_thread(
        servicer._configure_runtime_settings
    )
    servicer.AnalyzeStack = _analyze_stack
    return True
