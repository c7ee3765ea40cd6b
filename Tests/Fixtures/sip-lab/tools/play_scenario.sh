#!/usr/bin/env bash
# Play one call scenario against a running lab Kamailio (127.0.0.1:5160) with sipp
# phones, exactly as record_kamailio_scenarios.sh drives them, without watchers:
# register 201 (and 202), then the call. Used by callpop's integration tests.
#
#   play_scenario.sh SCENARIO LOG_DIR
#     SCENARIO: inbound-answered | inbound-missed | outbound-answered | internal-colleague
#
# Exit status 0 when every sipp ended as scripted. Ports as the recorder's: phone 201
# 5161, phone 202 5162, external caller 5170, far end ("carrier") 5190.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
lab="$(dirname "$here")"
sc="${1:?usage: $0 SCENARIO LOG_DIR}"
d="${2:?usage: $0 SCENARIO LOG_DIR}"
mkdir -p "$d"

SIPP_COMMON=(-i 127.0.0.1 -bind_local -mi 127.0.0.1 -ci 127.0.0.1 -m 1 -nostdin
             -timeout 40s -timeout_error -trace_msg -trace_err)

sipp_run() { # name port media_port scenario [args...]  (foreground)
    local name="$1" port="$2" mport="$3" sf="$4"; shift 4
    sipp "${SIPP_COMMON[@]}" -p "$port" -mp "$mport" -sf "$lab/sipp/$sf" \
        -message_file "$d/sip-$name.log" -error_file "$d/sipp-$name.err" "$@" \
        >/dev/null 2>"$d/sipp-$name.stderr"
}

register() { # user port
    sipp_run "register-$1" "$2" $((20000 + $2)) register.xml 127.0.0.1:5160 \
        -s "$1" -au "$1" -ap "$1-secret"
}

register 201 5161
[[ "$sc" == internal-colleague ]] && register 202 5162

case "$sc" in
inbound-answered)
    sipp_run uas-201 5161 25161 uas-answer.xml -s 201 -d 2000 & callee=$!
    sleep 0.2
    sipp_run caller 5170 25170 uac-answered.xml 127.0.0.1:5160 -s 201 -d 2000 \
        -set from '"John Doe" <sip:+441234567890@127.0.0.1>' -set from_user +441234567890 & caller=$!
    ;;
inbound-missed)
    sipp_run uas-201 5161 25161 uas-cancelled.xml -s 201 & callee=$!
    sleep 0.2
    sipp_run caller 5170 25170 uac-cancel.xml 127.0.0.1:5160 -s 201 -d 3000 \
        -set from '<sip:+15551234567@127.0.0.1>' -set from_user +15551234567 & caller=$!
    ;;
outbound-answered)
    sipp_run uas-farend 5190 25190 uas-answer.xml -s 00493012345678 -d 2000 & callee=$!
    sleep 0.2
    sipp_run uac-201 5161 25161 uac-answered.xml 127.0.0.1:5160 -s 00493012345678 -d 2000 \
        -set from '"Alice Agent" <sip:201@127.0.0.1>' -set from_user 201 & caller=$!
    ;;
internal-colleague)
    sipp_run uas-201 5161 25161 uas-answer.xml -s 201 -d 2000 & callee=$!
    sleep 0.2
    sipp_run uac-202 5162 25162 uac-answered.xml 127.0.0.1:5160 -s 201 -d 2000 \
        -set from '"Bob Builder" <sip:202@127.0.0.1>' -set from_user 202 & caller=$!
    ;;
*)
    echo "unknown scenario $sc" >&2; exit 2 ;;
esac
rc_caller=0; rc_callee=0
wait "$caller" || rc_caller=$?
wait "$callee" || rc_callee=$?
echo "caller=$rc_caller callee=$rc_callee" > "$d/sipp-exit-codes"
[[ $rc_caller == 0 && $rc_callee == 0 ]]
