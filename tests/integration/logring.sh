# The log ring and `nsinit ctl log [NAME] [-n LINES] [-f]`: every service's
# lines and nsinit's own, in arrival order, stamped in UTC with
# milliseconds; the oldest dropped at log_buffer; a flood said; followers
# that never block anything; root only.
. "$TOP/tests/integration/svc_helpers.bash"

STAMP='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z'

# counter NAME N [pad]: prints NAME-1 ... NAME-N (with pad: each followed
# by 30 bytes of padding), then exits 0.
PAD=$(printf '%030d' 0)
counter() { echo "[service $1]"; echo "exec = /bin/sh -c \"i=1; while [ \$i -le $2 ]; do echo $1-\$i${3:+ $PAD}; i=\$((i+1)); done\""; echo "oneshot = yes"; }

test_log_keeps_every_line_in_order_stamped_in_utc_with_ms() {
    { conf_head; counter a 50; counter b 50; echo "after = a"; } >conf
    start_ns conf
    wait_state b done
    ctl log >log
    # Every line: TIME NAME: text.
    [ "$(grep -cvE "^$STAMP [A-Za-z0-9_.-]+: " log)" = 0 ] || die "malformed lines: $(grep -vE "^$STAMP " log)"
    sed -nE "s/^$STAMP a: //p" log >a.got
    seq 1 50 | sed 's/^/a-/' | cmp -s - a.got || die "a's lines: $(cat a.got)"
    # b came after a (after = a): all of a, then all of b.
    assert_eq "a-50 b-1" "$(grep -E ': (a-50|b-1)$' log | sed -E 's/.*: //' | tr '\n' ' ' | sed 's/ $//')" "a before b"
    # nsinit's own messages, under its name (-v ones too).
    assert_contains log "^$STAMP nsinit: a: exited with status 0\$"
    # The time is now's, in UTC.
    local day
    day=$(date -u +%Y-%m-%dT)
    assert_contains log "^$day"
    # Times never go back.
    sed -E "s/^($STAMP).*/\\1/" log >times
    sort -c times || die "times out of order"
    stop_ns
}

test_log_name_and_n_select_the_last_lines_of_one_service() {
    { conf_head; counter a 30; counter b 30; } >conf
    start_ns conf
    wait_state a done
    wait_state b done
    ctl log a -n 3 | sed -E "s/^$STAMP //" >got
    printf 'a: a-28\na: a-29\na: a-30\n' | cmp -s - got || die "log a -n 3: $(cat got)"
    ctl log -n 1 nsinit | grep -qE "^$STAMP nsinit: " || die "log -n 1 nsinit"
    [ "$(ctl log -n 5 | wc -l)" = 5 ] || die "log -n 5 gave $(ctl log -n 5 | wc -l) lines"
    local rc=0
    ctl log nosuch 2>e || rc=$?
    assert_eq 1 "$rc" "log of an unknown service"
    assert_contains e "unknown service 'nosuch'"
    stop_ns
}

test_log_drops_the_oldest_lines_at_log_buffer() {
    # 4K ring; one service prints 300 lines of about 70 bytes (20K), and
    # then a second one 5 more.
    { conf_head "log_buffer = 4K"; counter s1 300 pad; counter s2 5; echo "after = s1"; } >conf
    start_ns conf
    wait_state s2 done
    ctl log >log
    sed -nE "s/^$STAMP (s1: s1-[0-9]+|s2: s2-[0-9]+).*/\\1/p" log >kept
    # The newest, without a gap, up to the last line; the oldest gone.
    assert_eq "s2: s2-5" "$(tail -1 kept)" "the newest line"
    { seq 1 300 | sed 's/^/s1: s1-/'; seq 1 5 | sed 's/^/s2: s2-/'; } | tail -n "$(wc -l <kept)" | cmp -s - kept ||
        die "kept lines are not the newest ones: $(cat kept)"
    [ "$(wc -l <kept)" -ge 40 ] && [ "$(wc -l <kept)" -lt 100 ] || die "$(wc -l <kept) lines kept in 4K"
    [ "$(wc -c <log)" -le 4096 ] || die "the ring gave more than its 4K: $(wc -c <log)"
    # And all of them still reached stderr.
    [ "$(grep -c '^s1: ' err)" = 300 ] || die "stderr lost lines"
    stop_ns
}

test_a_flood_keeps_the_newest_lines_and_says_so() {
    {
        conf_head
        echo "[service quiet]"; echo "exec = /bin/sh -c \"echo before the flood; exec sleep 1000\""
        echo "[service flood]"; echo "exec = /usr/bin/seq 1 200000"; echo "oneshot = yes"
        echo "after = quiet"
    } >conf
    start_ns conf
    wait_state flood done 30
    wait_line err "flood: 200000" 10
    ctl log >log
    # 1.3 MB through a 64K ring: the newest lines are there, in order,
    # and lines of nsinit's say why the ring holds nothing else.
    assert_eq 200000 "$(sed -nE "s/^$STAMP flood: //p" log | tail -1)" "the newest line"
    sed -nE "s/^$STAMP flood: //p" log >nums
    seq "$(head -1 nums)" 200000 | cmp -s - nums || die "flood lines with a gap"
    assert_contains log "^$STAMP nsinit: flood: flooding the log \\(over 16384 bytes/s\\): [0-9]+ lines\$"
    [ "$(grep -c 'flooding the log' log)" -ge 3 ] || die "fewer than 3 notes in a ring full of flood"
    # The console got every line.
    [ "$(grep -c '^flood: ' err)" = 200000 ] || die "stderr lost flood lines"
    assert_not_contains log "quiet: before the flood"
    stop_ns
}

test_log_f_follows_new_lines_until_the_client_goes() {
    {
        conf_head
        echo "[service tick]"
        echo "exec = /bin/sh -c \"echo old; while [ ! -e $TMP/go ]; do sleep 0.05; done; echo new-1; while [ ! -e $TMP/go2 ]; do sleep 0.05; done; echo new-2; exec sleep 1000\""
    } >conf
    start_ns conf
    wait_line err "tick: old"
    local before fpid
    before=$(ls /proc/$NS_PID/fd | wc -l)
    "$NSINIT" ctl -s "$SOCK" log tick -f >follow 2>ferr &
    fpid=$!
    wait_for 5 grep -q 'tick: old$' follow || die "follower did not get the old line"
    touch go
    wait_for 5 grep -q 'tick: new-1$' follow || die "follower did not get new-1"
    # Beyond the 5 s a plain client gets: a follower is not dropped.
    sleep 5.5
    touch go2
    wait_for 5 grep -q 'tick: new-2$' follow || die "follower was dropped before new-2"
    kill -0 $fpid || die "the follower ended by itself"
    kill $fpid
    wait $fpid 2>/dev/null || true
    # Its connection goes when it does.
    wait_for 5 eval '[ "$(ls /proc/$NS_PID/fd | wc -l)" = "$before" ]' || die "follower's socket still open in nsinit"
    assert_eq 3 "$(grep -cE "^$STAMP tick: " follow)" "lines followed"
    stop_ns
}

test_log_buffer_0_keeps_no_ring() {
    { conf_head "log_buffer = 0"; counter a 3; } >conf
    start_ns conf
    wait_state a done
    local rc=0
    ctl log >o 2>e || rc=$?
    assert_eq 1 "$rc" "log without a ring"
    assert_contains e "no log ring \\(log_buffer = 0\\)"
    assert_contains err '^a: a-3$'
    stop_ns
}

test_log_is_refused_to_non_root() {
    { conf_head; counter a 3; } >conf
    chmod 755 "$TMP"
    start_ns conf
    wait_state a done
    local rc=0
    setpriv --reuid=65534 --regid=65534 --clear-groups "$NSINIT" ctl -s "$SOCK" log >o 2>e || rc=$?
    assert_eq 1 "$rc" "non-root log"
    assert_contains e "permission denied: only root may read the log"
    assert_not_contains o "a-1"
    rc=0
    setpriv --reuid=65534 --regid=65534 --clear-groups "$NSINIT" ctl -s "$SOCK" log -f a >o 2>e || rc=$?
    assert_eq 1 "$rc" "non-root log -f"
    stop_ns
}

test_a_follower_that_never_reads_blocks_nothing_and_is_told_what_it_lost() {
    # Twelve services flood at once; a follower connects and never reads.
    {
        conf_head
        for i in $(seq 1 12); do
            echo "[service f$i]"
            echo "exec = /bin/sh -c \"while [ ! -e $TMP/go ]; do sleep 0.05; done; head -c 3000000 /dev/zero | tr '\\\\\\\\000' x | fold -w 1000\""
            echo "oneshot = yes"
        done
        echo "[service other]"; echo "exec = sleep 1000"
    } >conf
    "$NSINIT" -c conf >out 2>/dev/null &
    NS_PID=$!
    wait_for 5 test -S "$SOCK" || die "no control socket"
    python3 - "$SOCK" <<'EOF' &
import socket, sys, time, os
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(sys.argv[1])
s.sendall(b"log -f\n")
open("connected", "w").close()
while not os.path.exists("read-now"):
    time.sleep(0.05)
s.settimeout(2)
data = b""
try:
    while b"lines dropped" not in data:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
except socket.timeout:
    pass
open("got", "wb").write(data)
EOF
    local py=$!
    wait_for 5 test -e connected || die "follower did not connect"
    touch go
    # Every flood runs to its end, and nsinit answers meanwhile.
    for i in $(seq 1 12); do wait_state f$i done 60; done
    assert_eq running "$(state_of other)"
    touch read-now
    wait $py
    grep -aqE "^$STAMP nsinit: [0-9]+ lines dropped: this reader was too slow\$" got ||
        die "no drop note in what the follower got: $(tail -c 300 got)"
    stop_ns
    assert_eq 0 "$NS_RC"
}
