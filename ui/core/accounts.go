package core

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"
	"sync"

	"bcauth/auth"
	"bcauth/store"
)

// AccountList is the current Basecamp ID's accounts as every command lists
// them: fresh from Launchpad when it answers, else the cached list.
type AccountList struct {
	Client *auth.Client
	// Session is the current session after the reload; its token may have
	// been refreshed on the way.
	Session *store.Session
	// Tokens is the token source the list was loaded with: what probes
	// and calls after it use, so one run refreshes through one source.
	Tokens *auth.TokenSource
	// Accounts are sorted by SortAccounts and, when a product was asked
	// for, only that product's.
	Accounts []auth.Account
	// Products lists the product codes of every account, in order, before
	// the product filter: what to name when nothing matched.
	Products []string
	// Cached, when not nil, is why Launchpad could not be asked (probably
	// temporary): Accounts are the ones it listed at Session.FetchedAt.
	Cached error
}

// LoadAccounts is the one account pipeline: the client, the current
// session, Launchpad's answer (refreshing the token if needed, and caching
// it) or, when Launchpad cannot be reached, the cache; then the one sort
// and the product filter (case-insensitive; "" keeps every product).
func (s *Service) LoadAccounts(ctx context.Context, product string) (*AccountList, error) {
	c, sess, err := s.currentLogin()
	if err != nil {
		return nil, err
	}
	out := &AccountList{Client: c, Session: sess, Tokens: s.TokenSource(c, sess)}
	r, ahead, err := s.reloadReadingAhead(ctx, c, sess, out.Tokens, true)
	switch {
	case err == nil:
		out.Session = r.Session
	case auth.Temporary(err):
		// Launchpad could not be asked: what it listed last, if anything.
		if ahead != nil {
			out.Session = ahead.wait(ctx)
		} else {
			out.Session = s.Cached(sess)
		}
		if out.Session.Authorization == nil {
			return nil, err
		}
		out.Cached = err
	default:
		return nil, err
	}
	var all []auth.Account
	if a := out.Session.Authorization; a != nil {
		ok := false
		if ahead != nil && a == ahead.wait(ctx).Authorization {
			all, ok = ahead.sortedAccounts(ctx) // sorted while Launchpad was asked
		}
		if !ok {
			all = SortAccounts(a.Accounts)
		}
	}
	out.Products = productCodes(all)
	out.Accounts = filterProduct(all, product)
	return out, nil
}

// CompareProducts orders product codes as bcauth lists them: the
// catalogue's order, unknown products after the known ones, by code.
func CompareProducts(a, b string) int {
	if oa, ob := auth.LookupProduct(a).Order, auth.LookupProduct(b).Order; oa != ob {
		return cmp.Compare(oa, ob)
	}
	return strings.Compare(a, b)
}

// SortAccounts orders accounts as every list shows them: by product
// (CompareProducts), then by name as it reads on screen, then by id, so
// the order is the same on every run.
func SortAccounts(in []auth.Account) []auth.Account {
	// A login can reach thousands of accounts, so each key is worked out
	// once, not once per comparison, and most comparisons are of two
	// integers (see sortKey). The sort moves indexes, not whole accounts;
	// the index, last, makes the order total, so an unstable sort, and
	// one in two halves, give a stable sort's order.
	ks := sortKeys(in)
	idx := sortIndexes(len(in), func(i, j int32) int {
		x, y := &ks[i], &ks[j]
		if x.rank != y.rank {
			return cmp.Compare(x.rank, y.rank)
		}
		if x.prefix != y.prefix {
			return cmp.Compare(x.prefix, y.prefix)
		}
		if c := strings.Compare(x.name, y.name); c != 0 {
			return c
		}
		if c := cmp.Compare(in[i].ID, in[j].ID); c != 0 {
			return c
		}
		return cmp.Compare(i, j)
	})
	out := make([]auth.Account, len(in))
	for k, i := range idx {
		out[k] = in[i]
	}
	return out
}

// sortKey is what SortAccounts compares of an account: the product's rank
// among the products present, eight bytes of the name from where all the
// names start to differ, and only when both tie, the whole name.
type sortKey struct {
	rank   int
	prefix uint64
	name   string // as it reads on screen, lower-cased
}

func sortKeys(in []auth.Account) []sortKey {
	// The names, lower-cased into one buffer: one allocation, not one a name.
	size := 0
	for _, a := range in {
		size += len(a.Name)
	}
	lower := make([]byte, 0, size+size/8)
	ends := make([]int, len(in))
	ranks := map[string]int{}
	for i, a := range in {
		lower = appendLower(lower, Clean(a.Name))
		ends[i] = len(lower)
		if i == 0 || a.Product != in[i-1].Product {
			ranks[a.Product] = 0
		}
	}
	for r, code := range slices.SortedFunc(maps.Keys(ranks), CompareProducts) {
		ranks[code] = r
	}
	ks := make([]sortKey, len(in))
	all, start := string(lower), 0
	for i, a := range in {
		ks[i].name, start = all[start:ends[i]], ends[i]
		if i == 0 || a.Product != in[i-1].Product {
			ks[i].rank = ranks[a.Product]
		} else {
			ks[i].rank = ks[i-1].rank
		}
	}
	common := commonPrefix(ks)
	for i := range ks {
		ks[i].prefix = eightBytes(ks[i].name[common:])
	}
	return ks
}

// sortIndexes returns 0..n-1 in the order of compare, a total order. A
// long list is sorted in two halves at once, one on another goroutine, and
// merged: a run has a second core to spare while the list is sorted.
func sortIndexes(n int, compare func(i, j int32) int) []int32 {
	idx := make([]int32, n)
	for i := range idx {
		idx[i] = int32(i)
	}
	if n < 4096 {
		slices.SortFunc(idx, compare)
		return idx
	}
	a, b := idx[:n/2], idx[n/2:]
	var wg sync.WaitGroup
	wg.Go(func() { slices.SortFunc(a, compare) })
	slices.SortFunc(b, compare)
	wg.Wait()
	out := make([]int32, 0, n)
	for len(a) > 0 && len(b) > 0 {
		if compare(a[0], b[0]) < 0 {
			out, a = append(out, a[0]), a[1:]
		} else {
			out, b = append(out, b[0]), b[1:]
		}
	}
	return append(append(out, a...), b...)
}

// appendLower appends strings.ToLower(s), by hand when s is ASCII.
func appendLower(b []byte, s string) []byte {
	if !auth.IsASCII(s) {
		return append(b, strings.ToLower(s)...)
	}
	return appendLowerASCII(b, s)
}

// appendLowerASCII appends s with A-Z lower-cased and nothing else
// changed.
func appendLowerASCII(b []byte, s string) []byte {
	n := len(b)
	b = append(b, s...)
	for i := n; i < len(b); i++ {
		if c := b[i]; 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return b
}

// commonPrefix is the length of the prefix every key's name shares.
func commonPrefix(ks []sortKey) int {
	if len(ks) == 0 {
		return 0
	}
	p := ks[0].name
	for _, k := range ks[1:] {
		n := min(len(p), len(k.name))
		i := 0
		for i < n && p[i] == k.name[i] {
			i++
		}
		p = p[:i]
	}
	return len(p)
}

// eightBytes is the first eight bytes of s, big-endian, zero-padded: two
// of them compare as the strings' first eight bytes do. A shorter string
// comes first, as in strings.Compare, since a cleaned name holds no NUL.
func eightBytes(s string) uint64 {
	var v uint64
	for i := range 8 {
		v <<= 8
		if i < len(s) {
			v |= uint64(s[i])
		}
	}
	return v
}

// filterProduct keeps the accounts of one product code, compared without
// case; "" keeps them all.
func filterProduct(in []auth.Account, product string) []auth.Account {
	if product == "" {
		return in
	}
	return slices.DeleteFunc(slices.Clone(in), func(a auth.Account) bool { return !strings.EqualFold(a.Product, product) })
}

// productCodes lists the distinct product codes of sorted accounts,
// cleaned, in their order.
func productCodes(sorted []auth.Account) []string {
	var codes []string
	for i, a := range sorted {
		if i > 0 && a.Product == sorted[i-1].Product {
			continue // the common case: sorted, a product's accounts are together
		}
		if c := Clean(a.Product); !slices.Contains(codes, c) {
			codes = append(codes, c)
		}
	}
	return codes
}
