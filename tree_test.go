package resreg_test

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/resreg/resreg"
)

func orgTree() resreg.Tree {
	return resreg.Tree{
		resreg.Node("product", "Product", "product",
			resreg.Node("productManager", "Product Manager", "pm"),
			resreg.Node("design", "Design", "ui", resreg.Node("ux", "UX", "ux"))),
		resreg.Node("researchAndDevelopment", "R&D", "rd"),
	}
}

func TestTreeFlattenPreOrder(t *testing.T) {
	got := orgTree().Flatten()
	require.Equal(t, []resreg.TreePath{
		{Path: "product", Code: "product", Name: "Product", Value: "product", Depth: 1},
		{Path: "product/productManager", Code: "productManager", Name: "Product Manager", Value: "pm", Depth: 2},
		{Path: "product/design", Code: "design", Name: "Design", Value: "ui", Depth: 2},
		{Path: "product/design/ux", Code: "ux", Name: "UX", Value: "ux", Depth: 3},
		{Path: "researchAndDevelopment", Code: "researchAndDevelopment", Name: "R&D", Value: "rd", Depth: 1},
	}, got)
	require.Empty(t, resreg.Tree(nil).Flatten())
}

func TestTreeFind(t *testing.T) {
	tree := orgTree()
	node, ok := tree.Find("product/design")
	require.True(t, ok)
	require.Equal(t, "Design", node.Name)
	require.Len(t, node.Children, 1, "Find returns the subtree")

	node.Children[0].Name = "changed"
	again, _ := tree.Find("product/design/ux")
	require.Equal(t, "UX", again.Name, "Find returns a copy")

	for _, missing := range []string{"", "nope", "product/nope", "product/design/ux/deeper", "design"} {
		_, ok := tree.Find(missing)
		require.False(t, ok, missing)
	}
}

func TestTreeCloneIsDeep(t *testing.T) {
	tree := orgTree()
	c := tree.Clone()
	require.Equal(t, tree, c)
	c[0].Children[1].Children[0].Code = "changed"
	require.Equal(t, "ux", tree[0].Children[1].Children[0].Code)
}

// deepChain builds a tree of one node per level without recursion.
func deepChain(depth int) resreg.Tree {
	nodes := make([]resreg.TreeNode, depth)
	for i := depth - 1; i >= 0; i-- {
		nodes[i] = resreg.Node("n"+strconv.Itoa(i), "N", "")
		if i+1 < depth {
			nodes[i].Children = nodes[i+1 : i+2]
		}
	}
	return resreg.Tree(nodes[:1])
}

func TestTreeHandlesDeepTreesWithoutRecursion(t *testing.T) {
	tree := deepChain(100_000)
	// Only the last node's path is long; walking must not blow the stack.
	n := 0
	tree.Walk(func(_ *resreg.TreeNode, _ string, depth int) bool { n = depth; return depth < 5_000 })
	require.Equal(t, 5_000, n)
	c := tree.Clone()
	require.Equal(t, 100_000, c.Len())
	path := "n0/n1/n2"
	node, ok := tree.Find(path)
	require.True(t, ok)
	require.Equal(t, "n2", node.Code)
}

func TestStructJSONShapes(t *testing.T) {
	cases := []struct {
		name  string
		json  string
		shape resreg.DataType
		want  resreg.Struct
	}{
		{"string", `"/resource/create"`, resreg.DataString, resreg.StringStruct("/resource/create")},
		{"array", `["a","b"]`, resreg.DataArray, resreg.ArrayStruct("a", "b")},
		{"empty array", `[]`, resreg.DataArray, resreg.ArrayStruct()},
		{"tree", `[{"name":"A","code":"a","children":[{"name":"B","code":"b","value":"v"}]}]`, resreg.DataTree,
			resreg.TreeStruct(resreg.Node("a", "A", "", resreg.Node("b", "B", "v")))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var s resreg.Struct
			require.NoError(t, json.Unmarshal([]byte(tc.json), &s))
			require.Equal(t, tc.want, s)
			require.Equal(t, tc.shape, s.Shape())
			b, err := json.Marshal(s)
			require.NoError(t, err)
			require.JSONEq(t, tc.json, string(b))
		})
	}
	for _, bad := range []string{`42`, `{"a":1}`, `["a",{"code":"x"}]`, `[1,2]`} {
		var s resreg.Struct
		require.Error(t, json.Unmarshal([]byte(bad), &s), bad)
	}
}

func TestDataResourceInputDecodesEitherFieldOrder(t *testing.T) {
	typeFirst := `{"namespaceCode":"n","resourceCode":"c","resourceName":"N","type":"TREE","struct":[{"name":"A","code":"a"}],"actions":["get"]}`
	structFirst := `{"struct":[{"name":"A","code":"a"}],"type":"TREE","namespaceCode":"n","resourceCode":"c","resourceName":"N","actions":["get"]}`
	var a, b resreg.CreateDataResourceInput
	require.NoError(t, json.Unmarshal([]byte(typeFirst), &a))
	require.NoError(t, json.Unmarshal([]byte(structFirst), &b))
	require.Equal(t, a, b)
	require.Equal(t, resreg.DataTree, a.Struct.Shape())
}
