import { describe, expect, it } from '@jest/globals';
import { chunkAnswer, estimateTokens } from './answer.chunker.js';

describe('answer chunker', () => {
  const samples = [
    'Olá! Sou Carlos Drummond de Andrade.',
    '  começa com espaços\n\ne tem **markdown**:\n\n- item 1\n- item 2\n\n| a | b |\n|---|---|\n| 1 | 2 |\n',
    'uma\tpalavra\r\ncom CRLF   e espaços   múltiplos   ',
    '```ts\nconst x = 1;\n```\n',
    '\n\n\n',
    '',
    'palavra',
  ];

  it('loses nothing: the chunks joined are the text, byte for byte', () => {
    for (const text of samples) for (const size of [1, 2, 3, 7]) expect(chunkAnswer(text, size).join('')).toBe(text);
  });

  it('puts a few words in each chunk and never sends a chunk of whitespace alone', () => {
    const chunks = chunkAnswer('um dois três quatro cinco seis sete', 3);
    expect(chunks).toEqual(['um dois três ', 'quatro cinco seis ', 'sete']);
    for (const text of samples) {
      const chunks = chunkAnswer(text, 2);
      if (/\S/.test(text)) for (const chunk of chunks) expect(chunk).toMatch(/\S/);
    }
    expect(chunkAnswer('', 3)).toEqual([]);
  });

  it('refuses a chunk size below one word', () => {
    expect(() => chunkAnswer('x', 0)).toThrow(RangeError);
  });

  it('estimates about four characters a token', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('oi')).toBe(1);
    expect(estimateTokens('a'.repeat(400))).toBe(100);
  });
});
