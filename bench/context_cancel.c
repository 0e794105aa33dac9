/*
 * context_cancel.c - what contexts cost: cancelling big trees, and the
 * create/cancel/release cycle of a short-lived context.
 *
 * The Go twin (bench/go/context_cancel/main.go) does the same with
 * context.WithCancel / WithTimeout and the cancel functions; Go frees with
 * its collector, so our releases are timed only where they are part of the
 * cycle (a C program must release; the Go program pays for it in GC).
 *
 *   context_cancel_100k_wide       a root with N = 100k children; the
 *                                  figure is the time of one cancel of the
 *                                  root (us), which cancels them all
 *   context_cancel_100k_wide_done  the same, after Done() was called on
 *                                  every child (so each has a channel to
 *                                  close, as when goroutines watch them)
 *   context_cancel_100k_deep       a chain of N nested contexts; one cancel
 *                                  of the top (us)
 *   context_cycle                  with_cancel(background), cancel,
 *                                  release: ns per context
 *   context_cycle_child            the same under a cancelable parent (the
 *                                  child registers and unregisters)
 *   context_cycle_done             the same as context_cycle, with Done()
 *                                  called before the cancel
 *   context_cycle_timeout          with_timeout(background, 1 h), cancel,
 *                                  release (a timer armed and stopped)
 *
 * One warm-up round, then the median of ROUNDS rounds. WEFT_BENCH_SCALE
 * multiplies N and the cycle counts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <weft.h>

#define ROUNDS 5

static long tree_size, cycles;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static long scaled(long n) {
  const char *s = getenv("WEFT_BENCH_SCALE");
  double f = s ? atof(s) : 1.0;
  long v = (long)((double)n * (f > 0 ? f : 1.0));
  return v > 0 ? v : 1;
}

static int compare_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, compare_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static weft_ctx **nodes;

/* ---- big trees: one cancel, in microseconds ---------------------------- */

static double wide_round(int with_done) {
  weft_ctx *root = weft_with_cancel(weft_background());
  for (long i = 0; i < tree_size; i++) {
    nodes[i] = weft_with_cancel(root);
    if (with_done) (void)weft_ctx_done(nodes[i]);
  }
  int64_t start = now_ns();
  weft_cancel(root);
  double us = (double)(now_ns() - start) / 1e3;
  for (long i = 0; i < tree_size; i++) weft_ctx_release(nodes[i]);
  weft_ctx_release(root);
  return us;
}

static double wide(void) { return wide_round(0); }
static double wide_done(void) { return wide_round(1); }

static double deep(void) {
  weft_ctx *parent = weft_background();
  for (long i = 0; i < tree_size; i++) nodes[i] = parent = weft_with_cancel(parent);
  int64_t start = now_ns();
  weft_cancel(nodes[0]);
  double us = (double)(now_ns() - start) / 1e3;
  for (long i = 0; i < tree_size; i++) weft_ctx_release(nodes[i]);
  return us;
}

/* ---- cycles: ns per context --------------------------------------------- */

static double cycle(void) {
  weft_ctx *bg = weft_background();
  int64_t start = now_ns();
  for (long i = 0; i < cycles; i++) {
    weft_ctx *ctx = weft_with_cancel(bg);
    weft_cancel(ctx);
    weft_ctx_release(ctx);
  }
  return (double)(now_ns() - start) / (double)cycles;
}

static double cycle_child(void) {
  weft_ctx *parent = weft_with_cancel(weft_background());
  int64_t start = now_ns();
  for (long i = 0; i < cycles; i++) {
    weft_ctx *ctx = weft_with_cancel(parent);
    weft_cancel(ctx);
    weft_ctx_release(ctx);
  }
  double ns = (double)(now_ns() - start) / (double)cycles;
  weft_ctx_release(parent);
  return ns;
}

static double cycle_done(void) {
  weft_ctx *bg = weft_background();
  int64_t start = now_ns();
  for (long i = 0; i < cycles; i++) {
    weft_ctx *ctx = weft_with_cancel(bg);
    (void)weft_ctx_done(ctx);
    weft_cancel(ctx);
    weft_ctx_release(ctx);
  }
  return (double)(now_ns() - start) / (double)cycles;
}

static double cycle_timeout(void) {
  weft_ctx *bg = weft_background();
  int64_t start = now_ns();
  for (long i = 0; i < cycles; i++) {
    weft_ctx *ctx = weft_with_timeout(bg, WEFT_HOUR);
    weft_cancel(ctx);
    weft_ctx_release(ctx);
  }
  return (double)(now_ns() - start) / (double)cycles;
}

static double measure(double (*round)(void)) {
  double v[ROUNDS];
  round(); /* warm-up */
  for (int r = 0; r < ROUNDS; r++) v[r] = round();
  return median(v, ROUNDS);
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  tree_size = scaled(100000);
  cycles = scaled(1000000);
  nodes = malloc((size_t)tree_size * sizeof *nodes);
  printf("BENCH context_cancel_100k_wide %.1f us\n", measure(wide));
  printf("BENCH context_cancel_100k_wide_done %.1f us\n", measure(wide_done));
  printf("BENCH context_cancel_100k_deep %.1f us\n", measure(deep));
  printf("BENCH context_cycle %.1f ns/op\n", measure(cycle));
  printf("BENCH context_cycle_child %.1f ns/op\n", measure(cycle_child));
  printf("BENCH context_cycle_done %.1f ns/op\n", measure(cycle_done));
  printf("BENCH context_cycle_timeout %.1f ns/op\n", measure(cycle_timeout));
  free(nodes);
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
