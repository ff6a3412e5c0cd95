/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading an HTTP/1.x request (RFC 9112) from bytes a client sent: the
 * request line and the header fields, nothing of a body (serve answers
 * GET and HEAD only). Every byte comes from the network: the reader has
 * hard limits, copies nothing it cannot bound, and never reads past len.
 * Fuzzed by tests/fuzz/fuzz_http.c.
 */
#ifndef MEMTRACE_SERVE_HTTPREQ_H
#define MEMTRACE_SERVE_HTTPREQ_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_MAX_HEAD	8192	/* request line and headers, in bytes */
#define HTTP_MAX_FIELDS	64	/* header fields */

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_OTHER };

struct http_request {
	enum http_method method;
	const char *target;		/* into the bytes given; not
					 * NUL-terminated */
	size_t target_len;
	int minor;			/* HTTP/1.minor */
	const char *accept;		/* the first Accept field's value, or
					 * NULL */
	size_t accept_len;
	bool keep_alive;		/* the connection may serve another
					 * request after this one */
	bool has_body;			/* Content-Length > 0, or
					 * Transfer-Encoding */
};

/*
 * The request at the start of buf (len bytes): its head's length once the
 * blank line that ends it has come; 0 while it may still come (len below
 * HTTP_MAX_HEAD); or, for a request that cannot be served, the negative
 * HTTP status to answer: -400 (malformed), -431 (head too large or too
 * many fields), -505 (not HTTP/1.x).
 */
int http_parse_request(const char *buf, size_t len, struct http_request *r);

/*
 * The target's path ("/debug/pprof/heap" of "/debug/pprof/heap?pid=1")
 * and the value of query parameter name: *val and *val_len, or false when
 * it is not there. The value is as sent (not percent-decoded).
 */
size_t http_path_len(const struct http_request *r);
bool http_query(const struct http_request *r, const char *name,
		const char **val, size_t *val_len);

/* Whether the Accept value prefers OpenMetrics 1.0 to Prometheus's text
 * format 0.0.4 (by q-value, then by order). */
bool http_accepts_openmetrics(const char *accept, size_t len);

#endif /* MEMTRACE_SERVE_HTTPREQ_H */
