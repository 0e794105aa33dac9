// Go twin of bench/sync_counter.c: 1000 goroutines each increment one
// shared counter K = 1000 times; the main goroutine waits on a
// sync.WaitGroup and checks the total.
//
//	sync_counter_mutex:  mu.Lock(); n++; mu.Unlock()
//	sync_counter_atomic: atomic.AddInt64(&n, 1)
//
// Wall time / 1M increments. One warm-up round, then the median of 5
// rounds. WEFT_BENCH_SCALE multiplies K.
package main

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

const rounds = 5
const goroutines = 1000

var (
	perGoroutine int64
	mu           sync.Mutex
	mutexCount   int64
	atomicCount  int64
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

func mutexIncrementer(wg *sync.WaitGroup) {
	for i := int64(0); i < perGoroutine; i++ {
		mu.Lock()
		mutexCount++
		mu.Unlock()
	}
	wg.Done()
}

func atomicIncrementer(wg *sync.WaitGroup) {
	for i := int64(0); i < perGoroutine; i++ {
		atomic.AddInt64(&atomicCount, 1)
	}
	wg.Done()
}

func round(fn func(*sync.WaitGroup), total func() int64) float64 {
	var wg sync.WaitGroup
	before := total()
	start := time.Now()
	wg.Add(goroutines)
	for i := 0; i < goroutines; i++ {
		go fn(&wg)
	}
	wg.Wait()
	ns := float64(time.Since(start)) / float64(goroutines*perGoroutine)
	if total()-before != goroutines*perGoroutine {
		fmt.Fprintln(os.Stderr, "sync_counter: lost updates")
		os.Exit(1)
	}
	return ns
}

func mutexTotal() int64 {
	mu.Lock()
	defer mu.Unlock()
	return mutexCount
}

func atomicTotal() int64 { return atomic.LoadInt64(&atomicCount) }

func main() {
	perGoroutine = scaled(1000)
	perOp := make([]float64, rounds)

	round(mutexIncrementer, mutexTotal) // warm-up
	for r := range perOp {
		perOp[r] = round(mutexIncrementer, mutexTotal)
	}
	fmt.Printf("BENCH sync_counter_mutex %.2f ns/op\n", median(perOp))

	round(atomicIncrementer, atomicTotal) // warm-up
	for r := range perOp {
		perOp[r] = round(atomicIncrementer, atomicTotal)
	}
	fmt.Printf("BENCH sync_counter_atomic %.2f ns/op\n", median(perOp))
}
