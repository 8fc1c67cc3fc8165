package resreg

import (
	"errors"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/resreg/resreg/store"
)

// checkManifest checks m by the rules of the calls that would write each
// record, with r's limits, and that no record is declared twice. Errors
// are *ManifestError, positioned when m was decoded from text.
func (r *Registry) checkManifest(m Manifest) error {
	if err := r.checkManifestRecords(m); err != nil {
		return m.errorAt(err)
	}
	return nil
}

// errorAt wraps a validation error in a *ManifestError with the position
// of its field in m's document, if m was decoded from one. The document is
// parsed again, with the node tree that names positions: an error is the
// rare case, and a Manifest keeps only its text.
func (m Manifest) errorAt(err error) error {
	var doc *yaml.Node
	if m.src != "" {
		doc, _ = parseDocument([]byte(m.src))
	}
	return errorIn(err, doc)
}

// errorIn wraps a validation error in a *ManifestError with the position
// of its field in doc (none when doc is nil).
func errorIn(err error, doc *yaml.Node) error {
	var me *ManifestError
	if errors.As(err, &me) {
		return err
	}
	var se *Error
	if !errors.As(err, &se) {
		return err
	}
	out := &ManifestError{Err: se}
	if n := locate(doc, se.Field); n != nil {
		out.Line, out.Column = n.Line, n.Column
	}
	return out
}

func (r *Registry) checkManifestRecords(m Manifest) error {
	if err := checkBound("namespaces", len(m.Namespaces), MaxManifestNamespaces); err != nil {
		return err
	}
	if err := checkBound("dataPolicies", len(m.DataPolicies), MaxManifestDataPolicies); err != nil {
		return err
	}
	if err := checkBound("memberships", len(m.Memberships), MaxManifestMemberships); err != nil {
		return err
	}
	nsSeen := make(map[string]int, len(m.Namespaces))
	resources, dataResources := 0, 0
	for i := range m.Namespaces {
		ns := &m.Namespaces[i]
		at := index("namespaces", i)
		resources += len(ns.Resources)
		if resources > MaxManifestResources {
			return store.Invalid(join(at, "resources"), "a manifest holds at most "+strconv.Itoa(MaxManifestResources)+" resources")
		}
		dataResources += len(ns.DataResources)
		if dataResources > MaxManifestDataResources {
			return store.Invalid(join(at, "dataResources"), "a manifest holds at most "+strconv.Itoa(MaxManifestDataResources)+" data resources")
		}
		if err := checkCode(join(at, "code"), ns.Code); err != nil {
			return err
		}
		if j, dup := nsSeen[ns.Code]; dup {
			return store.Invalid(join(at, "code"), "repeats the code of namespaces["+strconv.Itoa(j)+"]: "+strconv.Quote(ns.Code))
		}
		nsSeen[ns.Code] = i
		if err := checkNamespaceText(ns.Name, ns.Description); err != nil {
			return under(at, err)
		}
		if err := r.checkManifestResources(at, ns); err != nil {
			return err
		}
		if err := r.checkManifestDataResources(at, ns); err != nil {
			return err
		}
		if len(ns.Grants) > 0 {
			if _, _, err := r.expandGrants(AuthorizeResourcesInput{Namespace: ns.Code, List: ns.Grants}); err != nil {
				return rebase(err, "list", join(at, "grants"))
			}
		}
	}
	if err := r.checkManifestPolicies(m.DataPolicies); err != nil {
		return err
	}
	return r.checkManifestMemberships(m.Memberships)
}

func (r *Registry) checkManifestResources(at string, ns *ManifestNamespace) error {
	codes := make(map[string]int, len(ns.Resources))
	ids := map[string]int{}
	prefix := join(at, "resources")
	for i := range ns.Resources {
		mr := &ns.Resources[i]
		it := itemAt(prefix, i)
		res := mr.resource(ns.Code)
		if err := r.checkResource(it, &res, false); err != nil {
			return err
		}
		if j, dup := codes[mr.Code]; dup {
			return store.Invalid(it.field("code"), "repeats the code of "+index(prefix, j)+": "+strconv.Quote(mr.Code))
		}
		codes[mr.Code] = i
		if mr.ID == "" {
			continue
		}
		if err := checkCode(it.field("id"), mr.ID); err != nil {
			return err
		}
		if j, dup := ids[mr.ID]; dup {
			return store.Invalid(it.field("id"), "repeats the id of "+index(prefix, j)+": "+strconv.Quote(mr.ID))
		}
		ids[mr.ID] = i
	}
	return nil
}

func (r *Registry) checkManifestDataResources(at string, ns *ManifestNamespace) error {
	codes := make(map[string]int, len(ns.DataResources))
	names := make(map[string]int, len(ns.DataResources))
	prefix := join(at, "dataResources")
	for i := range ns.DataResources {
		md := &ns.DataResources[i]
		f := index(prefix, i)
		d := md.dataResource(ns.Code)
		if err := r.checkDataResource(&d); err != nil {
			return under(f, err)
		}
		if j, dup := codes[md.ResourceCode]; dup {
			return store.Invalid(join(f, "resourceCode"), "repeats the code of "+index(prefix, j)+": "+strconv.Quote(md.ResourceCode))
		}
		codes[md.ResourceCode] = i
		if j, dup := names[md.ResourceName]; dup {
			return store.Invalid(join(f, "resourceName"), "repeats the name of "+index(prefix, j)+": "+strconv.Quote(md.ResourceName))
		}
		names[md.ResourceName] = i
	}
	return nil
}

func (r *Registry) checkManifestPolicies(list []ManifestDataPolicy) error {
	names := make(map[string]int, len(list))
	for i := range list {
		p := &list[i]
		at := index("dataPolicies", i)
		if err := checkText(join(at, "policyName"), p.PolicyName, MaxNameLen, true); err != nil {
			return err
		}
		if j, dup := names[p.PolicyName]; dup {
			return store.Invalid(join(at, "policyName"), "repeats the name of dataPolicies["+strconv.Itoa(j)+"]: "+strconv.Quote(p.PolicyName))
		}
		names[p.PolicyName] = i
		if err := checkText(join(at, "description"), p.Description, MaxDescriptionLen, false); err != nil {
			return err
		}
		if err := r.checkStatementSyntax(p.StatementList); err != nil {
			return under(at, err)
		}
		if len(p.TargetList) > 0 {
			if _, err := r.checkTargets(p.TargetList); err != nil {
				return under(at, err)
			}
		}
	}
	return nil
}

// checkStatementSyntax applies the syntax rules of checkStatements, the
// ones that need no store: existence is for the write to check, as the
// data resources a manifest declares may not exist yet.
func (r *Registry) checkStatementSyntax(list []Statement) error {
	if len(list) == 0 {
		return store.Invalid("statementList", "is required")
	}
	if err := checkBound("statementList", len(list), r.limits.MaxPolicyStatements); err != nil {
		return err
	}
	for i, st := range list {
		field := index("statementList", i)
		if err := checkEffect(join(field, "effect"), st.Effect, true); err != nil {
			return err
		}
		perms := join(field, "permissions")
		if len(st.Permissions) == 0 {
			return store.Invalid(perms, "is required")
		}
		if err := checkBound(perms, len(st.Permissions), r.limits.MaxPolicyPermissions); err != nil {
			return err
		}
		if err := checkList(perms, st.Permissions, func(f, text string) error {
			_, err := parsePermission(f, text, r.limits.MaxTreeDepth)
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

func (r *Registry) checkManifestMemberships(list []ManifestMembership) error {
	seen := map[[2]Subject]bool{}
	for i, m := range list {
		at := index("memberships", i)
		if err := r.checkMembership(m.Parent, m.Members); err != nil {
			return under(at, err)
		}
		if m.Parent.Type == SubjectUser {
			return store.Invalid(join(at, "parent"), "a USER cannot have members")
		}
		if len(m.Members) == 0 {
			return store.Invalid(join(at, "members"), "is required")
		}
		for k, s := range m.Members {
			if s == m.Parent {
				return store.Invalid(index(join(at, "members"), k), "is the parent itself")
			}
			key := [2]Subject{m.Parent, s}
			if seen[key] {
				return store.Invalid(index(join(at, "members"), k), "repeats the membership of "+s.String()+" in "+m.Parent.String())
			}
			seen[key] = true
		}
	}
	return nil
}

// resource is the record mr declares in namespace ns, without ID or times.
func (mr *ManifestResource) resource(ns string) Resource {
	return Resource{ID: mr.ID, Namespace: ns, Code: mr.Code, Type: mr.Type, Name: mr.Name, Description: mr.Description,
		Actions: mr.Actions, APIIdentifier: mr.APIIdentifier, LinkedToTenant: mr.LinkedToTenant}
}

// dataResource is the record md declares in namespace ns, without times.
func (md *ManifestDataResource) dataResource(ns string) DataResource {
	return DataResource{NamespaceCode: ns, ResourceCode: md.ResourceCode, ResourceName: md.ResourceName, Description: md.Description,
		Type: md.Type, Struct: md.Struct, Actions: md.Actions}
}

// under prefixes the field of a validation error with prefix.
func under(prefix string, err error) error {
	var se *Error
	if !errors.As(err, &se) {
		return err
	}
	out := *se
	out.Field = join(prefix, se.Field)
	return &out
}

// rebase replaces the leading from of a validation error's field with to.
func rebase(err error, from, to string) error {
	var se *Error
	if !errors.As(err, &se) {
		return err
	}
	out := *se
	if rest, ok := strings.CutPrefix(se.Field, from); ok {
		out.Field = to + rest
	}
	return &out
}

// locate returns the node of root at a field path such as
// `namespaces[0].resources[3].name.i18nValue["zh_CN"]`, or the deepest
// node on the way when the path goes on past the document (a required
// field that is missing is reported at its record). It returns nil for a
// nil root.
func locate(root *yaml.Node, path string) *yaml.Node {
	n := value(root)
	if n == nil {
		return nil
	}
	for _, step := range pathSteps(path) {
		next := stepInto(n, step)
		if next == nil {
			return n
		}
		n = next
	}
	return n
}

// stepInto follows one path step: a mapping key, or a list index written
// as "[3]". For a mapping it returns the key node when the step is the
// last word on that key, so that an unknown or repeated key is pointed at.
func stepInto(n *yaml.Node, step string) *yaml.Node {
	n = value(n)
	if n == nil {
		return nil
	}
	if strings.HasPrefix(step, "[") {
		i, err := strconv.Atoi(strings.Trim(step, "[]"))
		if err != nil {
			// A quoted key names the key itself (a locale key that is not
			// one): point at the key, not its value.
			key, uerr := strconv.Unquote(strings.Trim(step, "[]"))
			if uerr != nil || n.Kind != yaml.MappingNode {
				return nil
			}
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == key {
					return n.Content[i]
				}
			}
			return nil
		}
		if n.Kind != yaml.SequenceNode || i < 0 || i >= len(n.Content) {
			return nil
		}
		return n.Content[i]
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == step {
			return n.Content[i+1]
		}
	}
	return nil
}

// pathSteps splits `a[0].b["x.y"]` into "a", "[0]", "b", `["x.y"]`.
func pathSteps(path string) []string {
	var out []string
	for len(path) > 0 {
		switch path[0] {
		case '.':
			path = path[1:]
		case '[':
			end := strings.IndexByte(path, ']')
			if strings.HasPrefix(path, `["`) {
				if q := strings.Index(path, `"]`); q > 0 {
					end = q + 1
				}
			}
			if end < 0 {
				return append(out, path)
			}
			out = append(out, path[:end+1])
			path = path[end+1:]
		default:
			end := strings.IndexAny(path, ".[")
			if end < 0 {
				end = len(path)
			}
			out = append(out, path[:end])
			path = path[end:]
		}
	}
	return out
}
