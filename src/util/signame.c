// SPDX-License-Identifier: GPL-2.0
#include <signal.h>
#include <stddef.h>
#include "util/signame.h"

/* By the C library's numbers, which are the kernel's for this
 * architecture (SIGSTKFLT exists on x86, not everywhere). */
static const char *const names[] = {
	[SIGHUP] = "HUP",	[SIGINT] = "INT",	[SIGQUIT] = "QUIT",
	[SIGILL] = "ILL",	[SIGTRAP] = "TRAP",	[SIGABRT] = "ABRT",
	[SIGBUS] = "BUS",	[SIGFPE] = "FPE",	[SIGKILL] = "KILL",
	[SIGUSR1] = "USR1",	[SIGSEGV] = "SEGV",	[SIGUSR2] = "USR2",
	[SIGPIPE] = "PIPE",	[SIGALRM] = "ALRM",	[SIGTERM] = "TERM",
#ifdef SIGSTKFLT
	[SIGSTKFLT] = "STKFLT",
#endif
	[SIGCHLD] = "CHLD",	[SIGCONT] = "CONT",	[SIGSTOP] = "STOP",
	[SIGTSTP] = "TSTP",	[SIGTTIN] = "TTIN",	[SIGTTOU] = "TTOU",
	[SIGURG] = "URG",	[SIGXCPU] = "XCPU",	[SIGXFSZ] = "XFSZ",
	[SIGVTALRM] = "VTALRM",	[SIGPROF] = "PROF",	[SIGWINCH] = "WINCH",
	[SIGIO] = "IO",		[SIGPWR] = "PWR",	[SIGSYS] = "SYS",
};

const char *sig_abbrev(int sig)
{
	if (sig <= 0 || (size_t)sig >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[sig];
}
