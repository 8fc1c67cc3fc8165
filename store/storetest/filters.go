package storetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg/store"
)

// filterSeed returns resources whose codes, types and names let each filter
// case select a different subset. Descriptions and API identifiers hold words
// that no keyword may match.
func filterSeed() []store.Resource {
	mk := func(code, typ, name string, i18n map[string]string) store.Resource {
		r := NewResource(store.DefaultNamespace, code)
		r.Type = typ
		r.Name = store.I18nName{DefaultValue: name, I18nValue: i18n}
		r.Description = "secret description"
		r.APIIdentifier = "https://hidden.example.com/" + code
		return r
	}
	return []store.Resource{
		mk("ecs-server", store.TypeAPI, "Cloud Server", map[string]string{"zh_CN": "云服务器"}),
		mk("ecs_disk", store.TypeData, "Disk", map[string]string{"fr": "Disque ÉLASTIQUE"}),
		mk("Menu-Home", store.TypeMenu, "Home page", nil),
		mk("btn-save", store.TypeButton, "Save 100%", map[string]string{"en-US": "Save"}),
		mk("custom-type", "enos:device", "Device", map[string]string{"zh_CN": "设备", "en-US": "Gadget"}),
	}
}

func (h harness) resourceFilters(t *testing.T) {
	cases := []struct {
		name   string
		filter store.ResourceFilter
		want   []string
	}{
		{"no filter lists all in byte order of code", store.ResourceFilter{},
			[]string{"Menu-Home", "btn-save", "custom-type", "ecs-server", "ecs_disk"}},
		{"one type", store.ResourceFilter{Types: []string{store.TypeAPI}}, []string{"ecs-server"}},
		{"several types", store.ResourceFilter{Types: []string{store.TypeMenu, store.TypeAPI}}, []string{"Menu-Home", "ecs-server"}},
		{"type not named by Authing", store.ResourceFilter{Types: []string{"enos:device"}}, []string{"custom-type"}},
		{"type nobody has", store.ResourceFilter{Types: []string{store.TypeUI}}, nil},
		{"codes", store.ResourceFilter{Codes: []string{"ecs_disk", "nope", "btn-save"}}, []string{"btn-save", "ecs_disk"}},
		{"IDs", store.ResourceFilter{IDs: []string{"id-custom-type", "id-ecs-server", "ecs_disk"}}, []string{"custom-type", "ecs-server"}},
		{"keyword on code ignores case", store.ResourceFilter{Keyword: "ECS"}, []string{"ecs-server", "ecs_disk"}},
		{"keyword on mixed-case code", store.ResourceFilter{Keyword: "menu-h"}, []string{"Menu-Home"}},
		{"keyword on default name", store.ResourceFilter{Keyword: "cloud"}, []string{"ecs-server"}},
		{"keyword on a translation", store.ResourceFilter{Keyword: "服务"}, []string{"ecs-server"}},
		{"keyword on another translation", store.ResourceFilter{Keyword: "gadget"}, []string{"custom-type"}},
		{"keyword folds non-ASCII case", store.ResourceFilter{Keyword: "élastique"}, []string{"ecs_disk"}},
		{"keyword underscore is literal", store.ResourceFilter{Keyword: "_"}, []string{"ecs_disk"}},
		{"keyword percent is literal", store.ResourceFilter{Keyword: "%"}, []string{"btn-save"}},
		{"keyword ignores description", store.ResourceFilter{Keyword: "secret"}, nil},
		{"keyword ignores API identifier", store.ResourceFilter{Keyword: "hidden.example"}, nil},
		{"types and keyword", store.ResourceFilter{Types: []string{store.TypeAPI, store.TypeData}, Keyword: "DISK"}, []string{"ecs_disk"}},
		{"codes and types that exclude each other", store.ResourceFilter{Codes: []string{"ecs-server"}, Types: []string{store.TypeMenu}}, nil},
		{"codes, IDs and keyword", store.ResourceFilter{
			Codes:   []string{"ecs-server", "ecs_disk", "btn-save"},
			IDs:     []string{"id-ecs-server", "id-btn-save"},
			Keyword: "e",
		}, []string{"btn-save", "ecs-server"}},
		{"every field", store.ResourceFilter{
			Types:   []string{store.TypeButton, store.TypeAPI},
			Codes:   []string{"btn-save", "ecs-server", "Menu-Home"},
			IDs:     []string{"id-btn-save", "id-ecs-server", "id-Menu-Home"},
			Keyword: "SAVE",
		}, []string{"btn-save"}},
	}
	for _, tc := range cases {
		h.run(t, tc.name, func(t *testing.T, s store.Store) {
			seed := filterSeed()
			createNamespaces(t, s, ns2)
			createResources(t, s, seed...)
			// The same codes in another namespace must never leak in.
			other := filterSeed()
			for i := range other {
				other[i].Namespace = ns2
			}
			createResources(t, s, other...)

			// The table must agree with the contract's own matcher.
			var byMatch []string
			for _, r := range seed {
				if tc.filter.Match(&r) {
					byMatch = append(byMatch, r.Code)
				}
			}
			requireCodes(t, byMatch, tc.want)

			f := tc.filter
			f.Namespace = store.DefaultNamespace
			items, totals := collect(t, resourceLister(s, f), store.ListOptions{PageSize: store.MaxPageSize, IncludeTotal: true})
			require.Equal(t, tc.want, nilIfEmpty(resourceCodes(items)))
			require.Equal(t, []int{len(tc.want)}, totals)
			for _, r := range items {
				require.Equal(t, store.DefaultNamespace, r.Namespace)
			}
		})
	}

	h.run(t, "empty namespace lists nothing", func(t *testing.T, s store.Store) {
		createNamespaces(t, s, ns2)
		createResources(t, s, NewResource(store.DefaultNamespace, "a"))
		page, err := s.ListResources(t.Context(), store.ResourceFilter{Namespace: ns2}, store.ListOptions{IncludeTotal: true})
		require.NoError(t, err)
		require.Empty(t, page.Items)
		require.Empty(t, page.NextPageToken)
		require.Zero(t, page.TotalCount)
	})
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}
