/* INCRBYFLOAT as Redis 7 computes it: 80-bit long double via the C library.
 *
 * Rust has no long double, so this file mirrors the behaviour of Redis's
 * string2ld (util.c), the addition in incrbyfloatCommand (t_string.c) and
 * ld2string in LD_STR_HUMAN mode. Written from the documented behaviour,
 * not copied. Everything is bounded by MAX_LONG_DOUBLE_CHARS as in Redis. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LONG_DOUBLE_CHARS (5 * 1024)

/* 1 and *out set when `s` is a valid long double by Redis's rules, else 0.
 * Rejected: empty, >= 5 KiB, a leading space, trailing bytes, overflow to
 * +-HUGE_VAL, underflow to zero with ERANGE, NaN. "inf" is accepted here
 * (as in Redis); the caller rejects infinite results. Bytes after an
 * embedded NUL are ignored, exactly as Redis's strtold on a C string. */
static int marekvs_string2ld(const unsigned char *s, size_t len, long double *out) {
    char buf[MAX_LONG_DOUBLE_CHARS];
    char *end;
    long double v;
    if (len == 0 || len >= sizeof(buf)) return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    v = strtold(buf, &end);
    if (isspace((unsigned char)buf[0]) || end[0] != '\0' ||
        (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || fpclassify(v) == FP_ZERO)) ||
        isnan(v))
        return 0;
    *out = v;
    return 1;
}

/* LD_STR_HUMAN: "%.17Lf", trailing zeros after '.' removed, then a bare '.',
 * and "-0" becomes "0". Returns the length written to out (cap bytes), or 0. */
static size_t marekvs_ld2string_human(char *out, size_t cap, long double v) {
    int n = snprintf(out, cap, "%.17Lf", v);
    size_t l;
    if (n < 0 || (size_t)n + 1 > cap) return 0;
    l = (size_t)n;
    if (memchr(out, '.', l) != NULL) {
        while (l > 0 && out[l - 1] == '0') l--;
        if (l > 0 && out[l - 1] == '.') l--;
    }
    if (l == 2 && out[0] == '-' && out[1] == '0') {
        out[0] = '0';
        l = 1;
    }
    out[l] = '\0';
    return l;
}

/* Returns: > 0 length of the result in out; -1 not a valid float;
 * -2 NaN or infinite result; -3 formatting failed (no room). */
long marekvs_incrbyfloat(const unsigned char *cur, size_t cur_len,
                         const unsigned char *incr, size_t incr_len,
                         char *out, size_t out_cap) {
    long double a, b, r;
    size_t l;
    if (!marekvs_string2ld(cur, cur_len, &a) || !marekvs_string2ld(incr, incr_len, &b)) return -1;
    r = a + b;
    if (isnan(r) || isinf(r)) return -2;
    l = marekvs_ld2string_human(out, out_cap, r);
    if (l == 0) return -3;
    return (long)l;
}

/* Redis's "%.17g" for a double reply (addReplyDouble, Redis 7.0). Finite only;
 * the caller writes inf/-inf/nan itself. Returns the length, or 0. */
size_t marekvs_format_double(double d, char *out, size_t cap) {
    int n = snprintf(out, cap, "%.17g", d);
    if (n < 0 || (size_t)n + 1 > cap) return 0;
    return (size_t)n;
}
