package chunk

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestAllocatorAccounting(t *testing.T) {
	a := NewAllocator(1 << 20)
	if err := a.Reserve(context.Background(), 1<<19); err != nil {
		t.Fatal(err)
	}
	b := a.Alloc(Float64, []int{100, 10})
	if got := a.Stats().Live; got != 8000 {
		t.Errorf("live %d, want 8000", got)
	}
	b.Retain()
	b.Release()
	if a.Stats().Live != 8000 {
		t.Error("released a retained block")
	}
	b.Release()
	st := a.Stats()
	if st.Live != 0 || st.PeakLive != 8000 || st.Cached != 8000 {
		t.Errorf("after release: %+v", st)
	}
	c := a.Alloc(Int64, []int{1000})
	if a.Stats().Reused != 1 {
		t.Error("pooled buffer not reused")
	}
	c.Release()
	a.Unreserve(1 << 19)
	if st := a.Stats(); st.Reserved != 0 || st.Live != 0 {
		t.Errorf("leftover: %+v", st)
	}
}

func TestAllocatorReserveBlocksUntilRelease(t *testing.T) {
	a := NewAllocator(1000)
	if err := a.Reserve(context.Background(), 800); err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() { got <- a.Reserve(context.Background(), 300) }()
	select {
	case err := <-got:
		t.Fatalf("reserve over budget returned %v before release", err)
	case <-time.After(20 * time.Millisecond):
	}
	a.Unreserve(800)
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	if err := a.Reserve(context.Background(), 1001); !errors.Is(err, ErrOverBudget) {
		t.Errorf("reserve over the whole budget: %v, want ErrOverBudget", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Reserve(ctx, 900) }()
	time.Sleep(10 * time.Millisecond)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled reserve returned %v", err)
	}
	a.Unreserve(300)
	if st := a.Stats(); st.Reserved != 0 {
		t.Errorf("reserved %d after all unreserved", st.Reserved)
	}
}

// TestAllocatorPoolStaysUnderBudget checks that pooled plus live bytes (the
// memory the allocator holds) never exceed the limit.
func TestAllocatorPoolStaysUnderBudget(t *testing.T) {
	a := NewAllocator(10000)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				n := int64(800 + 8*((w+i)%5))
				if err := a.Reserve(context.Background(), n); err != nil {
					t.Error(err)
					return
				}
				b := a.Alloc(Uint8, []int{int(n)})
				b.Release()
				a.Unreserve(n)
				if st := a.Stats(); st.Cached+st.Live > 10000+8 {
					t.Errorf("cached %d + live %d over the limit", st.Cached, st.Live)
				}
			}
		}(w)
	}
	wg.Wait()
	if st := a.Stats(); st.PeakLive > 10000 || st.PeakReserved > 10000 {
		t.Errorf("peaks over budget: %+v", st)
	}
}

// TestAllocatorOddSizes reuses buffers whose byte size is not a multiple
// of 8 (bool, int8 blocks), which once panicked on release.
func TestAllocatorOddSizes(t *testing.T) {
	a := NewAllocator(0)
	for i := 0; i < 3; i++ {
		b := a.Alloc(Bool, []int{3})
		if len(b.Bytes()) != 3 {
			t.Fatalf("len %d", len(b.Bytes()))
		}
		b.Release()
		c := a.Alloc(Int8, []int{5, 1})
		c.Release()
	}
	if st := a.Stats(); st.Live != 0 || st.Reused == 0 {
		t.Errorf("stats %+v", st)
	}
}
