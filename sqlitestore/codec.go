package sqlitestore

import (
	"encoding/binary"
	"errors"
	"slices"
	"time"

	"github.com/resreg/resreg/store"
)

// The small collections of a record (name translations, actions, ARRAY
// items) are kept in one BLOB column each rather than in child tables: a
// batch insert then writes one row per record, and a read decodes them
// without a join. The format is a version byte followed by uvarint-length
// prefixed strings. It is byte-exact, unlike JSON, which would replace
// invalid UTF-8, and needs no reflection either way.
const codecVersion = 1

var errCorrupt = errors.New("sqlitestore: malformed encoded column")

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// encodeI18n encodes translations sorted by key, so that equal maps give
// equal bytes. An empty map is NULL.
func encodeI18n(m map[string]string) any {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	size := 2 + binary.MaxVarintLen64
	for k, v := range m {
		keys = append(keys, k)
		size += len(k) + len(v) + 4
	}
	slices.Sort(keys)
	b := make([]byte, 0, size)
	b = append(b, codecVersion)
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		b = appendString(b, k)
		b = appendString(b, m[k])
	}
	return b
}

func encodeActions(actions []store.Action) any {
	if len(actions) == 0 {
		return nil
	}
	size := 2 + binary.MaxVarintLen64
	for i := range actions {
		size += len(actions[i].Name) + len(actions[i].Description) + 4
	}
	b := make([]byte, 0, size)
	b = append(b, codecVersion)
	b = binary.AppendUvarint(b, uint64(len(actions)))
	for i := range actions {
		b = appendString(b, actions[i].Name)
		b = appendString(b, actions[i].Description)
	}
	return b
}

// encodeStrings encodes a string list. With keepEmpty an empty but non-nil
// list is stored as a zero-length list rather than NULL, so that an empty
// ARRAY struct stays distinct from no array.
func encodeStrings(list []string, keepEmpty bool) any {
	if list == nil || (len(list) == 0 && !keepEmpty) {
		return nil
	}
	size := 2 + binary.MaxVarintLen64
	for _, s := range list {
		size += len(s) + 2
	}
	b := make([]byte, 0, size)
	b = append(b, codecVersion)
	b = binary.AppendUvarint(b, uint64(len(list)))
	for _, s := range list {
		b = appendString(b, s)
	}
	return b
}

// decoder reads the format written above. The first error sticks.
type decoder struct {
	b   []byte // what is left to read
	s   string // the whole column, which decoded strings are cut from
	err error
}

func newDecoder(b []byte) (decoder, int) {
	// One string holds the whole column and every decoded string is a
	// substring of it: one allocation per column instead of one per
	// element.
	d := decoder{b: b, s: string(b)}
	if len(b) == 0 || b[0] != codecVersion {
		d.err = errCorrupt
		return d, 0
	}
	d.b = b[1:]
	n := d.uvarint()
	// Every element takes at least one byte, which bounds the count a
	// corrupt blob can claim and so the size of a pre-allocation.
	if n > uint64(len(d.b)) {
		d.err = errCorrupt
		return d, 0
	}
	return d, int(n)
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) string() string {
	n := d.uvarint()
	if d.err != nil {
		return ""
	}
	if n > uint64(len(d.b)) {
		d.err = errCorrupt
		return ""
	}
	// d.b is a suffix of the column, so its start in d.s is known.
	start := len(d.s) - len(d.b)
	d.b = d.b[n:]
	return d.s[start : start+int(n)]
}

func decodeI18n(b []byte) (map[string]string, error) {
	if b == nil {
		return nil, nil
	}
	d, n := newDecoder(b)
	if n == 0 {
		return nil, d.err
	}
	m := make(map[string]string, n)
	for range n {
		k := d.string()
		m[k] = d.string()
	}
	return m, d.err
}

func decodeActions(b []byte) ([]store.Action, error) {
	if b == nil {
		return nil, nil
	}
	d, n := newDecoder(b)
	if n == 0 {
		return nil, d.err
	}
	out := make([]store.Action, n)
	for i := range out {
		out[i].Name = d.string()
		out[i].Description = d.string()
	}
	return out, d.err
}

// decodeStrings returns nil for NULL and a non-nil slice otherwise.
func decodeStrings(b []byte) ([]string, error) {
	if b == nil {
		return nil, nil
	}
	d, n := newDecoder(b)
	out := make([]string, n)
	for i := range out {
		out[i] = d.string()
	}
	return out, d.err
}

// Times are stored as unix nanoseconds; the zero time is NULL because it has
// no unix nanosecond representation.
func encodeTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

func decodeTime(v *int64) time.Time {
	if v == nil {
		return time.Time{}
	}
	return time.Unix(0, *v).UTC()
}

// normTime returns t as it reads back from the database.
func normTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return time.Unix(0, t.UnixNano()).UTC()
}

// nullIfEmpty stores an empty string as NULL, for unique columns where the
// empty value must not collide with itself.
func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
