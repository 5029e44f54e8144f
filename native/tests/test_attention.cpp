// KV cache and causal attention (MHA, GQA, MQA; F32, F16, Q8_0 caches) against a double reference
// computed from the dequantized cache contents (and, for an F16 cache, q and the softmax weights
// rounded to F16, as llama.cpp does without flash attention).
#include "test_util.h"

using namespace pltest;

namespace {

struct Cache {
    int32_t type, n_kv, hd, max_ctx;
    pl_i64 bytes;
    std::vector<uint8_t> k, v;
    Cache(int32_t t, int32_t nkv, int32_t d, int32_t mc) : type(t), n_kv(nkv), hd(d), max_ctx(mc) {
        bytes = pl_kv_cache_bytes(t, nkv, d, mc);
        // Poison every row: positions a token must not see hold NaN (F32/F16) or NaN scales (Q8_0).
        k.assign((size_t)bytes, 0xff);
        v.assign((size_t)bytes, 0xff);
    }
    std::vector<float> row(const std::vector<uint8_t> &buf, int32_t h, int32_t pos) const {
        const pl_i64 rb = pl_type_row_bytes(type, hd);
        std::vector<uint8_t> r(buf.begin() + (h * (pl_i64)max_ctx + pos) * rb, buf.begin() + (h * (pl_i64)max_ctx + pos + 1) * rb);
        return dequantize(type, r, (size_t)hd);
    }
};

std::vector<float> reference(const Cache &c, const std::vector<float> &q, int32_t n_heads, int32_t n_tok, int32_t pos0,
                             float scale) {
    const int32_t group = n_heads / c.n_kv, hd = c.hd;
    std::vector<float> out((size_t)n_tok * n_heads * hd);
    for (int32_t t = 0; t < n_tok; t++)
        for (int32_t h = 0; h < n_heads; h++) {
            const int32_t g = h / group, n = pos0 + t + 1;
            std::vector<float> qrow(q.begin() + ((size_t)t * n_heads + h) * hd,
                                    q.begin() + ((size_t)t * n_heads + h + 1) * hd);
            // An F16 cache is multiplied with q rounded to F16, as llama.cpp's F16 matmul does.
            if (c.type == PL_TYPE_F16) qrow = dequantize(PL_TYPE_F16, quantize(PL_TYPE_F16, qrow), (size_t)hd);
            const float *qv = qrow.data();
            std::vector<double> s(n), acc(hd, 0.0);
            double mx = -1e300, sum = 0;
            for (int32_t j = 0; j < n; j++) {
                auto kr = c.row(c.k, g, j);
                double d = 0;
                for (int32_t i = 0; i < hd; i++) d += (double)qv[i] * kr[i];
                s[j] = d * scale;
                mx = std::fmax(mx, s[j]);
            }
            for (int32_t j = 0; j < n; j++) sum += s[j] = std::exp(s[j] - mx);
            for (int32_t j = 0; j < n; j++) {
                double p = s[j] / sum;
                // An F16 cache: llama.cpp's KQ.V converts the softmax weights to F16.
                if (c.type == PL_TYPE_F16) p = dequantize(PL_TYPE_F16, quantize(PL_TYPE_F16, {(float)p}), 1)[0];
                auto vr = c.row(c.v, g, j);
                for (int32_t i = 0; i < hd; i++) acc[i] += p * vr[i];
            }
            for (int32_t i = 0; i < hd; i++) out[((size_t)t * n_heads + h) * hd + i] = (float)acc[i];
        }
    return out;
}

}  // namespace

TEST(KvCache, SizesAndHeadDimChecks) {
    EXPECT_EQ(pl_kv_cache_bytes(PL_TYPE_F16, 3, 64, 100), 3 * 64 * 100 * 2);
    EXPECT_EQ(pl_kv_cache_bytes(PL_TYPE_F32, 3, 64, 100), 3 * 64 * 100 * 4);
    EXPECT_EQ(pl_kv_cache_bytes(PL_TYPE_Q8_0, 3, 64, 100), 3 * 2 * 34 * 100);
    EXPECT_EQ(pl_kv_cache_bytes(PL_TYPE_Q8_0, 3, 48, 100), PL_ERR_ARG);  // Q8_0 needs head_dim % 32 == 0
    EXPECT_EQ(pl_kv_cache_bytes(PL_TYPE_F16, 3, 48, 100), 3 * 48 * 100 * 2);
    EXPECT_EQ(pl_kv_cache_bytes(PL_TYPE_Q4_0, 3, 64, 100), PL_ERR_TYPE);
    EXPECT_EQ(pl_kv_cache_bytes(PL_TYPE_F16, 0, 64, 100), PL_ERR_ARG);
}

TEST(KvCache, StoreConvertsRowsIntoLayout) {
    Ctx ctx(1);
    for (int32_t type : {PL_TYPE_F32, PL_TYPE_F16, PL_TYPE_Q8_0}) {
        Cache c(type, 2, 64, 10);
        auto k = randn(3 * 2 * 64, 1), v = randn(3 * 2 * 64, 2);
        ASSERT_EQ(pl_kv_store(ctx, type, c.k.data(), c.v.data(), c.bytes, 2, 64, 10, 4, k.data(), v.data(), 3), PL_OK);
        const pl_i64 rb = pl_type_row_bytes(type, 64);
        for (int t = 0; t < 3; t++)
            for (int h = 0; h < 2; h++) {
                std::vector<float> kr(k.begin() + (t * 2 + h) * 64, k.begin() + (t * 2 + h + 1) * 64);
                auto want = quantize(type, kr);
                ASSERT_EQ(0, std::memcmp(want.data(), c.k.data() + (h * 10 + 4 + t) * rb, (size_t)rb)) << pl_type_name(type);
            }
        EXPECT_EQ(pl_kv_store(ctx, type, c.k.data(), c.v.data(), c.bytes, 2, 64, 10, 8, k.data(), v.data(), 3), PL_ERR_ARG);
        EXPECT_EQ(pl_kv_store(ctx, type, c.k.data(), c.v.data(), c.bytes - 1, 2, 64, 10, 0, k.data(), v.data(), 3),
                  PL_ERR_SIZE);
    }
}

// The F16 store converts like the reference (nearest even, subnormals kept, overflow to inf, NaNs
// quieted with sign and top payload bits) on every path, also for the values SIMD conversions get
// wrong when flushing or truncating: halfway ties, half subnormals, the overflow edge, signed zeros.
TEST(KvCache, F16StoreRoundsSpecialValuesLikeTheReference) {
    const uint32_t bits[] = {0x7fc00000u, 0xffc00001u, 0x7f800001u, 0x7fa5a5a5u, 0xff800000u, 0x7f800000u, 0x80000000u,
                             0x00000000u, 0x00000001u, 0x33000000u, 0x33000001u, 0x337fffffu, 0x33800000u, 0x38800000u,
                             0x387fe000u, 0x387ff000u, 0x477fe000u, 0x477fefffu, 0x477ff000u, 0x477fffffu, 0x3f801000u,
                             0x3f803000u, 0x3f801001u, 0xbf802fffu, 0x3c00c000u, 0x38ffe000u, 0xc77fe000u, 0x4f800000u};
    std::vector<float> k(64), v(64);
    for (size_t i = 0; i < k.size(); i++) {
        const uint32_t b = bits[i % (sizeof(bits) / sizeof(bits[0]))] ^ (i >= 32 ? 0x80000000u : 0u);
        std::memcpy(&k[i], &b, 4);
        v[i] = k[i];
    }
    Ctx ctx(1);
    Cache c(PL_TYPE_F16, 1, 64, 2);
    ASSERT_EQ(pl_kv_store(ctx, PL_TYPE_F16, c.k.data(), c.v.data(), c.bytes, 1, 64, 2, 1, k.data(), v.data(), 1), PL_OK);
    auto want = quantize(PL_TYPE_F16, k);
    for (size_t i = 0; i < 64; i++) {
        uint16_t got;
        std::memcpy(&got, c.k.data() + 128 + 2 * i, 2);
        uint16_t w;
        std::memcpy(&w, want.data() + 2 * i, 2);
        ASSERT_EQ(got, w) << "element " << i << " bits 0x" << std::hex << bits[i % (sizeof(bits) / sizeof(bits[0]))];
    }
}

// Online softmax over blocks of 64 positions in float vs a two-pass double softmax: outputs are convex
// combinations of V rows, so the error is bounded relative to max|V|: float dot products over
// head_dim terms and exp of slightly perturbed scores, ~1e-6; 2e-5 * max|V| leaves margin. A wrong
// mask (seeing a future position) or a wrong KV head changes outputs by O(max|V|).
TEST(Attention, MatchesDoubleReference) {
    struct {
        int32_t n_heads, n_kv;
    } shapes[] = {{4, 4}, {6, 2}, {4, 1}};
    struct {
        int32_t pos0, n_tok;
    } steps[] = {{0, 37}, {150, 1}, {90, 20}, {600, 1}, {530, 3}};  // >= 512 positions: split into segments
    for (int32_t type : {PL_TYPE_F32, PL_TYPE_F16, PL_TYPE_Q8_0})
        for (int32_t hd : {64, 40}) {
            if (type == PL_TYPE_Q8_0 && hd % 32) continue;
            for (auto sh : shapes)
                for (auto st : steps) {
                    Ctx ctx(3);
                    Cache c(type, sh.n_kv, hd, 640);
                    const int32_t n = st.pos0 + st.n_tok;
                    auto k = randn((size_t)n * sh.n_kv * hd, 3), v = randn((size_t)n * sh.n_kv * hd, 4);
                    ASSERT_EQ(pl_kv_store(ctx, type, c.k.data(), c.v.data(), c.bytes, sh.n_kv, hd, 640, 0, k.data(),
                                          v.data(), n),
                              PL_OK);
                    auto q = randn((size_t)st.n_tok * sh.n_heads * hd, 5);
                    const float scale = 1.0f / std::sqrt((float)hd);
                    std::vector<float> out(q.size());
                    ASSERT_EQ(pl_attention(ctx, type, c.k.data(), c.v.data(), c.bytes, sh.n_kv, hd, 640, q.data(),
                                           sh.n_heads, st.n_tok, st.pos0, scale, out.data()),
                              PL_OK);
                    auto want = reference(c, q, sh.n_heads, st.n_tok, st.pos0, scale);
                    float vmax = 0;
                    for (float f : v) vmax = std::fmax(vmax, std::fabs(f));
                    // F16: a weight computed in float may round to the neighbouring F16 value of the
                    // double reference's (one F16 ulp, 2^-11 relative); all such flips together move an
                    // output by at most 2^-11 * max|V|. Test F16WeightsAreRoundedToF16 checks the rounding.
                    const float tol = (type == PL_TYPE_F16 ? 4.9e-4f : 2e-5f) * vmax;
                    for (size_t i = 0; i < out.size(); i++)
                        ASSERT_NEAR(out[i], want[i], tol)
                            << pl_type_name(type) << " hd=" << hd << " heads=" << sh.n_heads << "/" << sh.n_kv
                            << " pos0=" << st.pos0 << " n_tok=" << st.n_tok << " i=" << i;
                }
        }
}

// With the last 64 V rows unit vectors (others 0) the output of one head is 64 of its softmax weights. An F16
// cache must hand them over rounded to F16 (llama.cpp's KQ.V operand), each within one F16 ulp of
// the exact weight; an F32 cache keeps float weights. Decode at 40 and 600 positions (the latter
// split into segments), and a 20-token batch.
TEST(Attention, F16WeightsAreRoundedToF16) {
    const int32_t hd = 64, max_ctx = 700;
    for (int32_t type : {PL_TYPE_F16, PL_TYPE_F32})
        for (auto st : std::vector<std::pair<int32_t, int32_t>>{{39, 1}, {599, 1}, {20, 20}}) {
            const int32_t pos0 = st.first, n_tok = st.second, n = pos0 + n_tok;
            Ctx ctx(2);
            Cache c(type, 1, hd, max_ctx);
            auto k = randn((size_t)n * hd, 11);
            std::vector<float> v((size_t)n * hd, 0.0f);
            for (int32_t j = n > hd ? n - hd : 0; j < n; j++) v[(size_t)j * hd + j % hd] = 1.0f;  // last 64: one dim each
            ASSERT_EQ(pl_kv_store(ctx, type, c.k.data(), c.v.data(), c.bytes, 1, hd, max_ctx, 0, k.data(), v.data(), n), PL_OK);
            auto q = randn((size_t)n_tok * hd, 12);
            for (float &f : q) f *= 3.0f;  // peaked weights: large and tiny ones
            std::vector<float> out(q.size());
            const float scale = 1.0f / 8.0f;
            ASSERT_EQ(pl_attention(ctx, type, c.k.data(), c.v.data(), c.bytes, 1, hd, max_ctx, q.data(), 1, n_tok, pos0, scale,
                                   out.data()),
                      PL_OK);
            auto want = reference(c, q, 1, n_tok, pos0, scale);  // rounds the weights for F16
            int not_f16 = 0;
            for (int32_t t = 0; t < n_tok; t++) {
                for (int32_t d = 0; d < hd; d++) {
                    const float o = out[(size_t)t * hd + d];
                    const float r = dequantize(PL_TYPE_F16, quantize(PL_TYPE_F16, {o}), 1)[0];
                    if (r != o) not_f16++;
                    if (type == PL_TYPE_F16) {  // o is one weight (or 0)
                        ASSERT_EQ(r, o) << "weight not rounded to F16: pos0=" << pos0 << " t=" << t << " d=" << d;
                        ASSERT_NEAR(o, want[(size_t)t * hd + d], std::ldexp(std::fabs(want[(size_t)t * hd + d]), -10));
                    }
                }
            }
            if (type == PL_TYPE_F32) EXPECT_GT(not_f16, 0) << "float weights expected for an F32 cache";
        }
}

TEST(Attention, BitIdenticalForAnyThreadCount) {
    const int32_t n_kv = 3, n_heads = 9, hd = 64, max_ctx = 1200, n = 1100;  // decode splits 1100 positions
    auto k = randn((size_t)n * n_kv * hd, 7), v = randn((size_t)n * n_kv * hd, 8);
    auto q = randn((size_t)40 * n_heads * hd, 9);
    std::vector<float> first;
    for (int threads = 1; threads <= 4; threads++) {
        Ctx ctx(threads);
        Cache c(PL_TYPE_F16, n_kv, hd, max_ctx);
        ASSERT_EQ(pl_kv_store(ctx, PL_TYPE_F16, c.k.data(), c.v.data(), c.bytes, n_kv, hd, max_ctx, 0, k.data(), v.data(), n),
                  PL_OK);
        std::vector<float> out(q.size());
        ASSERT_EQ(pl_attention(ctx, PL_TYPE_F16, c.k.data(), c.v.data(), c.bytes, n_kv, hd, max_ctx, q.data(), n_heads, 40,
                               n - 40, 0.125f, out.data()),
                  PL_OK);
        std::vector<float> dec((size_t)n_heads * hd);  // one token at the last position
        ASSERT_EQ(pl_attention(ctx, PL_TYPE_F16, c.k.data(), c.v.data(), c.bytes, n_kv, hd, max_ctx, q.data(), n_heads, 1,
                               n - 1, 0.125f, dec.data()),
                  PL_OK);
        out.insert(out.end(), dec.begin(), dec.end());
        if (threads == 1) first = out;
        else ASSERT_EQ(0, std::memcmp(first.data(), out.data(), out.size() * 4)) << threads;
    }
}

// A token attends with the same bits alone (decode) as inside a batch (prefill): each score and each
// value element is computed in one order whatever the number of heads, rows or tokens per kernel call.
// Groups of 1, 3 and 5 heads (odd: the kernels pair heads), head dims with a tail (36), positions not a
// multiple of the row tiles; up to 512 positions (longer decode splits into segments, whose softmax sums
// associate differently).
TEST(Attention, DecodeEqualsBatchBitForBit) {
    struct {
        int32_t n_heads, n_kv;
    } shapes[] = {{3, 3}, {6, 2}, {5, 1}};
    for (int32_t type : {PL_TYPE_F32, PL_TYPE_F16, PL_TYPE_Q8_0})
        for (int32_t hd : {64, 36}) {
            if (type == PL_TYPE_Q8_0 && hd % 32) continue;
            for (auto sh : shapes) {
                const int32_t pos0 = 93, n_tok = 18, n = pos0 + n_tok, max_ctx = 128;
                Ctx ctx(2);
                Cache c(type, sh.n_kv, hd, max_ctx);
                auto k = randn((size_t)n * sh.n_kv * hd, 21), v = randn((size_t)n * sh.n_kv * hd, 22);
                ASSERT_EQ(pl_kv_store(ctx, type, c.k.data(), c.v.data(), c.bytes, sh.n_kv, hd, max_ctx, 0, k.data(), v.data(), n),
                          PL_OK);
                auto q = randn((size_t)n_tok * sh.n_heads * hd, 23);
                std::vector<float> batch(q.size());
                ASSERT_EQ(pl_attention(ctx, type, c.k.data(), c.v.data(), c.bytes, sh.n_kv, hd, max_ctx, q.data(), sh.n_heads, n_tok,
                                       pos0, 0.17f, batch.data()),
                          PL_OK);
                const size_t row = (size_t)sh.n_heads * hd;
                for (int32_t t : {0, 7, n_tok - 1}) {
                    std::vector<float> one(row);
                    ASSERT_EQ(pl_attention(ctx, type, c.k.data(), c.v.data(), c.bytes, sh.n_kv, hd, max_ctx, q.data() + t * row,
                                           sh.n_heads, 1, pos0 + t, 0.17f, one.data()),
                              PL_OK);
                    ASSERT_EQ(0, std::memcmp(one.data(), batch.data() + t * row, row * 4))
                        << pl_type_name(type) << " hd=" << hd << " heads=" << sh.n_heads << "/" << sh.n_kv << " t=" << t;
                }
            }
        }
}

TEST(Attention, ValidatesArguments) {
    Ctx ctx(1);
    Cache c(PL_TYPE_F16, 2, 32, 8);
    std::vector<float> q(4 * 32 * 4), out(q.size());
    EXPECT_EQ(pl_attention(ctx, PL_TYPE_F16, c.k.data(), c.v.data(), c.bytes, 2, 32, 8, q.data(), 3, 1, 0, 1.0f, out.data()),
              PL_ERR_ARG);  // 3 heads over 2 KV heads
    EXPECT_EQ(pl_attention(ctx, PL_TYPE_F16, c.k.data(), c.v.data(), c.bytes, 2, 32, 8, q.data(), 4, 2, 7, 1.0f, out.data()),
              PL_ERR_ARG);  // past max_ctx
    EXPECT_EQ(pl_attention(ctx, PL_TYPE_F16, c.k.data(), c.v.data(), c.bytes - 2, 2, 32, 8, q.data(), 4, 1, 0, 1.0f,
                           out.data()),
              PL_ERR_SIZE);
    EXPECT_EQ(pl_attention(ctx, PL_TYPE_Q8_0, c.k.data(), c.v.data(), c.bytes, 2, 48, 8, q.data(), 4, 1, 0, 1.0f, out.data()),
              PL_ERR_ARG);
    EXPECT_EQ(pl_attention(ctx, PL_TYPE_F16, nullptr, c.v.data(), c.bytes, 2, 32, 8, q.data(), 4, 1, 0, 1.0f, out.data()),
              PL_ERR_NULL);
}
