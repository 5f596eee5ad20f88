package main

import (
	"io"

	"github.com/spf13/cobra"
)

// env is what a subcommand may use of the process: the environment and
// the output streams. Nothing else is global.
type env struct {
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
}

func newRootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:           "gradelog",
		Short:         "Event-sourced grading and jury deliberation on NATS JetStream",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		newServeCmd(e),
		newCatalogCmd(e),
		newTokenCmd(e),
		newAccountCmd(e),
		newRebuildCmd(e),
		newVerifyCmd(e),
		newMirrorCmd(e),
		newBenchCmd(e),
	)
	root.AddCommand(newClientCmds(e)...)
	root.AddCommand(newViewCmds(e)...)
	return root
}
