import type { PhoneNumber } from './types.ts';

/**
 * Keeps a phone number as given and derives E.164 only when that needs no guess: the number
 * already carries a `+` country code, or starts with the international `00` prefix. A national
 * number such as Trata's `96260-12778` has no country, so its E.164 form stays null rather than
 * being invented.
 */
export function toPhoneNumber(raw: string | null | undefined): PhoneNumber | null {
  if (raw === null || raw === undefined) return null;
  const trimmed = raw.trim();
  if (trimmed === '' || trimmed === '<string>') return trimmed === '' ? null : { raw, e164: null };
  return { raw, e164: toE164(trimmed) };
}

export function toE164(value: string): string | null {
  const international = value.startsWith('+') ? value.slice(1) : value.startsWith('00') ? value.slice(2) : null;
  if (international === null) return null;
  if (/[^\d\s().-]/.test(international)) return null;
  const digits = international.replace(/\D/g, '');
  return /^[1-9]\d{6,14}$/.test(digits) ? `+${digits}` : null;
}

/** Strict check for input we send to providers: `+` and 8 to 15 digits, nothing else. */
export function isE164(value: string): boolean {
  return /^\+[1-9]\d{7,14}$/.test(value);
}
