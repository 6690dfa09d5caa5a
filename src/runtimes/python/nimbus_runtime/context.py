"""The `context` object handed to a handler, built from the /next headers and the Lambda environment.

Attributes and their types follow awslambdaric's lambda_context.py and the AWS guide
(https://docs.aws.amazon.com/lambda/latest/dg/python-context.html; tenant_id, from the
Lambda-Runtime-Aws-Tenant-Id header: https://docs.aws.amazon.com/lambda/latest/dg/tenant-isolation-context.html).
Notably memory_limit_in_mb is the *string* from AWS_LAMBDA_FUNCTION_MEMORY_SIZE: real python3.12 returns
"1024" (conformance/aws-snapshots test_lambda_common.snapshot.json test_introspection_invoke). `identity` is
always an object (its fields None without a Cognito header); `client_context` is None without a
Client-Context header. The small classes use __slots__ as the RIC's do, so `vars()` behaves the same.
"""
import json
import os
import time

from . import errors, log_sink


class CognitoIdentity(object):
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]

    def __repr__(self):
        return "CognitoIdentity([cognito_identity_id={},cognito_identity_pool_id={}])".format(
            self.cognito_identity_id, self.cognito_identity_pool_id
        )


class Client(object):
    __slots__ = ["installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name"]

    def __repr__(self):
        fields = ",".join("{}={}".format(name, getattr(self, name)) for name in self.__slots__)
        return "Client([{}])".format(fields)


class ClientContext(object):
    __slots__ = ["custom", "env", "client"]

    def __repr__(self):
        return "ClientContext([custom={},env={},client={}])".format(self.custom, self.env, self.client)


def _from_dict(cls, values):
    obj = cls()
    for name in cls.__slots__:
        setattr(obj, name, values.get(name))
    return obj


def _parse_json_header(value, name):
    try:
        return json.loads(value)
    except Exception as e:
        raise errors.FaultError(errors.CONTEXT_UNMARSHAL_ERROR, "Unable to parse {} JSON: {}".format(name, e))


class LambdaContext(object):
    def __init__(self, request_id, client_context, cognito_identity, deadline_ms, invoked_function_arn, tenant_id):
        env = os.environ
        self.aws_request_id = request_id
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = tenant_id
        self.client_context = None
        if client_context is not None:
            self.client_context = _from_dict(ClientContext, client_context)
            if self.client_context.client is not None:
                self.client_context.client = _from_dict(Client, self.client_context.client)
        self.identity = _from_dict(CognitoIdentity, {})
        if cognito_identity is not None:
            self.identity.cognito_identity_id = cognito_identity.get("cognitoIdentityId")
            self.identity.cognito_identity_pool_id = cognito_identity.get("cognitoIdentityPoolId")
        self._epoch_deadline_time_in_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        remaining = self._epoch_deadline_time_in_ms - int(time.time() * 1000)
        return remaining if remaining > 0 else 0

    def log(self, msg):
        """Writes str(msg) to the function log as is (no newline added), like the RIC's context.log."""
        log_sink.current().log(str(msg))

    def __repr__(self):
        return (
            "LambdaContext([aws_request_id={},log_group_name={},log_stream_name={},function_name={},"
            "memory_limit_in_mb={},function_version={},invoked_function_arn={},client_context={},identity={},"
            "tenant_id={}])"
        ).format(
            self.aws_request_id,
            self.log_group_name,
            self.log_stream_name,
            self.function_name,
            self.memory_limit_in_mb,
            self.function_version,
            self.invoked_function_arn,
            self.client_context,
            self.identity,
            self.tenant_id,
        )


def build_context(invocation):
    """Context for one invocation; raises FaultError(Runtime.LambdaContextUnmarshalError) on a bad header."""
    client_context = None
    if invocation.client_context:
        client_context = _parse_json_header(invocation.client_context, "Client Context")
    cognito_identity = None
    if invocation.cognito_identity:
        cognito_identity = _parse_json_header(invocation.cognito_identity, "Cognito Identity")
    return LambdaContext(
        invocation.request_id,
        client_context,
        cognito_identity,
        invocation.deadline_ms,
        invocation.invoked_function_arn,
        invocation.tenant_id,
    )
