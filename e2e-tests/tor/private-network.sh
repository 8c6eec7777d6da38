#!/usr/bin/env bash
# A private Tor network on 127.0.0.1 made of Debian's tor (0.4.9): one directory authority (also a relay),
# two middle relays and one exit that may reach only 127.0.0.0/8. Recipe: ../shared/reference/tor-private-network.md
# (options from chutney's torrc templates).
#
#   private-network.sh start DIR BASEPORT   keys, torrcs, starts the four tors; writes DIR/network.env
#   private-network.sh client DIR NAME SOCKSPORT CONTROLPORT [EXTRA_TORRC_FILE]
#                                           a C tor client of that network (pid in DIR/NAME/pid)
#   private-network.sh stop DIR             stops every tor this script started in DIR (by pid, never by name)
#
# EXIT_REJECT_PORT=N in the environment keeps exit1 away from that one port (a port only our exit serves).
#
# Ports from BASEPORT: authority ORPort +0, DirPort +1, ControlPort +2; relay1 ORPort +3; relay2 ORPort +4;
# exit ORPort +5. Readiness (a consensus listing the relays) is for the caller to wait for: see network.env.
set -euo pipefail

TOR=${TOR:-tor}
cmd=${1:?usage: private-network.sh start|client|stop DIR ...}
dir=${2:?DIR missing}

common() { # $1 = node dir, $2 = authority line
  cat <<CONF
DataDirectory $1
Log notice file $1/notice.log
${TOR_EXTRA_LOG:+Log $TOR_EXTRA_LOG file $1/extra.log}
PidFile $1/pid
RunAsDaemon 0
TestingTorNetwork 1
AssumeReachable 1
PathsNeededToBuildCircuits 0.25
TestingDirAuthVoteExit *
TestingDirAuthVoteGuard *
TestingDirAuthVoteHSDir *
TestingMinExitFlagThreshold 0
V3AuthNIntervalsValid 2
AddressDisableIPv6 1
ServerDNSDetectHijacking 0
ServerDNSAllowNonRFC953Hostnames 1
DirAuthority $2
CONF
}

server() { # $1 dir, $2 nickname, $3 orport
  cat <<CONF
Nickname $2
Address 127.0.0.1
ORPort 127.0.0.1:$3
SocksPort 0
ContactInfo onionpeer-test
CONF
}

launch() { # $1 node dir; tor's stdout/stderr go to the node dir, the pid file is tor's own
  "$TOR" -f "$1/torrc" >"$1/stdout.log" 2>&1 &
  echo $! >"$1/launched.pid"
}

# Refuses to start on a port something already listens on (a tor left from an earlier run, say): that tor would
# keep the port and the new network would silently lack a relay until the caller's deadline.
free_port() {
  if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
    echo "private-network.sh: 127.0.0.1:$1 is already in use (a tor left from an earlier run?)" >&2
    exit 1
  fi
}

case "$cmd" in
start)
  base=${3:?BASEPORT missing}
  for off in 0 1 2 3 4 5; do free_port $((base + off)); done
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  a="$dir/auth"
  mkdir -p "$a/keys"
  (cd "$a/keys" && echo "" | tor-gencert --create-identity-key -m 12 -a "127.0.0.1:$((base + 1))" \
      -i authority_identity_key -s authority_signing_key -c authority_certificate --passphrase-fd 0 >/dev/null 2>&1)
  "$TOR" --list-fingerprint --DataDirectory "$a" --ORPort 1 \
      --DirAuthority "dummy 127.0.0.1:1 ffffffffffffffffffffffffffffffffffffffff" >/dev/null 2>&1 || true
  v3ident=$(awk '/^fingerprint /{print $2}' "$a/keys/authority_certificate")
  fp=$(awk '{print $2}' "$a/fingerprint")
  authline="auth0 orport=$base no-v2 v3ident=$v3ident 127.0.0.1:$((base + 1)) $fp"
  { common "$a" "$authline"; server "$a" auth0 "$base"; cat <<CONF
DirPort 127.0.0.1:$((base + 1))
ControlPort 127.0.0.1:$((base + 2))
CookieAuthentication 0
AuthoritativeDirectory 1
V3AuthoritativeDirectory 1
TestingV3AuthInitialVotingInterval 5
V3AuthVotingInterval 10
TestingV3AuthInitialVoteDelay 2
V3AuthVoteDelay 2
TestingV3AuthInitialDistDelay 2
V3AuthDistDelay 2
ExitRelay 0
ExitPolicy reject *:*
CONF
  } >"$a/torrc"
  i=3
  for n in relay1 relay2 exit1; do
    d="$dir/$n"
    mkdir -p "$d"
    { common "$d" "$authline"; server "$d" "$n" "$((base + i))"; } >"$d/torrc"
    if [ "$n" = exit1 ]; then
      cat >>"$d/torrc" <<CONF
ExitRelay 1
ExitPolicyRejectPrivate 0
ExitPolicyRejectLocalInterfaces 0
${EXIT_REJECT_PORT:+ExitPolicy reject 127.0.0.0/8:$EXIT_REJECT_PORT}
ExitPolicy accept 127.0.0.0/8:*
ExitPolicy reject *:*
CONF
    else
      echo "ExitPolicy reject *:*" >>"$d/torrc"
    fi
    i=$((i + 1))
  done
  for n in auth relay1 relay2 exit1; do launch "$dir/$n"; done
  cat >"$dir/network.env" <<ENV
AUTHORITY_LINE="$authline"
AUTHORITY_V3IDENT=$v3ident
AUTHORITY_FINGERPRINT=$fp
DIRPORT=$((base + 1))
AUTH_CONTROLPORT=$((base + 2))
RELAYS=4
ENV
  echo "$dir/network.env"
  ;;
client)
  name=${3:?NAME missing}; socks=${4:?SOCKSPORT missing}; control=${5:?CONTROLPORT missing}; extra=${6:-}
  free_port "$socks"; free_port "$control"
  dir=$(cd "$dir" && pwd)
  # shellcheck disable=SC1091
  . "$dir/network.env"
  d="$dir/$name"
  mkdir -p "$d"
  { common "$d" "$AUTHORITY_LINE"; cat <<CONF
SocksPort 127.0.0.1:$socks
ControlPort 127.0.0.1:$control
CookieAuthentication 0
UseMicrodescriptors 0
CONF
    if [ -n "$extra" ]; then cat "$extra"; fi
  } >"$d/torrc"
  launch "$d"
  echo "$d"
  ;;
stop)
  # TERM, then up to 10 s for each tor to be gone, then KILL: a relay's tor was seen logging "Catching signal TERM,
  # exiting cleanly" and then hanging in a futex wait for good, its ORPort still bound.
  for p in "$dir"/*/launched.pid; do
    [ -f "$p" ] || continue
    pid=$(cat "$p")
    kill "$pid" 2>/dev/null || true
  done
  for p in "$dir"/*/launched.pid; do
    [ -f "$p" ] || continue
    pid=$(cat "$p")
    if ! timeout 10 tail --pid="$pid" -s 0.1 -f /dev/null; then
      echo "private-network.sh: tor $pid ($(dirname "$p")) still running 10 s after TERM: killed" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$p"
  done
  ;;
*)
  echo "unknown command $cmd" >&2
  exit 2
  ;;
esac
