/*
 * Matrix multiplication driver: quantizes the activations once per call (to the format ggml pairs
 * with the weights), then hands fixed-size tiles (a chunk of weight rows x a chunk of tokens) to
 * the threads. Each weight tile is loaded once for all the tokens of its token chunk. Tiles are
 * fixed by the shape and every output element is computed by the same instruction sequence
 * whatever the tile, so results do not depend on the thread count.
 */
#include <stdatomic.h>

#include "pl_internal.h"

#define ROWS_DECODE 16 /* decode tiles are multiples of this many rows */
#define ROWS_GEMM 32   /* rows per tile for prefill */
/* tiles start at whole panels of the repacked layouts */
_Static_assert(ROWS_DECODE % PL_PANEL_ROWS == 0 && ROWS_GEMM % PL_PANEL_ROWS == 0, "tiles split panels");
#define TOKS_GEMM 64   /* tokens per tile for prefill */
/* Products reading fewer weight bytes (times tokens) run on the calling thread alone: waking a worker
 * costs more than it saves (192x576 Q4_1 decode, the K/V projection of SmolLM2: 3.7 us on one thread,
 * 5.3 us on two; 576x576: 12.0 vs 7.0 us). The threads compute the same bits either way. */
#define INLINE_WORK_BYTES (128 << 10)

static int32_t ctx_threads(const pl_ctx *ctx) {
    const int32_t n = pl_ctx_n_threads(ctx);
    return n > 0 ? n : 1;
}

typedef struct {
    pl_ctx *ctx;
    const pl_kernels *kt;
    const pl_mm_kernel *mk;
    const uint8_t *w, *w_up; /* w_up != NULL: fused SwiGLU, w is the gate */
    int64_t w_stride, rows, k;
    const float *x;
    int32_t n_tok;
    uint8_t *act;
    int64_t a_stride;
    float *y;
    int64_t rchunk, tchunk, n_rc, n_tc;
    atomic_llong next_tok, done_tok; /* activation rows claimed / converted */
    atomic_llong next;               /* tiles claimed */
} mm_job;

static void mm_task(int32_t ith, int32_t nth, void *p) {
    mm_job *j = (mm_job *)p;
    for (;;) {
        const int64_t t = atomic_fetch_add_explicit(&j->next_tok, 1, memory_order_relaxed);
        if (t >= j->n_tok) break;
        j->mk->quantize_act(j->x + t * j->k, j->act + t * j->a_stride, j->k);
        atomic_fetch_add_explicit(&j->done_tok, 1, memory_order_release);
    }
    pl_pool_wait_count(&j->done_tok, j->n_tok); /* tiles read every activation row */

    const int64_t total = j->n_rc * j->n_tc;
    const pl_gemm_fn gemm = j->n_tok == 1 ? j->mk->gemv : j->mk->gemm;
    uint8_t *scratch = (uint8_t *)pl_ctx_thread_scratch(j->ctx, ith);
    float *gate = NULL, *up = NULL;
    if (j->w_up != NULL) {
        gate = (float *)(void *)scratch;
        up = gate + j->rchunk * j->tchunk;
        scratch += 2 * j->rchunk * j->tchunk * 4;
    }
    for (;;) {
        const int64_t i = atomic_fetch_add_explicit(&j->next, 1, memory_order_relaxed);
        if (i >= total) break;
        const int64_t r0 = (i / j->n_tc) * j->rchunk, t0 = (i % j->n_tc) * j->tchunk;
        const int32_t nr = (int32_t)(j->rows - r0 < j->rchunk ? j->rows - r0 : j->rchunk);
        const int32_t nt = (int32_t)(j->n_tok - t0 < j->tchunk ? j->n_tok - t0 : j->tchunk);
        const uint8_t *a = j->act + t0 * j->a_stride;
        if (j->w_up == NULL) {
            gemm(j->k, j->w + r0 * j->w_stride, j->w_stride, nr, a, j->a_stride, nt, j->y + t0 * j->rows + r0,
                 j->rows, scratch);
        } else {
            gemm(j->k, j->w + r0 * j->w_stride, j->w_stride, nr, a, j->a_stride, nt, gate, nr, scratch);
            gemm(j->k, j->w_up + r0 * j->w_stride, j->w_stride, nr, a, j->a_stride, nt, up, nr, scratch);
            for (int32_t t = 0; t < nt; t++)
                j->kt->swiglu(gate + (int64_t)t * nr, up + (int64_t)t * nr, j->y + (t0 + t) * j->rows + r0, nr);
        }
    }
    (void)nth;
}

static int32_t matmul_impl(pl_ctx *ctx, int32_t wtype, const void *w, const void *w_up, pl_i64 w_bytes,
                           pl_i64 rows, pl_i64 k, const float *x, int32_t n_tok, float *y) {
    if (ctx == NULL || w == NULL || x == NULL || y == NULL) return PL_ERR_NULL;
    const pl_type_info *ti = pl_type_get(wtype);
    if (ti == NULL) return PL_ERR_TYPE;
    const pl_kernels *kt = pl_kernels_active();
    if (wtype >= PL_TYPE_SLOTS || kt->mm[wtype].gemm == NULL) return PL_ERR_TYPE;
    if (rows <= 0 || k <= 0 || n_tok <= 0) return PL_ERR_ARG;
    const pl_i64 rb = pl_type_row_bytes(wtype, k), need = pl_matrix_bytes(wtype, rows, k);
    if (rb < 0) return (int32_t)rb;
    if (need < 0) return (int32_t)need;
    if (w_bytes < need) return PL_ERR_SIZE; /* repacked types: rows padded to whole panels */

    mm_job j;
    j.ctx = ctx;
    j.kt = kt;
    j.mk = &kt->mm[wtype];
    j.w = (const uint8_t *)w;
    j.w_up = (const uint8_t *)w_up;
    j.w_stride = rb;
    j.rows = rows;
    j.k = k;
    j.x = x;
    j.n_tok = n_tok;
    j.a_stride = pl_act_row_bytes(j.mk, k);
    j.y = y;
    /* Decode: about 4 chunks per thread, each a multiple of 16 rows, read front to back, so the gemv's
     * prefetch of the rows after its tile mostly lands in the same thread's next tile. (Every row is
     * computed the same way whatever the chunking, so results do not depend on it.) */
    const int64_t per_thread = (rows + 4 * (int64_t)ctx_threads(ctx) - 1) / (4 * (int64_t)ctx_threads(ctx));
    j.rchunk = n_tok == 1 ? (per_thread + ROWS_DECODE - 1) / ROWS_DECODE * ROWS_DECODE : ROWS_GEMM;
    j.tchunk = TOKS_GEMM;
    j.n_rc = (rows + j.rchunk - 1) / j.rchunk;
    j.n_tc = (n_tok + j.tchunk - 1) / j.tchunk;
    atomic_init(&j.next, 0);
    atomic_init(&j.next_tok, 0);
    atomic_init(&j.done_tok, 0);
    const int64_t tiles = w_up ? 2 * j.rchunk * j.tchunk * 4 : 0;
    const int64_t gemm_scratch = n_tok > 1 ? k / j.mk->act_elems * j.mk->gemm_scratch : 0;
    int st = pl_ctx_reserve(ctx, j.a_stride * n_tok, tiles + gemm_scratch);
    if (st != PL_OK) return st;
    j.act = (uint8_t *)pl_ctx_shared_scratch(ctx);
    if (rows * rb * n_tok < INLINE_WORK_BYTES) mm_task(0, 1, &j);
    else pl_pool_run(ctx, mm_task, &j);
    return PL_OK;
}

int32_t pl_matmul(pl_ctx *ctx, int32_t wtype, const void *w, pl_i64 w_bytes, pl_i64 rows, pl_i64 k,
                  const float *x, int32_t n_tok, float *y) {
    return matmul_impl(ctx, wtype, w, NULL, w_bytes, rows, k, x, n_tok, y);
}

int32_t pl_matmul_swiglu(pl_ctx *ctx, int32_t wtype, const void *w_gate, const void *w_up, pl_i64 w_bytes,
                         pl_i64 rows, pl_i64 k, const float *x, int32_t n_tok, float *y) {
    if (w_up == NULL) return PL_ERR_NULL;
    return matmul_impl(ctx, wtype, w_gate, w_up, w_bytes, rows, k, x, n_tok, y);
}
