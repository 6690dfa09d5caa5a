#!/bin/sh
# Sets up what Nimbus needs on a fresh machine, idempotently, then builds (incrementally).
#   sh scripts/setup.sh          what `npm start` needs: bubblewrap for the sandbox and python3 (when root), npm dependencies
#                                (better-sqlite3 builds from source), build
#   sh scripts/setup.sh --test   also what `npm test` needs: Debian's AWS CLI v2 (/usr/bin/aws), curl, socat (for
#                                engine.network=none), boto3, and AWS's aws-lambda-ric built once into
#                                .cache/aws-lambda-ric (scripts/build-ric.sh; its compilers and autotools)
#   sh scripts/setup.sh --bench  also what `npm run bench` wants: wrk, its load generator for throughput (without
#                                it the bench falls back to its Node client and says so)
set -eu
cd "$(dirname "$0")/.."

say() { printf 'nimbus setup: %s\n' "$*" >&2; }

# Debian packages. The sandbox's (bubblewrap) is wanted by `npm start` too, but Nimbus runs without it, degraded
# and saying so, so only the tests insist on it.
packages=""
[ -x /usr/bin/bwrap ] || packages="$packages bubblewrap"
# python3: the Python runtimes, and the helper that hands code to pre-started runtimes (sandbox/code-handoff.ts).
[ -x /usr/bin/python3 ] || packages="$packages python3"
if [ "${1:-}" = "--test" ]; then
  [ -x /usr/bin/aws ] || packages="$packages awscli"
  [ -x /usr/bin/curl ] || packages="$packages curl"
  [ -x /usr/bin/socat ] || packages="$packages socat"
  # aws-lambda-ric compiles its own curl and aws-lambda-cpp (autotools, cmake) and a node-gyp addon.
  for tool in autoconf:autoconf automake:automake libtoolize:libtool cmake:cmake g++:g++ make:make; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || packages="$packages ${tool#*:}"
  done
  if ! python3 -c 'import boto3' >/dev/null 2>&1 && ! /usr/bin/python3 -c 'import boto3' >/dev/null 2>&1; then
    packages="$packages python3-boto3"
  fi
fi
if [ "${1:-}" = "--bench" ]; then
  command -v wrk >/dev/null 2>&1 || packages="$packages wrk"
fi
if [ -n "$packages" ]; then
  if [ "$(id -u)" != 0 ]; then
    if [ "${1:-}" = "--test" ]; then
      say "the tests need Debian packages:$packages (run as root, or: sudo apt-get install$packages)"
      exit 1
    fi
    say "without root, not installing:$packages (functions then run without filesystem isolation; see nimbus doctor)"
  else
    say "installing Debian packages:$packages"
    if ! { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $packages >/dev/null; }; then
      [ "${1:-}" = "--test" ] && { say "could not install:$packages"; exit 1; }
      say "could not install:$packages (Nimbus runs without them, degraded; see nimbus doctor)"
    fi
  fi
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dependencies (better-sqlite3 compiles from source; this takes a minute the first time)"
  npm ci --no-audit --no-fund --loglevel=error
fi

if ! node -e "require('better-sqlite3')" >/dev/null 2>&1; then
  say "rebuilding better-sqlite3 for $(node --version)"
  npm rebuild better-sqlite3 --loglevel=error
fi

npx --no-install tsc -p tsconfig.json && npx --no-install tsc -p tsconfig.runtime.json

if [ "${1:-}" = "--test" ]; then
  sh scripts/build-ric.sh
fi

# The Python runtime client is used in place; inside the sandbox /var/runtime is read-only, so its bytecode is
# written here, once (for the host's python3; other versions compile in memory at each start).
if [ -x /usr/bin/python3 ]; then
  /usr/bin/python3 -m compileall -q src/runtimes/python >/dev/null || say "could not byte-compile src/runtimes/python (Python functions still run, a little slower to start)"
fi
