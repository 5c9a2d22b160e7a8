#!/usr/bin/env bash
# Development environment for order_fulfilment: Odoo 18.0 source, a virtualenv,
# a PostgreSQL server and an Odoo configuration file, all under this checkout.
#
#   tools/dev.sh setup          idempotent; creates .venv/ and .dev/odoo.conf
#   tools/dev.sh demo           serves Odoo with the addon and demo data on :8069 (DEMO_LANG=zh_CN:
#                               in Chinese for admin and every demo user)
#   tools/dev.sh test [TAGS]    runs the addon's tests on a fresh database
#   tools/dev.sh odoo-tests     runs Odoo's own sale_stock / sale_mrp tests, with and without the addon
#   tools/dev.sh lint           runs pre-commit on every file
#   tools/dev.sh pot            regenerates i18n/order_fulfilment.pot, merges the .po files, fills zh_TW.po
#   tools/dev.sh pg-env         prints the PG* variables of the server in use (for psql)
#   tools/dev.sh bench [--quick] measures the addon against stock Odoo (bench/README.md)
#   tools/dev.sh screenshots [--check] [--only NAME...]  README screenshots into docs/screenshots/
#                               (needs Chromium; --only: some screens, see tools/screenshots.py --list)
#   tools/dev.sh concurrency    simultaneous JSON-RPC calls against a 2-worker server, own database
#   tools/dev.sh lifecycle      install on stock demo data, update twice, uninstall: PASS/FAIL checks
#   tools/dev.sh pytest [ARGS]  the logic tests under pytest-odoo (or the given files / options)
#   tools/dev.sh test-all [TAGS] lint, test, pytest, concurrency, lifecycle, odoo-tests (what CI runs)
#
# Settings (environment): ODOO_SRC, PYTHON, PGHOST/PGPORT/PGUSER/PGPASSWORD,
# CONCURRENCY_DB (default $TEST_DB_concurrency), LIFECYCLE_DB (default order_fulfilment_lifecycle),
# ODOO_TESTS_DB (prefix of the odoo-tests databases, default order_fulfilment_odoo; they use
# TEST_HTTP_PORT and the port after it),
# HTTP_PORT (demo, default 8069), DEMO_DB (default order_fulfilment_demo), DEMO_LANG (e.g. zh_CN),
# TEST_DB (default order_fulfilment_test; make pot uses TEST_DB_i18n), TEST_HTTP_PORT (default 8169),
# OF_VENV (default .venv of this checkout), BENCH_ARGS (more bench/run.py options),
# BENCH_PREFIX (names of the bench databases, default bench: bench_base, bench_addon),
# I18N_DB (database of tools/dev.sh pot, default $TEST_DB_i18n),
# SCREENSHOTS_DB (default DEMO_DB), SCREENSHOTS_PORT (default a free port),
# SCREENSHOTS_ARGS (more tools/screenshots.py options, e.g. "--only rush-orders").
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEV="$ROOT/.dev"
# OF_VENV lets several checkouts (git worktrees) share one virtualenv.
VENV="${OF_VENV:-$ROOT/.venv}"
CONF="$DEV/odoo.conf"
LOGS="$DEV/logs"
PYTHON="${PYTHON:-python3}"
HTTP_PORT="${HTTP_PORT:-8069}"
DEMO_DB="${DEMO_DB:-order_fulfilment_demo}"
TEST_DB="${TEST_DB:-order_fulfilment_test}"
ODOO_GIT="https://github.com/odoo/odoo.git"

say() { printf '[dev] %s\n' "$*" >&2; }
die() { printf '[dev] ERROR: %s\n' "$*" >&2; exit 1; }

mkdir -p "$DEV" "$LOGS"

# --------------------------------------------------------------------------
# Odoo source: $ODOO_SRC, then /opt/odoo/18.0, then a shallow clone.
# --------------------------------------------------------------------------
is_odoo18() { [ -f "$1/odoo/release.py" ] && grep -q "version_info = (18, 0" "$1/odoo/release.py"; }

find_odoo() {
    local candidate
    for candidate in "${ODOO_SRC:-}" /opt/odoo/18.0 "$DEV/odoo"; do
        [ -n "$candidate" ] || continue
        if is_odoo18 "$candidate"; then
            echo "$candidate"
            return 0
        elif [ -n "${ODOO_SRC:-}" ] && [ "$candidate" = "$ODOO_SRC" ]; then
            die "ODOO_SRC=$ODOO_SRC is not an Odoo 18.0 source tree (no odoo/release.py for 18.0)."
        fi
    done
    say "No Odoo 18.0 source found in \$ODOO_SRC or /opt/odoo/18.0: cloning branch 18.0 into .dev/odoo"
    if git clone --depth 1 --branch 18.0 "$ODOO_GIT" "$DEV/odoo.partial" >&2 \
        && mv "$DEV/odoo.partial" "$DEV/odoo"; then
        echo "$DEV/odoo"
        return 0
    fi
    rm -rf "$DEV/odoo.partial"
    die "Odoo 18.0 source is needed. Provide it in one of these ways:
    - export ODOO_SRC=/path/to/odoo-18.0 (a checkout of https://github.com/odoo/odoo, branch 18.0);
    - put it at /opt/odoo/18.0;
    - or allow network access to github.com so that setup can clone it into .dev/odoo."
}

# --------------------------------------------------------------------------
# Python: .venv with Odoo's requirements (minus python-ldap), Odoo itself
# (editable) and the pinned development tools.
# --------------------------------------------------------------------------
setup_venv() {
    local odoo_src="$1" stamp="$VENV/.order_fulfilment-stamp" want
    want="$(cat "$odoo_src/requirements.txt" "$ROOT/requirements-dev.txt" "$ROOT/tools/constraints.txt" \
        | sha1sum | cut -d' ' -f1) $odoo_src"
    # websocket-client (requirements-dev.txt) is what Odoo's browser tours talk to Chromium with.
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && "$VENV/bin/python" -c "import odoo, websocket" 2>/dev/null \
        && grep -q odoo-bin "$VENV/bin/odoo" 2>/dev/null; then
        say "python: .venv is up to date"
        return 0
    fi
    "$PYTHON" - <<'EOF' || die "Python 3.10 or newer is needed (set PYTHON=/path/to/python3)."
import sys
sys.exit(0 if sys.version_info >= (3, 10) else 1)
EOF
    [ -x "$VENV/bin/python" ] || { say "python: creating .venv"; "$PYTHON" -m venv "$VENV"; }
    local pip=("$VENV/bin/python" -m pip --disable-pip-version-check -q)
    export PIP_CONSTRAINT="$ROOT/tools/constraints.txt"
    "${pip[@]}" install --upgrade "pip<25" wheel "setuptools<70"
    say "python: installing Odoo's requirements (without python-ldap); the first run takes a few minutes"
    grep -viE '^\s*python-ldap' "$odoo_src/requirements.txt" > "$DEV/odoo-requirements.txt"
    "${pip[@]}" install -r "$DEV/odoo-requirements.txt"
    say "python: installing Odoo from $odoo_src (editable)"
    "${pip[@]}" install --no-build-isolation --no-deps -e "$odoo_src"
    say "python: installing development tools (requirements-dev.txt)"
    "${pip[@]}" install -r "$ROOT/requirements-dev.txt"
    write_odoo_wrapper "$odoo_src"
    "$VENV/bin/python" -c "import odoo" || die "'import odoo' fails in .venv"
    echo "$want" > "$stamp"
}

# .venv/bin/odoo runs odoo-bin with the virtualenv's Python. (The script pip
# writes for an editable install goes through pkg_resources, which refuses to
# start when any installed distribution's metadata does not resolve.)
write_odoo_wrapper() {
    printf '#!/usr/bin/env bash\nexec "%s" "%s" "$@"\n' "$VENV/bin/python" "$1/odoo-bin" > "$VENV/bin/odoo"
    chmod +x "$VENV/bin/odoo"
}

# --------------------------------------------------------------------------
# PostgreSQL: PG* environment, then the Debian cluster, then a private cluster.
# Writes $DEV/pg.env with the connection that works.
# --------------------------------------------------------------------------
pg_try() { psql -X -q -d postgres -c 'select 1' >/dev/null 2>&1; }

pg_bin() {
    local d
    for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return 0; }; done
    command -v initdb >/dev/null && { dirname "$(command -v initdb)"; return 0; }
    return 1
}

setup_pg() {
    local me
    me="$(id -un)"
    [ "$me" = "postgres" ] && die "run as a normal user: Odoo refuses to connect as 'postgres'."
    command -v psql >/dev/null || die "psql is missing: install the PostgreSQL client and server (13 or newer)."
    # 1. Whatever the PG* variables (or the default socket) reach, if not the postgres role.
    if [ "${PGUSER:-$me}" != "postgres" ] && pg_try; then
        say "postgres: using the server reachable through the PG* environment (${PGHOST:-default socket}:${PGPORT:-5432}, user ${PGUSER:-$me})"
        write_pg_env "${PGHOST:-}" "${PGPORT:-}" "${PGUSER:-$me}" "${PGPASSWORD:-}"
        return 0
    fi
    # 2. Debian's cluster, started with pg_ctlcluster, with a superuser role for this user.
    if command -v pg_lsclusters >/dev/null && { [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }; then
        local line ver name port
        line="$(pg_lsclusters -h 2>/dev/null | sort -rn | head -n1 || true)"
        if [ -n "$line" ]; then
            read -r ver name port _ <<<"$line"
            say "postgres: starting Debian cluster $ver/$name (port $port)"
            pg_ctlcluster "$ver" "$name" start 2>/dev/null || true
            # As the postgres OS user, without PG* variables of an earlier
            # connection (they would name another role).
            local as_pg=(runuser -u postgres -- env -u PGUSER -u PGHOST -u PGPORT -u PGPASSWORD -u PGDATABASE)
            [ "$(id -u)" = 0 ] || as_pg=(sudo -n -u postgres env -u PGUSER -u PGHOST -u PGPORT -u PGPASSWORD -u PGDATABASE)
            local i
            for i in $(seq 1 20); do "${as_pg[@]}" psql -X -q -p "$port" -c 'select 1' >/dev/null 2>&1 && break; sleep 0.5; done
            if "${as_pg[@]}" psql -X -q -p "$port" -tAc "select 1 from pg_roles where rolname='$me'" | grep -q 1 \
                || "${as_pg[@]}" createuser -p "$port" --superuser "$me"; then
                if PGHOST=/var/run/postgresql PGPORT="$port" PGUSER="$me" pg_try; then
                    say "postgres: using Debian cluster $ver/$name as role '$me'"
                    write_pg_env /var/run/postgresql "$port" "$me" ""
                    return 0
                fi
            fi
        fi
    fi
    # 3. A private cluster under .dev/pgdata, on a socket in .dev/.
    local bin port=54329
    bin="$(pg_bin)" || die "no PostgreSQL server binaries (initdb) found: install PostgreSQL 13 or newer."
    if [ ! -f "$DEV/pgdata/PG_VERSION" ]; then
        say "postgres: creating a private cluster in .dev/pgdata"
        "$bin/initdb" -D "$DEV/pgdata" -U "$me" -A trust -E UTF8 --locale=C >/dev/null
    fi
    if ! "$bin/pg_ctl" -D "$DEV/pgdata" status >/dev/null 2>&1; then
        say "postgres: starting the private cluster (socket in .dev/)"
        "$bin/pg_ctl" -D "$DEV/pgdata" -l "$LOGS/postgresql.log" -w \
            -o "-k $DEV -p $port -c listen_addresses=''" start >/dev/null
    fi
    PGHOST="$DEV" PGPORT="$port" PGUSER="$me" pg_try || die "the private PostgreSQL cluster does not answer (see .dev/logs/postgresql.log)."
    say "postgres: using the private cluster in .dev/pgdata"
    write_pg_env "$DEV" "$port" "$me" ""
}

write_pg_env() {
    {
        echo "export PGHOST='$1'"
        echo "export PGPORT='$2'"
        echo "export PGUSER='$3'"
        [ -n "$4" ] && echo "export PGPASSWORD='$4'"
        true
    } > "$DEV/pg.env"
}

load_pg_env() {
    [ -f "$DEV/pg.env" ] || setup_pg
    # shellcheck disable=SC1091
    . "$DEV/pg.env"
    pg_try || setup_pg
    # shellcheck disable=SC1091
    . "$DEV/pg.env"
}

# --------------------------------------------------------------------------
# .dev/odoo.conf
# --------------------------------------------------------------------------
write_conf() {
    local odoo_src="$1"
    # shellcheck disable=SC1091
    . "$DEV/pg.env"
    cat > "$CONF.new" <<EOF
[options]
; Written by tools/dev.sh setup: edits are lost at the next setup.
addons_path = $odoo_src/odoo/addons,$odoo_src/addons,$ROOT
data_dir = $DEV/data
db_host = ${PGHOST:-False}
db_port = ${PGPORT:-False}
db_user = ${PGUSER}
db_password = ${PGPASSWORD:-False}
admin_passwd = admin
http_port = $HTTP_PORT
without_demo = False
max_cron_threads = 1
EOF
    mv "$CONF.new" "$CONF"
}

# apt_install WHAT PACKAGE...: Debian packages for WHAT, when this user may install them (root
# with apt-get): from the package lists as they are, else once more after 'apt-get update' (a
# fresh machine or container often has no lists yet). Returns 2 when it may not install.
apt_install() {
    local what="$1" log="$LOGS/apt.log"
    shift
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        return 2
    fi
    # Waits for another apt or dpkg run (e.g. a second checkout's setup) instead of failing.
    local install=(apt-get install -y -q -o DPkg::Lock::Timeout=300 "$@")
    say "$what: installing Debian's $* (apt-get; log in .dev/logs/apt.log)"
    if DEBIAN_FRONTEND=noninteractive "${install[@]}" >>"$log" 2>&1; then
        return 0
    fi
    say "$what: not installable from the package lists as they are; running apt-get update and trying again"
    apt-get update -q >>"$log" 2>&1 && DEBIAN_FRONTEND=noninteractive "${install[@]}" >>"$log" 2>&1
}

# Debian's chromium for browser tours, when this user may install it.
setup_chromium() {
    find_chromium >/dev/null && return 0
    local rc=0
    apt_install browser chromium || rc=$?
    if [ "$rc" = 2 ]; then
        say "browser: no chromium found; install it (e.g. 'apt-get install chromium') to run the browser tours"
    elif [ "$rc" != 0 ] || ! find_chromium >/dev/null; then
        say "browser: chromium could not be installed (see .dev/logs/apt.log); browser tours will fail"
    fi
}

# Debian's wkhtmltopdf, with which Odoo prints documents as PDF, when this user may install it.
# Odoo looks for it when it starts: a server already running must be restarted to print.
setup_wkhtmltopdf() {
    # Chinese documents need CJK fonts, else their text prints as boxes.
    if command -v wkhtmltopdf >/dev/null; then
        if command -v fc-list >/dev/null && ! fc-list :lang=zh | grep -q .; then
            apt_install pdf fonts-noto-cjk || say "pdf: no Chinese font; install fonts-noto-cjk to print Chinese"
        fi
        return 0
    fi
    local rc=0
    apt_install pdf wkhtmltopdf fonts-noto-cjk || rc=$?
    if [ "$rc" = 2 ]; then
        say "pdf: no wkhtmltopdf found; install it (e.g. 'apt-get install wkhtmltopdf') to print" \
            "documents as PDF (without it TestReportsPdf is skipped, and fails when CI=true)"
    elif [ "$rc" != 0 ] || ! command -v wkhtmltopdf >/dev/null; then
        say "pdf: wkhtmltopdf could not be installed (see .dev/logs/apt.log); documents cannot be" \
            "printed as PDF and TestReportsPdf fails when CI=true"
    fi
}

cmd_setup() {
    local odoo_src
    odoo_src="$(find_odoo)"
    say "odoo: source at $odoo_src"
    setup_venv "$odoo_src"
    load_pg_env
    write_conf "$odoo_src"
    setup_chromium
    setup_wkhtmltopdf
    say "setup done: .venv/bin/odoo -c .dev/odoo.conf"
}

odoo() { "$VENV/bin/odoo" -c "$CONF" "$@"; }

db_has_addon() {
    psql -X -d "$1" -tAc "select 1 from ir_module_module where name='order_fulfilment' and state='installed'" 2>/dev/null | grep -q 1
}

# Runs odoo (arguments $3...) in the background, logging into $2, and tells every few seconds how
# far it got: the module being installed ("module 45 of 80") and the steps of the demo story.
odoo_with_progress() {  # label, log file, odoo arguments...
    local label="$1" log="$2" pid rc=0 start now line last="" shown=0
    shift 2
    rm -f "$log"
    start=$(date +%s)
    odoo "$@" --logfile "$log" --log-level warn \
        --log-handler odoo.modules.loading:INFO --log-handler odoo.addons.order_fulfilment.demo:INFO &
    pid=$!
    # shellcheck disable=SC2064
    trap "kill $pid 2>/dev/null || true" EXIT INT TERM
    while kill -0 "$pid" 2>/dev/null; do
        sleep 2
        now=$(date +%s)
        line="$(grep -oE 'Loading module [a-z0-9_]+ \([0-9]+/[0-9]+\)|Demo story: .*' "$log" 2>/dev/null \
            | tail -n1 \
            | sed -E 's/Loading module ([a-z0-9_]+) \(([0-9]+)\/([0-9]+)\)/module \2 of \3 (\1)/; s/Demo story: /demo story: /; s/ +$//' \
            || true)"
        # A line when something changed (at most every 5 seconds), else one every 30 seconds.
        if { [ "$line" != "$last" ] && [ $((now - shown)) -ge 5 ]; } || [ $((now - shown)) -ge 30 ]; then
            say "$label: $(( (now - start) / 60 ))m$(printf '%02d' $(( (now - start) % 60 )))s, ${line:-starting}"
            last="$line"
            shown=$now
        fi
    done
    wait "$pid" || rc=$?
    trap - EXIT INT TERM
    say "$label: finished in $(( $(date +%s) - start ))s"
    return "$rc"
}

# Creates the database $1 with the addon and its demo data, unless it has them; with a language
# code $3, the language is installed with the modules.
ensure_demo_db() {
    local db="$1" port="${2:-$HTTP_PORT}" lang=()
    [ -n "${3:-}" ] && lang=(--load-language "$3")
    if db_has_addon "$db"; then
        say "demo: database $db exists with the addon; starting"
    else
        say "demo: creating database $db with demo data (a few minutes; log in .dev/logs/demo-install.log)"
        dropdb --if-exists "$db"
        odoo_with_progress demo "$LOGS/demo-install.log" -d "$db" -i order_fulfilment --stop-after-init \
            --http-port "$port" "${lang[@]}" \
            || die "installing the demo failed: see .dev/logs/demo-install.log"
        # Odoo installs a module whose demo data fail without them, and exits without an error.
        if grep -q "demo data failed to install" "$LOGS/demo-install.log"; then
            dropdb --if-exists "$db"
            die "the demo data failed to install: see .dev/logs/demo-install.log"
        fi
    fi
}

# DEMO_LANG=zh_CN: the language is installed (with the translations of every module) and set on
# admin and every other internal user of the demo database $1.
demo_lang() {  # database, language code
    local db="$1" code="$2"
    [[ "$code" =~ ^[a-z]{2,3}(_[A-Za-z0-9]+)?(@[a-z]+)?$ ]] \
        || die "DEMO_LANG=$code is not a language code (e.g. zh_CN, zh_TW, fr_FR)."
    say "demo: language $code for admin and every demo user"
    DEMO_LANG="$code" "$VENV/bin/odoo" shell -c "$CONF" -d "$db" --log-level warn \
        --logfile "$LOGS/demo-lang.log" <<'EOF' || die "setting the language failed: see .dev/logs/demo-lang.log"
import os
import sys

code = os.environ["DEMO_LANG"]
lang = env["res.lang"].with_context(active_test=False).search([("code", "=", code)])
if not lang:
    print(f"[dev] ERROR: Odoo has no language {code}", file=sys.stderr)
    sys.exit(1)
if not lang.active:
    env["base.language.install"].create({"lang_ids": [(6, 0, lang.ids)]}).lang_install()
users = env["res.users"].search([("share", "=", False)])
users.write({"lang": code})
env.cr.commit()
print(f"[dev] demo: {code} for {', '.join(users.mapped('login'))}", file=sys.stderr)
EOF
}

cmd_demo() {
    cmd_setup
    load_pg_env
    ensure_demo_db "$DEMO_DB" "$HTTP_PORT" "${DEMO_LANG:-}"
    [ -z "${DEMO_LANG:-}" ] || demo_lang "$DEMO_DB" "$DEMO_LANG"
    say "demo: serving http://localhost:$HTTP_PORT (database $DEMO_DB, login admin / admin). Ctrl-C stops it."
    exec "$VENV/bin/odoo" -c "$CONF" -d "$DEMO_DB" --db-filter="^${DEMO_DB}\$"
}

# README screenshots (tools/screenshots.py) from a demo server started on a free
# port and stopped afterwards. With --check: into a temporary folder, only
# checking that every screen rendered; "skipped: no chromium" without Chromium.
find_chromium() {
    local name
    for name in chromium chromium-browser google-chrome google-chrome-stable; do
        command -v "$name" >/dev/null && { command -v "$name"; return 0; }
    done
    return 1
}

free_port() {
    "$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cmd_screenshots() {
    local check=() args=() db="${SCREENSHOTS_DB:-$DEMO_DB}" port pid rc=0 i stamp want
    # --check is this command's; the other options go to tools/screenshots.py (--only NAME...).
    for i in "$@"; do
        if [ "$i" = "--check" ]; then check=(--check); else args+=("$i"); fi
    done
    if ! find_chromium >/dev/null; then
        [ ${#check[@]} -gt 0 ] || die "screenshots need Chromium (e.g. 'apt-get install chromium')."
        echo "skipped: no chromium"
        return 0
    fi
    cmd_setup >/dev/null
    load_pg_env
    if [ ${#check[@]} -gt 0 ] && [ -z "${SCREENSHOTS_DB:-}" ]; then
        # The check renders the code of this checkout: on a demo database of its own, made afresh.
        db="${TEST_DB}_screenshots"
        dropdb --if-exists "$db"
    fi
    port="${SCREENSHOTS_PORT:-$(free_port)}"
    ensure_demo_db "$db" "$port"
    # A database made with older addon files is updated, so that the pictures show the code.
    stamp="$DEV/screenshots-$db.stamp"
    want="$(addon_hash)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" != "$want" ]; then
        say "screenshots: the addon changed, updating $db"
        odoo -d "$db" -u order_fulfilment --stop-after-init --http-port "$port" \
            --logfile "$LOGS/screenshots-update.log" --log-level warn \
            || die "updating $db failed: see .dev/logs/screenshots-update.log"
    fi
    echo "$want" > "$stamp"
    say "screenshots: serving $db on port $port (log in .dev/logs/screenshots-server.log)"
    "$VENV/bin/odoo" -c "$CONF" -d "$db" --db-filter="^${db}\$" --http-port "$port" \
        --max-cron-threads 0 --logfile "$LOGS/screenshots-server.log" --log-level warn &
    pid=$!
    # shellcheck disable=SC2064
    trap "kill $pid 2>/dev/null || true" EXIT
    for i in $(seq 1 120); do
        "$VENV/bin/python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)' \
            "http://127.0.0.1:$port/web/login?db=$db" >/dev/null 2>&1 && break
        kill -0 "$pid" 2>/dev/null || die "the Odoo server stopped: see .dev/logs/screenshots-server.log"
        [ "$i" = 120 ] && die "the Odoo server did not answer on port $port"
        sleep 1
    done
    "$VENV/bin/python" "$ROOT/tools/screenshots.py" --url "http://127.0.0.1:$port" --db "$db" \
        "${check[@]}" "${args[@]}" ${SCREENSHOTS_ARGS:+$SCREENSHOTS_ARGS} || rc=$?
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    trap - EXIT
    return "$rc"
}

# Runs the addon's tests on a fresh database and prints a pytest-style summary.
cmd_test() {
    local tags="${1:-/order_fulfilment}" log="$LOGS/test.log" start rc=0
    cmd_setup
    load_pg_env
    say "test: fresh database $TEST_DB, tags $tags, log in .dev/logs/test.log"
    dropdb --if-exists "$TEST_DB"
    rm -f "$log"
    start=$(date +%s)
    odoo -d "$TEST_DB" -i order_fulfilment --test-enable --test-tags "$tags" --without-demo=all \
        --stop-after-init --http-port "${TEST_HTTP_PORT:-8169}" --log-level test \
        --logfile "$log" || rc=$?
    "$VENV/bin/python" "$ROOT/tools/test_summary.py" "$log" "$(( $(date +%s) - start ))" || rc=1
    return "$rc"
}

# Odoo's own sale_stock and sale_mrp suites, on stock Odoo and with the addon (no rule configured:
# the addon is installed without demo data). Both runs go at once, one per core.
odoo_tests_run() {  # base|addon http-port
    local which="$1" port="$2" db="${ODOO_TESTS_DB:-order_fulfilment_odoo}_$1" log="$LOGS/odoo-tests-$1.log"
    local mods="sale_stock,sale_mrp"
    [ "$which" = addon ] && mods="$mods,order_fulfilment"
    dropdb --if-exists "$db"
    rm -f "$log"
    say "odoo-tests: $which ($mods), log in .dev/logs/odoo-tests-$which.log"
    odoo -d "$db" -i "$mods" --without-demo=all --stop-after-init --test-enable \
        --test-tags "/sale_stock,/sale_mrp" --http-port "$port" \
        --log-level test --logfile "$log" || true
    "$VENV/bin/python" "$ROOT/tools/test_summary.py" "$log" 0 --failures > "$LOGS/odoo-tests-$which.txt" || true
}

cmd_odoo_tests() {
    cmd_setup
    load_pg_env
    local port="${TEST_HTTP_PORT:-8169}" rc=0 start pid
    start=$(date +%s)
    odoo_tests_run base "$(( port + 1 ))" &
    pid=$!
    odoo_tests_run addon "$port"
    wait "$pid" || true
    local which
    for which in base addon; do
        echo "odoo-tests $which:"
        cat "$LOGS/odoo-tests-$which.txt"
    done
    for which in base addon; do
        grep -q "tests when loading database" "$LOGS/odoo-tests-$which.log" 2>/dev/null \
            || { echo "odoo-tests $which: the run did not finish (.dev/logs/odoo-tests-$which.log)"; rc=1; }
    done
    "$VENV/bin/python" "$ROOT/tools/test_summary.py" --compare \
        "$LOGS/odoo-tests-base.log" "$LOGS/odoo-tests-addon.log" || rc=1
    say "odoo-tests: $(( $(date +%s) - start ))s"
    return "$rc"
}

# Regenerates i18n/order_fulfilment.pot from the code and merges it into the .po files.
# The database has the demo data, as Odoo's own templates: the translatable names of the demo
# records that have an external id (products, control points, checklist items...) are exported
# too, so that the demo reads in Chinese (make demo DEMO_LANG=zh_CN).
cmd_pot() {
    cmd_setup >/dev/null
    load_pg_env
    local db="${I18N_DB:-${TEST_DB}_i18n}" i18n="$ROOT/order_fulfilment/i18n" po
    dropdb --if-exists "$db"
    rm -f "$LOGS/i18n.log"
    odoo -d "$db" -i order_fulfilment --stop-after-init --log-level warn --logfile "$LOGS/i18n.log"
    if grep -q "demo data failed to install" "$LOGS/i18n.log"; then
        dropdb --if-exists "$db"
        die "pot: the demo data failed to install: see .dev/logs/i18n.log"
    fi
    odoo -d "$db" --i18n-export="$i18n/order_fulfilment.pot" --modules=order_fulfilment \
        --stop-after-init --log-level warn --logfile "$LOGS/i18n.log"
    dropdb --if-exists "$db"
    for po in "$i18n"/*.po; do
        [ -f "$po" ] || continue
        if command -v msgmerge >/dev/null; then
            msgmerge --quiet --update --no-fuzzy-matching --backup=none "$po" "$i18n/order_fulfilment.pot"
            # Entries the code no longer has go (zh_TW.po: its tool below keeps hand corrections).
            [ "$(basename "$po")" = zh_TW.po ] || msgattrib --no-obsolete --output-file="$po" "$po"
        else
            say "pot: msgmerge (gettext) is missing; $po was not merged"
        fi
    done
    # zh_TW.po follows zh_CN.po: new or empty entries are filled by conversion,
    # translations already in zh_TW.po are kept.
    "$VENV/bin/python" "$ROOT/tools/po_zh_tw.py" || die "pot: zh_TW.po could not be updated from zh_CN.po"
    # The layout the OCA translation check (make lint) wants.
    "$VENV/bin/oca-checks-po" --fix --no-exit "$i18n"/*.po "$i18n"/*.pot >/dev/null 2>&1 || true
    say "pot: wrote order_fulfilment/i18n/order_fulfilment.pot"
}

cmd_lint() {
    cmd_setup >/dev/null
    cd "$ROOT"
    PATH="$VENV/bin:$PATH" "$VENV/bin/pre-commit" run --all-files --show-diff-on-failure
}

# --------------------------------------------------------------------------
# Benchmark: bench_base (stock Odoo with the Odoo apps the addon depends on) and bench_addon
# (the same plus the addon), kept between runs; the addon database is updated when the
# addon's files change. The base modules are read from the manifest's "depends", so that
# the figures compare what the addon itself adds.
# --------------------------------------------------------------------------
BENCH_BASE_MODULES="$(python3 -c 'import ast, sys; print(",".join(ast.literal_eval(open(sys.argv[1]).read())["depends"]))' \
    "$ROOT/order_fulfilment/__manifest__.py")"

addon_hash() {
    (cd "$ROOT" && find order_fulfilment -type f ! -name '*.pyc' ! -path '*/__pycache__/*' -print0 \
        | sort -z | xargs -0 sha1sum | sha1sum | cut -d' ' -f1)
}

bench_db() {
    local db="$1" mods="$2" log="$LOGS/bench-install-$1.log" want="" stamp="$DEV/bench-$1.stamp" n
    n="$(psql -X -d "$db" -tAc "select count(*) from ir_module_module where state='installed'
        and name = any(string_to_array('$mods', ','))" 2>/dev/null || echo 0)"
    [[ "$mods" == *order_fulfilment* ]] && want="$(addon_hash)"
    if [ "$n" = "$(tr ',' '\n' <<<"$mods" | wc -l)" ]; then
        if [ -n "$want" ] && [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
            say "bench: $db: the addon changed, updating it (log in .dev/logs/bench-install-$db.log)"
            odoo -d "$db" -u order_fulfilment --stop-after-init --http-port "${BENCH_HTTP_PORT:-8174}" \
                --logfile "$log" --log-level warn || die "updating $db failed: see $log"
        else
            say "bench: $db is ready"
        fi
    else
        say "bench: creating $db ($mods), log in .dev/logs/bench-install-$db.log"
        dropdb --if-exists "$db"
        odoo -d "$db" -i "$mods" --without-demo=all --stop-after-init --http-port "${BENCH_HTTP_PORT:-8174}" \
            --logfile "$log" --log-level warn || die "creating $db failed: see $log"
    fi
    [ -z "$want" ] || echo "$want" > "$stamp"
}

cmd_bench() {
    local quick="" suffix=""
    if [ "${1:-}" = "--quick" ]; then quick="--quick"; suffix="_quick"; fi
    cmd_setup
    load_pg_env
    local prefix="${BENCH_PREFIX:-bench}"
    bench_db "${prefix}_base$suffix" "$BENCH_BASE_MODULES" &
    local pid_base=$!
    bench_db "${prefix}_addon$suffix" "$BENCH_BASE_MODULES,order_fulfilment" || { wait "$pid_base"; exit 1; }
    wait "$pid_base" || exit 1
    "$VENV/bin/python" "$ROOT/bench/run.py" -c "$CONF" --base "${prefix}_base$suffix" \
        --addon "${prefix}_addon$suffix" $quick ${BENCH_ARGS:-}
}

# --------------------------------------------------------------------------
# Reliability: concurrency against a multi-process server, install/update/uninstall lifecycle
# --------------------------------------------------------------------------

# The concurrency tests commit their data and start `odoo-bin --workers=2` on the database, so
# they run alone (tag fulfilment_concurrency, not in the standard tests) on a database of their own.
cmd_concurrency() {
    local db="${CONCURRENCY_DB:-${TEST_DB}_concurrency}" log="$LOGS/concurrency.log" start rc=0
    cmd_setup
    load_pg_env
    say "concurrency: fresh database $db, log in .dev/logs/concurrency.log"
    dropdb --if-exists "$db"
    rm -f "$log"
    start=$(date +%s)
    odoo -d "$db" -i order_fulfilment --test-enable --test-tags "fulfilment_concurrency/order_fulfilment" \
        --without-demo=all --stop-after-init --http-port "${TEST_HTTP_PORT:-8169}" --log-level test \
        --logfile "$log" || rc=$?
    "$VENV/bin/python" "$ROOT/tools/test_summary.py" "$log" "$(( $(date +%s) - start ))" || rc=1
    [ "$rc" != 0 ] || dropdb --if-exists "$db"
    return "$rc"
}

# Stock Odoo with its demo data (confirmed and draft orders, MOs, deliveries), then the addon:
# install, update twice, uninstall. tools/lifecycle_checks.py runs in `odoo shell` after each step
# and prints PASS/FAIL lines.
cmd_lifecycle() {
    local db="${LIFECYCLE_DB:-order_fulfilment_lifecycle}" log="$LOGS/lifecycle.log" out="$LOGS/lifecycle.txt"
    local state="$DEV/lifecycle-state.json" start rc=0 port="${TEST_HTTP_PORT:-8169}"
    cmd_setup
    load_pg_env
    dropdb --if-exists "$db"
    rm -f "$log" "$state" "$out"
    start=$(date +%s)
    lifecycle_odoo() {  # label, odoo arguments...
        local label="$1"
        shift
        say "lifecycle: $label"
        if ! odoo -d "$db" "$@" --stop-after-init --http-port "$port" --log-level warn --logfile "$log.part"; then
            echo "FAIL $label: odoo exited with an error (.dev/logs/lifecycle.log)" | tee -a "$out"
            cat "$log.part" >> "$log"
            return 1
        fi
        if grep -qE '^\S+ \S+ [0-9]+ (ERROR|CRITICAL) ' "$log.part"; then
            echo "FAIL $label: errors logged:" | tee -a "$out"
            grep -E '^\S+ \S+ [0-9]+ (ERROR|CRITICAL) ' "$log.part" | head -5 | cut -c1-300 | tee -a "$out"
        else
            echo "PASS $label: no error logged" | tee -a "$out"
        fi
        cat "$log.part" >> "$log"
        rm -f "$log.part"
    }
    lifecycle_check() {  # step
        say "lifecycle: checks '$1'"
        LIFECYCLE_STEP="$1" LIFECYCLE_STATE="$state" "$VENV/bin/odoo" shell -c "$CONF" -d "$db" --log-level warn \
            --logfile "$log.shell" < "$ROOT/tools/lifecycle_checks.py" 2>&1 | tee -a "$out"
        local status="${PIPESTATUS[0]}"
        cat "$log.shell" >> "$log" 2>/dev/null || true
        rm -f "$log.shell"
        if [ "$status" != 0 ] && ! grep -q "^lifecycle $1: [1-9]" "$out"; then
            echo "FAIL $1: the check script stopped (.dev/logs/lifecycle.log)" | tee -a "$out"
        fi
        return "$status"
    }
    # Stock Odoo with demo data is kept as a template between runs of this checkout (.dev/ stamp).
    local template="${db}_stock" stamp="$DEV/lifecycle-stock.stamp" want
    want="$BENCH_BASE_MODULES $(find_odoo) $(sha1sum "$(find_odoo)/odoo/release.py" | cut -c1-12)"
    if [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && createdb -T "$template" "$db" 2>/dev/null; then
        echo "PASS stock Odoo with demo data: copied from $template (made by an earlier run)" | tee -a "$out"
    else
        rm -f "$stamp"
        dropdb --if-exists "$template"
        lifecycle_odoo "stock Odoo with demo data ($BENCH_BASE_MODULES)" -i "$BENCH_BASE_MODULES" \
            && createdb -T "$db" "$template" && echo "$want" > "$stamp" || rc=1
    fi
    [ "$rc" = 0 ] && {
        lifecycle_check before \
            && lifecycle_odoo "install order_fulfilment" -i order_fulfilment \
            && lifecycle_check installed \
            && lifecycle_odoo "update order_fulfilment (1)" -u order_fulfilment \
            && lifecycle_check updated \
            && lifecycle_odoo "update order_fulfilment (2)" -u order_fulfilment \
            && lifecycle_check updated \
            && lifecycle_check uninstall \
            && lifecycle_check removed
    } || rc=1
    local passed failed
    passed="$(grep -c '^PASS ' "$out" || true)"
    failed="$(grep -c '^FAIL ' "$out" || true)"
    [ "$failed" = 0 ] || rc=1
    [ "$rc" = 0 ] || grep '^FAIL ' "$out" >&2 || true
    [ "$rc" != 0 ] || dropdb --if-exists "$db"
    echo "lifecycle: $passed passed, $failed failed in $(( $(date +%s) - start ))s"
    return "$rc"
}

# The logic tests (the test files without HttpCase or a -standard tag) under pytest-odoo, the
# runner many Odoo teams use, on a database of their own where the addon is installed without demo
# data. Arguments: test files or pytest options instead of that default selection.
cmd_pytest() {
    local db="${TEST_DB}_pytest" args=() rc=0 port
    cmd_setup >/dev/null
    load_pg_env
    if [ $# -gt 0 ]; then
        args=("$@")
    else
        mapfile -t args < <(grep -L -e HttpCase -e '"-standard"' "$ROOT"/order_fulfilment/tests/test_*.py)
    fi
    port="$(free_port)"
    say "pytest: installing the addon into $db (log in .dev/logs/pytest-install.log)"
    dropdb --if-exists "$db"
    odoo -d "$db" -i order_fulfilment --without-demo=all --stop-after-init --http-port "$port" \
        --logfile "$LOGS/pytest-install.log" --log-level warn \
        || die "installing the addon failed: see .dev/logs/pytest-install.log"
    (cd "$ROOT" && "$VENV/bin/pytest" -p no:cacheprovider --odoo-config "$CONF" --odoo-database "$db" \
        --odoo-http --odoo-extra "http-port=$port" "${args[@]}") || rc=$?
    [ "$rc" != 0 ] || dropdb --if-exists "$db"
    return "$rc"
}

# lint, the addon's tests, concurrency, lifecycle and Odoo's own suites; each part runs, its
# duration is printed, and any failing part fails the whole. ODOO_TESTS=changed runs Odoo's own
# suites only when the last commit touched the addon's models, data, security or manifest.
cmd_test_all() {
    local tags="${1:-/order_fulfilment}" passed=0 failed=0 start part t0 summary=""
    start=$(date +%s)
    for part in lint test pytest concurrency lifecycle screenshots odoo-tests; do
        # TEST_ALL_SKIP="lint test": parts already run (.ci/run runs make test first).
        case " ${TEST_ALL_SKIP:-} " in *" $part "*) continue ;; esac
        if [ "$part" = odoo-tests ] && [ "${ODOO_TESTS:-always}" = changed ] \
            && git -C "$ROOT" rev-parse -q --verify HEAD~1 >/dev/null \
            && ! git -C "$ROOT" diff --name-only HEAD~1 HEAD -- order_fulfilment/models order_fulfilment/data \
                order_fulfilment/security order_fulfilment/__manifest__.py | grep -q .; then
            summary+="  odoo-tests: skipped (no change to models, data, security or the manifest)"$'\n'
            continue
        fi
        t0=$(date +%s)
        if case "$part" in
            lint) cmd_lint ;;
            test) cmd_test "$tags" ;;
            pytest) cmd_pytest ;;
            concurrency) cmd_concurrency ;;
            lifecycle) cmd_lifecycle ;;
            screenshots) cmd_screenshots --check ;;
            odoo-tests) cmd_odoo_tests ;;
        esac; then
            passed=$((passed + 1))
            summary+="  $part: passed in $(( $(date +%s) - t0 ))s"$'\n'
        else
            failed=$((failed + 1))
            summary+="  $part: FAILED in $(( $(date +%s) - t0 ))s"$'\n'
        fi
    done
    printf 'test-all (%ss):\n%s' "$(( $(date +%s) - start ))" "$summary"
    echo "test-all: $passed passed, $failed failed"
    [ "$failed" = 0 ]
}

case "${1:-}" in
    setup) cmd_setup ;;
    demo) cmd_demo ;;
    test) shift; cmd_test "$@" ;;
    odoo-tests) cmd_odoo_tests ;;
    lint) cmd_lint ;;
    pot) cmd_pot ;;
    bench) shift; cmd_bench "$@" ;;
    screenshots) shift; cmd_screenshots "$@" ;;
    concurrency) cmd_concurrency ;;
    lifecycle) cmd_lifecycle ;;
    test-all) shift; cmd_test_all "$@" ;;
    pytest) shift; cmd_pytest "$@" ;;
    pg-env) load_pg_env >/dev/null; cat "$DEV/pg.env" ;;
    *) sed -n '2,28p' "$0"; exit 2 ;;
esac
