/*
 * test_stress.c - randomised scheduler torture: many goroutines on all
 * workers spawning, yielding, sleeping, parking and waking each other,
 * exiting early with weft_exit, with foreign threads joining in, for a
 * bounded time. Invariants checked at the end:
 *   - every goroutine spawned ran to its end exactly once;
 *   - every wake-up token handed out was consumed exactly once (no lost and
 *     no double wake-ups through rt_park/rt_ready);
 *   - weft_num_goroutines returns to 1.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <weft.h>

#include "check.h"
#include "runtime/runtime.h"

static atomic_long spawned, finished, started;
static atomic_long tokens_given, tokens_taken;
static int64_t deadline;

/* Mailboxes: a parked goroutine waits for one token. */
#define BOXES 64
struct box {
  rt_lock lock;
  long tokens;
  struct weft_g *waiter;
};
static struct box boxes[BOXES];

static bool box_commit(struct weft_g *g, void *arg) {
  rt_lock_release(&((struct box *)arg)->lock);
  return true;
}

/* Takes one token from b, parking until there is one. */
static void box_take(struct box *b) {
  rt_lock_acquire(&b->lock);
  while (b->tokens == 0) {
    if (b->waiter) { /* one waiter per box: come back later */
      rt_lock_release(&b->lock);
      weft_yield();
      rt_lock_acquire(&b->lock);
      continue;
    }
    b->waiter = rt_current();
    rt_park(WAIT_CHAN_RECV, b, box_commit, b);
    rt_lock_acquire(&b->lock);
  }
  b->tokens--;
  rt_lock_release(&b->lock);
  atomic_fetch_add(&tokens_taken, 1);
}

static void box_give(struct box *b) {
  atomic_fetch_add(&tokens_given, 1);
  rt_lock_acquire(&b->lock);
  b->tokens++;
  struct weft_g *w = b->waiter;
  b->waiter = NULL;
  rt_lock_release(&b->lock);
  if (w) rt_ready(w);
}

static uint64_t rng_next(uint64_t *x) {
  *x ^= *x << 13;
  *x ^= *x >> 7;
  *x ^= *x << 17;
  return *x;
}

static void worker(void *arg);

static void spawn_one(uint64_t seed) {
  atomic_fetch_add(&spawned, 1);
  weft_go_copy(worker, &seed, sizeof seed);
}

static void finish(void) { atomic_fetch_add(&finished, 1); }

static void worker(void *arg) {
  uint64_t x = *(uint64_t *)arg | 1;
  atomic_fetch_add(&started, 1);
  int steps = (int)(rng_next(&x) % 50);
  for (int i = 0; i < steps; i++) {
    switch (rng_next(&x) % 8) {
    case 0:
    case 1:
      weft_yield();
      break;
    case 2:
      weft_sleep((weft_duration)(rng_next(&x) % 200) * WEFT_MICROSECOND);
      break;
    case 3:
      if (rt_nanotime() < deadline && weft_num_goroutines() < 2000) spawn_one(rng_next(&x));
      break;
    case 4:
      box_give(&boxes[rng_next(&x) % BOXES]);
      break;
    case 5:
      /* Take only what we gave, so nobody can be left waiting forever. */
      {
        struct box *b = &boxes[rng_next(&x) % BOXES];
        box_give(b);
        box_take(b);
      }
      break;
    case 6:
      if (rng_next(&x) % 16 == 0) {
        finish();
        weft_exit();
      }
      break;
    default: {
      static _Atomic int sink;
      for (int k = 0; k < 100; k++) atomic_fetch_add_explicit(&sink, k, memory_order_relaxed);
      break;
    }
    }
  }
  finish();
}

static void *thread_main(void *arg) {
  uint64_t x = (uint64_t)(intptr_t)arg * 2654435761u + 1;
  while (rt_nanotime() < deadline) {
    switch (rng_next(&x) % 4) {
    case 0:
      spawn_one(rng_next(&x));
      break;
    case 1: {
      struct box *b = &boxes[rng_next(&x) % BOXES];
      box_give(b);
      box_take(b); /* blocks this thread when a goroutine beat us to it */
      break;
    }
    case 2:
      weft_sleep(50 * WEFT_MICROSECOND);
      break;
    default:
      weft_yield();
      break;
    }
  }
  return NULL;
}

static int app(int argc, char **argv) {
  deadline = rt_nanotime() + (int64_t)(1.5e9 * test_scale());
  pthread_t th[3];
  for (intptr_t i = 0; i < 3; i++) pthread_create(&th[i], NULL, thread_main, (void *)(i + 1));
  uint64_t x = 12345;
  while (rt_nanotime() < deadline) {
    for (int i = 0; i < 50; i++) spawn_one(rng_next(&x));
    weft_sleep(WEFT_MILLISECOND);
  }
  for (int i = 0; i < 3; i++) pthread_join(th[i], NULL);
  while (atomic_load(&finished) < atomic_load(&spawned)) weft_sleep(WEFT_MILLISECOND);
  /* Leftover tokens are fine; what matters is that every take had a give. */
  long given = atomic_load(&tokens_given), taken = atomic_load(&tokens_taken);
  long left = 0;
  for (int i = 0; i < BOXES; i++) {
    left += boxes[i].tokens;
    CHECK(boxes[i].waiter == NULL);
  }
  CHECK_EQ(given - taken, left);
  CHECK_EQ(atomic_load(&started), atomic_load(&spawned));
  CHECK_EQ(atomic_load(&finished), atomic_load(&spawned));
  while (weft_num_goroutines() > 1) weft_yield();
  CHECK_EQ(weft_num_goroutines(), 1);
  fprintf(stderr, "stress: %ld goroutines, %ld wake tokens\n", atomic_load(&spawned), given);
  return check_done();
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
