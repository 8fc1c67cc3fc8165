package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
)

// startPprof serves the runtime profiles (net/http/pprof) on addr, a
// loopback address, on a listener and mux of their own so that none of
// the API's routes or credentials are involved. It is off unless
// --pprof is given. The returned stop closes the listener.
func startPprof(addr string, stdout io.Writer) (stop func(context.Context) error, err error) {
	if err := requireLoopbackFlag("--pprof", addr); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--pprof: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	// No write timeout: a CPU profile or trace holds its response for
	// its ?seconds=.
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: readHeaderTimeout, IdleTimeout: idleTimeout}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintln(stdout, "resreg: pprof:", err)
		}
	}()
	fmt.Fprintf(stdout, "resreg: profiles on http://%s/debug/pprof/\n", ln.Addr())
	return srv.Shutdown, nil
}
