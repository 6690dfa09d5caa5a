// Unit tests for runtimes/node/runtime-connection.ts against a raw TCP server that writes exact bytes: the
// request as sent, responses framed by Content-Length, chunked encoding (with trailers) or the connection's end,
// 204 without a body, reuse of the socket, and failures before and after a response began.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { createRequire } from 'node:module';
import { after, describe, it } from 'node:test';

// The runtime client is built on its own as CommonJS (tsconfig.runtime.json); the test loads its compiled module.
interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }
interface Connection { readonly busy: boolean; request(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Reply> }
interface ConnectionFailure extends Error { readonly code: string | undefined; readonly beforeResponse: boolean; readonly reused: boolean }
const { ConnectionError, RuntimeConnection } = createRequire(import.meta.url)('../../src/runtimes/node/runtime-connection.js') as {
  ConnectionError: new (...args: never[]) => ConnectionFailure;
  RuntimeConnection: new (hostname: string, port: number) => Connection;
};

const servers: Server[] = [];
const sockets: Socket[] = [];
after(() => {
  sockets.forEach((s) => s.destroy());
  servers.forEach((s) => s.close());
});

/** A server that hands each request's bytes (head and body, once `\r\n\r\n` and any Content-Length body are in) to `reply`. */
async function rawServer(reply: (socket: Socket, request: string) => void): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    sockets.push(socket);
    let text = '';
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(text.slice(0, end))?.[1] ?? 0);
      if (text.length < end + 4 + length) return;
      const request = text.slice(0, end + 4 + length);
      text = text.slice(request.length);
      reply(socket, request);
    });
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return { port: address.port, connections: () => connections };
}

describe('RuntimeConnection', () => {
  it('sends the request line, headers, Host and a UTF-8 body with its byte length', async () => {
    let seen = '';
    const { port } = await rawServer((socket, request) => {
      seen = request;
      socket.write('HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nok');
    });
    const reply = await new RuntimeConnection('127.0.0.1', port).request('POST', '/r', { 'Content-Type': 'application/json' }, '"é"');
    assert.equal(seen, `POST /r HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 4\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n\r\n"\u00c3\u00a9"`);
    assert.equal(reply.status, 202);
    assert.equal(reply.body.toString(), 'ok');
  });

  it('reads headers lower-cased (repeats joined) and reuses the socket across exchanges, even split mid-response', async () => {
    const { port, connections } = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: r1\r\nX-A: 1\r\nX-A: 2\r\nContent-Le');
      setTimeout(() => socket.write('ngth: 5\r\n\r\nhel'), 5);
      setTimeout(() => socket.write('lo'), 10);
    });
    const connection = new RuntimeConnection('127.0.0.1', port);
    for (let i = 0; i < 3; i++) {
      const reply = await connection.request('GET', '/next', {});
      assert.equal(reply.headers['lambda-runtime-aws-request-id'], 'r1');
      assert.equal(reply.headers['x-a'], '1, 2');
      assert.equal(reply.body.toString(), 'hello');
      assert.equal(connection.busy, false);
    }
    assert.equal(connections(), 1);
  });

  it('decodes a chunked body and skips its trailers', async () => {
    const { port } = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n');
      setTimeout(() => socket.write('6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n'), 5);
    });
    const reply = await new RuntimeConnection('127.0.0.1', port).request('GET', '/next', {});
    assert.equal(reply.body.toString(), 'hello world');
  });

  it('a body without a length ends with the connection; a 204 has none', async () => {
    const { port } = await rawServer((socket, request) => {
      if (request.startsWith('GET /empty')) socket.write('HTTP/1.1 204 No Content\r\n\r\n');
      else socket.end('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end');
    });
    const connection = new RuntimeConnection('127.0.0.1', port);
    assert.equal((await connection.request('GET', '/empty', {})).body.length, 0);
    assert.equal((await connection.request('GET', '/close', {})).body.toString(), 'until the end');
    // The closed connection is replaced.
    assert.equal((await connection.request('GET', '/empty', {})).status, 204);
  });

  it('a connection closed before any response byte fails as ECONNRESET before the response, marked reused after an exchange', async () => {
    let n = 0;
    const { port } = await rawServer((socket) => {
      n += 1;
      if (n === 1) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
    });
    const connection = new RuntimeConnection('127.0.0.1', port);
    await connection.request('GET', '/next', {});
    const err = await connection.request('GET', '/next', {}).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ConnectionError);
    assert.equal(err.code, 'ECONNRESET');
    assert.equal(err.beforeResponse, true);
    assert.equal(err.reused, true);
  });

  it('a response cut off part-way fails after the response began; an unreachable server fails with its error', async () => {
    const { port } = await rawServer((socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort'));
    const cut = await new RuntimeConnection('127.0.0.1', port).request('GET', '/next', {}).then(() => undefined, (e: unknown) => e);
    assert.ok(cut instanceof ConnectionError);
    assert.equal(cut.beforeResponse, false);
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const address = closed.address();
    assert.ok(address !== null && typeof address === 'object');
    closed.close();
    const refused = await new RuntimeConnection('127.0.0.1', address.port).request('GET', '/next', {}).then(() => undefined, (e: unknown) => e);
    assert.ok(refused instanceof ConnectionError);
    assert.equal(refused.code, 'ECONNREFUSED');
    assert.equal(refused.reused, false);
  });
});
