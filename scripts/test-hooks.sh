#!/bin/sh
# Run every hook of .pre-commit-hooks.yaml on a scratch repository built from
# README.md's example config, with pre-commit-style file lists, asserting
# what passes and what is blocked (cmd/preflight/testdata/script/hooks.txtar).
# The CLI runs in-process from the test binary: nothing is installed.
# Offline; a few seconds. `make test` runs the same test.
set -eu
cd "$(dirname "$0")/.."
exec go test -count=1 -run 'TestPreCommitHooks|TestScripts/hooks' -v ./cmd/preflight
