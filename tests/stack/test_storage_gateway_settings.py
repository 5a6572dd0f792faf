"""The gateway's domain join travels from settings to the gateway the program renders."""

from __future__ import annotations

from pathlib import Path

from tools.preview.program import run_program
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


def test_configured_domain_join_reaches_the_gateway() -> None:
    """With an activation key and the three join keys, the gateway joins that domain."""
    config = {**load_stack_config(ROOT, "dev"), **JOIN}
    run = run_program(ROOT, "genomics", "dev", config)
    (gateway,) = [r for r in run.resources if r.type == "aws:storagegateway/gateway:Gateway"]
    settings = gateway.inputs["smbActiveDirectorySettings"]
    assert settings["domainName"] == "lab.example.org"
    assert settings["username"] == "sgw-join"
