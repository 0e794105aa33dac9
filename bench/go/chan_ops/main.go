// Go twin of bench/chan_ops.c: the same six channel workloads with Go
// channels, printing the same benchmark names (see the C file for what
// each measures). One warm-up round, then the median of 3 rounds.
// WEFT_BENCH_SCALE multiplies the iteration counts.
package main

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"time"
)

const (
	rounds    = 3
	producers = 8
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

func report(name string, round func(int64) float64, n int64) {
	warm := n / 10
	if warm < 1 {
		warm = 1
	}
	round(warm)
	perOp := make([]float64, rounds)
	for r := range perOp {
		perOp[r] = round(n)
	}
	fmt.Printf("BENCH %s %.1f ns/op\n", name, median(perOp))
}

func perOp(start time.Time, n int64) float64 {
	return float64(time.Since(start).Nanoseconds()) / float64(n)
}

func pingpongRound(n int64) float64 {
	ping, pong := make(chan int64), make(chan int64)
	go func() {
		for i := int64(0); i < n; i++ {
			v := <-ping
			pong <- v
		}
	}()
	start := time.Now()
	for i := int64(0); i < n; i++ {
		ping <- i
		<-pong
	}
	return perOp(start, n)
}

func bufferedRound(n int64) float64 {
	c := make(chan int64, 1)
	start := time.Now()
	for i := int64(0); i < n; i++ {
		c <- i
		<-c
	}
	return perOp(start, n)
}

func produce(c chan int64, n int64) {
	for i := int64(0); i < n; i++ {
		c <- i
	}
}

func prodconsRound(n int64) float64 {
	c := make(chan int64, 128)
	start := time.Now()
	go produce(c, n)
	for i := int64(0); i < n; i++ {
		<-c
	}
	return perOp(start, n)
}

func faninRound(n int64) float64 {
	c := make(chan int64, 128)
	each := n / producers
	start := time.Now()
	for k := 0; k < producers; k++ {
		go produce(c, each)
	}
	for i := int64(0); i < each*producers; i++ {
		<-c
	}
	return perOp(start, each*producers)
}

func select4Round(n int64) float64 {
	var cs [4]chan int64
	for k := range cs {
		cs[k] = make(chan int64, 128)
	}
	each := n / 4
	start := time.Now()
	for k := range cs {
		go produce(cs[k], each)
	}
	for i := int64(0); i < each*4; i++ {
		select {
		case <-cs[0]:
		case <-cs[1]:
		case <-cs[2]:
		case <-cs[3]:
		}
	}
	return perOp(start, each*4)
}

func selectDefaultRound(n int64) float64 {
	empty, full := make(chan int64, 1), make(chan int64, 1)
	full <- 0
	hits := int64(0)
	start := time.Now()
	for i := int64(0); i < n; i++ {
		select {
		case <-empty:
			hits++
		default:
			hits--
		}
		select {
		case full <- i:
			hits++
		default:
			hits--
		}
	}
	ns := perOp(start, 2*n)
	if hits != -2*n {
		fmt.Println("select_default: unexpected hits")
	}
	return ns
}

func main() {
	report("chan_pingpong", pingpongRound, scaled(1000000))
	report("chan_buffered", bufferedRound, scaled(10000000))
	report("chan_prodcons", prodconsRound, scaled(5000000))
	report("chan_fanin", faninRound, scaled(4000000))
	report("chan_select4", select4Round, scaled(2000000))
	report("chan_select_default", selectDefaultRound, scaled(20000000))
}
