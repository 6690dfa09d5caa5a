// Conformance of the event invoke config API: replays LocalStack's TestLambdaEventInvokeConfig tests through the
// real @aws-sdk/client-lambda in the recorded order and compares the normalised wire responses with the AWS
// recordings in ../shared/conformance/aws-snapshots (read at test time, never copied here).
import {
  CreateAliasCommand, DeleteFunctionEventInvokeConfigCommand, GetFunctionEventInvokeConfigCommand, ListFunctionEventInvokeConfigsCommand,
  PublishVersionCommand, PutFunctionEventInvokeConfigCommand, type PutFunctionEventInvokeConfigCommandInput, UpdateFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACCOUNT, API, conformanceSession, entry, REGION, uid } from '../helpers/conformance.js';
import { botocoreView, recorded, SnapshotNormaliser, type WireResponse } from '../helpers/snapshots.js';

const session = conformanceSession();
const { send } = session;
const fnArn = (name: string, q?: string): string => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}${q === undefined ? '' : `:${q}`}`;

function checker(snap: Record<string, unknown>, names: string[], replacements: Record<string, string> = {}) {
  const norm = new SnapshotNormaliser({ functionNames: names, replacements });
  return (response: WireResponse, key: string): void => assert.deepEqual(norm.normalise(botocoreView(response)), entry(snap, key), key);
}

describe('conformance: TestLambdaEventInvokeConfig', () => {
  it('test_lambda_eventinvokeconfig_exceptions: not found, validation, destinations, qualifiers, overwrite, update, list, delete', async () => {
    const snap = recorded(`${API}::TestLambdaEventInvokeConfig::test_lambda_eventinvokeconfig_exceptions`);
    const name = `fn-${uid()}`;
    const other = `fn-other-${uid()}`;
    const alias = 'eventinvokealias';
    const check = checker(snap, [name], { [other]: '<resource:5>' });
    const put = (input: Partial<PutFunctionEventInvokeConfigCommandInput>) => send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, ...input }));
    await session.createPython(name);
    await session.createPython(other);
    await session.waitActive(name);
    await session.waitActive(other);
    assert.equal((await send(new PublishVersionCommand({ FunctionName: name }))).status, 201);
    assert.equal((await send(new CreateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: '1' }))).status, 201);

    check(await put({ FunctionName: 'doesnotexist', MaximumRetryAttempts: 1 }), 'put_functionname_name_notfound');
    check(await put({ FunctionName: fnArn('doesnotexist'), MaximumRetryAttempts: 1 }), 'put_functionname_arn_notfound');
    check(await put({}), 'put_functionname_nootherargs');
    check(await put({ DestinationConfig: { OnSuccess: { Destination: fnArn('doesnotexist') } } }), 'put_destination_lambda_doesntexist');
    check(await put({ DestinationConfig: { OnSuccess: { Destination: fnArn(name) } } }), 'put_destination_recursive');
    check(await put({ DestinationConfig: { OnSuccess: { Destination: fnArn(other) } } }), 'put_destination_other_lambda');
    check(await put({ DestinationConfig: { OnSuccess: { Destination: `arn:aws:iam:${REGION}:${ACCOUNT}:function:${name}` } } }), 'put_destination_invalid_service_arn');
    check(await put({ DestinationConfig: { OnSuccess: {} } }), 'put_destination_success_no_destination_arn');
    check(await put({ DestinationConfig: { OnFailure: {} } }), 'put_destination_failure_no_destination_arn');
    check(await put({ DestinationConfig: { OnFailure: { Destination: `arn:aws:_-/!lambda:${REGION}:${ACCOUNT}:function:${name}` } } }), 'put_destination_invalid_arn_pattern');

    check(await put({ MaximumRetryAttempts: 1 }), 'put_destination_latest');
    check(await put({ Qualifier: '$LATEST', MaximumRetryAttempts: 1 }), 'put_destination_latest_explicit_qualifier');
    check(await put({ Qualifier: '1', MaximumRetryAttempts: 1 }), 'put_destination_version');
    check(await put({ Qualifier: alias, MaximumRetryAttempts: 1 }), 'put_alias_functionname_qualifier');
    check(await put({ Qualifier: 'doesnotexist', MaximumRetryAttempts: 1 }), 'put_alias_doesnotexist');
    check(await put({ FunctionName: fnArn(name, alias), MaximumRetryAttempts: 1 }), 'put_alias_qualifiedarn');
    check(await put({ FunctionName: fnArn(name, alias), Qualifier: alias, MaximumRetryAttempts: 1 }), 'put_alias_qualifiedarn_qualifier');
    check(await put({ FunctionName: fnArn(name, alias), Qualifier: '1', MaximumRetryAttempts: 1 }), 'put_alias_qualifiedarn_qualifierconflict');
    check(await put({ FunctionName: `${name}:${alias}`, MaximumRetryAttempts: 1 }), 'put_alias_shorthand');
    check(await put({ FunctionName: `${name}:${alias}`, Qualifier: alias, MaximumRetryAttempts: 1 }), 'put_alias_shorthand_qualifier');
    check(await put({ FunctionName: `${name}:${alias}`, Qualifier: '1', MaximumRetryAttempts: 1 }), 'put_alias_shorthand_qualifierconflict');
    check(await put({ FunctionName: `${name}:1`, MaximumRetryAttempts: 1 }), 'put_version_shorthand');
    check(await put({ FunctionName: `${name}:$LATEST`, Qualifier: '$LATEST', MaximumRetryAttempts: 1 }), 'put_shorthand_qualifier_match');
    check(await put({ FunctionName: `${name}:$LATEST`, Qualifier: '1', MaximumRetryAttempts: 1 }), 'put_shorthand_qualifier_mismatch_1');
    check(await put({ FunctionName: `${name}:1`, Qualifier: '$LATEST', MaximumRetryAttempts: 1 }), 'put_shorthand_qualifier_mismatch_2');
    check(await put({ FunctionName: `${name}:1`, Qualifier: alias, MaximumRetryAttempts: 1 }), 'put_shorthand_qualifier_mismatch_3');

    check(await put({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 21600 }), 'put_maxevent_maxvalue_result');
    check(await put({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 }), 'put_pre_overwrite');
    check(await put({ MaximumRetryAttempts: 0 }), 'put_post_overwrite');
    check(await put({ MaximumRetryAttempts: 0 }), 'second_overwrite_existing_response');
    check(await send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name })), 'get_post_overwrite');
    check(await put({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 }), 'pre_update_response');
    check(await send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: name, MaximumRetryAttempts: 0 })), 'update_response');
    check(await send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: name, MaximumRetryAttempts: 0 })), 'update_response_existing');
    check(await send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: name })), 'list_configs');

    check(await send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: name })), 'delete_latest');
    check(await send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: name, Qualifier: '1' })), 'delete_version');
    check(await send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: name, Qualifier: alias })), 'delete_alias');
    check(await send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: name })), 'list_configs_postdelete');
    check(await send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: name })), 'delete_function_not_found');
    check(await send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'doesnotexist' })), 'delete_function_doesnotexist');
    check(await send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'doesnotexist' })), 'list_function_doesnotexist');
    check(await send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'doesnotexist' })), 'get_function_doesnotexist');
    check(await send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name, Qualifier: 'doesnotexist' })), 'get_qualifier_doesnotexist');
    check(await send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: 'doesnotexist', MaximumRetryAttempts: 0 })), 'update_eventinvokeconfig_function_doesnotexist');
    check(await send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name, Qualifier: alias })), 'get_eventinvokeconfig_doesnotexist');
    check(await send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: name, Qualifier: alias, MaximumRetryAttempts: 0 })), 'update_eventinvokeconfig_config_doesnotexist_with_qualifier');
    check(await send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: name, MaximumRetryAttempts: 0 })), 'update_eventinvokeconfig_config_doesnotexist_without_qualifier');
  });

  it('test_lambda_eventinvokeconfig_lifecycle: put replaces, update merges, configs are per version', async () => {
    const snap = recorded(`${API}::TestLambdaEventInvokeConfig::test_lambda_eventinvokeconfig_lifecycle`);
    const name = `fn-${uid()}`;
    const check = checker(snap, [name]);
    await session.createPython(name);
    await session.waitActive(name);
    check(await send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, MaximumRetryAttempts: 0 })), 'put_invokeconfig_retries_0');
    check(await send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, MaximumEventAgeInSeconds: 60 })), 'put_invokeconfig_eventage_60');
    check(await send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: name, MaximumEventAgeInSeconds: 60 })), 'update_invokeconfig_eventage_nochange');
    check(await send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: name, MaximumRetryAttempts: 1 })), 'update_invokeconfig_retries');
    check(await send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name })), 'get_invokeconfig');
    check(await send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name, Qualifier: '$LATEST' })), 'get_invokeconfig_latest');
    check(await send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: name })), 'list_single_invokeconfig');
    assert.equal((await send(new PublishVersionCommand({ FunctionName: name }))).status, 201);
    check(await send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name, Qualifier: '1' })), 'get_invokeconfig_postpublish');
    check(await send(new PutFunctionEventInvokeConfigCommand({ FunctionName: name, Qualifier: '1', MaximumEventAgeInSeconds: 120 })), 'put_published_invokeconfig');
    check(await send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name, Qualifier: '1' })), 'get_published_invokeconfig');
    assert.equal((await send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: name }))).status, 204);
    check(await send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: name })), 'list_paging_nolimit_postdelete');
  });

  it('get_function_event_invoke_config on a missing function, a missing version and another region', async () => {
    const name = `fn-${uid()}`;
    await session.createPython(name);
    await session.waitActive(name);
    const missing = recorded(`${API}::TestLambdaFunction::test_ops_on_nonexisting_fn[get_function_event_invoke_config]`);
    const nonexisting = `i-dont-exist-${uid()}`;
    const check1 = checker(missing, [], { [nonexisting]: '<nonexisting-fn-name>' });
    check1(await send(new GetFunctionEventInvokeConfigCommand({ FunctionName: nonexisting })), 'not_found_exception');
    const version = recorded(`${API}::TestLambdaFunction::test_ops_on_nonexisting_version[get_function_event_invoke_config]`);
    checker(version, [], { [name]: '<fn-name>' })(await send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name, Qualifier: '1221' })), 'version_not_found_exception');
    const region = recorded(`${API}::TestLambdaFunction::test_get_function_wrong_region[get_function_event_invoke_config]`);
    checker(region, [name], { 'eu-west-1': '<wrong-region>' })(
      await send(new GetFunctionEventInvokeConfigCommand({ FunctionName: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:${name}` })), 'wrong_region_exception');
  });
});
