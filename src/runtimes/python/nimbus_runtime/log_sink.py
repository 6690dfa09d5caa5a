"""Where function log records go, and the "[ERROR]" record the runtime writes for a failed init or invoke.

Two sinks, as in awslambdaric's bootstrap.py:
- stdout (the default): the platform turns each `\\n`-terminated line into one log event, so a record
  keeps its inner line breaks as `\\r` (the RIC's StandardLogSink does this for its error records; Nimbus's
  Node client does it for every console record, and we do it for every logging record too);
- framed records on the file descriptor in `_LAMBDA_TELEMETRY_LOG_FD` when the platform provides one:
  4-byte frame type (0xA55A0003 text / 0xA55A0002 JSON, plus level bits), 4-byte length, 8-byte
  timestamp in microseconds, message; big-endian (spec lambda-wire.md b.5).
print() never goes through a sink: it writes to stdout, unchanged, in both log formats.
"""
import os
import sys
import time

from . import json_codec

_LEVEL_BITS = {0: 0x0, 10: 0x8, 20: 0xC, 30: 0x10, 40: 0x14, 50: 0x18}
TEXT_FRAME = 0xA55A0003
JSON_FRAME = 0xA55A0002
# As in the RIC (its ERROR_LOG_IDENT), stack trace indentation in "[ERROR]" records becomes NO-BREAK SPACE.
_INDENT = "\u00a0"

_current = None


def frame_type(base, levelno):
    """Frame type for a record of `levelno`, bucketed to the standard levels as the RIC does."""
    return base | _LEVEL_BITS[min(50, max(0, levelno)) // 10 * 10]


class StdoutSink(object):
    def log(self, text, frame=None):
        sys.stdout.write(text)

    def log_record(self, text, frame):
        """One record as one line: inner newlines become \\r, exactly one \\n ends it."""
        if text.endswith("\n"):
            text = text[:-1]
        sys.stdout.write(text.replace("\n", "\r") + "\n")

    def log_error(self, lines, json_format):
        sys.stdout.write("\r".join(lines).replace("\n", "\r") + "\n")


class FramedSink(object):
    def __init__(self, fd):
        self._file = os.fdopen(fd, "wb", 0)

    def log(self, text, frame=None):
        body = text.encode("utf-8")
        header = (frame or TEXT_FRAME).to_bytes(4, "big") + len(body).to_bytes(4, "big")
        self._file.write(header + (time.time_ns() // 1000).to_bytes(8, "big") + body)

    def log_record(self, text, frame):
        self.log(text, frame)

    def log_error(self, lines, json_format):
        self.log("\n".join(lines), frame_type(JSON_FRAME if json_format else TEXT_FRAME, 40))


def create():
    """Picks the sink once per process; the fd variable is removed so user subprocesses do not inherit it."""
    global _current
    fd = os.environ.pop("_LAMBDA_TELEMETRY_LOG_FD", None)
    _current = FramedSink(int(fd)) if fd is not None else StdoutSink()
    return _current


def current():
    return _current if _current is not None else create()


def _indent(line):
    stripped = line.lstrip(" ")
    return _INDENT * (len(line) - len(stripped)) + stripped


def log_error(body, json_format):
    """Writes the record awslambdaric writes before posting an error body (`log_error` in its bootstrap.py).

    Text: `[ERROR] <type>: <message>`, `Traceback (most recent call last):`, then the stack trace lines
    with NO-BREAK SPACE indentation. JSON: the body plus "timestamp" (UTC, whole seconds, no zone: the
    RIC's format) and "level": "ERROR".
    """
    if json_format:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
        current().log_error([json_codec.to_json(dict({"timestamp": stamp, "level": "ERROR"}, **body))], True)
        return
    head = "[ERROR]"
    if body.get("errorType"):
        head += " " + body["errorType"]
    if body.get("errorMessage"):
        head += (":" if body.get("errorType") else "") + " " + body["errorMessage"]
    lines = [head]
    stack = body.get("stackTrace")
    if stack is not None:
        lines.append("Traceback (most recent call last):")
        for entry in stack:
            if entry == "":
                lines.append("")
            else:
                lines.extend(_indent(line) for line in entry.splitlines())
    current().log_error(lines, False)
