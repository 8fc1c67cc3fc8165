package store

import "time"

// DefaultNamespace is the namespace used when none is given. Every store
// creates it when it is set up, and it cannot be deleted.
const DefaultNamespace = "default"

// Namespace groups resources: Authing's permission space, EnOS's
// organisation unit (orgId).
type Namespace struct {
	Code        string    `json:"code"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}
