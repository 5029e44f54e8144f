/* Library identity: version, build description and status names. */
#include "panllama.h"
#include "pl_build_info.h"

#ifndef PL_VERSION_STRING
#define PL_VERSION_STRING "0.0.0"
#endif
#ifndef PL_BUILD_INFO_STRING
#define PL_BUILD_INFO_STRING "unknown build"
#endif

const char *pl_version(void) { return PL_VERSION_STRING; }

const char *pl_build_info(void) { return PL_BUILD_INFO_STRING; }

const char *pl_strerror(int32_t status) {
    switch (status) {
    case PL_OK: return "ok";
    case PL_ERR_ARG: return "invalid argument";
    case PL_ERR_TYPE: return "unsupported tensor type";
    case PL_ERR_SIZE: return "buffer too small";
    case PL_ERR_NOMEM: return "out of memory";
    case PL_ERR_ISA: return "instruction set not available on this CPU";
    case PL_ERR_NULL: return "null pointer";
    default: return "unknown status";
    }
}
