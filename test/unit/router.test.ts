// Unit tests for api/router.ts: `{param}` templates match one raw (percent-encoded) path segment, parameters
// are decoded after matching, `/?` accepts an optional trailing slash, and a known path with the wrong method is
// told apart from an unknown path.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Handler, Router } from '../../src/api/router.js';

const handler = (): Handler => () => undefined;

function lambdaRouter() {
  const h = {
    create: handler(), list: handler(), get: handler(), del: handler(), getConfig: handler(), putConfig: handler(),
    invoke: handler(), tag: handler(), untag: handler(), listTags: handler(), settings: handler(),
  };
  const router = new Router()
    .add('POST', '/2015-03-31/functions/?', h.create)
    .add('GET', '/2015-03-31/functions/?', h.list)
    .add('GET', '/2015-03-31/functions/{name}', h.get)
    .add('DELETE', '/2015-03-31/functions/{name}', h.del)
    .add('GET', '/2015-03-31/functions/{name}/configuration', h.getConfig)
    .add('PUT', '/2015-03-31/functions/{name}/configuration', h.putConfig)
    .add('POST', '/2015-03-31/functions/{name}/invocations', h.invoke)
    .add('POST', '/2017-03-31/tags/{arn}', h.tag)
    .add('DELETE', '/2017-03-31/tags/{arn}', h.untag)
    .add('GET', '/2017-03-31/tags/{arn}', h.listTags)
    .add('GET', '/2016-08-19/account-settings/?', h.settings);
  return { router, h };
}

function matched(router: Router, method: string, path: string) {
  const m = router.match(method, path);
  assert.ok(m !== undefined && m !== 'method-not-allowed', `${method} ${path} should match, got ${String(m)}`);
  return m;
}

describe('Router', () => {
  it('add() returns the router for chaining', () => {
    const r = new Router();
    assert.equal(r.add('GET', '/x', handler()), r);
  });

  it('matches a literal template with no parameters', () => {
    const { router, h } = lambdaRouter();
    const m = matched(router, 'GET', '/2016-08-19/account-settings');
    assert.equal(m.handler, h.settings);
    assert.deepEqual(m.params, {});
  });

  it('binds {name} to one path segment', () => {
    const { router, h } = lambdaRouter();
    const m = matched(router, 'GET', '/2015-03-31/functions/my-function');
    assert.equal(m.handler, h.get);
    assert.deepEqual(m.params, { name: 'my-function' });
    assert.equal(matched(router, 'POST', '/2015-03-31/functions/my-function/invocations').handler, h.invoke);
    assert.equal(matched(router, 'GET', '/2015-03-31/functions/my-function/configuration').handler, h.getConfig);
  });

  it('picks the route by method when several share a path', () => {
    const { router, h } = lambdaRouter();
    assert.equal(matched(router, 'GET', '/2015-03-31/functions/f').handler, h.get);
    assert.equal(matched(router, 'DELETE', '/2015-03-31/functions/f').handler, h.del);
    assert.equal(matched(router, 'PUT', '/2015-03-31/functions/f/configuration').handler, h.putConfig);
    assert.equal(matched(router, 'POST', '/2015-03-31/functions').handler, h.create);
    assert.equal(matched(router, 'GET', '/2015-03-31/functions').handler, h.list);
  });

  it('decodes a percent-encoded ARN after matching', () => {
    const { router, h } = lambdaRouter();
    const arn = 'arn:aws:lambda:us-east-1:123456789012:function:my-function:$LATEST';
    const m = matched(router, 'POST', `/2015-03-31/functions/${encodeURIComponent(arn)}/invocations`);
    assert.equal(m.handler, h.invoke);
    assert.deepEqual(m.params, { name: arn });
  });

  it('an encoded slash stays inside its segment and is decoded afterwards', () => {
    const { router, h } = lambdaRouter();
    const m = matched(router, 'GET', '/2017-03-31/tags/a%2Fb%2Fc');
    assert.equal(m.handler, h.listTags);
    assert.deepEqual(m.params, { arn: 'a/b/c' });
  });

  it('leaves unencoded ARN characters (colons, $) as they are', () => {
    const { router } = lambdaRouter();
    const arn = 'arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST';
    assert.deepEqual(matched(router, 'GET', `/2015-03-31/functions/${arn}`).params, { name: arn });
  });

  it('a trailing "/?" accepts the path with and without a slash', () => {
    const { router, h } = lambdaRouter();
    assert.equal(matched(router, 'GET', '/2015-03-31/functions').handler, h.list);
    assert.equal(matched(router, 'GET', '/2015-03-31/functions/').handler, h.list);
    assert.equal(matched(router, 'GET', '/2016-08-19/account-settings/').handler, h.settings);
  });

  it('without "/?" a trailing slash is a different path', () => {
    const { router } = lambdaRouter();
    assert.equal(router.match('GET', '/2015-03-31/functions/f/configuration/'), undefined);
  });

  it('a parameter never matches an empty segment or spans segments', () => {
    const { router } = lambdaRouter();
    assert.equal(router.match('POST', '/2015-03-31/functions//invocations'), undefined);
    assert.equal(router.match('GET', '/2015-03-31/functions/a/b'), undefined);
  });

  it('matches the whole path only', () => {
    const { router } = lambdaRouter();
    assert.equal(router.match('GET', '/prefix/2015-03-31/functions/f'), undefined);
    assert.equal(router.match('GET', '/2015-03-31/functions/f/configurationX'), undefined);
  });

  it('a known path with another method is method-not-allowed', () => {
    const { router } = lambdaRouter();
    assert.equal(router.match('PATCH', '/2015-03-31/functions/f'), 'method-not-allowed');
    assert.equal(router.match('GET', '/2015-03-31/functions/f/invocations'), 'method-not-allowed');
    assert.equal(router.match('PUT', '/2015-03-31/functions/'), 'method-not-allowed');
  });

  it('an unknown path is undefined', () => {
    const { router } = lambdaRouter();
    assert.equal(router.match('GET', '/'), undefined);
    assert.equal(router.match('GET', '/2015-03-31/layers'), undefined);
    assert.equal(router.match('POST', '/2015-03-31/functions/f/unknown'), undefined);
  });

  it('binds several parameters in order', () => {
    const h = handler();
    const router = new Router().add('GET', '/2015-03-31/functions/{name}/aliases/{alias}', h);
    assert.deepEqual(matched(router, 'GET', '/2015-03-31/functions/f%3A1/aliases/live').params, { name: 'f:1', alias: 'live' });
  });

  it('the first matching route wins', () => {
    const first = handler();
    const second = handler();
    const router = new Router().add('GET', '/x/{a}', first).add('GET', '/x/{b}', second);
    const m = matched(router, 'GET', '/x/1');
    assert.equal(m.handler, first);
    assert.deepEqual(m.params, { a: '1' });
  });
});
