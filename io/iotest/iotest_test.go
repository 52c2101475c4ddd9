package iotest_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
	ndexec "github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/io/dataset"
	"github.com/ndchunk/ndchunk/io/iotest"
	"github.com/ndchunk/ndchunk/io/memio"
)

// The suite is only worth something if it fails on broken drivers. Each
// fault below breaks the memory driver in one way a real driver might be
// broken; TestFaults runs the suite on each in a child process (a failing
// suite fails the test that runs it, so it cannot run in this one) and
// checks that it fails, and for the expected reason.
var faults = []struct {
	name string
	want string // a line of the child's output that must appear
}{
	{"offset", "TestFaulty/ReadRegions"},
	{"short", "elements differ"},
	{"nan", "(0x7ff8000000000abc)"},
	{"negzero", "(0x80000000)"},
	{"nofill", "fill value"},
	{"attrtype", `attribute "g_int8" = []int16`},
	{"coord", "Coordinate = false, want true"},
	{"nofilters", "lack deflate"},
	{"unlimited", "unlimited false, want 6 true"},
	{"noabort", "after Writer.Abort: open: <nil>, want dataset.ErrNotExist"},
	{"overwrite", "without Overwrite: <nil>, want an error wrapping dataset.ErrExist"},
	{"errname", "does not name the variable"},
	{"nolist", "does not list the existing variable"},
	{"nocancel", "with a cancelled context: <nil>"},
	{"zerosize", "TestFaulty/ReadRegions"},
	{"roundtrip", "--- FAIL: TestFaulty/RoundTrip/there-memory"},
}

func TestFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite in child processes")
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestFaulty$", "-test.count=1", "-test.v")
			cmd.Env = append(os.Environ(), "IOTEST_FAULT="+f.name)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("the suite passed a driver with fault %q (err %v):\n%s", f.name, err, tail(out))
			}
			if !strings.Contains(string(out), f.want) {
				t.Errorf("fault %q: the suite failed, but its output lacks %q:\n%s", f.name, f.want, tail(out))
			}
		})
	}
}

// tail returns the end of a child's output.
func tail(out []byte) string {
	s := string(out)
	if len(s) > 4000 {
		s = "..." + s[len(s)-4000:]
	}
	return s
}

// TestFaulty runs the suite on the driver broken as IOTEST_FAULT says; it
// runs only as TestFaults' child.
func TestFaulty(t *testing.T) {
	fault := os.Getenv("IOTEST_FAULT")
	if fault == "" {
		t.Skip("run by TestFaults")
	}
	good := iotest.Harness{
		Driver: memio.Driver{}, Format: memio.Format, Open: memio.Open, DTypes: chunk.DTypes,
		Unlimited: true, Groups: true, Chunked: true, ZeroLength: true,
	}
	bad := good
	bad.Driver = faulty{fault}
	bad.Open = func(path string) (dataset.File, error) { return faulty{fault}.Open(path, dataset.OpenOptions{}) }
	if fault == "roundtrip" {
		// A converter that loses NaN payloads: the suite proper does not
		// run it, only RoundTrip.
		bad.Driver, bad.Open = faulty{"nan"}, func(path string) (dataset.File, error) { return faulty{"nan"}.Open(path, dataset.OpenOptions{}) }
		t.Run("RoundTrip", func(t *testing.T) { iotest.RoundTrip(t, good, bad) })
		return
	}
	iotest.TestDriver(t, bad)
}

// faulty is the memory driver with one fault.
type faulty struct{ fault string }

func (d faulty) Name() string      { return "faulty" }
func (d faulty) Sniff([]byte) bool { return false }
func (d faulty) Formats() []string { return []string{memio.Format} }

func (d faulty) Open(path string, _ dataset.OpenOptions) (dataset.File, error) {
	f, err := memio.Open(path)
	if err != nil {
		return nil, err
	}
	ff := &faultyFile{File: f, fault: d.fault}
	ff.info = ff.breakInfo(*f.Info())
	return ff, nil
}

func (d faulty) Create(path string, spec dataset.Spec, opts dataset.CreateOptions) (dataset.Writer, error) {
	if d.fault == "overwrite" {
		opts.Overwrite = true
	}
	if d.fault == "nofill" {
		vars := make([]dataset.VarSpec, len(spec.Vars))
		for i, v := range spec.Vars {
			v.FillValue = nil
			vars[i] = v
		}
		spec.Vars = vars
	}
	w, err := memio.Create(path, spec, opts)
	if err != nil {
		return nil, err
	}
	return &faultyWriter{Writer: w, fault: d.fault}, nil
}

type faultyFile struct {
	dataset.File
	fault string
	info  dataset.Info
}

func (f *faultyFile) breakVar(v dataset.VarInfo) dataset.VarInfo {
	switch f.fault {
	case "coord":
		v.Coordinate = false
	case "nofilters":
		v.Filters = nil
	}
	v.Attrs = f.breakAttrs(v.Attrs)
	return v
}

func (f *faultyFile) breakAttrs(attrs []dataset.Attr) []dataset.Attr {
	if f.fault != "attrtype" {
		return attrs
	}
	out := make([]dataset.Attr, len(attrs))
	for i, a := range attrs {
		if x, ok := a.Value.([]int8); ok {
			y := make([]int16, len(x))
			for k := range x {
				y[k] = int16(x[k])
			}
			a.Value = y
		}
		out[i] = a
	}
	return out
}

func (f *faultyFile) breakInfo(in dataset.Info) dataset.Info {
	in.Attrs = f.breakAttrs(in.Attrs)
	in.Vars = append([]dataset.VarInfo(nil), in.Vars...)
	for i := range in.Vars {
		in.Vars[i] = f.breakVar(in.Vars[i])
	}
	if f.fault == "unlimited" {
		in.Dims = append([]dataset.Dim(nil), in.Dims...)
		for i := range in.Dims {
			in.Dims[i].Unlimited = false
		}
	}
	return in
}

func (f *faultyFile) Info() *dataset.Info { return &f.info }

func (f *faultyFile) Var(name string) (dataset.Var, error) {
	v, err := f.File.Var(name)
	if err != nil {
		if f.fault == "nolist" {
			return nil, &dataset.Error{Path: f.info.Path, Var: name, Err: dataset.ErrNoVariable}
		}
		return nil, err
	}
	return &faultyVar{Var: v, f: f}, nil
}

type faultyVar struct {
	dataset.Var
	f *faultyFile
}

func (v *faultyVar) Info() dataset.VarInfo { return v.f.breakVar(v.Var.Info()) }

func (v *faultyVar) ReadRegion(ctx context.Context, r chunk.Region, dst []byte) error {
	switch v.f.fault {
	case "nocancel":
		ctx = context.Background()
	case "zerosize":
		if r.Size() == 0 {
			return fmt.Errorf("zero-size region %v", r)
		}
	case "offset":
		if len(r.Start) == len(v.Shape()) {
			r = chunk.Region{Start: make([]int, len(r.Start)), Shape: r.Shape}
		}
	}
	if err := v.Var.ReadRegion(ctx, r, dst); err != nil {
		return err
	}
	es := v.DType().Size()
	switch {
	case v.f.fault == "short" && len(dst) >= es && r.Size() > 1:
		clear(dst[len(dst)-es:])
	case v.f.fault == "nan" && v.DType() == chunk.Float64:
		for i, x := range chunk.Cast[float64](dst) {
			if math.IsNaN(x) {
				chunk.Cast[float64](dst)[i] = math.NaN()
			}
		}
	}
	return nil
}

type faultyWriter struct {
	dataset.Writer
	fault string
	sinks []ndexec.Sink
}

func (w *faultyWriter) Sink(name string) (ndexec.Sink, error) {
	s, err := w.Writer.Sink(name)
	if err != nil {
		return nil, err
	}
	w.sinks = append(w.sinks, s)
	return &faultySink{Sink: s, fault: w.fault}, nil
}

// Abort, with the "noabort" fault, publishes what was written instead.
func (w *faultyWriter) Abort() error {
	if w.fault == "noabort" {
		for _, s := range w.sinks {
			s.Commit(context.Background())
		}
		return w.Writer.Commit(context.Background())
	}
	return w.Writer.Abort()
}

type faultySink struct {
	ndexec.Sink
	fault string
}

func (s *faultySink) WriteRegion(ctx context.Context, r chunk.Region, data []byte) error {
	if s.fault == "negzero" && s.DType() == chunk.Float32 {
		c := make([]float32, len(data)/4)
		copy(c, chunk.Cast[float32](data))
		for i, x := range c {
			if x == 0 {
				c[i] = 0
			}
		}
		data = chunk.AsBytes(c)
	}
	err := s.Sink.WriteRegion(ctx, r, data)
	if err != nil && s.fault == "errname" {
		return fmt.Errorf("bad write: %w", errors.Unwrap(err))
	}
	return err
}
