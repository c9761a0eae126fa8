# Everything CI runs is here, so a developer's `make test` and CI are the same.
GO ?= go

# VERSION is stamped into release binaries: the tag when HEAD has one
# (v0.1.0), else tag-distance-commit, else the short commit.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
DIST ?= dist
DIST_TARGETS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64

# RACE is empty where no C compiler is at hand (the race detector needs cgo).
RACE ?= -race

.PHONY: test vet fmt-check tidy-check unit bench bench-smoke dist dist-check

test: vet fmt-check tidy-check unit bench-smoke dist-check

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

# go.mod and go.sum say exactly what the code imports (direct requirements
# not marked // indirect). bench/peer is its own module that requires this
# one, so a dependency added here must be added there too, or `make bench`
# loses its kin-openapi column.
tidy-check:
	@$(GO) mod tidy -diff || { echo 'fix: go mod tidy'; exit 1; }
	@cd bench/peer && $(GO) mod tidy -diff || { echo 'fix: cd bench/peer && go mod tidy'; exit 1; }

unit:
	$(GO) test $(RACE) -count=1 ./...

# Benchmarks run once so they never rot; no timing is asserted here. The
# harness itself is only parsed (a run takes minutes).
bench-smoke:
	$(GO) test -run '^$$' -bench . -benchtime=1x ./... >/dev/null
	bash -n bench/run.sh

# The performance table of issue 9 (floors, ratios) and of issue 6, into
# bench/RESULTS.md; < 5 min on a quiet 2-core machine. `make bench FULL=1`
# is the long run (10 rounds, 5 network runs, 1 s benchmarks).
bench:
	bench/run.sh

# Release archives for every DIST_TARGETS, and SHA256SUMS, in $(DIST)/.
dist:
	scripts/dist.sh $(DIST) $(VERSION) $(DIST_TARGETS)

# The dist recipe on the host target only, checked (archive, checksums,
# stamped version, -trimpath), into a temp dir.
dist-check:
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	scripts/dist.sh -check "$$tmp" $(VERSION) $$($(GO) env GOHOSTOS)/$$($(GO) env GOHOSTARCH)
