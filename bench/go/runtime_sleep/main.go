// Go twin of bench/runtime_sleep.c: G = 100k goroutines each sleep 5 times
// for a pseudo-random duration in [0, 2 ms) (the same xorshift generator
// and seeds as the C program, so both sleep the same durations) while the
// main goroutine waits for them on a sync.WaitGroup. Median of 3 rounds after a warm-up round: wall time per
// sleep (ns/op), wall time of a round (ms), mean lateness of a wake-up (us).
// WEFT_BENCH_SCALE multiplies G.
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

const (
	rounds     = 3
	sleeps     = 5
	maxSleepUs = 2000
)

var (
	goroutines int64
	lateNs     int64          // total lateness of this round's wake-ups
	done       sync.WaitGroup // joins a round's sleepers
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

func nextRandom(state *uint64) uint64 {
	x := *state
	x ^= x << 13
	x ^= x >> 7
	x ^= x << 17
	*state = x
	return x
}

func sleeper(index int64) {
	rng := uint64(index+1) * 0x9E3779B97F4A7C15
	var late int64
	for i := 0; i < sleeps; i++ {
		d := time.Duration((nextRandom(&rng)>>33)%maxSleepUs) * time.Microsecond
		t0 := time.Now()
		time.Sleep(d)
		late += int64(time.Since(t0) - d)
	}
	atomic.AddInt64(&lateNs, late)
	done.Done()
}

func sleepRound() (wall, late float64) {
	atomic.StoreInt64(&lateNs, 0)
	start := time.Now()
	for i := int64(0); i < goroutines; i++ {
		done.Add(1)
		go sleeper(i)
	}
	done.Wait()
	wall = float64(time.Since(start))
	late = float64(atomic.LoadInt64(&lateNs)) / float64(goroutines*sleeps)
	return
}

func main() {
	goroutines = scaled(100000)
	sleepRound() // warm-up
	wall := make([]float64, rounds)
	late := make([]float64, rounds)
	for r := 0; r < rounds; r++ {
		wall[r], late[r] = sleepRound()
	}
	w := median(wall)
	fmt.Printf("BENCH runtime_sleep_wake %.1f ns/op\n", w/float64(goroutines*sleeps))
	fmt.Printf("BENCH runtime_sleep_total %.1f ms\n", w/1e6)
	fmt.Printf("BENCH runtime_sleep_late %.1f us\n", median(late)/1e3)
}
