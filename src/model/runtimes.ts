// The Runtime enum as AWS validates it, and which identifiers Nimbus can run today.
// The enum list and its order are AWS's own, from its validation message (recorded responses).

/** Runtime identifiers AWS accepts, in the order AWS lists them in its error message. */
export const AWS_RUNTIME_ENUM = [
  'nodejs20.x', 'python3.14', 'provided.al2023', 'python3.12', 'python3.13', 'nodejs24.x', 'nodejs22.x', 'java25',
  'python3.10', 'python3.11', 'java21', 'ruby3.3', 'ruby3.4', 'ruby3.2', 'python3.8', 'python3.9', 'java17',
  'nodejs16.x', 'dotnet10', 'dotnet8', 'java11', 'dotnet6', 'nodejs18.x', 'provided.al2', 'java8.al2',
] as const;

/**
 * Retired runtimes: no longer in the enum, and AWS answers them with a dedicated "no longer supported" message
 * (recorded: test_create_deprecated_function_runtime_with_validation_enabled).
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html#runtimes-deprecated
 */
export const DEPRECATED_RUNTIMES: ReadonlySet<string> = new Set([
  'nodejs', 'nodejs4.3', 'nodejs4.3-edge', 'nodejs6.10', 'nodejs8.10', 'nodejs10.x', 'nodejs12.x', 'nodejs14.x',
  'java8', 'python2.7', 'python3.6', 'python3.7', 'dotnetcore1.0', 'dotnetcore2.0', 'dotnetcore2.1', 'dotnetcore3.1',
  'dotnet5.0', 'go1.x', 'ruby2.5', 'ruby2.7', 'provided',
]);


export function isAwsRuntime(value: string): boolean {
  return (AWS_RUNTIME_ENUM as readonly string[]).includes(value);
}
