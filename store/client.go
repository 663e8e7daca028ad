package store

// ClientConfig is the OAuth client a person registered with Launchpad, as
// they entered it in bcauth (config.json). Empty fields are not set.
type ClientConfig struct {
	ClientID     string `json:"client_id,omitempty"`
	ClientSecret string `json:"client_secret,omitempty"`
	RedirectURI  string `json:"redirect_uri,omitempty"`
	LaunchpadURL string `json:"launchpad_url,omitempty"`
	// ClientSecretKeyring names the keyring entry that holds the client
	// secret, which is then not in the file (see [WithKeyring]).
	ClientSecretKeyring string `json:"client_secret_keyring,omitempty"`
	// BC5ClientID is a client registered with Basecamp's newer server
	// (BC5): public, so an id and no secret. A login goes there only when
	// discovery chooses BC5 and this is set.
	BC5ClientID string `json:"bc5_client_id,omitempty"`
	// BaseURL is the API origin discovery asks which server to use
	// (BASECAMP_BASE_URL); Issuer pins one (BASECAMP_OAUTH_ISSUER).
	BaseURL string `json:"base_url,omitempty"`
	Issuer  string `json:"oauth_issuer,omitempty"`
}

// clientFile is config.json on disk.
type clientFile struct {
	Version *int `json:"version"`
	ClientConfig
	// Keyring is the keyring setting: the secrets live in the OS keyring.
	Keyring bool `json:"keyring,omitempty"`
}

func (f *clientFile) version() *int { return f.Version }

// Merge returns c with every non-empty field of override applied. main builds
// override from BASECAMP_OAUTH_CLIENT_ID, BASECAMP_OAUTH_CLIENT_SECRET,
// BASECAMP_OAUTH_REDIRECT_URI and BASECAMP_LAUNCHPAD_URL, which win over the file.
func (c ClientConfig) Merge(override ClientConfig) ClientConfig {
	merged, _ := ResolveClient(c, override)
	return merged
}

// Source says where a client setting came from.
type Source int

// Where a setting can come from, lowest precedence first.
const (
	SourceUnset   Source = iota // neither the file nor the environment sets it
	SourceFile                  // config.json
	SourceEnv                   // an environment variable
	SourceKeyring               // the OS keyring, which config.json refers to
)

// String names the source for `bcauth status`.
func (s Source) String() string {
	switch s {
	case SourceFile:
		return "config file"
	case SourceEnv:
		return "environment"
	case SourceKeyring:
		return "OS keyring"
	default:
		return "not set"
	}
}

// Sources says where each field of a resolved [ClientConfig] came from.
type Sources struct {
	ClientID     Source
	ClientSecret Source
	RedirectURI  Source
	LaunchpadURL Source
	BC5ClientID  Source
	BaseURL      Source
	Issuer       Source
}

// ResolveClient merges the configuration from the file with the one from the
// environment, which wins field by field, and says where each field came from.
func ResolveClient(file, env ClientConfig) (ClientConfig, Sources) {
	var out ClientConfig
	var src Sources
	pick := func(dst *string, from *Source, f, e string) {
		switch {
		case e != "":
			*dst, *from = e, SourceEnv
		case f != "":
			*dst, *from = f, SourceFile
		}
	}
	pick(&out.ClientID, &src.ClientID, file.ClientID, env.ClientID)
	pick(&out.ClientSecret, &src.ClientSecret, file.ClientSecret, env.ClientSecret)
	pick(&out.RedirectURI, &src.RedirectURI, file.RedirectURI, env.RedirectURI)
	pick(&out.LaunchpadURL, &src.LaunchpadURL, file.LaunchpadURL, env.LaunchpadURL)
	pick(&out.BC5ClientID, &src.BC5ClientID, file.BC5ClientID, env.BC5ClientID)
	pick(&out.BaseURL, &src.BaseURL, file.BaseURL, env.BaseURL)
	pick(&out.Issuer, &src.Issuer, file.Issuer, env.Issuer)
	if out.ClientSecret == "" && file.ClientSecretKeyring != "" {
		out.ClientSecretKeyring, src.ClientSecret = file.ClientSecretKeyring, SourceKeyring
	}
	return out, src
}

// LoadClient reads config.json. A missing file is an empty configuration;
// an unreadable one is a [*CorruptError], one from a newer bcauth a
// [*VersionError].
func (s *Store) LoadClient() (ClientConfig, error) {
	var f clientFile
	if _, err := s.read(configFile, &f); err != nil {
		return ClientConfig{}, err
	}
	return f.ClientConfig, nil
}

// SaveClient replaces config.json with c. It refuses, with the typed error,
// to write over a file it cannot read or that comes from a newer bcauth;
// [Store.SetAsideClient] clears the way for the first.
func (s *Store) SaveClient(c ClientConfig) error {
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	var old clientFile
	if _, err := s.read(configFile, &old); err != nil {
		return err
	}
	// The keyring setting stays; the secret goes where it says.
	return s.writeClient(&clientFile{ClientConfig: c, Keyring: old.Keyring}, old)
}

// SetAsideClient moves an unreadable config.json to
// config.json.corrupt-YYYYMMDDTHHMMSSZ and returns where it went, so the
// person can enter the client settings again. A readable or missing file is
// left alone and the returned path is empty; one from a newer bcauth is
// left alone too, and its [*VersionError] returned.
func (s *Store) SetAsideClient() (string, error) {
	return s.setAside(configFile, &clientFile{})
}
