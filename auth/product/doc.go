// Package product is how bcauth talks to 37signals' product APIs (Basecamp
// 4 and 2, Classic, Campfire, Highrise, Backpack) with a login's
// credentials, politely: a per-host rate shared by every request of a run
// ([Hosts]), Retry-After honoured for the whole host, 5xx answers retried
// with jittered backoff ([Backoff]), and a refresh once when a product calls
// the OAuth token expired ([Caller]). auth/probe's "who am I" and
// `bcauth api` both go through it, so they keep the same limits.
package product
