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

FUZZTIME ?= 30s
fuzz:
	go test -run '^$$' -fuzz FuzzVerify -fuzztime $(FUZZTIME) ./relay
	go test -run '^$$' -fuzz FuzzLenient -fuzztime $(FUZZTIME) ./internal/transport

cover:
	go test -count=1 -cover $(PKGS)
