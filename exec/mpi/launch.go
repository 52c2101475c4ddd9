package mpi

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/ndchunk/ndchunk/exec"
)

// Launched reports whether the process was started by an MPI launcher:
// Open MPI's mpirun (OMPI_COMM_WORLD_SIZE), an MPICH-style launcher
// (PMI_SIZE), or SLURM's srun (SLURM_NTASKS together with SLURM_PROCID,
// which srun sets for each task; a batch script alone has SLURM_NTASKS).
// It reads the environment only and never initialises MPI, so a program
// may call it to choose its engine.
func Launched() bool {
	for _, k := range []string{"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"} {
		if _, ok := os.LookupEnv(k); ok {
			return true
		}
	}
	_, n := os.LookupEnv("SLURM_NTASKS")
	_, p := os.LookupEnv("SLURM_PROCID")
	return n && p
}

// LaunchedRank returns the rank the launcher gave this process (Open MPI's
// OMPI_COMM_WORLD_RANK, PMI_RANK, SLURM_PROCID), or 0 when it was not
// launched by one. Like Launched it reads the environment only, so a
// program can keep ranks other than 0 quiet before MPI starts.
func LaunchedRank() int {
	if !Launched() {
		return 0
	}
	for _, k := range []string{"OMPI_COMM_WORLD_RANK", "PMI_RANK", "SLURM_PROCID"} {
		if v, err := strconv.Atoi(strings.TrimSpace(os.Getenv(k))); err == nil && v >= 0 {
			return v
		}
	}
	return 0
}

// world is the process's MPI state: initialised at most once, finalised
// at most once.
var world struct {
	once       sync.Once
	err        error
	rank, size int
	tagUB      int
	mu         sync.Mutex
	finalized  bool
}

// initWorld initialises MPI when the process was launched by an MPI
// launcher; otherwise it leaves MPI alone and the process is rank 0 of 1.
func initWorld() error {
	world.once.Do(func() {
		world.rank, world.size = 0, 1
		if !Launched() {
			return
		}
		if _, err := cInit(); err != nil {
			world.err = err
			return
		}
		world.rank, world.size, world.err = cRankSize()
		world.tagUB = cTagUB()
	})
	return world.err
}

// active reports whether MPI is initialised, not finalised and has more
// than one rank: only then do engines communicate.
func active() bool {
	if initWorld() != nil || world.size < 2 {
		return false
	}
	world.mu.Lock()
	defer world.mu.Unlock()
	return !world.finalized
}

// Rank returns this process's rank in MPI_COMM_WORLD, initialising MPI on
// first use when Launched; 0 when not launched by MPI.
func Rank() int {
	if initWorld() != nil {
		return 0
	}
	return world.rank
}

// Size returns the number of ranks in MPI_COMM_WORLD, initialising MPI on
// first use when Launched; 1 when not launched by MPI.
func Size() int {
	if initWorld() != nil {
		return 1
	}
	return world.size
}

// Init initialises MPI (with MPI_THREAD_MULTIPLE) if the process was
// launched by an MPI launcher, and reports a failure to do so. Rank, Size
// and New call it; call it first to handle the error yourself.
func Init() error { return initWorld() }

// Finalize shuts MPI down, if it was initialised. Every rank must call it
// (directly or through Exit) before leaving main, after its last engine
// call: mpirun treats a rank that exits without it as failed. Later calls
// do nothing.
func Finalize() error {
	if !Launched() || initWorld() != nil {
		return nil
	}
	world.mu.Lock()
	defer world.mu.Unlock()
	if world.finalized || cFinalized() {
		world.finalized = true
		return nil
	}
	world.finalized = true
	return cFinalize()
}

// Exit ends an SPMD program on every rank: it agrees on err across ranks
// (see Agree; err may be non-nil on some ranks only), prints the agreed
// error once, on rank 0, to stderr as "prefix: error", finalizes MPI and
// exits with status 1 if any rank failed, else 0. Every rank must call it.
// Without MPI it prints err and exits likewise.
func Exit(prefix string, err error) {
	if active() {
		err = agree(err)
	}
	if err != nil && Rank() == 0 {
		fmt.Fprintf(os.Stderr, "%s: %v\n", prefix, err)
	}
	if ferr := Finalize(); ferr != nil && err == nil {
		fmt.Fprintf(os.Stderr, "%s: rank %d: %v\n", prefix, Rank(), ferr)
		os.Exit(1)
	}
	if err != nil {
		os.Exit(1)
	}
	os.Exit(0)
}

// localRanks returns how many ranks of the job share this node, from the
// launcher's environment (1 if unknown).
func localRanks() int {
	for _, k := range []string{"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", "PMI_LOCAL_SIZE", "SLURM_NTASKS_PER_NODE"} {
		if v, err := strconv.Atoi(strings.TrimSpace(os.Getenv(k))); err == nil && v > 0 {
			return v
		}
	}
	return 1
}

// onlineCPUs counts the node's online CPUs from /sys (0 if unknown).
func onlineCPUs() int {
	b, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		return 0
	}
	n := 0
	for _, part := range strings.Split(strings.TrimSpace(string(b)), ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err1 := strconv.Atoi(lo)
		if !isRange {
			if err1 == nil {
				n++
			}
			continue
		}
		z, err2 := strconv.Atoi(hi)
		if err1 == nil && err2 == nil && z >= a {
			n += z - a + 1
		}
	}
	return n
}

// defaultWorkers is the worker count of a rank when none is given: the
// CPUs this process may use (exec.AvailableCPUs). When the launcher bound
// the rank to some cores the affinity mask already says how many; when it
// did not (an oversubscribed mpirun binds nothing), every rank on the
// node sees all of them, so they are shared among the node's ranks.
func defaultWorkers() int {
	n := exec.AvailableCPUs()
	if on := onlineCPUs(); on > 0 && runtime.NumCPU() >= on {
		n = max(1, n/localRanks())
	}
	return n
}

// defaultBudget is the memory budget of a rank when none is given: the
// local engine's default (a quarter of the memory available), shared among
// the ranks on the node.
func defaultBudget() int64 {
	return max(exec.AvailableMemory()/4/int64(localRanks()), 64<<20)
}
