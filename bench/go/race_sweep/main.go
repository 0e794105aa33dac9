// race_sweep: the Go twin of bench/race_sweep.c. Two goroutines each sweep
// their own 32 MiB array of uint64 SWEEPS times (a[i] += i); prints the
// wall time per element visited. Run plain and with -race.
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

const words = 32 * 1024 * 1024 / 8
const workers = 2

//go:noinline
func sweep(a []uint64, times int) uint64 {
	for t := 0; t < times; t++ {
		for i := range a {
			a[i] += uint64(i)
		}
	}
	var sum uint64
	for i := 0; i < len(a); i += 4096 {
		sum += a[i]
	}
	return sum
}

func main() {
	sweeps := 10
	if s := os.Getenv("WEFT_BENCH_SCALE"); s != "" {
		if f, err := strconv.ParseFloat(s, 64); err == nil && f > 0 {
			sweeps = int(float64(sweeps) * f)
			if sweeps < 1 {
				sweeps = 1
			}
		}
	}
	var checksum atomic.Uint64
	var wg sync.WaitGroup
	t0 := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := make([]uint64, words)
			checksum.Add(sweep(a, sweeps))
		}()
	}
	wg.Wait()
	ns := time.Since(t0).Nanoseconds()
	fmt.Printf("BENCH race_sweep %.3f ns/op\n", float64(ns)/float64(workers*words*sweeps))
	if checksum.Load() == 0 {
		os.Exit(1)
	}
}
