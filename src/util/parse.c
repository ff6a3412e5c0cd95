// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include "util/parse.h"

/* Leading decimal digits of s; *end points past them. */
static int scan_digits(const char *s, const char **end, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = *p - '0';

		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*end = p;
	*out = v;
	return 0;
}

static int mul_checked(uint64_t a, uint64_t b, uint64_t *out)
{
	if (b && a > UINT64_MAX / b)
		return -ERANGE;
	*out = a * b;
	return 0;
}

int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	const char *end;
	uint64_t v;
	int err;

	err = scan_digits(s, &end, &v);
	if (err)
		return err;
	if (*end)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int parse_pid(const char *s, pid_t *out)
{
	uint64_t v;
	int err;

	/* pid_max is at most 2^22 (PID_MAX_LIMIT on 64-bit). */
	err = parse_u64(s, 1, INT_MAX, &v);
	if (err)
		return err;
	*out = (pid_t)v;
	return 0;
}

int parse_size(const char *s, uint64_t *out)
{
	/* Each a power of 1024 above the one before, either case. */
	static const char units[] = "KMGT";
	const char *end, *unit;
	uint64_t v, mult = 1;
	int err;

	err = scan_digits(s, &end, &v);
	if (err)
		return err;
	unit = *end ? strchr(units, toupper((unsigned char)*end)) : NULL;
	if (unit) {
		mult = 1ULL << (10 * (unit - units + 1));
		end++;
		if (*end == 'i')
			end++;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end)
		return -EINVAL;
	return mul_checked(v, mult, out);
}

/* value * unit, where value is "int[.frac]" split at the point. */
static int scale(uint64_t ipart, const char *frac, size_t nfrac, uint64_t unit,
		 uint64_t *out)
{
	uint64_t f = 0, div = 1, v;
	int err;

	err = mul_checked(ipart, unit, &v);
	if (err)
		return err;
	/* Digits beyond a nanosecond are dropped. */
	for (size_t i = 0; i < nfrac && i < 9; i++) {
		f = f * 10 + (frac[i] - '0');
		div *= 10;
	}
	if (f) {
		/* unit <= 3600e9 and f < div <= 1e9: no overflow in u64/128. */
		f = (uint64_t)((unsigned __int128)f * unit / div);
		if (v > UINT64_MAX - f)
			return -ERANGE;
		v += f;
	}
	*out = v;
	return 0;
}

int parse_duration(const char *s, uint64_t unit_ns, uint64_t *out_ns)
{
	static const struct {
		const char *name;
		uint64_t ns;
	} units[] = {
		{ "ns", 1 },
		{ "us", 1000 },
		{ "ms", NS_PER_MS },
		{ "s", NS_PER_SEC },
		{ "m", 60 * NS_PER_SEC },
		{ "h", 3600 * NS_PER_SEC },
	};
	const char *end, *frac = "";
	size_t nfrac = 0;
	uint64_t v;
	int err;

	err = scan_digits(s, &end, &v);
	if (err)
		return err;
	if (*end == '.') {
		frac = ++end;
		while (*end >= '0' && *end <= '9')
			end++;
		nfrac = end - frac;
		if (!nfrac)
			return -EINVAL;
	}
	if (!*end)
		return scale(v, frac, nfrac, unit_ns, out_ns);
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(end, units[i].name))
			return scale(v, frac, nfrac, units[i].ns, out_ns);
	return -EINVAL;
}
