package resreg

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/store"
)

// The checks are wired to the permission index later; their principal rule
// is tested here, where it lives.
func TestCheckPrincipal(t *testing.T) {
	r := &Registry{limits: Limits{MaxBatch: 2}.withDefaults()}
	cases := []struct {
		name  string
		p     Principal
		field string // "" means valid
	}{
		{"user only", Principal{UserID: "ann@example.com"}, ""},
		{"subjects only", Principal{Subjects: []Subject{Role("admin")}}, ""},
		{"UUID user and a group", Principal{UserID: "6f1c1c1e-8f0a-4d3b-9a55-1c2d3e4f5a6b", Subjects: []Subject{Group("g")}}, ""},
		{"empty", Principal{}, "userId"},
		{"user ID with /", Principal{UserID: "a/b"}, "userId"},
		{"blank user ID", Principal{UserID: "  "}, "userId"},
		{"bad subject type", Principal{UserID: "u", Subjects: []Subject{{Type: "role x", ID: "a"}}}, "subjects[0].type"},
		{"bad subject ID", Principal{UserID: "u", Subjects: []Subject{Role("a"), Role("")}}, "subjects[1].id"},
		{"too many subjects", Principal{Subjects: []Subject{Role("a"), Role("b"), Role("c")}}, "subjects[2]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := r.checkPrincipal("", tc.p)
			if tc.field == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrInvalid)
			var e *store.Error
			require.True(t, errors.As(err, &e))
			require.Equal(t, tc.field, e.Field)
		})
	}
	require.Equal(t, "principal.userId", func() string {
		var e *store.Error
		errors.As(r.checkPrincipal("principal", Principal{}), &e)
		return e.Field
	}())
}

func TestPrincipalOwn(t *testing.T) {
	p := Principal{UserID: "u1", Subjects: []Subject{Role("a"), User("u1"), Group("g"), Role("a")}}
	require.Equal(t, []Subject{User("u1"), Role("a"), Group("g")}, p.Own())
	require.Equal(t, []Subject{Role("a")}, Principal{Subjects: []Subject{Role("a")}}.Own())
}
