// Drives the directory and permission endpoints of a running `resreg
// serve` with authing-node-sdk 4.0.1, unchanged: users, roles, groups,
// resource grants and checks, data policies and their checks. Every SDK
// method is called at least once and its data asserted. Codes are its own
// ("perm*"), so it can share a server with sdk.test.js, which runs first and counts namespaces.
const { test } = require("node:test");
const assert = require("node:assert/strict");
const { ManagementClient } = require("authing-node-sdk");

const host = process.env.RESREG_URL;
const accessKeyId = process.env.RESREG_ACCESS_KEY_ID;
const accessKeySecret = process.env.RESREG_ACCESS_KEY_SECRET;
if (!host || !accessKeyId || !accessKeySecret) {
  throw new Error("set RESREG_URL, RESREG_ACCESS_KEY_ID and RESREG_ACCESS_KEY_SECRET (interop/run.sh does)");
}
const client = new ManagementClient({ accessKeyId, accessKeySecret, host });

function ok(res) {
  assert.equal(res.statusCode, 200, res.message);
  assert.ok(res.requestId);
  assert.equal(res.apiCode, undefined, "apiCode only on failures");
  return res.data;
}

function fails(res, statusCode) {
  assert.equal(res.statusCode, statusCode, res.message);
  assert.equal(typeof res.apiCode, "number");
  assert.equal(res.data, undefined);
}

const ns = "perm";

test("directory, grants and checks", async () => {
  ok(await client.createNamespace({ code: ns, name: "Permissions" }));
  ok(await client.createResource({ namespace: ns, type: "API", code: "ecs", name: "ECS",
    actions: [{ name: "ecs:Start", description: "start" }, { name: "ecs:Stop", description: "stop" }], apiIdentifier: "https://api.example.com/ecs" }));
  ok(await client.createResource({ namespace: ns, type: "MENU", code: "books", name: "Books", actions: [{ name: "read", description: "read" }] }));

  // Users.
  const user = ok(await client.createUser({ email: "alice@example.com", name: "Alice", password: "never kept" }));
  assert.equal(typeof user.userId, "string");
  assert.equal(user.email, "alice@example.com");
  assert.equal(user.status, "Activated");
  const got = ok(await client.getUser({ userId: user.userId }));
  assert.deepEqual(got, user);
  assert.equal(got.password, undefined);
  fails(await client.getUser({ userId: "nobody" }), 404);
  const other = ok(await client.createUser({ username: "bob" }));

  // Roles: one namespace each; id is the subject ID grants use.
  const role = ok(await client.createRole({ code: "ops", namespace: ns, name: "Operators", description: "run servers" }));
  assert.deepEqual(role, { id: "ops@perm", code: "ops", name: "Operators", description: "run servers", namespace: ns, namespaceName: "Permissions", status: "ENABLE" });
  fails(await client.createRole({ code: "ops", namespace: ns }), 409);
  assert.deepEqual(ok(await client.assignRole({ code: "ops", namespace: ns, targets: [{ targetType: "USER", targetIdentifier: user.userId }, { targetType: "USER", targetIdentifier: other.userId }] })),
    { success: true });
  fails(await client.assignRole({ code: "ops", namespace: ns, targets: [{ targetType: "USER", targetIdentifier: "nobody" }] }), 404);

  // Groups.
  const group = ok(await client.createGroup({ code: "permdevs", name: "Developers", description: "build", type: "static" }));
  assert.deepEqual(group, { id: "permdevs", code: "permdevs", name: "Developers", description: "build", type: "static", metadataSource: [], members: [] });
  assert.deepEqual(ok(await client.addGroupMembers({ code: "permdevs", userIds: [user.userId] })), { success: true });
  fails(await client.addGroupMembers({ code: "nope", userIds: [user.userId] }), 404);

  // Grants through the role and the group.
  assert.deepEqual(ok(await client.authorizeResources({ namespace: ns, list: [
    { targetType: "ROLE", targetIdentifiers: ["ops"], resources: [{ code: "ecs", actions: ["ecs:Start"], resourceType: "API" }] },
    { targetType: "GROUP", targetIdentifiers: ["permdevs"], resources: [{ code: "books", actions: ["read"], resourceType: "MENU" }] },
  ] })), { success: true });
  fails(await client.authorizeResources({ namespace: ns, list: [
    { targetType: "USER", targetIdentifiers: [user.userId], resources: [{ code: "missing", actions: ["x"], resourceType: "API" }] },
  ] }), 404);

  const allowed = async (userId, resource, action) => ok(await client.isActionAllowed({ userId, namespace: ns, resource, action })).allowed;
  assert.equal(await allowed(user.userId, "ecs", "ecs:Start"), true);
  assert.equal(await allowed(user.userId, "ecs", "ecs:Stop"), false);
  assert.equal(await allowed(user.userId, "books", "read"), true);
  assert.equal(await allowed(other.userId, "books", "read"), false, "bob is not in the group");
  fails(await client.isActionAllowed({ userId: "nobody", namespace: ns, resource: "ecs", action: "ecs:Start" }), 404);

  assert.deepEqual(ok(await client.getAuthorizedResources({ targetType: "ROLE", targetIdentifier: "ops", namespace: ns, resourceList: ["ecs", "books"] })), {
    totalCount: 1, list: [{ resourceCode: "ecs", resourceType: "API", apiIdentifier: "https://api.example.com/ecs", actions: ["ecs:Start"], effect: "ALLOW" }],
  });
  const mine = ok(await client.getUserAuthorizedResources({ userId: user.userId, namespace: ns }));
  assert.equal(mine.totalCount, 2);
  assert.deepEqual(mine.list.map((r) => [r.resourceCode, r.actions]), [["books", ["read"]], ["ecs", ["ecs:Start"]]]);
  fails(await client.getUserAuthorizedResources({ userId: "nobody", namespace: ns }), 404);
  assert.deepEqual(ok(await client.getRoleAuthorizedResources({ code: "ops", namespace: ns })), {
    totalCount: 1, list: [{ resourceCode: "ecs", resourceType: "API", actions: ["ecs:Start"], apiIdentifier: "https://api.example.com/ecs" }],
  });
  assert.deepEqual(ok(await client.getGroupAuthorizedResources({ code: "permdevs", namespace: ns })),
    [{ resourceCode: "books", resourceType: "MENU", apiIdentifier: "", actions: ["read"], effect: "ALLOW" }]);

  // Taking memberships away takes the grants away.
  assert.deepEqual(ok(await client.revokeRole({ code: "ops", namespace: ns, targets: [{ targetType: "USER", targetIdentifier: user.userId }] })), { success: true });
  assert.equal(await allowed(user.userId, "ecs", "ecs:Start"), false);
  assert.equal(await allowed(other.userId, "ecs", "ecs:Start"), true);
  assert.deepEqual(ok(await client.removeGroupMembers({ code: "permdevs", userIds: [user.userId] })), { success: true });
  assert.equal(await allowed(user.userId, "books", "read"), false);

  assert.deepEqual(ok(await client.deleteRolesBatch({ codeList: ["ops"], namespace: ns })), { success: true });
  assert.equal(await allowed(other.userId, "ecs", "ecs:Start"), false, "a deleted role grants nothing");
  fails(await client.deleteRolesBatch({ codeList: ["ops"], namespace: ns }), 404);
  assert.deepEqual(ok(await client.deleteGroupsBatch({ codeList: ["permdevs"] })), { success: true });
  fails(await client.getGroupAuthorizedResources({ code: "permdevs", namespace: ns }), 404);
  assert.deepEqual(ok(await client.deleteUsersBatch({ userIds: [other.userId] })), { success: true });
  fails(await client.getUser({ userId: other.userId }), 404);
});

test("data policies and their checks", async () => {
  const dns = "permdata";
  ok(await client.createNamespace({ code: dns, name: "Data permissions" }));
  const tree = [{ code: "product", name: "Product", value: "p", children: [{ code: "pm", name: "PM", value: "pm" }, { code: "ui", name: "Design" }] }, { code: "rd", name: "R&D" }];
  ok(await client.createDataResourceByTree({ namespaceCode: dns, resourceCode: "org", resourceName: "Org", struct: tree, actions: ["get", "update"] }));
  ok(await client.createDataResourceByString({ namespaceCode: dns, resourceCode: "path", resourceName: "Path", struct: "/api/v1", actions: ["get"] }));
  ok(await client.createDataResourceByArray({ namespaceCode: dns, resourceCode: "cards", resourceName: "Cards", struct: ["c1", "c2"], actions: ["open"] }));
  const user = ok(await client.createUser({ name: "Carol" }));

  const created = ok(await client.createDataPolicy({ policyName: "permpm", description: "product managers", statementList: [
    { effect: "ALLOW", permissions: [`${dns}/org/product/pm/get`, `${dns}/path/get`, `${dns}/cards/*`] },
  ] }));
  assert.equal(created.policyName, "permpm");
  assert.equal(created.description, "product managers");
  assert.ok(created.policyId);
  assert.ok(Date.parse(created.createdAt));
  fails(await client.createDataPolicy({ policyName: "permpm", statementList: [{ effect: "ALLOW", permissions: [`${dns}/path/get`] }] }), 409);
  const policyId = created.policyId;
  assert.equal(ok(await client.getDataPolicy({ policyId })).policyName, "permpm");
  fails(await client.getDataPolicy({ policyId: "missing" }), 404);
  assert.deepEqual(ok(await client.checkDataPolicyExists({ policyName: "permpm" })), { isValid: false, message: "数据策略名称已经存在" });
  assert.deepEqual(ok(await client.checkDataPolicyExists({ policyName: "permfree" })), { isValid: true });

  assert.equal(ok(await client.authorizeDataPolicies({ policyIds: [policyId], targetList: [{ id: user.userId, type: "USER", name: "Carol" }, { id: "permsales", type: "ORG", name: "Sales" }] })), undefined);
  const targets = ok(await client.listDataPolicyTargets({ policyId, page: 1, limit: 10 }));
  assert.equal(targets.totalCount, 2);
  assert.deepEqual(targets.list.map((t) => [t.targetType, t.targetIdentifier, t.targetName]), [["ORG", "permsales", "Sales"], ["USER", user.userId, "Carol"]]);
  assert.ok(Date.parse(targets.list[0].authorizationTime));
  assert.equal(ok(await client.listDataPolicyTargets({ policyId, targetType: "USER" })).totalCount, 1);

  assert.deepEqual(ok(await client.checkPermission({ userId: user.userId, namespaceCode: dns, action: "get", resources: ["org/product/pm", "org/rd", "path"] })), {
    checkResultList: [
      { namespaceCode: dns, resource: "org/product/pm", action: "get", enabled: true },
      { namespaceCode: dns, resource: "org/rd", action: "get", enabled: false },
      { namespaceCode: dns, resource: "path", action: "get", enabled: true },
    ],
  });
  fails(await client.checkPermission({ userId: "nobody", namespaceCode: dns, action: "get", resources: ["path"] }), 404);
  assert.deepEqual(ok(await client.getUserResourceStruct({ userId: user.userId, namespaceCode: dns, resourceCode: "org" })), {
    namespaceCode: dns, resourceCode: "org", resourceType: "TREE", treeResourceAuthAction: { nodeAuthActionList: [
      { code: "product", name: "Product", value: "p", actions: [], children: [{ code: "pm", name: "PM", value: "pm", actions: ["get"] }] },
    ] },
  });
  assert.deepEqual(ok(await client.getUserResourceStruct({ userId: user.userId, namespaceCode: dns, resourceCode: "cards" })), {
    namespaceCode: dns, resourceCode: "cards", resourceType: "ARRAY", arrResourceAuthAction: { values: ["c1", "c2"], actions: ["open"] },
  });

  const listed = ok(await client.listDataPolices({ page: 1, limit: 10, query: "permpm" }));
  assert.equal(listed.totalCount, 1);
  assert.deepEqual(listed.list[0].resourceList, [
    { resourceId: `${dns}/org`, resourceName: "Org" }, { resourceId: `${dns}/path`, resourceName: "Path" }, { resourceId: `${dns}/cards`, resourceName: "Cards" },
  ]);
  assert.deepEqual(listed.list[0].targetList, [{ id: "permsales", type: "ORG", name: "Sales" }, { id: user.userId, type: "USER", name: "Carol" }]);
  assert.deepEqual(ok(await client.listSimpleDataPolices({ page: 1, limit: 10, query: "permpm" })),
    { totalCount: 1, list: [{ policyId, policyName: "permpm", description: "product managers" }] });

  const updated = ok(await client.updateDataPolicy({ policyId, policyName: "permpm2", statementList: [{ effect: "ALLOW", permissions: [`${dns}/org/rd/get`] }] }));
  assert.equal(updated.policyName, "permpm2");
  assert.deepEqual(ok(await client.checkPermission({ userId: user.userId, namespaceCode: dns, action: "get", resources: ["org/product/pm", "org/rd"] })).checkResultList.map((r) => r.enabled),
    [false, true]);

  assert.equal(ok(await client.revokeDataPolicy({ policyId, targetType: "USER", targetIdentifier: user.userId })), undefined);
  assert.deepEqual(ok(await client.checkPermission({ userId: user.userId, namespaceCode: dns, action: "get", resources: ["org/rd"] })).checkResultList.map((r) => r.enabled),
    [false]);
  assert.equal(ok(await client.deleteDataPolicy({ policyId })), undefined);
  fails(await client.deleteDataPolicy({ policyId }), 404);
});
