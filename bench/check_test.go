package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/internal/permdata"
	"github.com/resreg/resreg/memstore"
	"github.com/resreg/resreg/permindex"
	"github.com/resreg/resreg/sqlitestore"
	"github.com/resreg/resreg/store"
)

// The check benchmarks: the permdata dataset (grants over grants/10
// subjects, grants/100 resources, 100 TREE data resources 6 levels deep,
// grants/10 policy statements; a principal of one user in 5 roles and 3
// groups over 2 levels of membership) written into each store, then checked
// through a Registry whose index is loaded.
//
//	BenchmarkIsActionAllowed/<store>-<grants>     targets: memstore <= 1 us and 0 allocs, sqlite <= 25 us, sqlite-stale <= 2 us; 1M within 1.5x of 10k
//	BenchmarkCheckPermission/<store>-<grants>/node, /batch100
//	BenchmarkAuthorizeResources1000                 1000 grants in one call on SQLite vs a raw prepared insert of the rows: ratio <= 2.5
//	BenchmarkColdIndexLoad/<lazy|eager>-<grants>  a new Registry's first check (lazy) or WarmIndex (eager) on SQLite: <= 3 s at 1M
//	BenchmarkColdIndexLoad/<lazy|eager>-listings-<grants>  the same, grants read through ListGrants pages (no GrantScanner): the baseline
//	BenchmarkIndexMemory-<grants>                 bytes of index per grant: <= 150

// checkScales are the dataset sizes: 10,000 grants, and 1,000,000 with
// RESREG_BENCH_LARGE=1; RESREG_BENCH_GRANTS=n runs n alone.
func checkScales() []int {
	if n, err := strconv.Atoi(os.Getenv("RESREG_BENCH_GRANTS")); err == nil && n > 0 {
		return []int{n} // one scale, for profiling
	}
	if large {
		return []int{10_000, 1_000_000}
	}
	return []int{10_000}
}

func scaleName(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return strconv.Itoa(n)
}

type permStores struct {
	data *permdata.Dataset
	mem  *memstore.Store
	sql  *sqlitestore.Store
}

var permData struct {
	sync.Mutex
	byScale map[int]*permStores
}

// permDataset returns the dataset of scale n written into a memstore and an
// sqlitestore, built once per run.
func permDataset(b *testing.B, n int) *permStores {
	permData.Lock()
	defer permData.Unlock()
	if ps := permData.byScale[n]; ps != nil {
		return ps
	}
	if permData.byScale == nil {
		permData.byScale = map[int]*permStores{}
	}
	d := permdata.Build(n)
	ps := &permStores{data: d, mem: memstore.New()}
	sq, err := sqlitestore.Open(context.Background(), filepath.Join(tmpDir, "perm-"+scaleName(n)+".db"))
	if err != nil {
		b.Fatal(err)
	}
	ps.sql = sq
	start := time.Now()
	for _, s := range []store.Store{ps.mem, ps.sql} {
		if err := writePermData(context.Background(), s, d); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("permission dataset %s written into both stores in %v", scaleName(n), time.Since(start).Round(time.Millisecond))
	permData.byScale[n] = ps
	return ps
}

// writePermData writes a dataset straight into a store, in large batches
// (the records are valid by construction, so the Registry's checks would
// only slow the setup).
func writePermData(ctx context.Context, s store.Store, d *permdata.Dataset) error {
	now := time.Now().UTC()
	if err := s.CreateNamespace(ctx, store.Namespace{Code: permdata.Namespace, CreatedAt: now, UpdatedAt: now}); err != nil {
		return err
	}
	var rs []store.Resource
	for _, r := range d.Resources {
		var acts []store.Action
		for _, a := range r.Actions {
			acts = append(acts, store.Action{Name: a, Description: a})
		}
		rs = append(rs, store.Resource{Namespace: permdata.Namespace, Code: r.Code, ID: r.Code, Type: r.Type,
			Description: r.Description, Actions: acts, CreatedAt: now, UpdatedAt: now})
	}
	for i := 0; i < len(rs); i += 1000 {
		if err := s.CreateResources(ctx, rs[i:min(i+1000, len(rs))], store.WriteOptions{}); err != nil {
			return err
		}
	}
	for _, dr := range d.DataResources {
		if err := s.CreateDataResource(ctx, store.DataResource{NamespaceCode: permdata.Namespace, ResourceCode: dr.Code,
			ResourceName: dr.Code, Type: store.DataTree, Actions: dr.Actions, Struct: store.Struct{Tree: treeOf(dr.Nodes)},
			CreatedAt: now, UpdatedAt: now}); err != nil {
			return err
		}
	}
	gs := make([]store.Grant, len(d.Grants))
	for i, g := range d.Grants {
		gs[i] = store.Grant{Namespace: permdata.Namespace, Subject: store.Subject(g.Subject), ResourceCode: g.Resource,
			Action: g.Action, Effect: store.Effect(g.Effect), CreatedAt: now}
	}
	for i := 0; i < len(gs); i += 10_000 {
		if err := s.AddGrants(ctx, gs[i:min(i+10_000, len(gs))]); err != nil {
			return err
		}
	}
	members := map[store.Subject][]store.Subject{}
	var parents []store.Subject
	for _, m := range d.Memberships {
		p := store.Subject(m.Parent)
		if members[p] == nil {
			parents = append(parents, p)
		}
		members[p] = append(members[p], store.Subject(m.Member))
	}
	for _, p := range parents {
		if err := s.AddMembers(ctx, p, members[p], store.MembershipOptions{}); err != nil {
			return err
		}
	}
	for _, p := range d.Policies {
		var st []store.Statement
		for _, x := range p.Statements {
			st = append(st, store.Statement{Effect: store.Effect(x.Effect), Permissions: x.Permissions})
		}
		if err := s.CreateDataPolicy(ctx, store.DataPolicy{ID: p.ID, Name: p.ID, Statements: st, CreatedAt: now, UpdatedAt: now}, nil); err != nil {
			return err
		}
	}
	var ts []store.PolicyTarget
	for _, t := range d.Targets {
		ts = append(ts, store.PolicyTarget{PolicyID: t.PolicyID, Subject: store.Subject(t.Subject), CreatedAt: now})
	}
	for i := 0; i < len(ts); i += 10_000 {
		if err := s.AttachDataPolicies(ctx, ts[i:min(i+10_000, len(ts))]); err != nil {
			return err
		}
	}
	return nil
}

// treeOf rebuilds a tree from its nodes' paths, in order.
func treeOf(nodes []permindex.DataNode) store.Tree {
	type built struct {
		node     store.TreeNode
		children []string
	}
	all := map[string]*built{}
	var roots []string
	for _, n := range nodes {
		code := n.Path[strings.LastIndexByte(n.Path, '/')+1:]
		all[n.Path] = &built{node: store.TreeNode{Code: code, Name: n.Name, Value: n.Value}}
		if i := strings.LastIndexByte(n.Path, '/'); i >= 0 {
			all[n.Path[:i]].children = append(all[n.Path[:i]].children, n.Path)
		} else {
			roots = append(roots, n.Path)
		}
	}
	var build func(paths []string) store.Tree
	build = func(paths []string) store.Tree {
		var out store.Tree
		for _, p := range paths {
			b := all[p]
			b.node.Children = build(b.children)
			out = append(out, b.node)
		}
		return out
	}
	return build(roots)
}

// checkModes are the Registries a check benchmark runs through.
func checkModes(ps *permStores) []struct {
	name string
	reg  *resreg.Registry
} {
	return []struct {
		name string
		reg  *resreg.Registry
	}{
		{"memstore", resreg.New(ps.mem)},
		{"sqlite", resreg.New(ps.sql)},
		{"sqlite-stale", resreg.New(ps.sql, resreg.WithCheckStaleness(time.Second))},
	}
}

func warm(b *testing.B, reg *resreg.Registry) {
	if err := reg.WarmIndex(context.Background()); err != nil {
		b.Fatal(err)
	}
}

func principal(d *permdata.Dataset) resreg.Principal {
	return resreg.Principal{UserID: d.Principal.UserID}
}

func BenchmarkIsActionAllowed(b *testing.B) {
	ctx := context.Background()
	for _, n := range checkScales() {
		ps := permDataset(b, n)
		for _, m := range checkModes(ps) {
			b.Run(m.name+"-"+scaleName(n), func(b *testing.B) {
				warm(b, m.reg)
				in := resreg.IsActionAllowedInput{Principal: principal(ps.data), Namespace: permdata.Namespace, Resource: ps.data.Resource, Action: ps.data.Action}
				if ok, err := m.reg.IsActionAllowed(ctx, in); !ok || err != nil {
					b.Fatalf("the benchmark check must be allowed: %v %v", ok, err)
				}
				b.ReportAllocs()
				for b.Loop() {
					_, _ = m.reg.IsActionAllowed(ctx, in)
				}
			})
		}
	}
}

func BenchmarkCheckPermission(b *testing.B) {
	ctx := context.Background()
	for _, n := range checkScales() {
		ps := permDataset(b, n)
		for _, m := range checkModes(ps) {
			b.Run(m.name+"-"+scaleName(n), func(b *testing.B) {
				warm(b, m.reg)
				for _, c := range []struct {
					name string
					reqs []string
				}{{"node", []string{ps.data.DeepNode}}, {"batch100", ps.data.Batch}} {
					b.Run(c.name, func(b *testing.B) {
						in := resreg.CheckPermissionInput{Principal: principal(ps.data), NamespaceCode: permdata.Namespace, Action: "get", Resources: c.reqs}
						res, err := m.reg.CheckPermission(ctx, in)
						if err != nil || !res.CheckResultList[0].Enabled {
							b.Fatalf("the benchmark check must be allowed: %v %v", res, err)
						}
						b.ReportAllocs()
						for b.Loop() {
							_, _ = m.reg.CheckPermission(ctx, in)
						}
					})
				}
			})
		}
	}
}

// BenchmarkAuthorizeResources1000 grants 1000 grants in one call (10
// targets x 100 resources, one action) through the Registry on SQLite, and
// inserts the same rows with one prepared statement in one transaction,
// alternately in one loop; ratio = registry / raw.
func BenchmarkAuthorizeResources1000(b *testing.B) {
	ctx := context.Background()
	s := openSQLite(b, "authorize.db")
	reg := resreg.New(s)
	if _, err := reg.CreateNamespace(ctx, resreg.Namespace{Code: "app"}); err != nil {
		b.Fatal(err)
	}
	var ins []resreg.CreateResourceInput
	for i := range 100 {
		ins = append(ins, resreg.CreateResourceInput{Namespace: "app", Type: resreg.TypeAPI, Code: fmt.Sprintf("res-%03d", i),
			Actions: []resreg.Action{{Name: "read", Description: "Read"}}})
	}
	if _, err := reg.CreateResources(ctx, ins); err != nil {
		b.Fatal(err)
	}
	input := func(round int, prefix string) resreg.AuthorizeResourcesInput {
		it := resreg.AuthorizeItem{TargetType: resreg.SubjectUser}
		for t := range 10 {
			it.TargetIdentifiers = append(it.TargetIdentifiers, fmt.Sprintf("%s-%d-%d", prefix, round, t))
		}
		for i := range 100 {
			it.Resources = append(it.Resources, resreg.ResourceActions{Code: fmt.Sprintf("res-%03d", i), Actions: []string{"read"}})
		}
		return resreg.AuthorizeResourcesInput{Namespace: "app", List: []resreg.AuthorizeItem{it}}
	}
	db := s.DB()
	raw := func(in resreg.AuthorizeResourcesInput) error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback() //nolint:errcheck // a no-op after Commit
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO resreg_grants (namespace, subject_type, subject_id, resource_code, action, effect, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		ts := time.Now().UnixNano()
		it := in.List[0]
		for _, id := range it.TargetIdentifiers {
			for _, r := range it.Resources {
				for _, a := range r.Actions {
					if _, err := stmt.ExecContext(ctx, in.Namespace, it.TargetType, id, r.Code, a, "ALLOW", ts); err != nil {
						return err
					}
				}
			}
		}
		return tx.Commit()
	}
	var regT, rawT time.Duration
	round := 0
	for b.Loop() {
		a, c := input(round, "reg"), input(round, "raw")
		t0 := time.Now()
		if err := reg.AuthorizeResources(ctx, a); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := raw(c); err != nil {
			b.Fatal(err)
		}
		regT += t1.Sub(t0)
		rawT += time.Since(t1)
		round++
	}
	b.ReportMetric(float64(regT.Nanoseconds())/float64(round), "registry-ns/op")
	b.ReportMetric(float64(rawT.Nanoseconds())/float64(round), "raw-ns/op")
	b.ReportMetric(float64(regT)/float64(rawT), "ratio")
}

// BenchmarkColdIndexLoad is what a new Registry on an existing SQLite
// registry pays before its first answer: lazily, its first check (the
// registry-wide records and the checked namespace); eagerly, WarmIndex
// (every namespace).
func BenchmarkColdIndexLoad(b *testing.B) {
	ctx := context.Background()
	for _, n := range checkScales() {
		ps := permDataset(b, n)
		in := resreg.IsActionAllowedInput{Principal: principal(ps.data), Namespace: permdata.Namespace, Resource: ps.data.Resource, Action: ps.data.Action}
		// The baseline of the same run: the same store without its
		// GrantScanner, so the grants are read through ListGrants pages.
		for _, v := range []struct {
			name string
			st   store.Store
		}{{"", ps.sql}, {"listings-", listingsOnly{ps.sql}}} {
			b.Run("lazy-"+v.name+scaleName(n), func(b *testing.B) {
				for b.Loop() {
					reg := resreg.New(v.st)
					if ok, err := reg.IsActionAllowed(ctx, in); !ok || err != nil {
						b.Fatal(ok, err)
					}
				}
			})
			b.Run("eager-"+v.name+scaleName(n), func(b *testing.B) {
				for b.Loop() {
					reg := resreg.New(v.st, resreg.WithEagerIndex())
					if err := reg.WarmIndex(ctx); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// listingsOnly is a store with only the methods of store.Store: its
// optional capabilities (store.GrantScanner) are hidden, as on a store
// that lacks them.
type listingsOnly struct{ store.Store }

// BenchmarkIndexMemory reports the heap a loaded index holds per grant: the
// live heap after WarmIndex less the live heap before, over the grants.
func BenchmarkIndexMemory(b *testing.B) {
	ctx := context.Background()
	for _, n := range checkScales() {
		ps := permDataset(b, n)
		b.Run(scaleName(n), func(b *testing.B) {
			var per []float64
			for b.Loop() {
				before := liveHeap()
				reg := resreg.New(ps.mem)
				if err := reg.WarmIndex(ctx); err != nil {
					b.Fatal(err)
				}
				after := liveHeap()
				runtime.KeepAlive(reg)
				per = append(per, float64(after-before)/float64(len(ps.data.Grants)))
			}
			sort.Float64s(per)
			b.ReportMetric(per[len(per)/2], "bytes/grant")
		})
	}
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
