// Command resreg-load sends signed Authing V3 requests to a running
// `resreg serve` and reports throughput and latency percentiles. It signs
// as authing-node-sdk does (httpapi.SignAuthing), talks to loopback only,
// and is bounded in both request count and time.
//
//	resreg-load --url http://127.0.0.1:8080 --scenario create-resource -c 64 -n 20000
//
// Scenarios: create-resource (a new code per request, default namespace),
// get-namespace (a signed read of the default namespace: the cost of
// HTTP, signature and envelope without a write, the baseline to compare
// against), is-action-allowed (before the timed run it creates a resource,
// a user and a group holding a grant on the resource with the user in it;
// each request then asks whether the user may do the action, through the
// group, and must be answered allowed: true). Credentials come from
// RESREG_ACCESS_KEY_ID and RESREG_ACCESS_KEY_SECRET.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/resreg/resreg/httpapi"
)

const (
	maxRequests    = 1_000_000
	maxDuration    = 5 * time.Minute
	maxConcurrency = 1024
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "resreg-load:", err)
		os.Exit(1)
	}
}

func run() error {
	base := flag.String("url", "http://127.0.0.1:8080", "resreg serve base URL (loopback only)")
	scenario := flag.String("scenario", "create-resource", "create-resource, get-namespace or is-action-allowed")
	conc := flag.Int("c", 64, "concurrent connections")
	n := flag.Int("n", 20000, "requests to send (at most 1,000,000)")
	dur := flag.Duration("d", time.Minute, "stop after this long (at most 5m)")
	prefix := flag.String("prefix", "load"+strconv.FormatInt(time.Now().UnixNano(), 36), "code prefix for created resources")
	cpuProfile := flag.String("cpuprofile", "", "write the generator's own CPU profile of the timed run to this file")
	flag.Parse()

	keyID, secret := os.Getenv("RESREG_ACCESS_KEY_ID"), os.Getenv("RESREG_ACCESS_KEY_SECRET")
	switch {
	case keyID == "" || secret == "":
		return errors.New("set RESREG_ACCESS_KEY_ID and RESREG_ACCESS_KEY_SECRET")
	case *n < 1 || *n > maxRequests:
		return fmt.Errorf("-n must be 1..%d", maxRequests)
	case *dur <= 0 || *dur > maxDuration:
		return fmt.Errorf("-d must be in (0, %s]", maxDuration)
	case *conc < 1 || *conc > maxConcurrency:
		return fmt.Errorf("-c must be 1..%d", maxConcurrency)
	}
	u, err := url.Parse(*base)
	if err != nil {
		return err
	}
	if err := requireLoopback(u.Hostname()); err != nil {
		return err
	}
	var build func(i int64) (*http.Request, []byte, error)
	var expect func(data json.RawMessage) error
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConns: *conc, MaxIdleConnsPerHost: *conc, MaxConnsPerHost: *conc},
	}
	switch *scenario {
	case "create-resource":
		build = func(i int64) (*http.Request, []byte, error) {
			body, _ := json.Marshal(map[string]any{
				"type": "API", "code": *prefix + "-" + strconv.FormatInt(i, 10), "name": "load " + strconv.FormatInt(i, 10),
				"actions": []map[string]string{{"name": "read", "description": "read"}},
			})
			r, err := http.NewRequest(http.MethodPost, u.JoinPath("/api/v3/create-resource").String(), bytes.NewReader(body))
			return r, body, err
		}
	case "get-namespace":
		build = func(int64) (*http.Request, []byte, error) {
			r, err := http.NewRequest(http.MethodGet, u.JoinPath("/api/v3/get-namespace").String()+"?code=default", nil)
			return r, nil, err
		}
	case "is-action-allowed":
		call := func(path string, body any) (json.RawMessage, error) {
			b, _ := json.Marshal(body)
			r, err := http.NewRequest(http.MethodPost, u.JoinPath(path).String(), bytes.NewReader(b))
			if err == nil {
				err = httpapi.SignAuthing(r, b, keyID, secret, time.Now(), "")
			}
			if err != nil {
				return nil, err
			}
			return send(client, r)
		}
		userID, err := setupCheck(call, *prefix)
		if err != nil {
			return fmt.Errorf("setting up is-action-allowed: %w", err)
		}
		body, _ := json.Marshal(map[string]any{"userId": userID, "namespace": "default", "resource": *prefix + "-checked", "action": "read"})
		build = func(int64) (*http.Request, []byte, error) {
			r, err := http.NewRequest(http.MethodPost, u.JoinPath("/api/v3/is-action-allowed").String(), bytes.NewReader(body))
			return r, body, err
		}
		expect = func(data json.RawMessage) error {
			var out struct {
				Allowed bool `json:"allowed"`
			}
			if err := json.Unmarshal(data, &out); err != nil || !out.Allowed {
				return fmt.Errorf("is-action-allowed answered %s, want allowed: true", data)
			}
			return nil
		}
	default:
		return fmt.Errorf("unknown scenario %q", *scenario)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *dur)
	defer cancel()

	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}

	var next, failed atomic.Int64
	var firstErr atomic.Value
	lat := make([][]time.Duration, *conc)
	var wg sync.WaitGroup
	start := time.Now()
	for w := range *conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := next.Add(1)
				if i > int64(*n) {
					return
				}
				r, body, err := build(i)
				if err == nil {
					err = httpapi.SignAuthing(r, body, keyID, secret, time.Now(), "")
				}
				t0 := time.Now()
				if err == nil {
					var data json.RawMessage
					data, err = send(client, r.WithContext(ctx))
					if err == nil && expect != nil {
						err = expect(data)
					}
				}
				if err != nil {
					if ctx.Err() != nil {
						return
					}
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
					continue
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)

	all := slices.Concat(lat...)
	slices.Sort(all)
	pct := func(p float64) time.Duration {
		if len(all) == 0 {
			return 0
		}
		return all[min(len(all)-1, int(p*float64(len(all))))]
	}
	fmt.Printf("scenario=%s concurrency=%d ok=%d failed=%d elapsed=%s rps=%.0f p50=%s p90=%s p99=%s max=%s\n",
		*scenario, *conc, len(all), failed.Load(), elapsed.Round(time.Millisecond), float64(len(all))/elapsed.Seconds(),
		pct(0.50).Round(time.Microsecond), pct(0.90).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), pct(1).Round(time.Microsecond))
	if e, _ := firstErr.Load().(error); e != nil {
		return fmt.Errorf("%d requests failed, first: %w", failed.Load(), e)
	}
	return nil
}

// send does one request, requires statusCode 200 in the envelope and
// returns its data.
func send(client *http.Client, r *http.Request) (json.RawMessage, error) {
	resp, err := client.Do(r)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	var env struct {
		StatusCode int             `json:"statusCode"`
		Message    string          `json:"message"`
		Data       json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(b, &env); err != nil {
		return nil, fmt.Errorf("HTTP %d: %s", resp.StatusCode, b)
	}
	if env.StatusCode != 200 {
		return nil, fmt.Errorf("statusCode %d: %s", env.StatusCode, env.Message)
	}
	return env.Data, nil
}

// setupCheck makes what the is-action-allowed scenario asks about: a
// resource prefix-checked with action read, a user, and a group
// prefix-group holding read on the resource with the user in it, so the
// answer goes through a membership. It returns the userId.
func setupCheck(call func(path string, body any) (json.RawMessage, error), prefix string) (string, error) {
	if _, err := call("/api/v3/create-resource", map[string]any{"type": "API", "code": prefix + "-checked", "name": "checked",
		"actions": []map[string]string{{"name": "read", "description": "read"}}}); err != nil {
		return "", err
	}
	data, err := call("/api/v3/create-user", map[string]any{"name": "load"})
	if err != nil {
		return "", err
	}
	var user struct {
		UserID string `json:"userId"`
	}
	if err := json.Unmarshal(data, &user); err != nil {
		return "", err
	}
	group := prefix + "-group"
	steps := []struct {
		path string
		body any
	}{
		{"/api/v3/create-group", map[string]any{"code": group, "name": "load"}},
		{"/api/v3/add-group-members", map[string]any{"code": group, "userIds": []string{user.UserID}}},
		{"/api/v3/authorize-resources", map[string]any{"list": []map[string]any{{"targetType": "GROUP", "targetIdentifiers": []string{group},
			"resources": []map[string]any{{"code": prefix + "-checked", "actions": []string{"read"}, "resourceType": "API"}}}}}},
	}
	for _, st := range steps {
		if _, err := call(st.path, st.body); err != nil {
			return "", err
		}
	}
	return user.UserID, nil
}

func requireLoopback(host string) error {
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--url must be a loopback address, not %q", host)
}
