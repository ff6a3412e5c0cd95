// SPDX-License-Identifier: GPL-2.0
// Tests for src/util/signame.c against glibc's sigabbrev_np(), which the
// unit tests can call (they link glibc; the musl build has no such call).
#include <signal.h>
#include <string.h>
#include "util/signame.h"
#include "tap.h"

int main(void)
{
	for (int sig = -1; sig <= 70; sig++) {
		const char *want = sigabbrev_np(sig), *got = sig_abbrev(sig);

		/* glibc names 29 after SIGPOLL; kill -l and the kernel's
		 * own header name it SIGIO, as memtrace does. */
		if (sig == SIGIO)
			want = "IO";
		ok((!want && !got) || (want && got && !strcmp(want, got)),
		   "signal %d: %s (glibc: %s)", sig, got ? got : "none",
		   want ? want : "none");
	}
	return tap_done();
}
