/* AArch64 features: Advanced SIMD (NEON) and the int8 dot product (SDOT/UDOT, ARMv8.2 dotprod).
 * NEON is architectural on AArch64, but Linux still reports it (HWCAP_ASIMD); we trust the kernel. */
#if defined(__linux__)
#define _GNU_SOURCE /* getauxval */
#endif
#include "pl_internal.h"

#if defined(__linux__)
#include <sys/auxv.h>
/* the bits of AT_HWCAP, as the kernel defines them (asm/hwcap.h), in case libc's headers lack them */
#ifndef HWCAP_ASIMD
#define HWCAP_ASIMD (1UL << 1)
#endif
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1UL << 20)
#endif
#elif defined(__APPLE__)
#include <sys/sysctl.h>
#endif

int32_t pl_cpu_detect_arm(void) {
    int32_t f = 0;
#if defined(__linux__)
    const unsigned long hw = getauxval(AT_HWCAP);
    if (hw & HWCAP_ASIMD) f |= PL_CPU_NEON;
    if (hw & HWCAP_ASIMDDP) f |= PL_CPU_DOTPROD;
#elif defined(__APPLE__)
    f |= PL_CPU_NEON; /* every Apple silicon core */
    {
        int v = 0;
        size_t len = sizeof(v);
        if (sysctlbyname("hw.optional.arm.FEAT_DotProd", &v, &len, NULL, 0) == 0 && v) f |= PL_CPU_DOTPROD;
    }
#elif defined(__aarch64__) || defined(_M_ARM64)
    f |= PL_CPU_NEON; /* other OSes: baseline AArch64 only */
#endif
    return f;
}
