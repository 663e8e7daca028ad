package ui

import (
	"cmp"
	"context"
	"slices"
	"strings"

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
	out := &AccountList{Client: c, Session: sess}
	r, err := s.Reload(ctx, c, sess)
	switch {
	case err == nil:
		out.Session = r.Session
	case auth.Temporary(err):
		// Launchpad could not be asked: what it listed last, if anything.
		if out.Session = s.Cached(sess); out.Session.Authorization == nil {
			return nil, err
		}
		out.Cached = err
	default:
		return nil, err
	}
	var all []auth.Account
	if out.Session.Authorization != nil {
		all = SortAccounts(out.Session.Authorization.Accounts)
	}
	out.Products = ProductCodes(all)
	out.Accounts = FilterProduct(all, product)
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
	// Each name is cleaned once, not once per comparison: a login can
	// reach thousands of accounts.
	type keyed struct {
		acc  auth.Account
		name string
	}
	ks := make([]keyed, len(in))
	for i, a := range in {
		ks[i] = keyed{a, strings.ToLower(Clean(a.Name))}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		return cmp.Or(
			CompareProducts(a.acc.Product, b.acc.Product),
			strings.Compare(a.name, b.name),
			cmp.Compare(a.acc.ID, b.acc.ID),
		)
	})
	out := make([]auth.Account, len(ks))
	for i, k := range ks {
		out[i] = k.acc
	}
	return out
}

// FilterProduct keeps the accounts of one product code, compared without
// case; "" keeps them all.
func FilterProduct(in []auth.Account, product string) []auth.Account {
	if product == "" {
		return in
	}
	return slices.DeleteFunc(slices.Clone(in), func(a auth.Account) bool { return !strings.EqualFold(a.Product, product) })
}

// ProductCodes lists the distinct product codes of sorted accounts,
// cleaned, in their order.
func ProductCodes(sorted []auth.Account) []string {
	var codes []string
	for _, a := range sorted {
		if c := Clean(a.Product); !slices.Contains(codes, c) {
			codes = append(codes, c)
		}
	}
	return codes
}
