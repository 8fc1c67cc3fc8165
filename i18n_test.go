package resreg_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
)

func TestI18nNameDecodes(t *testing.T) {
	cases := []struct {
		name string
		json string
		want resreg.I18nName
	}{
		{"plain string", `"Server"`, resreg.Name("Server")},
		{"object", `{"defaultValue":"Server","i18nValue":{"zh_CN":"服务器"}}`,
			resreg.I18nName{DefaultValue: "Server", I18nValue: map[string]string{"zh_CN": "服务器"}}},
		{"empty translations decode to nil", `{"defaultValue":"Server","i18nValue":{}}`, resreg.Name("Server")},
		{"null", `null`, resreg.I18nName{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got resreg.I18nName
			require.NoError(t, json.Unmarshal([]byte(tc.json), &got))
			require.Equal(t, tc.want, got)

			// What decoded re-encodes to the object form and round-trips.
			b, err := json.Marshal(got)
			require.NoError(t, err)
			var again resreg.I18nName
			require.NoError(t, json.Unmarshal(b, &again))
			require.Equal(t, got, again)
		})
	}
}

func TestI18nNameRejectsOtherJSON(t *testing.T) {
	for _, in := range []string{`42`, `["a"]`, `{"defaultValue":1}`} {
		var n resreg.I18nName
		require.Error(t, json.Unmarshal([]byte(in), &n), in)
	}
}

func TestResolve(t *testing.T) {
	name := resreg.I18nName{
		DefaultValue: "Default",
		I18nValue: map[string]string{
			"zh_CN": "简体", "zh-TW": "繁體", "en": "English", "en_GB": "British", "pt_BR": "Brasil", "fr_FR": "",
		},
	}
	cases := []struct{ locale, want string }{
		{"zh_CN", "简体"},
		{"zh-CN", "简体"},
		{"ZH_cn", "简体"},
		{"zh_TW", "繁體"},
		{"zh", "简体"},         // same language: smallest key
		{"zh_HK", "简体"},      // same language, no exact match
		{"en_US", "English"}, // the bare language key beats a sibling region
		{"en_GB", "British"},
		{"pt", "Brasil"},
		{"fr_FR", "Default"}, // an empty translation falls back to the default
		{"fr", "Default"},
		{"ja", "Default"},
		{"", "Default"},
	}
	for _, tc := range cases {
		t.Run(tc.locale, func(t *testing.T) {
			require.Equal(t, tc.want, name.Resolve(tc.locale))
		})
	}
	require.Equal(t, "only", resreg.Name("only").Resolve("zh_CN"))
}
