package resreg

import (
	"encoding/json"
	"io"

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
		if err := yaml.Unmarshal(b, &doc); err != nil {
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
