package resreg

import (
	"encoding/json"
	"fmt"
	"io"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// EncodeManifest writes m as YAML (format "yaml") or indented JSON
// ("json"), in the field names DecodeManifest reads, so that what it
// writes decodes to the same manifest.
func EncodeManifest(w io.Writer, m Manifest, format string) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	switch format {
	case "json":
		var out []byte
		if out, err = json.MarshalIndent(json.RawMessage(b), "", "  "); err != nil {
			return err
		}
		_, err = w.Write(append(out, '\n'))
		return err
	case "yaml", "":
		// JSON is YAML: parse it as such, keeping the field order, and
		// write it back in block style.
		var doc yaml.Node
		if err := yaml.Unmarshal(yamlReadable(b), &doc); err != nil {
			return err
		}
		blockStyle(&doc)
		enc := yaml.NewEncoder(w)
		enc.SetIndent(2)
		if err := enc.Encode(&doc); err != nil {
			return err
		}
		return enc.Close()
	default:
		return &Error{Field: "format", Message: `must be "yaml" or "json", got "` + format + `"`, Err: ErrInvalid}
	}
}

// yamlReadable escapes, in JSON text, the characters that encoding/json
// leaves raw but the YAML reader refuses or, for NEL, reads as a line break (DEL, the C1 controls,
// U+FFFE and U+FFFF). Outside strings JSON is ASCII, so only string
// contents change, and to escapes that decode to the same characters.
func yamlReadable(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == 0x7f || r >= 0x80 && r <= 0x9f || r == 0xfffe || r == 0xffff {
			if out == nil {
				out = append(make([]byte, 0, len(b)+16), b[:i]...)
			}
			out = append(out, fmt.Sprintf(`\u%04x`, r)...)
		} else if out != nil {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	if out == nil {
		return b
	}
	return out
}

// blockStyle clears the flow style JSON parsed into, and the quotes of
// strings that need none.
func blockStyle(n *yaml.Node) {
	n.Style &^= yaml.FlowStyle
	if n.Kind == yaml.ScalarNode && n.Style&yaml.DoubleQuotedStyle != 0 && n.Tag == "!!str" {
		n.Style &^= yaml.DoubleQuotedStyle
	}
	for _, c := range n.Content {
		blockStyle(c)
	}
}
