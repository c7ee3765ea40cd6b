#ifndef CALLPOP_CLDAP_SHIM_H
#define CALLPOP_CLDAP_SHIM_H
#include <ldap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

/* ldap_set_option and ldap_get_option take `void *`, whose meaning depends on the option:
 * these typed wrappers are the only way Swift reaches them, so a value can never be passed
 * as the wrong type. */

static inline int callpop_ldap_set_int(LDAP *ld, int option, int value) {
    return ldap_set_option(ld, option, &value);
}

static inline int callpop_ldap_set_off(LDAP *ld, int option) {
    return ldap_set_option(ld, option, LDAP_OPT_OFF);
}

static inline int callpop_ldap_set_timeout(LDAP *ld, int option, long milliseconds) {
    struct timeval value = { milliseconds / 1000, (milliseconds % 1000) * 1000 };
    return ldap_set_option(ld, option, &value);
}

static inline int callpop_ldap_set_string(LDAP *ld, int option, const char *value) {
    return ldap_set_option(ld, option, value);
}

/* The server's diagnostic message for the last operation, or NULL; free with ldap_memfree. */
static inline char *callpop_ldap_diagnostic(LDAP *ld) {
    char *message = NULL;
    if (ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &message) != LDAP_OPT_SUCCESS) return NULL;
    return message;
}

/* A simple bind (DN and password) with the handle's LDAP_OPT_TIMEOUT; the password is
 * passed with its length, never as a C string that could be cut at a NUL. */
static inline int callpop_ldap_simple_bind(LDAP *ld, const char *dn, const char *password, size_t length) {
    struct berval credentials;
    credentials.bv_val = (char *)password;
    credentials.bv_len = length;
    return ldap_sasl_bind_s(ld, dn, LDAP_SASL_SIMPLE, &credentials, NULL, NULL, NULL);
}

/* A subtree search with a client-side time limit and a size limit. */
static inline int callpop_ldap_search(LDAP *ld, const char *base, const char *filter, char **attributes,
                                      long milliseconds, int sizeLimit, LDAPMessage **result) {
    struct timeval timeout = { milliseconds / 1000, (milliseconds % 1000) * 1000 };
    return ldap_search_ext_s(ld, base, LDAP_SCOPE_SUBTREE, filter, attributes, 0, NULL, NULL, &timeout, sizeLimit, result);
}

/* The length and bytes of value `index` of a value list from ldap_get_values_len. */
static inline size_t callpop_ldap_value_length(struct berval **values, int index) { return values[index]->bv_len; }
static inline const char *callpop_ldap_value_bytes(struct berval **values, int index) { return values[index]->bv_val; }

#endif
