// Go twin of bench/sync_mutex.c:
//
//	sync_mutex_uncontended: one goroutine, N = 20M Lock+Unlock of one
//	  sync.Mutex; ns per pair.
//	sync_mutex_contended8: 8 goroutines share one mutex, each doing N/8 =
//	  250k Lock; counter++; Unlock; the main goroutine waits on a
//	  sync.WaitGroup; wall time / 2M pairs.
//
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
const contenders = 8

var (
	mu           sync.Mutex
	counter      int64
	perContender int64
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

func uncontendedRound(n int64) float64 {
	start := time.Now()
	for i := int64(0); i < n; i++ {
		mu.Lock()
		mu.Unlock()
	}
	return float64(time.Since(start)) / float64(n)
}

func contender(wg *sync.WaitGroup) {
	for i := int64(0); i < perContender; i++ {
		mu.Lock()
		counter++
		mu.Unlock()
	}
	wg.Done()
}

func contendedRound() float64 {
	var wg sync.WaitGroup
	start := time.Now()
	wg.Add(contenders)
	for i := 0; i < contenders; i++ {
		go contender(&wg)
	}
	wg.Wait()
	return float64(time.Since(start)) / float64(contenders*perContender)
}

func main() {
	n := scaled(20000000)
	perContender = scaled(2000000)/contenders + 1
	perOp := make([]float64, rounds)

	uncontendedRound(n / 10) // warm-up
	for r := range perOp {
		perOp[r] = uncontendedRound(n)
	}
	fmt.Printf("BENCH sync_mutex_uncontended %.2f ns/op\n", median(perOp))

	contendedRound() // warm-up
	for r := range perOp {
		perOp[r] = contendedRound()
	}
	fmt.Printf("BENCH sync_mutex_contended8 %.2f ns/op\n", median(perOp))
}
