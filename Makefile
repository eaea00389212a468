# Tool versions are pinned here and fetched through the Go module proxy, so a
# clean machine needs nothing but Go.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
PKGS := ./...

.PHONY: test fmt vet staticcheck unit bench fuzz cover redisstore e2e

test: fmt vet staticcheck unit redisstore e2e

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	go vet $(PKGS)

staticcheck:
	go run $(STATICCHECK) $(PKGS)

unit:
	go test -race -count=1 $(PKGS)

# The Redis stores are a module of their own (redisstore/go.mod), so the core
# module's ./... skips them: gofmt, vet, staticcheck and its tests, which start
# their own redis-server (Debian: apt-get install redis-server).
redisstore:
	@out=$$(cd redisstore && gofmt -l .); \
	if [ -n "$$out" ]; then echo "gofmt needed in redisstore:"; echo "$$out"; exit 1; fi
	cd redisstore && go vet ./...
	cd redisstore && go run $(STATICCHECK) ./...
	cd redisstore && go test -race -count=1 ./...

# The browser tests are a module of their own (e2e/go.mod, chromedp), so the
# core module gains no dependency: gofmt, vet, staticcheck and its tests,
# which build examples/devserver and drive it in headless Chromium (Debian:
# apt-get install chromium). Without a browser they are skipped, unless
# E2E_REQUIRE_BROWSER is set, as .ci/run sets it. Screenshots go to .out/.
e2e:
	@out=$$(cd e2e && gofmt -l .); \
	if [ -n "$$out" ]; then echo "gofmt needed in e2e:"; echo "$$out"; exit 1; fi
	cd e2e && go vet ./...
	cd e2e && go run $(STATICCHECK) ./...
	cd e2e && go test -count=1 ./...

# Every benchmark pair (SDK vs its raw baseline, measured in the same run),
# then the table: medians, ratio to raw, target, and the heap growth of the
# 100 MiB streaming upload. Exits non-zero when a target is missed.
BENCHCOUNT ?= 5
bench:
	@mkdir -p .out
	go test -run '^$$' -bench . -benchmem -count $(BENCHCOUNT) ./internal/transport ./relay ./voxio ./voitex ./ourvoice ./chattu | tee .out/bench.txt
	go test -count=1 -run '^TestUploadConstantMemory$$' -v ./internal/transport | tee .out/upload.txt
	cd redisstore && go test -run '^$$' -bench . -benchmem -count $(BENCHCOUNT) . | tee -a ../.out/bench.txt
	@go run ./internal/devtools bench .out/bench.txt .out/upload.txt

# Every Fuzz target of every package, one after the other (go test runs one
# fuzz target per invocation).
FUZZTIME ?= 30s
fuzz:
	@set -e; for pkg in $$(go list ./...); do \
		for f in $$(go test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "== $$pkg $$f"; go test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

# Statement coverage per package, counted over the whole suite (a sandbox is
# exercised mostly by its vendor package's tests): every package must reach
# COVERMIN percent.
COVERMIN ?= 85
cover:
	@mkdir -p .out
	go test -count=1 -coverpkg=$$(go list ./... | paste -sd, -) -coverprofile=.out/cover.out ./... > .out/cover.txt
	@go run ./internal/devtools cover -min $(COVERMIN) .out/cover.out
