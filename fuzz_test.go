package resreg_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/memstore"
	"github.com/resreg/resreg/sqlitestore"
	"github.com/resreg/resreg/store"
)

// The fuzzers feed arbitrary bytes to the decoders and the Registry. Their
// invariants: nothing panics; every error is a *resreg.Error (or a context
// error); anything accepted round-trips through JSON; and memstore and
// sqlitestore give the same answer to the same sequence of operations.
//
// Run one for ten minutes with, for example:
//
//	go test -run '^$' -fuzz '^FuzzCreateResource$' -fuzztime 10m .

// pair drives a memstore-backed and a sqlitestore-backed Registry in step.
type pair struct {
	mem, sql *resreg.Registry
}

// newPair builds both registries with the same fixed clock and the same
// deterministic ID sequence, so equal inputs give equal records.
func newPair(tb testing.TB) *pair {
	tb.Helper()
	st, err := sqlitestore.OpenMemory(context.Background())
	require.NoError(tb, err)
	tb.Cleanup(func() { st.Close() })
	opts := func() []resreg.Option {
		n := 0
		return []resreg.Option{
			resreg.WithClock(func() time.Time { return time.Date(2026, 11, 22, 1, 2, 3, 4, time.UTC) }),
			resreg.WithIDGenerator(func() string { n++; return "id" + strconv.Itoa(n) }),
		}
	}
	return &pair{mem: resreg.New(memstore.New(), opts()...), sql: resreg.New(st, opts()...)}
}

// same runs op on both registries and requires the same outcome: equal
// results, or errors of the same kind naming the same field.
func same[T any](t *testing.T, p *pair, op func(*resreg.Registry) (T, error)) (T, error) {
	t.Helper()
	a, errA := op(p.mem)
	b, errB := op(p.sql)
	requireTyped(t, errA)
	requireTyped(t, errB)
	require.Equal(t, errA == nil, errB == nil, "memstore: %v, sqlitestore: %v", errA, errB)
	if errA != nil {
		require.Equal(t, resreg.StatusCode(errA), resreg.StatusCode(errB), "memstore: %v, sqlitestore: %v", errA, errB)
		var ea, eb *resreg.Error
		errors.As(errA, &ea)
		errors.As(errB, &eb)
		require.Equal(t, ea.Field, eb.Field, "memstore: %v, sqlitestore: %v", errA, errB)
		return a, errA
	}
	require.Equal(t, a, b)
	return a, nil
}

// requireTyped fails unless err is nil or a *resreg.Error wrapping a
// sentinel.
func requireTyped(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var e *resreg.Error
	require.True(t, errors.As(err, &e), "untyped error %T: %v", err, err)
	require.NotEqual(t, 500, resreg.StatusCode(err), "error wraps no sentinel: %v", err)
}

// roundTrip requires v to survive a JSON encode and decode unchanged.
func roundTrip[T any](t *testing.T, v T) {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var back T
	require.NoError(t, json.Unmarshal(b, &back), "%s", b)
	require.Equal(t, v, back, "%s", b)
}

// addSeedFiles adds the named testdata/seeds files to the corpus.
func addSeedFiles(f *testing.F, names ...string) {
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join("testdata", "seeds", n))
		require.NoError(f, err)
		f.Add(b)
	}
}

func FuzzCreateResource(f *testing.F) {
	addSeedFiles(f, "create_resource_request.json")
	f.Add([]byte(`{"type":"MENU","code":"m1","name":{"defaultValue":"Menu","i18nValue":{"zh_CN":"菜单"}}}`))
	f.Add([]byte(`{"type":"API","code":"x","actions":"[{\"name\":\"a\",\"description\":\"b\"}]"}`))
	f.Add([]byte(`[{"type":"API","code":"a"},{"type":"API","code":"a"}]`))
	p := newPair(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		ctx := context.Background()
		var batch []resreg.CreateResourceInput
		if err := json.Unmarshal(body, &batch); err != nil {
			var one resreg.CreateResourceInput
			if json.Unmarshal(body, &one) != nil {
				return
			}
			batch = []resreg.CreateResourceInput{one}
		}
		got, err := same(t, p, func(r *resreg.Registry) ([]resreg.Resource, error) {
			return r.CreateResources(ctx, batch)
		})
		if err != nil {
			return
		}
		for _, res := range got {
			roundTrip(t, res)
			read, err := same(t, p, func(r *resreg.Registry) (resreg.Resource, error) {
				return r.GetResource(ctx, res.Namespace, res.Code)
			})
			require.NoError(t, err)
			require.Equal(t, res, read)
		}
		for _, res := range got {
			_, err := same(t, p, func(r *resreg.Registry) (struct{}, error) {
				return struct{}{}, r.DeleteResources(ctx, res.Namespace, res.Code)
			})
			require.NoError(t, err)
		}
	})
}

func FuzzRegisterResources(f *testing.F) {
	addSeedFiles(f, "register_request.json")
	f.Add([]byte(`{"type":"t","assignCodeTold":true,"resources":[{"code":"a","name":"A"}]}`))
	f.Add([]byte(`{"type":"t","resources":[{"code":"a","name":{"defaultValue":""}}]}`))
	p := newPair(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		ctx := context.Background()
		var in resreg.RegisterInput
		if json.Unmarshal(body, &in) != nil {
			return
		}
		got, err := same(t, p, func(r *resreg.Registry) (resreg.RegisterResult, error) {
			return r.RegisterResources(ctx, in)
		})
		if err != nil {
			return
		}
		require.True(t, got.Success)
		roundTrip(t, got)
		codes := make([]string, len(got.Resources))
		for i, res := range got.Resources {
			codes[i] = res.Code
			if in.AssignCodeToID {
				require.Equal(t, res.Code, res.ID)
			}
		}
		_, err = same(t, p, func(r *resreg.Registry) (struct{}, error) {
			return struct{}{}, r.DeleteResources(ctx, got.Resources[0].Namespace, codes...)
		})
		require.NoError(t, err)
	})
}

func FuzzCreateDataResource(f *testing.F) {
	addSeedFiles(f, "data_resource_string_request.json", "data_resource_array_request.json", "data_resource_tree_request.json")
	f.Add([]byte(`{"namespaceCode":"default","resourceCode":"c","resourceName":"n","struct":["a","a"],"type":"ARRAY","actions":["get"]}`))
	p := newPair(f)
	for _, r := range []*resreg.Registry{p.mem, p.sql} {
		_, err := r.CreateNamespace(context.Background(), resreg.Namespace{Code: "examplePermissionNamespace"})
		require.NoError(f, err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ctx := context.Background()
		var in resreg.CreateDataResourceInput
		if json.Unmarshal(body, &in) != nil {
			return
		}
		got, err := same(t, p, func(r *resreg.Registry) (resreg.DataResource, error) {
			return r.CreateDataResource(ctx, in)
		})
		if err != nil {
			return
		}
		roundTrip(t, got)
		read, err := same(t, p, func(r *resreg.Registry) (resreg.DataResource, error) {
			return r.GetDataResource(ctx, got.NamespaceCode, got.ResourceCode)
		})
		require.NoError(t, err)
		require.Equal(t, got, read)
		if got.Type == resreg.DataTree {
			for _, path := range got.Struct.Tree.Flatten() {
				node, err := same(t, p, func(r *resreg.Registry) (resreg.TreePath, error) {
					return r.FindTreeNode(ctx, got.NamespaceCode, got.ResourceCode, path.Path)
				})
				require.NoError(t, err)
				require.Equal(t, path, node)
			}
		}
		_, err = same(t, p, func(r *resreg.Registry) (struct{}, error) {
			return struct{}{}, r.DeleteDataResource(ctx, got.NamespaceCode, got.ResourceCode)
		})
		require.NoError(t, err)
	})
}

func FuzzTree(f *testing.F) {
	f.Add([]byte(`[{"name":"Product","code":"product","value":"product","children":[{"name":"PM","code":"pm"},{"name":"Design","code":"design"}]},{"name":"R&D","code":"rd"}]`))
	f.Add([]byte(`[{"name":"A","code":"a","children":[{"name":"A","code":"a","children":[{"name":"B","code":"b"}]}]}]`))
	f.Add([]byte(`[{"name":"A","code":"a/b"}]`))
	reg := resreg.New(memstore.New())
	f.Fuzz(func(t *testing.T, body []byte) {
		var tree resreg.Tree
		if json.Unmarshal(body, &tree) != nil {
			return
		}
		flat := tree.Flatten()
		require.Len(t, flat, tree.Len())
		created, err := reg.CreateDataResource(context.Background(), resreg.CreateDataResourceInput{
			NamespaceCode: "default", ResourceCode: "t", ResourceName: "T", Type: resreg.DataTree,
			Struct: resreg.TreeStruct(tree...), Actions: []string{"get"},
		})
		requireTyped(t, err)
		if err != nil {
			return
		}
		defer func() { require.NoError(t, reg.DeleteDataResource(context.Background(), "", "t")) }()
		require.Equal(t, flat, created.Struct.Tree.Flatten())
		roundTrip(t, created.Struct.Tree)
		// In a valid tree every path is unique and leads back to its node.
		seen := map[string]bool{}
		for _, p := range flat {
			require.False(t, seen[p.Path], "path %q repeats", p.Path)
			seen[p.Path] = true
			require.Equal(t, p.Depth, strings.Count(p.Path, "/")+1)
			node, ok := tree.Find(p.Path)
			require.True(t, ok, p.Path)
			require.Equal(t, [3]string{p.Code, p.Name, p.Value}, [3]string{node.Code, node.Name, node.Value})
		}
	})
}

func FuzzI18nName(f *testing.F) {
	f.Add([]byte(`{"defaultValue":"Server","i18nValue":{"zh_CN":"服务器","en-US":"Server"}}`), "zh-cn")
	f.Add([]byte(`"Server"`), "en")
	f.Add([]byte(`{"defaultValue":"x","i18nValue":{"zh":"中","zh_TW":"繁"}}`), "zh_HK")
	f.Fuzz(func(t *testing.T, body []byte, locale string) {
		var n resreg.I18nName
		if json.Unmarshal(body, &n) != nil {
			return
		}
		got := n.Resolve(locale)
		// Resolve picks the default or one of the translations, never
		// anything else, and an exact key wins.
		ok := got == n.DefaultValue
		for k, v := range n.I18nValue {
			ok = ok || got == v
			if store.CanonicalLocale(k) == store.CanonicalLocale(locale) && v != "" && store.CanonicalLocale(locale) != "" {
				exact := 0
				for k2 := range n.I18nValue {
					if store.CanonicalLocale(k2) == store.CanonicalLocale(k) {
						exact++
					}
				}
				if exact == 1 {
					require.Equal(t, v, got)
				}
			}
		}
		require.True(t, ok, "Resolve(%q) = %q", locale, got)
		roundTrip(t, n)
	})
}

func FuzzPageToken(f *testing.F) {
	f.Add(store.EncodePageTokenFor(store.KindResources, store.DefaultNamespace, "abc"))
	f.Add("")
	f.Add("!!!")
	f.Add(store.EncodePageTokenFor(store.KindResources, store.DefaultNamespace, "é"))
	f.Add(store.EncodePageTokenFor(store.KindNamespaces, "", "b"))
	p := newPair(f)
	ctx := context.Background()
	for _, r := range []*resreg.Registry{p.mem, p.sql} {
		for _, c := range []string{"a", "b", "c", "d"} {
			_, err := r.CreateResource(ctx, resreg.CreateResourceInput{Type: "API", Code: c})
			require.NoError(f, err)
		}
	}
	f.Fuzz(func(t *testing.T, token string) {
		key, err := store.DecodePageTokenFor(store.KindResources, store.DefaultNamespace, token)
		requireTyped(t, err)
		if err == nil {
			again, err := store.DecodePageTokenFor(store.KindResources, store.DefaultNamespace, store.EncodePageTokenFor(store.KindResources, store.DefaultNamespace, key))
			require.NoError(t, err)
			require.Equal(t, key, again)
		}
		page, err := same(t, p, func(r *resreg.Registry) (resreg.Page[resreg.Resource], error) {
			return r.ListResources(ctx, resreg.ResourceFilter{}, resreg.ListOptions{PageSize: 2, PageToken: token})
		})
		if err == nil && token != "" {
			for _, res := range page.Items {
				require.Greater(t, res.Code, key, "a page starts after its token")
			}
		}
	})
}
