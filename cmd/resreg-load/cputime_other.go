//go:build !unix

package main

import "time"

// cpuTime is not measured where getrusage does not exist: the CPU time per
// request is then reported as zero.
func cpuTime() time.Duration { return 0 }
