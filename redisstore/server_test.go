package redisstore_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// The tests run against a real redis-server that TestMain starts on a free
// loopback port, with persistence off, and stops at the end. Outage tests
// stop and restart it on the same port (stopRedis, startRedis) or freeze it
// (pauseRedis), so no test here runs in parallel with another.

const missingRedis = `redisstore: these tests need redis-server (Redis 6.2 or later) on PATH.
Install it:
	Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y --no-install-recommends redis-server
	macOS:         brew install redis
Or set SWITCHBOARD_SKIP_REDIS=1 to skip the tests that need it.
`

// server is this run's redis-server; nil when the tests are skipped.
var server *redisServer

func TestMain(m *testing.M) { os.Exit(runTests(m)) }

func runTests(m *testing.M) int {
	// go-redis logs reconnection attempts to stderr; the outage tests cause
	// plenty on purpose.
	redis.SetLogger(quietLogger{})
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("SWITCHBOARD_SKIP_REDIS") == "1" {
			fmt.Fprintln(os.Stderr, "redisstore: redis-server not found and SWITCHBOARD_SKIP_REDIS=1: skipping the tests that need it")
			return m.Run()
		}
		fmt.Fprint(os.Stderr, missingRedis)
		return 1
	}
	dir, err := os.MkdirTemp("", "redisstore-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "redisstore:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	s := &redisServer{bin: bin, dir: dir}
	// A free port can be taken between our probe and the server's bind:
	// try a few.
	for attempt := 0; ; attempt++ {
		port, err := freePort()
		if err == nil {
			s.addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
			err = s.start()
		}
		if err == nil {
			break
		}
		if attempt == 2 {
			fmt.Fprintf(os.Stderr, "redisstore: starting redis-server: %v\n", err)
			return 1
		}
	}
	server = s
	defer s.stop(false)
	return m.Run()
}

type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// redisServer is one redis-server process at a fixed address, restartable.
type redisServer struct {
	bin, dir, addr string

	mu     sync.Mutex
	cmd    *exec.Cmd
	done   chan struct{} // closed when cmd has exited
	out    *lockedBuffer
	paused bool
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func (s *redisServer) running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cmd != nil
}

// start launches the server and waits until it answers PING. If a previous
// stop kept the data (dump.rdb in dir), the server loads it.
func (s *redisServer) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return errors.New("already running")
	}
	_, port, _ := net.SplitHostPort(s.addr)
	cmd := exec.Command(s.bin,
		"--port", port,
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--dir", s.dir,
		"--daemonize", "no",
		"--loglevel", "warning",
		"--logfile", "",
	)
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = procAttr()
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := ping(s.addr)
		if err == nil {
			break
		}
		select {
		case <-done:
			return fmt.Errorf("redis-server exited: %s", out.String())
		default:
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-done
			return fmt.Errorf("redis-server not answering PING on %s: %v; output: %s", s.addr, err, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.cmd, s.done, s.out, s.paused = cmd, done, out, false
	return nil
}

// stop shuts the server down. keep saves its data first (SHUTDOWN SAVE, in
// spite of the disabled save points) so that the next start loads it, as a
// Redis behind a network cut or one with persistence would; otherwise the
// data is gone, as after a crash of a Redis without persistence.
func (s *redisServer) stop(keep bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	if s.paused {
		_ = resumeProcess(s.cmd.Process)
		s.paused = false
	}
	cmdText := "SHUTDOWN NOSAVE\r\n"
	if keep {
		cmdText = "SHUTDOWN SAVE\r\n"
	}
	if c, err := net.DialTimeout("tcp", s.addr, time.Second); err == nil {
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		_, _ = c.Write([]byte(cmdText))
		_, _ = bufio.NewReader(c).ReadString('\n') // the server closes it
		_ = c.Close()
	}
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	if !keep {
		_ = os.Remove(filepath.Join(s.dir, "dump.rdb"))
	}
	s.cmd = nil
}

func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(500 * time.Millisecond))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return fmt.Errorf("PING answered %q", line) // -LOADING while a dump loads
	}
	return nil
}

// requireRedis skips a test when the run has no server.
func requireRedis(t testing.TB) {
	t.Helper()
	if server == nil {
		t.Skip("no redis-server (SWITCHBOARD_SKIP_REDIS=1)")
	}
}

// newClient returns a client of the test server, configured as the package
// documentation recommends, closed at the end of the test. Each call is a
// separate connection pool: a separate "instance".
func newClient(t testing.TB) *redis.Client {
	t.Helper()
	return newClientWith(t, nil)
}

// newClientWith is newClient with options of the test's own.
func newClientWith(t testing.TB, tune func(*redis.Options)) *redis.Client {
	t.Helper()
	requireRedis(t)
	opt := &redis.Options{
		Addr:                  server.addr,
		ContextTimeoutEnabled: true,
		DialTimeout:           time.Second,
	}
	if tune != nil {
		tune(opt)
	}
	c := redis.NewClient(opt)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// flush empties the server and makes sure the test leaves it running.
func flush(t testing.TB) {
	t.Helper()
	requireRedis(t)
	t.Cleanup(func() {
		if !server.running() {
			if err := server.start(); err != nil {
				t.Errorf("restarting redis-server: %v", err)
			}
		}
	})
	c := newClient(t)
	if err := c.FlushAll(context.Background()).Err(); err != nil {
		t.Fatalf("FLUSHALL: %v", err)
	}
}

// stopRedis stops the server mid-test (see redisServer.stop for keep).
func stopRedis(t testing.TB, keep bool) {
	t.Helper()
	server.stop(keep)
	if err := ping(server.addr); err == nil {
		t.Fatal("redis-server still answers after stop")
	}
}

// startRedis restarts the server on the same port.
func startRedis(t testing.TB) {
	t.Helper()
	if err := server.start(); err != nil {
		t.Fatalf("restarting redis-server: %v", err)
	}
}

// pauseRedis freezes the server (SIGSTOP): connections are accepted by the
// kernel but nothing answers, the outage a context deadline must bound. The
// returned function (also run at cleanup) resumes it.
func pauseRedis(t testing.TB) (resume func()) {
	t.Helper()
	server.mu.Lock()
	defer server.mu.Unlock()
	if err := pauseProcess(server.cmd.Process); err != nil {
		t.Skipf("cannot pause redis-server here: %v", err)
	}
	server.paused = true
	var once sync.Once
	resume = func() {
		once.Do(func() {
			server.mu.Lock()
			defer server.mu.Unlock()
			if server.paused && server.cmd != nil {
				_ = resumeProcess(server.cmd.Process)
				server.paused = false
			}
		})
	}
	t.Cleanup(resume)
	return resume
}

// patient makes a client retry for a long time (over twenty seconds against a
// stopped server), so that a prompt failure shows the deadline at work.
func patient(o *redis.Options) { o.MaxRetries = 20 }
