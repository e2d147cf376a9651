# A thin wrapper over Meson. `make run` and `make test` set up everything,
# on a fresh Debian 12 machine too (see README.md).
.POSIX:
.PHONY: all build run stop env test asan format clean

all: build

build:
	@sh scripts/install-deps.sh build
	@test -f build/build.ninja || meson setup build
	@ninja -C build

# Local PostgreSQL under ./var, migrated, and the API in the foreground.
# `make run ROTATE=1` replaces the admin token kept in var/admin-token.
run: build
	@sh scripts/run-local.sh start

stop:
	@sh scripts/run-local.sh stop

# Shell lines for `eval "$$(make -s env)"`: planpipe on the PATH, pointed at
# the database of `make run`.
env:
	@sh scripts/run-local.sh env

# Every test: plain build, then again under AddressSanitizer + UBSan.
test:
	@sh scripts/test.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-asan build-tsan
