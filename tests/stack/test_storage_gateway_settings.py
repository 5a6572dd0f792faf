"""The gateway's domain join travels from settings to the gateway the program renders."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pytest

from tools.preview.program import ProgramRun, run_program
from tools.preview.stack_config import load_stack_config

ROOT = Path(__file__).resolve().parents[2]
JOIN = {
    "genomics:storageGatewayActivationKey": "ABCDE-12345-FGHIJ-67890-KLMNO",
    "genomics:storageGatewayAdDomain": "lab.example.org",
    "genomics:storageGatewayAdUsername": "sgw-join",
    "genomics:storageGatewayAdPasswordSecretArn": (
        "arn:aws:secretsmanager:ap-south-1:111122223333:secret:sgw-join-AbCdEf"
    ),
}


SECRET_KEYS = ("genomics:storageGatewayActivationKey",)
"""The activation key is secret config, as `pulumi config set --secret` stores it."""


@pytest.fixture(scope="module")
def with_gateway() -> ProgramRun:
    """Dev with an activation key (held as a secret) and the three join keys."""
    config = {**load_stack_config(ROOT, "dev"), **JOIN}
    return run_program(ROOT, "genomics", "dev", config, secret_keys=SECRET_KEYS)


def test_configured_domain_join_reaches_the_gateway(with_gateway: ProgramRun) -> None:
    """With an activation key and the three join keys, the gateway joins that domain."""
    (gateway,) = [
        r for r in with_gateway.resources if r.type == "aws:storagegateway/gateway:Gateway"
    ]
    settings = gateway.inputs["smbActiveDirectorySettings"]
    assert settings["domainName"] == "lab.example.org"
    assert settings["username"] == "sgw-join"


SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d"
"""Key of the marker a secret travels in on the wire (`pulumi.runtime.rpc._special_sig_key`)."""


def test_activation_key_reaches_the_gateway_as_a_secret(with_gateway: ProgramRun) -> None:
    """The activation key is secret config; the gateway's input carries it as a secret, so
    the state keeps it encrypted rather than in plain text."""
    (gateway,) = [
        r for r in with_gateway.resources if r.type == "aws:storagegateway/gateway:Gateway"
    ]
    key = gateway.inputs["activationKey"]
    assert isinstance(key, dict)
    assert SECRET_SIGNATURE in key
    assert key["value"] == JOIN["genomics:storageGatewayActivationKey"]


def test_plaintext_activation_key_is_a_settings_error() -> None:
    """A key set without --secret would sit in plain text in the stack file: refused, with
    the command that stores it encrypted."""
    config = {**load_stack_config(ROOT, "dev"), **JOIN}
    with pytest.raises(pulumi.RunError) as raised:
        run_program(ROOT, "genomics", "dev", config)
    message = str(raised.value)
    assert "genomics:storageGatewayActivationKey = '<plaintext>'" in message
    assert "pulumi config set --secret genomics:storageGatewayActivationKey" in message
