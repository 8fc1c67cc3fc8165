package store

import (
	"bytes"
	"encoding/json"
	"maps"
	"strings"
)

// I18nName is a display name with translations, in the shape EnOS uses:
// {"defaultValue": "Server", "i18nValue": {"zh_CN": "服务器"}}.
//
// It also decodes from a plain JSON string, which Authing sends as "name":
// "Server"; the string becomes DefaultValue.
type I18nName struct {
	// DefaultValue is the name shown when no translation fits.
	DefaultValue string `json:"defaultValue"`
	// I18nValue maps a locale key (zh_CN, en-US, fr) to a translation.
	I18nValue map[string]string `json:"i18nValue,omitempty"`
}

// UnmarshalJSON accepts an object, a plain string or null. An empty
// i18nValue object decodes to a nil map so that values round-trip exactly.
func (n *I18nName) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*n = I18nName{DefaultValue: s}
		return nil
	}
	if bytes.Equal(b, []byte("null")) {
		*n = I18nName{}
		return nil
	}
	type plain I18nName // drops the method to avoid recursion
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	if len(p.I18nValue) == 0 {
		p.I18nValue = nil
	}
	*n = I18nName(p)
	return nil
}

// IsZero reports whether the name has no default value and no translation.
func (n I18nName) IsZero() bool { return n.DefaultValue == "" && len(n.I18nValue) == 0 }

// Clone returns a deep copy; an empty map becomes nil.
func (n I18nName) Clone() I18nName {
	if len(n.I18nValue) == 0 {
		return I18nName{DefaultValue: n.DefaultValue}
	}
	return I18nName{DefaultValue: n.DefaultValue, I18nValue: maps.Clone(n.I18nValue)}
}

// Values returns DefaultValue followed by every translation, for matching.
func (n I18nName) Values() []string {
	out := make([]string, 0, 1+len(n.I18nValue))
	out = append(out, n.DefaultValue)
	for _, v := range n.I18nValue {
		out = append(out, v)
	}
	return out
}

// Resolve returns the best name for locale:
//  1. the translation whose key equals locale, where case and the separator
//     do not matter (zh_CN, zh-CN and zh-cn are the same key);
//  2. otherwise a translation in the same language: the bare language key
//     ("zh") if present, else the smallest key of that language ("zh_CN"
//     before "zh_TW");
//  3. otherwise DefaultValue.
//
// An empty locale, or one whose best match is an empty translation, yields
// DefaultValue.
func (n I18nName) Resolve(locale string) string {
	want := CanonicalLocale(locale)
	if want == "" || len(n.I18nValue) == 0 {
		return n.DefaultValue
	}
	lang := localeLanguage(want)
	var bare, regionKey, regionVal string
	for k, v := range n.I18nValue {
		ck := CanonicalLocale(k)
		switch {
		case ck == want:
			if v == "" {
				return n.DefaultValue
			}
			return v
		case v == "" || localeLanguage(ck) != lang:
		case ck == lang:
			bare = v
		case regionVal == "" || ck < regionKey:
			regionKey, regionVal = ck, v
		}
	}
	if bare != "" {
		return bare
	}
	if regionVal != "" {
		return regionVal
	}
	return n.DefaultValue
}

// CanonicalLocale folds a locale key for comparison: lower case, with '-'
// replaced by '_'. "zh-CN" and "ZH_cn" both become "zh_cn".
func CanonicalLocale(locale string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(locale)), "-", "_")
}

func localeLanguage(canonical string) string {
	if i := strings.IndexByte(canonical, '_'); i >= 0 {
		return canonical[:i]
	}
	return canonical
}
