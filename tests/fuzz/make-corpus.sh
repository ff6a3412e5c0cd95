#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Regenerates the seed corpus of fuzz_usyms: small real ELF files of the
# kinds usyms reads (objects with DWARF 4 and 5, zlib-compressed debug
# sections in both styles, a stripped shared object with a build-id and a
# debug link, a separate debug file, split DWARF, tiny PIE, non-PIE and
# ELF32 programs). Each stays well under 20 KB so that libFuzzer's input
# size limit stays small, and comes out the same on every run.
#
#   tests/fuzz/make-corpus.sh [output directory]
set -eu

out=${1:-$(dirname "$0")/corpus}
mkdir -p "$out"
out=$(cd "$out" && pwd)
CC=${CC:-gcc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

cat > tiny.c <<'C'
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

# No temporary directory in the DWARF, no page-aligned gaps between
# segments (they would be most of the file).
common="-O1 -fno-asynchronous-unwind-tables -fno-ident"
common="$common -fdebug-prefix-map=$tmp=."
link="-Wl,-z,noseparate-code -Wl,--build-id"
$CC $common -g -gdwarf-5 -c tiny.c -o "$out/dwarf5.o"
$CC $common -g -gdwarf-4 -c tiny.c -o "$out/dwarf4.o"
$CC $common -g -gz=zlib -c tiny.c -o "$out/gz.o"
$CC $common -g -gdwarf-4 -gz=zlib-gnu -c tiny.c -o "$out/zdebug.o"
# Programs with no libc: ET_EXEC at fixed addresses, and a PIE.
$CC $common -g -nostdlib -static -no-pie $link tiny.c -o "$out/exec"
$CC $common -g -nostdlib -static-pie -fPIE $link tiny.c -o "$out/pie"
# Split DWARF: the skeleton units and the line table stay in the program,
# the rest goes to a .dwo file (which usyms never opens: a seed of its own).
$CC $common -g -gsplit-dwarf -nostdlib -static -no-pie $link tiny.c -o split
cp split "$out/split"
cp ./*.dwo "$out/dwo"
# A shared object stripped of .symtab and DWARF, which .dynsym, the
# build-id note and .gnu_debuglink are left to describe.
$CC $common -g -nostdlib -shared -fPIC $link tiny.c -o libtiny.so
objcopy --only-keep-debug libtiny.so libtiny.so.debug
objcopy --strip-all --add-gnu-debuglink=libtiny.so.debug libtiny.so \
	"$out/stripped.so"
# What a separate debug file looks like: SHT_NOBITS code, kept notes,
# DWARF compressed.
objcopy --compress-debug-sections=zlib libtiny.so.debug "$out/debug"
# ELF32 (x32), for the other class.
objcopy -O elf32-x86-64 "$out/exec" "$out/elf32"
ls -l "$out"
