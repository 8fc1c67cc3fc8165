package sqlitestore_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/sqlitestore"
	"github.com/resreg/resreg/store"
)

// The benchmarks pair each store operation with the same work done by hand
// on the raw driver, the baseline the store is held to.

func benchBatch(round, n int) []store.Resource {
	batch := make([]store.Resource, n)
	for i := range batch {
		code := fmt.Sprintf("r%06d-%04d", round, i)
		batch[i] = store.Resource{
			ID: "id-" + code, Namespace: store.DefaultNamespace, Code: code, Type: store.TypeAPI,
			Name: store.I18nName{DefaultValue: "Server " + code, I18nValue: map[string]string{
				"zh_CN": "服务器 " + code, "fr": "Serveur " + code,
			}},
			Description: "a server", Actions: store.ActionList{{Name: "start", Description: "Start it"}},
			CreatedAt: t0, UpdatedAt: t0,
		}
	}
	return batch
}

func BenchmarkCreateResources1000(b *testing.B) {
	b.Run("store", func(b *testing.B) {
		s, _ := openFile(b)
		ctx := context.Background()
		for round := 0; b.Loop(); round++ {
			b.StopTimer()
			batch := benchBatch(round, 1000)
			b.StartTimer()
			if err := s.CreateResources(ctx, batch, store.WriteOptions{MaxResourcesPerNamespace: 10_000_000}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		// A hand-written insert of the same rows into the same table: one
		// transaction, one prepared statement, name translations and
		// actions pre-encoded outside the timer.
		_, path := openFile(b)
		db, err := sql.Open(sqlitestore.DriverName, sqlitestore.DSN(path))
		require.NoError(b, err)
		defer db.Close()
		ctx := context.Background()
		i18n, actions := []byte("\x01\x02\x02fr\x0eServeur"), []byte("\x01\x01\x05start\x08Start it")
		for round := 0; b.Loop(); round++ {
			b.StopTimer()
			batch := benchBatch(round, 1000)
			b.StartTimer()
			tx, err := db.BeginTx(ctx, nil)
			require.NoError(b, err)
			st, err := tx.PrepareContext(ctx, `INSERT INTO resreg_resources (namespace, code, id, type, name, name_i18n, description,
				actions, api_identifier, linked_to_tenant, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
			require.NoError(b, err)
			for i := range batch {
				r := &batch[i]
				if _, err := st.ExecContext(ctx, r.Namespace, r.Code, r.ID, r.Type, r.Name.DefaultValue, i18n, r.Description,
					actions, r.APIIdentifier, r.LinkedToTenant, r.CreatedAt.UnixNano(), r.UpdatedAt.UnixNano()); err != nil {
					b.Fatal(err)
				}
			}
			require.NoError(b, st.Close())
			require.NoError(b, tx.Commit())
		}
	})
}

func BenchmarkGetResource(b *testing.B) {
	s, path := openFile(b)
	ctx := context.Background()
	require.NoError(b, s.CreateResources(ctx, benchBatch(0, 1000), store.WriteOptions{}))
	code := benchBatch(0, 1000)[500].Code
	b.Run("store", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.GetResource(ctx, store.DefaultNamespace, code); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		db, err := sql.Open(sqlitestore.DriverName, sqlitestore.DSN(path))
		require.NoError(b, err)
		defer db.Close()
		st, err := db.PrepareContext(ctx, `SELECT namespace, code, id, type, name, name_i18n, description, actions,
			api_identifier, linked_to_tenant, created_at, updated_at FROM resreg_resources WHERE namespace = ? AND code = ?`)
		require.NoError(b, err)
		defer st.Close()
		for b.Loop() {
			var r store.Resource
			var i18n, actions []byte
			var created, updated int64
			if err := st.QueryRowContext(ctx, store.DefaultNamespace, code).Scan(&r.Namespace, &r.Code, &r.ID, &r.Type,
				&r.Name.DefaultValue, &i18n, &r.Description, &actions, &r.APIIdentifier, &r.LinkedToTenant, &created, &updated); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkListResourcesDeep lists a page of 100 from the start and from
// 900,000 rows into a namespace of 1,000,000.
func BenchmarkListResourcesDeep(b *testing.B) {
	const total = 1_000_000
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "big.db")
	s, err := sqlitestore.Open(ctx, path)
	require.NoError(b, err)
	defer s.Close()
	start := time.Now()
	_, err = s.DB().ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO resreg_resources (namespace, code, id, type, name, description, api_identifier, linked_to_tenant, created_at, updated_at)
		SELECT 'default', printf('code-%07d', i), printf('id-%07d', i), 'API', 'Name ' || i, '', '', 0, 0, 0 FROM n`, total-1)
	require.NoError(b, err)
	b.Logf("filled %d rows in %v", total, time.Since(start))
	for _, offset := range []int{0, 900_000} {
		b.Run("offset="+strconv.Itoa(offset), func(b *testing.B) {
			opts := store.ListOptions{PageSize: 100}
			if offset > 0 {
				opts.PageToken = store.EncodePageToken(fmt.Sprintf("code-%07d", offset-1))
			}
			for b.Loop() {
				page, err := s.ListResources(ctx, store.ResourceFilter{Namespace: store.DefaultNamespace}, opts)
				if err != nil {
					b.Fatal(err)
				}
				if len(page.Items) != 100 || page.Items[0].Code != fmt.Sprintf("code-%07d", offset) {
					b.Fatalf("wrong page starting at %s", page.Items[0].Code)
				}
			}
		})
	}
}
