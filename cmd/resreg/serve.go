package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/httpapi"
	"github.com/resreg/resreg/pgstore"
	"github.com/resreg/resreg/sqlitestore"
	"github.com/resreg/resreg/store"
)

func init() {
	commands["serve"] = command{
		summary: "serve the Authing V3 and EnOS resource APIs over HTTP",
		run:     runServe,
	}
}

// Server timeouts: a slow client cannot hold a connection open forever.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 120 * time.Second
	shutdownTimeout   = 30 * time.Second
)

func runServe(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	dbPath := fs.String("db", "resreg.db", "SQLite file that keeps the registry (created if missing)")
	pgDSN := fs.String("postgres", "", postgresFlagUsage)
	noAuth := fs.Bool("insecure-no-auth", false, "serve without credentials (loopback addresses only)")
	staleness := fs.Duration("check-staleness", time.Second,
		"how old the permission index may be for writes by other processes sharing --db (this server's own writes are seen at once); 0 probes the file on every check")
	pprofAddr := fs.String("pprof", "", "serve runtime profiles (/debug/pprof/) on this loopback address, e.g. 127.0.0.1:6060; off when empty")
	fs.Usage = func() {
		fmt.Fprintln(stderr, `usage: resreg serve [--addr 127.0.0.1:8080] [--db resreg.db | --postgres DSN] [--insecure-no-auth] [--check-staleness 1s]
                    [--pprof 127.0.0.1:6060]

Serves /api/v3/... (Authing V3, signed with an access key) and
/app-portal-service/v2.3/... (EnOS, bearer token), and GET /healthz.

Credentials come from the environment:
  RESREG_ACCESS_KEY_ID, RESREG_ACCESS_KEY_SECRET   Authing access key
  RESREG_ENOS_TOKEN                                EnOS bearer token
Without any, serve refuses to start unless --insecure-no-auth is given,
which only binds loopback addresses.

One JSON access log line per request goes to stderr, through a buffer
flushed at least every 100ms and on shutdown.

flags:`)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}

	keyID, secret, token := env("RESREG_ACCESS_KEY_ID"), env("RESREG_ACCESS_KEY_SECRET"), env("RESREG_ENOS_TOKEN")
	if (keyID == "") != (secret == "") {
		return errors.New("RESREG_ACCESS_KEY_ID and RESREG_ACCESS_KEY_SECRET go together")
	}
	logs := newLogWriter(stderr)
	defer logs.close()
	opts := []httpapi.Option{httpapi.WithLogger(slog.New(slog.NewJSONHandler(logs, nil)))}
	switch {
	case keyID == "" && token == "" && !*noAuth:
		return errors.New("no credentials: set RESREG_ACCESS_KEY_ID and RESREG_ACCESS_KEY_SECRET and/or RESREG_ENOS_TOKEN, or pass --insecure-no-auth")
	case *noAuth:
		if err := requireLoopbackFlag("--insecure-no-auth", *addr); err != nil {
			return err
		}
		opts = append(opts, httpapi.WithInsecureNoAuth())
	}
	if keyID != "" {
		opts = append(opts, httpapi.WithAccessKey(keyID, secret))
	}
	if token != "" {
		opts = append(opts, httpapi.WithEnOSToken(token))
	}

	if *pprofAddr != "" {
		stopPprof, err := startPprof(*pprofAddr, stdout)
		if err != nil {
			return err
		}
		defer stopPprof(context.Background())
	}

	dbSet := false
	fs.Visit(func(f *flag.Flag) { dbSet = dbSet || f.Name == "db" })
	if dbSet && *pgDSN != "" {
		fmt.Fprintln(stderr, "--db and --postgres name two stores; give one")
		return errUsage
	}
	var st store.Store
	var err error
	where := "db " + *dbPath
	if *pgDSN != "" {
		where = "PostgreSQL"
		if st, err = pgstore.Open(ctx, *pgDSN); err != nil {
			return fmt.Errorf("open PostgreSQL: %w", err)
		}
	} else if st, err = sqlitestore.Open(ctx, *dbPath); err != nil {
		return fmt.Errorf("open %s: %w", *dbPath, err)
	}
	defer st.Close()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           httpapi.NewHandler(resreg.New(st, resreg.WithCheckStaleness(*staleness)), opts...),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10,
	}
	fmt.Fprintf(stdout, "resreg: serving on http://%s (%s)\n", ln.Addr(), where)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	// In-flight requests finish; the store closes after them (deferred).
	shutCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(stdout, "resreg: stopped")
	return nil
}

// requireLoopbackFlag refuses an address that is not a loopback IP or
// "localhost": an unauthenticated server (--insecure-no-auth, --pprof)
// must not be reachable from elsewhere.
func requireLoopbackFlag(flag, addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%s: address %q: %w", flag, addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%s binds loopback only, not %q", flag, addr)
}
