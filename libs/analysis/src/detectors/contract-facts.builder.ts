import type { ObjectCategory } from '../catalog/object-categories.catalog.js';
import { buyerKey, contractDate, contractValue, type Contract } from '../model/contract.model.js';
import { categoryKeyOf, classifyObject } from '../text/object-category.classifier.js';
import { normalizeText, tokenize } from '../text/text.normalizer.js';
import { epochDay, parseIsoDate, type DateParts } from '../util/iso-date.js';
import { hashString } from '../util/stable-hash.js';

/** What every detector needs to know about an objeto, computed once per distinct text. */
export interface ObjectFacts {
  /** Hashes of the distinct meaningful tokens, sorted: a compact set for Jaccard similarity. */
  readonly tokenHashes: Uint32Array;
  readonly category: ObjectCategory | null;
  readonly categoryKey: string;
}

/** A contract with the derived values the detectors share, so each is computed once. */
export interface ContractFacts {
  readonly contract: Contract;
  readonly buyer: string;
  readonly vendor: string;
  /** Small dense integers for buyer and vendor, so detectors index arrays instead of hashing strings. */
  readonly buyerId: number;
  readonly vendorId: number;
  /** Shared by every contract of a session: who a vendor id is, for explanations written at the end. */
  readonly vendors: VendorDirectory;
  readonly date: DateParts | null;
  readonly day: number | null;
  /** Contracted value when positive and finite, else 0 (unusable). */
  readonly initial: number;
  /** Spend: final value, else initial, else 0. */
  readonly value: number;
  readonly object: ObjectFacts;
  readonly isDispensa: boolean;
}

const NO_DATE = { parts: null, day: null } as const;

/** Vendor ids of a session with the key (CNPJ) and the name each was first seen with. */
export class VendorDirectory {
  private readonly ids = new Map<string, number>();
  private readonly keys: string[] = [];
  private readonly names: string[] = [];

  idOf(key: string, name: string): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.keys.length;
      this.ids.set(key, id);
      this.keys.push(key);
      this.names.push(name);
    }
    return id;
  }

  key = (id: number): string => this.keys[id] ?? '';
  name = (id: number): string => this.names[id] ?? '';
}

function intern(ids: Map<string, number>, key: string): number {
  let id = ids.get(key);
  if (id === undefined) {
    id = ids.size;
    ids.set(key, id);
  }
  return id;
}

/**
 * Objetos repeat a lot (the same purchase every month, the same template across units), so
 * their analysis is cached; the cache is emptied when full to keep memory bounded.
 */
export class FactsBuilder {
  private readonly objects = new Map<string, ObjectFacts>();
  private readonly modalities = new Map<string, boolean>();
  private readonly dates = new Map<string, { parts: DateParts | null; day: number | null }>();
  /** Never emptied: ids must stay stable for the whole session; they grow with entities, not contracts. */
  private readonly buyerIds = new Map<string, number>();
  private readonly vendors = new VendorDirectory();

  constructor(private readonly cacheSize = 50_000) {}

  build(contract: Contract): ContractFacts {
    const date = this.date(contractDate(contract));
    const initial = contract.valorInicialCompra;
    const buyer = buyerKey(contract);
    const vendor = contract.fornecedor.cnpjFormatado || contract.fornecedor.nome;
    return {
      contract,
      buyer,
      vendor,
      buyerId: intern(this.buyerIds, buyer),
      vendorId: this.vendors.idOf(vendor, contract.fornecedor.nome),
      vendors: this.vendors,
      date: date.parts,
      day: date.day,
      initial: Number.isFinite(initial) && initial > 0 ? initial : 0,
      value: contractValue(contract),
      object: this.objectFacts(contract.objeto ?? ''),
      isDispensa: this.dispensa(contract.modalidadeCompra ?? ''),
    };
  }

  private objectFacts(objeto: string): ObjectFacts {
    const cached = this.objects.get(objeto);
    if (cached) return cached;
    if (this.objects.size >= this.cacheSize) this.objects.clear();
    const normalized = normalizeText(objeto);
    const tokens = tokenize(normalized);
    const category = classifyObject(normalized);
    const facts: ObjectFacts = {
      tokenHashes: Uint32Array.from(new Set(tokens.map((token) => hashString(token)))).sort(),
      category,
      categoryKey: categoryKeyOf(category, normalized),
    };
    this.objects.set(objeto, facts);
    return facts;
  }

  /** A year has 365 dates and every contract of a day shares one: parse each once. */
  private date(text: string | null): { parts: DateParts | null; day: number | null } {
    if (text === null) return NO_DATE;
    let known = this.dates.get(text);
    if (!known) {
      if (this.dates.size >= 10_000) this.dates.clear();
      const parts = parseIsoDate(text);
      known = { parts, day: parts ? epochDay(parts) : null };
      this.dates.set(text, known);
    }
    return known;
  }

  private dispensa(modalidade: string): boolean {
    let known = this.modalities.get(modalidade);
    if (known === undefined) {
      if (this.modalities.size >= 1_000) this.modalities.clear();
      known = normalizeText(modalidade).includes('dispensa');
      this.modalities.set(modalidade, known);
    }
    return known;
  }
}
