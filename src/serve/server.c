// SPDX-License-Identifier: GPL-2.0
/* serve's HTTP/1.1 connections: reading requests, writing responses. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include "core/log.h"
#include "core/loop.h"
#include "serve/server.h"

#define NS_PER_SEC 1000000000ULL

struct conn {
	struct ev_src src;
	struct http_server *srv;
	int fd;
	char in[HTTP_MAX_HEAD];
	size_t in_len;
	char *out;			/* the response being written */
	size_t out_len, out_off;
	bool close_after;		/* once out is written */
	uint64_t deadline;		/* CLOCK_MONOTONIC ns */
	struct conn *prev, *next;
};

struct http_server {
	struct ev_src src;
	int fd, epfd;
	http_handler handler;
	void *ctx;
	struct conn *conns;
	size_t nconns;
	/* Closed, but events of the same epoll_wait() batch may still point
	 * at them: freed before the next wait. */
	struct conn *dead;
};

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Internal Server Error";
	}
}

int http_text(struct http_response *resp, int status, const char *text)
{
	resp->status = status;
	resp->content_type = "text/plain; charset=utf-8";
	resp->body = strdup(text);
	resp->len = resp->body ? strlen(text) : 0;
	return resp->body ? 0 : -ENOMEM;
}

static void conn_free(struct conn *c)
{
	struct http_server *s = c->srv;

	epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nconns--;
	free(c->out);
	c->out = NULL;
	c->next = s->dead;
	s->dead = c;
}

static void free_dead(struct http_server *s)
{
	while (s->dead) {
		struct conn *c = s->dead;

		s->dead = c->next;
		free(c);
	}
}

static void want(struct conn *c, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = &c->src };

	epoll_ctl(c->srv->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Writes what it can; false when the connection is gone. */
static bool flush_out(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			want(c, EPOLLOUT);
			return true;
		}
		if (n <= 0) {
			conn_free(c);
			return false;
		}
		c->out_off += n;
	}
	free(c->out);
	c->out = NULL;
	if (c->close_after) {
		conn_free(c);
		return false;
	}
	c->deadline = mono_ns() + SERVER_REQUEST_SECONDS * NS_PER_SEC;
	want(c, EPOLLIN);
	return true;
}

/* The response's head and (but for HEAD) body, queued and sent. */
static bool respond(struct conn *c, struct http_response *r, bool head_only)
{
	char head[512];
	int n;

	if (!r->body)
		r->len = 0;
	n = snprintf(head, sizeof(head),
		     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		     "Cache-Control: no-store\r\n%sConnection: %s\r\n\r\n",
		     r->status, reason(r->status),
		     r->content_type ? r->content_type : "text/plain; charset=utf-8",
		     r->len, r->extra ? r->extra : "",
		     c->close_after ? "close" : "keep-alive");
	c->out = malloc(n + (head_only ? 0 : r->len));
	if (!c->out) {
		free(r->body);
		conn_free(c);
		return false;
	}
	memcpy(c->out, head, n);
	if (!head_only && r->len)
		memcpy(c->out + n, r->body, r->len);
	c->out_len = n + (head_only ? 0 : r->len);
	c->out_off = 0;
	free(r->body);
	c->deadline = mono_ns() + SERVER_WRITE_SECONDS * NS_PER_SEC;
	return flush_out(c);
}

/* An error answered, and the connection closed after it. */
static bool fail(struct conn *c, int status, const char *text)
{
	struct http_response r = {};

	c->close_after = true;
	http_text(&r, status, text);
	r.status = status;
	return respond(c, &r, false);
}

/* The requests buffered: answered one by one while no response waits. */
static void serve_requests(struct conn *c)
{
	struct http_request req;
	struct http_response resp;
	int n;

	while (!c->out && c->in_len) {
		n = http_parse_request(c->in, c->in_len, &req);
		if (n == 0)
			return;
		if (n < 0) {
			fail(c, -n, n == -431 ? "request head too large\n" :
				    n == -505 ? "HTTP/1.x only\n" :
						"malformed request\n");
			return;
		}
		memset(&resp, 0, sizeof(resp));
		c->close_after = !req.keep_alive || req.has_body;
		if (req.has_body)
			http_text(&resp, 400, "a request body is not expected\n");
		else if (req.method == HTTP_OTHER) {
			http_text(&resp, 405, "only GET and HEAD\n");
			resp.extra = "Allow: GET, HEAD\r\n";
		} else
			c->srv->handler(c->srv->ctx, &req, &resp);
		/* The request's bytes go before its response is sent. */
		memmove(c->in, c->in + n, c->in_len - n);
		c->in_len -= n;
		if (!respond(c, &resp, req.method == HTTP_HEAD))
			return;
	}
}

static void conn_ready(struct ev_src *src, uint32_t events)
{
	struct conn *c = (struct conn *)src;
	ssize_t n;

	if (c->fd < 0)
		return;		/* closed earlier in this batch */
	if (events & EPOLLOUT) {
		if (!flush_out(c))
			return;
		serve_requests(c);
		return;
	}
	if (c->out)
		return;
	n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_free(c);
		return;
	}
	c->in_len += n;
	serve_requests(c);
}

/*
 * All SERVER_MAX_CONNS are taken: connections whose client has gone (its
 * end of file not read yet) are closed, else the oldest that has sent
 * nothing since its last answer, so that a scraper is not refused while
 * idle or abandoned connections hold every place. False: none could go.
 */
static bool make_room(struct http_server *s)
{
	struct conn *c, *n, *idle = NULL;
	char byte;

	for (c = s->conns; c; c = n) {
		n = c->next;
		if (!c->out && recv(c->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0)
			conn_free(c);
		else if (!c->out && !c->in_len)
			idle = c;	/* the list is newest first */
	}
	if (s->nconns < SERVER_MAX_CONNS)
		return true;
	if (idle)
		conn_free(idle);
	return idle != NULL;
}

static void accept_ready(struct ev_src *src, uint32_t events)
{
	struct http_server *s = (struct http_server *)src;
	struct epoll_event ev = { .events = EPOLLIN };
	struct conn *c;
	int fd;

	(void)events;
	while ((fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		c = s->nconns < SERVER_MAX_CONNS || make_room(s) ?
			    calloc(1, sizeof(*c)) : NULL;
		if (!c) {
			/* Full: one line, and the connection closed. */
			static const char busy[] =
				"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
				"Connection: close\r\n\r\n";

			if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
				log_info("a connection refused: %s", strerror(errno));
			close(fd);
			continue;
		}
		*c = (struct conn){ .src.ready = conn_ready, .srv = s, .fd = fd,
				    .deadline = mono_ns() +
						SERVER_REQUEST_SECONDS * NS_PER_SEC,
				    .next = s->conns };
		ev.data.ptr = &c->src;
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev)) {
			close(fd);
			free(c);
			continue;
		}
		if (s->conns)
			s->conns->prev = c;
		s->conns = c;
		s->nconns++;
	}
}

struct http_server *http_server_open(const struct sockaddr *addr,
				     socklen_t addrlen, int epfd,
				     http_handler handler, void *ctx)
{
	struct http_server *s = calloc(1, sizeof(*s));
	struct epoll_event ev = { .events = EPOLLIN };
	int one = 1;

	if (!s)
		return NULL;
	*s = (struct http_server){ .src.ready = accept_ready, .epfd = epfd,
				   .handler = handler, .ctx = ctx };
	s->fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ev.data.ptr = &s->src;
	if (s->fd < 0 ||
	    setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(s->fd, addr, addrlen) || listen(s->fd, 128) ||
	    epoll_ctl(epfd, EPOLL_CTL_ADD, s->fd, &ev)) {
		int err = errno;

		if (s->fd >= 0)
			close(s->fd);
		free(s);
		errno = err;
		return NULL;
	}
	return s;
}

void http_server_close(struct http_server *s)
{
	if (!s)
		return;
	while (s->conns)
		conn_free(s->conns);
	free_dead(s);
	close(s->fd);
	free(s);
}

int http_server_expire(struct http_server *s, int max_ms)
{
	uint64_t now = mono_ns(), next = now + (uint64_t)max_ms * 1000000;
	struct conn *c, *n;

	/* The loop calls this before each wait: the last batch is done. */
	free_dead(s);
	c = s->conns;
	for (; c; c = n) {
		n = c->next;
		if (c->deadline > now) {
			if (c->deadline < next)
				next = c->deadline;
			continue;
		}
		/* A request begun but not finished in time is told so. */
		if (!c->out && c->in_len)
			fail(c, 408, "request not received in time\n");
		else
			conn_free(c);
	}
	return (int)((next - now + 999999) / 1000000);
}

size_t http_server_conns(const struct http_server *s)
{
	return s->nconns;
}

int http_server_fd(const struct http_server *s)
{
	return s->fd;
}
