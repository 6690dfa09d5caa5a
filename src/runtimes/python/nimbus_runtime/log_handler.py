"""The `logging` handler the runtime puts on the root logger before user code loads, and the current
request id its records carry. Formats follow awslambdaric (bootstrap.py `_setup_logging`,
lambda_runtime_log_utils.py `JsonFormatter`) and https://docs.aws.amazon.com/lambda/latest/dg/python-logging.html:

- Text: `[LEVEL]\\t<UTC %Y-%m-%dT%H:%M:%S>.<ms>Z\\t<request id>\\t<message>`, the exception traceback
  (logger.exception) appended below. The request id is "" before the first invocation.
- JSON (AWS_LAMBDA_LOG_FORMAT=JSON): one object per record, keys in this order and absent when None:
  timestamp (UTC, ms, Z), level (bucketed to DEBUG/INFO/WARNING/ERROR/CRITICAL), message, logger,
  stackTrace (traceback.format_tb), errorType, errorMessage, requestId, location
  (`<path>:<function>:<line>`, only with an exception), tenantId, then every `extra=` attribute.
- Level: AWS_LAMBDA_LOG_LEVEL when it names a level (TRACE means DEBUG), in either format; otherwise the
  root logger keeps Python's default, WARNING, as on Lambda.
- logging.Formatter.converter becomes time.gmtime for every formatter, as the RIC does.
"""
import json
import logging
import time
import traceback

from . import log_sink

_request_id = None
_tenant_id = None

_TEXT_FORMAT = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n"
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"
_LEVEL_NAMES = {"CRITICAL", "FATAL", "ERROR", "WARN", "WARNING", "INFO", "DEBUG", "NOTSET"}


def set_request(request_id, tenant_id=None):
    global _request_id, _tenant_id
    _request_id = request_id
    _tenant_id = tenant_id


class _RequestFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _request_id or ""
        record.tenant_id = _tenant_id
        return True


class _JsonFormatter(logging.Formatter):
    # LogRecord attributes that are not user data: the RIC's _RESERVED_FIELDS, so like it we print the
    # taskName that Python 3.12+ sets inside an asyncio task.
    _RESERVED = frozenset(
        "name msg args levelname levelno pathname filename module exc_info exc_text stack_info lineno funcName "
        "created msecs relativeCreated thread threadName processName process aws_request_id tenant_id".split()
    )

    def __init__(self):
        super().__init__()
        self._encode = json.JSONEncoder(ensure_ascii=False).encode

    def format(self, record):
        exc = record.exc_info
        result = {
            "timestamp": time.strftime(_DATE_FORMAT, time.gmtime(record.created)) + ".%03dZ" % record.msecs,
            "level": logging.getLevelName(min(50, max(0, record.levelno)) // 10 * 10),
            "message": record.getMessage(),
            "logger": record.name,
            "stackTrace": traceback.format_tb(exc[2]) if exc else None,
            "errorType": exc[0].__name__ if exc else None,
            "errorMessage": str(exc[1]) if exc else None,
            "requestId": getattr(record, "aws_request_id", None),
            "location": "{}:{}:{}".format(record.pathname, record.funcName, record.lineno) if exc else None,
        }
        if getattr(record, "tenant_id", None) is not None:
            result["tenantId"] = record.tenant_id
        for key, value in record.__dict__.items():
            if key not in self._RESERVED and key not in result:
                result[key] = value
        return self._encode({k: v for k, v in result.items() if v is not None}) + "\n"


class _SinkHandler(logging.Handler):
    def __init__(self, json_format, leveled):
        super().__init__()
        self._frame_base = log_sink.JSON_FRAME if json_format else log_sink.TEXT_FRAME
        # Like the RIC, frames carry the record's level only in JSON format or when a level is configured.
        self._leveled = leveled

    def emit(self, record):
        try:
            text = self.format(record)
            frame = log_sink.frame_type(self._frame_base, record.levelno) if self._leveled else self._frame_base
            log_sink.current().log_record(text, frame)
        except Exception:
            self.handleError(record)


def level_from_env(value):
    name = (value or "").upper()
    name = "DEBUG" if name == "TRACE" else name
    return name if name in _LEVEL_NAMES else None


def install(json_format, level_env):
    """Adds the handler to the root logger; call once, before user code is imported."""
    logging.Formatter.converter = time.gmtime
    level = level_from_env(level_env)
    handler = _SinkHandler(json_format, json_format or level is not None)
    handler.setFormatter(_JsonFormatter() if json_format else logging.Formatter(_TEXT_FORMAT, _DATE_FORMAT))
    handler.addFilter(_RequestFilter())
    root = logging.getLogger()
    if level is not None:
        root.setLevel(level)
    root.addHandler(handler)
