/*
 * runtime_parked_rss.c - the memory a parked goroutine costs.
 *
 * Workload (the Go twin, bench/go/runtime_parked_rss/main.go, does the same
 * with time.Sleep): the main goroutine spawns G = 100k goroutines that each
 * say on a waitgroup that they have started and then park in a sleep of one
 * hour; once the main goroutine's wait on that waitgroup returns (and 10 ms
 * more, for the last ones to finish parking), the process's peak resident
 * set size is read with
 * getrusage (ru_maxrss, KB). The program then returns from its main
 * function, which ends the process with the goroutines still parked (as in
 * Go). A sleep is the simplest park both runtimes share; it also costs each
 * goroutine one pending timer, in both.
 *
 * Figures:
 *   runtime_parked_rss        peak RSS of the whole process with G parked
 *                             goroutines, KB;
 *   runtime_parked_rss_per_g  (that peak - the peak before spawning) / G,
 *                             KB: what each parked goroutine adds (stack
 *                             pages actually touched, goroutine record,
 *                             timer, run queue and allocator overhead);
 *   runtime_parked_pte        the process's page tables at that moment
 *                             (VmPTE in /proc/self/status), KB. RSS does
 *                             not count them, yet they are RAM too: stacks
 *                             scattered over a large reserved address
 *                             space need page-table pages that densely
 *                             packed ones share. Not printed where /proc
 *                             is missing.
 * WEFT_BENCH_SCALE (default 1) multiplies G.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <weft.h>
#include <weft/sync.h>

static weft_waitgroup started; /* counts down as goroutines reach their sleep */

static long scaled(long n) {
  const char *s = getenv("WEFT_BENCH_SCALE");
  double f = s ? atof(s) : 1.0;
  long v = (long)((double)n * (f > 0 ? f : 1.0));
  return v > 0 ? v : 1;
}

static long peak_rss_kb(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss; /* KB on Linux */
}

/* VmPTE from /proc/self/status in KB, or -1 if it cannot be read. */
static long page_tables_kb(void) {
  FILE *f = fopen("/proc/self/status", "r");
  if (!f) return -1;
  char line[256];
  long kb = -1;
  while (fgets(line, sizeof line, f))
    if (strncmp(line, "VmPTE:", 6) == 0) kb = strtol(line + 6, NULL, 10);
  fclose(f);
  return kb;
}

static void parked(void *arg) {
  (void)arg;
  weft_waitgroup_done(&started);
  weft_sleep(WEFT_HOUR);
}

static int app(int argc, char **argv) {
  (void)argc, (void)argv;
  long goroutines = scaled(100000);
  long before = peak_rss_kb();
  weft_waitgroup_add(&started, (int)goroutines);
  for (long i = 0; i < goroutines; i++) weft_go(parked, NULL);
  weft_waitgroup_wait(&started);
  weft_sleep(10 * WEFT_MILLISECOND); /* let the last ones finish parking */
  long after = peak_rss_kb();
  long page_tables = page_tables_kb();
  printf("BENCH runtime_parked_rss %ld KB\n", after);
  printf("BENCH runtime_parked_rss_per_g %.2f KB\n", (double)(after - before) / (double)goroutines);
  if (page_tables >= 0) printf("BENCH runtime_parked_pte %ld KB\n", page_tables);
  return 0;
}

int main(int argc, char **argv) { return weft_main(app, argc, argv); }
