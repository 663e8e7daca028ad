package core

import (
	"os"
	"testing"

	"bcauth/auth/launchpadtest"
)

// TestMain fails the run on any dial off this machine.
func TestMain(m *testing.M) { os.Exit(launchpadtest.GuardNetwork(m)) }
