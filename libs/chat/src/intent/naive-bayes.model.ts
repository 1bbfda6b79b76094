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

  constructor(
    private readonly labels: readonly L[],
    private readonly alpha = 0.1,
    private readonly sharpness = 8,
  ) {
    for (const label of labels) this.stats.set(label, { weights: new Map(), total: 0 });
  }

  train(examples: readonly TrainingExample<L>[]): this {
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
    const known = [...features].filter(([feature]) => this.vocabulary.has(feature));
    // Unseen features count in the mass, so a message made mostly of unseen words stays undecided.
    const mass = [...features.values()].reduce((sum, weight) => sum + weight, 0) || 1;
    const scores = this.labels.map((label) => {
      const stats = this.statsOf(label);
      const denominator = Math.log(stats.total + this.alpha * this.vocabulary.size);
      let logLikelihood = 0;
      for (const [feature, weight] of known)
        logLikelihood += weight * (Math.log((stats.weights.get(feature) ?? 0) + this.alpha) - denominator);
      return (logLikelihood / mass) * this.sharpness;
    });
    return softmax(this.labels, scores);
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
