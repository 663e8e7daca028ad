package launchpadtest

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

func TestFaults(t *testing.T) {
	type step struct {
		status int
		body   string
	}
	tests := []struct {
		name     string
		endpoint Endpoint
		faults   []Fault
		want     []step // answers to successive authorization.json or token requests
	}{
		{
			name:     "plain text until cleared",
			endpoint: EndpointAuthorization,
			faults:   []Fault{{Status: 503, Body: "Service Unavailable"}},
			want:     []step{{503, "Service Unavailable"}, {503, "Service Unavailable"}, {503, "Service Unavailable"}},
		},
		{
			name:     "times then normal",
			endpoint: EndpointAuthorization,
			faults:   []Fault{{Status: 401, Body: "Unknown Basecamp ID.", Times: 2}},
			want:     []step{{401, "Unknown Basecamp ID."}, {401, "Unknown Basecamp ID."}, {200, ""}},
		},
		{
			name:     "queued",
			endpoint: EndpointToken,
			faults: []Fault{
				{Status: 500, Body: "boom", Times: 1},
				{Status: 404, Body: `{"status":404,"error":"Not Found"}`, ContentType: "application/json", Times: 1},
			},
			want: []step{{500, "boom"}, {404, `{"status":404,"error":"Not Found"}`}, {200, ""}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t, Options{})
			tok := login(t, s)
			for _, f := range tt.faults {
				s.InjectFault(tt.endpoint, f)
			}
			before := s.Requests(tt.endpoint)
			for i, want := range tt.want {
				var a answer
				if tt.endpoint == EndpointToken {
					a = postToken(t, s, nil, refreshForm(s, tok["refresh_token"].(string)))
				} else {
					a = getAuthorization(t, s, tok["access_token"].(string), "t")
				}
				if a.status != want.status || (want.body != "" && a.body != want.body) {
					t.Errorf("request %d: got %d %q, want %d %q", i, a.status, a.body, want.status, want.body)
				}
			}
			if got := s.Requests(tt.endpoint) - before; got != len(tt.want) {
				t.Errorf("Requests counted %d, want %d", got, len(tt.want))
			}
			s.ClearFaults()
			if a := getAuthorization(t, s, tok["access_token"].(string), "t"); a.status != http.StatusOK {
				t.Errorf("after ClearFaults: %d %s", a.status, a.body)
			}
		})
	}
}

func TestFaultHeadersAndContentType(t *testing.T) {
	s := start(t, Options{})
	s.InjectFault(EndpointToken, Fault{
		Status: 429, Body: `{"error":"slow down"}`, ContentType: "application/json",
		Header: http.Header{"Retry-After": {"7"}}, Times: 1,
	})
	a := postToken(t, s, nil, refreshForm(s, "x"))
	if a.status != 429 || a.header.Get("Retry-After") != "7" || a.header.Get("Content-Type") != "application/json" {
		t.Errorf("got %d Retry-After=%q Content-Type=%q", a.status, a.header.Get("Retry-After"), a.header.Get("Content-Type"))
	}
	if len(s.TokenRequests()) != 1 {
		t.Errorf("a faulted token request was not recorded")
	}
	s.InjectFault(EndpointConsent, Fault{Status: 502, Body: "Bad Gateway", Times: 1})
	_, err := s.Approve(t.Context(), authURL(s, nil))
	var ce *ConsentError
	if !errors.As(err, &ce) || ce.Status != 502 || ce.Text != "Bad Gateway" {
		t.Errorf("Approve error %v, want the injected 502", err)
	}
}

func TestFaultDelay(t *testing.T) {
	const delay = 30 * time.Millisecond
	s := start(t, Options{})
	tok := login(t, s)
	s.InjectFault(EndpointAuthorization, Fault{Delay: delay, Times: 1})
	began := time.Now()
	a := getAuthorization(t, s, tok["access_token"].(string), "t")
	if elapsed := time.Since(began); elapsed < delay {
		t.Errorf("answered after %v, want at least %v", elapsed, delay)
	}
	if a.status != http.StatusOK {
		t.Errorf("delay-only fault changed the answer: %d %s", a.status, a.body)
	}
}

func TestFaultDelayHonoursClientCancel(t *testing.T) {
	s := start(t, Options{})
	s.InjectFault(EndpointToken, Fault{Status: 200, Body: "too late", Delay: time.Hour})
	ctx := ctxTimeout(t, 50*time.Millisecond)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/authorization/token", nil)
	_, err := noFollow.Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v, want the client's deadline", err)
	}
}

func TestCloseCutsDelayShort(t *testing.T) {
	s := NewServer(Options{})
	s.InjectFault(EndpointAuthorization, Fault{Status: 200, Body: "too late", Delay: time.Hour})
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL+"/authorization.json", nil)
		resp, err := noFollow.Do(req)
		if err == nil {
			resp.Body.Close()
			err = errors.New(resp.Status)
		}
		done <- err
	}()
	Eventually(t, "the delayed request to arrive", func() bool { return s.Requests(EndpointAuthorization) > 0 })
	s.Close()
	s.Close() // twice is fine
	if err := <-done; err == nil || err.Error() == "200 OK" {
		t.Errorf("delayed request got %v, want a dropped connection", err)
	}
}
