package auth_test

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"bcauth/auth"
)

// Discovery at its edges: each test here stands against a wrong program
// mutation testing found the other tests let through.

// deadlineRecorder answers the API host's metadata itself, sends nothing
// anywhere, and records how long each request was given.
type deadlineRecorder struct {
	mu   sync.Mutex
	left []time.Duration // time.Until the request's deadline; 0 if none
}

func (d *deadlineRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	var left time.Duration
	if dl, ok := r.Context().Deadline(); ok {
		left = time.Until(dl)
	}
	d.mu.Lock()
	d.left = append(d.left, left)
	d.mu.Unlock()
	body := `{"resource":"` + strings.TrimSuffix(r.URL.Scheme+"://"+r.URL.Host, "/") + `"}`
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: r}, nil
}

// TestDiscoverKeepsAShorterTimeout: the caller's client timeout is cut to
// discovery's own 10 s when it is longer or none, and kept when it is
// shorter.
func TestDiscoverKeepsAShorterTimeout(t *testing.T) {
	for _, tc := range []struct {
		timeout  time.Duration
		min, max time.Duration
	}{
		{2 * time.Second, time.Second, 2 * time.Second},
		{0, 9 * time.Second, 10 * time.Second},
		{time.Hour, 9 * time.Second, 10 * time.Second},
	} {
		rec := &deadlineRecorder{}
		d, err := auth.Discover(context.Background(), auth.DiscoveryConfig{Resource: "http://127.0.0.1:9",
			HTTPClient: &http.Client{Timeout: tc.timeout, Transport: rec}})
		if err != nil || d.Server.IsBC5() {
			t.Fatalf("Discover = %+v, %v", d, err)
		}
		if len(rec.left) != 1 || rec.left[0] <= tc.min || rec.left[0] > tc.max {
			t.Errorf("a client timeout of %v: the request had %v left, want (%v, %v]", tc.timeout, rec.left, tc.min, tc.max)
		}
	}
}

// TestDiscoverReadsAnyTwoHundred: every 2xx is a success, 299 too.
func TestDiscoverReadsAnyTwoHundred(t *testing.T) {
	s := newSite(t)
	status := func(code int, next http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			next(&statusWriter{ResponseWriter: w, code: code}, r)
		}
	}
	s.setPRM(status(299, jsonAt(map[string]any{"resource": s.api.URL, "authorization_servers": []string{s.issuer.URL}})))
	s.mu.Lock()
	s.asm = status(299, jsonAt(s.metadata(nil)))
	s.mu.Unlock()
	d, err := s.discover(t, nil)
	if err != nil || !d.Server.IsBC5() {
		t.Fatalf("Discover with 299s = %+v, %v; want BC5", d, err)
	}
}

// statusWriter answers with code instead of 200.
type statusWriter struct {
	http.ResponseWriter
	code  int
	wrote bool
}

func (w *statusWriter) WriteHeader(int) {
	if !w.wrote {
		w.wrote = true
		w.ResponseWriter.WriteHeader(w.code)
	}
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.WriteHeader(0)
	return w.ResponseWriter.Write(b)
}

// TestDiscoverReadsADocumentAtTheCap: a document of exactly 256 KiB is
// read, whether its length is announced or not; one byte more is not.
func TestDiscoverReadsADocumentAtTheCap(t *testing.T) {
	const limit = 256 << 10
	for _, tc := range []struct {
		size     int
		announce bool
		ok       bool
	}{
		{limit, true, true},
		{limit, false, true},
		{limit + 1, true, false},
		{limit + 1, false, false},
	} {
		s := newSite(t)
		head, tail := `{"resource":"`+s.api.URL+`","authorization_servers":["`+s.issuer.URL+`"],"pad":"`, `"}`
		doc := head + strings.Repeat("x", tc.size-len(head)-len(tail)) + tail
		s.setPRM(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if tc.announce {
				w.Header().Set("Content-Length", strconv.Itoa(len(doc)))
			}
			for i := 0; i < len(doc); i += 4096 {
				w.Write([]byte(doc[i:min(i+4096, len(doc))]))
				w.(http.Flusher).Flush()
			}
		})
		d, err := s.discover(t, nil)
		switch {
		case tc.ok && (err != nil || !d.Server.IsBC5()):
			t.Errorf("%d bytes (announced %v): %+v, %v; want BC5", tc.size, tc.announce, d, err)
		case !tc.ok:
			wantLaunchpad(t, d, err, "larger than 256 KiB")
		}
	}
}

// TestCheckOriginSaysWhatIsWrong: an address with no authority is said
// to have no host, even when what follows holds an "@".
func TestCheckOriginSaysWhatIsWrong(t *testing.T) {
	for raw, why := range map[string]string{
		"https:///@x.example":    "no host",
		"https://?u@x.example":   "no host",
		"https://#u@x.example":   "no host",
		"https://u@x.example/":   "no user information",
		"https://x.example/@a/b": "no path",
	} {
		err := auth.CheckOrigin(auth.SettingResource, raw)
		if err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("CheckOrigin(%q) = %v, want it to say %q", raw, err, why)
		}
	}
}
