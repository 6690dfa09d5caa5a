// Function URLs end to end: URLs created through the Lambda API, called with plain HTTP clients (node:http with
// the URL's Host, fetch on the path-style address, curl on the .localhost name), checked against the payload 2.0
// rules and the recorded AWS function URL cases; permissions, CORS, AWS_IAM with a real SigV4 signer, errors.
import {
  AddPermissionCommand, CreateAliasCommand, CreateFunctionUrlConfigCommand, DeleteAliasCommand, DeleteFunctionCommand, ListFunctionUrlConfigsCommand, PublishVersionCommand,
  PutFunctionConcurrencyCommand,
} from '@aws-sdk/client-lambda';
import { SignatureV4 } from '@smithy/signature-v4';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFile } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { recorded } from '../helpers/snapshots.js';
import { deployFixture } from '../helpers/functions.js';
import { httpRequest, type RawResponse } from '../helpers/http-client.js';
import { startTestServer, TEST_CREDENTIALS, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
let server: TestServer;

before(async () => {
  server = await startTestServer({ gateway: { iamCredentials: `${TEST_CREDENTIALS.accessKeyId}:${TEST_CREDENTIALS.secretAccessKey}` } });
});
after(async () => server.stop());

interface Url { readonly url: string; readonly id: string; readonly host: string }

async function createUrl(name: string, input: { AuthType: 'NONE' | 'AWS_IAM'; Qualifier?: string; Cors?: object; permission?: boolean }): Promise<Url> {
  const out = await server.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, ...input }));
  if (input.permission !== false && input.AuthType === 'NONE') {
    await server.lambda.send(new AddPermissionCommand({
      FunctionName: name, StatementId: 'urlPermission', Action: 'lambda:InvokeFunctionUrl', Principal: '*', FunctionUrlAuthType: 'NONE',
      ...(input.Qualifier === undefined ? {} : { Qualifier: input.Qualifier }),
    }));
  }
  const url = out.FunctionUrl ?? '';
  const host = new URL(url).host;
  return { url, id: host.split('.')[0] ?? '', host };
}

const json = (r: RawResponse): Record<string, unknown> => JSON.parse(r.body.toString()) as Record<string, unknown>;

describe('function URLs: serving', () => {
  let echo: Url;
  before(async () => {
    await deployFixture(server.lambda, 'http-results', 'url-echo');
    echo = await createUrl('url-echo', { AuthType: 'NONE' });
  });

  it('builds the payload 2.0 event: raw path and query, cookies, joined headers and query values, requestContext', async () => {
    const r = await httpRequest(server.port, {
      method: 'POST', host: echo.host, path: '/pa2%2Fth/1?multi=foo&q=query&multi=%2Fbar&flag',
      headers: [['Content-Type', 'application/json'], ['Extra-Headers', 'With WeiRd CapS'], ['X-Multi', 'a'], ['X-Multi', 'b'],
        ['Cookie', 'c1=v1; c2=v2'], ['User-Agent', 'test/echo']],
      body: '{"foo": "bar"}',
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/json');
    const event = json(r);
    assert.equal(event['version'], '2.0');
    assert.equal(event['routeKey'], '$default');
    assert.equal(event['rawPath'], '/pa2%2Fth/1');
    assert.equal(event['rawQueryString'], 'multi=foo&q=query&multi=%2Fbar&flag');
    assert.deepEqual(event['cookies'], ['c1=v1', 'c2=v2']);
    assert.deepEqual(event['queryStringParameters'], { multi: 'foo,/bar', q: 'query', flag: '' });
    const headers = event['headers'] as Record<string, string>;
    assert.equal(headers['extra-headers'], 'With WeiRd CapS');
    assert.equal(headers['x-multi'], 'a,b');
    assert.equal(headers['host'], echo.host);
    assert.equal(headers['cookie'], undefined, 'cookies travel in `cookies` only');
    assert.match(headers['x-amzn-trace-id'] ?? '', /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    assert.equal(headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(headers['x-forwarded-port'], String(server.port));
    assert.equal(headers['x-forwarded-proto'], 'http');
    assert.equal(event['body'], '{"foo": "bar"}');
    assert.equal(event['isBase64Encoded'], false);
    const rc = event['requestContext'] as Record<string, unknown>;
    assert.equal(rc['accountId'], 'anonymous');
    assert.equal(rc['apiId'], echo.id);
    assert.equal(rc['domainName'], echo.host.replace(/:\d+$/, ''));
    assert.equal(rc['domainPrefix'], echo.id);
    assert.deepEqual(rc['http'], { method: 'POST', path: '/pa2/th/1', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test/echo' });
    assert.equal(rc['requestId'], r.headers['x-amzn-requestid']);
    assert.equal(rc['routeKey'], '$default');
    assert.equal(rc['stage'], '$default');
    assert.match(String(rc['time']), /^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
    assert.equal(typeof rc['timeEpoch'], 'number');
    assert.equal(rc['authorizer'], undefined);
  });

  it('sends binary bodies base64-encoded (isBase64Encoded) and leaves out an empty body and query', async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 254]);
    const bin = json(await httpRequest(server.port, { method: 'PUT', host: echo.host, path: '/upload', headers: [['Content-Type', 'application/octet-stream']], body: bytes }));
    assert.equal(bin['isBase64Encoded'], true);
    assert.equal(Buffer.from(String(bin['body']), 'base64').compare(bytes), 0);
    const form = json(await httpRequest(server.port, { method: 'POST', host: echo.host, path: '/f', headers: [['Content-Type', 'multipart/form-data; boundary=x']], body: '--x--' }));
    assert.equal(form['isBase64Encoded'], true);
    const empty = json(await httpRequest(server.port, { host: echo.host, path: '/' }));
    assert.equal('body' in empty, false);
    assert.equal('queryStringParameters' in empty, false);
    assert.equal(empty['isBase64Encoded'], false);
  });

  it('answers on the path-style address (fetch) and on the .localhost name (curl) alike', async () => {
    const viaPath = await fetch(`${server.url}/_nimbus/url/${echo.id}/some/path?x=1`);
    assert.equal(viaPath.status, 200);
    const event = (await viaPath.json()) as { rawPath: string; rawQueryString: string };
    assert.equal(event.rawPath, '/some/path');
    assert.equal(event.rawQueryString, 'x=1');
    // curl resolves *.localhost to loopback itself, so the FunctionUrl works as returned.
    const { stdout } = await run('curl', ['-s', '--noproxy', '*', `${echo.url}hello?a=b`]);
    assert.equal((JSON.parse(stdout) as { rawPath: string }).rawPath, '/hello');
  });

  it('maps results as AWS recorded them: strings unquoted, other values compact, statusCode objects as responses', async () => {
    await deployFixture(server.lambda, 'python-url-results', 'url-results', { Runtime: 'python3.12' });
    const results = await createUrl('url-results', { AuthType: 'NONE' });
    const cases: Array<[string, unknown]> = [
      ['dict', { hello: 'world' }], ['http-response', { statusCode: 200, body: 'body123' }],
      ['http-response-json', { statusCode: 200, body: { hello: 'world' } }], ['list-mixed', ['hello', 3, true]],
      ['string', 'hello'], ['integer', 3], ['float', 3.1], ['boolean', true],
    ];
    for (const [id, value] of cases) {
      const expected = recorded(`test_lambda.py::TestLambdaURL::test_lambda_url_invocation[${id}]`)['lambda_url_invocation'] as {
        content: unknown; headers: Record<string, string>; statuscode: number;
      };
      const r = await httpRequest(server.port, { method: 'POST', host: results.host, path: '/', headers: [['Content-Type', 'application/json']], body: JSON.stringify(value) });
      assert.equal(r.status, expected.statuscode, id);
      assert.equal(r.headers['content-type'], expected.headers['Content-Type'], id);
      assert.equal(r.headers['content-length'], expected.headers['Content-Length'], id);
      const text = r.body.toString();
      assert.deepEqual(typeof expected.content === 'string' ? text : JSON.parse(text), expected.content, id);
    }
  });

  it('applies statusCode, headers, cookies and base64 bodies from a response object', async () => {
    const reply = { statusCode: 201, headers: { 'X-Custom': 'yes', 'Content-Type': 'image/png' }, cookies: ['a=1; Path=/', 'b=2'], body: Buffer.from([137, 80, 78, 71]).toString('base64'), isBase64Encoded: true };
    const r = await httpRequest(server.port, { method: 'POST', host: echo.host, path: '/?mode=reply', headers: [['Content-Type', 'application/json']], body: JSON.stringify(reply) });
    assert.equal(r.status, 201);
    assert.equal(r.headers['x-custom'], 'yes');
    assert.equal(r.headers['content-type'], 'image/png');
    assert.deepEqual(r.headers['set-cookie'], ['a=1; Path=/', 'b=2']);
    assert.deepEqual([...r.body], [137, 80, 78, 71]);
  });

  it('keeps framing to itself: a function\'s Content-Length, hop-by-hop and malformed headers are dropped; 204 has no body', async () => {
    const reply = { statusCode: 200, headers: { 'Content-Length': '999', Connection: 'close', 'Bad Name': 'x', 'X-Ok': 'fine' }, body: 'short' };
    const r = await httpRequest(server.port, { method: 'POST', host: echo.host, path: '/?mode=reply', headers: [['Content-Type', 'application/json']], body: JSON.stringify(reply) });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-length'], '5');
    assert.equal(r.headers['x-ok'], 'fine');
    assert.equal(r.body.toString(), 'short');
    const empty = await httpRequest(server.port, { method: 'POST', host: echo.host, path: '/?mode=reply', headers: [['Content-Type', 'application/json']], body: '{"statusCode":204,"body":"ignored"}' });
    assert.equal(empty.status, 204);
    assert.equal(empty.body.length, 0);
  });

  it('answers 502 for a function error and for an invalid statusCode', async () => {
    const thrown = await httpRequest(server.port, { host: echo.host, path: '/?mode=throw' });
    assert.equal(thrown.status, 502);
    assert.equal(thrown.body.toString(), 'Internal Server Error');
    const invalid = await httpRequest(server.port, { method: 'POST', host: echo.host, path: '/?mode=reply', headers: [['Content-Type', 'application/json']], body: '{"statusCode":"nope"}' });
    assert.equal(invalid.status, 502);
  });

  it('refuses a NONE URL without the public permission with AWS\'s 403, and unknown URL ids the same way', async () => {
    await deployFixture(server.lambda, 'http-results', 'url-private');
    const url = await createUrl('url-private', { AuthType: 'NONE', permission: false });
    const expected = recorded('test_lambda.py::TestLambdaPermissions::test_lambda_permission_url_invocation')['lambda_url_invocation_missing_permission'];
    for (const host of [url.host, `${'0'.repeat(32)}.lambda-url.us-east-1.localhost`]) {
      const r = await httpRequest(server.port, { host, path: '/' });
      assert.equal(r.status, 403);
      assert.equal(r.headers['x-amzn-errortype'], 'AccessDeniedException');
      assert.deepEqual(json(r), expected);
    }
  });

  it('serves an alias\'s URL, and answers 403 once the alias is deleted (as AWS recorded)', async () => {
    await deployFixture(server.lambda, 'http-results', 'url-aliased');
    await server.lambda.send(new PublishVersionCommand({ FunctionName: 'url-aliased' }));
    await server.lambda.send(new CreateAliasCommand({ FunctionName: 'url-aliased', Name: 'live', FunctionVersion: '1' }));
    const url = await createUrl('url-aliased', { AuthType: 'NONE', Qualifier: 'live' });
    const ok = await httpRequest(server.port, { host: url.host, path: '/' });
    assert.equal(ok.status, 200);
    assert.equal((json(ok)['requestContext'] as { apiId: string }).apiId, url.id);
    await server.lambda.send(new DeleteAliasCommand({ FunctionName: 'url-aliased', Name: 'live' }));
    const expected = recorded('test_lambda.py::TestLambdaURL::test_lambda_url_persists_after_alias_delete')['invoke_deleted_alias_url_response_delayed'] as {
      content: unknown; headers: Record<string, string>; status_code: number;
    };
    const gone = await httpRequest(server.port, { host: url.host, path: '/' });
    assert.equal(gone.status, expected.status_code);
    assert.equal(gone.headers['x-amzn-errortype'], expected.headers['x-amzn-ErrorType']);
    assert.deepEqual(json(gone), expected.content);
    // The alias's policy went with it: the same alias made again is not public until permitted again.
    await server.lambda.send(new CreateAliasCommand({ FunctionName: 'url-aliased', Name: 'live', FunctionVersion: '1' }));
    assert.equal((await httpRequest(server.port, { host: url.host, path: '/' })).status, 403);
    await server.lambda.send(new AddPermissionCommand({
      FunctionName: 'url-aliased', Qualifier: 'live', StatementId: 'again', Action: 'lambda:InvokeFunctionUrl', Principal: '*', FunctionUrlAuthType: 'NONE',
    }));
    assert.equal((await httpRequest(server.port, { host: url.host, path: '/' })).status, 200);
  });

  it('deletes a function\'s URL with the function', async () => {
    await deployFixture(server.lambda, 'http-results', 'url-deleted');
    const url = await createUrl('url-deleted', { AuthType: 'NONE' });
    assert.equal((await httpRequest(server.port, { host: url.host, path: '/' })).status, 200);
    await server.lambda.send(new DeleteFunctionCommand({ FunctionName: 'url-deleted' }));
    await deployFixture(server.lambda, 'http-results', 'url-deleted');
    assert.equal((await httpRequest(server.port, { host: url.host, path: '/' })).status, 403, 'a new function of the same name does not inherit the URL');
    const list = await server.lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'url-deleted' }));
    assert.deepEqual(list.FunctionUrlConfigs, []);
  });

  it('answers 429 when the function is throttled', async () => {
    await deployFixture(server.lambda, 'http-results', 'url-throttled');
    const url = await createUrl('url-throttled', { AuthType: 'NONE' });
    await server.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'url-throttled', ReservedConcurrentExecutions: 0 }));
    const r = await httpRequest(server.port, { host: url.host, path: '/' });
    assert.equal(r.status, 429);
    assert.equal(r.headers['x-amzn-errortype'], 'TooManyRequestsException');
  });

  it('streams a RESPONSE_STREAM URL: the prelude\'s status, headers and cookies, then chunks while the function runs', async () => {
    await deployFixture(server.lambda, 'url-stream', 'url-stream', { Timeout: 20 });
    const out = await server.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: 'url-stream', AuthType: 'NONE', InvokeMode: 'RESPONSE_STREAM' }));
    assert.equal(out.InvokeMode, 'RESPONSE_STREAM');
    await server.lambda.send(new AddPermissionCommand({
      FunctionName: 'url-stream', StatementId: 'url', Action: 'lambda:InvokeFunctionUrl', Principal: '*', FunctionUrlAuthType: 'NONE',
    }));
    const host = new URL(out.FunctionUrl ?? '').host;

    // The function waits for the gate, which opens only once the client holds the first chunk: a buffering
    // server would deadlock until the function's timeout.
    let open: () => void = () => {};
    const opened = new Promise<void>((resolve) => (open = resolve));
    const gate = createServer((_req, res) => void opened.then(() => res.end('go')));
    await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', resolve));
    try {
      const gateUrl = `http://127.0.0.1:${(gate.address() as AddressInfo).port}/`;
      const streamed = await new Promise<{ status: number; headers: IncomingHttpHeaders; first: string; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: server.port, path: `/?gate=${encodeURIComponent(gateUrl)}`, headers: { Host: host } }, (res) => {
          let body = '';
          let first: string | undefined;
          res.on('data', (c: Buffer) => {
            body += c.toString('utf8');
            if (first === undefined) {
              first = body;
              open();
            }
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, first: first ?? '', body }));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal(streamed.status, 201);
      assert.equal(streamed.headers['x-custom'], 'yes');
      assert.deepEqual(streamed.headers['set-cookie'], ['a=1']);
      assert.equal(streamed.headers['transfer-encoding'], 'chunked');
      assert.equal(streamed.first, 'first;', 'the first chunk arrived on its own, before the function went on');
      assert.equal(streamed.body, 'first;second');
    } finally {
      gate.closeAllConnections();
      await new Promise<void>((resolve) => gate.close(() => resolve()));
    }

    // A plain stream (no prelude) is a 200 of the declared type; a failure mid-stream cuts the connection.
    const plain = await httpRequest(server.port, { host, path: '/plain' });
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-type'], 'text/plain');
    assert.equal(plain.body.toString('utf8'), 'path /plain');
    await assert.rejects(httpRequest(server.port, { host, path: '/?fail=1' }), /aborted|socket hang up|ECONNRESET/);
  });

  it('refuses a request body over 6 MB with 413', async () => {
    const r = await httpRequest(server.port, { method: 'POST', host: echo.host, path: '/', headers: [['Content-Type', 'text/plain']], body: Buffer.alloc(6 * 1024 * 1024 + 1, 97) });
    assert.equal(r.status, 413);
  });
});

describe('function URLs: CORS', () => {
  let url: Url;
  before(async () => {
    await deployFixture(server.lambda, 'http-results', 'url-cors');
    url = await createUrl('url-cors', {
      AuthType: 'AWS_IAM',
      Cors: { AllowOrigins: ['https://app.example'], AllowMethods: ['GET', 'POST'], AllowHeaders: ['x-api'], ExposeHeaders: ['x-out'], AllowCredentials: true, MaxAge: 600 },
    });
  });

  it('answers a preflight itself, before authorisation, with the configured headers', async () => {
    const r = await httpRequest(server.port, {
      method: 'OPTIONS', host: url.host, path: '/items', headers: [['Origin', 'https://app.example'], ['Access-Control-Request-Method', 'POST']],
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers['access-control-allow-origin'], 'https://app.example');
    assert.equal(r.headers['access-control-allow-methods'], 'GET,POST');
    assert.equal(r.headers['access-control-allow-headers'], 'x-api');
    assert.equal(r.headers['access-control-allow-credentials'], 'true');
    assert.equal(r.headers['access-control-max-age'], '600');
    assert.equal(r.body.length, 0);
    const other = await httpRequest(server.port, { method: 'OPTIONS', host: url.host, path: '/', headers: [['Origin', 'https://evil.example'], ['Access-Control-Request-Method', 'POST']] });
    assert.equal(other.headers['access-control-allow-origin'], undefined);
  });
});

/** SHA-256 for @smithy/signature-v4, on node:crypto (its default hash packages are not installed). */
class NodeSha256 {
  private readonly h;
  constructor(secret?: string | Uint8Array) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', secret);
  }
  update(data: string | Uint8Array): void {
    this.h.update(data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
  reset(): void {}
}
const Sha256 = NodeSha256 as unknown as ConstructorParameters<typeof SignatureV4>[0]['sha256'];

describe('function URLs: AWS_IAM', () => {
  let url: Url;
  before(async () => {
    await deployFixture(server.lambda, 'http-results', 'url-iam');
    url = await createUrl('url-iam', { AuthType: 'AWS_IAM' });
  });

  async function signed(credentials: { accessKeyId: string; secretAccessKey: string }, path: string, body: string): Promise<RawResponse> {
    const signer = new SignatureV4({ service: 'lambda', region: 'us-east-1', credentials, sha256: Sha256 });
    const [pathname, query] = path.split('?');
    const requestQuery = Object.fromEntries(new URLSearchParams(query ?? ''));
    const req = await signer.sign({
      method: 'POST', protocol: 'http:', hostname: url.host.replace(/:\d+$/, ''), port: server.port, path: pathname ?? '/', query: requestQuery,
      headers: { host: url.host, 'content-type': 'application/json' }, body,
    });
    const headers = Object.entries(req.headers).map(([k, v]) => [k, v] as [string, string]);
    return httpRequest(server.port, { method: 'POST', path, headers, body });
  }

  it('accepts a request signed by a configured key (real signer) and passes the caller in authorizer.iam', async () => {
    const r = await signed(TEST_CREDENTIALS, '/a%20b/c:d?x=1&y=two%20words', '{"k":"v"}');
    assert.equal(r.status, 200, r.body.toString());
    const rc = json(r)['requestContext'] as { accountId: string; authorizer: { iam: { accessKey: string; accountId: string } } };
    assert.equal(rc.accountId, '000000000000');
    assert.equal(rc.authorizer.iam.accessKey, TEST_CREDENTIALS.accessKeyId);
    assert.equal(rc.authorizer.iam.accountId, '000000000000');
  });

  it('refuses unsigned requests, wrong secrets, unknown keys and tampered bodies with 403', async () => {
    const expected = recorded('test_lambda.py::TestLambdaPermissions::test_lambda_permission_url_invocation')['lambda_url_invocation_missing_permission'];
    const unsigned = await httpRequest(server.port, { host: url.host, path: '/' });
    assert.equal(unsigned.status, 403);
    assert.deepEqual(json(unsigned), expected);
    assert.equal((await signed({ accessKeyId: TEST_CREDENTIALS.accessKeyId, secretAccessKey: 'wrong' }, '/', '{}')).status, 403);
    assert.equal((await signed({ accessKeyId: 'AKIDUNKNOWN', secretAccessKey: TEST_CREDENTIALS.secretAccessKey }, '/', '{}')).status, 403);
    const signer = new SignatureV4({ service: 'lambda', region: 'us-east-1', credentials: TEST_CREDENTIALS, sha256: Sha256 });
    const req = await signer.sign({ method: 'POST', protocol: 'http:', hostname: url.host, path: '/', headers: { host: url.host }, body: 'original' });
    const tampered = await httpRequest(server.port, { method: 'POST', path: '/', headers: Object.entries(req.headers) as Array<[string, string]>, body: 'changed' });
    assert.equal(tampered.status, 403);
  });

  it('accepts a presigned URL (real signer) for a plain GET', async () => {
    const signer = new SignatureV4({ service: 'lambda', region: 'us-east-1', credentials: TEST_CREDENTIALS, sha256: Sha256 });
    const hostname = url.host.replace(/:\d+$/, '');
    const presigned = await signer.presign({ method: 'GET', protocol: 'http:', hostname, port: server.port, path: '/shared', query: { who: 'link' }, headers: { host: url.host } }, { expiresIn: 300 });
    const query = Object.entries(presigned.query ?? {}).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&');
    const r = await httpRequest(server.port, { host: url.host, path: `/shared?${query}` });
    assert.equal(r.status, 200, r.body.toString());
    assert.equal(json(r)['rawPath'], '/shared');
    const tampered = await httpRequest(server.port, { host: url.host, path: `/shared?${query.replace('who=link', 'who=else')}` });
    assert.equal(tampered.status, 403);
  });

  it('accepts curl --aws-sigv4 on the .localhost name', async () => {
    const { stdout } = await run('curl', ['-s', '--noproxy', '*', '--aws-sigv4', 'aws:amz:us-east-1:lambda', '--user', `${TEST_CREDENTIALS.accessKeyId}:${TEST_CREDENTIALS.secretAccessKey}`, `${url.url}curl/path?q=1`]);
    assert.equal((JSON.parse(stdout) as { rawPath: string }).rawPath, '/curl/path');
  });
});
