package store

import "context"

// actorKey is the context key of the write's actor. It lives in store, not
// in the Registry's package, because stores read it inside the write to
// stamp [Change.Actor].
type actorKey struct{}

// WithActor returns a context whose writes are recorded as made by actor.
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

// ActorFrom returns the actor set by [WithActor], or "" when none is set.
func ActorFrom(ctx context.Context) string {
	a, _ := ctx.Value(actorKey{}).(string)
	return a
}
