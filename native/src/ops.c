/* Row and element-wise ops: RMSNorm, residual add, SwiGLU, softmax, RoPE, and the STREAM triad. */
#include <math.h>
#include <stdatomic.h>

#include "pl_internal.h"

#define ELEM_CHUNK 8192          /* elements per work item of element-wise ops */
#define ELEM_SERIAL (1 << 15)    /* below this many elements, waking the pool costs more than it saves */

/* ---- element-wise: fixed chunks, claimed by whichever thread is free ------------------------ */
typedef struct {
    const float *a, *b;
    float *y;
    int64_t n;
    float s;
    int op; /* 0 add, 1 swiglu, 2 triad */
    const pl_kernels *kt;
    atomic_llong next;
} elem_job;

static void elem_chunk(const elem_job *j, int64_t off, int64_t len) {
    switch (j->op) {
    case 0: j->kt->add(j->a + off, j->b + off, j->y + off, len); break;
    case 1: j->kt->swiglu(j->a + off, j->b + off, j->y + off, len); break;
    default: j->kt->triad(j->y + off, j->a + off, j->b + off, len, j->s); break;
    }
}

static void elem_task(int32_t ith, int32_t nth, void *p) {
    elem_job *j = (elem_job *)p;
    const int64_t chunks = (j->n + ELEM_CHUNK - 1) / ELEM_CHUNK;
    (void)ith;
    (void)nth;
    for (int64_t c; (c = atomic_fetch_add_explicit(&j->next, 1, memory_order_relaxed)) < chunks;) {
        const int64_t off = c * ELEM_CHUNK;
        elem_chunk(j, off, j->n - off < ELEM_CHUNK ? j->n - off : ELEM_CHUNK);
    }
}

static int32_t elem_run(pl_ctx *ctx, int op, const float *a, const float *b, float *y, pl_i64 n, float s,
                        int serial_ok) {
    if (ctx == NULL) return PL_ERR_NULL;
    if (n < 0) return PL_ERR_ARG;
    if (n == 0) return PL_OK; /* nothing is touched: empty buffers may be NULL */
    if (a == NULL || b == NULL || y == NULL) return PL_ERR_NULL;
    elem_job j = {a, b, y, n, s, op, pl_kernels_active(), 0};
    if (serial_ok && n < ELEM_SERIAL) elem_chunk(&j, 0, n);
    else pl_pool_run(ctx, elem_task, &j);
    return PL_OK;
}

int32_t pl_add(pl_ctx *ctx, const float *a, const float *b, float *y, pl_i64 n) {
    return elem_run(ctx, 0, a, b, y, n, 0.0f, 1);
}

int32_t pl_swiglu(pl_ctx *ctx, const float *gate, const float *up, float *y, pl_i64 n) {
    return elem_run(ctx, 1, gate, up, y, n, 0.0f, 1);
}

int32_t pl_bench_triad(pl_ctx *ctx, float *a, const float *b, const float *c, pl_i64 n, float s) {
    return elem_run(ctx, 2, b, c, a, n, s, 0);
}

/* ---- RMSNorm: one row per work item --------------------------------------------------------- */
typedef struct {
    const float *x, *w;
    float *y;
    int64_t n;
    int32_t n_rows;
    float eps;
    const pl_kernels *kt;
    atomic_llong next;
} norm_job;

static void norm_task(int32_t ith, int32_t nth, void *p) {
    norm_job *j = (norm_job *)p;
    (void)ith;
    (void)nth;
    for (int64_t r; (r = atomic_fetch_add_explicit(&j->next, 1, memory_order_relaxed)) < j->n_rows;)
        j->kt->rmsnorm_row(j->x + r * j->n, j->w, j->y + r * j->n, j->n, j->eps);
}

int32_t pl_rmsnorm(pl_ctx *ctx, const float *x, const float *w, float *y, pl_i64 n, int32_t n_rows, float eps) {
    if (ctx == NULL || x == NULL || w == NULL || y == NULL) return PL_ERR_NULL;
    if (n <= 0 || n_rows < 0 || !(eps >= 0.0f) || isinf(eps)) return PL_ERR_ARG;
    norm_job j = {x, w, y, n, n_rows, eps, pl_kernels_active(), 0};
    if (n_rows == 1) norm_task(0, 1, &j);
    else if (n_rows > 1) pl_pool_run(ctx, norm_task, &j);
    return PL_OK;
}

/* ---- softmax --------------------------------------------------------------------------------- */
int32_t pl_softmax(float *x, pl_i64 n, int32_t n_rows) {
    if (x == NULL) return PL_ERR_NULL;
    if (n <= 0 || n_rows < 0) return PL_ERR_ARG;
    const pl_kernels *kt = pl_kernels_active();
    for (int32_t r = 0; r < n_rows; r++) kt->softmax_row(x + r * n, n);
    return PL_OK;
}

/* ---- RoPE -------------------------------------------------------------------------------------- */
/* As ggml's rope cache: theta = p * base^(-2i/n_rot) built by repeated float multiplication. */
int32_t pl_rope_table(float *table, pl_i64 table_floats, int32_t n_pos, int32_t n_rot, float theta,
                      const float *freq_factors) {
    if (table == NULL) return PL_ERR_NULL;
    if (n_pos < 0 || n_rot <= 0 || n_rot % 2 != 0 || !(theta > 0.0f) || isinf(theta)) return PL_ERR_ARG;
    if (table_floats < (pl_i64)n_pos * n_rot) return PL_ERR_SIZE;
    const float theta_scale = powf(theta, -2.0f / (float)n_rot);
    for (int32_t p = 0; p < n_pos; p++) {
        float th = (float)p;
        float *row = table + (int64_t)p * n_rot;
        for (int32_t i = 0; i < n_rot / 2; i++) {
            const float ff = freq_factors ? freq_factors[i] : 1.0f;
            const float a = th / ff;
            row[2 * i] = cosf(a);
            row[2 * i + 1] = sinf(a);
            th *= theta_scale;
        }
    }
    return PL_OK;
}

typedef struct {
    float *x;
    int32_t n_tok, n_heads, head_dim, n_rot, mode;
    const int32_t *pos;
    const float *table;
    const pl_kernels *kt;
    atomic_llong next;
} rope_job;

static void rope_task(int32_t ith, int32_t nth, void *p) {
    rope_job *j = (rope_job *)p;
    (void)ith;
    (void)nth;
    for (int64_t t; (t = atomic_fetch_add_explicit(&j->next, 1, memory_order_relaxed)) < j->n_tok;) {
        const float *cs = j->table + (int64_t)j->pos[t] * j->n_rot;
        for (int32_t h = 0; h < j->n_heads; h++)
            j->kt->rope_head(j->x + ((int64_t)t * j->n_heads + h) * j->head_dim, cs, j->n_rot, j->mode);
    }
}

int32_t pl_rope(pl_ctx *ctx, float *x, int32_t n_tok, int32_t n_heads, int32_t head_dim, int32_t n_rot,
                const int32_t *pos, const float *table, int32_t table_pos, int32_t mode) {
    if (ctx == NULL || x == NULL || pos == NULL || table == NULL) return PL_ERR_NULL;
    if (n_tok < 0 || n_heads <= 0 || head_dim <= 0 || n_rot <= 0 || n_rot % 2 != 0 || n_rot > head_dim ||
        table_pos <= 0 || (mode != PL_ROPE_NORMAL && mode != PL_ROPE_NEOX))
        return PL_ERR_ARG;
    for (int32_t t = 0; t < n_tok; t++)
        if (pos[t] < 0 || pos[t] >= table_pos) return PL_ERR_ARG;
    rope_job j = {x, n_tok, n_heads, head_dim, n_rot, mode, pos, table, pl_kernels_active(), 0};
    if (n_tok <= 1) rope_task(0, 1, &j);
    else pl_pool_run(ctx, rope_task, &j);
    return PL_OK;
}
