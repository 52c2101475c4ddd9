package mpi

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/dataset"
	"github.com/ndchunk/ndchunk/planner"
)

// Error is what every rank returns when some rank failed: the lowest
// failing rank and its error text, identical on every rank so that any of
// them (by convention rank 0, see Exit) can report it. errors.Is works
// with the library's sentinels on every rank (they travel as a bit set),
// and errors.As / Unwrap reach the original error on the failing rank.
type Error struct {
	// Rank is the rank that failed, Ranks the size of the job.
	Rank, Ranks int
	// Msg is the failing rank's error text; it names the task for errors
	// raised while running one.
	Msg string

	kinds uint32 // bit i set: the error wraps sentinels[i]
	err   error  // the original error, on the failing rank only
}

// Error formats the error as "rank R of N: MSG".
func (e *Error) Error() string { return fmt.Sprintf("rank %d of %d: %s", e.Rank, e.Ranks, e.Msg) }

// Unwrap returns the original error (on the failing rank) and the
// sentinels it wrapped.
func (e *Error) Unwrap() []error {
	var errs []error
	if e.err != nil {
		errs = append(errs, e.err)
	}
	for i, s := range sentinels {
		if e.kinds&(1<<i) != 0 {
			errs = append(errs, s)
		}
	}
	return errs
}

// ErrPeerFailed is the cause a rank's run is cancelled with when another
// rank failed; the Error every rank returns names the failing rank instead.
var ErrPeerFailed = errors.New("mpi: another rank failed")

// sentinels are the errors whose identity crosses ranks.
var sentinels = []error{
	chunk.ErrOverBudget, chunk.ErrShape, chunk.ErrDType, chunk.ErrUnsupported, chunk.ErrIndex, chunk.ErrChunks,
	planner.ErrPanic, context.Canceled, context.DeadlineExceeded,
	dataset.ErrNotExist, dataset.ErrFormat, dataset.ErrNoVariable, dataset.ErrCorrupt, dataset.ErrFilter, dataset.ErrExist,
}

// kindsOf returns the bit set of the sentinels err wraps.
func kindsOf(err error) uint32 {
	var k uint32
	for i, s := range sentinels {
		if errors.Is(err, s) {
			k |= 1 << i
		}
	}
	return k
}

// encodeError serialises an error for the ranks that did not see it. An
// *Error already agreed on travels unchanged, so agreeing twice does not
// nest.
func encodeError(rank, ranks int, err error) []byte {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Rank: rank, Ranks: ranks, Msg: err.Error(), kinds: kindsOf(err)}
	}
	b := make([]byte, 16, 16+len(e.Msg))
	binary.LittleEndian.PutUint32(b[0:], uint32(e.Rank))
	binary.LittleEndian.PutUint32(b[4:], uint32(e.Ranks))
	binary.LittleEndian.PutUint32(b[8:], e.kinds)
	binary.LittleEndian.PutUint32(b[12:], uint32(len(e.Msg)))
	return append(b, e.Msg...)
}

// decodeError rebuilds the agreed error; on the rank it came from, local
// is the original error, kept for Unwrap.
func decodeError(b []byte, local error) *Error {
	if len(b) < 16 {
		return &Error{Msg: "undecodable error"}
	}
	n := int(binary.LittleEndian.Uint32(b[12:]))
	e := &Error{
		Rank: int(binary.LittleEndian.Uint32(b[0:])), Ranks: int(binary.LittleEndian.Uint32(b[4:])),
		kinds: binary.LittleEndian.Uint32(b[8:]), Msg: string(b[16:min(16+n, len(b))]),
	}
	var prev *Error
	if errors.As(local, &prev) {
		e.err = prev.err
	} else {
		e.err = local
	}
	return e
}

// agree is the collective behind Engine.Agree and Exit: every rank passes
// its own error (nil for success); every rank gets nil if all succeeded,
// else the same *Error, that of the lowest failing rank. It must be called
// by every rank, with MPI active.
func agree(err error) error {
	e, _ := agreeStatus(err, false, nil)
	return e
}

// agreeStatus agrees on the ranks' errors and reduces extra values with
// MIN in the same collective. A secondary error (a rank that only stopped
// because another failed) is reported only if no rank has a primary one,
// so the error every rank returns is the cause, not an echo of it. MPI
// failures here are fatal: without MPI nothing can be agreed on.
func agreeStatus(err error, secondary bool, extra []int64) (error, []int64) {
	rank, size := world.rank, world.size
	v := int64(2 * size)
	switch {
	case err != nil && secondary:
		v = int64(size + rank)
	case err != nil:
		v = int64(rank)
	}
	out, cerr := cAllreduce(append([]int64{v}, extra...), opMin)
	mustMPI(cerr)
	root := int(out[0])
	if root >= 2*size {
		return nil, out[1:]
	}
	root %= size
	var msg []byte
	n := []byte{0, 0, 0, 0}
	if rank == root {
		msg = encodeError(rank, size, err)
		binary.LittleEndian.PutUint32(n, uint32(len(msg)))
	}
	mustMPI(cBcast(n, root))
	if rank != root {
		msg = make([]byte, binary.LittleEndian.Uint32(n))
	}
	mustMPI(cBcast(msg, root))
	var local error
	if rank == root {
		local = err
	}
	return decodeError(msg, local), out[1:]
}

// mustMPI ends the job if an MPI call failed: the ranks can no longer
// agree on anything, so only the launcher can stop them all.
func mustMPI(err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "ndchunk: mpi rank %d: %v\n", world.rank, err)
		cAbort(2)
	}
}
