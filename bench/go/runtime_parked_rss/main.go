// Go twin of bench/runtime_parked_rss.c: G = 100k goroutines each call Done
// on a sync.WaitGroup and park in time.Sleep(time.Hour); once Wait returns
// (and 10 ms more), the
// peak RSS (getrusage ru_maxrss, KB) is printed, and the growth over the
// peak before spawning divided by G, and the page tables (VmPTE in
// /proc/self/status, KB) at that moment. main then returns, ending the process
// with the goroutines still parked. WEFT_BENCH_SCALE multiplies G.
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

var started sync.WaitGroup // counts down as goroutines reach their sleep

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

func peakRSSKB() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return int64(ru.Maxrss) // KB on Linux
}

// pageTablesKB returns VmPTE from /proc/self/status in KB, or -1.
func pageTablesKB() int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmPTE:") {
			fields := strings.Fields(line[len("VmPTE:"):])
			if len(fields) > 0 {
				if kb, err := strconv.ParseInt(fields[0], 10, 64); err == nil {
					return kb
				}
			}
		}
	}
	return -1
}

func parked() {
	started.Done()
	time.Sleep(time.Hour)
}

func main() {
	goroutines := scaled(100000)
	before := peakRSSKB()
	started.Add(int(goroutines))
	for i := int64(0); i < goroutines; i++ {
		go parked()
	}
	started.Wait()
	time.Sleep(10 * time.Millisecond) // let the last ones finish parking
	after := peakRSSKB()
	pageTables := pageTablesKB()
	fmt.Printf("BENCH runtime_parked_rss %d KB\n", after)
	fmt.Printf("BENCH runtime_parked_rss_per_g %.2f KB\n", float64(after-before)/float64(goroutines))
	if pageTables >= 0 {
		fmt.Printf("BENCH runtime_parked_pte %d KB\n", pageTables)
	}
}
