package mpi

import (
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/planner"
)

// comm is a rank's communication goroutine for one run: the only
// goroutine that calls MPI while the run lasts. Workers and admission hand
// it values to send and imports to receive through an outbox; it starts
// non-blocking sends and receives, polls them with MPI_Testsome, handles
// control messages (progress, failure, termination, work stealing), and
// reports completions back to the scheduler.
//
// It polls instead of blocking in MPI because MPI's blocking calls spin
// a core while they wait, and on a node whose cores all run workers a
// spinning progress thread costs as much as a worker. When nothing
// happens it sleeps, doubling the pause from minPause up to busyPause
// while messages are in flight (MPI only progresses them when called) and
// up to maxPause otherwise; any local event (a value to send, an import to
// post, a task finished) wakes it at once, so only remote events wait for
// the next poll.
type comm struct {
	r          *runner
	rank, size int

	mu         sync.Mutex
	outValues  []*outValue
	outImports []int
	wake       chan struct{}

	reqs  []request
	ops   []*pendingOp
	test  tester
	comps []completion

	sentMsgs, recvMsgs []int64 // messages per peer, for the final drain
	bytesSent          int64
	bytesRecv          int64
	pieces, subBoxes   int64 // values sent in part, and of those as strided boxes

	failSent, doneSent bool
	doneFrom           []bool
	peerDone           []int64 // tasks done per rank, as last reported
	peerBytes          []int64

	stealing  bool
	askOut    int   // rank asked for work and not yet answered, or -1
	askBytes  int64 // bytes reserved for what the ask may bring
	exhausted []bool
	nextVic   int

	lastProgress time.Time
	sentProgress int64
}

const (
	minPause  = 10 * time.Microsecond
	busyPause = 50 * time.Microsecond
	maxPause  = 500 * time.Microsecond
)

// Kinds of pending operations.
const (
	opSendValue = iota + 1
	opSendCtrl
	opRecvHeader
	opRecvPayload
	opRecvInline
)

// pendingOp is what one pending request is for.
type pendingOp struct {
	kind int
	out  *outValue
	in   *inValue
	buf  []byte
	pin  runtime.Pinner
}

// outValue is a value being sent to one or more ranks.
type outValue struct {
	task  int
	v     planner.Value
	dests []int
	left  int // messages not yet complete
	pin   runtime.Pinner
}

// inValue is a value being received.
type inValue struct {
	task int
	src  int
	v    planner.Value
	left int
	pin  runtime.Pinner
}

func newComm(r *runner, stealing bool) *comm {
	n := r.size
	return &comm{r: r, rank: r.rank, size: n, wake: make(chan struct{}, 1),
		sentMsgs: make([]int64, n), recvMsgs: make([]int64, n), doneFrom: make([]bool, n),
		peerDone: make([]int64, n), peerBytes: make([]int64, n),
		stealing: stealing, askOut: -1, exhausted: make([]bool, n), nextVic: (r.rank + 1) % n}
}

// poke wakes the comm goroutine if it sleeps.
func (c *comm) poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// send queues task's value for dests; the scheduler keeps it alive until
// runner.sent(task).
func (c *comm) send(task int, v planner.Value, dests []int) {
	c.mu.Lock()
	c.outValues = append(c.outValues, &outValue{task: task, v: v, dests: dests})
	c.mu.Unlock()
	c.poke()
}

// expect queues the receive of task's value, for which the scheduler has
// reserved memory.
func (c *comm) expect(task int) {
	c.mu.Lock()
	c.outImports = append(c.outImports, task)
	c.mu.Unlock()
	c.poke()
}

// loop runs until every rank has announced it will start no more work
// (see runner.quiet), then drains what is left (see drain).
func (c *comm) loop() {
	pause := minPause
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	c.lastProgress = time.Now()
	for {
		busy, err := c.once()
		mustMPI(err)
		if c.doneSent && allTrue(c.doneFrom) {
			break
		}
		if busy {
			pause = minPause
			continue
		}
		timer.Reset(pause)
		select {
		case <-c.wake:
			if !timer.Stop() {
				<-timer.C
			}
			pause = minPause
		case <-timer.C:
			limit := maxPause
			if len(c.ops) > 0 {
				limit = busyPause
			}
			pause = min(2*pause, limit)
		}
	}
	mustMPI(c.drain())
}

// once does one round of work and reports whether anything happened.
func (c *comm) once() (bool, error) {
	busy := false
	c.mu.Lock()
	values, imports := c.outValues, c.outImports
	c.outValues, c.outImports = nil, nil
	c.mu.Unlock()
	for _, ov := range values {
		busy = true
		if err := c.startSend(ov); err != nil {
			return busy, err
		}
	}
	for _, task := range imports {
		busy = true
		if err := c.postHeader(task); err != nil {
			return busy, err
		}
	}
	for {
		ok, from, n, err := cIprobe(anySource, tagCtrl)
		if err != nil {
			return busy, err
		}
		if !ok {
			break
		}
		busy = true
		buf := make([]byte, n)
		if err := cRecv(buf, from, tagCtrl); err != nil {
			return busy, err
		}
		c.recvMsgs[from]++
		c.bytesRecv += int64(n)
		m, err := decodeCtrl(buf)
		if err != nil {
			return busy, err
		}
		if err := c.handleCtrl(from, m); err != nil {
			return busy, err
		}
	}
	var err error
	c.comps, err = c.test.testsome(c.reqs, c.comps)
	if err != nil {
		return busy, err
	}
	for _, done := range c.comps {
		busy = true
		if err := c.complete(done); err != nil {
			return busy, err
		}
	}
	if len(c.comps) > 0 {
		c.compact()
	}
	acted, err := c.step()
	return busy || acted, err
}

// compact drops completed requests.
func (c *comm) compact() {
	k := 0
	for i, op := range c.ops {
		if op != nil {
			c.ops[k], c.reqs[k] = op, c.reqs[i]
			k++
		}
	}
	clear(c.ops[k:])
	c.ops, c.reqs = c.ops[:k], c.reqs[:k]
}

// add registers a request slot for op and returns it.
func (c *comm) add(op *pendingOp) *request {
	c.ops = append(c.ops, op)
	c.reqs = append(c.reqs, nullRequest)
	return &c.reqs[len(c.reqs)-1]
}

// isend starts sending buf (pinned by the caller) to dest; a synchronous
// send (values) completes only when dest has posted its receive.
func (c *comm) isend(op *pendingOp, buf []byte, dest, tag int, sync bool) error {
	send := cIsend
	if sync {
		send = cIssend
	}
	if err := send(buf, dest, tag, c.add(op)); err != nil {
		return err
	}
	c.sentMsgs[dest]++
	c.bytesSent += int64(len(buf))
	return nil
}

// sendCtrl sends a control message.
func (c *comm) sendCtrl(dest int, m ctrlMsg) error {
	op := &pendingOp{kind: opSendCtrl, buf: encodeCtrl(m)}
	op.pin.Pin(&op.buf[0])
	return c.isend(op, op.buf, dest, tagCtrl, false)
}

// broadcastCtrl sends a control message to every other rank.
func (c *comm) broadcastCtrl(m ctrlMsg) error {
	for d := 0; d < c.size; d++ {
		if d != c.rank {
			if err := c.sendCtrl(d, m); err != nil {
				return err
			}
		}
	}
	return nil
}

// startSend starts the messages of one value: to each destination its
// header, then its buffers in place (or only the piece the destination
// needs, see placement.piece), or both in one message for a small value.
// They are synchronous sends: a value counts as finished, in its rank's
// window, only once every receiver has posted its receive, so a rank
// cannot run far ahead of the ranks it feeds and bury them in unexpected
// messages (which MPI buffers outside any budget, and matches by
// searching).
func (c *comm) startSend(ov *outValue) error {
	op := &pendingOp{kind: opSendValue, out: ov}
	tag := tagData + ov.task
	if inline(c.r.plan.Tasks[ov.task].OutBytes) {
		hdr, err := encodeHeader(ov.task, ov.v, nil)
		if err != nil {
			return err
		}
		msg := packInline(hdr, ov.v)
		ov.pin.Pin(&msg[0])
		ov.left = len(ov.dests)
		for _, d := range ov.dests {
			if err := c.isend(op, msg, d, tag, true); err != nil {
				return err
			}
		}
		return nil
	}
	for _, p := range payloads(ov.v) {
		if len(p) > 0 {
			ov.pin.Pin(&p[0])
		}
	}
	// Count every message before starting any: a completion may come
	// before the last one starts.
	type perDest struct {
		hdr   []byte
		segs  [][]byte
		piece *chunk.Region
		sub   bool // the piece goes as one sub-box message
	}
	plans := make([]perDest, len(ov.dests))
	for k, d := range ov.dests {
		var pd perDest
		if reg, ok := c.r.pl.piece(ov.task, d); ok && ov.v.Block != nil {
			b := ov.v.Block
			if seg, contig := contiguous(b.Bytes(), b.Shape(), reg, b.DType().Size()); contig {
				pd.piece, pd.segs = &reg, segments(seg)
			} else if int64(reg.Size())*int64(b.DType().Size()) <= maxMessage {
				pd.piece, pd.sub = &reg, true
			}
		}
		if pd.piece == nil {
			for _, p := range payloads(ov.v) {
				pd.segs = append(pd.segs, segments(p)...)
			}
		}
		var err error
		if pd.hdr, err = encodeHeader(ov.task, ov.v, pd.piece); err != nil {
			return err
		}
		ov.pin.Pin(&pd.hdr[0])
		plans[k] = pd
		if pd.piece != nil {
			c.pieces++
		}
		if pd.sub {
			c.subBoxes++
		}
		ov.left += 1 + len(pd.segs)
		if pd.sub {
			ov.left++
		}
	}
	for k, d := range ov.dests {
		pl := plans[k]
		if err := c.isend(op, pl.hdr, d, tag, true); err != nil {
			return err
		}
		if pl.sub {
			b := ov.v.Block
			if err := cIssendSub(b.Bytes(), b.Shape(), pl.piece.Start, pl.piece.Shape, b.DType().Size(), d, tag, c.add(op)); err != nil {
				return err
			}
			c.sentMsgs[d]++
			c.bytesSent += int64(pl.piece.Size() * b.DType().Size())
			continue
		}
		for _, s := range pl.segs {
			if err := c.isend(op, s, d, tag, true); err != nil {
				return err
			}
		}
	}
	return nil
}

// postHeader posts the receive of task's header (or, for a small value,
// its one message), from whichever rank computes it: its owner, or a rank
// that stole it.
func (c *comm) postHeader(task int) error {
	op := &pendingOp{kind: opRecvHeader, in: &inValue{task: task}, buf: make([]byte, headerSize)}
	if limit := c.r.importLimit(task); inline(limit) {
		op.kind, op.buf = opRecvInline, make([]byte, headerSize+int(limit))
	}
	op.pin.Pin(&op.buf[0])
	return cIrecv(op.buf, anySource, tagData+task, c.add(op))
}

// complete handles one completed request.
func (c *comm) complete(done completion) error {
	op := c.ops[done.index]
	c.ops[done.index] = nil
	switch op.kind {
	case opSendCtrl:
		op.pin.Unpin()
	case opSendValue:
		ov := op.out
		ov.left--
		if ov.left == 0 {
			ov.pin.Unpin()
			c.r.sent(ov.task)
		}
	case opRecvHeader:
		op.pin.Unpin()
		in := op.in
		in.src = done.src
		c.recvMsgs[done.src]++
		c.bytesRecv += int64(done.count)
		v, piece, err := decodeHeader(op.buf[:done.count], in.task, c.r.importLimit(in.task), c.r.alloc)
		if err != nil {
			// The payload still arrives; the drain receives it.
			c.r.fail(fmt.Errorf("rank %d: receive task %d from rank %d: %w", c.rank, in.task, done.src, err))
			return nil
		}
		in.v = v
		tag := tagData + in.task
		pop := &pendingOp{kind: opRecvPayload, in: in}
		var segs [][]byte
		if piece != nil {
			b := v.Block
			seg, contig := contiguous(b.Bytes(), b.Shape(), *piece, b.DType().Size())
			if !contig {
				in.left = 1
				in.pin.Pin(&b.Bytes()[0])
				return cIrecvSub(b.Bytes(), b.Shape(), piece.Start, piece.Shape, b.DType().Size(), in.src, tag, c.add(pop))
			}
			segs = segments(seg)
		} else {
			for _, p := range payloads(v) {
				segs = append(segs, segments(p)...)
			}
		}
		if len(segs) == 0 {
			c.r.arrived(in.task, v)
			return nil
		}
		in.left = len(segs)
		for _, s := range segs {
			in.pin.Pin(&s[0])
			if err := cIrecv(s, in.src, tag, c.add(pop)); err != nil {
				return err
			}
		}
	case opRecvInline:
		op.pin.Unpin()
		in := op.in
		c.recvMsgs[done.src]++
		c.bytesRecv += int64(done.count)
		v, err := unpackInline(op.buf[:done.count], in.task, c.r.importLimit(in.task), c.r.alloc)
		if err != nil {
			c.r.fail(fmt.Errorf("rank %d: receive task %d from rank %d: %w", c.rank, in.task, done.src, err))
			return nil
		}
		c.r.arrived(in.task, v)
	case opRecvPayload:
		in := op.in
		c.recvMsgs[in.src]++
		c.bytesRecv += int64(done.count)
		in.left--
		if in.left == 0 {
			in.pin.Unpin()
			c.r.arrived(in.task, in.v)
		}
	}
	return nil
}

// handleCtrl acts on a control message from rank from.
func (c *comm) handleCtrl(from int, m ctrlMsg) error {
	switch m.kind {
	case ctrlProgress:
		c.peerDone[from], c.peerBytes[from] = m.a, m.b
		c.r.peerProgress(c.peerDone, c.peerBytes)
	case ctrlDone:
		c.doneFrom[from] = true
		c.peerDone[from], c.peerBytes[from] = m.a, m.b
		c.r.peerProgress(c.peerDone, c.peerBytes)
	case ctrlFail:
		c.r.peerFailed(from)
	case ctrlStealAsk:
		tasks := c.r.giveAway(int(m.a), m.b, from)
		return c.sendCtrl(from, ctrlMsg{kind: ctrlStealReply, tasks: tasks})
	case ctrlStealReply:
		c.askOut = -1
		if len(m.tasks) == 0 {
			c.exhausted[from] = true
		}
		c.r.runStolen(m.tasks, c.askBytes)
		c.askBytes = 0
	default:
		return fmt.Errorf("mpi: control message of unknown kind %d from rank %d", m.kind, from)
	}
	return nil
}

// step drives the run-level protocol: announce a failure, report
// progress, ask for work when idle, announce the end of this rank's work.
func (c *comm) step() (bool, error) {
	r := c.r
	acted := false
	if !c.failSent && r.failedHere() {
		c.failSent, acted = true, true
		if err := c.broadcastCtrl(ctrlMsg{kind: ctrlFail}); err != nil {
			return acted, err
		}
	}
	if c.rank != writerRank && !c.doneSent && time.Since(c.lastProgress) >= r.progressEvery {
		c.lastProgress = time.Now()
		if done, bytes := r.progressHere(); done != c.sentProgress {
			c.sentProgress, acted = done, true
			if err := c.sendCtrl(writerRank, ctrlMsg{kind: ctrlProgress, a: done, b: bytes}); err != nil {
				return acted, err
			}
		}
	}
	if c.stealing && c.askOut < 0 && !c.doneSent && r.canSteal() {
		if v := c.victim(); v >= 0 {
			if want, bytes := r.reserveForSteal(); want > 0 {
				c.askOut, c.askBytes, acted = v, bytes, true
				if err := c.sendCtrl(v, ctrlMsg{kind: ctrlStealAsk, a: int64(want), b: bytes}); err != nil {
					return acted, err
				}
			}
		}
	}
	stealOver := !c.stealing || (c.askOut < 0 && c.victim() < 0)
	if !c.doneSent && r.quiet(stealOver && c.askOut < 0) {
		c.doneSent, acted = true, true
		c.doneFrom[c.rank] = true
		done, bytes := r.progressHere()
		c.peerDone[c.rank], c.peerBytes[c.rank] = done, bytes
		if err := c.broadcastCtrl(ctrlMsg{kind: ctrlDone, a: done, b: bytes}); err != nil {
			return acted, err
		}
	}
	return acted, nil
}

// victim returns the next rank to ask for work: one that has not
// announced the end of its work nor answered that it has none to give
// (a rank's stealable tasks only ever decrease), or -1.
func (c *comm) victim() int {
	for k := 0; k < c.size; k++ {
		v := (c.nextVic + k) % c.size
		if v != c.rank && !c.doneFrom[v] && !c.exhausted[v] {
			c.nextVic = v
			return v
		}
	}
	return -1
}

// drain completes every message of the run so that none can be mistaken
// for one of the next run, and MPI_Finalize finds nothing pending. After a
// success there is nothing left but the last control messages; after a
// failure, receives posted for values that will never come are cancelled,
// and messages sent to ranks that stopped listening are received and
// dropped. Every rank learns how many messages each peer sent it
// (MPI_Alltoall of the counts) and receives until it has them all, after
// which every send can complete.
func (c *comm) drain() error {
	for i, op := range c.ops {
		if op == nil {
			continue
		}
		switch op.kind {
		case opRecvHeader, opRecvInline:
			cancelled, src, n, err := cCancel(&c.reqs[i])
			if err != nil {
				return err
			}
			op.pin.Unpin()
			if !cancelled {
				c.recvMsgs[src]++
				c.bytesRecv += int64(n)
			}
			c.ops[i] = nil
		case opRecvPayload:
			if err := cWait(&c.reqs[i]); err != nil {
				return err
			}
			in := op.in
			c.recvMsgs[in.src]++
			in.left--
			if in.left == 0 {
				in.pin.Unpin()
				in.v.Release()
			}
			c.ops[i] = nil
		}
	}
	expected, err := cAlltoall(c.sentMsgs)
	if err != nil {
		return err
	}
	var scratch []byte
	for src := 0; src < c.size; src++ {
		for c.recvMsgs[src] < expected[src] {
			tag, n, err := cProbe(src)
			if err != nil {
				return err
			}
			if cap(scratch) < n {
				scratch = make([]byte, n)
			}
			if err := cRecv(scratch[:n], src, tag); err != nil {
				return err
			}
			c.recvMsgs[src]++
			c.bytesRecv += int64(n)
		}
	}
	for i, op := range c.ops {
		if op == nil {
			continue
		}
		if err := cWait(&c.reqs[i]); err != nil {
			return err
		}
		switch op.kind {
		case opSendCtrl:
			op.pin.Unpin()
		case opSendValue:
			op.out.left--
			if op.out.left == 0 {
				op.out.pin.Unpin()
			}
		}
		c.ops[i] = nil
	}
	c.ops, c.reqs = c.ops[:0], c.reqs[:0]
	return nil
}

func allTrue(v []bool) bool {
	for _, b := range v {
		if !b {
			return false
		}
	}
	return true
}
