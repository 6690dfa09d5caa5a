"""JSON in and out of the handler, as awslambdaric's lambda_runtime_marshaller.py does it:
- events are decoded only when the /next Content-Type is exactly application/json (otherwise the handler
  gets the raw bytes); a decoding failure is Runtime.UnmarshalError "Unable to unmarshal input: ...";
- results are encoded with Python's default separators (`{"a": 1}`) and allow_nan; a `bytes` result is
  sent as is with Content-Type application/unknown; a failure is Runtime.MarshalError
  "Unable to marshal response: ... is not JSON serializable";
- decimal.Decimal (what boto3's DynamoDB layer returns) is written as its exact digits, NaN as NaN, as the
  simplejson-based RIC 2.x did; the newest RIC goes through float, which would turn Decimal("5") into 5.0;
- non-ASCII is escaped except on python3.12 and python3.13, where the RIC writes raw UTF-8 (it decides by
  AWS_EXECUTION_ENV, and so do we).
"""
import json
import os
import re
import sys

from . import errors

_RAW_UTF8_RUNTIMES = {"AWS_Lambda_python3.12", "AWS_Lambda_python3.13"}


class _Encoder(json.JSONEncoder):
    """Writes each Decimal as a placeholder string that `encode` then swaps for the exact digits."""

    def __init__(self):
        # Read per encoder, not at import: a pre-started runtime learns its runtime's name after importing this.
        super().__init__(ensure_ascii=os.environ.get("AWS_EXECUTION_ENV") not in _RAW_UTF8_RUNTIMES)
        self._digits = []
        self._tag = ""

    def default(self, o):
        decimal = sys.modules.get("decimal")  # no Decimal can exist unless decimal was imported
        if decimal is not None and isinstance(o, decimal.Decimal):
            if o.is_nan():
                return float("nan")
            if not self._tag:
                self._tag = "\x00" + os.urandom(8).hex() + ":"
            self._digits.append(str(o))
            return self._tag + str(len(self._digits) - 1)
        return super().default(o)

    def encode(self, o):
        text = super().encode(o)
        if not self._digits:
            return text
        quoted = re.escape(json.dumps(self._tag)[:-1]) + r'(\d+)"'
        return re.sub(quoted, lambda m: self._digits[int(m.group(1))], text)


def to_json(value):
    return _Encoder().encode(value)


def to_json_bytes(value):
    # A lone surrogate (possible with raw UTF-8 output) becomes the JSON escape \udXXX, not an encoding error.
    return to_json(value).encode("utf-8", "backslashreplace")


def decode_event(body, content_type):
    if content_type != "application/json":
        return body
    try:
        return json.loads(body)
    except Exception as e:
        raise errors.FaultError(errors.UNMARSHAL_ERROR, "Unable to unmarshal input: {}".format(e))


def encode_result(result):
    """(body bytes, Content-Type) for /response."""
    if isinstance(result, bytes):
        return result, "application/unknown"
    try:
        return to_json_bytes(result), "application/json"
    except Exception as e:
        raise errors.FaultError(errors.MARSHAL_ERROR, "Unable to marshal response: {}".format(e))
