// Package httpapi serves a [resreg.Registry] over the wire formats of the
// services it replaces, so that existing clients point at resreg
// unchanged: Authing V3 (/api/v3/..., as authing-node-sdk 4.0.1 sends it)
// and EnOS (/app-portal-service/v2.3/resource/...).
//
// [NewHandler] returns the http.Handler. Handlers decode with
// [resreg.DecodeJSON] (bodies capped at [resreg.MaxBodyBytes]), call the
// Registry and encode; every rule lives in the root package, and errors
// map to wire codes through [resreg.StatusCode] and [resreg.EnOSCode].
//
// # Authing V3
//
// Requests are signed as the SDK signs them (see [StringToSign] and
// [SignAuthing]): HMAC-SHA1 over the method, the x-authing-* and date
// headers and the sorted parameters, compared in constant time; a date
// more than [DefaultMaxClockSkew] away and a repeated
// x-authing-signature-nonce are refused. Responses are the envelope
// {statusCode, message, apiCode, requestId, data}: business errors travel
// as HTTP 200 with statusCode 400/404/409/429/... in the body (the SDK
// throws on any other status), apiCode only on failures; authentication
// failures are HTTP 401 with the envelope. Lists page from page 1, limit
// 10 by default and at most 50, as {totalCount, list}.
//
// Served: create-, create-...s-batch, get-, get-...s-batch, list-...s,
// update-, delete-, delete-...s-batch for both "namespace" and
// "permission-namespace", check-permission-namespace-exists;
// create-resource, create-resources-batch, get-resource,
// get-resources-batch, list-resources, list-common-resource,
// update-resource, delete-resource, delete-resources-batch;
// create-data-resource, create-{string,array,tree}-data-resource,
// get-data-resource, list-data-resources, update-data-resource,
// delete-data-resource, check-data-resource-exists.
//
// # EnOS
//
// POST resource/create (Register Resource), resource/update ({id, name}),
// resource/delete ({ids, codes}) and resource/list ({codes, ids, types,
// pagination}), each with orgId, the namespace, from the query only, and
// "Authorization: Bearer <token>". The envelope is {code, message,
// requestId, data}: code 0 and "OK" on success, 31400/31404/31408/31415
// (31401 unauthorized, 31503/31500 busy and internal) otherwise.
//
// # Adding an endpoint
//
// An Authing endpoint is one line in authingRoutes (or the file of its
// group): h.authing("POST /api/v3/name", fn), where fn decodes the
// request (req.decode for a body, req.str, req.list and req.window for a
// query), calls the Registry and returns the DTO the SDK's model declares,
// or an error, which becomes the envelope. Signature, body cap, requestId,
// access log and panic recovery come with the wrapper; the permission
// endpoints and the user, role and group directory plug in this way.
//
// # Safety
//
// Every request gets a requestId (also the X-Request-Id header) and one
// slog line (method, path, status, statusCode, duration, requestId);
// neither credentials nor bodies are logged. A panic is recovered into a
// 500 envelope. With no credentials configured for a wire, that wire
// refuses every request unless [WithInsecureNoAuth] is given.
package httpapi
