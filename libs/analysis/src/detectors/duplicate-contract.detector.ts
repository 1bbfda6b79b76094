import type { Anomaly } from '../model/anomaly.model.js';
import { formatBrl, formatNumberPt } from '../text/number.formatter.js';
import { combine32 } from '../util/stable-hash.js';
import { clamp01, makeAnomaly, round } from './anomaly.factory.js';
import type { ContractFacts, ObjectFacts } from './contract-facts.builder.js';
import type { DuplicateContractOptions } from './detector-options.js';
import type { Detector } from './detector.port.js';
import { BANDS, bandSignatures, jaccard } from './minhash.sketch.js';
import { RecentContracts } from './recent-contracts.ring.js';

interface Match {
  readonly slot: number;
  readonly similarity: number;
  readonly daysApart: number;
  readonly valueGap: number;
}

/**
 * Near-identical contracts (same buyer and vendor, objeto Jaccard above the threshold, close
 * dates and values). Candidates meet in MinHash LSH buckets keyed by buyer and vendor, so the
 * cost per contract is constant. Memory is fixed: a ring of the most recent contracts and a
 * direct-mapped bucket table; a duplicate registered further away in the stream than the
 * ring remembers is not seen.
 */
export class DuplicateContractDetector implements Detector {
  readonly type = 'duplicate_contract' as const;
  private readonly recent: RecentContracts;
  private readonly signatures = new WeakMap<ObjectFacts, Uint32Array | null>();
  private readonly keys = new Array<number>(BANDS).fill(0);
  private readonly found: Int32Array;

  constructor(private readonly options: DuplicateContractOptions) {
    this.recent = new RecentContracts(options.windowSize, options.maxBuckets, options.bucketSize);
    this.found = new Int32Array(options.bucketSize);
  }

  observe(facts: ContractFacts, out: Anomaly[]): void {
    if (facts.day === null || facts.initial <= 0 || !facts.vendor) return;
    const bands = this.bandsOf(facts.object);
    if (!bands) return;
    const owner = combine32(facts.buyerId, facts.vendorId);
    let matches: Match[] | null = null;
    for (let band = 0; band < BANDS; band++) {
      const key = combine32(owner, (bands[band] ?? 0) ^ Math.imul(band + 1, 0x9e3779b1));
      this.keys[band] = key;
      const count = this.recent.candidates(key, this.found);
      for (let k = 0; k < count; k++) {
        const slot = this.found[k] ?? 0;
        if (matches && seen(matches, slot)) continue;
        const match = this.compare(facts, slot);
        if (match) (matches ??= []).push(match);
      }
    }
    const own = this.recent.remember(facts, this.keys);
    if (matches) out.push(this.anomaly(facts, matches, own));
  }

  finish(): void {
    // Pairs are reported as soon as the second contract arrives.
  }

  private bandsOf(object: ObjectFacts): Uint32Array | null {
    let bands = this.signatures.get(object);
    if (bands === undefined) {
      bands = bandSignatures(object.tokenHashes);
      this.signatures.set(object, bands);
    }
    return bands;
  }

  private compare(facts: ContractFacts, slot: number): Match | null {
    const o = this.options;
    const r = this.recent;
    if (r.buyerId(slot) !== facts.buyerId || r.vendorId(slot) !== facts.vendorId || r.id(slot) === facts.contract.id)
      return null;
    const daysApart = Math.abs((facts.day ?? 0) - r.day(slot));
    const other = r.value(slot);
    const valueGap = Math.abs(facts.initial - other) / Math.max(facts.initial, other);
    if (daysApart > o.maxDaysApart || valueGap > o.maxValueGap) return null;
    const similarity = jaccard(facts.object.tokenHashes, r.tokenHashes(slot));
    return similarity > o.jaccardThreshold ? { slot, similarity, daysApart, valueGap } : null;
  }

  private anomaly(facts: ContractFacts, matches: Match[], own: number): Anomaly {
    const o = this.options;
    const r = this.recent;
    matches.sort((a, b) => r.age(b.slot, own) - r.age(a.slot, own));
    const closest = matches.reduce((best, m) => (m.daysApart + m.valueGap < best.daysApart + best.valueGap ? m : best));
    const closeness =
      ((closest.similarity - o.jaccardThreshold) / (1 - o.jaccardThreshold) +
        (1 - closest.daysApart / Math.max(1, o.maxDaysApart)) +
        (1 - closest.valueGap / Math.max(1e-9, o.maxValueGap))) /
      3;
    const c = facts.contract;
    return makeAnomaly({
      type: this.type,
      score: clamp01(0.4 + 0.6 * closeness),
      contractIds: [c.id, ...matches.map((m) => r.id(m.slot))],
      explanation:
        `O contrato ${c.numero} (${formatBrl(facts.initial)}) repete o contrato ${matches.map((m) => r.numero(m.slot)).join(', ')} ` +
        `com o mesmo fornecedor e unidade, objeto ${formatNumberPt(closest.similarity * 100, 0)}% idêntico, ` +
        `${closest.daysApart} dias de diferença e valores ${formatNumberPt(closest.valueGap * 100, 1)}% distantes.`,
      evidence: {
        unidade_gestora: facts.buyer,
        vendor_cnpj: facts.vendor,
        similar_contracts: matches.length,
        jaccard: round(closest.similarity, 4),
        days_apart: closest.daysApart,
        value_gap_pct: round(closest.valueGap * 100, 3),
        value: round(facts.initial, 2),
        other_value: round(r.value(closest.slot), 2),
      },
    });
  }
}

function seen(matches: readonly Match[], slot: number): boolean {
  for (const match of matches) if (match.slot === slot) return true;
  return false;
}
