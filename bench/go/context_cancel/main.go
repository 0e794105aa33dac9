// Go twin of bench/context_cancel.c.
//
//	context_cancel_100k_wide       a root with N = 100k children; one
//	                               cancel of the root (us)
//	context_cancel_100k_wide_done  the same, after Done() on every child
//	context_cancel_100k_deep       a chain of N nested contexts; one cancel
//	                               of the top (us)
//	context_cycle                  WithCancel(Background()), cancel: ns/op
//	context_cycle_child            the same under a cancelable parent
//	context_cycle_done             context_cycle with Done() before cancel
//	context_cycle_timeout          WithTimeout(Background(), time.Hour),
//	                               cancel: ns/op
//
// One warm-up round, then the median of 5 rounds. WEFT_BENCH_SCALE
// multiplies N and the cycle counts.
package main

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"time"
)

const rounds = 5

var treeSize, cycles int64

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

var cancels []context.CancelFunc

func wideRound(withDone bool) float64 {
	root, cancelRoot := context.WithCancel(context.Background())
	for i := int64(0); i < treeSize; i++ {
		ctx, cancel := context.WithCancel(root)
		if withDone {
			_ = ctx.Done()
		}
		cancels[i] = cancel
	}
	start := time.Now()
	cancelRoot()
	us := float64(time.Since(start)) / 1e3
	for i := range cancels {
		cancels[i] = nil
	}
	return us
}

func wide() float64     { return wideRound(false) }
func wideDone() float64 { return wideRound(true) }

func deep() float64 {
	parent := context.Background()
	var top context.CancelFunc
	for i := int64(0); i < treeSize; i++ {
		ctx, cancel := context.WithCancel(parent)
		if i == 0 {
			top = cancel
		}
		cancels[i] = cancel
		parent = ctx
	}
	start := time.Now()
	top()
	us := float64(time.Since(start)) / 1e3
	for i := range cancels {
		cancels[i] = nil
	}
	return us
}

func cycle() float64 {
	bg := context.Background()
	start := time.Now()
	for i := int64(0); i < cycles; i++ {
		_, cancel := context.WithCancel(bg)
		cancel()
	}
	return float64(time.Since(start)) / float64(cycles)
}

func cycleChild() float64 {
	parent, cancelParent := context.WithCancel(context.Background())
	start := time.Now()
	for i := int64(0); i < cycles; i++ {
		_, cancel := context.WithCancel(parent)
		cancel()
	}
	ns := float64(time.Since(start)) / float64(cycles)
	cancelParent()
	return ns
}

func cycleDone() float64 {
	bg := context.Background()
	start := time.Now()
	for i := int64(0); i < cycles; i++ {
		ctx, cancel := context.WithCancel(bg)
		_ = ctx.Done()
		cancel()
	}
	return float64(time.Since(start)) / float64(cycles)
}

func cycleTimeout() float64 {
	bg := context.Background()
	start := time.Now()
	for i := int64(0); i < cycles; i++ {
		_, cancel := context.WithTimeout(bg, time.Hour)
		cancel()
	}
	return float64(time.Since(start)) / float64(cycles)
}

func measure(round func() float64) float64 {
	v := make([]float64, rounds)
	round() // warm-up
	for r := range v {
		v[r] = round()
	}
	return median(v)
}

func main() {
	treeSize = scaled(100000)
	cycles = scaled(1000000)
	cancels = make([]context.CancelFunc, treeSize)
	fmt.Printf("BENCH context_cancel_100k_wide %.1f us\n", measure(wide))
	fmt.Printf("BENCH context_cancel_100k_wide_done %.1f us\n", measure(wideDone))
	fmt.Printf("BENCH context_cancel_100k_deep %.1f us\n", measure(deep))
	fmt.Printf("BENCH context_cycle %.1f ns/op\n", measure(cycle))
	fmt.Printf("BENCH context_cycle_child %.1f ns/op\n", measure(cycleChild))
	fmt.Printf("BENCH context_cycle_done %.1f ns/op\n", measure(cycleDone))
	fmt.Printf("BENCH context_cycle_timeout %.1f ns/op\n", measure(cycleTimeout))
}
