package launchpadtest

import (
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// Issue 22, point 8: a demo server another local user floods with token
// requests keeps a bounded log, and refuses forms far beyond a token
// request's.
func TestTokenRequestsAreBoundedInSizeAndInTheLog(t *testing.T) {
	s := start(t, Options{})
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	post := func(form url.Values) int {
		resp, err := c.PostForm(s.URL+"/authorization/token", form)
		if err != nil {
			t.Error(err)
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(url.Values{"client_id": {strings.Repeat("x", maxTokenFormBytes)}}); code != http.StatusRequestEntityTooLarge {
		t.Errorf("a form of %d bytes: HTTP %d, want 413", maxTokenFormBytes, code)
	}
	if n := len(s.TokenRequestLog()); n != 0 {
		t.Errorf("the refused form was logged (%d entries)", n)
	}

	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapInuse
	}
	before := heap()
	const requests, each = 8_000, 7 << 10 // 57 MB of forms, were they all kept
	form := url.Values{"client_id": {strings.Repeat("y", each)}}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < requests; i += 4 {
				post(form)
			}
		})
	}
	wg.Wait()
	n := len(s.TokenRequestLog())
	grew := int64(heap()) - int64(before)
	t.Logf("%d requests: %d logged, heap grew %.1f MB", requests, n, float64(grew)/1e6)
	if n < maxTokenLog || n > maxTokenLog+maxTokenLog/2 {
		t.Errorf("%d token requests logged, want between %d and %d", n, maxTokenLog, maxTokenLog+maxTokenLog/2)
	}
	if grew > 30<<20 {
		t.Errorf("the heap grew %d MB over %d requests", grew>>20, requests)
	}
}

func TestProductLogIsBounded(t *testing.T) {
	s := start(t, Options{})
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/bc3/99999999/projects.json", nil)
	req.Header.Set("User-Agent", strings.Repeat("u", 8<<10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := s.ProductRequests(); len(got) != 1 || len(got[0].UserAgent) != loggedBytes {
		t.Fatalf("logged %d requests, the User-Agent cut to %d bytes; want 1, %d", len(got), len(got[0].UserAgent), loggedBytes)
	}
	log := []int{}
	dropped := 0
	for i := range 5 * maxLog {
		var d int
		log, d = keepLatest(log, maxLog)
		dropped += d
		log = append(log, i)
		if len(log) > maxLog+maxLog/2 || log[0] != dropped || log[len(log)-1] != i {
			t.Fatalf("after %d: %d kept from %d, %d dropped", i, len(log), log[0], dropped)
		}
	}
}
