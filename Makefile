# A thin wrapper over Meson. `make run` and `make test` set up everything,
# on a fresh Debian 12 machine too (see README.md).
.POSIX:
.PHONY: all build run stop test asan format clean

all: build

build:
	@sh scripts/install-deps.sh build
	@test -f build/build.ninja || meson setup build
	@ninja -C build

# Local PostgreSQL under ./var, migrated (and the API, once it exists).
run: build
	@sh scripts/run-local.sh start

stop:
	@sh scripts/run-local.sh stop

# Every test: plain build, then again under AddressSanitizer + UBSan.
test:
	@sh scripts/test.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-asan build-tsan
