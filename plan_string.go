package resreg

import (
	"strconv"
	"strings"
)

// planSymbols are the diff marks of each operation.
var planSymbols = map[PlanOp]string{PlanCreate: "+", PlanUpdate: "~", PlanDelete: "-"}

// String renders the plan as a readable diff: a summary line, then one
// line per change ("+" create, "~" update, "-" delete) naming the kind and
// the record, and under each update one line per changed field with its
// old and new values in JSON.
func (p Plan) String() string {
	var b strings.Builder
	if p.Empty() {
		b.WriteString("No changes: the registry matches the manifest (at change " + strconv.FormatInt(p.Seq, 10) + ").\n")
		return b.String()
	}
	c, u, d := p.Counts()
	b.WriteString("Plan at change " + strconv.FormatInt(p.Seq, 10) + ": " + strconv.Itoa(c) + " to create, " +
		strconv.Itoa(u) + " to update, " + strconv.Itoa(d) + " to delete.\n\n")
	for _, ch := range p.Changes {
		b.WriteString(planSymbols[ch.Op])
		b.WriteByte(' ')
		b.WriteString(ch.Kind)
		b.WriteByte(' ')
		b.WriteString(ch.Record())
		b.WriteByte('\n')
		for _, f := range ch.Fields {
			b.WriteString("    " + f.Field + ": " + f.Old + " -> " + f.New + "\n")
		}
	}
	return b.String()
}

// Record names the changed record: "namespace/key" for the records of a
// namespace, the key alone for namespaces and registry-wide records.
func (c PlanChange) Record() string {
	if c.Namespace == "" || c.Kind == "namespace" {
		return c.Key
	}
	return c.Namespace + "/" + c.Key
}
