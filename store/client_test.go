package store

import "testing"

func TestResolveClient(t *testing.T) {
	file := ClientConfig{ClientID: "file-id", ClientSecret: "file-secret", RedirectURI: "http://127.0.0.1:8976/callback"}
	tests := []struct {
		name    string
		env     ClientConfig
		want    ClientConfig
		sources Sources
	}{
		{
			name:    "file only",
			want:    file,
			sources: Sources{ClientID: SourceFile, ClientSecret: SourceFile, RedirectURI: SourceFile, LaunchpadURL: SourceUnset},
		},
		{
			name: "environment wins field by field",
			env:  ClientConfig{ClientID: "env-id", LaunchpadURL: "http://127.0.0.1:9000"},
			want: ClientConfig{ClientID: "env-id", ClientSecret: "file-secret", RedirectURI: "http://127.0.0.1:8976/callback", LaunchpadURL: "http://127.0.0.1:9000"},
			sources: Sources{
				ClientID: SourceEnv, ClientSecret: SourceFile, RedirectURI: SourceFile, LaunchpadURL: SourceEnv,
			},
		},
		{
			name:    "environment everywhere",
			env:     ClientConfig{ClientID: "a", ClientSecret: "b", RedirectURI: "c", LaunchpadURL: "d"},
			want:    ClientConfig{ClientID: "a", ClientSecret: "b", RedirectURI: "c", LaunchpadURL: "d"},
			sources: Sources{ClientID: SourceEnv, ClientSecret: SourceEnv, RedirectURI: SourceEnv, LaunchpadURL: SourceEnv},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, sources := ResolveClient(file, tt.env)
			if got != tt.want || sources != tt.sources {
				t.Errorf("ResolveClient = %+v, %+v; want %+v, %+v", got, sources, tt.want, tt.sources)
			}
			if merged := file.Merge(tt.env); merged != tt.want {
				t.Errorf("Merge = %+v, want %+v", merged, tt.want)
			}
		})
	}
	if _, src := ResolveClient(ClientConfig{}, ClientConfig{}); src != (Sources{}) {
		t.Errorf("nothing set: sources %+v", src)
	}
	for s, want := range map[Source]string{SourceUnset: "not set", SourceFile: "config file", SourceEnv: "environment"} {
		if s.String() != want {
			t.Errorf("%d.String() = %q, want %q", s, s.String(), want)
		}
	}
}

// The environment overrides what the file holds without rewriting it.
func TestEnvironmentOverridesFile(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	saved := ClientConfig{ClientID: "file-id", ClientSecret: "file-secret"}
	if err := s.SaveClient(saved); err != nil {
		t.Fatal(err)
	}
	file, err := s.LoadClient()
	if err != nil {
		t.Fatal(err)
	}
	env := ClientConfig{ClientSecret: "env-secret"}
	if got := file.Merge(env); got != (ClientConfig{ClientID: "file-id", ClientSecret: "env-secret"}) {
		t.Errorf("merged = %+v", got)
	}
	if again, _ := open(t, dir).LoadClient(); again != saved {
		t.Errorf("config.json now holds %+v, want %+v", again, saved)
	}
}

// A client secret in the keyring is named by its reference, unless the
// environment gives one.
func TestResolveClientFromTheKeyring(t *testing.T) {
	file := ClientConfig{ClientID: "file-id", ClientSecretKeyring: "client:file-id"}
	got, src := ResolveClient(file, ClientConfig{})
	if got != (ClientConfig{ClientID: "file-id", ClientSecretKeyring: "client:file-id"}) || src.ClientSecret != SourceKeyring {
		t.Errorf("ResolveClient = %+v, %+v; want the keyring's reference", got, src)
	}
	got, src = ResolveClient(file, ClientConfig{ClientSecret: "env-secret"})
	if got != (ClientConfig{ClientID: "file-id", ClientSecret: "env-secret"}) || src.ClientSecret != SourceEnv {
		t.Errorf("ResolveClient with the secret in the environment = %+v, %+v", got, src)
	}
	if SourceKeyring.String() != "OS keyring" {
		t.Errorf("SourceKeyring.String() = %q", SourceKeyring.String())
	}
}
