package store

import (
	"github.com/godbus/dbus/v5"
	ss "github.com/zalando/go-keyring/secret_service"
)

// quickGet reads an entry from the Secret Service in three calls (open a
// session, search every collection, get the secret) where go-keyring's
// Get makes seven, unlocking before it looks: it is most of what
// bcauth token costs with the keyring. ok is false when the quick way
// cannot answer (a locked item, any error), and the caller then goes the
// whole way, which unlocks.
func quickGet(account string) (secret string, found, ok bool) {
	svc, err := ss.NewSecretService()
	if err != nil {
		return "", false, false
	}
	session, err := svc.OpenSession()
	if err != nil {
		return "", false, false
	}
	// Closed without waiting for the answer: no round trip for it.
	defer session.Call("org.freedesktop.Secret.Session.Close", dbus.FlagNoReplyExpected)
	var unlocked, locked []dbus.ObjectPath
	attrs := map[string]string{"service": secretService, "username": account}
	if err := svc.Object("org.freedesktop.secrets", "/org/freedesktop/secrets").Call("org.freedesktop.Secret.Service.SearchItems", 0, attrs).Store(&unlocked, &locked); err != nil {
		return "", false, false
	}
	switch {
	case len(locked) > 0:
		return "", false, false
	case len(unlocked) == 0:
		return "", false, true
	}
	s, err := svc.GetSecret(unlocked[0], session.Path())
	if err != nil {
		return "", false, false
	}
	return string(s.Value), true, true
}
