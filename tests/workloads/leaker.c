// SPDX-License-Identifier: GPL-2.0
/*
 * Workload for memtrace leak: allocations whose outstanding bytes are known
 * exactly. Each leaking call has a marker comment (LEAK:<name>) that the
 * tests read to learn its line. Built -O0 -g: frame pointers, DWARF lines.
 *
 *   leaker [-w] MODE...   -w: wait for SIGUSR1 before, and for SIGTERM
 *                         after, printing "ready" and "done" (for -p)
 *
 *   kinds     each allocator entry point leaks 30000 bytes once, from a
 *             function named leak_<kind> (pvalloc: rounded to pages);
 *             every kind also allocates and frees a block that must not show
 *   noleak    every kind allocates and frees, many times
 *   threads   two threads at once, each 100 x malloc(4000), leaked
 *   nested    malloc(1 MiB), which glibc serves with mmap; leaked
 *   realloc   realloc(NULL, 1000) grown to 20000, leaked; realloc(p, 0)
 *             frees; a failing realloc keeps its 3000-byte block
 *   munmap    mmap of 10 pages with the 3rd unmapped (36864 bytes left);
 *             mmap of 4 pages moved by mremap to 8 (32768)
 *   nofp      malloc(5000) from a function without a frame pointer
 *   both      one call site (a call through a pointer, in a loop) makes a
 *             20000-byte block with malloc and a 40960-byte mapping with
 *             mmap: one stack, two kinds
 *   badfp     malloc(7000) from a function whose frame pointer leads to a
 *             "return address" that cannot be one (0x3c20782064616572)
 *   loop N    N x (malloc(64), free), then "ns_per_pair X": for the benchmark
 *   graceful  10 x malloc(1 MiB), "ready"; on SIGINT, 0.5 s of shutdown
 *             that frees them all, then exit 0 (a later SIGINT is ignored)
 *   deaf      "ready", then runs on, ignoring SIGINT, until SIGTERM
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define LEAK 30000
#define PAGE 4096

static volatile sig_atomic_t got_usr1, got_term;
static void *keep[64];
static int nkeep;

/* The pointers stay reachable, so the compiler keeps every call. */
static void hold(void *p)
{
	if (nkeep < 64)
		keep[nkeep++] = p;
}

__attribute__((noinline)) void leak_malloc(void)
{
	hold(malloc(LEAK)); /* LEAK:malloc */
	free(malloc(100));
}

__attribute__((noinline)) void leak_calloc(void)
{
	hold(calloc(3, LEAK / 3)); /* LEAK:calloc */
	free(calloc(10, 10));
}

__attribute__((noinline)) void leak_realloc(void)
{
	hold(realloc(NULL, LEAK)); /* LEAK:realloc */
	free(realloc(malloc(10), 200));
}

__attribute__((noinline)) void leak_posix_memalign(void)
{
	void *p = NULL;

	if (posix_memalign(&p, 64, LEAK) == 0) /* LEAK:posix_memalign */
		hold(p);
	if (posix_memalign(&p, 64, 100) == 0)
		free(p);
	/* Fails (alignment not a power of two): nothing to record. */
	if (posix_memalign(&p, 3, 100) == 0)
		free(p);
}

__attribute__((noinline)) void leak_valloc(void)
{
	hold(valloc(LEAK)); /* LEAK:valloc */
	free(valloc(100));
}

__attribute__((noinline)) void leak_memalign(void)
{
	hold(memalign(128, LEAK)); /* LEAK:memalign */
	free(memalign(128, 100));
}

__attribute__((noinline)) void leak_pvalloc(void)
{
	hold(pvalloc(LEAK)); /* LEAK:pvalloc */
	free(pvalloc(100));
}

__attribute__((noinline)) void leak_aligned_alloc(void)
{
	hold(aligned_alloc(256, LEAK)); /* LEAK:aligned_alloc */
	free(aligned_alloc(256, 512));
}

__attribute__((noinline)) void leak_mmap(void)
{
	void *p = mmap(NULL, LEAK, PROT_READ | PROT_WRITE, /* LEAK:mmap */
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p != MAP_FAILED)
		hold(p);
	p = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED)
		munmap(p, 2 * PAGE);
	/* Fails (length 0): not a mapping. */
	mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static void kinds(void)
{
	leak_malloc();
	leak_calloc();
	leak_realloc();
	leak_posix_memalign();
	leak_valloc();
	leak_memalign();
	leak_pvalloc();
	leak_aligned_alloc();
	leak_mmap();
	free(NULL);
}

static void noleak(void)
{
	for (int i = 0; i < 100; i++) {
		void *p = NULL;

		free(malloc(100 + i));
		free(calloc(4, 100));
		free(realloc(malloc(10), 5000));
		free(reallocarray(NULL, 10, 100));
		if (!posix_memalign(&p, 64, 1000))
			free(p);
		free(aligned_alloc(64, 640));
		free(memalign(64, 100));
		free(valloc(100));
		free(pvalloc(100));
		free(malloc(1 << 20));		/* mmap'ed by malloc */
		p = mmap(NULL, 3 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
		if (p != MAP_FAILED)
			munmap(p, 3 * PAGE);
	}
}

static pthread_barrier_t barrier;

__attribute__((noinline)) static void *thread_leak(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&barrier);
	for (int i = 0; i < 100; i++) {
		volatile char *p = malloc(4000); /* LEAK:thread */

		p[0] = 1;
	}
	return NULL;
}

static void threads(void)
{
	pthread_t t[2];

	pthread_barrier_init(&barrier, NULL, 2);
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, thread_leak, NULL);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&barrier);
}

__attribute__((noinline)) void leak_nested(void)
{
	hold(malloc(1 << 20)); /* LEAK:nested */
}

__attribute__((noinline)) void leak_grown(void)
{
	char *p = realloc(NULL, 1000);

	p = realloc(p, 20000); /* LEAK:realloc_grow */
	hold(p);
}

__attribute__((noinline)) void leak_failed_realloc(void)
{
	char *p = malloc(3000); /* LEAK:realloc_kept */
	void *q = realloc(p, SIZE_MAX / 2);

	hold(q ? q : p);
	if (realloc(malloc(100), 0))	/* frees: returns NULL */
		abort();
}

__attribute__((noinline)) void leak_unmapped(void)
{
	char *p = mmap(NULL, 10 * PAGE, PROT_READ, /* LEAK:munmap */
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p != MAP_FAILED)
		munmap(p + 2 * PAGE, PAGE);
}

__attribute__((noinline)) void leak_remapped(void)
{
	char *p = mmap(NULL, 4 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	if (p != MAP_FAILED)
		hold(mremap(p, 4 * PAGE, 8 * PAGE, MREMAP_MAYMOVE)); /* LEAK:mremap */
}

/* mmap's prototype: malloc, called through it, reads its first argument. */
typedef void *(*alloc6)(void *, size_t, int, int, int, off_t);

__attribute__((noinline)) void *leak_both(alloc6 f, void *a, size_t n)
{
	return f(a, n, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); /* LEAK:both */
}

static void both_kinds(void)
{
	for (int k = 0; k < 2; k++)
		hold(leak_both(k ? (alloc6)mmap : (alloc6)(void *)malloc,
			       k ? NULL : (void *)20000, k ? 10 * PAGE : 0));
}

/* No frame pointer and no DWARF frame: only the return address says who
 * called malloc. */
void *leak_nofp(size_t n);
__asm__(".text\n"
	".globl leak_nofp\n"
	".type leak_nofp, @function\n"
	"leak_nofp:\n"
	"	sub $8, %rsp\n"
	"	call malloc@PLT\n"
	"	add $8, %rsp\n"
	"	ret\n"
	".size leak_nofp, .-leak_nofp\n");

/* A frame whose saved frame pointer is 0 (the walk's end) and whose
 * return address is non-canonical, as data read as a frame looks. */
uint64_t bad_frame[2] = { 0, 0x3c20782064616572ULL };

/* malloc(n) with %rbp at bad_frame: a frame-pointer walk from malloc's
 * return finds leak_badfp, then the bad address. */
void *leak_badfp(size_t n);
__asm__(".text\n"
	".globl leak_badfp\n"
	".type leak_badfp, @function\n"
	"leak_badfp:\n"
	"	push %rbp\n"
	"	lea bad_frame(%rip), %rbp\n"
	"	call malloc@PLT\n"
	"	pop %rbp\n"
	"	ret\n"
	".size leak_badfp, .-leak_badfp\n");

/* Prints the time per malloc/free pair, measured here so that starting
 * the program (or the tracer) is not in it. */
static void loop(long n)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		void *p = malloc(64);

		__asm__ volatile("" : : "r"(p) : "memory");
		free(p);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("ns_per_pair %.1f\n", n > 0 ? ((b.tv_sec - a.tv_sec) * 1e9 +
					       (b.tv_nsec - a.tv_nsec)) / n : 0.0);
}

static volatile sig_atomic_t got_int;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_usr1 = 1;
	else if (sig == SIGINT)
		got_int = 1;
	else
		got_term = 1;
}

/* A server's Ctrl-C: it takes a while, and frees what it holds. */
static void graceful(const sigset_t *none)
{
	struct timespec half = { 0, 500 * 1000 * 1000 };
	void *blocks[10];
	sigset_t intr;

	sigemptyset(&intr);
	sigaddset(&intr, SIGINT);
	sigprocmask(SIG_BLOCK, &intr, NULL);
	for (int i = 0; i < 10; i++)
		blocks[i] = malloc(1 << 20);
	signal(SIGINT, on_signal);
	printf("ready\n");
	fflush(stdout);
	while (!got_int)
		sigsuspend(none);
	signal(SIGINT, SIG_IGN);
	nanosleep(&half, NULL);
	for (int i = 0; i < 10; i++)
		free(blocks[i]);
	printf("freed\n");
	fflush(stdout);
}

static void deaf(const sigset_t *none)
{
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	printf("ready\n");
	fflush(stdout);
	for (;;)
		sigsuspend(none);
}

int main(int argc, char **argv)
{
	int wait = argc > 1 && !strcmp(argv[1], "-w");
	sigset_t none, both;

	/* Blocked but for sigsuspend(), so that none is missed. */
	sigemptyset(&none);
	sigemptyset(&both);
	sigaddset(&both, SIGUSR1);
	sigaddset(&both, SIGTERM);
	sigprocmask(SIG_BLOCK, &both, NULL);
	signal(SIGUSR1, on_signal);
	signal(SIGTERM, on_signal);
	if (wait) {
		printf("ready %d\n", getpid());
		fflush(stdout);
		while (!got_usr1)
			sigsuspend(&none);
	}
	for (int i = 1 + wait; i < argc; i++) {
		const char *m = argv[i];

		if (!strcmp(m, "kinds"))
			kinds();
		else if (!strcmp(m, "noleak"))
			noleak();
		else if (!strcmp(m, "threads"))
			threads();
		else if (!strcmp(m, "nested"))
			leak_nested();
		else if (!strcmp(m, "realloc")) {
			leak_grown();
			leak_failed_realloc();
		} else if (!strcmp(m, "munmap")) {
			leak_unmapped();
			leak_remapped();
		} else if (!strcmp(m, "nofp")) {
			hold(leak_nofp(5000));
		} else if (!strcmp(m, "both")) {
			both_kinds();
		} else if (!strcmp(m, "badfp")) {
			hold(leak_badfp(7000));
		} else if (!strcmp(m, "graceful")) {
			graceful(&none);
		} else if (!strcmp(m, "deaf")) {
			deaf(&none);
		} else if (!strcmp(m, "loop") && i + 1 < argc) {
			loop(atol(argv[++i]));
		} else {
			fprintf(stderr, "leaker: unknown mode '%s'\n", m);
			return 2;
		}
	}
	if (wait) {
		printf("done\n");
		fflush(stdout);
		while (!got_term)
			sigsuspend(&none);
	}
	return 0;
}
