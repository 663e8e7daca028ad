package cli

import (
	"cmp"

	"bcauth/auth"
	"bcauth/store"
	"bcauth/ui/core"
)

// serverJSON is the authorization server a login came from, in status,
// ids and token --json: "name" is "Launchpad" or the BC5 issuer's URL,
// "kind" "launchpad" or "bc5", "scope" what BC5 granted ("read" or
// "full"; null on Launchpad, which has no scopes), "resource" the account
// a BC5 token is bound to (null when none), and "note" why this server
// when that needs saying (a fallback to Launchpad, or BC5 there but not
// configured; null otherwise). Every string is cleaned for a terminal.
type serverJSON struct {
	Name     string  `json:"name"`
	Kind     string  `json:"kind"`
	Issuer   *string `json:"issuer"`
	Scope    *string `json:"scope"`
	Resource *string `json:"resource"`
	Note     *string `json:"note"`
}

// serverOf describes sess's server; a login stored before bcauth knew of
// BC5 is Launchpad's.
func serverOf(sess *store.Session) *serverJSON {
	srv := sess.Server
	out := &serverJSON{Name: core.Clean(srv.Name()), Kind: string(auth.ServerLaunchpad)}
	if srv.IsBC5() {
		out.Kind = string(auth.ServerBC5)
		out.Issuer = optional(srv.Issuer)
		// What the last token answer granted: a refresh may narrow it.
		out.Scope = optional(cmp.Or(sess.Token.Scope, srv.Scope))
		out.Resource = optional(sess.Token.Resource)
	}
	out.Note = optional(srv.Note)
	return out
}

// optional is s cleaned, or nil (JSON null) when empty.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	c := core.Clean(s)
	return &c
}

// serverLine is the server in words: its name, and the scope BC5 granted.
func serverLine(s *serverJSON) string {
	if s.Scope != nil {
		return s.Name + " (" + *s.Scope + ")"
	}
	return s.Name
}
