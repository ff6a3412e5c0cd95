/* SPDX-License-Identifier: GPL-2.0 */
/* Each command's option table and entry point (src/<cmd>/). */
#ifndef MEMTRACE_COMMANDS_H
#define MEMTRACE_COMMANDS_H

#include "filecache/filecache.h"
#include "kmalloc/kmalloc.h"
#include "leak/leak.h"
#include "probe/probe.h"
#include "procs/procs.h"
#include "serve/serve.h"

#endif /* MEMTRACE_COMMANDS_H */
