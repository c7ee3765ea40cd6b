// The floor callpop's idle memory is measured against: a C program that does what the
// agent must do before it waits — initialise libcurl, make a handle, connect to the session
// bus — and then waits in poll() forever, like the agent. It links libldap as the agent does
// (caller lookup), without using it, as an agent with no LDAP directory does not. Its resident
// memory is what the C libraries alone cost; whatever callpop uses above it is callpop's own.
#include <curl/curl.h>
#include <dbus/dbus.h>
#include <ldap.h>
#include <poll.h>
#include <stdio.h>

int main(void) {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 1;
    CURL *handle = curl_easy_init();
    DBusError error;
    dbus_error_init(&error);
    DBusConnection *bus = dbus_bus_get_private(DBUS_BUS_SESSION, &error);
    if (!handle || !bus) {
        fprintf(stderr, "floor: %s\n", dbus_error_is_set(&error) ? error.message : "curl_easy_init failed");
        return 1;
    }
    // Referenced, so the linker keeps libldap (--as-needed) and the loader maps it.
    volatile void *keep_ldap = (void *)ldap_initialize;
    (void)keep_ldap;
    printf("ready\n");
    fflush(stdout);
    poll(NULL, 0, -1);
    return 0;
}
