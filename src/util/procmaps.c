// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include "util/procfs.h"
#include "util/procmaps.h"

#define DELETED " (deleted)"

static int digit(char c, unsigned int base)
{
	unsigned int d;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	else
		return -1;
	return d < base ? (int)d : -1;
}

/*
 * A number in base at *p, then the character end ('\0': the end of the
 * line or a space): digits only (strtoull would take a sign, "0x" or
 * leading spaces), and no overflow.
 */
static bool number(char **p, unsigned int base, char end, uint64_t *v)
{
	char *s = *p;
	int d;

	*v = 0;
	if (digit(*s, base) < 0)
		return false;
	for (; (d = digit(*s, base)) >= 0; s++) {
		if (*v > (UINT64_MAX - d) / base)
			return false;
		*v = *v * base + d;
	}
	if (end ? *s != end : *s && *s != ' ' && *s != '\n')
		return false;
	*p = end ? s + 1 : s;
	return true;
}

static bool perms(char **p, char *out)
{
	const char *s = *p;

	if ((s[0] != 'r' && s[0] != '-') || (s[1] != 'w' && s[1] != '-') ||
	    (s[2] != 'x' && s[2] != '-') || (s[3] != 'p' && s[3] != 's') ||
	    s[4] != ' ')
		return false;
	memcpy(out, s, 4);
	out[4] = '\0';
	*p += 5;
	return true;
}

int procmaps_parse(char *line, struct procmaps_entry *e)
{
	uint64_t major, minor;
	char *p = line;
	size_t len;

	memset(e, 0, sizeof(*e));
	if (!number(&p, 16, '-', &e->start) ||
	    !number(&p, 16, ' ', &e->end) || e->end <= e->start ||
	    !perms(&p, e->perms) || !number(&p, 16, ' ', &e->offset) ||
	    !number(&p, 16, ':', &major) || !number(&p, 16, ' ', &minor) ||
	    major > UINT32_MAX || minor > UINT32_MAX ||
	    !number(&p, 10, '\0', &e->inode))
		return -EINVAL;
	e->dev = makedev(major, minor);
	while (*p == ' ')
		p++;
	len = strcspn(p, "\n");
	p[len] = '\0';
	maps_path_unescape(p);
	len = strlen(p);
	if (len > strlen(DELETED) &&
	    !strcmp(p + len - strlen(DELETED), DELETED)) {
		p[len - strlen(DELETED)] = '\0';
		e->deleted = true;
	}
	e->path = p;
	return 0;
}

int procmaps_open(struct procmaps *pm, pid_t pid)
{
	char path[64];

	memset(pm, 0, sizeof(*pm));
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	pm->f = fopen(path, "re");
	if (!pm->f)
		return errno == ENOENT ? -ESRCH : -errno;
	return 0;
}

int procmaps_next(struct procmaps *pm, struct procmaps_entry *e)
{
	while (getline(&pm->line, &pm->cap, pm->f) > 0)
		if (!procmaps_parse(pm->line, e))
			return 1;
	if (ferror(pm->f))
		return errno == ESRCH ? -ESRCH : -EIO;
	return 0;
}

void procmaps_close(struct procmaps *pm)
{
	if (pm->f)
		fclose(pm->f);
	free(pm->line);
	memset(pm, 0, sizeof(*pm));
}
