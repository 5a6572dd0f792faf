"""The pack's per-request shortcuts over the SDK, checked in process on the SDK's own servicer.

Diagnostics with and without them are compared through the real pack in
tests/tools/test_preview_record.py; here, what each shortcut saves is shown to be saved: every
stack policy of one `AnalyzeStack` reads one resource list, and a worker thread applies the
runtime settings once until their environment changes.
"""

from __future__ import annotations

import threading
from typing import Any

import pulumi_policy
import pulumi_policy.policy as sdk_policy
import pytest
from pulumi.runtime.proto import analyzer_pb2

from policies import sdk_decoding


def _servicer(*policies: Any) -> Any:
    servicer_class: Any = getattr(sdk_policy, "_PolicyAnalyzerServicer")  # noqa: B009
    return servicer_class(
        "test-pack", "1.0.0", list(policies), pulumi_policy.EnforcementLevel.MANDATORY
    )


def _request() -> analyzer_pb2.AnalyzeStackRequest:
    request = analyzer_pb2.AnalyzeStackRequest()
    role = request.resources.add(type="aws:iam/role:Role", urn="urn:r::role", name="role")
    role.properties.update({"name": "reader"})
    attached = request.resources.add(
        type="aws:iam/rolePolicy:RolePolicy",
        urn="urn:r::policy",
        name="policy",
        parent="urn:r::role",
        dependencies=["urn:r::role"],
    )
    attached.propertyDependencies["role"].urns.append("urn:r::role")
    return request


def test_every_stack_policy_of_a_request_reads_one_resource_list() -> None:
    """Two stack policies see the same list object, with parents and dependencies resolved."""
    seen: list[Any] = []

    def validate(args: Any, report: Any) -> None:
        seen.append(args.resources)
        report("seen", None)

    policies = [
        pulumi_policy.StackValidationPolicy(name=f"p{i}", description="d", validate=validate)
        for i in range(2)
    ]
    servicer = _servicer(*policies)
    response = sdk_decoding._analyze_stack(servicer, _request(), None)
    assert len(seen) == 2
    assert seen[0] is seen[1]
    role, attached = seen[0]
    assert attached.parent is role
    assert attached.dependencies == [role]
    assert attached.property_dependencies == {"role": [role]}
    assert role.props["name"] == "reader"
    assert [d.policyName for d in response.diagnostics] == ["p0", "p1"]

    fresh: list[Any] = []
    sdk_servicer = _servicer(
        pulumi_policy.StackValidationPolicy(
            name="a", description="d", validate=lambda a, r: fresh.append(a.resources)
        ),
        pulumi_policy.StackValidationPolicy(
            name="b", description="d", validate=lambda a, r: fresh.append(a.resources)
        ),
    )
    sdk_servicer.AnalyzeStack(_request(), None)
    assert fresh[0] is not fresh[1]  # what the SDK does: one list per policy


def test_runtime_settings_are_applied_once_per_thread_and_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Repeated requests on one thread apply them once; a new environment or thread again."""
    calls: list[int] = []
    configure = sdk_decoding._settings_once_per_thread(
        lambda _: calls.append(threading.get_ident())
    )
    monkeypatch.setenv("PULUMI_CONFIG", "{}")
    for _ in range(5):
        configure(object())
    assert len(calls) == 1
    monkeypatch.setenv("PULUMI_CONFIG", '{"aws:region": "ap-south-1"}')
    configure(object())
    configure(object())
    assert len(calls) == 2
    other = threading.Thread(target=configure, args=(object(),))
    other.start()
    other.join()
    assert len(calls) == 3
    assert calls[2] != calls[0]
