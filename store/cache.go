package store

import (
	"bufio"
	"cmp"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"bcauth/auth"
)

const (
	cachePrefix = "accounts-"
	// maxCacheBytes bounds a cache file: Launchpad's answer is at most
	// auth.MaxBodyBytes, and bcauth writes it back no larger than that
	// plus its own few fields.
	maxCacheBytes = 2 * auth.MaxBodyBytes
	// mtimeSlack is the coarsest modification time a file system keeps
	// (FAT's 2 s), so a cache written right after the login is never
	// taken for an older one.
	mtimeSlack = 2 * time.Second
)

// cached is one session's account cache: Launchpad's answer and when it
// came.
type cached struct {
	key string
	a   *auth.Authorization
	at  time.Time
	Derived
}

// cacheHead is a cache file's first line; the answer follows, as
// authorization.json, so it is read back with Launchpad's own decoder,
// and then, when the head says so, an index of its accounts by id (see
// Index). The head names the session, so a file copied or renamed from
// another session's is never shown as this one's. When the answer came is
// the file's modification time: an answer that did not change costs one
// utimes, not a rewrite.
type cacheHead struct {
	Version *int   `json:"version"`
	Session string `json:"session"`
	// Products counts the answer's accounts by product code, and Size is
	// the answer's length in bytes: a list of logins (bcauth ids) reads
	// one line, not thousands of accounts, and a file cut short is not
	// believed. Files written before they were here have neither.
	Products map[string]int `json:"products"`
	Size     *int64         `json:"size,omitempty"`
	// Index is how many records of an index of the answer's accounts
	// follow it: one an account, indexRecord bytes each, sorted by id,
	// saying where in the answer the account's object starts. An
	// account is then found by its id in a few reads, without reading the
	// others (LoadAccountsWithID). An answer the plain parser did not read
	// has none, as files written before it was here.
	Index *int `json:"index,omitempty"`
	// AccountsAt is where in the answer its accounts array lies, when the
	// plain parser read it: a run that needs only whose the answer is,
	// with the counts or what is kept beside the cache (see Derived),
	// reads the rest alone (auth.SkimAuthorization). A bcauth that does
	// not know it ignores it.
	AccountsAt *[2]int `json:"accounts_at,omitempty"`
	// Gen is a random name the file got when it was written: the kept
	// file beside it (see Derived) repeats it, so that it is believed
	// only beside the very file it was made for, whatever wrote the cache
	// since (an older bcauth drops it).
	Gen string `json:"gen,omitempty"`
}

// indexRecord is the length of an index record: an account's id, as an
// int64, and where its object starts in the answer, as a uint32, both
// little-endian.
const indexRecord = 12

// layout is where a cache file's parts lie, as its head says: the head
// line, newline included, then the answer, then the index; ok is false
// when the file's size is not theirs (cut short, above all), or the head
// counts more than a cache can hold. A file written before the head gave
// the answer's size is the head and the answer.
func (h *cacheHead) layout(line, size int64) (answer, index int64, ok bool) {
	if h.Size == nil {
		return size - line, 0, h.Index == nil
	}
	if h.Index != nil {
		if *h.Index < 0 || *h.Index > auth.MaxAccounts {
			return 0, 0, false
		}
		index = int64(*h.Index) * indexRecord
	}
	return *h.Size, index, *h.Size >= 0 && *h.Size <= maxCacheBytes && line+*h.Size+index == size
}

func (f *cacheHead) version() *int { return f.Version }

// cacheName is the file of a session's cache: a digest of its key, which
// holds a URL and so cannot be a file name itself.
func cacheName(key string) string {
	sum := sha256.Sum256([]byte(key))
	return cachePrefix + hex.EncodeToString(sum[:8]) + ".json"
}

func (s *Store) cachePath(key string) string { return filepath.Join(s.cacheDir, cacheName(key)) }

// LoadAuthorization reads the account cache of sess: Launchpad's last
// authorization.json answer and when it came. ok is false when there is
// none to show: missing, unreadable, another session's, from a newer
// bcauth, or older than the login itself. None of these is an error, since
// the cache holds nothing that cannot be fetched again; the next answer
// replaces the file.
func (s *Store) LoadAuthorization(sess Session) (a *auth.Authorization, at time.Time, ok bool) {
	body, at, ok := s.LoadAuthorizationText(sess)
	if !ok {
		return nil, time.Time{}, false
	}
	a, err := auth.ParseAuthorization(body)
	if err != nil {
		return nil, time.Time{}, false
	}
	return a, at, true
}

// LoadAuthorizationText is LoadAuthorization but for the parse: the
// cached answer's text and when it came, shown under the same
// conditions. A text that auth.ParseAuthorization refuses is no cache
// either: LoadAuthorization is the two together.
func (s *Store) LoadAuthorizationText(sess Session) (body string, at time.Time, ok bool) {
	path := s.cachePath(sess.Key())
	data, head, fi, err := s.readCache(path)
	if err != nil || !head.shownFor(sess, fi) {
		return "", time.Time{}, false
	}
	line := strings.IndexByte(data, '\n') + 1
	size, _, ok := head.layout(int64(line), int64(len(data)))
	if !ok {
		return "", time.Time{}, false
	}
	s.cacheRead.set(path, fi, head, data[line:int64(line)+size])
	return data[line : int64(line)+size], fi.ModTime(), true
}

// CachedCounts is how many accounts of each product body lists, from the
// first line of the cache it was read from, when body is the answer
// LoadAuthorizationText just gave, the line says where its accounts lie
// (for auth.SkimAuthorization) and its counts add up to its index's;
// ok is false otherwise. The counts are what was written with the answer,
// as for LoadAccountCounts.
func (s *Store) CachedCounts(body string) (counts map[string]int, from, to int, ok bool) {
	r := &s.cacheRead
	r.mu.Lock()
	defer r.mu.Unlock()
	h := &r.head
	if r.fi == nil || body == "" || r.body != body || h.AccountsAt == nil || !h.countsHold() {
		return nil, 0, 0, false
	}
	return maps.Clone(h.Products), h.AccountsAt[0], h.AccountsAt[1], true
}

// countsHold says whether the head's counts are of as many accounts as
// its index: a head spoilt in its counts (by hand, as the file's owner
// may) is then not believed, and the next save writes it anew. A head
// without an index has nothing to check them by.
func (h *cacheHead) countsHold() bool {
	if h.Products == nil || h.Index == nil {
		return false
	}
	total := 0
	for _, n := range h.Products {
		if n < 0 || n > auth.MaxAccounts-total {
			return false
		}
		total += n
	}
	return total == *h.Index
}

// MapCache makes the account cache, when it is large, be mapped into
// memory rather than read, where the system can (Linux): its text then
// costs no copy and no fault a page, which at 30,000 accounts was a fifth
// of a listing command's time. It is for a process that lists and ends:
// the mapping lasts as long as the process, since the accounts read from
// it are slices of it. bcauth never changes a cache file in place (it
// writes a new one and renames it over the old), so a mapped file never
// shrinks under a run; one cut short by hand while a run reads it (the
// cache file, or the view in the kept file beside it) would end that
// run.
func (s *Store) MapCache() { s.mapCache.Store(true) }

// mapFrom is the size from which a cache file is mapped: below it, reading
// costs less than setting up a mapping.
const mapFrom = 1 << 20

// readCache reads a cache file, mapped as MapCache says, and its head.
// err is set when the head cannot be read either, or the file is larger
// than a cache file can be.
func (s *Store) readCache(path string) (text string, head cacheHead, fi fs.FileInfo, err error) {
	f, fi, err := s.openChecked(path)
	if err != nil {
		return "", head, nil, err
	}
	defer f.Close()
	if fi.Size() > maxCacheBytes {
		return "", head, nil, fmt.Errorf("%s is larger than %d MiB", path, maxCacheBytes>>20)
	}
	if s.mapCache.Load() && fi.Size() >= mapFrom {
		text, _ = mapText(f, 0, fi.Size())
	}
	if text == "" && fi.Size() > 0 {
		buf := make([]byte, fi.Size())
		if _, err := io.ReadFull(f, buf); err != nil {
			return "", head, nil, err
		}
		text = unsafe.String(unsafe.SliceData(buf), len(buf))
	}
	nl := strings.IndexByte(text, '\n')
	if nl < 0 {
		return "", head, nil, errors.New("no head line")
	}
	if err := decode(path, []byte(text[:nl]), &head); err != nil {
		return "", head, nil, err
	}
	return text, head, fi, nil
}

// LoadAccountsWithID is the accounts with the given id in the account
// cache of sess, and when they came, read from the cache's index (see
// cacheHead.Index): a few reads of the file, not thousands of accounts.
// ok is false when the cache cannot tell: not shown (as for
// LoadAuthorization), of another length than its first line says,
// written without an index (as before bcauth did, or of an answer the
// plain parser did not read), or an account is not where its index
// record says. What it cannot see is a file spoilt without changing its
// length, as for LoadAccountCounts.
func (s *Store) LoadAccountsWithID(sess Session, id int64) (accs []auth.Account, at time.Time, ok bool) {
	path := s.cachePath(sess.Key())
	f, fi, err := s.openChecked(path)
	if err != nil {
		return nil, time.Time{}, false
	}
	defer f.Close()
	line, head, err := readHead(path, f)
	if err != nil || !head.shownFor(sess, fi) || head.Index == nil {
		return nil, time.Time{}, false
	}
	answerAt := int64(len(line))
	size, _, ok := head.layout(answerAt, fi.Size())
	if !ok {
		return nil, time.Time{}, false
	}
	x := cacheIndex{f: f, at: answerAt + size, n: *head.Index}
	// The first record of the id, then each after it with the id.
	k := sort.Search(x.n, func(k int) bool { rid, _, err := x.record(k); return err != nil || rid >= id })
	for ; k < x.n; k++ {
		rid, off, err := x.record(k)
		if err != nil || rid < id || off >= size {
			return nil, time.Time{}, false
		}
		if rid > id {
			break
		}
		acc, ok := readAccount(f, answerAt+off, size-off)
		if !ok || acc.ID != id {
			return nil, time.Time{}, false
		}
		accs = append(accs, acc)
	}
	return accs, fi.ModTime(), true
}

// cacheIndex is a cache file's index: n records from at on in f.
type cacheIndex struct {
	f  *os.File
	at int64
	n  int
}

// record is the index's record k: an account's id and where its object
// starts in the answer.
func (x cacheIndex) record(k int) (id, at int64, err error) {
	var b [indexRecord]byte
	if _, err := x.f.ReadAt(b[:], x.at+int64(k)*indexRecord); err != nil {
		return 0, 0, err
	}
	return int64(binary.LittleEndian.Uint64(b[:8])), int64(binary.LittleEndian.Uint32(b[8:])), nil
}

// readAccount reads the account whose object starts at off in f, within
// the rest bytes of the answer there: a piece at first, more should the
// object be longer, as a name may be. ok is false when it is not an
// account that ends before a comma or the array's bracket.
func readAccount(f *os.File, off, rest int64) (auth.Account, bool) {
	for n := min(rest, 4<<10); ; n = min(rest, n*4) {
		b := make([]byte, n)
		if _, err := f.ReadAt(b, off); err != nil {
			return auth.Account{}, false
		}
		text := string(b)
		if acc, end, ok := auth.AccountAt(text); ok {
			if after := strings.TrimLeft(text[end:], " \t\r\n"); after != "" {
				return acc, after[0] == ',' || after[0] == ']'
			}
		}
		if n == rest {
			return auth.Account{}, false
		}
	}
}

// appendIndex appends the index of a's accounts (see cacheHead.Index), or
// reports false when a has none.
func appendIndex(b []byte, a *auth.Authorization) ([]byte, bool) {
	ids, at, ok := a.AccountIndex()
	if !ok || len(a.Body()) > math.MaxUint32 {
		return b, false
	}
	order := make([]int, len(ids))
	for k := range order {
		order[k] = k
	}
	slices.SortFunc(order, func(i, j int) int { return cmp.Or(cmp.Compare(ids[i], ids[j]), cmp.Compare(i, j)) })
	b = slices.Grow(b, len(order)*indexRecord)
	for _, k := range order {
		b = binary.LittleEndian.AppendUint64(b, uint64(ids[k]))
		b = binary.LittleEndian.AppendUint32(b, uint32(at[k]))
	}
	return b, true
}

// lastRead is the cache file last read whole: the file (its identity,
// size and time), its head and its answer. Saving that answer again finds
// the file as it was read, and then only its time changes: no second read
// of thousands of accounts to compare them.
type lastRead struct {
	mu   sync.Mutex
	path string
	fi   fs.FileInfo
	head cacheHead
	body string
	// kept is what is kept beside it (see Derived), read when first
	// asked for.
	kept *keptRead
}

func (r *lastRead) set(path string, fi fs.FileInfo, head cacheHead, body string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.path, r.fi, r.head, r.body, r.kept = path, fi, head, body, nil
}

// holdsAnswer says whether the file at path is still the one read last,
// unchanged since, and holds the answer a of the session with key as
// writeCache writes it: its head of this format, for this session, giving
// the answer's size and its counts (which add up to its index's, and are
// a's when a's accounts were read), with an index when indexed and where
// its accounts lie when span says (both follow from the answer) and
// without when not.
func (r *lastRead) holdsAnswer(path, key string, a *auth.Authorization, indexed bool, span *[2]int) (gen string, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	h, body := &r.head, a.Body()
	if r.fi == nil || r.path != path || r.body != body || h.Version == nil || *h.Version != formatVersion || h.Session != key || h.Gen == "" ||
		h.Products == nil || h.Size == nil || *h.Size != int64(len(body)) || (h.Index != nil) != indexed ||
		(span != nil) != (h.AccountsAt != nil) || (span != nil && *span != *h.AccountsAt) ||
		(indexed && !h.countsHold()) || (!a.Skimmed() && !maps.Equal(h.Products, auth.CountProducts(a.Accounts))) {
		return "", false
	}
	fi, err := os.Lstat(path)
	if err != nil || !os.SameFile(fi, r.fi) || fi.Size() != r.fi.Size() || !fi.ModTime().Equal(r.fi.ModTime()) || fi.Mode() != r.fi.Mode() {
		return "", false
	}
	return h.Gen, true
}

// keptOf is what is kept beside the answer read last (see keptFor), when
// that is body, of the session with key; nil otherwise. It is read now,
// and is the caller's from then on.
func (r *lastRead) keptOf(s *Store, key, body string) *keptRead {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fi == nil || r.body != body || r.head.Session != key {
		return nil
	}
	if k := s.keptFor(r); k.ok {
		return k
	}
	return nil
}

// forgetKept drops what is known of the kept file beside body, which
// has just changed.
func (r *lastRead) forgetKept(body string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.body == body {
		r.kept = nil
	}
}

// forget drops what is known of path, which is about to change.
func (r *lastRead) forget(path string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.path == path {
		r.path, r.fi, r.head, r.body, r.kept = "", nil, cacheHead{}, "", nil
	}
}

// shownFor says whether the cache file with this head is sess's to show:
// of its session, and not older than its login.
func (h *cacheHead) shownFor(sess Session, fi fs.FileInfo) bool {
	return h.Session == sess.Key() && (sess.LoggedInAt.IsZero() || !fi.ModTime().Before(sess.LoggedInAt.Add(-mtimeSlack)))
}

// LoadAccountCounts is how many accounts of each product the account
// cache of sess holds, and when they came, from the cache's first line
// alone. It is not shown (ok false) when LoadAuthorization would not show
// the cache: missing, not this session's, older than the login, from a
// newer bcauth, or of another length than its first line says (cut
// short, above all). What it cannot see is an answer spoilt without
// changing its length: the counts are then the ones written with it. A
// file written before the first line held the counts is read whole.
func (s *Store) LoadAccountCounts(sess Session) (counts map[string]int, at time.Time, ok bool) {
	path := s.cachePath(sess.Key())
	f, fi, err := s.openChecked(path)
	if err != nil {
		return nil, time.Time{}, false
	}
	line, head, err := readHead(path, f)
	f.Close()
	if err != nil || head.Products == nil || head.Size == nil || (head.Index != nil && !head.countsHold()) {
		// An older bcauth's file, a head too long to read this way, or
		// counts that do not add up to its index's: read it all.
		a, at, ok := s.LoadAuthorization(sess)
		if !ok {
			return nil, time.Time{}, false
		}
		return auth.CountProducts(a.Accounts), at, true
	}
	if _, _, ok := head.layout(int64(len(line)), fi.Size()); !head.shownFor(sess, fi) || *head.Size > maxCacheBytes || !ok {
		return nil, time.Time{}, false // the size: cut short, or not what the head says
	}
	return head.Products, fi.ModTime(), true
}

// SaveAuthorization keeps a as the account cache of the session with the
// given key, fetched at. When the cache already holds the same answer,
// only its time changes. The file is replaced atomically but not synced: a
// crash may cost the cache, never the login. If state.json still holds
// account lists from an older bcauth, this first write moves them out.
func (s *Store) SaveAuthorization(key string, a *auth.Authorization, at time.Time) error {
	return s.SaveAuthorizationWith(key, a, at, Derived{})
}

// SaveAuthorizationWith is SaveAuthorization with what a run worked out
// from a, kept beside it: the order a list shows a's accounts in (see
// Order) and a view of them (see View). An order is kept only with
// Launchpad's own text (a.Body), one place for each account: At speaks
// of the accounts as that text lists them, whatever order a.Accounts is
// in now. A view is kept only with a text the plain parser read. Without
// one (By ""), an order or a view already kept with the same answer
// stays. A Skimmed a can only be saved where it was read, unchanged
// (which costs a utimes): ErrSkimmed otherwise.
func (s *Store) SaveAuthorizationWith(key string, a *auth.Authorization, at time.Time, d Derived) error {
	if s.legacy.Load() {
		// Update moves every list out and rewrites state.json without them.
		if err := s.Update(func(*State) error { return nil }); err != nil {
			return err
		}
	}
	return s.writeCache(cached{key: key, a: a, at: at, Derived: d})
}

// ErrSkimmed is SaveAuthorizationWith refusing to write a Skimmed answer
// anew: its accounts were never read, so its counts and index cannot be
// had.
var ErrSkimmed = errors.New("an answer whose accounts were not read is not written to the cache")

// migrateCache moves an account list an older bcauth kept in state.json
// to the cache, unless the cache already holds a newer answer.
func (s *Store) migrateCache(c cached) error {
	if fi, err := os.Stat(s.cachePath(c.key)); err == nil && !fi.ModTime().Before(c.at) {
		return nil
	}
	return s.writeCache(c)
}

// writeCache writes the head line and then the answer: Launchpad's own
// bytes when the Authorization came with them (nothing is encoded again),
// and their index, else the Authorization written out. The answer just
// read from the file, unchanged since, costs one utimes; otherwise the
// file is compared before it is replaced, a piece at a time, so an
// unchanged answer costs one read and one utimes.
func (s *Store) writeCache(c cached) error {
	name := cacheName(c.key)
	path := filepath.Join(s.cacheDir, name)
	at := c.at
	if at.IsZero() {
		at = s.now()
	}
	if err := s.cacheDirReady(); err != nil {
		return err
	}
	body := c.a.Body()
	from, to, spanned := c.a.AccountsSpan()
	var span *[2]int
	if spanned && body != "" && c.a.Indexed() {
		span = &[2]int{from, to}
	}
	derived := body != "" && !c.a.Skimmed() && (c.Order.By != "" || c.View.By != "")
	// What is kept beside the answer read last, when it is this one: what
	// c does not replace of it stays.
	var have *keptRead
	if derived {
		have = s.cacheRead.keptOf(s, c.key, body)
	}
	// The answer just read from the file, which has not changed since:
	// only its time changes, and the accounts are not even looked at.
	gen, unchanged := "", false
	if body != "" {
		gen, unchanged = s.cacheRead.holdsAnswer(path, c.key, c.a, c.a.Indexed(), span)
	}
	s.cacheRead.forget(path)
	if unchanged {
		if err := os.Chtimes(path, at, at); err != nil {
			return err
		}
		if derived {
			// A failure costs only the next run's speed.
			_ = s.writeKept(c, span != nil, gen, have)
		}
		return nil
	}
	if c.a.Skimmed() {
		return ErrSkimmed
	}
	indexed := body != "" && c.a.Indexed()
	if body == "" {
		body = string(appendAuthorization(nil, c.a))
	}
	v, size, records := formatVersion, int64(len(body)), len(c.a.Accounts)
	h := cacheHead{Version: &v, Session: c.key, Products: auth.CountProducts(c.a.Accounts), Size: &size}
	var index []byte
	if indexed {
		if index, indexed = appendIndex(nil, c.a); indexed {
			h.Index = &records
		}
	}
	if indexed {
		h.AccountsAt = span
	}
	// A login forgotten (bcauth logout) while this run asked Launchpad:
	// its cache, deleted, is not written again. Asked only when there is
	// no cache file, as after a logout, so a run that rewrites one pays
	// nothing for it.
	var missing bool
	if h.Gen, missing = s.genOf(path); missing && !s.stillLoggedIn(c.key) {
		return ErrNoSession
	}
	// The file as it is, under its own name (h.Gen), or a new one under a
	// new name.
	head, err := json.Marshal(h)
	if err != nil {
		return err
	}
	parts := []string{string(head), "\n", body, string(index)}
	if h.Gen == "" || !s.holds(path, parts...) {
		if h.Gen, err = newGen(); err != nil {
			return err
		}
		if head, err = json.Marshal(h); err != nil {
			return err
		}
		parts[0] = string(head)
		if err := s.replaceWith(s.cacheDir, name, false, parts...); err != nil {
			return err
		}
	}
	if err := os.Chtimes(path, at, at); err != nil {
		return err
	}
	if derived {
		_ = s.writeKept(c, span != nil, h.Gen, have)
	}
	return nil
}

// stillLoggedIn says whether state.json, when there is one, still names
// the session with key; one that cannot be read says yes (a cache
// written then is harmless).
func (s *Store) stillLoggedIn(key string) bool {
	if _, err := os.Lstat(filepath.Join(s.dir, stateFile)); err != nil {
		return true
	}
	st, _, err := s.readState()
	if err != nil {
		return true
	}
	_, ok := st.Find(key)
	return ok
}

// genOf is the Gen of the cache file at path, "" when it has none or its
// first line cannot be read; missing says there is no file there.
func (s *Store) genOf(path string) (gen string, missing bool) {
	f, _, err := s.openChecked(path)
	if err != nil {
		return "", errors.Is(err, fs.ErrNotExist)
	}
	defer f.Close()
	_, head, err := readHead(path, f)
	if err != nil {
		return "", false
	}
	return head.Gen, false
}

// readHead reads the first line of the cache file f, at path, up to 64
// KiB: a longer one is an error, for the caller to read the file whole.
func readHead(path string, f *os.File) (line []byte, head cacheHead, err error) {
	if line, err = bufio.NewReaderSize(f, 64<<10).ReadSlice('\n'); err != nil {
		return nil, head, err
	}
	return line, head, decode(path, line, &head)
}

// newGen is a new random Gen.
func newGen() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

// cacheDirReady creates the cache directory, 0700, or tightens it.
func (s *Store) cacheDirReady() error {
	if err := os.MkdirAll(s.cacheDir, dirMode); err != nil {
		return fmt.Errorf("cannot create %s for bcauth's cache: %w", s.cacheDir, err)
	}
	fi, err := os.Stat(s.cacheDir)
	if err != nil {
		return fmt.Errorf("cannot use %s for bcauth's cache: %w", s.cacheDir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory: bcauth keeps its cache there, so move it away", s.cacheDir)
	}
	return s.safeDir(s.cacheDir, fi)
}

// ForgetAuthorization deletes the account cache of the session with the
// given key; a cache that is not there is no error.
func (s *Store) ForgetAuthorization(key string) error {
	for _, path := range []string{s.cachePath(key), s.keptPath(key)} {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("cannot delete the account cache %s: %w", path, err)
		}
	}
	return nil
}

// sweepCache removes temporary cache files a crashed writer left behind.
// Cache writers take no lock, so only files old enough that no writer can
// still be using them go.
func (s *Store) sweepCache() {
	entries, err := os.ReadDir(s.cacheDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "."+cachePrefix) || !strings.Contains(e.Name(), ".tmp-") {
			continue
		}
		if fi, err := e.Info(); err == nil && s.now().Sub(fi.ModTime()) > 10*time.Minute {
			_ = os.Remove(filepath.Join(s.cacheDir, e.Name()))
		}
	}
}

// appendAuthorization writes a as authorization.json, compact, by hand:
// encoding/json's reflection cost more than the rest of a run at 30,000
// accounts.
func appendAuthorization(b []byte, a *auth.Authorization) []byte {
	b = slices.Grow(b, 200+len(a.Accounts)*160)
	b = append(b, `{"expires_at":`...)
	if t, err := a.ExpiresAt.MarshalJSON(); err == nil {
		b = append(b, t...)
	} else {
		b = append(b, `"0001-01-01T00:00:00Z"`...)
	}
	id := a.Identity
	b = append(b, `,"identity":{"id":`...)
	b = strconv.AppendInt(b, id.ID, 10)
	b = appendField(b, "first_name", id.FirstName)
	b = appendField(b, "last_name", id.LastName)
	b = appendField(b, "email_address", id.EmailAddress)
	b = append(b, `},"accounts":[`...)
	for i, acc := range a.Accounts {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":`...)
		b = strconv.AppendInt(b, acc.ID, 10)
		b = appendField(b, "product", acc.Product)
		b = appendField(b, "name", acc.Name)
		b = appendField(b, "href", acc.Href)
		if acc.AppHref != "" {
			b = appendField(b, "app_href", acc.AppHref)
		}
		b = append(b, '}')
	}
	return append(b, "]}\n"...)
}

// appendField appends ,"key":"value"; plain ASCII as is, anything else
// through encoding/json.
func appendField(b []byte, key, value string) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	for i := 0; i < len(value); i++ {
		if c := value[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(value) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, value...)
	return append(b, '"')
}
