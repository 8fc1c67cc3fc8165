package memstore

import (
	"time"

	"github.com/resreg/resreg/store"
)

// resource is the stored form of a store.Resource, laid out to keep a
// million of them within a small budget: the namespace is implied by the
// index holding the record, and translations are a slice of pairs rather
// than a map (a two-entry map costs over 300 bytes, the slice 64).
type resource struct {
	id             string
	code           string
	typ            string // interned
	name           string
	i18n           []translation
	description    string
	actions        []store.Action
	apiIdentifier  string
	linkedToTenant bool
	createdAt      time.Time // UTC
	updatedAt      time.Time // UTC
}

// translation is one entry of I18nName.I18nValue.
type translation struct {
	locale string // interned
	value  string
}

// fillResource overwrites rec with a copy of r.
func (s *Store) fillResource(rec *resource, r *store.Resource) {
	s.fillResourceFrom(rec, r, nil)
}

// translationSlab is one allocation that the translations of a batch are
// cut from.
type translationSlab []translation

// newTranslationSlab allocates room for every translation of resources.
func newTranslationSlab(resources []store.Resource) translationSlab {
	n := 0
	for i := range resources {
		n += len(resources[i].Name.I18nValue)
	}
	return make(translationSlab, 0, n)
}

// take returns an empty slice of capacity n cut from the slab, or a new
// one when the slab is nil or full.
func (sl *translationSlab) take(n int) []translation {
	if sl == nil || cap(*sl)-len(*sl) < n {
		return make([]translation, 0, n)
	}
	start := len(*sl)
	*sl = (*sl)[:start+n]
	return (*sl)[start : start : start+n]
}

// fillResourceFrom is fillResource with translations cut from slab (nil:
// allocated on their own).
func (s *Store) fillResourceFrom(rec *resource, r *store.Resource, slab *translationSlab) {
	*rec = resource{
		id:             r.ID,
		code:           r.Code,
		typ:            s.intern(r.Type),
		name:           r.Name.DefaultValue,
		description:    r.Description,
		apiIdentifier:  r.APIIdentifier,
		linkedToTenant: r.LinkedToTenant,
		createdAt:      r.CreatedAt.UTC(),
		updatedAt:      r.UpdatedAt.UTC(),
	}
	if len(r.Actions) > 0 {
		rec.actions = make([]store.Action, len(r.Actions))
		copy(rec.actions, r.Actions)
	}
	if len(r.Name.I18nValue) > 0 {
		rec.i18n = slab.take(len(r.Name.I18nValue))
		for locale, value := range r.Name.I18nValue {
			rec.i18n = append(rec.i18n, translation{locale: s.intern(locale), value: value})
		}
	}
}

// export returns a deep copy of the record as a store.Resource in
// namespace ns. It allocates only the actions slice and the translation map.
func (rec *resource) export(ns string) store.Resource {
	r := store.Resource{
		ID:             rec.id,
		Namespace:      ns,
		Code:           rec.code,
		Type:           rec.typ,
		Name:           store.I18nName{DefaultValue: rec.name},
		Description:    rec.description,
		APIIdentifier:  rec.apiIdentifier,
		LinkedToTenant: rec.linkedToTenant,
		CreatedAt:      rec.createdAt,
		UpdatedAt:      rec.updatedAt,
	}
	if len(rec.actions) > 0 {
		r.Actions = make([]store.Action, len(rec.actions))
		copy(r.Actions, rec.actions)
	}
	if len(rec.i18n) > 0 {
		r.Name.I18nValue = make(map[string]string, len(rec.i18n))
		for _, t := range rec.i18n {
			r.Name.I18nValue[t.locale] = t.value
		}
	}
	return r
}

// resourceMatcher returns f.Match for records. It reads the record in
// place: the filter's structural conditions run on a view holding only the
// fields they need, and the keyword is checked against the translations
// directly, so matching neither copies actions nor builds a map.
func resourceMatcher(f store.ResourceFilter) func(*resource) bool {
	keyword := f.Keyword
	f.Keyword = ""
	match := f.Matcher()
	return func(rec *resource) bool {
		view := store.Resource{ID: rec.id, Code: rec.code, Type: rec.typ}
		if !match(&view) {
			return false
		}
		if keyword == "" || store.MatchKeyword(keyword, rec.code, rec.name) {
			return true
		}
		for _, t := range rec.i18n {
			if store.MatchKeyword(keyword, t.value) {
				return true
			}
		}
		return false
	}
}

// newDataResource copies d for storage, with times in UTC.
func newDataResource(d *store.DataResource) *store.DataResource {
	c := d.Clone()
	c.CreatedAt = c.CreatedAt.UTC()
	c.UpdatedAt = c.UpdatedAt.UTC()
	return &c
}
