# The front door. CMake is the source of truth for the build; this file only strings steps together.
BUILD      ?= build
ASAN_BUILD ?= build-asan
CTEST_ARGS ?=
JOBS       ?= $(shell nproc)

.PHONY: all deps configure build test test-unit test-integration test-asan up down run bench clean

all: build

deps:
	@scripts/install-deps

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: configure
	@ninja -C $(BUILD) -j $(JOBS)

test: build
	@scripts/test/run $(BUILD) $(CTEST_ARGS)

test-unit: build
	@cd $(BUILD) && ctest -L unit --output-on-failure $(CTEST_ARGS)

test-integration: build
	@cd $(BUILD) && ctest -L integration --output-on-failure $(CTEST_ARGS)

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer.
test-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -G Ninja -DFRESHET_SANITIZE=ON -DFRESHET_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@ninja -C $(ASAN_BUILD) -j $(JOBS)
	@scripts/test/run $(ASAN_BUILD) $(CTEST_ARGS)

up: build
	@scripts/stack/up $(BUILD)

down:
	@scripts/stack/down $(BUILD)

run: build
	@scripts/stack/run $(BUILD)

bench: build
	@FRESHET_BUILD_DIR=$(BUILD) scripts/bench/run

clean:
	@scripts/stack/down $(BUILD) >/dev/null 2>&1 || true
	rm -rf $(BUILD) $(ASAN_BUILD)
