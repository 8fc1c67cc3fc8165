package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/memstore"
	"github.com/resreg/resreg/pgstore"
	"github.com/resreg/resreg/sqlitestore"
)

// Flags that choose the store, spelled the same in every command.
const (
	dbFlagUsage       = "SQLite file that keeps the registry (for reading commands, a file that does not exist is an empty registry, and is not created)"
	postgresFlagUsage = "PostgreSQL DSN of the registry (instead of --db), e.g. \"postgres://user@127.0.0.1/resreg\""
)

// storeFlags are --db and --postgres.
type storeFlags struct {
	db, postgres *string
}

func addStoreFlags(fs *flag.FlagSet) storeFlags {
	return storeFlags{
		db:       fs.String("db", "resreg.db", dbFlagUsage),
		postgres: fs.String("postgres", "", postgresFlagUsage),
	}
}

// check refuses both stores at once; set reports which flags were given.
func (sf storeFlags) check(fs *flag.FlagSet) error {
	dbSet := false
	fs.Visit(func(f *flag.Flag) { dbSet = dbSet || f.Name == "db" })
	if dbSet && *sf.postgres != "" {
		fmt.Fprintln(fs.Output(), "--db and --postgres name two stores; give one")
		return errUsage
	}
	return nil
}

// name describes the store for messages, without a DSN's password.
func (sf storeFlags) name() string {
	if *sf.postgres != "" {
		return "PostgreSQL"
	}
	return *sf.db
}

// openRead opens the registry for reading. A --db file that does not exist
// is an empty registry held in memory, so that a read or a plan never
// creates it.
func (sf storeFlags) openRead(ctx context.Context) (*resreg.Registry, func(), error) {
	if *sf.postgres != "" {
		return sf.openPostgres(ctx)
	}
	if _, err := os.Stat(*sf.db); errors.Is(err, fs.ErrNotExist) {
		return resreg.New(memstore.New()), func() {}, nil
	} else if err != nil {
		return nil, nil, err
	}
	return sf.openSQLite(ctx)
}

// openWrite opens the registry for writing, creating a --db file that does
// not exist.
func (sf storeFlags) openWrite(ctx context.Context) (*resreg.Registry, func(), error) {
	if *sf.postgres != "" {
		return sf.openPostgres(ctx)
	}
	return sf.openSQLite(ctx)
}

func (sf storeFlags) openSQLite(ctx context.Context) (*resreg.Registry, func(), error) {
	s, err := sqlitestore.Open(ctx, *sf.db)
	if err != nil {
		return nil, nil, fmt.Errorf("open %s: %w", *sf.db, err)
	}
	return resreg.New(s), func() { _ = s.Close() }, nil
}

func (sf storeFlags) openPostgres(ctx context.Context) (*resreg.Registry, func(), error) {
	s, err := pgstore.Open(ctx, *sf.postgres)
	if err != nil {
		return nil, nil, fmt.Errorf("open PostgreSQL: %w", err)
	}
	return resreg.New(s), func() { _ = s.Close() }, nil
}
