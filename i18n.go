package resreg

import (
	"slices"
	"strconv"

	"github.com/resreg/resreg/store"
)

// I18nName is a name with translations: {"defaultValue": "Server",
// "i18nValue": {"zh_CN": "服务器", "en_US": "Server"}}. It also decodes from
// a plain JSON string, which becomes DefaultValue. See
// [store.I18nName.Resolve] for how a locale picks a translation.
type I18nName = store.I18nName

// Name returns an I18nName with only a default value.
func Name(defaultValue string) I18nName { return I18nName{DefaultValue: defaultValue} }

// checkI18nName checks a name at field ("name" or "resources[3].name"):
//   - defaultValue: text of at most MaxNameLen characters, required when
//     requireDefault is set;
//   - at most MaxLocales translations;
//   - each key a locale: a language of 2 to 8 letters, then subtags of 1 to
//     8 letters or digits, each after '_' or '-', at most MaxLocaleLen
//     characters ("zh_CN", "en-US", "fr", "zh_Hans_CN");
//   - no two keys that differ only in case or separator ("zh_CN", "zh-cn");
//   - each translation non-blank text of at most MaxNameLen characters.
func checkI18nName(field string, n I18nName, requireDefault bool) error {
	if err := checkText(join(field, "defaultValue"), n.DefaultValue, MaxNameLen, requireDefault); err != nil {
		return err
	}
	if len(n.I18nValue) == 0 {
		return nil
	}
	vf := join(field, "i18nValue")
	if len(n.I18nValue) > MaxLocales {
		return store.Invalid(vf, "must hold at most "+strconv.Itoa(MaxLocales)+" translations, got "+strconv.Itoa(len(n.I18nValue)))
	}
	keys := make([]string, 0, len(n.I18nValue))
	for k := range n.I18nValue {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the first error reported does not depend on map order
	seen := make(map[string]string, len(keys))
	for _, k := range keys {
		kf := vf + "[" + strconv.Quote(k) + "]"
		if !validLocale(k) {
			return store.Invalid(kf, "is not a locale key such as zh_CN or en-US")
		}
		kf = vf + "." + k
		ck := store.CanonicalLocale(k)
		if other, dup := seen[ck]; dup {
			return store.Invalid(kf, "is the same locale as "+strconv.Quote(other))
		}
		seen[ck] = k
		if err := checkText(kf, n.I18nValue[k], MaxNameLen, true); err != nil {
			return err
		}
	}
	return nil
}

// i18nNameOK reports whether checkI18nName would accept n, without
// allocating for names of up to 16 translations. Callers run
// checkI18nName, which sorts the keys so that the error reported does not
// depend on map order, only when it returns false.
func i18nNameOK(n I18nName, requireDefault bool) bool {
	if textProblem(n.DefaultValue, MaxNameLen, requireDefault) != "" {
		return false
	}
	if len(n.I18nValue) == 0 {
		return true
	}
	if len(n.I18nValue) > MaxLocales || len(n.I18nValue) > 16 {
		return false
	}
	var keys [16]string
	k := 0
	for key, v := range n.I18nValue {
		if !validLocale(key) || textProblem(v, MaxNameLen, true) != "" {
			return false
		}
		keys[k] = key
		k++
	}
	return distinct(k, func(i, j int) bool { return sameLocale(keys[i], keys[j]) })
}

// sameLocale reports whether two valid locale keys are the same locale:
// store.CanonicalLocale(a) == store.CanonicalLocale(b). Valid keys are
// ASCII letters, digits, '_' and '-', so folding byte by byte is exact.
func sameLocale(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if foldLocaleByte(a[i]) != foldLocaleByte(b[i]) {
			return false
		}
	}
	return true
}

func foldLocaleByte(c byte) byte {
	switch {
	case c >= 'A' && c <= 'Z':
		return c + ('a' - 'A')
	case c == '-':
		return '_'
	}
	return c
}

// validLocale reports whether k has the locale key form documented on
// checkI18nName.
func validLocale(k string) bool {
	if len(k) == 0 || len(k) > MaxLocaleLen {
		return false
	}
	start, first := 0, true
	for i := 0; i <= len(k); i++ {
		if i < len(k) && k[i] != '_' && k[i] != '-' {
			c := k[i]
			if first && !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') || !isAlnum(c) {
				return false
			}
			continue
		}
		n := i - start
		if first && (n < 2 || n > 8) || !first && (n < 1 || n > 8) {
			return false
		}
		start, first = i+1, false
	}
	return true
}
