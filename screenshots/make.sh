#!/usr/bin/env bash
# Remakes the README's screenshots from the real program: `bcauth demo`
# (the TUI against the built-in fake Launchpad) runs in tmux at 100x30, is
# driven with send-keys, and each screen is captured with its colours and
# rendered to PNG by freeze. Run it from anywhere after any UI change:
#
#   screenshots/make.sh
#
# Needs go, tmux, perl, rsvg-convert and a font with CJK glyphs (the demo
# has a Japanese account name). On Debian:
#
#   apt-get install -y tmux librsvg2-bin fonts-wqy-zenhei
#
# freeze is installed into a temporary directory with `go install
# pkg@version`, so bcauth's go.mod never mentions it.
set -euo pipefail
cd "$(dirname "$0")/.."

freeze_version=v0.2.2
out=screenshots
cols=100
rows=30

missing=()
for cmd in go tmux perl rsvg-convert fc-list; do
	command -v "$cmd" >/dev/null || missing+=("$cmd")
done
if ((${#missing[@]})); then
	echo "make.sh: missing ${missing[*]}; on Debian: apt-get install -y tmux librsvg2-bin fonts-wqy-zenhei" >&2
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

echo "--- building bcauth and freeze@$freeze_version"
go build -o "$tmp/bcauth" .
GOBIN="$tmp" go install "github.com/charmbracelet/freeze@$freeze_version"

# freeze hands the SVG to rsvg-convert when it is installed, which finds
# fonts through fontconfig: give it freeze's own JetBrains Mono (without
# ligatures), falling back to the system's CJK font for wide characters.
mkdir -p "$tmp/fonts"
cp "$(go env GOMODCACHE)/github.com/charmbracelet/freeze@$freeze_version/font/JetBrainsMonoNL-Regular.ttf" "$tmp/fonts/"
cat >"$tmp/fonts.conf" <<EOF
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>$tmp/fonts</dir>
  <cachedir>$tmp/fontcache</cachedir>
</fontconfig>
EOF
export FONTCONFIG_FILE="$tmp/fonts.conf"

cat >"$tmp/tmux.conf" <<'EOF'
set-option -g default-terminal tmux-256color
set-option -g remain-on-exit on
set-option -g status off
EOF

# A light terminal: tmux answers bcauth's background-colour query with the
# pane's white background, so bcauth picks its light palette.
cat "$tmp/tmux.conf" - >"$tmp/tmux-light.conf" <<'EOF'
set-option -g window-style 'bg=#ffffff,fg=#1c1c1c'
EOF

# freeze's ANSI reader ignores SGR 39 and 49 (default colours) and does not
# carry a style from one sequence to the next, so rewrite every SGR as a
# reset followed by the whole current style, repeated at each line start.
normalise() {
	perl -e '
		my ($fg, $bg, $bold) = ("", "", 0);
		my $deffg = $ENV{DEFAULT_FG} // "";
		sub style {
			my @s = ("0");
			push @s, 1 if $bold;
			push @s, ($fg ne "" ? $fg : $deffg) if $fg ne "" || $deffg ne "";
			push @s, $bg if $bg ne "";
			return "\e[" . join(";", @s) . "m";
		}
		while (my $line = <STDIN>) {
			print style();
			$line =~ s{\e\[([0-9;]*)m}{
				my @p = split /;/, ($1 eq "" ? "0" : $1);
				while (@p) {
					my $v = shift @p;
					$v = 0 if $v eq "";
					if ($v == 0) { ($fg, $bg, $bold) = ("", "", 0) }
					elsif ($v == 1) { $bold = 1 }
					elsif ($v == 22) { $bold = 0 }
					elsif ($v == 39) { $fg = "" }
					elsif ($v == 49) { $bg = "" }
					elsif (($v >= 30 && $v <= 37) || ($v >= 90 && $v <= 97)) { $fg = $v }
					elsif ($v >= 40 && $v <= 47) { $bg = "48;5;" . ($v - 40) }
					elsif ($v >= 100 && $v <= 107) { $bg = $v }
					elsif ($v == 38 || $v == 48) {
						my $k = shift @p; my $c = "";
						if ($k == 5) { $c = "$v;5;" . shift @p }
						elsif ($k == 2) { $c = "$v;2;" . join(";", splice(@p, 0, 3)) }
						if ($v == 38) { $fg = $c } else { $bg = $c }
					}
				}
				style();
			}ge;
			print $line;
		}'
}

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
	# COLORTERM=truecolor: bcauth draws its real palette, not the nearest
	# of 256 colours; tmux keeps the RGB cells and capture-pane returns them.
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

# snap NAME FILE: the pane, colours kept, rendered to screenshots/FILE.png.
# A light session is drawn on white, with dark text where bcauth left the
# terminal's default colour.
snap() {
	local bg=() deffg=""
	if [[ $1 == *light* ]]; then
		bg=(--background "#FFFFFF")
		deffg="38;2;28;28;28"
	fi
	tmux -S "$tmp/$1.sock" capture-pane -e -p -N -t "$1" | DEFAULT_FG=$deffg normalise >"$tmp/$2.ans"
	"$tmp/freeze" --language ansi --font.family "JetBrains Mono NL" "${bg[@]}" \
		--padding 20 --margin 0 -o "$out/$2.png" <"$tmp/$2.ans" >/dev/null
	echo "wrote $out/$2.png"
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

echo "--- accounts and filter"
# No BROWSER and no DISPLAY: the demo approves by itself.
start accounts -- "$tmp/bcauth" demo
waitfor accounts "erification code"
keys accounts Enter
waitfor accounts "Honcho Design"
keys accounts j
waitfor accounts "│ Honcho Design"
snap accounts accounts
keys accounts / w a y n e
waitfor accounts "1 of 12"
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
