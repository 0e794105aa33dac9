// Go twin of bench/sync_once.c: one goroutine calls once.Do(init) on a
// sync.Once whose function has already run, N = 200M times; ns per call.
// One warm-up round, then the median of 5 rounds. WEFT_BENCH_SCALE
// multiplies N.
package main

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"sync"
	"time"
)

const rounds = 5

var (
	once      sync.Once
	initCalls int64
)

func scaled(n int64) int64 {
	f, err := strconv.ParseFloat(os.Getenv("WEFT_BENCH_SCALE"), 64)
	if err != nil || f <= 0 {
		f = 1
	}
	v := int64(float64(n) * f)
	if v < 1 {
		v = 1
	}
	return v
}

func median(v []float64) float64 {
	sort.Float64s(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

func initFn() { initCalls++ }

func round(n int64) float64 {
	start := time.Now()
	for i := int64(0); i < n; i++ {
		once.Do(initFn)
	}
	return float64(time.Since(start)) / float64(n)
}

func main() {
	n := scaled(200000000)
	round(n / 10) // warm-up (and the one real call)
	perOp := make([]float64, rounds)
	for r := range perOp {
		perOp[r] = round(n)
	}
	if initCalls != 1 {
		os.Exit(1)
	}
	fmt.Printf("BENCH sync_once_fast %.2f ns/op\n", median(perOp))
}
