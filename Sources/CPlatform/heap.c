#include <malloc.h>
#include "callpop_platform.h"

size_t callpop_heap_in_use(void) {
    return mallinfo2().uordblks;
}
