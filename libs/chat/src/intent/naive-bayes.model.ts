import type { FeatureVector } from './intent.features.js';

export interface TrainingExample<L extends string> {
  readonly label: L;
  readonly features: FeatureVector;
}

interface ClassStats {
  readonly weights: Map<string, number>;
  total: number;
}

/**
 * Multinomial naive Bayes with Laplace smoothing and uniform priors (the classes are of
 * similar size by construction, and a prior would only bias short messages).
 * Log-likelihoods are scaled by the message's feature mass before the softmax: naive
 * Bayes multiplies many dependent features, and unscaled posteriors would be 0 or 1.
 */
export class NaiveBayesModel<L extends string> {
  private readonly stats = new Map<L, ClassStats>();
  private readonly vocabulary = new Set<string>();
  /** Each known feature's log-likelihood term per label (in `labels` order), made once after training. */
  private terms: Map<string, Float64Array> | null = null;

  constructor(
    private readonly labels: readonly L[],
    private readonly alpha = 0.1,
    private readonly sharpness = 8,
  ) {
    for (const label of labels) this.stats.set(label, { weights: new Map(), total: 0 });
  }

  train(examples: readonly TrainingExample<L>[]): this {
    this.terms = null;
    for (const { label, features } of examples) {
      const stats = this.statsOf(label);
      for (const [feature, weight] of features) {
        stats.weights.set(feature, (stats.weights.get(feature) ?? 0) + weight);
        stats.total += weight;
        this.vocabulary.add(feature);
      }
    }
    return this;
  }

  /** Probability of each label, summing to 1; unseen features are ignored. */
  predict(features: FeatureVector): Map<L, number> {
    const terms = this.termsByFeature();
    const scores = new Array<number>(this.labels.length).fill(0);
    // Unseen features count in the mass, so a message made mostly of unseen words stays undecided.
    let mass = 0;
    for (const [feature, weight] of features) {
      mass += weight;
      const row = terms.get(feature);
      if (row) for (let i = 0; i < scores.length; i++) scores[i] = (scores[i] ?? 0) + weight * (row[i] ?? 0);
    }
    return softmax(
      this.labels,
      scores.map((logLikelihood) => (logLikelihood / (mass || 1)) * this.sharpness),
    );
  }

  /** log P(feature | label) of every known feature and label, computed once rather than per message. */
  private termsByFeature(): Map<string, Float64Array> {
    if (this.terms) return this.terms;
    const denominators = this.labels.map((label) =>
      Math.log(this.statsOf(label).total + this.alpha * this.vocabulary.size),
    );
    const terms = new Map<string, Float64Array>();
    for (const feature of this.vocabulary) {
      const row = new Float64Array(this.labels.length);
      this.labels.forEach((label, i) => {
        row[i] = Math.log((this.statsOf(label).weights.get(feature) ?? 0) + this.alpha) - (denominators[i] ?? 0);
      });
      terms.set(feature, row);
    }
    this.terms = terms;
    return terms;
  }

  private statsOf(label: L): ClassStats {
    const stats = this.stats.get(label);
    if (!stats) throw new RangeError(`unknown label ${label}`);
    return stats;
  }
}

function softmax<L>(labels: readonly L[], scores: readonly number[]): Map<L, number> {
  const top = Math.max(...scores);
  const exps = scores.map((s) => Math.exp(s - top));
  const sum = exps.reduce((a, b) => a + b, 0);
  return new Map(labels.map((label, i) => [label, (exps[i] ?? 0) / sum]));
}
