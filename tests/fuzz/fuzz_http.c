// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness for serve's HTTP request reader (src/serve/httpreq.c)
 * and the label escaping of its metrics (src/serve/metrics.c): the input
 * is what a client sends, cut anywhere, and what a command name may hold.
 * A complete request's target, query and Accept are read as serve reads
 * them.
 *
 *   make fuzz		(FUZZ_HTTP_SRCS in the Makefile: what it links)
 *   .output/tests/fuzz/fuzz_http -max_total_time=60 tests/fuzz/corpus-http
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "serve/httpreq.h"
#include "serve/metrics.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_request(const char *buf, size_t len)
{
	struct http_request r;
	const char *v;
	size_t vlen;
	int n = http_parse_request(buf, len, &r);

	if (n <= 0)
		return;
	if ((size_t)n > len || r.target < buf ||
	    r.target + r.target_len > buf + n || http_path_len(&r) > r.target_len)
		abort();
	if (http_query(&r, "pid", &v, &vlen) &&
	    (v < r.target || v + vlen > r.target + r.target_len))
		abort();
	if (r.accept && (r.accept < buf || r.accept + r.accept_len > buf + n))
		abort();
	if (r.accept)
		http_accepts_openmetrics(r.accept, r.accept_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly size bytes: a read past it is ASan's to see. */
	char *buf = malloc(size ? size : 1), *label;
	struct metrics m;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	read_request(buf, size);
	/* Every prefix, as the bytes come in over a connection. */
	for (size_t cut = 1; cut < size && cut < 64; cut++)
		read_request(buf, cut);
	http_accepts_openmetrics(buf, size);
	/* The input as a label value: escaped, valid UTF-8 out. */
	label = strndup(buf, size);
	if (label) {
		metrics_init(&m, size & 1);
		metrics_u64(&m, "x", &(struct mlabel){ "comm", label }, 1, 1);
		free(label);
		metrics_free(&m);
	}
	free(buf);
	return 0;
}
