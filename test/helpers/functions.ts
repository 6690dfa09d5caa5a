// Deploys fixture functions (test/fixtures/functions/<name>) through the real Lambda API and waits until they
// are Active, the way a user's script would (`aws lambda wait function-active-v2`).
import { CreateFunctionCommand, type CreateFunctionCommandInput, type LambdaClient, waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';
import { fileURLToPath } from 'node:url';
import { zipDirectory } from './zip.js';
import { TEST_ROLE } from './server.js';

export const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/functions/', import.meta.url));

export function fixtureDir(name: string): string {
  return `${FIXTURES}${name}`;
}

export async function fixtureZip(name: string): Promise<Buffer> {
  return zipDirectory(fixtureDir(name));
}

export async function deployFixture(
  lambda: LambdaClient,
  fixture: string,
  functionName: string,
  extra: Partial<CreateFunctionCommandInput> = {},
): Promise<void> {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: functionName,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Role: TEST_ROLE,
      Code: { ZipFile: await fixtureZip(fixture) },
      ...extra,
    }),
  );
  await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: functionName });
}
