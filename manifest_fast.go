package resreg

import (
	"iter"
	"slices"
)

// fastManifest decodes and checks a manifest without building a node tree,
// for documents in the common forms: JSON, and YAML in block style with
// single-line scalars and flow collections (what EncodeManifest writes and
// what people write by hand). It reports false for anything else (any YAML
// feature it does not read, a value of the wrong kind, an unknown or
// repeated field, a failed check): the caller then decodes the document
// with decodeNodes, which names the problem if there is one. When it
// reports true, the manifest is the one decodeNodes would return; the
// differential tests and fuzzers in manifest_fast_internal_test.go hold it
// to that.
func fastManifest(src string, isJSON bool) (m Manifest, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, refused := r.(refusal); !refused {
				panic(r)
			}
			m, ok = Manifest{}, false
		}
	}()
	var ev *events
	if isJSON {
		ev = readJSONEvents(src)
	} else {
		ev = readYAMLEvents(src)
	}
	d := &fastWalker{events: ev}
	m = d.manifest()
	if err := (&Registry{limits: DefaultLimits()}).checkManifestRecords(m); err != nil {
		return Manifest{}, false
	}
	m.src = src
	return m, true
}

// fastWalker builds a Manifest from events by the rules of walker, which
// it mirrors function by function; where walker reports an error, it
// refuses.
type fastWalker struct {
	*events
	i int
}

func (d *fastWalker) next() event {
	e := d.ev[d.i]
	d.i++
	return e
}

func (d *fastWalker) peek() event { return d.ev[d.i] }

func isScalar(k evKind) bool { return k != evMap && k != evSeq && k != evEnd }

// object yields the keys of a mapping (none for a null); the loop body
// reads the value of each. A repeated key is refused; the body refuses an
// unknown one.
func (d *fastWalker) object() iter.Seq[string] {
	return func(yield func(string) bool) {
		switch d.next().kind {
		case evNull:
			return
		case evMap:
		default:
			refuse()
		}
		var seen [8]string
		var more []string
		n := 0
		for {
			k := d.next()
			if k.kind == evEnd {
				return
			}
			key := d.text(k)
			for _, s := range seen[:min(n, len(seen))] {
				if s == key {
					refuse()
				}
			}
			for _, s := range more {
				if s == key {
					refuse()
				}
			}
			if n < len(seen) {
				seen[n] = key
			} else {
				more = append(more, key)
			}
			n++
			if !yield(key) {
				return
			}
		}
	}
}

// list yields once per item of a sequence of at most max items (never for
// a null); the loop body reads the item.
func (d *fastWalker) list(max int) iter.Seq[struct{}] {
	return func(yield func(struct{}) bool) {
		switch d.next().kind {
		case evNull:
			return
		case evSeq:
		default:
			refuse()
		}
		for n := 0; d.peek().kind != evEnd; n++ {
			if n == max {
				refuse()
			}
			if !yield(struct{}{}) {
				return
			}
		}
		d.i++
	}
}

// sized returns s with room for the items of the sequence about to be
// read, if it has between 1 and max; an empty or null list leaves s nil,
// as walker does.
func sized[T any](d *fastWalker, s []T, max int) []T {
	if e := d.peek(); e.kind == evSeq && e.a > 0 && int(e.a) <= max {
		return slices.Grow(s, int(e.a))
	}
	return s
}

func (d *fastWalker) str() string {
	e := d.next()
	if !isScalar(e.kind) {
		refuse()
	}
	return d.text(e)
}

func (d *fastWalker) boolean() bool {
	switch d.next().kind {
	case evNull, evFalse:
		return false
	case evTrue:
		return true
	}
	refuse()
	return false
}

func (d *fastWalker) strings(max int) []string {
	out := sized[string](d, nil, max)
	for range d.list(max) {
		out = append(out, d.str())
	}
	return out
}

func (d *fastWalker) manifest() Manifest {
	var m Manifest
	for k := range d.object() {
		switch k {
		case "namespaces":
			m.Namespaces = sized(d, m.Namespaces, MaxManifestNamespaces)
			for range d.list(MaxManifestNamespaces) {
				m.Namespaces = append(m.Namespaces, d.namespace())
			}
		case "dataPolicies":
			for range d.list(MaxManifestDataPolicies) {
				m.DataPolicies = append(m.DataPolicies, d.policy())
			}
		case "memberships":
			for range d.list(MaxManifestMemberships) {
				m.Memberships = append(m.Memberships, d.membership())
			}
		default:
			refuse()
		}
	}
	return m
}

func (d *fastWalker) namespace() ManifestNamespace {
	var ns ManifestNamespace
	for k := range d.object() {
		switch k {
		case "code":
			ns.Code = d.str()
		case "name":
			ns.Name = d.str()
		case "description":
			ns.Description = d.str()
		case "resources":
			ns.Resources = sized(d, ns.Resources, MaxManifestResources)
			for range d.list(MaxManifestResources) {
				ns.Resources = append(ns.Resources, d.resource())
			}
		case "dataResources":
			ns.DataResources = sized(d, ns.DataResources, MaxManifestDataResources)
			for range d.list(MaxManifestDataResources) {
				ns.DataResources = append(ns.DataResources, d.dataResource())
			}
		case "grants":
			for range d.list(walkListMax) {
				ns.Grants = append(ns.Grants, d.grant())
			}
		default:
			refuse()
		}
	}
	return ns
}

func (d *fastWalker) resource() ManifestResource {
	var r ManifestResource
	for k := range d.object() {
		switch k {
		case "code":
			r.Code = d.str()
		case "id":
			r.ID = d.str()
		case "type":
			r.Type = d.str()
		case "name":
			r.Name = d.i18n()
		case "description":
			r.Description = d.str()
		case "actions":
			r.Actions = sized(d, r.Actions, walkListMax)
			for range d.list(walkListMax) {
				var a Action
				for k := range d.object() {
					switch k {
					case "name":
						a.Name = d.str()
					case "description":
						a.Description = d.str()
					default:
						refuse()
					}
				}
				r.Actions = append(r.Actions, a)
			}
		case "apiIdentifier":
			r.APIIdentifier = d.str()
		case "linkedToTenant":
			r.LinkedToTenant = d.boolean()
		default:
			refuse()
		}
	}
	return r
}

func (d *fastWalker) i18n() I18nName {
	var name I18nName
	if isScalar(d.peek().kind) {
		name.DefaultValue = d.str()
		return name
	}
	for k := range d.object() {
		switch k {
		case "defaultValue":
			name.DefaultValue = d.str()
		case "i18nValue":
			for k := range d.object() {
				if name.I18nValue == nil {
					name.I18nValue = map[string]string{}
				}
				if len(name.I18nValue) >= MaxLocales {
					refuse()
				}
				name.I18nValue[k] = d.str()
			}
		default:
			refuse()
		}
	}
	return name
}

func (d *fastWalker) dataResource() ManifestDataResource {
	var r ManifestDataResource
	for k := range d.object() {
		switch k {
		case "resourceCode":
			r.ResourceCode = d.str()
		case "resourceName":
			r.ResourceName = d.str()
		case "description":
			r.Description = d.str()
		case "type":
			r.Type = DataType(d.str())
		case "struct":
			r.Struct = d.structOf()
		case "actions":
			r.Actions = d.strings(walkListMax)
		default:
			refuse()
		}
	}
	return r
}

func (d *fastWalker) structOf() Struct {
	switch e := d.peek(); {
	case e.kind == evNull:
		d.i++
		return Struct{}
	case isScalar(e.kind):
		return Struct{String: d.str()}
	case e.kind != evSeq:
		refuse()
	}
	switch first := d.ev[d.i+1].kind; {
	case first == evEnd:
		d.i += 2
		return Struct{Array: []string{}}
	case isScalar(first):
		return Struct{Array: d.strings(walkListMax)}
	}
	count := 0
	return Struct{Tree: d.nodes(&count)}
}

func (d *fastWalker) nodes(count *int) Tree {
	out := Tree{}
	for range d.list(walkTreeMax) {
		if *count++; *count > walkTreeMax {
			refuse()
		}
		var t TreeNode
		for k := range d.object() {
			switch k {
			case "code":
				t.Code = d.str()
			case "name":
				t.Name = d.str()
			case "value":
				t.Value = d.str()
			case "children":
				if c := d.nodes(count); len(c) > 0 {
					t.Children = c
				}
			default:
				refuse()
			}
		}
		out = append(out, t)
	}
	return out
}

func (d *fastWalker) grant() AuthorizeItem {
	var it AuthorizeItem
	for k := range d.object() {
		switch k {
		case "targetType":
			it.TargetType = d.str()
		case "targetIdentifiers":
			it.TargetIdentifiers = d.strings(walkListMax)
		case "resources":
			for range d.list(walkListMax) {
				var ra ResourceActions
				for k := range d.object() {
					switch k {
					case "code":
						ra.Code = d.str()
					case "actions":
						ra.Actions = d.strings(walkListMax)
					case "resourceType":
						ra.ResourceType = d.str()
					case "effect":
						ra.Effect = Effect(d.str())
					default:
						refuse()
					}
				}
				it.Resources = append(it.Resources, ra)
			}
		default:
			refuse()
		}
	}
	return it
}

func (d *fastWalker) policy() ManifestDataPolicy {
	var pol ManifestDataPolicy
	for k := range d.object() {
		switch k {
		case "policyName":
			pol.PolicyName = d.str()
		case "description":
			pol.Description = d.str()
		case "statementList":
			for range d.list(walkListMax) {
				var st Statement
				for k := range d.object() {
					switch k {
					case "effect":
						st.Effect = Effect(d.str())
					case "permissions":
						st.Permissions = d.strings(walkListMax)
					default:
						refuse()
					}
				}
				pol.StatementList = append(pol.StatementList, st)
			}
		case "targetList":
			for range d.list(walkListMax) {
				var t Target
				for k := range d.object() {
					switch k {
					case "id":
						t.ID = d.str()
					case "type":
						t.Type = d.str()
					case "name":
						t.Name = d.str()
					default:
						refuse()
					}
				}
				pol.TargetList = append(pol.TargetList, t)
			}
		default:
			refuse()
		}
	}
	return pol
}

func (d *fastWalker) subject() Subject {
	var s Subject
	for k := range d.object() {
		switch k {
		case "type":
			s.Type = d.str()
		case "id":
			s.ID = d.str()
		default:
			refuse()
		}
	}
	return s
}

func (d *fastWalker) membership() ManifestMembership {
	var m ManifestMembership
	for k := range d.object() {
		switch k {
		case "parent":
			m.Parent = d.subject()
		case "members":
			for range d.list(walkListMax) {
				m.Members = append(m.Members, d.subject())
			}
		default:
			refuse()
		}
	}
	return m
}
