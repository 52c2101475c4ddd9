package planner

import (
	"fmt"
	"io"
	"strings"

	"github.com/ndchunk/ndchunk/chunk"
)

// Summary is a one-line description of the plan.
func (p *Plan) Summary() string {
	budget := "unlimited"
	if p.Options.Budget > 0 {
		budget = chunk.FormatBytes(p.Options.Budget)
	}
	s := fmt.Sprintf("%d stages, %d tasks, budget %s, projected peak %s (one task at a time) / %s (%d workers), largest block %s",
		len(p.Stages), len(p.Tasks), budget, chunk.FormatBytes(p.PeakBytes), chunk.FormatBytes(p.ConcurrentPeakBytes), p.Options.Workers, chunk.FormatBytes(p.MaxBlockBytes))
	if p.SpilledBytes > 0 {
		s += fmt.Sprintf(", spills %s", chunk.FormatBytes(p.SpilledBytes))
	}
	return s
}

// Explain writes a text view of the plan: each stage with its shape,
// chunks, task count, projected bytes per task and the fusion, spill and
// recompute decisions, then the budget check.
func (p *Plan) Explain(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "plan: %s\n", p.Summary())
	for _, s := range p.Stages {
		fmt.Fprintf(&b, "stage %d %s: %s\n", s.ID, s.Kind, s.Name)
		fmt.Fprintf(&b, "    shape %v %s, chunks %s, %d tasks, up to %s per task, output up to %s per task\n",
			s.Grid.Shape(), s.DType, s.Grid.Summary(), len(s.Tasks), chunk.FormatBytes(s.MaxTaskBytes), chunk.FormatBytes(s.MaxOutBytes))
		if len(s.Inputs) > 0 {
			ids := make([]string, len(s.Inputs))
			for i, in := range s.Inputs {
				ids[i] = fmt.Sprint(in.ID)
			}
			fmt.Fprintf(&b, "    reads stages %s\n", strings.Join(ids, ", "))
		}
		for _, n := range s.Notes {
			fmt.Fprintf(&b, "    %s\n", n)
		}
	}
	if p.Options.Budget > 0 {
		fmt.Fprintf(&b, "budget check: peak %s of %s available (budget %s, %s reserved for results): fits\n",
			chunk.FormatBytes(p.PeakBytes), chunk.FormatBytes(p.Options.Budget-p.Options.ReservedBytes), chunk.FormatBytes(p.Options.Budget), chunk.FormatBytes(p.Options.ReservedBytes))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Dot writes the stage graph in Graphviz DOT.
func (p *Plan) Dot(w io.Writer) error {
	var b strings.Builder
	b.WriteString("digraph plan {\n  rankdir=BT;\n  node [shape=box, fontname=\"monospace\"];\n")
	for _, s := range p.Stages {
		label := fmt.Sprintf("%d %s\\n%s\\n%d tasks, %s/task", s.ID, s.Kind, dotEscape(s.Name), len(s.Tasks), chunk.FormatBytes(s.MaxTaskBytes))
		style := ""
		if s.Spill {
			style = ", style=dashed"
		}
		fmt.Fprintf(&b, "  s%d [label=\"%s\"%s];\n", s.ID, label, style)
		for _, in := range s.Inputs {
			fmt.Fprintf(&b, "  s%d -> s%d;\n", in.ID, s.ID)
		}
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func dotEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}
