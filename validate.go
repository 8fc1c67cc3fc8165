package resreg

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/resreg/resreg/store"
)

// Field rules shared by every record. Each returns nil or an ErrInvalid
// *Error naming field.

// checkCode enforces the code rule: 1..MaxCodeLen characters of
// [A-Za-z0-9_.:-], starting with a letter or digit. It applies to codes,
// type IDs, namespace codes and tree node codes; '/' is never allowed, so
// tree paths can be split safely. Action names follow the action name rule
// instead (checkActionName).
func checkCode(field, s string) error {
	return invalidIf(field, codeProblem(s))
}

// checkText enforces the text rule: valid UTF-8, no NUL or other C0 control
// character except tab, newline and carriage return, at most max
// characters, and, when required, not blank.
func checkText(field, s string, max int, required bool) error {
	return invalidIf(field, textProblem(s, max, required))
}

// invalidIf returns an ErrInvalid error on field when problem is not empty.
func invalidIf(field, problem string) error {
	if problem == "" {
		return nil
	}
	return store.Invalid(field, problem)
}

// checkActionName enforces the action name rule (see actionNameProblem).
func checkActionName(field, s string) error {
	return invalidIf(field, actionNameProblem(s))
}

// actionNameProblem describes how s breaks the action name rule, or
// returns "". Action names of resources and of data resources are text,
// not codes (Authing accepts names such as "资源操作名称"): 1 to
// MaxActionNameLen characters of valid UTF-8, not blank, without control
// characters, without leading or trailing white space, and without '/' or
// '*', which have meanings in permission strings.
func actionNameProblem(s string) string {
	if s == "" {
		return "is required"
	}
	if len(s) > utf8.UTFMax*MaxActionNameLen {
		return "must be at most " + strconv.Itoa(MaxActionNameLen) + " characters"
	}
	if !utf8.ValidString(s) {
		return "must be valid UTF-8"
	}
	n := 0
	for _, r := range s {
		n++
		switch {
		case unicode.IsControl(r):
			return "must not hold control characters"
		case r == '/' || r == '*':
			return "must not hold / or * (they have meanings in permission strings), got " + strconv.Quote(s)
		}
	}
	if n > MaxActionNameLen {
		return "must be at most " + strconv.Itoa(MaxActionNameLen) + " characters, got " + strconv.Itoa(n)
	}
	if strings.TrimFunc(s, unicode.IsSpace) == "" {
		return "must not be blank"
	}
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	if unicode.IsSpace(first) || unicode.IsSpace(last) {
		return "must not start or end with white space, got " + strconv.Quote(s)
	}
	return ""
}

// codeProblem describes how s breaks the code rule, or returns "".
func codeProblem(s string) string {
	if s == "" {
		return "is required"
	}
	if len(s) > MaxCodeLen {
		return "must be at most " + strconv.Itoa(MaxCodeLen) + " characters, got " + strconv.Itoa(len(s))
	}
	if !isAlnum(s[0]) {
		return "must start with a letter or digit, got " + strconv.Quote(s)
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && c != '_' && c != '.' && c != ':' && c != '-' {
			return "may only hold letters, digits and _ . : -, got " + strconv.Quote(s)
		}
	}
	return ""
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// textProblem describes how s breaks the text rule, or returns "".
func textProblem(s string, max int, required bool) string {
	if len(s) > utf8.UTFMax*max {
		// Too long whatever it holds: say so before scanning it, so that a
		// huge string costs no more than a short one.
		return "must be at most " + strconv.Itoa(max) + " characters"
	}
	if required && strings.TrimSpace(s) == "" {
		return "is required"
	}
	if !utf8.ValidString(s) {
		return "must be valid UTF-8"
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "must be at most " + strconv.Itoa(max) + " characters, got " + strconv.Itoa(n)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return "must not hold control characters"
		}
	}
	return ""
}

// checkAPIIdentifier enforces the apiIdentifier rule: empty, or an absolute
// http or https URL with a host, at most MaxAPIIdentifierLen characters.
func checkAPIIdentifier(field, s string) error {
	if s == "" {
		return nil
	}
	if err := checkText(field, s, MaxAPIIdentifierLen, false); err != nil {
		return err
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(s, " \t\r\n") {
		return store.Invalid(field, "must be an absolute http or https URL, got "+strconv.Quote(s))
	}
	return nil
}

// namespaceOrDefault maps the empty namespace to DefaultNamespace.
func namespaceOrDefault(ns string) string {
	if ns == "" {
		return DefaultNamespace
	}
	return ns
}

// checkNamespace resolves an empty namespace to the default and checks the
// code rule.
func checkNamespace(field, ns string) (string, error) {
	ns = namespaceOrDefault(ns)
	return ns, checkCode(field, ns)
}

// checkList checks every item with check and that no two items are equal.
// Fields are named field[i].
func checkList[T comparable](field string, items []T, check func(field string, item T) error) error {
	seen := make(map[T]int, len(items))
	for i, it := range items {
		f := index(field, i)
		if err := check(f, it); err != nil {
			return err
		}
		if j, dup := seen[it]; dup {
			return store.Invalid(f, "repeats item "+strconv.Itoa(j))
		}
		seen[it] = i
	}
	return nil
}

// join builds a JSON field path: join("resources[3]", "code") is
// "resources[3].code" and join("", "code") is "code".
func join(prefix, field string) string {
	if prefix == "" {
		return field
	}
	return prefix + "." + field
}

// index builds "prefix[i]".
func index(prefix string, i int) string { return prefix + "[" + strconv.Itoa(i) + "]" }

// item names one input item for error fields, lazily: "prefix[i]" for an
// item of a batch, "prefix" otherwise. Validation of a valid item then
// builds no field path at all; the path of the one field reported is built
// when the error is.
type item struct {
	prefix string
	i      int // -1: not an item of a batch
}

// itemAt is item i of the batch at prefix.
func itemAt(prefix string, i int) item { return item{prefix, i} }

// item0 is the single item at prefix.
func item0(prefix string) item { return item{prefix, -1} }

// field returns the path of field name of the item.
func (it item) field(name string) string {
	if it.i < 0 {
		return join(it.prefix, name)
	}
	return join(index(it.prefix, it.i), name)
}

// distinct reports whether no two of n elements are equal under eq. Short
// lists are compared pairwise, which allocates nothing; longer ones report
// false so that the caller's precise check, with its map, decides.
func distinct(n int, eq func(i, j int) bool) bool {
	if n > 16 {
		return false
	}
	for i := 1; i < n; i++ {
		for j := 0; j < i; j++ {
			if eq(i, j) {
				return false
			}
		}
	}
	return true
}
