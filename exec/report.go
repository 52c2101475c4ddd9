package exec

import (
	"fmt"
	"time"

	"github.com/ndchunk/ndchunk/chunk"
)

// Report describes a finished run.
type Report struct {
	Tasks     int // tasks in the plan
	TasksDone int // tasks that ran to completion
	Stages    int
	Workers   int
	// Budget is the engine's memory budget.
	Budget int64
	// ProjectedPeakBytes is the planner's projection of the peak.
	ProjectedPeakBytes int64
	// PeakLiveBytes is the measured high-water mark of bytes in blocks
	// handed out by the allocator; PeakReservedBytes that of admitted
	// reservations. Neither includes ResultBytes.
	PeakLiveBytes     int64
	PeakReservedBytes int64
	// ResultBytes is the size of the results Compute returned.
	ResultBytes int64
	// BytesComputed sums the sizes of the tasks' outputs.
	BytesComputed int64
	// BytesSpilled is what was written, compressed, to the spill directory.
	BytesSpilled int64
	// Wall is the run's elapsed time, PlanTime the planning before it and
	// TaskTime the sum of the tasks' own running times.
	Wall, PlanTime, TaskTime time.Duration
}

// String formats the report on one line.
func (r Report) String() string {
	s := fmt.Sprintf("%d/%d tasks in %d stages on %d workers, wall %v (plan %v), task time %v, peak live %s / reserved %s of budget %s (projected %s)",
		r.TasksDone, r.Tasks, r.Stages, r.Workers, r.Wall.Round(time.Millisecond), r.PlanTime.Round(time.Microsecond), r.TaskTime.Round(time.Millisecond),
		chunk.FormatBytes(r.PeakLiveBytes), chunk.FormatBytes(r.PeakReservedBytes), chunk.FormatBytes(r.Budget), chunk.FormatBytes(r.ProjectedPeakBytes))
	if r.ResultBytes > 0 {
		s += ", result " + chunk.FormatBytes(r.ResultBytes)
	}
	s += ", computed " + chunk.FormatBytes(r.BytesComputed)
	if r.BytesSpilled > 0 {
		s += ", spilled " + chunk.FormatBytes(r.BytesSpilled)
	}
	return s
}

// Event reports progress of a run.
type Event struct {
	TasksDone, TasksTotal int
	// BytesDone sums the outputs of finished tasks.
	BytesDone int64
	Elapsed   time.Duration
	// Done marks the last event of a run.
	Done bool
}
