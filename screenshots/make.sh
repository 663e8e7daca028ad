#!/usr/bin/env bash
# Remakes the README's screenshots from the real program: `bcauth demo`
# (the TUI against the built-in fake Launchpad) runs in tmux at 100x30, is
# driven with send-keys, and each screen is captured with its colours,
# turned into an HTML page by screenshots/render (every terminal cell a box
# of its own, so borders and wide characters line up whatever the font's
# widths) and photographed by headless Chromium. Run it from anywhere after
# any UI change:
#
#   screenshots/make.sh
#
# Needs go, tmux, chromium, optipng, DejaVu Sans Mono and a font with CJK
# glyphs (the demo has a Japanese account name). On Debian:
#
#   apt-get install -y tmux chromium optipng fonts-dejavu-core fonts-wqy-zenhei
set -euo pipefail
cd "$(dirname "$0")/.."

out=screenshots
cols=100
rows=30
debian="apt-get install -y tmux chromium optipng fonts-dejavu-core fonts-wqy-zenhei"

missing=()
for cmd in go tmux chromium optipng fc-list; do
	command -v "$cmd" >/dev/null || missing+=("$cmd")
done
if ((${#missing[@]})); then
	echo "make.sh: missing ${missing[*]}; on Debian: $debian" >&2
	exit 1
fi
if [[ -z "$(fc-list 'DejaVu Sans Mono' family)" ]]; then
	echo "make.sh: no DejaVu Sans Mono; on Debian: apt-get install -y fonts-dejavu-core" >&2
	exit 1
fi
# 株 (U+682A): without a CJK font the Japanese account name renders as boxes.
if [[ -z "$(fc-list ':charset=682a' family)" ]]; then
	echo "make.sh: no font with CJK glyphs; on Debian: apt-get install -y fonts-wqy-zenhei" >&2
	exit 1
fi

tmp=$(mktemp -d)
cleanup() {
	for sock in "$tmp"/*.sock; do
		[[ -S $sock ]] && tmux -S "$sock" kill-server 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

echo "--- building bcauth and the renderer"
go build -o "$tmp/bcauth" .
go build -o "$tmp/render" ./screenshots/render

# Each terminal's default colours: tmux answers bcauth's background-colour
# query with the pane's background, so bcauth picks its dark or light
# palette, and the renderer paints the same colours wherever bcauth left
# the default.
dark_fg="#eeeeee" dark_bg="#1c1c1c"
light_fg="#1c1c1c" light_bg="#ffffff"

# TERM=xterm-256color with COLORTERM=truecolor (set in start): bcauth draws
# its real palette, not the nearest of 256 colours. Under tmux-256color it
# would ask `tmux info`, which knows no terminal while no client is
# attached, and settle for 256. tmux keeps the RGB cells and capture-pane
# returns them.
cat >"$tmp/tmux.conf" <<EOF
set-option -g default-terminal xterm-256color
set-option -g remain-on-exit on
set-option -g status off
set-option -g window-style 'bg=$dark_bg,fg=$dark_fg'
EOF
cat "$tmp/tmux.conf" - >"$tmp/tmux-light.conf" <<EOF
set-option -g window-style 'bg=$light_bg,fg=$light_fg'
EOF

# start NAME [VAR=value…] -- COMMAND…: a tmux server of its own running
# COMMAND with only the given environment, so the machine's DISPLAY, BROWSER
# or real config change nothing. (A second session on one server would
# inherit the first one's environment.)
start() {
	local name=$1
	shift
	local envs=()
	while [[ $1 != -- ]]; do
		envs+=("$1")
		shift
	done
	shift
	# COLORTERM=truecolor: see tmux.conf above.
	local conf="$tmp/tmux.conf"
	[[ $name == *light* ]] && conf="$tmp/tmux-light.conf"
	env -i PATH="$PATH" HOME="$tmp" LANG=C.UTF-8 COLORTERM=truecolor XDG_CONFIG_HOME="$tmp/config-$name" "${envs[@]}" \
		tmux -S "$tmp/$name.sock" -f "$conf" new-session -d -s "$name" -x "$cols" -y "$rows" "$@"
}

# waitfor NAME TEXT: poll the pane until it shows TEXT (20 s at most).
waitfor() {
	local deadline=$((SECONDS + 20))
	until tmux -S "$tmp/$1.sock" capture-pane -p -t "$1" | grep -qF -- "$2"; do
		if ((SECONDS > deadline)); then
			echo "make.sh: session $1 never showed \"$2\"; it shows:" >&2
			tmux -S "$tmp/$1.sock" capture-pane -p -t "$1" >&2
			exit 1
		fi
		sleep 0.1
	done
}

# keys NAME KEY…: type into a session.
keys() { tmux -S "$tmp/$1.sock" send-keys -t "$@"; }

# snap NAME FILE: the pane, colours kept, rendered to screenshots/FILE.png
# in a window frame titled with the pane's title (bcauth sets it).
snap() {
	local theme=dark fg=$dark_fg bg=$dark_bg size title
	if [[ $1 == *light* ]]; then
		theme=light fg=$light_fg bg=$light_bg
	fi
	tmux -S "$tmp/$1.sock" capture-pane -e -p -N -t "$1" >"$tmp/$2.ans"
	title=$(tmux -S "$tmp/$1.sock" display-message -p -t "$1" '#{pane_title}')
	size=$("$tmp/render" -cols "$cols" -rows "$rows" -theme "$theme" -fg "$fg" -bg "$bg" \
		-title "$title" -o "$tmp/$2.html" <"$tmp/$2.ans")
	# A transparent page: outside the window's rounded corners the README's
	# own background shows.
	if ! chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$tmp/chromium" \
		--hide-scrollbars --default-background-color=00000000 --force-device-scale-factor=1 \
		--window-size="$size" --screenshot="$out/$2.png" "file://$tmp/$2.html" >"$tmp/chromium.log" 2>&1; then
		echo "make.sh: chromium could not take $out/$2.png:" >&2
		cat "$tmp/chromium.log" >&2
		exit 1
	fi
	# Lossless: the same pixels in fewer bytes.
	optipng -quiet -o2 -strip all "$out/$2.png"
	echo "wrote $out/$2.png ($(wc -c <"$out/$2.png") bytes)"
}

echo "--- connect and waiting"
# BROWSER=true "opens" the browser and approves nothing, so the wait lasts.
start connect BROWSER=true -- "$tmp/bcauth" demo
waitfor connect "erification code"
snap connect connect
keys connect Enter
waitfor connect "the browser shows this code"
snap connect waiting
keys connect q

echo "--- the device-code login (BC5)"
# BROWSER=true "opens" the page and enters nothing, so the code stays.
start device BROWSER=true -- "$tmp/bcauth" demo --bc5
waitfor device "Enter this code at"
snap device device
keys device q

echo "--- accounts and filter"
# No BROWSER and no DISPLAY: the demo approves by itself.
start accounts -- "$tmp/bcauth" demo
waitfor accounts "erification code"
keys accounts Enter
waitfor accounts "Honcho Design"
keys accounts j
waitfor accounts "│ Honcho Design"
# The detail asks the product about the selected account: wait for its
# answer rather than catch the spinner.
waitfor accounts "reachable as"
snap accounts accounts
keys accounts / 9 9 9 9
# A part of an id: every account whose id holds it, the digits it matched
# highlighted.
waitfor accounts "/ 9999"
waitfor accounts "6 of 12"
waitfor accounts "reachable as"
snap accounts filter
keys accounts Escape
# An ESC followed at once by p reads as alt+p: let the ESC stand alone.
sleep 0.5

echo "--- probe"
keys accounts p
waitfor accounts "of 12 reachable"
snap accounts probe
keys accounts q

echo "--- light background"
start accounts-light -- "$tmp/bcauth" demo
waitfor accounts-light "erification code"
snap accounts-light connect-light
keys accounts-light Enter
waitfor accounts-light "Honcho Design"
keys accounts-light j p
waitfor accounts-light "of 12 reachable"
snap accounts-light accounts-light
keys accounts-light q

echo "--- error"
# Nothing approves within the timeout: the timeout's error screen.
start error BROWSER=true -- "$tmp/bcauth" demo --timeout 3s
waitfor error "erification code"
keys error Enter
waitfor error "No answer from the browser"
snap error error
keys error q
