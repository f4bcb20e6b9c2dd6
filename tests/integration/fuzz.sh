# The fuzz targets of tests/fuzz/ in check: a short pass of each (a few
# seconds, one process) and every committed reproducer replayed. The long
# runs are `make fuzz`. The targets are built by `make fuzz-bins`.
FUZZ_BIN=$TOP/build/fuzz/bin
FUZZ_PASS_SECONDS=${FUZZ_PASS_SECONDS:-3}

fuzz_short_pass() {
    local bin=$FUZZ_BIN/$1_fuzz
    [ -x "$bin" ] || skip "$bin not built (make fuzz-bins)"
    "$TOP/tests/fuzz/run" "$bin" "$FUZZ_PASS_SECONDS" >"$TMP/out" 2>&1 ||
        { tail -60 "$TMP/out"; die "$1: the fuzzer found something (see above)"; }
    # A pass that ran nothing proves nothing.
    local runs
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$TMP/out")
    [ "${runs:-0}" -gt 100 ] || { cat "$TMP/out"; die "$1: only ${runs:-0} inputs ran"; }
}

test_fuzz_config_loader_finds_nothing_in_a_short_pass() { fuzz_short_pass config; }
test_fuzz_control_request_reader_finds_nothing_in_a_short_pass() { fuzz_short_pass control; }
test_fuzz_netlink_reply_parser_finds_nothing_in_a_short_pass() { fuzz_short_pass netlink; }
test_fuzz_value_and_signal_parsers_find_nothing_in_a_short_pass() { fuzz_short_pass values; }
test_fuzz_passwd_group_reader_finds_nothing_in_a_short_pass() { fuzz_short_pass passwd; }
test_fuzz_modules_index_reader_finds_nothing_in_a_short_pass() { fuzz_short_pass modules; }
test_fuzz_readiness_readers_find_nothing_in_a_short_pass() { fuzz_short_pass ready; }
test_fuzz_container_options_find_nothing_in_a_short_pass() { fuzz_short_pass options; }

# Every input that once crashed or hung a target runs clean now.
test_fuzz_committed_reproducers_replay_clean() {
    local dir name n=0
    for dir in "$TOP"/tests/fuzz/crashes/*/; do
        name=$(basename "$dir")
        [ -x "$FUZZ_BIN/${name}_fuzz" ] || skip "$FUZZ_BIN/${name}_fuzz not built (make fuzz-bins)"
        "$TOP/tests/fuzz/run" --replay "$FUZZ_BIN/${name}_fuzz" >"$TMP/out" 2>&1 ||
            { tail -40 "$TMP/out"; die "$name: a reproducer fails again"; }
        n=$((n + $(ls "$dir" | wc -l)))
    done
    [ "$n" -gt 0 ] || die "no reproducers found under tests/fuzz/crashes"
}
