// The load side of the checktx benchmark, as CometBFT itself calls the app: CometBFT's own
// ABCI gRPC client (abci/client, the one a v0.38 node uses with --abci grpc), one CheckTx per
// tx from many goroutines, as concurrent RPC broadcasts reach the mempool. Reports throughput
// as one JSON line on stdout.
//
// usage: lanes-checktx-client <host:port> <txfile> <concurrency>
// txfile: [u32le length][tx bytes]... (bench/src/txfile.ts)
package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	abcicli "github.com/cometbft/cometbft/abci/client"
	abci "github.com/cometbft/cometbft/abci/types"
)

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "lanes-checktx-client: "+format+"\n", args...)
	os.Exit(1)
}

func readTxs(path string) [][]byte {
	buf, err := os.ReadFile(path)
	if err != nil {
		fail("reading %s: %v", path, err)
	}
	var txs [][]byte
	for at := 0; at < len(buf); {
		if at+4 > len(buf) {
			fail("%s: truncated length at byte %d", path, at)
		}
		n := int(binary.LittleEndian.Uint32(buf[at:]))
		if at+4+n > len(buf) {
			fail("%s: truncated tx at byte %d", path, at)
		}
		txs = append(txs, buf[at+4:at+4+n])
		at += 4 + n
	}
	return txs
}

func main() {
	if len(os.Args) != 4 {
		fail("usage: lanes-checktx-client <host:port> <txfile> <concurrency>")
	}
	txs := readTxs(os.Args[2])
	concurrency, err := strconv.Atoi(os.Args[3])
	if err != nil || concurrency < 1 {
		fail("concurrency must be a positive integer, got %q", os.Args[3])
	}
	client := abcicli.NewGRPCClient(os.Args[1], true)
	// Start waits (forever) for the server to answer Echo: give up after 10 s instead.
	started := make(chan error, 1)
	go func() { started <- client.Start() }()
	select {
	case err := <-started:
		if err != nil {
			fail("connecting to %s: %v", os.Args[1], err)
		}
	case <-time.After(10 * time.Second):
		fail("no answer to Echo from %s within 10 s", os.Args[1])
	}
	defer func() { _ = client.Stop() }()

	var next, failed atomic.Int64
	var firstError atomic.Value
	var wg sync.WaitGroup
	begin := time.Now()
	for i := 0; i < concurrency; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				j := next.Add(1) - 1
				if j >= int64(len(txs)) {
					return
				}
				res, err := client.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: txs[j], Type: abci.CheckTxType_New})
				if err != nil {
					fail("CheckTx: %v", err)
				}
				if res.Code != 0 {
					failed.Add(1)
					firstError.CompareAndSwap(nil, res.Log)
				}
			}
		}()
	}
	wg.Wait()
	seconds := time.Since(begin).Seconds()
	fe, _ := firstError.Load().(string)
	out, _ := json.Marshal(map[string]any{"txs": len(txs), "seconds": seconds, "tps": float64(len(txs)) / seconds, "failed": failed.Load(), "firstError": fe})
	fmt.Println(string(out))
}
