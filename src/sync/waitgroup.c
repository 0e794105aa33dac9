/*
 * waitgroup.c - weft_waitgroup, Go's sync.WaitGroup (with 1.25's Go).
 *
 * State: one 64-bit word, counter in the high half (signed), number of
 * parked waiters in the low half, so that add can see in one atomic step
 * both the new counter and whether anyone waits.
 *
 * add(delta): state += delta << 32. If the counter is still positive, or
 * it reached zero with no waiters, that is all. If it reached zero with
 * waiters, the adder that made it zero releases them: it resets the whole
 * word to 0 (so the group can be reused) and releases the semaphore once
 * per waiter. Between "counter hit zero" and the reset, nobody may touch
 * the word: any change seen there is an add racing a wait (Go's
 * "WaitGroup misuse: Add called concurrently with Wait").
 *
 * wait: if the counter is zero return; otherwise count ourselves in the
 * low half with a CAS (so the counter cannot reach zero unseen in between)
 * and park. The releaser has reset the word to 0 before releasing us; if
 * it is non-zero when we wake, somebody started a new round (add) before
 * this wait returned: "WaitGroup is reused before previous Wait has
 * returned".
 *
 * Misuse detection is best-effort, as in Go: the two "misuse" checks catch
 * the races when they happen to interleave visibly; a negative counter is
 * always caught.
 *
 * Happens-before (SPEC 4 and 6): every done (an add with delta < 0)
 * happens before the wait it releases returns. In the word: adds are
 * release RMWs, waits acquire-load or acquire-CAS it, and a parked waiter
 * additionally gets the releaser's edge through the semaphore.
 *
 * Race build, as Go: the add that takes the counter from 0 reads one byte
 * of the group and the first wait that blocks writes it, so that an add
 * racing a wait is a reported race. The byte is sema.count, which only
 * weft's uninstrumented code touches (white-box tests peek at the queue's
 * lock and head with instrumented atomics, which would mix with it).
 */
#include "sync/sync_private.h"

static const char waitgroup_type[] = "weft_waitgroup";

SYNC_API void weft_waitgroup_add(weft_waitgroup *wg, int delta) {
  sync_copy_check(&wg->self, wg, waitgroup_type);
  const void *pc = __builtin_return_address(0);
  if (delta < 0) SYNC_RACE_RELEASE_MERGE(&wg->sema);
  uint64_t state = __atomic_add_fetch(&wg->state, (uint64_t)(int64_t)delta << 32, ACQ_REL);
  int32_t counter = (int32_t)(state >> 32);
  uint32_t waiters = (uint32_t)state;
  if (delta > 0 && counter == delta) SYNC_RACE_READ(&wg->sema.count, pc);  /* first add: must precede wait */
  if (counter < 0) rt_panic("sync: negative WaitGroup counter");
  if (waiters != 0 && delta > 0 && counter == delta)
    rt_panic("sync: WaitGroup misuse: Add called concurrently with Wait");
  if (counter > 0 || waiters == 0) return;
  /* Counter zero, waiters parked: we release them. The word must not
   * change under us until the reset. */
  if (__atomic_load_n(&wg->state, RELAXED) != state)
    rt_panic("sync: WaitGroup misuse: Add called concurrently with Wait");
  __atomic_store_n(&wg->state, 0, RELEASE);
  for (; waiters != 0; waiters--) sema_release(&wg->sema, false);
}

SYNC_API void weft_waitgroup_done(weft_waitgroup *wg) {
  weft_waitgroup_add(wg, -1);
}

SYNC_API void weft_waitgroup_wait(weft_waitgroup *wg) {
  sync_copy_check(&wg->self, wg, waitgroup_type);
  const void *pc = __builtin_return_address(0);
  uint64_t state = __atomic_load_n(&wg->state, ACQUIRE);
  for (;;) {
    if ((int32_t)(state >> 32) == 0) {
      SYNC_RACE_ACQUIRE(&wg->sema);
      return;
    }
    if (__atomic_compare_exchange_n(&wg->state, &state, state + 1, true, ACQ_REL, ACQUIRE)) {
      if ((uint32_t)state == 0) SYNC_RACE_WRITE(&wg->sema.count, pc);  /* first waiter: races a first add */
      sema_acquire(&wg->sema, false, WAIT_WAITGROUP_WAIT, wg);
      if (__atomic_load_n(&wg->state, ACQUIRE) != 0)
        rt_panic("sync: WaitGroup is reused before previous Wait has returned");
      SYNC_RACE_ACQUIRE(&wg->sema);
      return;
    }
  }
}

/* ---- go ---------------------------------------------------------------- */

struct waitgroup_task {
  weft_waitgroup *wg;
  void (*fn)(void *);
  void *arg;
};

static void waitgroup_task_run(void *p) {
  struct waitgroup_task *task = p;   /* our own copy (weft_go_copy) */
  task->fn(task->arg);
  weft_waitgroup_done(task->wg);
}

SYNC_API void weft_waitgroup_go(weft_waitgroup *wg, void (*fn)(void *), void *arg) {
  weft_waitgroup_add(wg, 1);
  struct waitgroup_task task = {.wg = wg, .fn = fn, .arg = arg};
  weft_go_copy(waitgroup_task_run, &task, sizeof task);
}
