//go:build !linux

package redisstore_test

import (
	"errors"
	"os"
	"syscall"
)

func procAttr() *syscall.SysProcAttr { return nil }

func pauseProcess(*os.Process) error {
	return errors.New("pausing a process is only implemented on Linux")
}
func resumeProcess(*os.Process) error { return nil }
