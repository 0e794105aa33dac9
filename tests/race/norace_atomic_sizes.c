/* Atomics of every size as flags. */
#include "race_test.h"

static int payload[5];
static _Atomic int8_t f8;
static _Atomic int16_t f16;
static _Atomic int32_t f32;
static _Atomic int64_t f64;

static void producer(void *arg) {
  payload[0] = 1; atomic_store(&f8, 1);
  payload[1] = 1; atomic_store(&f16, 1);
  payload[2] = 1; atomic_store(&f32, 1);
  payload[3] = 1; atomic_store(&f64, 1);
}

static int app_main(int argc, char **argv) {
  weft_go(producer, NULL);
  while (!atomic_load(&f8)) weft_yield();
  USE(payload[0]);
  while (!atomic_load(&f16)) weft_yield();
  USE(payload[1]);
  while (!atomic_load(&f32)) weft_yield();
  USE(payload[2]);
  while (!atomic_load(&f64)) weft_yield();
  USE(payload[3]);
  return 0;
}

RACE_MAIN(app_main)
