package permindex_test

import (
	"fmt"

	"github.com/resreg/resreg/permindex"
)

func Example() {
	ix := permindex.New()
	admins := permindex.Subject{Type: "ROLE", ID: "admins"}
	ix.Update(func(w *permindex.Writer) {
		w.ReplaceNamespace("app", permindex.NamespaceRecords{
			Resources: []permindex.Resource{{Code: "books", Type: "API", Actions: []string{"read", "write"}}},
			Grants:    []permindex.Grant{{Subject: admins, Resource: "*", Action: "*", Effect: permindex.Allow}},
		})
		w.AddMemberships(permindex.Membership{Parent: admins, Member: permindex.Subject{Type: "USER", ID: "ann"}})
	})
	ann := permindex.Principal{UserID: "ann"}
	fmt.Println(ix.IsActionAllowed(ann, "app", "books", "write"))
	fmt.Println(ix.ExplainActionAllowed(ann, "app", "books", "delete").Reason)
	fmt.Println(ix.ExplainActionAllowed(ann, "app", "books", "read").Reason)
	// Output:
	// true
	// no such action
	// allowed by ALLOW app/*/* held by ROLE:admins via USER:ann
}
