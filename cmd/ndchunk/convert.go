package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/io/dataset"
	"github.com/ndchunk/ndchunk/io/parquet"
	"github.com/ndchunk/ndchunk/ndarray"
)

// autoChunkBytes is the size balanced chunking (--chunks auto) aims for:
// HDF5's default chunk cache holds one such chunk, so other readers of the
// file are served well without tuning their caches.
const autoChunkBytes = 1 << 20

// maxStorageChunkBytes is HDF5's limit on one chunk.
const maxStorageChunkBytes = 1<<32 - 1

// formats the convert command writes, and the extensions that pick them.
var (
	convertFormats = []string{"nc4", "nc4-classic", "nc3", "nc3-64bit", "cdf5", "h5", "parquet"}
	extFormats     = map[string]string{".nc": "nc4", ".nc4": "nc4", ".cdf": "nc4", ".h5": "h5", ".hdf5": "h5", ".he5": "h5", ".hdf": "h5", ".parquet": "parquet", ".pq": "parquet"}
)

// classicModel reports whether a format has the classic data model: no
// groups, no unsigned or 64-bit integers, one unlimited dimension (nc3,
// nc3-64bit and nc4-classic; cdf5 has the types but no groups).
func classicModel(format string) bool {
	return format == "nc3" || format == "nc3-64bit" || format == "nc4-classic"
}

// chunked reports whether a format stores chunks and compresses.
func chunked(format string) bool { return format == "nc4" || format == "nc4-classic" || format == "h5" }

// formatFor picks the output format: the flag, else the extension.
func formatFor(path, flag string) (string, error) {
	if flag != "" {
		for _, f := range convertFormats {
			if f == flag {
				return f, nil
			}
		}
		return "", usagef("--format %q: want one of %s", flag, strings.Join(convertFormats, ", "))
	}
	ext := strings.ToLower(filepath.Ext(path))
	if f, ok := extFormats[ext]; ok {
		return f, nil
	}
	return "", usagef("%s: cannot tell the format from the extension %q: use --format (%s)", path, ext, strings.Join(convertFormats, ", "))
}

// chunkChoice is a parsed --chunks flag.
type chunkChoice struct {
	mode  string // "keep", "auto", "dims" or "sizes" (eval only)
	dims  map[string]int
	order []string   // dims in the order given
	spec  chunk.Spec // mode "sizes"
	text  string
}

// parseChunks parses --chunks: keep, auto, DIM=N,DIM=N,... or, when sizes
// is set (eval), per-axis sizes such as 2000,2000 or auto:64MiB.
func parseChunks(s string, sizes bool) (chunkChoice, error) {
	c := chunkChoice{text: s}
	t := strings.TrimSpace(s)
	switch {
	case t == "keep":
		c.mode = "keep"
	case t == "auto" || t == "":
		c.mode = "auto"
	case strings.Contains(t, "="):
		c.mode = "dims"
		c.dims = map[string]int{}
		for _, part := range splitList(t) {
			name, val, ok := strings.Cut(part, "=")
			name = strings.TrimSpace(name)
			n, err := strconv.Atoi(strings.TrimSpace(val))
			if !ok || name == "" || err != nil || n <= 0 {
				return c, usagef("--chunks %q: bad item %q (want DIM=N with N a positive length)", s, part)
			}
			if _, dup := c.dims[name]; dup {
				return c, usagef("--chunks %q: dimension %s given twice", s, name)
			}
			c.dims[name] = n
			c.order = append(c.order, name)
		}
	case sizes:
		sp, err := chunk.ParseSpec(t)
		if err != nil {
			return c, usagef("--chunks %q: %v (want auto, keep, sizes such as 2000,2000, or DIM=N,...)", s, err)
		}
		c.mode, c.spec = "sizes", sp
	default:
		return c, usagef("--chunks %q: want auto, keep or DIM=N,DIM=N,...", s)
	}
	return c, nil
}

// compression is a parsed --compress flag.
type compression struct {
	keep  bool // keep each variable's own compression
	level int  // deflate level, 0 for none
}

func parseCompress(s string) (compression, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	switch {
	case t == "" || t == "keep":
		return compression{keep: true}, nil
	case t == "none":
		return compression{}, nil
	case strings.HasPrefix(t, "deflate:"):
		n, err := strconv.Atoi(t[len("deflate:"):])
		if err != nil || n < 0 || n > 9 {
			return compression{}, usagef("--compress %q: the deflate level must be 0 to 9", s)
		}
		return compression{level: n}, nil
	}
	return compression{}, usagef("--compress %q: want none or deflate:N (N 1-9)", s)
}

// convertFlags are the convert command's own flags.
type convertFlags struct {
	format, vars, chunks, compress string
	shuffle, overwrite             bool
	// explain prints the plan instead of running it (hidden, for tests
	// and tuning).
	explain bool
}

func (a *app) convertCommand() *cobra.Command {
	var fl convertFlags
	cmd := &cobra.Command{
		Use:   "convert IN OUT",
		Short: "Convert, rechunk and compress a NetCDF/HDF5 file into NetCDF, HDF5 or Parquet",
		Long: `convert copies variables of IN into a new file OUT: NetCDF (nc4, nc4-classic,
nc3, nc3-64bit, cdf5), HDF5 (h5) or a Parquet long table (parquet), chosen by
--format or OUT's extension (.nc: nc4, .h5/.hdf5: h5, .parquet: parquet).

Dimensions, coordinate variables, variable and global attributes and fill
values are carried over. All variables are copied by default; those the
output cannot hold (strings, compound types, a filter the library lacks, or
unsigned and 64-bit integers in the classic formats) are skipped with a
warning naming each. --vars picks some (with the coordinate variables of
their dimensions); one that cannot be copied is then an error. HDF5 datasets
without dimension names get dims named dim0, dim1, ...

--chunks keep (default) keeps each variable's storage chunks (contiguous
variables get balanced chunks), auto picks balanced chunks for mixed
time-series and map access (Unidata's algorithm, about 1 MiB each), and
DIM=N,... sets them per dimension (others keep theirs). Rechunking runs
ndchunk's own bounded-memory plan, never the C library's chunk cache: the
source is read in blocks of whole storage chunks, cut into the pieces the
target blocks need (kept in memory, or spilled compressed when the budget
requires), and written in blocks of whole target chunks, which the drivers
compress in parallel. An unfiltered source is instead copied in passes
over slabs that fit the budget (each read a few long runs per chunk), so
nothing is spilled.

--compress none|deflate:N sets the compression of every variable (default:
each keeps its own); --shuffle adds the byte shuffle filter. The output is
written under a temporary name and renamed when complete; an existing OUT is
an error unless --overwrite.`,
		Args: a.exactArgs(2, "IN and OUT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runConvert(cmd.Context(), args[0], args[1], fl)
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.format, "format", "", "output format: nc4, nc4-classic, nc3, nc3-64bit, cdf5, h5 or parquet (default: from OUT's extension)")
	f.StringVar(&fl.vars, "vars", "", "comma-separated variables to copy (default: all)")
	f.StringVar(&fl.chunks, "chunks", "keep", "storage chunks: keep, auto, or DIM=N,DIM=N,...")
	f.StringVar(&fl.compress, "compress", "", "compression: none or deflate:N (default: keep each variable's)")
	f.BoolVar(&fl.shuffle, "shuffle", false, "add the byte shuffle filter before deflate")
	f.BoolVar(&fl.overwrite, "overwrite", false, "replace OUT if it exists")
	f.BoolVar(&fl.explain, "explain", false, "print the copy's plan on stdout and write nothing")
	f.MarkHidden("explain")
	return cmd
}

// outVar is a variable to copy.
type outVar struct {
	info dataset.VarInfo
	dims []string // dims in the output
}

// dimNamer names the dimensions of the output, making up names for
// unnamed HDF5 axes: dim0, dim1, ..., one per (axis, length) so datasets
// of the same shape share them.
type dimNamer struct {
	used      map[string]bool
	generated map[[2]int]string
	next      int
}

func newDimNamer(info *dataset.Info) *dimNamer {
	n := &dimNamer{used: map[string]bool{}, generated: map[[2]int]string{}}
	for _, d := range info.Dims {
		n.used[d.Name] = true
	}
	for _, v := range info.Vars {
		for _, d := range v.Dims {
			n.used[d] = true
		}
	}
	return n
}

// fileDims names the axes of every variable of a file, in file order, so
// info, convert and eval agree on the names of unnamed axes.
func fileDims(info *dataset.Info) map[string][]string {
	dn := newDimNamer(info)
	out := make(map[string][]string, len(info.Vars))
	for _, v := range info.Vars {
		names := make([]string, len(v.Shape))
		for k, n := range v.Shape {
			d := ""
			if k < len(v.Dims) {
				d = v.Dims[k]
			}
			names[k] = dn.name(d, k, n)
		}
		out[v.Name] = names
	}
	return out
}

// name returns the output name of axis i (of length n) named d.
func (dn *dimNamer) name(d string, i, n int) string {
	if d != "" {
		if strings.Contains(d, "/") && !strings.HasPrefix(d, "/") {
			// HDF5 scales in groups come named "grp/x"; NetCDF spells it "/grp/x".
			d = "/" + d
		}
		return d
	}
	key := [2]int{i, n}
	if s, ok := dn.generated[key]; ok {
		return s
	}
	for {
		s := fmt.Sprintf("dim%d", dn.next)
		dn.next++
		if !dn.used[s] {
			dn.used[s] = true
			dn.generated[key] = s
			return s
		}
	}
}

// classicType reports whether the classic data model holds dtype dt (its
// byte is signed; bool is stored as byte).
func classicType(dt chunk.DType) bool {
	switch dt {
	case chunk.Bool, chunk.Int8, chunk.Int16, chunk.Int32, chunk.Float32, chunk.Float64:
		return true
	}
	return false
}

// classicValue reports whether an attribute value fits the classic model.
func classicValue(v any) bool {
	switch v.(type) {
	case string, []int8, []int16, []int32, []float32, []float64:
		return true
	}
	return false
}

// whyNot says why variable v cannot be copied into format, or "".
func whyNot(v dataset.VarInfo, format string) string {
	if v.Unsupported != "" {
		return v.Unsupported
	}
	if !v.DType.Valid() {
		return fmt.Sprintf("type %s is not supported", v.Type)
	}
	if classicModel(format) || format == "cdf5" {
		if strings.Count(strings.TrimPrefix(v.Name, "/"), "/") > 0 {
			return fmt.Sprintf("it is in a group, and format %s has no groups (use nc4 or h5)", format)
		}
	}
	if classicModel(format) && !classicType(v.DType) {
		return fmt.Sprintf("dtype %s cannot be stored in format %s (the classic data model has no unsigned or 64-bit integers; use nc4, cdf5 or h5)", v.DType, format)
	}
	return ""
}

// selectVars picks the variables to copy: --vars (with the coordinate
// variables of their dimensions) or all; those that cannot be copied are
// skipped with a warning, or an error when asked for by name.
func selectVars(s *session, path string, info *dataset.Info, names []string, format string) ([]outVar, error) {
	var out []outVar
	seen := map[string]bool{}
	add := func(v dataset.VarInfo, explicit bool) error {
		if seen[v.Name] {
			return nil
		}
		seen[v.Name] = true
		if why := whyNot(v, format); why != "" {
			if explicit {
				return &dataset.Error{Path: path, Var: v.Name, Op: "convert", Err: fmt.Errorf("%s: %w", why, chunk.ErrUnsupported)}
			}
			s.warnf("%s: variable %s skipped: %s", path, v.Name, why)
			return nil
		}
		out = append(out, outVar{info: v})
		return nil
	}
	if len(names) == 0 {
		for _, v := range info.Vars {
			if err := add(v, false); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	for _, n := range names {
		v, ok := info.Var(n)
		if !ok {
			return nil, dataset.NoVariable(path, n, info)
		}
		if err := add(v, true); err != nil {
			return nil, err
		}
	}
	// The coordinate variables of the chosen variables' dimensions come too.
	for _, ov := range append([]outVar(nil), out...) {
		for _, d := range ov.info.Dims {
			if c, ok := coordVar(info, d); ok {
				if err := add(c, false); err != nil {
					return nil, err
				}
			}
		}
	}
	// Keep the file's order.
	pos := map[string]int{}
	for i, v := range info.Vars {
		pos[v.Name] = i
	}
	sort.SliceStable(out, func(i, j int) bool { return pos[out[i].info.Name] < pos[out[j].info.Name] })
	return out, nil
}

// coordVar returns the coordinate variable of dimension d: the 1-D
// variable named like it.
func coordVar(info *dataset.Info, d string) (dataset.VarInfo, bool) {
	if d == "" {
		return dataset.VarInfo{}, false
	}
	for _, v := range info.Vars {
		if len(v.Shape) == 1 && len(v.Dims) == 1 && v.Dims[0] == d && (v.Coordinate || strings.TrimPrefix(v.Name, "/") == strings.TrimPrefix(d, "/")) {
			return v, true
		}
	}
	return dataset.VarInfo{}, false
}

// targetChunks returns the storage chunks of variable v in the output.
func targetChunks(v outVar, choice chunkChoice) []int {
	shape := v.info.Shape
	if len(shape) == 0 {
		return nil
	}
	size := v.info.DType.Size()
	balanced := chunk.Balanced(shape, size, autoChunkBytes)
	own := v.info.StorageChunks
	if v.info.Layout != "chunked" || len(own) != len(shape) {
		own = balanced
	}
	out := make([]int, len(shape))
	for i := range shape {
		switch choice.mode {
		case "auto":
			out[i] = balanced[i]
		case "dims":
			if n, ok := choice.dims[v.dims[i]]; ok {
				out[i] = n
			} else {
				out[i] = own[i]
			}
		default:
			out[i] = own[i]
		}
		out[i] = min(max(out[i], 1), max(shape[i], 1))
	}
	return out
}

// blockBytes is the size of the blocks a copy reads and writes, and of
// eval's automatic chunks: a sixty-fourth of the engine's budget, so
// reading, cutting, assembling and writing blocks on every worker at once
// stays well inside it, and at most 4 MiB. Measured on the rechunk of
// issue 4 (1 GB, 256 MiB budget, 2 workers): blocks of about 3 MiB copy
// twice as fast as blocks of 12 MiB, whose gathers miss the caches, while
// blocks under 1 MiB multiply the tasks that gather from every source
// block of a pass.
func (s *session) blockBytes() int64 {
	b := s.engineBudget / int64(32*max(s.eng.Workers(), 1))
	return min(max(b, 64<<10), 4<<20)
}

// passBytes is the most a pass of a copy in passes keeps: a third of the
// engine's budget, leaving room for the blocks being assembled and written.
func (s *session) passBytes() int64 { return s.engineBudget / 3 }

// openInput opens a file for reading with a chunk cache sized for nvars
// open variables; nvars < 0 means all of the file's.
func (s *session) openFile(path string, nvars int) (dataset.File, error) {
	f, err := dataset.Open(path, dataset.OpenOptions{CacheBytes: s.cachePerVar(max(nvars, 1))})
	if err != nil {
		return nil, err
	}
	if nvars < 0 {
		if n := len(f.Info().Vars); n > 1 {
			// Reopen with the cache split over every variable.
			f.Close()
			return dataset.Open(path, dataset.OpenOptions{CacheBytes: s.cachePerVar(n)})
		}
	}
	return f, nil
}

// sameFile reports whether two paths name the same existing file.
func sameFile(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

func (a *app) runConvert(ctx context.Context, in, out string, fl convertFlags) error {
	format, err := formatFor(out, fl.format)
	if err != nil {
		return err
	}
	choice, err := parseChunks(fl.chunks, false)
	if err != nil {
		return err
	}
	comp, err := parseCompress(fl.compress)
	if err != nil {
		return err
	}
	if !chunked(format) {
		if !comp.keep && comp.level > 0 || fl.shuffle {
			return usagef("format %s cannot compress: --compress and --shuffle need nc4, nc4-classic or h5", format)
		}
		if format != "parquet" && choice.mode == "dims" {
			return usagef("format %s has no storage chunks: --chunks %s cannot be applied", format, fl.chunks)
		}
	}
	if sameFile(in, out) {
		return usagef("OUT %s is the input file", out)
	}
	if err := dataset.CheckDest(out, fl.overwrite); err != nil {
		if errors.Is(err, dataset.ErrExist) {
			return &dataset.Error{Path: out, Op: "convert", Err: fmt.Errorf("%w: pass --overwrite to replace it", dataset.ErrExist)}
		}
		return err
	}
	s, err := a.newSession()
	if err != nil {
		return err
	}
	f, err := s.openFile(in, -1)
	if err != nil {
		return err
	}
	defer f.Close()
	info := f.Info()
	vars, err := selectVars(s, in, info, splitList(fl.vars), format)
	if err != nil {
		return err
	}
	if len(vars) == 0 {
		return &dataset.Error{Path: in, Op: "convert", Err: errors.New("no variable can be copied")}
	}
	names := fileDims(info)
	for i := range vars {
		vars[i].dims = names[vars[i].info.Name]
	}
	if choice.mode == "dims" {
		known := map[string]bool{}
		var names []string
		for _, v := range vars {
			for _, d := range v.dims {
				if !known[d] {
					known[d] = true
					names = append(names, d)
				}
			}
		}
		for _, d := range choice.order {
			if !known[d] {
				return usagef("--chunks %s: no dimension %s among the variables copied (dimensions: %s)", fl.chunks, d, strings.Join(names, ", "))
			}
		}
	}
	if format == "parquet" {
		return a.convertParquet(ctx, s, f, in, out, vars, fl)
	}
	spec, err := buildSpec(s, in, info, vars, format, choice, comp, fl.shuffle)
	if err != nil {
		return err
	}
	for i, vs := range spec.Vars {
		if vs.Chunks == nil {
			continue
		}
		if b := int64(chunk.Size(vs.Chunks)) * int64(vs.DType.Size()); b > maxStorageChunkBytes {
			return usageError{&dataset.Error{Path: out, Var: vars[i].info.Name, Op: "convert", Err: fmt.Errorf("chunks %s hold %s, more than the 4 GiB an HDF5 chunk may hold: %w", tuple(vs.Chunks), chunk.FormatBytes(b), chunk.ErrChunks)}}
		}
	}

	// Plan every variable before creating anything, so a plan that cannot
	// fit the budget fails before the output exists.
	plans := make([]rechunkPlan, len(vars))
	var arrays []ndarray.Array
	for i, v := range vars {
		src, err := f.Var(v.info.Name)
		if err != nil {
			return err
		}
		cheap := len(v.info.Filters) == 0
		plans[i] = copyPlan(dataset.CountingVar{Var: src, N: &s.read}, src.StorageChunks(), spec.Vars[i].Chunks, s.blockBytes(), s.passBytes(), cheap)
		if err := plans[i].Err(); err != nil {
			return &dataset.Error{Path: in, Var: v.info.Name, Op: "convert", Err: err}
		}
		for _, ps := range plans[i].Passes {
			arrays = append(arrays, ps.Array)
		}
	}
	plan, err := s.eng.Plan(s.writeBuffers(spec), arrays...)
	if err != nil {
		return &dataset.Error{Path: in, Op: "convert", Err: s.overBudget(err)}
	}
	if fl.explain {
		if err := plan.Explain(a.stdout); err != nil {
			return err
		}
		return s.finish()
	}
	// Only the writer creates the output (on the MPI backend, one rank;
	// the others pass nil sinks and their blocks are sent to it).
	var w dataset.Writer
	committed := false
	defer func() {
		if w != nil && !committed {
			w.Abort()
		}
	}()
	sinks := make([]exec.Sink, 0, len(arrays))
	varSinks := make([]exec.Sink, len(vars))
	err = func() error {
		if !s.eng.IsWriter() {
			sinks = sinks[:len(arrays)]
			return nil
		}
		var err error
		w, err = dataset.Create(out, spec, dataset.CreateOptions{Overwrite: fl.overwrite, CacheBytes: s.writeCache})
		if err != nil {
			return err
		}
		for i, vs := range spec.Vars {
			sk, err := w.Sink(vs.Name)
			if err != nil {
				return err
			}
			varSinks[i] = sk
			counted := dataset.CountingSink{Sink: sk, N: &s.written}
			for _, ps := range plans[i].Passes {
				if len(plans[i].Passes) == 1 {
					sinks = append(sinks, counted)
					continue
				}
				sinks = append(sinks, &offsetSink{Sink: counted, offset: ps.Offset, shape: ps.Array.Shape()})
			}
		}
		return nil
	}()
	if err := s.eng.Agree(err); err != nil {
		return err
	}
	s.prog.setLabel(fmt.Sprintf("convert %s -> %s", filepath.Base(in), filepath.Base(out)))
	if err := s.eng.StoreMany(ctx, arrays, sinks); err != nil {
		return s.overBudget(err)
	}
	if w != nil {
		err = func() error {
			// Variables copied in passes: their sinks were committed pass by
			// pass through offset sinks, which commit nothing.
			for i, p := range plans {
				if len(p.Passes) > 1 {
					if err := varSinks[i].Commit(ctx); err != nil {
						return err
					}
				}
			}
			return w.Commit(ctx)
		}()
		committed = err == nil
	}
	if err := s.eng.Agree(err); err != nil {
		return err
	}
	s.outFiles = append(s.outFiles, out)
	return s.finish()
}

// buildSpec describes the output file.
func buildSpec(s *session, in string, info *dataset.Info, vars []outVar, format string, choice chunkChoice, comp compression, shuffle bool) (dataset.Spec, error) {
	spec := dataset.Spec{Format: format}
	dimLen := map[string]int{}
	var unlimitedSeen bool
	classic := classicModel(format) || format == "cdf5"
	keepAttr := func(owner string, at dataset.Attr) bool {
		if classicModel(format) && !classicValue(at.Value) {
			s.warnf("%s: attribute %s%s dropped: format %s cannot hold %T values", in, owner, at.Name, format, at.Value)
			return false
		}
		return true
	}
	for _, v := range vars {
		for k, d := range v.dims {
			n := v.info.Shape[k]
			if old, ok := dimLen[d]; ok {
				if old != n {
					return spec, &dataset.Error{Path: in, Var: v.info.Name, Op: "convert", Err: fmt.Errorf("dimension %s has length %d here and %d in another variable: %w", d, n, old, chunk.ErrShape)}
				}
				continue
			}
			dimLen[d] = n
			dim := dataset.Dim{Name: d, Len: n}
			if src, ok := info.Dim(strings.TrimPrefix(d, "/")); ok && src.Unlimited {
				dim.Unlimited = true
			} else if src, ok := info.Dim(d); ok && src.Unlimited {
				dim.Unlimited = true
			}
			if dim.Unlimited && classic {
				// The classic model allows one unlimited dimension, the
				// first axis of the variables using it.
				if unlimitedSeen || k != 0 {
					dim.Unlimited = false
				}
				unlimitedSeen = unlimitedSeen || dim.Unlimited
			}
			if n == 0 && !dim.Unlimited && format != "h5" {
				// NetCDF spells a fixed length of 0 "unlimited".
				dim.Unlimited = true
			}
			spec.Dims = append(spec.Dims, dim)
		}
	}
	for _, v := range vars {
		vs := dataset.VarSpec{Name: v.info.Name, Dims: v.dims, DType: v.info.DType}
		if chunked(format) {
			vs.Chunks = targetChunks(v, choice)
			deflate, shuf := 0, false
			for _, f := range v.info.Filters {
				switch f.Name {
				case "deflate":
					deflate = 4
					if len(f.Params) > 0 {
						deflate = int(f.Params[0])
					}
				case "shuffle":
					shuf = true
				}
			}
			if !comp.keep {
				deflate, shuf = comp.level, false
			}
			vs.Deflate = min(max(deflate, 0), 9)
			vs.Shuffle = shuf || shuffle
		}
		if fv := v.info.FillValue; fv != nil {
			vs.FillValue = fv
		}
		for _, at := range v.info.Attrs {
			if keepAttr(v.info.Name+":", at) {
				vs.Attrs = append(vs.Attrs, at)
			}
		}
		spec.Vars = append(spec.Vars, vs)
	}
	for _, at := range info.Attrs {
		if keepAttr(":", at) {
			spec.Attrs = append(spec.Attrs, at)
		}
	}
	return spec, nil
}

// convertParquet writes the selected variables as a long table. The
// coordinate variables become the dimension columns; the others must share
// one set of dimensions.
func (a *app) convertParquet(ctx context.Context, s *session, f dataset.File, in, out string, vars []outVar, fl convertFlags) error {
	if err := s.requireLocal("Parquet output"); err != nil {
		return err
	}
	info := f.Info()
	var data []outVar
	coords := map[string]dataset.VarInfo{}
	for _, v := range vars {
		if c, ok := coordVar(info, firstOr(v.info.Dims)); ok && c.Name == v.info.Name {
			coords[v.dims[0]] = v.info
			continue
		}
		data = append(data, v)
	}
	if len(data) == 0 {
		return &dataset.Error{Path: in, Op: "convert to parquet", Err: fmt.Errorf("only coordinate variables were selected: a long table needs a variable over them: %w", chunk.ErrShape)}
	}
	dims := data[0].dims
	for _, v := range data[1:] {
		if !slices.Equal(v.dims, dims) {
			return &dataset.Error{Path: in, Var: v.info.Name, Op: "convert to parquet", Err: fmt.Errorf("dimensions (%s) differ from %s's (%s): a long table needs one set of dimensions (pick variables with --vars): %w",
				strings.Join(v.dims, ", "), data[0].info.Name, strings.Join(dims, ", "), parquet.ErrMismatch)}
		}
	}
	table := parquet.Table{Metadata: map[string]string{"ndchunk_source": in}}
	for _, at := range info.Attrs {
		table.Metadata[at.Name] = attrText(at.Value)
	}
	s.prog.setLabel("read coordinates")
	for k, d := range dims {
		pd := parquet.Dim{Name: strings.TrimPrefix(d, "/")}
		if c, ok := coords[d]; ok && c.Shape[0] == data[0].info.Shape[k] {
			cv, err := f.Var(c.Name)
			if err != nil {
				return err
			}
			dense, err := s.eng.Compute(ctx, ndarray.FromSource(dataset.CountingVar{Var: cv, N: &s.read}, chunk.Auto(0)))
			if err != nil {
				return &dataset.Error{Path: in, Var: c.Name, Op: "read", Err: err}
			}
			pd.Coord = dense
		}
		table.Dims = append(table.Dims, pd)
	}
	for _, v := range data {
		src, err := f.Var(v.info.Name)
		if err != nil {
			return err
		}
		cv := dataset.CountingVar{Var: src, N: &s.read}
		name := v.info.Name
		table.Vars = append(table.Vars, parquet.Var{Name: strings.TrimPrefix(name, "/"), Array: ndarray.FromSource(cv, chunk.Auto(0)), Dims: v.dims})
	}
	// Rows stream in row-major order: read blocks of whole source chunks
	// and cut them into row blocks, as convert does for target chunks.
	opts := parquet.Options{
		Overwrite: fl.overwrite,
		Rechunk: func(x ndarray.Array, g chunk.Grid) ndarray.Array {
			op, ok := x.Node().Op().(*ndarray.OpSource)
			if !ok {
				return x.RechunkGrid(g)
			}
			var storage []int
			if sc, ok := op.Src.(ndarray.StorageChunker); ok {
				storage = sc.StorageChunks()
			}
			return stageInto(op.Src, storage, g, s.blockBytes()).Array()
		},
		RowGroupBytes: s.blockBytes(),
	}
	s.prog.setLabel(fmt.Sprintf("convert %s -> %s", filepath.Base(in), filepath.Base(out)))
	st, err := parquet.Write(ctx, s.local, out, table, opts)
	if err != nil {
		return s.overBudget(err)
	}
	s.written.Add(st.Rows * rowBytes(table))
	s.outFiles = append(s.outFiles, out)
	return s.finish()
}

// rowBytes is the raw size of one row of a table.
func rowBytes(t parquet.Table) int64 {
	var n int64
	for _, d := range t.Dims {
		if d.Coord != nil {
			n += int64(d.Coord.DType().Size())
		} else {
			n += 8
		}
	}
	for _, v := range t.Vars {
		n += int64(v.Array.DType().Size())
	}
	return n
}

// attrText formats an attribute value as text for Parquet metadata.
func attrText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return dataset.FormatValue(v)
}

func firstOr(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
