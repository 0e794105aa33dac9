/*
 * test_main.c - weft_main's contract and global deadlock detection:
 *   - the program ends when the main function returns, goroutines or not;
 *   - weft_exit in the main goroutine lets the others finish, and when none
 *     is left it is "fatal error: no goroutines (main called weft_exit) -
 *     deadlock!";
 *   - when every goroutine is parked and nothing can wake one: "fatal error:
 *     all goroutines are asleep - deadlock!", exit 2, immediately;
 *   - no false alarm while a timer is pending, a foreign thread runs, or a
 *     goroutine waits in a system call (I/O).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <weft.h>

#include "check.h"
#include "runtime/runtime.h"

/* Parks forever: nothing will ever ready it. */
static void park_forever(void) { rt_park(WAIT_CHAN_RECV, NULL, NULL, NULL); }
static void park_forever_g(void *arg) { park_forever(); }

static int returns_with_goroutines_left(int argc, char **argv) {
  for (int i = 0; i < 10; i++) weft_go(park_forever_g, NULL);
  weft_yield();
  return 3;
}
static void ends_child(void *arg) { exit(weft_main(returns_with_goroutines_left, 0, NULL)); }
static void test_main_return_ends_program(void) {
  struct child_result r = check_child(ends_child, NULL);
  CHECK_STATUS(r, 3);
  free(r.output);
}

static void late_printer(void *arg) {
  weft_sleep(5 * WEFT_MILLISECOND);
  printf("late goroutine ran\n");
  fflush(stdout);
}
static int main_exits(int argc, char **argv) {
  weft_go(late_printer, NULL);
  weft_exit();
}
static void main_exit_child(void *arg) { exit(weft_main(main_exits, 0, NULL)); }
static void test_main_weft_exit(void) {
  struct child_result r = check_child(main_exit_child, NULL);
  CHECK_STATUS(r, 2);
  CHECK_CONTAINS(r.output, "late goroutine ran\n");
  CHECK_CONTAINS(r.output, "fatal error: no goroutines (main called weft_exit) - deadlock!");
  free(r.output);
}

static int all_asleep(int argc, char **argv) {
  weft_go(park_forever_g, NULL);
  park_forever();
  return 0;
}
static void deadlock_child(void *arg) { exit(weft_main(all_asleep, 0, NULL)); }
static void test_deadlock_reported(void) {
  struct child_result r = check_child(deadlock_child, NULL);
  CHECK_STATUS(r, 2);
  CHECK_CONTAINS(r.output, "fatal error: all goroutines are asleep - deadlock!");
  free(r.output);
}

/* A goroutine that will be woken by a timer is not a deadlock. */
static int asleep_with_timer(int argc, char **argv) {
  weft_sleep(30 * WEFT_MILLISECOND);
  return 0;
}
static void timer_child(void *arg) { exit(weft_main(asleep_with_timer, 0, NULL)); }
static void test_no_false_alarm_timer(void) {
  struct child_result r = check_child(timer_child, NULL);
  CHECK_STATUS(r, 0);
  CHECK(strstr(r.output, "deadlock") == NULL);
  free(r.output);
}

/* A goroutine parked while a plain thread (that weft cannot see into)
 * still runs and will wake it is not a deadlock either. */
struct waker { rt_lock lock; struct weft_g *waiter; bool set; };
static struct waker wk;
static bool waker_commit(struct weft_g *g, void *arg) { rt_lock_release(&wk.lock); return true; }
static void *thread_wakes_later(void *arg) {
  struct timespec ts = {0, 30 * 1000 * 1000};
  nanosleep(&ts, NULL);
  rt_lock_acquire(&wk.lock);
  wk.set = true;
  struct weft_g *g = wk.waiter;
  rt_lock_release(&wk.lock);
  if (g) rt_ready(g);
  return NULL;
}
static int asleep_with_thread(int argc, char **argv) {
  pthread_t th;
  pthread_create(&th, NULL, thread_wakes_later, NULL);
  rt_lock_acquire(&wk.lock);
  if (!wk.set) {
    wk.waiter = rt_current();
    rt_park(WAIT_CHAN_RECV, &wk, waker_commit, NULL);
  } else {
    rt_lock_release(&wk.lock);
  }
  pthread_join(th, NULL);
  return 0;
}
static void thread_child(void *arg) { exit(weft_main(asleep_with_thread, 0, NULL)); }
static void test_no_false_alarm_thread(void) {
#if defined(WEFT_TSAN_FIBERS)
  /* TSan's own threads are indistinguishable from this one (sched.c). */
  return;
#endif
  struct child_result r = check_child(thread_child, NULL);
  CHECK_STATUS(r, 0);
  CHECK(strstr(r.output, "deadlock") == NULL);
  free(r.output);
}

/* A goroutine blocked in a system call (here read(2) on a timerfd, which
 * only the kernel will complete: no thread, no weft timer) while main waits
 * for it on a channel is not a deadlock: its worker is not idle. */
static weft_chan *io_done;
static void read_timerfd(void *arg) {
  int fd = *(int *)arg;
  uint64_t expirations = 0;
  ssize_t n = read(fd, &expirations, sizeof expirations);
  int ok = n == (ssize_t)sizeof expirations && expirations >= 1;
  weft_chan_send(io_done, &ok);
}
static int asleep_with_io(int argc, char **argv) {
  int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
  if (fd < 0) return 10;
  struct itimerspec its = {{0, 0}, {0, 30 * 1000 * 1000}};
  if (timerfd_settime(fd, 0, &its, NULL) != 0) return 11;
  io_done = weft_chan_make(sizeof(int), 0);
  weft_go_copy(read_timerfd, &fd, sizeof fd);
  int ok = 0;
  weft_chan_recv(io_done, &ok);
  close(fd);
  return ok ? 0 : 12;
}
static void io_child(void *arg) { exit(weft_main(asleep_with_io, 0, NULL)); }
static void test_no_false_alarm_io(void) {
  struct child_result r = check_child(io_child, NULL);
  CHECK_STATUS(r, 0);
  CHECK(strstr(r.output, "deadlock") == NULL);
  free(r.output);
}

/* The seed's cond waiters that nobody signals: the workers wait on a
 * cond, main waits for the workers: all asleep, reported at once with the
 * wait reasons of both primitives. */
static weft_mutex cond_mu;
static weft_cond never_signalled = WEFT_COND_INIT(&cond_mu);
static weft_waitgroup cond_wg;
static void cond_waiter(void *arg) {
  weft_mutex_lock(&cond_mu);
  weft_cond_wait(&never_signalled); /* nobody will ever signal */
  weft_mutex_unlock(&cond_mu);
  weft_waitgroup_done(&cond_wg);
}
static int cond_deadlock(int argc, char **argv) {
  for (int i = 0; i < 3; i++) {
    weft_waitgroup_add(&cond_wg, 1);
    weft_go(cond_waiter, NULL);
  }
  weft_waitgroup_wait(&cond_wg);
  return 0;
}
static void cond_child(void *arg) { exit(weft_main(cond_deadlock, 0, NULL)); }
static void test_cond_waiters_nobody_signals(void) {
  struct child_result r = check_child(cond_child, NULL);
  CHECK_STATUS(r, 2);
  CHECK_CONTAINS(r.output, "fatal error: all goroutines are asleep - deadlock!");
  CHECK_CONTAINS(r.output, "[sync.WaitGroup.Wait");
  CHECK_CONTAINS(r.output, "[sync.Cond.Wait");
  free(r.output);
}

/* Panics in many goroutines at once: exactly one report, status 2. */
static atomic_int go_flag;
static void panicker(void *arg) {
  while (!atomic_load(&go_flag)) weft_yield();
  rt_panic("boom from goroutine %llu", (unsigned long long)weft_self());
}
static int many_panics(int argc, char **argv) {
  for (int i = 0; i < 8; i++) weft_go(panicker, NULL);
  weft_sleep(WEFT_MILLISECOND);
  atomic_store(&go_flag, 1);
  weft_sleep(WEFT_HOUR);
  return 0;
}
static void panics_child(void *arg) { exit(weft_main(many_panics, 0, NULL)); }
static void test_one_report_when_many_panic(void) {
  struct child_result r = check_child(panics_child, NULL);
  CHECK_STATUS(r, 2);
  int reports = 0;
  for (const char *p = r.output; (p = strstr(p, "panic: boom from goroutine")); p++) reports++;
  CHECK_EQ(reports, 1);
  CHECK(strstr(r.output, "fatal error: fatal error") == NULL);
  free(r.output);
}

int main(void) {
  RUN(test_cond_waiters_nobody_signals);
  RUN(test_one_report_when_many_panic);
  RUN(test_main_return_ends_program);
  RUN(test_main_weft_exit);
  RUN(test_deadlock_reported);
  RUN(test_no_false_alarm_timer);
  RUN(test_no_false_alarm_thread);
  RUN(test_no_false_alarm_io);
  return check_done();
}
