// Package probe asks 37signals' product APIs "who am I" for each account a
// login lists, and says in one [Status] and one reason what came back.
//
// A [Prober] keeps within Basecamp's rate limits: a per-host limit shared by
// every call, at most [Config.Concurrency] probes at once, Retry-After
// honoured for the whole host, 5xx answers retried with jittered backoff. It
// sends credentials only over https (or to a loopback host), never follows a
// redirect with them, and refreshes an OAuth token once when a product calls
// it expired. Credentials come from an [Authorizer]: the login's OAuth token
// ([BearerAuth]), or the legacy ones some products take ([BasicAuth],
// [APITokenAuth]).
//
// bc3 and bcx answer in JSON, the classic products in Rails-style XML; both
// become a [Person]. Every string in a [Result] is the server's, raw: sanitise
// it before display.
package probe
