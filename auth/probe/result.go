package probe

import (
	"encoding/json"
	"time"

	"bcauth/auth"
)

// Person is who the credentials belong to inside one product account. Its
// ID is the product's own person id, not the Launchpad identity id.
type Person struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	// Admin and Owner are false when the product does not say.
	Admin bool `json:"admin"`
	Owner bool `json:"owner"`
}

// Result is one account's probe. Reason and Person hold the server's text
// unfiltered: sanitise before display.
type Result struct {
	Account auth.Account
	Status  Status
	// Person is set when Status is Reachable.
	Person *Person
	// HTTPStatus is the last answer's status code, 0 when none came.
	HTTPStatus int
	// Reason says why in one clause, with the server's own words once when
	// it gave any and the next step when there is one, such as
	// `401: "HTTP Basic: Access denied." — the token is not accepted here`;
	// empty when Reachable.
	Reason string
	// Attempts counts the requests sent, retries included.
	Attempts int
	// Elapsed is the probe's whole time, waits included.
	Elapsed time.Duration
}

// MarshalJSON writes the result for `bcauth probe --json`, elapsed time in
// milliseconds.
func (r Result) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Account    auth.Account `json:"account"`
		Status     Status       `json:"status"`
		Person     *Person      `json:"person,omitempty"`
		HTTPStatus int          `json:"http_status,omitempty"`
		Reason     string       `json:"reason,omitempty"`
		Attempts   int          `json:"attempts"`
		ElapsedMS  int64        `json:"elapsed_ms"`
	}{r.Account, r.Status, r.Person, r.HTTPStatus, r.Reason, r.Attempts, r.Elapsed.Milliseconds()})
}
