package mpi

/*
#cgo pkg-config: ompi-c
#include <mpi.h>
#include <stdint.h>
#include <string.h>

// MPI_COMM_WORLD, MPI_BYTE and the other handles are macros taking the
// address of library globals, which cgo cannot express: every call goes
// through a small wrapper here. Errors are returned, not fatal: nd_init
// installs MPI_ERRORS_RETURN on the world communicator.

static int nd_init(int *provided, int *already) {
	int flag = 0;
	MPI_Initialized(&flag);
	*already = flag;
	if (flag) {
		return MPI_Query_thread(provided);
	}
	int rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_MULTIPLE, provided);
	if (rc == MPI_SUCCESS) {
		rc = MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
	}
	return rc;
}

static int nd_finalized(void) {
	int flag = 0;
	MPI_Finalized(&flag);
	return flag;
}

static int nd_rank(int *r) { return MPI_Comm_rank(MPI_COMM_WORLD, r); }
static int nd_size(int *s) { return MPI_Comm_size(MPI_COMM_WORLD, s); }

static int nd_tag_ub(int *ub) {
	int *v = NULL;
	int flag = 0;
	int rc = MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_TAG_UB, &v, &flag);
	*ub = (rc == MPI_SUCCESS && flag && v != NULL) ? *v : 32767;
	return rc;
}

static int nd_isend(void *buf, int n, int dest, int tag, MPI_Request *req) {
	return MPI_Isend(buf, n, MPI_BYTE, dest, tag, MPI_COMM_WORLD, req);
}

static int nd_issend(void *buf, int n, int dest, int tag, MPI_Request *req) {
	return MPI_Issend(buf, n, MPI_BYTE, dest, tag, MPI_COMM_WORLD, req);
}

// nd_sub_type builds the datatype of a sub-box of a row-major array of
// bytes (the last axis already scaled by the element size).
static int nd_sub_type(int nd, int *sizes, int *subs, int *starts, MPI_Datatype *t) {
	int rc = MPI_Type_create_subarray(nd, sizes, subs, starts, MPI_ORDER_C, MPI_BYTE, t);
	if (rc == MPI_SUCCESS) {
		rc = MPI_Type_commit(t);
	}
	return rc;
}

// nd_issend_sub and nd_irecv_sub move a sub-box in place. The datatype is
// freed at once: MPI keeps it alive until the request completes.
static int nd_issend_sub(void *buf, int nd, int *sizes, int *subs, int *starts, int dest, int tag, MPI_Request *req) {
	MPI_Datatype t;
	int rc = nd_sub_type(nd, sizes, subs, starts, &t);
	if (rc != MPI_SUCCESS) {
		return rc;
	}
	rc = MPI_Issend(buf, 1, t, dest, tag, MPI_COMM_WORLD, req);
	MPI_Type_free(&t);
	return rc;
}

static int nd_irecv_sub(void *buf, int nd, int *sizes, int *subs, int *starts, int src, int tag, MPI_Request *req) {
	MPI_Datatype t;
	int rc = nd_sub_type(nd, sizes, subs, starts, &t);
	if (rc != MPI_SUCCESS) {
		return rc;
	}
	rc = MPI_Irecv(buf, 1, t, src, tag, MPI_COMM_WORLD, req);
	MPI_Type_free(&t);
	return rc;
}

static int nd_irecv(void *buf, int n, int src, int tag, MPI_Request *req) {
	return MPI_Irecv(buf, n, MPI_BYTE, src, tag, MPI_COMM_WORLD, req);
}

static int nd_recv(void *buf, int n, int src, int tag) {
	return MPI_Recv(buf, n, MPI_BYTE, src, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
}

// nd_status reads a status: its source, tag and byte count.
static void nd_status(MPI_Status *st, int *src, int *tag, int *count) {
	*src = st->MPI_SOURCE;
	*tag = st->MPI_TAG;
	MPI_Get_count(st, MPI_BYTE, count);
}

static int nd_testsome(int n, MPI_Request *reqs, int *outcount, int *idx, MPI_Status *st) {
	return MPI_Testsome(n, reqs, outcount, idx, st);
}

static int nd_iprobe(int src, int tag, int *flag, int *osrc, int *otag, int *count) {
	MPI_Status st;
	int rc = MPI_Iprobe(src, tag, MPI_COMM_WORLD, flag, &st);
	if (rc == MPI_SUCCESS && *flag) {
		nd_status(&st, osrc, otag, count);
	}
	return rc;
}

static int nd_probe(int src, int tag, int *osrc, int *otag, int *count) {
	MPI_Status st;
	int rc = MPI_Probe(src, tag, MPI_COMM_WORLD, &st);
	if (rc == MPI_SUCCESS) {
		nd_status(&st, osrc, otag, count);
	}
	return rc;
}

// nd_cancel cancels a pending request and completes it; *cancelled says
// whether the cancellation won (else the operation completed normally and
// *src, *tag, *count describe it).
static int nd_cancel(MPI_Request *req, int *cancelled, int *src, int *tag, int *count) {
	MPI_Status st;
	int rc = MPI_Cancel(req);
	if (rc != MPI_SUCCESS) {
		return rc;
	}
	rc = MPI_Wait(req, &st);
	if (rc != MPI_SUCCESS) {
		return rc;
	}
	MPI_Test_cancelled(&st, cancelled);
	if (!*cancelled) {
		nd_status(&st, src, tag, count);
	}
	return MPI_SUCCESS;
}

static int nd_wait(MPI_Request *req) { return MPI_Wait(req, MPI_STATUS_IGNORE); }

static int nd_bcast(void *buf, int n, int root) {
	return MPI_Bcast(buf, n, MPI_BYTE, root, MPI_COMM_WORLD);
}

// nd_allreduce combines n int64 values: op 0 sum, 1 max, 2 min.
static int nd_allreduce(int64_t *in, int64_t *out, int n, int op) {
	MPI_Op o = op == 1 ? MPI_MAX : op == 2 ? MPI_MIN : MPI_SUM;
	return MPI_Allreduce(in, out, n, MPI_INT64_T, o, MPI_COMM_WORLD);
}

static int nd_alltoall(int64_t *in, int64_t *out) {
	return MPI_Alltoall(in, 1, MPI_INT64_T, out, 1, MPI_INT64_T, MPI_COMM_WORLD);
}

static int nd_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }
static int nd_abort(int code) { return MPI_Abort(MPI_COMM_WORLD, code); }

static void nd_error_string(int rc, char *buf, int cap) {
	int n = 0;
	if (MPI_Error_string(rc, buf, &n) != MPI_SUCCESS || n >= cap) {
		n = 0;
	}
	buf[n] = 0;
}
*/
import "C"

import (
	"fmt"
	"runtime"
	"unsafe"
)

// This file is the whole binding to the MPI library: the handful of calls
// the engine needs, on MPI_COMM_WORLD, byte buffers only. Nothing here
// knows about plans or blocks.
//
// Buffers handed to the non-blocking calls (Isend, Irecv) stay in use by
// the library after the call returns, which cgo allows only for pinned
// memory: the callers pin them with a runtime.Pinner until the request
// completes (see comm.go).

// maxMessage bounds one message: MPI counts are C ints, and larger
// payloads are split into segments of this size (see wire.go).
const maxMessage = 1 << 30

// anySource matches messages from any rank.
const anySource = C.MPI_ANY_SOURCE

// Reduction operations of allreduce.
const (
	opSum = 0
	opMax = 1
	opMin = 2
)

// mpiError turns an MPI return code into an error naming the call.
func mpiError(call string, rc C.int) error {
	if rc == C.MPI_SUCCESS {
		return nil
	}
	var buf [C.MPI_MAX_ERROR_STRING + 1]C.char
	C.nd_error_string(rc, &buf[0], C.int(len(buf)))
	return fmt.Errorf("mpi: %s: %s (code %d)", call, C.GoString(&buf[0]), int(rc))
}

// cInit initialises MPI with MPI_THREAD_MULTIPLE (or joins an
// initialisation made by the program itself) and returns the thread level
// provided. The engine needs at least MPI_THREAD_SERIALIZED: its calls come
// from one goroutine at a time, but goroutines move between OS threads.
func cInit() (provided int, err error) {
	var p, already C.int
	if rc := C.nd_init(&p, &already); rc != C.MPI_SUCCESS {
		return 0, mpiError("MPI_Init_thread", rc)
	}
	if p < C.MPI_THREAD_SERIALIZED {
		return int(p), fmt.Errorf("mpi: the MPI library provides thread level %d, the engine needs MPI_THREAD_SERIALIZED (%d) or more", int(p), int(C.MPI_THREAD_SERIALIZED))
	}
	return int(p), nil
}

// cFinalized reports whether MPI_Finalize has been called.
func cFinalized() bool { return C.nd_finalized() != 0 }

// cFinalize shuts MPI down; no MPI call may follow.
func cFinalize() error { return mpiError("MPI_Finalize", C.MPI_Finalize()) }

// cRankSize returns this process's rank and the number of ranks.
func cRankSize() (rank, size int, err error) {
	var r, s C.int
	if rc := C.nd_rank(&r); rc != C.MPI_SUCCESS {
		return 0, 0, mpiError("MPI_Comm_rank", rc)
	}
	if rc := C.nd_size(&s); rc != C.MPI_SUCCESS {
		return 0, 0, mpiError("MPI_Comm_size", rc)
	}
	return int(r), int(s), nil
}

// cTagUB returns the largest tag the library accepts.
func cTagUB() int {
	var ub C.int
	C.nd_tag_ub(&ub)
	return int(ub)
}

// request is an MPI request handle. The handle is a C pointer, so slices
// of requests may live in Go memory.
type request = C.MPI_Request

// status is an MPI status, filled by testsome.
type status = C.MPI_Status

// nullRequest is MPI_REQUEST_NULL, what completed requests become.
var nullRequest = C.MPI_Request(C.MPI_REQUEST_NULL)

// bufPtr returns the address of buf's first byte, or nil when empty.
func bufPtr(buf []byte) unsafe.Pointer {
	if len(buf) == 0 {
		return nil
	}
	return unsafe.Pointer(&buf[0])
}

// cIsend starts sending buf (pinned by the caller until completion).
func cIsend(buf []byte, dest, tag int, req *request) error {
	return mpiError("MPI_Isend", C.nd_isend(bufPtr(buf), C.int(len(buf)), C.int(dest), C.int(tag), req))
}

// cIssend starts a synchronous send of buf (pinned by the caller until
// completion): it completes only once the receiver has matched it, which
// is what lets a sender's window of unfinished tasks hold back a sender
// that runs ahead of its receivers.
func cIssend(buf []byte, dest, tag int, req *request) error {
	return mpiError("MPI_Issend", C.nd_issend(bufPtr(buf), C.int(len(buf)), C.int(dest), C.int(tag), req))
}

// subBox converts a sub-box of a row-major array of elements of elem
// bytes into the datatype arguments of MPI_Type_create_subarray over bytes.
func subBox(shape, start, sub []int, elem int) (sizes, subs, starts []C.int) {
	nd := len(shape)
	sizes, subs, starts = make([]C.int, nd), make([]C.int, nd), make([]C.int, nd)
	for i := range shape {
		sizes[i], subs[i], starts[i] = C.int(shape[i]), C.int(sub[i]), C.int(start[i])
	}
	sizes[nd-1] *= C.int(elem)
	subs[nd-1] *= C.int(elem)
	starts[nd-1] *= C.int(elem)
	return sizes, subs, starts
}

// cIssendSub synchronously sends the sub-box (start, sub) of the array
// of the given shape held in buf, in place, without packing it first.
func cIssendSub(buf []byte, shape, start, sub []int, elem, dest, tag int, req *request) error {
	sizes, subs, starts := subBox(shape, start, sub, elem)
	return mpiError("MPI_Issend", C.nd_issend_sub(bufPtr(buf), C.int(len(shape)), &sizes[0], &subs[0], &starts[0], C.int(dest), C.int(tag), req))
}

// cIrecvSub receives a sub-box straight into its place in buf.
func cIrecvSub(buf []byte, shape, start, sub []int, elem, src, tag int, req *request) error {
	sizes, subs, starts := subBox(shape, start, sub, elem)
	return mpiError("MPI_Irecv", C.nd_irecv_sub(bufPtr(buf), C.int(len(shape)), &sizes[0], &subs[0], &starts[0], C.int(src), C.int(tag), req))
}

// cIrecv starts receiving into buf (pinned by the caller until
// completion) from src (or anySource) with tag.
func cIrecv(buf []byte, src, tag int, req *request) error {
	return mpiError("MPI_Irecv", C.nd_irecv(bufPtr(buf), C.int(len(buf)), C.int(src), C.int(tag), req))
}

// cRecv receives a message already known to be there (after a probe).
func cRecv(buf []byte, src, tag int) error {
	return mpiError("MPI_Recv", C.nd_recv(bufPtr(buf), C.int(len(buf)), C.int(src), C.int(tag)))
}

// cTestsome completes whichever of reqs are done, writing their indices
// into idx and their statuses into st (both at least len(reqs) long), and
// returns how many completed.
func cTestsome(reqs []request, idx []C.int, st []status) (int, error) {
	if len(reqs) == 0 {
		return 0, nil
	}
	var out C.int
	if rc := C.nd_testsome(C.int(len(reqs)), &reqs[0], &out, &idx[0], &st[0]); rc != C.MPI_SUCCESS {
		return 0, mpiError("MPI_Testsome", rc)
	}
	if out == C.MPI_UNDEFINED {
		return 0, nil
	}
	return int(out), nil
}

// statusOf returns the source, tag and byte count of a completed receive.
func statusOf(st *status) (src, tag, count int) {
	var s, t, c C.int
	C.nd_status(st, &s, &t, &c)
	return int(s), int(t), int(c)
}

// cIprobe reports whether a message from src (or anySource) with tag is
// waiting, and its actual source and size.
func cIprobe(src, tag int) (ok bool, from, count int, err error) {
	var flag, s, t, c C.int
	if rc := C.nd_iprobe(C.int(src), C.int(tag), &flag, &s, &t, &c); rc != C.MPI_SUCCESS {
		return false, 0, 0, mpiError("MPI_Iprobe", rc)
	}
	return flag != 0, int(s), int(c), nil
}

// cProbe waits for a message from src with any tag and returns its tag
// and size.
func cProbe(src int) (tag, count int, err error) {
	var s, t, c C.int
	if rc := C.nd_probe(C.int(src), C.MPI_ANY_TAG, &s, &t, &c); rc != C.MPI_SUCCESS {
		return 0, 0, mpiError("MPI_Probe", rc)
	}
	return int(t), int(c), nil
}

// cCancel cancels a pending receive. If it had already matched a message,
// cancelled is false and src, count describe what arrived.
func cCancel(req *request) (cancelled bool, src, count int, err error) {
	var cn, s, t, c C.int
	if rc := C.nd_cancel(req, &cn, &s, &t, &c); rc != C.MPI_SUCCESS {
		return false, 0, 0, mpiError("MPI_Cancel", rc)
	}
	return cn != 0, int(s), int(c), nil
}

// cWait waits for one request.
func cWait(req *request) error { return mpiError("MPI_Wait", C.nd_wait(req)) }

// cBcast broadcasts buf from root to every rank, in segments of at most
// maxMessage bytes.
func cBcast(buf []byte, root int) error {
	for off := 0; off < len(buf); off += maxMessage {
		seg := buf[off:min(off+maxMessage, len(buf))]
		if rc := C.nd_bcast(unsafe.Pointer(&seg[0]), C.int(len(seg)), C.int(root)); rc != C.MPI_SUCCESS {
			return mpiError("MPI_Bcast", rc)
		}
	}
	return nil
}

// cAllreduce combines vals elementwise across ranks with op (opSum,
// opMax, opMin) and returns the result.
func cAllreduce(vals []int64, op int) ([]int64, error) {
	out := make([]int64, len(vals))
	if len(vals) == 0 {
		return out, nil
	}
	rc := C.nd_allreduce((*C.int64_t)(unsafe.Pointer(&vals[0])), (*C.int64_t)(unsafe.Pointer(&out[0])), C.int(len(vals)), C.int(op))
	runtime.KeepAlive(vals)
	return out, mpiError("MPI_Allreduce", rc)
}

// cAlltoall sends vals[r] to rank r and returns what each rank sent here.
func cAlltoall(vals []int64) ([]int64, error) {
	out := make([]int64, len(vals))
	rc := C.nd_alltoall((*C.int64_t)(unsafe.Pointer(&vals[0])), (*C.int64_t)(unsafe.Pointer(&out[0])))
	return out, mpiError("MPI_Alltoall", rc)
}

// cBarrier waits for every rank.
func cBarrier() error { return mpiError("MPI_Barrier", C.nd_barrier()) }

// cAbort kills every rank of the job with the given exit code.
func cAbort(code int) { C.nd_abort(C.int(code)) }

// tester holds the scratch arrays of MPI_Testsome between calls.
type tester struct {
	idx []C.int
	st  []status
}

// completion is a completed request: its index in the slice tested and,
// for a receive, the message's source and size in bytes.
type completion struct{ index, src, count int }

// testsome completes whichever of reqs are done (they become nullRequest)
// and appends them to out[:0].
func (t *tester) testsome(reqs []request, out []completion) ([]completion, error) {
	out = out[:0]
	if len(reqs) == 0 {
		return out, nil
	}
	if len(t.idx) < len(reqs) {
		t.idx = make([]C.int, 2*len(reqs))
		t.st = make([]status, 2*len(reqs))
	}
	n, err := cTestsome(reqs, t.idx[:len(reqs)], t.st[:len(reqs)])
	if err != nil {
		return out, err
	}
	for k := 0; k < n; k++ {
		src, _, count := statusOf(&t.st[k])
		out = append(out, completion{index: int(t.idx[k]), src: src, count: count})
	}
	return out, nil
}
