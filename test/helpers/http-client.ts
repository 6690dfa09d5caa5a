// A plain HTTP/1.1 client for trigger tests: node:http with any Host header, repeated headers kept as sent, and the
// raw response (status, header pairs, body bytes).
import { request } from 'node:http';

export interface RawResponse {
  readonly status: number;
  /** Lower-case name → values. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

export function httpRequest(port: number, options: { method?: string; path: string; host?: string; headers?: Array<[string, string]>; body?: Buffer | string }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Array<[string, string]> = [...(options.host === undefined ? [] : [['Host', options.host] as [string, string]]), ...(options.headers ?? [])];
    const req = request({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: headers.flat(), setHost: options.host === undefined }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
