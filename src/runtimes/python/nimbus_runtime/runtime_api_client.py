"""HTTP client for the Lambda Runtime API 2018-06-01 (spec lambda-wire.md b.1) at $AWS_LAMBDA_RUNTIME_API.

One persistent http.client connection (HTTP/1.1 keep-alive) for every call. Transport only: callers decide
what to send and what a failure means. A call the Runtime API cannot take (transport error, or a /next
that is not 200) raises RuntimeApiUnavailable; replies to posts are returned, not judged, because the
platform has already decided what a late or oversized reply means (the Node client does the same).
"""
import http.client
import socket  # this and urllib.parse are loaded by http.client anyway
import urllib.parse

_BASE = "/2018-06-01/runtime"
_ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"


class RuntimeApiUnavailable(Exception):
    """The Runtime API cannot be reached or refuses to hand out work; the process has to exit."""


class Invocation(object):
    __slots__ = [
        "request_id",
        "deadline_ms",
        "invoked_function_arn",
        "trace_id",
        "client_context",
        "cognito_identity",
        "tenant_id",
        "content_type",
        "body",
    ]

    def __init__(self, headers, body):
        self.request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        self.deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms") or 0)
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        self.trace_id = headers.get("Lambda-Runtime-Trace-Id")
        self.client_context = headers.get("Lambda-Runtime-Client-Context")
        self.cognito_identity = headers.get("Lambda-Runtime-Cognito-Identity")
        self.tenant_id = headers.get("Lambda-Runtime-Aws-Tenant-Id")
        self.content_type = headers.get("Content-Type")
        self.body = body


def _error_type_headers(error_type):
    # A header value must be latin-1 without line breaks; an exotic class name is left to the body.
    if error_type and error_type.isascii() and error_type.isprintable():
        return {_ERROR_TYPE_HEADER: error_type}
    return {}


class _Connection(http.client.HTTPConnection):
    def connect(self):
        # getaddrinfo() runs a str host through the idna codec, whose first use loads unicodedata and
        # stringprep: ~8 ms of cold start here. The same ASCII host as bytes resolves without them.
        host = self.host.encode("ascii") if self.host.isascii() else self.host
        self.sock = socket.create_connection((host, self.port), self.timeout, self.source_address)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class RuntimeApiClient(object):
    def __init__(self, address):
        self._connection = _Connection(address)

    def ping(self):
        """GET /2018-06-01/ping: opens the keep-alive connection ahead of use."""
        self._exchange("GET", "/2018-06-01/ping")

    def next(self):
        """Long-polls GET /invocation/next (no timeout) and returns the Invocation."""
        status, headers, body = self._exchange("GET", _BASE + "/invocation/next")
        if status != 200:
            raise RuntimeApiUnavailable(
                "GET /invocation/next returned {}: {}".format(status, body.decode("utf-8", "replace"))
            )
        invocation = Invocation(headers, body)
        if not invocation.request_id:
            raise RuntimeApiUnavailable("GET /invocation/next: the request id header is missing")
        return invocation

    def post_response(self, request_id, body, content_type):
        path = "{}/invocation/{}/response".format(_BASE, urllib.parse.quote(request_id, safe=""))
        return self._exchange("POST", path, body, content_type)[0]

    def post_error(self, request_id, error_json, error_type):
        """Unlike awslambdaric (no header on invocation errors), names the error type in the header too."""
        path = "{}/invocation/{}/error".format(_BASE, urllib.parse.quote(request_id, safe=""))
        return self._exchange("POST", path, error_json, "application/json", _error_type_headers(error_type))[0]

    def post_init_error(self, error_json, error_type):
        path = _BASE + "/init/error"
        return self._exchange("POST", path, error_json, "application/json", _error_type_headers(error_type))[0]

    def _exchange(self, method, path, body=None, content_type=None, extra_headers=None):
        headers = dict(extra_headers or {})
        if content_type is not None:
            headers["Content-Type"] = content_type
        # The server may close an idle keep-alive connection just as we reuse it: retry once on a new one.
        for attempt in (1, 2):
            reused = self._connection.sock is not None
            try:
                self._connection.request(method, path, body, headers)
                reply = self._connection.getresponse()
                return reply.status, reply.headers, reply.read()
            except (ConnectionResetError, BrokenPipeError) as e:  # includes http.client.RemoteDisconnected
                self._connection.close()
                if not reused or attempt == 2:
                    raise RuntimeApiUnavailable("{} {}: {}".format(method, path, e))
            except (OSError, http.client.HTTPException) as e:
                self._connection.close()
                raise RuntimeApiUnavailable("{} {}: {}".format(method, path, e))
