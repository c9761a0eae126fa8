# Everything CI runs is here, so a developer's `make test` and CI are the same.
GO ?= go

.PHONY: test vet fmt-check unit bench bench-smoke

test: vet fmt-check unit bench-smoke

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

unit:
	$(GO) test -race -count=1 ./...

# Benchmarks run once so they never rot; no timing is asserted here.
bench-smoke:
	$(GO) test -run '^$$' -bench . -benchtime=1x ./... >/dev/null

bench:
	@if [ -x bench/run.sh ]; then bench/run.sh; else $(GO) test -run '^$$' -bench . -benchmem ./...; fi
