package launchpadtest

import (
	"fmt"
	"time"
)

// StartDemoBC5 starts the demo's fake (see StartDemo) with a BC5 issuer
// beside it, lit, for `bcauth demo --bc5`: the resource origin is the
// Server's URL and advertises the issuer, whose client is BC5ClientID.
// Codes are polled every second, so a login ends soon after it is
// approved; the headless demo approves with BC5.TakeTurns, given the
// verification_uri_complete the app would open. Closing the Server closes
// the issuer too.
func StartDemoBC5() (*Server, *BC5, error) {
	s, err := StartDemo()
	if err != nil {
		return nil, nil, err
	}
	b, err := s.StartBC5(BC5Options{Interval: time.Second})
	if err != nil {
		s.Close()
		return nil, nil, fmt.Errorf("launchpadtest: cannot start the demo's BC5 issuer: %w", err)
	}
	return s, b, nil
}
