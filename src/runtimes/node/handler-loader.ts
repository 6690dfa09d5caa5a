/**
 * Turns the handler setting (`path/to/module.export.path`) into the user's function, the way
 * aws-lambda-ric 3.x `src/UserFunction.js` does: file lookup order, CommonJS vs ES module choice, and the
 * Runtime.* errors for bad names, missing modules, syntax errors and missing exports.
 * Loading only; invoking is the invoke loop's job.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HandlerNotFound, ImportModuleError, MalformedHandlerName, UserCodeSyntaxError } from './errors.js';

export type Handler = (event: unknown, context: object, callback: (error?: unknown, result?: unknown) => void) => unknown;

// Module = the last path segment up to its first '.', the rest is a property path.
const FUNCTION_EXPR = /^([^.]*)\.(.*)$/;

// User CommonJS is required from here, so a missing module reads "Require stack:\n- <this file>".
const requireUser = createRequire(__filename);

function splitHandler(fullHandler: string): { moduleRoot: string; moduleName: string; propertyPath: string } {
  if (fullHandler.includes('..')) {
    throw new MalformedHandlerName(
      `'${fullHandler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const base = basename(fullHandler);
  const moduleRoot = fullHandler.slice(0, fullHandler.indexOf(base));
  const match = FUNCTION_EXPR.exec(base);
  if (!match) throw new MalformedHandlerName('Bad handler');
  return { moduleRoot, moduleName: match[1] ?? '', propertyPath: match[2] ?? '' };
}

/**
 * Walks up from `folder` for a package.json; `"type":"module"` there makes `.js` files ES modules. A
 * node_modules folder or the filesystem root ends the search, as in the RIC (Node's own rule goes to '/').
 */
function hasPackageTypeModule(folder: string): boolean {
  if (folder.endsWith('/node_modules')) return false;
  const pj = join(folder, 'package.json');
  if (existsSync(pj)) {
    try {
      const pkg = JSON.parse(readFileSync(pj, 'utf8')) as { type?: unknown } | null;
      if (pkg) return pkg.type === 'module';
    } catch (err) {
      console.warn(`${pj} cannot be read, it will be ignored for ES module detection purposes.`, err);
      return false;
    }
  }
  const parent = dirname(folder);
  return parent === folder ? false : hasPackageTypeModule(parent);
}

function tryRequire(file: string): unknown {
  return existsSync(file) ? requireUser(file) : undefined;
}

async function tryImport(file: string): Promise<unknown> {
  return existsSync(file) ? await import(pathToFileURL(file).href) : undefined;
}

/**
 * Lookup order (RIC 3.x): `<m>` as is (a file, or a directory with package.json main / index.js), `<m>.js`
 * (required unless package type is module, then imported), `<m>.mjs` (imported), `<m>.cjs` (required),
 * finally Node resolution from the task root and the handler's folder.
 */
async function loadModule(appRoot: string, moduleRoot: string, moduleName: string): Promise<unknown> {
  const base = resolve(appRoot, moduleRoot, moduleName);
  const asIs = tryRequire(base);
  if (asIs) return asIs;

  const typeModule = hasPackageTypeModule(dirname(base));
  if (!typeModule) {
    const cjs = tryRequire(`${base}.js`);
    if (cjs) return cjs;
  }
  const loaded =
    (typeModule && (await tryImport(`${base}.js`))) || (await tryImport(`${base}.mjs`)) || tryRequire(`${base}.cjs`);
  if (loaded) return loaded;

  return requireUser(requireUser.resolve(moduleName, { paths: [appRoot, moduleRoot] }));
}

function resolveProperty(root: unknown, propertyPath: string): unknown {
  return propertyPath
    .split('.')
    .reduce<unknown>((node, key) => (node ? (node as Record<string, unknown>)[key] : node), root);
}

/** Loads the handler or throws a Runtime.* error (or the module's own load error, as the RIC does). */
export async function loadHandler(appRoot: string, fullHandler: string): Promise<Handler> {
  const { moduleRoot, moduleName, propertyPath } = splitHandler(fullHandler);

  let userModule: unknown;
  try {
    userModule = await loadModule(appRoot, moduleRoot, moduleName);
  } catch (err) {
    if (err instanceof SyntaxError) throw new UserCodeSyntaxError(err);
    if ((err as { code?: unknown } | null)?.code === 'MODULE_NOT_FOUND') throw new ImportModuleError(err);
    throw err;
  }

  const handler = resolveProperty(userModule, propertyPath);
  if (!handler) throw new HandlerNotFound(`${fullHandler} is undefined or not exported`);
  if (typeof handler !== 'function') throw new HandlerNotFound(`${fullHandler} is not a function`);
  return handler as Handler;
}

/** `async function` handlers that leave the event loop empty without settling fail with Runtime.NodeJsExit. */
export function isAsyncFunction(fn: Handler): boolean {
  try {
    return fn.constructor?.name === 'AsyncFunction';
  } catch {
    return false;
  }
}
