package launchpadtest

import (
	"net/http"
	"time"
)

// Endpoint names one of the fake's endpoints, for fault injection and
// request counts.
type Endpoint string

// The fake's endpoints.
const (
	// EndpointConsent is the consent page: GET /authorization/new and the
	// POST of its form.
	EndpointConsent Endpoint = "/authorization/new"
	// EndpointToken is POST /authorization/token, for codes and refreshes.
	EndpointToken Endpoint = "/authorization/token"
	// EndpointAuthorization is GET /authorization.json.
	EndpointAuthorization Endpoint = "/authorization.json"
)

// Fault is a scripted answer that replaces the fake's own.
type Fault struct {
	// Status is the HTTP status to answer with. Zero means the fake answers
	// as usual after Delay, which makes a slow rather than a broken server.
	Status int
	// Body is the response body, sent as is.
	Body string
	// ContentType is the body's type; "text/plain; charset=utf-8" when empty.
	ContentType string
	// Header holds extra response headers, such as Retry-After.
	Header http.Header
	// Delay is how long to wait, in real time, before answering. A client
	// that gives up first (its request context ends) gets no answer at all.
	Delay time.Duration
	// Times is how many requests get this fault; zero means every request
	// until ClearFaults.
	Times int
}

// InjectFault makes the next requests to e get f instead of the usual
// answer. Faults for one endpoint queue up: each serves its Times requests
// before the next one applies, so a fault with Times zero stays until
// ClearFaults.
func (s *Server) InjectFault(e Endpoint, f Fault) {
	f.Header = f.Header.Clone()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[e] = append(s.faults[e], f)
}

// ClearFaults removes every injected fault, for every endpoint.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.faults)
}

// takeFault returns the fault the next request to e gets, if any, and
// uses up one of its Times. The caller holds s.mu.
func (s *Server) takeFault(e Endpoint) (Fault, bool) {
	q := s.faults[e]
	if len(q) == 0 {
		return Fault{}, false
	}
	f := q[0]
	if q[0].Times > 0 {
		q[0].Times--
		if q[0].Times == 0 {
			q = q[1:]
		}
	}
	if len(q) == 0 {
		delete(s.faults, e)
	} else {
		s.faults[e] = q
	}
	return f, true
}

// serveFault waits out f's delay and writes its answer. It reports whether
// the request should go on to the usual handler (a delay-only fault).
func (s *Server) serveFault(w http.ResponseWriter, r *http.Request, f Fault) bool {
	return serveFaultUntil(w, r, f, s.closed)
}

// serveFaultUntil is serveFault for a listener that closes with closed.
func serveFaultUntil(w http.ResponseWriter, r *http.Request, f Fault, closed <-chan struct{}) bool {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return false
		case <-closed:
			// Drop the connection rather than send an empty 200 the client
			// could mistake for an answer.
			panic(http.ErrAbortHandler)
		}
	}
	if f.Status == 0 {
		return true
	}
	writeCanned(w, f.Status, f.Header, f.ContentType, f.Body)
	return false
}

// writeCanned sends a scripted answer as given: a fault, or a product
// account's scripted reply. The content type defaults to plain text.
func writeCanned(w http.ResponseWriter, status int, header http.Header, contentType, body string) {
	for k, vs := range header {
		w.Header()[http.CanonicalHeaderKey(k)] = vs
	}
	if contentType == "" {
		contentType = "text/plain; charset=utf-8"
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
