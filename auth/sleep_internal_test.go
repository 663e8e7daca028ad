package auth

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// TestSleep checks the device login's default wait in a bubble, whose
// clock moves only when every goroutine in it waits.
func TestSleep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		if err := sleep(context.Background(), 5*time.Second); err != nil || time.Since(start) != 5*time.Second {
			t.Fatalf("sleep = %v after %v, want nil after 5s", err, time.Since(start))
		}

		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(2*time.Second, cancel)
		start = time.Now()
		if err := sleep(ctx, time.Minute); !errors.Is(err, context.Canceled) || time.Since(start) != 2*time.Second {
			t.Fatalf("sleep = %v after %v, want context.Canceled after 2s", err, time.Since(start))
		}
	})
}
