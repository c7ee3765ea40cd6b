#ifndef CALLPOP_CDBUS_SHIM_H
#define CALLPOP_CDBUS_SHIM_H
#include <dbus/dbus.h>
#endif
