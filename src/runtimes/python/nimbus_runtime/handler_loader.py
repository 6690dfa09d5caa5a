"""Turns the handler setting (`module.function`, `pkg.sub.module.function`, `dir/sub/module.function`) into
the user's function, with the errors and messages of awslambdaric's bootstrap.py `_get_handler` (RIC 2.1+,
where every one of them is an init error):

- no dot: Runtime.MalformedHandlerName "Bad handler 'x': not enough values to unpack (expected 2, got 1)";
- a built-in module name (sys, time, ...): Runtime.BuiltInModuleConflict;
- ImportError while importing, whether the module itself or one it imports is missing:
  Runtime.ImportModuleError "Unable to import module 'x': No module named 'x'";
- SyntaxError: Runtime.UserCodeSyntaxError "Syntax error in module 'x': invalid syntax (x.py, line N)",
  stackTrace ['  File "<path>" Line N\\n    <source line>'];
- no such attribute: Runtime.HandlerNotFound "Handler 'f' missing on module 'x'".
Any other exception from the module's top level propagates unchanged; the caller reports it under its own
class name. Loading only: invoking is the invoke loop's job.
"""
import importlib
import sys

from . import errors


def load_handler(handler):
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as e:
        raise errors.FaultError(errors.MALFORMED_HANDLER_NAME, "Bad handler '{}': {}".format(handler, e))

    try:
        if module_name.split(".")[0] in sys.builtin_module_names:
            raise errors.FaultError(
                errors.BUILT_IN_MODULE_CONFLICT,
                "Cannot use built-in module {} as a handler module".format(module_name),
            )
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as e:
        raise errors.FaultError(
            errors.IMPORT_MODULE_ERROR, "Unable to import module '{}': {}".format(module_name, e)
        )
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise errors.FaultError(
            errors.USER_CODE_SYNTAX_ERROR, "Syntax error in module '{}': {}".format(module_name, e), trace
        )

    try:
        return getattr(module, function_name)
    except AttributeError:
        raise errors.FaultError(
            errors.HANDLER_NOT_FOUND, "Handler '{}' missing on module '{}'".format(function_name, module_name)
        )
