package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/adrg/xdg"
	"github.com/gofrs/flock"
)

const (
	configFile = "config.json"
	stateFile  = "state.json"
	lockFile   = "state.lock"
	// cacheSubdir is where the account cache goes when Open is given no
	// cache directory, as in tests and the demo.
	cacheSubdir = "cache"

	// formatVersion is the version of config.json and state.json this bcauth
	// reads and writes.
	formatVersion = 1

	dirMode  fs.FileMode = 0o700
	fileMode fs.FileMode = 0o600

	// maxFileBytes bounds what bcauth reads, so a runaway file cannot
	// exhaust memory; a real state.json is a few kilobytes.
	maxFileBytes = 16 << 20

	defaultLockTimeout = 10 * time.Second
	lockRetry          = 5 * time.Millisecond
)

// DefaultDir is where bcauth keeps its files: $XDG_CONFIG_HOME/bcauth, or the
// platform's equivalent when XDG_CONFIG_HOME is not set.
func DefaultDir() string {
	return filepath.Join(xdg.ConfigHome, "bcauth")
}

// DefaultCacheDir is where bcauth keeps the account cache:
// $XDG_CACHE_HOME/bcauth, or the platform's equivalent when XDG_CACHE_HOME
// is not set. Everything in it can be deleted at any time.
func DefaultCacheDir() string {
	return filepath.Join(xdg.CacheHome, "bcauth")
}

// Option adjusts a Store.
type Option func(*Store)

// WithCacheDir keeps the account cache in dir instead of a "cache"
// directory inside the store's own.
func WithCacheDir(dir string) Option {
	return func(s *Store) { s.cacheDir = dir }
}

// WithContext makes every wait for the lock end when ctx does (Ctrl-C),
// as well as after the lock timeout.
func WithContext(ctx context.Context) Option {
	return func(s *Store) { s.ctx = ctx }
}

// Store is bcauth's directory of files. It is safe for concurrent use, and
// several Stores, in one process or several, may share a directory.
type Store struct {
	dir         string
	cacheDir    string
	lockTimeout time.Duration
	ctx         context.Context // ends every wait for the lock
	now         func() time.Time
	// beforeRename runs after a replacement file is written and synced but
	// before it is renamed into place; tests use it to simulate a crash.
	beforeRename func(tmp string) error
	// afterLook runs between the Lstat that vets a state file and the
	// open that uses it; tests swap the file there, as another user
	// racing bcauth could.
	afterLook func(path string)

	// writer queues this process's writers so they do not poll the file
	// lock against each other, and a waiter can give up when its context
	// ends; the file lock still excludes other processes. It holds one
	// token: take it by sending, give it back by receiving.
	writer chan struct{}
	swept  bool
	// readOnly says this user cannot write the directory: what only reads
	// still works, without the lock file if there is none to open.
	readOnly bool
	// missing says the directory was not there at Open: ensureDir makes
	// it when something is first written.
	missing bool
	dirMu   sync.Mutex
	// legacy says the state.json last read still holds account lists,
	// as bcauth wrote them before the cache had a directory of its own:
	// the next write moves them out.
	legacy atomic.Bool

	// secrets is where the secrets go when the keyring setting is on,
	// and keyringMode is this run's setting (see secrets.go).
	secrets     SecretBackend
	keyringMode KeyringMode

	noticeMu sync.Mutex
	notices  []string

	// cacheRead is the cache file last read whole, and mapCache says to
	// map a large one rather than read it (see cache.go).
	cacheRead lastRead
	mapCache  atomic.Bool
}

// Open opens the store in dir. A missing directory is created, with mode
// 0700, only when something is first written, so reading leaves none
// behind. A directory or file that others can read is tightened, and a
// notice says so (see [Store.Notices]). The cache directory is only
// created when the cache is first written.
func Open(dir string, opts ...Option) (*Store, error) {
	if dir == "" {
		return nil, errors.New("bcauth needs a directory for its files, and none was given")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("cannot use %s for bcauth's files: %w", dir, err)
	}
	s := &Store{dir: abs, cacheDir: filepath.Join(abs, cacheSubdir), lockTimeout: defaultLockTimeout, ctx: context.Background(), now: time.Now, writer: make(chan struct{}, 1)}
	for _, o := range opts {
		o(s)
	}
	if s.cacheDir, err = filepath.Abs(s.cacheDir); err != nil {
		return nil, fmt.Errorf("cannot use %s for bcauth's cache: %w", s.cacheDir, err)
	}
	switch _, err := os.Lstat(abs); {
	case errors.Is(err, fs.ErrNotExist):
		// Made when first written (see ensureDir): a command that only
		// reads leaves nothing behind.
		s.missing = true
		return s, s.checkCacheDir()
	case errors.Is(err, syscall.ENOTDIR):
		// Under a file: it could never be made.
		return nil, fmt.Errorf("cannot create %s for bcauth's files: %w", abs, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("cannot use %s for bcauth's files: %w", abs, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s is not a directory: bcauth keeps its files there, so move it away", abs)
	}
	if err := s.safeDir(abs, fi); err != nil {
		return nil, err
	}
	for _, name := range append([]string{configFile, stateFile, lockFile}, holdFiles...) {
		path := filepath.Join(abs, name)
		fi, err := s.safeFile(path)
		if err != nil {
			return nil, err
		}
		if fi != nil {
			if s.afterLook != nil {
				s.afterLook(path)
			}
			if err := s.tighten(path, fi.Mode(), fileMode, func(m fs.FileMode) error { return chmodFile(path, m) }); err != nil {
				return nil, err
			}
		}
	}
	if !writable(abs) {
		s.readOnly = true
		s.notice("note: %s is read-only, so nothing can be saved", abs)
	}
	if err := s.checkCacheDir(); err != nil {
		return nil, err
	}
	return s, nil
}

// checkCacheDir vets the cache directory: it is created only when first
// written, but one that is there already must be this user's too.
func (s *Store) checkCacheDir() error {
	if fi, err := os.Stat(s.cacheDir); err == nil && fi.IsDir() {
		return s.safeDir(s.cacheDir, fi)
	}
	return nil
}

// dirMissing says Open found no directory and nothing has made it since.
func (s *Store) dirMissing() bool {
	s.dirMu.Lock()
	defer s.dirMu.Unlock()
	return s.missing && !exists(s.dir)
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// ensureDir makes the store's directory, mode 0700, before the first
// write (or lock) when Open found none.
func (s *Store) ensureDir() error {
	s.dirMu.Lock()
	defer s.dirMu.Unlock()
	if !s.missing {
		return nil
	}
	if err := os.MkdirAll(s.dir, dirMode); err != nil {
		return fmt.Errorf("cannot create %s for bcauth's files: %w", s.dir, err)
	}
	fi, err := os.Stat(s.dir)
	if err != nil {
		return fmt.Errorf("cannot use %s for bcauth's files: %w", s.dir, err)
	}
	if err := s.safeDir(s.dir, fi); err != nil {
		return err
	}
	s.missing = false
	return nil
}

// linkOfMine refuses a directory that is a symbolic link another user
// made: in a directory others can write (an XDG_CONFIG_HOME under /tmp),
// their link would point bcauth's files, and its chmod, wherever they
// like. A link of the person's own (dotfiles) is followed.
func linkOfMine(path string) error {
	li, err := os.Lstat(path)
	if err != nil || li.Mode()&fs.ModeSymlink == 0 {
		return nil
	}
	uid, ok := owner(li)
	if !ok || uid == currentUID() {
		return nil
	}
	me := currentUID()
	return &UnsafeError{Path: path, Why: fmt.Sprintf("is a symbolic link made by uid %d, not by you (uid %d), so bcauth does not follow it", uid, me), Mode: li.Mode(),
		Fix: fmt.Sprintf("move %q away (it is not yours) and run bcauth again; set XDG_CONFIG_HOME and XDG_CACHE_HOME to directories only you can write", path)}
}

// safeDir refuses a directory another user owns, and tightens one whose
// mode lets others in, or refuses it when it cannot be tightened.
func (s *Store) safeDir(path string, fi fs.FileInfo) error {
	if err := linkOfMine(path); err != nil {
		return err
	}
	if err := ownedByMe(path, fi); err != nil {
		return err
	}
	return s.tighten(path, fi.Mode(), dirMode, func(m fs.FileMode) error { return os.Chmod(path, m) })
}

// safeFile looks at a state file without following a link: nil, nil when
// there is none; an *UnsafeError for a link, anything but a regular file,
// or a file another user owns.
func (s *Store) safeFile(path string) (fs.FileInfo, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot use %s: %w", path, err)
	}
	return fi, regularAndMine(path, fi)
}

// regularAndMine refuses fi, the Lstat or Fstat of path, unless it is a
// regular file of this user's.
func regularAndMine(path string, fi fs.FileInfo) error {
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return &UnsafeError{Path: path, Why: "is a symbolic link", Mode: fi.Mode(),
			Fix: "bcauth never follows a link there (another user could point it anywhere): replace the link with the file itself, or remove it"}
	case !fi.Mode().IsRegular():
		return &UnsafeError{Path: path, Why: "is not a regular file (a FIFO, socket, device or directory)", Mode: fi.Mode(),
			Fix: "move it away; bcauth creates the file again when it needs it"}
	}
	return ownedByMe(path, fi)
}

// ownedByMe refuses what another user owns: they could replace what is
// in it with their own login.
func ownedByMe(path string, fi fs.FileInfo) error {
	uid, ok := owner(fi)
	if !ok || uid == currentUID() {
		return nil
	}
	me := currentUID()
	return &UnsafeError{Path: path, Why: fmt.Sprintf("belongs to uid %d, not to you (uid %d)", uid, me), Mode: fi.Mode(),
		Fix: fmt.Sprintf("if it is yours, run chown -R %d %q && chmod -R go-rwx %q; if not, move it away and log in again", me, path, path)}
}

// Dir is the directory the store keeps its files in.
func (s *Store) Dir() string { return s.dir }

// ReadOnly says the directory cannot be written by this user (a
// read-only home, or one mounted read-only): reading works, and every
// write fails.
func (s *Store) ReadOnly() bool { return s.readOnly }

// CacheDir is the directory of the account cache.
func (s *Store) CacheDir() string { return s.cacheDir }

// Notices returns the messages the person should see once, such as a file
// whose permissions were tightened, and forgets them.
func (s *Store) Notices() []string {
	s.noticeMu.Lock()
	defer s.noticeMu.Unlock()
	n := s.notices
	s.notices = nil
	return n
}

func (s *Store) notice(format string, args ...any) {
	s.noticeMu.Lock()
	defer s.noticeMu.Unlock()
	s.notices = append(s.notices, fmt.Sprintf(format, args...))
}

// tighten removes the permission bits of mode beyond want, and tells the
// person once. Bits that cannot be removed refuse the path.
func (s *Store) tighten(path string, mode, want fs.FileMode, chmod func(fs.FileMode) error) error {
	if !permissionBits || mode.Perm()&^want == 0 {
		return nil
	}
	tight := mode.Perm() & want
	if err := chmod(tight); err != nil {
		return &UnsafeError{Path: path, Why: fmt.Sprintf("is open to other users and bcauth could not tighten it (%v)", err), Mode: mode,
			Fix: fmt.Sprintf("run chmod %04o %q", tight, path)}
	}
	s.notice("tightened permissions of %s from %04o to %04o", path, mode.Perm(), tight)
	return nil
}

// chmodFile changes a state file's mode through a descriptor opened
// without following links, so a link put in its place is never followed.
func chmodFile(path string, m fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Chmod(m)
}

// read decodes the versioned JSON file name into v. found is false, with a
// nil error, when the file does not exist.
func (s *Store) read(name string, v versioned) (found bool, err error) {
	path := filepath.Join(s.dir, name)
	data, _, err := s.readFile(path, maxFileBytes)
	var unsafe *UnsafeError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case errors.As(err, &unsafe):
		return true, err
	case err != nil:
		return true, &CorruptError{Path: path, Err: err}
	}
	return true, decode(path, data, v)
}

// openChecked opens a regular file of the user's for reading, tightening
// its mode on the way.
func (s *Store) openChecked(path string) (*os.File, fs.FileInfo, error) {
	// Look before opening: opening a FIFO waits for a writer, and a link
	// would lead elsewhere. The flags make sure of both should the file
	// change in between.
	if fi, err := os.Lstat(path); err != nil {
		return nil, nil, err
	} else if err := regularAndMine(path, fi); err != nil {
		return nil, nil, err
	}
	if s.afterLook != nil {
		s.afterLook(path)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err == nil {
		err = regularAndMine(path, fi)
	}
	if err == nil {
		err = s.tighten(path, fi.Mode(), fileMode, f.Chmod)
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// readFile reads a regular file of at most limit bytes, tightening its
// mode on the way.
func (s *Store) readFile(path string, limit int64) ([]byte, fs.FileInfo, error) {
	f, fi, err := s.openChecked(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	// One read of the known size, plus one byte to see the file grew.
	buf := make([]byte, 0, min(fi.Size(), limit)+1)
	data, err := readAll(io.LimitReader(f, limit+1), buf)
	if err != nil {
		return nil, nil, err
	}
	if int64(len(data)) > limit {
		return nil, nil, fmt.Errorf("larger than %d MiB", limit>>20)
	}
	return data, fi, nil
}

// readString is readFile into a string, for text that is sliced rather
// than decoded: thousands of cached accounts cost one buffer, read into
// once and never copied.
func (s *Store) readString(path string, limit int64) (string, fs.FileInfo, error) {
	data, fi, err := s.readFile(path, limit)
	if err != nil || len(data) == 0 {
		return "", fi, err
	}
	// data is this function's own and nobody changes it: the string is
	// its bytes.
	return unsafe.String(unsafe.SliceData(data), len(data)), fi, nil
}

// holds says whether the file at path holds exactly parts, one after
// another, reading it a piece at a time: an unchanged cache is compared,
// not loaded.
func (s *Store) holds(path string, parts ...string) bool {
	f, fi, err := s.openChecked(path)
	if err != nil {
		return false
	}
	defer f.Close()
	size := 0
	for _, p := range parts {
		size += len(p)
	}
	if fi.Size() != int64(size) {
		return false
	}
	buf := make([]byte, 64<<10)
	for _, p := range parts {
		for len(p) > 0 {
			n, err := io.ReadFull(f, buf[:min(len(buf), len(p))])
			if err != nil || string(buf[:n]) != p[:n] {
				return false
			}
			p = p[n:]
		}
	}
	n, _ := f.Read(buf[:1])
	return n == 0
}

// readAll is io.ReadAll into buf, so a buffer sized from the file's Stat
// is filled without growing.
func readAll(r io.Reader, buf []byte) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// decode parses data into v once. Only when that fails does it look at the
// format version alone, so that a file from a newer bcauth is reported as
// such even when its fields have changed. v must have a Version *int field
// reachable through versioned.
func decode(path string, data []byte, v versioned) error {
	err := json.Unmarshal(data, v)
	if err != nil {
		var head struct {
			Version *int `json:"version"`
		}
		if json.Unmarshal(data, &head) == nil && head.Version != nil && *head.Version > formatVersion {
			return &VersionError{Path: path, Version: *head.Version, Supported: formatVersion}
		}
		return &CorruptError{Path: path, Err: err}
	}
	version := v.version()
	switch {
	case version == nil:
		return &CorruptError{Path: path, Err: errors.New("no format version")}
	case *version > formatVersion:
		return &VersionError{Path: path, Version: *version, Supported: formatVersion}
	case *version < 1:
		return &CorruptError{Path: path, Err: fmt.Errorf("unknown format version %d", *version)}
	}
	return nil
}

// versioned is a file's decoded form, which says its format version (nil
// when the file has none).
type versioned interface{ version() *int }

func encode(v any) ([]byte, error) {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// lock takes the exclusive lock every writer holds, waiting at most the
// store's lock timeout for another process to finish.
func (s *Store) lock() (unlock func(), err error) {
	return s.lockContext(context.Background())
}

// lockContext is lock that also gives up when ctx ends, with ctx's error.
func (s *Store) lockContext(ctx context.Context) (unlock func(), err error) {
	if err := s.ensureDir(); err != nil {
		return nil, err
	}
	path := filepath.Join(s.dir, lockFile)
	if _, err := s.safeFile(path); err != nil {
		return nil, err
	}
	if s.afterLook != nil {
		s.afterLook(path)
	}
	ctx, cancel := context.WithTimeout(ctx, s.lockTimeout)
	defer cancel()
	stop := context.AfterFunc(s.ctx, cancel)
	defer stop()
	late := func(err error) error {
		if errors.Is(err, context.DeadlineExceeded) && context.Cause(ctx) == context.DeadlineExceeded {
			return fmt.Errorf("another bcauth process has held the lock on %s for more than %s: try again when it has finished", path, s.lockTimeout)
		}
		return fmt.Errorf("gave up waiting for the lock on %s: %w", path, err)
	}
	select {
	case s.writer <- struct{}{}:
	case <-ctx.Done():
		return nil, late(ctx.Err())
	}
	flag := os.O_CREATE | os.O_RDWR
	if s.readOnly {
		// A lock held on a descriptor opened for reading excludes writers
		// all the same; with no lock file, nobody who could not create one
		// writes here either, and this process's writers queue above.
		flag = os.O_RDONLY
		if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
			s.sweep()
			return func() { <-s.writer }, nil
		}
	}
	fl := flock.New(path, flock.SetPermissions(fileMode), flock.SetFlag(flag|openFlags))
	ok, err := fl.TryLockContext(ctx, lockRetry)
	if err != nil || !ok {
		<-s.writer
		if ctx.Err() != nil {
			return nil, late(ctx.Err())
		}
		return nil, fmt.Errorf("cannot lock %s: %w", path, err)
	}
	if fi, err := fl.Stat(); err != nil || regularAndMine(path, fi) != nil {
		_ = fl.Unlock()
		<-s.writer
		if err == nil {
			err = regularAndMine(path, fi)
		}
		return nil, err
	}
	s.sweep()
	return func() {
		// Closing the lock file releases the lock even if unlocking fails.
		_ = fl.Unlock()
		<-s.writer
	}, nil
}

// Held is the store's lock, held across several steps that must not
// interleave with another process's: a refresh reads the stored token,
// asks Launchpad and saves the answer under one Held, so twenty commands
// that find the token expired make one refresh, not twenty. Its methods
// are the Store's, without taking the lock again.
type Held struct {
	s      *Store
	unlock func()
}

// Hold takes the store's lock until [Held.Release], waiting at most the
// store's lock timeout, or until ctx ends (Ctrl-C), for another process to
// finish.
func (s *Store) Hold(ctx context.Context) (*Held, error) {
	unlock, err := s.lockContext(ctx)
	if err != nil {
		return nil, err
	}
	return &Held{s: s, unlock: unlock}, nil
}

// Release gives the lock back. It is safe to call more than once.
func (h *Held) Release() {
	if h.unlock != nil {
		h.unlock()
		h.unlock = nil
	}
}

// Update is [Store.Update] under the lock already held.
func (h *Held) Update(fn func(*State) error) error { return h.s.update(fn) }

// SaveTokenFrom is [Store.SaveTokenFrom] under the lock already held.
func (h *Held) SaveTokenFrom(key, staleAccess string, tok Token) (Token, error) {
	return h.s.saveTokenFrom(h.Update, key, staleAccess, tok)
}

// MarkRefused is [Store.MarkRefused] under the lock already held.
func (h *Held) MarkRefused(key, refreshToken string, r Refusal) (bool, error) {
	return h.s.markRefused(h.Update, key, refreshToken, r)
}

// Reserve sets aside, in a temporary file synced to disk, room for state.json
// to be written twice over, until release: a refresh that replaces the
// refresh token at the server (BC5) takes that room before it is sent, so
// that the answer can be saved; a full disk or quota then refuses the
// refresh rather than its save. A crash leaves the file for sweep.
func (h *Held) Reserve() (release func(), err error) {
	s := h.s
	n := int64(64 << 10)
	if fi, err := os.Stat(filepath.Join(s.dir, stateFile)); err == nil {
		n += 2 * fi.Size()
	}
	f, err := os.CreateTemp(s.dir, tempPattern(stateFile)+"reserve-*")
	if err != nil {
		return nil, fmt.Errorf("cannot set aside room in %s to save a new token: %w", s.dir, err)
	}
	tmp := f.Name()
	fail := func(err error) (func(), error) {
		_ = f.Close()
		_ = os.Remove(tmp)
		return nil, fmt.Errorf("cannot set aside room in %s to save a new token: %w", s.dir, err)
	}
	zeros := make([]byte, 64<<10)
	for left := n; left > 0; left -= int64(len(zeros)) {
		if _, err := f.Write(zeros[:min(left, int64(len(zeros)))]); err != nil {
			return fail(err)
		}
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(tmp)
		return nil, fmt.Errorf("cannot set aside room in %s to save a new token: %w", s.dir, err)
	}
	return func() { _ = os.Remove(tmp) }, nil
}

// sweep removes temporary files a crashed writer left behind. It runs under
// the lock, when no other writer can be using them.
func (s *Store) sweep() {
	if s.swept {
		return
	}
	s.swept = true
	s.sweepCache()
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if isTemp(e.Name()) {
			_ = os.Remove(filepath.Join(s.dir, e.Name()))
		}
	}
}

func tempPattern(name string) string { return "." + name + ".tmp-" }

func isTemp(name string) bool {
	return strings.HasPrefix(name, tempPattern(configFile)) || strings.HasPrefix(name, tempPattern(stateFile))
}

// write replaces the file name atomically: a reader, or the next run after a
// crash, sees either the old content or the new, never a mix.
func (s *Store) write(name string, data []byte) error {
	return s.replace(s.dir, name, data, true)
}

// replace writes data to dir/name through a temporary file renamed into
// place. durable syncs the file and the directory, so the new content
// survives a crash; the cache does without, since a torn cache file is
// only fetched again.
func (s *Store) replace(dir, name string, data []byte, durable bool) error {
	return s.replaceWith(dir, name, durable, string(data))
}

// replaceWith is replace of a file that holds parts, one after another,
// written as they are rather than joined first.
func (s *Store) replaceWith(dir, name string, durable bool, parts ...string) (err error) {
	path := filepath.Join(dir, name)
	f, err := os.CreateTemp(dir, tempPattern(name)+"*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	tmp := f.Name()
	closed := false
	defer func() {
		if err != nil {
			if !closed {
				_ = f.Close()
			}
			_ = os.Remove(tmp)
			err = fmt.Errorf("cannot write %s: %w", path, err)
		}
	}()
	// CreateTemp already uses 0600; Chmod states it rather than relying on it.
	if err := f.Chmod(fileMode); err != nil {
		return err
	}
	for _, p := range parts {
		if _, err := f.WriteString(p); err != nil {
			return err
		}
	}
	if durable {
		if err := f.Sync(); err != nil {
			return err
		}
	}
	closed = true
	if err := f.Close(); err != nil {
		return err
	}
	if s.beforeRename != nil {
		if err := s.beforeRename(tmp); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if durable {
		syncDir(dir)
	}
	return nil
}

// syncDir makes a rename in dir durable. It is best effort: the new file is
// already in place, and some file systems refuse to sync a directory.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}

// setAside renames the file name to NAME.corrupt-TIMESTAMP if it cannot be
// read, and returns the new path. A file that reads well, or no file, is
// left alone and the path is empty. A file from a newer bcauth is refused,
// not replaced: it stays, and its *VersionError is returned.
func (s *Store) setAside(name string, v versioned) (string, error) {
	unlock, err := s.lock()
	if err != nil {
		return "", err
	}
	defer unlock()
	_, err = s.read(name, v)
	var ce *CorruptError
	if err == nil || !errors.As(err, &ce) {
		return "", err
	}
	path := filepath.Join(s.dir, name)
	base := path + ".corrupt-" + s.now().UTC().Format("20060102T150405Z")
	dst := base
	for i := 2; ; i++ {
		// Any error but "exists" ends the search; Rename then reports it.
		if _, err := os.Lstat(dst); err != nil {
			break
		}
		dst = fmt.Sprintf("%s-%d", base, i)
	}
	if err := os.Rename(path, dst); err != nil {
		return "", fmt.Errorf("cannot move %s aside to %s: %w", path, dst, err)
	}
	syncDir(s.dir)
	return dst, nil
}
