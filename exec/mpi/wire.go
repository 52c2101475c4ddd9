package mpi

import (
	"encoding/binary"
	"fmt"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ops"
	"github.com/ndchunk/ndchunk/planner"
)

// The wire format. A task's value travels as one small header message
// followed by its raw buffers: the block's bytes, or each field of a
// reduction partial, each split into segments of at most maxMessage
// bytes. All messages of one value carry the tag tagData+task, so the
// receiver can wait for exactly the values it has room for (MPI keeps
// messages of one sender and tag in order, so the payload follows its
// header). Values are never re-encoded: the payload is the block memory
// itself, sent and received in place, so the cost is one copy through the
// interconnect and a 40-odd-byte header. Small values (at most inlineMax
// bytes planned, which both sides know from the plan) travel as one message,
// header and payload together, copied once on each side: for them a
// message costs more than a copy. Ranks must share byte order (checked
// through the magic number), as every homogeneous cluster does.
//
// Header layout, little endian:
//
//	0  magic "NDv1"
//	4  kind: 1 block, 2 partial
//	5  dtype: the block's, or the partial's input dtype
//	6  reduce op (partials)
//	7  rank of the shape (at most maxRank)
//	8  number of fields (partials, at most maxFields)
//	9  1 if only a piece of the block follows (see placement.piece)
//	10 pad
//	16 task order, int64
//	24 shape, rank int64s
//	then one dtype byte per field
//	then, for a piece, its start and its shape, rank int64s each
//
// Control messages (tag tagCtrl) are a kind byte and up to two int64s,
// or a list of int64s for a steal reply.

const (
	tagCtrl = 1
	tagData = 16 // data tags are tagData + task order

	wireMagic  = 0x3176444e // "NDv1" little endian
	kindBlock  = 1
	kindPart   = 2
	maxRank    = 32
	maxFields  = 8
	headerSize = 24 + 3*8*maxRank + maxFields
	inlineMax  = 64 << 10
)

// inline reports whether a value planned at outBytes travels in one
// message with its header.
func inline(outBytes int64) bool { return outBytes <= inlineMax }

// headerLen returns the length of the header at the start of b (which
// decodeHeader has accepted).
func headerLen(b []byte) int {
	n := 24 + 8*int(b[7]) + int(b[8])
	if b[9] == 1 {
		n += 16 * int(b[7])
	}
	return n
}

// packInline returns the one message of a small value: header, then
// payloads.
func packInline(hdr []byte, v planner.Value) []byte {
	n := len(hdr)
	for _, p := range payloads(v) {
		n += len(p)
	}
	buf := make([]byte, 0, n)
	buf = append(buf, hdr...)
	for _, p := range payloads(v) {
		buf = append(buf, p...)
	}
	return buf
}

// unpackInline decodes the one message of a small value into a value
// allocated from alloc (see decodeHeader).
func unpackInline(b []byte, want int, limit int64, alloc *chunk.Allocator) (planner.Value, error) {
	v, piece, err := decodeHeader(b, want, limit, alloc)
	if err != nil {
		return v, err
	}
	if piece != nil {
		v.Release()
		return planner.Value{}, fmt.Errorf("mpi: value of task %d: a piece in one message", want)
	}
	rest := b[headerLen(b):]
	for _, p := range payloads(v) {
		if len(rest) < len(p) {
			v.Release()
			return planner.Value{}, fmt.Errorf("mpi: value of task %d: %d bytes of payload, want %d", want, len(rest), len(p))
		}
		copy(p, rest)
		rest = rest[len(p):]
	}
	if len(rest) != 0 {
		v.Release()
		return planner.Value{}, fmt.Errorf("mpi: value of task %d: %d bytes of payload too many", want, len(rest))
	}
	return v, nil
}

// encodeHeader writes the header of task's value v, of which only the
// region piece of its block follows when piece is not nil.
func encodeHeader(task int, v planner.Value, piece *chunk.Region) ([]byte, error) {
	var shape []int
	var kind, dt, op, nf byte
	var fields []chunk.DType
	switch {
	case v.Block != nil:
		kind, dt, shape = kindBlock, byte(v.Block.DType()), v.Block.Shape()
	case v.Partial != nil:
		p := v.Partial
		kind, dt, op, shape = kindPart, byte(p.In), byte(p.Op), p.Shape
		if len(p.Fields) > maxFields {
			return nil, fmt.Errorf("mpi: partial with %d fields", len(p.Fields))
		}
		nf = byte(len(p.Fields))
		for _, f := range p.Fields {
			fields = append(fields, f.DType())
		}
	default:
		return nil, fmt.Errorf("mpi: task %d produced no value", task)
	}
	if len(shape) > maxRank {
		return nil, fmt.Errorf("mpi: value of rank %d (at most %d travel)", len(shape), maxRank)
	}
	b := make([]byte, 24+8*len(shape)+len(fields), headerSize)
	binary.LittleEndian.PutUint32(b[0:], wireMagic)
	b[4], b[5], b[6], b[7], b[8] = kind, dt, op, byte(len(shape)), nf
	if piece != nil {
		if kind != kindBlock || len(piece.Start) != len(shape) {
			return nil, fmt.Errorf("mpi: a piece %v of a value of shape %v", *piece, shape)
		}
		b[9] = 1
		for _, x := range append(append([]int{}, piece.Start...), piece.Shape...) {
			b = binary.LittleEndian.AppendUint64(b, uint64(x))
		}
	}
	binary.LittleEndian.PutUint64(b[16:], uint64(task))
	for i, n := range shape {
		binary.LittleEndian.PutUint64(b[24+8*i:], uint64(n))
	}
	for i, f := range fields {
		b[24+8*len(shape)+i] = byte(f)
	}
	return b, nil
}

// payloads returns the buffers of a value, in wire order.
func payloads(v planner.Value) [][]byte {
	if v.Block != nil {
		return [][]byte{v.Block.Bytes()}
	}
	out := make([][]byte, len(v.Partial.Fields))
	for i, f := range v.Partial.Fields {
		out[i] = f.Bytes()
	}
	return out
}

// decodeHeader checks a received header and allocates the value it
// announces from alloc, ready to receive its payload. want is the task
// the header was received for and limit the bytes reserved for its value:
// a value larger than the plan projected is refused rather than allowed
// to break the budget. For a piece, the whole block is allocated and the
// piece (within it) returned: only the piece is received, and only the
// piece is read by this rank's consumers.
func decodeHeader(b []byte, want int, limit int64, alloc *chunk.Allocator) (planner.Value, *chunk.Region, error) {
	v, err := decodeValue(b, want, limit, alloc)
	if err != nil || b[9] != 1 {
		return v, nil, err
	}
	shape := v.Block.Shape()
	r := len(shape)
	off := 24 + 8*r + int(b[8])
	if len(b) < off+16*r {
		v.Release()
		return planner.Value{}, nil, fmt.Errorf("mpi: malformed value header for task %d", want)
	}
	piece := chunk.Region{Start: make([]int, r), Shape: make([]int, r)}
	for k := 0; k < r; k++ {
		piece.Start[k] = int(binary.LittleEndian.Uint64(b[off+8*k:]))
		piece.Shape[k] = int(binary.LittleEndian.Uint64(b[off+8*(r+k):]))
	}
	if !chunk.WholeRegion(shape).Contains(piece) {
		v.Release()
		return planner.Value{}, nil, fmt.Errorf("mpi: value header for task %d: piece %v outside %v", want, piece, shape)
	}
	return v, &piece, nil
}

// decodeValue reads the header's value description and allocates it.
func decodeValue(b []byte, want int, limit int64, alloc *chunk.Allocator) (planner.Value, error) {
	if len(b) < 24 || binary.LittleEndian.Uint32(b) != wireMagic {
		return planner.Value{}, fmt.Errorf("mpi: bad value header for task %d (ranks of different byte order or version?)", want)
	}
	kind, dt, op, rank, nf := b[4], chunk.DType(b[5]), ops.ReduceOp(b[6]), int(b[7]), int(b[8])
	task := int(binary.LittleEndian.Uint64(b[16:]))
	if task != want || rank > maxRank || nf > maxFields || len(b) < 24+8*rank+nf || !dt.Valid() || (b[9] == 1 && kind != kindBlock) {
		return planner.Value{}, fmt.Errorf("mpi: malformed value header for task %d", want)
	}
	shape := make([]int, rank)
	for i := range shape {
		shape[i] = int(binary.LittleEndian.Uint64(b[24+8*i:]))
		if shape[i] < 0 {
			return planner.Value{}, fmt.Errorf("mpi: malformed value header for task %d", want)
		}
	}
	var need int64
	switch kind {
	case kindBlock:
		need = int64(chunk.Size(shape)*dt.Size()+7) &^ 7
	case kindPart:
		for i := 0; i < nf; i++ {
			need += int64(chunk.Size(shape)*chunk.DType(b[24+8*rank+i]).Size()+7) &^ 7
		}
	}
	if need > limit {
		return planner.Value{}, fmt.Errorf("mpi: the value of task %d is %s, more than the %s planned for it", want, chunk.FormatBytes(need), chunk.FormatBytes(limit))
	}
	switch kind {
	case kindBlock:
		return planner.Value{Block: alloc.Alloc(dt, shape)}, nil
	case kindPart:
		p := &ops.Partial{Op: op, In: dt, Shape: shape}
		for i := 0; i < nf; i++ {
			fd := chunk.DType(b[24+8*rank+i])
			if !fd.Valid() {
				p.Release()
				return planner.Value{}, fmt.Errorf("mpi: malformed value header for task %d", want)
			}
			p.Fields = append(p.Fields, alloc.Alloc(fd, shape))
		}
		return planner.Value{Partial: p}, nil
	}
	return planner.Value{}, fmt.Errorf("mpi: value header for task %d of unknown kind %d", want, kind)
}

// contiguous returns the bytes of region r of a row-major block of the
// given shape and element size, when they are contiguous.
func contiguous(buf []byte, shape []int, r chunk.Region, elem int) ([]byte, bool) {
	k := 0
	for k < len(shape) && r.Shape[k] == 1 {
		k++
	}
	for j := k + 1; j < len(shape); j++ {
		if r.Shape[j] != shape[j] {
			return nil, false
		}
	}
	st := chunk.Strides(shape)
	off := 0
	for j := range shape {
		off += r.Start[j] * st[j]
	}
	return buf[off*elem : (off+r.Size())*elem], true
}

// segments splits a buffer into messages of at most maxMessage bytes; an
// empty buffer sends nothing.
func segments(buf []byte) [][]byte {
	var out [][]byte
	for off := 0; off < len(buf); off += maxMessage {
		out = append(out, buf[off:min(off+maxMessage, len(buf))])
	}
	return out
}

// Control message kinds.
const (
	ctrlProgress   = 1 // a, b: tasks and bytes done by the sender so far
	ctrlFail       = 2 // the sender failed; stop
	ctrlDone       = 3 // the sender will start no more work
	ctrlStealAsk   = 4 // a: how many tasks the sender would take
	ctrlStealReply = 5 // the tasks given to the receiver (possibly none)
)

// ctrlMsg is a decoded control message.
type ctrlMsg struct {
	kind  byte
	a, b  int64
	tasks []int
}

// encodeCtrl writes a control message.
func encodeCtrl(m ctrlMsg) []byte {
	b := make([]byte, 17, 17+8*len(m.tasks))
	b[0] = m.kind
	binary.LittleEndian.PutUint64(b[1:], uint64(m.a))
	binary.LittleEndian.PutUint64(b[9:], uint64(m.b))
	for _, t := range m.tasks {
		b = binary.LittleEndian.AppendUint64(b, uint64(t))
	}
	return b
}

// decodeCtrl reads a control message.
func decodeCtrl(b []byte) (ctrlMsg, error) {
	if len(b) < 17 || (len(b)-17)%8 != 0 {
		return ctrlMsg{}, fmt.Errorf("mpi: malformed control message of %d bytes", len(b))
	}
	m := ctrlMsg{kind: b[0], a: int64(binary.LittleEndian.Uint64(b[1:])), b: int64(binary.LittleEndian.Uint64(b[9:]))}
	for off := 17; off < len(b); off += 8 {
		m.tasks = append(m.tasks, int(binary.LittleEndian.Uint64(b[off:])))
	}
	return m, nil
}
