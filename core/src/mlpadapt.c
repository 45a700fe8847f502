/*
 * The adapting network of docs/MODEL.md §14, "Adapting"; that section is normative and
 * this follows it operation for operation: float32, each operation rounded to float32
 * in the order written (no FMA: the build forbids contraction).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "mlpadapt.h"

#include <string.h>

#include "kernels.h"
#include "mlp.h"

#define HIDDEN BLM_MLP_HIDDEN
#define OUTPUTS BLM_MLP_OUTPUTS

const BlmMlpSchedule blm_mlp_every_layer = {1, 32, 1.171875e-04f, 1.875e-03f, 4.6875e-04f};

static void transpose(float *t, const float *w, int rows, int cols)
{
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++)
            t[j * rows + i] = w[i * cols + j];
}

static void forward(const BlmKernels *k, const float *w1, const float *b1, const float *w2, const float *b2,
                    const float *w3, const float *b3, int inputs, const float *x, float *h1, float *h2, float *o)
{
    k->affine(h1, b1, x, inputs, w1, HIDDEN, 1);
    k->affine(h2, b2, h1, HIDDEN, w2, HIDDEN, 1);
    k->affine(o, b3, h2, HIDDEN, w3, OUTPUTS, 0);
}

uint32_t blm_mlp_weights_hash(const BlmMlpWeights *w)
{
    const float *parts[6] = {w->w1, w->b1, w->w2, w->b2, w->w3, w->b3};
    const size_t in = (size_t)w->inputs, h = HIDDEN, out = BLM_MLP_OUTPUTS;
    const size_t sizes[6] = {in * h * sizeof(float), h * sizeof(float), h * h * sizeof(float),
                             h * sizeof(float), h * out * sizeof(float), out * sizeof(float)};
    return blm_mlp_hash(parts, sizes, 6);
}

void blm_mlp_eval(const BlmMlpWeights *w, const float *x, float o[OUTPUTS])
{
    float h1[HIDDEN], h2[HIDDEN];
    forward(blm_kernels(), w->w1, w->b1, w->w2, w->b2, w->w3, w->b3, w->inputs, x, h1, h2, o);
}

void blm_mlp_adapt_init(BlmMlpAdapt *a, const BlmMlpWeights *w, const BlmMlpSchedule *schedule)
{
    const int in = w->inputs;
    a->schedule = *schedule;
    a->inputs = in;
    a->seen = 0;
    memcpy(a->w1, w->w1, (size_t)in * HIDDEN * sizeof(float));
    memcpy(a->b1, w->b1, sizeof a->b1);
    memcpy(a->w2, w->w2, sizeof a->w2);
    memcpy(a->b2, w->b2, sizeof a->b2);
    memcpy(a->w3, w->w3, sizeof a->w3);
    memcpy(a->b3, w->b3, sizeof a->b3);
    memset(a->gw1, 0, sizeof a->gw1);
    memset(a->gb1, 0, sizeof a->gb1);
    memset(a->gw2, 0, sizeof a->gw2);
    memset(a->gb2, 0, sizeof a->gb2);
    memset(a->gw3, 0, sizeof a->gw3);
    memset(a->gb3, 0, sizeof a->gb3);
    transpose(a->w2t, a->w2, HIDDEN, HIDDEN);
    transpose(a->w3t, a->w3, HIDDEN, OUTPUTS);
}

void blm_mlp_adapt_eval(BlmMlpAdapt *a, const float *x, float o[OUTPUTS])
{
    memcpy(a->x, x, (size_t)a->inputs * sizeof(float));
    forward(blm_kernels(), a->w1, a->b1, a->w2, a->b2, a->w3, a->b3, a->inputs, a->x, a->h1, a->h2, a->o);
    memcpy(o, a->o, sizeof a->o);
}

/* The gradient g by a layer's outputs, taken back to the layer's input h: into the
 * layer's gradients gw (+= h outer g) and gb (+= g), and, with back (h then being a
 * ReLU's output), g's image at the input, back[i] = sum over j of w[i][j] g[j] where
 * h[i] > 0, else 0 (wt: w transposed). Products of zero inputs are left out
 * (kernels.h): every sum here starts from +0, so none is -0 and the bits are those of
 * every term. Only the input taken back through needs to be a ReLU's output. */
static void layer_back(const BlmKernels *k, const float *g, int n_out, const float *h, int n_in, float *gw,
                       float *gb, const float *wt, float *back)
{
    static const float zero[HIDDEN];
    if (back) {
        k->affine(back, zero, g, n_out, wt, n_in, 0);
        for (int i = 0; i < n_in; i++)
            back[i] = h[i] > 0.0f ? back[i] : 0.0f;
    }
    for (int j = 0; j < n_out; j++)
        gb[j] += g[j];
    k->outer_acc(gw, h, n_in, g, n_out);
}

/* w -= eta * g, then g = 0 */
static void step(float *w, float *g, int n, float eta)
{
    for (int j = 0; j < n; j++) {
        w[j] -= eta * g[j];
        g[j] = 0.0f;
    }
}

void blm_mlp_adapt_learn(BlmMlpAdapt *a, const float *g_out)
{
    const BlmMlpSchedule *s = &a->schedule;
    if (g_out) {
        /* each output's gradient clamped: outliers do not throw the layer off */
        float g[OUTPUTS];
        for (int j = 0; j < OUTPUTS; j++)
            g[j] = g_out[j] > BLM_MLP_GRAD_LIMIT ? BLM_MLP_GRAD_LIMIT
                 : g_out[j] < -BLM_MLP_GRAD_LIMIT ? -BLM_MLP_GRAD_LIMIT : g_out[j];
        const BlmKernels *k = blm_kernels();
        if (s->all) {
            /* through the layers as they stand in this block, the first's input x
             * taken as it is (it has no ReLU, and its gradient is not needed) */
            float g2[HIDDEN], g1[HIDDEN];
            layer_back(k, g, OUTPUTS, a->h2, HIDDEN, a->gw3, a->gb3, a->w3t, g2);
            layer_back(k, g2, HIDDEN, a->h1, HIDDEN, a->gw2, a->gb2, a->w2t, g1);
            layer_back(k, g1, HIDDEN, a->x, a->inputs, a->gw1, a->gb1, NULL, NULL);
        } else {
            layer_back(k, g, OUTPUTS, a->h2, HIDDEN, a->gw3, a->gb3, NULL, NULL);
        }
    }
    if (++a->seen == s->block) {
        step(a->w3, a->gw3, HIDDEN * OUTPUTS, s->step_output);
        step(a->b3, a->gb3, OUTPUTS, s->step_output);
        if (s->all) {
            step(a->w2, a->gw2, HIDDEN * HIDDEN, s->step_hidden2);
            step(a->b2, a->gb2, HIDDEN, s->step_hidden2);
            step(a->w1, a->gw1, a->inputs * HIDDEN, s->step_hidden1);
            step(a->b1, a->gb1, HIDDEN, s->step_hidden1);
            transpose(a->w2t, a->w2, HIDDEN, HIDDEN);
            transpose(a->w3t, a->w3, HIDDEN, OUTPUTS);
        }
        a->seen = 0;
    }
}
