"""Entry point of the Nimbus Python runtime client (python3.9 to python3.13).

The engine starts it inside an execution environment, with the task root as the working directory:

    <real python3.X binary> -u -S <LAMBDA_RUNTIME_DIR>/bootstrap.py

-u  stdout and stderr unbuffered: every print() reaches the platform's pipe at once, so each line is
    attributed to the invocation that wrote it. awslambdaric gets the same effect by wrapping sys.stdout
    and sys.stderr in an object that flushes after each write.
-S  skip the `site` module at start-up: ~7 ms of every cold start on Debian's python3.11 here (it
    imports importlib.util and runs every .pth file in dist-packages). nimbus_runtime.task_paths then
    adds what functions need from it: the host's site-packages directories (where boto3 lives, like the
    SDK Lambda bundles with its Python runtimes) and the exit/quit/help builtins.

No other flags: PYTHON* variables the user sets (PYTHONPATH, PYTHONWARNINGS, ...) keep working, as on
Lambda. Everything else lives in the nimbus_runtime package because the __main__ script is never cached
as bytecode: keep this file tiny.
"""
import sys

from nimbus_runtime.main import main

sys.exit(main())
