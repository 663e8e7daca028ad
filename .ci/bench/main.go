// Command bench measures bcauth's script commands side by side with curl
// and with `bcauth version`, against the built-in fake Launchpad, at several
// account counts: the table issue 9 asks for, repeatable in one run, and
// `bcauth api` beside curl making the same API call.
//
//	CGO_ENABLED=0 go build -o /tmp/bcauth . && go run ./.ci/bench -bcauth /tmp/bcauth [-before /tmp/bcauth-old]
//
// (CGO_ENABLED=0 as the releases are built: a static binary, which starts
// sooner than the dynamically linked one go build makes beside a C
// compiler.)
//
// It needs curl. Each binary gets its own XDG config and cache directories,
// seeded with one login and warmed up by one `accounts --json`, so each
// reads the state in its own format. The commands run in rounds, each
// round every command once in a shuffled order, so that whatever drifts
// (the fake's own garbage collector, above all, at 30,000 accounts) drifts
// under all of them alike. Times are medians over the rounds; each ratio
// is the median of the rounds' own ratios, the pairs timed side by side.
// RSS is the peak resident set of one more run (/usr/bin/time).
//
// The fake encodes each person's accounts once and then sends the same
// bytes (see launchpadtest's authorization.json), so curl's time is the
// transfer's floor: a fake that spent 100 ms encoding 30,000 accounts for
// every request hid how much of bcauth's time was its own.
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"bcauth/auth/launchpadtest"
	"bcauth/store"
	"bcauth/ui/core"
)

func main() {
	after := flag.String("bcauth", "", "the bcauth binary to measure (required)")
	before := flag.String("before", "", "an older bcauth binary to measure beside it")
	counts := flag.String("n", "7,3000,30000", "account counts, comma-separated")
	runs := flag.Int("runs", 30, "rounds: runs of each command")
	app := flag.Bool("app", true, "also time the app's first frame with the cached accounts, in tmux")
	flag.StringVar(&sink, "stdout", "null", "where every command's output goes: null (/dev/null) or pipe (a pipe this process drains, as a pipe into jq would)")
	hold := flag.Bool("hold", false, "seed the first count, print the environment that reaches it, and serve until interrupted (for profiling by hand)")
	flag.Parse()
	holdOpen = *hold
	if sink != "null" && sink != "pipe" {
		fmt.Fprintln(os.Stderr, "bench: -stdout is null or pipe")
		os.Exit(2)
	}
	if *after == "" {
		fmt.Fprintln(os.Stderr, "bench: -bcauth is required")
		os.Exit(2)
	}
	bins := []binary{{"after", *after}}
	if *before != "" {
		bins = append([]binary{{"before", *before}}, bins...)
	}
	fmt.Println("| accounts | binary | version | token | token/version | curl | accounts --json | accounts/curl | status --json | status/curl | RSS accounts --json | RSS status --json |")
	fmt.Println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, f := range strings.Split(*counts, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			fail(err)
		}
		if err := measure(n, bins, *runs, *app); err != nil {
			fail(err)
		}
	}
	fmt.Println()
	fmt.Println("| accounts | binary | curl GET projects.json | api --account ID /projects.json | api/curl |")
	fmt.Println("| --- | --- | --- | --- | --- |")
	for _, r := range apis {
		fmt.Println(r)
	}
	if *app && len(frames) > 0 {
		fmt.Println()
		fmt.Println("| accounts | binary | app: start to the accounts on screen (median) | RSS of the app |")
		fmt.Println("| --- | --- | --- | --- |")
		for _, f := range frames {
			fmt.Println(f)
		}
	}
}

// holdOpen is -hold.
var holdOpen bool

// frames are the app's rows, and apis bcauth api's beside curl, printed
// after the commands' table.
var frames, apis []string

type binary struct{ name, path string }

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

// measure runs every command for one account count, every binary's in
// the same rounds, beside the same curl.
func measure(n int, bins []binary, runs int, app bool) error {
	fake := launchpadtest.NewServer(launchpadtest.Options{})
	defer fake.Close()
	accs := make([]launchpadtest.Account, n)
	for i := range accs {
		id := int64(10_000_000 + i)
		accs[i] = launchpadtest.Account{Product: "bc3", ID: id, Name: fmt.Sprintf("Account %d of the bench", i),
			Href: fake.URL + "/bc3/" + strconv.FormatInt(id, 10), AppHref: fake.URL + "/web/bc3/" + strconv.FormatInt(id, 10)}
	}
	fake.SetAccounts(accs)
	envs := make([][]string, len(bins))
	var cmds []command
	for k, b := range bins {
		env, access, err := prepare(fake, b)
		if err != nil {
			return err
		}
		defer os.RemoveAll(env.root)
		envs[k] = env.vars
		if k == 0 {
			// The same two requests bcauth makes: who and which accounts,
			// and one API call to the first account.
			for _, u := range []string{fake.URL + "/authorization.json", accs[0].Href + "/projects.json"} {
				cmds = append(cmds, command{env.vars, []string{"curl", "-sf", "-H", "User-Agent: bench (bench@example.com)",
					"-H", "Authorization: Bearer " + access, u}})
			}
		}
		for _, args := range [][]string{{"version"}, {"token"}, {"accounts", "--json"}, {"status", "--json"},
			{"api", "--account", strconv.FormatInt(accs[0].ID, 10), "/projects.json"}} {
			cmds = append(cmds, command{env.vars, append([]string{b.path}, args...)})
		}
	}
	med, ratio, err := rounds(runs, cmds)
	if err != nil {
		return err
	}
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/1e6) }
	for k, b := range bins {
		rssA, err := rss(envs[k], b.path, "accounts", "--json")
		if err != nil {
			return err
		}
		rssS, err := rss(envs[k], b.path, "status", "--json")
		if err != nil {
			return err
		}
		v, t, a, st, api := 2+5*k, 3+5*k, 4+5*k, 5+5*k, 6+5*k // cmds[0] and [1] are curl's
		fmt.Printf("| %d | %s | %s | %s | %.2f | %s | %s | %.2f | %s | %.2f | %.1f MiB | %.1f MiB |\n",
			n, b.name, ms(med[v]), ms(med[t]), ratio(t, v), ms(med[0]), ms(med[a]), ratio(a, 0), ms(med[st]), ratio(st, 0), rssA, rssS)
		apis = append(apis, fmt.Sprintf("| %d | %s | %s | %s | %.2f |", n, b.name, ms(med[1]), ms(med[api]), ratio(api, 1)))
	}
	if !app {
		return nil
	}
	// The app in rounds too, the binaries in a shuffled order each round.
	took := make([][]time.Duration, len(bins))
	peak := make([]float64, len(bins))
	order := make([]int, len(bins))
	for i := range order {
		order[i] = i
	}
	for range max(10, runs) {
		rand.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, k := range order {
			d, p, err := firstFrame(envs[k], bins[k].path, "Account 0 of the bench")
			if err != nil {
				return fmt.Errorf("%s app: %w", bins[k].name, err)
			}
			took[k], peak[k] = append(took[k], d), max(peak[k], p)
		}
	}
	for k, b := range bins {
		frames = append(frames, fmt.Sprintf("| %d | %s | %.1f ms | %.1f MiB |", n, b.name, float64(median(took[k]))/1e6, peak[k]))
	}
	return nil
}

// benchEnv is one binary's environment: its own XDG directories under
// root, and the fake's settings.
type benchEnv struct {
	root string
	vars []string
}

// prepare gives a binary a login of its own, made with a token the fake
// issued, warmed up by one accounts --json so that the binary reads the
// state in its own format. It returns the access token for curl.
func prepare(fake *launchpadtest.Server, b binary) (benchEnv, string, error) {
	env := uiEnv(fake)
	root, err := os.MkdirTemp("", "bcauth-bench-")
	if err != nil {
		return benchEnv{}, "", err
	}
	out := benchEnv{root: root}
	cfg, cache := filepath.Join(root, "config"), filepath.Join(root, "cache")
	access, err := seed(fake, env, cfg, cache)
	if err != nil {
		return out, "", err
	}
	out.vars = append(os.Environ(), "XDG_CONFIG_HOME="+root+"/config-home", "XDG_CACHE_HOME="+root+"/cache-home",
		"BASECAMP_OAUTH_CLIENT_ID="+env.ClientID, "BASECAMP_OAUTH_CLIENT_SECRET="+env.ClientSecret,
		"BASECAMP_OAUTH_REDIRECT_URI="+env.RedirectURI, "BASECAMP_LAUNCHPAD_URL="+env.LaunchpadURL)
	// bcauth keeps its files in XDG_*_HOME/bcauth: move the seeded ones there.
	for from, to := range map[string]string{cfg: root + "/config-home/bcauth", cache: root + "/cache-home/bcauth"} {
		if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
			return out, "", err
		}
		if err := os.Rename(from, to); err != nil {
			return out, "", err
		}
	}
	if b, err := run(out.vars, b.path, "accounts", "--json"); err != nil {
		return out, "", fmt.Errorf("accounts --json: %v: %s", err, b)
	}
	if holdOpen {
		for _, kv := range out.vars[len(os.Environ()):] {
			fmt.Printf("export %q\n", kv)
		}
		fmt.Printf("# access token for curl: %s at %s/authorization.json\n", access, fake.URL)
		select {}
	}
	return out, access, nil
}

func uiEnv(fake *launchpadtest.Server) store.ClientConfig {
	o := fake.Options()
	return store.ClientConfig{ClientID: o.ClientID, ClientSecret: o.ClientSecret, RedirectURI: o.RedirectURI, LaunchpadURL: fake.URL}
}

// seed stores one login made with a token the fake issued, as bcauth login
// would, and returns its access token for curl.
func seed(fake *launchpadtest.Server, env store.ClientConfig, cfg, cache string) (string, error) {
	st, err := store.Open(cfg, store.WithCacheDir(cache))
	if err != nil {
		return "", err
	}
	svc := &core.Service{Store: st, Env: env, HTTPClient: &http.Client{Timeout: 30 * time.Second}}
	c, err := svc.Client()
	if err != nil {
		return "", err
	}
	access, refresh, expiry := fake.IssueToken()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, _, err = svc.Complete(ctx, c, &oauth2.Token{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer", Expiry: expiry})
	return access, err
}

func run(env []string, name string, args ...string) ([]byte, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = env
	return cmd.CombinedOutput()
}

// command is a program to time and its environment.
type command struct {
	env  []string
	argv []string
}

// sink is where every timed command's standard output goes, curl's and
// bcauth's alike: "null", /dev/null, or "pipe", a pipe drained and thrown
// away. (Until this was one place, curl wrote to /dev/null and bcauth to a
// pipe this process copied into a growing buffer, which cost bcauth alone
// 3-7% at 30,000 accounts.)
var sink string

// rounds runs every command once a round, in a shuffled order, after
// three rounds not counted. It returns each command's median and ratio(i,
// j), the median over the rounds of command i's time over command j's.
func rounds(runs int, cmds []command) ([]time.Duration, func(i, j int) float64, error) {
	took := make([][]time.Duration, len(cmds))
	order := make([]int, len(cmds))
	for i := range order {
		order[i] = i
	}
	for r := -3; r < runs; r++ {
		rand.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, c := range order {
			cmd := exec.Command(cmds[c].argv[0], cmds[c].argv[1:]...)
			cmd.Env = cmds[c].env
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if sink == "pipe" {
				cmd.Stdout = io.Discard // os/exec drains it from a pipe
			} // else nil: /dev/null
			start := time.Now()
			if err := cmd.Run(); err != nil {
				return nil, nil, fmt.Errorf("%s: %w: %.200s", strings.Join(cmds[c].argv, " "), err, stderr.String())
			}
			if r >= 0 {
				took[c] = append(took[c], time.Since(start))
			}
		}
	}
	med := make([]time.Duration, len(cmds))
	for i, t := range took {
		med[i] = median(t)
	}
	ratio := func(i, j int) float64 {
		rs := make([]float64, runs)
		for r := range rs {
			rs[r] = float64(took[i][r]) / float64(took[j][r])
		}
		return median(rs)
	}
	return med, ratio, nil
}

func median[T cmp.Ordered](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// rss is the peak resident set of one run, in MiB. The command runs under
// /usr/bin/time: Linux counts a child's peak from before its exec, so a
// child of this process, which holds the fake's 30,000 accounts, would
// report this process's memory.
func rss(env []string, name string, args ...string) (float64, error) {
	cmd := exec.Command("/usr/bin/time", append([]string{"-f", "%M", name}, args...)...)
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("%s %v: %w: %s", name, args, err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	kb, err := strconv.ParseFloat(lines[len(lines)-1], 64)
	if err != nil {
		return 0, fmt.Errorf("/usr/bin/time said %q", stderr.String())
	}
	return kb / 1024, nil
}

// firstFrame starts the app in a tmux of its own and returns the time
// from start until the screen shows want (the first cached account), and
// the app's peak RSS. tmux's own start is inside the time, the same for
// every binary.
func firstFrame(env []string, bin, want string) (time.Duration, float64, error) {
	dir, err := os.MkdirTemp("", "bcauth-frame-")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(dir)
	sock, rssFile := filepath.Join(dir, "tmux.sock"), filepath.Join(dir, "rss")
	tmux := func(args ...string) ([]byte, error) {
		cmd := exec.Command("tmux", append([]string{"-S", sock, "-f", "/dev/null"}, args...)...)
		cmd.Env = env
		return cmd.Output()
	}
	defer tmux("kill-server")
	start := time.Now()
	if _, err := tmux("new-session", "-d", "-x", "120", "-y", "40", "/usr/bin/time -f %M -o "+rssFile+" "+bin); err != nil {
		return 0, 0, fmt.Errorf("tmux: %w", err)
	}
	var took time.Duration
	for {
		screen, _ := tmux("capture-pane", "-p")
		if strings.Contains(string(screen), want) {
			took = time.Since(start)
			break
		}
		if time.Since(start) > 20*time.Second {
			return 0, 0, fmt.Errorf("the app never showed %q:\n%s", want, screen)
		}
		time.Sleep(2 * time.Millisecond)
	}
	_, _ = tmux("send-keys", "q")
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if b, err := os.ReadFile(rssFile); err == nil && len(strings.TrimSpace(string(b))) > 0 {
			lines := strings.Split(strings.TrimSpace(string(b)), "\n")
			if kb, err := strconv.ParseFloat(lines[len(lines)-1], 64); err == nil {
				return took, kb / 1024, nil
			}
		}
	}
	return took, 0, nil
}
