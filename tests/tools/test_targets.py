"""The first-up `--target` list holds the network and everything it depends on."""

from __future__ import annotations

import pytest

from tests.support.stack import rendered
from tools.targets import closure, main, target_flags

NETWORK = "genomics:network:Network"


def test_the_network_closure_includes_its_provider_and_the_log_key() -> None:
    """Flow logs are encrypted with the log key; every resource names the explicit provider."""
    resources = rendered("prod").resources
    urns = closure(resources, [NETWORK])
    assert any(urn.endswith("pulumi:providers:aws::gen-prod-aws") for urn in urns)
    assert any("LogEncryptionKey$aws:kms/key:Key::" in urn for urn in urns)
    assert any(urn.endswith(f"{NETWORK}::gen-prod-network") for urn in urns)


def test_nothing_a_targeted_resource_needs_is_left_out() -> None:
    """Every parent, provider and dependency of a listed resource is listed too."""
    resources = rendered("prod").resources
    by_urn = {r.urn: r for r in resources}
    urns = set(closure(resources, [NETWORK]))
    for urn in urns:
        resource = by_urn[urn]
        needs = {resource.parent, resource.provider.rsplit("::", 1)[0], *resource.dependencies}
        needs |= {u for us in resource.property_dependencies.values() for u in us}
        assert {n for n in needs if n in by_urn} <= urns, urn


def test_the_closure_leaves_the_rest_of_the_stack_out() -> None:
    """A partial up stays partial: the cluster and the lake are not targeted."""
    urns = closure(rendered("prod").resources, [NETWORK])
    assert not any("genomics:cluster:Cluster" in urn for urn in urns)
    assert not any("genomics:data:DataLake" in urn for urn in urns)


def test_flags_survive_command_substitution_unchanged() -> None:
    """`$(...)` output is split on blanks but its quotes and `$` stay literal: URNs go bare."""
    assert target_flags(["urn:a$b::c", "urn:d"]) == "--target urn:a$b::c --target urn:d"
    with pytest.raises(ValueError, match="blank"):
        target_flags(["urn:a b"])


def test_an_unknown_type_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """A typo in the component type names it instead of printing nothing."""
    assert main(["--stack", "dev", "genomics:network:Netwrk"]) == 2
    assert "no resource of type genomics:network:Netwrk" in capsys.readouterr().err
