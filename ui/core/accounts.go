package core

import (
	"cmp"
	"context"
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
	// the product filter, when a product was asked for: what to name when
	// nothing matched.
	Products []string
	// Cached, when not nil, is why Launchpad could not be asked (probably
	// temporary): Accounts are the ones it listed at Session.FetchedAt.
	Cached error
}

// LoadAccounts is the one account pipeline: the client, the current
// session, Launchpad's answer (refreshing the token if needed, and caching
// it) or, when Launchpad cannot be reached, the cache; then the one sort
// and the product filter (case-insensitive; "" keeps every product). The
// session's own accounts may be left in the list's order.
func (s *Service) LoadAccounts(ctx context.Context, product string) (*AccountList, error) {
	list, _, err := s.loadAccounts(ctx, product, nil)
	return list, err
}

// A ListView is how a command writes a whole list of accounts (for
// accounts --json, its whole output), for the account cache to keep with
// the answer they came in (see store.View). By names the command and its
// format: change it whenever what Render writes changes. Render writes
// accounts, sorted, plain as at sortAccounts.
type ListView struct {
	By     string
	Render func(accounts []auth.Account, plain bool) []byte
}

// keptBy is what a view is kept by: its By, and the rules that ordered
// the accounts it writes, so that a view an older bcauth kept, of the
// same format but sorted otherwise, is not taken for this one's.
func (v *ListView) keptBy() string { return v.By + "|" + orderBy }

// LoadAccountsAs is LoadAccounts of every product, for a command that
// writes the whole list as view renders it, and that text. When
// Launchpad's answer is the one the cache holds with the view, the view
// kept is the text, and the accounts are not even read: the list's
// Accounts are then nil, and its session's answer Skimmed. Otherwise the
// text is rendered from the accounts, and kept with the answer for the
// next run.
func (s *Service) LoadAccountsAs(ctx context.Context, view ListView) (list *AccountList, text string, err error) {
	return s.loadAccounts(ctx, "", &view)
}

// loadAccounts is LoadAccounts, and LoadAccountsAs with a view.
func (s *Service) loadAccounts(ctx context.Context, product string, view *ListView) (*AccountList, string, error) {
	c, sess, err := s.currentLogin()
	if err != nil {
		return nil, "", err
	}
	out := &AccountList{Client: c, Session: sess, Tokens: s.TokenSource(c, sess)}
	r, ahead, err := s.reloadReadingAhead(ctx, c, sess, out.Tokens, wants{sort: true, view: view})
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
			return nil, "", err
		}
		out.Cached = err
	default:
		return nil, "", err
	}
	a := out.Session.Authorization
	cached := a != nil && ahead != nil && a == ahead.wait(ctx).Authorization // the cache's text, read ahead
	var all []auth.Account
	if a != nil {
		ok := false
		switch {
		case cached:
			all, ok = ahead.sortedAccounts(ctx) // sorted while Launchpad was asked
		case r != nil && r.sorted && a == r.Session.Authorization:
			all, ok = a.Accounts, true // a new answer, sorted to be saved
		}
		if !ok {
			all = sortedAccounts(a)
		}
	}
	if product != "" {
		out.Products = productCodes(all)
	}
	out.Accounts = filterProduct(all, product)
	if view == nil {
		return out, "", nil
	}
	switch {
	case r != nil && out.Session == r.Session && r.viewText != "":
		return out, r.viewText, nil
	case cached && a.Skimmed():
		return out, ahead.viewText, nil // the cache's, Launchpad down
	}
	return out, string(view.Render(out.Accounts, a != nil && a.PlainText())), nil
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
	return sortAccounts(in, false)
}

// sortedAccounts is SortAccounts of a's accounts.
func sortedAccounts(a *auth.Authorization) []auth.Account {
	return sortAccounts(a.Accounts, a.PlainText())
}

// orderBy names SortAccounts's rules where an order is kept with the
// account cache (store.Order): change it whenever they change, so that an
// order kept by an older bcauth is not even looked at.
const orderBy = "product,name,id/1"

// sortInPlace puts a's accounts in SortAccounts's order, and returns that
// order: the place each account had, in the order they are in now. For an
// answer no one else holds yet, it costs no copy of thousands of
// accounts.
func sortInPlace(a *auth.Authorization) []uint32 {
	items := sortOrder(a.Accounts, a.PlainText())
	order := make([]uint32, len(items))
	for k := range items {
		order[k] = uint32(items[k].idx)
	}
	permute(a.Accounts, order)
	return order
}

// putInOrder puts a's accounts in the order at, which says at what place
// each was (as sortInPlace returns it), when that is SortAccounts's order
// (see inOrder); else it leaves them and reports false.
func putInOrder(a *auth.Authorization, at []uint32) bool {
	if !inOrder(a.Accounts, a.PlainText(), at) {
		return false
	}
	permute(a.Accounts, at)
	return true
}

// permute puts the account at place at[k] at place k, for each k: at is
// a permutation of the places.
func permute(accs []auth.Account, at []uint32) {
	done := make([]bool, len(accs))
	// Each cycle of the permutation moved round: the account at k is the
	// one at at[k], whose place is taken by the one at its own, and so on
	// back to k.
	for k := range at {
		if done[k] {
			continue
		}
		first, to := accs[k], k
		for {
			from := int(at[to])
			done[to] = true
			if from == k {
				accs[to] = first
				break
			}
			accs[to], to = accs[from], from
		}
	}
}

// inOrder says whether at is the order SortAccounts puts in's accounts in,
// at[k] being the place in in of the account it puts k-th; plain as at
// sortAccounts. That order is the one in which the accounts compare as
// (product, name as compared, id, place) rise: no two compare alike, so
// exactly one permutation does. An order kept from an earlier run is
// checked in one pass, the two halves at once, rather than trusted; it
// costs a fraction of sorting again.
func inOrder(in []auth.Account, plain bool, at []uint32) bool {
	n := len(in)
	if len(at) != n {
		return false
	}
	seen := make([]bool, n)
	for _, p := range at {
		if int64(p) >= int64(n) || seen[p] {
			return false
		}
		seen[p] = true
	}
	s := sorter{in: in, names: names{in: in}}
	if !plain {
		s.names = sortNames(in)
	}
	var rises [2]bool
	inHalves(n, func(from, to int) {
		for k := max(from, 1); k < to; k++ {
			x, y := at[k-1], at[k]
			if px, py := in[x].Product, in[y].Product; px != py {
				if CompareProducts(px, py) >= 0 {
					return
				}
			} else if s.compare(sortItem{idx: int32(x)}, sortItem{idx: int32(y)}) >= 0 {
				return
			}
		}
		rises[min(from, 1)] = true
	})
	return rises[0] && (n < halvesFrom || rises[1])
}

// sortAccounts is SortAccounts; plain says every name is known to be
// printable ASCII (see auth.Authorization.PlainText), so none is looked
// at to be cleaned.
func sortAccounts(in []auth.Account, plain bool) []auth.Account {
	items := sortOrder(in, plain)
	out := make([]auth.Account, len(in))
	inHalves(len(out), func(from, to int) {
		for k := from; k < to; k++ {
			out[k] = in[items[k].idx]
		}
	})
	return out
}

// halvesFrom is how long a list is for sortAccounts to work on its two
// halves at once, one on another goroutine: a run has a second core to
// spare while it sorts, once Launchpad has answered.
const halvesFrom = 4096

// inHalves calls work on 0:n, or, from halvesFrom on, on its two halves
// at once.
func inHalves(n int, work func(from, to int)) {
	if n < halvesFrom {
		work(0, n)
		return
	}
	var wg sync.WaitGroup
	wg.Go(func() { work(n/2, n) })
	work(0, n/2)
	wg.Wait()
}

// sortOrder is the indexes of in in SortAccounts's order. A login can
// reach thousands of accounts, so the order is found with few
// comparisons: each account gets a number, its product's rank and eight
// bytes of its name from where all the names start to differ, and a
// radix sort orders the numbers, keeping ties in Launchpad's order. The
// accounts whose numbers tie get the next eight bytes of their names,
// and so on (see ties); only a few alike are compared whole, by name,
// then id, then index.
//
// A long list is numbered and radix-sorted in two halves at once, and
// the halves merged.
func sortOrder(in []auth.Account, plain bool) []sortItem {
	n := len(in)
	s := sorter{in: in, names: names{in: in}}
	if !plain {
		s.names = sortNames(in)
	}
	common := s.names.sharedPrefix()
	ranks := productRanks(in)
	items, tmp := make([]sortItem, n), make([]sortItem, n)
	inHalves(n, func(from, to int) {
		for i := from; i < to; i++ {
			items[i] = sortItem{key: foldedEight(s.names.at(i), common), rank: ranks[i], idx: int32(i)}
		}
		radixSort(items[from:to], tmp[from:to])
	})
	if n >= halvesFrom {
		mergeItems(tmp, items[:n/2], items[n/2:])
		items = tmp
	}
	s.settle(items, common+8)
	return items
}

// mergeItems merges a and b, each sorted by rank then key, into out, a's
// first where they tie: a's accounts come before b's in the list.
func mergeItems(out, a, b []sortItem) {
	k := 0
	for len(a) > 0 && len(b) > 0 {
		if x, y := &a[0], &b[0]; y.rank < x.rank || (y.rank == x.rank && y.key < x.key) {
			out[k], b = *y, b[1:]
		} else {
			out[k], a = *x, a[1:]
		}
		k++
	}
	k += copy(out[k:], a)
	copy(out[k:], b)
}

// sorter is what sortOrder compares.
type sorter struct {
	in    []auth.Account
	names names
}

// settle orders the runs of items with the same rank and key, items being
// in order otherwise, and their names alike before from.
func (s *sorter) settle(items []sortItem, from int) {
	for lo := 0; lo < len(items); {
		hi := lo + 1
		for hi < len(items) && items[hi].key == items[lo].key && items[hi].rank == items[lo].rank {
			hi++
		}
		if hi-lo > 1 {
			s.ties(items[lo:hi], from)
		}
		lo = hi
	}
}

// ties orders a run of items of one rank whose names are alike before
// from: by the eight bytes from there, and so on, or, when there are few
// or their names have ended (the key's last byte is zero: a cleaned name
// holds no NUL), whole.
func (s *sorter) ties(run []sortItem, from int) {
	if len(run) <= 16 || run[0].key&0xff == 0 || from > 256 {
		slices.SortFunc(run, s.compare)
		return
	}
	for i := range run {
		run[i].key = foldedEight(s.names.at(int(run[i].idx)), from)
	}
	slices.SortFunc(run, func(x, y sortItem) int {
		if x.key != y.key {
			return cmp.Compare(x.key, y.key)
		}
		return cmp.Compare(x.idx, y.idx)
	})
	s.settle(run, from+8)
}

// compare is the order of two accounts of one product: by name, then id,
// then index.
func (s *sorter) compare(x, y sortItem) int {
	if c := foldCompare(s.names.at(int(x.idx)), s.names.at(int(y.idx))); c != 0 {
		return c
	}
	if c := cmp.Compare(s.in[x.idx].ID, s.in[y.idx].ID); c != 0 {
		return c
	}
	return cmp.Compare(x.idx, y.idx)
}

// sortItem is an account as sortOrder orders it.
type sortItem struct {
	key  uint64 // eight bytes of the name, see foldedEight
	rank uint32 // of the product
	idx  int32  // in the list
}

// names are the accounts' names as they are compared: Clean'd and
// lower-cased. While every name is plain (printable ASCII, the common
// case), each is compared as it is, upper-case letters folded on the way
// (foldCompare), at no cost; from the first that is not, every name is
// in other, the others cleaned and lower-cased once.
type names struct {
	in    []auth.Account
	other []string
}

func sortNames(in []auth.Account) names {
	ns := names{in: in}
	for i := range in {
		if s := in[i].Name; !auth.PlainString(s) && !isPlain(s) {
			if ns.other == nil {
				ns.other = make([]string, len(in))
				for j := range in {
					ns.other[j] = in[j].Name
				}
			}
			c := Clean(s)
			if !auth.IsASCII(c) {
				c = strings.ToLower(c)
			}
			ns.other[i] = c
		}
	}
	return ns
}

// at is the name of account i as compared; upper-case ASCII letters are
// still to be folded.
func (ns names) at(i int) string {
	if ns.other != nil {
		return ns.other[i]
	}
	return ns.in[i].Name
}

// sharedPrefix is how many bytes every name starts with alike, ASCII
// case folded. A long list is looked through in two halves at once: what
// all share is what each half shares, and what the halves' first names
// do.
func (ns names) sharedPrefix() int {
	n := len(ns.in)
	if n < halvesFrom {
		return ns.commonPrefix(0, n)
	}
	var b int
	var wg sync.WaitGroup
	wg.Go(func() { b = ns.commonPrefix(n/2, n) })
	a := ns.commonPrefix(0, n/2)
	wg.Wait()
	return min(a, b, foldedPrefix(ns.at(0), ns.at(n/2), len(ns.at(0))))
}

// commonPrefix is sharedPrefix of the names from:to, one goroutine's.
func (ns names) commonPrefix(from, to int) int {
	if from >= to {
		return 0
	}
	first := ns.at(from)
	p := len(first)
	for i := from + 1; i < to && p > 0; i++ {
		s := ns.at(i)
		if len(s) >= p && s[:p] == first[:p] {
			continue // alike as they are, as is most of the time
		}
		p = foldedPrefix(first, s, p)
	}
	return p
}

// foldedPrefix is how many of the first bytes of a and b, at most most,
// are alike, ASCII case folded.
func foldedPrefix(a, b string, most int) int {
	m, j := min(most, len(a), len(b)), 0
	for j < m && foldByte[a[j]] == foldByte[b[j]] {
		j++
	}
	return j
}

// foldByte lower-cases A to Z and leaves every other byte as it is.
var foldByte = func() (t [256]byte) {
	for c := range t {
		t[c] = byte(c)
		if 'A' <= c && c <= 'Z' {
			t[c] = byte(c) + 'a' - 'A'
		}
	}
	return t
}()

// foldCompare is strings.Compare of a and b with A to Z lower-cased:
// since the names that are not ASCII are lower-cased already, as they
// compare lower-cased.
func foldCompare(a, b string) int {
	m := min(len(a), len(b))
	i := 0
	for i+8 <= m && a[i:i+8] == b[i:i+8] {
		i += 8
	}
	for ; i < m; i++ {
		if x, y := foldByte[a[i]], foldByte[b[i]]; x != y {
			return cmp.Compare(x, y)
		}
	}
	return cmp.Compare(len(a), len(b))
}

// foldedEight is the eight bytes of s from from on, ASCII case folded,
// big-endian and zero-padded: two of them compare as the folded strings'
// first eight bytes do. A shorter string comes first, as in
// strings.Compare, since a cleaned name holds no NUL.
func foldedEight(s string, from int) uint64 {
	s = s[min(from, len(s)):]
	var v uint64
	for i := range 8 {
		v <<= 8
		if i < len(s) {
			v |= uint64(foldByte[s[i]])
		}
	}
	return v
}

// productRanks is each account's product's rank among the products
// present (CompareProducts).
func productRanks(in []auth.Account) []uint32 {
	// Each account first gets its product's place among the codes as
	// they come; the places become ranks once every code is known.
	ranks := make([]uint32, len(in))
	place := map[string]uint32{}
	var codes []string
	for i, a := range in {
		if i > 0 && a.Product == in[i-1].Product {
			ranks[i] = ranks[i-1] // the common case: a product's accounts together
			continue
		}
		at, ok := place[a.Product]
		if !ok {
			at = uint32(len(codes))
			place[a.Product] = at
			codes = append(codes, a.Product)
		}
		ranks[i] = at
	}
	rank := make([]uint32, len(codes))
	for r, code := range slices.SortedFunc(slices.Values(codes), CompareProducts) {
		rank[place[code]] = uint32(r)
	}
	for i := range ranks {
		ranks[i] = rank[ranks[i]]
	}
	return ranks
}

// radixSort sorts items by rank, then key, stably: a pass a byte, the
// least significant first, skipping the bytes all items share. tmp, as
// long as items, is where the passes land by turns.
func radixSort(items, tmp []sortItem) {
	if len(items) < 2 {
		return
	}
	sorted := items
	// The counts of each byte of the keys, and of the ranks' low byte;
	// ranks past 255 (hundreds of products) get passes of their own.
	var counts [9][256]int
	maxRank := uint32(0)
	for i := range items {
		k := items[i].key
		counts[0][byte(k)]++
		counts[1][byte(k>>8)]++
		counts[2][byte(k>>16)]++
		counts[3][byte(k>>24)]++
		counts[4][byte(k>>32)]++
		counts[5][byte(k>>40)]++
		counts[6][byte(k>>48)]++
		counts[7][byte(k>>56)]++
		counts[8][byte(items[i].rank)]++
		maxRank = max(maxRank, items[i].rank)
	}
	pass := func(c *[256]int, digit func(*sortItem) byte) {
		if c[digit(&items[0])] == len(items) {
			return // every item has the same byte here
		}
		at := 0
		for b := range c {
			c[b], at = at, at+c[b]
		}
		for i := range items {
			b := digit(&items[i])
			tmp[c[b]] = items[i]
			c[b]++
		}
		items, tmp = tmp, items
	}
	for d := range 8 {
		pass(&counts[d], func(it *sortItem) byte { return byte(it.key >> (8 * d)) })
	}
	pass(&counts[8], func(it *sortItem) byte { return byte(it.rank) })
	for shift := 8; shift < 32 && maxRank>>shift != 0; shift += 8 {
		var c [256]int
		for i := range items {
			c[byte(items[i].rank>>shift)]++
		}
		pass(&c, func(it *sortItem) byte { return byte(it.rank >> shift) })
	}
	if &items[0] != &sorted[0] {
		copy(sorted, items)
	}
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
