//go:build race

package main

// raceEnabled: the race detector multiplies memory and slows every step,
// so RSS says nothing and deadlines stretch.
const raceEnabled = true
