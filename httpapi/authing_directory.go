package httpapi

import (
	"context"
	"encoding/json"
	"time"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/store"
)

// The directory endpoints: users, roles (one namespace each) and groups,
// mapped onto subjects and memberships as the resreg package documents
// (see resreg.RoleID).
func (h *handler) directoryRoutes() {
	h.authing("POST /api/v3/create-user", h.createUser)
	h.authing("GET /api/v3/get-user", h.getUser)
	h.authing("POST /api/v3/delete-users-batch", h.deleteUsers)
	h.authing("POST /api/v3/create-role", h.createRole)
	h.authing("POST /api/v3/assign-role", h.assignRole(true))
	h.authing("POST /api/v3/revoke-role", h.assignRole(false))
	h.authing("POST /api/v3/delete-roles-batch", h.deleteRoles)
	h.authing("POST /api/v3/create-group", h.createGroup)
	h.authing("POST /api/v3/add-group-members", h.groupMembers(true))
	h.authing("POST /api/v3/remove-group-members", h.groupMembers(false))
	h.authing("POST /api/v3/delete-groups-batch", h.deleteGroups)
}

// userProfile is the part of CreateUserReqDto kept as a user's attributes
// and returned in UserDto; passwords and the rest are not kept.
type userProfile struct {
	Email            string `json:"email,omitempty"`
	Phone            string `json:"phone,omitempty"`
	PhoneCountryCode string `json:"phoneCountryCode,omitempty"`
	Username         string `json:"username,omitempty"`
	ExternalID       string `json:"externalId,omitempty"`
	Nickname         string `json:"nickname,omitempty"`
	Photo            string `json:"photo,omitempty"`
	Gender           string `json:"gender,omitempty"`
	Status           string `json:"status,omitempty"`
}

type createUserDTO struct {
	userProfile
	Name string `json:"name,omitempty"`
}

// userDTO is UserDto with the fields resreg keeps; the required ones it
// has no notion of take Authing's defaults for a user created by an
// administrator.
type userDTO struct {
	UserID string `json:"userId"`
	userProfile
	Name           string    `json:"name,omitempty"`
	CreatedAt      time.Time `json:"createdAt"`
	UpdatedAt      time.Time `json:"updatedAt"`
	WorkStatus     string    `json:"workStatus"`
	EmailVerified  bool      `json:"emailVerified"`
	PhoneVerified  bool      `json:"phoneVerified"`
	UserSourceType string    `json:"userSourceType"`
}

func toUserDTO(e resreg.DirectoryEntry) userDTO {
	out := userDTO{UserID: e.Subject.ID, Name: e.Name, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt,
		WorkStatus: "Active", UserSourceType: "adminCreated"}
	if len(e.Attributes) > 0 {
		_ = json.Unmarshal(e.Attributes, &out.userProfile) // written by createUser from the same struct
	}
	if out.Status == "" {
		out.Status = "Activated"
	}
	if out.Gender == "" {
		out.Gender = "U"
	}
	return out
}

func (h *handler) createUser(ctx context.Context, req *authingRequest) (any, error) {
	var in createUserDTO
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	attrs, err := json.Marshal(in.userProfile)
	if err != nil {
		return nil, err
	}
	if string(attrs) == "{}" {
		attrs = nil
	}
	u, err := h.reg.CreateUser(ctx, resreg.UserInput{Name: in.Name, Attributes: attrs})
	if err != nil {
		return nil, err
	}
	return toUserDTO(u), nil
}

func (h *handler) getUser(ctx context.Context, req *authingRequest) (any, error) {
	if t := req.str("userIdType"); t != "" && t != "user_id" {
		return nil, store.Invalid("userIdType", "only user_id is supported, got "+t)
	}
	u, err := h.reg.GetUser(ctx, req.str("userId"))
	if err != nil {
		return nil, err
	}
	return toUserDTO(u), nil
}

func (h *handler) deleteUsers(ctx context.Context, req *authingRequest) (any, error) {
	var in struct {
		UserIDs []string `json:"userIds"`
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	if err := h.reg.DeleteUsers(ctx, in.UserIDs); err != nil {
		return nil, err
	}
	return successDTO{Success: true}, nil
}

// roleDTO is RoleDto; id is the role's subject ID (resreg.RoleID), the
// identifier policy targets and grants name it by.
type roleDTO struct {
	ID            string `json:"id"`
	Code          string `json:"code"`
	Name          string `json:"name"`
	Description   string `json:"description"`
	Namespace     string `json:"namespace"`
	NamespaceName string `json:"namespaceName"`
	Status        string `json:"status"`
}

func (h *handler) createRole(ctx context.Context, req *authingRequest) (any, error) {
	var in resreg.RoleInput
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	role, err := h.reg.CreateRole(ctx, in)
	if err != nil {
		return nil, err
	}
	ns, err := h.reg.GetNamespace(ctx, role.Namespace)
	if err != nil {
		return nil, err
	}
	return roleDTO{ID: role.Subject.ID, Code: in.Code, Name: role.Name, Description: in.Description,
		Namespace: ns.Code, NamespaceName: ns.Name, Status: "ENABLE"}, nil
}

// targetDTO is TargetDto, who a role is assigned to.
type targetDTO struct {
	TargetType       string `json:"targetType"`
	TargetIdentifier string `json:"targetIdentifier"`
}

func (h *handler) assignRole(assign bool) authingFunc {
	return func(ctx context.Context, req *authingRequest) (any, error) {
		var in struct {
			Targets   []targetDTO `json:"targets"`
			Code      string      `json:"code"`
			Namespace string      `json:"namespace"`
		}
		if err := req.decode(&in); err != nil {
			return nil, err
		}
		if len(in.Targets) == 0 {
			return nil, store.Invalid("targets", "is required")
		}
		targets := make([]resreg.Subject, len(in.Targets))
		for i, t := range in.Targets {
			targets[i] = resreg.Subject{Type: t.TargetType, ID: t.TargetIdentifier}
		}
		var err error
		if assign {
			err = h.reg.AssignRole(ctx, in.Namespace, in.Code, targets...)
		} else {
			err = h.reg.RevokeRole(ctx, in.Namespace, in.Code, targets...)
		}
		if err != nil {
			return nil, err
		}
		return successDTO{Success: true}, nil
	}
}

func (h *handler) deleteRoles(ctx context.Context, req *authingRequest) (any, error) {
	var in struct {
		CodeList  []string `json:"codeList"`
		Namespace string   `json:"namespace"`
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	if err := h.reg.DeleteRoles(ctx, in.Namespace, in.CodeList); err != nil {
		return nil, err
	}
	return successDTO{Success: true}, nil
}

// groupDTO is GroupDto; a new group has no members yet.
type groupDTO struct {
	ID             string    `json:"id"`
	Code           string    `json:"code"`
	Name           string    `json:"name"`
	Description    string    `json:"description"`
	Type           string    `json:"type"`
	MetadataSource []string  `json:"metadataSource"`
	Members        []userDTO `json:"members"`
}

func (h *handler) createGroup(ctx context.Context, req *authingRequest) (any, error) {
	var in resreg.GroupInput
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	g, err := h.reg.CreateGroup(ctx, in)
	if err != nil {
		return nil, err
	}
	return groupDTO{ID: g.Subject.ID, Code: g.Subject.ID, Name: g.Name, Description: in.Description, Type: in.Type,
		MetadataSource: []string{}, Members: []userDTO{}}, nil
}

func (h *handler) groupMembers(add bool) authingFunc {
	return func(ctx context.Context, req *authingRequest) (any, error) {
		var in struct {
			UserIDs []string `json:"userIds"`
			Code    string   `json:"code"`
		}
		if err := req.decode(&in); err != nil {
			return nil, err
		}
		var err error
		if add {
			err = h.reg.AddGroupMembers(ctx, in.Code, in.UserIDs...)
		} else {
			err = h.reg.RemoveGroupMembers(ctx, in.Code, in.UserIDs...)
		}
		if err != nil {
			return nil, err
		}
		return successDTO{Success: true}, nil
	}
}

func (h *handler) deleteGroups(ctx context.Context, req *authingRequest) (any, error) {
	var in struct {
		CodeList []string `json:"codeList"`
	}
	if err := req.decode(&in); err != nil {
		return nil, err
	}
	if err := h.reg.DeleteGroups(ctx, in.CodeList); err != nil {
		return nil, err
	}
	return successDTO{Success: true}, nil
}
