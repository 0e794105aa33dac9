// Go twin of bench/sync_waitgroup.c: wg.Add(10000), spawn 10,000
// goroutines that each call wg.Done(), wg.Wait(); wall time of the round /
// 10,000. One warm-up round, then the median of 21 rounds (times
// WEFT_BENCH_SCALE, kept odd).
package main

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"sync"
	"time"
)

const fanout = 10000

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

func task(wg *sync.WaitGroup) { wg.Done() }

func round() float64 {
	var wg sync.WaitGroup
	start := time.Now()
	wg.Add(fanout)
	for i := 0; i < fanout; i++ {
		go task(&wg)
	}
	wg.Wait()
	return float64(time.Since(start)) / fanout
}

func main() {
	rounds := scaled(21)
	if rounds%2 == 0 {
		rounds++
	}
	round() // warm-up
	perOp := make([]float64, rounds)
	for r := range perOp {
		perOp[r] = round()
	}
	fmt.Printf("BENCH sync_waitgroup_fanout10k %.2f ns/op\n", median(perOp))
}
