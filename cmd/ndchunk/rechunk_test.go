package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/ops"
)

// chunkedSource is an in-memory float32 array stored in chunks. It
// records every region read and fails a read that does not cover whole
// storage chunks, as a plan that leaned on a chunk cache would.
type chunkedSource struct {
	data   []float32
	shape  []int
	chunks []int

	mu    sync.Mutex
	reads []chunk.Region
	bytes int64
}

func newChunkedSource(shape, chunks []int) *chunkedSource {
	s := &chunkedSource{shape: shape, chunks: chunks, data: make([]float32, chunk.Size(shape))}
	for i := range s.data {
		s.data[i] = float32(i)*0.25 - 7
	}
	return s
}

func (s *chunkedSource) DType() chunk.DType   { return chunk.Float32 }
func (s *chunkedSource) Shape() []int         { return s.shape }
func (s *chunkedSource) StorageChunks() []int { return s.chunks }
func (s *chunkedSource) Name() string         { return "src.nc:v" }
func (s *chunkedSource) ReadRegion(_ context.Context, r chunk.Region, dst []byte) error {
	for i := range r.Shape {
		end := r.Start[i] + r.Shape[i]
		if r.Start[i]%s.chunks[i] != 0 || (end%s.chunks[i] != 0 && end != s.shape[i]) {
			return fmt.Errorf("read %v cuts the storage chunks %v", r, s.chunks)
		}
	}
	ops.CopyRegion(dst, r.Shape, make([]int, len(r.Shape)), chunk.AsBytes(s.data), s.shape, r.Start, r.Shape, 4)
	s.mu.Lock()
	s.reads = append(s.reads, r.Clone())
	s.bytes += int64(len(dst))
	s.mu.Unlock()
	return nil
}

// TestCopyPlanStaged: time-major chunks (1, 40, 50) into time series
// (200, 4, 5) under a 1 MiB budget, smaller than the variable. The plan has the read, the pieces and
// the write stages and fits; every source chunk is read exactly once, in
// whole chunks; every target block is a whole number of target chunks;
// the values arrive intact.
func TestCopyPlanStaged(t *testing.T) {
	shape := []int{200, 40, 50}
	src := newChunkedSource(shape, []int{1, 40, 50})
	const budget = 1 << 20
	eng := exec.New(exec.Options{MemoryBudget: budget, Workers: 2, KeepGoMemoryLimit: true})
	blockBytes := int64(budget / 16)
	dst := []int{200, 4, 5}
	p := copyPlan(src, src.chunks, dst, blockBytes, budget/3, false)
	if err := p.Err(); err != nil {
		t.Fatal(err)
	}
	if !p.Staged {
		t.Fatal("misaligned chunks planned as a plain copy")
	}
	for i, cs := range p.Write.Chunks() {
		for _, c := range cs[:len(cs)-1] {
			if c%dst[i] != 0 {
				t.Errorf("target blocks %v are not whole target chunks %v", p.Write.Chunks(), dst)
			}
		}
	}
	plan, err := eng.Plan(0, p.Array())
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	plan.Explain(&b)
	text := b.String()
	for _, w := range []string{
		"read: read src.nc:v",                                  // source blocks of whole storage chunks
		"blocks: persist(src.nc:v)",                            // kept once read
		"blocks: persist(rechunk(persist(src.nc:v)))",          // cut into pieces
		"blocks: rechunk(persist(rechunk(persist(src.nc:v))))", // target blocks assembled
		"spilled", "fits",
	} {
		if !strings.Contains(text, w) {
			t.Errorf("plan lacks %q:\n%s", w, text)
		}
	}
	if plan.ConcurrentPeakBytes > budget {
		t.Errorf("projected peak %d over the budget", plan.ConcurrentPeakBytes)
	}
	sink := exec.NewMemorySink(chunk.Float32, shape)
	if err := eng.Store(context.Background(), p.Array(), sink); err != nil {
		t.Fatal(err)
	}
	if got := sink.Result(); got == nil || string(got.Bytes()) != string(chunk.AsBytes(src.data)) {
		t.Fatal("values changed in the rechunk")
	}
	if src.bytes != int64(len(src.data))*4 {
		t.Errorf("read %d bytes of a %d-byte source: chunks read more than once", src.bytes, len(src.data)*4)
	}
	if rep := eng.LastReport(); rep.PeakLiveBytes > budget {
		t.Errorf("peak live %d over the budget %d", rep.PeakLiveBytes, budget)
	}
}

// TestCopyPlanAligned: when target blocks can be whole source chunks too,
// the copy reads them straight, with no staging.
func TestCopyPlanAligned(t *testing.T) {
	for _, tc := range []struct {
		src, dst []int
	}{
		{[]int{10, 40, 50}, []int{10, 40, 50}}, // keep
		{[]int{10, 40, 50}, []int{20, 20, 50}}, // target chunks of two source chunks' rows
		{[]int{4, 40, 50}, nil},                // a format without chunks
	} {
		shape := []int{100, 40, 50}
		src := newChunkedSource(shape, tc.src)
		p := copyPlan(src, tc.src, tc.dst, 1<<20, 1<<20, false)
		if p.Staged {
			t.Errorf("%v -> %v: staged, want a plain copy", tc.src, tc.dst)
		}
		eng := exec.New(exec.Options{MemoryBudget: 16 << 20, KeepGoMemoryLimit: true})
		sink := exec.NewMemorySink(chunk.Float32, shape)
		if err := eng.Store(context.Background(), p.Array(), sink); err != nil {
			t.Fatalf("%v -> %v: %v", tc.src, tc.dst, err)
		}
		if string(sink.Result().Bytes()) != string(chunk.AsBytes(src.data)) || src.bytes != int64(len(src.data))*4 {
			t.Errorf("%v -> %v: values changed or chunks read twice (%d bytes read)", tc.src, tc.dst, src.bytes)
		}
	}
}

func TestReadChunks(t *testing.T) {
	for _, tc := range []struct {
		shape, storage []int
		elem           int
		want           []int
	}{
		{[]int{10, 20}, []int{3, 50}, 4, []int{3, 20}},
		{[]int{1000, 500, 500}, nil, 4, []int{1, 500, 500}},
		{[]int{1000, 500, 600}, nil, 4, []int{1, 436, 600}},
		{[]int{1000, 100, 100}, nil, 4, []int{26, 100, 100}},
		{[]int{100}, nil, 8, []int{100}},
	} {
		if got := readChunks(tc.shape, tc.elem, tc.storage); !chunk.EqualInts(got, tc.want) {
			t.Errorf("readChunks(%v, %d, %v) = %v, want %v", tc.shape, tc.elem, tc.storage, got, tc.want)
		}
	}
}

func TestStorageFromGrid(t *testing.T) {
	g, _ := chunk.NewGrid([]int{100, 181, 360}, [][]int{{30, 30, 30, 10}, {181}, {360}})
	got := storageFromGrid(g, 4, 4<<20)
	if !chunk.EqualInts(got, []int{30, 181, 180}) {
		t.Errorf("storageFromGrid = %v, want [30 181 180]", got)
	}
	g, _ = chunk.NewGrid([]int{10, 12}, [][]int{{4, 6}, {12}})
	if got := storageFromGrid(g, 8, 1<<20); !chunk.EqualInts(got, []int{2, 12}) {
		t.Errorf("storageFromGrid irregular = %v, want [2 12]", got)
	}
}

func TestInheritDims(t *testing.T) {
	in := &evalInput{name: "x", dims: []string{"time", "lat", "lon"}}
	in.info.Shape = []int{10, 4, 6}
	for _, tc := range []struct {
		shape []int
		want  string
	}{
		{[]int{10, 4, 6}, "time,lat,lon"},
		{[]int{4, 6}, "lat,lon"},
		{[]int{10, 6}, "time,lon"},
		{[]int{1, 4, 6}, "time,lat,lon"},
		{[]int{6, 4, 10}, "lon,lat,time"},
		{[]int{7, 7}, "dim0,dim1"},
	} {
		got, _, _ := inheritDims(tc.shape, []*evalInput{in})
		if strings.Join(got, ",") != tc.want {
			t.Errorf("inheritDims(%v) = %v, want %s", tc.shape, got, tc.want)
		}
	}
}
