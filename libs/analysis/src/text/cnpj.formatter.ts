const onlyDigits = (text: string): string => text.replace(/\D/g, '');

/** `00000000000191` or `00.000.000/0001-91` → `00.000.000/0001-91`; null when it is not 14 digits. */
export function formatCnpj(text: string): string | null {
  const d = onlyDigits(text);
  if (d.length !== 14) return null;
  return `${d.slice(0, 2)}.${d.slice(2, 5)}.${d.slice(5, 8)}/${d.slice(8, 12)}-${d.slice(12)}`;
}

function checkDigit(base: string): number {
  let factor = base.length - 7;
  let sum = 0;
  for (const char of base) {
    sum += Number(char) * factor;
    factor = factor === 2 ? 9 : factor - 1;
  }
  const rest = sum % 11;
  return rest < 2 ? 0 : 11 - rest;
}

/** Completes 12 base digits with the two Receita Federal check digits. */
export function cnpjWithCheckDigits(base12: string): string {
  const first = checkDigit(base12);
  return `${base12}${first}${checkDigit(`${base12}${first}`)}`;
}

/** True when the check digits agree with the base (and the number is not one repeated digit). */
export function isValidCnpj(text: string): boolean {
  const d = onlyDigits(text);
  if (d.length !== 14 || /^(\d)\1{13}$/.test(d)) return false;
  return cnpjWithCheckDigits(d.slice(0, 12)) === d;
}
