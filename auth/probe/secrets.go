package probe

import (
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
	"sync"
)

// classicToken is a classic product's own API token in an answer: Highrise's
// <token>, Campfire's <api-auth-token>, with or without attributes, and
// as a JSON member.
var classicToken = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?is)(<(token|api-auth-token)\b[^>]*>)[^<]*(</(token|api-auth-token)\s*>)|("(token|api_auth_token|api-auth-token)"\s*:\s*)("(?:[^"\\]|\\.)*"|[0-9]+)`)
})

// withoutSecrets is an answer's words as a probe quotes them: without the
// credentials the request carried (a bearer token, a Basic user and
// password) should the server echo them, and without a classic product's
// API token, which its who-am-I answer holds.
func withoutSecrets(text string, req *http.Request) string {
	text = classicToken().ReplaceAllString(text, "${1}${5}REDACTED${3}")
	scheme, cred, _ := strings.Cut(req.Header.Get("Authorization"), " ")
	secrets := []string{cred}
	if strings.EqualFold(scheme, "Basic") {
		if raw, err := base64.StdEncoding.DecodeString(cred); err == nil {
			user, pw, _ := strings.Cut(string(raw), ":")
			secrets = append(secrets, user, pw)
		}
	}
	for _, s := range secrets {
		// A password of "X" (an API token's) or a short user name is no
		// secret worth blanking every occurrence of.
		if len(s) >= 4 {
			text = strings.ReplaceAll(text, s, "[redacted]")
		}
	}
	return text
}
