"""boto3 against a running Nimbus: the control API, the waiters, Invoke and the errors a Python user meets.

Usage: python3 boto3_suite.py <endpoint-url>

Run by test/integration/boto3.test.ts, which starts the server. Plain asserts; exits non-zero on the first failure
and prints a one-line summary on success. Everything it creates it deletes again.
"""

import base64
import hashlib
import io
import json
import sys
import uuid
import zipfile

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = sys.argv[1]
ACCOUNT = "000000000000"
REGION = "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/lambda-role"
WAIT = {"Delay": 1, "MaxAttempts": 30}

client = boto3.client(
    "lambda",
    endpoint_url=ENDPOINT,
    region_name=REGION,
    aws_access_key_id="x",
    aws_secret_access_key="x",
    # A failing call must fail the suite, not be retried into a pass.
    config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
)

checks = 0
created = []


def check(condition, what):
    global checks
    assert condition, what
    checks += 1


def node_zip(source):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        # Mode 0644 (writestr's default is 0600): Lambda needs code world-readable, and so does Nimbus's sandbox.
        info = zipfile.ZipInfo("index.js", date_time=(2024, 1, 1, 0, 0, 0))
        info.external_attr = 0o100644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, source)
    return buf.getvalue()


def error_of(call, **kwargs):
    """Runs a call that must fail; returns botocore's error response."""
    try:
        call(**kwargs)
    except ClientError as e:
        return e.response
    raise AssertionError(f"{call.__name__} succeeded but should have failed")


def fn_arn(name):
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


ECHO_V1 = "exports.handler = async (event) => ({ version: 1, event });\n"
ECHO_V2 = (
    "exports.handler = async (event, context) => {\n"
    "  console.log('boto3 invoke', JSON.stringify(event));\n"
    "  return { version: 2, event, greeting: process.env.GREETING, requestId: context.awsRequestId };\n"
    "};\n"
)
THROWS = "exports.handler = async () => {\n  throw new RangeError('out of range in boto3 suite');\n};\n"


def main():
    suffix = uuid.uuid4().hex[:8]
    name = f"boto3-echo-{suffix}"
    thrower = f"boto3-throw-{suffix}"

    # CreateFunction: 201, Pending, the code's hash and size.
    zip_v1 = node_zip(ECHO_V1)
    resp = client.create_function(
        FunctionName=name, Runtime="nodejs20.x", Role=ROLE, Handler="index.handler", Code={"ZipFile": zip_v1},
        Description="boto3 suite", Timeout=5, MemorySize=128, Tags={"suite": "boto3"},
    )
    created.append(name)
    check(resp["ResponseMetadata"]["HTTPStatusCode"] == 201, "create_function answers 201")
    check(resp["State"] == "Pending" and resp["StateReasonCode"] == "Creating", f"created Pending: {resp['State']}")
    check(resp["FunctionArn"] == fn_arn(name), resp["FunctionArn"])
    check(resp["CodeSize"] == len(zip_v1), "CodeSize is the zip's size")
    check(resp["CodeSha256"] == base64.b64encode(hashlib.sha256(zip_v1).digest()).decode(), "CodeSha256 is base64 SHA-256")
    client.create_function(
        FunctionName=thrower, Runtime="nodejs20.x", Role=ROLE, Handler="index.handler", Code={"ZipFile": node_zip(THROWS)},
    )
    created.append(thrower)

    client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig=WAIT)
    client.get_waiter("function_active_v2").wait(FunctionName=thrower, WaiterConfig=WAIT)

    # GetFunction / GetFunctionConfiguration.
    got = client.get_function(FunctionName=name)
    config = got["Configuration"]
    check(config["State"] == "Active" and config["LastUpdateStatus"] == "Successful", "Active after the waiter")
    check(got["Tags"] == {"suite": "boto3"}, f"tags in GetFunction: {got.get('Tags')}")
    check(got["Code"]["RepositoryType"] == "S3" and got["Code"]["Location"].startswith("http"), "Code.Location")
    conf = client.get_function_configuration(FunctionName=name)
    conf.pop("ResponseMetadata")
    check(conf == config, "GetFunctionConfiguration equals GetFunction's Configuration")
    check(client.get_function_configuration(FunctionName=fn_arn(name))["FunctionName"] == name, "lookup by ARN")

    # ListFunctions through the paginator, one item per page.
    pages = list(client.get_paginator("list_functions").paginate(PaginationConfig={"PageSize": 1}))
    listed = [f["FunctionName"] for page in pages for f in page["Functions"]]
    check(sorted(listed) == sorted([name, thrower]), f"paginator lists both functions: {listed}")
    check(len([p for p in pages if p["Functions"]]) == 2, f"one function per page ({len(pages)} pages)")
    check("State" not in pages[0]["Functions"][0], "list entries carry no State (as on AWS)")

    # UpdateFunctionConfiguration → InProgress → function_updated_v2.
    upd = client.update_function_configuration(FunctionName=name, Timeout=9, Environment={"Variables": {"GREETING": "hi"}})
    check(upd["LastUpdateStatus"] == "InProgress", f"config update InProgress: {upd['LastUpdateStatus']}")
    check(upd["RevisionId"] != config["RevisionId"], "a new RevisionId")
    client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig=WAIT)
    after = client.get_function_configuration(FunctionName=name)
    check(after["LastUpdateStatus"] == "Successful" and after["Timeout"] == 9, "config update applied")
    check(after["Environment"] == {"Variables": {"GREETING": "hi"}}, "environment applied")

    # UpdateFunctionCode → InProgress → function_updated_v2.
    upd = client.update_function_code(FunctionName=name, ZipFile=node_zip(ECHO_V2))
    check(upd["LastUpdateStatus"] == "InProgress", "code update InProgress")
    check(upd["Environment"] == {"Variables": {"GREETING": "hi"}}, "code update keeps the environment")
    client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig=WAIT)

    # Invoke with a JSON payload and the log tail.
    res = client.invoke(FunctionName=name, Payload=json.dumps({"from": "boto3", "n": 1}), LogType="Tail")
    check(res["StatusCode"] == 200, f"invoke 200: {res['StatusCode']}")
    check(res["ExecutedVersion"] == "$LATEST", res.get("ExecutedVersion"))
    check("FunctionError" not in res, "no FunctionError on success")
    out = json.loads(res["Payload"].read())
    check(out["version"] == 2 and out["event"] == {"from": "boto3", "n": 1} and out["greeting"] == "hi", f"payload: {out}")
    log = base64.b64decode(res["LogResult"]).decode()
    request_id = out["requestId"]
    check(f"START RequestId: {request_id} Version: $LATEST" in log, log)
    check(f'\t{request_id}\tINFO\tboto3 invoke {{"from":"boto3","n":1}}' in log, log)
    check(f"END RequestId: {request_id}" in log, log)
    check(f"REPORT RequestId: {request_id}\tDuration: " in log, log)

    # A handler that throws: 200 with FunctionError Unhandled and Node's error object.
    res = client.invoke(FunctionName=thrower, Payload=b"{}")
    check(res["StatusCode"] == 200 and res["FunctionError"] == "Unhandled", f"FunctionError: {res.get('FunctionError')}")
    err = json.loads(res["Payload"].read())
    check(list(err.keys()) == ["errorType", "errorMessage", "trace"], f"error keys in AWS's order: {list(err.keys())}")
    check(err["errorType"] == "RangeError" and err["errorMessage"] == "out of range in boto3 suite", err)
    check(isinstance(err["trace"], list) and err["trace"][0].startswith("RangeError: out of range"), err["trace"])

    # A payload that is not JSON.
    e = error_of(client.invoke, FunctionName=name, Payload=b"this is not json")
    check(e["Error"]["Code"] == "InvalidRequestContentException", e["Error"])
    check(e["ResponseMetadata"]["HTTPStatusCode"] == 400, "400 for a non-JSON payload")
    check(e["Error"]["Message"].startswith("Could not parse request body into json: Could not parse payload into json: "), e["Error"]["Message"])
    try:
        client.invoke(FunctionName=name, Payload=b"{")
        raise AssertionError("invoke with a truncated payload succeeded")
    except client.exceptions.InvalidRequestContentException:
        check(True, "modelled exception class")

    # Client errors, each with its AWS code and status.
    missing = f"boto3-missing-{suffix}"
    e = error_of(client.get_function, FunctionName=missing)
    check(e["Error"]["Code"] == "ResourceNotFoundException" and e["ResponseMetadata"]["HTTPStatusCode"] == 404, e["Error"])
    check(e["Error"]["Message"] == f"Function not found: {fn_arn(missing)}", e["Error"]["Message"])
    check(e.get("Type") == "User" and e.get("Message") == e["Error"]["Message"], "modelled members Type and Message")
    try:
        client.get_function(FunctionName=missing)
    except client.exceptions.ResourceNotFoundException:
        check(True, "modelled exception class")
    e = error_of(client.create_function, FunctionName=name, Runtime="nodejs20.x", Role=ROLE, Handler="index.handler", Code={"ZipFile": zip_v1})
    check(e["Error"]["Code"] == "ResourceConflictException" and e["ResponseMetadata"]["HTTPStatusCode"] == 409, e["Error"])
    check(e["Error"]["Message"] == f"Function already exist: {name}", e["Error"]["Message"])
    e = error_of(client.create_function, FunctionName=f"boto3-bad-{suffix}", Runtime="nodejs99.x", Role=ROLE, Handler="index.handler", Code={"ZipFile": zip_v1})
    check(e["Error"]["Code"] == "InvalidParameterValueException" and e["ResponseMetadata"]["HTTPStatusCode"] == 400, e["Error"])
    check(e["Error"]["Message"].startswith("Value nodejs99.x at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [nodejs20.x, "), e["Error"]["Message"])
    e = error_of(client.create_function, FunctionName=f"boto3-bad-{suffix}", Runtime="nodejs20.x", Role="not-a-role", Handler="index.handler", Code={"ZipFile": zip_v1})
    check(e["Error"]["Code"] == "ValidationException" and e["ResponseMetadata"]["HTTPStatusCode"] == 400, e["Error"])
    check(e["Error"]["Message"].startswith("1 validation error detected: Value 'not-a-role' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: "), e["Error"]["Message"])

    # Tags.
    arn = fn_arn(name)
    client.tag_resource(Resource=arn, Tags={"team": "nimbus", "stage": "test"})
    check(client.list_tags(Resource=arn)["Tags"] == {"suite": "boto3", "team": "nimbus", "stage": "test"}, "tags added")
    client.untag_resource(Resource=arn, TagKeys=["stage", "suite"])
    check(client.list_tags(Resource=arn)["Tags"] == {"team": "nimbus"}, "tags removed")

    # Versions and aliases: publish, the published_version_active waiter, an alias, invoke through it, paginators.
    v1 = client.publish_version(FunctionName=name, Description="boto3 v1")
    check(v1["ResponseMetadata"]["HTTPStatusCode"] == 201 and v1["Version"] == "1", f"publish_version: {v1['Version']}")
    check(v1["FunctionArn"] == fn_arn(name) + ":1" and v1["Description"] == "boto3 v1", v1["FunctionArn"])
    client.get_waiter("published_version_active").wait(FunctionName=name, Qualifier="1", WaiterConfig=WAIT)
    check(client.publish_version(FunctionName=name)["Version"] == "1", "publishing an unchanged function returns version 1")
    alias = client.create_alias(FunctionName=name, Name="live", FunctionVersion="1", Description="boto3 alias")
    check(alias["AliasArn"] == fn_arn(name) + ":live" and "RoutingConfig" not in alias, alias)
    res = client.invoke(FunctionName=name, Qualifier="live", Payload=b"{}")
    check(res["ExecutedVersion"] == "1", f"alias invoke runs version 1: {res.get('ExecutedVersion')}")
    versions = [v["Version"] for page in client.get_paginator("list_versions_by_function").paginate(FunctionName=name, PaginationConfig={"PageSize": 1}) for v in page["Versions"]]
    check(versions == ["$LATEST", "1"], f"versions: {versions}")
    aliases = [a["Name"] for page in client.get_paginator("list_aliases").paginate(FunctionName=name) for a in page["Aliases"]]
    check(aliases == ["live"], f"aliases: {aliases}")
    e = error_of(client.delete_function, FunctionName=name, Qualifier="1")
    check(e["Error"]["Code"] == "ResourceConflictException" and e["ResponseMetadata"]["HTTPStatusCode"] == 409, e["Error"])
    try:
        client.get_alias(FunctionName=name, Name="missing")
        raise AssertionError("get_alias of a missing alias succeeded")
    except client.exceptions.ResourceNotFoundException as err:
        check(err.response["Error"]["Message"] == f"Cannot find alias arn: {fn_arn(name)}:missing", err.response["Error"]["Message"])

    # InvokeWithResponseStream (botocore >= 1.29.116; Debian's 1.29.27 predates it): the event stream decodes.
    if hasattr(client, "invoke_with_response_stream"):
        res = client.invoke_with_response_stream(FunctionName=name, Payload=b'{"streamed":1}', LogType="Tail")
        events = list(res["EventStream"])
        body = b"".join(e["PayloadChunk"]["Payload"] for e in events if "PayloadChunk" in e)
        complete = [e["InvokeComplete"] for e in events if "InvokeComplete" in e]
        check(res["ResponseMetadata"]["HTTPStatusCode"] == 200 and res["ExecutedVersion"] == "$LATEST", res["ResponseMetadata"])
        check(json.loads(body)["event"] == {"streamed": 1}, body)
        check(len(complete) == 1 and "ErrorCode" not in complete[0], complete)
        check(base64.b64decode(complete[0]["LogResult"]).startswith(b"START RequestId: "), complete[0])
        print("boto3 suite: invoke_with_response_stream checked")

    # DeleteFunction: 204, then the function is gone.
    for fn in list(created):
        resp = client.delete_function(FunctionName=fn)
        check(resp["ResponseMetadata"]["HTTPStatusCode"] == 204, "delete_function answers 204")
        created.remove(fn)
    e = error_of(client.get_function, FunctionName=name)
    check(e["Error"]["Code"] == "ResourceNotFoundException", "deleted")


if __name__ == "__main__":
    try:
        main()
    finally:
        for leftover in created:
            try:
                client.delete_function(FunctionName=leftover)
            except Exception:  # noqa: BLE001 - best-effort cleanup after a failure
                pass
    print(f"boto3 suite: {checks} checks passed (boto3 {boto3.__version__}, botocore {botocore.__version__})")
