package probe_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"bcauth/auth"
	"bcauth/auth/probe"
)

func TestStatusNamesAreStable(t *testing.T) {
	want := map[probe.Status]string{
		probe.Reachable: "reachable", probe.Refused: "refused", probe.Inactive: "inactive",
		probe.NotFound: "not_found", probe.RateLimited: "rate_limited", probe.ServerError: "server_error",
		probe.Timeout: "timeout", probe.Failed: "failed", probe.NotProbed: "not_probed", probe.Canceled: "canceled",
	}
	for s, name := range want {
		b, err := json.Marshal(s)
		if err != nil || string(b) != `"`+name+`"` {
			t.Errorf("%v marshals as %s, %v", s, b, err)
		}
		var back probe.Status
		if err := json.Unmarshal(b, &back); err != nil || back != s {
			t.Errorf("%s reads back as %v, %v", b, back, err)
		}
		if s.String() == "" || s.String() == "unknown" {
			t.Errorf("%d has no label", s)
		}
	}
	if _, err := probe.ParseStatus("fine"); err == nil {
		t.Error("ParseStatus accepted an unknown name")
	}
	r := probe.Result{Account: auth.Account{Product: "bc3", ID: 1}, Status: probe.Inactive, HTTPStatus: 404, Attempts: 1, Elapsed: 1500 * time.Millisecond}
	b, _ := json.Marshal(r)
	if got := string(b); !strings.Contains(got, `"status":"inactive"`) || !strings.Contains(got, `"elapsed_ms":1500`) || strings.Contains(got, `"person"`) {
		t.Errorf("result JSON %s", got)
	}
}
