// Reads and writes cgroup control files. Files read or written on every invocation stay open: re-reading a
// control file from offset 0 regenerates it, so a pread/pwrite replaces an open+read+close each time.
import { closeSync, openSync, readSync, writeFileSync, writeSync } from 'node:fs';

export class ControlFiles {
  private readonly fds = new Map<string, number>();
  private readonly buf = Buffer.alloc(512);

  /** The file's current text through its kept-open descriptor; undefined when it does not exist. */
  read(path: string): string | undefined {
    const fd = this.fd(path);
    if (fd === undefined) return undefined;
    try {
      return this.buf.toString('latin1', 0, readSync(fd, this.buf, 0, this.buf.length, 0));
    } catch {
      return undefined;
    }
  }

  /** Writes through the kept-open descriptor (some files, e.g. memory.peak, act per descriptor). */
  writeHot(path: string, value: string): void {
    const fd = this.fd(path);
    if (fd === undefined) return;
    try {
      writeSync(fd, value, 0);
    } catch {
      // refused by this kernel, or the group is gone
    }
  }

  /** A one-off write; a file this kernel lacks (e.g. memsw without swap accounting) is skipped. */
  write(path: string, value: string): void {
    try {
      writeFileSync(path, value);
    } catch {
      // not on this kernel
    }
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }

  private fd(path: string): number | undefined {
    let fd = this.fds.get(path);
    if (fd === undefined) {
      try {
        fd = openSync(path, 'r+');
      } catch {
        return undefined;
      }
      this.fds.set(path, fd);
    }
    return fd;
  }
}
