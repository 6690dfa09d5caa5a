// Conformance of the layer operations: LocalStack's TestLambdaLayer tests replayed through the real
// @aws-sdk/client-lambda with the inputs their snapshots reveal, every raw response rendered as botocore parses
// it, normalised with LocalStack's placeholders and compared in full with what AWS answered (recordings read at
// test time from ../shared/conformance/aws-snapshots, never copied here).
// Not replayed: test_layer_s3_content (Content.S3Bucket: Nimbus has no S3; it refuses S3 content explicitly, see
// layers-api.test.ts). Inputs: the functions are python3.12 and the layers' CompatibleRuntimes python3.12 where the
// recordings show it (the LocalStack source at hand says python3.9, but the recordings are what AWS answered).
import {
  AddLayerVersionPermissionCommand, LambdaClient, DeleteLayerVersionCommand, GetFunctionCommand, GetFunctionConfigurationCommand,
  GetLayerVersionByArnCommand, GetLayerVersionCommand, GetLayerVersionPolicyCommand, ListLayersCommand, ListLayerVersionsCommand,
  PublishLayerVersionCommand, type PublishLayerVersionCommandInput, RemoveLayerVersionPermissionCommand, UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { API as API_FILE, conformanceSession, entry, uid } from '../helpers/conformance.js';
import { TEST_CREDENTIALS } from '../helpers/server.js';
import { botocoreView, recorded, SnapshotNormaliser, type WireResponse } from '../helpers/snapshots.js';
import { makeZip } from '../helpers/zip.js';

const API = `${API_FILE}::TestLambdaLayer`;
const session = conformanceSession();
/** LocalStack's `dummylayer` fixture: a small python package in a zip, distinct from the functions' code. */
let dummylayer: Buffer;

before(async () => {
  dummylayer = await makeZip({ 'python/dummy_layer.py': 'def dummy():\n    return "dummy"\n' });
});

/** Compares each response, in the order LocalStack recorded them, with the recording under its key. */
function checker(snap: Record<string, unknown>, norm: SnapshotNormaliser): (response: WireResponse, key: string) => void {
  return (response, key) => assert.deepEqual(norm.normalise(botocoreView(response)), entry(snap, key), key);
}

const normaliser = (options: ConstructorParameters<typeof SnapshotNormaliser>[0] = {}): SnapshotNormaliser =>
  new SnapshotNormaliser({ jsonKeys: ['Statement', 'Policy'], ...options });

function publish(input: Partial<PublishLayerVersionCommandInput> & { LayerName: string }): Promise<WireResponse> {
  return session.send(new PublishLayerVersionCommand({ Content: { ZipFile: dummylayer }, ...input }));
}

const arnOf = (response: WireResponse, member: 'LayerArn' | 'LayerVersionArn'): string =>
  String((JSON.parse(response.body.toString()) as Record<string, unknown>)[member]);

describe('conformance: TestLambdaLayer', () => {
  for (const id of ['runtimes0', 'runtimes1', 'runtimes2']) {
    it(`test_layer_compatibilities[${id}]: a layer compatible with up to 15 runtimes and both architectures`, async () => {
      const snap = recorded(`${API}::test_layer_compatibilities[${id}]`);
      // The runtimes sent are the ones AWS echoed (retired ones included), in that order.
      const runtimes = (entry(snap, 'publish_result') as { CompatibleRuntimes: string[] }).CompatibleRuntimes;
      const check = checker(snap, normaliser());
      check(await publish({ LayerName: `testlayer-${uid()}`, CompatibleRuntimes: runtimes as never, CompatibleArchitectures: ['arm64', 'x86_64'] }), 'publish_result');
    });
  }

  it('test_layer_exceptions: filters, missing layers and versions, idempotent deletes, invalid runtimes and architectures', async () => {
    const snap = recorded(`${API}::test_layer_exceptions`);
    const check = checker(snap, normaliser());
    const name = `testlayer-${uid()}`;
    const published = await publish({ LayerName: name, CompatibleRuntimes: ['python3.12'], CompatibleArchitectures: ['x86_64'] });
    check(published, 'publish_result');
    const layerArn = arnOf(published, 'LayerArn');

    check(await session.send(new ListLayersCommand({ CompatibleRuntime: 'runtimedoesnotexist' as never })), 'list_layers_exc_compatibleruntime_invalid');
    check(await session.send(new ListLayersCommand({ CompatibleArchitecture: 'archdoesnotexist' as never })), 'list_layers_exc_compatiblearchitecture_invalid');
    check(await session.send(new ListLayerVersionsCommand({ LayerName: 'layerdoesnotexist' })), 'list_nonexistent_layer');
    check(await session.send(new GetLayerVersionCommand({ LayerName: 'layerdoesnotexist', VersionNumber: 1 })), 'get_layer_version_exc_layer_doesnotexist');
    check(await session.send(new GetLayerVersionCommand({ LayerName: name, VersionNumber: -1 })), 'get_layer_version_exc_layer_version_doesnotexist_negative');
    check(await session.send(new GetLayerVersionCommand({ LayerName: name, VersionNumber: 0 })), 'get_layer_version_exc_layer_version_doesnotexist_zero');
    check(await session.send(new GetLayerVersionCommand({ LayerName: name, VersionNumber: 2 })), 'get_layer_version_exc_layer_version_doesnotexist_2');
    check(await session.send(new GetLayerVersionByArnCommand({ Arn: layerArn })), 'get_layer_version_by_arn_exc_invalidarn');
    check(await session.send(new GetLayerVersionByArnCommand({ Arn: `${layerArn}:2` })), 'get_layer_version_by_arn_exc_nonexistentversion');

    check(await session.send(new DeleteLayerVersionCommand({ LayerName: 'layerdoesnotexist', VersionNumber: 1 })), 'delete_nonexistent_response');
    check(await session.send(new DeleteLayerVersionCommand({ LayerName: name, VersionNumber: 2 })), 'delete_nonexistent_version_response');
    check(await session.send(new DeleteLayerVersionCommand({ LayerName: name, VersionNumber: 1 })), 'delete_layer_response');
    check(await session.send(new DeleteLayerVersionCommand({ LayerName: name, VersionNumber: 1 })), 'delete_layer_again_response');
    check(await session.send(new DeleteLayerVersionCommand({ LayerName: name, VersionNumber: -1 })), 'delete_layer_version_exc_layerversion_invalid_version');

    // Empty CompatibleRuntimes and CompatibleArchitectures are valid, and echoed as empty lists.
    check(await publish({ LayerName: `testlayer-empty-${uid()}`, CompatibleRuntimes: [], CompatibleArchitectures: [] }), 'publish_empty_result');
    check(
      await publish({ LayerName: `testlayer-2-${uid()}`, CompatibleRuntimes: ['invalidruntime' as never], CompatibleArchitectures: ['invalidarch' as never] }),
      'publish_layer_version_exc_invalid_runtime_arch',
    );
    check(
      await publish({
        LayerName: `testlayer-2-${uid()}`, CompatibleRuntimes: ['invalidruntime', 'invalidruntime2', 'nodejs20.x'] as never, CompatibleArchitectures: ['invalidarch', 'x86_64'] as never,
      }),
      'publish_layer_version_exc_partially_invalid_values',
    );
  });

  it('test_layer_function_exceptions: one version per layer, missing layers, unversioned ARNs, another region', async () => {
    const snap = recorded(`${API}::test_layer_function_exceptions`);
    const fn = `fn-layer-${uid()}`;
    const name = `testlayer-${uid()}`;
    const check = checker(snap, normaliser({ functionNames: [fn] }));
    const versions: string[] = [];
    for (const key of ['publish_result', 'publish_result_2', 'publish_result_3']) {
      const response = await publish({ LayerName: name, CompatibleRuntimes: [], CompatibleArchitectures: ['x86_64'] });
      check(response, key);
      versions.push(arnOf(response, 'LayerVersionArn'));
    }
    const [v1 = '', v2 = '', v3 = ''] = versions;
    const layerArn = v1.replace(/:1$/, '');
    await session.createPython(fn);
    await session.waitActive(fn);
    check(await session.send(new GetFunctionCommand({ FunctionName: fn })), 'get_fn_result');

    const update = (layers: string[]) => session.send(new UpdateFunctionConfigurationCommand({ FunctionName: fn, Layers: layers }));
    check(await update([v1, v2]), 'two_layer_versions_single_function_exc');
    check(await update([v1, v2, v3]), 'three_layer_versions_single_function_exc');
    check(await update([v1, v1]), 'two_identical_layer_versions_single_function_exc');
    check(await update([`${layerArn.replace(name, 'doesnotexist')}:1`]), 'add_nonexistent_layer_exc');
    check(await update([`${layerArn}:9`]), 'add_nonexistent_layer_version_exc');
    check(await update([layerArn]), 'add_layer_arn_without_version_exc');

    // A layer of the same name in another region: refused even though the function name is taken (the layer
    // check comes first, as the recording shows: not ResourceConflictException).
    const otherRegion = new LambdaClient({ endpoint: session.server.url, region: 'eu-central-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    const other = await otherRegion.send(
      new PublishLayerVersionCommand({ LayerName: name, CompatibleRuntimes: [], Content: { ZipFile: dummylayer }, CompatibleArchitectures: ['x86_64'] }),
    );
    otherRegion.destroy();
    check(await session.createPython(fn, { Layers: [other.LayerVersionArn ?? ''] }), 'create_function_with_layer_in_different_region');
  });

  it('test_layer_function_quota_exception: six layers', async () => {
    const snap = recorded(`${API}::test_layer_function_quota_exception`);
    const arns: string[] = [];
    for (let n = 1; n <= 6; n++) {
      arns.push(arnOf(await publish({ LayerName: `testlayer-${n}-${uid()}`, CompatibleRuntimes: [], CompatibleArchitectures: ['x86_64'] }), 'LayerVersionArn'));
    }
    const fn = `fn-layer-${uid()}`;
    checker(snap, normaliser({ functionNames: [fn] }))(await session.createPython(fn, { Layers: arns }), 'create_function_with_six_layers');
  });

  it('test_layer_lifecycle: publish twice, use from a function, delete every version, numbers never reused', async () => {
    const snap = recorded(`${API}::test_layer_lifecycle`);
    const fn = `fn-layer-${uid()}`;
    const name = `testlayer-${uid()}`;
    const license = `licenseinfo-${uid()}`;
    const description = `description-${uid()}`;
    const check = checker(snap, normaliser({ functionNames: [fn], replacements: { [license]: '<license-info>', [description]: '<description>' } }));
    await session.createPython(fn);
    await session.waitActive(fn);
    check(await session.send(new GetFunctionCommand({ FunctionName: fn })), 'get_fn_result');
    check(await session.send(new GetFunctionConfigurationCommand({ FunctionName: fn })), 'get_fn_config_result');

    const input = { LayerName: name, CompatibleRuntimes: ['python3.12' as const], LicenseInfo: license, Description: description, CompatibleArchitectures: ['x86_64' as const] };
    const first = await publish(input);
    check(first, 'publish_result');
    // Nothing needs to change for a second version.
    check(await publish(input), 'publish_result_2');
    const v1 = arnOf(first, 'LayerVersionArn');

    check(await session.send(new UpdateFunctionConfigurationCommand({ FunctionName: fn, Layers: [v1] })), 'update_fn_config');
    await session.waitUpdated(fn);
    check(await session.send(new GetFunctionConfigurationCommand({ FunctionName: fn })), 'get_fn_config');
    check(await session.send(new GetLayerVersionCommand({ LayerName: name, VersionNumber: 1 })), 'get_layer_ver_result');
    check(await session.send(new GetLayerVersionByArnCommand({ Arn: v1 })), 'get_layer_by_arn_version');
    check(await session.send(new ListLayerVersionsCommand({ LayerName: name })), 'list_layer_versions_predelete');

    // Deleting a version a function uses leaves the function's configuration as it was.
    check(await session.send(new DeleteLayerVersionCommand({ LayerName: name, VersionNumber: 1 })), 'delete_layer_1');
    check(await session.send(new GetFunctionConfigurationCommand({ FunctionName: fn })), 'get_fn_config_postdelete');
    check(await session.send(new DeleteLayerVersionCommand({ LayerName: name, VersionNumber: 2 })), 'delete_layer_2');
    check(await session.send(new ListLayerVersionsCommand({ LayerName: name })), 'list_layer_versions_postdelete');
    check(await publish(input), 'publish_result_3');
  });

  it('test_layer_policy_exceptions: no policy, invalid action, duplicate statement, revisions, missing layers and statements', async () => {
    const snap = recorded(`${API}::test_layer_policy_exceptions`);
    const check = checker(snap, normaliser());
    const name = `layer4policy-${uid()}`;
    check(await publish({ LayerName: name, CompatibleRuntimes: ['python3.12'], CompatibleArchitectures: ['x86_64'] }), 'publish_result');
    check(await session.send(new GetLayerVersionPolicyCommand({ LayerName: name, VersionNumber: 1 })), 'layer_permission_nopolicy_get');

    const add = (extra: { LayerName?: string; VersionNumber?: number; Action?: string; StatementId?: string; RevisionId?: string }) =>
      session.send(new AddLayerVersionPermissionCommand({ LayerName: name, VersionNumber: 1, Action: 'lambda:GetLayerVersion', Principal: '*', StatementId: `s-${uid()}`, ...extra }));
    check(await add({ StatementId: 's1' }), 'add_layer_permission_result');
    check(await add({ Action: '*' }), 'layer_permission_action_invalid');
    check(await add({ StatementId: 's1' }), 'layer_permission_duplicate_statement');
    check(await add({ StatementId: 's2', RevisionId: 'wrong' }), 'layer_permission_wrong_revision');

    const missing = `${name}-doesnotexist`;
    check(await add({ LayerName: missing }), 'layer_permission_layername_doesnotexist_add');
    check(await session.send(new GetLayerVersionPolicyCommand({ LayerName: missing, VersionNumber: 1 })), 'layer_permission_layername_doesnotexist_get');
    check(await session.send(new RemoveLayerVersionPermissionCommand({ LayerName: missing, VersionNumber: 1, StatementId: 's1' })), 'layer_permission_layername_doesnotexist_remove');
    check(await add({ VersionNumber: 2 }), 'layer_permission_layerversion_doesnotexist_add');
    check(await session.send(new GetLayerVersionPolicyCommand({ LayerName: name, VersionNumber: 2 })), 'layer_permission_layerversion_doesnotexist_get');
    check(await session.send(new RemoveLayerVersionPermissionCommand({ LayerName: name, VersionNumber: 2, StatementId: 's1' })), 'layer_permission_layerversion_doesnotexist_remove');
    check(await session.send(new RemoveLayerVersionPermissionCommand({ LayerName: name, VersionNumber: 1, StatementId: 'doesnotexist' })), 'layer_permission_statementid_doesnotexist_remove');
    check(await session.send(new RemoveLayerVersionPermissionCommand({ LayerName: name, VersionNumber: 1, StatementId: 's1', RevisionId: 'wrong' })), 'layer_permission_wrong_revision_remove');
  });

  it('test_layer_policy_lifecycle: add, read, add with the revision, remove with the revision', async () => {
    const snap = recorded(`${API}::test_layer_policy_lifecycle`);
    const check = checker(snap, normaliser());
    const name = `testlayer-${uid()}`;
    const revisionOf = (response: WireResponse): string => String((JSON.parse(response.body.toString()) as { RevisionId: string }).RevisionId);
    check(await publish({ LayerName: name, CompatibleRuntimes: ['python3.12'], CompatibleArchitectures: ['x86_64'] }), 'publish_result');
    const permission = { LayerName: name, VersionNumber: 1, Action: 'lambda:GetLayerVersion', Principal: '*' };
    check(await session.send(new AddLayerVersionPermissionCommand({ ...permission, StatementId: 's1' })), 'add_policy_s1');
    const policy = await session.send(new GetLayerVersionPolicyCommand({ LayerName: name, VersionNumber: 1 }));
    check(policy, 'get_layer_version_policy');
    check(await session.send(new AddLayerVersionPermissionCommand({ ...permission, StatementId: 's2', RevisionId: revisionOf(policy) })), 'add_policy_s2');
    const withTwo = await session.send(new GetLayerVersionPolicyCommand({ LayerName: name, VersionNumber: 1 }));
    check(withTwo, 'get_layer_version_policy_postadd2');
    check(await session.send(new RemoveLayerVersionPermissionCommand({ LayerName: name, VersionNumber: 1, StatementId: 's2', RevisionId: revisionOf(withTwo) })), 'remove_s2');
    check(await session.send(new GetLayerVersionPolicyCommand({ LayerName: name, VersionNumber: 1 })), 'get_layer_version_policy_postdeletes2');
  });
});
