# Tool versions are pinned here and fetched through the Go module proxy, so a
# clean machine needs nothing but Go.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
PKGS := ./...

.PHONY: test fmt vet staticcheck unit bench fuzz cover

test: fmt vet staticcheck unit

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	go vet $(PKGS)

staticcheck:
	go run $(STATICCHECK) $(PKGS)

unit:
	go test -race -count=1 $(PKGS)

# Every benchmark pair (SDK vs raw baseline) in one run per package.
bench:
	go test -run '^$$' -bench . -benchmem -count 5 ./internal/transport ./relay

# Every Fuzz target of every package, one after the other (go test runs one
# fuzz target per invocation).
FUZZTIME ?= 30s
fuzz:
	@set -e; for pkg in $$(go list ./...); do \
		for f in $$(go test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "== $$pkg $$f"; go test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

cover:
	go test -count=1 -cover $(PKGS)
