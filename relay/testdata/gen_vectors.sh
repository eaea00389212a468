#!/usr/bin/env bash
# Regenerates vectors.json with OpenSSL, independently of Go's crypto/hmac.
# Each vector records the exact shell command whose output is the expected
# hex MAC; the Go test recomputes nothing from it, it only checks the verifier
# agrees. Requires bash, openssl and jq. Run from this directory:
#   ./gen_vectors.sh > vectors.json
set -euo pipefail

out='[]'

# add NAME SECRET TIMESTAMP SENT_BODY WANT COMMAND [POSTPROCESS]
# COMMAND is run with bash; its output is "... <hex>" from openssl dgst.
add() {
	local name=$1 secret=$2 ts=$3 body=$4 want=$5 cmd=$6
	local hex
	hex=$(bash -c "$cmd" | awk '{print $NF}')
	out=$(jq --arg name "$name" --arg secret "$secret" --arg ts "$ts" --arg body "$body" \
		--arg sig "sha256=$hex" --arg cmd "$cmd" --arg want "$want" \
		'. + [{name: $name, secret: $secret, timestamp: $ts, body: $body, signature: $sig, command: $cmd, want: $want}]' <<<"$out")
}

S=whsec_relay_test
TS=1700000000
J='{"event":"incoming_message","message":{"id":9001,"type":"text","text":"Hello"}}'
HE='{"event":"incoming_message","message":{"text":"שלום"}}'
EM='{"event":"incoming_message","message":{"text":"👍"}}'
MIX='{"text":"שלום לכולם! זה הודעה בעברית ⚠️ 👍🏽","group":"קבוצת עבודה"}'
SAMPLE='{
"event": "incoming_message",
"channel": "whatsapp",
"user_id": 11,
"message": {
"id": 9001,
"text": "Hello"
}
}'
LONGKEY=$(printf 'k%.0s' $(seq 1 100))

add "ascii json" $S $TS "$J" ok "printf '%s' '$TS.$J' | openssl dgst -sha256 -hmac '$S'"
add "hebrew body" $S $TS "$HE" ok "printf '%s' '$TS.$HE' | openssl dgst -sha256 -hmac '$S'"
add "emoji body" $S $TS "$EM" ok "printf '%s' '$TS.$EM' | openssl dgst -sha256 -hmac '$S'"
add "hebrew rtl emoji modifier" $S $TS "$MIX" ok "printf '%s' '$TS.$MIX' | openssl dgst -sha256 -hmac '$S'"
add "multi-line vendor sample" $S $TS "$SAMPLE" ok "printf '%s' '$TS.$SAMPLE' | openssl dgst -sha256 -hmac '$S'"
add "empty body" $S $TS "" ok "printf '%s' '$TS.' | openssl dgst -sha256 -hmac '$S'"
add "uppercase hex" $S $TS "$J" ok "printf '%s' '$TS.$J' | openssl dgst -sha256 -hmac '$S' | tr 'a-f' 'A-F'"
add "key longer than a block" "$LONGKEY" $TS "$J" ok "printf '%s' '$TS.$J' | openssl dgst -sha256 -hmac '$LONGKEY'"
add "edge of age window" $S 1699999700 "$J" ok "printf '%s' '1699999700.$J' | openssl dgst -sha256 -hmac '$S'"
add "edge of skew window" $S 1700000300 "$J" ok "printf '%s' '1700000300.$J' | openssl dgst -sha256 -hmac '$S'"

# Variants that must fail. The command shows what was signed; body/timestamp
# show what was sent.
add "no dot in string to sign" $S $TS "$J" ErrNoMatchingSignature "printf '%s' '$TS$J' | openssl dgst -sha256 -hmac '$S'"
add "millisecond timestamp" $S 1700000000000 "$J" ErrTooNew "printf '%s' '1700000000000.$J' | openssl dgst -sha256 -hmac '$S'"
add "trailing newline added to body" $S $TS "$J"$'\n' ErrNoMatchingSignature "printf '%s' '$TS.$J' | openssl dgst -sha256 -hmac '$S'"
add "same JSON re-encoded" $S $TS "$(jq . <<<"$J")" ErrNoMatchingSignature "printf '%s' '$TS.$J' | openssl dgst -sha256 -hmac '$S'"
add "one flipped byte" $S $TS "${J/Hello/Hellp}" ErrNoMatchingSignature "printf '%s' '$TS.$J' | openssl dgst -sha256 -hmac '$S'"
add "signature for another secret" $S $TS "$J" ErrNoMatchingSignature "printf '%s' '$TS.$J' | openssl dgst -sha256 -hmac 'another_secret'"
add "one second past age window" $S 1699999699 "$J" ErrTooOld "printf '%s' '1699999699.$J' | openssl dgst -sha256 -hmac '$S'"
add "one second past skew window" $S 1700000301 "$J" ErrTooNew "printf '%s' '1700000301.$J' | openssl dgst -sha256 -hmac '$S'"

jq '{now: 1700000000, note: "Each command printed the MAC in signature; body and timestamp are what the request carried. Regenerate with ./gen_vectors.sh > vectors.json", vectors: .}' <<<"$out"
