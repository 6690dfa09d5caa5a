// Finds the host's real Python interpreter for the python3.x runtimes: the exact version when the host has it
// (/usr/bin/python3.12 for python3.12), else the host's python3. Only real executables count: a pyenv shim
// (a shell script) costs ~50 ms per start and resolves differently per directory (notes/isolation-findings.md).
// Interpreters outside /usr are not taken: the sandbox shows the runtime only the host's /usr.
import { closeSync, openSync, readSync, realpathSync } from 'node:fs';

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

function isElfExecutable(path: string): boolean {
  try {
    const fd = openSync(path, 'r');
    try {
      const head = Buffer.alloc(4);
      return readSync(fd, head, 0, 4, 0) === 4 && head.equals(ELF_MAGIC);
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

export interface PythonInterpreter {
  /** Absolute path of the binary (symlinks resolved). */
  readonly path: string;
  /** "3.11" */
  readonly version: string;
}

/** The interpreter for `python3.X` (`wanted` = "3.12"), or undefined when the host has no usable Python 3. */
export function resolvePython(wanted: string): PythonInterpreter | undefined {
  for (const candidate of [`/usr/bin/python${wanted}`, `/usr/local/bin/python${wanted}`, '/usr/bin/python3', '/usr/local/bin/python3']) {
    let real: string;
    try {
      real = realpathSync(candidate);
    } catch {
      continue;
    }
    const version = /python(3\.\d+)$/.exec(real)?.[1];
    if (real.startsWith('/usr/') && version !== undefined && isElfExecutable(real)) return { path: real, version };
  }
  return undefined;
}
