// SPDX-License-Identifier: GPL-2.0
/*
 * The HTTP/1.x request head (RFC 9112 section 2-5): request-line CRLF,
 * then field-name ":" OWS field-value OWS CRLF lines, then CRLF. A bare
 * LF ends a line too, as RFC 9112 section 2.2 lets a recipient accept.
 */
#include <string.h>
#include <strings.h>
#include "serve/httpreq.h"

/* RFC 9110 section 5.6.2: tchar. */
static bool is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* The end of the head: the index just past its blank line, or 0. */
static size_t head_end(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (i + 1 < len && buf[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* One line [p, end) without its CR LF: its length; *next after it. */
static size_t line(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', end - p);
	size_t n;

	if (!nl)
		nl = end;
	*next = nl < end ? nl + 1 : end;
	n = nl - p;
	return n && p[n - 1] == '\r' ? n - 1 : n;
}

static bool eq(const char *p, size_t n, const char *s)
{
	return n == strlen(s) && !strncasecmp(p, s, n);
}

/* METHOD SP request-target SP HTTP/1.x */
static int request_line(const char *p, size_t n, struct http_request *r)
{
	const char *sp1 = memchr(p, ' ', n), *sp2, *ver;
	size_t mlen;

	if (!sp1 || sp1 == p)
		return -400;
	mlen = sp1 - p;
	for (size_t i = 0; i < mlen; i++)
		if (!is_tchar(p[i]))
			return -400;
	r->method = mlen == 3 && !memcmp(p, "GET", 3) ? HTTP_GET :
		    mlen == 4 && !memcmp(p, "HEAD", 4) ? HTTP_HEAD : HTTP_OTHER;
	r->target = sp1 + 1;
	sp2 = memchr(r->target, ' ', p + n - r->target);
	if (!sp2 || sp2 == r->target)
		return -400;
	r->target_len = sp2 - r->target;
	/* origin-form only: serve has no proxy to be. */
	if (r->target[0] != '/')
		return -400;
	for (size_t i = 0; i < r->target_len; i++)
		if ((unsigned char)r->target[i] <= ' ' || r->target[i] == 0x7f)
			return -400;
	ver = sp2 + 1;
	if (p + n - ver != 8 || memcmp(ver, "HTTP/", 5) || ver[6] != '.' ||
	    ver[5] < '0' || ver[5] > '9' || ver[7] < '0' || ver[7] > '9')
		return -400;
	if (ver[5] != '1')
		return -505;
	r->minor = ver[7] - '0';
	r->keep_alive = r->minor >= 1;
	return 0;
}

/* A field-value's words: "close", "keep-alive" (Connection). */
static bool has_token(const char *v, size_t n, const char *tok)
{
	size_t len = strlen(tok);

	for (size_t i = 0; i + len <= n; i++)
		if (!strncasecmp(v + i, tok, len) &&
		    (i == 0 || v[i - 1] == ',' || v[i - 1] == ' ') &&
		    (i + len == n || v[i + len] == ',' || v[i + len] == ' '))
			return true;
	return false;
}

static int field(const char *p, size_t n, struct http_request *r)
{
	const char *colon = memchr(p, ':', n), *v, *end = p + n;

	/* No name, or whitespace before the colon (RFC 9112 5.1), or a
	 * line folded onto the one before (obs-fold, 5.2). */
	if (!colon || colon == p)
		return -400;
	for (const char *c = p; c < colon; c++)
		if (!is_tchar(*c))
			return -400;
	for (v = colon + 1; v < end && (*v == ' ' || *v == '\t'); v++)
		;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	for (const char *c = v; c < end; c++)
		if (((unsigned char)*c < ' ' && *c != '\t') || *c == 0x7f)
			return -400;
	if (eq(p, colon - p, "accept") && !r->accept) {
		r->accept = v;
		r->accept_len = end - v;
	} else if (eq(p, colon - p, "connection")) {
		if (has_token(v, end - v, "close"))
			r->keep_alive = false;
		else if (has_token(v, end - v, "keep-alive"))
			r->keep_alive = true;
	} else if (eq(p, colon - p, "transfer-encoding")) {
		r->has_body = true;
	} else if (eq(p, colon - p, "content-length")) {
		if (v == end)
			return -400;
		for (const char *c = v; c < end; c++) {
			if (*c < '0' || *c > '9')
				return -400;
			if (*c != '0')
				r->has_body = true;
		}
	}
	return 0;
}

int http_parse_request(const char *buf, size_t len, struct http_request *r)
{
	const char *p = buf, *end, *next;
	size_t head, n;
	int err, nfields = 0;

	memset(r, 0, sizeof(*r));
	/* RFC 9112 2.2: empty lines before the request line are ignored. */
	while (len && (*p == '\r' || *p == '\n') && p - buf < HTTP_MAX_HEAD) {
		p++;
		len--;
	}
	head = head_end(p, len < HTTP_MAX_HEAD ? len : HTTP_MAX_HEAD);
	if (!head)
		return len >= HTTP_MAX_HEAD || p - buf + len >= HTTP_MAX_HEAD ?
			       -431 : 0;
	if (p - buf + head > HTTP_MAX_HEAD)
		return -431;
	end = p + head;
	n = line(p, end, &next);
	if ((err = request_line(p, n, r)))
		return err;
	for (p = next; p < end; p = next) {
		n = line(p, end, &next);
		if (!n)
			break;		/* the blank line */
		if (++nfields > HTTP_MAX_FIELDS)
			return -431;
		if (*p == ' ' || *p == '\t' || (err = field(p, n, r)))
			return -400;
	}
	return (int)(end - buf);
}

size_t http_path_len(const struct http_request *r)
{
	const char *q = memchr(r->target, '?', r->target_len);

	return q ? (size_t)(q - r->target) : r->target_len;
}

bool http_query(const struct http_request *r, const char *name,
		const char **val, size_t *val_len)
{
	size_t path = http_path_len(r), nlen = strlen(name);
	const char *p = r->target + path, *end = r->target + r->target_len;

	if (p == end)
		return false;
	for (p++; p < end;) {
		const char *amp = memchr(p, '&', end - p), *pend = amp ? amp : end;

		if ((size_t)(pend - p) > nlen && !memcmp(p, name, nlen) &&
		    p[nlen] == '=') {
			*val = p + nlen + 1;
			*val_len = pend - *val;
			return true;
		}
		if (!amp)
			break;
		p = amp + 1;
	}
	return false;
}

/* c in [p, end), or NULL. */
static const char *find(const char *p, const char *end, char c)
{
	return p < end ? memchr(p, c, end - p) : NULL;
}

/* Skips spaces and tabs from p, not past end. */
static const char *skip_ows(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* q=0.5 as thousandths (RFC 9110 12.4.2: at most three decimals). */
static int qvalue(const char *v, size_t n)
{
	int q = 0, scale = 1000;

	if (!n || (v[0] != '0' && v[0] != '1'))
		return 1000;
	q = (v[0] - '0') * 1000;
	for (size_t i = 2; i < n && i < 5 && v[1] == '.'; i++) {
		if (v[i] < '0' || v[i] > '9')
			break;
		scale /= 10;
		q += (v[i] - '0') * scale;
	}
	return q > 1000 ? 1000 : q;
}

struct media {
	bool om, text;			/* what it names */
	int q;				/* thousandths */
};

/* One media range "type/subtype;version=x;q=y" of [p, end). */
static struct media media_range(const char *p, const char *end)
{
	const char *semi = find(p, end, ';'), *tend = semi ? semi : end;
	struct media m = { .q = 1000 };
	const char *ver = NULL;
	size_t ver_len = 0;

	while (tend > p && (tend[-1] == ' ' || tend[-1] == '\t'))
		tend--;
	while (semi) {
		const char *par = skip_ows(semi + 1, end), *eqs, *pend;

		semi = find(par, end, ';');
		pend = semi ? semi : end;
		while (pend > par && (pend[-1] == ' ' || pend[-1] == '\t'))
			pend--;
		if (!(eqs = find(par, pend, '=')))
			continue;
		if (eq(par, eqs - par, "q"))
			m.q = qvalue(eqs + 1, pend - eqs - 1);
		else if (eq(par, eqs - par, "version")) {
			ver = eqs + 1;
			ver_len = pend - ver;
		}
	}
	if (eq(p, tend - p, "application/openmetrics-text"))
		m.om = !ver || eq(ver, ver_len, "1.0.0");
	else if (eq(p, tend - p, "text/plain"))
		m.text = !ver || eq(ver, ver_len, "0.0.4");
	else
		m.text = eq(p, tend - p, "text/*") || eq(p, tend - p, "*/*");
	return m;
}

bool http_accepts_openmetrics(const char *accept, size_t len)
{
	const char *p = accept, *end = accept + len;
	int om_q = 0, text_q = 0, om_first = 0, text_first = 0, i = 0;

	while (p && p < end) {
		const char *comma = find(p, end, ',');
		struct media m = media_range(skip_ows(p, end), comma ? comma : end);

		i++;
		if (m.om && m.q > om_q) {
			om_q = m.q;
			om_first = i;
		}
		if (m.text && m.q > text_q) {
			text_q = m.q;
			text_first = i;
		}
		p = comma ? comma + 1 : NULL;
	}
	return om_q && (om_q > text_q || (om_q == text_q && om_first < text_first));
}
