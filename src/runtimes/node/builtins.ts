/**
 * The Node built-ins the runtime client uses, fetched with `process.getBuiltinModule` (Node >= 20.16)
 * instead of `import`. An ES import of a built-in builds a facade that reads every export; for node:fs
 * that loads its stream classes and costs ~3 ms of cold start. Older Node falls back to `require`, which
 * this CommonJS module has (tsconfig.runtime.json).
 */
import type * as Fs from 'node:fs';
import type * as Http from 'node:http';
import type * as Module from 'node:module';
import type * as Path from 'node:path';
import type * as Url from 'node:url';
import type * as Util from 'node:util';

type Load = (id: string) => unknown;

const load: Load = typeof process.getBuiltinModule === 'function' ? (id) => process.getBuiltinModule(id) : require;

export const fs = load('node:fs') as typeof Fs;
export const http = load('node:http') as typeof Http;
export const nodeModule = load('node:module') as typeof Module;
export const path = load('node:path') as typeof Path;
export const url = load('node:url') as typeof Url;
export const util = load('node:util') as typeof Util;
