package reliability_test

import (
	"context"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/store"
)

// Resource exhaustion.
//
// Hostile input must be turned away by a limit before the work spent on it
// grows with its size. Each test measures the bytes allocated (from
// runtime.MemStats, which does not depend on the machine's speed) while the
// input is rejected, and checks a generous time bound as a backstop; and it
// requires the typed error a caller can act on: an *resreg.Error matching
// ErrInvalid.

const (
	// hugeBody is the size of the hostile request body: 100 MB.
	hugeBody = 100 << 20
	// deepTree is the depth of the hostile tree.
	deepTree = 100_000
	// hugeArray is the length of the hostile ARRAY struct and batches.
	hugeArray = 1_000_000
	// allocBound is how much a rejection may allocate: far less than any
	// of the inputs, far more than checking a limit needs.
	allocBound = 1 << 20
	// timeBound is a backstop for machines slowed by the race detector and
	// other load; the rejections take microseconds to milliseconds.
	timeBound = 5 * time.Second
)

// measure runs f once and returns the bytes it allocated and its duration.
// Tests are not parallel, so little else allocates meanwhile.
func measure(f func()) (allocated uint64, took time.Duration) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	f()
	took = time.Since(start)
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, took
}

// requireInvalid requires err to be an ErrInvalid *resreg.Error and returns
// it.
func requireInvalid(t *testing.T, err error) *resreg.Error {
	t.Helper()
	require.ErrorIs(t, err, resreg.ErrInvalid)
	var e *resreg.Error
	require.ErrorAs(t, err, &e)
	return e
}

// requireBounded requires a rejection to have stayed within the bounds.
func requireBounded(t *testing.T, what string, allocated uint64, took time.Duration, bound uint64) {
	t.Helper()
	t.Logf("%s: %d bytes allocated, %v", what, allocated, took)
	require.Less(t, allocated, bound, "%s: allocation grows with the input", what)
	require.Less(t, took, timeBound, "%s: too slow", what)
}

// bodyReader produces a syntactically valid EnOS registration body of size
// bytes on the fly, without holding it in memory, and counts what was read.
type bodyReader struct {
	size, read int64
}

const (
	bodyHead = `{"type":"device","resources":[`
	bodyItem = `{"code":"c","name":{"defaultValue":"n"}},`
	bodyTail = `{"code":"z","name":"z"}]}`
)

func (b *bodyReader) Read(p []byte) (int, error) {
	if b.read >= b.size {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && b.read < b.size {
		var c byte
		switch off := b.read; {
		case off < int64(len(bodyHead)):
			c = bodyHead[off]
		case off >= b.size-int64(len(bodyTail)):
			c = bodyTail[off-(b.size-int64(len(bodyTail)))]
		default:
			c = bodyItem[(off-int64(len(bodyHead)))%int64(len(bodyItem))]
		}
		p[n] = c
		n++
		b.read++
	}
	return n, nil
}

func TestExhaustionHugeBody(t *testing.T) {
	body := &bodyReader{size: hugeBody}
	var in resreg.RegisterInput
	var err error
	allocated, took := measure(func() { err = resreg.DecodeJSON(body, &in) })
	e := requireInvalid(t, err)
	require.Equal(t, "body", e.Field)
	require.LessOrEqual(t, body.read, int64(resreg.MaxBodyBytes+1), "read past the limit")
	require.Empty(t, in.Resources, "a rejected body was decoded")
	// Reading MaxBodyBytes+1 bytes into a growing buffer allocates a few
	// times MaxBodyBytes; nothing near the body's 100 MB.
	requireBounded(t, "100 MB body", allocated, took, 8*resreg.MaxBodyBytes)
}

func TestExhaustionDeepJSONWithinSizeLimit(t *testing.T) {
	// A body under the size limit whose tree nests 20,000 levels:
	// encoding/json stops at 10,000 levels, so decoding fails before any
	// deep structure is built.
	head := `{"namespaceCode":"default","resourceCode":"t","resourceName":"T","type":"TREE","actions":["get"],"struct":`
	level := `[{"code":"n","name":"N","children":`
	body := head + strings.Repeat(level, 20_000) + "[]" + strings.Repeat("}]", 20_000) + "}"
	require.Less(t, len(body), resreg.MaxBodyBytes)
	var in resreg.CreateDataResourceInput
	var err error
	allocated, took := measure(func() { err = resreg.DecodeJSON(strings.NewReader(body), &in) })
	require.Equal(t, "body", requireInvalid(t, err).Field)
	requireBounded(t, "20,000-level JSON tree", allocated, took, 8*resreg.MaxBodyBytes)
}

// chain returns a tree of one root and depth-1 descendants, each the only
// child of the one above, built without recursion; the leaf has code
// "leaf".
func chain(depth int) resreg.Tree {
	n := resreg.Node("leaf", "Leaf", "")
	for range depth - 1 {
		n = resreg.Node("n", "N", "", n)
	}
	return resreg.Tree{n}
}

// chainPath is the path of the node at depth d of chain(depth), d < depth.
func chainPath(d int) string {
	return strings.TrimSuffix(strings.Repeat("n/", d), "/")
}

func TestExhaustionDeepTreeHelpers(t *testing.T) {
	// The Tree helpers walk with explicit stacks: a tree 100,000 levels
	// deep, far past anything validation admits, neither overflows the
	// stack nor makes them recurse.
	tree := chain(deepTree)

	require.Equal(t, deepTree, tree.Len())

	clone := tree.Clone()
	require.Equal(t, deepTree, clone.Len())
	// The clone is deep: changing its leaf leaves the original alone.
	leaf, orig := &clone[0], &tree[0]
	for len(leaf.Children) > 0 {
		leaf, orig = &leaf.Children[0], &orig.Children[0]
	}
	leaf.Name = "changed"
	require.Equal(t, "Leaf", orig.Name)

	// Find follows a path 100,000 codes long to the leaf.
	found, ok := tree.Find(chainPath(deepTree-1) + "/leaf")
	require.True(t, ok)
	require.Equal(t, "leaf", found.Code)
	// ... and copies a 99,999-node subtree without recursing.
	sub, ok := tree.Find("n/n")
	require.True(t, ok)
	require.Equal(t, deepTree-1, resreg.Tree{sub}.Len())
	_, ok = tree.Find(chainPath(deepTree))
	require.False(t, ok)

	// Walk builds each node's path, so a whole walk of a chain costs the
	// square of its depth; it stops when asked, whatever the depth.
	visited := 0
	complete := tree.Walk(func(_ *resreg.TreeNode, path string, depth int) bool {
		visited++
		require.Equal(t, visited, depth)
		require.Len(t, path, 2*depth-1)
		return depth < 1000
	})
	require.False(t, complete)
	require.Equal(t, 1000, visited)

	// Flatten on a chain of 2,000 levels lists every node with its path.
	flat := chain(2000).Flatten()
	require.Len(t, flat, 2000)
	require.Equal(t, 2000, flat[1999].Depth)
	require.Equal(t, chainPath(1999)+"/leaf", flat[1999].Path)
}

func TestExhaustionValidationStopsAtLimits(t *testing.T) {
	// The checks themselves look at no more than the limits allow: the
	// same hostile inputs as below, checked on data resources that are
	// cheap to pass in, are rejected naming the limit.
	forEachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		_, err := e.reg.CreateDataResource(ctx, resreg.CreateDataResourceInput{
			NamespaceCode: resreg.DefaultNamespace, ResourceCode: "t", ResourceName: "T", Type: resreg.DataTree,
			Struct: resreg.Struct{Tree: chain(deepTree)}, Actions: []string{"get"},
		})
		field := requireInvalid(t, err).Field
		require.Equal(t, strings.Count(field, "children"), resreg.DefaultLimits().MaxTreeDepth, "error at %s", field)

		_, err = e.reg.CreateDataResource(ctx, resreg.CreateDataResourceInput{
			NamespaceCode: resreg.DefaultNamespace, ResourceCode: "a", ResourceName: "A", Type: resreg.DataArray,
			Struct: resreg.ArrayStruct(make([]string, hugeArray)...), Actions: []string{"get"},
		})
		require.Equal(t, "struct", requireInvalid(t, err).Field)

		_, err = e.reg.GetDataResource(ctx, "", "t")
		require.ErrorIs(t, err, resreg.ErrNotFound)
		_, err = e.reg.GetDataResource(ctx, "", "a")
		require.ErrorIs(t, err, resreg.ErrNotFound)
	})
}

func TestExhaustionHostileDataResources(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		_, err := e.reg.CreateDataResource(ctx, resreg.CreateDataResourceInput{
			NamespaceCode: resreg.DefaultNamespace, ResourceCode: "d", ResourceName: "D", Type: resreg.DataTree,
			Struct: resreg.TreeStruct(resreg.Node("a", "A", "")), Actions: []string{"get"},
		})
		require.NoError(t, err)
		before, err := e.reg.GetDataResource(ctx, "", "d")
		require.NoError(t, err)

		deep := resreg.Struct{Tree: chain(deepTree)}
		long := resreg.ArrayStruct(make([]string, hugeArray)...)
		for _, c := range []struct {
			name string
			call func() error
		}{
			{"create 100,000-level tree", func() error {
				_, err := e.reg.CreateDataResource(ctx, resreg.CreateDataResourceInput{
					NamespaceCode: resreg.DefaultNamespace, ResourceCode: "t", ResourceName: "T", Type: resreg.DataTree,
					Struct: deep, Actions: []string{"get"},
				})
				return err
			}},
			{"create million-item array", func() error {
				_, err := e.reg.CreateDataResource(ctx, resreg.CreateDataResourceInput{
					NamespaceCode: resreg.DefaultNamespace, ResourceCode: "a", ResourceName: "A", Type: resreg.DataArray,
					Struct: long, Actions: []string{"get"},
				})
				return err
			}},
			{"update to 100,000-level tree", func() error {
				_, err := e.reg.UpdateDataResource(ctx, "", "d", resreg.DataResourceUpdate{Struct: &deep})
				return err
			}},
		} {
			t.Run(c.name, func(t *testing.T) {
				var err error
				allocated, took := measure(func() { err = c.call() })
				requireInvalid(t, err)
				requireBounded(t, c.name, allocated, took, allocBound)
			})
		}
		after, err := e.reg.GetDataResource(ctx, "", "d")
		require.NoError(t, err)
		require.Equal(t, before, after)
	})
}

func TestExhaustionHugeBatches(t *testing.T) {
	// A million items in a batch are refused on the count alone.
	forEachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		items := make([]resreg.CreateResourceInput, hugeArray)
		regs := resreg.RegisterInput{Type: "device", Resources: make([]resreg.RegisterItem, hugeArray)}
		codes := make([]string, hugeArray)
		for _, c := range []struct {
			name  string
			field string
			call  func() error
		}{
			{"CreateResources", "[1000]", func() error { _, err := e.reg.CreateResources(ctx, items); return err }},
			{"RegisterResources", "resources", func() error { _, err := e.reg.RegisterResources(ctx, regs); return err }},
			{"DeleteResources", "codes[1000]", func() error { return e.reg.DeleteResources(ctx, "", codes...) }},
		} {
			t.Run(c.name, func(t *testing.T) {
				var err error
				allocated, took := measure(func() { err = c.call() })
				require.Equal(t, c.field, requireInvalid(t, err).Field)
				requireBounded(t, c.name, allocated, took, allocBound)
			})
		}
		require.Zero(t, count(t, e.reg, ""))
	})
}

func TestExhaustionLongTreePath(t *testing.T) {
	// FindTreeNode with a path of 100,000 codes finds nothing, without
	// trouble, on either store.
	forEachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		_, err := e.reg.CreateDataResource(ctx, resreg.CreateDataResourceInput{
			NamespaceCode: resreg.DefaultNamespace, ResourceCode: "d", ResourceName: "D", Type: resreg.DataTree,
			Struct: resreg.TreeStruct(chain(resreg.DefaultLimits().MaxTreeDepth)...), Actions: []string{"get"},
		})
		require.NoError(t, err)
		deepest := chainPath(resreg.DefaultLimits().MaxTreeDepth-1) + "/leaf"
		node, err := e.reg.FindTreeNode(ctx, "", "d", deepest)
		require.NoError(t, err)
		require.Equal(t, resreg.DefaultLimits().MaxTreeDepth, node.Depth)

		var findErr error
		_, took := measure(func() { _, findErr = e.reg.FindTreeNode(ctx, "", "d", chainPath(deepTree)) })
		require.ErrorIs(t, findErr, resreg.ErrNotFound)
		require.Less(t, took, timeBound)
	})
}

func TestExhaustionHugeText(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		huge := strings.Repeat("x", hugeBody)
		var err error
		_, took := measure(func() {
			_, err = e.reg.CreateResource(context.Background(), resreg.CreateResourceInput{Type: resreg.TypeAPI, Code: "c", Name: resreg.Name(huge)})
		})
		require.Equal(t, "name.defaultValue", requireInvalid(t, err).Field)
		require.Less(t, took, 50*time.Millisecond, "rejecting a 100 MB name scans it")
	})
}

// The Tree type of the root package is the store's; the helpers tested
// above are the ones the stores use.
var _ = store.Tree(resreg.Tree{})

// hugeFilter is the length of the hostile filter lists: about 800 KB of
// JSON, within MaxBodyBytes.
const hugeFilter = 200_000

func TestExhaustionHugeFilterLists(t *testing.T) {
	// The Registry refuses a filter list past Limits.MaxBatch on its length
	// alone, naming the field; and a store given such a list directly
	// still answers in time proportional to the rows it scans, not rows
	// times the list's length (11.7 s over 5,000 resources before).
	forEachStore(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		const rows = 5000
		batch := make([]resreg.CreateResourceInput, 0, 1000)
		for i := range rows {
			batch = append(batch, resreg.CreateResourceInput{Type: "API", Code: "r" + strconv.Itoa(i)})
			if len(batch) == cap(batch) {
				_, err := e.reg.CreateResources(ctx, batch)
				require.NoError(t, err)
				batch = batch[:0]
			}
		}
		huge := make([]string, hugeFilter)
		for i := range huge {
			huge[i] = "t" + strconv.Itoa(i)
		}
		hugeTypes := make([]resreg.DataType, hugeFilter)
		for i := range hugeTypes {
			hugeTypes[i] = resreg.DataString
		}
		for _, c := range []struct {
			field string
			call  func() error
		}{
			{"types", func() error {
				_, err := e.reg.ListResources(ctx, resreg.ResourceFilter{Types: huge}, resreg.ListOptions{})
				return err
			}},
			{"codes", func() error {
				_, err := e.reg.ListResources(ctx, resreg.ResourceFilter{Codes: huge}, resreg.ListOptions{})
				return err
			}},
			{"ids", func() error {
				_, err := e.reg.ListResources(ctx, resreg.ResourceFilter{IDs: huge}, resreg.ListOptions{})
				return err
			}},
			{"types", func() error {
				_, err := e.reg.ListDataResources(ctx, resreg.DataResourceFilter{Types: hugeTypes}, resreg.ListOptions{})
				return err
			}},
		} {
			var err error
			allocated, took := measure(func() { err = c.call() })
			require.Equal(t, c.field, requireInvalid(t, err).Field)
			requireBounded(t, "filter "+c.field, allocated, took, allocBound)
		}

		// Past the Registry: the store scans 5,000 rows against a set. The
		// baseline, timed in the same run, is the same listing with a
		// one-type filter; the huge filter may add the cost of building its
		// set, not a comparison per row and type (which took 11.7 s here
		// when matching scanned the list for every row).
		list := func(types []string) time.Duration {
			start := time.Now()
			page, err := e.store.ListResources(ctx, store.ResourceFilter{Namespace: store.DefaultNamespace, Types: types}, store.ListOptions{PageSize: store.MaxPageSize, IncludeTotal: true})
			took := time.Since(start)
			require.NoError(t, err)
			require.Equal(t, rows, page.TotalCount)
			return took
		}
		baseline := list([]string{"API"})
		types := append(slices.Clone(huge), "API")
		took := list(types)
		t.Logf("store ListResources, %d types over %d rows: %v (one type: %v)", len(types), rows, took, baseline)
		require.Less(t, took, 20*baseline+time.Second, "matching must cost O(rows), not O(rows × types)")
	})
}
