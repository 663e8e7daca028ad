// Package store keeps what bcauth knows between runs: the credentials in
// one directory, normally $XDG_CONFIG_HOME/bcauth (see [DefaultDir]), and
// the account cache in another, normally $XDG_CACHE_HOME/bcauth (see
// [DefaultCacheDir] and [WithCacheDir]).
//
// # Files
//
// The directory is mode 0700 and every file in it 0600; looser modes found on
// disk are tightened and reported once through [Store.Notices].
//
//   - config.json: the client configuration a person entered in bcauth.
//     Environment variables win over it (see [ClientConfig.Merge]).
//   - state.json: the Basecamp IDs bcauth is logged in as, one of them current.
//   - state.lock: an empty file that carries the advisory lock every writer
//     holds while it reads, changes and replaces config.json or state.json.
//
// Both JSON files start with a format version. This bcauth reads and writes
// version 1; a file with a higher version comes from a newer bcauth and is
// refused with a [*VersionError], never overwritten nor moved aside: the
// person upgrades bcauth or moves it away. A file that cannot be
// read or parsed is refused with a [*CorruptError] and kept as it is until
// the person logs in again, when [Store.SetAside] renames it to
// NAME.corrupt-YYYYMMDDTHHMMSSZ.
//
// config.json:
//
//	{
//	  "version": 1,
//	  "client_id": "0f3c…",
//	  "client_secret": "9a1e…",
//	  "redirect_uri": "http://127.0.0.1:8976/callback",
//	  "launchpad_url": "https://launchpad.37signals.com"
//	}
//
// Fields that were never entered are left out.
//
// state.json, with some objects folded onto one line here (bcauth indents
// every level):
//
//	{
//	  "version": 1,
//	  "current": "https://launchpad.37signals.com|0f3c…|4242",
//	  "sessions": [
//	    {
//	      "launchpad_url": "https://launchpad.37signals.com",
//	      "client_id": "0f3c…",
//	      "identity": {"id": 4242, "first_name": "Ada", "last_name": "Lovelace", "email_address": "ada@example.com"},
//	      "token": {
//	        "access_token": "BAhbB0…",
//	        "refresh_token": "BAhbB0…",
//	        "token_type": "Bearer",
//	        "expiry": "2026-03-01T12:00:00Z"
//	      },
//	      "logged_in_at": "2026-02-15T09:29:00Z",
//	      "last_account": "bc3:123"
//	    }
//	  ]
//	}
//
// "current" is the [Session.Key] of the session bcauth uses when none is
// named. "logged_in_at" is when the login was made: a cache older than
// that belongs to an earlier login and is not shown. "last_account" is
// the [auth.Account.Key] of the account last picked.
// Unknown fields are ignored when reading and dropped on the next write.
// A state.json from before the cache had a directory of its own holds
// "authorization" and "fetched_at" in each session; they are read, and the
// next write moves them to the cache.
//
// The cache directory holds accounts-DIGEST.json per session (DIGEST from
// [Session.Key]): a first line {"version":1,"session":KEY,"products":…,
// "size":…,"index":N,"accounts_at":[A,B],"gen":GEN}, then Launchpad's
// authorization.json answer, size bytes, then, when "index" says so, N
// records of 12 bytes indexing its accounts by id (see
// [Store.LoadAccountsWithID]); A:B is where the answer's accounts array
// lies, so a run that needs only whose it is reads the rest alone. Beside
// it, accounts-DIGEST.kept holds what runs worked out from that answer
// (see [Derived]): a first line {"version":1,"session":KEY,"gen":GEN,
// "answer_size":…,"order":M,"order_by":RULES,"view":V,"view_by":BY,
// "view_sum":CRC}, then M records of 4 bytes (the order a list shows the
// accounts in, by RULES: see [Order]), then V bytes (the accounts as the
// command BY writes them, with their CRC-32: see [View]). GEN is a random
// name the cache file got when written, and the kept file is believed
// only beside the cache file of that GEN: whatever rewrites the cache
// file alone (another answer, an older bcauth) leaves it harmless.
// Its modification time
// is when the answer came, so an unchanged answer costs one utimes. Cache
// files are replaced atomically but not synced, never changed in place; a
// missing, corrupt or foreign one is never an error (see
// [Store.LoadAuthorization]).
//
// # Concurrency
//
// Files are replaced atomically: written to a temporary file in the same
// directory, synced, then renamed over the old one, so a reader sees either
// the old file or the new one and a crash leaves the old one intact.
// [Store.Update] holds an exclusive lock on state.lock and re-reads state.json
// under it, so two bcauth processes (a TUI and a script refreshing the token)
// never lose each other's writes. [Store.Load] takes no lock. A process
// about to refresh a token re-reads it with [Store.LoadToken] and stores the
// new one with [Store.SaveTokenFrom], which notices a refresh by another
// process in between instead of overwriting it blindly.
package store
