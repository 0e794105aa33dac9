// Go twin of bench/runtime_yield.c: two goroutines each call
// runtime.Gosched() N = 1M times while the main goroutine waits for both on
// a sync.WaitGroup; wall time / 2N. One warm-up round,
// then the median of 3 rounds, in ns per yield (on one P: per switch).
// WEFT_BENCH_SCALE multiplies N.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"time"
)

const rounds = 3

var yields int64

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

func pinger(wg *sync.WaitGroup) {
	for i := int64(0); i < yields; i++ {
		runtime.Gosched()
	}
	wg.Done()
}

func yieldRound() float64 {
	var wg sync.WaitGroup
	start := time.Now()
	wg.Add(2)
	go pinger(&wg)
	go pinger(&wg)
	wg.Wait()
	return float64(time.Since(start)) / float64(2*yields)
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
