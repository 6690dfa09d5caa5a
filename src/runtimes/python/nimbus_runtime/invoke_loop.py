"""The invocation loop: GET /next, call handler(event, context), POST the result or the error, repeat.
Follows awslambdaric's bootstrap.py (`run`, `handle_event_request`):

1. per invocation, the request id goes into log records and `_X_AMZN_TRACE_ID` is set from
   Lambda-Runtime-Trace-Id (removed when the header is absent);
2. context, event decoding, the handler call and result encoding all happen under one `except Exception`:
   a Runtime.* fault is reported with its own type and trace, anything else under its class name with
   the user's frames (errors.py);
3. an error is logged ("[ERROR] ...", log_sink.py) before it is posted;
4. stdout and stderr are flushed before every post, so the platform sees the invocation's output before
   its end (the Node client awaits the same).
BaseException (sys.exit, KeyboardInterrupt) is not caught: the process ends with it and posts nothing, so
the platform reports Runtime.ExitError, as on Lambda.
"""
import os
import sys

from . import context as lambda_context
from . import errors, json_codec, log_handler, log_sink


def flush_stdio():
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.flush()
        except Exception:  # a user replacement stream, or a closed one: nothing to flush
            pass


def _set_trace_id(trace_id):
    if trace_id is not None:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)


def handle(client, handler, invocation, json_format):
    request_id = invocation.request_id
    error = None
    try:
        context = lambda_context.build_context(invocation)
        event = json_codec.decode_event(invocation.body, invocation.content_type)
        result = handler(event, context)
        body, content_type = json_codec.encode_result(result)
    except errors.FaultError as fault:
        error = errors.from_fault(fault, request_id)
    except Exception as exc:
        error = errors.from_exception(exc, request_id)

    if error is None:
        flush_stdio()
        client.post_response(request_id, body, content_type)
    else:
        log_sink.log_error(error, json_format)
        flush_stdio()
        client.post_error(request_id, json_codec.to_json_bytes(error), error["errorType"])


def run(client, handler, json_format):
    """Serves invocations until the process ends; raises RuntimeApiUnavailable when the platform is gone."""
    while True:
        invocation = client.next()
        log_handler.set_request(invocation.request_id, invocation.tenant_id)
        _set_trace_id(invocation.trace_id)
        handle(client, handler, invocation, json_format)
