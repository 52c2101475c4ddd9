package h5

import (
	"math"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
)

// benchChunk is a 1 MiB float32 chunk of a smooth field with a little
// noise, which shuffle+deflate compresses about 2:1.
func benchChunk() []byte {
	out := make([]float32, 512*512)
	for i := range out {
		y, x := i/512, i%512
		out[i] = float32(math.Sin(float64(y)*0.01)*math.Cos(float64(x)*0.013)) + float32(uint32(i*2654435761)>>20)*1e-6
	}
	return chunk.AsBytes(out)
}

// BenchmarkCodec measures one goroutine encoding and decoding a 1 MiB
// chunk with shuffle and deflate level 1 (the work each engine worker does
// per chunk on the direct paths).
func BenchmarkCodec(b *testing.B) {
	src := benchChunk()
	c := CodecOf(true, 1, 4)
	stored, err := c.Encode(src, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Encode", func(b *testing.B) {
		buf := make([]byte, len(src)+len(src)/100+64)
		b.SetBytes(int64(len(src)))
		for range b.N {
			if _, err := c.Encode(src, buf); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(src))/float64(len(stored)), "ratio")
	})
	b.Run("Decode", func(b *testing.B) {
		dst := make([]byte, len(src))
		b.SetBytes(int64(len(src)))
		for range b.N {
			if err := c.Decode(dst, stored, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
}
