package chunk

import (
	"errors"
	"testing"
)

// promoteTable is numpy.promote_types(a, b) for every pair, from numpy
// 1.24.2, rows and columns in the order of DTypes.
var promoteTable = [][]string{
	{"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64"},
	{"int8", "int8", "int16", "int32", "int64", "int16", "int32", "int64", "float64", "float32", "float64"},
	{"int16", "int16", "int16", "int32", "int64", "int16", "int32", "int64", "float64", "float32", "float64"},
	{"int32", "int32", "int32", "int32", "int64", "int32", "int32", "int64", "float64", "float64", "float64"},
	{"int64", "int64", "int64", "int64", "int64", "int64", "int64", "int64", "float64", "float64", "float64"},
	{"uint8", "int16", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64"},
	{"uint16", "int32", "int32", "int32", "int64", "uint16", "uint16", "uint32", "uint64", "float32", "float64"},
	{"uint32", "int64", "int64", "int64", "int64", "uint32", "uint32", "uint32", "uint64", "float64", "float64"},
	{"uint64", "float64", "float64", "float64", "float64", "uint64", "uint64", "uint64", "uint64", "float64", "float64"},
	{"float32", "float32", "float32", "float64", "float64", "float32", "float32", "float64", "float64", "float32", "float64"},
	{"float64", "float64", "float64", "float64", "float64", "float64", "float64", "float64", "float64", "float64", "float64"},
}

func TestPromoteMatchesNumPy(t *testing.T) {
	for i, a := range DTypes {
		for j, b := range DTypes {
			if got := Promote(a, b); got.String() != promoteTable[i][j] {
				t.Errorf("Promote(%s, %s) = %s, numpy gives %s", a, b, got, promoteTable[i][j])
			}
		}
	}
}

func TestPromoteScalar(t *testing.T) {
	// NEP 50 (numpy 2): python scalars are weak.
	cases := []struct {
		d    DType
		k    ScalarKind
		want DType
	}{
		{Float32, FloatScalar, Float32}, {Int8, IntScalar, Int8}, {Int8, FloatScalar, Float64},
		{Bool, IntScalar, Int64}, {Bool, BoolScalar, Bool}, {Uint16, IntScalar, Uint16}, {Float64, IntScalar, Float64},
	}
	for _, c := range cases {
		if got := PromoteScalar(c.d, c.k); got != c.want {
			t.Errorf("PromoteScalar(%s, %d) = %s, want %s", c.d, c.k, got, c.want)
		}
	}
}

func TestParseDType(t *testing.T) {
	for _, d := range DTypes {
		got, err := ParseDType(d.String())
		if err != nil || got != d {
			t.Errorf("ParseDType(%q) = %v, %v", d.String(), got, err)
		}
	}
	if d, err := ParseDType("f4"); err != nil || d != Float32 {
		t.Errorf("ParseDType(f4) = %v, %v", d, err)
	}
	if _, err := ParseDType("complex128"); !errors.Is(err, ErrDType) {
		t.Errorf("ParseDType(complex128) error %v, want ErrDType", err)
	}
}
