// Command ndchunk converts, rechunks, compresses and inspects NetCDF and
// HDF5 files and evaluates NumPy-like expressions over them, out of core,
// under a memory budget:
//
//	ndchunk info FILE [VAR...] [--json]
//	ndchunk convert IN OUT [--format F] [--vars a,b] [--chunks auto|keep|DIM=N,...]
//	                [--compress none|deflate:N] [--shuffle] [--overwrite]
//	ndchunk eval EXPR [--in NAME=FILE:VAR ...] [--out FILE:VAR] [--chunks ...] [--decode-cf]
//	ndchunk plan EXPR [same flags as eval] [--dot]
//	ndchunk demo [--dir DIR]
//
// Common flags: --memory SIZE (default a quarter of the memory available to
// the process, library caches included), --workers N, --quiet, --progress
// auto|bar|plain|none, --debug.
//
// Exit status: 0 success, 1 runtime or data error, 2 usage error, 130
// interrupted. Results go to stdout; progress, warnings, errors and the
// final report line (wall time, peak memory, bytes read and written) go
// to stderr. Errors are one line naming the file, the variable and the
// reason; --debug adds the chain of causes.
//
// The challenge subcommand (ndchunk challenge -expr mean -n 20000 ...)
// runs one point of the core benchmarks for bench/core.sh and prints it as
// JSON; it keeps Go's single-dash flag syntax.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/ndchunk/ndchunk/exec/mpi"
	"github.com/ndchunk/ndchunk/ndarray/expr"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// Exit statuses.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInterrupted = 130
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line and returns the exit status. Ctrl-C (or
// SIGTERM) cancels the context: the engine and the writers stop, remove
// their temporary files, and run returns 130; a second Ctrl-C kills the
// process at once.
func run(args []string, stdout, stderr io.Writer) (status int) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop()
	}()
	a := &app{stdout: stdout, stderr: stderr}
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "ndchunk: internal error: %v\n", r)
			if a.debug {
				stderr.Write(debug.Stack())
			} else {
				fmt.Fprintln(stderr, "ndchunk: rerun with --debug for the stack")
			}
			status = exitFailure
		}
	}()
	root := a.rootCommand()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	a.stopProfile()
	if a.mpi != nil {
		// Every rank ends here: agree on the outcome (a rank may have
		// failed on its own), so all exit alike, rank 0 reporting; then
		// finalize, without which mpirun counts a rank as failed.
		// A rank keeps its own error when it has one (usually every rank
		// failed alike, and its own error keeps its kind: usage or data).
		if agreed := a.mpi.Agree(err); err == nil {
			err = agreed
		}
		// Rank 0 prints before any rank may exit: mpirun tears the job
		// down as soon as one rank exits with a failure, which could cut
		// rank 0 off before its message is out. The second agreement is
		// the barrier.
		status := a.report(ctx, err)
		a.mpi.Agree(nil)
		if ferr := mpi.Finalize(); ferr != nil && status == exitOK {
			status = a.report(ctx, ferr)
		}
		return status
	}
	return a.report(ctx, err)
}

// usageError marks errors in the command line (exit status 2).
type usageError struct{ error }

func (u usageError) Unwrap() error { return u.error }

// usagef returns a usage error.
func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// report prints err, if any, and returns the exit status.
func (a *app) report(ctx context.Context, err error) int {
	if err == nil {
		return exitOK
	}
	prefix := "ndchunk"
	if a.cmdName != "" {
		prefix += " " + a.cmdName
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		fmt.Fprintf(a.stderr, "%s: interrupted; temporary files removed\n", prefix)
		return exitInterrupted
	}
	status := exitFailure
	var ue usageError
	var ee *expr.Error
	switch {
	case errors.As(err, &ue):
		status = exitUsage
	case !a.ran:
		// Cobra's own errors (unknown command or flag, wrong argument
		// count) come before any command runs.
		status = exitUsage
	case errors.As(err, &ee) && (errors.Is(err, expr.ErrSyntax) || errors.Is(err, expr.ErrName) || errors.Is(err, expr.ErrType)):
		status = exitUsage
	}
	fmt.Fprintf(a.stderr, "%s: %s\n", prefix, oneLine(err.Error()))
	if ee != nil {
		if c := ee.Caret(); c != "" {
			fmt.Fprintln(a.stderr, indent(c, "    "))
		}
	}
	if status == exitUsage && !a.ran {
		fmt.Fprintf(a.stderr, "run '%s --help' for usage\n", strings.TrimSpace("ndchunk "+a.cmdName))
	}
	if a.debug {
		fmt.Fprintln(a.stderr, "causes:")
		for e := err; e != nil; e = errors.Unwrap(e) {
			fmt.Fprintf(a.stderr, "  %T: %s\n", e, oneLine(e.Error()))
		}
	}
	return status
}

// oneLine joins the lines of a message so an error stays on one line.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

// indent prefixes every line of s.
func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

// rootCommand builds the command tree.
func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "ndchunk",
		Short: "Convert, rechunk and inspect NetCDF/HDF5 files and evaluate array expressions out of core",
		Long: `ndchunk converts, rechunks and compresses NetCDF and HDF5 files, writes them
as Parquet tables, shows what they hold, and evaluates NumPy-like expressions
over their variables, streaming through a bounded memory budget.

Exit status: 0 success, 1 runtime or data error, 2 usage error, 130 interrupted.
Results go to stdout; progress, warnings and errors go to stderr.`,
		Version:       version,
		SilenceErrors: true,
		SilenceUsage:  true,
		// Without a subcommand, print the help and fail as a usage error.
		RunE: func(cmd *cobra.Command, args []string) error {
			a.ran = true
			if len(args) > 0 {
				return usagef("unknown command %q", args[0])
			}
			cmd.SetOut(a.stderr)
			cmd.Help()
			return usagef("a command is required")
		},
		Args: cobra.ArbitraryArgs,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			a.ran = true
			a.cmdName = cmd.Name()
			if cmd == cmd.Root() {
				a.cmdName = ""
			}
			if err := a.checkCommon(); err != nil {
				return err
			}
			if a.silent() {
				// Rank 0 of an MPI job prints for all of them.
				a.stdout, a.stderr = io.Discard, io.Discard
				cmd.SetOut(io.Discard)
				cmd.SetErr(io.Discard)
			}
			return a.startProfile()
		},
		PersistentPostRun: func(cmd *cobra.Command, args []string) { a.stopProfile() },
	}
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		a.cmdName = c.Name()
		if c == c.Root() {
			a.cmdName = ""
		}
		return usageError{err}
	})
	pf := root.PersistentFlags()
	pf.StringVar(&a.memory, "memory", "", "memory budget for the whole process, library caches included (e.g. 512MiB, 2GB; default a quarter of the memory available)")
	pf.IntVar(&a.workers, "workers", 0, "tasks run at once (default: the CPUs this process may use)")
	pf.BoolVarP(&a.quiet, "quiet", "q", false, "no progress and no final report line")
	pf.StringVar(&a.progress, "progress", "auto", "progress on stderr: auto (a bar on a terminal, else plain lines), bar, plain or none")
	pf.StringVar(&a.backend, "backend", "auto", "engine: local (this process), mpi (every rank of an mpirun/srun job; --memory and --workers per rank) or auto (mpi when started by mpirun or srun)")
	pf.BoolVar(&a.debug, "debug", false, "print the chain of causes of an error (and the stack of an internal error)")
	pf.StringVar(&a.reportJSON, "report-json", "", "append the run's costs as one JSON line to this file (used by demo)")
	pf.MarkHidden("report-json")
	pf.StringVar(&a.cpuProfile, "cpuprofile", "", "write a CPU profile to this file")
	pf.MarkHidden("cpuprofile")

	root.AddCommand(a.infoCommand(), a.convertCommand(), a.evalCommand(), a.planCommand(), a.demoCommand(), a.challengeCommand(), a.benchCommand(), a.benchPointCommand())
	return root
}

// exactArgs is cobra.ExactArgs with a usage error.
func (a *app) exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		a.cmdName = cmd.Name()
		if len(args) != n {
			return usagef("want %s, got %d argument(s)", what, len(args))
		}
		return nil
	}
}

// minArgs is cobra.MinimumNArgs with a usage error.
func (a *app) minArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		a.cmdName = cmd.Name()
		if len(args) < n {
			return usagef("want %s", what)
		}
		return nil
	}
}

// challengeCommand wraps the benchmark point runner, which parses its own
// single-dash flags (bench/core.sh depends on them).
func (a *app) challengeCommand() *cobra.Command {
	return &cobra.Command{
		Use:                "challenge [-expr mean|sincos|fused|filesum|anomaly] [-n N] [-chunks C] [-memory SIZE] ...",
		Short:              "Run one core benchmark point and print it as JSON (for bench/core.sh)",
		Hidden:             true,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			a.ran = true
			a.cmdName = "challenge"
			return runChallenge(args)
		},
	}
}
