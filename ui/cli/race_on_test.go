//go:build race

package cli

// raceEnabled: the race detector multiplies memory, so RSS says nothing.
const raceEnabled = true
