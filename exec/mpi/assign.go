package mpi

import (
	"encoding/binary"
	"hash/fnv"
	"slices"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ndarray"
	"github.com/ndchunk/ndchunk/planner"
)

// writerRank is the rank that receives every output block: it fills
// Compute's results and calls the sinks of Store, because the serial HDF5
// and NetCDF libraries allow one writer per file.
const writerRank = 0

// placement is where a plan's tasks run and who needs their values.
//
// The assignment is static, computed identically on every rank from the
// identical plan, so no rank has to be told where anything is:
//
//   - A task without dependencies (a file read, a block of generated data
//     with its fused expression, a reduction partial or matrix product over
//     such inputs) goes to the rank owning its position in its stage:
//     stage task k of n goes to rank k*size/n. Stage tasks are in block
//     order, so each rank gets a contiguous run of blocks, which for a file
//     is a contiguous range of its regions: every rank reads its own part of
//     the input straight from the shared file system, and no input block
//     ever crosses the interconnect before it is used.
//   - Any other task goes to the rank already holding most of its input
//     bytes, so a reduction's combine tree runs where its partials are
//     (only the few upper levels cross ranks) and a rechunk piece is cut
//     where its source block lives. Ties go to the task's own stage
//     position (as for leaves), and no rank takes more than a quarter over
//     its fair share of a stage, so locality never piles a whole stage on
//     one rank.
//
// The placement only moves work: each task computes the same value
// wherever it runs, and every combination order is fixed by the plan, so
// results are bit-identical for any number of ranks. Dynamic load balancing
// (see steal in sched.go) moves further tasks at run time for the same
// reason without changing any result.
type placement struct {
	plan  *planner.Plan
	size  int
	owner []int32   // per task (plan order)
	needs [][]int32 // per task: ranks that need its value, sorted
	cons  [][]int32 // per task: the tasks that read its value
	leaf  []bool    // per task: no dependencies (may be stolen)
	final []bool    // per task: a block of a requested output
}

// place assigns the tasks of plan to size ranks (see placement).
func place(plan *planner.Plan, size int) *placement {
	n := len(plan.Tasks)
	p := &placement{plan: plan, size: size, owner: make([]int32, n), needs: make([][]int32, n), cons: make([][]int32, n),
		leaf: make([]bool, n), final: make([]bool, n)}
	// A task's position within its stage, counting only tasks of the plan.
	pos := make([]int, n)
	count := map[*planner.Stage]int{}
	for _, s := range plan.Stages {
		for _, t := range s.Tasks {
			if t.Order < n && plan.Tasks[t.Order] == t {
				pos[t.Order] = count[s]
				count[s]++
			}
		}
	}
	load := map[*planner.Stage][]int{}
	score := make([]int64, size)
	for i, t := range plan.Tasks {
		k, total := pos[i], count[t.Stage]
		home := int(int64(k) * int64(size) / int64(max(total, 1)))
		if len(t.Deps) == 0 {
			p.owner[i] = int32(home)
			p.leaf[i] = true
			continue
		}
		l := load[t.Stage]
		if l == nil {
			l = make([]int, size)
			load[t.Stage] = l
		}
		fair := (total + size - 1) / size
		limit := fair + fair/4 + 1
		clear(score)
		for _, d := range t.Deps {
			score[p.owner[d.Order]] += max(d.OutBytes, 1)
		}
		best := -1
		for r := 0; r < size; r++ {
			if l[r] >= limit {
				continue
			}
			if best < 0 || score[r] > score[best] || (score[r] == score[best] && r == home) {
				best = r
			}
		}
		if best < 0 {
			best = home
		}
		l[best]++
		p.owner[i] = int32(best)
	}
	// Who needs each value: the owners of its consumers, and the writer
	// for the blocks of requested outputs.
	for i, t := range plan.Tasks {
		for _, d := range t.Deps {
			p.addNeed(d.Order, p.owner[i])
			p.cons[d.Order] = append(p.cons[d.Order], int32(i))
		}
	}
	for _, out := range plan.Outputs {
		for _, t := range out.Tasks {
			p.addNeed(t.Order, writerRank)
			p.final[t.Order] = true
		}
	}
	return p
}

// piece returns the part of task i's block that rank r needs, relative
// to the block, and whether it is less than the whole block. A rechunk
// through a materialised array (x.Persist().Rechunk(...), the shape of
// every conversion to a new chunking) reads from each source block only
// where it overlaps its own target block; a rank is sent the bounding box
// of what its targets read, not the block, so each byte of the array
// crosses the interconnect about once instead of once per rank holding a
// target that touches the block. Any other reader needs the whole block.
func (p *placement) piece(i, r int) (chunk.Region, bool) {
	t := p.plan.Tasks[i]
	if t.Stage.Kind != planner.KindBlocks || (p.final[i] && r == writerRank) {
		return chunk.Region{}, false
	}
	own := t.Stage.Grid.BlockRegion(t.Block)
	var box chunk.Region
	for _, c := range p.cons[i] {
		if int(p.owner[c]) != r {
			continue
		}
		reg, ok := rechunkRead(p.plan.Tasks[c], t, own)
		if !ok {
			return chunk.Region{}, false
		}
		box = boundingBox(box, reg)
	}
	if box.Shape == nil || box.Equal(own) {
		return chunk.Region{}, false
	}
	return box.Relative(own), true
}

// rechunkRead returns the region of d's block (own, in array coordinates)
// that consumer c reads, when c is a block of a rechunk of d's array.
func rechunkRead(c, d *planner.Task, own chunk.Region) (chunk.Region, bool) {
	n := c.Stage.Node
	if c.Stage.Kind != planner.KindBlocks || n == nil || len(n.Inputs()) != 1 || n.Inputs()[0] != d.Stage.Node {
		return chunk.Region{}, false
	}
	if _, ok := n.Op().(*ndarray.OpRechunk); !ok {
		return chunk.Region{}, false
	}
	return own.Intersect(c.Stage.Grid.BlockRegion(c.Block))
}

// boundingBox returns the smallest region holding a (if not empty) and b.
func boundingBox(a, b chunk.Region) chunk.Region {
	if a.Shape == nil {
		return b.Clone()
	}
	out := a.Clone()
	for k := range out.Start {
		lo := min(a.Start[k], b.Start[k])
		hi := max(a.Stop(k), b.Stop(k))
		out.Start[k], out.Shape[k] = lo, hi-lo
	}
	return out
}

// addNeed records that rank r needs task i's value.
func (p *placement) addNeed(i int, r int32) {
	if j, found := slices.BinarySearch(p.needs[i], r); !found {
		p.needs[i] = slices.Insert(p.needs[i], j, r)
	}
}

// needed reports whether rank r needs task i's value.
func (p *placement) needed(i, r int) bool {
	_, found := slices.BinarySearch(p.needs[i], int32(r))
	return found
}

// dests returns the ranks a value computed on rank from must be sent to:
// every rank needing it except from itself. A task stolen from its owner
// (see steal) is sent to every rank needing it, the thief included, which
// then receives its own value through its import like any other rank: the
// thief's bookkeeping stays that of the static placement.
func (p *placement) dests(i, from int, stolen bool) []int {
	var out []int
	for _, r := range p.needs[i] {
		if int(r) != from || stolen {
			out = append(out, int(r))
		}
	}
	return out
}

// fingerprint hashes the plan's structure, so ranks can check they built
// the same plan before exchanging any value: a program that builds
// different arrays on different ranks gets an error, not a hang.
func fingerprint(plan *planner.Plan) uint64 {
	h := fnv.New64a()
	var buf [8]byte
	put := func(v int64) {
		binary.LittleEndian.PutUint64(buf[:], uint64(v))
		h.Write(buf[:])
	}
	put(int64(len(plan.Tasks)))
	put(int64(len(plan.Stages)))
	for _, t := range plan.Tasks {
		put(int64(t.Stage.ID))
		put(int64(t.Stage.Kind))
		put(t.Bytes)
		put(t.OutBytes)
		put(int64(t.Consumers))
		for _, b := range t.Block {
			put(int64(b))
		}
		put(-1)
		for _, d := range t.Deps {
			put(int64(d.Order))
		}
		put(-2)
	}
	for _, out := range plan.Outputs {
		put(int64(len(out.Tasks)))
		for _, t := range out.Tasks {
			put(int64(t.Order))
		}
	}
	return h.Sum64()
}
