// SPDX-License-Identifier: GPL-2.0-or-later
// Go under the translator: goroutines on several threads, channels,
// the garbage collector, preemption signals and a nil dereference
// turned into a panic and recovered.
package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
)

func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

func main() {
	var wg sync.WaitGroup
	res := make([]int, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			res[i] = fib(20 + i)
		}(i)
	}
	wg.Wait()
	fmt.Println(res)
	ch := make(chan int)
	go func() {
		for i := 0; i < 1000; i++ {
			ch <- i
		}
		close(ch)
	}()
	s := 0
	for v := range ch {
		s += v
	}
	fmt.Println("sum", s)
	h := sha256.Sum256([]byte(strings.Repeat("ember", 1000)))
	fmt.Printf("%x\n", h)
	a := []string{"pear", "apple", "fig"}
	sort.Strings(a)
	fmt.Println(a, runtime.GOARCH, runtime.NumGoroutine() >= 1)
	time.Sleep(10 * time.Millisecond)
	m := map[int]string{}
	for i := 0; i < 100000; i++ {
		m[i] = fmt.Sprint(i)
	}
	fmt.Println(len(m), m[4242])
	runtime.GC()
	var p *int
	defer func() { fmt.Println("recovered:", recover() != nil); os.Exit(0) }()
	fmt.Println(*p)
}
