//go:build !amd64 || purego

package vmath

// availableKernels lists the implementations this build can run, fastest
// first: only the generic one without the amd64 assembly.
func availableKernels() []kernels { return []kernels{genericKernels} }
