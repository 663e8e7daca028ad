package core

import (
	"bcauth/auth/probe"
	"fmt"
	"strings"
)

// How a probe answer is told to people, in the app and by bcauth probe alike.

// ProbeDetail is the last field of a plain probe line, cleaned: the person
// when reachable, else why not.
func ProbeDetail(r probe.Result) string {
	if r.Status == probe.Reachable && r.Person != nil {
		return describePerson(r.Person)
	}
	if reason := Clean(r.Reason); reason != "" {
		return reason
	}
	return r.Status.String()
}

// describePerson names the person a probe found, cleaned, as
// "Annie Bryan <annie@example.com> (person 1000012345, admin, owner)".
func describePerson(p *probe.Person) string {
	var b strings.Builder
	name, email := Clean(p.Name), Clean(p.Email)
	b.WriteString(name)
	if email != "" && email != name {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("<" + email + ">")
	}
	var notes []string
	if p.ID != 0 {
		notes = append(notes, fmt.Sprintf("person %d", p.ID))
	}
	if p.Admin {
		notes = append(notes, "admin")
	}
	if p.Owner {
		notes = append(notes, "owner")
	}
	if len(notes) > 0 {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("(" + strings.Join(notes, ", ") + ")")
	}
	return b.String()
}

// ProbeSummary says how a run of probes went, as the app's status line and
// bcauth probe on a terminal both say it: "9 of 12 reachable · 1 token
// refused · 1 account inactive".
func ProbeSummary(counts map[probe.Status]int, total int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d of %d reachable", counts[probe.Reachable], total)
	for s := probe.Refused; s <= probe.Canceled; s++ {
		if n := counts[s]; n > 0 && s != probe.Reachable {
			fmt.Fprintf(&b, " · %d %s", n, s)
		}
	}
	return b.String()
}
