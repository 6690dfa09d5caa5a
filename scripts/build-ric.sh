#!/bin/sh
# Builds AWS's official Node.js runtime interface client (npm aws-lambda-ric, a native addon that compiles its own
# curl and aws-lambda-cpp: a few minutes) once per machine into .cache/aws-lambda-ric (gitignored), where
# test/integration/aws-lambda-ric.test.ts takes it to package into function zips. Run by `scripts/setup.sh --test`;
# needs cmake, g++, make, autoconf, automake, libtool and python3 (node-gyp), which that installs.
set -eu
cd "$(dirname "$0")/.."
version=3.3.0
dir=.cache/aws-lambda-ric
built="$dir/node_modules/aws-lambda-ric/dist/rapid-client.node"
if [ -f "$built" ] && grep -q "\"version\": \"$version\"" "$dir/node_modules/aws-lambda-ric/package.json"; then
  exit 0
fi
printf 'nimbus setup: building aws-lambda-ric %s for the tests (native; a few minutes, once per machine)\n' "$version" >&2
rm -rf "$dir"
mkdir -p "$dir"
printf '{"private":true,"description":"aws-lambda-ric for the tests, built by scripts/build-ric.sh"}\n' > "$dir/package.json"
npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "aws-lambda-ric@$version"
[ -f "$built" ] || { printf 'nimbus setup: aws-lambda-ric built no %s\n' "$built" >&2; exit 1; }
