// Command resreg-load sends signed Authing V3 requests to a running
// `resreg serve` and reports throughput, latency percentiles and its own
// CPU time per request. It signs as authing-node-sdk does (the canonical
// form of httpapi.StringToSign, a fresh date and nonce on every request),
// talks to loopback only, and is bounded in both request count and time.
//
//	resreg-load --url http://127.0.0.1:8080 --scenario create-resource -c 64 -n 20000
//
// Scenarios: healthz (GET /healthz, unsigned: the HTTP stack and one
// store read, the baseline of the machine at the time of the run),
// get-namespace (a signed read of the default namespace: HTTP, signature,
// envelope and a store read), is-action-allowed (before the timed run it
// creates a resource, a user and a group holding a grant on the resource
// with the user in it; each request then asks whether the user may do the
// action, through the group, and must be answered allowed: true) and
// create-resource (a new code per request, default namespace). The
// scenario sleep sends nothing: each worker sleeps 1 ms in a loop and the
// latency is how late it wakes, the machine's own scheduling delay at the
// time of the run, under which no request's latency can go.
// Credentials come from RESREG_ACCESS_KEY_ID and RESREG_ACCESS_KEY_SECRET.
//
// The generator shares the cores with the server it measures, so it is
// kept cheap: each of the -c workers owns one keep-alive connection,
// writes requests with one reused HMAC and buffers, and reads the
// Content-Length responses resreg serve writes without net/http's
// client machinery.
//
// By default every worker sends its next request as soon as the previous
// one is answered (closed loop: the throughput at -c connections). With
// --rate R the requests are due at R per second over the -c connections
// (open loop) and each latency runs from the request's due time, so a
// server that falls behind shows its queue in the percentiles.
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
	"regexp"
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
	maxRate        = 200_000
)

var codePrefix = regexp.MustCompile(`^[A-Za-z0-9_-]{1,40}$`)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "resreg-load:", err)
		os.Exit(1)
	}
}

// scenario gives the request for index i and checks its answer; sleep
// scenarios measure wake-ups instead.
type scenario struct {
	next  func(i int64) (*request, error)
	check func(status int, body []byte) error
	sleep time.Duration
}

func run() error {
	base := flag.String("url", "http://127.0.0.1:8080", "resreg serve base URL (loopback only)")
	name := flag.String("scenario", "create-resource", "healthz, get-namespace, is-action-allowed, create-resource or sleep")
	conc := flag.Int("c", 64, "concurrent connections")
	n := flag.Int("n", 20000, "requests to send (at most 1,000,000)")
	dur := flag.Duration("d", time.Minute, "stop after this long (at most 5m)")
	rate := flag.Float64("rate", 0, "requests per second over all connections (open loop); 0 sends as fast as answers come")
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
	case *rate < 0 || *rate > maxRate:
		return fmt.Errorf("--rate must be 0..%d", maxRate)
	case !codePrefix.MatchString(*prefix):
		return errors.New("--prefix must be 1 to 40 of A-Z a-z 0-9 _ -")
	}
	u, err := url.Parse(*base)
	if err != nil {
		return err
	}
	if u.Scheme != "http" {
		return fmt.Errorf("--url must be http://, not %q", u.Scheme)
	}
	if err := requireLoopback(u.Hostname()); err != nil {
		return err
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	sc, err := newScenario(*name, u, keyID, secret, *prefix)
	if err != nil {
		return err
	}
	res, err := load(context.Background(), loadConfig{
		addr: addr, host: u.Host, keyID: keyID, secret: secret, sc: sc,
		conc: *conc, n: int64(*n), dur: *dur, rate: *rate, cpuProfile: *cpuProfile,
	})
	if err != nil {
		return err
	}
	mode := "closed"
	if *rate > 0 {
		mode = "rate=" + strconv.FormatFloat(*rate, 'f', -1, 64)
	}
	fmt.Printf("scenario=%s concurrency=%d mode=%s ok=%d failed=%d elapsed=%s rps=%.0f p50=%s p90=%s p99=%s max=%s client_cpu_per_req=%s\n",
		*name, *conc, mode, len(res.lat), res.failed, res.elapsed.Round(time.Millisecond), float64(len(res.lat))/res.elapsed.Seconds(),
		res.pct(0.50), res.pct(0.90), res.pct(0.99), res.pct(1), res.cpuPerRequest())
	if res.firstErr != nil {
		return fmt.Errorf("%d requests failed, first: %w", res.failed, res.firstErr)
	}
	return nil
}

// newScenario builds the requests of a scenario; is-action-allowed first
// makes what it asks about.
func newScenario(name string, u *url.URL, keyID, secret, prefix string) (scenario, error) {
	switch name {
	case "sleep":
		return scenario{sleep: time.Millisecond}, nil
	case "healthz":
		r := &request{method: http.MethodGet, target: "/healthz"}
		return scenario{
			next: func(int64) (*request, error) { return r, nil },
			check: func(status int, body []byte) error {
				if status != http.StatusOK || string(body) != "ok\n" {
					return fmt.Errorf("HTTP %d: %.200s", status, body)
				}
				return nil
			},
		}, nil
	case "get-namespace":
		r, err := newRequest(http.MethodGet, "/api/v3/get-namespace?code=default", nil)
		if err != nil {
			return scenario{}, err
		}
		return scenario{next: func(int64) (*request, error) { return &r, nil }, check: envelopeOK(nil)}, nil
	case "is-action-allowed":
		client := &http.Client{Timeout: ioTimeout}
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
		userID, err := setupCheck(call, prefix)
		if err != nil {
			return scenario{}, fmt.Errorf("setting up is-action-allowed: %w", err)
		}
		body, _ := json.Marshal(map[string]any{"userId": userID, "namespace": "default", "resource": prefix + "-checked", "action": "read"})
		r, err := newRequest(http.MethodPost, "/api/v3/is-action-allowed", body)
		if err != nil {
			return scenario{}, err
		}
		return scenario{next: func(int64) (*request, error) { return &r, nil }, check: envelopeOK([]byte(`"data":{"allowed":true}`))}, nil
	case "create-resource":
		return scenario{
			next: func(i int64) (*request, error) {
				n := strconv.FormatInt(i, 10)
				body := []byte(`{"type":"API","code":"` + prefix + "-" + n + `","name":"load ` + n + `","actions":[{"name":"read","description":"read"}]}`)
				r, err := newRequest(http.MethodPost, "/api/v3/create-resource", body)
				return &r, err
			},
			check: envelopeOK(nil),
		}, nil
	}
	return scenario{}, fmt.Errorf("unknown scenario %q", name)
}

// envelopeOK accepts HTTP 200 with an Authing envelope of statusCode 200
// (the first field resreg writes) whose body holds want.
func envelopeOK(want []byte) func(int, []byte) error {
	prefix := []byte(`{"statusCode":200,`)
	return func(status int, body []byte) error {
		if status != http.StatusOK || !bytes.HasPrefix(body, prefix) || !bytes.Contains(body, want) {
			return fmt.Errorf("HTTP %d: %.300s", status, body)
		}
		return nil
	}
}

type loadConfig struct {
	addr, host, keyID, secret string
	sc                        scenario
	conc                      int
	n                         int64
	dur                       time.Duration
	rate                      float64
	cpuProfile                string
}

type result struct {
	lat      []time.Duration // sorted
	failed   int64
	firstErr error
	elapsed  time.Duration
	cpu      time.Duration // the generator's user+system time in the run
}

func (r *result) pct(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	return r.lat[min(len(r.lat)-1, int(p*float64(len(r.lat))))].Round(time.Microsecond)
}

func (r *result) cpuPerRequest() time.Duration {
	if n := int64(len(r.lat)) + r.failed; n > 0 {
		return (r.cpu / time.Duration(n)).Round(100 * time.Nanosecond)
	}
	return 0
}

// load runs the timed part: cfg.conc workers, each with its connection
// and signer, until cfg.n requests are sent or cfg.dur has passed.
func load(ctx context.Context, cfg loadConfig) (*result, error) {
	if cfg.cpuProfile != "" {
		f, err := os.Create(cfg.cpuProfile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
		defer pprof.StopCPUProfile()
	}
	var next, failed atomic.Int64
	var firstErr atomic.Value
	lat := make([][]time.Duration, cfg.conc)
	var wg sync.WaitGroup
	cpu0 := cpuTime()
	start := time.Now()
	end := start.Add(cfg.dur)
	for w := range cfg.conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &conn{addr: cfg.addr}
			defer c.close()
			s := newSigner(cfg.keyID, cfg.secret, cfg.host)
			var wire []byte
			lat[w] = make([]time.Duration, 0, cfg.n/int64(cfg.conc)+1)
			for ctx.Err() == nil {
				i := next.Add(1)
				if i > cfg.n {
					return
				}
				var t0 time.Time
				if cfg.rate > 0 {
					t0 = start.Add(time.Duration(float64(i-1) / cfg.rate * float64(time.Second)))
					if !t0.Before(end) {
						return
					}
					if d := time.Until(t0); d > 0 {
						time.Sleep(d)
					}
				}
				now := time.Now()
				if !now.Before(end) {
					return
				}
				if cfg.rate == 0 {
					t0 = now
				}
				if cfg.sc.sleep > 0 {
					time.Sleep(cfg.sc.sleep)
					lat[w] = append(lat[w], time.Since(now)-cfg.sc.sleep)
					continue
				}
				r, err := cfg.sc.next(i)
				if err == nil {
					wire = s.appendRequest(wire[:0], r, now)
					var status int
					var body []byte
					status, body, err = c.do(wire, end)
					if err == nil {
						err = cfg.sc.check(status, body)
					}
				}
				if err != nil {
					if !time.Now().Before(end) {
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
	res := &result{elapsed: time.Since(start), cpu: cpuTime() - cpu0, failed: failed.Load()}
	res.lat = slices.Concat(lat...)
	slices.Sort(res.lat)
	res.firstErr, _ = firstErr.Load().(error)
	return res, nil
}

// send does one request of the setup through net/http, requires
// statusCode 200 in the envelope and returns its data.
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
