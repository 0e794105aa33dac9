/*
 * history.c - what each context did recently, to print the stack of the
 * "Previous write at" access of a report.
 *
 * A shadow cell says only who (slot, epoch) made an access, not where. Each
 * context therefore logs its recent events in a ring of 16-byte entries:
 *   ACCESS  pc, address, size, read/atomic/free flags (only accesses the
 *           shadow did not already hold: repeats cost nothing)
 *   ENTRY   a function was entered (its call pc), EXIT: one returned
 *   EPOCH   the context moved from (old sid, old epoch) to (sid, epoch);
 *           "old unknown" marks a barrier (new incarnation or world reset)
 * The ring starts at 16 entries and doubles up to 1024 * 2^history_size,
 * then wraps: a goroutine that does little costs little.
 *
 * Repeats (an access the shadow already holds, FastTrack's same-epoch
 * case) are not logged: that is what keeps the hot path fast. But then a
 * goroutine that hammers one variable in one long epoch (a counter
 * incremented 100000 times in a function of its own) has logged it once,
 * long ago, and the function entries and exits since have overwritten
 * it: the report would say "[failed to restore the stack]" where Go
 * shows the line. So every half ring of events (part_len) a relog window
 * opens: from then on, each repeat is logged again, once per window and
 * access (address and read/write). The window closes after
 * RACE_RELOG_DUPS other accesses (repeats it has already logged, or new
 * accesses, which are logged anyway), or once it has logged part_len / 4
 * events. A hot loop's working set is thus logged again every half ring,
 * a few dozen accesses after the window opens, and its cells (same
 * epoch: repeats do not change them) always have a copy less than about
 * a ring old. A sweep over a big array is relogged only as far as the
 * budget goes; code making only new accesses closes the window at once.
 *
 * The fast path does not look at windows: opening one moves the thread's
 * gen_ok to gen_window, so the owner's accesses fail the fast entry's
 * test and take the next one (access.c), which logs; the slow entry moves
 * it back when the window has closed. Sync operations and atomics accept
 * either. The window's table (2 KiB) is allocated the first time a
 * context has logged half a ring.
 *
 * Restoring the access behind cell (sid, epoch) at addr:
 *   1. the slot's journal names the context that owned sid at that epoch
 *      (and its incarnation: a recycled g means the goroutine is gone);
 *   2. walking the ring backwards, EPOCH entries say which epoch each
 *      stretch belongs to; the newest ACCESS in stretch (sid, epoch) whose
 *      range overlaps the bytes of the cell is the one;
 *   3. its stack: ENTRY/EXIT entries carry the depth they leave, so the
 *      ones around the access say how deep the context was then and how
 *      shallow it has been since; frames never popped since are still on
 *      its shadow stack; the rest are the unmatched ENTRY entries before
 *      the access.
 * If the access has been overwritten the report says
 * "[failed to restore the stack]" (history_size makes that rarer).
 *
 * The ring belongs to its context's thread; a reporter copies it without a
 * lock and validates what it reads (incarnation before and after, depths in
 * range). Outgrown rings are kept until the context's next incarnation so
 * that a concurrent copy never reads freed memory, and each ring carries
 * its own size in a header so that the copy never pairs a ring with
 * another ring's size.
 */
#if WEFT_RACE
#include <string.h>

#include "race/race_private.h"

#define RING_MIN 16

size_t ring_capacity_max(void) { return (size_t)1024 << race_options.history_size; }

/* A ring buffer is preceded by a header holding its mask (so that a
 * reader who loads the ring pointer once also gets the matching size) and
 * the link of the retired-rings chain. */
struct ring_header {
  uint64_t mask;
  void *retired_next;
};
_Static_assert(sizeof(struct ring_header) == sizeof(struct race_event), "ring header size");

static inline struct ring_header *ring_header(struct race_event *ring) {
  return (struct ring_header *)(void *)ring - 1;
}

static struct race_event *ring_new(size_t cap) {
  struct ring_header *h = race_alloc(sizeof *h + cap * sizeof(struct race_event));
  h->mask = cap - 1;
  h->retired_next = NULL;
  return (struct race_event *)(void *)(h + 1);
}

/* Relog windows: every half ring of events (part_len), and for the
 * first half of that many repeats after it, repeats are logged again. */
static uint64_t part_len(void) { return ring_capacity_max() / 2; }

/* Where ring_put must next call ring_grow: the ring's next growth or the
 * next relog window, whichever comes first. */
static void ring_next_stop(struct race_ctx *c) {
  size_t cap = c->ring_mask + 1;
  uint64_t grow = cap < ring_capacity_max() && c->ring_pos <= cap ? cap : UINT64_MAX;
  c->ring_grow_at = grow < c->part_end ? grow : c->part_end;
}

static void relog_open(struct race_ctx *c) {
  size_t table = sizeof *c->relog_seen << RACE_RELOG_BITS;
  if (!c->relog_seen) c->relog_seen = race_alloc(table);
  race_real_memset(c->relog_seen, 0, table);
  c->relog = RACE_RELOG_DUPS;
  c->relog_budget = (uint32_t)(part_len() / 4);
  /* Send the owner's next accesses through the slow entry, which sees
   * the window (ctx_refresh and enter_slow keep it so until it closes). */
  struct race_thread *t = &race_tls;
  if (t->ctx == c) {
    t->gen_window = t->gen_ok;
    t->gen_ok = RACE_GEN_INVALID;
  }
}

void ring_grow(struct race_ctx *c) {
  size_t max = ring_capacity_max();
  if (!c->ring) {
    size_t cap = RING_MIN < max ? RING_MIN : max;
    struct race_event *ring = ring_new(cap);
    c->ring_mask = cap - 1;
    __atomic_store_n(&c->ring, ring, __ATOMIC_RELEASE);
    c->part_end = c->ring_pos + part_len();
    ring_next_stop(c);
    return;
  }
  size_t cap = c->ring_mask + 1;
  if (cap < max && c->ring_pos == cap) {
    size_t ncap = cap * 2;
    struct race_event *ring = ring_new(ncap);
    race_real_memcpy(ring, c->ring, cap * sizeof *ring);
    struct race_event *old = c->ring;
    ring_header(old)->retired_next = c->ring_retired;
    c->ring_retired = old;
    c->ring_mask = ncap - 1;
    __atomic_store_n(&c->ring, ring, __ATOMIC_RELEASE);
  }
  if (c->ring_pos >= c->part_end) {
    relog_open(c);
    c->part_end = c->ring_pos + part_len();
  }
  ring_next_stop(c);
}

void ring_reset(struct race_ctx *c) {
  while (c->ring_retired) {
    struct race_event *r = c->ring_retired;
    c->ring_retired = ring_header(r)->retired_next;
    race_free(ring_header(r));
  }
  c->ring_pos = 0;
  c->relog = 0;
  c->part_end = part_len();
  if (c->ring) ring_next_stop(c);
  else c->ring_grow_at = 0;
}

void history_epoch(struct race_ctx *c, bool old_valid, unsigned old_sid, unsigned old_epoch) {
  uint64_t w1 = (uint64_t)c->sid | (uint64_t)c->epoch << 8 | (uint64_t)(old_sid & 0xFF) << 24 |
                (uint64_t)(old_epoch & 0xFFFF) << 32 | (uint64_t)(old_valid ? 1 : 0) << 48;
  ring_put(c, (uint64_t)EV_EPOCH << EV_KIND_SHIFT, w1);
}

void stack_current(struct race_ctx *c, uintptr_t pc, struct race_stack *out) {
  out->n = 0;
  out->truncated = false;
  if (pc) out->pc[out->n++] = pc;
  for (uint32_t i = c->depth; i > 0; i--) {
    if (out->n == RACE_MAX_FRAMES) {
      out->truncated = true;
      break;
    }
    out->pc[out->n++] = c->stack_pc[i - 1];
  }
}

static inline unsigned ev_kind(const struct race_event *e) { return (unsigned)(e->w0 >> EV_KIND_SHIFT); }

enum restore_result history_restore(race_cell old, uintptr_t word, struct race_owner *owner,
                                    struct race_stack *out, bool *is_free, uintptr_t *access_addr) {
  unsigned sid = cell_sid(old), epoch = cell_epoch(old);
  /* The bytes the old access touched in this word. */
  unsigned old_mask = old & RACE_CELL_MASK;
  uintptr_t lo = word + (unsigned)__builtin_ctz(old_mask ? old_mask : 1);
  uintptr_t hi = word + 32 - (unsigned)__builtin_clz(old_mask ? old_mask : 1);
  bool want_read = (old & RACE_CELL_READ) != 0, want_atomic = (old & RACE_CELL_ATOMIC) != 0;
  out->n = 0;
  out->truncated = false;
  *is_free = false;
  if (!slot_owner_at(sid, epoch, owner)) return RESTORE_UNKNOWN;
  struct race_ctx *x = owner->ctx;
  if (atomic_load(&x->incarnation) != owner->incarnation) return RESTORE_NO_STACK;

  /* Copy the ring; validate afterwards. */
  unsigned cur_sid = x->sid, cur_epoch = x->epoch;
  uint64_t pos = __atomic_load_n(&x->ring_pos, __ATOMIC_ACQUIRE);
  struct race_event *ring = __atomic_load_n(&x->ring, __ATOMIC_ACQUIRE);
  uint64_t mask = ring ? ring_header(ring)->mask : 0;
  if (!ring || pos == 0) return RESTORE_NO_STACK;
  uint64_t cap = mask + 1;
  uint64_t n = pos < cap ? pos : cap;
  struct race_event *ev = race_alloc(n * sizeof *ev);
  for (uint64_t i = 0; i < n; i++) ev[i] = ring[(pos - n + i) & mask];
  enum restore_result result = RESTORE_NO_STACK;
  if (atomic_load(&x->incarnation) != owner->incarnation) goto done;
  /* The owner may have gone on logging while we copied: once the ring is
   * full, each new event overwrites the oldest. Skip the copied events
   * whose slots may have been reused (position p shares its slot with
   * p + cap; one more for an event being written). A ring smaller than
   * the largest never wraps: when full it is replaced by a copy twice as
   * large (ring_grow), and the events we copied stay as they were. */
  uint64_t pos2 = __atomic_load_n(&x->ring_pos, __ATOMIC_ACQUIRE);
  uint64_t oldest = pos - n;
  int64_t first = 0;
  if (cap >= ring_capacity_max() && pos2 + 1 > oldest + cap) {
    uint64_t lost = pos2 + 1 - (oldest + cap);
    first = (int64_t)(lost >= n ? n : lost);
  }

  /* 2. Find the access. Events after the newest EPOCH entry belong to the
   * epoch it started (the owner bumps its epoch before logging the entry,
   * so its current epoch, read racily, may be one ahead of the copy). */
  unsigned win_sid = cur_sid, win_epoch = cur_epoch;
  for (int64_t i = (int64_t)n - 1; i >= first; i--) {
    if (ev_kind(&ev[i]) != EV_EPOCH) continue;
    win_sid = (unsigned)ev[i].w1 & 0xFF;
    win_epoch = (unsigned)(ev[i].w1 >> 8) & 0xFFFF;
    break;
  }
  int64_t found = -1, fallback = -1;
  for (int64_t i = (int64_t)n - 1; i >= first; i--) {
    const struct race_event *e = &ev[i];
    unsigned k = ev_kind(e);
    if (k == EV_EPOCH) {
      if (!((e->w1 >> 48) & 1)) break;      /* barrier */
      win_sid = (unsigned)(e->w1 >> 24) & 0xFF;
      win_epoch = (unsigned)(e->w1 >> 32) & 0xFFFF;
      continue;
    }
    if (k != EV_ACCESS || win_sid != sid || win_epoch != epoch) continue;
    uintptr_t a = (uintptr_t)(e->w1 & EV_PC_MASK);
    size_t size = (size_t)(e->w1 >> 48);
    if (a >= hi || a + (size ? size : 1) <= lo) continue;
    bool r = (e->w0 & EV_READ) != 0, at = (e->w0 & EV_ATOMIC) != 0;
    if (r == want_read && at == want_atomic) {
      found = i;
      break;
    }
    if (fallback < 0) fallback = i;
  }
  if (found < 0) found = fallback;
  if (found < 0) goto done;
  *is_free = (ev[found].w0 & EV_FREE) != 0;
  *access_addr = (uintptr_t)(ev[found].w1 & EV_PC_MASK);

  /* 3. Its stack. ENTRY and EXIT events carry the depth they left, so the
   * depth at the access is known from its neighbours, and so is the
   * shallowest point since: the levels above it were never popped and
   * are still on the owner's shadow stack. */
  int64_t depth_then = -1;
  for (int64_t j = found - 1; j >= first && depth_then < 0; j--) {
    unsigned k = ev_kind(&ev[j]);
    if (k == EV_ENTRY || k == EV_EXIT) depth_then = (int64_t)(ev[j].w1 & 0xFFFFFFFF);
  }
  int64_t lowest = INT64_MAX;
  for (uint64_t j = (uint64_t)found + 1; j < n; j++) {
    unsigned k = ev_kind(&ev[j]);
    int64_t d = (int64_t)(ev[j].w1 & 0xFFFFFFFF);
    if (k == EV_ENTRY) {
      if (depth_then < 0) depth_then = d - 1;
    } else if (k == EV_EXIT) {
      if (depth_then < 0) depth_then = d + 1;
      if (d < lowest) lowest = d;
    }
  }
  if (depth_then < 0) depth_then = x->depth;
  int64_t kept = lowest < depth_then ? lowest : depth_then;
  out->pc[out->n++] = (uintptr_t)(ev[found].w0 & EV_PC_MASK);
  int64_t need = depth_then - kept;
  int64_t skip = 0;
  for (int64_t j = found - 1; j >= first && need > 0; j--) {
    unsigned k = ev_kind(&ev[j]);
    if (k == EV_EXIT) {
      skip++;
    } else if (k == EV_ENTRY) {
      if (skip > 0) {
        skip--;
        continue;
      }
      if (out->n < RACE_MAX_FRAMES) out->pc[out->n++] = (uintptr_t)(ev[j].w0 & EV_PC_MASK);
      else out->truncated = true;
      need--;
    }
  }
  /* The levels never popped since: from the owner's shadow stack (an
   * array that is only ever replaced by a larger copy, never freed). */
  uintptr_t *stack = __atomic_load_n(&x->stack_pc, __ATOMIC_ACQUIRE);
  uint32_t stack_cap = x->stack_cap;
  if (kept > (int64_t)stack_cap || !stack) kept = 0;
  for (int64_t lvl = kept; lvl > 0; lvl--) {
    if (out->n == RACE_MAX_FRAMES) {
      out->truncated = true;
      break;
    }
    out->pc[out->n++] = stack[lvl - 1];
  }
  result = RESTORE_OK;
done:
  race_free(ev);
  return result;
}

#endif
