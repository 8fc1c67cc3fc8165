package store

// Closer releases what a Store holds. It is part of every [Store], so that a
// program that picks its store from configuration can defer Close on
// whichever it got.
//
// After Close, every other method returns an [*Error] matching [ErrClosed]
// (a method whose context is already done still returns ctx.Err()).
// Closing twice is not an error: the second Close returns nil.
type Closer interface {
	// Close releases the store. It returns an ErrStorage error if the
	// storage could not be released cleanly, and nil when already closed.
	Close() error
}

// Closed returns the ErrClosed error of a store used after Close.
func Closed() *Error {
	return &Error{Message: "the store is closed", Err: ErrClosed}
}

// Storage returns an ErrStorage error for a failure of the storage itself
// (read-only file, full disk, I/O error, a schema too new). The message is
// what, followed by cause's message (the driver's words), so that nothing
// the driver said is lost; cause itself is not wrapped, so callers see only
// store sentinels.
func Storage(what string, cause error) *Error {
	msg := what
	if cause != nil {
		if msg != "" {
			msg += ": "
		}
		msg += cause.Error()
	}
	return &Error{Message: msg, Err: ErrStorage}
}
