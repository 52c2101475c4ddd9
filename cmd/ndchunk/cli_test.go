package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUsageErrors: every malformed command line exits 2 with one error
// line on stderr naming what is wrong, and prints nothing on stdout.
func TestUsageErrors(t *testing.T) {
	small := fixture("small.nc")
	out := filepath.Join(t.TempDir(), "out.nc")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{}, "a command is required"},
		{[]string{"bogus"}, `unknown command "bogus"`},
		{[]string{"info"}, "want a FILE"},
		{[]string{"convert", small}, "want IN and OUT"},
		{[]string{"convert", small, out, "--nope"}, "unknown flag: --nope"},
		{[]string{"convert", small, out, "--memory", "lots"}, `bad byte size "lots"`},
		{[]string{"convert", small, out, "--memory", "0"}, "want a positive size"},
		{[]string{"convert", small, out, "--workers", "-1"}, "--workers -1"},
		{[]string{"convert", small, out, "--workers", "two"}, "invalid argument"},
		{[]string{"convert", small, out, "--progress", "loud"}, `--progress "loud"`},
		{[]string{"convert", small, out, "--format", "zarr"}, `--format "zarr"`},
		{[]string{"convert", small, filepath.Join(t.TempDir(), "out.xyz")}, `cannot tell the format from the extension ".xyz"`},
		{[]string{"convert", small, out, "--chunks", "big"}, `--chunks "big"`},
		{[]string{"convert", small, out, "--chunks", "time=0"}, `bad item "time=0"`},
		{[]string{"convert", small, out, "--chunks", "time=2,time=3"}, "given twice"},
		{[]string{"convert", small, out, "--chunks", "depth=4"}, "no dimension depth"},
		{[]string{"convert", small, out, "--compress", "deflate:12"}, "level must be 0 to 9"},
		{[]string{"convert", small, out, "--compress", "lz4"}, `--compress "lz4"`},
		{[]string{"convert", small, filepath.Join(t.TempDir(), "o.nc"), "--format", "nc3", "--compress", "deflate:1"}, "format nc3 cannot compress"},
		{[]string{"convert", small, small, "--overwrite"}, "is the input file"},
		{[]string{"eval"}, "want one EXPR"},
		{[]string{"eval", "1 +"}, "col 4"},
		{[]string{"eval", "undefined_name * 2"}, "unknown name"},
		{[]string{"eval", "sum(1, 2, 3, 4, 5)"}, "col"},
		{[]string{"eval", "x", "--in", "x=" + small}, "want NAME=FILE:VAR"},
		{[]string{"eval", "x", "--in", "1x=" + small + ":temp"}, "want NAME=FILE:VAR"},
		{[]string{"eval", "x", "--in", "x=" + small + ":temp", "--in", "x=" + small + ":pres"}, "given twice"},
		{[]string{"eval", "x", "--in", "x=" + small + ":temp", "--chunks", "0,1"}, "bad size"},
		{[]string{"eval", "x", "--in", "x=" + small + ":temp", "--chunks", "depth=3"}, "no input has a dimension depth"},
		{[]string{"eval", "x", "--in", "x=" + small + ":temp", "--chunks", "2,2"}, "fits no input"},
		{[]string{"eval", "zeros((2000, 1000))"}, "more than the 1000000 eval prints"},
		{[]string{"eval", "1", "--out", "nofile"}, "want FILE:VAR"},
		{[]string{"plan", "1 + (2"}, "never closed"},
	} {
		r := ndchunk(t, "", tc.args...)
		if r.code != 2 {
			t.Errorf("ndchunk %s: exit %d, want 2\nstderr: %s", strings.Join(tc.args, " "), r.code, r.stderr)
			continue
		}
		if !strings.Contains(r.stderr, tc.want) {
			t.Errorf("ndchunk %s: stderr %q does not say %q", strings.Join(tc.args, " "), r.stderr, tc.want)
		}
		if r.stdout != "" && len(tc.args) > 0 && tc.args[0] != "plan" {
			t.Errorf("ndchunk %s: usage error printed on stdout: %q", strings.Join(tc.args, " "), r.stdout)
		}
		if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic") {
			t.Errorf("ndchunk %s: a Go trace reached the user:\n%s", strings.Join(tc.args, " "), r.stderr)
		}
	}
}

// TestExpressionErrorCaret: a syntax error shows the expression with a
// caret under the column at fault.
func TestExpressionErrorCaret(t *testing.T) {
	r := ndchunk(t, "", "eval", "sqrt(2) + * 3")
	if r.code != 2 {
		t.Fatalf("exit %d, want 2: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	if len(lines) < 3 || !strings.Contains(lines[0], "col 11") {
		t.Fatalf("stderr:\n%s", r.stderr)
	}
	expr, caret := lines[1], lines[2]
	if strings.TrimSpace(expr) != "sqrt(2) + * 3" || strings.Index(caret, "^")-strings.Index(expr, "s") != 10 {
		t.Errorf("caret not under column 11:\n%s\n%s", expr, caret)
	}
}

// TestRuntimeErrors: bad data and impossible plans exit 1 with one line
// naming the file, the variable and the reason.
func TestRuntimeErrors(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.nc")
	small := fixture("small.nc")
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"info", filepath.Join(dir, "missing.nc")}, []string{"missing.nc", "no such file"}},
		{[]string{"info", fixture("truncated.nc")}, []string{"truncated.nc"}},
		{[]string{"info", fixture("notdata.nc")}, []string{"notdata.nc", "not a readable HDF5 or NetCDF file"}},
		{[]string{"info", small, "nosuch"}, []string{"small.nc", "variable nosuch", "no such variable", "temp"}},
		{[]string{"convert", filepath.Join(dir, "missing.nc"), out}, []string{"missing.nc", "no such file"}},
		{[]string{"convert", fixture("truncated.nc"), out}, []string{"truncated.nc"}},
		{[]string{"convert", fixture("notdata.nc"), out}, []string{"notdata.nc", "not a readable"}},
		{[]string{"convert", small, out, "--vars", "temp,nosuch"}, []string{"variable nosuch", "no such variable"}},
		{[]string{"convert", small, out, "--vars", "names"}, []string{"variable names", "not supported"}},
		{[]string{"convert", small, filepath.Join(dir, "o3.nc"), "--format", "nc3", "--vars", "u8"}, []string{"variable u8", "uint8", "classic"}},
		{[]string{"convert", fixture("plain.h5"), out, "--vars", "lzf"}, []string{"plain.h5", "lzf"}},
		{[]string{"eval", "x * 2", "--in", "x=" + small + ":nosuch"}, []string{"small.nc", "nosuch", "no such variable"}},
		{[]string{"eval", "x * 2", "--in", "x=" + fixture("plain.h5") + ":lzf"}, []string{"plain.h5", "lzf"}},
		{[]string{"eval", "x + y", "--in", "x=" + small + ":temp", "--in", "y=" + small + ":time"}, []string{"broadcast"}},
		// A budget smaller than one block.
		{[]string{"eval", "sum(x)", "--in", "x=" + fixture("xy.nc") + ":xv", "--chunks", "40,30", "--memory", "4KiB"}, []string{"budget"}},
		{[]string{"convert", fixture("xy.nc"), out, "--memory", "1KiB"}, []string{"budget"}},
		{[]string{"plan", "sum(x)", "--in", "x=" + fixture("xy.nc") + ":xv", "--chunks", "40,30", "--memory", "4KiB"}, []string{"budget"}},
	} {
		r := ndchunk(t, "", tc.args...)
		if r.code != 1 {
			t.Errorf("ndchunk %s: exit %d, want 1\nstderr: %s", strings.Join(tc.args, " "), r.code, r.stderr)
			continue
		}
		first := strings.SplitN(r.stderr, "\n", 2)[0]
		for _, w := range tc.want {
			if !strings.Contains(first, w) {
				t.Errorf("ndchunk %s: first stderr line %q does not say %q", strings.Join(tc.args, " "), first, w)
			}
		}
		if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "HDF5-DIAG") {
			t.Errorf("ndchunk %s: a trace reached the user:\n%s", strings.Join(tc.args, " "), r.stderr)
		}
	}
	noTempFiles(t, dir)
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a failed convert left %s", out)
	}
	// --debug adds the chain of causes.
	r := ndchunk(t, "", "info", filepath.Join(dir, "missing.nc"), "--debug")
	if r.code != 1 || !strings.Contains(r.stderr, "causes:") || !strings.Contains(r.stderr, "*dataset.Error") {
		t.Errorf("--debug: exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

// TestStreams: results on stdout only; progress and the final report on
// stderr, plain lines when stderr is not a terminal; nothing with --quiet.
func TestStreams(t *testing.T) {
	in := "x=" + fixture("xy.nc") + ":xv"
	r := ok(t, "eval", "mean(x)", "--in", in)
	var v map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, r.stdout)
	}
	if !strings.Contains(r.stderr, "tasks") || !strings.Contains(r.stderr, "ndchunk eval:") || !strings.Contains(r.stderr, "peak memory") || !strings.Contains(r.stderr, "read ") {
		t.Errorf("stderr lacks progress or the final report:\n%s", r.stderr)
	}
	r = ok(t, "eval", "mean(x)", "--in", in, "--quiet")
	if r.stderr != "" {
		t.Errorf("--quiet printed on stderr:\n%s", r.stderr)
	}
	r = ok(t, "eval", "mean(x)", "--in", in, "--progress", "none")
	if strings.Contains(r.stderr, "tasks") || !strings.Contains(r.stderr, "peak memory") {
		t.Errorf("--progress none: stderr\n%s", r.stderr)
	}
	r = ok(t, "eval", "mean(x)", "--in", in, "--progress", "plain")
	if !strings.Contains(r.stderr, "100% (") {
		t.Errorf("--progress plain: stderr\n%s", r.stderr)
	}
	// A bar asked for on a pipe still renders (to stderr only).
	r = ok(t, "eval", "mean(x)", "--in", in, "--progress", "bar")
	if !strings.Contains(r.stderr, "100% |") || strings.Contains(r.stdout, "%") {
		t.Errorf("--progress bar: stdout %q stderr %q", r.stdout, r.stderr)
	}
	if r := ok(t, "--version"); !strings.Contains(r.stdout, "ndchunk") {
		t.Errorf("--version: %q", r.stdout)
	}
}
