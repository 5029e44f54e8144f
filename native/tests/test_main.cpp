// Test entry point: when PANLLAMA_ISA names a path this CPU cannot run, the whole binary reports
// "skipped" (exit code 77, mapped by CTest's SKIP_RETURN_CODE) instead of silently testing another.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "panllama.h"

int main(int argc, char **argv) {
    const char *want = std::getenv("PANLLAMA_ISA");
    if (want && *want && std::strcmp(want, "auto") != 0 && std::strcmp(want, pl_isa_name(pl_isa_active())) != 0) {
        std::printf("SKIP: PANLLAMA_ISA=%s is not available on this CPU (active: %s)\n", want,
                    pl_isa_name(pl_isa_active()));
        return 77;
    }
    std::printf("kernel path under test: %s (CPU features 0x%x)\n", pl_isa_name(pl_isa_active()),
                (unsigned)pl_cpu_features());
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
