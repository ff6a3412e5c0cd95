// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "util/fmt.h"

char *fmt_u64(char *buf, uint64_t v)
{
	char tmp[20];
	int n = 0, i = 0;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n)
		buf[i++] = tmp[--n];
	buf[i] = '\0';
	return buf;
}

char *fmt_i64(char *buf, int64_t v)
{
	if (v >= 0)
		return fmt_u64(buf, v);
	buf[0] = '-';
	fmt_u64(buf + 1, -(uint64_t)v);
	return buf;
}

char *fmt_hex16(char *buf, uint64_t v)
{
	for (int i = 15; i >= 0; i--, v >>= 4)
		buf[i] = "0123456789abcdef"[v & 15];
	buf[16] = '\0';
	return buf;
}

char *fmt_size(char *buf, size_t len, uint64_t bytes)
{
	static const char units[] = "KMGTPE";
	double v = bytes, shown;
	int u = -1;

	if (bytes < 1024) {
		snprintf(buf, len, "%uB", (unsigned)bytes);
		return buf;
	}
	while (u < 5 && v >= 1024) {
		v /= 1024;
		u++;
	}
	/* Decide on the value as printed: 9.96K is "10K", 1023.96K "1.0M". */
	shown = v < 9.95 ? round(v * 10) / 10 : round(v);
	if (u < 5 && shown >= 1024) {
		v /= 1024;
		u++;
		shown = round(v * 10) / 10;
	}
	if (shown < 10)
		snprintf(buf, len, "%.1f%c", shown, units[u]);
	else
		snprintf(buf, len, "%.0f%c", shown, units[u]);
	return buf;
}

char *fmt_clock(char *buf, size_t len, uint64_t wall_ns)
{
	time_t secs = wall_ns / 1000000000ULL;
	struct tm tm;

	if (!localtime_r(&secs, &tm) || !strftime(buf, len, "%H:%M:%S", &tm))
		snprintf(buf, len, "?");
	return buf;
}

char *fmt_clock_ms(char *buf, size_t len, uint64_t wall_ns)
{
	static uint64_t cached_sec = UINT64_MAX;
	static char cached[16];
	static size_t cached_len;
	unsigned ms = wall_ns % 1000000000ULL / 1000000;
	uint64_t sec = wall_ns / 1000000000ULL;

	if (sec != cached_sec) {
		fmt_clock(cached, sizeof(cached), wall_ns);
		cached_len = strlen(cached);
		cached_sec = sec;
	}
	if (len < cached_len + 5) {
		snprintf(buf, len, "%s", cached);
		return buf;
	}
	memcpy(buf, cached, cached_len);
	buf[cached_len] = '.';
	buf[cached_len + 1] = '0' + ms / 100;
	buf[cached_len + 2] = '0' + ms / 10 % 10;
	buf[cached_len + 3] = '0' + ms % 10;
	buf[cached_len + 4] = '\0';
	return buf;
}
