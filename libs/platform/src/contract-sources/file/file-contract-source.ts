import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import {
  hasFilters,
  matchesFilters,
  type Contract,
  type ContractPage,
  type ContractPageRequest,
  type ContractSource,
} from '#analysis';
import { ContractRecordError, toContract } from '../shared/contract-record.mapper.js';
import { CsvReader } from './csv.reader.js';
import { FileContractSourceError } from './file-source.errors.js';
import { JsonArrayReader } from './json-array.reader.js';
import { NdjsonReader } from './ndjson.reader.js';
import type { Position, RawRecord, RecordReader } from './record-reader.port.js';

export type ContractFileFormat = 'json' | 'ndjson' | 'csv';

export interface FileContractSourceOptions {
  readonly path: string;
  /** Inferred from the extension (.json, .ndjson/.jsonl, .csv) when absent. */
  readonly format?: ContractFileFormat;
}

/** Every this many records the index keeps a start position: memory O(records / 256). */
const CHECKPOINT_EVERY = 256;

interface FileIndex {
  readonly total: number;
  readonly checkpoints: readonly Position[];
  readonly modifiedMs: number;
}

function readerFor(format: ContractFileFormat): RecordReader {
  switch (format) {
    case 'json':
      return new JsonArrayReader();
    case 'ndjson':
      return new NdjsonReader();
    case 'csv':
      return new CsvReader();
    default: {
      const unknown: never = format;
      throw new Error(`unknown file format ${String(unknown)}`);
    }
  }
}

export function formatFromPath(path: string): ContractFileFormat {
  const extension = extname(path).toLowerCase();
  if (extension === '.json') return 'json';
  if (extension === '.ndjson' || extension === '.jsonl') return 'ndjson';
  if (extension === '.csv') return 'csv';
  throw new FileContractSourceError(
    path,
    null,
    `formato desconhecido "${extension}": use .json, .ndjson, .jsonl ou .csv, ou informe format`,
  );
}

/**
 * Contracts from a bulk download (JSON array, NDJSON or CSV). The first request scans the file
 * once, validating every record and keeping a start position every 256 records; a page then
 * reads from the nearest position, so pages are random access and the file is never in memory.
 */
export class FileContractSource implements ContractSource {
  private readonly reader: RecordReader;
  private index: Promise<FileIndex> | null = null;

  constructor(private readonly options: FileContractSourceOptions) {
    this.reader = readerFor(options.format ?? formatFromPath(options.path));
  }

  async fetchPage(request: ContractPageRequest): Promise<ContractPage> {
    const { filters, page, pageSize, signal } = request;
    if (!Number.isInteger(page) || page < 1 || !Number.isInteger(pageSize) || pageSize < 1) {
      throw new RangeError(`page and pageSize must be positive integers, got ${page} and ${pageSize}`);
    }
    const index = await this.ensureIndex();
    const first = (page - 1) * pageSize;
    const last = Math.min(index.total, first + pageSize);
    const contracts: Contract[] = [];
    if (first < last) {
      const checkpoint = Math.floor(first / CHECKPOINT_EVERY);
      let position = checkpoint * CHECKPOINT_EVERY;
      for await (const raw of this.reader.read(this.options.path, index.checkpoints[checkpoint] ?? null)) {
        signal?.throwIfAborted();
        if (position >= first) contracts.push(this.contract(raw));
        if (++position >= last) break;
      }
    }
    const kept = hasFilters(filters) ? contracts.filter((c) => matchesFilters(c, filters)) : contracts;
    return {
      contracts: kept,
      hasMore: last < index.total,
      ...(hasFilters(filters) ? {} : { totalEstimate: index.total }),
    };
  }

  /** Rebuilt when the file changes under us, so a page never mixes two versions of it. */
  private async ensureIndex(): Promise<FileIndex> {
    const modifiedMs = (await this.statFile()).mtimeMs;
    const current = this.index ? await this.index : null;
    if (current && current.modifiedMs === modifiedMs) return current;
    this.index = this.scan(modifiedMs);
    this.index.catch(() => (this.index = null));
    return this.index;
  }

  private async scan(modifiedMs: number): Promise<FileIndex> {
    const checkpoints: Position[] = [];
    let total = 0;
    for await (const raw of this.reader.read(this.options.path, null)) {
      this.contract(raw);
      if (total % CHECKPOINT_EVERY === 0) checkpoints.push(raw.at);
      total++;
    }
    return { total, checkpoints, modifiedMs };
  }

  private async statFile(): Promise<{ mtimeMs: number }> {
    try {
      return await stat(this.options.path);
    } catch (error) {
      throw new FileContractSourceError(
        this.options.path,
        null,
        `não foi possível abrir o arquivo (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  }

  private contract(raw: RawRecord): Contract {
    try {
      return toContract(raw.value);
    } catch (error) {
      if (error instanceof ContractRecordError)
        throw new FileContractSourceError(this.options.path, raw.at.line, error.message);
      throw error;
    }
  }
}
