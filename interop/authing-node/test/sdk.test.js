// Drives a running `resreg serve` with authing-node-sdk 4.0.1, unchanged:
// every SDK method that maps to an endpoint resreg serves, asserting the
// data it returns, plus the error envelopes of a conflict, a missing
// resource and a bad signature.
//
// RESREG_URL, RESREG_ACCESS_KEY_ID, RESREG_ACCESS_KEY_SECRET and
// RESREG_ENOS_TOKEN name the server and its credentials (interop/run.sh
// sets them).
const { test } = require("node:test");
const assert = require("node:assert/strict");
const { ManagementClient } = require("authing-node-sdk");

const host = process.env.RESREG_URL;
const accessKeyId = process.env.RESREG_ACCESS_KEY_ID;
const accessKeySecret = process.env.RESREG_ACCESS_KEY_SECRET;
const enosToken = process.env.RESREG_ENOS_TOKEN;
if (!host || !accessKeyId || !accessKeySecret) {
  throw new Error("set RESREG_URL, RESREG_ACCESS_KEY_ID and RESREG_ACCESS_KEY_SECRET (interop/run.sh does)");
}

const client = new ManagementClient({ accessKeyId, accessKeySecret, host });

// ok asserts a success envelope and returns its data.
function ok(res) {
  assert.equal(res.statusCode, 200, res.message);
  assert.equal(typeof res.requestId, "string");
  assert.ok(res.requestId.length > 0);
  assert.equal(res.apiCode, undefined, "apiCode only on failures");
  return res.data;
}

// fails asserts a business error: HTTP 200 with statusCode in the body.
function fails(res, statusCode) {
  assert.equal(res.statusCode, statusCode, res.message);
  assert.equal(typeof res.apiCode, "number");
  assert.ok(res.requestId);
  assert.equal(res.data, undefined);
}

test("namespaces", async () => {
  assert.deepEqual(ok(await client.createNamespace({ code: "ns1", name: "One", description: "first" })),
    { code: "ns1", name: "One", description: "first" });
  fails(await client.createNamespace({ code: "ns1", name: "Again" }), 409);
  assert.deepEqual(ok(await client.createNamespacesBatch({ list: [{ code: "ns2", name: "Two" }, { code: "ns3", name: "Three" }] })),
    { success: true });
  assert.deepEqual(ok(await client.getNamespace({ code: "ns2" })), { code: "ns2", name: "Two" });
  fails(await client.getNamespace({ code: "missing" }), 404);
  assert.deepEqual(ok(await client.getNamespacesBatch({ codeList: ["ns3", "ns1"] })).map((n) => n.code), ["ns3", "ns1"]);
  const page = ok(await client.listNamespaces({ page: 1, limit: 2 }));
  assert.equal(page.totalCount, 4);
  assert.deepEqual(page.list.map((n) => n.code), ["default", "ns1"]);
  assert.deepEqual(ok(await client.listNamespaces({ keywords: "thr" })), { totalCount: 1, list: [{ code: "ns3", name: "Three" }] });
  assert.deepEqual(ok(await client.updateNamespace({ code: "ns2", name: "Deux" })), { code: "ns2", name: "Deux" });
  assert.deepEqual(ok(await client.deleteNamespace({ code: "ns2" })), { success: true });
  fails(await client.getNamespace({ code: "ns2" }), 404);
  assert.deepEqual(ok(await client.deleteNamespacesBatch({ codeList: ["ns3"] })), { success: true });
});

test("permission namespaces", async () => {
  assert.deepEqual(ok(await client.createPermissionNamespace({ code: "pn1", name: "Perm One" })), { code: "pn1", name: "Perm One" });
  fails(await client.createPermissionNamespace({ code: "pn1", name: "Perm One" }), 409);
  assert.deepEqual(ok(await client.createPermissionNamespacesBatch({ list: [{ code: "pn2", name: "Perm Two" }, { code: "pn3", name: "Perm Three" }] })),
    { success: true });
  assert.deepEqual(ok(await client.getPermissionNamespace({ code: "pn2" })), { code: "pn2", name: "Perm Two" });
  assert.deepEqual(ok(await client.getPermissionNamespacesBatch({ codes: ["pn1", "pn3"] })),
    [{ code: "pn1", name: "Perm One" }, { code: "pn3", name: "Perm Three" }]);
  const page = ok(await client.listPermissionNamespaces({ page: 2, limit: 50 }));
  assert.equal(page.list.length, 0, "page 2 of 50 is past the end");
  assert.ok(page.totalCount >= 4);
  assert.deepEqual(ok(await client.listPermissionNamespaces({ query: "perm t" })).list.map((n) => n.code), ["pn2", "pn3"]);
  assert.deepEqual(ok(await client.updatePermissionNamespace({ code: "pn2", name: "Perm Deux", description: "d" })),
    { code: "pn2", name: "Perm Deux", description: "d" });
  assert.deepEqual(ok(await client.checkPermissionNamespaceExists({ code: "pn1" })), { isValid: false, message: "权限空间 Code 已经存在" });
  assert.deepEqual(ok(await client.checkPermissionNamespaceExists({ name: "Perm Three" })), { isValid: false, message: "权限空间名称已经存在" });
  assert.deepEqual(ok(await client.checkPermissionNamespaceExists({ code: "free", name: "Free" })), { isValid: true });
  assert.deepEqual(ok(await client.deletePermissionNamespace({ code: "pn2" })), { success: true });
  assert.deepEqual(ok(await client.deletePermissionNamespacesBatch({ codes: ["pn3"] })), { success: true });
  fails(await client.getPermissionNamespace({ code: "pn3" }), 404);
});

test("renaming a namespace moves what it holds", async () => {
  ok(await client.createNamespace({ code: "rnold", name: "Old" }));
  ok(await client.createResource({ namespace: "rnold", type: "API", code: "ecs", name: "ECS", actions: [{ name: "ecs:Start", description: "start" }] }));
  const user = ok(await client.createUser({ username: "renamer" }));
  ok(await client.createRole({ code: "ops", namespace: "rnold" }));
  ok(await client.assignRole({ code: "ops", namespace: "rnold", targets: [{ targetType: "USER", targetIdentifier: user.userId }] }));
  ok(await client.authorizeResources({ namespace: "rnold", list: [
    { targetType: "ROLE", targetIdentifiers: ["ops"], resources: [{ code: "ecs", actions: ["ecs:Start"], resourceType: "API" }] },
  ] }));
  fails(await client.updateNamespace({ code: "rnold", newCode: "default" }), 400);
  fails(await client.updateNamespace({ code: "missing", newCode: "rnnew" }), 404);

  assert.deepEqual(ok(await client.updateNamespace({ code: "rnold", newCode: "rnnew", name: "New" })), { code: "rnnew", name: "New" });
  fails(await client.getNamespace({ code: "rnold" }), 404);
  assert.deepEqual(ok(await client.getNamespace({ code: "rnnew" })), { code: "rnnew", name: "New" });
  const moved = ok(await client.getResource({ namespace: "rnnew", code: "ecs" }));
  assert.equal(moved.namespace, "rnnew");
  assert.equal(moved.name, "ECS");
  fails(await client.getResource({ namespace: "rnold", code: "ecs" }), 404);
  assert.equal(ok(await client.isActionAllowed({ userId: user.userId, namespace: "rnnew", resource: "ecs", action: "ecs:Start" })).allowed, true,
    "through the role, which moved with its namespace");
  assert.equal(ok(await client.getRoleAuthorizedResources({ code: "ops", namespace: "rnnew" })).totalCount, 1);

  ok(await client.createPermissionNamespace({ code: "rnp", name: "Perm" }));
  ok(await client.createPermissionNamespace({ code: "rntaken", name: "Taken" }));
  ok(await client.createDataResourceByString({ namespaceCode: "rnp", resourceCode: "path", resourceName: "Path", struct: "/v1", actions: ["get"] }));
  fails(await client.updatePermissionNamespace({ code: "rnp", newCode: "rntaken" }), 409);
  assert.deepEqual(ok(await client.updatePermissionNamespace({ code: "rnp", newCode: "rnp2", description: "moved" })),
    { code: "rnp2", name: "Perm", description: "moved" });
  assert.equal(ok(await client.getDataResource({ namespaceCode: "rnp2", resourceCode: "path" })).namespaceCode, "rnp2");
  fails(await client.getDataResource({ namespaceCode: "rnp", resourceCode: "path" }), 404);
});

test("resources", async () => {
  ok(await client.createNamespace({ code: "res", name: "Resources" }));
  const created = ok(await client.createResource({
    namespace: "res", type: "API", code: "ecs", name: "ECS", description: "servers",
    actions: [{ name: "ecs:Start", description: "start a server" }], apiIdentifier: "https://api.example.com/ecs",
  }));
  assert.deepEqual(created, {
    code: "ecs", name: "ECS", description: "servers", type: "API", namespace: "res", linkedToTenant: false,
    actions: [{ name: "ecs:Start", description: "start a server" }], apiIdentifier: "https://api.example.com/ecs",
  });
  fails(await client.createResource({ namespace: "res", type: "API", code: "ecs" }), 409);
  assert.deepEqual(ok(await client.createResourcesBatch({ namespace: "res", list: [
    { type: "MENU", code: "menu1", name: "Menu 1" }, { type: "BUTTON", code: "btn1", name: "Button 1" },
  ] })), { success: true });
  assert.equal(ok(await client.getResource({ namespace: "res", code: "menu1" })).name, "Menu 1");
  fails(await client.getResource({ namespace: "res", code: "missing" }), 404);
  const batch = ok(await client.getResourcesBatch({ namespace: "res", codeList: ["menu1", "ecs"] }));
  assert.deepEqual(batch.map((r) => r.code), ["menu1", "ecs"]);
  const list = ok(await client.listResources({ namespace: "res", type: "MENU" }));
  assert.equal(list.totalCount, 1);
  assert.equal(list.list[0].code, "menu1");
  const common = ok(await client.listCommonResource({ namespaceCodeList: "res", keyword: "button" }));
  assert.equal(common.totalCount, 1);
  assert.equal(common.list[0].code, "btn1");
  assert.equal(common.list[0].namespaceName, "Resources");
  assert.equal(typeof common.list[0].id, "string");
  const updated = ok(await client.updateResource({ namespace: "res", code: "menu1", name: "Menu One", description: "new" }));
  assert.equal(updated.name, "Menu One");
  assert.equal(updated.description, "new");
  assert.deepEqual(ok(await client.deleteResource({ namespace: "res", code: "btn1" })), { success: true });
  fails(await client.deleteResource({ namespace: "res", code: "btn1" }), 404);
  const ecsID = common.list.length && ok(await client.listCommonResource({ namespaceCodeList: "res", keyword: "ecs" })).list[0].id;
  assert.deepEqual(ok(await client.deleteResourcesBatch({ namespace: "res", codeList: ["menu1"], ids: [ecsID] })), { success: true });
  assert.equal(ok(await client.listResources({ namespace: "res" })).totalCount, 0);
});

test("data resources", async () => {
  ok(await client.createNamespace({ code: "data", name: "Data" }));
  const tree = [{ code: "prod", name: "Product", children: [{ code: "web", name: "Web", value: "w" }] }];
  assert.deepEqual(ok(await client.createDataResource({
    namespaceCode: "data", resourceCode: "generic", resourceName: "Generic", type: "STRING", struct: "/generic", actions: ["read"],
  })), { resourceCode: "generic", resourceName: "Generic", type: "STRING", struct: "/generic", actions: ["read"] });
  assert.deepEqual(ok(await client.createDataResourceByString({
    namespaceCode: "data", resourceCode: "str", resourceName: "String", struct: "/resource/create", actions: ["access"], description: "d",
  })), { resourceCode: "str", resourceName: "String", type: "STRING", struct: "/resource/create", actions: ["access"], description: "d" });
  assert.deepEqual(ok(await client.createDataResourceByArray({
    namespaceCode: "data", resourceCode: "arr", resourceName: "Array", struct: ["card1", "card2"], actions: ["get", "update"],
  })), { resourceCode: "arr", resourceName: "Array", type: "ARRAY", struct: ["card1", "card2"], actions: ["get", "update"] });
  assert.deepEqual(ok(await client.createDataResourceByTree({
    namespaceCode: "data", resourceCode: "tree", resourceName: "Tree", struct: tree, actions: ["read"],
  })), { resourceCode: "tree", resourceName: "Tree", type: "TREE", struct: tree, actions: ["read"] });
  fails(await client.createDataResourceByString({
    namespaceCode: "data", resourceCode: "str", resourceName: "Another", struct: "/x", actions: ["access"],
  }), 409);
  assert.deepEqual(ok(await client.getDataResource({ namespaceCode: "data", resourceCode: "arr" })),
    { namespaceCode: "data", resourceCode: "arr", resourceName: "Array", type: "ARRAY", struct: ["card1", "card2"], actions: ["get", "update"] });
  fails(await client.getDataResource({ namespaceCode: "data", resourceCode: "missing" }), 404);
  const page = ok(await client.listDataResources({ page: 1, limit: 3, namespaceCodes: ["data"] }));
  assert.equal(page.totalCount, 4);
  assert.deepEqual(page.list.map((d) => d.resourceCode), ["arr", "generic", "str"]);
  assert.equal(page.list[0].namespaceName, "Data");
  assert.equal(ok(await client.listDataResources({ query: "tree", namespaceCodes: ["data"] })).totalCount, 1);
  assert.deepEqual(ok(await client.updateDataResource({ namespaceCode: "data", resourceCode: "arr", resourceName: "Cards", struct: ["card3"] })),
    { resourceCode: "arr", resourceName: "Cards", type: "ARRAY", struct: ["card3"], actions: ["get", "update"] });
  assert.deepEqual(ok(await client.checkDataResourceExists({ namespaceCode: "data", resourceCode: "str" })), { isValid: false, message: "数据资源 code 已经存在" });
  assert.deepEqual(ok(await client.checkDataResourceExists({ namespaceCode: "data", resourceName: "Tree" })), { isValid: false, message: "数据资源名称已经存在" });
  assert.deepEqual(ok(await client.checkDataResourceExists({ namespaceCode: "data", resourceCode: "free" })), { isValid: true });
  const del = await client.deleteDataResource({ namespaceCode: "data", resourceCode: "str" });
  assert.equal(del.statusCode, 200);
  assert.equal(del.data, undefined);
  fails(await client.deleteDataResource({ namespaceCode: "data", resourceCode: "str" }), 404);
});

test("a bad signature is HTTP 401 with the envelope", async () => {
  const wrong = new ManagementClient({ accessKeyId, accessKeySecret: accessKeySecret + "-wrong", host });
  await assert.rejects(wrong.getNamespace({ code: "default" }), (err) => {
    assert.equal(err.response.status, 401);
    assert.equal(err.response.data.statusCode, 401);
    assert.match(err.response.data.message, /signature does not match/);
    assert.equal(typeof err.response.data.apiCode, "number");
    assert.ok(err.response.data.requestId);
    return true;
  });
});

test("EnOS register, list and delete with a bearer token", { skip: !enosToken }, async () => {
  const call = async (path, body) => {
    const res = await fetch(`${host}/app-portal-service/v2.3/${path}?orgId=default`, {
      method: "POST", headers: { authorization: `Bearer ${enosToken}`, "content-type": "application/json" }, body: JSON.stringify(body),
    });
    assert.equal(res.status, 200);
    return res.json();
  };
  const reg = await call("resource/create", { type: "menu", assignCodeToId: true, resources: [{ code: "enos1", name: { defaultValue: "EnOS 1", i18nValue: { zh_CN: "一" } } }] });
  assert.equal(reg.code, 0);
  assert.equal(reg.message, "OK");
  assert.deepEqual(reg.data, { success: true, resources: [{ id: "enos1", code: "enos1", type: "menu", name: { defaultValue: "EnOS 1", i18nValue: { zh_CN: "一" } } }] });
  const dup = await call("resource/create", { type: "menu", resources: [{ code: "enos1", name: { defaultValue: "again" } }] });
  assert.equal(dup.code, 31408);
  const list = await call("resource/list", { codes: ["enos1"] });
  assert.equal(list.data.pagination.totalElements, 1);
  assert.equal((await call("resource/delete", { ids: ["enos1"] })).code, 0);
  assert.equal((await call("resource/delete", { ids: ["enos1"] })).code, 31404);
});
