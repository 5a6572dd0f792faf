from tests.functions.common.lambda_env import aws_env, lambda_context, mocked_aws

__all__ = ["aws_env", "lambda_context", "mocked_aws"]
