package pgstore

import "time"

// DefaultSchema holds the registry's tables unless WithSchema names another.
const DefaultSchema = "public"

// DefaultRetryWindow is how long a write that keeps meeting serialization
// failures or deadlocks is retried when its context has no deadline.
const DefaultRetryWindow = 30 * time.Second

type config struct {
	schema      string
	retryWindow time.Duration
}

// Option configures Open and New.
type Option func(*config)

// WithSchema keeps the registry's tables in schema name, which Open and New
// create if it does not exist. The default is DefaultSchema.
func WithSchema(name string) Option {
	return func(c *config) {
		if name != "" {
			c.schema = name
		}
	}
}

// WithRetryWindow sets how long a write is retried after serialization
// failures or deadlocks when its context has no deadline; the default is
// DefaultRetryWindow. A context deadline always wins.
func WithRetryWindow(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.retryWindow = d
		}
	}
}

func newConfig(opts []Option) config {
	c := config{schema: DefaultSchema, retryWindow: DefaultRetryWindow}
	for _, o := range opts {
		o(&c)
	}
	return c
}
