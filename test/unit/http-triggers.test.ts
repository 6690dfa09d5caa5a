// Pure parts of the HTTP triggers: route selection, result mapping (payload 2.0 and 1.0), the raw-member reader,
// and the SigV4 verifier's canonical form (double URI-encoding of the path, query sorting, payload hash).
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { mapResultV1, mapResultV2, rawMember } from '../../src/gateway/http-response.js';
import { matchRoute } from '../../src/gateway/route-match.js';
import { parseRouteKey } from '../../src/model/index.js';
import { uriEncode, verifySigV4 } from '../../src/shared/sigv4-verifier.js';

const routes = ['GET /items/{id}', 'GET /items/special', 'ANY /items/{id}', 'ANY /files/{proxy+}', 'POST /files/upload', '$default']
  .map((routeKey, i) => ({ routeId: `r${i}`, routeKey }));

describe('HTTP API route selection', () => {
  it('prefers literal segments, then variables, then greedy paths, then $default; a method over ANY', () => {
    assert.equal(matchRoute(routes, 'GET', '/items/special')?.route.routeKey, 'GET /items/special');
    assert.deepEqual(matchRoute(routes, 'GET', '/items/7')?.pathParameters, { id: '7' });
    assert.equal(matchRoute(routes, 'GET', '/items/7')?.route.routeKey, 'GET /items/{id}');
    assert.equal(matchRoute(routes, 'DELETE', '/items/7')?.route.routeKey, 'ANY /items/{id}');
    assert.equal(matchRoute(routes, 'POST', '/files/upload')?.route.routeKey, 'POST /files/upload');
    assert.deepEqual(matchRoute(routes, 'POST', '/files/a/b%2Fc')?.pathParameters, { proxy: 'a/b/c' });
    assert.equal(matchRoute(routes, 'GET', '/files')?.route.routeKey, '$default', 'a greedy variable needs one segment');
    assert.equal(matchRoute(routes, 'GET', '/items/7/more')?.route.routeKey, '$default');
    assert.equal(matchRoute(routes.slice(0, 5), 'GET', '/nothing'), undefined);
  });

  it('parses route keys and refuses malformed ones', () => {
    assert.deepEqual(parseRouteKey('GET /'), { method: 'GET', segments: [] });
    assert.equal(parseRouteKey('FETCH /x'), undefined);
    assert.equal(parseRouteKey('GET /{proxy+}/x'), undefined);
    assert.equal(parseRouteKey('GET x'), undefined);
    assert.equal(parseRouteKey('$default'), '$default');
  });
});

describe('result mapping', () => {
  const body = (r: ReturnType<typeof mapResultV2>) => (r === 'invalid' ? 'invalid' : r.body.toString());
  it('payload 2.0: strings unquoted, other values compact, statusCode objects as responses', () => {
    assert.equal(body(mapResultV2(Buffer.from('"hello"'))), 'hello');
    assert.equal(body(mapResultV2(Buffer.from('{"hello": "world"}'))), '{"hello":"world"}');
    assert.equal(body(mapResultV2(Buffer.from('[1, true]'))), '[1,true]');
    assert.equal(body(mapResultV2(Buffer.from('{"statusCode": 200, "body": {"a": [1, 2]}}'))), '{"a": [1, 2]}', 'a non-string body as written');
    assert.equal(mapResultV2(Buffer.from('{"statusCode": 99}')), 'invalid');
    assert.equal(mapResultV2(Buffer.from('not json')), 'invalid');
    const r = mapResultV2(Buffer.from(JSON.stringify({ statusCode: 302, headers: { Location: '/x' }, cookies: ['a=1'] })));
    assert.notEqual(r, 'invalid');
    if (r !== 'invalid') assert.deepEqual(r.headers, [['content-type', 'application/json'], ['Location', '/x'], ['set-cookie', 'a=1']]);
  });

  it('payload 1.0: statusCode required, string body only, both header maps merged', () => {
    assert.equal(mapResultV1(Buffer.from('{"hello":"world"}')), 'invalid');
    assert.equal(mapResultV1(Buffer.from('{"statusCode":200,"body":{"a":1}}')), 'invalid');
    const r = mapResultV1(Buffer.from(JSON.stringify({ statusCode: 201, headers: { A: '1' }, multiValueHeaders: { B: ['2', '3'] }, body: 'x' })));
    assert.notEqual(r, 'invalid');
    if (r !== 'invalid') assert.deepEqual(r.headers, [['content-type', 'application/json'], ['B', '2'], ['B', '3'], ['A', '1']]);
  });

  it('reads a top-level member as written, strings with escapes and nesting included', () => {
    assert.equal(rawMember('{"a": "x\\"}", "body" : {"k": [1, {"z": "}"}]} , "c": 1}', 'body'), '{"k": [1, {"z": "}"}]}');
    assert.equal(rawMember('{"body": 3.50}', 'body'), '3.50');
    assert.equal(rawMember('[1]', 'body'), undefined);
  });
});

describe('SigV4 verifier', () => {
  const NOW = Date.UTC(2026, 0, 1, 0, 5);
  const secret = 'secret';
  const hmac = (k: Buffer | string, d: string) => createHmac('sha256', k).update(d).digest();
  /** An independent signer following AWS's documented steps (non-S3: the path encoded twice). */
  function sign(method: string, path: string, query: string, headers: Record<string, string>, body: string): string {
    const names = Object.keys(headers).sort();
    const canonical = [method, uriEncode(path, true), query, names.map((n) => `${n}:${headers[n] ?? ''}\n`).join(''), names.join(';'),
      createHash('sha256').update(body).digest('hex')].join('\n');
    const scope = '20260101/us-east-1/lambda/aws4_request';
    const toSign = ['AWS4-HMAC-SHA256', '20260101T000000Z', scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
    const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, '20260101'), 'us-east-1'), 'lambda'), 'aws4_request');
    return `AWS4-HMAC-SHA256 Credential=AKID/${scope}, SignedHeaders=${names.join(';')}, Signature=${createHmac('sha256', key).update(toSign).digest('hex')}`;
  }
  const secrets = new Map([['AKID', secret]]);
  const headers = { host: 'x.localhost', 'x-amz-date': '20260101T000000Z' };

  it('accepts the double-encoded path and sorted query, and refuses a single-encoded signature', () => {
    const auth = sign('GET', '/a%3Ab', 'a=1&b=two%20words', headers, '');
    const ok = verifySigV4({ method: 'GET', target: '/a%3Ab?b=two+words&a=1', headers: { ...headers, authorization: auth }, body: Buffer.alloc(0) }, secrets, { region: 'us-east-1', service: 'lambda', nowMs: NOW });
    assert.equal(ok.ok, true);
    const single = sign('GET', '/a:b', '', headers, '');
    const bad = verifySigV4({ method: 'GET', target: '/a%3Ab', headers: { ...headers, authorization: single }, body: Buffer.alloc(0) }, secrets, { region: 'us-east-1', service: 'lambda', nowMs: NOW });
    assert.deepEqual(bad, { ok: false, reason: 'mismatch' });
  });

  it('refuses a missing header, another region or service, and a body that is not the signed one', () => {
    const target = { method: 'POST', target: '/', body: Buffer.from('signed') };
    const auth = sign('POST', '/', '', headers, 'signed');
    const check = (over: object, expected: { region: string; service: string; nowMs?: number } = { region: 'us-east-1', service: 'lambda', nowMs: NOW }) => verifySigV4({ ...target, headers: { ...headers, authorization: auth }, ...over }, secrets, expected);
    assert.equal(check({}).ok, true);
    assert.deepEqual(verifySigV4({ ...target, headers }, secrets, { region: 'us-east-1', service: 'lambda', nowMs: NOW }), { ok: false, reason: 'missing' });
    assert.deepEqual(check({}, { region: 'eu-west-1', service: 'lambda', nowMs: NOW }), { ok: false, reason: 'scope' });
    assert.deepEqual(check({ body: Buffer.from('other') }), { ok: false, reason: 'mismatch' });
    assert.deepEqual(verifySigV4({ ...target, headers: { ...headers, authorization: auth } }, new Map(), { region: 'us-east-1', service: 'lambda', nowMs: NOW }), { ok: false, reason: 'unknown-key' });
    assert.deepEqual(check({}, { region: 'us-east-1', service: 'lambda', nowMs: NOW + 20 * 60_000 }), { ok: false, reason: 'expired' }, 'more than 15 minutes of skew');
  });

  it('verifies presigned URLs (query parameters, without the signature in the canonical query) until they expire', () => {
    const scope = '20260101/us-east-1/lambda/aws4_request';
    const query = `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${encodeURIComponent(`AKID/${scope}`)}&X-Amz-Date=20260101T000000Z&X-Amz-Expires=600&X-Amz-SignedHeaders=host&x=1`;
    const canonicalQuery = query.split('&').sort().join('&');
    const canonical = ['GET', '/p', canonicalQuery, 'host:x.localhost\n', 'host', createHash('sha256').update('').digest('hex')].join('\n');
    const toSign = ['AWS4-HMAC-SHA256', '20260101T000000Z', scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
    const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, '20260101'), 'us-east-1'), 'lambda'), 'aws4_request');
    const signature = createHmac('sha256', key).update(toSign).digest('hex');
    const req = { method: 'GET', target: `/p?${query}&X-Amz-Signature=${signature}`, headers: { host: 'x.localhost' }, body: Buffer.alloc(0) };
    assert.equal(verifySigV4(req, secrets, { region: 'us-east-1', service: 'lambda', nowMs: NOW }).ok, true);
    assert.deepEqual(verifySigV4(req, secrets, { region: 'us-east-1', service: 'lambda', nowMs: Date.UTC(2026, 0, 1, 0, 11) }), { ok: false, reason: 'expired' });
    assert.deepEqual(verifySigV4({ ...req, target: req.target.replace('x=1', 'x=2') }, secrets, { region: 'us-east-1', service: 'lambda', nowMs: NOW }), { ok: false, reason: 'mismatch' });
  });
});
