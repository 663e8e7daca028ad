package cli

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"bcauth/auth/launchpadtest"
	"bcauth/store"
	"bcauth/ui/uitest"
)

// memSecrets is an OS keyring in memory, for the keyring's failure modes
// without a Secret Service.
type memSecrets struct {
	mu sync.Mutex
	m  map[string]string
}

func (k *memSecrets) Name() string { return "a keyring in memory" }

func (k *memSecrets) Get(_ context.Context, account string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.m[account]
	if !ok {
		return "", store.ErrSecretGone
	}
	return v, nil
}

func (k *memSecrets) Set(_ context.Context, account, secret string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.m[account] = secret
	return nil
}

func (k *memSecrets) Delete(_ context.Context, account string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.m, account)
	return nil
}

// keyringWithTwo is Annie and Ben logged in with their tokens in a keyring
// in memory; Ben is current.
func keyringWithTwo(t *testing.T) (*cliEnv, *memSecrets, store.Session, store.Session) {
	t.Helper()
	e := &cliEnv{uitest.New(t, launchpadtest.Options{})}
	k := &memSecrets{m: map[string]string{}}
	st, err := store.Open(e.Dir, store.WithKeyring(k, store.KeyringOn))
	if err != nil {
		t.Fatal(err)
	}
	e.Svc.Store = st
	e.LogIn(t)
	e.LogInSecond(t)
	state, err := e.Svc.Store.Load()
	if err != nil || len(state.Sessions) != 2 || state.Sessions[0].Token.Keyring == "" || state.Sessions[1].Token.Keyring == "" {
		t.Fatalf("the tokens are not in the keyring: %v %+v", err, state)
	}
	return e, k, state.Sessions[0], state.Sessions[1]
}

func (e *cliEnv) run(t *testing.T, id string, f func(Output) int) cliResult {
	t.Helper()
	e.Svc.ID = id
	defer func() { e.Svc.ID = "" }()
	return cliRun(f)
}

// Point 1, through the keyring: Annie's entry copied over Ben's is told
// from his without a request (each entry names its login); one rewritten
// without that name is found out by authorization.json. Either way
// nothing of Annie's is printed as Ben's, and nothing stored changes.
func TestAKeyringEntrySwappedForAnotherPersonsIsNeverUsed(t *testing.T) {
	e, k, annie, ben := keyringWithTwo(t)
	annieEntry, _ := k.Get(t.Context(), annie.Token.Keyring)
	benEntry, _ := k.Get(t.Context(), ben.Token.Keyring)

	k.Set(t.Context(), ben.Token.Keyring, annieEntry)
	auths := e.Fake.Requests(launchpadtest.EndpointAuthorization)
	r := e.run(t, "ben", func(o Output) int { return Token(t.Context(), e.Svc, o, false) })
	if r.code != ExitMisconfigured || r.stdout != "" || !strings.Contains(r.stderr, "another login") {
		t.Errorf("token --id ben with Annie's entry: exit %d, %q, %s", r.code, r.stdout, r.stderr)
	}
	if n := e.Fake.Requests(launchpadtest.EndpointAuthorization) - auths; n != 0 {
		t.Errorf("%d authorization.json requests to tell a copied entry", n)
	}

	// Rewritten as if it were Ben's own: Launchpad says whose it is.
	forged := strings.Replace(annieEntry, `"login":"`+annie.Key()+`"`, `"login":"`+ben.Key()+`"`, 1)
	if forged == annieEntry {
		t.Fatalf("no login in the entry: %s", annieEntry)
	}
	k.Set(t.Context(), ben.Token.Keyring, forged)
	r = e.run(t, "ben", func(o Output) int { return Status(t.Context(), e.Svc, o, false) })
	if r.code != ExitRelogin || !strings.Contains(r.stderr, "stored as the login of Ben Ortiz") || !strings.Contains(r.stderr, "belongs to Annie Bryan") {
		t.Errorf("status --id ben with Annie's tokens: exit %d, %s", r.code, r.stderr)
	}
	r = e.run(t, "ben", func(o Output) int { return Accounts(t.Context(), e.Svc, o, false, "") })
	if r.code != ExitRelogin || r.stdout != "" {
		t.Errorf("accounts --id ben with Annie's tokens: exit %d, %q", r.code, r.stdout)
	}
	st, _ := e.Svc.Store.Load()
	if len(st.Sessions) != 2 || st.Sessions[1].Identity.ID != ben.Identity.ID || st.Sessions[1].Refused != nil {
		t.Errorf("the stored logins changed: %+v", st.Sessions)
	}

	// Ben's own entry back: Ben again.
	k.Set(t.Context(), ben.Token.Keyring, benEntry)
	if r := e.run(t, "ben", func(o Output) int { return Status(t.Context(), e.Svc, o, false) }); r.code != 0 {
		t.Errorf("status --id ben with his entry back: exit %d, %s", r.code, r.stderr)
	}
}

// Point 3, through the keyring: an emptied entry is damage reported as
// such, never a refusal recorded; restored, the login works again.
func TestAnEmptiedKeyringEntryIsNoRefusal(t *testing.T) {
	e, k, _, ben := keyringWithTwo(t)
	e.ExpireStored(t, &ben, time.Minute) // due: the next token refreshes
	good, _ := k.Get(t.Context(), ben.Token.Keyring)

	k.Set(t.Context(), ben.Token.Keyring, "{}")
	tokens := e.Fake.Requests(launchpadtest.EndpointToken)
	for range 3 {
		r := e.token(t)
		if r.code != ExitMisconfigured || r.stdout != "" || !strings.Contains(r.stderr, "damaged") && !strings.Contains(r.stderr, "holds no token bcauth wrote") || strings.Contains(r.stderr, "refused") {
			t.Errorf("token with an emptied entry: exit %d, %q, %s", r.code, r.stdout, r.stderr)
		}
	}
	if n := e.Fake.Requests(launchpadtest.EndpointToken) - tokens; n != 0 {
		t.Errorf("%d token requests with an emptied entry", n)
	}
	if s := e.Current(t); s.Refused != nil {
		t.Fatalf("an emptied entry was recorded as Launchpad's refusal: %+v", s.Refused)
	}

	k.Set(t.Context(), ben.Token.Keyring, good)
	if r := e.token(t); r.code != 0 || r.stdout == "" {
		t.Errorf("token with the entry restored: exit %d, %s", r.code, r.stderr)
	}
}
