package probe

import (
	"fmt"
	"time"

	"bcauth/auth"
)

// rateLimited opens a 429's reason: "rate limited", or "still rate limited
// after 4 tries".
func rateLimited(attempts int) string {
	if attempts > 1 {
		return fmt.Sprintf("still rate limited after %d tries", attempts)
	}
	return "rate limited"
}

// seconds writes a wait as Retry-After counts it, in whole seconds: "90s",
// not "1m30s".
func seconds(d time.Duration) string {
	return fmt.Sprintf("%ds", int64((d+time.Second-1)/time.Second))
}

// apiTokenProducts are the classic products, which historically take their
// own API tokens rather than Launchpad's OAuth tokens.
var apiTokenProducts = map[string]bool{"basecamp": true, "campfire": true, "highrise": true, "backpack": true}

// refusedNext is the next step after a 401 or 403: for an OAuth token on a
// classic product, a probe with its API token instead.
func refusedNext(prod auth.Product, a Authorizer, href string) string {
	if _, ok := a.(BearerAuth); ok && apiTokenProducts[prod.Code] {
		return "this product may not take OAuth tokens; try bcauth probe --url " + href + " --product " + prod.Code + " --api-token -"
	}
	return "the " + secretWord(a) + " is not accepted here"
}

func canceled(err error) Result {
	return Result{Status: Canceled, Reason: "stopped before an answer came: " + err.Error()}
}

// canceledAfter is canceled for a probe that stopped while waiting to
// retry: it keeps the attempts made and the last answer's status.
func canceledAfter(err error, last Result) Result {
	r := canceled(err)
	r.Attempts, r.HTTPStatus = last.Attempts, last.HTTPStatus
	if last.Reason != "" {
		r.Reason += "; the last answer: " + last.Reason
	}
	return r
}
