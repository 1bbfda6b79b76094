import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** Why a PEM file cannot serve, or null when it can: read once at start, so a bad path stops the process there. */
function pemProblem(path: string, label: string): string | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}): ${path}`;
  }
  // A key may be PKCS#8 (PRIVATE KEY) or of its algorithm (RSA PRIVATE KEY, EC PRIVATE KEY).
  const begins = new RegExp(`-----BEGIN ([A-Z]+ )?${label}-----`);
  return begins.test(text) ? null : `is not a PEM file holding a ${label.toLowerCase()}: ${path}`;
}

/** The path of a PEM file that must exist and hold `label` (CERTIFICATE, PRIVATE KEY). */
export const pemFileSetting = (label: 'CERTIFICATE' | 'PRIVATE KEY') =>
  z
    .string()
    .min(1)
    .superRefine((path, ctx) => {
      const problem = pemProblem(path, label);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
