package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"bcauth/auth"
	"bcauth/ui/core"

	"github.com/spf13/cobra"
)

// discoverOptions are discover's flags.
type discoverOptions struct {
	JSON bool
}

func newDiscoverCmd(f *Factory, runF func(*discoverOptions) error) *cobra.Command {
	o := &discoverOptions{}
	cmd := &cobra.Command{
		Use:   "discover [--json]",
		Short: "Which server a login would use now, and why",
		Long: `Ask the API origin (` + auth.SettingResource + `) which authorization servers it trusts, as a login does, and say which one a login would use now: Launchpad or a BC5 issuer, and why. Only discovery's metadata requests are sent, without credentials, and nothing is stored.

With --json: {"server": {"name", "kind", "issuer"}, "note", "skipped", "resource", "advertised": […], "problem"}.

Exit 0 when a login would use the server said; 1 when no client for it is configured yet (bcauth setup asks for one); 2 when discovery fails hard or a setting is wrong, naming the setting.`,
		Example: "bcauth discover\nbcauth discover --json | jq -r .server.name",
	}
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print JSON")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if runF != nil {
			return runF(o)
		}
		return f.script(cmd, "", func(svc *core.Service, out Output) int { return Discover(cmd.Context(), svc, out, o.JSON) })
	}
	return cmd
}

// Discover says which authorization server a login would use now, as
// core.Service.Discover decides it for the login itself: the API origin's
// advertised servers (RFC 9728), the pinned issuer, the BC5 issuer's
// metadata (RFC 8414) and the clients configured. It sends no credentials
// (only the metadata requests, to the API origin and the issuer it
// names; asked again when no client is configured, as the setup screen
// asks) and stores nothing.
//
// Plain output, for people: the server, why, the API origin asked and
// what it advertised, one "label  value" line each; a problem on stderr.
// With asJSON, one object on stdout and nothing on stderr:
//
//	{"server": {"name": "https://app.basecamp.com", "kind": "bc5", "issuer": "https://app.basecamp.com"},
//	 "note": null, "skipped": null, "resource": "https://3.basecampapi.com",
//	 "advertised": ["https://app.basecamp.com", "https://launchpad.37signals.com"],
//	 "problem": null}
//
// server.name is "Launchpad" or the issuer, kind "launchpad" or "bc5",
// issuer null on Launchpad; note is why this server when that needs
// saying (a fallback to Launchpad, or BC5 there and no BC5 client);
// skipped is why discovery did not run at all; advertised is what the API
// origin named ([] for none), null when its document was not read (it
// could not be, discovery was skipped or Launchpad was pinned) and on
// exit 1, where only the server is known; problem is {"kind", "message",
// "fix", "setting"}, null on exit 0, with server null on exit 2.
//
// Exit 0 when a login would use that server now; 1 when discovery chose
// it but no client for it is configured, so a login would first ask for
// one (and on any failure that may pass); 2 when discovery fails hard
// (bc5.md: an unusable or ambiguous issuer, a pinned one not advertised)
// or a setting is wrong (an origin that is not one, a pinned BC5 with no
// BC5 client, an unreadable config.json): problem.setting names it.
func Discover(ctx context.Context, svc *core.Service, out Output, asJSON bool) int {
	set := svc.Settings()
	rep := discoverJSON{Resource: optional(cmp.Or(set.Client.BaseURL, auth.DefaultResource))}
	code := ExitOK
	plan, err := svc.Discover(ctx)
	switch {
	case err == nil:
		srv := plan.Client.Server()
		rep.Server = discoveredServer(srv)
		rep.Note, rep.Skipped = optional(plan.Note), optional(plan.Skipped)
		if rep.Skipped != nil {
			rep.Resource = nil // no API origin was asked
		}
		if plan.Advertised != nil {
			rep.Advertised = make([]string, 0, len(plan.Advertised))
			for _, s := range plan.Advertised {
				rep.Advertised = append(rep.Advertised, core.Clean(s))
			}
		}
	case errors.Is(err, auth.ErrNotConfigured):
		// Nothing to log in with yet: which server would it be? The
		// setup screen asks the same, for the client it needs.
		srv, serr := svc.SetupServer(ctx)
		if serr != nil {
			err = serr
			break
		}
		rep.Server, rep.Note = discoveredServer(srv), optional(srv.Note)
		rep.Problem = noClientFor(srv, core.Describe(err, set))
		code = ExitFailed
	}
	if rep.Server == nil {
		p := core.Describe(err, set)
		rep.Problem = &discoverProblemJSON{Kind: p.Kind, Message: core.Clean(p.Text()), Fix: core.Clean(p.Fix), Setting: optional(settingOf(err))}
		code = p.Exit
		if code == ExitOK {
			code = ExitFailed
		}
	}
	if asJSON {
		if c := out.flushJSON(rep); c != ExitOK {
			return c
		}
		return code
	}
	if rep.Server != nil {
		if c := out.flush([]byte(renderDiscover(rep, set.Client.Issuer != ""))); c != ExitOK {
			return c
		}
	}
	if p := rep.Problem; p != nil {
		out.problem(core.Problem{Message: p.Message, Fix: p.Fix})
	}
	return code
}

// discoverJSON is `bcauth discover --json`; see Discover.
type discoverJSON struct {
	Server     *discoveredServerJSON `json:"server"`
	Note       *string               `json:"note"`
	Skipped    *string               `json:"skipped"`
	Resource   *string               `json:"resource"` // null when discovery was skipped
	Advertised []string              `json:"advertised"`
	Problem    *discoverProblemJSON  `json:"problem"`
}

type discoveredServerJSON struct {
	Name   string  `json:"name"`
	Kind   string  `json:"kind"`
	Issuer *string `json:"issuer"`
}

type discoverProblemJSON struct {
	Kind    string  `json:"kind"`
	Message string  `json:"message"`
	Fix     string  `json:"fix"`
	Setting *string `json:"setting"`
}

func discoveredServer(srv auth.Server) *discoveredServerJSON {
	out := &discoveredServerJSON{Name: core.Clean(srv.Name()), Kind: string(auth.ServerLaunchpad)}
	if srv.IsBC5() {
		out.Kind, out.Issuer = string(auth.ServerBC5), optional(srv.Issuer)
	}
	return out
}

// noClientFor is the problem of a login discovery chose srv for, with no
// client configured that could make it.
func noClientFor(srv auth.Server, p core.Problem) *discoverProblemJSON {
	if srv.IsBC5() {
		return &discoverProblemJSON{Kind: core.KindNotConfigured, Setting: optional(auth.SettingBC5ClientID),
			Message: core.Clean("no client is configured, so a login would first ask for one: the BC5 client ID of a client registered with " + srv.Issuer),
			Fix:     "run bcauth setup, or set " + auth.SettingBC5ClientID + " (a BC5 client is public: an ID, no secret)"}
	}
	return &discoverProblemJSON{Kind: core.KindNotConfigured, Setting: optional(auth.SettingClientID),
		Message: core.Clean("no Launchpad client is configured, so a login would first ask for one" + detailOf(p)),
		Fix:     core.Clean(p.Fix)}
}

// detailOf is ": " and p's detail, when it has one.
func detailOf(p core.Problem) string {
	if p.Detail == "" {
		return ""
	}
	return ": " + p.Detail
}

// settingOf is the setting an error names, if it names one.
func settingOf(err error) string {
	var (
		de *auth.DiscoveryError
		se *auth.SettingError
	)
	switch {
	case errors.As(err, &de):
		return de.Setting
	case errors.As(err, &se):
		return se.Setting
	}
	return ""
}

// renderDiscover is discover's plain report.
func renderDiscover(rep discoverJSON, pinned bool) string {
	var b strings.Builder
	field := func(label, value string) { fmt.Fprintf(&b, "%-14s%s\n", label, value) }
	srv := rep.Server
	switch {
	case srv.Kind == string(auth.ServerBC5):
		field("Server", srv.Name+" (BC5, Basecamp's newer sign-in: a code entered in any browser)")
	default:
		field("Server", "Launchpad (the browser and a loopback callback)")
	}
	switch {
	case rep.Skipped != nil:
		field("Why", *rep.Skipped)
	case rep.Note != nil:
		field("Why", *rep.Note)
	case pinned:
		field("Why", auth.SettingIssuer+" pins it")
	case srv.Kind == string(auth.ServerBC5):
		field("Why", "the API origin advertises it, and no other BC5 issuer")
	}
	if rep.Resource != nil {
		field("API origin", *rep.Resource)
	} else {
		field("API origin", "none asked")
	}
	switch {
	case rep.Advertised == nil && rep.Problem != nil:
		// Only the server is known when no client could make the login.
	case rep.Advertised == nil && (rep.Skipped != nil || pinned && srv.Kind == string(auth.ServerLaunchpad)):
		field("Advertised", "not asked")
	case rep.Advertised == nil:
		field("Advertised", "not read")
	case len(rep.Advertised) == 0:
		field("Advertised", "none")
	default:
		field("Advertised", strings.Join(rep.Advertised, ", "))
	}
	return b.String()
}
