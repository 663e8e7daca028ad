package launchpadtest

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// headless starts a headless chromium for one test, or skips the test on a
// machine without one (unless BCAUTH_E2E_REQUIRED says it must run, as
// in CI).
func headless(t *testing.T) context.Context {
	t.Helper()
	var bin string
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		const why = "no chromium or chromium-browser on PATH: install it (apt-get install -y chromium) to run the real-browser tests"
		if os.Getenv("BCAUTH_E2E_REQUIRED") != "" {
			t.Fatal(why + "; BCAUTH_E2E_REQUIRED is set, so this is a failure, not a skip")
		}
		t.Skip(why)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	}
	// One bound for the whole browser: a hung chromium fails the test.
	base, cancelBase := context.WithTimeout(t.Context(), 90*time.Second)
	actx, cancelAlloc := chromedp.NewExecAllocator(base, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancelBase()
	})
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	return bctx
}

// The verification page works in a real browser, without a script: the
// complete address fills the code in, the bare page takes it typed, the
// radio chooses the person, and Deny denies.
func TestVerificationPageInARealBrowser(t *testing.T) {
	ctx := headless(t)
	_, b, _ := startBC5(t, BC5Options{})
	for _, tc := range []struct {
		name  string
		steps func(d map[string]any) []chromedp.Action[chromedp.Void]
		want  string // whose token, or the poll's error
	}{
		{"the complete address, Allow", func(d map[string]any) []chromedp.Action[chromedp.Void] {
			return []chromedp.Action[chromedp.Void]{
				chromedp.Navigate(str(d, "verification_uri_complete")),
				chromedp.Click(chromedp.ID("allow")),
				chromedp.WaitVisible(chromedp.ID("approved")),
			}
		}, "annie@example.com"},
		{"the code typed, as Ben, Enter", func(d map[string]any) []chromedp.Action[chromedp.Void] {
			return []chromedp.Action[chromedp.Void]{
				chromedp.Navigate(b.VerificationURI),
				chromedp.Click(chromedp.CSS(`input[name="as"][value="8888888"]`)),
				chromedp.SendKeys(chromedp.ID("user_code"), str(d, "user_code")+"\r"),
				chromedp.WaitVisible(chromedp.ID("approved")),
			}
		}, "ben@example.com"},
		{"Deny", func(d map[string]any) []chromedp.Action[chromedp.Void] {
			return []chromedp.Action[chromedp.Void]{
				chromedp.Navigate(str(d, "verification_uri_complete")),
				chromedp.Click(chromedp.ID("deny")),
				chromedp.WaitVisible(chromedp.ID("denied")),
			}
		}, "access_denied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := startDevice(t, b, nil)
			step, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			if err := chromedp.Do(step, tc.steps(d)...); err != nil {
				t.Fatalf("in the browser: %v", err)
			}
			a := poll(t, b, str(d, "device_code"))
			if a.status != http.StatusOK {
				if e, _ := oauthErrorOf(t, a, http.StatusBadRequest); e != tc.want {
					t.Errorf("poll: %q, want %s", e, tc.want)
				}
				return
			}
			if email, _ := identityOf(t, b.AuthorizationURL, str(decodeObject(t, a.body), "access_token")); email != tc.want {
				t.Errorf("the token is %q's, want %s's", email, tc.want)
			}
		})
	}
}
