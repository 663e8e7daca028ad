package ui

import (
	"context"
	"io"
)

// Output is where a script command writes: results to Stdout, diagnostics
// to Stderr.
type Output struct {
	Stdout, Stderr io.Writer
}

// Status, Accounts, Token and Logout are the commands for scripts; they are
// filled in by the CLI work.
func Status(ctx context.Context, svc *Service, out Output, asJSON bool) int { return 2 }

// Accounts prints the accounts.
func Accounts(ctx context.Context, svc *Service, out Output, asJSON bool, product string) int {
	return 2
}

// Token prints the access token.
func Token(ctx context.Context, svc *Service, out Output) int { return 2 }

// Logout forgets logins.
func Logout(svc *Service, out Output, all bool) int { return 2 }
