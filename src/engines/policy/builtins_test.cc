// Every built-in, table-driven: `x := <expression>` must bind x to the expected JSON (or leave
// the query undefined), and in strict mode each error row must fail with its code and message.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <string>

#include "engines/policy/policy.h"
#include "testing/fakes.h"

namespace qlrf::policy {
namespace {

namespace bj = boost::json;

struct Row {
  const char* expr;
  const char* want;  // JSON; nullptr: undefined
};

// Grouped by family; each family is one test so a failure names the built-in's area.
const Row kComparison[] = {
    {"equal(1, 1.0)", "true"},
    {"neq(\"a\", \"b\")", "true"},
    {"lt([1, 2], [1, 3])", "true"},
    {"lte(null, false)", "true"},
    {"gt({\"a\": 2}, {\"a\": 1})", "true"},
    {"gte(\"b\", \"a\")", "true"},
    {"1 < \"1\"", "true"},
    {"{1} > [1]", "true"},
    // Decimals compare exactly, as OPA reads them, even where doubles cannot tell them apart.
    {"0.1234567890123456789 > 0.1234567890123456788", "true"},
    {"1e-400 > 0", "true"},
    {"1e400 > 1e399", "true"},
    {"123456789012345.5 > 123456789012345", "true"},
    {"3.50 == 3.5", "true"},
    {"0.30000000000000004 == 0.1 + 0.2", "true"},
    {"1e300 * 1e300 > 1e599", "true"},
    {"sprintf(\"%v\", [0.1234567890123456789])", "\"0.1234567890123456789\""},
};

const Row kArithmetic[] = {
    {"plus(2, 3.5)", "5.5"},
    {"minus(10, 4)", "6"},
    {"minus({1, 2, 3}, {2})", "[1, 3]"},
    {"mul(6, 7)", "42"},
    {"div(7, 2)", "3.5"},
    {"div(9, 3)", "3"},
    {"rem(7, 3)", "1"},
    {"rem(-7, 3)", "-1"},
    {"abs(-4.5)", "4.5"},
    {"round(2.5)", "3"},
    {"round(-2.5)", "-3"},
    {"ceil(1.2)", "2"},
    {"floor(-1.2)", "-2"},
    {"numbers.range(3, 1)", "[3, 2, 1]"},
    {"numbers.range_step(0, 10, 4)", "[0, 4, 8]"},
    {"9223372036854775807 * 2", "1.8446744073709552e19"},
    // Integers stay exact beyond int64 (sprintf shows the digits JSON would round).
    {"sprintf(\"%v\", [9223372036854775807 + 1])", "\"9223372036854775808\""},
    {"sprintf(\"%v\", [18446744073709551617 - 1])", "\"18446744073709551616\""},
    {"sprintf(\"%d\", [123456789012345678901234567890 * 10])",
     "\"1234567890123456789012345678900\""},
    {"sprintf(\"%v\", [1e30 + 1])", "\"1000000000000000000000000000001\""},
    {"sprintf(\"%v\", [abs(-9223372036854775808)])", "\"9223372036854775808\""},
    {"sprintf(\"%v\", [18446744073709551617 % 18446744073709551616])", "\"1\""},
    {"sprintf(\"%v\", [-17 % 5, 17 % -5])", "\"-2\""},
    {"sprintf(\"%v\", [36893488147419103234 / 2])", "\"18446744073709551617\""},
    {"sprintf(\"%v\", [to_number(\"18446744073709551617\") + 1])", "\"18446744073709551618\""},
    {"28857836529306024611913 != 28857836529306024611912", "true"},
    {"28857836529306024611913 > 9223372036854775807", "true"},
    {"sprintf(\"%v\", [10.00 + 5])", "\"15\""},
};

const Row kSetsAndAggregates[] = {
    {"and({1, 2}, {2, 3})", "[2]"},
    {"or({1}, {2})", "[1, 2]"},
    {"intersection({{1, 2, 3}, {2, 3}, {3, 4}})", "[3]"},
    {"union({{1}, {2}, set()})", "[1, 2]"},
    {"intersection(set())", "[]"},
    {"(1, \"b\" in [\"a\", \"b\"])", "true"},
    {"(\"k\", 2 in {\"k\": 1})", "false"},
    {"count(\"héllo\")", "5"},
    {"count({\"a\": 1})", "1"},
    {"count({1, 1, 2})", "2"},
    {"sum([1, 2.5, 3])", "6.5"},
    {"sum(set())", "0"},
    {"product({2, 3, 4})", "24"},
    {"max([3, \"a\", 1])", "\"a\""},
    {"min({3, 1, 2})", "1"},
    {"max([])", nullptr},
    {"sort([3, \"b\", 1, \"a\", null])", "[null, 1, 3, \"a\", \"b\"]"},
};

const Row kArraysAndObjects[] = {
    {"array.concat([1], [2, 3])", "[1, 2, 3]"},
    {"array.slice([1, 2, 3, 4], 1, 3)", "[2, 3]"},
    {"array.slice([1, 2, 3], -5, 99)", "[1, 2, 3]"},
    {"array.slice([1, 2, 3], 2, 1)", "[]"},
    {"array.reverse([1, 2, 3])", "[3, 2, 1]"},
    {"object.get({\"a\": 1}, \"a\", 0)", "1"},
    {"object.get({\"a\": 1}, \"b\", 0)", "0"},
    {"object.get({\"a\": {\"b\": [5, 6]}}, [\"a\", \"b\", 1], 0)", "6"},
    {"object.keys({\"b\": 1, \"a\": 2})", "[\"a\", \"b\"]"},
    {"object.remove({\"a\": 1, \"b\": 2, \"c\": 3}, [\"a\", \"c\"])", "{\"b\": 2}"},
    {"object.filter({\"a\": 1, \"b\": 2}, {\"b\"})", "{\"b\": 2}"},
    {"object.union({\"a\": {\"x\": 1}, \"b\": 1}, {\"a\": {\"y\": 2}, \"b\": 2})",
     "{\"a\": {\"x\": 1, \"y\": 2}, \"b\": 2}"},
    {"object.union_n([{\"a\": 1}, {\"b\": 2}, {\"a\": 3}])", "{\"a\": 3, \"b\": 2}"},
    {"2 in [1, 2]", "true"},
    {"\"v\" in {\"k\": \"v\"}", "true"},
    {"3 in {1, 2}", "false"},
};

const Row kTypes[] = {
    {"is_string(\"a\")", "true"},   {"is_number(1.5)", "true"},
    {"is_boolean(false)", "true"},  {"is_array([1])", "true"},
    {"is_set({1})", "true"},        {"is_object({})", "true"},
    {"is_null(null)", "true"},      {"is_string(1)", "false"},
    {"type_name({1})", "\"set\""},  {"type_name({})", "\"object\""},
    {"type_name(1)", "\"number\""}, {"to_number(\"12.5\")", "12.5"},
    {"to_number(true)", "1"},       {"to_number(null)", "0"},
    {"opa.runtime()", "{}"},
};

const Row kStrings[] = {
    {"concat(\"-\", [\"a\", \"b\"])", "\"a-b\""},
    {"concat(\",\", {\"b\", \"a\"})", "\"a,b\""},
    {"contains(\"abcdef\", \"cde\")", "true"},
    {"startswith(\"abc\", \"ab\")", "true"},
    {"endswith(\"abc\", \"bc\")", "true"},
    {"lower(\"AbC\")", "\"abc\""},
    {"upper(\"AbC\")", "\"ABC\""},
    {"split(\"a,b,,c\", \",\")", "[\"a\", \"b\", \"\", \"c\"]"},
    {"split(\"hé\", \"\")", "[\"h\", \"é\"]"},
    {"strings.split_n(\"a.b.c.d\", \".\", 2)", "[\"a\", \"b\"]"},
    {"strings.split_n(\"a.b.c.d\", \".\", -2)", "[\"c\", \"d\"]"},
    {"strings.split_n(\"a.b.c.d\", \".\", 0)", "[]"},
    {"strings.split_n(\"a.b\", \".\", 10)", "[\"a\", \"b\"]"},
    {"strings.split_n(\"hé!\", \"\", -2)", "[\"é\", \"!\"]"},
    {"trim(\"xxaxx\", \"x\")", "\"a\""},
    {"trim_left(\"xxaxx\", \"x\")", "\"axx\""},
    {"trim_right(\"xxaxx\", \"x\")", "\"xxa\""},
    {"trim_prefix(\"prefix-a\", \"prefix-\")", "\"a\""},
    {"trim_suffix(\"a.rego\", \".rego\")", "\"a\""},
    {"trim_space(\"  a b \\n\")", "\"a b\""},
    {"replace(\"a.b.c\", \".\", \"/\")", "\"a/b/c\""},
    {"strings.replace_n({\"a\": \"1\", \"b\": \"2\"}, \"abc\")", "\"12c\""},
    {"strings.reverse(\"héllo\")", "\"olléh\""},
    {"strings.count(\"banana\", \"an\")", "2"},
    {"indexof(\"héllo\", \"l\")", "2"},
    {"indexof(\"abc\", \"z\")", "-1"},
    {"indexof_n(\"abab\", \"b\")", "[1, 3]"},
    {"substring(\"héllo\", 1, 3)", "\"éll\""},
    {"substring(\"abc\", 1, -1)", "\"bc\""},
    {"substring(\"abc\", 5, 1)", "\"\""},
    {"format_int(255, 16)", "\"ff\""},
    {"format_int(-5.9, 2)", "\"-101\""},
    {"upper(\"héllo ŝ\")", "\"HÉLLO Ŝ\""},
    {"lower(\"ÀΣЖ\")", "\"àσж\""},
    {"strings.any_prefix_match([\"foo\", \"bar\"], \"ba\")", "true"},
    {"strings.any_suffix_match(\"a.rego\", {\".json\", \".yaml\"})", "false"},
    {"format_int(10, 10)", "\"10\""},
};

const Row kSprintf[] = {
    {"sprintf(\"%d items\", [3])", "\"3 items\""},
    {"sprintf(\"%5.1f|%-4s|%x\", [3.14159, \"ab\", 255])", "\"  3.1|ab  |ff\""},
    {"sprintf(\"%v\", [{\"a\": [1, \"b\"]}])", "\"{\\\"a\\\": [1, \\\"b\\\"]}\""},
    {"sprintf(\"%s and %s\", [{1, 2}, null])", "\"{1, 2} and null\""},
    {"sprintf(\"%q|%t|%05d\", [\"hi\", true, 42])", "\"\\\"hi\\\"|true|00042\""},
    {"sprintf(\"%o %b %X %c\", [8, 5, 255, 65])", "\"10 101 FF A\""},
    {"sprintf(\"%e\", [1234.5])", "\"1.234500e+03\""},
    {"sprintf(\"100%%\", [])", "\"100%\""},
    {"sprintf(\"%d %d\", [1])", "\"1 %!d(MISSING)\""},
};

const Row kRegexAndGlob[] = {
    {"regex.match(`^[a-z]+\\d{2,3}$`, \"abc123\")", "true"},
    {"regex.match(`^[a-z]+\\d{2,3}$`, \"abc1234\")", "false"},
    {"regex.match(`(?i)^HELLO`, \"hello world\")", "true"},
    {"regex.match(`colou?r`, \"my color\")", "true"},
    {"regex.match(`^(a|ab)(c|bcd)$`, \"abcd\")", "true"},
    {"regex.match(`\\bcat\\b`, \"concat\")", "false"},
    {"regex.match(`^[^/]+/[[:alpha:]]+$`, \"a/b\")", "true"},
    {"regex.match(`^.$`, \"é\")", "true"},
    {"regex.is_valid(`a(b`)", "false"},
    {"regex.is_valid(`a(b)`)", "true"},
    {"regex.find_all_string_submatch_n(`(\\w)(\\d)`, \"a1 b2 c3\", 2)",
     "[[\"a1\", \"a\", \"1\"], [\"b2\", \"b\", \"2\"]]"},
    {"regex.find_n(`a+`, \"caaab ab\", -1)", "[\"aaa\", \"a\"]"},
    {"regex.split(`\\s*,\\s*`, \"a , b,c\")", "[\"a\", \"b\", \"c\"]"},
    {"regex.replace(\"2026-11-23\", `(\\d+)-(\\d+)-(\\d+)`, \"$3/$2/$1\")", "\"23/11/2026\""},
    {"regex.globs_match(`a.*`, `.*b`)", "true"},
    {"regex.globs_match(`a+`, `b+`)", "false"},
    {"glob.match(\"*.example.com\", [\".\"], \"api.example.com\")", "true"},
    {"glob.match(\"*.example.com\", [\".\"], \"a.b.example.com\")", "false"},
    {"glob.match(\"**.example.com\", [\".\"], \"a.b.example.com\")", "true"},
    {"glob.match(\"img-?-{prod,stage}\", [], \"img-1-prod\")", "true"},
    {"glob.match(\"[!a-c]x\", null, \"dx\")", "true"},
    {"glob.quote_meta(\"*.{a,b}\")", "\"\\\\*.\\\\{a,b\\\\}\""},
};

const Row kEncoding[] = {
    {"json.marshal({\"b\": [1, {2}], \"a\": null})", "\"{\\\"a\\\":null,\\\"b\\\":[1,[2]]}\""},
    {"json.unmarshal(`{\"a\": [1, 2.5, \"x\"]}`)", "{\"a\": [1, 2.5, \"x\"]}"},
    {"json.is_valid(`{\"a\": }`)", "false"},
    {"json.remove({\"a\": {\"b\": 1, \"c\": 2}, \"d\": 3}, [\"a/b\", [\"d\"]])",
     "{\"a\": {\"c\": 2}}"},
    {"json.filter({\"a\": {\"b\": 1, \"c\": 2}, \"d\": 3}, [\"a/b\"])", "{\"a\": {\"b\": 1}}"},
    {"yaml.unmarshal(\"a: [1, x]\\nb: true\\n\")", "{\"a\": [1, \"x\"], \"b\": true}"},
    {"yaml.marshal({\"a\": 1})", "\"a: 1\\n\""},
    {"yaml.is_valid(\"a: [\")", "false"},
    {"base64.encode(\"hello\")", "\"aGVsbG8=\""},
    {"base64.decode(\"aGVsbG8=\")", "\"hello\""},
    {"base64.is_valid(\"a===\")", "false"},
    {"base64url.encode(\"\\u00ff\\u00fe\")", "\"w7_Dvg==\""},
    {"base64url.encode_no_pad(\"secret\")", "\"c2VjcmV0\""},
    {"base64url.decode(\"c2VjcmV0\")", "\"secret\""},
    {"hex.encode(\"AZ\")", "\"415a\""},
    {"hex.decode(\"415a\")", "\"AZ\""},
    {"crypto.sha256(\"abc\")",
     "\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\""},
    {"crypto.hmac.sha256(\"data\", \"key\")",
     "\"5031fe3d989c6d1537a013fa6e739da23463fdaec3b70137d828e36ace221bd0\""},
    {"io.jwt.decode(io.jwt.encode_sign({\"alg\": \"HS256\"}, {\"sub\": \"a\"}, {\"kty\": \"oct\", "
     "\"k\": \"c2VjcmV0\"}))[1]",
     "{\"sub\": \"a\"}"},
    {"io.jwt.decode_verify(io.jwt.encode_sign({\"alg\": \"HS256\"}, {\"iss\": \"qlrf\"}, {\"kty\": "
     "\"oct\", \"k\": \"c2VjcmV0\"}), {\"secret\": \"secret\", \"iss\": \"qlrf\"})",
     "[true, {\"alg\": \"HS256\"}, {\"iss\": \"qlrf\"}]"},
    {"io.jwt.decode_verify(io.jwt.encode_sign({\"alg\": \"HS256\"}, {}, {\"kty\": \"oct\", \"k\": "
     "\"c2VjcmV0\"}), {\"secret\": \"wrong\"})",
     "[false, {}, {}]"},
    // A nested token ("cty": "JWT") decodes to the inner token's parts.
    {"io.jwt.decode(\"eyJhbGciOiJIUzI1NiIsImN0eSI6IkpXVCJ9."
     "ZXlKaGJHY2lPaUpJVXpJMU5pSjkuZXlKemRXSWlPaUo0SW4wLnE4MA.zz8\")",
     "[{\"alg\": \"HS256\"}, {\"sub\": \"x\"}, \"abcd\"]"},
    // Nested twice, the inner token JSON-encoded as a string.
    {"io.jwt.decode(\"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImN0eSI6IkpXVCJ9."
     "ImV5SmhiR2NpT2lKSVV6STFOaUlzSW5SNWNDSTZJa3BYVkNJc0ltTjBlU0k2SWtwWFZDSjkuSW1WNVNtaGlSMk5w"
     "VDJsS1NWVjZTVEZPYVVselNXNVNOV05EU1RaSmEzQllWa05LT1M1bGVVcDZaRmRKYVU5cFNYZEphWGRwWVZoT2Vr"
     "bHFiMmxpTTBKb1NXNHdMbGh0Vm05TWIwaEpNM0I0VFhSTlQxOVhVazlPVFZOS2VrZFZSRkE1Y0VScWVUaEtjREJm"
     "ZEdSU1dGa2kuOFcwcXg0bUx4c2xtWmw3d0VNVVdCeEg3dFNUM1hzRXVXWHhlc1hxRm5SSSI."
     "U8rwnGAJ-bJoGrAYKEzNtbJQWd3x1eW0Y25nLKHDCgo\")[1]",
     "{\"iss\": \"opa\", \"sub\": \"0\"}"},
    {"uuid.parse(\"4c6b3a43-2d63-4ec1-9c3a-4e0c4e1d2f3a\")",
     "{\"variant\": \"RFC4122\", \"version\": 4}"},
    {"uuid.parse(\"nope\")", nullptr},
    {"json.patch({\"a\": [1, 2]}, [{\"op\": \"add\", \"path\": \"/a/-\", \"value\": 3}, "
     "{\"op\": \"remove\", \"path\": \"/a/0\"}, {\"op\": \"copy\", \"from\": \"/a\", "
     "\"path\": \"/b\"}])",
     "{\"a\": [2, 3], \"b\": [2, 3]}"},
    {"json.patch({\"a\": 1}, [{\"op\": \"move\", \"from\": \"/a\", \"path\": \"/c\"}])",
     "{\"c\": 1}"},
    {"json.patch({\"a\": 1}, [{\"op\": \"test\", \"path\": \"/a\", \"value\": 2}])", nullptr},
};

const Row kUnitsNetSemver[] = {
    {"units.parse_bytes(\"10KB\")", "10000"},
    {"units.parse_bytes(\"1KiB\")", "1024"},
    {"units.parse_bytes(\"1.5MiB\")", "1572864"},
    {"units.parse_bytes(\"42\")", "42"},
    {"units.parse(\"1500m\")", "1.5"},
    {"units.parse(\"2Gi\")", "2147483648"},
    {"units.parse(\"3M\")", "3000000"},
    {"net.cidr_contains(\"10.0.0.0/8\", \"10.1.2.3\")", "true"},
    {"net.cidr_contains(\"10.0.0.0/8\", \"11.0.0.1\")", "false"},
    {"net.cidr_contains(\"10.0.0.0/8\", \"10.2.0.0/16\")", "true"},
    {"net.cidr_contains(\"2001:db8::/32\", \"2001:db8::1\")", "true"},
    {"net.cidr_contains(\"2001:db8::/32\", \"10.0.0.1\")", "false"},
    {"net.cidr_intersects(\"10.0.0.0/8\", \"10.1.0.0/16\")", "true"},
    {"net.cidr_intersects(\"10.0.0.0/16\", \"10.1.0.0/16\")", "false"},
    {"net.cidr_is_valid(\"10.0.0.0/33\")", "false"},
    {"semver.compare(\"1.0.0-alpha\", \"1.0.0\")", "-1"},
    {"semver.compare(\"1.0.0-alpha.1\", \"1.0.0-alpha.beta\")", "-1"},
    {"semver.compare(\"2.0.0\", \"1.10.0\")", "1"},
    {"semver.compare(\"1.2.3+build\", \"1.2.3\")", "0"},
    {"semver.is_valid(\"1.2\")", "false"},
    {"semver.is_valid(\"1.2.3-rc.1+b.5\")", "true"},
};

const Row kTime[] = {
    {"time.now_ns()", "1767225600000000000"},
    {"time.parse_rfc3339_ns(\"2017-06-02T19:00:00-07:00\")", "1496455200000000000"},
    {"time.parse_rfc3339_ns(\"1970-01-01T00:00:00.5Z\")", "500000000"},
    {"time.add_date(0, 1, 1, 1)", "34300800000000000"},
    {"time.add_date(1580428800000000000, 0, 1, 0)", "1583107200000000000"},
    {"time.date(1583107200000000000)", "[2020, 3, 2]"},
    {"time.date([1583107200000000000, \"UTC\"])", "[2020, 3, 2]"},
    {"time.clock(1583110923000000000)", "[1, 2, 3]"},
    {"time.weekday(0)", "\"Thursday\""},
    {"time.weekday(-1)", "\"Wednesday\""},
    {"time.format(1583107200123000000)", "\"2020-03-02T00:00:00.123Z\""},
    {"time.parse_duration_ns(\"1h30m\")", "5400000000000"},
    {"time.parse_duration_ns(\"-1.5s\")", "-1500000000"},
    {"time.parse_duration_ns(\"300ms\")", "300000000"},
    {"time.parse_ns(\"2006-01-02\", \"2017-06-02\")", "1496361600000000000"},
    {"time.parse_ns(\"RFC822Z\", \"02 Jan 06 15:04 -0700\")", "1136239440000000000"},
    {"time.parse_ns(\"3:04PM\", \"1:30PM\")", "48600000000000"},
    {"time.format([1496361600123000000, \"UTC\", \"Mon Jan _2 15:04:05.000 2006\"])",
     "\"Fri Jun  2 00:00:00.123 2017\""},
    // IANA zones from the system database: offsets, daylight saving time, abbreviations.
    {"time.clock([1517832000000000000, \"America/New_York\"])", "[7, 0, 0]"},
    {"time.clock([1530446400000000000, \"America/New_York\"])", "[8, 0, 0]"},
    {"time.date([1517832000000000000, \"Pacific/Kiritimati\"])", "[2018, 2, 6]"},
    {"time.weekday([1517832000000000000, \"Pacific/Kiritimati\"])", "\"Tuesday\""},
    {"time.format([1517832000000000000, \"America/New_York\"])", "\"2018-02-05T07:00:00-05:00\""},
    {"time.format([1517832000000000000, \"Asia/Kolkata\", \"15:04 MST -0700 Z07:00\"])",
     "\"17:30 IST +0530 +05:30\""},
    {"time.diff(0, 34300800000000000)", "[1, 1, 1, 0, 0, 0]"},
    {"time.diff(1612051200000000000, 1646137805000000000)", "[1, 1, 1, 12, 30, 5]"},
};

struct ErrorRow {
  const char* expr;
  const char* code;
  const char* message;  // substring
};

const ErrorRow kErrors[] = {
    {"1 / 0", "eval_builtin_error", "div: divide by zero"},
    {"io.jwt.decode(\"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIwIiwia/XNzIjoib3BhIn0.AA\")",
     "eval_builtin_error",
     "io.jwt.decode: JWT payload had invalid encoding: illegal base64 data at input byte 17"},
    {"base64url.decode(\"a+b/\")", "eval_builtin_error", "illegal base64 data at input byte 1"},
    {"io.jwt.decode(\"eyJhbGciOiJIUzI1NiIsImVuYyI6ImJsYWgifQ.e30.AA\")", "eval_builtin_error",
     "io.jwt.decode: JWT is a JWE object, which is not supported"},
    {"strings.split_n(\"a.b\", \".\", 1.5)", "eval_type_error",
     "strings.split_n: operand 3 must be integer number but got floating-point number"},
    {"time.clock([0, \"Nowhere/City\"])", "eval_builtin_error",
     "time.clock: unknown time zone Nowhere/City"},
    {"time.clock([0, \"../../etc/passwd\"])", "eval_builtin_error", "unknown time zone"},
    {"time.date(1582977600 * 1000 * 1000 * 1000 * 1000)", "eval_builtin_error",
     "time.date: timestamp too big"},
    {"1.5 % 1", "eval_builtin_error", "rem: modulo on floating-point number"},
    {"1 % 0", "eval_builtin_error", "rem: modulo by zero"},
    // [v][0] hides the argument's type from the compile-time check.
    {"[\"a\"][0] + 1", "eval_type_error", "plus: operand 1 must be number but got string"},
    {"count([1][0])", "eval_type_error", "count: operand 1 must be one of"},
    {"sum([1, \"a\"])", "eval_type_error", "sum: operand 1 must be collection of numbers"},
    {"substring(\"abc\", -1, 1)", "eval_builtin_error", "substring: negative offset"},
    {"format_int(1, 3)", "eval_builtin_error", "format_int: operand 2 must be one of"},
    {"json.unmarshal(\"{\")", "eval_builtin_error", "json.unmarshal: malformed JSON"},
    {"yaml.unmarshal(\"a: [\")", "eval_builtin_error", "yaml.unmarshal:"},
    {"time.parse_rfc3339_ns(\"2017-13-01T00:00:00Z\")", "eval_builtin_error", "cannot parse"},
    {"time.parse_rfc3339_ns(\"2262-04-11T23:47:16.854775808Z\")", "eval_builtin_error",
     "time outside of valid range"},
    {"time.parse_duration_ns(\"5 parsecs\")", "eval_builtin_error", "time: unknown unit"},
    {"time.parse_ns(\"2006-01-02\", \"June 2\")", "eval_builtin_error", "cannot parse"},
    {"units.parse_bytes(\"12XB\")", "eval_builtin_error", "byte unit XB not recognized"},
    {"units.parse(\"K\")", "eval_builtin_error", "units.parse: no amount provided"},
    {"semver.compare(\"1.0\", \"1.0.0\")", "eval_builtin_error", "is not a valid SemVer"},
    {"regex.match(\"a(\", \"a\")", "eval_builtin_error", "missing closing )"},
    {"regex.match(\"[z-a]\", \"a\")", "eval_builtin_error", "invalid character class range"},
    {"regex.match(\"a**\", \"a\")", "eval_builtin_error", "invalid nested repetition operator"},
    {"regex.match(\"a{1001}\", \"a\")", "eval_builtin_error", "invalid repeat count"},
    {"glob.match(\"[abc\", [], \"a\")", "eval_builtin_error", "syntax error in pattern"},
    {"regex.globs_match(\"]\", \"a\")", "eval_builtin_error", "set-close ']' with no preceding"},
    {"numbers.range(0, 100000000)", "eval_builtin_error", "range too large"},
    {"net.cidr_contains(\"10.0.0.1\", \"10.0.0.1\")", "eval_builtin_error", "invalid CIDR"},
    {"object.get([[]][0], \"a\", 1)", "eval_type_error", "object.get: operand 1 must be object"},
    {"io.jwt.decode(\"abc\")", "eval_builtin_error", "no period separators"},
    {"base64.decode(\"@@@\")", "eval_builtin_error", "illegal base64 data"},
    {"to_number(\"12x\")", "eval_builtin_error", "invalid syntax"},
};

class Builtins : public ::testing::Test {
 protected:
  void SetUp() override {
    Compiler compiler;
    ASSERT_TRUE(compiler.AddModule("p.rego", "package p\n"));
    auto set = compiler.Compile();
    ASSERT_TRUE(set.has_value());
    set_ = std::make_unique<PolicySet>(std::move(*set));
    options_.clock = &clock_;
    options_.random = &random_;
    options_.strict_builtin_errors = true;
  }

  void Check(std::span<const Row> rows) {
    for (const Row& row : rows) {
      auto r = set_->Query(std::string("x := ") + row.expr, nullptr, options_);
      ASSERT_TRUE(r.has_value()) << row.expr << ": " << r.error().ToString();
      if (row.want == nullptr) {
        EXPECT_TRUE(r->rows.empty()) << row.expr;
        continue;
      }
      ASSERT_EQ(r->rows.size(), 1u) << row.expr;
      bj::value want = bj::parse(row.want);
      const bj::value& got = r->rows[0].bindings.at("x");
      if (want.is_double() || got.is_double()) {
        EXPECT_DOUBLE_EQ(got.to_number<double>(), want.to_number<double>()) << row.expr;
      } else {
        EXPECT_EQ(got, want) << row.expr << " gave " << bj::serialize(got);
      }
    }
  }

  testing::FakeClock clock_;
  testing::FakeRandom random_{9};
  EvalOptions options_;
  std::unique_ptr<PolicySet> set_;
};

TEST_F(Builtins, Comparison) { Check(kComparison); }
TEST_F(Builtins, Arithmetic) { Check(kArithmetic); }
TEST_F(Builtins, SetsAndAggregates) { Check(kSetsAndAggregates); }
TEST_F(Builtins, ArraysAndObjects) { Check(kArraysAndObjects); }
TEST_F(Builtins, Types) { Check(kTypes); }
TEST_F(Builtins, Strings) { Check(kStrings); }
TEST_F(Builtins, Sprintf) { Check(kSprintf); }
TEST_F(Builtins, RegexAndGlob) { Check(kRegexAndGlob); }
TEST_F(Builtins, Encoding) { Check(kEncoding); }
TEST_F(Builtins, UnitsNetSemver) { Check(kUnitsNetSemver); }
TEST_F(Builtins, Time) { Check(kTime); }

TEST_F(Builtins, ErrorsCarryTheirCodeAndMessageInStrictMode) {
  for (const ErrorRow& row : kErrors) {
    auto r = set_->Query(std::string("x := ") + row.expr, nullptr, options_);
    ASSERT_FALSE(r.has_value()) << row.expr;
    RegoErrorInfo e = DescribeError(r.error());
    EXPECT_EQ(e.code, row.code) << row.expr << ": " << e.message;
    EXPECT_NE(e.message.find(row.message), std::string::npos) << row.expr << ": " << e.message;
  }
}

TEST_F(Builtins, ErrorsMakeTheExpressionUndefinedOtherwise) {
  EvalOptions lenient = options_;
  lenient.strict_builtin_errors = false;
  for (const ErrorRow& row : kErrors) {
    auto r = set_->Query(std::string("x := ") + row.expr, nullptr, lenient);
    ASSERT_TRUE(r.has_value()) << row.expr << ": " << r.error().ToString();
    EXPECT_TRUE(r->rows.empty()) << row.expr;
  }
}

TEST_F(Builtins, RegexMatchingIsLinearOnPathologicalPatterns) {
  // (a*)*b against a long run of a's backtracks exponentially in a backtracking engine.
  std::string subject(20000, 'a');
  auto r = set_->Query("x := regex.match(`^(a*)*b$`, input.s)", nullptr, options_);
  ASSERT_TRUE(r.has_value());
  bj::value input = {{"s", subject}};
  auto m = set_->Query("x := regex.match(`^(a*)*b$`, input.s)", &input, options_);
  ASSERT_TRUE(m.has_value());
  ASSERT_EQ(m->rows.size(), 1u);
  EXPECT_EQ(m->rows[0].bindings.at("x"), bj::value(false));
}

}  // namespace
}  // namespace qlrf::policy
