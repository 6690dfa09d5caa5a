// Conformance of versions, aliases and revisions: each test replays the named LocalStack test through the real
// @aws-sdk/client-lambda, in the recorded order (placeholders are numbered by first appearance), and compares the
// normalised wire responses with the AWS recordings in ../shared/conformance/aws-snapshots. Waiter calls are not
// normalised, as LocalStack does not snapshot them. Deviations are spelled out where they occur.
import {
  CreateAliasCommand, type CreateFunctionCommandInput, DeleteAliasCommand, DeleteFunctionCommand, GetAliasCommand, GetFunctionCommand,
  GetFunctionConfigurationCommand, InvokeCommand, ListAliasesCommand, ListVersionsByFunctionCommand, PublishVersionCommand,
  TagResourceCommand, UpdateAliasCommand, UpdateFunctionCodeCommand, UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACCOUNT, API, conformanceSession, createEntry, entry, pyEcho, pyVersion, REGION, uid } from '../helpers/conformance.js';
import { TEST_ROLE } from '../helpers/server.js';
import { botocoreView, invokeView, recorded, SnapshotNormaliser, type WireResponse } from '../helpers/snapshots.js';
import { makeZip } from '../helpers/zip.js';

const session = conformanceSession();
const { send, waitActive, waitUpdated } = session;

/** LocalStack's `create_lambda_function_aws`: the arguments as given (python echo code as `handler.py`). */
async function createRaw(name: string, extra: Partial<CreateFunctionCommandInput> = {}): Promise<WireResponse> {
  return session.create({
    FunctionName: name, Handler: 'index.handler', Code: { ZipFile: await pyEcho() }, PackageType: 'Zip', Role: TEST_ROLE, Runtime: 'python3.12',
    ...extra,
  });
}

/** A normaliser for one LocalStack test and a `check(response, key)` comparing in recorded order. */
function checker(snap: Record<string, unknown>, options: ConstructorParameters<typeof SnapshotNormaliser>[0]) {
  const norm = new SnapshotNormaliser(options);
  return {
    norm,
    check: (response: WireResponse, key: string, expected: unknown = entry(snap, key)): void =>
      assert.deepEqual(norm.normalise(botocoreView(response)), expected, key),
  };
}

function revisionOf(response: WireResponse): string {
  const body = JSON.parse(response.body.toString()) as { RevisionId?: string; Configuration?: { RevisionId?: string } };
  const revision = body.RevisionId ?? body.Configuration?.RevisionId;
  assert.ok(revision !== undefined, 'the response has a RevisionId');
  return revision;
}

const WRONG_REVISION = 'wrong';

describe('conformance: TestLambdaVersions', () => {
  it('test_version_lifecycle: publish, idempotent publish, versions unchanged by later updates, delete a version', async () => {
    const snap = recorded(`${API}::TestLambdaVersions::test_version_lifecycle`);
    const name = `fn-${uid()}`;
    const { check } = checker(snap, { functionNames: [name] });
    check(await createRaw(name, { Description: 'No version :(' }), 'create_response');
    await waitActive(name);
    check(await send(new GetFunctionCommand({ FunctionName: name })), 'get_function_result');
    check(await send(new ListVersionsByFunctionCommand({ FunctionName: name })), 'list_versions_result');

    check(await send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Description: 'First version :)' })), 'first_update_response');
    await waitUpdated(name);
    check(await send(new GetFunctionCommand({ FunctionName: name })), 'first_update_get_function');
    check(await send(new PublishVersionCommand({ FunctionName: name, Description: 'First version description :)' })), 'first_publish_response');
    check(await send(new GetFunctionCommand({ FunctionName: name, Qualifier: '1' })), 'first_publish_get_function');
    check(await send(new GetFunctionConfigurationCommand({ FunctionName: name, Qualifier: '1' })), 'first_publish_get_function_config');

    check(await send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Description: 'Second version :))' })), 'second_update_response');
    await waitUpdated(name);
    check(await send(new GetFunctionCommand({ FunctionName: name, Qualifier: '1' })), 'first_publish_get_function_after_update');
    check(await send(new PublishVersionCommand({ FunctionName: name })), 'second_publish_response');
    // Nothing changed since version 2: the same version comes back, its description untouched.
    check(await send(new PublishVersionCommand({ FunctionName: name, Description: 'Third version description :)))' })), 'third_publish_response');
    check(await send(new ListVersionsByFunctionCommand({ FunctionName: name })), 'list_versions_result_after_third_publish');

    assert.equal((await send(new DeleteFunctionCommand({ FunctionName: name, Qualifier: '1' }))).status, 204);
    check(await send(new ListVersionsByFunctionCommand({ FunctionName: name })), 'list_versions_result_after_deletion_of_first_version');
  });

  it('test_publish_version_on_create: Publish=True creates version 1; publishing again returns it', async () => {
    const snap = recorded(`${API}::TestLambdaVersions::test_publish_version_on_create`);
    const name = `fn-${uid()}`;
    const { check } = checker(snap, { functionNames: [name] });
    check(await createRaw(name, { Publish: true }), 'create_response');
    await waitActive(name);
    check(await send(new GetFunctionCommand({ FunctionName: name })), 'get_function_result');
    check(await send(new GetFunctionCommand({ FunctionName: name, Qualifier: '1' })), 'get_function_version_result');
    check(await send(new GetFunctionCommand({ FunctionName: name, Qualifier: '$LATEST' })), 'get_function_latest_result');
    check(await send(new ListVersionsByFunctionCommand({ FunctionName: name })), 'list_versions_result');
    check(await send(new PublishVersionCommand({ FunctionName: name, Description: 'Repeated version description :)' })), 'repeated_publish_response');
    check(await send(new ListVersionsByFunctionCommand({ FunctionName: name })), 'list_versions_result_after_publish');
  });

  it('test_publish_with_wrong_revisionid and test_publish_with_wrong_sha256: preconditions of PublishVersion', async () => {
    for (const [test, key, wrongInput] of [
      ['test_publish_with_wrong_revisionid', 'publish_wrong_revisionid_exc', { RevisionId: WRONG_REVISION }],
      ['test_publish_with_wrong_sha256', 'publish_wrong_sha256_exc', { CodeSha256: 'somenonexistentsha256' }],
    ] as const) {
      const snap = recorded(`${API}::TestLambdaVersions::${test}`);
      const name = `fn-${uid()}`;
      const norm = new SnapshotNormaliser({ functionNames: [name] });
      // The revision-id case was recorded on python3.9 before AWS added LoggingConfig, SnapStart and
      // RuntimeVersionConfig to configurations; Nimbus returns them (as AWS does today), so they are left out here.
      const recordedCreate = entry(snap, 'create_response') as Record<string, unknown> & { Runtime: 'python3.12' };
      const newer = ['LoggingConfig', 'SnapStart', 'RuntimeVersionConfig'].filter((k) => !(k in recordedCreate));
      const view = (response: WireResponse): unknown => {
        const v = norm.normalise(botocoreView(response)) as Record<string, unknown>;
        const config = (v['Configuration'] ?? v) as Record<string, unknown>;
        for (const k of newer) delete config[k];
        return v;
      };
      const check = (response: WireResponse, k: string): void => assert.deepEqual(view(response), entry(snap, k), k);
      check(await createRaw(name, { Runtime: recordedCreate.Runtime }), 'create_response');
      await waitActive(name);
      const got = await send(new GetFunctionCommand({ FunctionName: name }));
      check(got, 'get_fn_response');
      check(await send(new PublishVersionCommand({ FunctionName: name, ...wrongInput })), key);
      const current = JSON.parse(got.body.toString()) as { Configuration: { RevisionId: string; CodeSha256: string } };
      const rightInput = 'RevisionId' in wrongInput ? { RevisionId: current.Configuration.RevisionId } : { CodeSha256: current.Configuration.CodeSha256 };
      check(await send(new PublishVersionCommand({ FunctionName: name, ...rightInput })), 'publish_result');
    }
  });

  it('test_publish_with_update: UpdateFunctionCode with Publish answers with the new version', async () => {
    const snap = recorded(`${API}::TestLambdaVersions::test_publish_with_update`);
    const name = `fn-${uid()}`;
    const { check } = checker(snap, { functionNames: [name] });
    check(await createRaw(name), 'create_response');
    await waitActive(name);
    check(await send(new GetFunctionCommand({ FunctionName: name })), 'get_function_result');
    check(await send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: await pyVersion(), Publish: true })), 'update_function_code_result');
    // Deviation: AWS still reported version 1 Pending and $LATEST InProgress on the GetFunction calls right after;
    // Nimbus completes both transitions as soon as the response is written, so those two are not compared. What
    // they pin down is checked instead: both carry the new code.
    const version = JSON.parse((await send(new GetFunctionCommand({ FunctionName: name, Qualifier: '1' }))).body.toString()) as { Configuration: Record<string, unknown> };
    const latest = JSON.parse((await send(new GetFunctionCommand({ FunctionName: name, Qualifier: '$LATEST' }))).body.toString()) as { Configuration: Record<string, unknown> };
    assert.equal(version.Configuration['Version'], '1');
    assert.equal(version.Configuration['CodeSha256'], latest.Configuration['CodeSha256']);
    assert.equal(latest.Configuration['FunctionArn'], `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}:$LATEST`);
  });

  it('test_ops_on_nonexisting_version[get_function, get_function_configuration]', async () => {
    const name = `fn-${uid()}`;
    await createRaw(name);
    await waitActive(name);
    for (const op of ['get_function', 'get_function_configuration'] as const) {
      const snap = recorded(`${API}::TestLambdaFunction::test_ops_on_nonexisting_version[${op}]`);
      const { check } = checker(snap, { replacements: { [name]: '<fn-name>' } });
      const command = op === 'get_function'
        ? new GetFunctionCommand({ FunctionName: name, Qualifier: '1221' })
        : new GetFunctionConfigurationCommand({ FunctionName: name, Qualifier: '1221' });
      check(await send(command), 'version_not_found_exception');
    }
  });
});

describe('conformance: TestLambdaAlias', () => {
  it('test_alias_lifecycle: create with routing, get, list (paged), update, filter by version, delete', async () => {
    const snap = recorded(`${API}::TestLambdaAlias::test_alias_lifecycle`);
    const name = `alias-fn-${uid()}`;
    const { norm, check } = checker(snap, { functionNames: [name] });
    check(await createRaw(name, { Environment: { Variables: { testenv: 'staging' } } }), 'create_response');
    await waitActive(name);
    check(await send(new PublishVersionCommand({ FunctionName: name })), 'publish_v1');
    await session.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Environment: { Variables: { testenv: 'prod' } } }));
    await waitUpdated(name);
    check(await send(new PublishVersionCommand({ FunctionName: name })), 'publish_v2');

    const alias11 = await send(new CreateAliasCommand({
      FunctionName: name, Name: 'aliasname1_1', FunctionVersion: '1', Description: 'custom-alias', RoutingConfig: { AdditionalVersionWeights: { '2': 0.2 } },
    }));
    check(alias11, 'create_alias_1_1');
    check(await send(new GetAliasCommand({ FunctionName: name, Name: 'aliasname1_1' })), 'get_alias_1_1');
    check(await send(new GetFunctionCommand({ FunctionName: name, Qualifier: 'aliasname1_1' })), 'get_function_alias_1_1');
    const aliasArn = (JSON.parse(alias11.body.toString()) as { AliasArn: string }).AliasArn;
    check(await send(new GetFunctionCommand({ FunctionName: aliasArn })), 'get_function_byarn_alias_1_1');
    check(await send(new GetFunctionCommand({ FunctionName: name, Qualifier: 'aliasdoesnotexist' })), 'get_function_alias_notfound_exc');
    check(await send(new GetFunctionCommand({ FunctionName: aliasArn.replace('aliasname1_1', 'aliasdoesnotexist') })), 'get_function_alias_byarn_notfound_exc');

    check(await send(new CreateAliasCommand({ FunctionName: name, Name: 'aliasname1_2', FunctionVersion: '1', Description: 'custom-alias' })), 'create_alias_1_2');
    check(await send(new GetAliasCommand({ FunctionName: name, Name: 'aliasname1_2' })), 'get_alias_1_2');
    check(await send(new CreateAliasCommand({ FunctionName: name, Name: 'aliasname1_3', FunctionVersion: '1' })), 'create_alias_1_3');
    check(await send(new GetAliasCommand({ FunctionName: name, Name: 'aliasname1_3' })), 'get_alias_1_3');
    check(await send(new CreateAliasCommand({ FunctionName: name, Name: 'aliasname2', FunctionVersion: '2', Description: 'custom-alias' })), 'create_alias_2');
    check(await send(new GetAliasCommand({ FunctionName: name, Name: 'aliasname2' })), 'get_alias_2');

    // The botocore paginator with PageSize 1, merged (build_full_result: no ResponseMetadata).
    const paged: unknown[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = botocoreView(await send(new ListAliasesCommand({ FunctionName: name, MaxItems: 1, ...(marker === undefined ? {} : { Marker: marker }) })));
      paged.push(...(page['Aliases'] as unknown[]));
      marker = page['NextMarker'] as string | undefined;
      pages += 1;
    } while (marker !== undefined);
    assert.equal(pages, 4, 'one alias per page');
    assert.deepEqual(norm.normalise({ Aliases: paged }), entry(snap, 'list_aliases_for_fnname'), 'list_aliases_for_fnname');

    check(await send(new UpdateAliasCommand({ FunctionName: name, Name: 'aliasname1_1', RoutingConfig: { AdditionalVersionWeights: {} } })), 'update_alias_1_1');
    check(await send(new GetAliasCommand({ FunctionName: name, Name: 'aliasname1_1' })), 'get_alias_1_1_after_update');
    check(await send(new ListAliasesCommand({ FunctionName: name })), 'list_aliases_for_fnname_after_update');
    check(await send(new UpdateAliasCommand({ FunctionName: name, Name: 'aliasname1_2' })), 'update_alias_1_2');
    check(await send(new GetAliasCommand({ FunctionName: name, Name: 'aliasname1_2' })), 'get_alias_1_2_after_update');
    check(await send(new ListAliasesCommand({ FunctionName: name })), 'list_aliases_for_fnname_after_update_2');
    check(await send(new ListAliasesCommand({ FunctionName: name, FunctionVersion: '1' })), 'list_aliases_for_version');
    const deleted = await send(new DeleteAliasCommand({ FunctionName: name, Name: 'aliasname1_1' }));
    assert.equal(deleted.body.length, 0);
    check(deleted, 'delete_alias_response');
    check(await send(new ListAliasesCommand({ FunctionName: name })), 'list_aliases_for_fnname_afterdelete');
  });

  it('test_notfound_and_invalid_routingconfigs: every routing-configuration error, in AWS order', async () => {
    const snap = recorded(`${API}::TestLambdaAlias::test_notfound_and_invalid_routingconfigs`);
    const name = `alias-fn-${uid()}`;
    const { check } = checker(snap, { functionNames: [name] });
    check(await createRaw(name, { Publish: true, Environment: { Variables: { testenv: 'staging' } } }), 'create_response');
    await waitActive(name);
    check(await send(new PublishVersionCommand({ FunctionName: name })), 'publish_v1');
    await session.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Environment: { Variables: { testenv: 'prod' } } }));
    await waitUpdated(name);
    check(await send(new PublishVersionCommand({ FunctionName: name })), 'publish_v2');

    const alias = (fv: string, weights: Record<string, number> | undefined, aliasName = 'custom', fn = name) =>
      send(new CreateAliasCommand({ FunctionName: fn, Name: aliasName, FunctionVersion: fv, ...(weights === undefined ? {} : { RoutingConfig: { AdditionalVersionWeights: weights } }) }));
    check(await alias('1', { 1: 0.8, 2: 0.2 }), 'routing_config_exc_toomany');
    check(await alias('1', { 2: 2 }), 'routing_config_exc_toohigh');
    check(await alias('1', { 2: -1 }), 'routing_config_exc_subzero');
    check(await alias('1', { 1: 0.5 }), 'routing_config_exc_sameversion');
    check(await alias('10', { 2: 0.5 }), 'target_version_doesnotexist');
    check(await alias('1', { 10: 0.5 }), 'routing_config_exc_version_doesnotexist');
    check(await alias('$LATEST', { 1: 0.5 }), 'target_version_exc_version_latest');
    check(await alias('1', { $LATEST: 0.5 }), 'routing_config_exc_version_latest');
    check(await alias('$LATEST', undefined, 'custom-latest'), 'create-alias-latest');
    check(await alias('1', { 2: 0.5 }, 'custom', `${name}-unknown`), 'routing_config_exc_fn_doesnotexist');
    check(await alias('1', {}, 'custom-empty-routingconfig'), 'create_alias_empty_routingconfig');
    check(await alias('1', { 2: 0.5 }), 'create_alias_response');
    check(await alias('1', { 2: 0.5 }), 'routing_config_exc_already_exist');
    check(await send(new GetAliasCommand({ FunctionName: name, Name: 'non-existent' })), 'alias_does_not_exist_esc');
  });

  it('test_alias_naming, test_non_existent_alias_deletion, test_non_existent_alias_update', async () => {
    const naming = recorded(`${API}::TestLambdaAlias::test_alias_naming`);
    const name = `alias-fn-${uid()}`;
    const { check } = checker(naming, { functionNames: [name] });
    const staging = { Environment: { Variables: { testenv: 'staging' } } };
    check(await createRaw(name, staging), 'create_response');
    await waitActive(name);
    check(await send(new PublishVersionCommand({ FunctionName: name })), 'publish_v1');
    check(await send(new CreateAliasCommand({ FunctionName: name, Name: '2024-01-02', FunctionVersion: '1', Description: 'custom-alias' })), 'create_alias_date');
    check(await send(new GetAliasCommand({ FunctionName: name, Name: '2024-01-02' })), 'get_alias_date');
    check(await send(new CreateAliasCommand({ FunctionName: name, Name: '2024', FunctionVersion: '1', Description: 'custom-alias' })), 'create_alias_number_exception');

    for (const [test, key] of [['test_non_existent_alias_deletion', 'delete_alias_response'], ['test_non_existent_alias_update', 'update_alias_response']] as const) {
      const snap = recorded(`${API}::TestLambdaAlias::${test}`);
      const fn = `alias-fn-${uid()}`;
      const c = checker(snap, { functionNames: [fn] });
      c.check(await createRaw(fn, staging), 'create_response');
      await waitActive(fn);
      const command = key === 'delete_alias_response'
        ? new DeleteAliasCommand({ FunctionName: fn, Name: 'non-existent' })
        : new UpdateAliasCommand({ FunctionName: fn, Name: 'non-existent', Description: 'update' });
      c.check(await send(command), key);
    }
  });
});

describe('conformance: TestLambdaRevisions and TestLambdaTags (versions)', () => {
  it('test_function_revisions_version_and_alias: which operations change which RevisionId', async () => {
    const snap = recorded(`${API}::TestLambdaRevisions::test_function_revisions_version_and_alias`);
    const name = `fn-${uid()}`;
    const { check } = checker(snap, { functionNames: [name] });
    check(await session.createPython(name), 'create_function_response_rev1', createEntry(snap, 'create_function_response_rev1'));
    await waitActive(name);
    const rev2 = await send(new GetFunctionCommand({ FunctionName: name }));
    check(rev2, 'get_function_active_rev2');
    check(await send(new PublishVersionCommand({ FunctionName: name, RevisionId: WRONG_REVISION })), 'publish_version_revision_exception');
    check(await send(new PublishVersionCommand({ FunctionName: name, RevisionId: revisionOf(rev2) })), 'publish_version_response_rev_v1');
    check(await send(new GetFunctionCommand({ FunctionName: name, Qualifier: '1' })), 'get_function_published_version_rev_v2');
    check(await send(new GetFunctionCommand({ FunctionName: name })), 'get_function_latest_rev3');
    const a1 = await send(new CreateAliasCommand({ FunctionName: name, Name: 'revision_alias', FunctionVersion: '1' }));
    check(a1, 'create_alias_response_rev_a1');
    check(await send(new GetFunctionCommand({ FunctionName: name })), 'get_function_latest_rev4');
    check(await send(new GetFunctionCommand({ FunctionName: name, Qualifier: '1' })), 'get_function_published_version_rev_v3');
    check(await send(new UpdateAliasCommand({ FunctionName: name, Name: 'revision_alias', Description: 'something changed', RevisionId: WRONG_REVISION })), 'update_alias_revision_exception');
    check(await send(new UpdateAliasCommand({ FunctionName: name, Name: 'revision_alias', Description: 'something changed', RevisionId: revisionOf(a1) })), 'update_alias_response_rev_a2');
  });

  it('test_tag_versions: versions and $LATEST cannot be tagged', async () => {
    const snap = recorded(`${API}::TestLambdaTags::test_tag_versions`);
    const name = `fn-${uid()}`;
    await createRaw(name, { Publish: true });
    await waitActive(name);
    const { check } = checker(snap, { functionNames: [name] });
    const arn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
    check(await send(new TagResourceCommand({ Resource: `${arn}:1`, Tags: { a: 'b' } })), 'tag_resource_exception');
    check(await send(new TagResourceCommand({ Resource: `${arn}:$LATEST`, Tags: { a: 'b' } })), 'tag_resource_latest_exception');
  });
});

describe('conformance: TestLambdaAliases (test_lambda.py)', () => {
  it('test_lambda_alias_moving: invoking through an alias follows it to another version', async () => {
    const snap = recorded('test_lambda.py::TestLambdaAliases::test_lambda_alias_moving');
    const name = `alias-fn-${uid()}`;
    const code = (id: string): Promise<Buffer> => makeZip({
      'handler.py': `def handler(event, context):\n    return {"version_id": "${id}", "invoked_arn": context.invoked_function_arn, "version_from_ctx": context.function_version}\n`,
    });
    // LocalStack replaces every CodeSha256 of this test with one literal.
    const { norm } = checker(snap, { functionNames: [name] });
    const compare = (view: Record<string, unknown>, key: string): void =>
      assert.deepEqual(JSON.parse(JSON.stringify(norm.normalise(view)).replace(/<code-sha256:\d+>/g, 'code-sha256')), entry(snap, key), key);
    const check = (response: WireResponse, key: string): void => compare(botocoreView(response), key);
    const invoke = async (fn: string, qualifier: string | undefined, key: string): Promise<void> =>
      compare(invokeView(await send(new InvokeCommand({ FunctionName: fn, ...(qualifier === undefined ? {} : { Qualifier: qualifier }), Payload: Buffer.from('{}') })), 'json'), key);

    check(await createRaw(name, { Handler: 'handler.handler', Code: { ZipFile: await code('version1') }, Description: 'No version :(' }), 'create_response');
    await waitActive(name);
    await session.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    const created = await send(new CreateAliasCommand({ FunctionName: name, Name: 'alias1', FunctionVersion: '1' }));
    check(created, 'create_alias_response');
    await invoke(name, 'alias1', 'invocation_result_qualifier_v1');
    const aliasArn = (JSON.parse(created.body.toString()) as { AliasArn: string }).AliasArn;
    await invoke(aliasArn, undefined, 'invocation_result_qualifier_v1_arn');
    check(await send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: await code('version2') })), 'update_lambda_response');
    await waitUpdated(name);
    await invoke(name, 'alias1', 'invocation_result_qualifier_v1_after_update');
    check(await send(new PublishVersionCommand({ FunctionName: name, Description: 'Second version description :)' })), 'second_publish_response');
    await invoke(name, 'alias1', 'invocation_result_qualifier_v1_after_publish');
    check(await send(new UpdateAliasCommand({ FunctionName: name, Name: 'alias1', FunctionVersion: '2' })), 'update_alias_response');
    await invoke(name, 'alias1', 'invocation_result_qualifier_v2');
    await invoke(name, 'non-existent-alias', 'invocation_exc_not_existent');
  });
});
