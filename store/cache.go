package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

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
}

// cacheOnDisk is a cache file. It names its session, so a file copied or
// renamed from another session's is never shown as this one's. When the
// answer came is the file's modification time: an answer that did not
// change costs one utimes, not a rewrite.
type cacheOnDisk struct {
	Version       *int                `json:"version"`
	Session       string              `json:"session"`
	Authorization *auth.Authorization `json:"authorization"`
}

func (f *cacheOnDisk) version() *int { return f.Version }

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
	path := s.cachePath(sess.Key())
	data, fi, err := s.readFile(path, maxCacheBytes)
	if err != nil {
		return nil, time.Time{}, false
	}
	var f cacheOnDisk
	if decode(path, data, &f) != nil || f.Session != sess.Key() || f.Authorization == nil {
		return nil, time.Time{}, false
	}
	at = fi.ModTime()
	if !sess.LoggedInAt.IsZero() && at.Before(sess.LoggedInAt.Add(-mtimeSlack)) {
		return nil, time.Time{}, false
	}
	return f.Authorization, at, true
}

// SaveAuthorization keeps a as the account cache of the session with the
// given key, fetched at. When the cache already holds the same answer,
// only its time changes. The file is replaced atomically but not synced: a
// crash may cost the cache, never the login. If state.json still holds
// account lists from an older bcauth, this first write moves them out.
func (s *Store) SaveAuthorization(key string, a *auth.Authorization, at time.Time) error {
	if s.legacy.Load() {
		// Update moves every list out and rewrites state.json without them.
		if err := s.Update(func(*State) error { return nil }); err != nil {
			return err
		}
	}
	return s.writeCache(cached{key: key, a: a, at: at})
}

// migrateCache moves an account list an older bcauth kept in state.json
// to the cache, unless the cache already holds a newer answer.
func (s *Store) migrateCache(c cached) error {
	if fi, err := os.Stat(s.cachePath(c.key)); err == nil && !fi.ModTime().Before(c.at) {
		return nil
	}
	return s.writeCache(c)
}

func (s *Store) writeCache(c cached) error {
	v := formatVersion
	data, err := json.Marshal(cacheOnDisk{Version: &v, Session: c.key, Authorization: c.a})
	if err != nil {
		return err
	}
	data = append(data, '\n')
	if err := s.cacheDirReady(); err != nil {
		return err
	}
	name := cacheName(c.key)
	path := filepath.Join(s.cacheDir, name)
	at := c.at
	if at.IsZero() {
		at = s.now()
	}
	if old, _, err := s.readFile(path, maxCacheBytes); err == nil && bytes.Equal(old, data) {
		return os.Chtimes(path, at, at)
	}
	if err := s.replace(s.cacheDir, name, data, false); err != nil {
		return err
	}
	return os.Chtimes(path, at, at)
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
	s.tighten(s.cacheDir, fi.Mode(), dirMode, func(m fs.FileMode) error { return os.Chmod(s.cacheDir, m) })
	return nil
}

// ForgetAuthorization deletes the account cache of the session with the
// given key; a cache that is not there is no error.
func (s *Store) ForgetAuthorization(key string) error {
	if err := os.Remove(s.cachePath(key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot delete the account cache %s: %w", s.cachePath(key), err)
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
