/* SPDX-License-Identifier: GPL-2.0 */
/* Messages on stderr, prefixed "memtrace <cmd>: ". */
#ifndef MEMTRACE_LOG_H
#define MEMTRACE_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <bpf/libbpf.h>

#define PRINTF(a, b) __attribute__((format(printf, a, b)))

void log_set_cmd(const char *cmd);
void log_set_verbose(int level);
int log_verbose(void);

/* An error the command cannot go on from. */
void log_err(const char *fmt, ...) PRINTF(1, 2);
void log_warn(const char *fmt, ...) PRINTF(1, 2);
/* Something the user should know, not an error ("process 12 has exited"). */
void log_note(const char *fmt, ...) PRINTF(1, 2);
/* Shown only with -v. */
void log_info(const char *fmt, ...) PRINTF(1, 2);
/* A usage error: prints one line with a hint to --help; returns 2. */
int log_usage(const char *fmt, ...) PRINTF(1, 2);

/* calloc(n, size); on failure, the error "out of memory" and NULL. */
void *log_calloc(size_t n, size_t size);

/* Installed with libbpf_set_print(): libbpf speaks only with -v. */
int log_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap);

#endif /* MEMTRACE_LOG_H */
