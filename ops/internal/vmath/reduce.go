package vmath

import (
	"math"
	"math/bits"
)

// Arguments beyond trigMax, up to MaxFloat64, are reduced exactly (Payne and
// Hanek): |x| = m * 2^e with m a 53-bit integer, and x * 2/pi modulo 4 needs
// only the bits of 2/pi from weight 2^(1-e) on (the earlier ones contribute
// multiples of 4). A 256-bit window of them times m leaves at least 191 bits
// after the binary point, of which the first 128 past the leading zeros
// (there are at most 62 for any float64: no float64 is closer than about
// 2^-61 * pi/2 to a multiple of pi/2) give the reduced argument to about
// 2^-70 relative. The fast kernels hand these arguments to the scalar code,
// so this path is not vectorised.

// twoOverPi holds the bits of 2/pi after the binary point, most significant
// first, 64 to a word: 2/pi = sum of twoOverPi[j] * 2^(-64(j+1)) (from
// mpmath at 2000 bits; TestTwoOverPi checks them against math/big).
var twoOverPi = [20]uint64{
	0xa2f9836e4e441529,
	0xfc2757d1f534ddc0,
	0xdb6295993c439041,
	0xfe5163abdebbc561,
	0xb7246e3a424dd2e0,
	0x06492eea09d1921c,
	0xfe1deb1cb129a73e,
	0xe88235f52ebb4484,
	0xe99c7026b45f7e41,
	0x3991d639835339f4,
	0x9c845f8bbdf9283b,
	0x1ff897ffde05980f,
	0xef2f118b5a0a6d1f,
	0x6d367ecf27cb09b7,
	0x4f463f669e5fea2d,
	0x7527bac7ebe5f17b,
	0x3d0739f78a5292ea,
	0x6bfb5fb11f8d5d08,
	0x56033046fc7b6bab,
	0xf0cfbc209af4361d,
}

// pi/2 as a double-double (mpmath).
const (
	pio2Hi = 0x1.921fb54442d18p+0
	pio2Lo = 0x1.1a62633145c07p-54
)

// reduceHuge returns r = x - k*pi/2 as rh + rl (|r| <= pi/4, rl below half
// an ulp of rh) and k mod 4, for k the integer nearest to x*2/pi. x must be
// finite with |x| > trigMax (the window arithmetic below assumes e >= -22).
func reduceHuge(x float64) (rh, rl float64, q uint64) {
	b := math.Float64bits(x)
	m := b&(1<<52-1) | 1<<52
	e := int(b>>52&0x7ff) - 1075 // |x| = m * 2^e
	// Bit i of 2/pi (weight 2^-i) adds m * 2^(e-i) to |x|*2/pi, a multiple
	// of 4 when i <= e-2: start with the word holding bit e-1.
	j0 := 0
	if e > 2 {
		j0 = (e - 2) / 64
	}
	w := twoOverPi[j0 : j0+4]
	// p = m * (w[0] w[1] w[2] w[3]), little-endian limbs.
	var p [5]uint64
	var carry uint64
	for t := 3; t >= 0; t-- {
		hi, lo := bits.Mul64(m, w[t])
		var c uint64
		p[3-t], c = bits.Add64(lo, carry, 0)
		carry = hi + c
	}
	p[4] = carry
	// |x|*2/pi = p * 2^-s (up to the dropped tail of 2/pi, below 2^(53-s));
	// s is in [191, 278] for e >= -22.
	s := 64*j0 + 256 - e
	sh := s - 192
	f0 := limbsAt(&p, sh)
	f1 := limbsAt(&p, sh+64)
	f2 := limbsAt(&p, sh+128)
	q = limbsAt(&p, sh+192) & 3
	// The fraction f = f2 f1 f0 / 2^192 is in [0, 1); round k to nearest:
	// from 1/2 up, k+1 and f-1.
	neg := f2>>63 != 0
	if neg {
		q = (q + 1) & 3
		var br uint64
		f0, br = bits.Sub64(0, f0, 0)
		f1, br = bits.Sub64(0, f1, br)
		f2, _ = bits.Sub64(0, f2, br)
	}
	// Normalise the 192-bit magnitude so that its top bit is set.
	scale := -64
	if f2 == 0 {
		f2, f1, f0 = f1, f0, 0
		scale -= 64
	}
	lz := uint(bits.LeadingZeros64(f2))
	n1 := f2<<lz | f1>>(64-lz)
	n0 := f1<<lz | f0>>(64-lz)
	scale -= int(lz)
	// f = (n1 + n0/2^64) * 2^scale; fh takes the top 53 bits exactly.
	fh := float64(n1 &^ 0x7ff)
	fl := float64(n1&0x7ff) + float64(n0)*0x1p-64
	sc := math.Float64frombits(uint64(1023+scale) << 52) // 2^scale, scale >= -190
	fh *= sc
	fl *= sc
	// r = f * pi/2 in double-double.
	ph := fh * pio2Hi
	pl := math.FMA(fh, pio2Hi, -ph) + (fh*pio2Lo + fl*pio2Hi)
	rh = ph + pl
	rl = (ph - rh) + pl
	if neg != (x < 0) {
		rh, rl = -rh, -rl
	}
	if x < 0 {
		q = (4 - q) & 3
	}
	return rh, rl, q
}

// limbsAt returns the 64 bits of p starting at bit pos (pos >= -63; bits
// below 0 and above 319 read as 0).
func limbsAt(p *[5]uint64, pos int) uint64 {
	if pos < 0 {
		return p[0] << uint(-pos)
	}
	i, sh := pos/64, uint(pos%64)
	v := p[i] >> sh
	if sh != 0 && i+1 < len(p) {
		v |= p[i+1] << (64 - sh)
	}
	return v
}

// sinCosDD returns sin(r) as sh + sl and cos(r) as ch + cl for r = rh + rl
// with |r| <= pi/4 (a little more is fine) and |rl| below an ulp of rh. The
// parts sl and cl, which are small against sh and ch, carry the
// polynomial terms and the rounding errors of the leading terms, so that
// the sums are within about 2^-60 relative of sin(r) and cos(r):
//
//	sin(r) = rh + rh^3 ps(rh^2) + rl cos(rh)
//	cos(r) = 1 - rh^2/2 + rh^4 pc(rh^2) - rl sin(rh)
//
// with cos(rh) ~ 1 - rh^2/2 and sin(rh) ~ rh in the rl terms, and rh^2 as
// the rounded z plus its error ze.
func sinCosDD(rh, rl float64) (sh, sl, ch, cl float64) {
	z := rh * rh
	ze := math.FMA(rh, rh, -z)
	s := &tanSinPoly
	ps := math.FMA(s[6], z, s[5])
	ps = math.FMA(ps, z, s[4])
	ps = math.FMA(ps, z, s[3])
	ps = math.FMA(ps, z, s[2])
	ps = math.FMA(ps, z, s[1])
	ps = math.FMA(ps, z, s[0])
	c := &tanCosPoly
	pc := math.FMA(c[5], z, c[4])
	pc = math.FMA(pc, z, c[3])
	pc = math.FMA(pc, z, c[2])
	pc = math.FMA(pc, z, c[1])
	pc = math.FMA(pc, z, c[0])
	sh = rh
	sl = math.FMA(rh*z, ps, math.FMA(-0.5*z, rl, rl))
	w := 0.5 * z
	ch = 1 - w
	// 1 - ch - w is exact (ch is within a factor 2 of 1).
	cl = ((1 - ch) - w) + math.FMA(-rh, rl, math.FMA(z*z, pc, -0.5*ze))
	return sh, sl, ch, cl
}

// sinHuge and cosHuge are sin(x) and cos(x) for finite x beyond trigMax,
// within 1 ulp: the exact reduction, then the quadrant's function of r.
func sinHuge(x float64) float64 {
	rh, rl, q := reduceHuge(x)
	sh, sl, ch, cl := sinCosDD(rh, rl)
	v := sh + sl
	if q&1 != 0 {
		v = ch + cl
	}
	if q&2 != 0 {
		v = -v
	}
	return v
}

func cosHuge(x float64) float64 {
	rh, rl, q := reduceHuge(x)
	sh, sl, ch, cl := sinCosDD(rh, rl)
	v := ch + cl
	if q&1 != 0 {
		v = -(sh + sl)
	}
	if q&2 != 0 {
		v = -v
	}
	return v
}

// tanHuge is tan(x) for finite x beyond trigMax.
func tanHuge(x float64) float64 {
	rh, rl, q := reduceHuge(x)
	return tanKernel(rh, rl, q&1)
}
