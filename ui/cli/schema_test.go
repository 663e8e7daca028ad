package cli

import (
	"encoding/json"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"bcauth/store"
	"bcauth/ui/core"
)

// The README is where the --json shapes are written down for people; these
// tests hold it to what the commands really print.

// readmeJSON is the first ```json block after marker in the README.
func readmeJSON(t *testing.T, marker string) any {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), marker)
	if !ok {
		t.Fatalf("the README has no %q", marker)
	}
	_, block, ok := strings.Cut(after, "```json\n")
	block, _, _ = strings.Cut(block, "```")
	if !ok {
		t.Fatalf("no JSON block after %q in the README", marker)
	}
	var v any
	if err := json.Unmarshal([]byte(block), &v); err != nil {
		t.Fatalf("the README's JSON after %q does not parse: %v\n%s", marker, err, block)
	}
	return v
}

// keyPaths lists every object key in v as a path ("token.expires_at");
// an array's elements are "[]".
func keyPaths(v any, prefix string, into map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, sub := range v {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			into[p] = true
			keyPaths(sub, p, into)
		}
	case []any:
		for _, sub := range v {
			keyPaths(sub, prefix+"[]", into)
		}
	}
}

// sameKeys compares the key paths of a documented example and of what a
// command printed. optional paths may be in one only; one ending in ".*"
// is a map whose keys are data (product codes), not names.
func sameKeys(t *testing.T, what string, documented, printed any, optional ...string) {
	t.Helper()
	isOptional := func(k string) bool {
		for _, o := range optional {
			if k == o || strings.HasSuffix(o, ".*") && strings.HasPrefix(k, strings.TrimSuffix(o, "*")) {
				return true
			}
		}
		return false
	}
	doc, got := map[string]bool{}, map[string]bool{}
	keyPaths(documented, "", doc)
	keyPaths(printed, "", got)
	var missing, extra []string
	for k := range got {
		if !doc[k] && !isOptional(k) {
			missing = append(missing, k)
		}
	}
	for k := range doc {
		if !got[k] && !isOptional(k) {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("%s prints %v, which the README's example does not show", what, missing)
	}
	if len(extra) > 0 {
		t.Errorf("the README's example of %s shows %v, which it does not print", what, extra)
	}
}

func TestStatusJSONIsWhatTheREADMESays(t *testing.T) {
	e := newCLIEnv(t, cliOpts{})
	r := e.status(t, true)
	var printed any
	if err := json.Unmarshal([]byte(r.stdout), &printed); err != nil {
		t.Fatalf("status --json: %v\n%s", err, r.stdout)
	}
	// problem is null when all is well: its keys are checked below.
	sameKeys(t, "status --json", readmeJSON(t, "`bcauth status --json`:"), printed, "secrets.keyring_name", "accounts_by_product.*")

	// Every kind status can report is in the README's list, and the list
	// names no kind bcauth does not have. timeout, port_in_use and denied
	// end a browser login, which status never runs.
	readme, _ := os.ReadFile("../../README.md")
	_, list, _ := strings.Cut(string(readme), "`problem` is `null` or")
	list, _, _ = strings.Cut(list, "\n\n")
	listed := map[string]bool{}
	for _, m := range regexp.MustCompile("`([a-z_]+)`").FindAllStringSubmatch(list, -1) {
		listed[m[1]] = true
	}
	kinds := []string{core.KindNotConfigured, core.KindInvalidConfig, core.KindClientRejected, core.KindCorruptConfig,
		core.KindCorruptState, core.KindNewerFile, core.KindUnsafeFile, core.KindNotLoggedIn, core.KindOtherClient,
		core.KindRejected, core.KindUnreachable, core.KindLaunchpad, core.KindUnknownID, core.KindAmbiguousID,
		core.KindKeyring, core.KindError, core.KindNotRenewable, core.KindOtherIdentity, core.KindOnHold}
	for _, k := range kinds {
		if !listed[k] {
			t.Errorf("status can report problem kind %q, which the README does not list", k)
		}
	}
	for _, k := range []string{core.KindTimeout, core.KindPortInUse, core.KindDenied} {
		if listed[k] {
			t.Errorf("the README lists %q among status's kinds; only a browser login ends with it", k)
		}
	}

	// A problem's keys, from a status that has one.
	e.logout(t, true)
	r = e.status(t, true)
	var withProblem struct {
		Problem map[string]any `json:"problem"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &withProblem); err != nil || withProblem.Problem == nil {
		t.Fatalf("status --json logged out: %v\n%s", err, r.stdout)
	}
	for k := range withProblem.Problem {
		if !strings.Contains(list, `"`+k+`"`) {
			t.Errorf("status --json's problem has %q, which the README does not name", k)
		}
	}
}

func TestAccountsJSONIsWhatTheREADMESays(t *testing.T) {
	e := newCLIEnv(t, cliOpts{})
	r := e.accounts(t, true, "")
	var printed any
	if err := json.Unmarshal([]byte(r.stdout), &printed); err != nil {
		t.Fatalf("accounts --json: %v\n%s", err, r.stdout)
	}
	// Launchpad's own fields pass through; the fake's are the documented ones.
	sameKeys(t, "accounts --json", readmeJSON(t, "`bcauth accounts --json` is always an array"), printed)
}

// "In `client`, each `…_source` says where that setting came from:
// `environment`, `file`, `keyring`, `default` or `unset`": the README's list
// is what sourceName can say, every `…_source` of its example is one of
// them, and a setting its example shows empty has the source status prints
// for that setting when it is not set (bc5_client_id and oauth_issuer have
// no default: "unset", never the "not set" the people's status says).
func TestStatusJSONSourcesAreWhatTheREADMESays(t *testing.T) {
	can := map[string]bool{}
	for _, s := range []store.Source{store.SourceUnset, store.SourceFile, store.SourceEnv, store.SourceKeyring} {
		can[sourceName(s, true)], can[sourceName(s, false)] = true, true
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, list, ok := strings.Cut(string(readme), "each `…_source` says where that setting came from:")
	if !ok {
		t.Fatal("the README does not list the values of status --json's …_source")
	}
	list, _, _ = strings.Cut(list, "\n\n")
	listed := map[string]bool{}
	for _, m := range regexp.MustCompile("`([a-z]+)`").FindAllStringSubmatch(list, -1) {
		listed[m[1]] = true
	}
	for v := range can {
		if !listed[v] {
			t.Errorf("status --json can say a source is %q, which the README does not list", v)
		}
	}
	for v := range listed {
		if !can[v] {
			t.Errorf("the README lists the source %q, which status --json never prints", v)
		}
	}

	e := newCLIEnv(t, cliOpts{})
	r := e.status(t, true)
	var printed struct {
		Client map[string]any `json:"client"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &printed); err != nil {
		t.Fatalf("status --json: %v\n%s", err, r.stdout)
	}
	example, _ := readmeJSON(t, "`bcauth status --json`:").(map[string]any)
	client, _ := example["client"].(map[string]any)
	if client == nil {
		t.Fatal("the README's status --json example has no client object")
	}
	for k, v := range client {
		setting, ok := strings.CutSuffix(k, "_source")
		if !ok {
			continue
		}
		if s, _ := v.(string); !can[s] {
			t.Errorf("the README's example has %s %q, which status --json never prints", k, v)
		}
		if value, _ := client[setting].(string); value == "" && setting != "client_secret" {
			if printed.Client[setting] != "" || printed.Client[k] != v {
				t.Errorf("the README's example shows %s empty with %s %q; status --json prints %q with %q", setting, k, v, printed.Client[setting], printed.Client[k])
			}
		}
	}
}
