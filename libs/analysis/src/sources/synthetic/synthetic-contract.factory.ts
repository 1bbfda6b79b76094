import type { Contract } from '../../model/contract.model.js';
import { plainDraft, splitDraft, type Draft } from './synthetic-draft.js';
import {
  asRole,
  CHUNK,
  chunkLayout,
  plantRates,
  ROLE,
  type ChunkLayout,
  type PlantRates,
  type Role,
} from './synthetic-layout.js';
import { S } from './synthetic-streams.js';
import type { SyntheticWorld } from './synthetic-world.js';

const SITUATIONS = ['Vigente', 'Vigente', 'Vigente', 'Encerrado', 'Encerrado', 'Publicado', 'Rescindido'];

export interface Located {
  readonly layout: ChunkLayout;
  readonly offset: number;
  readonly role: Role;
}

/** Builds contract i of a synthetic world from (seed, i) alone. */
export class SyntheticContractFactory {
  private readonly rates: PlantRates;
  private lastLayout: ChunkLayout | null = null;

  constructor(private readonly world: SyntheticWorld) {
    this.rates = plantRates(world.config.anomalyRate);
  }

  locate(i: number): Located {
    const chunk = Math.floor(i / CHUNK);
    // Pages read consecutive indices, so the last chunk's layout is almost always the one needed.
    if (this.lastLayout?.chunk !== chunk) this.lastLayout = chunkLayout(this.world.rng, this.rates, chunk);
    const offset = i % CHUNK;
    return { layout: this.lastLayout, offset, role: asRole(this.lastLayout.roles[offset] ?? ROLE.plain) };
  }

  contractAt(i: number): Contract {
    const { layout, offset, role } = this.locate(i);
    switch (role) {
      case ROLE.split:
        return this.dress(i, splitDraft(this.world, i, layout));
      case ROLE.copy:
        return this.copy(i, layout.chunk * CHUNK + (layout.link[offset] ?? 0));
      case ROLE.plain:
      case ROLE.price:
      case ROLE.amendment:
      case ROLE.original:
        return this.dress(i, plainDraft(this.world, i, role));
      default: {
        const unknown: never = role;
        throw new Error(`unknown synthetic role ${String(unknown)}`);
      }
    }
  }

  /** A re-registration: same unit, vendor and objeto, a few days later, value within 2%. */
  private copy(i: number, originalIndex: number): Contract {
    const rng = this.world.rng;
    const original = plainDraft(this.world, originalIndex, ROLE.original);
    const factor = 1 + rng.between(i, S.copyValue, -0.02, 0.02);
    const draft: Draft = {
      ...original,
      day: (original.day ?? 0) + 1 + rng.int(i, S.copyDays, 20),
      initial: Math.round(original.initial * factor * 100) / 100,
      final: Math.round(original.final * factor * 100) / 100,
    };
    const contract = this.dress(i, draft);
    // Re-typed records often differ only in case.
    return rng.uniform(i, S.copyEdit) < 0.3 ? { ...contract, objeto: contract.objeto.toUpperCase() } : contract;
  }

  private dress(i: number, draft: Draft): Contract {
    const world = this.world;
    const year = world.config.year;
    const start = draft.day === null ? null : draft.day + draft.startDelay;
    return {
      id: `sint-${world.tag}-${i + 1}`,
      numero: `${String((i % 99_999) + 1).padStart(5, '0')}/${year}`,
      objeto: world.objeto(draft.category, draft.item, draft.suffix, draft.lot),
      valorInicialCompra: draft.initial,
      valorFinalCompra: draft.final,
      dataAssinatura: draft.day === null ? null : world.iso(draft.day),
      dataInicioVigencia: start === null ? null : world.iso(start),
      dataFimVigencia: start === null ? null : world.iso(start + draft.duration),
      situacaoContrato: SITUATIONS[world.rng.int(i, S.situation, SITUATIONS.length)] ?? 'Vigente',
      modalidadeCompra: draft.modalidade,
      fornecedor: world.vendor(draft.vendorIndex),
      unidadeGestora: draft.buyer.unit,
    };
  }
}
