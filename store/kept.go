package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unsafe"

	"bcauth/auth"
)

// Derived is what a run worked out from a cached answer, to be kept
// beside it; either part may be left out (By "").
type Derived struct {
	Order Order
	View  View
}

// Order is the order a list shows a cached answer's accounts in: At[k] is
// the place, in the answer's accounts array, of the account shown k-th,
// and By names the rules that made it, so that other rules never take it
// for theirs. The store gives an order back only with the answer it was
// made for, but never checks it against the accounts: whoever reads it
// must. It saves a long list being sorted again on every run when
// Launchpad's answer has not changed.
type Order struct {
	By string
	At []uint32
}

// A View is a cached answer's accounts as a command writes them (for
// accounts --json, the whole output), so that a run whose answer has not
// changed neither reads, sorts nor writes out thousands of accounts
// again. By names the command and its format, so that another never
// takes it for its own. The store keeps a view only with an answer the
// plain parser read (whose accounts a run can then skip), with a
// checksum, and gives it back only whole, with that answer, for the same
// By.
type View struct {
	By   string
	Text string
}

// The kept file, accounts-DIGEST.kept beside the session's cache file,
// holds what runs derived from the cached answer: a first line, keptHead,
// then the order's records (orderRecord bytes each), then the view. It
// is a file apart so that a bcauth that does not know it reads and writes
// the cache as ever, and a run that writes the answer alone leaves it be.
// Its first line repeats the cache file's Gen (a random name that file
// got when written) and its answer's length, so it is believed only
// beside that very file, whatever wrote the cache since.
type keptHead struct {
	Version    *int    `json:"version"`
	Session    string  `json:"session"`
	Gen        string  `json:"gen"`
	AnswerSize *int64  `json:"answer_size"`
	Order      *int    `json:"order,omitempty"`
	OrderBy    string  `json:"order_by,omitempty"`
	View       *int64  `json:"view,omitempty"`
	ViewBy     string  `json:"view_by,omitempty"`
	ViewSum    *uint32 `json:"view_sum,omitempty"`
}

func (h *keptHead) version() *int { return h.Version }

// layout is the length of the kept file's order and view, as its head
// says; ok is false when the file's size is not theirs, or the head
// counts more than a cache can hold.
func (h *keptHead) layout(line, size int64) (order, view int64, ok bool) {
	if h.Order != nil {
		if *h.Order < 0 || *h.Order > auth.MaxAccounts {
			return 0, 0, false
		}
		order = int64(*h.Order) * orderRecord
	}
	if h.View != nil {
		if *h.View < 0 || *h.View > maxCacheBytes {
			return 0, 0, false
		}
		view = *h.View
	}
	return order, view, line+order+view == size
}

// orderRecord is the length of an order record: a place, as a uint32,
// little-endian.
const orderRecord = 4

// maxDerivedBy bounds Order.By and View.By, which the kept file's first
// line carries.
const maxDerivedBy = 64

// derivedBy says whether by can name what made an order or a view: set,
// short and plain.
func derivedBy(by string) bool {
	return by != "" && len(by) <= maxDerivedBy && auth.PlainString(by)
}

// checksum is a view's CRC-32 (IEEE), which the processor computes at
// several GB/s: for a file spoilt by accident; bcauth's own files are no
// defence against the person who owns them.
func checksum(text string) uint32 {
	// Read where it lies (megabytes, mapped): crc32 writes to nothing.
	return crc32.ChecksumIEEE(unsafe.Slice(unsafe.StringData(text), len(text)))
}

func keptName(key string) string { return strings.TrimSuffix(cacheName(key), ".json") + ".kept" }

func (s *Store) keptPath(key string) string { return filepath.Join(s.cacheDir, keptName(key)) }

// keptRead is the kept file beside the cache file read last, as far as it
// has been read.
type keptRead struct {
	ok     bool // its head was read, and it is of the answer read
	head   keptHead
	path   string
	fi     fs.FileInfo
	order  string // the records, as in the file
	viewAt int64
	// view is the view once read (viewRead), viewOK when it is whole.
	view     string
	viewOK   bool
	viewRead bool
}

// keptFor is the kept file of the answer read last (r, locked), read
// when first asked for: its head and order, the view only when asked for
// (see CachedView).
func (s *Store) keptFor(r *lastRead) *keptRead {
	if r.kept != nil {
		return r.kept
	}
	k := &keptRead{path: s.keptPath(r.head.Session)}
	r.kept = k
	f, fi, err := s.openChecked(k.path)
	if err != nil {
		return k
	}
	defer f.Close()
	k.fi = fi
	first := make([]byte, min(fi.Size(), 64<<10))
	n, _ := f.ReadAt(first, 0)
	nl := bytes.IndexByte(first[:n], '\n')
	h := &k.head
	if nl < 0 || decode(k.path, first[:nl], h) != nil || h.Session != r.head.Session || h.Gen == "" || h.Gen != r.head.Gen ||
		h.AnswerSize == nil || *h.AnswerSize != int64(len(r.body)) {
		return k
	}
	line := int64(nl + 1)
	order, _, ok := h.layout(line, fi.Size())
	if !ok {
		return k
	}
	buf := make([]byte, order)
	if _, err := f.ReadAt(buf, line); err != nil {
		return k
	}
	k.order, k.viewAt, k.ok = string(buf), line+order, true
	return k
}

// keptView is k's view, read when first asked for, if it is whole (its
// checksum holds).
func (s *Store) keptView(k *keptRead) (string, bool) {
	if !k.viewRead {
		k.viewRead = true
		if k.ok && k.head.View != nil && k.head.ViewSum != nil {
			k.view = s.readAt(k.path, k.fi, k.viewAt, *k.head.View)
			k.viewOK = int64(len(k.view)) == *k.head.View && checksum(k.view) == *k.head.ViewSum
		}
	}
	return k.view, k.viewOK
}

// readAt reads n bytes from at in the file at path, as read before (fi),
// mapped as MapCache says: "" when it is another file by now.
func (s *Store) readAt(path string, fi fs.FileInfo, at, n int64) string {
	f, now, err := s.openChecked(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	if !os.SameFile(now, fi) || now.Size() != fi.Size() || !now.ModTime().Equal(fi.ModTime()) || n <= 0 || at+n > now.Size() {
		return ""
	}
	if s.mapCache.Load() && n >= mapFrom {
		if text, ok := mapText(f, at, n); ok {
			return text
		}
	}
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, at); err != nil {
		return ""
	}
	return unsafe.String(unsafe.SliceData(buf), len(buf))
}

// CachedOrder is the order (see Order) kept beside body, when body is the
// answer LoadAuthorizationText just gave and the order was made by the
// rules named by; ok is false otherwise. Each place is below the number
// of places, but nothing else is checked: not even that there is one
// for each of the answer's accounts.
func (s *Store) CachedOrder(body, by string) (at []uint32, ok bool) {
	r := &s.cacheRead
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fi == nil || body == "" || r.body != body || by == "" {
		return nil, false
	}
	k := s.keptFor(r)
	if !k.ok || k.head.OrderBy != by || k.head.Order == nil {
		return nil, false
	}
	n := *k.head.Order
	at = make([]uint32, n)
	for i := range at {
		b := k.order[i*orderRecord : (i+1)*orderRecord]
		p := uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
		if int64(p) >= int64(n) {
			return nil, false
		}
		at[i] = p
	}
	return at, true
}

// CachedView is the view (see View) kept beside body, when body is the
// answer LoadAuthorizationText just gave, the view was made by by and it
// is whole (its checksum holds); with where the answer's accounts lie,
// for auth.SkimAuthorization. ok is false otherwise.
func (s *Store) CachedView(body, by string) (text string, from, to int, ok bool) {
	r := &s.cacheRead
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fi == nil || body == "" || r.body != body || by == "" || r.head.AccountsAt == nil {
		return "", 0, 0, false
	}
	k := s.keptFor(r)
	if !k.ok || k.head.ViewBy != by {
		return "", 0, 0, false
	}
	text, ok = s.keptView(k)
	if !ok {
		return "", 0, 0, false
	}
	return text, r.head.AccountsAt[0], r.head.AccountsAt[1], true
}

// writeKept writes c's order and view beside c's answer, in the cache
// file named gen, with what have (kept beside the same answer, or nil)
// holds and c does not replace; nothing when that is what the file holds
// already. A view goes only with an answer the plain parser read
// (spanned), and only as large as a cache file may be.
func (s *Store) writeKept(c cached, spanned bool, gen string, have *keptRead) error {
	body := c.a.Body()
	order, orderBy := "", ""
	if derivedBy(c.Order.By) && len(c.Order.At) == len(c.a.Accounts) && len(c.Order.At) <= auth.MaxAccounts {
		b := slices.Grow([]byte(nil), len(c.Order.At)*orderRecord)
		for _, p := range c.Order.At {
			b = binary.LittleEndian.AppendUint32(b, p)
		}
		order, orderBy = string(b), c.Order.By
	}
	view, viewBy := "", ""
	if derivedBy(c.View.By) && spanned && int64(len(c.View.Text)) <= maxCacheBytes-int64(len(order)) {
		view, viewBy = c.View.Text, c.View.By
	}
	if orderBy == "" && viewBy == "" {
		return nil
	}
	// What is kept for this answer already stays, unless replaced.
	same := false
	if have != nil && have.ok {
		if orderBy == "" && have.head.Order != nil {
			order, orderBy = have.order, have.head.OrderBy
		}
		if viewBy == "" && have.head.Gen == gen && have.head.OrderBy == orderBy && have.order == order {
			// The order kept, and the view kept (if any) stays as it is:
			// not even read.
			return nil
		}
		haveView, haveViewOK := s.keptView(have)
		if viewBy == "" && haveViewOK {
			view, viewBy = haveView, have.head.ViewBy
		}
		same = have.head.Gen == gen && have.head.OrderBy == orderBy && have.order == order &&
			(have.head.View == nil && viewBy == "" || haveViewOK && have.head.ViewBy == viewBy && haveView == view)
	}
	if same {
		return nil
	}
	v, size := formatVersion, int64(len(body))
	h := keptHead{Version: &v, Session: c.key, Gen: gen, AnswerSize: &size}
	if orderBy != "" {
		n := len(order) / orderRecord
		h.Order, h.OrderBy = &n, orderBy
	}
	if viewBy != "" {
		n, sum := int64(len(view)), checksum(view)
		h.View, h.ViewBy, h.ViewSum = &n, viewBy, &sum
	}
	head, err := json.Marshal(h)
	if err != nil {
		return err
	}
	if err := s.cacheDirReady(); err != nil {
		return err
	}
	if err := s.replaceWith(s.cacheDir, keptName(c.key), false, string(head), "\n", order, view); err != nil {
		return fmt.Errorf("cannot keep what was worked out from the accounts: %w", err)
	}
	s.cacheRead.forgetKept(body)
	return nil
}
