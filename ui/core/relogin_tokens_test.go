package core_test

import (
	"testing"

	"bcauth/auth/launchpadtest"
	"bcauth/ui/uitest"
)

// TestLoggingInAgainStoresWhichRefreshToken: a new login with the browser
// stores its own refresh token, never the older one; an access token
// pasted alone for the same Basecamp ID keeps the stored refresh token,
// which still renews it.
func TestLoggingInAgainStoresWhichRefreshToken(t *testing.T) {
	e := uitest.New(t, launchpadtest.Options{})
	first := e.LogIn(t)
	second := e.LogIn(t)
	if second.Token.RefreshToken == first.Token.RefreshToken {
		t.Fatal("the fake gave both logins one refresh token; the test proves nothing")
	}
	if got := e.Current(t).Token.RefreshToken; got != second.Token.RefreshToken {
		t.Errorf("after a second login the stored refresh token is %q, want the new %q", got, second.Token.RefreshToken)
	}
	access, _, _ := e.Fake.IssueToken()
	sess, _, err := e.Svc.AddToken(testContext(t), access, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Current(t).Token; got.AccessToken != access || got.RefreshToken != second.Token.RefreshToken || sess.Token.RefreshToken != second.Token.RefreshToken {
		t.Errorf("after pasting an access token alone: stored %q / %q, want %q / the stored refresh token %q", got.AccessToken, got.RefreshToken, access, second.Token.RefreshToken)
	}
}
