package launchpadtest

import (
	"context"
	"io"
	"net/http"
)

// ApproveAndFollow is what a browser does once the person clicks Allow:
// the consent page's redirect is followed to the loopback callback, whose
// page is read to the end.
func (s *Server) ApproveAndFollow(ctx context.Context, authURL string) error {
	loc, err := s.Approve(ctx, authURL)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc.String(), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return nil
}
