#!/usr/bin/env bash
# docs/screens.sh: regenerate the README's pictures of castle's screens
# (docs/img/NN-name.png) from a real run against castle's built-in AWS
# simulator.
#
# Run it by hand after a change to the screens; CI does not run it.
#
#   docs/screens.sh            # from anywhere inside the repository
#
# It builds castle, starts it in a tmux window (80x24; the last picture is
# 200x50) on a fresh sandbox state dir, goes through the whole journey with
# send-keys (Preflight, Landing zone, People, Environments, Access, Registry,
# Network, Service, Pipeline), waiting for text to appear on screen rather
# than sleeping, captures each screen with its colours
# (tmux capture-pane -e -p) and renders it to PNG with charmbracelet/freeze.
#
# Needs: go, tmux, freeze (go install github.com/charmbracelet/freeze@v0.2.2)
# and a Docker engine (the Registry section builds and pushes an image). The
# app it deploys is a static Go web server in a FROM scratch image, so no
# internet access is needed.
#
# Environment: FREEZE=path to freeze, SPEED=simulator clock speed (default
# 600: the landing zone's hour takes six seconds), KEEP=1 keeps the work
# folder (captures, state) for a look afterwards.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
IMG=$ROOT/docs/img
FREEZE=${FREEZE:-$(command -v freeze || echo "$HOME/go/bin/freeze")}
SPEED=${SPEED:-600}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/castle-screens.XXXXXX")
SESSION=castle-screens-$$
# A tmux server of our own, so a running tmux (or another run) is never touched.
tmux() { command tmux -L "$SESSION" "$@"; }
BIN=$WORK/castle

for tool in go tmux "$FREEZE"; do
	type -P "$tool" >/dev/null || { echo "screens.sh: $tool is not installed" >&2; exit 1; }
done

cleanup() {
	tmux kill-server 2>/dev/null || true
	if [ "${KEEP:-}" = 1 ]; then
		echo "work folder kept: $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT

log() { printf '== %s\n' "$*"; }

# --- build castle and the app it deploys -----------------------------------
log "building castle"
(cd "$ROOT" && go build -o "$BIN" .)

log "building the demo app (static Go server, FROM scratch)"
mkdir -p "$WORK/appsrc" "$WORK/hello" "$WORK/ansi"
cat >"$WORK/appsrc/main.go" <<'EOF'
package main

import (
	"fmt"
	"net/http"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "hello from castle") })
	if err := http.ListenAndServe(":80", nil); err != nil {
		panic(err)
	}
}
EOF
printf 'module hello\n\ngo 1.22\n' >"$WORK/appsrc/go.mod"
(cd "$WORK/appsrc" && CGO_ENABLED=0 GOOS=linux GOARCH=amd64 GOFLAGS= GOWORK=off go build -o "$WORK/hello/server" .)
printf 'FROM scratch\nCOPY server /server\nEXPOSE 80\nENTRYPOINT ["/server"]\n' >"$WORK/hello/Dockerfile"

# --- driving tmux -----------------------------------------------------------
screen() { tmux capture-pane -t "$SESSION" -p; }

# wait_for TEXT [SECONDS]: poll the screen until TEXT shows.
wait_for() {
	local text=$1 limit=${2:-30} i
	for ((i = 0; i < limit * 10; i++)); do
		tmux has-session -t "$SESSION" 2>/dev/null || { echo "screens.sh: castle's tmux window is gone" >&2; exit 1; }
		if screen | grep -qF -- "$text"; then
			return 0
		fi
		sleep 0.1
	done
	echo "screens.sh: waited ${limit}s for \"$text\"; the screen shows:" >&2
	screen >&2
	exit 1
}

# key K...: press keys one at a time, giving the wizard a moment for each.
key() {
	local k
	for k in "$@"; do
		tmux send-keys -t "$SESSION" "$k"
		sleep 0.3
	done
}

# typ TEXT: type text literally; field TEXT: type it and press enter.
typ() { tmux send-keys -t "$SESSION" -l -- "$1"; sleep 0.3; }
# field waits until the text shows before pressing enter, so a busy machine
# cannot move on to the next field before the text has landed.
field() { typ "$1"; wait_for "$1" 10; key Enter; }

# snap NN-name: capture the screen with its colours and render a PNG.
# freeze's built-in font has no braille, so the spinner's frame (U+2800..28FF)
# is drawn as a dotted circle in the picture; the capture itself is kept as
# it came (KEEP=1 to look at it).
snap() {
	sleep 0.5 # let the last frame land
	tmux capture-pane -t "$SESSION" -e -p -N >"$WORK/ansi/$1.ansi"
	# freeze reads the capture on stdin (its -x needs a terminal on stdin);
	# font size 8 keeps each PNG under a megabyte at 80x24.
	perl -CSD -pe 's/[\x{2800}-\x{28FF}]/\x{25CC}/g' "$WORK/ansi/$1.ansi" |
		"$FREEZE" --window --font.size 8 -o "$IMG/$1.png" >/dev/null
	log "captured $1"
}

# select_section NAME: move the checklist's cursor (›) onto NAME.
select_section() {
	local name=$1 i s cur tgt
	for ((i = 0; i < 20; i++)); do
		s=$(screen)
		cur=$(printf '%s\n' "$s" | grep -n '^› ' | head -1 | cut -d: -f1)
		tgt=$(printf '%s\n' "$s" | grep -nE "^(› |  )[^ ]+ $name " | head -1 | cut -d: -f1)
		if [ -z "$cur" ] || [ -z "$tgt" ]; then
			sleep 0.2
			continue
		fi
		[ "$cur" -eq "$tgt" ] && return 0
		if [ "$cur" -lt "$tgt" ]; then key Down; else key Up; fi
	done
	echo "screens.sh: could not put the cursor on $name; the screen shows:" >&2
	screen >&2
	exit 1
}

# open_section NAME: from the checklist, refresh it and open NAME.
open_section() {
	key r
	sleep 1
	select_section "$1"
	key Enter
	wait_for "What is there now"
}

# back_home: from a finished section, back to the checklist.
back_home() {
	key Enter
	wait_for "Pick a"
}

rm -f "$IMG"/[0-9][0-9]-*.png
mkdir -p "$IMG"

# castle_cmd SPEED: the command line of castle on the sandbox in $WORK/state
# (the simulator keeps its state there, so castle can be restarted).
castle_cmd() { echo "$BIN --sandbox --state-dir $WORK/state --speed $1; sleep 600"; }

log "starting castle in tmux (80x24) on a fresh sandbox"
tmux new-session -d -s "$SESSION" -x 80 -y 24 -c "$WORK" \
	-e LANG=C.UTF-8 -e COLORTERM=truecolor "$(castle_cmd "$SPEED")"
tmux set-option -t "$SESSION" window-size manual >/dev/null

# --- Home checklist -----------------------------------------------------------
wait_for "Pick a"
wait_for "done · account"
snap 01-home

# --- Preflight ----------------------------------------------------------------
open_section Preflight
key Enter
wait_for "Which region?"
key Enter
wait_for "r check again"
snap 02-preflight
key Enter
wait_for "Checked: you are signed in"
key Enter
wait_for "Pick a"

# --- Landing zone ---------------------------------------------------------------
open_section "Landing zone"
key Enter
wait_for "Home region"
key Enter
wait_for "Governed regions"
key Enter
wait_for "Name of the OU for the shared accounts"
key Enter Enter
wait_for "Log Archive account email"
field aws+log-archive@example.com
typ aws+audit@example.com
snap 03-landing-zone-form
key Enter
wait_for "Landing zone: the plan"
key Enter
wait_for "Type organization"
field organization
wait_for "so far"
snap 04-landing-zone-wait
wait_for "Your landing zone is ready" 300
snap 05-landing-zone-done
back_home

# --- People -----------------------------------------------------------------------
open_section People
key Enter
wait_for "Access portal"
for p in "emily Emily Carter emily@example.com" "sam Sam Okafor sam@example.com"; do
	read -r user first last email <<<"$p"
	key a
	wait_for "User name"
	field "$user"
	field "$first"
	field "$last"
	field "$email"
	wait_for "+ $user"
done
snap 06-people
key Enter
wait_for "Your turn"
snap 07-people-console-switch
key Enter
wait_for "People: the plan"
key Enter
wait_for "Start now?"
key y
wait_for "Done: People"
back_home

# --- Environments -------------------------------------------------------------------
open_section Environments
key Enter
wait_for "Accounts in your organization"
key a
wait_for "Account name"
field Discord-Bot.dev
wait_for "Account email for Discord-Bot.dev"
field aws+discord-bot-dev@example.com
key Enter Enter # OU Sandbox, owner emily
wait_for "To create (1)"
key w
wait_for "Workload account"
key Down Enter Enter # the new account, through AWSControlTowerExecution
wait_for "reached through"
snap 08-environments
key Enter
wait_for "Environments: the plan"
key Enter
wait_for "Start now?"
key y
wait_for "Done: Environments" 300
snap 09-environments-done
back_home

# --- Access -------------------------------------------------------------------------
open_section Access
key Enter
wait_for "Who has access now"
key g
wait_for "Who?"
key Down Space Enter # sam
wait_for "Which accounts?"
key Down Space Enter # Discord-Bot.dev
wait_for "What may they do there?"
key Enter # AWSReadOnlyAccess, the one castle suggests
wait_for "+ sam: AWSReadOnlyAccess"
snap 10-access-grant
key Enter
wait_for "Access: the plan"
key Enter
wait_for "Start now?"
key y
wait_for "Done: Access"
back_home

# --- Registry -----------------------------------------------------------------------
open_section Registry
key Enter
wait_for "Repository name"
key Enter
wait_for "What should castle build?"
key Enter # my app: a folder with a Dockerfile
wait_for "Folder of your app"
typ ./hello
for _ in 1 2 3 4 5 6; do
	screen | grep -qF "Registry: the plan" && break
	key Enter
done
wait_for "Registry: the plan"
key Enter
wait_for "Start now?"
key y
wait_for "Done: Registry" 300
snap 11-registry
back_home

# --- Network ------------------------------------------------------------------------
open_section Network
key Enter
wait_for "Which network should the service use?"
key Enter
wait_for "Network: the plan"
snap 12-network-plan
key Enter
wait_for "Start now?"
key y
wait_for "Done: Network" 120
back_home

# --- Service ------------------------------------------------------------------------
open_section Service
key Enter
wait_for "Cluster name"
for _ in 1 2 3 4 5 6 7 8 9 10; do
	screen | grep -qF "Service: the plan" && break
	key Enter
done
wait_for "Service: the plan"
key Enter
wait_for "Start now?"
key y
wait_for "Done: Service" 300
snap 13-service
back_home

# --- Pipeline -----------------------------------------------------------------------
# The simulator approves a GitHub connection by itself a few virtual minutes
# after it is made; at $SPEED that is gone before it can be captured. So
# castle starts again on a real-time clock (the sandbox state stays).
key q
sleep 1
tmux respawn-pane -k -t "$SESSION" "$(castle_cmd 1)"
wait_for "Pick a"
wait_for "Service       done"
select_section Pipeline
key Enter
wait_for "What is there now"
key Enter
wait_for "GitHub repository"
field castle-aws/hello-world
key Enter # branch main
for _ in 1 2 3 4 5; do
	screen | grep -qF "Pipeline: the plan" && break
	key Enter
done
wait_for "Pipeline: the plan"
key Enter
wait_for "Start now?"
key y
wait_for "Your turn" 120
snap 14-pipeline-handoff

# --- The whole checklist on a big terminal (200x50) -------------------------------
key Escape
wait_for "Pick a"
tmux resize-window -t "$SESSION" -x 200 -y 50
sleep 1
key r
sleep 2
snap 15-home-wide

key q
log "done: $(ls "$IMG" | wc -l) pictures in docs/img"
