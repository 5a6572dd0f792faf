"""The lab API: the REST front door lab software (ELN, LIMS, instruments) talks to.

API Gateway (REST, REGIONAL) with direct AWS service integrations and no Lambda in the path:
writes (`POST /experiments`, `/datasets`, `/events`) start the sync workflow through
`states:action/StartExecution`; reads (`GET /datasets/{datasetId}`) are a DynamoDB `GetItem` on
the metadata store. Bodies are validated against draft-4 schemas derived from the pydantic
request models (components/lab/api_models.py) before anything runs. Every method requires
SigV4 (`AWS_IAM`) unless Cognito user pools are given; the stage logs access in JSON to an
encrypted log group, traces with X-Ray and throttles.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from components.blocks.iam_documents import service_trust_policy
from components.blocks.state_machine_resource import start_execution_key_statement
from components.lab.api_models import REQUEST_MODELS, api_gateway_schema
from components.lab.metadata_store import METADATA_SORT_KEY
from components.lab.policy import (
    aws_context,
    document,
    kms_via_services,
    managed_policy_arn,
    render,
    statement,
)

__all__ = [
    "ACCESS_LOG_FORMAT",
    "LabApi",
    "LabApiArgs",
    "dataset_response_template",
    "start_execution_template",
]

STAGE_NAME: Final = "v1"

ACCESS_LOG_FORMAT: Final = json.dumps(
    {
        "requestId": "$context.requestId",
        "extendedRequestId": "$context.extendedRequestId",
        "requestTime": "$context.requestTime",
        "httpMethod": "$context.httpMethod",
        "resourcePath": "$context.resourcePath",
        "status": "$context.status",
        "protocol": "$context.protocol",
        "responseLength": "$context.responseLength",
        "sourceIp": "$context.identity.sourceIp",
        "userArn": "$context.identity.userArn",
        "userAgent": "$context.identity.userAgent",
        "integrationStatus": "$context.integration.status",
        "integrationLatency": "$context.integration.latency",
        "errorMessage": "$context.error.message",
        "validationError": "$context.error.validationErrorString",
        "xrayTraceId": "$context.xrayTraceId",
    },
    separators=(",", ":"),
)
"""One JSON object per request; no bodies or headers, so no payload data lands in logs."""

_JSON: Final = "application/json"
_ERROR_BODY: Final = json.dumps({"message": "request failed", "requestId": "$context.requestId"})
"""Body of every 4xx/5xx mapping: the request id to quote, nothing of the backend's answer."""


def start_execution_template(state_machine_arn: str, kind: str, cognito: bool) -> str:
    """VTL mapping a validated body to StartExecution; the request id names the execution.

    The body is embedded as an escaped JSON string (`escapeJavaScript` with single quotes
    restored, since JSON does not escape them).
    """
    caller = "$context.authorizer.claims.sub" if cognito else "$context.identity.userArn"
    return (
        "{\n"
        f'  "stateMachineArn": "{state_machine_arn}",\n'
        '  "name": "$context.requestId",\n'
        f'  "input": "{{\\"kind\\": \\"{kind}\\", '
        '\\"requestId\\": \\"$context.requestId\\", '
        f'\\"caller\\": \\"$util.escapeJavaScript({caller})\\", '
        '\\"detail\\": $util.escapeJavaScript($input.json(\'$\')).replaceAll("\\\\\'","\'")}"\n'
        "}"
    )


def get_item_template(table_name: str) -> str:
    """VTL mapping `GET /datasets/{datasetId}` to a projected DynamoDB GetItem."""
    request = {
        "TableName": table_name,
        "Key": {
            "pk": {"S": "DATASET#$util.escapeJavaScript($input.params('datasetId'))"},
            "sk": {"S": METADATA_SORT_KEY},
        },
        "ProjectionExpression": "#pk, #project, #experimentId, #s3Uri, #tags, #created, #updated",
        "ExpressionAttributeNames": {
            "#pk": "pk",
            "#project": "project",
            "#experimentId": "experimentId",
            "#s3Uri": "s3Uri",
            "#tags": "tagsJson",
            "#created": "createdAt",
            "#updated": "updatedAt",
        },
    }
    return json.dumps(request, indent=2)


def dataset_response_template() -> str:
    """VTL turning the GetItem answer into the dataset's metadata, or a 404 when absent."""
    return "\n".join(
        [
            "#set($item = $input.path('$.Item'))",
            '#if("$!item" == "")',
            "#set($context.responseOverride.status = 404)",
            '{"message": "dataset not found"}',
            "#else",
            "{",
            '  "datasetId": "$util.escapeJavaScript($item.pk.S.substring(8))",',
            '  "project": "$util.escapeJavaScript($item.project.S)",',
            '  "experimentId": "$util.escapeJavaScript($item.experimentId.S)",',
            '  "s3Uri": "$util.escapeJavaScript($item.s3Uri.S)",',
            '  "tags": $item.tagsJson.S,',
            '  "createdAt": "$item.createdAt.S",',
            '  "updatedAt": "$item.updatedAt.S"',
            "}",
            "#end",
        ]
    )


class LabApiArgs(TypedDict):
    """Inputs of the lab API."""

    state_machine_arn: pulumi.Input[str]
    """Sync workflow that every write starts."""
    state_machine_key_arn: pulumi.Input[str]
    """The workflow's own key, under which StartExecution encrypts each execution's input."""
    table_name: pulumi.Input[str]
    """Metadata store table that reads query."""
    table_arn: pulumi.Input[str]
    """ARN of that table, for the integration role's grant."""
    kms_key_arn: pulumi.Input[str]
    """Platform key: encrypts the access log group; the table is encrypted with it too."""
    log_retention_days: int
    """Retention of the access log group."""
    log_kms_key_arn: NotRequired[pulumi.Input[str]]
    """Key of the log groups, when logs use their own key (default: `kms_key_arn`)."""
    domain_name: NotRequired[str]
    """Custom domain (TLS 1.2, REGIONAL); empty keeps the execute-api endpoint."""
    certificate_arn: NotRequired[str]
    """ACM certificate for `domain_name`, in the API's region (required with it)."""
    cognito_user_pool_arns: NotRequired[Sequence[str]]
    """Cognito user pools whose tokens authorize instead of SigV4 (default: SigV4 only)."""
    api_keys_enabled: NotRequired[bool]
    """Require an API key and meter clients through a usage plan (default off)."""
    throttling_rate_limit: NotRequired[float]
    """Steady-state requests per second for the stage (default 50)."""
    throttling_burst_limit: NotRequired[int]
    """Burst of requests the stage absorbs (default 100)."""
    manage_account_logging_role: NotRequired[bool]
    """Set the regional API Gateway account's CloudWatch role, which logging needs (default on;
    turn off when another stack owns that account-wide setting)."""


def _validate(args: LabApiArgs) -> None:
    if bool(args.get("domain_name")) != bool(args.get("certificate_arn")):
        raise ValueError(
            "LabApiArgs.domain_name and certificate_arn go together: give both for a custom "
            "domain (an ACM certificate in the API's region) or neither"
        )
    if args.get("throttling_rate_limit", 50.0) <= 0 or args.get("throttling_burst_limit", 100) < 1:
        raise ValueError("LabApiArgs.throttling_rate_limit/burst_limit must be positive")


@dataclass(frozen=True)
class _Route:
    path: str
    method: aws.apigateway.Method
    integration: aws.apigateway.Integration
    method_responses: tuple[aws.apigateway.MethodResponse, ...]
    responses: tuple[aws.apigateway.IntegrationResponse, ...]
    templates: tuple[pulumi.Input[str], ...]
    """Request and response mapping templates; a change to any of them must redeploy."""


@dataclass(frozen=True)
class _Responses:
    """The method responses of one method and the integration responses mapped onto them."""

    method: tuple[aws.apigateway.MethodResponse, ...]
    integration: tuple[aws.apigateway.IntegrationResponse, ...]


class LabApi(pulumi.ComponentResource):
    """REST API with validated bodies, service integrations, logging, tracing and throttling."""

    api_id: pulumi.Output[str]
    """Id of the REST API."""
    api_url: pulumi.Output[str]
    """Invoke URL of the stage (or of the custom domain when one is configured)."""
    execution_arn: pulumi.Output[str]
    """Execution ARN prefix, for IAM policies of callers (`execute-api:Invoke`)."""
    access_log_group_name: pulumi.Output[str]
    """Log group of the JSON access logs."""
    custom_domain_target: pulumi.Output[str] | None
    """Regional domain name to point the custom domain's DNS at, when one is configured."""
    api_key_id: pulumi.Output[str] | None
    """Id of the API key (value in the console or `aws apigateway get-api-key`), when enabled."""

    def __init__(
        self, name: str, args: LabApiArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("genomics:lab:Api", name, None, opts)
        _validate(args)
        self._base = name
        self._args = args
        self._cognito = bool(args.get("cognito_user_pool_arns"))
        self._keys = args.get("api_keys_enabled", False)
        context = aws_context(self)
        custom_domain = bool(args.get("domain_name"))
        self._api = aws.apigateway.RestApi(
            f"{name}-api",
            name=name,
            description="Lab data mesh API for ELN, LIMS and instruments.",
            endpoint_configuration=aws.apigateway.RestApiEndpointConfigurationArgs(
                types="REGIONAL"
            ),
            # With a custom domain, clients must use it (TLS 1.2 policy, one public name).
            disable_execute_api_endpoint=custom_domain,
            api_key_source="HEADER",
            opts=pulumi.ResourceOptions(parent=self),
        )
        role = self._create_integration_role(context.account_id, context.region)
        authorizer = self._create_authorizer()
        routes = self._create_routes(role, context.region, authorizer)
        stage = self._create_stage(routes)
        self._create_method_settings(stage)
        self.api_key_id = self._create_usage_plan(stage) if self._keys else None
        self.custom_domain_target = self._create_domain(stage) if custom_domain else None
        self.api_id = self._api.id
        self.execution_arn = self._api.execution_arn
        self.api_url = (
            pulumi.Output.concat("https://", args.get("domain_name", ""), "/")
            if custom_domain
            else stage.invoke_url
        )
        self.register_outputs(
            {
                "api_id": self.api_id,
                "api_url": self.api_url,
                "execution_arn": self.execution_arn,
                "access_log_group_name": self.access_log_group_name,
                "custom_domain_target": self.custom_domain_target,
                "api_key_id": self.api_key_id,
            }
        )

    # ---- integration role ----

    def _create_integration_role(
        self, account_id: pulumi.Output[str], region: pulumi.Output[str]
    ) -> aws.iam.Role:
        """Lets API Gateway start the sync workflow and read dataset items, nothing more."""
        args = self._args
        # No aws:SourceAccount guard: API Gateway does not put it in the request context when
        # it assumes an integration's credentials role, so the condition would never match and
        # every route would answer 500 ("API Gateway does not have permission to assume the
        # provided role"). IAM documents the key as present only "when the call to your
        # resource is made directly by an AWS service principal" (IAM User Guide, "AWS global
        # condition context keys"); AWS's own samples hit exactly this 500 and removed the
        # condition (aws-solutions-library-samples/accelerated-intelligent-document-processing-
        # on-aws pull 479). Only a principal of this account with iam:PassRole can name the
        # role on an integration, which is the guard left.
        role = aws.iam.Role(
            f"{self._base}-integration-role",
            description="API Gateway service integrations of the lab API.",
            assume_role_policy=service_trust_policy("apigateway.amazonaws.com", None).render(),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.iam.RolePolicy(
            f"{self._base}-integration-policy",
            role=role.id,
            policy=render(
                document(
                    statement(
                        "StartSyncWorkflow", ["states:StartExecution"], [args["state_machine_arn"]]
                    ),
                    statement("ReadDatasetMetadata", ["dynamodb:GetItem"], [args["table_arn"]]),
                    kms_via_services(args["kms_key_arn"], region, ("dynamodb",), ["kms:Decrypt"]),
                    # The workflow encrypts execution data with its own key, so StartExecution
                    # needs kms:GenerateDataKey from its caller, bound to that one workflow.
                    start_execution_key_statement(
                        args["state_machine_key_arn"], args["state_machine_arn"]
                    ),
                )
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return role

    def _create_authorizer(self) -> aws.apigateway.Authorizer | None:
        pools = self._args.get("cognito_user_pool_arns")
        if not pools:
            return None
        return aws.apigateway.Authorizer(
            f"{self._base}-cognito",
            rest_api=self._api.id,
            name=f"{self._base}-cognito",
            type="COGNITO_USER_POOLS",
            provider_arns=list(pools),
            identity_source="method.request.header.Authorization",
            opts=pulumi.ResourceOptions(parent=self),
        )

    # ---- routes ----

    def _method(
        self,
        role: str,
        resource: aws.apigateway.Resource,
        http_method: str,
        authorizer: aws.apigateway.Authorizer | None,
        validator: aws.apigateway.RequestValidator,
        *,
        request_models: pulumi.Input[dict[str, pulumi.Input[str]]] | None = None,
        request_parameters: dict[str, bool] | None = None,
    ) -> aws.apigateway.Method:
        """A method that only signed (or Cognito-authorized) and validated requests reach."""
        return aws.apigateway.Method(
            f"{self._base}-{role}-method",
            rest_api=self._api.id,
            resource_id=resource.id,
            http_method=http_method,
            authorization="COGNITO_USER_POOLS" if authorizer else "AWS_IAM",
            authorizer_id=authorizer.id if authorizer else None,
            api_key_required=self._keys,
            request_validator_id=validator.id,
            request_models=request_models,
            request_parameters=request_parameters,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _responses(
        self,
        role: str,
        resource: aws.apigateway.Resource,
        method: aws.apigateway.Method,
        integration: aws.apigateway.Integration,
        success: str,
        success_template: pulumi.Input[str],
        extra_statuses: Sequence[str] = (),
    ) -> _Responses:
        """Method responses and their mappings: success, 400 on 4xx, 500 on 5xx."""
        mapped = (
            (success, None, success_template),
            ("400", r"4\d{2}", None),
            ("500", r"5\d{2}", None),
        )
        method_responses = {
            status: aws.apigateway.MethodResponse(
                f"{self._base}-{role}-{status}",
                rest_api=self._api.id,
                resource_id=resource.id,
                http_method=method.http_method,
                status_code=status,
                response_models={_JSON: "Empty"},
                opts=pulumi.ResourceOptions(parent=self),
            )
            for status in (success, "400", "500", *extra_statuses)
        }
        responses = []
        for status, pattern, template in mapped:
            responses.append(
                aws.apigateway.IntegrationResponse(
                    f"{self._base}-{role}-{status}-mapping",
                    rest_api=self._api.id,
                    resource_id=resource.id,
                    http_method=method.http_method,
                    status_code=status,
                    selection_pattern=pattern,
                    response_templates={_JSON: template if template is not None else _ERROR_BODY},
                    # PutIntegrationResponse is refused until the integration and the method
                    # response of the same status exist ("Invalid Method Response" /
                    # NotFoundException otherwise).
                    opts=pulumi.ResourceOptions(
                        parent=self, depends_on=[integration, method_responses[status]]
                    ),
                )
            )
        return _Responses(tuple(method_responses.values()), tuple(responses))

    def _create_routes(
        self,
        role: aws.iam.Role,
        region: pulumi.Output[str],
        authorizer: aws.apigateway.Authorizer | None,
    ) -> list[_Route]:
        args = self._args
        body_validator = aws.apigateway.RequestValidator(
            f"{self._base}-body-validator",
            rest_api=self._api.id,
            name="body-and-parameters",
            validate_request_body=True,
            validate_request_parameters=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        params_validator = aws.apigateway.RequestValidator(
            f"{self._base}-params-validator",
            rest_api=self._api.id,
            name="parameters",
            validate_request_body=False,
            validate_request_parameters=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        routes: list[_Route] = []
        resources: dict[str, aws.apigateway.Resource] = {}
        start_uri = pulumi.Output.concat(
            "arn:aws:apigateway:", region, ":states:action/StartExecution"
        )
        for path_part, model_class in REQUEST_MODELS.items():
            resource = aws.apigateway.Resource(
                f"{self._base}-{path_part}",
                rest_api=self._api.id,
                parent_id=self._api.root_resource_id,
                path_part=path_part,
                opts=pulumi.ResourceOptions(parent=self),
            )
            resources[path_part] = resource
            model = aws.apigateway.Model(
                f"{self._base}-{path_part}-model",
                rest_api=self._api.id,
                name=model_class.__name__,
                content_type=_JSON,
                description=f"Body of POST /{path_part}.",
                schema=json.dumps(api_gateway_schema(model_class)),
                opts=pulumi.ResourceOptions(parent=self),
            )
            route = f"post-{path_part}"
            method = self._method(
                route,
                resource,
                "POST",
                authorizer,
                body_validator,
                request_models={_JSON: model.name},
            )
            kind = path_part.removesuffix("s")
            request_template = pulumi.Output.from_input(args["state_machine_arn"]).apply(
                functools.partial(start_execution_template, kind=kind, cognito=self._cognito)
            )
            integration = aws.apigateway.Integration(
                f"{self._base}-{route}-integration",
                rest_api=self._api.id,
                resource_id=resource.id,
                http_method=method.http_method,
                type="AWS",
                integration_http_method="POST",
                uri=start_uri,
                credentials=role.arn,
                passthrough_behavior="NEVER",
                request_templates={_JSON: request_template},
                opts=pulumi.ResourceOptions(parent=self),
            )
            accepted = json.dumps(
                {
                    "executionArn": "$input.path('$.executionArn')",
                    "requestId": "$context.requestId",
                }
            )
            responses = self._responses(route, resource, method, integration, "202", accepted)
            routes.append(
                _Route(
                    f"POST /{path_part}",
                    method,
                    integration,
                    responses.method,
                    responses.integration,
                    (request_template, accepted),
                )
            )
        dataset = aws.apigateway.Resource(
            f"{self._base}-dataset",
            rest_api=self._api.id,
            parent_id=resources["datasets"].id,
            path_part="{datasetId}",
            opts=pulumi.ResourceOptions(parent=self),
        )
        method = self._method(
            "get-dataset",
            dataset,
            "GET",
            authorizer,
            params_validator,
            request_parameters={"method.request.path.datasetId": True},
        )
        get_item = pulumi.Output.from_input(args["table_name"]).apply(get_item_template)
        integration = aws.apigateway.Integration(
            f"{self._base}-get-dataset-integration",
            rest_api=self._api.id,
            resource_id=dataset.id,
            http_method=method.http_method,
            type="AWS",
            integration_http_method="POST",
            uri=pulumi.Output.concat("arn:aws:apigateway:", region, ":dynamodb:action/GetItem"),
            credentials=role.arn,
            passthrough_behavior="NEVER",
            request_templates={_JSON: get_item},
            opts=pulumi.ResourceOptions(parent=self),
        )
        responses = self._responses(
            "get-dataset",
            dataset,
            method,
            integration,
            "200",
            dataset_response_template(),
            extra_statuses=("404",),
        )
        routes.append(
            _Route(
                "GET /datasets/{datasetId}",
                method,
                integration,
                responses.method,
                responses.integration,
                (get_item, dataset_response_template()),
            )
        )
        return routes

    # ---- stage ----

    def _create_stage(self, routes: list[_Route]) -> aws.apigateway.Stage:
        args = self._args
        shape = {
            "routes": [route.path for route in routes],
            "schemas": {k: api_gateway_schema(m) for k, m in REQUEST_MODELS.items()},
            "errorBody": _ERROR_BODY,
            "cognito": self._cognito,
            "keys": self._keys,
        }
        templates = [template for route in routes for template in route.templates]
        # The integration request templates embed the state machine ARN and table name, which
        # are only known once resolved, so the fingerprint is an Output over all of them.
        fingerprint = pulumi.Output.all(*templates).apply(
            lambda resolved: hashlib.sha256(
                json.dumps({**shape, "templates": resolved}, sort_keys=True).encode()
            ).hexdigest()
        )
        deployment = aws.apigateway.Deployment(
            f"{self._base}-deployment",
            rest_api=self._api.id,
            description="Lab API routes; redeployed when a route, schema or template changes.",
            triggers={"configuration": fingerprint},
            # A deployment snapshots the API: every method, integration, method response and
            # mapping must exist, or the stage serves a half-built API.
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[
                    resource
                    for route in routes
                    for resource in (
                        route.method,
                        route.integration,
                        *route.method_responses,
                        *route.responses,
                    )
                ],
            ),
        )
        log_group = aws.cloudwatch.LogGroup(
            f"{self._base}-access-logs",
            name=f"/aws/apigateway/{self._base}/access",
            retention_in_days=args["log_retention_days"],
            kms_key_id=args.get("log_kms_key_arn", args["kms_key_arn"]),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.access_log_group_name = log_group.name
        depends: list[pulumi.Resource] = []
        if args.get("manage_account_logging_role", True):
            depends.append(self._create_account_logging_role())
        return aws.apigateway.Stage(
            f"{self._base}-stage",
            rest_api=self._api.id,
            deployment=deployment.id,
            stage_name=STAGE_NAME,
            description="Lab API, version 1.",
            xray_tracing_enabled=True,
            access_log_settings=aws.apigateway.StageAccessLogSettingsArgs(
                destination_arn=log_group.arn, format=ACCESS_LOG_FORMAT
            ),
            # Logging is refused until the account's CloudWatch role is set.
            opts=pulumi.ResourceOptions(parent=self, depends_on=depends),
        )

    def _create_account_logging_role(self) -> aws.apigateway.Account:
        role = aws.iam.Role(
            f"{self._base}-cloudwatch-role",
            description="Lets API Gateway write execution and access logs in this region.",
            assume_role_policy=service_trust_policy("apigateway.amazonaws.com", None).render(),
            opts=pulumi.ResourceOptions(parent=self),
        )
        attachment = aws.iam.RolePolicyAttachment(
            f"{self._base}-cloudwatch-role-logs",
            role=role.name,
            policy_arn=managed_policy_arn("service-role/AmazonAPIGatewayPushToCloudWatchLogs"),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return aws.apigateway.Account(
            f"{self._base}-account",
            cloudwatch_role_arn=role.arn,
            # API Gateway checks the role can write logs when it is set.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[attachment]),
        )

    def _create_method_settings(self, stage: aws.apigateway.Stage) -> None:
        args = self._args
        aws.apigateway.MethodSettings(
            f"{self._base}-method-settings",
            rest_api=self._api.id,
            stage_name=stage.stage_name,
            method_path="*/*",
            settings=aws.apigateway.MethodSettingsSettingsArgs(
                metrics_enabled=True,
                logging_level="INFO",
                # Full request/response logging would copy lab metadata into logs.
                data_trace_enabled=False,
                throttling_rate_limit=args.get("throttling_rate_limit", 50.0),
                throttling_burst_limit=args.get("throttling_burst_limit", 100),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _create_usage_plan(self, stage: aws.apigateway.Stage) -> pulumi.Output[str]:
        args = self._args
        key = aws.apigateway.ApiKey(
            f"{self._base}-key",
            name=f"{self._base}-lab-software",
            description="Key of the lab software clients; rotate by replacing the resource.",
            enabled=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        plan = aws.apigateway.UsagePlan(
            f"{self._base}-usage-plan",
            name=f"{self._base}-lab-software",
            description="Throttle and quota of lab software clients.",
            api_stages=[
                aws.apigateway.UsagePlanApiStageArgs(api_id=self._api.id, stage=stage.stage_name)
            ],
            throttle_settings=aws.apigateway.UsagePlanThrottleSettingsArgs(
                rate_limit=args.get("throttling_rate_limit", 50.0),
                burst_limit=args.get("throttling_burst_limit", 100),
            ),
            quota_settings=aws.apigateway.UsagePlanQuotaSettingsArgs(limit=100_000, period="DAY"),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.apigateway.UsagePlanKey(
            f"{self._base}-usage-plan-key",
            key_id=key.id,
            key_type="API_KEY",
            usage_plan_id=plan.id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return key.id

    def _create_domain(self, stage: aws.apigateway.Stage) -> pulumi.Output[str]:
        args = self._args
        domain = aws.apigateway.DomainName(
            f"{self._base}-domain",
            domain_name=args.get("domain_name", ""),
            regional_certificate_arn=args.get("certificate_arn"),
            endpoint_configuration=aws.apigateway.DomainNameEndpointConfigurationArgs(
                types="REGIONAL"
            ),
            security_policy="TLS_1_2",
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.apigateway.BasePathMapping(
            f"{self._base}-base-path",
            domain_name=domain.domain_name,
            rest_api=self._api.id,
            stage_name=stage.stage_name,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return domain.regional_domain_name
