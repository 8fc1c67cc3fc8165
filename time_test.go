package resreg_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/store"
)

// clockCases are the clock readings at and around the range every store
// keeps: int64 nanoseconds since 1970, both ends included.
var clockCases = []struct {
	name string
	at   time.Time
	ok   bool
}{
	{"year 1600", time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC), false},
	{"one nanosecond before MinTime", store.MinTime.Add(-1), false},
	{"MinTime", time.Date(1677, 9, 21, 0, 12, 43, 145224192, time.UTC), true},
	{"now", time.Date(2026, 12, 1, 10, 0, 0, 1, time.UTC), true},
	{"MaxTime", time.Date(2262, 4, 11, 23, 47, 16, 854775807, time.UTC), true},
	{"one nanosecond past MaxTime", store.MaxTime.Add(1), false},
	{"year 3000", time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), false},
	{"zero time", time.Time{}, false},
}

func TestTimeBoundsExported(t *testing.T) {
	require.Equal(t, "1677-09-21T00:12:43.145224192Z", store.MinTime.Format(time.RFC3339Nano))
	require.Equal(t, "2262-04-11T23:47:16.854775807Z", store.MaxTime.Format(time.RFC3339Nano))
}

// TestClockOutsideStoreRange checks that the Registry refuses a clock
// reading no store can keep, writing nothing, and that readings within the
// range read back exactly on every store.
func TestClockOutsideStoreRange(t *testing.T) {
	for _, tc := range clockCases {
		t.Run(tc.name, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, s store.Store) {
				ctx := context.Background()
				var now time.Time
				reg := resreg.New(s, resreg.WithClock(func() time.Time { return now }))
				now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
				_, err := reg.CreateResource(ctx, resreg.CreateResourceInput{Type: "API", Code: "old"})
				require.NoError(t, err)

				now = tc.at
				writes := []struct {
					name, field string
					call        func() error
				}{
					{"CreateResource", "createdAt", func() error {
						_, err := reg.CreateResource(ctx, resreg.CreateResourceInput{Type: "API", Code: "new"})
						return err
					}},
					{"RegisterResources", "createdAt", func() error {
						_, err := reg.RegisterResources(ctx, resreg.RegisterInput{Type: "dev", Resources: []resreg.RegisterItem{{Code: "reg", Name: resreg.Name("R")}}})
						return err
					}},
					{"UpdateResource", "updatedAt", func() error {
						desc := "changed"
						_, err := reg.UpdateResource(ctx, "", "old", resreg.ResourceUpdate{Description: &desc})
						return err
					}},
					{"CreateNamespace", "createdAt", func() error {
						_, err := reg.CreateNamespace(ctx, resreg.Namespace{Code: "ns"})
						return err
					}},
					{"CreateDataResource", "createdAt", func() error {
						_, err := reg.CreateDataResource(ctx, resreg.CreateDataResourceInput{NamespaceCode: "default", ResourceCode: "d", ResourceName: "D",
							Type: resreg.DataString, Struct: resreg.StringStruct("x"), Actions: []string{"get"}})
						return err
					}},
				}
				for _, w := range writes {
					err := w.call()
					if !tc.ok {
						require.ErrorIs(t, err, resreg.ErrInvalid, w.name)
						var e *resreg.Error
						require.ErrorAs(t, err, &e)
						require.Equal(t, w.field, e.Field, w.name)
						continue
					}
					require.NoError(t, err, w.name)
				}
				old, err := reg.GetResource(ctx, "", "old")
				require.NoError(t, err)
				page, err := reg.ListResources(ctx, resreg.ResourceFilter{}, resreg.ListOptions{IncludeTotal: true})
				require.NoError(t, err)
				if !tc.ok {
					require.Equal(t, 1, page.TotalCount, "a refused clock writes nothing")
					require.Empty(t, old.Description)
					return
				}
				require.Equal(t, 3, page.TotalCount)
				require.Equal(t, tc.at, old.UpdatedAt, "the time reads back exactly")
				got, err := reg.GetResource(ctx, "", "new")
				require.NoError(t, err)
				require.Equal(t, tc.at, got.CreatedAt)
				d, err := reg.GetDataResource(ctx, "", "d")
				require.NoError(t, err)
				require.Equal(t, tc.at, d.CreatedAt)
			})
		})
	}
}
