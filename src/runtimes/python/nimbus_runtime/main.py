"""Start-up sequence of the runtime client; returns the process exit code.

0. A pre-started runtime first waits for its function's environment (slot.py).
1. Read the Runtime API address; without one, exit 1 (as the Node client does).
2. Put the task root and layers on sys.path (task_paths.py).
3. Choose the log sink and put the runtime's handler on the root logger, before any user code runs.
4. Import the handler (`_HANDLER`). On failure, as awslambdaric does: log the LAMBDA_WARNING line and the
   "[ERROR]" record, POST /init/error with the error type in Lambda-Runtime-Function-Error-Type, exit 1.
5. Serve invocations until the process is ended (invoke_loop.py). If the Runtime API goes away, say so on
   stderr and exit 1.
Exit codes: 1 for init errors and a missing Runtime API (awslambdaric exits 1 after an init error; the
Node RIC's 129 is Node-specific), the handler's own code for sys.exit, 1 with a traceback for a crash.
"""
import logging
import os
import sys

# Everything the runtime uses is imported here, before the task root goes on sys.path: a user module named
# like a standard one (json.py, logging.py) must not replace it for the runtime (it does not on Lambda).
from . import errors, handler_loader, invoke_loop, json_codec, log_handler, log_sink, slot, task_paths
from .runtime_api_client import RuntimeApiClient, RuntimeApiUnavailable

EXIT_FAILURE = 1

# awslambdaric's lambda_literals.py `lambda_unhandled_exception_warning_message`, logged at WARNING level
# when init fails; the trailing \r is theirs.
_UNHANDLED_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function code. However, in "
    "rare cases, a Lambda runtime update can cause unexpected function behavior. For functions using managed "
    "runtimes, runtime updates can be triggered by a function change, or can be applied automatically. To "
    "determine if the runtime has been updated, check the runtime version in the INIT_START log entry. If this "
    "error correlates with a change in the runtime version, you may be able to mitigate this error by "
    "temporarily rolling back to the previous runtime version. For more information, see "
    "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html\r"
)


def _api_unavailable(reason):
    sys.stderr.write("Nimbus runtime: Runtime API unavailable: {}\n".format(reason))
    return EXIT_FAILURE


def _report_init_error(client, exc, json_format):
    body = errors.from_fault(exc) if isinstance(exc, errors.FaultError) else errors.from_exception(exc)
    logging.warning(_UNHANDLED_WARNING)
    log_sink.log_error(body, json_format)
    invoke_loop.flush_stdio()
    client.post_init_error(json_codec.to_json_bytes(body), body["errorType"])


def main():
    client = None
    if os.environ.get("_NIMBUS_SLOT") == "1":
        # A pre-started runtime connects to its Runtime API while it waits (slot.py).
        client = RuntimeApiClient(os.environ.get("AWS_LAMBDA_RUNTIME_API", ""))
        try:
            client.ping()
        except RuntimeApiUnavailable:
            pass
        slot.await_function()
    address = os.environ.get("AWS_LAMBDA_RUNTIME_API")
    if not address:
        return _api_unavailable("AWS_LAMBDA_RUNTIME_API is not set")
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    handler_name = os.environ.get("_HANDLER") or (sys.argv[1] if len(sys.argv) > 1 else "")
    json_format = (os.environ.get("AWS_LAMBDA_LOG_FORMAT") or "").upper() == "JSON"

    task_paths.setup(task_root)
    log_sink.create()
    log_handler.install(json_format, os.environ.get("AWS_LAMBDA_LOG_LEVEL"))
    client = client or RuntimeApiClient(address)
    try:
        try:
            handler = handler_loader.load_handler(handler_name)
        except Exception as exc:
            _report_init_error(client, exc, json_format)
            return EXIT_FAILURE
        invoke_loop.run(client, handler, json_format)
    except RuntimeApiUnavailable as e:
        return _api_unavailable(e)
