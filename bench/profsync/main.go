// Command profsync runs the sync engine once under the CPU (and optionally
// heap) profiler, against any S3 endpoint, so bench/run.sh's numbers can be
// explained with pprof:
//
//	go run ./bench/profsync -endpoint http://127.0.0.1:PORT -bucket bench-small \
//	    -prefix data -dest /tmp/x -cpuprofile cpu.out
//	go tool pprof -top cpu.out
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/transfer/download"
)

func main() {
	endpoint := flag.String("endpoint", "", "S3 endpoint URL")
	bucket := flag.String("bucket", "", "bucket")
	prefix := flag.String("prefix", "", "prefix")
	dest := flag.String("dest", "", "destination folder")
	conc := flag.Int("c", download.DefaultConcurrency, "concurrency")
	part := flag.Int64("part", download.DefaultPartSize, "part size")
	cpu := flag.String("cpuprofile", "", "write a CPU profile here")
	mem := flag.String("memprofile", "", "write an allocation profile here")
	flag.Parse()

	ctx := context.Background()
	store, _, err := download.Connect(ctx, awsops.Config{EndpointURL: *endpoint, Region: "us-east-1"}, *bucket, *conc)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	eng, err := download.New(store, download.Options{Bucket: *bucket, Prefix: *prefix, Dest: *dest, Concurrency: *conc, PartSize: *part})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if *mem != "" {
		runtime.MemProfileRate = 4096
	}
	if *cpu != "" {
		f, err := os.Create(*cpu)
		if err != nil {
			panic(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			panic(err)
		}
		defer pprof.StopCPUProfile()
	}
	res, err := eng.Run(ctx)
	fmt.Printf("downloaded %d, skipped %d, failed %d, %d bytes in %v (err %v)\n",
		res.Done, res.Skipped, res.FailedCount, res.Bytes, res.Duration, err)
	for _, f := range res.Failed[:min(5, len(res.Failed))] {
		fmt.Println(" ", f.Key, f.Reason)
	}
	if *mem != "" {
		f, err := os.Create(*mem)
		if err != nil {
			panic(err)
		}
		pprof.Lookup("allocs").WriteTo(f, 0)
		f.Close()
	}
}
