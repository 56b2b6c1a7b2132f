// Parser for Fabric's signature policy language, e.g. "OR('Org1MSP.peer', AND('Org2MSP.admin',
// 'Org3MSP.member'))", into a SignaturePolicyEnvelope (core/policy/policy.h). Behaves like
// Fabric 2.2's policydsl.FromString (F22:common/policydsl/policyparser.go), which
// fabric-semantics.md section 4.1 summarises:
//
//   * Gates: AND/And/and, OR/Or/or, OutOf/outof/OUTOF (no other spellings). AND(e1..ek) is
//     NOutOf(k, ...), OR(e1..ek) is NOutOf(1, ...), OutOf(t, e1..en) is NOutOf(t, ...).
//   * t is a number or a quoted number ('1'). Like Fabric (govaluate numbers are float64,
//     then int()), a fractional t is truncated toward zero. 0 <= t <= n+1 is accepted
//     (t == 0 always satisfied, t == n+1 never); anything else is an
//     "invalid t-out-of-n predicate".
//   * A principal is a quoted 'MSPID.role' (parse_msp_principal). Strings may be quoted with
//     ' or "; as in govaluate, a string ends at the first unescaped ' or ", and a backslash
//     escapes the next character.
//   * Principal indices are assigned innermost gate first, then left to right within a gate;
//     principals are never de-duplicated. Version is 0.
//   * Whitespace (space, tab, CR, LF, VT, FF) may separate tokens. Parentheses may group an
//     expression, as govaluate allows: "(AND('A.member'))".
//
// Errors are Status::invalid_argument values whose message gives Fabric's meaning, the
// offending token and its 0-based byte position in the text, e.g.
//   unrecognized token 'Org1MSP' at position 4          (for "AND(Org1MSP.member)")
//   invalid t-out-of-n predicate, t 4, n 2: '4' at position 6
// When the text has several errors, the one reported is the one Fabric reports: syntax errors
// first, then errors in the order of Fabric's three evaluation passes (bare tokens, argument
// counts and literal types; then quoted strings that are not principals; then threshold bounds
// and kinds), each pass left to right, inner gates before the gate that holds them. Like
// Fabric, an unquoted identifier is named by its part before the first dot (govaluate reads
// "Org1MSP.member" as field "member" of parameter "Org1MSP").
//
// Not supported (Fabric's govaluate would evaluate them): operators and arithmetic
// ("1+1", "&&", comparisons), hex and exponent numbers, date strings, [bracketed] names.
// They are rejected as unexpected tokens.
#pragma once

#include <cstddef>
#include <string_view>

#include "core/policy/policy.h"
#include "core/status.h"

namespace fabsim {

// Parses `text`. On failure, if `error_position` is not null, stores the 0-based position the
// message names (text.size() for a premature end), so a caller can point at it.
Result<SignaturePolicyEnvelope> parse_signature_policy(std::string_view text,
                                                       size_t* error_position = nullptr);

}  // namespace fabsim
