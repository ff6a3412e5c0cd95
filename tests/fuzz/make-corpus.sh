#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Regenerates the seed corpus of fuzz_usyms: small real ELF files of the
# kinds usyms reads (objects with DWARF 4 and 5, zlib-compressed debug
# sections in both styles, a stripped shared object with a build-id and a
# debug link, a separate debug file, tiny PIE, non-PIE and ELF32
# programs). Each stays well under 20 KB
# so that libFuzzer's input size limit stays small.
#
#   tests/fuzz/make-corpus.sh [output directory]
set -eu

out=${1:-$(dirname "$0")/corpus}
CC=${CC:-gcc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

cat > "$tmp/tiny.c" <<'C'
static int counter;

static int helper(int x)
{
	return x * 7 + counter++;
}

int tiny_add(int a, int b)
{
	return helper(a) + b;
}

/* A C++ name, for the demangler. */
int tiny_cxx(int x) __asm__("_ZN4tiny3cxxEi");
int tiny_cxx(int x)
{
	return tiny_add(x, 1);
}

void _start(void)
{
	for (;;)
		tiny_cxx(counter);
}
C

common="-O1 -fno-asynchronous-unwind-tables -fno-ident"
# No page-aligned gaps between segments: they would be most of the file.
link="-Wl,-z,noseparate-code -Wl,--build-id"
$CC $common -g -gdwarf-5 -c "$tmp/tiny.c" -o "$out/dwarf5.o"
$CC $common -g -gdwarf-4 -c "$tmp/tiny.c" -o "$out/dwarf4.o"
$CC $common -g -gz=zlib -c "$tmp/tiny.c" -o "$out/gz.o"
$CC $common -g -gdwarf-4 -gz=zlib-gnu -c "$tmp/tiny.c" -o "$out/zdebug.o"
# Programs with no libc: ET_EXEC at fixed addresses, and a PIE.
$CC $common -g -nostdlib -static -no-pie $link \
	"$tmp/tiny.c" -o "$out/exec"
$CC $common -g -nostdlib -static-pie -fPIE $link \
	"$tmp/tiny.c" -o "$out/pie"
# A shared object stripped of .symtab and DWARF, which .dynsym, the
# build-id note and .gnu_debuglink are left to describe.
$CC $common -g -nostdlib -shared -fPIC $link \
	"$tmp/tiny.c" -o "$tmp/libtiny.so"
objcopy --only-keep-debug "$tmp/libtiny.so" "$tmp/libtiny.so.debug"
objcopy --strip-all --add-gnu-debuglink="$tmp/libtiny.so.debug" \
	"$tmp/libtiny.so" "$out/stripped.so"
# What a separate debug file looks like: SHT_NOBITS code, kept notes,
# DWARF compressed.
objcopy --compress-debug-sections=zlib "$tmp/libtiny.so.debug" "$out/debug"
# ELF32 (x32), for the other class.
objcopy -O elf32-x86-64 "$out/exec" "$out/elf32"
ls -l "$out"
