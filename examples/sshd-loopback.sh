#!/usr/bin/env bash
# A throwaway sshd on 127.0.0.1 that trusts the cluster's SSH user CA and reads its KRL, for the README
# walkthrough. It lets certificates whose principals include $PRINCIPAL (default: deploy) log in as the
# user running this script.
#
#   examples/sshd-loopback.sh start         start it on port $PORT (default 2222), state in .sshd-demo/
#   examples/sshd-loopback.sh refresh-krl   fetch the current KRL from the auth server (sshd reads it per login)
#   examples/sshd-loopback.sh stop          stop it
#
# Needs openssh-server (apt-get install openssh-server) and a tctl identity (default .dev-auth/admin.pem).
set -euo pipefail

dir="${SSHD_DEMO_DIR:-.sshd-demo}"
port="${PORT:-2222}"
tctl="$(cd "$(dirname "$0")/.." && pwd)/bin/tctl"

refresh_krl() {
    "$tctl" auth export --type krl --out "$dir/revoked.krl" >/dev/null
}

case "${1:-}" in
    start)
        sshd_bin="$(command -v sshd || echo /usr/sbin/sshd)"
        [ -x "$sshd_bin" ] || { echo "error: sshd not found: apt-get install openssh-server" >&2; exit 4; }
        mkdir -p "$dir"
        dir="$(cd "$dir" && pwd)"
        "$tctl" auth export --type user_ca --out "$dir/ca.pub" >/dev/null
        refresh_krl
        echo "${PRINCIPAL:-deploy}" > "$dir/principals"
        rm -f "$dir/host_key" "$dir/host_key.pub"
        ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key"
        cat > "$dir/sshd_config" <<CONFIG
Port $port
ListenAddress 127.0.0.1
HostKey $dir/host_key
PidFile $dir/sshd.pid
TrustedUserCAKeys $dir/ca.pub
RevokedKeys $dir/revoked.krl
AuthorizedPrincipalsFile $dir/principals
AuthorizedKeysFile none
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
LogLevel VERBOSE
CONFIG
        if [ "$(id -u)" = 0 ]; then mkdir -p /run/sshd; fi
        "$sshd_bin" -f "$dir/sshd_config" -E "$dir/sshd.log"
        echo "sshd listening on 127.0.0.1:$port; it trusts the cluster's user CA and lets principal" \
             "'${PRINCIPAL:-deploy}' log in as $(whoami); log: $dir/sshd.log"
        ;;
    refresh-krl)
        refresh_krl
        echo "KRL refreshed: $dir/revoked.krl"
        ;;
    stop)
        kill "$(cat "$dir/sshd.pid")" && echo "sshd stopped"
        ;;
    *)
        sed -n '2,12p' "$0"
        exit 2
        ;;
esac
