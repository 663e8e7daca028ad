module bcauth

go 1.26.0

require (
	github.com/adrg/xdg v0.5.3
	github.com/gofrs/flock v0.13.2
	golang.org/x/oauth2 v0.38.0
)

require golang.org/x/sys v0.49.0 // indirect
