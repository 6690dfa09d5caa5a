// `nimbus ls`: every function (all ListFunctions pages) as a table on `out`.
import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import { parseArgs, requirePositionals } from '../args.js';
import { formatBytes, formatTable, formatTimestamp } from '../format.js';
import { connect, REMOTE_OPTIONS, REMOTE_USAGE } from '../remote.js';

export const lsUsage = `nimbus ls ${REMOTE_USAGE}`;

export function functionTable(functions: readonly FunctionConfiguration[]): string {
  const rows = [...functions]
    .sort((a, b) => (a.FunctionName ?? '').localeCompare(b.FunctionName ?? ''))
    .map((f) => [
      f.FunctionName ?? '-',
      f.Runtime ?? (f.PackageType === 'Image' ? 'image' : '-'),
      f.MemorySize === undefined ? '-' : `${f.MemorySize} MB`,
      f.Timeout === undefined ? '-' : `${f.Timeout} s`,
      f.CodeSize === undefined ? '-' : formatBytes(f.CodeSize),
      formatTimestamp(f.LastModified),
    ]);
  return formatTable(['NAME', 'RUNTIME', 'MEMORY', 'TIMEOUT', 'CODE SIZE', 'LAST MODIFIED'], rows);
}

export async function ls(argv: readonly string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<void> {
  const args = parseArgs(argv, { values: [...REMOTE_OPTIONS], flags: [] });
  requirePositionals(args, []);
  const remote = connect(args);
  try {
    const { sdk, client } = await remote.lambda();
    const functions: FunctionConfiguration[] = [];
    let marker: string | undefined;
    do {
      const page = await client.send(new sdk.ListFunctionsCommand(marker === undefined ? {} : { Marker: marker }));
      functions.push(...(page.Functions ?? []));
      marker = page.NextMarker;
    } while (marker !== undefined && marker !== '');
    if (functions.length === 0) {
      err.write(`no functions on ${remote.endpoint}\n`);
      return;
    }
    out.write(`${functionTable(functions)}\n`);
  } catch (e) {
    remote.fail(e);
  } finally {
    remote.close();
  }
}
