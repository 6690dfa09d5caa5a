// Builds zip archives in memory for tests: well-formed ones with yazl, and hand-made ones (makeRawZip) for
// the malicious shapes yazl refuses to write (traversal names, absolute paths, lying sizes).
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { ZipFile } from 'yazl';

export type ZipContent = string | Buffer | { content: string | Buffer; mode?: number };

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
/** Every entry gets this mtime, so equal content always makes byte-equal zips (a clock tick must not change a hash). */
const FIXED_MTIME = new Date('2024-01-01T00:00:00Z');

/** Names ending in "/" become directories; a mode with S_IFLNK (0o120000) makes a symlink to `content`. */
export function makeZip(files: Record<string, ZipContent>): Promise<Buffer> {
  const zip = new ZipFile();
  for (const [name, spec] of Object.entries(files)) {
    const { content, mode } = typeof spec === 'string' || Buffer.isBuffer(spec) ? { content: spec, mode: undefined } : spec;
    if (name.endsWith('/')) {
      zip.addEmptyDirectory(name, mode === undefined ? { mtime: FIXED_MTIME } : { mtime: FIXED_MTIME, mode: mode | 0o040000 });
    } else {
      const fullMode = mode === undefined ? S_IFREG | 0o644 : (mode & S_IFMT) === 0 ? S_IFREG | mode : mode;
      zip.addBuffer(Buffer.from(content), name, { mtime: FIXED_MTIME, mode: fullMode });
    }
  }
  return finish(zip);
}

/** Zips a directory tree recursively, keeping modes and symlinks (stored as links, not followed). */
export async function zipDirectory(dir: string): Promise<Buffer> {
  const zip = new ZipFile();
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(path.join(dir, rel))).sort()) {
      const relPath = rel === '' ? name : `${rel}/${name}`;
      const abs = path.join(dir, relPath);
      const stat = await lstat(abs);
      if (stat.isDirectory()) {
        zip.addEmptyDirectory(relPath, { mtime: FIXED_MTIME, mode: stat.mode });
        await walk(relPath);
      } else if (stat.isSymbolicLink()) {
        zip.addBuffer(Buffer.from(await readlink(abs)), relPath, { mtime: FIXED_MTIME, mode: stat.mode });
      } else {
        zip.addBuffer(await readFile(abs), relPath, { mtime: FIXED_MTIME, mode: stat.mode });
      }
    }
  };
  await walk('');
  return finish(zip);
}

export interface RawZipEntry {
  /** Written byte for byte: no normalisation, no checks. */
  name: string | Buffer;
  data?: string | Buffer;
  /** Full unix mode incl. type bits; 0 writes no unix attributes at all. Default 0o100644. */
  mode?: number;
  /** 0 stored, 8 deflated, anything else is written as is. Default 8. */
  method?: number;
  /** Uncompressed size to claim in both headers instead of the real one. */
  declaredSize?: number;
}

/** A minimal zip (local headers, central directory, end record) that says exactly what it is told. */
export function makeRawZip(entries: RawZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const data = Buffer.from(entry.data ?? '');
    const method = entry.method ?? 8;
    const body = method === 8 ? deflateRawSync(data) : data;
    const crc = crc32(data);
    const size = entry.declaredSize ?? data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x800, 6); // UTF-8 names
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(0x00210000, 10); // 1980-01-01 00:00
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by unix
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(0x00210000, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((entry.mode ?? S_IFREG | 0o644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** A symlink entry for makeRawZip. */
export function rawSymlink(name: string, target: string): RawZipEntry {
  return { name, data: target, mode: S_IFLNK | 0o777, method: 0 };
}

function finish(zip: ZipFile): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.end();
  });
}

// zlib.crc32 arrived in Node 22; this is the standard reflected CRC-32 (polynomial 0xEDB88320).
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
