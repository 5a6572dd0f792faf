from tests.functions.common.lambda_env import aws_env, mocked_aws

__all__ = ["aws_env", "mocked_aws"]
