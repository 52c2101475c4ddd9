package spill

import (
	"os"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
)

func TestStoreLoadRoundTrip(t *testing.T) {
	dir := t.TempDir()
	f, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("spill file visible in %s: %v", dir, ents)
	}
	alloc := chunk.NewAllocator(0)
	var refs []*Ref
	var want [][]byte
	for k := 0; k < 5; k++ {
		b := alloc.Alloc(chunk.Float32, []int{3, 7 + k})
		v := chunk.Values[float32](&b.Dense)
		for i := range v {
			v[i] = float32(i*k) - 0.5
		}
		want = append(want, append([]byte{}, b.Bytes()...))
		ref, n, err := f.Store(b)
		if err != nil || n <= 0 {
			t.Fatalf("store: %d %v", n, err)
		}
		b.Release()
		refs = append(refs, ref)
	}
	for k := len(refs) - 1; k >= 0; k-- {
		b, err := f.Load(refs[k], alloc)
		if err != nil {
			t.Fatal(err)
		}
		if string(b.Bytes()) != string(want[k]) || b.DType() != chunk.Float32 || b.Shape()[1] != 7+k {
			t.Errorf("block %d differs after the round trip", k)
		}
		b.Release()
	}
	if st := alloc.Stats(); st.Live != 0 {
		t.Errorf("live %d", st.Live)
	}
}
