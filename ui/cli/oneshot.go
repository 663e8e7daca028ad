package cli

import (
	"runtime/debug"

	"bcauth/ui/core"
)

// listMemoryLimit is how large the heap of a listing command (accounts,
// status) grows before the garbage collector runs at all: at 30,000
// accounts such a run holds about 20 MiB.
const listMemoryLimit = 48 << 20

// listing runs a listing command: its account cache mapped (see
// mapCache), and the garbage collector held off until the heap reaches
// listMemoryLimit (or a lower GOMEMLIMIT), and as usual past it. The
// collector gets its settings back after. Such a run lasts milliseconds
// and keeps to its end most of what it allocates: collecting along the
// way, from the 4 MiB heap the runtime starts with, cost a run at 30,000
// accounts a quarter of its time and freed little.
func listing(svc *core.Service, run func() int) int {
	mapCache(svc)
	limit := debug.SetMemoryLimit(-1) // -1 only reads it
	debug.SetMemoryLimit(min(limit, listMemoryLimit))
	percent := debug.SetGCPercent(-1)
	defer func() {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}()
	return run()
}

// mapCache has a command's account cache mapped into memory rather than
// read (store.Store.MapCache): the mapping lasts as long as the process,
// which a script command ends.
func mapCache(svc *core.Service) {
	if svc.Store != nil {
		svc.Store.MapCache()
	}
}
