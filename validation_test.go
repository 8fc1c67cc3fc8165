package resreg_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
	"github.com/resreg/resreg/store"
	"github.com/resreg/resreg/store/storetest"
)

// seedFixture fills a registry with the records the bad-input cases collide
// with or update.
func seedFixture(t *testing.T, reg *resreg.Registry) {
	t.Helper()
	ctx := context.Background()
	_, err := reg.CreateNamespace(ctx, resreg.Namespace{Code: "ns1", Name: "One"})
	require.NoError(t, err)
	_, err = reg.CreateResource(ctx, resreg.CreateResourceInput{
		Type: resreg.TypeAPI, Code: "existing", Name: resreg.Name("Existing"),
		Actions: []resreg.Action{{Name: "read", Description: "Read"}},
	})
	require.NoError(t, err)
	_, err = reg.CreateDataResource(ctx, resreg.CreateDataResourceInput{
		NamespaceCode: "default", ResourceCode: "dr", ResourceName: "Data", Type: resreg.DataTree,
		Struct: resreg.TreeStruct(resreg.Node("a", "A", "")), Actions: []string{"get"},
	})
	require.NoError(t, err)
	_, err = reg.CreateDataResource(ctx, resreg.CreateDataResourceInput{
		NamespaceCode: "default", ResourceCode: "dr2", ResourceName: "Data 2", Type: resreg.DataString,
		Struct: resreg.StringStruct("x"), Actions: []string{"get"},
	})
	require.NoError(t, err)
}

// Builders for valid inputs that each case then breaks in one place.
func okResource() resreg.CreateResourceInput {
	return resreg.CreateResourceInput{
		Type: resreg.TypeAPI, Code: "fresh", Name: resreg.Name("Fresh"),
		Actions: []resreg.Action{{Name: "a:read", Description: "Read"}},
	}
}

func okRegister(n int) resreg.RegisterInput {
	in := resreg.RegisterInput{Type: "t1"}
	for i := range n {
		in.Resources = append(in.Resources, resreg.RegisterItem{
			Code: "reg" + strconv.Itoa(i),
			Name: resreg.I18nName{DefaultValue: "R", I18nValue: map[string]string{"zh_CN": "资源"}},
		})
	}
	return in
}

func okData(typ resreg.DataType) resreg.CreateDataResourceInput {
	in := resreg.CreateDataResourceInput{NamespaceCode: "default", ResourceCode: "newdr", ResourceName: "New", Type: typ, Actions: []string{"get"}}
	switch typ {
	case resreg.DataString:
		in.Struct = resreg.StringStruct("/x")
	case resreg.DataArray:
		in.Struct = resreg.ArrayStruct("a", "b")
	default:
		in.Struct = resreg.TreeStruct(resreg.Node("a", "A", "1", resreg.Node("b", "B", "2")))
	}
	return in
}

// chain builds a tree depth levels deep.
func chain(depth int) resreg.Tree {
	root := resreg.Node("n1", "N1", "")
	for i := depth; i > 1; i-- {
		root = resreg.Node("n"+strconv.Itoa(i), "N", "", root)
	}
	return resreg.Tree{root}
}

// wide builds a tree of n roots.
func wide(n int) resreg.Tree {
	t := make(resreg.Tree, n)
	for i := range t {
		t[i] = resreg.Node("c"+strconv.Itoa(i), "N"+strconv.Itoa(i), "")
	}
	return t
}

func ptr[T any](v T) *T { return &v }

type badCase struct {
	name  string
	op    func(ctx context.Context, reg *resreg.Registry) error
	want  error
	field string
}

func resourceCase(name string, mutate func(*resreg.CreateResourceInput), want error, field string) badCase {
	return badCase{name, func(ctx context.Context, reg *resreg.Registry) error {
		in := okResource()
		mutate(&in)
		_, err := reg.CreateResource(ctx, in)
		return err
	}, want, field}
}

func registerCase(name string, n int, mutate func(*resreg.RegisterInput), want error, field string) badCase {
	return badCase{name, func(ctx context.Context, reg *resreg.Registry) error {
		in := okRegister(n)
		mutate(&in)
		_, err := reg.RegisterResources(ctx, in)
		return err
	}, want, field}
}

func dataCase(name string, typ resreg.DataType, mutate func(*resreg.CreateDataResourceInput), want error, field string) badCase {
	return badCase{name, func(ctx context.Context, reg *resreg.Registry) error {
		in := okData(typ)
		mutate(&in)
		_, err := reg.CreateDataResource(ctx, in)
		return err
	}, want, field}
}

func badCases() []badCase {
	actions := func(n int) []resreg.Action {
		out := make([]resreg.Action, n)
		for i := range out {
			out[i] = resreg.Action{Name: "act" + strconv.Itoa(i), Description: "d"}
		}
		return out
	}
	strs := func(prefix string, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = prefix + strconv.Itoa(i)
		}
		return out
	}
	long := strings.Repeat("a", resreg.MaxCodeLen+1)
	inv, nf, conf := resreg.ErrInvalid, resreg.ErrNamespaceNotFound, resreg.ErrConflict
	return []badCase{
		// createResource (seed 000)
		resourceCase("missing type", func(in *resreg.CreateResourceInput) { in.Type = "" }, inv, "type"),
		resourceCase("type with space", func(in *resreg.CreateResourceInput) { in.Type = "my type" }, inv, "type"),
		resourceCase("missing code", func(in *resreg.CreateResourceInput) { in.Code = "" }, inv, "code"),
		resourceCase("code with space", func(in *resreg.CreateResourceInput) { in.Code = "a b" }, inv, "code"),
		resourceCase("code with slash", func(in *resreg.CreateResourceInput) { in.Code = "a/b" }, inv, "code"),
		resourceCase("code non-ASCII", func(in *resreg.CreateResourceInput) { in.Code = "服务器" }, inv, "code"),
		resourceCase("code starts with dash", func(in *resreg.CreateResourceInput) { in.Code = "-a" }, inv, "code"),
		resourceCase("code 129 characters", func(in *resreg.CreateResourceInput) { in.Code = long }, inv, "code"),
		resourceCase("code taken", func(in *resreg.CreateResourceInput) { in.Code = "existing" }, conf, "code"),
		resourceCase("name invalid UTF-8", func(in *resreg.CreateResourceInput) { in.Name = resreg.Name("a\xffb") }, inv, "name.defaultValue"),
		resourceCase("name too long", func(in *resreg.CreateResourceInput) { in.Name = resreg.Name(strings.Repeat("é", resreg.MaxNameLen+1)) }, inv, "name.defaultValue"),
		resourceCase("name with NUL", func(in *resreg.CreateResourceInput) { in.Name = resreg.Name("a\x00") }, inv, "name.defaultValue"),
		resourceCase("bad locale key", func(in *resreg.CreateResourceInput) {
			in.Name.I18nValue = map[string]string{"zh CN": "x"}
		}, inv, `name.i18nValue["zh CN"]`),
		resourceCase("locale key one letter", func(in *resreg.CreateResourceInput) {
			in.Name.I18nValue = map[string]string{"z": "x"}
		}, inv, `name.i18nValue["z"]`),
		resourceCase("same locale twice", func(in *resreg.CreateResourceInput) {
			in.Name.I18nValue = map[string]string{"zh_CN": "x", "zh-cn": "y"}
		}, inv, "name.i18nValue.zh_CN"),
		resourceCase("empty translation", func(in *resreg.CreateResourceInput) {
			in.Name.I18nValue = map[string]string{"en_US": " "}
		}, inv, "name.i18nValue.en_US"),
		resourceCase("description invalid UTF-8", func(in *resreg.CreateResourceInput) { in.Description = "\xc3\x28" }, inv, "description"),
		resourceCase("description too long", func(in *resreg.CreateResourceInput) {
			in.Description = strings.Repeat("d", resreg.MaxDescriptionLen+1)
		}, inv, "description"),
		resourceCase("101 actions", func(in *resreg.CreateResourceInput) { in.Actions = actions(101) }, inv, "actions"),
		resourceCase("duplicate action names", func(in *resreg.CreateResourceInput) {
			in.Actions = []resreg.Action{{Name: "a", Description: "x"}, {Name: "b", Description: "y"}, {Name: "a", Description: "z"}}
		}, inv, "actions[2].name"),
		resourceCase("action without name", func(in *resreg.CreateResourceInput) { in.Actions[0].Name = "" }, inv, "actions[0].name"),
		resourceCase("action without description", func(in *resreg.CreateResourceInput) { in.Actions[0].Description = "" }, inv, "actions[0].description"),
		resourceCase("action name with a leading space", func(in *resreg.CreateResourceInput) { in.Actions[0].Name = " ecs Start" }, inv, "actions[0].name"),
		resourceCase("action name with a trailing tab", func(in *resreg.CreateResourceInput) { in.Actions[0].Name = "ecs Start\t" }, inv, "actions[0].name"),
		resourceCase("action name with /", func(in *resreg.CreateResourceInput) { in.Actions[0].Name = "ecs/Start" }, inv, "actions[0].name"),
		resourceCase("action name with *", func(in *resreg.CreateResourceInput) { in.Actions[0].Name = "ecs:*" }, inv, "actions[0].name"),
		resourceCase("action name with a control character", func(in *resreg.CreateResourceInput) { in.Actions[0].Name = "ecs\x7fStart" }, inv, "actions[0].name"),
		resourceCase("blank action name", func(in *resreg.CreateResourceInput) { in.Actions[0].Name = "\u3000" }, inv, "actions[0].name"),
		resourceCase("action name of 129 characters", func(in *resreg.CreateResourceInput) { in.Actions[0].Name = strings.Repeat("名", 129) }, inv, "actions[0].name"),
		resourceCase("action name not UTF-8", func(in *resreg.CreateResourceInput) { in.Actions[0].Name = "a\xffb" }, inv, "actions[0].name"),
		resourceCase("apiIdentifier relative", func(in *resreg.CreateResourceInput) { in.APIIdentifier = "/api" }, inv, "apiIdentifier"),
		resourceCase("apiIdentifier ftp", func(in *resreg.CreateResourceInput) { in.APIIdentifier = "ftp://x.com/api" }, inv, "apiIdentifier"),
		resourceCase("apiIdentifier without host", func(in *resreg.CreateResourceInput) { in.APIIdentifier = "https:///api" }, inv, "apiIdentifier"),
		resourceCase("apiIdentifier with space", func(in *resreg.CreateResourceInput) { in.APIIdentifier = "https://x.com/a b" }, inv, "apiIdentifier"),
		resourceCase("unknown namespace", func(in *resreg.CreateResourceInput) { in.Namespace = "nope" }, nf, "namespace"),
		resourceCase("namespace with space", func(in *resreg.CreateResourceInput) { in.Namespace = "a b" }, inv, "namespace"),

		// batch create
		{"batch: second item bad", func(ctx context.Context, reg *resreg.Registry) error {
			b := okResource()
			b.Code = "fresh2"
			b.Type = ""
			_, err := reg.CreateResources(ctx, []resreg.CreateResourceInput{okResource(), b})
			return err
		}, inv, "[1].type"},
		{"batch: duplicate codes", func(ctx context.Context, reg *resreg.Registry) error {
			_, err := reg.CreateResources(ctx, []resreg.CreateResourceInput{okResource(), okResource()})
			return err
		}, conf, "[1].code"},
		{"batch: one code taken", func(ctx context.Context, reg *resreg.Registry) error {
			b := okResource()
			b.Code = "existing"
			_, err := reg.CreateResources(ctx, []resreg.CreateResourceInput{okResource(), b})
			return err
		}, conf, "[1].code"},
		{"batch: 1001 items", func(ctx context.Context, reg *resreg.Registry) error {
			in := make([]resreg.CreateResourceInput, 1001)
			for i := range in {
				in[i] = okResource()
				in[i].Code = "b" + strconv.Itoa(i)
			}
			_, err := reg.CreateResources(ctx, in)
			return err
		}, inv, "[1000]"},

		// EnOS register (seed 004)
		registerCase("register: missing type", 2, func(in *resreg.RegisterInput) { in.Type = "" }, inv, "type"),
		registerCase("register: no resources", 0, func(*resreg.RegisterInput) {}, inv, "resources"),
		registerCase("register: 1001 items", 1001, func(*resreg.RegisterInput) {}, inv, "resources"),
		registerCase("register: empty defaultValue", 3, func(in *resreg.RegisterInput) { in.Resources[2].Name.DefaultValue = "" }, inv, "resources[2].name.defaultValue"),
		registerCase("register: blank defaultValue", 3, func(in *resreg.RegisterInput) { in.Resources[1].Name.DefaultValue = "  " }, inv, "resources[1].name.defaultValue"),
		registerCase("register: bad locale", 2, func(in *resreg.RegisterInput) {
			in.Resources[1].Name.I18nValue = map[string]string{"chinese!": "x"}
		}, inv, `resources[1].name.i18nValue["chinese!"]`),
		registerCase("register: missing code", 2, func(in *resreg.RegisterInput) { in.Resources[0].Code = "" }, inv, "resources[0].code"),
		registerCase("register: code with space", 2, func(in *resreg.RegisterInput) { in.Resources[1].Code = "a b" }, inv, "resources[1].code"),
		registerCase("register: duplicate codes", 3, func(in *resreg.RegisterInput) { in.Resources[2].Code = in.Resources[0].Code }, conf, "resources[2].code"),
		registerCase("register: code taken", 3, func(in *resreg.RegisterInput) { in.Resources[1].Code = "existing" }, conf, "resources[1].code"),
		registerCase("register: unknown orgId", 2, func(in *resreg.RegisterInput) { in.Namespace = "nope" }, nf, "namespace"),
		registerCase("register: ID equals a taken ID", 2, func(in *resreg.RegisterInput) {
			in.AssignCodeToID = true
			in.Resources[0].Code = "existing"
		}, conf, "resources[0].code"),

		// createDataResource (seed 002)
		dataCase("data: missing namespaceCode", resreg.DataString, func(in *resreg.CreateDataResourceInput) { in.NamespaceCode = "" }, inv, "namespaceCode"),
		dataCase("data: unknown namespace", resreg.DataString, func(in *resreg.CreateDataResourceInput) { in.NamespaceCode = "nope" }, nf, "namespace"),
		dataCase("data: missing resourceCode", resreg.DataString, func(in *resreg.CreateDataResourceInput) { in.ResourceCode = "" }, inv, "resourceCode"),
		dataCase("data: missing resourceName", resreg.DataString, func(in *resreg.CreateDataResourceInput) { in.ResourceName = "" }, inv, "resourceName"),
		dataCase("data: code taken", resreg.DataString, func(in *resreg.CreateDataResourceInput) { in.ResourceCode = "dr" }, conf, "resourceCode"),
		dataCase("data: name taken", resreg.DataString, func(in *resreg.CreateDataResourceInput) { in.ResourceName = "Data" }, conf, "resourceName"),
		dataCase("data: unknown type", resreg.DataString, func(in *resreg.CreateDataResourceInput) { in.Type = "MAP" }, inv, "type"),
		dataCase("data: missing type", resreg.DataString, func(in *resreg.CreateDataResourceInput) { in.Type = "" }, inv, "type"),
		dataCase("data: STRING struct with an array", resreg.DataString, func(in *resreg.CreateDataResourceInput) { in.Struct = resreg.ArrayStruct("a") }, inv, "struct"),
		dataCase("data: TREE struct with a string", resreg.DataTree, func(in *resreg.CreateDataResourceInput) { in.Struct = resreg.StringStruct("a") }, inv, "struct"),
		dataCase("data: ARRAY struct with a tree", resreg.DataArray, func(in *resreg.CreateDataResourceInput) { in.Struct = resreg.TreeStruct(resreg.Node("a", "A", "")) }, inv, "struct"),
		dataCase("data: struct with two shapes", resreg.DataArray, func(in *resreg.CreateDataResourceInput) { in.Struct.String = "x" }, inv, "struct"),
		dataCase("data: empty STRING", resreg.DataString, func(in *resreg.CreateDataResourceInput) { in.Struct = resreg.StringStruct("") }, inv, "struct"),
		dataCase("data: empty ARRAY", resreg.DataArray, func(in *resreg.CreateDataResourceInput) { in.Struct = resreg.ArrayStruct() }, inv, "struct"),
		dataCase("data: empty TREE", resreg.DataTree, func(in *resreg.CreateDataResourceInput) { in.Struct = resreg.TreeStruct() }, inv, "struct"),
		dataCase("data: ARRAY duplicates", resreg.DataArray, func(in *resreg.CreateDataResourceInput) { in.Struct = resreg.ArrayStruct("a", "b", "a") }, inv, "struct[2]"),
		dataCase("data: ARRAY blank item", resreg.DataArray, func(in *resreg.CreateDataResourceInput) { in.Struct = resreg.ArrayStruct("a", "") }, inv, "struct[1]"),
		dataCase("data: ARRAY 1001 items", resreg.DataArray, func(in *resreg.CreateDataResourceInput) { in.Struct = resreg.ArrayStruct(strs("i", 1001)...) }, inv, "struct"),
		dataCase("data: no actions", resreg.DataString, func(in *resreg.CreateDataResourceInput) { in.Actions = nil }, inv, "actions"),
		dataCase("data: 51 actions", resreg.DataString, func(in *resreg.CreateDataResourceInput) { in.Actions = strs("a", 51) }, inv, "actions"),
		dataCase("data: duplicate actions", resreg.DataString, func(in *resreg.CreateDataResourceInput) { in.Actions = []string{"get", "set", "get"} }, inv, "actions[2]"),
		dataCase("data: action with a trailing space", resreg.DataString, func(in *resreg.CreateDataResourceInput) { in.Actions = []string{"get", "read all "} }, inv, "actions[1]"),
		dataCase("data: action with /", resreg.DataString, func(in *resreg.CreateDataResourceInput) { in.Actions = []string{"get", "a/b"} }, inv, "actions[1]"),
		dataCase("data: action with *", resreg.DataString, func(in *resreg.CreateDataResourceInput) { in.Actions = []string{"*"} }, inv, "actions[0]"),
		dataCase("data: action with a newline", resreg.DataString, func(in *resreg.CreateDataResourceInput) { in.Actions = []string{"get\nall"} }, inv, "actions[0]"),
		dataCase("data: tree node without code", resreg.DataTree, func(in *resreg.CreateDataResourceInput) { in.Struct.Tree[0].Children[0].Code = "" }, inv, "struct[0].children[0].code"),
		dataCase("data: tree node without name", resreg.DataTree, func(in *resreg.CreateDataResourceInput) { in.Struct.Tree[0].Name = "" }, inv, "struct[0].name"),
		dataCase("data: tree code with slash", resreg.DataTree, func(in *resreg.CreateDataResourceInput) { in.Struct.Tree[0].Children[0].Code = "a/b" }, inv, "struct[0].children[0].code"),
		dataCase("data: duplicate sibling codes", resreg.DataTree, func(in *resreg.CreateDataResourceInput) {
			in.Struct.Tree[0].Children = append(in.Struct.Tree[0].Children, resreg.Node("b", "B2", ""))
		}, inv, "struct[0].children[1].code"),
		dataCase("data: duplicate sibling names", resreg.DataTree, func(in *resreg.CreateDataResourceInput) {
			in.Struct.Tree = append(in.Struct.Tree, resreg.Node("z", "A", ""))
		}, inv, "struct[1].name"),
		dataCase("data: tree too deep", resreg.DataTree, func(in *resreg.CreateDataResourceInput) { in.Struct.Tree = chain(33) }, inv, "struct[0]"+strings.Repeat(".children[0]", 31)+".children"),
		dataCase("data: tree too many nodes", resreg.DataTree, func(in *resreg.CreateDataResourceInput) { in.Struct.Tree = wide(10_001) }, inv, "struct"),
		dataCase("data: tree value invalid UTF-8", resreg.DataTree, func(in *resreg.CreateDataResourceInput) { in.Struct.Tree[0].Value = "\xff" }, inv, "struct[0].value"),

		// updates
		{"update resource: missing", func(ctx context.Context, reg *resreg.Registry) error {
			_, err := reg.UpdateResource(ctx, "", "nope", resreg.ResourceUpdate{Description: ptr("x")})
			return err
		}, resreg.ErrNotFound, ""},
		{"update resource: bad apiIdentifier", func(ctx context.Context, reg *resreg.Registry) error {
			_, err := reg.UpdateResource(ctx, "", "existing", resreg.ResourceUpdate{APIIdentifier: ptr("nope")})
			return err
		}, inv, "apiIdentifier"},
		{"update resource: duplicate actions", func(ctx context.Context, reg *resreg.Registry) error {
			_, err := reg.UpdateResource(ctx, "", "existing", resreg.ResourceUpdate{Actions: ptr([]resreg.Action{{Name: "a", Description: "x"}, {Name: "a", Description: "y"}})})
			return err
		}, inv, "actions[1].name"},
		{"update resource: empty type", func(ctx context.Context, reg *resreg.Registry) error {
			_, err := reg.UpdateResource(ctx, "", "existing", resreg.ResourceUpdate{Type: ptr("")})
			return err
		}, inv, "type"},
		{"update data: struct of another type", func(ctx context.Context, reg *resreg.Registry) error {
			_, err := reg.UpdateDataResource(ctx, "", "dr", resreg.DataResourceUpdate{Struct: ptr(resreg.ArrayStruct("a"))})
			return err
		}, inv, "struct"},
		{"update data: name taken", func(ctx context.Context, reg *resreg.Registry) error {
			_, err := reg.UpdateDataResource(ctx, "", "dr", resreg.DataResourceUpdate{ResourceName: ptr("Data 2")})
			return err
		}, conf, "resourceName"},
		{"update data: no actions", func(ctx context.Context, reg *resreg.Registry) error {
			_, err := reg.UpdateDataResource(ctx, "", "dr", resreg.DataResourceUpdate{Actions: ptr([]string{})})
			return err
		}, inv, "actions"},
		{"update namespace: name invalid UTF-8", func(ctx context.Context, reg *resreg.Registry) error {
			_, err := reg.UpdateNamespace(ctx, "ns1", resreg.NamespaceUpdate{Name: ptr("\xff")})
			return err
		}, inv, "name"},
		{"update namespace: missing", func(ctx context.Context, reg *resreg.Registry) error {
			_, err := reg.UpdateNamespace(ctx, "nope", resreg.NamespaceUpdate{Name: ptr("x")})
			return err
		}, nf, ""},

		// namespaces and deletes
		{"namespace: code with space", func(ctx context.Context, reg *resreg.Registry) error {
			_, err := reg.CreateNamespace(ctx, resreg.Namespace{Code: "a b"})
			return err
		}, inv, "code"},
		{"namespace: exists", func(ctx context.Context, reg *resreg.Registry) error {
			_, err := reg.CreateNamespace(ctx, resreg.Namespace{Code: "ns1"})
			return err
		}, conf, ""},
		{"namespace: delete default", func(ctx context.Context, reg *resreg.Registry) error {
			return reg.DeleteNamespace(ctx, resreg.DefaultNamespace)
		}, inv, "code"},
		{"delete resources: one missing", func(ctx context.Context, reg *resreg.Registry) error {
			return reg.DeleteResources(ctx, "", "existing", "nope")
		}, resreg.ErrNotFound, ""},
		{"delete data resource: missing", func(ctx context.Context, reg *resreg.Registry) error {
			return reg.DeleteDataResource(ctx, "", "nope")
		}, resreg.ErrNotFound, ""},

		// listing
		{"list: bad page token", func(ctx context.Context, reg *resreg.Registry) error {
			_, err := reg.ListResources(ctx, resreg.ResourceFilter{}, resreg.ListOptions{PageToken: "!!!"})
			return err
		}, inv, "pageToken"},
		{"list: negative page size", func(ctx context.Context, reg *resreg.Registry) error {
			_, err := reg.ListResources(ctx, resreg.ResourceFilter{}, resreg.ListOptions{PageSize: -1})
			return err
		}, inv, "pageSize"},
		{"list: page size 1001", func(ctx context.Context, reg *resreg.Registry) error {
			_, err := reg.ListDataResources(ctx, resreg.DataResourceFilter{}, resreg.ListOptions{PageSize: 1001})
			return err
		}, inv, "pageSize"},
		{"list: unknown namespace", func(ctx context.Context, reg *resreg.Registry) error {
			_, err := reg.ListResources(ctx, resreg.ResourceFilter{Namespace: "nope"}, resreg.ListOptions{})
			return err
		}, nf, ""},
	}
}

func TestBadInputWritesNothing(t *testing.T) {
	cases := badCases()
	require.GreaterOrEqual(t, len(cases), 60)
	forEachStore(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		reg := resreg.New(s)
		seedFixture(t, reg)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := storetest.TakeSnapshot(t, reg.Store())
				err := tc.op(ctx, reg)
				require.Error(t, err)
				require.ErrorIs(t, err, tc.want)
				var e *resreg.Error
				require.True(t, errors.As(err, &e), "error %v is not a *resreg.Error", err)
				if tc.field != "" {
					require.Equal(t, tc.field, e.Field, "error: %v", err)
				}
				require.Equal(t, before, storetest.TakeSnapshot(t, reg.Store()), "the store changed")
			})
		}
	})
}
