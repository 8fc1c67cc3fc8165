package bench

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/memstore"
	"github.com/resreg/resreg/sqlitestore"
	"github.com/resreg/resreg/store"
)

// batchSize is the most resources one registry call carries (EnOS's limit).
const batchSize = 1000

// code returns the code of resource i: fixed width, so that code order is
// number order and the resource after row k is code(k).
func code(prefix string, i int) string {
	s := strconv.Itoa(i)
	if len(s) < 7 {
		s = strings.Repeat("0", 7-len(s)) + s
	}
	return prefix + s
}

// i18n returns a name with two translations. Every string is allocated
// afresh, as if decoded from a request body, so that nothing is shared
// between records that real input would not share.
func i18n(i int) resreg.I18nName {
	n := strconv.Itoa(i)
	return resreg.I18nName{
		DefaultValue: "Resource " + n,
		I18nValue: map[string]string{
			"zh_CN": "资源 " + n,
			"en_US": "Resource " + n,
		},
	}
}

// actions returns two actions with strings of their own.
func actions() []resreg.Action {
	return []resreg.Action{
		{Name: strings.Clone("res:Read"), Description: strings.Clone("Read the resource")},
		{Name: strings.Clone("res:Write"), Description: strings.Clone("Change the resource")},
	}
}

// createInput is an Authing resource with two actions and two locales.
func createInput(prefix string, i int) resreg.CreateResourceInput {
	return resreg.CreateResourceInput{
		Type:    resreg.TypeAPI,
		Code:    code(prefix, i),
		Name:    i18n(i),
		Actions: actions(),
	}
}

// registerInput is an EnOS batch of n resources, from..from+n-1, each with
// two locales; IDs are the codes.
func registerInput(prefix string, from, n int) resreg.RegisterInput {
	in := resreg.RegisterInput{Type: "menu", AssignCodeToID: true, Resources: make([]resreg.RegisterItem, n)}
	for j := range n {
		in.Resources[j] = resreg.RegisterItem{Code: code(prefix, from+j), Name: i18n(from + j)}
	}
	return in
}

// load adds resources 0..n-1 (prefix "r") to reg in batches of batchSize.
func load(ctx context.Context, tb testing.TB, reg *resreg.Registry, n int) {
	tb.Helper()
	batch := make([]resreg.CreateResourceInput, 0, batchSize)
	for i := range n {
		batch = append(batch, createInput("r", i))
		if len(batch) == batchSize || i == n-1 {
			if _, err := reg.CreateResources(ctx, batch); err != nil {
				tb.Fatal(err)
			}
			batch = batch[:0]
		}
	}
}

// dataset is a namespace of scale() resources, built once per process and
// shared by the listing, get and memory benchmarks.
type dataset struct {
	once sync.Once
	err  error
	reg  *resreg.Registry
	sql  *sqlitestore.Store // nil for memstore
	path string
}

var memData, sqlData dataset

// datasetIDs makes the dataset's resource IDs: a sequence, so that a
// million inserts append to the ID index instead of scattering over it,
// which keeps building the large dataset within the run's time budget.
func datasetIDs() func() string {
	var n atomic.Int64
	return func() string { return code("id", int(n.Add(1))) }
}

// memDataset returns the shared memstore registry.
func memDataset(b *testing.B) *resreg.Registry {
	memData.once.Do(func() {
		start := time.Now()
		memData.reg = resreg.New(memstore.New(), resreg.WithIDGenerator(datasetIDs()))
		load(context.Background(), b, memData.reg, scale())
		b.Logf("built the memstore dataset of %d resources in %v", scale(), time.Since(start).Round(time.Millisecond))
	})
	if memData.reg == nil {
		b.Fatal("memstore dataset failed to build")
	}
	return memData.reg
}

// sqlDataset returns the shared sqlitestore registry and its store.
func sqlDataset(b *testing.B) (*resreg.Registry, *sqlitestore.Store) {
	sqlData.once.Do(func() {
		ctx := context.Background()
		sqlData.path = filepath.Join(tmpDir, "dataset.db")
		st, err := sqlitestore.Open(ctx, sqlData.path)
		if err != nil {
			sqlData.err = err
			return
		}
		sqlData.sql = st
		sqlData.reg = resreg.New(st, resreg.WithIDGenerator(datasetIDs()))
		start := time.Now()
		load(ctx, b, sqlData.reg, scale())
		b.Logf("built the sqlite dataset of %d resources in %v", scale(), time.Since(start).Round(time.Millisecond))
	})
	if sqlData.err != nil {
		b.Fatal(sqlData.err)
	}
	if sqlData.reg == nil {
		b.Fatal("sqlite dataset failed to build")
	}
	return sqlData.reg, sqlData.sql
}

func closeDatasets() {
	closePgDataset()
	if sqlData.sql != nil {
		sqlData.sql.Close()
	}
}

// openSQLite opens a fresh sqlitestore file in the run's directory.
func openSQLite(tb testing.TB, name string) *sqlitestore.Store {
	tb.Helper()
	st, err := sqlitestore.Open(context.Background(), filepath.Join(tmpDir, name))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// unique returns a name for a database file that no other benchmark run of
// this process uses.
var fileSeq struct {
	sync.Mutex
	n int
}

func unique(name string) string {
	fileSeq.Lock()
	defer fileSeq.Unlock()
	fileSeq.n++
	return name + "-" + strconv.Itoa(fileSeq.n) + ".db"
}

// tree returns roots root nodes, each with fan children, and so on for
// depth levels: roots*(1+fan+...+fan^(depth-1)) nodes. Codes are fixed
// width, so every node at one depth has a path of the same length, and
// leaves carry a value.
func tree(roots, fan, depth int) resreg.Tree {
	var level func(n, d int) []resreg.TreeNode
	level = func(n, d int) []resreg.TreeNode {
		out := make([]resreg.TreeNode, n)
		for i := range out {
			out[i] = resreg.TreeNode{Code: code("n", i), Name: "Node " + strconv.Itoa(i)}
			if d < depth {
				out[i].Children = level(fan, d+1)
			} else {
				out[i].Value = "value " + strconv.Itoa(i)
			}
		}
		return out
	}
	return level(roots, 1)
}

// The two trees of the tree benchmarks: depth 4, fan-out 3, so 40 nodes
// per root.
const (
	treeFan, treeDepth = 3, 4
	roots10k           = 250  // 10,000 nodes, Limits.MaxTreeNodes
	roots100k          = 2500 // 100,000 nodes
)

// mustEqual fails unless the registry and the baseline produced the same
// record: the comparison is only fair if they do the same work.
func mustEqual(tb testing.TB, what string, got, want store.Resource) {
	tb.Helper()
	if !equalResource(got, want) {
		tb.Fatalf("%s: registry and baseline disagree:\nregistry: %+v\nbaseline: %+v", what, got, want)
	}
}

func equalResource(a, b store.Resource) bool {
	if a.ID != b.ID || a.Namespace != b.Namespace || a.Code != b.Code || a.Type != b.Type ||
		a.Name.DefaultValue != b.Name.DefaultValue || len(a.Name.I18nValue) != len(b.Name.I18nValue) ||
		a.Description != b.Description || a.APIIdentifier != b.APIIdentifier || a.LinkedToTenant != b.LinkedToTenant ||
		!a.CreatedAt.Equal(b.CreatedAt) || !a.UpdatedAt.Equal(b.UpdatedAt) || len(a.Actions) != len(b.Actions) {
		return false
	}
	for k, v := range a.Name.I18nValue {
		if w, ok := b.Name.I18nValue[k]; !ok || w != v {
			return false
		}
	}
	for i := range a.Actions {
		if a.Actions[i] != b.Actions[i] {
			return false
		}
	}
	return true
}
