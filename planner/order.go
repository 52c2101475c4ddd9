package planner

import (
	"fmt"
	"sort"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ndarray"
)

// orderTasks returns every task needed by the outputs in a deterministic
// depth-first post-order: starting from the output blocks in order, each
// task comes right after the dependencies it lists (in their listed order).
// A reduction branch therefore finishes before the next begins and a block
// is consumed soon after it is made, which keeps few results resident.
//
// One refinement frees memory sooner: once a task is placed, if every
// remaining consumer of one of its inputs could run now and together they
// make no more than that input holds, they are placed at once, so the input
// is freed instead of waiting for later branches. This is what makes a
// rechunk through a persisted array cheap: each source block is cut into
// all its pieces right after it is read, rather than kept (or spilled whole
// and reloaded) for every target block that needs a piece of it.
func orderTasks(outputs []Output, nTasks int) []*Task {
	var order []*Task
	// Per-task state lives in slices indexed by Task.ID (0 to nTasks-1):
	// maps keyed by task cost a rehash storm on plans of many tasks.
	seen := make([]bool, nTasks)
	placed := make([]bool, nTasks)
	consumers := make([][]*Task, nTasks)
	// Collect the reachable graph and its consumer lists.
	var all []*Task
	var walk []*Task
	for _, out := range outputs {
		walk = append(walk, out.Tasks...)
	}
	for len(walk) > 0 {
		t := walk[len(walk)-1]
		walk = walk[:len(walk)-1]
		if seen[t.ID] {
			continue
		}
		seen[t.ID] = true
		all = append(all, t)
		for _, d := range t.Deps {
			consumers[d.ID] = append(consumers[d.ID], t)
			walk = append(walk, d)
		}
	}
	for _, list := range consumers {
		sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	}
	// unplaced counts each task's inputs not yet placed, so checking
	// whether a reader could run now costs nothing on wide graphs (a
	// rechunk's target blocks each read hundreds of pieces).
	unplaced := make([]int, nTasks)
	for _, t := range all {
		unplaced[t.ID] = len(t.Deps)
	}
	ready := func(c *Task) bool { return unplaced[c.ID] == 0 }
	var place func(t *Task)
	place = func(t *Task) {
		t.Order = len(order)
		order = append(order, t)
		placed[t.ID] = true
		for _, c := range consumers[t.ID] {
			unplaced[c.ID]--
		}
		for _, d := range t.Deps {
			var rest []*Task
			var bytes int64
			eager := true
			for _, c := range consumers[d.ID] {
				if placed[c.ID] {
					continue
				}
				if !ready(c) {
					eager = false
					break
				}
				rest = append(rest, c)
				bytes += c.OutBytes
			}
			if !eager || len(rest) == 0 || bytes > d.OutBytes {
				continue
			}
			for _, c := range rest {
				if !placed[c.ID] {
					place(c)
				}
			}
		}
	}
	type frame struct {
		t    *Task
		next int
	}
	var stack []frame
	pushed := make([]bool, nTasks)
	for _, out := range outputs {
		for _, root := range out.Tasks {
			if pushed[root.ID] {
				continue
			}
			pushed[root.ID] = true
			stack = append(stack, frame{t: root})
			for len(stack) > 0 {
				top := &stack[len(stack)-1]
				if placed[top.t.ID] {
					stack = stack[:len(stack)-1]
					continue
				}
				if top.next < len(top.t.Deps) {
					d := top.t.Deps[top.next]
					top.next++
					if !pushed[d.ID] {
						pushed[d.ID] = true
						stack = append(stack, frame{t: d})
					}
					continue
				}
				place(top.t)
				stack = stack[:len(stack)-1]
			}
		}
	}
	return order
}

// simulation is the memory held when tasks run one at a time in order.
type simulation struct {
	peak     int64
	peakAt   int
	heldAt   map[*Stage]int64 // per stage, bytes held at the peak
	maxTask  int64
	maxTaskT *Task
	spilled  int64
}

// simulate walks the order: a task needs the outputs it reads (already
// held) plus its working set; its output stays held until its last
// consumer has run. Spilled outputs are not held; their consumers load them.
func simulate(order []*Task) simulation {
	sim := simulation{}
	remaining := make(map[*Task]int, len(order))
	held := map[*Stage]int64{}
	var live int64
	for i, t := range order {
		need := live + t.Bytes
		if need > sim.peak {
			sim.peak, sim.peakAt = need, i
			sim.heldAt = make(map[*Stage]int64, len(held))
			for s, v := range held {
				sim.heldAt[s] = v
			}
		}
		if t.Bytes > sim.maxTask {
			sim.maxTask, sim.maxTaskT = t.Bytes, t
		}
		if t.Consumers > 0 {
			if t.Stage.Spill {
				sim.spilled += t.OutBytes
			} else {
				live += t.OutBytes
				held[t.Stage] += t.OutBytes
				remaining[t] = t.Consumers
			}
		}
		for _, d := range t.Deps {
			if d.Stage.Spill {
				continue
			}
			remaining[d]--
			if remaining[d] == 0 {
				live -= d.OutBytes
				held[d.Stage] -= d.OutBytes
			}
		}
	}
	return sim
}

// spillable reports whether a stage's outputs are blocks that may be
// spilled to disk (partials and carries are small and short-lived).
func spillable(s *Stage) bool {
	switch s.Kind {
	case KindBlocks, KindScan, KindContract, KindContractCombine, KindMapBlocks:
		return true
	case KindReducePartial, KindReduceCombine:
		return true // only their finalised blocks are ever held long
	}
	return false
}

// fit checks the plan against the budget, spilling materialised arrays
// that cannot stay resident, and refuses plans that still do not fit.
func (b *builder) fit(plan *Plan) error {
	avail := b.opts.Budget - b.opts.ReservedBytes
	if b.opts.Budget > 0 && avail <= 0 {
		return fmt.Errorf("planner: the result (or the writers' buffers) alone needs %s, at or over the budget of %s: %w", chunk.FormatBytes(b.opts.ReservedBytes), chunk.FormatBytes(b.opts.Budget), chunk.ErrOverBudget)
	}
	budget := chunk.FormatBytes(b.opts.Budget)
	if b.opts.ReservedBytes >= 1<<20 {
		budget += fmt.Sprintf(" (%s of it held for the result or the writers' buffers)", chunk.FormatBytes(b.opts.ReservedBytes))
	}
	if b.opts.Budget > 0 && b.maxBlock > avail {
		n := b.maxBlockNode
		return fmt.Errorf("planner: blocks of %s %v %s with chunks %s are %s each, over the %s budget (a block is the unit a task may hold whole): try chunks %s: %w",
			ndarray.Describe(n, 60), n.Shape(), n.DType(), n.Grid().Summary(), chunk.FormatBytes(b.maxBlock), budget, suggest(n, avail, b.opts.Workers), chunk.ErrOverBudget)
	}
	sim := simulate(plan.Tasks)
	for b.opts.Budget > 0 && sim.peak > avail {
		if sim.maxTask > avail {
			t := sim.maxTaskT
			return fmt.Errorf("planner: %s needs %s per task (block %v), over the %s budget: try chunks %s: %w",
				t.Stage.Name, chunk.FormatBytes(sim.maxTask), t.Block, budget, suggest(t.inputNode(), avail, b.opts.Workers), chunk.ErrOverBudget)
		}
		// Spill the stage holding the most at the peak.
		var worst *Stage
		for s, v := range sim.heldAt {
			if !s.Spill && spillable(s) && v > 0 && (worst == nil || v > sim.heldAt[worst] || (v == sim.heldAt[worst] && s.ID < worst.ID)) {
				worst = s
			}
		}
		if worst == nil {
			t := plan.Tasks[sim.peakAt]
			return fmt.Errorf("planner: running %s holds %s at once, over the %s budget, and nothing more can be spilled: try chunks %s: %w",
				t.Stage.Name, chunk.FormatBytes(sim.peak), budget, suggest(t.inputNode(), avail, b.opts.Workers), chunk.ErrOverBudget)
		}
		worst.Spill = true
		worst.Notes = append(worst.Notes, fmt.Sprintf("spilled: keeping its blocks resident would hold %s at the peak; they are written compressed to the spill directory and read back by their consumers", chunk.FormatBytes(sim.heldAt[worst])))
		// Consumers of spilled outputs load them into their working set.
		for _, t := range plan.Tasks {
			for _, d := range t.Deps {
				if d.Stage == worst {
					t.Bytes += d.OutBytes
					t.Stage.MaxTaskBytes = max(t.Stage.MaxTaskBytes, t.Bytes)
				}
			}
		}
		sim = simulate(plan.Tasks)
	}
	plan.PeakBytes = sim.peak
	plan.SpilledBytes = sim.spilled
	plan.ConcurrentPeakBytes = sim.peak + int64(b.opts.Workers-1)*sim.maxTask
	return nil
}

// suggest proposes chunks for n whose blocks leave room for every worker's
// task within the budget.
func suggest(n *ndarray.Node, avail int64, workers int) string {
	target := min(int64(chunk.DefaultTargetBytes), avail/int64(4*max(workers, 1)))
	target = max(target, 1<<16)
	sizes := chunk.AutoChunks(n.Shape(), n.DType(), target, nil, nil)
	return tuple(sizes)
}

// tuple formats ints like a Python tuple: "(4000, 4000)".
func tuple(v []int) string {
	s := "("
	for i, x := range v {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprint(x)
	}
	if len(v) == 1 {
		s += ","
	}
	return s + ")"
}

// inputNode is the array whose chunking sets a task's size: the expression
// it evaluates, or the array it produces.
func (t *Task) inputNode() *ndarray.Node {
	if len(t.exprs) > 0 {
		return t.exprs[0].prog.root.n
	}
	return t.Stage.Node
}
