package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gofrs/flock"
)

// Holds: Launchpad's "stop", remembered across runs. After a 429 from the
// token endpoint, or invalid_client, bcauth sends no token request (code
// exchange or refresh) for that Launchpad and client until the hold lifts:
// Basecamp blocks a client and its address that keep knocking, and a cron
// job would otherwise knock every run. holds.json is kept apart from
// state.json, under a lock of its own, since a hold is written while a
// refresh holds the state's lock.

const (
	holdsFile     = "holds.json"
	holdsLockFile = "holds.lock"
)

// Why a hold stands.
const (
	// HoldRateLimited: Launchpad answered 429; the hold lifts at Until.
	HoldRateLimited = "rate_limited"
	// HoldClientRefused: Launchpad refused the client (invalid_client);
	// the hold lifts when the client settings' fingerprint changes.
	HoldClientRefused = "client_refused"
)

// Hold is one Launchpad and client's hold.
type Hold struct {
	Reason string    `json:"reason"` // HoldRateLimited or HoldClientRefused
	Since  time.Time `json:"since"`  // when Launchpad said stop (the last time)
	// Until is when a rate limit's hold lifts.
	Until time.Time `json:"until,omitzero"`
	// Fingerprint is the client settings' hash (never the secret) a
	// refused client's hold applies to.
	Fingerprint string `json:"fingerprint,omitempty"`
	// Strikes counts the 429s in a row, for the backoff when Launchpad
	// gives no Retry-After.
	Strikes int `json:"strikes,omitempty"`
	// Text is Launchpad's own words, raw.
	Text string `json:"text,omitempty"`
}

// HoldKey is the key of a Launchpad and client's hold.
func HoldKey(launchpadURL, clientID string) string {
	return strings.TrimRight(launchpadURL, "/") + "|" + clientID
}

type holdsOnDisk struct {
	Version *int            `json:"version"`
	Holds   map[string]Hold `json:"holds"`
}

func (f *holdsOnDisk) version() *int { return f.Version }

// HoldsPath is where the holds are kept.
func (s *Store) HoldsPath() string { return filepath.Join(s.dir, holdsFile) }

// LoadHold reads the hold of key, without a lock (the file is replaced
// atomically). An unreadable holds.json is a [*CorruptError]: it is kept
// as it is, never deleted, and while it stands nobody can tell whether
// Launchpad said stop.
func (s *Store) LoadHold(key string) (Hold, bool, error) {
	var f holdsOnDisk
	if _, err := s.read(holdsFile, &f); err != nil {
		return Hold{}, false, err
	}
	h, ok := f.Holds[key]
	return h, ok, nil
}

// UpdateHolds changes holds.json with fn under its lock: re-read, fn,
// atomic replace (0600). Nothing is written when fn fails or changes
// nothing, nor over a file it cannot read.
func (s *Store) UpdateHolds(fn func(map[string]Hold) error) error {
	unlock, err := s.lockHolds()
	if err != nil {
		return err
	}
	defer unlock()
	var f holdsOnDisk
	if _, err := s.read(holdsFile, &f); err != nil {
		return err
	}
	if f.Holds == nil {
		f.Holds = map[string]Hold{}
	}
	before, err := encode(&f)
	if err != nil {
		return err
	}
	if err := fn(f.Holds); err != nil {
		return err
	}
	v := formatVersion
	f.Version = &v
	after, err := encode(&f)
	if err != nil {
		return err
	}
	if string(before) == string(after) {
		return nil
	}
	return s.write(holdsFile, after)
}

// holdsMu queues this process's writers of holds.json; the file lock
// excludes other processes.
var holdsMu sync.Mutex

// lockHolds takes holds.lock, waiting at most the store's lock timeout.
func (s *Store) lockHolds() (func(), error) {
	if err := s.ensureDir(); err != nil {
		return nil, err
	}
	path := filepath.Join(s.dir, holdsLockFile)
	if _, err := s.safeFile(path); err != nil {
		return nil, err
	}
	if s.readOnly {
		return nil, fmt.Errorf("cannot write %s: %s is read-only", filepath.Join(s.dir, holdsFile), s.dir)
	}
	holdsMu.Lock()
	ctx, cancel := context.WithTimeout(s.ctx, s.lockTimeout)
	defer cancel()
	fl := flock.New(path, flock.SetPermissions(fileMode), flock.SetFlag(os.O_CREATE|os.O_RDWR|openFlags))
	ok, err := fl.TryLockContext(ctx, lockRetry)
	if err != nil || !ok {
		holdsMu.Unlock()
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("another bcauth process has held the lock on %s for more than %s: try again when it has finished", path, s.lockTimeout)
		}
		return nil, fmt.Errorf("cannot lock %s: %w", path, err)
	}
	if fi, err := fl.Stat(); err != nil || regularAndMine(path, fi) != nil {
		_ = fl.Unlock()
		holdsMu.Unlock()
		if err == nil {
			err = regularAndMine(path, fi)
		}
		return nil, err
	}
	return func() { _ = fl.Unlock(); holdsMu.Unlock() }, nil
}

// holdFiles are the hold files Open vets as it vets the others.
var holdFiles = []string{holdsFile, holdsLockFile}
