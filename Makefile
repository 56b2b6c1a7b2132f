# fabsim build entry points. Every target bootstraps first (a fast no-op once the Debian
# packages are installed), so a fresh Debian 12 machine needs nothing else.
#   make            build (Release, into build/)
#   make test       build and run every test (unit, scenario regression, lints)
#   make test-asan  the same under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/)
#   make bench      build and run the Google Benchmark programs
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
LAUNCHER := $(shell command -v ccache >/dev/null 2>&1 && echo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

.PHONY: all build test test-asan bench bootstrap clean

all: build

bootstrap:
	@tools/bootstrap.sh

build/build.ninja: | bootstrap
	cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release $(LAUNCHER) $(CMAKE_FLAGS)

build: bootstrap build/build.ninja
	cmake --build build -j $(JOBS)

test: build
	ctest --test-dir build -j $(JOBS) --output-on-failure --timeout 600

build-asan/build.ninja: | bootstrap
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFABSIM_SANITIZE=ON $(LAUNCHER) $(CMAKE_FLAGS)

test-asan: bootstrap build-asan/build.ninja
	cmake --build build-asan -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir build-asan -j $(JOBS) --output-on-failure --timeout 1200

bench: build
	build/bench/fabsim_bench $(BENCH_ARGS)

clean:
	rm -rf build build-asan
