/* SPDX-License-Identifier: GPL-2.0 */
/* procs' views: what a person (text) or a script (JSON) reads of the
 * collector's events. */
#ifndef MEMTRACE_PROCS_VIEWS_H
#define MEMTRACE_PROCS_VIEWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "procs/collector.h"
#include "util/json.h"

struct procs_view {
	bool json_out;
	long page_size;
	struct json json;
	uint64_t nexec, nexit;
};

void procs_view_init(struct procs_view *v, bool json);
/* The table's header (text only). */
void procs_view_header(struct procs_view *v);
/* One ring-buffer record: 0, or a failed write's negative errno. */
int procs_view_event(struct procs_view *v, const void *data, size_t size);
void procs_view_summary(struct procs_view *v, const struct procs_losses *l);
void procs_view_free(struct procs_view *v);

#endif /* MEMTRACE_PROCS_VIEWS_H */
