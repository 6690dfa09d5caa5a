"""A pre-started runtime (the engine's runtime slots) waits here for the function it will run.

The engine starts the interpreter with _NIMBUS_SLOT=1 and only the environment every function of the runtime
shares, before any function is known, and imports everything the runtime needs. When a cold start takes the
slot, the engine mounts the function's code at /var/task and writes one JSON line to stdin:
{"env": {...}}, the environment the process would have been started with. This replaces the environment,
moves into the (now mounted) task root and points stdin at /dev/null, as a runtime started for the function
has it; start-up then goes on as usual (main.py).
"""
import json
import os


def await_function():
    data = b""
    while not data.endswith(b"\n"):
        chunk = os.read(0, 65536)
        if not chunk:
            break
        data += chunk
    env = json.loads(data)["env"]
    os.environ.clear()
    os.environ.update(env)
    # The working directory was the empty mount point: enter the code mounted on top of it.
    os.chdir(env.get("LAMBDA_TASK_ROOT") or "/var/task")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
