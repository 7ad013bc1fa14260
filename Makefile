# The two commands a newcomer runs: `make run` and `make test`. Both install what is missing
# (Debian packages, via scripts/setup.sh), build, and go.
JOBS ?= 2
CTEST_JOBS ?= 2
ARGS ?=
export CCACHE_DIR ?= $(HOME)/.cache/ccache
# Share the compiler cache between clones in different directories (CI builds a fresh clone).
export CCACHE_BASEDIR ?= $(CURDIR)
export CCACHE_NOHASHDIR ?= 1
export CCACHE_MAXSIZE ?= 5G

.PHONY: all setup build run test test-unit test-asan test-tsan fuzz bench fmt tidy clean help docs \
	flake-hunt

all: build

help:
	@echo "make run      install missing packages, build, start the daemon (ARGS='--log-level debug')"
	@echo "make test     install missing packages, build, run every test (also sanitizers + fuzz)"
	@echo "make bench    build and print the benchmark tables"
	@echo "make flake-hunt  the suite 20 times beside 2 busy loops (ROUNDS=, BUILD=build-tsan, HUNT_ARGS='-R Vm')"
	@echo "make fmt      clang-format the sources"
	@echo "make tidy     clang-tidy the sources"

setup:
	@bash scripts/setup.sh

build: setup
	@cmake --preset default >/dev/null
	@cmake --build build -j $(JOBS)

# Without a running libvirtd, `make run` uses libvirt's in-process test driver so the API can be
# tried anywhere; set NOVACRON_VM_HYPERVISOR_URI to choose (qemu:///system is the default).
run: build
	@if [ -z "$$NOVACRON_VM_HYPERVISOR_URI" ] && [ ! -S /run/libvirt/libvirt-sock ]; then \
	  echo "make run: libvirtd is not running; VMs go to libvirt's test driver (test:///default)"; \
	  export NOVACRON_VM_HYPERVISOR_URI=test:///default; fi; \
	  exec ./build/src/cli/novacron run $(ARGS)

test-unit: build
	ctest --test-dir build -j $(CTEST_JOBS) --output-on-failure

# The real-VM boot (label "vm": libvirtd + QEMU, ~75 s) and slow end-to-end suites (label "slow":
# testssl.sh ~55 s, the multi-daemon cluster and chaos tests ~3 min) run once, in the main build:
# under the sanitizers they would check QEMU's and etcd's speed, not our concurrency (the HA
# simulator, cluster_sim_test, runs the cluster's concurrent code under them). A discovered
# test gets one label: gtest_discover_tests splits a "a;b" label list into other properties.
SANITIZER_CTEST_ARGS ?= -LE '^(vm|slow)$$'

test-asan: setup
	@cmake --preset asan >/dev/null
	@cmake --build build-asan -j $(JOBS)
	ctest --test-dir build-asan -j $(CTEST_JOBS) --output-on-failure $(SANITIZER_CTEST_ARGS)

test-tsan: setup
	@cmake --preset tsan >/dev/null
	@cmake --build build-tsan -j $(JOBS)
	TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$(CURDIR)/tsan.supp" \
	  ctest --test-dir build-tsan -j $(CTEST_JOBS) --output-on-failure $(SANITIZER_CTEST_ARGS)

fuzz: setup
	@cmake --preset fuzz >/dev/null
	@cmake --build build-fuzz -j $(JOBS) --target config_fuzzer vm_spec_fuzzer request_fuzzer \
	  chunk_frame_fuzzer dwcp_message_fuzzer
	@# New inputs go to a temp dir: the seed corpus in the repo stays as committed.
	@out=$$(mktemp -d) && ./build-fuzz/fuzz/config_fuzzer -runs=20000 -seed=1 -max_len=4096 \
	  -dict=fuzz/config.dict $$out fuzz/corpus/config && rm -rf $$out
	@out=$$(mktemp -d) && ./build-fuzz/fuzz/vm_spec_fuzzer -runs=20000 -seed=1 -max_len=8192 \
	  -dict=fuzz/vm_spec.dict $$out fuzz/corpus/vm_spec && rm -rf $$out
	@out=$$(mktemp -d) && ./build-fuzz/fuzz/request_fuzzer -runs=20000 -seed=1 -max_len=4096 \
	  -dict=fuzz/request.dict $$out fuzz/corpus/request && rm -rf $$out
	@out=$$(mktemp -d) && ./build-fuzz/fuzz/chunk_frame_fuzzer -runs=20000 -seed=1 -max_len=8192 \
	  $$out fuzz/corpus/chunk_frame && rm -rf $$out
	@out=$$(mktemp -d) && ./build-fuzz/fuzz/dwcp_message_fuzzer -runs=20000 -seed=1 -max_len=8192 \
	  $$out fuzz/corpus/dwcp_message && rm -rf $$out

# Sanitizers and fuzzing first, the main build last: its ctest summary closes the run.
test: test-asan test-tsan fuzz test-unit

bench: setup
	@bash scripts/setup.sh --bench
	@cmake --preset default >/dev/null
	@cmake --build build -j $(JOBS)
	@bash bench/run.sh

# Before a release: every test, again and again, while busy loops compete for the CPUs.
ROUNDS ?= 20
BUILD ?= build
HUNT_ARGS ?=
flake-hunt: build
	bash scripts/flake-hunt.sh --build $(BUILD) --repeat $(ROUNDS) $(HUNT_ARGS)

fmt:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

tidy: build
	@git ls-files 'src/*.cc' | xargs clang-tidy -p build --quiet

clean:
	rm -rf build build-asan build-tsan build-fuzz build-debug

# docs/configuration.md = hand-written head + the key table generated from the schema.
docs: build
	@{ cat docs/configuration.head.md; ./build/src/cli/novacron config schema | \
	   python3 scripts/gen_config_doc.py; } > docs/configuration.md
