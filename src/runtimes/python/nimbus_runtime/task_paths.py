"""sys.path and the environment user code sees, in the order Lambda's Python bootstrap sets them up
(/var/runtime/bootstrap.py of the python3.x base images, which runs before awslambdaric):

1. unless PYTHONPATH is set: /opt/python/lib/pythonX.Y/site-packages, then /opt/python (layers; only
   the ones that exist here). Without a sandbox the layers are not at /opt: the engine then passes their host
   directory in _NIMBUS_OPT_DIR, which is taken out of the environment user code sees;
2. the task root in front of everything;
3. .pth files in the task root (and in the layer directories) are processed, as site.addsitedir does;
4. PYTHONPATH is set to LAMBDA_RUNTIME_DIR when the user did not set it (AWS shows PYTHONPATH=/var/runtime).
Lambda's own runtime directory stays on sys.path behind those, where the interpreter put it (here: the
directory of bootstrap.py). Because the interpreter runs with -S (see bootstrap.py), this module also adds
the host's site-packages at the end of sys.path, where `site` would have put them, without running their
.pth files, and the exit/quit/help/copyright builtins `site` would have defined.
"""
import os
import site
import sys


def _add_host_site_packages():
    for directory in site.getsitepackages():
        if directory not in sys.path and os.path.isdir(directory):
            sys.path.append(directory)
    site.setquit()
    site.setcopyright()
    site.sethelper()


def setup(task_root):
    pythonpath_set = "PYTHONPATH" in os.environ
    opt_dir = os.environ.pop("_NIMBUS_OPT_DIR", "/opt")
    layer_dirs = []
    if not pythonpath_set:
        version = "python{}.{}".format(sys.version_info[0], sys.version_info[1])
        candidates = [os.path.join(opt_dir, "python", "lib", version, "site-packages"), os.path.join(opt_dir, "python")]
        layer_dirs = [d for d in candidates if os.path.isdir(d)]
    sys.path[0:0] = [task_root] + layer_dirs
    if sys.flags.no_site:  # started with -S (bootstrap.py): add what `site` would have
        _add_host_site_packages()
    for directory in [task_root] + layer_dirs:
        site.addsitedir(directory)
    runtime_dir = os.environ.get("LAMBDA_RUNTIME_DIR")
    if not pythonpath_set and runtime_dir:
        os.environ["PYTHONPATH"] = runtime_dir
