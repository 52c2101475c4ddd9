// Command ndchunk evaluates chunked array expressions out of core.
//
// This first version has two subcommands: demo, which runs the README's
// example (sum(sin(x) + cos(x.T)) over a 20000x20000 random array) and
// prints the plan and the run report, and challenge, which runs one point of
// the core benchmarks and prints it as JSON for bench/core.sh.
package main

import (
	"fmt"
	"os"
)

const usage = `usage: ndchunk <command> [flags]

commands:
  demo        run the README example and print the plan and run report
  challenge   run one benchmark point (mean, sincos, fused) and print JSON
  version     print the version
`

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "demo":
		err = runDemo(os.Args[2:])
	case "challenge":
		err = runChallenge(os.Args[2:])
	case "version":
		fmt.Println("ndchunk", version)
	case "-h", "--help", "help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "ndchunk: unknown command %q\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ndchunk:", err)
		if _, ok := err.(usageError); ok {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError marks errors in the command line (exit status 2).
type usageError struct{ error }
