// The Runtime enum as AWS validates it, and which identifiers Nimbus can run today.
// The enum list and its order are AWS's own, from its validation message (recorded responses).

/** Runtime identifiers AWS accepts, in the order AWS lists them in its error message. */
export const AWS_RUNTIME_ENUM = [
  'nodejs20.x', 'python3.14', 'provided.al2023', 'python3.12', 'python3.13', 'nodejs24.x', 'nodejs22.x', 'java25',
  'python3.10', 'python3.11', 'java21', 'ruby3.3', 'ruby3.4', 'ruby3.2', 'python3.8', 'python3.9', 'java17',
  'nodejs16.x', 'dotnet10', 'dotnet8', 'java11', 'dotnet6', 'nodejs18.x', 'provided.al2', 'java8.al2',
] as const;

/**
 * Runtimes AWS lists but refuses for create/update (deprecated, "block function create" date passed).
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html#runtimes-deprecated
 */
export const BLOCKED_RUNTIMES: ReadonlySet<string> = new Set(['python3.8', 'nodejs16.x', 'dotnet6', 'python3.9', 'java8.al2']);

/** Runtimes this build of Nimbus can execute. Others are accepted by the API but fail on invoke. */
export const SUPPORTED_RUNTIMES: ReadonlySet<string> = new Set(['nodejs18.x', 'nodejs20.x', 'nodejs22.x']);

export function isAwsRuntime(value: string): boolean {
  return (AWS_RUNTIME_ENUM as readonly string[]).includes(value);
}
