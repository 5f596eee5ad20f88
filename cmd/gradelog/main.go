// Command gradelog is an event-sourced grading and jury-deliberation system.
//
// Every mark, integrated mark and jury decision is an event appended to NATS
// JetStream (an embedded server by default, an external cluster unchanged);
// projections fold the log into the views teachers, juries and auditors read.
//
// main only wires the process to run; run is what the end-to-end tests call.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "gradelog:", err)
		os.Exit(2)
	}
}

// run executes one gradelog command line. It returns when the command is
// done or ctx is cancelled; it never calls os.Exit.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	root := newRootCmd(&env{getenv: getenv, stdout: stdout, stderr: stderr})
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	return root.ExecuteContext(ctx)
}

// exitError ends the process with code after its command has already
// reported what went wrong (for example lint findings).
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }
