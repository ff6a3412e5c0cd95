// SPDX-License-Identifier: GPL-2.0
/*
 * Children with known lifecycles, one after the other, each reaped with
 * wait4() so that the kernel's own accounting is the ground truth:
 *
 *   lifecycle SCENARIO...
 *     code3     sleeps 50 ms, exits with code 3
 *     killed    blocks until the parent kills it with SIGKILL (after 20 ms)
 *     touch200  touches 200 MiB of anonymous memory, exits 0
 *     threads   the main thread leaves first (pthread_exit); a worker
 *               touches 8 MiB, sleeps 100 ms and calls exit(7)
 *     threadexec  a thread other than the leader execs /bin/true (the
 *               kernel gives it the leader's pid, without an exit event
 *               for its old tid)
 *     segv      dumps core on SIGSEGV (into a fresh directory under /tmp,
 *               removed again; core_pattern permitting)
 *     short     exits at once
 *     long50    sleeps 50 ms, exits 0
 *
 * Each child names itself "lc-SCENARIO". Per child the parent prints:
 *   child SCENARIO pid=P status=S maxrss_kb=K minflt=N majflt=N
 */
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts))
		;
}

static void touch(size_t bytes)
{
	char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(100);
	}
	for (size_t i = 0; i < bytes; i += 4096)
		p[i] = 1;
}

/* The segv child's core file and directory, whatever the file is called. */
static void remove_core_dirs(void)
{
	DIR *tmp = opendir("/tmp"), *d;
	struct dirent *de, *f;
	char path[512];

	while (tmp && (de = readdir(tmp))) {
		if (strncmp(de->d_name, "lifecycle.", 10))
			continue;
		snprintf(path, sizeof(path), "/tmp/%s", de->d_name);
		d = opendir(path);
		while (d && (f = readdir(d))) {
			char file[1024];

			snprintf(file, sizeof(file), "%s/%s", path, f->d_name);
			if (f->d_name[0] != '.')
				unlink(file);
		}
		if (d)
			closedir(d);
		rmdir(path);
	}
	if (tmp)
		closedir(tmp);
}

static void *worker(void *arg)
{
	(void)arg;
	touch(8 << 20);
	sleep_ms(100);
	exit(7);
}

static void *exec_true(void *arg)
{
	(void)arg;
	execl("/bin/true", "true", (char *)NULL);
	exit(103);
}

static void run_child(const char *name)
{
	pthread_t t;

	if (!strcmp(name, "code3")) {
		sleep_ms(50);
		exit(3);
	} else if (!strcmp(name, "killed")) {
		for (;;)
			pause();
	} else if (!strcmp(name, "touch200")) {
		touch(200 << 20);
		exit(0);
	} else if (!strcmp(name, "threads")) {
		if (pthread_create(&t, NULL, worker, NULL))
			exit(101);
		pthread_exit(NULL);
	} else if (!strcmp(name, "threadexec")) {
		if (pthread_create(&t, NULL, exec_true, NULL))
			exit(101);
		for (;;)
			pause();
	} else if (!strcmp(name, "segv")) {
		struct rlimit core = { RLIM_INFINITY, RLIM_INFINITY };
		char dir[] = "/tmp/lifecycle.XXXXXX";

		if (!mkdtemp(dir) || chdir(dir))
			exit(104);
		setrlimit(RLIMIT_CORE, &core);
		raise(SIGSEGV);
		exit(105);
	} else if (!strcmp(name, "short")) {
		exit(0);
	} else if (!strcmp(name, "long50")) {
		sleep_ms(50);
		exit(0);
	}
	fprintf(stderr, "lifecycle: unknown scenario '%s'\n", name);
	exit(102);
}

static long long mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/*
 * Per child, wait4()'s view, and the CLOCK_MONOTONIC times just before
 * its fork and just after its reaping: its lifetime, as any tracer's
 * clock (bpf_ktime_get_ns() is CLOCK_MONOTONIC) can see it, lies between.
 */
int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: lifecycle SCENARIO...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		long long forked, reaped;
		struct rusage ru;
		char comm[16];
		int status;
		pid_t pid;

		fflush(stdout);
		forked = mono_ns();
		pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			snprintf(comm, sizeof(comm), "lc-%s", argv[i]);
			prctl(PR_SET_NAME, comm);
			run_child(argv[i]);
		}
		if (!strcmp(argv[i], "killed")) {
			sleep_ms(20);
			kill(pid, SIGKILL);
		}
		if (wait4(pid, &status, 0, &ru) != pid) {
			perror("wait4");
			return 1;
		}
		reaped = mono_ns();
		if (!strcmp(argv[i], "segv"))
			remove_core_dirs();
		printf("child %s pid=%d status=%d maxrss_kb=%ld minflt=%ld majflt=%ld forked_ns=%lld reaped_ns=%lld\n",
		       argv[i], pid, status, ru.ru_maxrss, ru.ru_minflt,
		       ru.ru_majflt, forked, reaped);
	}
	return 0;
}
