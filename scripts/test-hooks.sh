#!/bin/sh
# Install preflight from this working tree into a temporary GOBIN and run
# every hook of .pre-commit-hooks.yaml on staged-style file lists, asserting
# exit codes (including the expect: fixture flow). Offline; a few seconds.
# `make test` runs the same test as part of go test ./...
set -eu
cd "$(dirname "$0")/.."
exec go test -count=1 -run 'TestPreCommitHooks' -v ./cmd/preflight
