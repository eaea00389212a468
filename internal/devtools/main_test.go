package main

import (
	"os"
	"strings"
	"testing"
)

const benchOut = `goos: linux
BenchmarkTransportGET-2        	   23641	     52295 ns/op	   15447 B/op	     177 allocs/op
BenchmarkTransportGET-2        	   21804	     50830 ns/op	   15446 B/op	     177 allocs/op
BenchmarkRawGET-2              	   22767	     49974 ns/op	   14781 B/op	     171 allocs/op
BenchmarkRawGET-2              	   23385	     49987 ns/op	   14781 B/op	     171 allocs/op
BenchmarkTransportParallel-2   	   34090	     36674 ns/op	   15448 B/op	     176 allocs/op
BenchmarkRawParallel-2         	   32509	     35103 ns/op	   14775 B/op	     170 allocs/op
BenchmarkTransportGETMem-2     	   25256	     63010 ns/op	   12416 B/op	     116 allocs/op
BenchmarkRawGETMem-2           	   22054	     62343 ns/op	   11720 B/op	     109 allocs/op
BenchmarkVoxioSend-2           	  100000	     12000 ns/op	    9000 B/op	     120 allocs/op
BenchmarkVoxioSendRaw-2        	  100000	     10000 ns/op	    8000 B/op	      90 allocs/op
BenchmarkVoitexSMSSend-2       	  100000	     12000 ns/op	    9000 B/op	     120 allocs/op
BenchmarkVoitexSMSSendRaw-2    	  100000	     10000 ns/op	    8000 B/op	      90 allocs/op
BenchmarkOurVoiceSend-2        	  100000	     12000 ns/op	    9000 B/op	     120 allocs/op
BenchmarkOurVoiceSendRaw-2     	  100000	     10000 ns/op	    8000 B/op	      90 allocs/op
BenchmarkChattuSend-2          	  100000	     12000 ns/op	    9000 B/op	     120 allocs/op
BenchmarkChattuSendRaw-2       	  100000	     10000 ns/op	    8000 B/op	      90 allocs/op
BenchmarkVoxioRelayHandler-2   	  100000	     11000 ns/op	    9000 B/op	      30 allocs/op
BenchmarkVoxioRelayHandlerRaw-2	  100000	     10000 ns/op	    8000 B/op	      20 allocs/op
BenchmarkChattuWebhookHandler-2	  100000	     11000 ns/op	    9000 B/op	      30 allocs/op
BenchmarkChattuWebhookHandlerRaw-2	  100000	     10000 ns/op	    8000 B/op	      20 allocs/op
BenchmarkVerifyDedupeRedis-2   	   20000	     59000 ns/op	     908 B/op	      17 allocs/op
BenchmarkVerifyDedupeMemory-2  	  300000	      3900 ns/op	     345 B/op	       3 allocs/op
BenchmarkVerify1KiB-2    	 1316829	       935.1 ns/op	1095.04 MB/s	       0 B/op	       0 allocs/op
BenchmarkHMAC1KiB-2      	  757371	      1600 ns/op	 639.85 MB/s	     561 B/op	       9 allocs/op
BenchmarkVerify64KiB-2   	   35955	     32852 ns/op	1994.89 MB/s	       0 B/op	       0 allocs/op
BenchmarkHMAC64KiB-2     	   36529	     32729 ns/op	2002.40 MB/s	     561 B/op	       9 allocs/op
    upload_test.go:166: heap growth during a 100 MiB upload: 0.98 MiB
`

func TestBenchTable(t *testing.T) {
	res, growth := parseBench(benchOut)
	if got := median(res["TransportGET"].ns); got != (52295+50830)/2.0 {
		t.Fatalf("median ns = %v", got)
	}
	if got := median(res["HMAC1KiB"].allocs); got != 9 {
		t.Fatalf("allocs = %v", got)
	}
	if len(growth) != 1 || growth[0] != 0.98 {
		t.Fatalf("growth = %v", growth)
	}
	var sb strings.Builder
	ok, err := runBenchText(&sb, benchOut)
	if err != nil || !ok {
		t.Fatalf("ok=%v err=%v\n%s", ok, err, sb.String())
	}
	for _, want := range []string{"TransportGET vs RawGET", "1.032", "Verify1KiB vs HMAC1KiB", "0.98 MiB", "ok", "VerifyDedupeRedis vs VerifyDedupeMemory", "15.128", "info"} {
		if !strings.Contains(sb.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, sb.String())
		}
	}
	// A slower SDK misses its target.
	slow := strings.Replace(benchOut, "935.1 ns/op", "1700 ns/op", 1)
	sb.Reset()
	if ok, _ := runBenchText(&sb, slow); ok || !strings.Contains(sb.String(), "MISSED") {
		t.Fatalf("a missed target passed:\n%s", sb.String())
	}
	// A missing pair is a failure, not a pass.
	sb.Reset()
	if ok, _ := runBenchText(&sb, "BenchmarkRawGET-2 1 1 ns/op 1 allocs/op\n"); ok {
		t.Fatal("missing benchmarks passed")
	}
}

func TestCoverTable(t *testing.T) {
	profile := `mode: atomic
github.com/x/a/f.go:1.1,2.2 3 0
github.com/x/a/f.go:1.1,2.2 3 1
github.com/x/a/f.go:3.1,4.2 1 0
github.com/x/b/g.go:1.1,2.2 4 0
`
	pkgs, err := parseCover(profile)
	if err != nil {
		t.Fatal(err)
	}
	if pkgs["github.com/x/a"] != [2]int{4, 3} || pkgs["github.com/x/b"] != [2]int{4, 0} {
		t.Fatalf("pkgs = %v", pkgs)
	}
	var sb strings.Builder
	ok, err := runCoverText(&sb, profile, 70)
	if err != nil || ok {
		t.Fatalf("b at 0%% must fail: ok=%v err=%v", ok, err)
	}
	if !strings.Contains(sb.String(), "75.0%") || !strings.Contains(sb.String(), "MISSED") {
		t.Fatalf("table:\n%s", sb.String())
	}
	if _, err := parseCover("mode: set\ngarbage\n"); err == nil {
		t.Fatal("bad profile accepted")
	}
}

func TestFromFiles(t *testing.T) {
	dir := t.TempDir()
	bench := dir + "/bench.txt"
	prof := dir + "/cover.out"
	if err := os.WriteFile(bench, []byte(benchOut), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(prof, []byte("mode: set\ngithub.com/x/a/f.go:1.1,2.2 3 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	if ok, err := runBench(&sb, []string{bench}); !ok || err != nil {
		t.Fatalf("bench from file: ok=%v err=%v", ok, err)
	}
	if ok, err := runCover(&sb, []string{prof}, 85); !ok || err != nil {
		t.Fatalf("cover from file: ok=%v err=%v", ok, err)
	}
	if _, err := runBench(&sb, []string{dir + "/missing"}); err == nil {
		t.Fatal("missing file accepted")
	}
	if _, err := runCover(&sb, []string{dir + "/missing"}, 85); err == nil {
		t.Fatal("missing file accepted")
	}
}

func TestRunExitCodes(t *testing.T) {
	dir := t.TempDir()
	good := dir + "/good.out"
	bad := dir + "/bad.out"
	_ = os.WriteFile(good, []byte("mode: set\ngithub.com/x/a/f.go:1.1,2.2 3 1\n"), 0o600)
	_ = os.WriteFile(bad, []byte("mode: set\ngithub.com/x/a/f.go:1.1,2.2 3 0\n"), 0o600)
	var out, errs strings.Builder
	for _, tc := range []struct {
		args []string
		code int
	}{
		{nil, 2},
		{[]string{"nope"}, 2},
		{[]string{"cover", "-min", "50", good}, 0},
		{[]string{"cover", bad}, 1},
		{[]string{"cover", "-bogus"}, 2},
		{[]string{"bench", dir + "/none"}, 2},
	} {
		if got := run(tc.args, &out, &errs); got != tc.code {
			t.Errorf("run(%v) = %d, want %d", tc.args, got, tc.code)
		}
	}
}
