package cli

import (
	"math"
	"runtime/debug"
	"testing"

	"bcauth/ui/core"
)

// TestListingHoldsOffTheCollector checks that a listing command runs with
// the garbage collector off up to listMemoryLimit (or a lower limit
// already set), and gives it back its settings after.
func TestListingHoldsOffTheCollector(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(123))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	for _, limit := range []int64{math.MaxInt64, 16 << 20} {
		debug.SetMemoryLimit(limit)
		listing(&core.Service{}, func() int {
			if p := debug.SetGCPercent(-1); p != -1 {
				t.Errorf("GOGC %d while listing, want off", p)
			}
			if got := debug.SetMemoryLimit(-1); got != min(limit, listMemoryLimit) {
				t.Errorf("memory limit %d while listing, want %d", got, min(limit, listMemoryLimit))
			}
			return 0
		})
		if p := debug.SetGCPercent(123); p != 123 {
			t.Errorf("GOGC %d after listing, want 123 back", p)
		}
		if got := debug.SetMemoryLimit(-1); got != limit {
			t.Errorf("memory limit %d after listing, want %d back", got, limit)
		}
	}
}
