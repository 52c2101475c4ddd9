package mpi

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ops"
	"github.com/ndchunk/ndchunk/planner"
)

// fillRandom fills buffers with random bytes.
func fillRandom(rng *rand.Rand, bufs [][]byte) {
	for _, b := range bufs {
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
	}
}

// roundTrip sends v through both wire paths (header then payloads, and
// inline) and returns what each decodes to.
func roundTrip(t *testing.T, task int, v planner.Value, alloc *chunk.Allocator) []planner.Value {
	t.Helper()
	hdr, err := encodeHeader(task, v, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(hdr) > headerSize {
		t.Fatalf("header of %d bytes, receive buffers hold %d", len(hdr), headerSize)
	}
	limit := v.Size() + 64
	// Two-phase: the header, then each payload received in place.
	a, piece, err := decodeHeader(hdr, task, limit, alloc)
	if err != nil || piece != nil {
		t.Fatal(piece, err)
	}
	src, dst := payloads(v), payloads(a)
	if len(src) != len(dst) {
		t.Fatalf("%d payloads decoded, %d sent", len(dst), len(src))
	}
	for i := range src {
		if len(dst[i]) != len(src[i]) {
			t.Fatalf("payload %d: %d bytes allocated, %d sent", i, len(dst[i]), len(src[i]))
		}
		copy(dst[i], src[i])
	}
	// Inline: one message.
	b, err := unpackInline(packInline(hdr, v), task, limit, alloc)
	if err != nil {
		t.Fatal(err)
	}
	return []planner.Value{a, b}
}

func TestWireBlock(t *testing.T) {
	alloc := chunk.NewAllocator(0)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		dt    chunk.DType
		shape []int
	}{
		{chunk.Float64, []int{3, 5}}, {chunk.Float32, []int{7}}, {chunk.Bool, []int{2, 3, 4}},
		{chunk.Int16, []int{}}, {chunk.Uint8, []int{0, 9}}, {chunk.Int64, []int{1, 1, 1, 1, 1, 3}},
	} {
		blk := alloc.Alloc(c.dt, c.shape)
		fillRandom(rng, [][]byte{blk.Bytes()})
		v := planner.Value{Block: blk}
		for _, got := range roundTrip(t, 12345, v, alloc) {
			g := got.Block
			if g == nil || g.DType() != c.dt || !chunk.EqualInts(g.Shape(), c.shape) || !bytes.Equal(g.Bytes(), blk.Bytes()) {
				t.Errorf("%s%v: decoded %v", c.dt, c.shape, got)
			}
			got.Release()
		}
		blk.Release()
	}
	if st := alloc.Stats(); st.Live != 0 {
		t.Errorf("%d bytes live after the round trips", st.Live)
	}
}

func TestWirePartial(t *testing.T) {
	alloc := chunk.NewAllocator(0)
	rng := rand.New(rand.NewPCG(3, 4))
	for _, op := range []ops.ReduceOp{ops.Sum, ops.Mean, ops.Var, ops.ArgMax, ops.Any, ops.CountNonzero} {
		for _, in := range []chunk.DType{chunk.Float32, chunk.Int32} {
			red, err := ops.NewReducer(op, in, []bool{true, false}, []int{40, 6}, 0)
			if err != nil {
				t.Fatal(err)
			}
			p := red.NewPartial(alloc, []int{1, 6})
			v := planner.Value{Partial: p}
			fillRandom(rng, payloads(v))
			for _, got := range roundTrip(t, 7, v, alloc) {
				g := got.Partial
				if g == nil || g.Op != op || g.In != in || !chunk.EqualInts(g.Shape, p.Shape) || len(g.Fields) != len(p.Fields) {
					t.Fatalf("%v of %s: decoded %+v, sent %+v", op, in, g, p)
				}
				for i, f := range g.Fields {
					if f.DType() != p.Fields[i].DType() || !bytes.Equal(f.Bytes(), p.Fields[i].Bytes()) {
						t.Errorf("%v of %s: field %d differs", op, in, i)
					}
				}
				if g.Bytes() != p.Bytes() {
					t.Errorf("%v of %s: %d bytes decoded, %d sent", op, in, g.Bytes(), p.Bytes())
				}
				got.Release()
			}
			p.Release()
		}
	}
	if st := alloc.Stats(); st.Live != 0 {
		t.Errorf("%d bytes live after the round trips", st.Live)
	}
}

// TestWireRefuses checks that a value larger than planned, a header for
// another task, a damaged header and a short inline payload are refused
// without allocating.
func TestWireRefuses(t *testing.T) {
	alloc := chunk.NewAllocator(0)
	blk := alloc.Alloc(chunk.Float64, []int{4, 4})
	defer blk.Release()
	v := planner.Value{Block: blk}
	hdr, err := encodeHeader(3, v, nil)
	if err != nil {
		t.Fatal(err)
	}
	bad := append([]byte{}, hdr...)
	bad[0] ^= 0xff
	short := packInline(hdr, v)
	short = short[:len(short)-8]
	for _, c := range []struct {
		what string
		err  error
	}{
		{"over the plan", func() error { _, _, err := decodeHeader(hdr, 3, 127, alloc); return err }()},
		{"another task", func() error { _, _, err := decodeHeader(hdr, 4, 1<<20, alloc); return err }()},
		{"bad magic", func() error { _, _, err := decodeHeader(bad, 3, 1<<20, alloc); return err }()},
		{"truncated", func() error { _, _, err := decodeHeader(hdr[:20], 3, 1<<20, alloc); return err }()},
		{"short payload", func() error { _, err := unpackInline(short, 3, 1<<20, alloc); return err }()},
	} {
		if c.err == nil {
			t.Errorf("%s: accepted", c.what)
		}
	}
	if st := alloc.Stats(); st.Live != int64(len(blk.Bytes())) {
		t.Errorf("%d bytes live, want only the block's %d", st.Live, len(blk.Bytes()))
	}
	if _, err := encodeHeader(1, planner.Value{}, nil); err == nil {
		t.Error("empty value encoded")
	}
}

// TestWirePiece sends a piece of a block: the header carries it, the
// receiver allocates the whole block and learns where the piece goes; a
// piece outside the block is refused.
func TestWirePiece(t *testing.T) {
	alloc := chunk.NewAllocator(0)
	blk := alloc.Alloc(chunk.Float32, []int{4, 6, 10})
	defer blk.Release()
	piece := chunk.Region{Start: []int{1, 2, 0}, Shape: []int{2, 3, 10}}
	hdr, err := encodeHeader(77, planner.Value{Block: blk}, &piece)
	if err != nil {
		t.Fatal(err)
	}
	if len(hdr) > headerSize || headerLen(hdr) != len(hdr) {
		t.Fatalf("header of %d bytes (headerLen %d, at most %d)", len(hdr), headerLen(hdr), headerSize)
	}
	v, got, err := decodeHeader(hdr, 77, 4*6*10*4, alloc)
	if err != nil || got == nil || !got.Equal(piece) || !chunk.EqualInts(v.Block.Shape(), blk.Shape()) {
		t.Fatalf("decoded %v, piece %v, %v", v, got, err)
	}
	v.Release()
	if _, contig := contiguous(blk.Bytes(), blk.Shape(), piece, 4); contig {
		t.Errorf("piece %v of %v reported contiguous", piece, blk.Shape())
	}
	rows := chunk.Region{Start: []int{2, 1, 0}, Shape: []int{1, 4, 10}}
	if seg, contig := contiguous(blk.Bytes(), blk.Shape(), rows, 4); !contig || len(seg) != 160 || &seg[0] != &blk.Bytes()[(2*60+10)*4] {
		t.Errorf("rows %v: contiguous %v, %d bytes", rows, contig, len(seg))
	}
	outside := chunk.Region{Start: []int{3, 0, 0}, Shape: []int{2, 6, 10}}
	hdr, err = encodeHeader(77, planner.Value{Block: blk}, &outside)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := decodeHeader(hdr, 77, 1<<20, alloc); err == nil {
		t.Error("a piece outside the block was accepted")
	}
	if _, err := unpackInline(packInline(hdr, planner.Value{Block: blk}), 77, 1<<20, alloc); err == nil {
		t.Error("a piece in one message was accepted")
	}
	if st := alloc.Stats(); st.Live != int64(len(blk.Bytes())) {
		t.Errorf("%d bytes live, want only the block's %d", st.Live, len(blk.Bytes()))
	}
}

func TestWireCtrl(t *testing.T) {
	for _, m := range []ctrlMsg{
		{kind: ctrlProgress, a: 123, b: 1 << 40},
		{kind: ctrlStealAsk, a: 4, b: -1},
		{kind: ctrlStealReply, tasks: []int{9, 3, 100000}},
		{kind: ctrlDone},
	} {
		got, err := decodeCtrl(encodeCtrl(m))
		if err != nil || got.kind != m.kind || got.a != m.a || got.b != m.b || len(got.tasks) != len(m.tasks) {
			t.Fatalf("%+v decoded as %+v, %v", m, got, err)
		}
		for i := range m.tasks {
			if got.tasks[i] != m.tasks[i] {
				t.Errorf("%+v: task %d decoded as %d", m, i, got.tasks[i])
			}
		}
	}
	if _, err := decodeCtrl(make([]byte, 20)); err == nil {
		t.Error("a control message of 20 bytes was accepted")
	}
}

func TestSegments(t *testing.T) {
	if s := segments(nil); len(s) != 0 {
		t.Errorf("empty buffer: %d segments", len(s))
	}
	if s := segments(make([]byte, 100)); len(s) != 1 || len(s[0]) != 100 {
		t.Errorf("small buffer: %d segments", len(s))
	}
}

// TestErrorTravels checks what crosses ranks of an error: the text, the
// failing rank and the library's sentinels, and that an agreed error is
// not wrapped again when agreed once more.
func TestErrorTravels(t *testing.T) {
	orig := errors.Join(errors.New("task x: boom"), chunk.ErrOverBudget, planner.ErrPanic)
	e := decodeError(encodeError(3, 4, orig), nil)
	if e.Rank != 3 || e.Ranks != 4 || !strings.Contains(e.Error(), "rank 3 of 4: task x: boom") {
		t.Errorf("decoded %q (rank %d of %d)", e, e.Rank, e.Ranks)
	}
	for _, s := range []error{chunk.ErrOverBudget, planner.ErrPanic} {
		if !errors.Is(e, s) {
			t.Errorf("%v lost on the way", s)
		}
	}
	if errors.Is(e, chunk.ErrShape) {
		t.Error("a sentinel the error did not wrap appeared")
	}
	again := decodeError(encodeError(0, 4, e), e)
	if again.Rank != 3 || again.Msg != e.Msg || !errors.Is(again, chunk.ErrOverBudget) {
		t.Errorf("agreed twice: %q", again)
	}
	local := decodeError(encodeError(1, 2, orig), orig)
	if !errors.Is(local, orig) {
		t.Error("the failing rank's error does not unwrap to the original")
	}
}
