//go:build linux

package redisstore_test

import (
	"os"
	"syscall"
)

// procAttr makes the kernel kill redis-server if the test binary dies
// without reaching its cleanup (a timeout panic, a kill).
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

func pauseProcess(p *os.Process) error  { return p.Signal(syscall.SIGSTOP) }
func resumeProcess(p *os.Process) error { return p.Signal(syscall.SIGCONT) }
