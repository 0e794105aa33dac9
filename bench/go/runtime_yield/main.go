// Go twin of bench/runtime_yield.c: two goroutines each call
// runtime.Gosched() N = 1M times; the second to finish takes the end time;
// the main goroutine waits by sleeping in 1 ms steps. One warm-up round,
// then the median of 3 rounds, in ns per yield (on one P: per switch).
// WEFT_BENCH_SCALE multiplies N.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync/atomic"
	"time"
)

const rounds = 3

var (
	yields   int64
	finished int64
	roundEnd int64 // ns since epoch0, set by the second pinger to finish
	epoch0   = time.Now()
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

func pinger() {
	for i := int64(0); i < yields; i++ {
		runtime.Gosched()
	}
	if atomic.AddInt64(&finished, 1) == 2 {
		atomic.StoreInt64(&roundEnd, int64(time.Since(epoch0)))
	}
}

func yieldRound() float64 {
	atomic.StoreInt64(&finished, 0)
	atomic.StoreInt64(&roundEnd, 0)
	start := int64(time.Since(epoch0))
	go pinger()
	go pinger()
	for atomic.LoadInt64(&roundEnd) == 0 {
		time.Sleep(time.Millisecond)
	}
	return float64(atomic.LoadInt64(&roundEnd)-start) / float64(2*yields)
}

func main() {
	yields = scaled(1000000)
	yieldRound() // warm-up
	perOp := make([]float64, rounds)
	for r := range perOp {
		perOp[r] = yieldRound()
	}
	fmt.Printf("BENCH runtime_yield %.1f ns/op\n", median(perOp))
}
