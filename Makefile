# SPDX-License-Identifier: GPL-2.0
#
# memtrace: BPF objects -> skeletons -> one binary.
#
#   make                  build ./memtrace: static, with musl (LIBC=glibc:
#                         against glibc, dynamically; STATIC=1 too: static)
#   make run [ARGS=...]   install what is missing, build, run (default: procs -d 10)
#   make test             install what is missing, build, run every test
#   make test-kernel      only the tests on the other kernels, under QEMU
#   make bench            run the side-by-side benchmarks
#   make fuzz             fuzz the user-space symbolizer (FUZZ_SECONDS, 300)
#   make install          install the binary, man pages and bash completion
#                         under $(PREFIX)
#   make vmlinux          regenerate vmlinux/x86/vmlinux.h from this kernel's BTF

VERSION   := 0.1.0
OUTPUT    := .output
ARCH      := x86
PREFIX    ?= /usr/local
CLANG     ?= clang
LLVM_STRIP ?= llvm-strip
BPFTOOL   ?= bpftool
CC        ?= gcc
CXX       ?= g++
ARGS      ?= procs -d 10
Q         := $(if $(V),,@)

# One entry per command with BPF programs of its own: bpf/<cmd>.bpf.c,
# include/memtrace/<cmd>.h, src/<cmd>/ (serve and probe have none).
CMDS      := filecache kmalloc leak procs

# Objects of their own besides each command's: filecache --watch's, and
# the program filecache runs on a descriptor (relocated by the kernel).
BPF_NAMES := $(CMDS) filecache_watch filecache_fd
BPF_OBJS  := $(BPF_NAMES:%=$(OUTPUT)/bpf/%.bpf.o) $(OUTPUT)/bpf/leak_hash.bpf.o
SKELS     := $(BPF_NAMES:%=$(OUTPUT)/%.skel.h) $(OUTPUT)/leak_hash.skel.h
SRCS      := $(wildcard src/*.c src/*/*.c)
OBJS      := $(SRCS:src/%.c=$(OUTPUT)/src/%.o)
# What the unit tests link against: everything but main.
LIB_OBJS  := $(filter-out $(OUTPUT)/src/main.o,$(OBJS))

WARN      := -Wall -Wextra -Werror
CFLAGS    ?= -O2 -g
override CFLAGS += -std=c11 -D_GNU_SOURCE $(WARN) -Isrc -Iinclude -I$(OUTPUT) -MMD -MP
BPF_CFLAGS := -target bpf -g -O2 -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	      -Iinclude -Ivmlinux/$(ARCH) -MMD -MP
# libdw (DWARF lines) and libiberty (its C++ demangler) serve leak's
# symbolizer; the static glibc link also needs the compressors libdw can
# read sections with.
#
# ./memtrace is linked statically against musl (LIBC=musl, the default),
# with libbpf, libelf, libdw, zlib and libiberty built against musl from
# Debian's sources by .ci/musl-libs into .cache/musl. A static glibc
# program spends about 270 us here before main(), probing the CPU with
# CPUID (each CPUID exits to the hypervisor); musl's start takes a tenth of
# that, and for filecache on one small file that is a third of the run.
#
# LIBC=glibc builds against the system's glibc instead: dynamically, with
# every other library linked in (loading them cost each run 1.2 ms before
# main()), or fully static with STATIC=1. The tests run the glibc build
# under valgrind and ASan (valgrind cannot replace malloc in a static
# program); the sanitized builds keep the libraries shared.
LIBC      ?= musl
# Of libiberty, only its demangler: the archive also has a getopt and an
# fnmatch of its own, which would stand in for the C library's (libiberty's
# getopt takes "--json=1" as --json when opterr is 0).
DEMANGLE  := $(OUTPUT)/glibc/libdemangle.a
LIBIBERTY := $(shell $(CC) -print-file-name=libiberty.a)
LIBS_SHARED  := -lbpf -ldw -lelf -lz -lm $(DEMANGLE)
LIBS_DYNAMIC := -Wl,-Bstatic -lbpf -ldw -lelf -lz -lzstd -llzma -lbz2 $(DEMANGLE) \
		-lm -Wl,-Bdynamic -static-libgcc
LIBS_STATIC  := -static -lbpf -ldw -lelf -lz -lzstd -llzma -lbz2 -lm $(DEMANGLE) \
		-lpthread -ldl
LINK      := $(if $(filter glibc,$(LIBC)),$(if $(STATIC),static,dynamic),musl)

MUSL_CC   ?= musl-gcc
MUSL_DIR  := .cache/musl
MUSL_ROOT := $(MUSL_DIR)/root
MUSL_DONE := $(MUSL_ROOT)/.done
LIBS_MUSL := -static -L$(MUSL_ROOT)/lib -lbpf -ldw -lelf -lz -ldemangle
MUSL_OBJS := $(SRCS:src/%.c=$(OUTPUT)/musl/%.o)
# Built again when the script or a -dev package whose sources it builds
# changes (dpkg rewrites a package's file list when it installs it).
MUSL_PKGS := zlib1g-dev libelf-dev libbpf-dev libiberty-dev musl-dev
# (Multiarch packages' lists are named like libelf-dev:amd64.list.)
MUSL_PKG_LISTS := $(subst :,\:,$(wildcard $(MUSL_PKGS:%=/var/lib/dpkg/info/%.list) \
		    $(MUSL_PKGS:%=/var/lib/dpkg/info/%:*.list)))

# Sanitized helpers for the unit tests.
ASAN      := -fsanitize=address,undefined -fno-omit-frame-pointer
ASAN_OBJS := $(LIB_OBJS:$(OUTPUT)/src/%=$(OUTPUT)/asan/%)
ASAN_ALL  := $(OBJS:$(OUTPUT)/src/%=$(OUTPUT)/asan/%)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(OUTPUT)/tests/unit/%)
# The same unit tests against musl, as ./memtrace is built (no sanitizers
# there), but test_signame, which checks the table against glibc's.
MUSL_LIB_OBJS := $(filter-out $(OUTPUT)/musl/main.o,$(MUSL_OBJS))
UNIT_MUSL_BINS := $(filter-out %/test_signame, \
		  $(UNIT_SRCS:tests/unit/%.c=$(OUTPUT)/tests/unit-musl/%))
WORK_SRCS := $(wildcard tests/workloads/*.c tests/helpers/*.c)
WORK_BINS := $(WORK_SRCS:tests/%.c=$(OUTPUT)/tests/%)
CXX_WORK_SRCS := $(wildcard tests/workloads/*.cpp)
CXX_WORK_BINS := $(CXX_WORK_SRCS:tests/%.cpp=$(OUTPUT)/tests/%)
# Static copies for the test kernel's initramfs, which has no libc.
STATIC_WORK_BINS := $(WORK_SRCS:tests/%.c=$(OUTPUT)/tests/static/%)

.PHONY: all docs clean run test test-build test-kernel bench fuzz install vmlinux deps \
	deps-test deps-bench FORCE
.DELETE_ON_ERROR:
# Skeletons and BPF objects are intermediate files make must keep.
.SECONDARY: $(SKELS) $(BPF_OBJS)

all: memtrace docs

# Man pages and bash completion, written by memtrace itself from its
# option tables and prose (memtrace help --man, --bash-completion).
MAN_CMDS  := filecache kmalloc leak probe procs serve
MANS      := $(OUTPUT)/man/memtrace.8 $(MAN_CMDS:%=$(OUTPUT)/man/memtrace-%.8)
COMPLETION := $(OUTPUT)/completion/memtrace

docs: $(MANS) $(COMPLETION)

$(OUTPUT)/man/memtrace.8: memtrace
	$(Q)mkdir -p $(@D)
	$(Q)./memtrace help --man > $@.tmp && mv $@.tmp $@

$(OUTPUT)/man/memtrace-%.8: memtrace
	$(Q)mkdir -p $(@D)
	$(Q)./memtrace help --man $* > $@.tmp && mv $@.tmp $@

$(COMPLETION): memtrace
	$(Q)mkdir -p $(@D)
	$(Q)./memtrace help --bash-completion > $@.tmp && mv $@.tmp $@

# ./memtrace is a copy of the link LIBC and STATIC ask for (musl's, or
# glibc's dynamic or static one); comparing first keeps its timestamp when
# nothing changed.
memtrace: $(OUTPUT)/memtrace.$(LINK) FORCE
	$(Q)cmp -s $< $@ || cp -f $< $@

$(OUTPUT)/memtrace.dynamic: $(OBJS) $(DEMANGLE)
	$(Q)$(CC) $(LDFLAGS) $(OBJS) $(LIBS_DYNAMIC) -o $@

$(OUTPUT)/memtrace.static: $(OBJS) $(DEMANGLE)
	$(Q)$(CC) $(LDFLAGS) $(OBJS) $(LIBS_STATIC) -o $@

$(DEMANGLE): $(LIBIBERTY)
	$(Q)rm -rf $(@D)/demangle && mkdir -p $(@D)/demangle
	$(Q)cd $(@D)/demangle && ar x $(abspath $<) cp-demangle.o safe-ctype.o
	$(Q)rm -f $@ && ar rcs $@ $(@D)/demangle/cp-demangle.o $(@D)/demangle/safe-ctype.o

$(OUTPUT)/memtrace.musl: $(MUSL_OBJS)
	$(Q)$(MUSL_CC) $(LDFLAGS) $^ $(LIBS_MUSL) -o $@

$(MUSL_DONE): .ci/musl-libs $(MUSL_PKG_LISTS)
	$(Q).ci/musl-libs $(MUSL_DIR)
	$(Q)touch $@

$(OUTPUT)/src/%.o: src/%.c | $(SKELS) $(OUTPUT)/version.h
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# musl's headers, the libraries' and the kernel's (linked in there).
$(OUTPUT)/musl/%.o: src/%.c $(MUSL_DONE) | $(SKELS) $(OUTPUT)/version.h
	$(Q)mkdir -p $(@D)
	$(Q)$(MUSL_CC) $(CFLAGS) -isystem $(MUSL_ROOT)/include -c $< -o $@

$(OUTPUT)/asan/%.o: src/%.c | $(SKELS) $(OUTPUT)/version.h
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(ASAN) -c $< -o $@

# BPF: compile, drop DWARF (the skeleton keeps .BTF and .BTF.ext), embed.
$(OUTPUT)/bpf/%.bpf.o: bpf/%.bpf.c
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MF $(@:.o=.d) -MT $@ -c $< -o $@.tmp
	$(Q)$(LLVM_STRIP) -g $@.tmp
	$(Q)mv $@.tmp $@

# leak's table of blocks claims its slots with compare-and-exchange (BPF
# atomics, Linux 5.12+; the hash build below has none).
$(OUTPUT)/bpf/leak.bpf.o: BPF_CFLAGS += -mcpu=v3

# leak's programs again, for kernels before 5.11 (no task storage in
# tracing programs): the same maps, programs and globals, so the skeleton
# of leak.bpf.o opens this object's bytes (src/leak/bpfobj.c).
$(OUTPUT)/bpf/leak_hash.bpf.o: bpf/leak.bpf.c
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DLEAK_THREAD_STATE_HASH -MF $(@:.o=.d) -MT $@ \
		-c $< -o $@.tmp
	$(Q)$(LLVM_STRIP) -g $@.tmp
	$(Q)mv $@.tmp $@

# Only the skeletons listed: a stale .d may still name one no longer made
# (serve.skel.h until serve used filecache --watch's collector), which is
# then a header like any other, not a reason to look for its source.
$(SKELS): $(OUTPUT)/%.skel.h: $(OUTPUT)/bpf/%.bpf.o
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@.tmp
	$(Q)mv $@.tmp $@

# Rewritten only when the version or commit changes, so that a commit does
# not rebuild everything.
$(OUTPUT)/version.h: FORCE
	$(Q)mkdir -p $(@D)
	$(Q)c=$$(git describe --always --dirty --abbrev=12 2>/dev/null || echo unknown); \
	printf '#define MEMTRACE_VERSION "%s"\n#define MEMTRACE_COMMIT "%s"\n' \
		'$(VERSION)' "$$c" > $@.tmp; \
	cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@

vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/$(ARCH)/vmlinux.h.tmp
	mv vmlinux/$(ARCH)/vmlinux.h.tmp vmlinux/$(ARCH)/vmlinux.h

# Tests: unit tests (ASan+UBSan), workloads and helpers, every binary.
$(OUTPUT)/memtrace.asan: $(ASAN_ALL) $(DEMANGLE)
	$(Q)$(CC) $(LDFLAGS) $(ASAN) $(ASAN_ALL) $(LIBS_SHARED) -o $@

$(UNIT_BINS): $(OUTPUT)/tests/unit/%: tests/unit/%.c $(ASAN_OBJS) $(DEMANGLE)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(ASAN) -Itests/unit -Isrc $(filter %.c %.o,$^) $(LIBS_SHARED) -o $@

$(UNIT_MUSL_BINS): $(OUTPUT)/tests/unit-musl/%: tests/unit/%.c $(MUSL_LIB_OBJS)
	$(Q)mkdir -p $(@D)
	$(Q)$(MUSL_CC) $(CFLAGS) -isystem $(MUSL_ROOT)/include -Itests/unit -Isrc \
		$(filter %.c %.o,$^) $(LIBS_MUSL) -o $@

$(WORK_BINS): $(OUTPUT)/tests/%: tests/%.c
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -std=gnu11 -O0 -g $(WARN) -pthread $< -o $@

# A program with 5000 distinct call paths, generated.
$(OUTPUT)/tests/workloads/paths: tests/workloads/paths.py
	$(Q)mkdir -p $(@D)
	$(Q)python3 $< > $@.c
	$(Q)$(CC) -std=gnu11 -O0 -g $(WARN) $@.c -o $@

$(CXX_WORK_BINS): $(OUTPUT)/tests/%: tests/%.cpp
	$(Q)mkdir -p $(@D)
	$(Q)$(CXX) -std=gnu++17 -O0 -g $(WARN) $< -o $@

$(STATIC_WORK_BINS): $(OUTPUT)/tests/static/%: tests/%.c
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -std=gnu11 -O0 -g $(WARN) -pthread -static $< -o $@

# The symbolizer reads any ELF file a traced process maps: libFuzzer on it.
# make test fuzzes for FUZZ_TEST_SECONDS; make fuzz for FUZZ_SECONDS.
FUZZ_BIN := $(OUTPUT)/tests/fuzz/fuzz_usyms
FUZZ_SECONDS ?= 300
FUZZ_SRCS := $(wildcard src/usyms/*.c) src/util/procmaps.c
$(FUZZ_BIN): tests/fuzz/fuzz_usyms.c $(FUZZ_SRCS) $(wildcard src/usyms/*.h) \
	     src/util/procmaps.h src/util/procfs.h src/util/path.h $(DEMANGLE)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-Isrc \
		tests/fuzz/fuzz_usyms.c $(FUZZ_SRCS) -ldw -lelf -lz $(DEMANGLE) -o $@

# serve's HTTP request reader takes bytes from the network: libFuzzer too.
FUZZ_HTTP_BIN := $(OUTPUT)/tests/fuzz/fuzz_http
FUZZ_HTTP_SRCS := src/serve/httpreq.c src/serve/metrics.c src/util/grow.c
$(FUZZ_HTTP_BIN): tests/fuzz/fuzz_http.c $(FUZZ_HTTP_SRCS) src/serve/httpreq.h \
		  src/serve/metrics.h
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-Isrc tests/fuzz/fuzz_http.c $(FUZZ_HTTP_SRCS) -o $@

fuzz: $(FUZZ_BIN) $(FUZZ_HTTP_BIN)
	$(Q)tests/fuzz/run $(FUZZ_SECONDS) usyms
	$(Q)tests/fuzz/run $(FUZZ_SECONDS) http

test-build: memtrace docs $(OUTPUT)/memtrace.musl $(OUTPUT)/memtrace.dynamic \
	    $(OUTPUT)/memtrace.static \
	    $(OUTPUT)/memtrace.asan $(UNIT_BINS) $(UNIT_MUSL_BINS) $(WORK_BINS) \
	    $(CXX_WORK_BINS) \
	    $(OUTPUT)/tests/workloads/paths \
	    $(STATIC_WORK_BINS) $(FUZZ_BIN) $(FUZZ_HTTP_BIN)

test: deps-test
	$(Q)$(MAKE) --no-print-directory test-build
	$(Q)tests/run

# Only the other kernels' suite (make test runs it too).
test-kernel: deps-test
	$(Q)$(MAKE) --no-print-directory test-build
	$(Q)tests/run kernel

bench: deps-bench
	$(Q)$(MAKE) --no-print-directory test-build
	$(Q)tests/bench/run

run: deps
	$(Q)$(MAKE) --no-print-directory memtrace
	./memtrace $(ARGS)

install: memtrace docs
	install -D -m 0755 memtrace $(DESTDIR)$(PREFIX)/bin/memtrace
	install -d $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0644 $(MANS) $(DESTDIR)$(PREFIX)/share/man/man8/
	install -D -m 0644 $(COMPLETION) \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/memtrace

# Debian/Ubuntu packages; installed only when missing.
BUILD_PKGS := make gcc g++ clang llvm libbpf-dev bpftool libelf-dev libdw-dev \
	      zlib1g-dev libzstd-dev liblzma-dev libbz2-dev libiberty-dev git \
	      musl-tools dpkg-dev bzip2 xz-utils
TEST_PKGS  := bats valgrind python3 util-linux procps qemu-system-x86 libc6-dbg \
	      busybox-static cpio sqlite3 binutils strace e2fsprogs prometheus \
	      golang-go curl
BENCH_PKGS := libbpf-tools bpftrace linux-perf vmtouch heaptrack

deps:
	$(Q).ci/install-deps $(BUILD_PKGS)
deps-test:
	$(Q).ci/install-deps $(BUILD_PKGS) $(TEST_PKGS)
deps-bench:
	$(Q).ci/install-deps $(BUILD_PKGS) $(TEST_PKGS) $(BENCH_PKGS)

clean:
	rm -rf $(OUTPUT) memtrace

FORCE:

-include $(wildcard $(OUTPUT)/src/*.d $(OUTPUT)/src/*/*.d $(OUTPUT)/asan/*.d \
	$(OUTPUT)/musl/*.d $(OUTPUT)/musl/*/*.d $(OUTPUT)/tests/unit-musl/*.d \
	$(OUTPUT)/asan/*/*.d $(OUTPUT)/bpf/*.d $(OUTPUT)/tests/unit/*.d)
