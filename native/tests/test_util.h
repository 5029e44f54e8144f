// Shared helpers for the native tests: random data, RAII contexts, reference ISA switching.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "panllama.h"

namespace pltest {

inline std::vector<float> randn(size_t n, uint32_t seed, float scale = 1.0f) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> d(0.0f, scale);
    std::vector<float> v(n);
    for (auto &x : v) x = d(rng);
    return v;
}

struct Ctx {
    pl_ctx *ctx;
    explicit Ctx(int n = 2) : ctx(pl_ctx_create(n)) {}
    ~Ctx() { pl_ctx_destroy(ctx); }
    operator pl_ctx *() const { return ctx; }
};

// One context per thread count (1..7) for the whole binary, never destroyed: creating threads per
// call would dominate the tests' time.
inline pl_ctx *shared_ctx(int threads) {
    static pl_ctx *ctxs[8] = {};
    if (ctxs[threads] == nullptr) ctxs[threads] = pl_ctx_create(threads);
    return ctxs[threads];
}

// The ISA the test binary runs under (PANLLAMA_ISA), restored after computing a scalar reference.
struct UseIsa {
    int32_t saved;
    explicit UseIsa(int32_t isa) : saved(pl_isa_active()) { EXPECT_EQ(pl_isa_force(isa), PL_OK); }
    ~UseIsa() { pl_isa_force(saved); }
};

// compute() under the scalar ISA, then under the active one: the outputs must be equal bit for bit.
template <class F>
void expect_scalar_bits(F compute, const std::string &what) {
    std::vector<float> ref;
    {
        UseIsa scalar(PL_ISA_SCALAR);
        ref = compute();
    }
    const std::vector<float> y = compute();
    ASSERT_EQ(ref.size(), y.size()) << what;
    EXPECT_EQ(0, std::memcmp(ref.data(), y.data(), y.size() * 4)) << what;
}

inline std::vector<uint8_t> quantize(int32_t type, const std::vector<float> &x) {
    std::vector<uint8_t> q((size_t)pl_type_row_bytes(type, (pl_i64)x.size()));
    EXPECT_EQ(pl_quantize(type, x.data(), (pl_i64)x.size(), q.data(), (pl_i64)q.size()), PL_OK);
    return q;
}

inline std::vector<float> dequantize(int32_t type, const std::vector<uint8_t> &q, size_t n) {
    std::vector<float> x(n);
    EXPECT_EQ(pl_dequantize(type, q.data(), (pl_i64)q.size(), x.data(), (pl_i64)n), PL_OK);
    return x;
}

inline float max_abs_diff(const std::vector<float> &a, const std::vector<float> &b) {
    float m = 0;
    for (size_t i = 0; i < a.size(); i++) m = std::fmax(m, std::fabs(a[i] - b[i]));
    return m;
}

}  // namespace pltest
