// Go twin of bench/sync_rwmutex.c: 8 goroutines share one sync.RWMutex
// guarding a 16-word table; each performs N/8 operations, every 10th a
// write (Lock, bump every word, Unlock), the others reads (RLock, sum the
// words, RUnlock). Wall time / N = 2M operations. One warm-up round, then
// the median of 5 rounds. WEFT_BENCH_SCALE multiplies N.
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
const workers = 8

var (
	rw        sync.RWMutex
	table     [16]int64
	perWorker int64
	sink      int64
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

func worker(wg *sync.WaitGroup) {
	var local int64
	for i := int64(0); i < perWorker; i++ {
		if i%10 == 0 {
			rw.Lock()
			for k := range table {
				table[k]++
			}
			rw.Unlock()
		} else {
			rw.RLock()
			for k := range table {
				local += table[k]
			}
			rw.RUnlock()
		}
	}
	atomic.StoreInt64(&sink, local) // every worker stores: atomic, or -race reports it
	wg.Done()
}

func round() float64 {
	var wg sync.WaitGroup
	start := time.Now()
	wg.Add(workers)
	for i := 0; i < workers; i++ {
		go worker(&wg)
	}
	wg.Wait()
	return float64(time.Since(start)) / float64(workers*perWorker)
}

func main() {
	perWorker = scaled(2000000)/workers + 1
	round() // warm-up
	perOp := make([]float64, rounds)
	for r := range perOp {
		perOp[r] = round()
	}
	fmt.Printf("BENCH sync_rwmutex_read90 %.2f ns/op\n", median(perOp))
}
