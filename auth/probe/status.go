package probe

import (
	"fmt"
	"strings"
)

// Status is what a product's "who am I" endpoint said about one account.
type Status int

// The outcomes of a probe. The zero Status means "not probed yet" and never
// comes out of a Prober.
const (
	// Reachable: the product answered with the person behind the credentials.
	Reachable Status = iota + 1
	// Refused: 401 or 403, the product does not accept the credentials.
	Refused
	// Inactive: 404 with the header "Reason: Account Inactive", the account
	// is closed or suspended.
	Inactive
	// NotFound: 404 (without that header) or 410, nothing at the href.
	NotFound
	// RateLimited: still 429 after the retries, or a Retry-After longer than
	// the Prober waits.
	RateLimited
	// ServerError: still 5xx after the retries.
	ServerError
	// Timeout: no answer within the per-request timeout.
	Timeout
	// Failed: no usable answer for another reason: the network, a redirect,
	// an unexpected status such as 400, or a body that is not a person.
	Failed
	// NotProbed: bcauth did not ask, because the product has no public who
	// am I endpoint (HEY, unknown products) or the href is not safe to send
	// credentials to.
	NotProbed
	// Canceled: the context ended before an answer came.
	Canceled
)

var statusNames = [...]string{
	Reachable:   "reachable",
	Refused:     "refused",
	Inactive:    "inactive",
	NotFound:    "not_found",
	RateLimited: "rate_limited",
	ServerError: "server_error",
	Timeout:     "timeout",
	Failed:      "failed",
	NotProbed:   "not_probed",
	Canceled:    "canceled",
}

var statusLabels = [...]string{
	Reachable:   "reachable",
	Refused:     "token refused",
	Inactive:    "account inactive",
	NotFound:    "not found",
	RateLimited: "rate limited",
	ServerError: "server error",
	Timeout:     "timed out",
	Failed:      "failed",
	NotProbed:   "not probed",
	Canceled:    "canceled",
}

// String is the status as a person reads it, such as "account inactive".
func (s Status) String() string {
	if s > 0 && int(s) < len(statusLabels) {
		return statusLabels[s]
	}
	return "unknown"
}

// Name is the status's short stable name for scripts and JSON, such as
// "not_found".
func (s Status) Name() string {
	if s > 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "unknown"
}

// MarshalText writes the stable Name, so JSON carries "reachable", never 1.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.Name()), nil }

// UnmarshalText reads a stable Name back.
func (s *Status) UnmarshalText(b []byte) error {
	v, err := ParseStatus(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseStatus returns the Status whose Name is name.
func ParseStatus(name string) (Status, error) {
	for i, n := range statusNames {
		if n != "" && n == name {
			return Status(i), nil
		}
	}
	return 0, fmt.Errorf("unknown probe status %q: use one of %s", name, strings.Join(statusNames[1:], ", "))
}
