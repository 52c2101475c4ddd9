package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/io/dataset"
	"github.com/ndchunk/ndchunk/io/parquet"
	"github.com/ndchunk/ndchunk/ndarray"
	"github.com/ndchunk/ndchunk/ndarray/expr"
	"github.com/ndchunk/ndchunk/planner"
)

// maxPrintElems is the largest result eval prints; larger ones need --out.
const maxPrintElems = 1_000_000

// outChunkBytes caps the storage chunks of an eval result written to a file.
const outChunkBytes = 4 << 20

// evalFlags are the flags of eval and plan.
type evalFlags struct {
	ins      []string
	out      string
	chunks   string
	decodeCF bool
	dot      bool
}

func addEvalFlags(cmd *cobra.Command, fl *evalFlags) {
	f := cmd.Flags()
	f.StringArrayVar(&fl.ins, "in", nil, "input NAME=FILE:VAR (repeatable)")
	f.StringVar(&fl.out, "out", "", "store the result in FILE:VAR (format from the extension) instead of printing it")
	f.StringVar(&fl.chunks, "chunks", "auto", "chunks of every input and generated array: auto, keep (storage chunks), sizes per axis (2000,2000) or DIM=N,...")
	f.BoolVar(&fl.decodeCF, "decode-cf", false, "decode inputs with the CF conventions (scale_factor/add_offset, _FillValue and missing_value to NaN)")
}

const exprHelp = `EXPR (quoted for the shell; after "--" when it starts with "-", as in
ndchunk eval --in x=f.nc:v -- '-x') is a NumPy-like expression over the inputs named with --in: numbers,
names, + - * / ** // %, comparisons, & | ~, unary -, parentheses, a.T,
slicing a[10:20, :, ::2] and integer indexing, NumPy's functions by name
(sin, sqrt, where, clip, astype(a, float32), sum(a, axis=0, keepdims=true),
mean, std(a, ddof=1), nanmean, argmax, cumsum, transpose(a, (2,0,1)), matmul
and @, concatenate, stack, rechunk) and random(SHAPE..., seed=S) / randn(...)
for generated inputs. A chunks=(...) argument overrides --chunks for one
array. --chunks sizes apply to the inputs and generated arrays of their
rank (others get auto); a single size applies to every axis.`

func (a *app) evalCommand() *cobra.Command {
	var fl evalFlags
	cmd := &cobra.Command{
		Use:   "eval EXPR",
		Short: "Evaluate an array expression over file variables and print or store the result",
		Long: `eval evaluates EXPR out of core and prints the result as one JSON object
{"shape": [...], "dtype": "...", "value": ...} (a number for rank 0, nested
lists otherwise; NaN and infinities as the strings "NaN", "Inf", "-Inf"),
or with --out FILE:VAR stores it (dims inherited from an input of the same
shape or a recognisable subset of its dims, else dim0, dim1, ...).
Results over 1,000,000 elements need --out.

` + exprHelp,
		Args: a.exactArgs(1, "one EXPR"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runEval(cmd.Context(), args[0], fl, false)
		},
	}
	addEvalFlags(cmd, &fl)
	return cmd
}

func (a *app) planCommand() *cobra.Command {
	var fl evalFlags
	cmd := &cobra.Command{
		Use:   "plan EXPR",
		Short: "Print the fused plan eval would run: stages, chunks, tasks, bytes per task, spills, budget check",
		Long: `plan prints the plan eval would run for EXPR without running it: the stages
with their shapes, chunks, task counts, projected bytes per task, the fusion,
spill and recompute decisions, and the budget check (--dot: Graphviz DOT). A
plan that cannot fit the budget is refused (exit status 1).

` + exprHelp,
		Args: a.exactArgs(1, "one EXPR"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runEval(cmd.Context(), args[0], fl, true)
		},
	}
	addEvalFlags(cmd, &fl)
	cmd.Flags().BoolVar(&fl.dot, "dot", false, "print the plan as Graphviz DOT")
	return cmd
}

// evalInput is one --in binding.
type evalInput struct {
	name, path, varName string
	file                dataset.File
	src                 dataset.Var
	info                dataset.VarInfo
	dims                []string // the input's dims (dimK where unnamed)
}

// parseIn parses NAME=FILE:VAR.
func parseIn(s string) (evalInput, error) {
	name, rest, ok := strings.Cut(s, "=")
	i := strings.LastIndex(rest, ":")
	if !ok || i <= 0 || i == len(rest)-1 || !isIdent(name) {
		return evalInput{}, usagef("--in %q: want NAME=FILE:VAR with NAME an identifier", s)
	}
	return evalInput{name: name, path: rest[:i], varName: rest[i+1:]}, nil
}

// isIdent reports whether s is a Python identifier.
func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9') {
			continue
		}
		return false
	}
	return true
}

// splitFileVar splits FILE:VAR.
func splitFileVar(flag, s string) (string, string, error) {
	i := strings.LastIndex(s, ":")
	if i <= 0 || i == len(s)-1 {
		return "", "", usagef("%s %q: want FILE:VAR", flag, s)
	}
	return s[:i], s[i+1:], nil
}

// inputSpec returns the chunks of an input for --chunks.
func (s *session) inputSpec(c chunkChoice, in *evalInput) chunk.Spec {
	shape := in.info.Shape
	storage := in.info.StorageChunks
	if len(storage) != len(shape) {
		storage = nil
	}
	switch c.mode {
	case "keep":
		if storage != nil {
			return chunk.Regular(storage...)
		}
	case "dims":
		sizes := make([]int, len(shape))
		for i := range sizes {
			sizes[i] = chunk.AutoAxis
			if n, ok := c.dims[in.dims[i]]; ok {
				sizes[i] = n
			}
		}
		return chunk.Regular(chunk.AutoChunks(shape, in.info.DType, s.blockBytes(), storage, sizes)...)
	case "sizes":
		if _, err := c.spec.Resolve(shape, in.info.DType, nil); err == nil {
			return c.spec
		}
	}
	return chunk.Auto(s.blockBytes())
}

// generatedSpec returns the chunks of an array the expression creates.
func (s *session) generatedSpec(c chunkChoice) func(shape []int, dt chunk.DType) chunk.Spec {
	return func(shape []int, dt chunk.DType) chunk.Spec {
		if c.mode == "sizes" {
			if _, err := c.spec.Resolve(shape, dt, nil); err == nil {
				return c.spec
			}
		}
		return chunk.Auto(s.blockBytes())
	}
}

// compiled is an expression ready to run.
type compiled struct {
	array  ndarray.Array
	node   expr.Node
	choice chunkChoice
	inputs []*evalInput
	files  []dataset.File
	// persisted lists the inputs read once and kept (spilled if need be)
	// because the plan reading them for each use did not fit.
	persisted []string
}

func (c *compiled) close() {
	for _, f := range c.files {
		f.Close()
	}
}

// nameUses counts the references to each name in an expression.
func nameUses(n expr.Node) map[string]int {
	uses := map[string]int{}
	var walk func(n expr.Node)
	walk = func(n expr.Node) {
		switch n := n.(type) {
		case *expr.Expr:
			walk(n.Body)
		case *expr.Name:
			uses[n.Name]++
		case *expr.Unary:
			walk(n.X)
		case *expr.Binary:
			walk(n.X)
			walk(n.Y)
		case *expr.Tuple:
			for _, e := range n.Elems {
				walk(e)
			}
		case *expr.Attr:
			walk(n.X)
		case *expr.Call:
			walk(n.Func)
			for _, e := range n.Args {
				walk(e)
			}
			for _, k := range n.Keywords {
				walk(k.Value)
			}
		case *expr.Index:
			walk(n.X)
			for _, e := range n.Items {
				walk(e)
			}
		case *expr.Slice:
			walk(n.Start)
			walk(n.Stop)
			walk(n.Step)
		}
	}
	walk(n)
	return uses
}

// compile parses the expression and opens its inputs.
func (s *session) compile(src string, fl evalFlags) (*compiled, error) {
	choice, err := parseChunks(fl.chunks, true)
	if err != nil {
		return nil, err
	}
	node, err := expr.Parse(src)
	if err != nil {
		return nil, err
	}
	c := &compiled{node: node, choice: choice}
	byName := map[string]*evalInput{}
	perFile := map[string]int{}
	for _, text := range fl.ins {
		in, err := parseIn(text)
		if err != nil {
			return nil, err
		}
		if byName[in.name] != nil {
			return nil, usagef("--in %s given twice", in.name)
		}
		byName[in.name] = &in
		c.inputs = append(c.inputs, &in)
		perFile[in.path]++
	}
	used := nameUses(node)
	for _, in := range c.inputs {
		if used[in.name] == 0 {
			s.warnf("--in %s is not used by the expression", in.name)
		}
	}
	files := map[string]dataset.File{}
	namers := map[string]map[string][]string{}
	for _, in := range c.inputs {
		f := files[in.path]
		if f == nil {
			f, err = s.openFile(in.path, perFile[in.path])
			if err != nil {
				c.close()
				return nil, err
			}
			files[in.path] = f
			namers[in.path] = fileDims(f.Info())
			c.files = append(c.files, f)
		}
		in.file = f
		v, err := f.Var(in.varName)
		if err != nil {
			c.close()
			return nil, err
		}
		in.src = dataset.CountingVar{Var: v, N: &s.read}
		if fl.decodeCF {
			if in.src, err = dataset.DecodeCF(in.src); err != nil {
				c.close()
				return nil, &dataset.Error{Path: in.path, Var: in.varName, Op: "decode", Err: err}
			}
		}
		in.info = in.src.Info()
		in.dims = namers[in.path][v.Info().Name]
	}
	if choice.mode == "sizes" && len(c.inputs) > 0 {
		fits := false
		for _, in := range c.inputs {
			_, err := choice.spec.Resolve(in.info.Shape, in.info.DType, nil)
			fits = fits || err == nil
		}
		if !fits {
			c.close()
			return nil, usagef("--chunks %s fits no input: give one size per axis of an input (or one size for all axes)", fl.chunks)
		}
	}
	if choice.mode == "dims" {
		for _, d := range choice.order {
			found := false
			for _, in := range c.inputs {
				for _, x := range in.dims {
					found = found || x == d
				}
			}
			if !found {
				c.close()
				return nil, usagef("--chunks %s: no input has a dimension %s", fl.chunks, d)
			}
		}
	}
	if err := s.build(c, nil); err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

// build evaluates the expression over the inputs; those in persist are
// read once and kept (ndarray.Persist).
func (s *session) build(c *compiled, persist map[string]bool) error {
	env := expr.Env{Vars: map[string]ndarray.Array{}, Chunks: s.generatedSpec(c.choice)}
	for _, in := range c.inputs {
		arr := ndarray.FromSource(in.src, s.inputSpec(c.choice, in))
		if err := arr.Err(); err != nil {
			err = &dataset.Error{Path: in.path, Var: in.varName, Op: "chunk", Err: err}
			if errors.Is(err, chunk.ErrChunks) {
				return usageError{err}
			}
			return err
		}
		if persist[in.name] {
			arr = arr.Persist()
		}
		env.Vars[in.name] = arr
	}
	arr, err := expr.Eval(c.node, env)
	if err != nil {
		return err
	}
	c.array = arr
	return nil
}

// fitPlan plans the expression; when the plan cannot fit because inputs
// used more than once would be held whole between their uses (x - mean(x,
// axis=0)), it plans again with those inputs persisted, so the planner may
// spill them, and keeps that if it fits.
func (s *session) fitPlan(c *compiled, reserved int64, extra ...ndarray.Array) (*planner.Plan, error) {
	p, err := s.eng.Plan(reserved, append([]ndarray.Array{c.array}, extra...)...)
	if err == nil || !errors.Is(err, chunk.ErrOverBudget) {
		return p, err
	}
	uses := nameUses(c.node)
	persist := map[string]bool{}
	var names []string
	for _, in := range c.inputs {
		if uses[in.name] > 1 {
			persist[in.name] = true
			names = append(names, in.name)
		}
	}
	if len(names) == 0 {
		return nil, err
	}
	first, firstErr := c.array, err
	if berr := s.build(c, persist); berr != nil {
		c.array = first
		return nil, firstErr
	}
	p, err = s.eng.Plan(reserved, append([]ndarray.Array{c.array}, extra...)...)
	if err != nil {
		c.array = first
		return nil, firstErr
	}
	c.persisted = names
	return p, nil
}

// runEval is eval, or plan when onlyPlan.
func (a *app) runEval(ctx context.Context, src string, fl evalFlags, onlyPlan bool) error {
	var outPath, outVar, format string
	if fl.out != "" {
		var err error
		if outPath, outVar, err = splitFileVar("--out", fl.out); err != nil {
			return err
		}
		if format, err = formatFor(outPath, ""); err != nil {
			return err
		}
		if !onlyPlan {
			if err := dataset.CheckDest(outPath, false); err != nil {
				if errors.Is(err, dataset.ErrExist) {
					return &dataset.Error{Path: outPath, Op: "eval", Err: fmt.Errorf("%w: eval never replaces a file; remove it or choose another --out", dataset.ErrExist)}
				}
				return err
			}
		}
	}
	s, err := a.newSession()
	if err != nil {
		return err
	}
	c, err := s.compile(src, fl)
	if err != nil {
		return err
	}
	defer c.close()
	x := c.array
	tooBig := fl.out == "" && x.Size() > maxPrintElems
	if tooBig && !onlyPlan {
		return usagef("the result %s%v has %d elements, more than the %d eval prints: store it with --out FILE:VAR", x.DType(), x.Shape(), x.Size(), maxPrintElems)
	}
	var reserved int64
	if fl.out == "" && !tooBig {
		// Printed results are held whole.
		reserved = x.NBytes()
	}
	p, err := s.fitPlan(c, reserved)
	if err != nil {
		err = s.overBudget(err)
		if onlyPlan {
			fmt.Fprintf(a.stdout, "plan refused: %s\n", oneLine(err.Error()))
		}
		return err
	}
	x = c.array
	if len(c.persisted) > 0 && !onlyPlan {
		s.warnf("%s used more than once: read once and kept, spilled to disk where the budget requires", strings.Join(c.persisted, ", "))
	}
	if onlyPlan {
		w := bufio.NewWriter(a.stdout)
		if tooBig {
			fmt.Fprintf(w, "note: the result has %d elements, too many to print: planned as eval --out would store it\n", x.Size())
		}
		if len(c.persisted) > 0 {
			fmt.Fprintf(w, "note: %s used more than once: read once and kept (persisted), since reading it for each use would hold all of it between the uses\n", strings.Join(c.persisted, ", "))
		}
		if fl.dot {
			err = p.Dot(w)
		} else {
			err = p.Explain(w)
		}
		if err == nil {
			err = w.Flush()
		}
		if err != nil {
			return err
		}
		return s.finish()
	}
	if fl.out == "" {
		s.prog.setLabel("eval")
		d, err := s.eng.Compute(ctx, x)
		if err != nil {
			return s.overBudget(err)
		}
		w := bufio.NewWriter(a.stdout)
		writeResultJSON(w, d)
		if err := w.Flush(); err != nil {
			return err
		}
		return s.finish()
	}
	if err := a.storeResult(ctx, s, c, src, outPath, outVar, format); err != nil {
		return err
	}
	s.outFiles = append(s.outFiles, outPath)
	return s.finish()
}

// inheritDims names the result's axes after an input's dims: an input of
// the same shape, else one the result keeps some axes of in order (a
// reduction) with exactly one way to match them, else one of the same rank
// with length-1 axes where the input has others (keepdims), else one whose
// axes the result permutes in exactly one way. It returns the names, the
// input they come from (nil: dim0, dim1, ...) and, per axis, whether the
// input's coordinate applies (same length).
func inheritDims(shape []int, inputs []*evalInput) ([]string, *evalInput, []bool) {
	rank := len(shape)
	same := make([]bool, rank)
	for _, in := range inputs {
		if chunk.EqualInts(in.info.Shape, shape) {
			for i := range same {
				same[i] = true
			}
			return append([]string(nil), in.dims...), in, same
		}
	}
	for _, in := range inputs {
		if m := subsequences(shape, in.info.Shape, 2); len(m) == 1 && rank < len(in.info.Shape) {
			names := make([]string, rank)
			for i, k := range m[0] {
				names[i] = in.dims[k]
				same[i] = true
			}
			return names, in, same
		}
	}
	for _, in := range inputs {
		if len(in.info.Shape) != rank {
			continue
		}
		ok := true
		for i, n := range shape {
			ok = ok && (n == in.info.Shape[i] || n == 1)
		}
		if ok {
			for i, n := range shape {
				same[i] = n == in.info.Shape[i]
			}
			return append([]string(nil), in.dims...), in, same
		}
	}
	for _, in := range inputs {
		if len(in.info.Shape) != rank {
			continue
		}
		if m := permutations(shape, in.info.Shape, 2); len(m) == 1 {
			names := make([]string, rank)
			for i, k := range m[0] {
				names[i] = in.dims[k]
				same[i] = true
			}
			return names, in, same
		}
	}
	names := make([]string, rank)
	for i := range names {
		names[i] = fmt.Sprintf("dim%d", i)
	}
	return names, nil, make([]bool, rank)
}

// subsequences returns up to limit ways of picking axes of full, in order,
// with the lengths of sub.
func subsequences(sub, full []int, limit int) [][]int {
	var out [][]int
	pick := make([]int, 0, len(sub))
	var rec func(i, j int)
	rec = func(i, j int) {
		if len(out) >= limit {
			return
		}
		if i == len(sub) {
			out = append(out, append([]int(nil), pick...))
			return
		}
		for k := j; k < len(full); k++ {
			if full[k] == sub[i] {
				pick = append(pick, k)
				rec(i+1, k+1)
				pick = pick[:len(pick)-1]
			}
		}
	}
	rec(0, 0)
	return out
}

// permutations returns up to limit ways of matching the axes of a to
// distinct axes of b of the same lengths.
func permutations(a, b []int, limit int) [][]int {
	var out [][]int
	used := make([]bool, len(b))
	pick := make([]int, 0, len(a))
	var rec func(i int)
	rec = func(i int) {
		if len(out) >= limit {
			return
		}
		if i == len(a) {
			out = append(out, append([]int(nil), pick...))
			return
		}
		for k := range b {
			if !used[k] && b[k] == a[i] {
				used[k] = true
				pick = append(pick, k)
				rec(i + 1)
				pick = pick[:len(pick)-1]
				used[k] = false
			}
		}
	}
	rec(0)
	return out
}

// storageFromGrid returns storage chunks that tile every block of g: per
// axis the greatest common divisor of its block lengths (the last block
// may be shorter), divided down until a chunk holds at most maxBytes.
func storageFromGrid(g chunk.Grid, elemSize int, maxBytes int64) []int {
	rank := g.Rank()
	if rank == 0 {
		return nil
	}
	out := make([]int, rank)
	for i := 0; i < rank; i++ {
		cs := g.AxisChunks(i)
		c := cs[0]
		if len(cs) > 1 {
			for _, x := range cs[1 : len(cs)-1] {
				c = gcd(c, x)
			}
			// A shorter last block ends at the array's edge: any chunk
			// length tiles it. A longer one must be tiled too.
			if last := cs[len(cs)-1]; last > c {
				c = gcd(c, last)
			}
		}
		out[i] = max(c, 1)
	}
	for int64(chunk.Size(out))*int64(elemSize) > maxBytes {
		best := -1
		for i, c := range out {
			if c > 1 && (best < 0 || c > out[best]) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		out[best] /= smallestFactor(out[best])
	}
	return out
}

// smallestFactor returns the smallest prime factor of n > 1.
func smallestFactor(n int) int {
	for p := 2; p*p <= n; p++ {
		if n%p == 0 {
			return p
		}
	}
	return n
}

// storeResult writes the result to FILE:VAR, with the coordinate variables
// of the dims it inherits.
func (a *app) storeResult(ctx context.Context, s *session, c *compiled, src, path, name, format string) error {
	x := c.array
	shape := x.Shape()
	dims, from, same := inheritDims(shape, c.inputs)
	for _, d := range dims {
		if d == name && !(len(shape) == 1 && dims[0] == name) {
			return usagef("--out variable %s is named like one of the result's dimensions (%s): choose another name", name, strings.Join(dims, ", "))
		}
	}
	// Coordinate variables of inherited dims, read from the input's file.
	type coord struct {
		dim  string
		info dataset.VarInfo
		src  dataset.Var
	}
	var coords []coord
	if from != nil {
		finfo := from.file.Info()
		for i, d := range dims {
			if !same[i] || d == name {
				continue
			}
			if cv, ok := coordVar(finfo, d); ok && cv.DType.Valid() && cv.Unsupported == "" && cv.Shape[0] == shape[i] {
				v, err := from.file.Var(cv.Name)
				if err != nil {
					return err
				}
				coords = append(coords, coord{dim: d, info: cv, src: dataset.CountingVar{Var: v, N: &s.read}})
			}
		}
	}
	if format == "parquet" {
		if err := s.requireLocal("Parquet output"); err != nil {
			return err
		}
		table := parquet.Table{Metadata: map[string]string{"ndchunk_expression": src}}
		byDim := map[string]dataset.Var{}
		for _, cd := range coords {
			byDim[cd.dim] = cd.src
		}
		s.prog.setLabel("read coordinates")
		for _, d := range dims {
			pd := parquet.Dim{Name: strings.TrimPrefix(d, "/")}
			if v, ok := byDim[d]; ok {
				dense, err := s.eng.Compute(ctx, ndarray.FromSource(v, chunk.Auto(0)))
				if err != nil {
					return err
				}
				pd.Coord = dense
			}
			table.Dims = append(table.Dims, pd)
		}
		table.Vars = []parquet.Var{{Name: name, Array: x}}
		s.prog.setLabel("eval -> " + filepath.Base(path))
		st, err := parquet.Write(ctx, s.local, path, table, parquet.Options{RowGroupBytes: s.blockBytes()})
		if err != nil {
			return s.overBudget(err)
		}
		s.written.Add(st.Rows * rowBytes(table))
		return nil
	}
	spec := dataset.Spec{Format: format, Attrs: []dataset.Attr{{Name: "history", Value: "ndchunk eval " + strconv.Quote(src)}}}
	for i, d := range dims {
		spec.Dims = append(spec.Dims, dataset.Dim{Name: d, Len: shape[i], Unlimited: shape[i] == 0 && format != "h5"})
	}
	vs := dataset.VarSpec{Name: name, Dims: dims, DType: x.DType(), Attrs: []dataset.Attr{{Name: "expression", Value: src}}}
	if chunked(format) {
		vs.Chunks = storageFromGrid(x.Grid(), x.DType().Size(), outChunkBytes)
	}
	if classicModel(format) && !classicType(x.DType()) {
		return &dataset.Error{Path: path, Var: name, Op: "create", Err: fmt.Errorf("dtype %s cannot be stored in format %s (use nc4 or h5): %w", x.DType(), format, chunk.ErrDType)}
	}
	spec.Vars = append(spec.Vars, vs)
	arrays := []ndarray.Array{x}
	for _, cd := range coords {
		spec.Vars = append(spec.Vars, dataset.VarSpec{Name: cd.info.Name, Dims: []string{cd.dim}, DType: cd.info.DType, FillValue: cd.info.FillValue, Attrs: cd.info.Attrs})
		arrays = append(arrays, ndarray.FromSource(cd.src, chunk.Auto(0)))
	}
	if _, err := s.eng.Plan(s.writeBuffers(spec), arrays...); err != nil {
		return s.overBudget(err)
	}
	// Only the writer creates the output (see runConvert).
	var w dataset.Writer
	committed := false
	defer func() {
		if w != nil && !committed {
			w.Abort()
		}
	}()
	sinks := make([]exec.Sink, len(spec.Vars))
	err := func() error {
		if !s.eng.IsWriter() {
			return nil
		}
		var err error
		if w, err = dataset.Create(path, spec, dataset.CreateOptions{CacheBytes: s.writeCache}); err != nil {
			return err
		}
		for i, v := range spec.Vars {
			sk, err := w.Sink(v.Name)
			if err != nil {
				return err
			}
			sinks[i] = dataset.CountingSink{Sink: sk, N: &s.written}
		}
		return nil
	}()
	if err := s.eng.Agree(err); err != nil {
		return err
	}
	s.prog.setLabel("eval -> " + filepath.Base(path))
	if err := s.eng.StoreMany(ctx, arrays, sinks); err != nil {
		return s.overBudget(err)
	}
	if w != nil {
		err = w.Commit(ctx)
		committed = err == nil
	}
	return s.eng.Agree(err)
}

// writeResultJSON prints {"shape": [...], "dtype": "...", "value": ...}.
func writeResultJSON(w *bufio.Writer, d *chunk.Dense) {
	w.WriteString(`{"shape": [`)
	for i, n := range d.Shape() {
		if i > 0 {
			w.WriteString(", ")
		}
		w.WriteString(strconv.Itoa(n))
	}
	fmt.Fprintf(w, `], "dtype": %q, "value": `, d.DType().String())
	shape := d.Shape()
	strides := chunk.Strides(shape)
	var rec func(axis, off int)
	rec = func(axis, off int) {
		if axis == len(shape) {
			w.WriteString(elemJSON(d, off))
			return
		}
		w.WriteByte('[')
		for k := 0; k < shape[axis]; k++ {
			if k > 0 {
				w.WriteString(", ")
			}
			rec(axis+1, off+k*strides[axis])
		}
		w.WriteByte(']')
	}
	rec(0, 0)
	w.WriteString("}\n")
}

// elemJSON formats element i: numbers exactly (floats in the shortest form
// that reads back to the same value of their own width), NaN and
// infinities as strings, bools as true/false.
func elemJSON(d *chunk.Dense, i int) string {
	b := d.Bytes()
	var f float64
	bits := 64
	switch d.DType() {
	case chunk.Bool:
		if b[i] != 0 {
			return "true"
		}
		return "false"
	case chunk.Float32:
		f, bits = float64(chunk.Cast[float32](b)[i]), 32
	case chunk.Float64:
		f = chunk.Cast[float64](b)[i]
	case chunk.Uint64:
		return strconv.FormatUint(chunk.Cast[uint64](b)[i], 10)
	default:
		return strconv.FormatInt(d.Int64(i), 10)
	}
	switch {
	case math.IsNaN(f):
		return `"NaN"`
	case math.IsInf(f, 1):
		return `"Inf"`
	case math.IsInf(f, -1):
		return `"-Inf"`
	}
	return strconv.FormatFloat(f, 'g', -1, bits)
}
