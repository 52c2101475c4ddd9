# ndchunk build, test and demo entry points.
#
#   make demo    build ./bin/ndchunk, generate a 1 GB NetCDF-4 sample and run
#                info, convert, eval on it under a 256 MiB budget (the main job)
#   make test    vet, unit/property tests (MPI ones under mpirun -np 2..4),
#                race detector on the core packages
#   make bench   kernel and engine benchmarks, ndchunk against Dask side by side
#
# Every target installs the system packages it needs (apt-get, with sudo
# when not root) and sets the cgo flags, so a fresh Debian machine needs
# nothing else.

SHELL := /bin/bash
GO ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
export PATH := $(dir $(GO)):$(PATH)
export GOFLAGS ?= -buildvcs=false

# Packages per target. The core engine is pure Go; the file drivers link
# Debian's libhdf5 and libnetcdf, block matrix products OpenBLAS
# (ops/openblas, imported by the command), the MPI backend (exec/mpi, a cgo leaf the
# command links) Open MPI; the MPI tests launch ranks with mpirun
# (openmpi-bin); the interop tests read and write with the
# reference tools and Python clients; the benchmark's peers (Dask, xarray,
# NumPy) run with /usr/bin/python3.
PKGS_BUILD := gcc pkg-config libhdf5-dev libnetcdf-dev libopenmpi-dev libopenblas-dev
PKGS_TOOLS := hdf5-tools netcdf-bin openmpi-bin python3-numpy python3-h5py python3-netcdf4 python3-xarray python3-scipy
PKGS_TEST  := $(PKGS_BUILD) $(PKGS_TOOLS)
PKGS_DEMO  := $(PKGS_BUILD)
PKGS_BENCH := $(PKGS_BUILD) $(PKGS_TOOLS) time python3-dask

# cgo finds Debian's HDF5 headers (in /usr/include/hdf5/serial) through
# pkg-config; these are evaluated when a recipe runs, after the packages
# are installed.
export CGO_CFLAGS = $(shell pkg-config --cflags hdf5 netcdf 2>/dev/null)
export CGO_LDFLAGS = $(shell pkg-config --libs hdf5 netcdf 2>/dev/null)

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CORE := ./chunk/... ./ops/... ./ndarray/... ./planner/... ./exec/...

.PHONY: all build demo test bench deps-build deps-test deps-demo deps-bench check-go vet clean

all: build

# ensure-pkgs installs the Debian packages given that are missing.
define ensure-pkgs
	@missing=""; for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

check-go:
	@$(GO) version >/dev/null 2>&1 || { echo "Go not found: install Go 1.26 (https://go.dev/dl) in /usr/local/go or on PATH" >&2; exit 1; }

deps-build: check-go
	$(call ensure-pkgs,$(PKGS_BUILD))
deps-test: check-go
	$(call ensure-pkgs,$(PKGS_TEST))
deps-demo: check-go
	$(call ensure-pkgs,$(PKGS_DEMO))
deps-bench: check-go
	$(call ensure-pkgs,$(PKGS_BENCH))

build: deps-build
	$(GO) build -o bin/ndchunk ./cmd/ndchunk

# The demo leaves its files (about 2.5 GB) in the directory it names; pass
# DEMO_DIR=... to choose it.
demo: deps-demo build
	./bin/ndchunk demo $(if $(DEMO_DIR),--dir $(DEMO_DIR))

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "not gofmt'ed: $$unformatted" >&2; exit 1; fi
	$(GO) vet ./...

test: deps-test vet
	$(GO) test -count=1 -timeout 10m ./...
	$(GO) test -count=1 -race -short -timeout 10m $(CORE)

# The README's Performance tables: the chunk-size sweep with its plot, one
# headline point per scenario against its peers, the Go benchmarks and the
# core table against Dask. About 30 minutes on 2 cores.
bench: deps-bench build
	./bin/ndchunk bench --scenario mean-random --chunks 250,500,1000,2000,5000,10000,20000 --repeat 3 \
		--out bench/results/mean-random.csv --plot bench/results/mean-random.svg
	./bin/ndchunk bench --scenario sincos-transpose --chunks 2000 --repeat 3 --out bench/results/sincos-transpose.csv
	./bin/ndchunk bench --scenario matmul --chunks 1000 --repeat 3 --out bench/results/matmul.csv
	./bin/ndchunk bench --scenario anomaly,file-expr --chunks '32x-1x-1' --repeat 3 --out bench/results/files.csv
	./bin/ndchunk bench --scenario rechunk --chunks '-1x25x25' --repeat 3 --out bench/results/rechunk.csv
	$(GO) test -run '^$$' -bench . -benchtime 2x -count 3 ./bench/ | tee bench/last-bench.txt
	bench/core.sh 3

clean:
	rm -rf bin
