// Package core is what bcauth's two front ends share, and nothing of
// either: no screen, no flag, no Bubble Tea. The app (ui/tui) and the
// script commands (ui/cli) get everything that touches the disk or the
// network from it: they never open the store, and the auth values they
// hold (a login's client, a token source, a prober, an API target) are
// the ones the Service built. A token source calls back into this package
// through four hooks (lock, load, save, refused), so that auth never
// imports store and one lock spans read, refresh and save.
//
//   - [Service] is the one door to auth and store: the logins, the client
//     settings, refreshing under the store's lock, the account list
//     (from Launchpad, else the cache) and `bcauth api`'s target and URL
//     rules ([Service.APITarget]).
//   - [Problem] is the one vocabulary for every error: what happened, the
//     fix, and the exit code, so the screen, stderr and --json agree.
//   - [Clean] and the text helpers make every server string safe for a
//     terminal or a clipboard.
//   - [Open], [Env], [Launch] and [StartDemo] are how a front end starts:
//     the environment main read, the store it opens, the demo's fake.
package core
