// Package pgtest gives tests a fresh [pgstore.Store] on the PostgreSQL
// database named by the RESREG_POSTGRES_DSN environment variable, each in
// a schema of its own that is dropped when the test ends. Tests of other
// packages use it to add pgstore to the stores they run against when the
// variable is set.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/resreg/resreg/pgstore"
)

// DSNEnv names the environment variable holding the test database's DSN;
// scripts/postgres.sh start prints a value for it.
const DSNEnv = "RESREG_POSTGRES_DSN"

// DSN returns the test database's DSN, "" when none is configured.
func DSN() string { return os.Getenv(DSNEnv) }

// Enabled reports whether a test database is configured.
func Enabled() bool { return DSN() != "" }

// SkipUnlessEnabled skips t when no test database is configured, saying
// which variable enables it.
func SkipUnlessEnabled(t testing.TB) {
	t.Helper()
	if !Enabled() {
		t.Skip("PostgreSQL tests need " + DSNEnv + " (eval \"$(scripts/postgres.sh start)\" sets one up)")
	}
}

// FreshSchema returns a new, unused schema name.
func FreshSchema() string {
	var r [6]byte
	_, _ = rand.Read(r[:])
	return "resreg_test_" + hex.EncodeToString(r[:])
}

// Open opens a store in a fresh schema of the test database, skipping t
// when there is none. When t ends the schema is dropped and the store
// closed.
func Open(t testing.TB, opts ...pgstore.Option) *pgstore.Store {
	t.Helper()
	SkipUnlessEnabled(t)
	schema := FreshSchema()
	s, err := pgstore.Open(context.Background(), DSN(), append(opts, pgstore.WithSchema(schema))...)
	if err != nil {
		t.Fatalf("pgtest: open: %v", err)
	}
	t.Cleanup(func() {
		defer s.Close()
		if _, err := s.Pool().Exec(context.Background(), "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("pgtest: drop schema %s: %v", schema, err)
		}
	})
	return s
}
