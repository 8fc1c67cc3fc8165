package store

import (
	"math"
	"time"
)

// The range of times every Store keeps: exactly the int64 nanoseconds since
// 1970 (UTC), both ends included. A store that keeps times as int64
// nanoseconds (SQLite, PostgreSQL bigint) can hold no more; one that could
// hold more (memstore) refuses the same times, so that all stores agree.
var (
	// MinTime is 1677-09-21T00:12:43.145224192Z.
	MinTime = time.Unix(0, math.MinInt64).UTC()
	// MaxTime is 2262-04-11T23:47:16.854775807Z.
	MaxTime = time.Unix(0, math.MaxInt64).UTC()
)

// TimeInRange reports whether t lies within [MinTime, MaxTime]. The zero
// time (year 1) does not.
func TimeInRange(t time.Time) bool {
	return !t.Before(MinTime) && !t.After(MaxTime)
}

// CheckTime returns an ErrInvalid error on field when t is neither the zero
// time (a time not set, which stores keep as the zero time) nor within
// [MinTime, MaxTime]. Stores call it on every time they are given to
// write, before writing anything.
func CheckTime(field string, t time.Time) error {
	if t.IsZero() || TimeInRange(t) {
		return nil
	}
	return Invalid(field, "time "+t.UTC().Format(time.RFC3339Nano)+" is outside the range a store keeps, "+
		MinTime.Format(time.RFC3339Nano)+" to "+MaxTime.Format(time.RFC3339Nano))
}

// CheckTimes is CheckTime on a record's createdAt and updatedAt; prefix is
// the record's path ("" for a single record, "resources[3]" in a batch),
// giving fields such as "resources[3].createdAt".
func CheckTimes(prefix string, createdAt, updatedAt time.Time) error {
	if (createdAt.IsZero() || TimeInRange(createdAt)) && (updatedAt.IsZero() || TimeInRange(updatedAt)) {
		return nil // the common case builds no field path
	}
	dot := ""
	if prefix != "" {
		dot = prefix + "."
	}
	if err := CheckTime(dot+"createdAt", createdAt); err != nil {
		return err
	}
	return CheckTime(dot+"updatedAt", updatedAt)
}
