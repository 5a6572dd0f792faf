"""Drive the real policy pack process over Pulumi's analyzer gRPC protocol.

The pack is started the way the engine starts a Python policy pack
(`python -m pulumi.policy <engine-address> <pack-dir>` with PULUMI_PROJECT, PULUMI_STACK,
PULUMI_DRY_RUN and PULUMI_CONFIG set); it prints the port it serves on, and the client then
calls GetAnalyzerInfo, Configure, ConfigureStack, Analyze per resource and AnalyzeStack once,
exactly the RPCs `pulumi preview --policy-pack` makes.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Final, Self

import grpc
import jsonschema
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from tools.preview.program import RecordedResource

__all__ = [
    "ENFORCEMENT_NAMES",
    "SEVERITY_NAMES",
    "AnalyzerError",
    "PackInfo",
    "PolicyPackProcess",
    "Violation",
]

_START_TIMEOUT_SECONDS: Final = 60.0
_MAX_MESSAGE: Final = 400 * 1024 * 1024
ENFORCEMENT_NAMES: Final = {
    analyzer_pb2.ADVISORY: "advisory",
    analyzer_pb2.MANDATORY: "mandatory",
    analyzer_pb2.REMEDIATE: "remediate",
    analyzer_pb2.DISABLED: "disabled",
}
SEVERITY_NAMES: Final = {
    analyzer_pb2.POLICY_SEVERITY_UNSPECIFIED: "unspecified",
    analyzer_pb2.POLICY_SEVERITY_LOW: "low",
    analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium",
    analyzer_pb2.POLICY_SEVERITY_HIGH: "high",
    analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical",
}
_ENFORCEMENT_VALUES: Final[dict[str, analyzer_pb2.EnforcementLevel.ValueType]] = {
    name: value for value, name in ENFORCEMENT_NAMES.items()
}


class AnalyzerError(RuntimeError):
    """The policy pack could not be started, configured or asked."""


@dataclass(frozen=True, slots=True)
class Violation:
    """One diagnostic the pack reported."""

    policy: str
    enforcement: str
    severity: str
    urn: str
    message: str


@dataclass(frozen=True, slots=True)
class PolicyInfo:
    """What the pack says about one of its policies."""

    name: str
    description: str
    enforcement: str
    severity: str
    remediation: str
    url: str
    kind: str
    config_schema: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class PackInfo:
    """GetAnalyzerInfo's answer."""

    name: str
    version: str
    policies: tuple[PolicyInfo, ...]


def _struct(value: Mapping[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(dict(value))
    return message


def _validate_properties(policy: PolicyInfo, properties: Mapping[str, Any]) -> None:
    """Check one policy's properties against its config schema, as the CLI does before it
    configures the pack (pkg/resource/analyzer/config.go: the schema's properties and
    required list as a JSON Schema object), so a typo is a clear error, not a gRPC failure."""
    schema: dict[str, Any] = {"type": "object"}
    schema.update(
        {
            k: policy.config_schema[k]
            for k in ("properties", "required")
            if policy.config_schema.get(k)
        }
    )
    errors = sorted(
        jsonschema.Draft7Validator(schema).iter_errors(dict(properties)), key=lambda e: e.path
    )
    if errors:
        described = "; ".join(
            f"{'.'.join(str(p) for p in error.path) or '(root)'}: {error.message}"
            for error in errors
        )
        known = ", ".join(sorted(policy.config_schema.get("properties", {}))) or "none"
        raise AnalyzerError(
            f"policy pack configuration is invalid for {policy.name}: {described} "
            f"(its properties: {known})"
        )


def read_pack_config(path: Path | None) -> dict[str, Any]:
    """The `--policy-pack-config` document, or a clear error naming the file."""
    if path is None:
        return {}
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise AnalyzerError(f"policy pack config {path}: {error}") from error
    if not isinstance(document, dict):
        raise AnalyzerError(f"policy pack config {path}: expected a JSON object of policies")
    return document


def expand_pack_config(
    raw: Mapping[str, Any], policies: Iterable[PolicyInfo]
) -> dict[str, analyzer_pb2.PolicyConfig]:
    """Turn a `--policy-pack-config` document into Configure's per-policy map, as the CLI does.

    `all` sets the enforcement of every policy; a policy entry is either an enforcement level or
    an object with `enforcementLevel` and properties. Unknown policy names and levels are errors.
    """
    known = {policy.name: policy for policy in policies}
    result: dict[str, analyzer_pb2.PolicyConfig] = {}
    everything = raw.get("all")
    if everything is not None:
        level = everything if isinstance(everything, str) else everything.get("enforcementLevel")
        for name in known:
            result[name] = analyzer_pb2.PolicyConfig(enforcementLevel=_level(str(level), "all"))
    for name, value in raw.items():
        if name == "all":
            continue
        if name not in known:
            raise AnalyzerError(f"policy pack config names unknown policy {name!r}")
        entry = result.get(name) or analyzer_pb2.PolicyConfig(
            enforcementLevel=_level(known[name].enforcement, name)
        )
        if isinstance(value, str):
            entry.enforcementLevel = _level(value, name)
        elif isinstance(value, Mapping):
            properties = {k: v for k, v in value.items() if k != "enforcementLevel"}
            _validate_properties(known[name], properties)
            if "enforcementLevel" in value:
                entry.enforcementLevel = _level(str(value["enforcementLevel"]), name)
            entry.properties.update(properties)
        else:
            raise AnalyzerError(
                f"policy pack config for {name}: expected an enforcement level or an object, "
                f"found {value!r}"
            )
        result[name] = entry
    return result


def _level(name: str, where: str) -> analyzer_pb2.EnforcementLevel.ValueType:
    if name not in _ENFORCEMENT_VALUES:
        raise AnalyzerError(
            f"{where}: enforcement level {name!r} is not one of {', '.join(_ENFORCEMENT_VALUES)}"
        )
    return _ENFORCEMENT_VALUES[name]


class PolicyPackProcess:
    """A running policy pack and a client for it; use as a context manager."""

    def __init__(
        self,
        pack_dir: Path,
        *,
        project: str,
        stack: str,
        config: Mapping[str, str],
        python: str = sys.executable,
    ) -> None:
        self._pack_dir = pack_dir
        self._project = project
        self._stack = stack
        self._config = dict(config)
        self._python = python
        self._process: subprocess.Popen[bytes] | None = None
        self._channel: grpc.Channel | None = None
        self._stub: analyzer_pb2_grpc.AnalyzerStub | None = None
        self._connecting = threading.Lock()
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed in __exit__

    # ---- lifecycle ----

    def __enter__(self) -> Self:
        """Start the pack; the first RPC waits for it to serve, so its start-up can overlap."""
        env = {
            **os.environ,
            "PULUMI_PROJECT": self._project,
            "PULUMI_STACK": self._stack,
            "PULUMI_DRY_RUN": "true",
            "PULUMI_CONFIG": json.dumps(self._config),
        }
        # The engine passes its own address; nothing here serves it, and the pack only dials it
        # to log, which it does not do unless a policy crashes (stderr then shows the error).
        command = [self._python, "-u", "-m", "pulumi.policy", "127.0.0.1:1", str(self._pack_dir)]
        # stderr goes to a file: a pipe nobody drains could fill and stall the pack.
        self._process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=self._stderr, env=env, cwd=self._pack_dir
        )
        return self

    def wait_until_serving(self) -> None:
        """Read the port the pack prints and connect; idempotent and safe from any thread."""
        with self._connecting:
            if self._stub is not None:
                return
            if self._process is None:
                raise AnalyzerError("the policy pack is not running; use it as a context manager")
            port = self._read_port()
            self._channel = grpc.insecure_channel(
                f"127.0.0.1:{port}",
                options=[
                    ("grpc.max_receive_message_length", _MAX_MESSAGE),
                    ("grpc.max_send_message_length", _MAX_MESSAGE),
                ],
            )
            self._stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        self._stub = None
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            if self._process.stdout is not None:
                self._process.stdout.close()
            self._process = None
        if not self._stderr.closed:
            self._stderr.close()

    def _read_port(self) -> int:
        assert self._process is not None
        assert self._process.stdout is not None
        deadline = time.monotonic() + _START_TIMEOUT_SECONDS
        line = b""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self._process.stdout], [], [], 0.2)
            if ready:
                line = self._process.stdout.readline()
                break
            if self._process.poll() is not None:
                break
        if not line.strip().isdigit():
            self._process.kill()
            self._process.wait(timeout=10)
            self._stderr.seek(0)
            stderr = self._stderr.read().decode(errors="replace")
            self.__exit__(None, None, None)
            raise AnalyzerError(
                "the policy pack did not start; its output was:\n"
                + (line.decode(errors="replace") + stderr).strip()
            )
        return int(line.strip())

    @property
    def stub(self) -> analyzer_pb2_grpc.AnalyzerStub:
        if self._stub is None:
            self.wait_until_serving()
        assert self._stub is not None
        return self._stub

    # ---- RPCs ----

    def info(self) -> PackInfo:
        """GetAnalyzerInfo: the pack's name and every policy's metadata."""
        reply = self.stub.GetAnalyzerInfo(empty_pb2.Empty())
        policies = tuple(
            PolicyInfo(
                name=p.name,
                description=p.description,
                enforcement=ENFORCEMENT_NAMES[p.enforcementLevel],
                severity=SEVERITY_NAMES[p.severity],
                remediation=p.remediation_steps,
                url=p.url,
                kind="stack" if p.policy_type == analyzer_pb2.POLICY_TYPE_STACK else "resource",
                config_schema=json_format.MessageToDict(p.configSchema),
            )
            for p in reply.policies
        )
        return PackInfo(name=reply.name, version=reply.version, policies=policies)

    def configure(self, policy_config: Mapping[str, analyzer_pb2.PolicyConfig]) -> None:
        """Configure: per-policy enforcement and properties."""
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, entry in policy_config.items():
            request.policyConfig[name].CopyFrom(entry)
        self.stub.Configure(request)

    def configure_stack(self, tags: Mapping[str, str] | None = None) -> None:
        """ConfigureStack: the stack's identity, config and tags."""
        request = analyzer_pb2.AnalyzerStackConfigureRequest(
            stack=self._stack, project=self._project, organization="organization", dry_run=True
        )
        request.config.update(self._config)
        request.tags.update(dict(tags or {}))
        self.stub.ConfigureStack(request)

    def analyze(
        self, resource: RecordedResource, providers: Mapping[str, RecordedResource]
    ) -> list[Violation]:
        """Analyze one resource with its provider, as the engine does before each step."""
        request = analyzer_pb2.AnalyzeRequest(
            type=resource.type, urn=resource.urn, name=resource.name
        )
        request.properties.CopyFrom(resource.properties)
        request.options.CopyFrom(_options(resource))
        provider = _provider_of(resource, providers)
        if provider is not None:
            request.provider.CopyFrom(provider)
        # A resource policy reports no URN; the engine attributes it to the analyzed resource.
        return _violations(self.stub.Analyze(request).diagnostics, default_urn=resource.urn)

    def analyze_stack(
        self, resources: Sequence[RecordedResource], providers: Mapping[str, RecordedResource]
    ) -> list[Violation]:
        """AnalyzeStack: every resource with parents and dependencies, once at the end."""
        request = analyzer_pb2.AnalyzeStackRequest()
        for resource in resources:
            item = request.resources.add(
                type=resource.type,
                urn=resource.urn,
                name=resource.name,
                parent=resource.parent,
                dependencies=list(resource.dependencies),
            )
            item.properties.CopyFrom(resource.properties)
            item.options.CopyFrom(_options(resource))
            for key, urns in resource.property_dependencies.items():
                item.propertyDependencies[key].urns.extend(urns)
            provider = _provider_of(resource, providers)
            if provider is not None:
                item.provider.CopyFrom(provider)
        return _violations(self.stub.AnalyzeStack(request).diagnostics)


def _options(resource: RecordedResource) -> analyzer_pb2.AnalyzerResourceOptions:
    return analyzer_pb2.AnalyzerResourceOptions(parent=resource.parent)


def _provider_of(
    resource: RecordedResource, providers: Mapping[str, RecordedResource]
) -> analyzer_pb2.AnalyzerProviderResource | None:
    """The provider resource the engine would attach: explicit by reference, else the default."""
    if resource.type.startswith("pulumi:providers:") or not resource.custom:
        return None
    reference = resource.provider.rsplit("::", 1)[0] if resource.provider else ""
    package = resource.type.split(":", 1)[0]
    provider = providers.get(reference) or providers.get(f"default:{package}")
    if provider is None:
        return None
    message = analyzer_pb2.AnalyzerProviderResource(
        type=provider.type, urn=provider.urn, name=provider.name
    )
    message.properties.CopyFrom(provider.properties)
    return message


def _violations(
    diagnostics: Iterable[analyzer_pb2.AnalyzeDiagnostic], default_urn: str = ""
) -> list[Violation]:
    return [
        Violation(
            policy=d.policyName,
            enforcement=ENFORCEMENT_NAMES[d.enforcementLevel],
            severity=SEVERITY_NAMES[d.severity],
            urn=d.urn or default_urn,
            message=d.message,
        )
        for d in diagnostics
    ]
