// SPDX-License-Identifier: GPL-2.0
/*
 * Workload for memtrace leak, C++: operator new and delete. Leaks exactly
 * 30000 bytes with new[] from leak_array() and one 4000-byte Widget from
 * Factory::make(); 1000 new/delete pairs of each kind must not show.
 * Markers LEAK:<name> give the tests the lines. With "throw", it catches
 * a std::bad_alloc instead.
 */
#include <cstdio>
#include <cstring>
#include <new>

struct Widget {
	char payload[4000];
};

struct Factory {
	__attribute__((noinline)) static Widget *make()
	{
		return new Widget(); // LEAK:widget
	}
};

__attribute__((noinline)) static char *leak_array()
{
	return new char[30000]; // LEAK:array
}

static void *volatile sink;

/* "throw": new of an impossible size throws std::bad_alloc, which the
 * program catches (a return probe on new would make that terminate). */
static int throw_and_catch()
{
	try {
		sink = new char[(size_t)1 << 62];
	} catch (const std::bad_alloc &) {
		std::puts("caught bad_alloc");
		return 0;
	}
	return 1;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !std::strcmp(argv[1], "throw"))
		return throw_and_catch();
	for (int i = 0; i < 1000; i++) {
		Widget *w = new Widget();
		char *a = new char[100 + i];
		int *n = new (std::nothrow) int(i);

		sink = w;
		delete w;
		delete[] a;
		delete n;
	}
	sink = Factory::make();
	sink = leak_array();
	return 0;
}
