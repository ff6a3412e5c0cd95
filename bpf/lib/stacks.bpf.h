/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stacks kept whole: the frames are the value of a hash map whose key is a
 * 64-bit hash of them (the top bit set, so that a key is never one of the
 * small reasons a stack was not kept), after a second, independent 64-bit
 * hash of them that tells two stacks of the same key apart.
 *
 * bpf_get_stackid() keeps one stack per bucket of a BPF_MAP_TYPE_STACK_TRACE
 * map, indexed by a 32-bit hash: a different stack whose hash lands in a
 * taken bucket is refused (or, with BPF_F_REUSE_STACKID, replaces it under
 * the ids already handed out); and a lookup from user space takes the bucket
 * out while it copies it (kernel/bpf/stackmap.c, bpf_stackmap_copy()), so a
 * stack stored in the meantime is handed that id and then loses the bucket
 * to the one put back. Here a stack is stored once, whole: a different stack
 * with the same key (never seen with 64 bits) takes the next key. A stack is
 * lost only when the map is full. (Its frames are not compared one by one:
 * a loop over a variable number of frames per key tried makes the verifier
 * walk hundreds of thousands of states; 128 bits of hash stand for them.)
 *
 * The includer defines STACK_MAX_DEPTH and a const volatile stack_depth
 * (frames kept, at most STACK_MAX_DEPTH); the map's value size is set to
 * 1 + stack_depth words before load.
 */
#ifndef MEMTRACE_STACKS_BPF_H
#define MEMTRACE_STACKS_BPF_H

#define STACK_KEY_BIT	(1ULL << 63)
#define STACK_FULL	2	/* the map is full */
#define STACK_COLLIDED	3	/* every key it may take holds another stack */
#define STACK_PROBES	4	/* keys tried: hash, hash + 1, ... */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1 << 14);		/* resized by user space */
	__uint(key_size, sizeof(__u64));
	__uint(value_size, (1 + STACK_MAX_DEPTH) * sizeof(__u64));
} stacks SEC(".maps");

/* A stack as stored: its second hash, then its frames, zeros after the
 * last. */
#define STACK_WORDS (1 + STACK_MAX_DEPTH)
/* A frame buffer: a stack as stored, then the last stack kept from it
 * (its hash, its check, the key it is under): a thread that allocates
 * from one place again and again finds its key without a map lookup. A
 * buffer is used by one thread, or one context of a CPU, at a time. */
#define STACK_BUF_WORDS (STACK_WORDS + 3)


/*
 * A frame buffer for contexts that may nest on a CPU (a kmalloc in an
 * interrupt while one in a task is being recorded): a slot per level. The
 * level is a plain counter, released in the order taken, which holds where
 * the programs run with preemption disabled: tracepoints on every kernel,
 * uprobes before 5.19 (a preemptible uprobe program uses a buffer of its
 * thread's instead).
 */
#define STACK_NEST 4

struct stack_scratch {
	__u32 nest;
	__u32 pad;
	__u64 ips[STACK_NEST][STACK_BUF_WORDS];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stack_scratch);
} stack_scratch SEC(".maps");

static __always_inline __u64 *scratch_take(struct stack_scratch **sp)
{
	__u32 zero = 0, level;
	struct stack_scratch *s = bpf_map_lookup_elem(&stack_scratch, &zero);

	*sp = s;
	if (!s)
		return NULL;
	level = s->nest;
	if (level >= STACK_NEST)
		return NULL;
	s->nest = level + 1;
	return s->ips[level];
}

static __always_inline void scratch_give(struct stack_scratch *s)
{
	if (s && s->nest)
		s->nest--;
}

/* The key of the stack in buf (check, its second hash), stored under key
 * or one after it. */
static __always_inline __u64 stack_find(__u64 *buf, __u64 key, __u64 check)
{
	for (int probe = 0; probe < STACK_PROBES; probe++) {
		const __u64 *have = bpf_map_lookup_elem(&stacks, &key);

		if (!have) {
			long err = bpf_map_update_elem(&stacks, &key, buf,
						       BPF_NOEXIST);

			if (!err)
				return key;
			if (err != -EEXIST)
				return STACK_FULL;
			/* Another CPU stored a stack there just now. */
			have = bpf_map_lookup_elem(&stacks, &key);
			if (!have)
				return STACK_FULL;
		}
		if (*have == check)
			return key;
		key = (key + 1) | STACK_KEY_BIT;
	}
	return STACK_COLLIDED;
}

/*
 * Keeps the stack in buf: its n frames from buf[1] (stack_depth of them
 * readable, zero after the n-th), buf[0] free for the second hash. The key
 * it is under, or STACK_FULL or STACK_COLLIDED.
 */
static __always_inline __u64 stack_keep(__u64 *buf, __u32 n)
{
	__u64 key = 0x9e3779b97f4a7c15ULL ^ n, check = 0xc2b2ae3d27d4eb4fULL;

	for (int i = 1; i < STACK_WORDS; i++) {
		if (i > n)
			break;
		key = (key ^ buf[i]) * 0xff51afd7ed558ccdULL;
		key ^= key >> 32;
		check = (check ^ buf[i]) * 0x94d049bb133111ebULL;
		check ^= check >> 29;
	}
	/* The number of frames in the low byte: what follows them in buf
	 * may be another stack's. */
	check = (check & ~0xffULL) | n;
	buf[0] = check;
	key |= STACK_KEY_BIT;
	if (buf[STACK_WORDS] == key && buf[STACK_WORDS + 1] == check)
		return buf[STACK_WORDS + 2];
	buf[STACK_WORDS] = key;
	buf[STACK_WORDS + 1] = check;
	buf[STACK_WORDS + 2] = stack_find(buf, key, check);
	return buf[STACK_WORDS + 2];
}

#endif /* MEMTRACE_STACKS_BPF_H */
