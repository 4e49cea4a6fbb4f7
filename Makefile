# The two commands of the README: `make run` and `make test`. Both install what is missing
# (Debian 12, as root), build with Ninja + ccache, and work from a clean clone.
BUILD_DIR ?= out
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= 2
LISTEN ?= 0.0.0.0:8080
DATA_DIR ?= ./data

.PHONY: all deps configure build run test test-quick bench tidy clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

configure: $(BUILD_DIR)/build.ninja

build: deps configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

DEMO_ASSETS ?= 20000

# Builds, migrates, loads a demo fleet into an empty database and starts the server on :8080
# (the first start prints the admin password once).
run: build
	$(BUILD_DIR)/src/app/qlrf --data-dir $(DATA_DIR) migrate
	$(BUILD_DIR)/src/app/qlrf --data-dir $(DATA_DIR) demo --assets $(DEMO_ASSETS) --if-empty
	RF_LISTEN=$(LISTEN) $(BUILD_DIR)/src/app/qlrf --data-dir $(DATA_DIR) serve

# The whole suite: unit, fuzz-corpus replays, and the PostgreSQL tests (a throwaway server).
test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# The quick loop: no live services.
test-quick: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -LE 'pg|redis|kafka'

bench: build
	bench/http/run.sh $(BUILD_DIR)/src/app/qlrf

# clang-tidy over src/ with a compile database built without precompiled headers.
tidy: deps
	cmake -S . -B build/tidy -G Ninja -DQLRF_PCH=OFF -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
	find src -name '*.cc' ! -name '*_fuzz.cc' | xargs -P $(JOBS) -n 4 clang-tidy -p build/tidy --quiet

clean:
	rm -rf $(BUILD_DIR)
