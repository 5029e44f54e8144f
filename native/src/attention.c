/*
 * KV cache and causal attention. Cache layout per layer: K and V buffers of
 * [n_kv_heads][max_ctx][head_dim] in F16, Q8_0 or F32.
 *
 * Attention works per (KV head, chunk of query tokens[, segment of cache positions]): positions are
 * visited in fixed blocks; each block of K and V is read by one kernel call for every query head of
 * the group and every token of the chunk (F16 and F32 rows in place, Q8_0 rows converted to F32
 * once; online softmax: running max, running sum), while the next block is prefetched. When
 * there are few such items (decode), positions are split into fixed segments whose partial states
 * are merged in segment order afterwards. Items, segments and blocks are fixed by the shape, so
 * results do not depend on the thread count.
 *
 * An F16 cache follows llama.cpp's attention without flash attention, which rounds twice: K.Q
 * converts q to F16 (the F16 matmul's operand type), and softmax(KQ).V converts the normalised
 * weights to F16. Rounding the weights needs the final max and sum before any V row is added, so
 * this path is two-pass: scores first (kept per item in thread scratch, or for few-item decode in
 * a shared buffer, segment by segment), then the rounded weights times V.
 */
#include <math.h>
#include <stdatomic.h>

#include "pl_internal.h"

#define KV_BLOCK 64 /* cache positions converted and scored together */
#define Q_CHUNK 16  /* query tokens per work item */
#define KV_SEGMENT 512 /* cache positions per work item when decode needs more items than KV heads */
#define EXACT_LOCAL_BYTES (4 << 20)   /* F16 path: per-thread scores of one item, at most */
#define EXACT_SHARED_BYTES (16 << 20) /* F16 path: shared scores for segmented decode, at most */

static int kv_type_ok(int32_t t) { return t == PL_TYPE_F16 || t == PL_TYPE_Q8_0 || t == PL_TYPE_F32; }

static int64_t kv_row_bytes(int32_t type, int32_t head_dim) { return pl_type_row_bytes(type, head_dim); }

pl_i64 pl_kv_cache_bytes(int32_t kv_type, int32_t n_kv_heads, int32_t head_dim, int32_t max_ctx) {
    if (!kv_type_ok(kv_type)) return PL_ERR_TYPE;
    if (n_kv_heads <= 0 || head_dim <= 0 || max_ctx <= 0) return PL_ERR_ARG;
    const int64_t rb = kv_row_bytes(kv_type, head_dim);
    if (rb < 0) return PL_ERR_ARG; /* e.g. Q8_0 with head_dim not a multiple of 32 */
    return rb * n_kv_heads * max_ctx;
}

static int32_t check_cache(int32_t kv_type, const void *kc, const void *vc, pl_i64 cache_bytes, int32_t n_kv_heads,
                           int32_t head_dim, int32_t max_ctx, int32_t pos0, int32_t n_tok) {
    if (kc == NULL || vc == NULL) return PL_ERR_NULL;
    const pl_i64 need = pl_kv_cache_bytes(kv_type, n_kv_heads, head_dim, max_ctx);
    if (need < 0) return (int32_t)need;
    if (cache_bytes < need) return PL_ERR_SIZE;
    if (pos0 < 0 || n_tok < 0 || (int64_t)pos0 + n_tok > max_ctx) return PL_ERR_ARG;
    return PL_OK;
}

static void store_row(const pl_kernels *kt, int32_t type, const float *src, uint8_t *dst, int32_t n) {
    if (type == PL_TYPE_F16) {
        uint16_t tmp[256];
        for (int32_t i = 0; i < n; i += 256) {
            const int32_t len = n - i < 256 ? n - i : 256;
            kt->f32_to_f16(src + i, tmp, len);
            memcpy(dst + 2 * i, tmp, (size_t)len * 2);
        }
    } else {
        pl_ref_quantize_row(type, src, dst, n);
    }
}

int32_t pl_kv_store(pl_ctx *ctx, int32_t kv_type, void *k_cache, void *v_cache, pl_i64 cache_bytes,
                    int32_t n_kv_heads, int32_t head_dim, int32_t max_ctx, int32_t pos0, const float *k,
                    const float *v, int32_t n_tok) {
    if (ctx == NULL || k == NULL || v == NULL) return PL_ERR_NULL;
    int32_t st = check_cache(kv_type, k_cache, v_cache, cache_bytes, n_kv_heads, head_dim, max_ctx, pos0, n_tok);
    if (st != PL_OK) return st;
    const pl_kernels *kt = pl_kernels_active();
    const int64_t rb = kv_row_bytes(kv_type, head_dim);
    const int64_t src_stride = (int64_t)n_kv_heads * head_dim;
    for (int32_t t = 0; t < n_tok; t++) {
        for (int32_t h = 0; h < n_kv_heads; h++) {
            const int64_t row = (int64_t)h * max_ctx + pos0 + t;
            store_row(kt, kv_type, k + t * src_stride + (int64_t)h * head_dim, (uint8_t *)k_cache + row * rb, head_dim);
            store_row(kt, kv_type, v + t * src_stride + (int64_t)h * head_dim, (uint8_t *)v_cache + row * rb, head_dim);
        }
    }
    return PL_OK;
}

typedef struct {
    pl_ctx *ctx;
    const pl_kernels *kt;
    int32_t kv_type;
    const uint8_t *kc, *vc;
    int64_t rb;
    int32_t n_kv_heads, head_dim, max_ctx, n_heads, group, n_tok, pos0;
    const float *q;
    float scale;
    float *out;
    int64_t n_qc, n_seg, pairs; /* query chunks, position segments, (token, head) pairs per chunk */
    float *part;                /* per (KV head, chunk, segment): acc[pairs][hd], max[pairs], sum[pairs] */
    int exact;                  /* F16 cache: llama.cpp's rounding, two-pass softmax */
    int32_t n_ctx, tsub;        /* exact: score row length (pos0 + n_tok); tokens per local sub-chunk */
    float *scores;              /* exact with segments: [n_tok * n_heads][n_ctx] */
    atomic_llong next, next_merge, next_values;
} attn_job;

/* A block of n_rows cache rows as the attention kernels read them: F16 and F32 rows in place, Q8_0
 * rows converted to F32 into buf. First asks for the n_next rows that follow, which then arrive from
 * memory while this block is used. */
typedef struct {
    const void *rows;
    int32_t f16;
} kv_rows;

static kv_rows block_rows(const pl_kernels *kt, int32_t type, const uint8_t *src, float *buf, int32_t n_rows,
                          int32_t head_dim, int32_t n_next) {
    const int64_t rb = kv_row_bytes(type, head_dim);
    for (int64_t off = 0; off < n_next * rb; off += 64) __builtin_prefetch(src + n_rows * rb + off, 0, 2);
    if (type != PL_TYPE_Q8_0) return (kv_rows){src, type == PL_TYPE_F16};
    kt->q8_0_to_f32(src, buf, (int64_t)n_rows * head_dim); /* rows are contiguous blocks */
    return (kv_rows){buf, 0};
}

/* rows of the block after the one at b0, up to end */
static int32_t next_rows(int32_t b0, int32_t end) {
    const int32_t rest = end - b0 - KV_BLOCK;
    return rest <= 0 ? 0 : rest < KV_BLOCK ? rest : KV_BLOCK;
}

static float *part_at(const attn_job *j, int64_t g, int64_t qc, int64_t seg) {
    return j->part + ((g * j->n_qc + qc) * j->n_seg + seg) * j->pairs * (j->head_dim + 2);
}

/* One work item: KV head g, query chunk qc, cache positions of segment seg -> partial softmax state. */
static void attn_item(attn_job *j, int64_t item, float *kbuf, float *vbuf, float *sc) {
    const pl_kernels *kt = j->kt;
    const int32_t hd = j->head_dim;
    const int32_t g = (int32_t)(item / (j->n_qc * j->n_seg));
    const int64_t qc = item / j->n_seg % j->n_qc, seg = item % j->n_seg;
    const int32_t t0 = (int32_t)qc * Q_CHUNK;
    const int32_t nt = j->n_tok - t0 < Q_CHUNK ? j->n_tok - t0 : Q_CHUNK;
    const int32_t npairs = nt * j->group;
    float *acc = part_at(j, g, qc, seg), *mx = acc + j->pairs * hd, *sum = mx + j->pairs;
    for (int32_t i = 0; i < npairs; i++) {
        mx[i] = -INFINITY;
        sum[i] = 0.0f;
    }
    memset(acc, 0, (size_t)npairs * hd * 4);
    const int64_t q_stride = (int64_t)j->n_heads * hd;
    const int32_t s_begin = (int32_t)(seg * KV_SEGMENT);
    const int32_t n_ctx = j->pos0 + t0 + nt; /* positions the last token of the chunk sees */
    const int32_t s_end = s_begin + KV_SEGMENT < n_ctx ? s_begin + KV_SEGMENT : n_ctx;
    const uint8_t *kh = j->kc + (int64_t)g * j->max_ctx * j->rb;
    const uint8_t *vh = j->vc + (int64_t)g * j->max_ctx * j->rb;
    for (int32_t b0 = s_begin; b0 < s_end; b0 += KV_BLOCK) {
        const int32_t nb = s_end - b0 < KV_BLOCK ? s_end - b0 : KV_BLOCK;
        const kv_rows kr = block_rows(kt, j->kv_type, kh + b0 * j->rb, kbuf, nb, hd, next_rows(b0, s_end));
        const kv_rows vr = block_rows(kt, j->kv_type, vh + b0 * j->rb, vbuf, nb, hd, next_rows(b0, s_end));
        for (int32_t t = 0; t < nt; t++) {
            const int32_t visible = j->pos0 + t0 + t + 1 - b0; /* causal mask */
            const int32_t nv = visible < nb ? visible : nb;
            if (nv <= 0) continue;
            /* the group's scores: row hh of sc (KV_BLOCK apart) */
            kt->attn_scores(j->q + (int64_t)(t0 + t) * q_stride + (int64_t)g * j->group * hd, j->group, kr.rows, kr.f16, nv,
                            hd, j->scale, sc, KV_BLOCK);
            for (int32_t hh = 0; hh < j->group; hh++) {
                const int32_t pi = t * j->group + hh;
                float *s = sc + (int64_t)hh * KV_BLOCK, bmax = -INFINITY;
                for (int32_t r = 0; r < nv; r++) bmax = s[r] > bmax ? s[r] : bmax;
                if (bmax > mx[pi]) {
                    const float corr = expf(mx[pi] - bmax); /* exp(-inf) = 0 on the first block */
                    sum[pi] *= corr;
                    kt->scale_f32(acc + (int64_t)pi * hd, corr, hd);
                    mx[pi] = bmax;
                }
                sum[pi] += (float)kt->exp_sub_sum(s, mx[pi], nv);
            }
            kt->attn_values(acc + (int64_t)t * j->group * hd, j->group, sc, KV_BLOCK, vr.rows, vr.f16, nv, hd);
        }
    }
}

/* ---- F16 cache: llama.cpp's rounding (two-pass softmax) ------------------------------------ */

/* q of batch tokens [ta, tb) x the heads of KV group g rounded to F16 (the F16 K.Q operand), as rows
 * [(t - ta) * group + hh] of qbuf; qbuf holds Q_CHUNK * group * hd floats, then hd halves. */
static void q_f16(const attn_job *j, int32_t g, int32_t ta, int32_t tb, float *qbuf) {
    const int32_t hd = j->head_dim;
    uint16_t *qh = (uint16_t *)(void *)(qbuf + (int64_t)Q_CHUNK * j->group * hd);
    for (int32_t t = ta; t < tb; t++)
        for (int32_t hh = 0; hh < j->group; hh++) {
            j->kt->f32_to_f16(j->q + ((int64_t)t * j->n_heads + g * j->group + hh) * hd, qh, hd);
            j->kt->f16_to_f32(qh, qbuf + ((int64_t)(t - ta) * j->group + hh) * hd, hd);
        }
}

static void round_f16(const pl_kernels *kt, float *x, int64_t n) {
    uint16_t tmp[256];
    for (int64_t i = 0; i < n; i += 256) {
        const int64_t len = n - i < 256 ? n - i : 256;
        kt->f32_to_f16(x + i, tmp, len);
        kt->f16_to_f32(tmp, x + i, len);
    }
}

/* Score rows: row(t, hh) = base + (t - ta) * tstride + hh * n_ctx, indexed by cache position. */
typedef struct {
    float *base;
    int64_t tstride;
    int32_t ta;
} score_rows;

static float *score_row(const attn_job *j, const score_rows *sr, int32_t t, int32_t hh) {
    return sr->base + (int64_t)(t - sr->ta) * sr->tstride + (int64_t)hh * j->n_ctx;
}

/* Visible positions of batch token t in [p0, p1). */
static int32_t visible_in(const attn_job *j, int32_t t, int32_t p0, int32_t p1) {
    const int32_t end = j->pos0 + t + 1 < p1 ? j->pos0 + t + 1 : p1;
    return end > p0 ? end - p0 : 0;
}

/* Scaled scores of tokens [ta, tb) x the group of KV head g at cache positions [p0, p1). */
static void exact_scores(attn_job *j, int32_t g, int32_t ta, int32_t tb, int32_t p0, int32_t p1, const score_rows *sr,
                         float *kbuf, float *qbuf) {
    const pl_kernels *kt = j->kt;
    const int32_t hd = j->head_dim;
    const uint8_t *kh = j->kc + (int64_t)g * j->max_ctx * j->rb;
    q_f16(j, g, ta, tb, qbuf);
    for (int32_t b0 = p0; b0 < p1 && b0 <= j->pos0 + tb - 1; b0 += KV_BLOCK) {
        const int32_t nb = p1 - b0 < KV_BLOCK ? p1 - b0 : KV_BLOCK;
        const kv_rows kr = block_rows(kt, j->kv_type, kh + b0 * j->rb, kbuf, nb, hd, next_rows(b0, p1));
        for (int32_t t = ta; t < tb; t++) {
            const int32_t nv = visible_in(j, t, b0, b0 + nb);
            if (nv > 0)
                kt->attn_scores(qbuf + (int64_t)(t - ta) * j->group * hd, j->group, kr.rows, kr.f16, nv, hd, j->scale,
                                score_row(j, sr, t, 0) + b0, j->n_ctx);
        }
    }
}

/* acc(t, hh) += sum over visible positions p in [p0, p1) of row(t, hh)[p] * V[p]; acc rows from chunk token t0. */
static void exact_values(attn_job *j, int32_t g, int32_t ta, int32_t tb, int32_t p0, int32_t p1, const score_rows *sr,
                         int32_t t0, float *acc, float *vbuf) {
    const pl_kernels *kt = j->kt;
    const int32_t hd = j->head_dim;
    const uint8_t *vh = j->vc + (int64_t)g * j->max_ctx * j->rb;
    for (int32_t b0 = p0; b0 < p1 && b0 <= j->pos0 + tb - 1; b0 += KV_BLOCK) {
        const int32_t nb = p1 - b0 < KV_BLOCK ? p1 - b0 : KV_BLOCK;
        const kv_rows vr = block_rows(kt, j->kv_type, vh + b0 * j->rb, vbuf, nb, hd, next_rows(b0, p1));
        for (int32_t t = ta; t < tb; t++) {
            const int32_t nv = visible_in(j, t, b0, b0 + nb);
            if (nv > 0)
                kt->attn_values(acc + (int64_t)(t - t0) * j->group * hd, j->group, score_row(j, sr, t, 0) + b0, j->n_ctx,
                                vr.rows, vr.f16, nv, hd);
        }
    }
}

/* exp(x - max) / sum as ggml's soft_max (sum in double), then rounded to F16 as KQ.V's operand. */
static void softmax_f16(const pl_kernels *kt, float *x, int64_t n) {
    float max = -INFINITY;
    for (int64_t i = 0; i < n; i++) max = x[i] > max ? x[i] : max;
    kt->scale_f32(x, (float)(1.0 / kt->exp_sub_sum(x, max, n)), n);
    round_f16(kt, x, n);
}

/* A whole item (KV head g, query chunk qc, all positions) in thread scratch, tsub tokens at a time. */
static void attn_item_exact_local(attn_job *j, int64_t item, float *kbuf, float *vbuf, float *qbuf, float *scores) {
    const int32_t g = (int32_t)(item / j->n_qc), t0 = (int32_t)(item % j->n_qc) * Q_CHUNK;
    const int32_t nt = j->n_tok - t0 < Q_CHUNK ? j->n_tok - t0 : Q_CHUNK;
    float *acc = part_at(j, g, item % j->n_qc, 0), *mx = acc + j->pairs * j->head_dim;
    memset(acc, 0, (size_t)nt * j->group * j->head_dim * 4);
    for (int32_t i = 0; i < nt * j->group; i++) mx[i] = 0.0f; /* visible: merge adds acc as it is */
    for (int32_t ta = t0; ta < t0 + nt; ta += j->tsub) {
        const int32_t tb = ta + j->tsub < t0 + nt ? ta + j->tsub : t0 + nt;
        const score_rows sr = {scores, (int64_t)j->group * j->n_ctx, ta};
        exact_scores(j, g, ta, tb, 0, j->pos0 + tb, &sr, kbuf, qbuf);
        for (int32_t t = ta; t < tb; t++)
            for (int32_t hh = 0; hh < j->group; hh++) softmax_f16(j->kt, score_row(j, &sr, t, hh), j->pos0 + t + 1);
        exact_values(j, g, ta, tb, 0, j->pos0 + tb, &sr, t0, acc, vbuf);
    }
}

/* Segmented decode, pass 1 (KV head g, segment seg): scores into the shared rows; the segment's max and
 * sum of exp(score - max) per (token, head) into its part (max -inf: the token sees nothing here). */
static void attn_item_exact_scores(attn_job *j, int64_t item, float *kbuf, float *qbuf, float *tmp) {
    const int32_t g = (int32_t)(item / j->n_seg), seg = (int32_t)(item % j->n_seg);
    const int32_t p0 = seg * KV_SEGMENT, p1 = p0 + KV_SEGMENT < j->n_ctx ? p0 + KV_SEGMENT : j->n_ctx;
    const score_rows sr = {j->scores + (int64_t)g * j->group * j->n_ctx, (int64_t)j->n_heads * j->n_ctx, 0};
    exact_scores(j, g, 0, j->n_tok, p0, p1, &sr, kbuf, qbuf);
    float *mx = part_at(j, g, 0, seg) + j->pairs * j->head_dim, *sum = mx + j->pairs;
    for (int32_t t = 0; t < j->n_tok; t++) {
        const int32_t n = visible_in(j, t, p0, p1);
        for (int32_t hh = 0; hh < j->group; hh++) {
            const int32_t pi = t * j->group + hh;
            mx[pi] = -INFINITY;
            sum[pi] = 0.0f;
            if (n == 0) continue;
            memcpy(tmp, score_row(j, &sr, t, hh) + p0, (size_t)n * 4);
            for (int32_t i = 0; i < n; i++) mx[pi] = tmp[i] > mx[pi] ? tmp[i] : mx[pi];
            sum[pi] = (float)j->kt->exp_sub_sum(tmp, mx[pi], n);
        }
    }
}

/* Segmented decode, pass 2: global max and sum from every segment's part (in segment order), the
 * segment's weights exp(score - max) / sum rounded to F16 in place, then weights x V into its acc. */
static void attn_item_exact_values(attn_job *j, int64_t item, float *vbuf) {
    const int32_t g = (int32_t)(item / j->n_seg), seg = (int32_t)(item % j->n_seg);
    const int32_t p0 = seg * KV_SEGMENT, p1 = p0 + KV_SEGMENT < j->n_ctx ? p0 + KV_SEGMENT : j->n_ctx;
    const score_rows sr = {j->scores + (int64_t)g * j->group * j->n_ctx, (int64_t)j->n_heads * j->n_ctx, 0};
    const int64_t stats = j->pairs * j->head_dim;
    for (int32_t t = 0; t < j->n_tok; t++) {
        const int32_t n = visible_in(j, t, p0, p1);
        for (int32_t hh = 0; hh < j->group && n > 0; hh++) {
            const int32_t pi = t * j->group + hh;
            float m = -INFINITY;
            for (int64_t s = 0; s < j->n_seg; s++) {
                const float ms = part_at(j, g, 0, s)[stats + pi];
                m = ms > m ? ms : m;
            }
            double total = 0.0;
            for (int64_t s = 0; s < j->n_seg; s++) {
                const float *ps = part_at(j, g, 0, s);
                if (ps[stats + pi] != -INFINITY) total += (double)ps[stats + j->pairs + pi] * exp((double)ps[stats + pi] - m);
            }
            float *w = score_row(j, &sr, t, hh) + p0;
            j->kt->exp_sub_sum(w, m, n);
            j->kt->scale_f32(w, (float)(1.0 / total), n);
            round_f16(j->kt, w, n);
        }
    }
    float *acc = part_at(j, g, 0, seg);
    memset(acc, 0, (size_t)j->n_tok * j->group * j->head_dim * 4);
    exact_values(j, g, 0, j->n_tok, p0, p1, &sr, 0, acc, vbuf);
}

/* per-thread scratch: the group's block scores (or a segment's scores), the rounded q rows */
static int64_t sc_floats(int32_t group) { return (int64_t)group * KV_BLOCK > KV_SEGMENT ? (int64_t)group * KV_BLOCK : KV_SEGMENT; }
static int64_t q_floats(int32_t group, int32_t hd) { return (int64_t)Q_CHUNK * group * hd + hd; }

static void values_task(int32_t ith, int32_t nth, void *p) {
    attn_job *j = (attn_job *)p;
    float *vbuf = (float *)pl_ctx_thread_scratch(j->ctx, ith) + (int64_t)KV_BLOCK * j->head_dim;
    const int64_t total = (int64_t)j->n_kv_heads * j->n_seg;
    (void)nth;
    for (int64_t item; (item = atomic_fetch_add_explicit(&j->next_values, 1, memory_order_relaxed)) < total;)
        attn_item_exact_values(j, item, vbuf);
}

static void attn_task(int32_t ith, int32_t nth, void *p) {
    attn_job *j = (attn_job *)p;
    float *kbuf = (float *)pl_ctx_thread_scratch(j->ctx, ith);
    float *vbuf = kbuf + (int64_t)KV_BLOCK * j->head_dim;
    float *sc = vbuf + (int64_t)KV_BLOCK * j->head_dim;
    float *qbuf = sc + sc_floats(j->group); /* F16 path: the item's q rounded to F16, then head_dim halves */
    float *scores = qbuf + q_floats(j->group, j->head_dim); /* F16 path: one item's score rows */
    const int64_t total = (int64_t)j->n_kv_heads * j->n_qc * j->n_seg;
    (void)nth;
    for (int64_t item; (item = atomic_fetch_add_explicit(&j->next, 1, memory_order_relaxed)) < total;) {
        if (!j->exact)
            attn_item(j, item, kbuf, vbuf, sc);
        else if (j->n_seg == 1)
            attn_item_exact_local(j, item, kbuf, vbuf, qbuf, scores);
        else
            attn_item_exact_scores(j, item, kbuf, qbuf, sc);
    }
}

/* Combines the segments of each (token, head) in segment order: out = sum_s e^(m_s-M) acc_s / L. */
static void merge_task(int32_t ith, int32_t nth, void *p) {
    attn_job *j = (attn_job *)p;
    const int32_t hd = j->head_dim;
    (void)ith;
    (void)nth;
    for (int64_t t; (t = atomic_fetch_add_explicit(&j->next_merge, 1, memory_order_relaxed)) < j->n_tok;) {
        const int64_t qc = t / Q_CHUNK, tl = t % Q_CHUNK;
        for (int32_t h = 0; h < j->n_heads; h++) {
            const int32_t g = h / j->group;
            const int64_t pi = tl * j->group + h % j->group;
            float m = -INFINITY;
            for (int64_t s = 0; s < j->n_seg; s++) {
                const float ms = part_at(j, g, qc, s)[j->pairs * hd + pi];
                m = ms > m ? ms : m;
            }
            float *o = j->out + t * (int64_t)j->n_heads * hd + (int64_t)h * hd;
            float l = 0.0f;
            int first = 1;
            for (int64_t s = 0; s < j->n_seg; s++) {
                const float *ps = part_at(j, g, qc, s);
                const float ms = ps[j->pairs * hd + pi];
                if (ms == -INFINITY) continue; /* a segment this token cannot see */
                const float wgt = j->exact ? 1.0f : expf(ms - m); /* exact: accs are final weights x V */
                l += j->exact ? (first ? 1.0f : 0.0f) : ps[j->pairs * hd + j->pairs + pi] * wgt;
                if (first) {
                    for (int32_t d = 0; d < hd; d++) o[d] = ps[pi * hd + d] * wgt;
                    first = 0;
                } else {
                    j->kt->axpy_f32(o, wgt, ps + pi * hd, hd);
                }
            }
            j->kt->scale_f32(o, 1.0f / l, hd);
        }
    }
}

int32_t pl_attention(pl_ctx *ctx, int32_t kv_type, const void *k_cache, const void *v_cache, pl_i64 cache_bytes,
                     int32_t n_kv_heads, int32_t head_dim, int32_t max_ctx, const float *q, int32_t n_heads,
                     int32_t n_tok, int32_t pos0, float scale, float *out) {
    if (ctx == NULL || q == NULL || out == NULL) return PL_ERR_NULL;
    int32_t st = check_cache(kv_type, k_cache, v_cache, cache_bytes, n_kv_heads, head_dim, max_ctx, pos0, n_tok);
    if (st != PL_OK) return st;
    if (n_heads <= 0 || n_heads % n_kv_heads != 0 || !isfinite(scale)) return PL_ERR_ARG;
    if (n_tok == 0) return PL_OK;
    attn_job j;
    j.ctx = ctx;
    j.kt = pl_kernels_active();
    j.kv_type = kv_type;
    j.kc = (const uint8_t *)k_cache;
    j.vc = (const uint8_t *)v_cache;
    j.rb = kv_row_bytes(kv_type, head_dim);
    j.n_kv_heads = n_kv_heads;
    j.head_dim = head_dim;
    j.max_ctx = max_ctx;
    j.n_heads = n_heads;
    j.group = n_heads / n_kv_heads;
    j.n_tok = n_tok;
    j.pos0 = pos0;
    j.q = q;
    j.scale = scale;
    j.out = out;
    j.n_qc = (n_tok + Q_CHUNK - 1) / Q_CHUNK;
    j.pairs = (int64_t)(n_tok < Q_CHUNK ? n_tok : Q_CHUNK) * j.group;
    /* Few (KV head, chunk) items (decode): split the positions too, so every thread gets work. The
     * split depends only on the shape, never on the thread count. */
    j.n_seg = (int64_t)n_kv_heads * j.n_qc >= 16 ? 1 : ((int64_t)pos0 + n_tok + KV_SEGMENT - 1) / KV_SEGMENT;
    j.exact = kv_type == PL_TYPE_F16;
    j.n_ctx = pos0 + n_tok;
    const int64_t shared_scores = (int64_t)n_tok * n_heads * j.n_ctx;
    /* the F16 path segments only one query chunk whose scores fit the shared buffer (fixed by the shape) */
    if (j.exact && j.n_seg > 1 && (j.n_qc > 1 || shared_scores * 4 > EXACT_SHARED_BYTES)) j.n_seg = 1;
    const int64_t per_token = (int64_t)j.group * j.n_ctx * 4;
    j.tsub = per_token * Q_CHUNK <= EXACT_LOCAL_BYTES ? Q_CHUNK : (int32_t)(EXACT_LOCAL_BYTES / per_token);
    if (j.tsub < 1) j.tsub = 1;
    atomic_init(&j.next, 0);
    atomic_init(&j.next_merge, 0);
    atomic_init(&j.next_values, 0);
    const int64_t part_floats = (int64_t)n_kv_heads * j.n_qc * j.n_seg * j.pairs * (head_dim + 2);
    const int64_t score_floats = j.exact && j.n_seg > 1 ? shared_scores : 0;
    const int64_t local_floats = j.exact && j.n_seg == 1 ? (int64_t)j.tsub * j.group * j.n_ctx : 0;
    st = pl_ctx_reserve(ctx, (part_floats + score_floats) * 4,
                        (2 * (int64_t)KV_BLOCK * head_dim + sc_floats(j.group) + q_floats(j.group, head_dim) + local_floats) * 4);
    if (st != PL_OK) return st;
    j.part = (float *)pl_ctx_shared_scratch(ctx);
    j.scores = j.part + part_floats;
    pl_pool_run(ctx, attn_task, &j);
    if (j.exact && j.n_seg > 1) pl_pool_run(ctx, values_task, &j);
    pl_pool_run(ctx, merge_task, &j);
    return PL_OK;
}
