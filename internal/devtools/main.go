// Command devtools turns `go test` output into the tables `make bench` and
// `make cover` print. It reads files or standard input and writes to
// standard output; it exits 1 when a target is missed.
//
//	go run ./internal/devtools bench bench.txt upload.txt
//	go run ./internal/devtools cover -min 85 cover.out
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run executes one command and returns the exit code: 0 when every target
// holds, 1 when one is missed, 2 on bad usage or input.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) < 1 {
		fmt.Fprintln(stderr, "usage: devtools bench FILE... | devtools cover [-min N] PROFILE")
		return 2
	}
	var ok bool
	var err error
	switch args[0] {
	case "bench":
		ok, err = runBench(stdout, args[1:])
	case "cover":
		fs := flag.NewFlagSet("cover", flag.ContinueOnError)
		fs.SetOutput(stderr)
		min := fs.Float64("min", 85, "lowest acceptable statement coverage per package, in percent")
		if err := fs.Parse(args[1:]); err != nil {
			return 2
		}
		ok, err = runCover(stdout, fs.Args(), *min)
	default:
		err = fmt.Errorf("unknown command %q", args[0])
	}
	if err != nil {
		fmt.Fprintln(stderr, "devtools:", err)
		return 2
	}
	if !ok {
		return 1
	}
	return 0
}

func readAll(paths []string) (string, error) {
	if len(paths) == 0 {
		b, err := io.ReadAll(os.Stdin)
		return string(b), err
	}
	var sb strings.Builder
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return "", err
		}
		sb.Write(b)
		sb.WriteByte('\n')
	}
	return sb.String(), nil
}

// pair is one SDK benchmark and the raw baseline it is judged against.
type pair struct {
	sdk, raw string
	// maxRatio is the highest acceptable ns/op ratio SDK/raw.
	maxRatio float64
	// maxExtraAllocs bounds SDK allocs/op - raw allocs/op; absAllocs, when
	// not negative, bounds SDK allocs/op outright.
	maxExtraAllocs float64
	absAllocs      float64
}

var pairs = []pair{
	{"TransportGET", "RawGET", 1.10, 25, -1},
	{"TransportParallel", "RawParallel", 1.10, 25, -1},
	// The SDK's own cost, with an in-memory RoundTripper: no network to
	// hide it behind.
	{"TransportGETMem", "RawGETMem", 1.05, 10, -1},
	{"VoxioSend", "VoxioSendRaw", 1.5, 40, -1},
	{"VoitexSMSSend", "VoitexSMSSendRaw", 1.5, 40, -1},
	{"OurVoiceSend", "OurVoiceSendRaw", 1.5, 40, -1},
	{"ChattuSend", "ChattuSendRaw", 1.5, 40, -1},
	{"VoxioRelayHandler", "VoxioRelayHandlerRaw", 1.15, 15, -1},
	{"ChattuWebhookHandler", "ChattuWebhookHandlerRaw", 1.15, 15, -1},
	// Reported without a target: the cost of a shared replay store over
	// loopback Redis against the in-memory one (redisstore module).
	{"VerifyDedupeRedis", "VerifyDedupeMemory", 0, 0, -1},
	{"Verify1KiB", "HMAC1KiB", 1.00, 1e9, 4},
	{"Verify64KiB", "HMAC64KiB", 1.05, 1e9, 4},
}

// maxUploadGrowthMiB is the heap growth allowed during the 100 MiB upload.
const maxUploadGrowthMiB = 1.0

var (
	benchLine  = regexp.MustCompile(`^Benchmark(\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op.*?(?:\s([\d.]+) allocs/op)?$`)
	uploadLine = regexp.MustCompile(`heap growth during a (\d+) MiB upload: ([\d.]+) MiB`)
)

type samples struct{ ns, allocs []float64 }

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// parseBench collects every benchmark's ns/op and allocs/op samples and the
// upload's heap growth lines.
func parseBench(text string) (map[string]*samples, []float64) {
	res := map[string]*samples{}
	var growth []float64
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if m := benchLine.FindStringSubmatch(line); m != nil {
			s := res[m[1]]
			if s == nil {
				s = &samples{}
				res[m[1]] = s
			}
			ns, _ := strconv.ParseFloat(m[2], 64)
			s.ns = append(s.ns, ns)
			if m[3] != "" {
				a, _ := strconv.ParseFloat(m[3], 64)
				s.allocs = append(s.allocs, a)
			}
		}
		if m := uploadLine.FindStringSubmatch(line); m != nil {
			g, _ := strconv.ParseFloat(m[2], 64)
			growth = append(growth, g)
		}
	}
	return res, growth
}

func runBench(w io.Writer, paths []string) (bool, error) {
	text, err := readAll(paths)
	if err != nil {
		return false, err
	}
	return runBenchText(w, text)
}

func runBenchText(w io.Writer, text string) (bool, error) {
	res, growth := parseBench(text)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "pair\tns/op\traw ns/op\tratio\tallocs/op\traw allocs/op\ttarget\tresult\t")
	allOK := true
	for _, p := range pairs {
		s, r := res[p.sdk], res[p.raw]
		if (s == nil || r == nil) && p.maxRatio <= 0 {
			fmt.Fprintf(tw, "%s vs %s\t-\t-\t-\t-\t-\t-\tnot run\t\n", p.sdk, p.raw)
			continue
		}
		if s == nil || r == nil {
			fmt.Fprintf(tw, "%s vs %s\t-\t-\t-\t-\t-\t-\tmissing\t\n", p.sdk, p.raw)
			allOK = false
			continue
		}
		ns, rns := median(s.ns), median(r.ns)
		al, ral := median(s.allocs), median(r.allocs)
		ratio := ns / rns
		if p.maxRatio <= 0 {
			fmt.Fprintf(tw, "%s vs %s\t%.0f\t%.0f\t%.3f\t%.0f\t%.0f\t-\tinfo\t\n", p.sdk, p.raw, ns, rns, ratio, al, ral)
			continue
		}
		ok := ratio <= p.maxRatio && al-ral <= p.maxExtraAllocs && (p.absAllocs < 0 || al <= p.absAllocs)
		target := fmt.Sprintf("<= %.2fx", p.maxRatio)
		if p.absAllocs >= 0 {
			target += fmt.Sprintf(", <= %.0f allocs", p.absAllocs)
		} else {
			target += fmt.Sprintf(", <= raw+%.0f allocs", p.maxExtraAllocs)
		}
		fmt.Fprintf(tw, "%s vs %s\t%.0f\t%.0f\t%.3f\t%.0f\t%.0f\t%s\t%s\t\n", p.sdk, p.raw, ns, rns, ratio, al, ral, target, verdict(ok))
		allOK = allOK && ok
	}
	if len(growth) == 0 {
		fmt.Fprintln(tw, "100 MiB upload heap growth\t-\t\t\t\t\t\tmissing\t")
		allOK = false
	} else {
		g := median(growth)
		ok := g < maxUploadGrowthMiB
		fmt.Fprintf(tw, "100 MiB upload heap growth\t%.2f MiB\t\t\t\t\t< %.0f MiB\t%s\t\n", g, maxUploadGrowthMiB, verdict(ok))
		allOK = allOK && ok
	}
	fmt.Fprintln(tw, "(medians over the runs; ratio = ns/op / raw ns/op)\t\t\t\t\t\t\t\t")
	return allOK, tw.Flush()
}

func verdict(ok bool) string {
	if ok {
		return "ok"
	}
	return "MISSED"
}

// coverBlock is one basic block of a cover profile.
type coverBlock struct {
	stmts   int
	covered bool
}

// parseCover merges a cover profile written by several test binaries
// (with -coverpkg every binary reports every package): a block counts as
// covered when any binary ran it. It returns per-package statement totals.
func parseCover(text string) (map[string][2]int, error) {
	blocks := map[string]*coverBlock{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "mode:") {
			continue
		}
		// file.go:l.c,l.c numStmts count
		f := strings.Fields(line)
		if len(f) != 3 {
			return nil, fmt.Errorf("bad profile line %q", line)
		}
		n, err1 := strconv.Atoi(f[1])
		c, err2 := strconv.Atoi(f[2])
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("bad profile line %q", line)
		}
		b := blocks[f[0]]
		if b == nil {
			b = &coverBlock{stmts: n}
			blocks[f[0]] = b
		}
		b.covered = b.covered || c > 0
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	pkgs := map[string][2]int{}
	for pos, b := range blocks {
		file := pos[:strings.LastIndex(pos, ":")]
		pkg := file[:strings.LastIndex(file, "/")]
		t := pkgs[pkg]
		t[0] += b.stmts
		if b.covered {
			t[1] += b.stmts
		}
		pkgs[pkg] = t
	}
	return pkgs, nil
}

func runCover(w io.Writer, paths []string, min float64) (bool, error) {
	text, err := readAll(paths)
	if err != nil {
		return false, err
	}
	return runCoverText(w, text, min)
}

func runCoverText(w io.Writer, text string, min float64) (bool, error) {
	pkgs, err := parseCover(text)
	if err != nil {
		return false, err
	}
	names := make([]string, 0, len(pkgs))
	for p := range pkgs {
		names = append(names, p)
	}
	sort.Strings(names)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "package\tstatements\tcovered\tresult (min %.0f%%)\n", min)
	allOK := true
	for _, p := range names {
		t := pkgs[p]
		pct := 100.0
		if t[0] > 0 {
			pct = 100 * float64(t[1]) / float64(t[0])
		}
		ok := pct >= min
		allOK = allOK && ok
		fmt.Fprintf(tw, "%s\t%d\t%.1f%%\t%s\n", p, t[0], pct, verdict(ok))
	}
	return allOK, tw.Flush()
}
