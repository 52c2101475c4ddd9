package parquet

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	pq "github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/io/dataset"
	"github.com/ndchunk/ndchunk/ndarray"
)

// ErrMismatch reports variables that do not share the table's dimensions.
var ErrMismatch = errors.New("variables do not share the same dimensions")

// Dim is one dimension of the table's grid.
type Dim struct {
	Name string
	// Coord holds the dimension's coordinate values (a 1-D array as long
	// as the dimension), or nil: the column then holds the int64 index.
	Coord *chunk.Dense
}

// Var is one variable: an array over all the table's dimensions.
type Var struct {
	Name  string
	Array ndarray.Array
	// Dims names the variable's dimensions, for the check that every
	// variable has the table's dimensions in the table's order; nil skips
	// the check (the shape must still match).
	Dims []string
}

// Table describes a long table.
type Table struct {
	Dims []Dim
	Vars []Var
	// Metadata is stored as the file's key-value metadata (global
	// attributes, provenance), sorted by key.
	Metadata map[string]string
}

// Options tune Write.
type Options struct {
	// Overwrite allows replacing an existing file.
	Overwrite bool
	// RowGroupBytes is the target raw size of a row group, all columns
	// included (0: an eighth of the engine's budget per worker, between
	// 1 MiB and 128 MiB).
	RowGroupBytes int64
	// Compression is "snappy" (default), "zstd", "gzip" or "none".
	Compression string
	// Rechunk cuts a variable into the given grid of row blocks; nil means
	// Array.RechunkGrid. A caller reading files stored in chunks across
	// the rows passes its own bounded-memory rechunk here.
	Rechunk func(a ndarray.Array, g chunk.Grid) ndarray.Array
}

// Stats describe a written file.
type Stats struct {
	Rows      int64
	RowGroups int
	// FileBytes is the size of the file written.
	FileBytes int64
}

// arrowType maps a dtype to its Arrow type.
func arrowType(dt chunk.DType) (arrow.DataType, error) {
	switch dt {
	case chunk.Bool:
		return arrow.FixedWidthTypes.Boolean, nil
	case chunk.Int8:
		return arrow.PrimitiveTypes.Int8, nil
	case chunk.Int16:
		return arrow.PrimitiveTypes.Int16, nil
	case chunk.Int32:
		return arrow.PrimitiveTypes.Int32, nil
	case chunk.Int64:
		return arrow.PrimitiveTypes.Int64, nil
	case chunk.Uint8:
		return arrow.PrimitiveTypes.Uint8, nil
	case chunk.Uint16:
		return arrow.PrimitiveTypes.Uint16, nil
	case chunk.Uint32:
		return arrow.PrimitiveTypes.Uint32, nil
	case chunk.Uint64:
		return arrow.PrimitiveTypes.Uint64, nil
	case chunk.Float32:
		return arrow.PrimitiveTypes.Float32, nil
	case chunk.Float64:
		return arrow.PrimitiveTypes.Float64, nil
	}
	return nil, fmt.Errorf("dtype %s: %w", dt, chunk.ErrDType)
}

func codecOf(name string) (compress.Compression, error) {
	switch strings.ToLower(name) {
	case "", "snappy":
		return compress.Codecs.Snappy, nil
	case "zstd":
		return compress.Codecs.Zstd, nil
	case "gzip":
		return compress.Codecs.Gzip, nil
	case "none", "uncompressed":
		return compress.Codecs.Uncompressed, nil
	}
	return compress.Codecs.Uncompressed, fmt.Errorf("compression %q is not one of snappy, zstd, gzip, none: %w", name, chunk.ErrUnsupported)
}

// column is one column of the table being written.
type column struct {
	name  string
	dtype chunk.DType
	coord *chunk.Dense // coordinate column: values per index, nil for the index
	axis  int          // coordinate column: the axis
	isVar bool
}

// RowBlocks returns the grid of row blocks Write cuts an array of the given
// shape into: blocks of whole trailing axes, so each block is a run of
// consecutive rows, holding about targetRows rows each.
func RowBlocks(shape []int, targetRows int64) (chunk.Grid, error) {
	sizes := make([]int, len(shape))
	inner := int64(1)
	split := -1
	for i := len(shape) - 1; i >= 0; i-- {
		n := int64(max(shape[i], 1))
		if inner*n > targetRows && split < 0 {
			split = i
		}
		if split < 0 {
			sizes[i] = max(shape[i], 1)
			inner *= n
		}
	}
	if split >= 0 {
		for i := 0; i < split; i++ {
			sizes[i] = 1
		}
		sizes[split] = int(max(1, targetRows/inner))
	}
	return chunk.RegularGrid(shape, sizes)
}

// Write computes t's variables with eng and writes the table to path.
// Every variable must have the shape given by t.Dims (and, when it names
// its dimensions, the same names in the same order); the error names the
// first that does not. On any error or cancellation nothing is left at
// path (an existing file is kept).
func Write(ctx context.Context, eng *exec.Engine, path string, t Table, opts Options) (st Stats, err error) {
	fail := func(v string, err error) error {
		return &dataset.Error{Path: path, Var: v, Op: "write parquet", Err: err}
	}
	if len(t.Vars) == 0 {
		return st, fail("", fmt.Errorf("no variables to write: %w", chunk.ErrShape))
	}
	shape := make([]int, len(t.Dims))
	dimNames := make([]string, len(t.Dims))
	seen := map[string]bool{}
	for i, d := range t.Dims {
		if d.Name == "" {
			return st, fail("", fmt.Errorf("dimension %d has no name: %w", i, chunk.ErrShape))
		}
		dimNames[i] = d.Name
		seen[d.Name] = true
		if d.Coord != nil {
			if d.Coord.Rank() != 1 {
				return st, fail(d.Name, fmt.Errorf("coordinate of shape %v is not 1-D: %w", d.Coord.Shape(), chunk.ErrShape))
			}
			shape[i] = d.Coord.Len()
		} else {
			shape[i] = -1
		}
	}
	first := t.Vars[0].Array
	if err := first.Err(); err != nil {
		return st, fail(t.Vars[0].Name, err)
	}
	if len(first.Shape()) != len(t.Dims) {
		return st, fail(t.Vars[0].Name, fmt.Errorf("rank %d for %d dimensions (%s): %w", len(first.Shape()), len(t.Dims), strings.Join(dimNames, ", "), ErrMismatch))
	}
	for i := range shape {
		if shape[i] < 0 {
			shape[i] = first.Shape()[i]
		}
	}
	cols := make([]column, 0, len(t.Dims)+len(t.Vars))
	for i, d := range t.Dims {
		c := column{name: d.Name, dtype: chunk.Int64, coord: d.Coord, axis: i}
		if d.Coord != nil {
			c.dtype = d.Coord.DType()
		}
		cols = append(cols, c)
	}
	inputs := make([]ndarray.Array, len(t.Vars))
	for k, v := range t.Vars {
		a := v.Array
		if err := a.Err(); err != nil {
			return st, fail(v.Name, err)
		}
		if seen[v.Name] {
			return st, fail(v.Name, fmt.Errorf("column name used twice: %w", chunk.ErrShape))
		}
		seen[v.Name] = true
		if v.Dims != nil && !slices.Equal(v.Dims, dimNames) {
			return st, fail(v.Name, fmt.Errorf("dimensions (%s), but the table's are (%s) from %s: a long table needs one set of dimensions: %w",
				strings.Join(v.Dims, ", "), strings.Join(dimNames, ", "), t.Vars[0].Name, ErrMismatch))
		}
		if !chunk.EqualInts(a.Shape(), shape) {
			return st, fail(v.Name, fmt.Errorf("shape %v, but the table's dimensions (%s) are %v: %w", a.Shape(), strings.Join(dimNames, ", "), shape, ErrMismatch))
		}
		cols = append(cols, column{name: v.Name, dtype: a.DType(), isVar: true})
		inputs[k] = a
	}
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		at, err := arrowType(c.dtype)
		if err != nil {
			return st, fail(c.name, err)
		}
		fields[i] = arrow.Field{Name: c.name, Type: at}
	}
	schema := arrow.NewSchema(fields, nil)
	codec, err := codecOf(opts.Compression)
	if err != nil {
		return st, fail("", err)
	}

	// Row blocks: a row of every column, twice over (the record and the
	// encoder's pages), must fit the row-group target.
	var rowBytes int64
	for _, c := range cols {
		rowBytes += int64(c.dtype.Size())
	}
	target := opts.RowGroupBytes
	if target <= 0 {
		target = eng.Budget() / int64(8*max(eng.Workers(), 1))
		target = min(max(target, 1<<20), 128<<20)
	}
	rows := max(1, target/(2*rowBytes))
	grid, err := RowBlocks(shape, rows)
	if err != nil {
		return st, fail("", err)
	}
	rechunk := opts.Rechunk
	if rechunk == nil {
		rechunk = func(a ndarray.Array, g chunk.Grid) ndarray.Array { return a.RechunkGrid(g) }
	}
	for k := range inputs {
		inputs[k] = rechunk(inputs[k], grid)
		if err := inputs[k].Err(); err != nil {
			return st, fail(t.Vars[k].Name, err)
		}
	}

	if err := dataset.CheckDest(path, opts.Overwrite); err != nil {
		return st, err
	}
	tmp, err := dataset.TempPath(path)
	if err != nil {
		return st, fail("", err)
	}
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		os.Remove(tmp)
		return st, fail("", err)
	}
	committed := false
	defer func() {
		if !committed {
			f.Close()
			os.Remove(tmp)
		}
	}()
	props := []pq.WriterProperty{
		pq.WithCompression(codec),
		pq.WithMaxRowGroupLength(math.MaxInt64),
		pq.WithDictionaryDefault(false),
		pq.WithCreatedBy("ndchunk"),
	}
	for _, c := range cols {
		if !c.isVar {
			// Coordinates repeat: dictionary encoding stores each value once.
			props = append(props, pq.WithDictionaryFor(c.name, true))
		}
	}
	fw, err := pqarrow.NewFileWriter(schema, f, pq.NewWriterProperties(props...), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return st, fail("", err)
	}
	keys := make([]string, 0, len(t.Metadata))
	for k := range t.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := fw.AppendKeyValueMetadata(k, t.Metadata[k]); err != nil {
			fw.Close()
			return st, fail("", err)
		}
	}
	ow := &orderedWriter{
		fw: fw, schema: schema, cols: cols, grid: grid, alloc: eng.Allocator(),
		pending: map[int]*pendingBlock{},
	}
	outChunks := make([][]int, len(shape))
	for i, nb := range grid.NumBlocks() {
		outChunks[i] = make([]int, nb)
		for j := range outChunks[i] {
			outChunks[i][j] = 1
		}
	}
	done := ndarray.MapBlocks(ow.block, "write parquet row group", chunk.Uint8, outChunks, inputs...)
	if _, err := eng.Compute(ctx, done); err != nil {
		fw.Close()
		return st, fail("", err)
	}
	if err := ow.finish(); err != nil {
		fw.Close()
		return st, fail("", err)
	}
	if err := fw.Close(); err != nil {
		return st, fail("", err)
	}
	// pqarrow closes the file it was given.
	if err := dataset.CommitFile(tmp, path, opts.Overwrite); err != nil {
		committed = true // CommitFile removed tmp
		return st, err
	}
	committed = true
	st.Rows = int64(chunk.Size(shape))
	st.RowGroups = ow.written
	if fi, err := os.Stat(path); err == nil {
		st.FileBytes = fi.Size()
	}
	return st, nil
}

// pendingBlock is a block that finished before its turn: copies of its
// variables' data, counted against the engine's budget.
type pendingBlock struct {
	region chunk.Region
	data   []*chunk.Block
}

// orderedWriter writes row blocks in order, whatever order the engine
// finishes them in.
type orderedWriter struct {
	fw     *pqarrow.FileWriter
	schema *arrow.Schema
	cols   []column
	grid   chunk.Grid
	alloc  *chunk.Allocator

	mu      sync.Mutex
	next    int // flat index of the next block to write
	pending map[int]*pendingBlock
	written int
	err     error
}

// block is the MapBlocks function: it writes the block now if it is the
// next one (then any buffered successors), else copies it aside.
func (w *orderedWriter) block(ctx context.Context, out *chunk.Dense, in []*chunk.Dense, info ndarray.BlockInfo) error {
	clear(out.Bytes())
	flat := w.grid.FlatIndex(info.Index)
	region := w.grid.BlockRegion(info.Index)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	if flat != w.next {
		p := &pendingBlock{region: region}
		for _, d := range in {
			b := w.alloc.Alloc(d.DType(), d.Shape())
			copy(b.Bytes(), d.Bytes())
			p.data = append(p.data, b)
		}
		w.pending[flat] = p
		return nil
	}
	bytes := make([][]byte, len(in))
	for i, d := range in {
		bytes[i] = d.Bytes()
	}
	if err := w.writeLocked(region, bytes); err != nil {
		return err
	}
	return w.drainLocked()
}

// drainLocked writes the buffered blocks that are now next in line.
func (w *orderedWriter) drainLocked() error {
	for {
		p, ok := w.pending[w.next]
		if !ok {
			return nil
		}
		delete(w.pending, w.next)
		bytes := make([][]byte, len(p.data))
		for i, b := range p.data {
			bytes[i] = b.Bytes()
		}
		err := w.writeLocked(p.region, bytes)
		for _, b := range p.data {
			b.Release()
		}
		if err != nil {
			return err
		}
	}
}

// finish checks every block was written and frees anything left over.
func (w *orderedWriter) finish() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for k, p := range w.pending {
		for _, b := range p.data {
			b.Release()
		}
		delete(w.pending, k)
	}
	if w.err != nil {
		return w.err
	}
	if w.next != w.grid.Len() {
		return fmt.Errorf("wrote %d of %d row groups", w.next, w.grid.Len())
	}
	return nil
}

// writeLocked writes one block of rows (data holds each variable's values
// for region, row-major) as one row group.
func (w *orderedWriter) writeLocked(region chunk.Region, data [][]byte) error {
	n := region.Size()
	arrs := make([]arrow.Array, 0, len(w.cols))
	defer func() {
		for _, a := range arrs {
			a.Release()
		}
	}()
	k := 0
	for _, c := range w.cols {
		var raw []byte
		if c.isVar {
			raw = data[k]
			k++
		} else {
			raw = coordColumn(c, region)
		}
		arrs = append(arrs, makeArray(c.dtype, n, raw))
	}
	rec := array.NewRecordBatch(w.schema, arrs, int64(n))
	defer rec.Release()
	if err := w.fw.Write(rec); err != nil {
		w.err = err
		return err
	}
	w.next++
	w.written++
	return nil
}

// makeArray wraps raw row-major values of dtype dt as an Arrow array
// without copying (booleans, one byte each here, are packed into bits).
func makeArray(dt chunk.DType, n int, raw []byte) arrow.Array {
	at, _ := arrowType(dt)
	if dt == chunk.Bool {
		bits := make([]byte, (n+7)/8)
		for i := 0; i < n; i++ {
			if raw[i] != 0 {
				bits[i/8] |= 1 << (i % 8)
			}
		}
		return array.NewBoolean(n, memory.NewBufferBytes(bits), nil, 0)
	}
	data := array.NewData(at, n, []*memory.Buffer{nil, memory.NewBufferBytes(raw)}, nil, 0, 0)
	defer data.Release()
	return array.MakeFromData(data)
}

// coordColumn returns the values of a dimension column over the rows of
// region: coordinate (or index) i of the axis repeats once per element of
// the axes after it, and the pattern once per element of the axes before.
func coordColumn(c column, region chunk.Region) []byte {
	size := c.dtype.Size()
	n := region.Size()
	out := make([]byte, n*size)
	inner := 1
	for _, s := range region.Shape[c.axis+1:] {
		inner *= s
	}
	along := region.Shape[c.axis]
	outer := 1
	for _, s := range region.Shape[:c.axis] {
		outer *= s
	}
	start := region.Start[c.axis]
	pos := 0
	elem := make([]byte, size)
	for o := 0; o < outer; o++ {
		for j := 0; j < along; j++ {
			if c.coord != nil {
				copy(elem, c.coord.Bytes()[(start+j)*size:(start+j+1)*size])
			} else {
				binary.NativeEndian.PutUint64(elem, uint64(start+j))
			}
			for r := 0; r < inner; r++ {
				copy(out[pos:pos+size], elem)
				pos += size
			}
		}
	}
	return out
}
