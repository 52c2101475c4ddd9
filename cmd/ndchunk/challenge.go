package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/ndchunk/ndchunk/bench"
	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/io/dataset"
	_ "github.com/ndchunk/ndchunk/io/hdf5" // register the drivers
	_ "github.com/ndchunk/ndchunk/io/netcdf"
	"github.com/ndchunk/ndchunk/ndarray"
)

// openInput opens FILE:VAR as a lazy array with the given chunks.
func openInput(fileVar, spec string) (ndarray.Array, func(), error) {
	path, name, ok := strings.Cut(fileVar, ":")
	if !ok || path == "" || name == "" {
		return ndarray.Array{}, nil, usageError{fmt.Errorf("-file %q: want FILE:VAR", fileVar)}
	}
	cs := chunk.Auto(0)
	if spec != "" {
		var err error
		if cs, err = chunk.ParseSpec(spec); err != nil {
			return ndarray.Array{}, nil, usageError{err}
		}
	}
	f, err := dataset.Open(path, dataset.OpenOptions{})
	if err != nil {
		return ndarray.Array{}, nil, err
	}
	v, err := f.Var(name)
	if err != nil {
		f.Close()
		return ndarray.Array{}, nil, err
	}
	return ndarray.FromSource(v, cs), func() { f.Close() }, nil
}

// storeAnomaly writes x - mean(x, axis=0) to a NetCDF-4 file (the bench
// package's anomaly scenario).
func storeAnomaly(ctx context.Context, eng *exec.Engine, x ndarray.Array, out string) error {
	return bench.StoreAnomaly(ctx, eng, x, out, nil)
}

// challengeResult is one benchmark point, as bench/core.sh reads it.
type challengeResult struct {
	System        string  `json:"system"`
	Expr          string  `json:"expr"`
	N             int     `json:"n"`
	Chunks        int     `json:"chunks"`
	Workers       int     `json:"workers"`
	Budget        int64   `json:"budget"`
	Wall          float64 `json:"wall_s"`
	PeakRSS       int64   `json:"peak_rss_bytes"`
	PeakLive      int64   `json:"peak_live_bytes,omitempty"`
	Tasks         int     `json:"tasks,omitempty"`
	Value         float64 `json:"value"`
	Refused       string  `json:"refused,omitempty"`
	GBs           float64 `json:"gb_per_s,omitempty"`
	BaselineGBs   float64 `json:"baseline_gb_per_s,omitempty"`
	BaselineWall  float64 `json:"baseline_wall_s,omitempty"`
	BytesReadNote string  `json:"bytes_read,omitempty"`
}

// runChallenge runs one point: mean (mean of a random n x n array),
// sincos (sum(sin(x) + cos(x.T))) or fused (sum(a*b + c) over three
// in-memory float64 arrays of n*n elements each, chunked in blocks of
// -chunks whole rows, against a plain parallel sum over the same bytes).
func runChallenge(args []string) error {
	fs := flag.NewFlagSet("challenge", flag.ContinueOnError)
	expr := fs.String("expr", "mean", "mean, sincos, fused, filesum or anomaly")
	file := fs.String("file", "", "input FILE:VAR (filesum, anomaly)")
	out := fs.String("out", "", "output NetCDF-4 file (anomaly)")
	specText := fs.String("spec", "", "chunks of the file input, e.g. 8,-1,-1 (filesum, anomaly)")
	n := fs.Int("n", 20000, "side of the square arrays")
	chunkSize := fs.Int("chunks", 2000, "side of the square chunks")
	memory := fs.String("memory", "1GiB", "memory budget")
	workers := fs.Int("workers", 0, "workers (0: the CPUs this process may use)")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	budget, err := chunk.ParseBytes(*memory)
	if err != nil {
		return usageError{err}
	}
	eng := exec.New(exec.Options{MemoryBudget: budget, Workers: *workers})
	res := challengeResult{System: "ndchunk", Expr: *expr, N: *n, Chunks: *chunkSize, Workers: eng.Workers(), Budget: budget}
	spec := chunk.Regular(*chunkSize, *chunkSize)
	var a ndarray.Array
	var inputBytes int64
	switch *expr {
	case "mean":
		a = ndarray.RandomUniform(42, []int{*n, *n}, chunk.Float64, spec).Mean()
	case "sincos":
		x := ndarray.RandomUniform(42, []int{*n, *n}, chunk.Float64, spec)
		a = x.Sin().Add(x.T().Cos()).Sum()
	case "fused":
		size := *n * *n
		arrays := make([][]float64, 3)
		for k := range arrays {
			arrays[k] = make([]float64, size)
			v := arrays[k]
			for i := range v {
				v[i] = float64((i+k)%7) * 0.5
			}
		}
		res.BaselineWall, res.BaselineGBs = baselineSum(arrays, eng.Workers())
		// In-memory arrays are row-major: blocks of whole rows read each
		// row contiguously, as NumPy would.
		rows := chunk.Regular(*chunkSize, *n)
		x := ndarray.FromSlice(arrays[0], []int{*n, *n}, rows)
		y := ndarray.FromSlice(arrays[1], []int{*n, *n}, rows)
		z := ndarray.FromSlice(arrays[2], []int{*n, *n}, rows)
		a = x.Mul(y).Add(z).Sum()
		inputBytes = 3 * int64(size) * 8
	case "filesum", "anomaly":
		fa, closeIn, err := openInput(*file, *specText)
		if err != nil {
			return err
		}
		defer closeIn()
		inputBytes = fa.NBytes()
		if *expr == "filesum" {
			a = fa.Sum()
			break
		}
		if *out == "" {
			return usageError{fmt.Errorf("anomaly needs -out")}
		}
		start := time.Now()
		err = storeAnomaly(context.Background(), eng, fa, *out)
		res.Wall = time.Since(start).Seconds()
		res.PeakRSS = exec.PeakRSS()
		if err != nil {
			return err
		}
		rep := eng.LastReport()
		res.PeakLive, res.Tasks = rep.PeakLiveBytes, rep.Tasks
		res.GBs = float64(2*inputBytes) / res.Wall / 1e9
		res.BytesReadNote = chunk.FormatBytes(2*inputBytes) + " read, " + chunk.FormatBytes(inputBytes) + " written"
		return json.NewEncoder(os.Stdout).Encode(res)
	default:
		return usageError{fmt.Errorf("unknown -expr %q (want mean, sincos, fused, filesum or anomaly)", *expr)}
	}
	start := time.Now()
	v, err := eng.Compute(context.Background(), a)
	res.Wall = time.Since(start).Seconds()
	res.PeakRSS = exec.PeakRSS()
	switch {
	case errors.Is(err, chunk.ErrOverBudget):
		res.Refused = err.Error()
	case err != nil:
		return err
	default:
		res.Value = v.Scalar()
		rep := eng.LastReport()
		res.PeakLive, res.Tasks = rep.PeakLiveBytes, rep.Tasks
		if inputBytes > 0 {
			res.GBs = float64(inputBytes) / res.Wall / 1e9
			res.BytesReadNote = chunk.FormatBytes(inputBytes)
		}
	}
	return json.NewEncoder(os.Stdout).Encode(res)
}

// baselineSum is the reference for the fused benchmark: a plain sum over
// the same bytes (the three slices) with the same number of threads,
// unrolled by four as a C compiler would. It returns the wall time and GB/s.
func baselineSum(arrays [][]float64, workers int) (float64, float64) {
	best := 0.0
	var wall float64
	for rep := 0; rep < 3; rep++ {
		start := time.Now()
		var wg sync.WaitGroup
		sums := make([]float64, workers*len(arrays))
		for k, v := range arrays {
			per := (len(v) + workers - 1) / workers
			for w := 0; w < workers; w++ {
				lo, hi := w*per, min((w+1)*per, len(v))
				wg.Add(1)
				go func(slot int, s []float64) {
					defer wg.Done()
					var a0, a1, a2, a3 float64
					i := 0
					for ; i+4 <= len(s); i += 4 {
						a0 += s[i]
						a1 += s[i+1]
						a2 += s[i+2]
						a3 += s[i+3]
					}
					for ; i < len(s); i++ {
						a0 += s[i]
					}
					sums[slot] = a0 + a1 + a2 + a3
				}(k*workers+w, v[lo:hi])
			}
		}
		wg.Wait()
		d := time.Since(start).Seconds()
		gbs := float64(len(arrays)*len(arrays[0])*8) / d / 1e9
		if gbs > best {
			best, wall = gbs, d
		}
	}
	runtime.KeepAlive(arrays)
	return wall, best
}
