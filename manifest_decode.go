package resreg

import (
	"bytes"
	"errors"
	"io"
	"strconv"

	yaml "go.yaml.in/yaml/v3"

	"github.com/resreg/resreg/store"
)

// ManifestError is an error in a manifest: the *[Error] naming the field
// path (which errors.As finds and errors.Is matches through Unwrap) and,
// when the manifest was decoded from text, the line and column of the
// field (1-based; 0 when unknown).
type ManifestError struct {
	Line, Column int
	Err          *Error
}

func (e *ManifestError) Error() string {
	if e.Line == 0 {
		return e.Err.Error()
	}
	return "line " + strconv.Itoa(e.Line) + ", column " + strconv.Itoa(e.Column) + ": " + e.Err.Error()
}

// Unwrap returns the *Error, which unwraps to its sentinel.
func (e *ManifestError) Unwrap() error { return e.Err }

// DecodeManifest reads a manifest in YAML or JSON (JSON is YAML too) of at
// most MaxManifestBytes, and checks it by the rules of the calls that would
// write it, with [DefaultLimits]. Unknown fields and values of the wrong
// kind are errors. Every error is a *[ManifestError] wrapping an
// ErrInvalid *[Error] whose Field is the path of the offending value
// ("namespaces[0].resources[3].actions[1].name").
func DecodeManifest(r io.Reader) (Manifest, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxManifestBytes+1))
	if err != nil {
		return Manifest{}, err
	}
	if len(data) > MaxManifestBytes {
		return Manifest{}, &ManifestError{Err: store.Invalid("", "a manifest holds at most "+strconv.Itoa(MaxManifestBytes)+" bytes")}
	}
	// Most manifests are read without a node tree; the others, and every
	// one with an error, are read again with the tree, which positions
	// the error.
	src := string(data)
	if m, ok := fastManifest(src, looksLikeJSON(data)); ok {
		return m, nil
	}
	doc, err := parseDocument(data)
	if err != nil || doc == nil {
		return Manifest{}, err
	}
	return decodeNodes(doc, src)
}

// looksLikeJSON reports whether data is to be read as JSON first: it
// starts, after white space, with an object or an array.
func looksLikeJSON(data []byte) bool {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	return len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[')
}

// parseDocument parses a manifest into its node tree, nil for an empty
// document. JSON is parsed by jsonNodes when it can be, anything else by
// the YAML parser.
func parseDocument(data []byte) (*yaml.Node, error) {
	if looksLikeJSON(data) {
		if doc, ok := jsonNodes(data); ok {
			return doc, nil
		}
	}
	return parseYAML(data)
}

// parseYAML parses one YAML document, nil for an empty one.
func parseYAML(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil // an empty document declares nothing
		}
		return nil, &ManifestError{Err: store.Invalid("", "not YAML or JSON: "+err.Error())}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, &ManifestError{Line: extra.Line, Column: extra.Column, Err: store.Invalid("", "a manifest is one document")}
	}
	return &doc, nil
}

// decodeNodes builds and checks the manifest of a parsed document, whose
// text is src.
func decodeNodes(doc *yaml.Node, src string) (Manifest, error) {
	if err := noAliases(doc); err != nil {
		return Manifest{}, err
	}
	d := &walker{}
	m := d.manifest(doc)
	if d.err != nil {
		return Manifest{}, d.err
	}
	m.src = src
	if err := (&Registry{limits: DefaultLimits()}).checkManifestRecords(m); err != nil {
		return Manifest{}, errorIn(err, doc)
	}
	return m, nil
}

// walker builds a Manifest from a YAML node tree, keeping the first
// error with the position of its node.
type walker struct{ err *ManifestError }

func (w *walker) fail(n *yaml.Node, field, msg string) {
	if w.err == nil {
		w.err = &ManifestError{Line: n.Line, Column: n.Column, Err: store.Invalid(field, msg)}
	}
}

// value resolves document nodes. Aliases are refused where they are met
// (see noAliases), so a manifest's size is the size of its text.
func value(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return nil
		}
		n = n.Content[0]
	}
	return n
}

// noAliases refuses YAML aliases (*name) anywhere in the document: each
// would let a few bytes stand for a whole subtree, and nested ones for
// exponentially many ("billion laughs").
func noAliases(doc *yaml.Node) *ManifestError {
	stack := []*yaml.Node{doc}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.Kind == yaml.AliasNode {
			return &ManifestError{Line: n.Line, Column: n.Column, Err: store.Invalid("", "a manifest may not use YAML aliases (*"+n.Value+")")}
		}
		stack = append(stack, n.Content...)
	}
	return nil
}

func isNull(n *yaml.Node) bool { return n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// object walks a mapping, calling field for each key; field returns false
// for a key it does not know.
func (w *walker) object(n *yaml.Node, path string, field func(key string, v *yaml.Node, p string) bool) {
	n = value(n)
	if isNull(n) || w.err != nil {
		return
	}
	if n.Kind != yaml.MappingNode {
		w.fail(n, path, "must be an object")
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content) && w.err == nil; i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		p := join(path, k.Value)
		if seen[k.Value] {
			w.fail(k, p, "is given twice")
			return
		}
		seen[k.Value] = true
		if !field(k.Value, v, p) {
			w.fail(k, p, "is not a field of this record")
		}
	}
}

// list walks a sequence of at most max items.
func (w *walker) list(n *yaml.Node, path string, max int, item func(i int, v *yaml.Node, p string)) int {
	n = value(n)
	if isNull(n) || w.err != nil {
		return 0
	}
	if n.Kind != yaml.SequenceNode {
		w.fail(n, path, "must be a list")
		return 0
	}
	if len(n.Content) > max {
		w.fail(n.Content[max], index(path, max), "the list holds at most "+strconv.Itoa(max)+" items, got "+strconv.Itoa(len(n.Content)))
		return 0
	}
	for i, v := range n.Content {
		if w.err != nil {
			break
		}
		item(i, v, index(path, i))
	}
	return len(n.Content)
}

func (w *walker) str(n *yaml.Node, path string) string {
	n = value(n)
	if isNull(n) || w.err != nil {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		w.fail(n, path, "must be a string")
		return ""
	}
	return n.Value
}

func (w *walker) boolean(n *yaml.Node, path string) bool {
	n = value(n)
	if isNull(n) || w.err != nil {
		return false
	}
	var b bool
	if n.Kind != yaml.ScalarNode || n.Decode(&b) != nil {
		w.fail(n, path, "must be true or false")
	}
	return b
}

func (w *walker) strings(n *yaml.Node, path string, max int) []string {
	var out []string
	w.list(n, path, max, func(_ int, v *yaml.Node, p string) { out = append(out, w.str(v, p)) })
	return out
}

// Upper bounds the walker applies to nested lists before the checks of
// the Registry, whose limits are lower, see them: they only keep a hostile
// document from growing the work.
const (
	walkListMax = 100_000
	walkTreeMax = 1_000_000
)

func (w *walker) manifest(doc *yaml.Node) Manifest {
	var m Manifest
	w.object(doc, "", func(k string, v *yaml.Node, p string) bool {
		switch k {
		case "namespaces":
			w.list(v, p, MaxManifestNamespaces, func(_ int, v *yaml.Node, p string) { m.Namespaces = append(m.Namespaces, w.namespace(v, p)) })
		case "dataPolicies":
			w.list(v, p, MaxManifestDataPolicies, func(_ int, v *yaml.Node, p string) { m.DataPolicies = append(m.DataPolicies, w.policy(v, p)) })
		case "memberships":
			w.list(v, p, MaxManifestMemberships, func(_ int, v *yaml.Node, p string) { m.Memberships = append(m.Memberships, w.membership(v, p)) })
		default:
			return false
		}
		return true
	})
	return m
}

func (w *walker) namespace(n *yaml.Node, path string) ManifestNamespace {
	var ns ManifestNamespace
	w.object(n, path, func(k string, v *yaml.Node, p string) bool {
		switch k {
		case "code":
			ns.Code = w.str(v, p)
		case "name":
			ns.Name = w.str(v, p)
		case "description":
			ns.Description = w.str(v, p)
		case "resources":
			w.list(v, p, MaxManifestResources, func(_ int, v *yaml.Node, p string) { ns.Resources = append(ns.Resources, w.resource(v, p)) })
		case "dataResources":
			w.list(v, p, MaxManifestDataResources, func(_ int, v *yaml.Node, p string) {
				ns.DataResources = append(ns.DataResources, w.dataResource(v, p))
			})
		case "grants":
			w.list(v, p, walkListMax, func(_ int, v *yaml.Node, p string) { ns.Grants = append(ns.Grants, w.grant(v, p)) })
		default:
			return false
		}
		return true
	})
	return ns
}

func (w *walker) resource(n *yaml.Node, path string) ManifestResource {
	var r ManifestResource
	w.object(n, path, func(k string, v *yaml.Node, p string) bool {
		switch k {
		case "code":
			r.Code = w.str(v, p)
		case "id":
			r.ID = w.str(v, p)
		case "type":
			r.Type = w.str(v, p)
		case "name":
			r.Name = w.i18n(v, p)
		case "description":
			r.Description = w.str(v, p)
		case "actions":
			w.list(v, p, walkListMax, func(_ int, v *yaml.Node, p string) {
				var a Action
				w.object(v, p, func(k string, v *yaml.Node, p string) bool {
					switch k {
					case "name":
						a.Name = w.str(v, p)
					case "description":
						a.Description = w.str(v, p)
					default:
						return false
					}
					return true
				})
				r.Actions = append(r.Actions, a)
			})
		case "apiIdentifier":
			r.APIIdentifier = w.str(v, p)
		case "linkedToTenant":
			r.LinkedToTenant = w.boolean(v, p)
		default:
			return false
		}
		return true
	})
	return r
}

// i18n reads a name: a string (the default value) or {defaultValue,
// i18nValue}, as the JSON API accepts.
func (w *walker) i18n(n *yaml.Node, path string) I18nName {
	var name I18nName
	if v := value(n); v != nil && v.Kind == yaml.ScalarNode {
		name.DefaultValue = w.str(v, path)
		return name
	}
	w.object(n, path, func(k string, v *yaml.Node, p string) bool {
		switch k {
		case "defaultValue":
			name.DefaultValue = w.str(v, p)
		case "i18nValue":
			w.object(v, p, func(k string, v *yaml.Node, p string) bool {
				if name.I18nValue == nil {
					name.I18nValue = map[string]string{}
				}
				if len(name.I18nValue) >= MaxLocales {
					w.fail(v, p, "must hold at most "+strconv.Itoa(MaxLocales)+" translations")
				}
				name.I18nValue[k] = w.str(v, p)
				return true
			})
		default:
			return false
		}
		return true
	})
	return name
}

func (w *walker) dataResource(n *yaml.Node, path string) ManifestDataResource {
	var d ManifestDataResource
	w.object(n, path, func(k string, v *yaml.Node, p string) bool {
		switch k {
		case "resourceCode":
			d.ResourceCode = w.str(v, p)
		case "resourceName":
			d.ResourceName = w.str(v, p)
		case "description":
			d.Description = w.str(v, p)
		case "type":
			d.Type = DataType(w.str(v, p))
		case "struct":
			d.Struct = w.structOf(v, p)
		case "actions":
			d.Actions = w.strings(v, p, walkListMax)
		default:
			return false
		}
		return true
	})
	return d
}

// structOf reads a struct as the JSON API does: a string, a list of
// strings, or a list of tree nodes (chosen by the first item).
func (w *walker) structOf(n *yaml.Node, path string) Struct {
	v := value(n)
	switch {
	case isNull(v):
		return Struct{}
	case v.Kind == yaml.ScalarNode:
		return Struct{String: v.Value}
	case v.Kind != yaml.SequenceNode:
		w.fail(v, path, "must be a string, a list of strings or a list of tree nodes")
		return Struct{}
	case len(v.Content) == 0:
		return Struct{Array: []string{}}
	case value(v.Content[0]).Kind == yaml.ScalarNode:
		return Struct{Array: w.strings(v, path, walkListMax)}
	}
	count := 0
	return Struct{Tree: w.nodes(v, path, &count)}
}

// nodes reads tree nodes; count bounds the nodes of the whole tree. Depth
// is bounded by the YAML parser's own nesting limit.
func (w *walker) nodes(n *yaml.Node, path string, count *int) Tree {
	out := Tree{}
	w.list(n, path, walkTreeMax, func(_ int, v *yaml.Node, p string) {
		if *count++; *count > walkTreeMax {
			w.fail(v, p, "a tree holds at most "+strconv.Itoa(walkTreeMax)+" nodes")
			return
		}
		var t TreeNode
		w.object(v, p, func(k string, v *yaml.Node, p string) bool {
			switch k {
			case "code":
				t.Code = w.str(v, p)
			case "name":
				t.Name = w.str(v, p)
			case "value":
				t.Value = w.str(v, p)
			case "children":
				if c := w.nodes(v, p, count); len(c) > 0 {
					t.Children = c
				}
			default:
				return false
			}
			return true
		})
		out = append(out, t)
	})
	return out
}

func (w *walker) grant(n *yaml.Node, path string) AuthorizeItem {
	var it AuthorizeItem
	w.object(n, path, func(k string, v *yaml.Node, p string) bool {
		switch k {
		case "targetType":
			it.TargetType = w.str(v, p)
		case "targetIdentifiers":
			it.TargetIdentifiers = w.strings(v, p, walkListMax)
		case "resources":
			w.list(v, p, walkListMax, func(_ int, v *yaml.Node, p string) {
				var ra ResourceActions
				w.object(v, p, func(k string, v *yaml.Node, p string) bool {
					switch k {
					case "code":
						ra.Code = w.str(v, p)
					case "actions":
						ra.Actions = w.strings(v, p, walkListMax)
					case "resourceType":
						ra.ResourceType = w.str(v, p)
					case "effect":
						ra.Effect = Effect(w.str(v, p))
					default:
						return false
					}
					return true
				})
				it.Resources = append(it.Resources, ra)
			})
		default:
			return false
		}
		return true
	})
	return it
}

func (w *walker) policy(n *yaml.Node, path string) ManifestDataPolicy {
	var pol ManifestDataPolicy
	w.object(n, path, func(k string, v *yaml.Node, p string) bool {
		switch k {
		case "policyName":
			pol.PolicyName = w.str(v, p)
		case "description":
			pol.Description = w.str(v, p)
		case "statementList":
			w.list(v, p, walkListMax, func(_ int, v *yaml.Node, p string) {
				var st Statement
				w.object(v, p, func(k string, v *yaml.Node, p string) bool {
					switch k {
					case "effect":
						st.Effect = Effect(w.str(v, p))
					case "permissions":
						st.Permissions = w.strings(v, p, walkListMax)
					default:
						return false
					}
					return true
				})
				pol.StatementList = append(pol.StatementList, st)
			})
		case "targetList":
			w.list(v, p, walkListMax, func(_ int, v *yaml.Node, p string) {
				var t Target
				w.object(v, p, func(k string, v *yaml.Node, p string) bool {
					switch k {
					case "id":
						t.ID = w.str(v, p)
					case "type":
						t.Type = w.str(v, p)
					case "name":
						t.Name = w.str(v, p)
					default:
						return false
					}
					return true
				})
				pol.TargetList = append(pol.TargetList, t)
			})
		default:
			return false
		}
		return true
	})
	return pol
}

func (w *walker) subject(n *yaml.Node, path string) Subject {
	var s Subject
	w.object(n, path, func(k string, v *yaml.Node, p string) bool {
		switch k {
		case "type":
			s.Type = w.str(v, p)
		case "id":
			s.ID = w.str(v, p)
		default:
			return false
		}
		return true
	})
	return s
}

func (w *walker) membership(n *yaml.Node, path string) ManifestMembership {
	var m ManifestMembership
	w.object(n, path, func(k string, v *yaml.Node, p string) bool {
		switch k {
		case "parent":
			m.Parent = w.subject(v, p)
		case "members":
			w.list(v, p, walkListMax, func(_ int, v *yaml.Node, p string) { m.Members = append(m.Members, w.subject(v, p)) })
		default:
			return false
		}
		return true
	})
	return m
}
