package resreg_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
)

func TestParsePermission(t *testing.T) {
	valid := []struct {
		in    string
		want  resreg.Permission
		exact bool
	}{
		{"ns/res/get", resreg.Permission{Namespace: "ns", Resource: "res", Action: "get"}, true},
		{"ns/res/a/b/*", resreg.Permission{Namespace: "ns", Resource: "res", Nodes: []string{"a", "b"}, Action: "*"}, true},
		{"ns/*/get", resreg.Permission{Namespace: "ns", Resource: "*", Action: "get"}, false},
		{"ns/server_2023*/get", resreg.Permission{Namespace: "ns", Resource: "server_2023*", Action: "get"}, false},
		{"ns/res/a/*/c/get", resreg.Permission{Namespace: "ns", Resource: "res", Nodes: []string{"a", "*", "c"}, Action: "get"}, false},
		{"ns/res/pro*/get", resreg.Permission{Namespace: "ns", Resource: "res", Nodes: []string{"pro*"}, Action: "get"}, false},
		{"ns/res/a:b.c-d/ecs:Start", resreg.Permission{Namespace: "ns", Resource: "res", Nodes: []string{"a:b.c-d"}, Action: "ecs:Start"}, true},
	}
	for _, tc := range valid {
		t.Run(tc.in, func(t *testing.T) {
			p, err := resreg.ParsePermission(tc.in)
			require.NoError(t, err)
			require.Equal(t, tc.want, p)
			require.Equal(t, tc.exact, p.Exact())
			require.Equal(t, tc.in, p.String())
		})
	}
	for _, in := range []string{
		"", "ns", "ns/res", "/res/get", "ns/res/", "ns//get", "ns/res//get",
		"*/res/get", "n*/res/get", "ns/r*s/get", "ns/**/get", "ns/res/a b/get",
		"ns/res/ge*", "ns/res/a/b\x00/get", "ns/-res/get",
	} {
		t.Run("invalid "+in, func(t *testing.T) {
			_, err := resreg.ParsePermission(in)
			requireField(t, err, resreg.ErrInvalid, "")
		})
	}
}
