package chunk

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
)

// Block is a Dense buffer drawn from an Allocator. It is reference counted:
// the Allocator hands it out with one reference, Retain adds one, and the
// Release that drops the last returns the buffer to the Allocator's pool.
// A Block must not be used after its last Release.
type Block struct {
	Dense
	alloc *Allocator
	refs  atomic.Int32
	size  int    // bytes of the backing buffer
	full  []byte // the backing buffer, returned to the pool
	// shapeBuf holds the shape of blocks of rank <= 4 without another
	// allocation.
	shapeBuf [4]int
}

// Retain adds a reference and returns b.
func (b *Block) Retain() *Block {
	if b.refs.Add(1) <= 1 {
		panic("chunk: Retain of a released block")
	}
	return b
}

// Release drops a reference; the last one returns the buffer to the pool.
func (b *Block) Release() {
	switch n := b.refs.Add(-1); {
	case n == 0:
		if b.alloc != nil {
			b.alloc.free(b)
		}
	case n < 0:
		panic("chunk: Release of a released block")
	}
}

// Reshape returns b with a new shape of the same size (the Block itself,
// modified). It panics if the sizes differ.
func (b *Block) Reshape(shape []int) *Block {
	if Size(shape) != Size(b.shape) {
		panic(fmt.Sprintf("chunk: reshape %v to %v", b.shape, shape))
	}
	b.shape = append(b.shape[:0], shape...)
	return b
}

// AllocStats is a snapshot of an Allocator's accounting, in bytes.
type AllocStats struct {
	Limit        int64 // the budget (0: unlimited)
	Live         int64 // bytes in blocks handed out and not yet released
	PeakLive     int64 // high-water mark of Live
	Reserved     int64 // bytes reserved by admitted work
	PeakReserved int64 // high-water mark of Reserved
	Cached       int64 // bytes kept in the pool for reuse
	Allocs       int64 // blocks handed out
	Reused       int64 // of those, served from the pool
}

// Allocator hands out Blocks and accounts for them against a memory budget.
//
// Work is admitted by Reserve, a byte semaphore that blocks until the bytes
// fit under the limit; blocks are then drawn with Alloc, which never blocks.
// Released buffers are pooled for reuse (a reused buffer costs nothing,
// while a new one is zeroed by the runtime) as long as the memory the
// allocator holds, live plus pooled, stays under the limit: a new buffer
// first drops pooled ones until it fits. PeakLive is the measured proof of
// the budget: tests assert it.
type Allocator struct {
	limit int64

	mu           sync.Mutex
	reserved     int64
	peakReserved int64
	cached       int64
	pool         map[int][][]byte
	waiters      []*waiter

	live     atomic.Int64
	peakLive atomic.Int64
	allocs   atomic.Int64
	reused   atomic.Int64
}

type waiter struct {
	n     int64
	ready chan struct{}
}

// unlimitedCache bounds the pool of an Allocator without a limit.
const unlimitedCache = 256 << 20

// NewAllocator returns an Allocator with the given budget in bytes; limit
// <= 0 means unlimited (accounting still runs).
func NewAllocator(limit int64) *Allocator {
	if limit < 0 {
		limit = 0
	}
	return &Allocator{limit: limit, pool: map[int][][]byte{}}
}

// Limit returns the budget in bytes (0: unlimited).
func (a *Allocator) Limit() int64 { return a.limit }

// Reserve blocks until n bytes can be reserved under the budget, in FIFO
// order with other waiters, or ctx is done. A request larger than the whole
// budget fails at once with ErrOverBudget.
func (a *Allocator) Reserve(ctx context.Context, n int64) error {
	if n <= 0 {
		return nil
	}
	if a.limit > 0 && n > a.limit {
		return fmt.Errorf("chunk: reserve %s with a budget of %s: %w", FormatBytes(n), FormatBytes(a.limit), ErrOverBudget)
	}
	a.mu.Lock()
	if len(a.waiters) == 0 && a.fitsLocked(n) {
		a.takeLocked(n)
		a.mu.Unlock()
		return nil
	}
	w := &waiter{n: n, ready: make(chan struct{})}
	a.waiters = append(a.waiters, w)
	a.mu.Unlock()
	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
		a.mu.Lock()
		defer a.mu.Unlock()
		select {
		case <-w.ready:
			// Granted while we were cancelled: give it back.
			a.reserved -= n
			a.wakeLocked()
		default:
			for i, x := range a.waiters {
				if x == w {
					a.waiters = append(a.waiters[:i], a.waiters[i+1:]...)
					break
				}
			}
			a.wakeLocked()
		}
		return ctx.Err()
	}
}

// TryReserve reserves n bytes if they fit now, without waiting.
func (a *Allocator) TryReserve(n int64) bool {
	if n <= 0 {
		return true
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.waiters) > 0 || !a.fitsLocked(n) {
		return false
	}
	a.takeLocked(n)
	return true
}

// Unreserve returns n reserved bytes and admits waiters that now fit.
func (a *Allocator) Unreserve(n int64) {
	if n <= 0 {
		return
	}
	a.mu.Lock()
	a.reserved -= n
	if a.reserved < 0 {
		a.mu.Unlock()
		panic("chunk: Unreserve of more than was reserved")
	}
	a.wakeLocked()
	a.mu.Unlock()
}

func (a *Allocator) fitsLocked(n int64) bool {
	return a.limit == 0 || a.reserved+n <= a.limit
}

func (a *Allocator) takeLocked(n int64) {
	a.reserved += n
	if a.reserved > a.peakReserved {
		a.peakReserved = a.reserved
	}
}

func (a *Allocator) wakeLocked() {
	for len(a.waiters) > 0 && a.fitsLocked(a.waiters[0].n) {
		w := a.waiters[0]
		a.waiters = a.waiters[1:]
		a.takeLocked(w.n)
		close(w.ready)
	}
}

// trimLocked drops pooled buffers, largest first, until pooled bytes plus
// the live bytes and extra bytes about to be allocated fit the budget.
func (a *Allocator) trimLocked(extra int64) {
	if a.limit == 0 {
		return
	}
	over := func() bool { return a.cached+a.live.Load()+extra > a.limit }
	for a.cached > 0 && over() {
		sizes := make([]int, 0, len(a.pool))
		for s := range a.pool {
			sizes = append(sizes, s)
		}
		sort.Sort(sort.Reverse(sort.IntSlice(sizes)))
		for _, s := range sizes {
			for len(a.pool[s]) > 0 && over() {
				list := a.pool[s]
				list[len(list)-1] = nil
				a.pool[s] = list[:len(list)-1]
				a.cached -= int64(s)
			}
			if len(a.pool[s]) == 0 {
				delete(a.pool, s)
			}
		}
	}
}

// Alloc returns a Block of the given dtype and shape with one reference.
// Its contents are unspecified (a reused buffer is not cleared). Alloc does
// not block: the caller admits the work with Reserve first.
func (a *Allocator) Alloc(dt DType, shape []int) *Block {
	n := Size(shape) * dt.Size()
	size := (n + 7) &^ 7
	var buf []byte
	var live int64
	if size > 0 {
		a.mu.Lock()
		if list := a.pool[size]; len(list) > 0 {
			buf = list[len(list)-1]
			list[len(list)-1] = nil
			a.pool[size] = list[:len(list)-1]
			a.cached -= int64(size)
			a.reused.Add(1)
		} else {
			a.trimLocked(int64(size))
		}
		// Counted live under the lock that trimmed for it: a free on
		// another goroutine decides what to pool from cached and live
		// together, and must see these bytes.
		live = a.live.Add(int64(size))
		a.mu.Unlock()
		if buf == nil {
			buf = alignedBytes(size)
		}
	}
	b := &Block{Dense: Dense{dtype: dt, data: buf[:n:n]}, alloc: a, size: size, full: buf}
	if len(shape) <= len(b.shapeBuf) {
		b.shape = append(b.shapeBuf[:0], shape...)
	} else {
		b.shape = append([]int(nil), shape...)
	}
	b.refs.Store(1)
	a.allocs.Add(1)
	for {
		p := a.peakLive.Load()
		if live <= p || a.peakLive.CompareAndSwap(p, live) {
			break
		}
	}
	return b
}

// AllocZeroed is Alloc with the contents cleared.
func (a *Allocator) AllocZeroed(dt DType, shape []int) *Block {
	b := a.Alloc(dt, shape)
	clear(b.data)
	return b
}

func (a *Allocator) free(b *Block) {
	size := b.size
	if size == 0 {
		return
	}
	buf := b.full
	b.data, b.full = nil, nil
	a.mu.Lock()
	defer a.mu.Unlock()
	a.live.Add(-int64(size))
	room := int64(unlimitedCache)
	if a.limit > 0 {
		room = a.limit - a.live.Load()
	}
	if a.cached+int64(size) <= room {
		a.pool[size] = append(a.pool[size], buf)
		a.cached += int64(size)
	}
}

// Stats returns a snapshot of the accounting.
func (a *Allocator) Stats() AllocStats {
	a.mu.Lock()
	defer a.mu.Unlock()
	return AllocStats{
		Limit: a.limit, Live: a.live.Load(), PeakLive: a.peakLive.Load(),
		Reserved: a.reserved, PeakReserved: a.peakReserved, Cached: a.cached,
		Allocs: a.allocs.Load(), Reused: a.reused.Load(),
	}
}

// ResetPeaks sets the high-water marks to the current values.
func (a *Allocator) ResetPeaks() {
	a.mu.Lock()
	a.peakReserved = a.reserved
	a.mu.Unlock()
	a.peakLive.Store(a.live.Load())
}

// DropCache releases every pooled buffer to the garbage collector.
func (a *Allocator) DropCache() {
	a.mu.Lock()
	a.pool = map[int][][]byte{}
	a.cached = 0
	a.mu.Unlock()
}
