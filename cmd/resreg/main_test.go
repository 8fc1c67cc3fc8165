package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestRunMainUsageAndErrors(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		code   int
		stderr string
	}{
		{"no command", nil, nil, 2, "usage: resreg <command>"},
		{"help", []string{"--help"}, nil, 0, "serve"},
		{"unknown command", []string{"nope"}, nil, 2, `unknown command "nope"`},
		{"serve help", []string{"serve", "--help"}, nil, 0, "RESREG_ACCESS_KEY_ID"},
		{"bad flag", []string{"serve", "--nope"}, nil, 2, "flag provided but not defined"},
		{"extra argument", []string{"serve", "x"}, nil, 2, "unexpected arguments"},
		{"no credentials", []string{"serve", "--db", "x.db"}, nil, 1, "no credentials"},
		{"half an access key", []string{"serve"}, map[string]string{"RESREG_ACCESS_KEY_ID": "k"}, 1, "go together"},
		{"insecure off loopback", []string{"serve", "--insecure-no-auth", "--addr", "0.0.0.0:0"}, nil, 1, "loopback only"},
		{"pprof off loopback", []string{"serve", "--pprof", "0.0.0.0:0", "--db", "x.db"},
			map[string]string{"RESREG_ACCESS_KEY_ID": "k", "RESREG_ACCESS_KEY_SECRET": "s"}, 1, "--pprof binds loopback only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runMain(context.Background(), tt.args, envOf(tt.env), &stdout, &stderr)
			require.Equal(t, tt.code, code, stderr.String())
			require.Contains(t, stderr.String(), tt.stderr)
		})
	}
}

func TestServeAnswersHealthAndStopsOnCancel(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	env := envOf(map[string]string{"RESREG_ACCESS_KEY_ID": "k", "RESREG_ACCESS_KEY_SECRET": "super-secret", "RESREG_ENOS_TOKEN": "tok"})
	go func() {
		done <- runMain(ctx, []string{"serve", "--addr", addr, "--db", filepath.Join(t.TempDir(), "t.db")}, env, &stdout, &stderr)
	}()

	var resp *http.Response
	require.Eventually(t, func() bool {
		resp, err = http.Get("http://" + addr + "/healthz")
		return err == nil
	}, 10*time.Second, 20*time.Millisecond)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	resp.Body.Close()

	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/app-portal-service/v2.3/resource/list?orgId=default", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer tok")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	resp.Body.Close()

	cancel()
	select {
	case code := <-done:
		require.Equal(t, 0, code, stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	require.Contains(t, stdout.String(), "resreg: stopped")
	require.Contains(t, stderr.String(), `"path":"/healthz"`, "access log on stderr")
	require.NotContains(t, stderr.String(), "super-secret")
	require.NotContains(t, stderr.String(), "tok\"")
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

func TestServePprofIsOptInAndSeparate(t *testing.T) {
	addr, pprofAddr := freeAddr(t), freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	env := envOf(map[string]string{"RESREG_ACCESS_KEY_ID": "k", "RESREG_ACCESS_KEY_SECRET": "super-secret"})
	go func() {
		done <- runMain(ctx, []string{"serve", "--addr", addr, "--db", filepath.Join(t.TempDir(), "t.db"), "--pprof", pprofAddr}, env, &stdout, &stderr)
	}()
	var resp *http.Response
	var err error
	require.Eventually(t, func() bool {
		resp, err = http.Get("http://" + addr + "/healthz")
		return err == nil
	}, 10*time.Second, 20*time.Millisecond)
	resp.Body.Close()

	resp, err = http.Get("http://" + pprofAddr + "/debug/pprof/cmdline")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	resp.Body.Close()

	resp, err = http.Get("http://" + addr + "/debug/pprof/cmdline")
	require.NoError(t, err)
	require.Equal(t, http.StatusNotFound, resp.StatusCode, "the API address serves no profiles")
	resp.Body.Close()

	cancel()
	select {
	case code := <-done:
		require.Equal(t, 0, code, stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	require.Contains(t, stdout.String(), "profiles on http://"+pprofAddr)
	_, err = http.Get("http://" + pprofAddr + "/debug/pprof/cmdline")
	require.Error(t, err, "the profile listener stops with the server")
}
