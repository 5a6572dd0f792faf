"""Mocks that answer like AWS would, so dependent resources receive well-formed ids and ARNs.

Every created resource echoes its inputs (as the engine's preview does) and adds the outputs a
consumer reads: ids in the service's format, ARNs in the right partition, region and account,
endpoints and names. Invokes the program makes must have a mock here; an unknown invoke fails
loudly instead of returning something made up.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

import pulumi

__all__ = ["MOCK_ACCOUNT_ID", "PlatformMocks"]

MOCK_ACCOUNT_ID: Final = "111122223333"
"""The account every mock ARN names; AWS documents 111122223333 as an example account."""

_ID_PREFIXES: Final = {
    "aws:ec2/vpc:Vpc": "vpc-",
    "aws:ec2/subnet:Subnet": "subnet-",
    "aws:ec2/securityGroup:SecurityGroup": "sg-",
    "aws:ec2/internetGateway:InternetGateway": "igw-",
    "aws:ec2/natGateway:NatGateway": "nat-",
    "aws:ec2/eip:Eip": "eipalloc-",
    "aws:ec2/routeTable:RouteTable": "rtb-",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce-",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt-",
    "aws:efs/fileSystem:FileSystem": "fs-",
    "aws:efs/accessPoint:AccessPoint": "fsap-",
    "aws:efs/mountTarget:MountTarget": "fsmt-",
    "aws:ec2/flowLog:FlowLog": "fl-",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr-",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr-",
}


def _digest(*parts: str, length: int = 17) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


def efs_arn_prefix(region: str) -> str:
    """The ARN prefix of EFS resources in `region` of the mock account."""
    return f"arn:aws:elasticfilesystem:{region}:{MOCK_ACCOUNT_ID}"


def _kebab(type_name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", type_name).lower()


class PlatformMocks(pulumi.runtime.Mocks):
    """Deterministic AWS-shaped answers for every resource and invoke the program uses."""

    def __init__(self, default_region: str) -> None:
        self._default_region = default_region
        self._provider_regions: dict[str, str] = {}
        self._invokes: dict[str, Callable[[Mapping[str, Any], str], dict[str, Any]]] = {
            "aws:index/getCallerIdentity:getCallerIdentity": self._caller_identity,
            "aws:index/getRegion:getRegion": self._region,
            "aws:index/getPartition:getPartition": self._partition,
            "aws:index/getAvailabilityZones:getAvailabilityZones": self._zones,
            "aws:ec2/getVpc:getVpc": self._vpc,
            "aws:ec2/getSubnet:getSubnet": self._subnet,
            "aws:datazone/getEnvironmentBlueprint:getEnvironmentBlueprint": self._blueprint,
            "aws:secretsmanager/getSecretVersion:getSecretVersion": self._secret_version,
        }

    # ---- resources ----

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        inputs = dict(args.inputs)
        if args.typ.startswith("pulumi:providers:"):
            region = inputs.get("region", self._default_region)
            provider_id = _digest(args.name, length=8)
            self._provider_regions[args.name] = str(region)
            return provider_id, inputs
        region = str(inputs.get("region") or self._region_of(args.provider))
        resource_id = _ID_PREFIXES.get(args.typ, "") + _digest(args.typ, args.name)
        physical = self._physical_name(args, inputs)
        state: dict[str, Any] = {**inputs, "region": region}
        state.setdefault("name", physical)
        state.setdefault("arn", self._arn(args.typ, physical, region))
        state.update(self._specific_outputs(args.typ, physical, resource_id, region, inputs))
        return str(state.pop("_id", resource_id)), state

    def _region_of(self, provider_ref: str | None) -> str:
        if provider_ref:
            name = provider_ref.split("::")[-2] if "::" in provider_ref else provider_ref
            return self._provider_regions.get(name, self._default_region)
        return self._default_region

    @staticmethod
    def _physical_name(args: pulumi.runtime.MockResourceArgs, inputs: Mapping[str, Any]) -> str:
        for key in ("name", "bucket", "functionName", "clusterName", "roleName", "topicName"):
            value = inputs.get(key)
            if isinstance(value, str) and value:
                return value
        return f"{args.name}-{_digest(args.name, length=7)}"

    @staticmethod
    def _arn(type_token: str, physical: str, region: str) -> str:
        _, module, type_name = type_token.split(":")
        service = module.split("/")[0]
        return f"arn:aws:{service}:{region}:{MOCK_ACCOUNT_ID}:{_kebab(type_name)}/{physical}"

    def _specific_outputs(
        self,
        type_token: str,
        physical: str,
        resource_id: str,
        region: str,
        inputs: Mapping[str, Any],
    ) -> dict[str, Any]:
        account = MOCK_ACCOUNT_ID
        match type_token:
            case "aws:s3/bucket:Bucket" | "aws:s3/bucketV2:BucketV2":
                bucket = str(inputs.get("bucket") or physical)
                return {
                    "_id": bucket,
                    "bucket": bucket,
                    "arn": f"arn:aws:s3:::{bucket}",
                    "bucketDomainName": f"{bucket}.s3.amazonaws.com",
                    "bucketRegionalDomainName": f"{bucket}.s3.{region}.amazonaws.com",
                }
            case "aws:kms/key:Key":
                r = resource_id
                key_id = f"{r[:8]}-{r[8:12]}-4{r[12:15]}-a{r[15:17]}0-{_digest(r, length=12)}"
                return {
                    "_id": key_id,
                    "keyId": key_id,
                    "arn": f"arn:aws:kms:{region}:{account}:key/{key_id}",
                }
            case "aws:kms/alias:Alias":
                return {"arn": f"arn:aws:kms:{region}:{account}:{physical}"}
            case "aws:iam/role:Role":
                return {
                    "_id": physical,
                    "arn": f"arn:aws:iam::{account}:role/{physical}",
                    "uniqueId": "AROA" + resource_id.upper(),
                }
            case "aws:iam/policy:Policy":
                return {"arn": f"arn:aws:iam::{account}:policy/{physical}"}
            case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
                url = str(inputs.get("url", "")).removeprefix("https://")
                return {"arn": f"arn:aws:iam::{account}:oidc-provider/{url}"}
            case "aws:sns/topic:Topic":
                return {
                    "_id": f"arn:aws:sns:{region}:{account}:{physical}",
                    "arn": f"arn:aws:sns:{region}:{account}:{physical}",
                }
            case "aws:sqs/queue:Queue":
                return {
                    "arn": f"arn:aws:sqs:{region}:{account}:{physical}",
                    "url": f"https://sqs.{region}.amazonaws.com/{account}/{physical}",
                }
            case "aws:lambda/function:Function":
                arn = f"arn:aws:lambda:{region}:{account}:function:{physical}"
                return {
                    "arn": arn,
                    "qualifiedArn": f"{arn}:$LATEST",
                    "invokeArn": (
                        f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/"
                        f"{arn}/invocations"
                    ),
                }
            case "aws:cloudwatch/logGroup:LogGroup":
                return {
                    "_id": physical,
                    "arn": f"arn:aws:logs:{region}:{account}:log-group:{physical}",
                }
            case "aws:cloudwatch/eventRule:EventRule":
                return {"arn": f"arn:aws:events:{region}:{account}:rule/{physical}"}
            case "aws:eks/cluster:Cluster":
                cluster_hash = _digest(physical, length=32).upper()
                issuer = f"https://oidc.eks.{region}.amazonaws.com/id/{cluster_hash}"
                return {
                    "arn": f"arn:aws:eks:{region}:{account}:cluster/{physical}",
                    "endpoint": f"https://{cluster_hash}.gr7.{region}.eks.amazonaws.com",
                    "certificateAuthority": {"data": base64.b64encode(b"mock-cluster-ca").decode()},
                    "identities": [{"oidcs": [{"issuer": issuer}]}],
                    "vpcConfig": {
                        **dict(inputs.get("vpcConfig") or {}),
                        "clusterSecurityGroupId": "sg-" + _digest(physical, "cluster"),
                    },
                    "status": "ACTIVE",
                    "version": inputs.get("version", "1.33"),
                }
            case "aws:efs/fileSystem:FileSystem":
                return {
                    "dnsName": f"{resource_id}.efs.{region}.amazonaws.com",
                    "arn": f"{efs_arn_prefix(region)}:file-system/{resource_id}",
                }
            case "aws:efs/accessPoint:AccessPoint":
                return {"arn": f"{efs_arn_prefix(region)}:access-point/{resource_id}"}
            case "aws:ec2/subnet:Subnet":
                return {"arn": f"arn:aws:ec2:{region}:{account}:subnet/{resource_id}"}
            case "aws:ec2/vpc:Vpc":
                return {
                    "arn": f"arn:aws:ec2:{region}:{account}:vpc/{resource_id}",
                    "defaultSecurityGroupId": "sg-" + _digest(resource_id, "default"),
                }
            case "aws:ec2/securityGroup:SecurityGroup":
                return {"arn": f"arn:aws:ec2:{region}:{account}:security-group/{resource_id}"}
            case "aws:ec2/vpcEndpoint:VpcEndpoint":
                outputs: dict[str, Any] = {
                    "arn": f"arn:aws:ec2:{region}:{account}:vpc-endpoint/{resource_id}"
                }
                if inputs.get("vpcEndpointType") == "Gateway":
                    outputs["prefixListId"] = "pl-" + _digest(resource_id, length=8)
                return outputs
            case "aws:ec2/launchTemplate:LaunchTemplate":
                return {
                    "arn": f"arn:aws:ec2:{region}:{account}:launch-template/{resource_id}",
                    "latestVersion": 1,
                    "defaultVersion": 1,
                }
            case "aws:eks/nodeGroup:NodeGroup":
                cluster = str(inputs.get("clusterName", ""))
                group = str(inputs.get("nodeGroupName") or inputs.get("nodeGroupNamePrefix", ""))
                group += _digest(resource_id, length=8)
                return {
                    "_id": f"{cluster}:{group}",
                    "nodeGroupName": group,
                    "arn": f"arn:aws:eks:{region}:{account}:nodegroup/{cluster}/{group}/"
                    f"{resource_id}",
                    "status": "ACTIVE",
                }
            case "aws:eks/addon:Addon":
                cluster, addon = inputs.get("clusterName", ""), inputs.get("addonName", "")
                return {
                    "_id": f"{cluster}:{addon}",
                    "arn": f"arn:aws:eks:{region}:{account}:addon/{cluster}/{addon}/{resource_id}",
                    "addonVersion": inputs.get("addonVersion") or "v1.0.0-eksbuild.1",
                }
            case "aws:eks/accessEntry:AccessEntry":
                cluster = inputs.get("clusterName", "")
                return {
                    "accessEntryArn": f"arn:aws:eks:{region}:{account}:access-entry/{cluster}/"
                    f"role/{account}/{physical}/{resource_id}"
                }
            case "aws:eks/podIdentityAssociation:PodIdentityAssociation":
                cluster = inputs.get("clusterName", "")
                association = "a-" + _digest(resource_id, length=17)
                return {
                    "associationId": association,
                    "associationArn": f"arn:aws:eks:{region}:{account}:podidentityassociation/"
                    f"{cluster}/{association}",
                }
            case "aws:efs/mountTarget:MountTarget":
                return {
                    "dnsName": f"{resource_id}.efs.{region}.amazonaws.com",
                    "networkInterfaceId": "eni-" + _digest(resource_id),
                }
            case "aws:cloudwatch/eventBus:EventBus":
                return {"arn": f"arn:aws:events:{region}:{account}:event-bus/{physical}"}
            case "aws:cloudwatch/eventConnection:EventConnection":
                arn = f"arn:aws:events:{region}:{account}:connection/{physical}/{resource_id}"
                secret = f"events!connection/{physical}/{resource_id}"
                return {
                    "arn": arn,
                    "secretArn": f"arn:aws:secretsmanager:{region}:{account}:secret:{secret}",
                }
            case "aws:datazone/domain:Domain":
                domain_id = "dzd_" + resource_id[:14]
                return {
                    "_id": domain_id,
                    "arn": f"arn:aws:datazone:{region}:{account}:domain/{domain_id}",
                    "portalUrl": f"https://{domain_id}.datazone.{region}.on.aws",
                }
            case "aws:datazone/formType:FormType":
                return {"revision": "1"}
            case "aws:storagegateway/gateway:Gateway":
                gateway = "sgw-" + resource_id[:8].upper()
                return {
                    "_id": f"arn:aws:storagegateway:{region}:{account}:gateway/{gateway}",
                    "arn": f"arn:aws:storagegateway:{region}:{account}:gateway/{gateway}",
                    "gatewayId": gateway,
                }
            case "aws:storagegateway/smbFileShare:SmbFileShare":
                return {"path": f"/{inputs.get('fileShareName', physical)}"}
            case "aws:apigateway/domainName:DomainName":
                return {
                    "regionalDomainName": f"d-{resource_id[:10]}.execute-api.{region}"
                    ".amazonaws.com",
                    "regionalZoneId": "Z3VO1THU9YC4UR",
                }
            case "aws-native:omics:SequenceStore" | "aws-native:omics:ReferenceStore":
                store_id = str(int(resource_id[:8], 16))
                kind = "sequenceStore" if "Sequence" in type_token else "referenceStore"
                return {
                    "arn": f"arn:aws:omics:{region}:{account}:{kind}/{store_id}",
                    f"{kind}Id": store_id,
                }
            case "aws-native:omics:Workflow" | "aws-native:omics:RunGroup":
                omics_id = str(int(resource_id[:8], 16))
                kind = "workflow" if type_token.endswith("Workflow") else "runGroup"
                return {
                    "arn": f"arn:aws:omics:{region}:{account}:{kind}/{omics_id}",
                    "awsId": omics_id,
                }
            case "aws:sfn/stateMachine:StateMachine":
                return {"arn": f"arn:aws:states:{region}:{account}:stateMachine:{physical}"}
            case "aws:dynamodb/table:Table":
                return {
                    "arn": f"arn:aws:dynamodb:{region}:{account}:table/{physical}",
                    "streamArn": (
                        f"arn:aws:dynamodb:{region}:{account}:table/{physical}"
                        "/stream/2026-01-01T00:00:00.000"
                    ),
                }
            case "aws:datasync/task:Task":
                return {"arn": f"arn:aws:datasync:{region}:{account}:task/task-{resource_id}"}
            case t if t.startswith("aws:datasync/") and t.endswith("Location"):
                return {
                    "arn": f"arn:aws:datasync:{region}:{account}:location/loc-{resource_id}",
                    "uri": f"{t.split(':')[-1].lower()}://{physical}/",
                }
            case "aws:backup/vault:Vault":
                return {
                    "_id": physical,
                    "arn": f"arn:aws:backup:{region}:{account}:backup-vault:{physical}",
                }
            case "aws:backup/plan:Plan":
                return {
                    "arn": f"arn:aws:backup:{region}:{account}:backup-plan:{resource_id}",
                    "version": "1",
                }
            case "aws:apigateway/restApi:RestApi":
                return {
                    "_id": resource_id[:10],
                    "rootResourceId": resource_id[10:],
                    "executionArn": f"arn:aws:execute-api:{region}:{account}:{resource_id[:10]}",
                }
            case "aws:apigateway/stage:Stage":
                return {
                    "invokeUrl": (
                        f"https://{resource_id[:10]}.execute-api.{region}.amazonaws.com/"
                        f"{inputs.get('stageName', 'v1')}"
                    )
                }
        return {}

    # ---- invokes ----

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        handler = self._invokes.get(args.token)
        if handler is None:
            raise NotImplementedError(
                f"no mock answers the invoke {args.token}; add one to tools/preview/mocks.py"
            )
        # An empty failure list, not None: pulumi's MockMonitor iterates it.
        return handler(args.args, self._region_of(args.provider)), []

    @staticmethod
    def _caller_identity(_: Mapping[str, Any], __: str) -> dict[str, Any]:
        return {
            "accountId": MOCK_ACCOUNT_ID,
            "arn": f"arn:aws:iam::{MOCK_ACCOUNT_ID}:user/preview",
            "userId": "AIDAPREVIEW",
            "id": MOCK_ACCOUNT_ID,
        }

    @staticmethod
    def _region(args: Mapping[str, Any], region: str) -> dict[str, Any]:
        name = str(args.get("region") or args.get("name") or region)
        return {
            "name": name,
            "region": name,
            "id": name,
            "endpoint": f"ec2.{name}.amazonaws.com",
            "description": name,
        }

    @staticmethod
    def _partition(_: Mapping[str, Any], __: str) -> dict[str, Any]:
        return {
            "partition": "aws",
            "dnsSuffix": "amazonaws.com",
            "id": "aws",
            "reverseDnsPrefix": "com.amazonaws",
        }

    @staticmethod
    def _vpc(args: Mapping[str, Any], region: str) -> dict[str, Any]:
        vpc_id = str(args.get("id") or "vpc-" + _digest("default-vpc"))
        return {
            "id": vpc_id,
            "arn": f"arn:aws:ec2:{region}:{MOCK_ACCOUNT_ID}:vpc/{vpc_id}",
            "cidrBlock": "10.50.0.0/16",
            "state": "available",
            "enableDnsSupport": True,
            "enableDnsHostnames": True,
        }

    @staticmethod
    def _subnet(args: Mapping[str, Any], region: str) -> dict[str, Any]:
        """A subnet's zone letter follows its id's last hex digit (mod 3), so tests can place
        subnets in chosen zones by picking ids."""
        subnet_id = str(args.get("id") or "subnet-0")
        letter = "abc"[int(subnet_id[-1], 16) % 3] if subnet_id[-1] in "0123456789abcdef" else "a"
        return {
            "id": subnet_id,
            "arn": f"arn:aws:ec2:{region}:{MOCK_ACCOUNT_ID}:subnet/{subnet_id}",
            "availabilityZone": f"{region}{letter}",
            "vpcId": "vpc-" + _digest("default-vpc"),
            "cidrBlock": "10.50.0.0/20",
        }

    @staticmethod
    def _zones(args: Mapping[str, Any], region: str) -> dict[str, Any]:
        name = str(args.get("region") or region)
        letters = ("a", "b", "c")
        return {
            "names": [f"{name}{letter}" for letter in letters],
            "zoneIds": [f"aps{1 if name.endswith('1') else 2}-az{i + 1}" for i in range(3)],
            "id": name,
            "groupNames": [name],
        }

    @staticmethod
    def _blueprint(args: Mapping[str, Any], __: str) -> dict[str, Any]:
        name = str(args.get("name", "DefaultDataLake"))
        return {
            "id": "d4d" + _digest(name, length=10),
            "name": name,
            "domainId": args.get("domainId", ""),
            "managed": bool(args.get("managed", True)),
            "blueprintProvider": "Amazon DataZone",
            "description": "Load and query data in the lake with AWS Glue and Amazon Athena.",
        }

    @staticmethod
    def _secret_version(args: Mapping[str, Any], __: str) -> dict[str, Any]:
        secret = str(args.get("secretId", ""))
        return {
            "id": f"{secret}|AWSCURRENT",
            "arn": secret,
            "secretId": secret,
            "secretString": "preview-placeholder-secret",
            "versionId": _digest(secret, length=32),
            "versionStages": ["AWSCURRENT"],
        }
