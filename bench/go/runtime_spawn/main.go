// Go twin of bench/runtime_spawn.c.
//
//	runtime_spawn      spawn N = 1M goroutines (wg.Add(1); go tiny()), each
//	                   calling wg.Done(), then wg.Wait(); ns per goroutine.
//	runtime_spawn_seq  spawn one and wait for it, N times; ns per goroutine.
//
// One warm-up round, then the median of 3 rounds. WEFT_BENCH_SCALE
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

const rounds = 3

var goroutines int64

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

func tiny(wg *sync.WaitGroup) { wg.Done() }

func batchRound() float64 {
	var wg sync.WaitGroup
	start := time.Now()
	for i := int64(0); i < goroutines; i++ {
		wg.Add(1)
		go tiny(&wg)
	}
	wg.Wait()
	return float64(time.Since(start)) / float64(goroutines)
}

func sequentialRound() float64 {
	var wg sync.WaitGroup
	start := time.Now()
	for i := int64(0); i < goroutines; i++ {
		wg.Add(1)
		go tiny(&wg)
		wg.Wait()
	}
	return float64(time.Since(start)) / float64(goroutines)
}

func measure(round func() float64) float64 {
	round() // warm-up
	perOp := make([]float64, rounds)
	for r := range perOp {
		perOp[r] = round()
	}
	return median(perOp)
}

func main() {
	goroutines = scaled(1000000)
	fmt.Printf("BENCH runtime_spawn %.1f ns/op\n", measure(batchRound))
	fmt.Printf("BENCH runtime_spawn_seq %.1f ns/op\n", measure(sequentialRound))
}
