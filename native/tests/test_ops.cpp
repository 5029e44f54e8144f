// Row and element-wise ops against double-precision references, on the ISA under test.
#include "test_util.h"

using namespace pltest;

// RMSNorm: float products and one float scale vs double: a few ulps, 1e-5 relative (+ tiny abs).
TEST(Ops, RmsnormMatchesDouble) {
    Ctx ctx(2);
    for (int64_t n : {1, 7, 576, 4099}) {
        const int32_t rows = 3;
        auto x = randn((size_t)(n * rows), 1), w = randn((size_t)n, 2);
        std::vector<float> y(x.size());
        ASSERT_EQ(pl_rmsnorm(ctx, x.data(), w.data(), y.data(), n, rows, 1e-5f), PL_OK);
        for (int32_t r = 0; r < rows; r++) {
            double ss = 0;
            for (int64_t i = 0; i < n; i++) ss += (double)x[r * n + i] * x[r * n + i];
            const double scale = 1.0 / std::sqrt(ss / (double)n + 1e-5);
            for (int64_t i = 0; i < n; i++) {
                const double want = x[r * n + i] * scale * w[i];
                ASSERT_NEAR(y[r * n + i], want, 1e-5 * std::fabs(want) + 1e-7) << "n=" << n;
            }
        }
        // in place (y aliases x) gives the same
        auto x2 = x;
        ASSERT_EQ(pl_rmsnorm(ctx, x2.data(), w.data(), x2.data(), n, rows, 1e-5f), PL_OK);
        ASSERT_EQ(0, std::memcmp(x2.data(), y.data(), y.size() * 4));
    }
}

TEST(Ops, AddAndSwiglu) {
    Ctx ctx(3);
    for (int64_t n : {0, 5, 1000, 100003}) {  // the largest runs on the pool in chunks
        auto a = randn((size_t)n, 3), b = randn((size_t)n, 4);
        std::vector<float> y((size_t)n), s((size_t)n);
        ASSERT_EQ(pl_add(ctx, a.data(), b.data(), y.data(), n), PL_OK);
        for (int64_t i = 0; i < n; i++) ASSERT_EQ(y[i], a[i] + b[i]);  // one rounding: exact
        ASSERT_EQ(pl_swiglu(ctx, a.data(), b.data(), s.data(), n), PL_OK);
        for (int64_t i = 0; i < n; i++) {
            const double g = a[i], want = g / (1.0 + std::exp(-g)) * b[i];
            // expf and three float operations: a few ulps
            ASSERT_NEAR(s[i], want, 4e-7 * std::fabs(want) + 1e-30) << i;
        }
    }
}

TEST(Ops, SoftmaxMatchesDouble) {
    for (int64_t n : {1, 3, 100, 4097}) {
        auto x = randn((size_t)(n * 2), 5, 5.0f);
        x[0] = 80.0f;  // large logits must not overflow (stable softmax)
        auto y = x;
        ASSERT_EQ(pl_softmax(y.data(), n, 2), PL_OK);
        for (int r = 0; r < 2; r++) {
            double mx = -1e300, sum = 0;
            for (int64_t i = 0; i < n; i++) mx = std::fmax(mx, x[r * n + i]);
            for (int64_t i = 0; i < n; i++) sum += std::exp((double)x[r * n + i] - mx);
            for (int64_t i = 0; i < n; i++) {
                const double want = std::exp((double)x[r * n + i] - mx) / sum;
                ASSERT_NEAR(y[r * n + i], want, 2e-6 * want + 1e-12) << "n=" << n;
            }
        }
    }
    float z = 0;
    EXPECT_EQ(pl_softmax(nullptr, 1, 1), PL_ERR_NULL);
    EXPECT_EQ(pl_softmax(&z, 0, 1), PL_ERR_ARG);
}

// The table follows ggml's rope cache exactly: theta starts at p and is multiplied by
// base^(-2/n_rot) in float for each pair, then divided by the frequency factor.
TEST(Rope, TableMatchesGgmlRecurrence) {
    const int32_t n_pos = 300, n_rot = 64;
    const float base = 10000.0f;
    std::vector<float> ff(n_rot / 2);
    for (int i = 0; i < n_rot / 2; i++) ff[i] = 1.0f + (float)i / 8.0f;
    for (const float *f : {(const float *)nullptr, (const float *)ff.data()}) {
        std::vector<float> table((size_t)n_pos * n_rot);
        ASSERT_EQ(pl_rope_table(table.data(), (pl_i64)table.size(), n_pos, n_rot, base, f), PL_OK);
        const float scale = std::pow(base, -2.0f / n_rot);
        for (int32_t p = 0; p < n_pos; p++) {
            float th = (float)p;
            for (int32_t i = 0; i < n_rot / 2; i++) {
                const float a = th / (f ? f[i] : 1.0f);
                ASSERT_EQ(table[(p * n_rot / 2 + i) * 2], std::cos(a));
                ASSERT_EQ(table[(p * n_rot / 2 + i) * 2 + 1], std::sin(a));
                // and close to the exact angle: float recurrence error grows ~ p * (i+1) ulps
                const double exact = p * std::pow((double)base, -2.0 * i / n_rot) / (f ? f[i] : 1.0);
                ASSERT_NEAR(table[(p * n_rot / 2 + i) * 2], std::cos(exact), 1e-6 + 2.4e-7 * p * (i + 1));
                th *= scale;
            }
        }
    }
    float t[4];
    EXPECT_EQ(pl_rope_table(t, 3, 1, 4, base, nullptr), PL_ERR_SIZE);
    EXPECT_EQ(pl_rope_table(t, 4, 1, 3, base, nullptr), PL_ERR_ARG);
}

TEST(Rope, RotatesPairsOrHalvesAndLeavesTheRest) {
    Ctx ctx(2);
    const int32_t n_tok = 3, n_heads = 2, head_dim = 16, n_rot = 8, n_pos = 10;
    std::vector<float> table((size_t)n_pos * n_rot);
    ASSERT_EQ(pl_rope_table(table.data(), (pl_i64)table.size(), n_pos, n_rot, 500.0f, nullptr), PL_OK);
    std::vector<int32_t> pos = {0, 7, 3};
    for (int32_t mode : {PL_ROPE_NORMAL, PL_ROPE_NEOX}) {
        auto x = randn((size_t)(n_tok * n_heads * head_dim), 9);
        auto y = x;
        ASSERT_EQ(pl_rope(ctx, y.data(), n_tok, n_heads, head_dim, n_rot, pos.data(), table.data(), n_pos, mode), PL_OK);
        for (int32_t t = 0; t < n_tok; t++)
            for (int32_t h = 0; h < n_heads; h++) {
                const float *in = x.data() + (t * n_heads + h) * head_dim;
                const float *out = y.data() + (t * n_heads + h) * head_dim;
                for (int32_t i = 0; i < n_rot / 2; i++) {
                    const double a = pos[t] * std::pow(500.0, -2.0 * i / n_rot);
                    const int i0 = mode == PL_ROPE_NEOX ? i : 2 * i, i1 = mode == PL_ROPE_NEOX ? i + n_rot / 2 : 2 * i + 1;
                    ASSERT_NEAR(out[i0], in[i0] * std::cos(a) - in[i1] * std::sin(a), 1e-5);
                    ASSERT_NEAR(out[i1], in[i0] * std::sin(a) + in[i1] * std::cos(a), 1e-5);
                }
                for (int32_t d = n_rot; d < head_dim; d++) ASSERT_EQ(out[d], in[d]);  // partial rotary dims
            }
    }
    std::vector<float> x(n_tok * n_heads * head_dim);
    pos[1] = n_pos;  // out of the table
    EXPECT_EQ(pl_rope(ctx, x.data(), n_tok, n_heads, head_dim, n_rot, pos.data(), table.data(), n_pos, 0), PL_ERR_ARG);
    pos[1] = 1;
    EXPECT_EQ(pl_rope(ctx, x.data(), n_tok, n_heads, head_dim, 18, pos.data(), table.data(), n_pos, 0), PL_ERR_ARG);
    EXPECT_EQ(pl_rope(ctx, x.data(), n_tok, n_heads, head_dim, n_rot, pos.data(), table.data(), n_pos, 2), PL_ERR_ARG);
}

TEST(Ops, BitIdenticalForAnyThreadCount) {
    auto x = randn(576 * 37, 12), w = randn(576, 13);
    std::vector<float> first;
    for (int threads = 1; threads <= 4; threads++) {
        Ctx ctx(threads);
        std::vector<float> y(x.size()), z(x.size());
        ASSERT_EQ(pl_rmsnorm(ctx, x.data(), w.data(), y.data(), 576, 37, 1e-6f), PL_OK);
        ASSERT_EQ(pl_swiglu(ctx, x.data(), y.data(), z.data(), (pl_i64)z.size()), PL_OK);
        if (threads == 1) first = z;
        else ASSERT_EQ(0, std::memcmp(first.data(), z.data(), z.size() * 4)) << threads;
    }
}

TEST(Ops, ValidatesArguments) {
    Ctx ctx(1);
    float a[8] = {0}, b[8] = {0};
    EXPECT_EQ(pl_rmsnorm(ctx, a, b, a, 0, 1, 1e-5f), PL_ERR_ARG);
    EXPECT_EQ(pl_rmsnorm(ctx, a, b, a, 8, 1, -1.0f), PL_ERR_ARG);
    EXPECT_EQ(pl_rmsnorm(ctx, a, nullptr, a, 8, 1, 1e-5f), PL_ERR_NULL);
    EXPECT_EQ(pl_rmsnorm(nullptr, a, b, a, 8, 1, 1e-5f), PL_ERR_NULL);
    EXPECT_EQ(pl_add(ctx, a, b, a, -1), PL_ERR_ARG);
    EXPECT_EQ(pl_swiglu(ctx, a, nullptr, a, 8), PL_ERR_NULL);
    EXPECT_EQ(pl_bench_triad(ctx, a, b, nullptr, 8, 2.0f), PL_ERR_NULL);
    float c[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    ASSERT_EQ(pl_bench_triad(ctx, a, b, c, 8, 2.0f), PL_OK);
    for (int i = 0; i < 8; i++) EXPECT_EQ(a[i], 2.0f * c[i]);
}
