package httpapi

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/resreg/resreg"
)

// Defaults of the options.
const (
	// DefaultMaxClockSkew is how far a request's date may be from the
	// server's clock (Authing: 15 minutes).
	DefaultMaxClockSkew = 15 * time.Minute
	// DefaultNonceCacheSize bounds the replay cache.
	DefaultNonceCacheSize = 100_000
)

// Option configures the handler.
type Option func(*handler)

// WithAccessKey accepts Authing requests signed with this access key. It
// may be given several times, one key each.
func WithAccessKey(id, secret string) Option {
	return func(h *handler) { h.keys[id] = secret }
}

// WithEnOSToken accepts EnOS requests bearing this token.
func WithEnOSToken(token string) Option {
	return func(h *handler) { h.enosToken = token }
}

// WithLogger sets where the access log and internal errors go
// (slog.Default by default).
func WithLogger(l *slog.Logger) Option {
	return func(h *handler) {
		if l != nil {
			h.log = l
		}
	}
}

// WithClock sets the clock that dates are checked against (time.Now by
// default).
func WithClock(now func() time.Time) Option {
	return func(h *handler) {
		if now != nil {
			h.now = now
		}
	}
}

// WithMaxClockSkew sets how far a signed request's date may be from the
// clock; a nonce is remembered for twice that.
func WithMaxClockSkew(d time.Duration) Option {
	return func(h *handler) {
		if d > 0 {
			h.skew = d
		}
	}
}

// WithNonceCacheSize bounds how many nonces the replay cache holds. The
// cache is split into up to 16 shards of n/shards nonces each; a full
// shard forgets its oldest nonce first.
func WithNonceCacheSize(n int) Option {
	return func(h *handler) {
		if n > 0 {
			h.nonceSize = n
		}
	}
}

// WithInsecureNoAuth serves requests without checking credentials on a
// wire that has none configured. Without it, a wire with no credentials
// refuses every request.
func WithInsecureNoAuth() Option {
	return func(h *handler) { h.noAuth = true }
}

type handler struct {
	reg       *resreg.Registry
	keys      map[string]string
	enosToken string
	noAuth    bool
	log       *slog.Logger
	now       func() time.Time
	skew      time.Duration
	nonceSize int
	nonces    *nonceCache
	mux       *http.ServeMux

	macs       map[string]*macPool // per access key ID
	unknownKey *macPool            // for a key ID not configured
}

// NewHandler serves reg over the Authing V3 (/api/v3/...) and EnOS
// (/app-portal-service/v2.3/...) wire formats, and /healthz.
func NewHandler(reg *resreg.Registry, opts ...Option) http.Handler {
	h := &handler{
		reg:       reg,
		keys:      map[string]string{},
		log:       slog.Default(),
		now:       time.Now,
		skew:      DefaultMaxClockSkew,
		nonceSize: DefaultNonceCacheSize,
		mux:       http.NewServeMux(),
	}
	for _, opt := range opts {
		opt(h)
	}
	h.nonces = newNonceCache(2*h.skew, h.nonceSize)
	h.macs = make(map[string]*macPool, len(h.keys))
	for id, secret := range h.keys {
		h.macs[id] = newMacPool(secret)
	}
	h.unknownKey = newMacPool("")
	h.routes()
	return h
}

func (h *handler) routes() {
	h.mux.HandleFunc("GET /healthz", h.healthz)
	h.authingRoutes()
	h.enosRoutes()
	h.mux.HandleFunc("/api/v3/", func(w http.ResponseWriter, r *http.Request) {
		h.writeAuthing(w, r, nil, resreg.ErrNotFound)
	})
	h.mux.HandleFunc("/app-portal-service/", func(w http.ResponseWriter, r *http.Request) {
		h.writeEnOS(w, r, nil, resreg.ErrNotFound)
	})
}

// healthz answers 200 when the store answers a read of the default
// namespace, which always exists.
func (h *handler) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if _, err := h.reg.GetNamespace(ctx, resreg.DefaultNamespace); err != nil {
		h.log.ErrorContext(ctx, "health check failed", "error", err.Error())
		infoFrom(r).statusCode = http.StatusServiceUnavailable
		http.Error(w, "store unreachable", http.StatusServiceUnavailable)
		return
	}
	infoFrom(r).statusCode = http.StatusOK
	_, _ = io.WriteString(w, "ok\n")
}

// ServeHTTP gives every request an ID, caps its body, recovers a panic
// into a 500 envelope and writes one access log line.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	info := &requestInfo{requestID: newRequestID()}
	r = r.WithContext(context.WithValue(r.Context(), infoKey{}, info))
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	rec.Header().Set("X-Request-Id", info.requestID)
	r.Body = http.MaxBytesReader(rec, r.Body, resreg.MaxBodyBytes)
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			h.log.ErrorContext(r.Context(), "panic serving request", "path", r.URL.Path, "panic", slog.AnyValue(p), "requestId", info.requestID)
			if !rec.wrote {
				err := errInternal
				if isEnOSPath(r.URL.Path) {
					h.writeEnOS(rec, r, nil, err)
				} else {
					h.writeAuthing(rec, r, nil, err)
				}
			}
		}
		if ctx := r.Context(); h.log.Enabled(ctx, slog.LevelInfo) {
			h.log.LogAttrs(ctx, slog.LevelInfo, "request",
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", rec.status),
				slog.Int("statusCode", info.statusCode),
				slog.Duration("duration", time.Since(start)),
				slog.String("requestId", info.requestID),
			)
		}
	}()
	h.mux.ServeHTTP(rec, r)
}

type internalError struct{}

func (internalError) Error() string { return "internal error" }

var errInternal error = internalError{}

type requestInfo struct {
	requestID  string
	statusCode int // the envelope's statusCode (Authing) or code (EnOS)
}

type infoKey struct{}

func infoFrom(r *http.Request) *requestInfo {
	if info, ok := r.Context().Value(infoKey{}).(*requestInfo); ok {
		return info
	}
	return &requestInfo{}
}

// newRequestID is 128 random bits as 32 hex digits. An ID only has to be
// unique, so it comes from math/rand/v2's generator (ChaCha8, seeded by
// the runtime) rather than a system call per request.
func newRequestID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	return hex.EncodeToString(b[:])
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
