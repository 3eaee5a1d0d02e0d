# The two set-up commands of the README: `make run` and `make test`. Both install what they need.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps configure build test run clean fuzz

all: build

deps:
	@scripts/install-deps

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 600

# The flagship demo on the best adapter (lavapipe when there is no GPU).
run: build
	@scripts/demo $(BUILD_DIR)

# libFuzzer harnesses (clang, build-fuzz/), FUZZ_TIME seconds each, one after another
# (tests/fuzz/README.md, docs/fuzzing.md).
FUZZ_TIME ?= 60
fuzz: deps
	@FUZZ=1 scripts/install-deps
	@tests/fuzz/run.sh $(FUZZ_TIME)

clean:
	rm -rf $(BUILD_DIR)
