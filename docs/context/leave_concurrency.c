#include <weft.h>

/* Synchronous: returns when the input is exhausted (0) or when ctx is
 * done (its error). It starts no goroutine; the caller decides. */
static int sum_numbers(weft_ctx *ctx, weft_chan *numbers, long *total) {
  for (;;) {
    long n;
    weft_case cases[] = {WEFT_RECV(numbers, &n), WEFT_RECV(weft_ctx_done(ctx), NULL)};
    if (weft_select(cases, 2) == 1) return weft_ctx_err(ctx);
    if (!cases[0].ok) return 0;              /* closed: all summed */
    *total += n;
  }
}

/* One caller wants it in the background, bounded by a second: */
struct sum_job {
  weft_ctx *ctx;
  weft_chan *numbers;
  long total;
  int err;
};

static void sum_job_run(void *arg) {
  struct sum_job *job = arg;
  job->err = sum_numbers(job->ctx, job->numbers, &job->total);
}

static int sum_in_background(weft_chan *numbers, long *total) {
  struct sum_job job = {weft_with_timeout(weft_background(), WEFT_SECOND), numbers, 0, 0};
  weft_waitgroup wg = {0};
  weft_waitgroup_go(&wg, sum_job_run, &job);
  /* ... free to do other work here ... */
  weft_waitgroup_wait(&wg);
  weft_ctx_release(job.ctx);
  *total = job.total;
  return job.err;
}
