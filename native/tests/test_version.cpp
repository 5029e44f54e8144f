#include <gtest/gtest.h>
#include <cstring>
#include "panllama.h"

TEST(Version, ReportsVersionAndBuild) {
    EXPECT_STREQ(pl_version(), PL_TEST_EXPECTED_VERSION);
    EXPECT_GT(std::strlen(pl_build_info()), 5u);
    EXPECT_STREQ(pl_strerror(PL_ERR_SIZE), "buffer too small");
}
