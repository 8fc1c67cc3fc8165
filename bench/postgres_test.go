package bench

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/pgstore"
	"github.com/resreg/resreg/pgstore/pgtest"
	"github.com/resreg/resreg/store"
)

// The pgstore benchmarks run when RESREG_POSTGRES_DSN names a database
// (scripts/postgres.sh start makes a throwaway one) and skip otherwise.
// Their baseline is a hand-written pgx program on the same pool, the same
// schema and the same tables:
//
//   - writes: in one transaction, pgx CopyFrom of the same rows, the same
//     columns with the same encoding (JSON text for the translations), the
//     fastest way pgx has to load rows, then the batch's change-log rows
//     (each resource's JSON), numbered from the counter row as the store
//     numbers them, with a second CopyFrom;
//   - reads: one point select on the primary key whose row is decoded into
//     the same record.

var pgColumns = []string{"namespace", "code", "id", "type", "name", "name_i18n", "description",
	"actions", "api_identifier", "linked_to_tenant", "created_at", "updated_at"}

var pgChangeColumns = []string{"seq", "time", "actor", "op", "kind", "namespace", "key", "record"}

// rawPgRegister copies an EnOS batch into the table with CopyFrom (ID =
// code, timestamps now) and its change-log rows into the log, in one
// transaction.
func rawPgRegister(ctx context.Context, pool *pgxpool.Pool, schema string, in *resreg.RegisterInput) error {
	ts := time.Now().UnixNano()
	rows := make([][]any, len(in.Resources))
	changes := make([][]any, len(in.Resources))
	for i := range in.Resources {
		it := &in.Resources[i]
		var names *string
		if len(it.Name.I18nValue) > 0 {
			b, err := json.Marshal(it.Name.I18nValue)
			if err != nil {
				return err
			}
			s := string(b)
			names = &s
		}
		rows[i] = []any{store.DefaultNamespace, it.Code, it.Code, in.Type, it.Name.DefaultValue, names, "", nil, "", false, ts, ts}
		at := time.Unix(0, ts).UTC()
		record, err := json.Marshal(&store.Resource{Namespace: store.DefaultNamespace, Code: it.Code, ID: it.Code, Type: in.Type,
			Name: store.I18nName{DefaultValue: it.Name.DefaultValue, I18nValue: it.Name.I18nValue}, CreatedAt: at, UpdatedAt: at})
		if err != nil {
			return err
		}
		changes[i] = []any{int64(i), ts, nil, store.OpCreate, store.KindResource, store.DefaultNamespace, it.Code, record}
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // after Commit it does nothing
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{schema, "resreg_resources"}, pgColumns, pgx.CopyFromRows(rows)); err != nil {
		return err
	}
	var last int64
	if err := tx.QueryRow(ctx, `UPDATE `+pgx.Identifier{schema}.Sanitize()+`.resreg_counters SET value = value + $1 WHERE name = 'changes' RETURNING value`,
		len(changes)).Scan(&last); err != nil {
		return err
	}
	for _, c := range changes {
		c[0] = last - int64(len(changes)) + 1 + c[0].(int64)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{schema, "resreg_changes"}, pgChangeColumns, pgx.CopyFromRows(changes)); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// rawPgGet reads one resource with a point select and decodes it into the
// record the registry returns.
func rawPgGet(ctx context.Context, pool *pgxpool.Pool, query, ns, code string) (store.Resource, error) {
	var (
		r                store.Resource
		id, names, acts  *string
		created, updated *int64
	)
	err := pool.QueryRow(ctx, query, ns, code).Scan(&r.Namespace, &r.Code, &id, &r.Type, &r.Name.DefaultValue,
		&names, &r.Description, &acts, &r.APIIdentifier, &r.LinkedToTenant, &created, &updated)
	if err != nil {
		return store.Resource{}, err
	}
	if id != nil {
		r.ID = *id
	}
	if names != nil {
		if err := json.Unmarshal([]byte(*names), &r.Name.I18nValue); err != nil {
			return store.Resource{}, err
		}
	}
	if acts != nil {
		var a []store.Action
		if err := json.Unmarshal([]byte(*acts), &a); err != nil {
			return store.Resource{}, err
		}
		r.Actions = a
	}
	if created != nil {
		r.CreatedAt = time.Unix(0, *created).UTC()
	}
	if updated != nil {
		r.UpdatedAt = time.Unix(0, *updated).UTC()
	}
	return r, nil
}

func rawPgSelect(schema string) string {
	return `SELECT namespace, code, id, type, name, name_i18n, description, actions, api_identifier,
		linked_to_tenant, created_at, updated_at FROM ` + pgx.Identifier{schema}.Sanitize() + `.resreg_resources WHERE namespace = $1 AND code = $2`
}

// pgRegister is BenchmarkRegisterResources/pgstore: RegisterResources of
// 1000 items into a growing table vs CopyFrom of the same kind of rows
// (interleaved codes) into the same table. Target: ratio <= 1.5.
func pgRegister(b *testing.B) {
	ctx := context.Background()
	st := pgtest.Open(b)
	reg := resreg.New(st)
	var regIn, rawIn []resreg.RegisterInput
	first := 0
	pair{
		base: "copy",
		prep: func(from, to int) {
			first = from
			regIn, rawIn = regIn[:0], rawIn[:0]
			for i := from; i < to; i++ {
				regIn = append(regIn, evenOdd(i, 0))
				rawIn = append(rawIn, evenOdd(i, 1))
			}
		},
		subject: func(i int) {
			if _, err := reg.RegisterResources(ctx, regIn[i-first]); err != nil {
				b.Fatal(err)
			}
		},
		baseline: func(i int) {
			if err := rawPgRegister(ctx, st.Pool(), st.Schema(), &rawIn[i-first]); err != nil {
				b.Fatal(err)
			}
		},
	}.run(b)
	got, err := st.GetResource(ctx, store.DefaultNamespace, code("r", 1))
	if err != nil {
		b.Fatal(err)
	}
	want := got
	want.ID, want.Type, want.Name = want.Code, "menu", i18n(1)
	mustEqual(b, "copied row", got, want)
}

// pgData is the shared dataset of scale() resources in PostgreSQL.
var pgData struct {
	once sync.Once
	err  error
	reg  *resreg.Registry
	st   *pgstore.Store
}

func pgDataset(b *testing.B) (*resreg.Registry, *pgstore.Store) {
	pgtest.SkipUnlessEnabled(b)
	pgData.once.Do(func() {
		ctx := context.Background()
		st, err := pgstore.Open(ctx, pgtest.DSN(), pgstore.WithSchema(pgtest.FreshSchema()))
		if err != nil {
			pgData.err = err
			return
		}
		pgData.st = st
		pgData.reg = resreg.New(st, resreg.WithIDGenerator(datasetIDs()))
		start := time.Now()
		load(ctx, b, pgData.reg, scale())
		// Fresh statistics, as autovacuum would gather on a live table.
		if _, err := st.Pool().Exec(ctx, "ANALYZE "+pgx.Identifier{st.Schema(), "resreg_resources"}.Sanitize()); err != nil {
			pgData.err = err
			return
		}
		b.Logf("built the pgstore dataset of %d resources in %v", scale(), time.Since(start).Round(time.Millisecond))
	})
	if pgData.err != nil {
		b.Fatal(pgData.err)
	}
	if pgData.reg == nil {
		b.Fatal("pgstore dataset failed to build")
	}
	return pgData.reg, pgData.st
}

func closePgDataset() {
	if pgData.st != nil {
		_, _ = pgData.st.Pool().Exec(context.Background(), "DROP SCHEMA IF EXISTS "+pgx.Identifier{pgData.st.Schema()}.Sanitize()+" CASCADE")
		pgData.st.Close()
	}
}

// pgGet is BenchmarkGetResource/pgstore: GetResource on the dataset vs the
// raw point select. Target: ratio <= 1.5.
func pgGet(b *testing.B) {
	ctx := context.Background()
	reg, st := pgDataset(b)
	query := rawPgSelect(st.Schema())
	codes := datasetCodes()
	checkGet(b, reg, codes[len(codes)/2], func(c string) (store.Resource, error) {
		return rawPgGet(ctx, st.Pool(), query, store.DefaultNamespace, c)
	})
	pair{
		base: "raw",
		subject: func(i int) {
			if _, err := reg.GetResource(ctx, store.DefaultNamespace, key(codes, i)); err != nil {
				b.Fatal(err)
			}
		},
		baseline: func(i int) {
			if _, err := rawPgGet(ctx, st.Pool(), query, store.DefaultNamespace, key(codes, i)); err != nil {
				b.Fatal(err)
			}
		},
	}.run(b)
}
