// HTTP APIs end to end: set up with Debian's AWS CLI v2 (`aws apigatewayv2 ... --endpoint-url`), served at
// `<api-id>.execute-api.localhost`, called with node:http (Host header) and curl (the .localhost name): two paths to
// two functions with path parameters, a greedy route, payload 1.0 and 2.0, a named stage with stage variables,
// quick create, and API Gateway's answers for missing routes and failing functions. Also function URLs and their
// permission set up with `aws lambda`, then called with curl as the README's tour does.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { awsCli } from '../helpers/aws-cli.js';
import { deployFixture } from '../helpers/functions.js';
import { httpRequest, type RawResponse } from '../helpers/http-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
let server: TestServer;
let work: string;
const { aws, awsJson } = awsCli(() => server.url, () => work);
const fnArn = (name: string): string => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
const json = (r: RawResponse): Record<string, unknown> => JSON.parse(r.body.toString()) as Record<string, unknown>;

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'nimbus-apigw-'));
  server = await startTestServer();
  await deployFixture(server.lambda, 'http-results', 'api-items');
  await deployFixture(server.lambda, 'http-results', 'api-files');
});
after(async () => {
  await server.stop();
  await rm(work, { recursive: true, force: true });
});

describe('HTTP APIs set up with aws apigatewayv2', () => {
  let apiId: string;
  let host: string;

  before(async () => {
    const api = await awsJson('apigatewayv2', 'create-api', '--name', 'shop', '--protocol-type', 'HTTP');
    apiId = String(api['ApiId']);
    assert.match(apiId, /^[a-z0-9]{10}$/);
    assert.equal(api['ApiEndpoint'], `http://${apiId}.execute-api.localhost:${server.port}`);
    assert.equal(api['RouteSelectionExpression'], '$request.method $request.path');
    host = `${apiId}.execute-api.localhost:${server.port}`;
    const items = await awsJson('apigatewayv2', 'create-integration', '--api-id', apiId, '--integration-type', 'AWS_PROXY',
      '--integration-uri', fnArn('api-items'), '--payload-format-version', '2.0');
    const files = await awsJson('apigatewayv2', 'create-integration', '--api-id', apiId, '--integration-type', 'AWS_PROXY',
      '--integration-uri', `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fnArn('api-files')}/invocations`, '--payload-format-version', '1.0');
    assert.equal(items['PayloadFormatVersion'], '2.0');
    assert.equal(files['IntegrationMethod'], 'POST');
    const route = await awsJson('apigatewayv2', 'create-route', '--api-id', apiId, '--route-key', 'GET /items/{id}', '--target', `integrations/${String(items['IntegrationId'])}`);
    assert.equal(route['RouteKey'], 'GET /items/{id}');
    assert.equal(route['AuthorizationType'], 'NONE');
    await awsJson('apigatewayv2', 'create-route', '--api-id', apiId, '--route-key', 'GET /items/special', '--target', `integrations/${String(files['IntegrationId'])}`);
    await awsJson('apigatewayv2', 'create-route', '--api-id', apiId, '--route-key', 'ANY /files/{proxy+}', '--target', `integrations/${String(files['IntegrationId'])}`);
    const stage = await awsJson('apigatewayv2', 'create-stage', '--api-id', apiId, '--stage-name', '$default', '--auto-deploy');
    assert.equal(stage['AutoDeploy'], true);
    await awsJson('apigatewayv2', 'create-stage', '--api-id', apiId, '--stage-name', 'dev', '--auto-deploy', '--stage-variables', 'env=development,color=blue');
  });

  it('lists and reads what it created', async () => {
    const apis = await awsJson('apigatewayv2', 'get-apis');
    assert.ok((apis['Items'] as Array<{ ApiId: string }>).some((a) => a.ApiId === apiId));
    const routes = await awsJson('apigatewayv2', 'get-routes', '--api-id', apiId);
    assert.deepEqual((routes['Items'] as Array<{ RouteKey: string }>).map((r) => r.RouteKey).sort(), ['ANY /files/{proxy+}', 'GET /items/special', 'GET /items/{id}']);
    assert.equal((await awsJson('apigatewayv2', 'get-api', '--api-id', apiId))['Name'], 'shop');
    const integrations = await awsJson('apigatewayv2', 'get-integrations', '--api-id', apiId);
    assert.deepEqual((integrations['Items'] as Array<{ PayloadFormatVersion: string }>).map((i) => i.PayloadFormatVersion), ['2.0', '1.0']);
    const stages = await awsJson('apigatewayv2', 'get-stages', '--api-id', apiId);
    assert.deepEqual((stages['Items'] as Array<{ StageName: string }>).map((st) => st.StageName), ['$default', 'dev']);
    const dev = await awsJson('apigatewayv2', 'get-stage', '--api-id', apiId, '--stage-name', 'dev');
    assert.deepEqual(dev['StageVariables'], { env: 'development', color: 'blue' });
    const missing = await aws('apigatewayv2', 'get-api', '--api-id', 'zzzzzzzzzz');
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /NotFoundException/);
  });

  it('routes GET /items/{id} to one function (payload 2.0) with its path parameter', async () => {
    const r = await httpRequest(server.port, { host, path: '/items/42?color=red&color=blue' });
    assert.equal(r.status, 200);
    const event = json(r);
    assert.equal(event['version'], '2.0');
    assert.equal(event['routeKey'], 'GET /items/{id}');
    assert.deepEqual(event['pathParameters'], { id: '42' });
    assert.deepEqual(event['queryStringParameters'], { color: 'red,blue' });
    const rc = event['requestContext'] as Record<string, unknown>;
    assert.equal(rc['apiId'], apiId);
    assert.equal(rc['accountId'], '000000000000');
    assert.equal(rc['stage'], '$default');
    assert.equal(rc['routeKey'], 'GET /items/{id}');
    assert.equal(rc['domainName'], `${apiId}.execute-api.localhost`);
    assert.equal('stageVariables' in event, false);
  });

  it('routes ANY /files/{proxy+} to the other function (payload 1.0) with the greedy parameter, and prefers literal routes', async () => {
    const r = await httpRequest(server.port, { method: 'DELETE', host, path: '/files/a/b%20c.txt?x=1&x=2', headers: [['X-Twice', '1'], ['X-Twice', '2']] });
    assert.equal(r.status, 200);
    const event = json(r);
    assert.equal(event['version'], '1.0');
    assert.equal(event['resource'], '/files/{proxy+}');
    assert.equal(event['httpMethod'], 'DELETE');
    assert.deepEqual(event['pathParameters'], { proxy: 'a/b c.txt' });
    assert.deepEqual(event['queryStringParameters'], { x: '2' });
    assert.deepEqual(event['multiValueQueryStringParameters'], { x: ['1', '2'] });
    assert.equal((event['headers'] as Record<string, string>)['x-twice'], '2');
    assert.deepEqual((event['multiValueHeaders'] as Record<string, string[]>)['x-twice'], ['1', '2']);
    assert.equal(event['stageVariables'], null);
    assert.equal(event['body'], null);
    const rc = event['requestContext'] as Record<string, unknown>;
    assert.equal(rc['resourcePath'], '/files/{proxy+}');
    assert.equal((rc['identity'] as { sourceIp: string }).sourceIp, '127.0.0.1');
    const special = json(await httpRequest(server.port, { host, path: '/items/special' }));
    assert.equal(special['resource'], '/items/special', 'the literal route beats GET /items/{id}');
  });

  it('serves a named stage under its path prefix with its stage variables (curl on the .localhost name)', async () => {
    const { stdout } = await run('curl', ['-s', '--noproxy', '*', `http://${host}/dev/items/7`]);
    const event = JSON.parse(stdout) as { pathParameters: unknown; stageVariables: unknown; requestContext: { stage: string } };
    assert.deepEqual(event.pathParameters, { id: '7' });
    assert.deepEqual(event.stageVariables, { env: 'development', color: 'blue' });
    assert.equal(event.requestContext.stage, 'dev');
  });

  it('answers 404 {"message":"Not Found"} without a route, and 500 when the function fails', async () => {
    const none = await httpRequest(server.port, { host, path: '/nothing' });
    assert.equal(none.status, 404);
    assert.deepEqual(json(none), { message: 'Not Found' });
    const wrongMethod = await httpRequest(server.port, { method: 'POST', host, path: '/items/1' });
    assert.equal(wrongMethod.status, 404);
    const failing = await httpRequest(server.port, { host, path: '/items/1?mode=throw' });
    assert.equal(failing.status, 500);
    assert.deepEqual(json(failing), { message: 'Internal Server Error' });
  });

  it('maps a 1.0 response (multiValueHeaders, statusCode) and refuses a result without statusCode', async () => {
    const reply = { statusCode: 202, headers: { 'X-One': 'a' }, multiValueHeaders: { 'X-Many': ['1', '2'] }, body: 'done' };
    const r = await httpRequest(server.port, { method: 'POST', host, path: '/files/x?mode=reply', headers: [['Content-Type', 'application/json']], body: JSON.stringify(reply) });
    assert.equal(r.status, 202);
    assert.equal(r.headers['x-one'], 'a');
    assert.equal(r.headers['x-many'], '1,2');
    assert.equal(r.body.toString(), 'done');
    const bad = await httpRequest(server.port, { method: 'POST', host, path: '/files/x?mode=reply', headers: [['Content-Type', 'application/json']], body: '{"hello":"world"}' });
    assert.equal(bad.status, 500);
  });

  it('quick create: --target makes the integration, the $default route and an auto-deploying $default stage', async () => {
    const api = await awsJson('apigatewayv2', 'create-api', '--name', 'quick', '--protocol-type', 'HTTP', '--target', fnArn('api-items'));
    const id = String(api['ApiId']);
    const routes = await awsJson('apigatewayv2', 'get-routes', '--api-id', id);
    assert.deepEqual((routes['Items'] as Array<{ RouteKey: string; ApiGatewayManaged: boolean }>).map((r) => [r.RouteKey, r.ApiGatewayManaged]), [['$default', true]]);
    const r = await fetch(`${server.url}/_nimbus/api/${id}/any/path`, { method: 'PUT', body: 'x' });
    assert.equal(r.status, 200);
    const event = (await r.json()) as { routeKey: string; rawPath: string };
    assert.equal(event.routeKey, '$default');
    assert.equal(event.rawPath, '/any/path');
    await awsJson('apigatewayv2', 'delete-api', '--api-id', id);
    assert.equal((await fetch(`${server.url}/_nimbus/api/${id}/any/path`)).status, 404);
  });

  it('answers CORS preflights from the API\'s corsConfiguration and adds its headers to responses', async () => {
    const api = await awsJson('apigatewayv2', 'create-api', '--name', 'cors', '--protocol-type', 'HTTP', '--target', fnArn('api-items'),
      '--cors-configuration', 'AllowOrigins=https://app.example,AllowMethods=GET,POST,AllowHeaders=x-api,MaxAge=300');
    assert.deepEqual(api['CorsConfiguration'], { AllowOrigins: ['https://app.example'], AllowMethods: ['GET', 'POST'], AllowHeaders: ['x-api'], MaxAge: 300 });
    const corsHost = `${String(api['ApiId'])}.execute-api.localhost:${server.port}`;
    const preflight = await httpRequest(server.port, { method: 'OPTIONS', host: corsHost, path: '/x', headers: [['Origin', 'https://app.example'], ['Access-Control-Request-Method', 'POST']] });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], 'https://app.example');
    assert.equal(preflight.headers['access-control-allow-methods'], 'GET,POST');
    assert.equal(preflight.headers['access-control-max-age'], '300');
    const actual = await httpRequest(server.port, { host: corsHost, path: '/x', headers: [['Origin', 'https://app.example']] });
    assert.equal(actual.status, 200);
    assert.equal(actual.headers['access-control-allow-origin'], 'https://app.example');
  });

  it('answers 503 {"message":"Service Unavailable"} once the integration\'s timeoutInMillis passes', async () => {
    const integration = await awsJson('apigatewayv2', 'create-integration', '--api-id', apiId, '--integration-type', 'AWS_PROXY',
      '--integration-uri', fnArn('api-items'), '--payload-format-version', '2.0', '--timeout-in-millis', '50');
    assert.equal(integration['TimeoutInMillis'], 50);
    await awsJson('apigatewayv2', 'create-route', '--api-id', apiId, '--route-key', 'GET /slow', '--target', `integrations/${String(integration['IntegrationId'])}`);
    const slow = await httpRequest(server.port, { host, path: '/slow?mode=sleep&ms=1000' });
    assert.equal(slow.status, 503);
    assert.deepEqual(json(slow), { message: 'Service Unavailable' });
  });

  it('update-api, update-route, update-integration and update-stage change what is served at once', async () => {
    const api = await awsJson('apigatewayv2', 'create-api', '--name', 'before', '--protocol-type', 'HTTP');
    const id = String(api['ApiId']);
    const updated = await awsJson('apigatewayv2', 'update-api', '--api-id', id, '--name', 'after', '--description', 'renamed');
    assert.equal(updated['Name'], 'after');
    assert.equal(updated['Description'], 'renamed');
    const integration = await awsJson('apigatewayv2', 'create-integration', '--api-id', id, '--integration-type', 'AWS_PROXY', '--integration-uri', fnArn('api-items'));
    const integrationId = String(integration['IntegrationId']);
    const route = await awsJson('apigatewayv2', 'create-route', '--api-id', id, '--route-key', 'GET /old', '--target', `integrations/${integrationId}`);
    await awsJson('apigatewayv2', 'create-stage', '--api-id', id, '--stage-name', 'live', '--stage-variables', 'v=1');
    const apiHost = `${id}.execute-api.localhost:${server.port}`;
    assert.equal((await httpRequest(server.port, { host: apiHost, path: '/live/old' })).status, 200);

    const moved = await awsJson('apigatewayv2', 'update-route', '--api-id', id, '--route-id', String(route['RouteId']), '--route-key', 'GET /new/{x}');
    assert.equal(moved['RouteKey'], 'GET /new/{x}');
    assert.equal(moved['Target'], `integrations/${integrationId}`);
    const v1 = await awsJson('apigatewayv2', 'update-integration', '--api-id', id, '--integration-id', integrationId, '--payload-format-version', '1.0');
    assert.equal(v1['IntegrationUri'], fnArn('api-items'));
    const stage = await awsJson('apigatewayv2', 'update-stage', '--api-id', id, '--stage-name', 'live', '--stage-variables', 'v=2');
    assert.deepEqual(stage['StageVariables'], { v: '2' });

    assert.equal((await httpRequest(server.port, { host: apiHost, path: '/live/old' })).status, 404);
    const event = json(await httpRequest(server.port, { host: apiHost, path: '/live/new/7' }));
    assert.equal(event['version'], '1.0');
    assert.deepEqual(event['pathParameters'], { x: '7' });
    assert.deepEqual(event['stageVariables'], { v: '2' });
  });

  it('refuses what Nimbus does not serve with BadRequestException', async () => {
    const ws = await aws('apigatewayv2', 'create-api', '--name', 'ws', '--protocol-type', 'WEBSOCKET', '--route-selection-expression', '$request.body.action');
    assert.notEqual(ws.code, 0);
    assert.match(ws.stderr, /BadRequestException/);
    const badKey = await aws('apigatewayv2', 'create-route', '--api-id', apiId, '--route-key', 'FETCH /x');
    assert.match(badKey.stderr, /BadRequestException/);
  });
});

describe('function URLs set up with aws lambda', () => {
  it('create-function-url-config, add-permission and get-policy, then curl on the FunctionUrl as returned', async () => {
    const config = await awsJson('lambda', 'create-function-url-config', '--function-name', 'api-items', '--auth-type', 'NONE',
      '--cors', 'AllowOrigins=https://app.example,AllowMethods=GET');
    const url = String(config['FunctionUrl']);
    assert.match(url, /^http:\/\/[a-z0-9]{32}\.lambda-url\.us-east-1\.localhost:\d+\/$/);
    assert.deepEqual(config['Cors'], { AllowOrigins: ['https://app.example'], AllowMethods: ['GET'] });
    const denied = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--noproxy', '*', url]);
    assert.equal(denied.stdout, '403');
    const added = await awsJson('lambda', 'add-permission', '--function-name', 'api-items', '--statement-id', 'public-url',
      '--action', 'lambda:InvokeFunctionUrl', '--principal', '*', '--function-url-auth-type', 'NONE');
    assert.deepEqual(JSON.parse(String(added['Statement'])), {
      Sid: 'public-url', Effect: 'Allow', Principal: '*', Action: 'lambda:InvokeFunctionUrl', Resource: fnArn('api-items'),
      Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'NONE' } },
    });
    const policy = await awsJson('lambda', 'get-policy', '--function-name', 'api-items');
    assert.equal((JSON.parse(String(policy['Policy'])) as { Statement: unknown[] }).Statement.length, 1);
    const { stdout } = await run('curl', ['-s', '--noproxy', '*', '-H', 'Origin: https://app.example', '-D', '-', `${url}cli?via=curl`]);
    assert.match(stdout, /^HTTP\/1\.1 200/);
    assert.match(stdout, /access-control-allow-origin: https:\/\/app\.example/i);
    assert.match(stdout, /"rawQueryString":"via=curl"/);
    await awsJson('lambda', 'remove-permission', '--function-name', 'api-items', '--statement-id', 'public-url');
    assert.equal((await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--noproxy', '*', url])).stdout, '403');
  });
});

describe('after a restart', () => {
  it('keeps function URLs, their policies and HTTP APIs (same ids, served on the new port)', async () => {
    const fnUrl = await awsJson('lambda', 'create-function-url-config', '--function-name', 'api-files', '--auth-type', 'NONE');
    await awsJson('lambda', 'add-permission', '--function-name', 'api-files', '--statement-id', 'url', '--action', 'lambda:InvokeFunctionUrl',
      '--principal', '*', '--function-url-auth-type', 'NONE');
    const api = await awsJson('apigatewayv2', 'create-api', '--name', 'lasting', '--protocol-type', 'HTTP', '--target', fnArn('api-items'));
    const urlId = new URL(String(fnUrl['FunctionUrl'])).hostname.split('.')[0] ?? '';
    const dataDir = server.dataDir;
    await server.stop({ keepData: true });
    server = await startTestServer({}, dataDir);
    const viaUrl = await httpRequest(server.port, { host: `${urlId}.lambda-url.us-east-1.localhost:${server.port}`, path: '/again' });
    assert.equal(viaUrl.status, 200);
    const viaApi = await httpRequest(server.port, { host: `${String(api['ApiId'])}.execute-api.localhost:${server.port}`, path: '/again' });
    assert.equal(viaApi.status, 200);
    assert.equal((json(viaApi)['requestContext'] as { apiId: string }).apiId, api['ApiId']);
    const config = await awsJson('lambda', 'get-function-url-config', '--function-name', 'api-files');
    assert.equal(config['FunctionUrl'], `http://${urlId}.lambda-url.us-east-1.localhost:${server.port}/`);
  });
});
