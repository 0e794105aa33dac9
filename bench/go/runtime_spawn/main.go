// Go twin of bench/runtime_spawn.c: spawn N = 1M goroutines that each tell
// a counter they are done; the goroutine that brings the counter to N takes
// the end time; the main goroutine waits by sleeping in 1 ms steps. One
// warm-up round, then the median of 3 rounds, in ns per spawn+join.
// WEFT_BENCH_SCALE multiplies N.
package main

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"sync/atomic"
	"time"
)

const rounds = 3

var (
	goroutines int64
	finished   int64
	roundEnd   int64 // ns since epoch0, set by the last goroutine
	epoch0     = time.Now()
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

func tiny() {
	if atomic.AddInt64(&finished, 1) == goroutines {
		atomic.StoreInt64(&roundEnd, int64(time.Since(epoch0)))
	}
}

func spawnRound() float64 {
	atomic.StoreInt64(&finished, 0)
	atomic.StoreInt64(&roundEnd, 0)
	start := int64(time.Since(epoch0))
	for i := int64(0); i < goroutines; i++ {
		go tiny()
	}
	for atomic.LoadInt64(&roundEnd) == 0 {
		time.Sleep(time.Millisecond)
	}
	return float64(atomic.LoadInt64(&roundEnd)-start) / float64(goroutines)
}

func main() {
	goroutines = scaled(1000000)
	spawnRound() // warm-up
	perOp := make([]float64, rounds)
	for r := range perOp {
		perOp[r] = spawnRound()
	}
	fmt.Printf("BENCH runtime_spawn %.1f ns/op\n", median(perOp))
}
