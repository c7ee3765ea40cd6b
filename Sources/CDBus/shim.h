#ifndef CALLPOP_CDBUS_SHIM_H
#define CALLPOP_CDBUS_SHIM_H
#include <dbus/dbus.h>

/* Typed wrappers over libdbus' untyped `void *` iterator calls, so the Swift
 * side never guesses what a pointer must point to. Strings cover the three
 * string-like D-Bus types: 's', 'o' and 'g'. */

static inline dbus_bool_t callpop_iter_append_string(DBusMessageIter *iter, int type, const char *value) {
    return dbus_message_iter_append_basic(iter, type, &value);
}

static inline const char *callpop_iter_get_string(DBusMessageIter *iter) {
    const char *value = NULL;
    dbus_message_iter_get_basic(iter, &value);
    return value;
}

static inline dbus_bool_t callpop_iter_append_u64(DBusMessageIter *iter, int type, unsigned long long value) {
    /* Every fixed-size type up to 64 bits is read from the start of a
     * DBusBasicValue, so store it in the member of its own width. */
    DBusBasicValue basic;
    switch (type) {
    case DBUS_TYPE_BYTE: basic.byt = (unsigned char)value; break;
    case DBUS_TYPE_BOOLEAN: basic.bool_val = (dbus_bool_t)value; break;
    case DBUS_TYPE_INT16: case DBUS_TYPE_UINT16: basic.u16 = (dbus_uint16_t)value; break;
    case DBUS_TYPE_INT32: case DBUS_TYPE_UINT32: basic.u32 = (dbus_uint32_t)value; break;
    default: basic.u64 = value; break;
    }
    return dbus_message_iter_append_basic(iter, type, &basic);
}

static inline dbus_bool_t callpop_iter_append_double(DBusMessageIter *iter, double value) {
    return dbus_message_iter_append_basic(iter, DBUS_TYPE_DOUBLE, &value);
}

/* Reads any fixed-size integer-like value (y b n q i u x t), widened. */
static inline unsigned long long callpop_iter_get_fixed(DBusMessageIter *iter) {
    DBusBasicValue basic;
    basic.u64 = 0;
    dbus_message_iter_get_basic(iter, &basic);
    switch (dbus_message_iter_get_arg_type(iter)) {
    case DBUS_TYPE_BYTE: return basic.byt;
    case DBUS_TYPE_BOOLEAN: return basic.bool_val;
    case DBUS_TYPE_INT16: case DBUS_TYPE_UINT16: return basic.u16;
    case DBUS_TYPE_INT32: case DBUS_TYPE_UINT32: return basic.u32;
    default: return basic.u64;
    }
}

static inline double callpop_iter_get_double(DBusMessageIter *iter) {
    double value = 0;
    dbus_message_iter_get_basic(iter, &value);
    return value;
}

#endif
