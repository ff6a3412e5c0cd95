/* SPDX-License-Identifier: GPL-2.0 */
/*
 * serve's HTTP/1.1 server: a listening socket and its connections in the
 * event loop's epoll set, with hard limits (SERVER_MAX_CONNS connections,
 * HTTP_MAX_HEAD bytes of request head, SERVER_REQUEST_SECONDS to send a
 * request, SERVER_WRITE_SECONDS to take a response). Requests are read
 * by serve/httpreq.c and answered by a handler, one at a time.
 */
#ifndef MEMTRACE_SERVE_SERVER_H
#define MEMTRACE_SERVE_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "serve/httpreq.h"

#define SERVER_MAX_CONNS	64
#define SERVER_REQUEST_SECONDS	5
#define SERVER_WRITE_SECONDS	10

/* What epoll's data.ptr points at: the object's handler first. */
struct ev_src {
	void (*ready)(struct ev_src *s, uint32_t events);
};

struct http_response {
	int status;
	const char *content_type;
	const char *extra;		/* more header lines, each ending in
					 * CRLF, or NULL */
	char *body;			/* malloc'ed, freed by the server */
	size_t len;
};

/* Fills resp for r (body malloc'ed, or NULL for none). */
typedef void (*http_handler)(void *ctx, const struct http_request *r,
			     struct http_response *resp);

struct http_server;

/* Listens on addr, adding itself to epfd: NULL after an error naming the
 * address. */
struct http_server *http_server_open(const struct sockaddr *addr,
				     socklen_t addrlen, int epfd,
				     http_handler handler, void *ctx);
void http_server_close(struct http_server *s);
/* Ends connections past their deadline; returns how many ms until the
 * next deadline (at most max_ms). Call it before each epoll_wait(): the
 * connections closed while the last batch of events was handled are
 * freed here. */
int http_server_expire(struct http_server *s, int max_ms);
/* The listening socket. */
int http_server_fd(const struct http_server *s);
/* Connections open now. */
size_t http_server_conns(const struct http_server *s);

/* A response whose body is text (copied); 0 or -ENOMEM. */
int http_text(struct http_response *resp, int status, const char *text);

#endif /* MEMTRACE_SERVE_SERVER_H */
