"""Runtime-side error types and the error body posted to /invocation/{id}/error and /init/error.

Shapes and wording follow awslambdaric's bootstrap.py (make_error, build_fault_result) and
lambda_runtime_exception.py (FaultException), github.com/aws/aws-lambda-python-runtime-interface-client:
- body: {"errorMessage", "errorType", "requestId" ("" during init), "stackTrace": [...]};
- a handler exception reports its class name and `traceback.format_list` of its frames, minus the leading
  frames of the runtime itself. Real AWS (python3.13, recorded in conformance/aws-snapshots
  test_lambda.snapshot.json test_lambda_runtime_error) shows an exception raised while importing the
  handler module the same way: errorType "Exception" (the class name, not Runtime.ImportModuleError),
  stackTrace starting at importlib's import_module frame.
Builds bodies only; logging and posting are the callers' job.
"""
import os
import traceback

MARSHAL_ERROR = "Runtime.MarshalError"
UNMARSHAL_ERROR = "Runtime.UnmarshalError"
USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
CONTEXT_UNMARSHAL_ERROR = "Runtime.LambdaContextUnmarshalError"

# LAMBDA_RUNTIME_DIR as this process sees it: frames from files under it belong to the runtime.
_RUNTIME_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


class FaultError(Exception):
    """A failure the runtime reports under a Runtime.* type, with its own message and stack trace."""

    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace


def error_body(message, error_type, stack_trace, request_id=None):
    """The Runtime API error body, keys in awslambdaric's order."""
    return {
        "errorMessage": message or "",
        "errorType": error_type or "",
        "requestId": request_id if request_id is not None else "",
        "stackTrace": stack_trace or [],
    }


def from_fault(fault, request_id=None):
    return error_body(fault.message, fault.error_type, fault.trace, request_id)


def from_exception(exc, request_id=None):
    """Body for an exception raised by user code: its class name, str() and its frames below the runtime's."""
    # Plain 4-tuples, as awslambdaric passes them: format_list then prints no ^^^ position lines (3.11+).
    frames = [(f.filename, f.lineno, f.name, f.line) for f in traceback.extract_tb(exc.__traceback__)]
    for i, frame in enumerate(frames):
        if not frame[0].startswith(_RUNTIME_DIR):
            frames = frames[i:]
            break
    return error_body(str(exc), type(exc).__name__, traceback.format_list(frames), request_id)
